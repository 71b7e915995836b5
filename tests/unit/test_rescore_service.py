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


class _FakeSnapshots:
    """The snapshot engines' port: what a test says DuckDB gives, as the score query's rows."""

    def __init__(self, card, values: dict[int, int]) -> None:
        self.card, self.values, self.calls = card, values, []

    def score_folder(self, engine, card, as_of, source, out, subjects, *, master="local[2]"):
        import pyarrow as pa

        from openbureau.scoring import attributes as A

        self.calls.append((engine, source.name, subjects))
        rows = [{"subject_id": sid, **dict.fromkeys(A.ATTRIBUTES),
                 **{f"pts_{n}": 0 for n in card.rows}, "raw": v, "score": v,
                 "out_of_domain": None}
                for sid, v in sorted(self.values.items()) if sid > (subjects.after or 0)]
        return pa.Table.from_pylist(rows)


def test_a_snapshot_job_scores_through_the_port_and_loads_after_the_checkpoint(store, clock,
                                                                                tmp_path):
    import dataclasses

    from openbureau.scoring.spec import load_spec

    card = load_spec(store.models[store.active_model])
    engines = _FakeSnapshots(card, {sid: 700 + sid for sid in range(1, 8)})
    deps = dataclasses.replace(fake_deps(clock), snapshot_scoring=engines,
                               export_files=lambda folder: {"subjects": 7})
    job = rescore.start(FakeUnitOfWork(store, clock), deps, "duckdb")
    done = rescore.run(FakeUnitOfWork(store, clock), deps, job["id"], batch=3,
                       workdir=tmp_path)
    assert (done["status"], done["done"]) == ("done", 7)
    assert [c[:2] for c in engines.calls] == [("duckdb", "export")]
    assert engines.calls[0][2].after == 0
    assert sorted((r["subject_id"], r["value"]) for r in store.scores) == [
        (sid, 700 + sid) for sid in range(1, 8)]


def test_a_snapshot_job_without_the_engines_says_so(store, clock, tmp_path):
    import dataclasses

    deps = dataclasses.replace(fake_deps(clock), export_files=lambda folder: {"subjects": 7})
    job = rescore.start(FakeUnitOfWork(store, clock), deps, "duckdb")
    with pytest.raises(RuntimeError, match="snapshot engines"):
        rescore.run(FakeUnitOfWork(store, clock), deps, job["id"], workdir=tmp_path)
