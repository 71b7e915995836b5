"""Furnishing files -- received, ingested, resumed after a crash, their status read -- against
the in-memory ports (no database); tests/integration/test_furnishing_files.py and
test_intake_limits.py drive the same use cases over HTTP and the CLI on both databases."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.config import Settings
from openbureau.domain.errors import NotFound, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import files
from openbureau.services.ports import Deps
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BANK = Principal(Role.FURNISHER, 10, "Bank")
OTHER = Principal(Role.FURNISHER, 11, "Other bank")
HEAD = (b"subject_national_id,subject_name,subject_date_of_birth,account_ref,as_of,kind,"
        b"opened_on,balance,amount_past_due,status,ecoa,currency\n")


def row(i: int, balance: str = "100") -> bytes:
    return (f"9001{i:05d},Ada Lovelace,1985-12-10,ACC-{i},2026-10-31,revolving,2019-04-01,"
            f"{balance},0,current,individual,USD\n").encode()


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_organisation(BANK.id, BANK.name, "furnisher")
    s.add_organisation(OTHER.id, OTHER.name, "furnisher")
    return s


@pytest.fixture
def deps(tmp_path) -> Deps:
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault(),
                     settings=Settings(environment="test", var_dir=tmp_path,
                                       max_ingest_attempts=2))


@pytest.fixture
def uow(store, deps) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, deps.clock)


def test_a_received_file_is_queued_ingested_and_its_upload_removed(uow, deps, store):
    ref = files.receive(uow, deps, BANK, "../../accounts.csv",
                        io.BytesIO(HEAD + row(1) + row(2, balance="lots") + row(3)))
    (queued,) = store.intake_files.values()
    assert (queued.ref, queued.status, queued.filename, queued.format) == (
        ref, "queued", "accounts.csv", "csv")
    upload = files.upload_dir(deps) / str(queued.id)
    assert upload.exists() and upload.stat().st_mode & 0o077 == 0
    assert store.actions() == ["furnish.file_received"]

    status = files.ingest(uow, deps, ref)
    assert (status["file_id"], status["status"], status["records"], status["accepted"],
            status["rejected"]) == (ref, "done", 3, 2, 1)
    ((error),) = status["errors"]
    assert (error["line"], error["field"]) == (3, "balance")
    assert store.intake_files[queued.id].attempts == 1
    assert not upload.exists()
    assert len(store.account_months) == 2
    assert store.actions()[-1] == "furnish.file_ingested"


def test_a_file_is_read_only_by_its_furnisher(uow, deps, store):
    ref = files.receive(uow, deps, BANK, "a.csv", io.BytesIO(HEAD + row(1)))
    assert files.status_of(uow, deps, BANK, ref)["status"] == "queued"
    with pytest.raises(NotFound):
        files.status_of(uow, deps, OTHER, ref)
    with pytest.raises(NotFound):
        files.ingest(uow, deps, "file_nothing")


def test_an_unreadable_upload_is_refused_and_not_kept(uow, deps, store):
    with pytest.raises(ValidationFailed):
        files.receive(uow, deps, BANK, "a.csv", io.BytesIO(b""))
    assert store.intake_files == {}
    assert list(files.upload_dir(deps).iterdir()) == []


def test_resume_gives_up_on_a_file_interrupted_too_often_and_sweeps_leftovers(uow, deps, store):
    again = files.receive(uow, deps, BANK, "a.csv", io.BytesIO(HEAD + row(1)))
    crashing = files.receive(uow, deps, BANK, "b.csv", io.BytesIO(HEAD + row(2)))
    done = files.receive(uow, deps, BANK, "c.csv", io.BytesIO(HEAD + row(3)))
    files.ingest(uow, deps, done)
    ids = {f.ref: f.id for f in store.intake_files.values()}
    folder = files.upload_dir(deps)
    (folder / str(ids[done])).write_bytes(b"left by a crash after the ingest")
    for _ in range(2):          # two ingests of b.csv took the process down
        with uow:
            uow.furnishing_files.start(ids[crashing])
            uow.commit()

    assert files.resume_pending(uow, deps) == [again]
    gone = store.intake_files[ids[crashing]]
    assert (gone.status, gone.failure_reason) == ("failed", files.interrupted_reason(2))
    assert "furnish.file_abandoned" in store.actions()
    assert sorted(p.name for p in folder.iterdir()) == [str(ids[again])]
