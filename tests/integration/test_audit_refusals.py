"""Audit gaps closed (security finding 8): every refused member or court look-up writes an event
(actor, reason, the identifier only as a keyed audit hash), and corrections keep what was there
before and what is there after (identity values as keyed audit hashes, the court's values as
they are, each with the file's subject_ref)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from openbureau.adapters.tables import audit_events, subjects
from tests.conftest import NOW, auth
from tests.integration.test_disputes import open_dispute, setup_file
from tests.integration.test_registry import ADA, _object, check, list_judgment, listed
from tests.integration.test_reports import consumer_token, furnish, record


def events(bureau, action: str) -> list:
    with bureau.uow() as uow:
        return uow.execute(select(audit_events).where(audit_events.c.action == action)
                           .order_by(audit_events.c.seq)).all()


def subject_ref(bureau, national_id: str = ADA["national_id"]) -> str:
    with bureau.uow() as uow:
        return uow.execute(select(subjects.c.item_ref).where(
            subjects.c.id_hmac == bureau.vault.lookup_hash(national_id))).scalar_one()


def assert_no_plaintext(row, *values: str) -> None:
    text = json.dumps(row.detail)
    for value in values:
        assert value not in text, f"{value!r} in the audit detail of {row.action}"


# -- refused restriction checks ----------------------------------------------------------------

@pytest.mark.parametrize(("subject", "category", "status", "reason", "names_file"), [
    pytest.param({"national_id": "111222333", "name": "Nobody"}, "air_travel", 404, "NotFound",
                 False, id="no-file"),
    pytest.param({**ADA, "name": "Not Ada"}, "air_travel", 404, "NotFound", False,
                 id="name-mismatch"),
    pytest.param({**ADA, "date_of_birth": "1985-12-11"}, "air_travel", 404, "NotFound", False,
                 id="birth-date-mismatch"),
    pytest.param(dict(ADA), "golf_club", 422, "ValidationFailed", True, id="not-catalogued"),
    pytest.param(dict(ADA), "children_private_school", 422, "ProhibitedData", True,
                 id="binds-another-person"),
])
def test_refused_restriction_check_is_audited(client, orgs, bureau, subject, category, status,
                                              reason, names_file):
    listed(client, orgs)
    r = check(client, orgs, category, subject=subject)
    assert r.status_code == status, r.text
    [ev] = events(bureau, "restriction_check.refused")
    assert ev.actor.startswith("member:") and ev.purpose == "restriction_check"
    assert ev.detail["reason"] == reason and ev.detail["category"] == category
    assert ev.detail["id_hash"] == bureau.vault.audit_hash("national_id", subject["national_id"])
    assert ev.subject_ref == (subject_ref(bureau) if names_file else None)
    assert_no_plaintext(ev, subject["national_id"], subject["name"], "Lovelace")
    assert events(bureau, "restriction.check") == []          # nothing else was stored


def test_probing_many_identities_leaves_one_event_each(client, orgs, bureau):
    listed(client, orgs)
    tried = [f"90010{i:04d}" for i in range(12)]
    for nid in tried:
        assert check(client, orgs, subject={"national_id": nid, "name": "Ada Lovelace"}
                     ).status_code == 404
    refused = events(bureau, "restriction_check.refused")
    assert len(refused) == len(tried)
    assert len({e.actor for e in refused}) == 1
    # the keyed hashes tell the probed identities apart without naming them
    assert [e.detail["id_hash"] for e in refused] == [
        bureau.vault.audit_hash("national_id", nid) for nid in tried]
    # and never equal the look-up hash stored with a file
    assert bureau.vault.lookup_hash(ADA["national_id"]) not in {
        e.detail["id_hash"] for e in refused}


def test_refused_inquiry_keeps_the_identity_hash(client, orgs, bureau):
    furnish(client, orgs, record())
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": {**ADA, "name": "Grace Hopper"},
                          "purpose": "credit_application"})
    assert r.status_code == 404
    [ev] = events(bureau, "inquiry.refused")
    assert ev.detail["id_hash"] == bureau.vault.audit_hash("national_id", ADA["national_id"])
    assert_no_plaintext(ev, ADA["national_id"], "Grace Hopper")


# -- other refused member and court look-ups ---------------------------------------------------

def test_refused_court_listings_are_audited(client, orgs, bureau):
    listed(client, orgs)
    # the identifier names a file under another name: refused without naming the file (one
    # neutral 422 whatever disagreed), audited on its own with the identifier's keyed hash
    r = list_judgment(client, orgs, case_number="X-2", debtor={**ADA, "name": "Someone Else"})
    assert r.status_code == 422
    [first] = events(bureau, "listing.identity_refused")
    # the same case again: the debtor was named exactly
    assert list_judgment(client, orgs).status_code == 409
    # a consequence no court may order
    r = list_judgment(client, orgs, case_number="X-3",
                      restrictions=[{"category": "children_private_school"}])
    assert r.status_code == 422
    second, third = events(bureau, "listing.refused")
    assert [e.detail["reason"] for e in (second, third)] == ["Conflict", "ProhibitedData"]
    assert all(e.actor.startswith("court:") for e in (first, second, third))
    assert all(e.detail["attempt"] == "create" for e in (second, third))
    assert (first.subject_ref, second.subject_ref) == (None, subject_ref(bureau))
    assert first.detail["id_hash"] == bureau.vault.audit_hash("national_id",
                                                              ADA["national_id"])
    for e in (first, second, third):
        assert_no_plaintext(e, ADA["national_id"], "Someone Else")


def test_refused_lift_and_decisions_are_audited(client, orgs, bureau):
    body = listed(client, orgs)
    url = f"/v1/court/judgments/{body['listing_id']}/satisfaction"
    assert client.post("/v1/court/judgments/pr_unknown/satisfaction",
                       headers=auth(orgs["court"]), json={"kind": "performance"}
                       ).status_code == 404
    assert client.post(url, headers=auth(orgs["court"]), json={"kind": "performance"}
                       ).status_code == 200
    assert client.post(url, headers=auth(orgs["court"]), json={"kind": "performance"}
                       ).status_code == 409
    unknown, again = events(bureau, "listing.refused")
    assert (unknown.detail["reason"], unknown.subject_ref) == ("NotFound", None)
    assert (again.detail["reason"], again.subject_ref) == ("Conflict", subject_ref(bureau))
    assert unknown.detail["attempt"] == again.detail["attempt"] == "lift"

    r = client.post("/v1/member/decisions", headers=auth(orgs["member"]),
                    json={"inquiry_id": "inq_not_mine", "decision": "declined"})
    assert r.status_code == 404
    [ev] = events(bureau, "decision.refused")
    assert ev.actor.startswith("member:") and ev.detail["reason"] == "NotFound"
    assert ev.detail["inquiry_ref"] == "inq_not_mine"

    r = client.post("/v1/court/objections/obj_unknown/decision", headers=auth(orgs["court"]),
                    json={"outcome": "rejected", "note": "no"})
    assert r.status_code == 404
    [ev] = events(bureau, "objection.refused")
    assert ev.actor.startswith("court:") and ev.detail["reason"] == "NotFound"


# -- corrections keep before and after ---------------------------------------------------------

def test_court_correction_keeps_before_after_and_the_subject(client, orgs, bureau):
    body = listed(client, orgs)
    token = consumer_token(bureau)
    filed = _object(client, token, body["listing_id"]).json()
    new_until = (NOW.date() + timedelta(days=200)).isoformat()
    r = client.post(f"/v1/court/objections/{filed['objection_id']}/decision",
                    headers=auth(orgs["court"]), json={
                        "outcome": "upheld", "remedy": "correct", "note": "amount was wrong",
                        "correction": {"amount": 1_000_000, "until": new_until,
                                       "ground": body["ground"],
                                       "lift_restrictions": ["star_hotels"]}})
    assert r.status_code == 200, r.text
    [ev] = events(bureau, "listing.correct")
    assert ev.actor.startswith("court:") and ev.subject_ref == subject_ref(bureau)
    assert ev.detail["listing_ref"] == body["listing_id"]
    assert ev.detail["objection_ref"] == filed["objection_id"]
    # the ground did not change, so it is not a change
    assert ev.detail["changes"] == {
        "amount": {"before": body["amount"], "after": 1_000_000},
        "until": {"before": body["until"], "after": new_until}}
    assert ev.detail["lifted_restrictions"] == ["star_hotels"]
    assert ev.detail["restrictions_until"] == [
        {"category": "air_travel", "before": body["until"], "after": new_until},
        {"category": "star_hotels", "before": body["until"], "after": new_until}]
    [decided] = events(bureau, "objection.decide")
    assert decided.subject_ref == subject_ref(bureau)


def test_operator_identity_correction_keeps_keyed_hashes(client, orgs, bureau):
    token, _ = setup_file(client, orgs, bureau)
    ident = client.get("/v1/me/report", headers=auth(token)).json()["identity"]["item_ref"]
    dispute_id = open_dispute(client, token, ident, kind="identity",
                              reason="My name and birth date are wrong").json()["dispute_id"]
    r = client.post(f"/v1/admin/disputes/{dispute_id}/response",
                    headers=auth(orgs["operator"]),
                    json={"outcome": "corrected", "corrected_identity": {
                        "name": "Augusta Ada King", "date_of_birth": "1985-12-11"}})
    assert r.status_code == 200, r.text
    [ev] = events(bureau, "identity.correct")
    v = bureau.vault
    assert ev.actor.startswith("operator:") and ev.subject_ref == subject_ref(bureau)
    assert ev.detail["dispute_id"] == dispute_id
    assert ev.detail["changes"] == {
        "name": {"before": v.audit_hash("name", "Ada Lovelace"),
                 "after": v.audit_hash("name", "Augusta Ada King")},
        "date_of_birth": {"before": v.audit_hash("date_of_birth", "1985-12-10"),
                          "after": v.audit_hash("date_of_birth", "1985-12-11")}}
    assert_no_plaintext(ev, "Ada Lovelace", "Augusta", "1985-12-10", "1985-12-11",
                        ADA["national_id"])


def test_refused_dispute_answer_is_audited(client, orgs, bureau):
    r = client.post("/v1/admin/disputes/dsp_0000000000000000/response",
                    headers=auth(orgs["operator"]),
                    json={"outcome": "verified"})
    assert r.status_code == 404
    [ev] = events(bureau, "dispute_answer.refused")
    assert ev.actor.startswith("operator:") and ev.detail["reason"] == "NotFound"
    assert ev.detail["dispute_id"] == "dsp_0000000000000000"
