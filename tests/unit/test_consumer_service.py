"""The consumer's own file against the in-memory ports (no database): whether it is frozen,
and the score the page shows while none is stored (``services/consumer.py``). The report and
its PDF are tests/integration/test_reports.py, test_self_service.py and test_report_glance.py,
on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import Principal, Role
from openbureau.scoring.attributes import CreditFile
from openbureau.services import consumer, models
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA = Principal(Role.CONSUMER, 1, "Ada", subject_ref="sub_1")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_subject(ADA.id)
    return s


def test_the_file_is_frozen_while_a_freeze_is_in_force(store, clock):
    deps = fake_deps(clock)
    assert consumer.is_frozen(FakeUnitOfWork(store, clock), deps, ADA) is False
    store.freezes.append([ADA.id, NOW, None])
    assert consumer.is_frozen(FakeUnitOfWork(store, clock), deps, ADA) is True
    with pytest.raises(NotFound):       # a file not held is nobody's to ask about
        consumer.is_frozen(FakeUnitOfWork(store, clock), deps,
                           Principal(Role.CONSUMER, 9, "", subject_ref="sub_9"))


def test_the_shown_score_is_the_reports_else_the_active_models_of_the_file_as_it_stands(
        store, clock):
    deps = fake_deps(clock)
    stored = {"value": 700, "band": "good"}
    assert consumer.shown_score(FakeUnitOfWork(store, clock), deps, ADA,
                                {"score": stored}) is stored
    # no model active: no score at all (never an invented one)
    assert consumer.shown_score(FakeUnitOfWork(store, clock), deps, ADA, {"score": None}) \
        is None
    models.ensure_shipped(FakeUnitOfWork(store, clock), deps)
    store.credit_files[ADA.id] = CreditFile(as_of=NOW.date())
    shown = consumer.shown_score(FakeUnitOfWork(store, clock), deps, ADA, {"score": None})
    assert shown is not None and {"value", "band", "reasons"} <= set(shown)
