"""The model registry's use cases and the drift report against the in-memory ports
(tests/fakes.py): no database. The SQL repositories (``adapters/model_registry.py``,
``adapters/score_drift.py``) are proven by tests/integration/test_rescore.py, test_drift.py,
test_fairness.py and test_route_roles.py on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openbureau.adapters.lru import LruCache
from openbureau.clock import FixedClock
from openbureau.config import Settings
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.scoring.drift import bucket_labels, bucket_of
from openbureau.scoring.spec import load_spec
from openbureau.services import model_reports, models
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
OPERATOR = Principal(Role.OPERATOR, 30, "Operator")
SHIPPED = models.shipped_specs()
NEWEST = str(SHIPPED[-1]["version"])


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


class Process:
    """A server process as an entry point holds it: a fresh unit of work on the shared
    ``store`` per call, and its own deps (its own memory of specs)."""

    def __init__(self, store: FakeStore) -> None:
        self.store, self.clock = store, FixedClock(NOW)
        self.deps = fake_deps(self.clock, settings=Settings(environment="test",
                                                            drift_min_population=3),
                              model_specs=LruCache(8))

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, self.clock)


@pytest.fixture
def bureau(store) -> Process:
    return Process(store)


def test_the_shipped_models_are_registered_and_the_newest_activated_once(bureau, store):
    assert models.ensure_shipped(bureau.uow(), bureau.deps) == NEWEST
    assert set(store.models) == {s["version"] for s in SHIPPED}
    assert store.active_model == NEWEST
    assert store.actions() == ["model.register"] * len(SHIPPED) + ["model.activate"]
    models.activate(bureau.uow(), bureau.deps, OPERATOR, str(SHIPPED[0]["version"]))
    # a second start registers nothing and keeps the operator's choice
    assert models.ensure_shipped(bureau.uow(), bureau.deps) == SHIPPED[0]["version"]
    assert store.actions()[-1] == "model.activate"
    assert store.events[-1].actor == OPERATOR.actor


def test_register_refuses_an_invalid_spec_and_stores_a_version_once(bureau, store):
    with pytest.raises(ValueError):
        models.register(bureau.uow(), bureau.deps, SYSTEM, {"version": "broken"})
    assert store.models == {}
    models.register(bureau.uow(), bureau.deps, SYSTEM, SHIPPED[0])
    models.register(bureau.uow(), bureau.deps, SYSTEM, SHIPPED[0])
    assert list(store.models) == [SHIPPED[0]["version"]]
    assert store.actions() == ["model.register"]
    assert store.active_model is None


def test_an_unknown_version_is_not_found(bureau, store):
    with pytest.raises(NotFound):
        models.activate(bureau.uow(), bureau.deps, OPERATOR, "nope")
    with pytest.raises(NotFound):
        models.spec_of(bureau.uow(), bureau.deps, "nope")
    assert store.events == []


def test_the_list_names_the_active_one_and_who_activated_it(bureau, store):
    for spec in SHIPPED[:2]:
        models.register(bureau.uow(), bureau.deps, SYSTEM, spec)
        bureau.clock.advance(hours=1)
    models.activate(bureau.uow(), bureau.deps, OPERATOR, str(SHIPPED[1]["version"]))
    listed = models.list_models(bureau.uow(), bureau.deps)
    assert [(m["version"], m["active"], m["activated_by"]) for m in listed] == [
        (SHIPPED[0]["version"], False, None), (SHIPPED[1]["version"], True, OPERATOR.actor)]
    assert models.spec_of(bureau.uow(), bureau.deps, str(SHIPPED[0]["version"])) == SHIPPED[0]


def test_the_active_spec_is_asked_of_the_database_each_time(bureau, store):
    models.ensure_shipped(bureau.uow(), bureau.deps)
    assert models.active_version(bureau.uow(), bureau.deps) == NEWEST
    assert models.active_spec(bureau.uow(), bureau.deps) == SHIPPED[-1]
    # another process (its own memory, the same database) activates another version: this
    # one uses it at once (issue 13: no process keeps an active model of its own)
    other = Process(store)
    models.activate(other.uow(), other.deps, OPERATOR, str(SHIPPED[0]["version"]))
    assert models.active_version(bureau.uow(), bureau.deps) == SHIPPED[0]["version"]
    assert models.active_spec(bureau.uow(), bureau.deps) == SHIPPED[0]
    store.active_model = str(SHIPPED[1]["version"])      # changed behind the process's back
    assert models.active_version(bureau.uow(), bureau.deps) == SHIPPED[1]["version"]
    models.activate(bureau.uow(), bureau.deps, SYSTEM, str(SHIPPED[-1]["version"]))
    assert models.active_version(bureau.uow(), bureau.deps) == NEWEST


def test_specs_are_remembered_by_version(bureau, store):
    models.ensure_shipped(bureau.uow(), bureau.deps)
    version = str(SHIPPED[-1]["version"])
    assert models.active_spec(bureau.uow(), bureau.deps) == SHIPPED[-1]
    assert bureau.deps.model_specs is not None and version in bureau.deps.model_specs
    # a registered version's spec never changes: the second read is the remembered one
    store.models[version] = {"version": version, "read": "from the store"}
    assert models.spec_of(bureau.uow(), bureau.deps, version) == SHIPPED[-1]
    # without a memory every read is the registry's
    assert models.spec_of(bureau.uow(), fake_deps(bureau.clock), version)["read"] \
        == "from the store"


def test_drift_counts_each_files_current_score_of_the_model(bureau, store):
    models.ensure_shipped(bureau.uow(), bureau.deps)
    card = load_spec(SHIPPED[-1])
    utilisation = card.attributes[0]
    old = NOW - timedelta(days=40)
    rows = [(1, old, 500, 0.1), (1, NOW, 700, 0.9),     # file 1 counted once, as now
            (2, NOW, 700, 0.2), (3, NOW, 640, None)]
    store.scores += [{"subject_id": sid, "model_version": card.version, "computed_at": at,
                      "value": value, "attributes": {utilisation.name: u}}
                     for sid, at, value, u in rows]
    store.scores.append({"subject_id": 4, "model_version": "other", "computed_at": NOW,
                         "value": 350, "attributes": {}})
    report = model_reports.drift(bureau.uow(), bureau.deps)
    assert report["reported"] is True and report["min_population"] == 3
    assert report["latest_score_at"] == NOW.isoformat()
    assert report["population"] == 3
    (u,) = [a for a in report["attributes"] if a["name"] == utilisation.name]
    expected = [0] * len(bucket_labels(utilisation))
    for value in (0.9, 0.2, None):
        expected[bucket_of(utilisation, value)] += 1
    assert [b["current_share"] for b in u["buckets"]] == [round(n / 3, 6) for n in expected]
    # a month ago only file 1 was scored: too few to compare
    months = {h["month"]: h for h in report["history"]}
    assert months[old.strftime("%Y-%m")]["subjects"] == 1
    assert months[old.strftime("%Y-%m")]["status"] == model_reports.TOO_FEW
    assert months[NOW.strftime("%Y-%m")]["subjects"] == 3


def test_drift_is_not_reported_on_too_few_files_nor_without_a_model(bureau, store):
    with pytest.raises(NotFound):
        model_reports.drift(bureau.uow(), bureau.deps)
    models.ensure_shipped(bureau.uow(), bureau.deps)
    store.scores.append({"subject_id": 1, "model_version": NEWEST, "computed_at": NOW,
                         "value": 700, "attributes": {}})
    report = model_reports.drift(bureau.uow(), bureau.deps)
    assert report["reported"] is False
    assert report["score"]["status"] == model_reports.TOO_FEW
    assert report["worst_attribute"] is None


def test_the_published_documents_are_the_active_models(bureau, store):
    assert model_reports.published_text(bureau.uow(), bureau.deps, "model-card.md") is None
    with pytest.raises(NotFound):
        model_reports.published_fairness(bureau.uow(), bureau.deps)
    models.ensure_shipped(bureau.uow(), bureau.deps)
    assert (model_reports.published_text(bureau.uow(), bureau.deps, "model-card.md") or "").strip()
    assert model_reports.published_fairness(bureau.uow(), bureau.deps)
    with pytest.raises(NotFound):
        model_reports.model_card_plot(bureau.uow(), bureau.deps, "../../secrets.png")
