"""Every disputed item has a party that answers it: the furnisher for an account, the court
that listed a public record, the bureau's operator for identity data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from openbureau.adapters.tables import public_records, subjects
from openbureau.domain.roles import SYSTEM
from tests.conftest import NOW, auth
from tests.integration.test_disputes import open_dispute, setup_file
from tests.integration.test_reports import add_rows, org_id, subject_id


def _listing(bureau, orgs) -> str:
    assert orgs["court"]
    sid, court = subject_id(bureau), org_id(bureau, "Test court")
    add_rows(bureau, public_records, {
        "subject_id": sid, "court_id": court, "kind": "judgment", "case_number": "C-9",
        "amount": 1000, "currency": "USD", "judgment_date": date(2026, 1, 5),
        "status": "active", "listed_at": NOW - timedelta(days=90), "item_ref": "pr_c9"})
    return "pr_c9"


def test_court_answers_a_dispute_on_its_listing(client, orgs, bureau):
    token, _ = setup_file(client, orgs, bureau)
    ref = _listing(bureau, orgs)
    dispute_id = open_dispute(client, token, ref, kind="public_record").json()["dispute_id"]
    court = auth(orgs["court"])
    queue = client.get("/v1/court/disputes?status=open", headers=court).json()["items"]
    assert [(d["dispute_id"], d["item"]["ref"]) for d in queue] == [(dispute_id, ref)]
    assert "due_at" in queue[0]
    # a listing is not "corrected" here: that is the objection procedure
    r = client.post(f"/v1/court/disputes/{dispute_id}/response", headers=court,
                    json={"outcome": "corrected"})
    assert r.status_code == 422 and "objection" in r.text
    r = client.post(f"/v1/court/disputes/{dispute_id}/response", headers=court,
                    json={"outcome": "deleted", "note": "entered against the wrong person"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "deleted"
    with bureau.uow() as uow:
        status = uow.execute(select(public_records.c.status)
                             .where(public_records.c.item_ref == ref)).scalar_one()
    assert status == "vacated"
    report = client.get("/v1/me/report", headers=auth(token)).json()
    assert report["public_records"] == []
    assert any(n["kind"] == "dispute_result" for n in report["notices"])
    # another court cannot see or answer it
    from openbureau.services import access

    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other court", "court").key
    assert client.get("/v1/court/disputes", headers=auth(other)).json()["items"] == []


def test_operator_corrects_identity_data(client, orgs, bureau):
    token, _ = setup_file(client, orgs, bureau)
    ident = client.get("/v1/me/report", headers=auth(token)).json()["identity"]["item_ref"]
    dispute_id = open_dispute(client, token, ident, kind="identity",
                              reason="My birth date is wrong").json()["dispute_id"]
    auditor, operator = auth(orgs["auditor"]), auth(orgs["operator"])
    listed = client.get("/v1/admin/disputes?status=open", headers=auditor).json()["items"]
    assert [d["dispute_id"] for d in listed] == [dispute_id]
    url = f"/v1/admin/disputes/{dispute_id}/response"
    assert client.post(url, headers=operator, json={"outcome": "deleted"}).status_code == 422
    assert client.post(url, headers=operator, json={"outcome": "corrected"}).status_code == 422
    assert client.post(url, headers=auditor, json={"outcome": "verified"}).status_code == 403
    r = client.post(url, headers=operator, json={
        "outcome": "corrected", "corrected_identity": {"date_of_birth": "1985-12-11"}})
    assert r.status_code == 200, r.text
    with bureau.uow() as uow:
        dob = uow.execute(select(subjects.c.date_of_birth)
                          .where(subjects.c.item_ref == ident)).scalar_one()
    assert dob == date(1985, 12, 11)
    again = client.post(url, headers=operator, json={"outcome": "verified"})
    assert again.status_code == 409
