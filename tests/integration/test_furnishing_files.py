"""Malformed files through the upload endpoint: exact line/field errors, good records kept,
nothing half-written, and a re-sent file changes nothing. Identifiers never reach the logs."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, accounts, subjects
from tests.conftest import auth
from tests.unit.test_metro2 import assoc, fixed_file, record, trailer
from tests.unit.test_metro2 import person_base as base


def upload(client, key: str, name: str, body: bytes) -> dict:
    r = client.post("/v1/furnisher/files", headers=auth(key), files={"file": (name, body)})
    assert r.status_code == 202, r.text
    status = client.get(f"/v1/furnisher/files/{r.json()['file_id']}", headers=auth(key))
    return status.json()


def held(bureau) -> tuple[int, int, int]:
    with bureau.uow() as uow:
        return tuple(uow.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (subjects, accounts, account_months))


def test_malformed_metro2_keeps_the_good_records(client, orgs, bureau):
    recs = [
        record(base(account_number="ACC-1", ssn="111223333")),
        record(base(account_number="ACC-2", ssn="111223334", balance="00000ABC0")),   # line 3
        record(base(account_number="ACC-3", ssn="111223335", date_opened="13452020")),  # line 4
        record(base(account_number="ACC-4", ssn="111223336")),
    ]
    data = fixed_file(recs, trailer_rec=trailer(5))   # the trailer claims 5 base records
    summary = upload(client, orgs["furnisher"], "bank.m2", data)
    assert summary["status"] == "done"
    assert (summary["records"], summary["accepted"], summary["rejected"]) == (4, 2, 2), summary
    got = {(e["line"], e["field"]) for e in summary["errors"]}
    assert (3, "Current Balance") in got
    assert (4, "Date Opened") in got
    assert (6, "Total Base Records") in got          # the trailer, a file-level error
    assert held(bureau) == (2, 2, 2)                 # ACC-1 and ACC-4, nothing of the others


def test_associated_consumer_becomes_a_file_of_its_own(client, orgs, bureau):
    rec = record(base(account_number="ACC-9", ssn="111223339"), assoc("J1", ssn="222334444"))
    data = fixed_file([rec], trailer_rec=trailer(1, j1=1, length=len(rec)), length=len(rec))
    summary = upload(client, orgs["furnisher"], "joint.m2", data)
    assert (summary["records"], summary["accepted"]) == (2, 2), summary
    with bureau.uow() as uow:
        ecoa = sorted(uow.execute(select(accounts.c.ecoa)).scalars())
    assert ecoa == ["individual", "joint"]
    assert held(bureau) == (2, 2, 2)


def test_resent_file_changes_nothing(client, orgs, bureau):
    data = fixed_file([record(base(account_number="ACC-1", ssn="111223333"))])
    first = upload(client, orgs["furnisher"], "a.m2", data)
    before = held(bureau)
    second = upload(client, orgs["furnisher"], "a.m2", data)
    assert first["accepted"] == second["accepted"] == 1
    assert held(bureau) == before == (1, 1, 1)


def test_truncated_last_record_is_reported_and_the_rest_kept(client, orgs, bureau):
    data = fixed_file([record(base(account_number="ACC-1", ssn="111223333")),
                       record(base(account_number="ACC-2", ssn="111223334"))], newline=False)
    cut = data[:426 * 2 + 200]          # header, first record, part of the second
    summary = upload(client, orgs["furnisher"], "cut.m2", cut)
    assert summary["accepted"] == 1
    assert any(e["line"] == 3 for e in summary["errors"]), summary["errors"]
    assert held(bureau)[0] == 1


def test_api_logs_never_carry_identifiers(client, orgs, bureau, caplog):
    caplog.set_level(logging.DEBUG)
    from tests.integration.test_furnishing_api import record as json_record

    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                json={"records": [json_record(), json_record(account_ref="X", balance="bad")]})
    client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                json={"subject": {"national_id": "900100200", "name": "Someone Else"},
                      "purpose": "credit_application"})
    client.post("/v1/consumer/sessions", json={"national_id": "900100200",
                                               "password": "wrong password"})
    assert "900100200" not in caplog.text
