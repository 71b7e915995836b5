"""Disputes: opened by the consumer, flagged at once, answered by the furnisher or decided by
silence under each profile's rule; every refusal stores nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import accounts, audit_events, disputes, notices, public_records
from openbureau.domain.profiles import get_profile
from openbureau.domain.roles import SYSTEM
from openbureau.services import access, deadlines
from tests.conftest import NOW, auth
from tests.integration.test_consents import consent_for
from tests.integration.test_reports import (
    ADA,
    add_rows,
    consumer_token,
    furnish,
    org_id,
    record,
    subject_id,
)

BOB = {"national_id": "900300400", "name": "Bob Babbage", "date_of_birth": "1970-01-01"}


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def setup_file(client, orgs, bureau) -> tuple[str, str]:
    """Ada's card, furnished and enrolled; her token and the card's item_ref."""
    furnish(client, orgs, record())
    token = consumer_token(bureau)
    ref = client.get("/v1/me/report", headers=auth(token)).json()["accounts"][0]["item_ref"]
    return token, ref


def sign_in(bureau, national_id: str | None = None) -> str:
    """A fresh session (sessions last hours; deadlines are days away)."""
    return access.sign_in(bureau.uow(), bureau.deps,
                          national_id or ADA["national_id"], "correct horse battery")


def open_dispute(client, token, ref, kind="account", **extra):
    body = {"item": {"kind": kind, "ref": ref}, "reason": "I paid this card in full",
            "statement": "The balance is wrong.", **extra}
    return client.post("/v1/me/disputes", headers=auth(token), json=body)


def member_report(client, orgs, profile_name):
    body = {"subject": dict(ADA), "purpose": "account_review"}
    if profile_name == "cn-cri":
        body["consent_ref"] = consent_for(client, orgs, purpose="account_review")
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json=body)
    assert r.status_code == 201, r.text
    return r.json()["report"]


def counts(bureau) -> tuple[int, int, int]:
    """Disputes, notices and dispute audit events stored."""
    with bureau.uow() as uow:
        n = uow.execute(select(func.count()).select_from(disputes)).scalar_one()
        m = uow.execute(select(func.count()).select_from(notices)).scalar_one()
        e = uow.execute(select(func.count()).select_from(audit_events)
                        .where(audit_events.c.action.like("dispute.%"))).scalar_one()
    return n, m, e


@pytest.fixture
def rescored(bureau):
    """The files each rescore was asked for (the bureau's rescorer is this recorder)."""
    calls: list[set[int]] = []
    bureau.rescorer = lambda uow, ids: calls.append(set(ids))
    return calls


def test_open_flags_the_item_at_once_and_the_furnisher_sees_it(client, orgs, bureau,
                                                               rescored):
    token, ref = setup_file(client, orgs, bureau)
    rescored.clear()
    r = open_dispute(client, token, ref)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "open"
    assert when(body["due_at"]) == NOW + timedelta(days=30)
    assert rescored == [{subject_id(bureau)}]      # under investigation: out of the score

    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["accounts"][0]["disputed"] is True
    assert member_report(client, orgs, "us-fcra")["accounts"][0]["disputed"] is True

    listed = client.get("/v1/furnisher/disputes?status=open", headers=auth(orgs["furnisher"]))
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["dispute_id"] == body["dispute_id"]
    assert item["account_ref"] == "CARD-1"
    assert item["item"] == {"kind": "account", "ref": ref}
    assert when(item["due_at"]) == NOW + timedelta(days=30)
    assert item["reason"] == "I paid this card in full"
    assert item["subject"] == {"name": "Ada Lovelace", "national_id_masked": "*****0200"}
    assert "900100200" not in listed.text
    assert client.get("/v1/furnisher/disputes?status=verified",
                      headers=auth(orgs["furnisher"])).json()["items"] == []

    mine = client.get("/v1/me/disputes", headers=auth(token)).json()["items"]
    assert [(d["dispute_id"], d["status"]) for d in mine] == [(body["dispute_id"], "open")]


@pytest.mark.parametrize("profile_name", ["us-fcra", "cn-cri", "eu-gdpr"])
def test_unanswered_dispute_follows_the_profile(client, orgs, bureau, clock, profile_name,
                                                rescored):
    profile = get_profile(profile_name)
    token, ref = setup_file(client, orgs, bureau)
    opened = open_dispute(client, token, ref).json()
    assert when(opened["due_at"]) == NOW + timedelta(days=profile.dispute_days)
    rescored.clear()      # furnishing rescored too

    clock.advance(days=profile.dispute_days - 1)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 0
    clock.advance(days=1, seconds=1)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 1
    # twice changes nothing
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 0

    token = sign_in(bureau)
    [d] = client.get("/v1/me/disputes", headers=auth(token)).json()["items"]
    expected = {"us-fcra": "expired", "cn-cri": "unconfirmed", "eu-gdpr": "restricted"}
    assert d["status"] == expected[profile_name]
    own = client.get("/v1/me/report", headers=auth(token)).json()
    theirs = member_report(client, orgs, profile_name)
    own_accounts = [(a["item_ref"], a["disputed"]) for a in own["accounts"]]
    their_accounts = [(a["item_ref"], a["disputed"]) for a in theirs["accounts"]]
    if profile_name == "us-fcra":        # suppressed from report and score
        assert own_accounts == [] and their_accounts == []
        assert rescored == [{subject_id(bureau)}]
    elif profile_name == "cn-cri":       # kept, marked unconfirmed, with the objection
        assert own_accounts == [(ref, True)] and their_accounts == [(ref, True)]
        assert theirs["disputes"][0]["status"] == "unconfirmed"
        assert theirs["disputes"][0]["statement"] == "The balance is wrong."
        assert theirs["disputes"][0].get("reason") is None      # reasons stay the consumer's
        assert rescored == [{subject_id(bureau)}]    # no longer under investigation
    else:                                # restricted: hidden from members and the score
        assert own_accounts == [(ref, True)] and their_accounts == []
        assert rescored == [{subject_id(bureau)}]
    with bureau.uow() as uow:
        reason = uow.execute(select(accounts.c.suppressed_reason)).scalar_one()
    assert reason == {"us-fcra": "dispute_unverified", "cn-cri": None,
                      "eu-gdpr": "dispute_restricted"}[profile_name]

    [notice] = [n for n in own["notices"] if n["kind"] == "dispute_result"]
    assert notice["body"]["result"] == expected[profile_name]
    assert notice["body"]["item_ref"] == ref
    assert notice["body"]["dispute_id"] == opened["dispute_id"]
    notes = client.get("/v1/me/notices", headers=auth(token)).json()["items"]
    assert [n["kind"] for n in notes] == ["dispute_result"]
    # silence decided it: a late answer is refused
    r = client.post(f"/v1/furnisher/disputes/{opened['dispute_id']}/response",
                    headers=auth(orgs["furnisher"]), json={"outcome": "verified"})
    assert r.status_code == 409


@pytest.mark.parametrize("profile_name", ["us-fcra", "cn-cri", "eu-gdpr"])
def test_added_information_extends_the_deadline_once(client, orgs, bureau, clock, profile_name):
    profile = get_profile(profile_name)
    token, ref = setup_file(client, orgs, bureau)
    opened = open_dispute(client, token, ref).json()
    clock.advance(days=3)
    token = sign_in(bureau)
    path = f"/v1/me/disputes/{opened['dispute_id']}/information"
    r = client.post(path, headers=auth(token), json={"text": "Bank statement attached."})
    assert r.status_code == 200, r.text
    extended = NOW + timedelta(days=profile.dispute_days + profile.dispute_extension_days)
    assert when(r.json()["due_at"]) == extended
    again = client.post(path, headers=auth(token), json={"text": "And a receipt."}).json()
    assert when(again["due_at"]) == extended
    [d] = client.get("/v1/me/disputes", headers=auth(token)).json()["items"]
    assert "Bank statement attached." in d["statement"] and "And a receipt." in d["statement"]

    clock.advance(days=profile.dispute_days)     # past the original deadline
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == (
        0 if profile.dispute_extension_days else 1)


def test_verified_answer(client, orgs, bureau, rescored):
    token, ref = setup_file(client, orgs, bureau)
    dispute_id = open_dispute(client, token, ref).json()["dispute_id"]
    rescored.clear()
    r = client.post(f"/v1/furnisher/disputes/{dispute_id}/response",
                    headers=auth(orgs["furnisher"]),
                    json={"outcome": "verified", "note": "Matches our ledger."})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "verified"
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["accounts"][0]["disputed"] is False
    [notice] = rep["notices"]
    assert notice["body"]["result"] == "verified"
    assert notice["body"]["note"] == "Matches our ledger."
    assert rescored == [{subject_id(bureau)}]     # counts again once verified
    again = client.post(f"/v1/furnisher/disputes/{dispute_id}/response",
                        headers=auth(orgs["furnisher"]), json={"outcome": "deleted"})
    assert again.status_code == 409
    assert "already closed" in again.json()["detail"]


def test_deleted_answer_removes_the_account(client, orgs, bureau, rescored):
    token, ref = setup_file(client, orgs, bureau)
    dispute_id = open_dispute(client, token, ref).json()["dispute_id"]
    rescored.clear()
    r = client.post(f"/v1/furnisher/disputes/{dispute_id}/response",
                    headers=auth(orgs["furnisher"]), json={"outcome": "deleted"})
    assert r.status_code == 200, r.text
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["accounts"] == []
    assert rep["notices"][0]["body"]["result"] == "deleted"
    assert rescored == [{subject_id(bureau)}]


def test_corrected_answer_applies_the_record_in_the_same_transaction(client, orgs, bureau,
                                                                      rescored):
    token, ref = setup_file(client, orgs, bureau)
    dispute_id = open_dispute(client, token, ref).json()["dispute_id"]
    rescored.clear()
    fixed = record(balance=0)
    r = client.post(f"/v1/furnisher/disputes/{dispute_id}/response",
                    headers=auth(orgs["furnisher"]),
                    json={"outcome": "corrected", "corrected_record": fixed, "note": "fixed"})
    assert r.status_code == 200, r.text
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["accounts"][0]["balance"] == 0
    assert rep["accounts"][0]["disputed"] is False
    assert rep["notices"][0]["body"]["result"] == "corrected"
    assert rescored == [{subject_id(bureau)}]
    with bureau.uow() as uow:
        actions = uow.execute(select(audit_events.c.action)
                              .order_by(audit_events.c.seq.desc()).limit(3)).scalars().all()
    assert set(actions) >= {"furnish.account", "dispute.close"}


def test_refused_answers_store_nothing(client, orgs, bureau):
    token, ref = setup_file(client, orgs, bureau)
    dispute_id = open_dispute(client, token, ref).json()["dispute_id"]
    path = f"/v1/furnisher/disputes/{dispute_id}/response"
    before = counts(bureau)
    cases = [
        ({"outcome": "corrected"}, 422, "corrected_record"),
        ({"outcome": "corrected", "corrected_record": record(account_ref="OTHER")}, 422,
         "disputed account"),
        ({"outcome": "corrected", "corrected_record": record(balance=0, religion="x")}, 422,
         "corrected_record.religion"),
        ({"outcome": "verified", "corrected_record": record()}, 422, "only sent"),
        ({"outcome": "maybe"}, 422, "outcome"),
    ]
    for body, status, text in cases:
        r = client.post(path, headers=auth(orgs["furnisher"]), json=body)
        assert r.status_code == status, (body, r.text)
        assert text in r.text, (text, r.text)
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other furnisher", "furnisher").key
    r = client.post(path, headers=auth(other), json={"outcome": "deleted"})
    assert r.status_code == 404
    assert client.get("/v1/furnisher/disputes", headers=auth(other)).json()["items"] == []
    assert client.post("/v1/furnisher/disputes/999999/response", headers=auth(orgs["furnisher"]),
                       json={"outcome": "deleted"}).status_code == 404
    assert counts(bureau) == before
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["accounts"][0]["balance"] == 120000
    assert rep["disputes"][0]["status"] == "open"


def test_a_failing_rescore_rolls_back_the_whole_answer(client, orgs, bureau):
    token, ref = setup_file(client, orgs, bureau)
    dispute_id = open_dispute(client, token, ref).json()["dispute_id"]

    def broken(uow, ids):
        raise RuntimeError("scoring engine down")

    working, bureau.rescorer = bureau.rescorer, broken
    before = counts(bureau)
    r = client.post(f"/v1/furnisher/disputes/{dispute_id}/response",
                    headers=auth(orgs["furnisher"]), json={"outcome": "deleted"})
    assert r.status_code == 500 and "scoring engine down" not in r.text
    assert counts(bureau) == before
    bureau.rescorer = working
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert [a["item_ref"] for a in rep["accounts"]] == [ref]
    assert rep["disputes"][0]["status"] == "open"


def test_refused_disputes_store_nothing(client, orgs, bureau):
    furnish(client, orgs, record(), record(subject=dict(BOB), account_ref="BOB-1"))
    token = consumer_token(bureau)
    bob_token = consumer_token(bureau, BOB["national_id"], date(1970, 1, 1))
    bob_ref = client.get("/v1/me/report", headers=auth(bob_token)).json()["accounts"][0][
        "item_ref"]
    ada = client.get("/v1/me/report", headers=auth(token)).json()
    ref = ada["accounts"][0]["item_ref"]
    before = counts(bureau)
    for kind, item in (("account", bob_ref), ("account", "acc_nope"),
                       ("public_record", ref), ("identity", bob_ref)):
        r = open_dispute(client, token, item, kind=kind)
        assert r.status_code == 404, r.text
        assert r.json()["detail"] == "no item with this reference on your file"
    r = open_dispute(client, token, ref, reason="   ")
    assert r.status_code == 422 and "reason" in r.text
    r = open_dispute(client, token, ref, kind="inquiry")
    assert r.status_code == 422
    r = client.post("/v1/me/disputes", headers=auth(token),
                    json={"item": {"kind": "account", "ref": ref}, "reason": "x", "extra": 1})
    assert r.status_code == 422
    assert counts(bureau) == before

    assert open_dispute(client, token, ref).status_code == 201
    before = counts(bureau)
    r = open_dispute(client, token, ref)
    assert r.status_code == 409 and "already has an open dispute" in r.json()["detail"]
    dispute_id = client.get("/v1/me/disputes", headers=auth(token)).json()["items"][0][
        "dispute_id"]
    r = client.post(f"/v1/me/disputes/{dispute_id}/information", headers=auth(bob_token),
                    json={"text": "mine now"})
    assert r.status_code == 404
    assert counts(bureau) == before


def test_public_record_and_identity_disputes(client, orgs, bureau, clock):
    token, _ = setup_file(client, orgs, bureau)
    assert orgs["court"]        # created on first use
    sid, court = subject_id(bureau), org_id(bureau, "Test court")
    add_rows(bureau, public_records, {
        "subject_id": sid, "court_id": court, "kind": "judgment", "case_number": "C-9",
        "amount": 1000, "currency": "USD", "judgment_date": date(2026, 1, 5),
        "status": "active", "listed_at": NOW - timedelta(days=90), "item_ref": "pr_c9"})
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert open_dispute(client, token, "pr_c9", kind="public_record").status_code == 201
    r = open_dispute(client, token, rep["identity"]["item_ref"], kind="identity")
    assert r.status_code == 201, r.text
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["public_records"][0]["disputed"] is True
    # neither is a furnisher's account: not in the furnisher's queue
    assert client.get("/v1/furnisher/disputes", headers=auth(orgs["furnisher"])
                      ).json()["items"] == []
    clock.advance(days=31)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 2
    token = sign_in(bureau)
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert rep["public_records"] == []          # us-fcra: unverified -> suppressed
    assert {d["status"] for d in rep["disputes"]} == {"expired"}
    assert len([n for n in rep["notices"] if n["kind"] == "dispute_result"]) == 2


def test_statement_with_dispute_is_shown_to_members(client, orgs, bureau):
    token, ref = setup_file(client, orgs, bureau)
    open_dispute(client, token, ref)
    theirs = member_report(client, orgs, "us-fcra")
    assert theirs["disputes"][0]["statement"] == "The balance is wrong."
    assert theirs["disputes"][0]["status"] == "open"
