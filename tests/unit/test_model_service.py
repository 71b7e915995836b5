"""The model registry's use cases and the drift report against the in-memory ports
(tests/fakes.py): no database. The SQL repositories (``adapters/model_registry.py``,
``adapters/score_drift.py``) are proven by tests/integration/test_rescore.py, test_drift.py,
test_fairness.py and test_route_roles.py on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.config import Settings
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.scoring.drift import bucket_labels, bucket_of
from openbureau.scoring.spec import load_spec
from openbureau.services import model_reports, models
from tests.fakes import FakeBureau, FakeStore

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
OPERATOR = Principal(Role.OPERATOR, 30, "Operator")
SHIPPED = models.shipped_specs()
NEWEST = str(SHIPPED[-1]["version"])


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def bureau(store) -> FakeBureau:
    return FakeBureau(store, FixedClock(NOW), settings=Settings(environment="test",
                                                                drift_min_population=3))


def test_the_shipped_models_are_registered_and_the_newest_activated_once(bureau, store):
    assert models.ensure_shipped(bureau) == NEWEST
    assert set(store.models) == {s["version"] for s in SHIPPED}
    assert store.active_model == NEWEST
    assert store.actions() == ["model.register"] * len(SHIPPED) + ["model.activate"]
    models.activate(bureau, str(SHIPPED[0]["version"]), OPERATOR)
    # a second start registers nothing and keeps the operator's choice
    assert models.ensure_shipped(bureau) == SHIPPED[0]["version"]
    assert store.actions()[-1] == "model.activate"
    assert store.events[-1].actor == OPERATOR.actor


def test_register_refuses_an_invalid_spec_and_stores_a_version_once(bureau, store):
    with pytest.raises(ValueError):
        models.register(bureau, {"version": "broken"})
    assert store.models == {}
    models.register(bureau, SHIPPED[0])
    models.register(bureau, SHIPPED[0])
    assert list(store.models) == [SHIPPED[0]["version"]]
    assert store.actions() == ["model.register"]
    assert store.active_model is None


def test_an_unknown_version_is_not_found(bureau, store):
    with pytest.raises(NotFound):
        models.activate(bureau, "nope", OPERATOR)
    with pytest.raises(NotFound):
        models.spec_of(bureau, "nope")
    assert store.events == []


def test_the_list_names_the_active_one_and_who_activated_it(bureau, store):
    for spec in SHIPPED[:2]:
        models.register(bureau, spec)
        bureau.clock = FixedClock(bureau.clock.now() + timedelta(hours=1))
    models.activate(bureau, str(SHIPPED[1]["version"]), OPERATOR)
    listed = models.list_models(bureau)
    assert [(m["version"], m["active"], m["activated_by"]) for m in listed] == [
        (SHIPPED[0]["version"], False, None), (SHIPPED[1]["version"], True, OPERATOR.actor)]
    assert models.spec_of(bureau, str(SHIPPED[0]["version"])) == SHIPPED[0]


def test_the_active_spec_is_cached_until_a_model_is_activated(bureau, store):
    models.ensure_shipped(bureau)
    assert models.active_version(bureau) == NEWEST
    store.active_model = str(SHIPPED[0]["version"])      # changed behind the process's back
    assert models.active_version(bureau) == NEWEST
    models.activate(bureau, str(SHIPPED[1]["version"]), SYSTEM)
    assert models.active_version(bureau) == SHIPPED[1]["version"]


def test_drift_counts_each_files_current_score_of_the_model(bureau, store):
    models.ensure_shipped(bureau)
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
    report = model_reports.drift(bureau)
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
        model_reports.drift(bureau)
    models.ensure_shipped(bureau)
    store.scores.append({"subject_id": 1, "model_version": NEWEST, "computed_at": NOW,
                         "value": 700, "attributes": {}})
    report = model_reports.drift(bureau)
    assert report["reported"] is False
    assert report["score"]["status"] == model_reports.TOO_FEW
    assert report["worst_attribute"] is None


def test_the_published_documents_are_the_active_models(bureau, store):
    assert model_reports.published_text(bureau, "model-card.md") is None
    with pytest.raises(NotFound):
        model_reports.published_fairness(bureau)
    models.ensure_shipped(bureau)
    assert (model_reports.published_text(bureau, "model-card.md") or "").strip()
    assert model_reports.published_fairness(bureau)
    with pytest.raises(NotFound):
        model_reports.model_card_plot(bureau, "../../secrets.png")
