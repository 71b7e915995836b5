"""Member decisions and the adverse-action notice built from the score given with the inquiry."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from openbureau.adapters.tables import audit_events, decisions, inquiries, notices
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import NOW, auth
from tests.integration.test_consents import consent_for
from tests.integration.test_reports import ADA, consumer_token, furnish, record

REASONS = [
    {"code": "R01", "text": "Balances are high compared with limits.", "points_lost": 40},
    {"code": "R04", "text": "Payments 90 or more days late.", "points_lost": 30},
    {"code": "R02", "text": "Payments 30 to 59 days late.", "points_lost": 20},
    {"code": "R07", "text": "Monthly debt payments are high.", "points_lost": 10},
    {"code": "R05", "text": "Too few open accounts.", "points_lost": 8},
    {"code": "R10", "text": "Too many inquiries in the last 6 months.", "points_lost": 5,
     "attribute": "inquiries_6m"},
]
SCORE = {"value": 575, "band": "fair", "model_version": "test-1",
         "computed_at": "2026-11-01T12:00:00+00:00", "reasons": REASONS, "attributes": {}}


def inquire(client, orgs, profile_name="us-fcra", key=None) -> str:
    body = {"subject": dict(ADA), "purpose": "credit_application"}
    if profile_name == "cn-cri":
        body["consent_ref"] = consent_for(client, orgs, purpose="credit_application", key=key)
    r = client.post("/v1/member/inquiries", headers=auth(key or orgs["member"]), json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["inquiry_id"])


def set_score(bureau, ref, score) -> None:
    """The score the member was given (set directly so these tests do not depend on a model)."""
    with bureau.uow() as uow:
        uow.execute(update(inquiries).where(inquiries.c.item_ref == ref)
                    .values(result={"score": score}))
        uow.commit()


def decide(client, orgs, ref, decision, key=None):
    return client.post("/v1/member/decisions", headers=auth(key or orgs["member"]),
                       json={"inquiry_id": ref, "decision": decision})


def stored(bureau) -> tuple[int, int, int]:
    with bureau.uow() as uow:
        return (uow.execute(select(func.count()).select_from(decisions)).scalar_one(),
                uow.execute(select(func.count()).select_from(notices)).scalar_one(),
                uow.execute(select(func.count()).select_from(audit_events).where(
                    audit_events.c.action == "decision.record")).scalar_one())


@pytest.fixture
def ada(client, orgs, bureau) -> str:
    furnish(client, orgs, record())
    return consumer_token(bureau)


@pytest.mark.parametrize("decision", ["declined", "counteroffer"])
def test_adverse_decision_sends_the_notice(client, orgs, bureau, ada, decision):
    ref = inquire(client, orgs)
    set_score(bureau, ref, SCORE)
    r = decide(client, orgs, ref, decision)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["inquiry_id"], out["decision"]) == (ref, decision)
    notice = out["notice"]
    assert notice["kind"] == "adverse_action"
    body = notice["body"]
    assert body["score"] == 575
    assert body["score_range"] == {"min": 350, "max": 950}
    assert body["score_date"] == "2026-11-01T12:00:00+00:00"
    assert body["decided_at"].startswith(NOW.date().isoformat())
    assert body["member"] == "Test member"
    assert body["decision"] == decision
    # us-fcra: four key factors, and a fifth because inquiries mattered
    assert [f["code"] for f in body["key_factors"]] == ["R01", "R04", "R02", "R07", "R10"]
    assert body["bureau"]["contact"] == bureau.settings.bureau_contact
    assert "free copy" in body["rights"]["free_report"]
    assert "within 30 days" in body["rights"]["dispute"]
    assert body["inquiry_id"] == ref

    # the structured fields, and the letter they read as: the same on the answer and the file
    text = notice["text"]
    assert "Test member" in text and "575 on a scale from 350 to 950" in text
    assert "- Balances are high compared with limits. (costs 40 points)" in text
    assert bureau.settings.bureau_contact in text
    assert "None" not in text and "{'" not in text and "R01" not in text

    notes = client.get("/v1/me/notices", headers=auth(ada)).json()["items"]
    assert [(n["kind"], n["body"]["score"]) for n in notes] == [("adverse_action", 575)]
    assert notes[0]["text"] == text
    with bureau.uow() as uow:
        row = uow.execute(select(decisions)).one()
    assert row.decision == decision and row.notice_id is not None
    assert stored(bureau) == (1, 1, 1)


def test_approval_sends_no_notice(client, orgs, bureau, ada):
    ref = inquire(client, orgs)
    r = decide(client, orgs, ref, "approved")
    assert r.status_code == 201, r.text
    assert r.json()["notice"] is None
    assert stored(bureau) == (1, 0, 1)
    assert client.get("/v1/me/notices", headers=auth(ada)).json()["items"] == []


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_no_fifth_factor_where_the_profile_has_none(client, orgs, bureau, ada, profile_name):
    ref = inquire(client, orgs, profile_name)
    set_score(bureau, ref, SCORE)
    body = decide(client, orgs, ref, "declined").json()["notice"]["body"]
    assert [f["code"] for f in body["key_factors"]] == ["R01", "R04", "R02", "R07"]
    assert "2 free reports a year" in body["rights"]["free_report"]
    assert "within 20 days" in body["rights"]["dispute"]


def test_notice_without_a_score_keeps_its_structure(client, orgs, bureau, ada):
    ref = inquire(client, orgs)
    set_score(bureau, ref, None)
    body = decide(client, orgs, ref, "declined").json()["notice"]["body"]
    assert body["score"] is None and body["key_factors"] == []
    assert body["score_range"] == {"min": 350, "max": 950}
    assert set(body["rights"]) == {"free_report", "dispute", "decision_maker"}


def test_refused_decisions_store_nothing(client, orgs, bureau, ada):
    ref = inquire(client, orgs)
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other member", "member").key
    before = stored(bureau)
    r = decide(client, orgs, ref, "declined", key=other)
    assert r.status_code == 404 and r.json()["detail"] == "no such inquiry by this member"
    assert decide(client, orgs, "inq_unknown", "declined").status_code == 404
    assert decide(client, orgs, ref, "maybe").status_code == 422
    assert client.post("/v1/member/decisions", headers=auth(orgs["member"]),
                       json={"inquiry_id": ref}).status_code == 422
    assert stored(bureau) == before

    assert decide(client, orgs, ref, "declined").status_code == 201
    before = stored(bureau)
    r = decide(client, orgs, ref, "approved")
    assert r.status_code == 409 and "already recorded" in r.json()["detail"]
    assert stored(bureau) == before


def test_a_counteroffer_states_its_terms(client, orgs, bureau, ada):
    ref = inquire(client, orgs)
    set_score(bureau, ref, SCORE)
    r = client.post("/v1/member/decisions", headers=auth(orgs["member"]), json={
        "inquiry_id": ref, "decision": "counteroffer",
        "terms": "a 1,500.00 USD limit instead of 5,000.00 USD"})
    assert r.status_code == 201, r.text
    notice = r.json()["notice"]
    assert notice["body"]["terms"] == "a 1,500.00 USD limit instead of 5,000.00 USD"
    assert "The terms offered: a 1,500.00 USD limit instead of 5,000.00 USD." in notice["text"]
    # terms belong to a counteroffer only
    other = inquire(client, orgs)
    r = client.post("/v1/member/decisions", headers=auth(orgs["member"]), json={
        "inquiry_id": other, "decision": "declined", "terms": "none"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "terms"
    assert stored(bureau)[0] == 1
