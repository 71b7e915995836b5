"""Bounded intake (issue 11 point 5; issue 12 findings 1, 2, 9, 10), on SQLite and PostgreSQL:
request bodies refused past their limit before credentials or parsing, uploads streamed to disk
and refused past theirs with nothing kept, errors kept per file capped and counted, a file that
keeps taking the server down given up, raw uploads private and deleted once ingested, invalid
text in a batch refused for its record only."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from openbureau.adapters.tables import account_months, audit_events, furnishing_files
from openbureau.api import create_app
from openbureau.services import access, files
from tests.conftest import auth
from tests.integration.test_furnishing_api import record

BATCH = "/v1/furnisher/accounts:batch"
UPLOAD = "/v1/furnisher/files"


def limited(bureau, **limits: int):  # type: ignore[no-untyped-def]
    """A client of the same bureau with other limits (settings are read by ``create_app``)."""
    from fastapi.testclient import TestClient

    bureau.settings = bureau.settings.model_copy(update=limits)
    return TestClient(create_app(bureau=bureau))


def file_rows(bureau) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(func.count()).select_from(furnishing_files)).scalar_one()


def upload_folder(bureau) -> Path:
    return bureau.settings.resolved_upload_dir()


def upload_path(bureau, file_ref: str) -> Path:
    """Where a queued upload waits: named by the file's internal row id, never by its ref."""
    with bureau.uow() as uow:
        row_id = uow.execute(select(furnishing_files.c.id)
                             .where(furnishing_files.c.ref == file_ref)).scalar_one()
    return upload_folder(bureau) / str(row_id)


def leftovers(bureau) -> list[str]:
    folder = upload_folder(bureau)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def is_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def chunks(total: int, size: int = 64 * 1024):
    """A body without Content-Length (sent chunked), ``total`` bytes of it."""
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        sent += n
        yield b"x" * n


# -- request bodies ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [BATCH, "/v1/consumer/sessions"])
def test_over_limit_body_without_credentials_is_413_unparsed(bureau, path):
    with limited(bureau, max_body_bytes=64 * 1024) as client:
        # not JSON at all: had it been parsed, the answer would be 422; unauthenticated, 401
        r = client.post(path, content=b"{" * (64 * 1024 + 1),
                        headers={"content-type": "application/json"})
        body = is_problem(r, 413)
        assert "65,536 bytes" in body["detail"]
        assert r.headers["x-content-type-options"] == "nosniff"     # security headers too


def test_over_limit_chunked_body_is_413_before_credentials(bureau, orgs):
    with limited(bureau, max_body_bytes=64 * 1024) as client:
        # a route whose body is declared is read first: the read past the limit is refused
        r = client.post("/v1/consumer/sessions", content=chunks(10 * 64 * 1024),
                        headers={"content-type": "application/json"})
        is_problem(r, 413)
        # the batch route checks the credential before it reads anything
        r = client.post(BATCH, content=chunks(10 * 64 * 1024),
                        headers={"content-type": "application/json"})
        is_problem(r, 401)
        r = client.post(BATCH, content=chunks(10 * 64 * 1024),
                        headers={**auth(orgs["furnisher"]), "content-type": "application/json"})
        is_problem(r, 413)


def test_batch_is_parsed_after_the_credential(bureau, client, orgs):
    # not JSON: a furnisher is told so (422); anyone else is refused before it is parsed (401)
    r = client.post(BATCH, content=b"{nope", headers={"content-type": "application/json"})
    is_problem(r, 401)
    r = client.post(BATCH, content=b"{nope", headers={**auth(orgs["furnisher"]),
                                                      "content-type": "application/json"})
    body = is_problem(r, 422)
    assert body["errors"] == [{"field": "body", "message": "the body is not valid JSON"}]
    r = client.post(BATCH, json={"records": [1], "extra": 2}, headers=auth(orgs["furnisher"]))
    fields = {e["field"] for e in is_problem(r, 422)["errors"]}
    assert fields == {"records.0", "extra"}


def test_body_at_the_limit_passes(bureau, orgs):
    one = json.dumps({"records": [record()]}).encode()
    with limited(bureau, max_body_bytes=len(one)) as client:
        r = client.post(BATCH, content=one, headers={**auth(orgs["furnisher"]),
                                                     "content-type": "application/json"})
        assert r.status_code == 200, r.text
        r = client.post(BATCH, content=one + b" ", headers={
            **auth(orgs["furnisher"]), "content-type": "application/json"})
        is_problem(r, 413)


def test_batch_over_the_record_limit_is_refused_whole(bureau, orgs):
    with limited(bureau, max_batch_records=3) as client:
        recs = [record(account_ref=f"CARD-{i}") for i in range(4)]
        body = is_problem(client.post(BATCH, headers=auth(orgs["furnisher"]),
                                      json={"records": recs}), 413)
        assert "at most 3 records (4 sent)" in body["detail"]
        with bureau.uow() as uow:
            assert uow.execute(select(func.count()).select_from(account_months)).scalar_one() \
                == 0
        r = client.post(BATCH, headers=auth(orgs["furnisher"]), json={"records": recs[:3]})
        assert r.status_code == 200 and r.json()["accepted"] == 3, r.text


# -- uploads ----------------------------------------------------------------------------------

CSV_HEAD = (b"subject_national_id,subject_name,subject_date_of_birth,account_ref,as_of,kind,"
            b"opened_on,balance,amount_past_due,status,ecoa,currency\n")


def csv_row(i: int, balance: str = "100") -> bytes:
    return (f"9001{i:05d},Ada Lovelace,1985-12-10,ACC-{i},2026-10-31,revolving,2019-04-01,"
            f"{balance},0,current,individual,USD\n").encode()


def test_over_limit_upload_is_413_and_nothing_kept(bureau, orgs):
    limit = 64 * 1024
    big = CSV_HEAD + b"".join(csv_row(i) for i in range(2000))
    assert len(big) > limit + 64 * 1024      # past the multipart envelope's allowance too
    with limited(bureau, max_upload_bytes=limit) as client:
        # announced by Content-Length: refused before anything is read
        body = is_problem(client.post(UPLOAD, headers=auth(orgs["furnisher"]),
                                      files={"file": ("big.csv", big)}), 413)
        assert f"{limit:,} bytes" in body["detail"]
        # just over the file limit but within the envelope: counted by the route itself
        r = client.post(UPLOAD, headers=auth(orgs["furnisher"]),
                        files={"file": ("big.csv", big[:limit + 10])})
        body = is_problem(r, 413)
        assert "file is larger" in body["detail"]
        # without credentials the limit still answers first
        is_problem(client.post(UPLOAD, files={"file": ("big.csv", big)}), 413)
    assert file_rows(bureau) == 0
    assert leftovers(bureau) == []


def test_upload_without_credentials_reads_nothing(bureau, client):
    r = client.post(UPLOAD, files={"file": ("a.csv", CSV_HEAD + csv_row(1))})
    is_problem(r, 401)
    assert leftovers(bureau) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"data": {"other": "x"}, "files": {"notfile": ("a.csv", b"a,b\n")}}, "no file"),
    ({"content": b"national_id,name\n", "headers": {"content-type": "text/csv"}},
     "multipart/form-data"),
    ({"content": b"--XX\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nab",
      "headers": {"content-type": "multipart/form-data; boundary=XX"}}, ""),
])
def test_malformed_uploads_are_422_and_leave_nothing(bureau, client, orgs, kwargs, message):
    headers = {**auth(orgs["furnisher"]), **kwargs.pop("headers", {})}
    body = is_problem(client.post(UPLOAD, headers=headers, **kwargs), 422)
    assert message in body["detail"]
    assert file_rows(bureau) == 0
    assert leftovers(bureau) == []


def test_upload_is_private_meanwhile_and_deleted_once_ingested(bureau, orgs):
    with limited(bureau) as client:
        key = orgs["furnisher"]
        data = CSV_HEAD + csv_row(1) + csv_row(2, balance="x")
        furnisher = access.authenticate_key(bureau.uow(), bureau.deps, key)
        file_id = files.receive(bureau.uow(), bureau.deps, furnisher, "a.csv", io.BytesIO(data))
        folder = upload_folder(bureau)
        raw = upload_path(bureau, file_id)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(raw.stat().st_mode) == 0o600
        assert raw.read_bytes() == data
        summary = files.ingest(bureau.uow(), bureau.deps, file_id)
        assert summary["status"] == "done" and summary["accepted"] == 1
        assert not raw.exists()
        # through the API as well: after the background ingest nothing is left
        r = client.post(UPLOAD, headers=auth(key), files={"file": ("b.csv", data)})
        assert r.status_code == 202, r.text
        status = client.get(f"{UPLOAD}/{r.json()['file_id']}", headers=auth(key)).json()
        assert status["status"] == "done"
        assert leftovers(bureau) == []
    with bureau.uow() as uow:       # what the bureau keeps of the raw file: its digest
        digests = list(uow.execute(select(furnishing_files.c.sha256)).scalars())
    assert digests == [hashlib.sha256(data).hexdigest()] * 2


def test_a_missing_upload_fails_without_showing_the_path(bureau, orgs):
    furnisher = access.authenticate_key(bureau.uow(), bureau.deps, orgs["furnisher"])
    file_id = files.receive(bureau.uow(), bureau.deps, furnisher, "a.csv",
                            io.BytesIO(CSV_HEAD + csv_row(1)))
    upload_path(bureau, file_id).unlink()
    summary = files.ingest(bureau.uow(), bureau.deps, file_id)
    assert summary["status"] == "failed"
    text = json.dumps(summary)
    assert str(upload_folder(bureau)) not in text and "uploads" not in text
    assert "could not be read" in summary["errors"][0]["message"]


# -- errors kept per file ---------------------------------------------------------------------

def test_errors_kept_are_capped_and_all_counted(bureau, orgs):
    bad = 300
    data = CSV_HEAD + b"".join(csv_row(i, balance="x") for i in range(bad)) + csv_row(999)
    with limited(bureau, max_errors_kept=25) as client:
        key = orgs["furnisher"]
        r = client.post(UPLOAD, headers=auth(key), files={"file": ("bad.csv", data)})
        assert r.status_code == 202, r.text
        status = client.get(f"{UPLOAD}/{r.json()['file_id']}", headers=auth(key)).json()
    assert status["status"] == "done"
    assert (status["records"], status["accepted"], status["rejected"]) == (bad + 1, 1, bad)
    assert status["errors_total"] == bad
    assert status["errors_truncated"] is True
    # the first 25 in file order: lines 2..26 (line 1 is the header)
    assert [e["line"] for e in status["errors"]] == list(range(2, 27))
    with bureau.uow() as uow:
        row = uow.execute(select(furnishing_files)).one()
    assert row.errors_total == bad and len(row.errors) == 25


def test_errors_not_truncated_below_the_cap(bureau, orgs, client):
    key = orgs["furnisher"]
    data = CSV_HEAD + csv_row(1, balance="x") + csv_row(2)
    r = client.post(UPLOAD, headers=auth(key), files={"file": ("a.csv", data)})
    status = client.get(f"{UPLOAD}/{r.json()['file_id']}", headers=auth(key)).json()
    assert (status["errors_total"], status["errors_truncated"]) == (1, False)
    assert status["failure_reason"] is None


def test_rejections_keep_the_lowest_positions_whatever_the_order():
    from openbureau.domain.errors import FieldError
    from openbureau.services.furnishing import Rejection, Rejections

    kept = Rejections(keep=3)
    for pos in [9, 4, 7, 1, 8, 4, 2, 6]:
        kept.append(Rejection(pos, [FieldError("f", str(pos)), FieldError("g", "")]))
    assert [r.position for r in kept] == [1, 2, 4]
    assert (len(kept), kept.errors_total, kept.truncated) == (8, 16, True)
    merged = Rejections(keep=2)
    merged.extend(kept)
    assert [r.position for r in merged] == [1, 2] and merged.errors_total == 16


# -- crash loops ------------------------------------------------------------------------------

def _pending_file(bureau, orgs, attempts: int) -> str:
    furnisher = access.authenticate_key(bureau.uow(), bureau.deps, orgs["furnisher"])
    file_id = files.receive(bureau.uow(), bureau.deps, furnisher, "a.csv",
                            io.BytesIO(CSV_HEAD + csv_row(1)))
    with bureau.uow() as uow:
        uow.execute(update(furnishing_files).where(furnishing_files.c.ref == file_id)
                    .values(status="running", attempts=attempts))
        uow.commit()
    return file_id


def test_a_file_interrupted_too_often_is_given_up(bureau, orgs, client):
    limit = bureau.settings.max_ingest_attempts
    assert limit == 2
    again = _pending_file(bureau, orgs, limit - 1)
    given_up = _pending_file(bureau, orgs, limit)
    assert files.resume_pending(bureau.uow(), bureau.deps) == [again]
    key = orgs["furnisher"]
    status = client.get(f"{UPLOAD}/{given_up}", headers=auth(key)).json()
    assert status["status"] == "failed"
    assert status["failure_reason"] == ("ingest was interrupted 2 times; not resumed — send "
                                        "the file again or ask the operator")
    assert not upload_path(bureau, given_up).exists()
    with bureau.uow() as uow:
        events = uow.execute(select(audit_events.c.detail).where(
            audit_events.c.action == "furnish.file_abandoned")).scalars().all()
    assert [e["file_id"] for e in events] == [given_up]
    # the one below the limit is resumed: its attempt is counted, and it is the last one
    assert files.ingest(bureau.uow(), bureau.deps, again)["status"] == "done"
    with bureau.uow() as uow:
        assert uow.execute(select(furnishing_files.c.attempts).where(
            furnishing_files.c.ref == again)).scalar_one() == limit
    assert files.resume_pending(bureau.uow(), bureau.deps) == []


def test_resume_removes_uploads_left_by_a_crash(bureau, orgs):
    folder = files.upload_dir(bureau.deps)
    done = _pending_file(bureau, orgs, 0)
    with bureau.uow() as uow:
        uow.execute(update(furnishing_files).where(furnishing_files.c.ref == done)
                    .values(status="done"))
        uow.commit()
    stale = folder / ".incoming-0123456789abcdef"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    fresh = folder / ".incoming-fedcba9876543210"       # another process is receiving it
    fresh.write_bytes(b"x")
    assert files.resume_pending(bureau.uow(), bureau.deps) == []
    assert leftovers(bureau) == [fresh.name]


# -- invalid text -----------------------------------------------------------------------------

SURROGATE_BATCH = ('{"records": [' + ", ".join([
    json.dumps(record(account_ref="CARD-1")),
    json.dumps(record(account_ref="CARD-2")).replace('"Ada Lovelace"', '"Ada \\ud800 Lovelace"'),
    json.dumps(record(account_ref="CARD-3", subject={
        "national_id": "900100201", "name": "Grace Hopper", "date_of_birth": "1906-12-09"})),
]) + "]}").encode()


def test_lone_surrogate_rejects_its_record_only(bureau, client, orgs):
    assert b"\\ud800" in SURROGATE_BATCH
    r = client.post(BATCH, content=SURROGATE_BATCH,
                    headers={**auth(orgs["furnisher"]), "content-type": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 2
    assert [x["index"] for x in body["rejected"]] == [1]
    with bureau.uow() as uow:
        assert uow.execute(select(func.count()).select_from(account_months)).scalar_one() == 2


def test_lone_surrogate_in_a_field_name_or_file_name_is_no_500(bureau, client, orgs):
    key = orgs["furnisher"]
    body = ('{"records": [{"\\udc80": 1}, ' + json.dumps(record()) + "]}").encode()
    r = client.post(BATCH, content=body,
                    headers={**auth(key), "content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1
    # a file name that is not UTF-8: stored as text the database takes
    upload = (b'--XX\r\nContent-Disposition: form-data; name="file"; filename="na\xffme.csv"'
              b"\r\n\r\n" + CSV_HEAD + csv_row(1) + b"\r\n--XX--\r\n")
    r = client.post(UPLOAD, content=upload, headers={
        **auth(key), "content-type": "multipart/form-data; boundary=XX"})
    assert r.status_code == 202, r.text
    status = client.get(f"{UPLOAD}/{r.json()['file_id']}", headers=auth(key)).json()
    assert status["filename"] == "na\ufffdme.csv" and status["accepted"] == 1
