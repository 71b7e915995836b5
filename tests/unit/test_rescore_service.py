"""Batch rescoring's jobs against the in-memory ports (no database): resumable, bound to one
model, each batch with its checkpoint. The engines themselves (compiled SQL, DuckDB, Spark)
are tests/integration/test_rescore.py on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.scoring.scored import Scored
from openbureau.services import rescore
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def shipped_spec() -> dict:
    folder = resources.files("openbureau.scoring") / "models"
    path = sorted((p for p in folder.iterdir() if p.name.endswith(".json")),
                  key=lambda p: p.name)[-1]          # the newest: what a fresh bureau uses
    return json.loads(path.read_text())


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    spec = shipped_spec()
    s = FakeStore(models={spec["version"]: spec, "other": dict(spec, version="other")},
                  active_model=spec["version"])
    for sid in range(1, 8):
        s.add_file(sid)
        s.engine_scores[sid] = Scored(sid, {}, {}, 600 + sid)
    s.engine_scores[4] = Scored(4, {}, {}, None, out_of_domain="utilisation")
    return s


def test_a_job_resumes_after_its_checkpoint_and_scores_each_file_once(store, clock):
    deps = fake_deps(clock)
    job = rescore.start(FakeUnitOfWork(store, clock), deps, "sqlite")
    assert (job["status"], job["total"], job["model_version"]) == ("running", 7,
                                                                    store.active_model)
    half = rescore.run(FakeUnitOfWork(store, clock), deps, job["id"], batch=3, stop_after=1)
    assert (half["done"], half["last_subject_id"]) == (3, 3)
    again = rescore.start(FakeUnitOfWork(store, clock), deps, "sqlite")
    assert again["id"] == job["id"]                           # resumed, not a second job
    done = rescore.run(FakeUnitOfWork(store, clock), deps, job["id"], batch=3)
    assert (done["status"], done["done"], done["progress"]) == ("done", 7, 1.0)
    scored = sorted(r["subject_id"] for r in store.scores)
    assert scored == [1, 2, 3, 5, 6, 7]                       # 4 is out of domain: counted
    assert all(r["job_id"] == job["id"] for r in store.scores)
    assert store.actions() == ["rescore.start", "rescore.resume", "rescore.finish"]


def test_a_job_of_another_model_is_superseded_and_never_continued(store, clock):
    deps = fake_deps(clock)
    old = rescore.start(FakeUnitOfWork(store, clock), deps, "sqlite")
    store.active_model = "other"
    new = rescore.start(FakeUnitOfWork(store, clock), deps, "sqlite")
    assert new["id"] != old["id"] and new["model_version"] == "other"
    assert rescore.get_job(FakeUnitOfWork(store, clock), deps, old["id"])["status"] == \
        "superseded"
    assert rescore.run(FakeUnitOfWork(store, clock), deps, old["id"])["done"] == 0
    assert store.scores == []
    listed = rescore.list_jobs(FakeUnitOfWork(store, clock), deps)
    assert [j["id"] for j in listed] == [new["id"], old["id"]]


def test_refusals_engine_model_and_unknown_job(store, clock):
    deps = fake_deps(clock)
    with pytest.raises(ValidationFailed):
        rescore.start(FakeUnitOfWork(store, clock), deps, "postgres")   # the database is SQLite
    with pytest.raises(ValidationFailed):
        rescore.start(FakeUnitOfWork(store, clock), deps, "oracle")
    store.active_model = None
    with pytest.raises(Conflict):
        rescore.start(FakeUnitOfWork(store, clock), deps, "sqlite")
    with pytest.raises(NotFound):
        rescore.get_job(FakeUnitOfWork(store, clock), deps, 99)
    assert store.rescore_jobs == {} and store.events == []
