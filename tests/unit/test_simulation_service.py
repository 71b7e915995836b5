"""The consumer's what-if score (``services/simulation.py``) against the in-memory ports: no
database. The file as the engines read it is tests/integration/test_simulation_api.py's, over
HTTP on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import NotFound, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.scoring.attributes import CreditFile
from openbureau.services import models, simulation
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA = Principal(Role.CONSUMER, 1, "Ada", subject_ref="sub_1")
SHIPPED = models.shipped_specs()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_file(ADA.id)
    return s


def test_a_simulation_scores_the_file_before_and_after_with_the_active_model(store, clock):
    deps = fake_deps(clock)
    models.ensure_shipped(FakeUnitOfWork(store, clock), deps)
    store.credit_files[ADA.id] = CreditFile(as_of=NOW.date())
    out = simulation.run(FakeUnitOfWork(store, clock), deps, ADA,
                         [{"kind": "time_passes", "months": 6}])
    assert out["model_version"] == SHIPPED[-1]["version"]
    assert out["as_of"] == NOW.date().isoformat()
    assert out["change"] == out["after"]["value"] - out["before"]["value"]
    assert {"value", "band", "reasons"} <= set(out["before"])
    (event,) = [e for e in store.events if e.action == "score.simulate"]
    assert (event.actor, event.subject_ref, event.detail["changes"]) == (ADA.actor, "sub_1", 1)


def test_no_active_model_or_a_bad_change_is_refused_and_nothing_is_recorded(store, clock):
    deps = fake_deps(clock)
    with pytest.raises(NotFound):
        simulation.run(FakeUnitOfWork(store, clock), deps, ADA, [])
    models.ensure_shipped(FakeUnitOfWork(store, clock), deps)
    before = len(store.events)
    with pytest.raises(ValidationFailed):
        simulation.run(FakeUnitOfWork(store, clock), deps, ADA, [{"kind": "no such change"}])
    assert len(store.events) == before
