"""Furnishing through the JSON batch: closed schema, idempotence, upsert by month."""

from __future__ import annotations

from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, accounts, audit_events, subjects
from tests.conftest import auth

ADA = {"national_id": "900100200", "name": "Ada Lovelace", "date_of_birth": "1985-12-10"}


def record(**over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "subject": dict(ADA),
        "account_ref": "CARD-1", "as_of": "2026-10-31", "kind": "revolving",
        "opened_on": "2019-04-01", "credit_limit": 500000, "balance": 120000,
        "amount_past_due": 0, "status": "current", "ecoa": "individual", "currency": "USD"}
    rec.update(over)
    return rec


def counts(bureau) -> tuple[int, int, int]:
    with bureau.uow() as uow:
        return tuple(uow.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (subjects, accounts, account_months))


def test_batch_accepts_good_and_names_bad_records(client, orgs, bureau):
    bad = record(account_ref="CARD-2", balance="12.50")
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(), bad]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 1
    assert body["rejected"][0]["index"] == 1
    assert body["rejected"][0]["errors"][0]["field"] == "balance"
    assert counts(bureau) == (1, 1, 1)


def test_same_batch_twice_changes_nothing(client, orgs, bureau):
    batch = {"records": [record(), record(as_of="2026-09-30", balance=100000)]}
    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]), json=batch)
    with bureau.uow() as uow:
        before = uow.execute(select(account_months).order_by(account_months.c.as_of)).all()
        events = uow.execute(select(func.count()).select_from(audit_events)).scalar_one()
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]), json=batch)
    assert r.json()["accepted"] == 2
    with bureau.uow() as uow:
        after = uow.execute(select(account_months).order_by(account_months.c.as_of)).all()
        events_after = uow.execute(select(func.count()).select_from(audit_events)).scalar_one()
    assert before == after
    assert events_after == events
    assert counts(bureau) == (1, 1, 2)


def test_resend_with_new_balance_updates_the_month(client, orgs, bureau):
    h = auth(orgs["furnisher"])
    client.post("/v1/furnisher/accounts:batch", headers=h, json={"records": [record()]})
    client.post("/v1/furnisher/accounts:batch", headers=h,
                json={"records": [record(as_of="2026-10-15", balance=99900)]})
    with bureau.uow() as uow:
        rows = uow.execute(select(account_months.c.balance)).scalars().all()
    assert rows == [99900]


def test_prohibited_field_is_refused_naming_category(client, orgs, bureau):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(religion="none")]})
    err = r.json()["rejected"][0]["errors"][0]
    assert err == {"field": "religion", "category": "religious_views",
                   "message": err["message"]}
    assert counts(bureau) == (0, 0, 0)


def test_delete_code_removes_account_from_holdings(client, orgs):
    h = auth(orgs["furnisher"])
    client.post("/v1/furnisher/accounts:batch", headers=h, json={"records": [record()]})
    client.post("/v1/furnisher/accounts:batch", headers=h,
                json={"records": [record(as_of="2026-11-30", delete_code="DA")]})
    items = client.get("/v1/furnisher/accounts", headers=h).json()["items"]
    assert [i["deleted"] for i in items] == [True]
