"""Online rescoring and the consumer's score against the in-memory ports (no database); the
SQL side (``SqlScores``, the compiled scorecard) is tests/integration/test_rescore.py and
test_current_score.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from openbureau.adapters.model_registry import ScorecardCache
from openbureau.clock import FixedClock
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import Principal, Role
from openbureau.scoring.scored import Scored
from openbureau.scoring.spec import load_spec
from openbureau.services import scoring_hooks
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA = 1


def shipped_spec() -> dict:
    """The newest shipped card (the one a fresh bureau activates)."""
    folder = resources.files("openbureau.scoring") / "models"
    path = sorted((p for p in folder.iterdir() if p.name.endswith(".json")),
                  key=lambda p: p.name)[-1]
    return json.loads(path.read_text())


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    spec = shipped_spec()
    s = FakeStore(models={spec["version"]: spec}, active_model=spec["version"])
    s.add_file(ADA)
    s.engine_scores[ADA] = Scored(ADA, {"utilisation": 0.1}, {}, 700)
    s.engine_scores[2] = Scored(2, {"utilisation": 9.9}, {}, None, out_of_domain="utilisation")
    return s


def test_the_rescorer_stores_a_row_of_the_active_model_and_skips_out_of_domain(store, clock):
    deps = fake_deps(clock)
    rescore = scoring_hooks.rescorer(deps)
    with FakeUnitOfWork(store, clock) as uow:
        rescore(uow, {ADA, 2})
        uow.commit()
    (row,) = store.scores
    assert (row["subject_id"], row["value"], row["model_version"], row["computed_at"]) == (
        ADA, 700, store.active_model, NOW)
    assert len(deps.scorecards) == 1         # parsed once, kept by version


def test_no_active_model_no_score(store, clock):
    store.active_model = None
    with FakeUnitOfWork(store, clock) as uow:
        assert scoring_hooks.rescore_subjects(fake_deps(clock), uow, {ADA}) == 0
        assert scoring_hooks.current_score(fake_deps(clock), uow, ADA) is None


def test_my_score_reads_the_stored_score_newest_first_and_is_audited(store, clock):
    deps = fake_deps(clock)
    store.scores += [{"subject_id": ADA, "model_version": store.active_model, "value": v,
                      "reasons": [], "attributes": {}, "computed_at": NOW - timedelta(days=d)}
                     for v, d in ((640, 30), (655, 0), (610, 60))]
    who = Principal(Role.CONSUMER, ADA, "", subject_ref="sub_1")
    out = scoring_hooks.my_score(FakeUnitOfWork(store, clock), deps, who)
    assert out["score"]["value"] == 655
    assert [h["value"] for h in out["history"]] == [655, 640, 610]
    assert store.actions() == ["score.read"]


def test_without_a_stored_score_one_is_computed_and_not_stored(store, clock):
    who = Principal(Role.CONSUMER, ADA, "", subject_ref="sub_1")
    out = scoring_hooks.my_score(FakeUnitOfWork(store, clock), fake_deps(clock), who)
    assert out["score"]["value"] == 700 and out["history"] == []
    assert store.scores == []


def test_a_consumer_without_a_file_is_not_found(store, clock):
    with pytest.raises(NotFound):
        scoring_hooks.my_score(FakeUnitOfWork(store, clock), fake_deps(clock),
                               Principal(Role.CONSUMER, 99, "", subject_ref="sub_99"))
    assert store.events == []


def test_the_scorecard_cache_is_bounded_and_parses_each_version_once():
    spec = shipped_spec()
    cache = ScorecardCache(size=2)
    parsed: list[str] = []

    def loader(version: str):
        def load():
            parsed.append(version)
            return load_spec(dict(spec, version=version))
        return load

    for v in ("a", "b", "a", "c", "a", "b"):
        assert cache.get(v, loader(v)).version == v
    assert parsed == ["a", "b", "c", "b"]     # "b" was the least recently used when "c" came
    assert len(cache) == 2 and "a" in cache and "c" not in cache
