"""The due-process story, told over HTTP once per jurisdiction profile.

A furnisher reports a late payment; a member pulls the file for a credit application and
declines; the consumer sees the inquiry and the adverse-action notice with its key factors and
disputes the late payment; the furnisher does not answer; the deadline passes and the item is
handled as the profile says (suppressed and the score rises under us-fcra and eu-gdpr; recorded
as unconfirmed under cn-cri); a court lists the same person with a flight restriction; an
airline's restriction check names the case; the consumer sees that check; the court records
payment; the check now says not restricted and the public search no longer finds the listing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from openbureau.domain.roles import SYSTEM
from openbureau.services import access, deadlines
from tests.conftest import auth

NID, NAME, DOB = "900100200", "Ada Lovelace", "1985-12-10"
SUBJECT = {"national_id": NID, "name": NAME, "date_of_birth": DOB}


def months(n: int) -> list[str]:
    """The last ``n`` month-ends up to 2026-10-31, oldest first."""
    from datetime import date

    out, y, m = [], 2026, 10
    for _ in range(n):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append((nxt - timedelta(days=1)).isoformat())
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def history(ref: str, kind: str, statuses: list[str], **extra: object) -> list[dict]:
    recs = []
    for as_of, status in zip(months(len(statuses)), statuses):
        late = status.startswith("dpd")
        recs.append({"subject": SUBJECT, "account_ref": ref, "as_of": as_of, "kind": kind,
                     "opened_on": "2020-01-15", "balance": 150000,
                     "amount_past_due": 20000 if late else 0, "status": status,
                     "date_of_first_delinquency": "2026-08-31" if late else None,
                     "ecoa": "individual", "currency": "USD", **extra})
    return recs


@pytest.mark.parametrize("profile_name", ["us-fcra", "cn-cri", "eu-gdpr"])
def test_the_due_process_story(client, orgs, bureau, clock, profile_name):
    furnisher, member, court = (auth(orgs[r]) for r in ("furnisher", "member", "court"))

    # 1. A furnisher reports a card paid on time and a loan with two late months.
    card = history("CARD-1", "revolving", ["current"] * 24, credit_limit=500000)
    loan = history("LOAN-7", "installment", ["current"] * 22 + ["dpd30", "dpd60"],
                   original_amount=1000000, scheduled_payment=30000)
    r = client.post("/v1/furnisher/accounts:batch", headers=furnisher,
                    json={"records": card + loan})
    assert r.json() == {"accepted": 48, "rejected": [], "warnings": []}

    # 1b. The member records the consents the applicant signed (required under cn-cri).
    consent = {}
    for purpose in ("credit_application", "account_review"):
        r = client.post("/v1/member/consents", headers=member, json={
            "subject": SUBJECT, "purpose": purpose, "scope": ["report"],
            "obtained_at": (clock.now() - timedelta(days=1)).isoformat(),
            "expires_at": (clock.now() + timedelta(days=365)).isoformat(),
            "evidence_kind": "signed_form", "evidence_sha256": "ab" * 32})
        assert r.status_code == 201, r.text
        consent[purpose] = {"consent_ref": r.json()["consent_ref"]}

    # 2. A member pulls the file for a credit application and declines.
    r = client.post("/v1/member/inquiries", headers=member,
                    json={"subject": SUBJECT, "purpose": "credit_application",
                          **consent["credit_application"]})
    assert r.status_code == 201, r.text
    pulled = r.json()
    first_score = pulled["score"]["value"]
    assert 350 <= first_score <= 950
    assert any(x["code"] for x in pulled["score"]["reasons"])
    r = client.post("/v1/member/decisions", headers=member,
                    json={"inquiry_id": pulled["inquiry_id"], "decision": "declined"})
    assert r.status_code == 201, r.text
    notice = r.json()["notice"]
    assert notice["body"]["score"] == first_score
    assert notice["body"]["score_range"] == {"min": 350, "max": 950}
    assert 1 <= len(notice["body"]["key_factors"]) <= 5
    assert notice["body"]["bureau"]["contact"] == bureau.settings.bureau_contact

    # 3. The consumer enrols, sees the inquiry and the notice, and disputes the late payments.
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    client.post("/v1/consumer/enrol", json={"national_id": NID, "date_of_birth": DOB,
                                            "enrolment_code": code,
                                            "password": "correct horse battery"})

    def sign_in() -> dict[str, str]:
        return auth(client.post("/v1/consumer/sessions", json={
            "national_id": NID, "password": "correct horse battery"}).json()["token"])

    me = sign_in()
    accesses = client.get("/v1/me/accesses", headers=me).json()["items"]
    assert [(a["kind"], a["purpose"], a["who"]) for a in accesses] == \
        [("inquiry", "credit_application", "Test member")]
    notices = client.get("/v1/me/notices", headers=me).json()["items"]
    adverse = [n for n in notices if n["kind"] == "adverse_action"]
    assert adverse and adverse[0]["body"]["key_factors"] == notice["body"]["key_factors"]

    report = client.get("/v1/me/report", headers=me).json()
    loan_ref = next(a["item_ref"] for a in report["accounts"] if a["account_ref"] == "LOAN-7")
    r = client.post("/v1/me/disputes", headers=me, json={
        "item": {"kind": "account", "ref": loan_ref},
        "reason": "I was never late on this loan", "statement": "Paid by standing order."})
    assert r.status_code == 201, r.text
    dispute = r.json()
    queue = client.get("/v1/furnisher/disputes?status=open", headers=furnisher).json()
    assert [d["dispute_id"] for d in queue["items"]] == [dispute["dispute_id"]]
    flagged = client.get("/v1/me/report", headers=me).json()
    assert next(a for a in flagged["accounts"] if a["item_ref"] == loan_ref)["disputed"]

    # 4. The furnisher does not answer; the deadline passes.
    clock.advance(days=bureau.profile.dispute_days + 1)
    ran = deadlines.run(bureau.uow(), bureau.deps)
    assert ran.disputes_expired == 1
    me = sign_in()   # a month later: the earlier session has long expired
    after = client.get("/v1/me/disputes", headers=me).json()["items"][0]
    score_now = client.get("/v1/me/score", headers=me).json()["score"]["value"]
    if profile_name == "cn-cri":
        # recorded as unconfirmed, with the objection; the item stays on the file, marked
        assert after["status"] == "unconfirmed"
        kept = client.get("/v1/me/report", headers=me).json()["accounts"]
        assert next(a for a in kept if a["item_ref"] == loan_ref)["disputed"]
    else:
        assert after["status"] in {"expired", "restricted"}
        assert score_now > first_score
        repull = client.post("/v1/member/inquiries", headers=member,
                             json={"subject": SUBJECT, "purpose": "account_review",
                                   **consent["account_review"]})
        shown = [a["account_ref"] for a in repull.json()["report"]["accounts"]]
        assert "LOAN-7" not in shown and "CARD-1" in shown
    results = [n for n in client.get("/v1/me/notices", headers=me).json()["items"]
               if n["kind"].startswith("dispute")]
    assert results, "the consumer is told the outcome"

    # 5. A court lists the same person with a flight restriction.
    r = client.post("/v1/court/judgments", headers=court, json={
        "case_number": "(2026) Civ 1234", "debtor": SUBJECT, "amount": 2500000,
        "currency": "USD", "judgment_date": "2026-10-01", "ground": "refuses_to_perform",
        "legal_basis": "Civil Procedure Law art. 262",
        "restrictions": [{"category": "air_travel"}]})
    assert r.status_code == 201, r.text
    listing = r.json()["listing_id"]

    # 6. An airline's restriction check says restricted and names the case.
    r = client.post("/v1/member/restriction-checks", headers=member,
                    json={"subject": SUBJECT, "category": "air_travel"})
    check = r.json()
    assert check["restricted"] is True
    assert [o["case_number"] for o in check["orders"]] == ["(2026) Civ 1234"]
    assert client.get("/v1/public/defaulters", params={"name": NAME}).json()["items"]

    # 7. The consumer sees that check.
    kinds = [a["kind"] for a in client.get("/v1/me/accesses", headers=me).json()["items"]]
    assert "restriction_check" in kinds

    # 8. The court records payment: lifted at once, everywhere.
    r = client.post(f"/v1/court/judgments/{listing}/satisfaction", headers=court,
                    json={"kind": "performance"})
    assert r.status_code == 200, r.text
    check = client.post("/v1/member/restriction-checks", headers=member,
                        json={"subject": SUBJECT, "category": "air_travel"}).json()
    assert check == {**check, "restricted": False, "orders": []}
    assert client.get("/v1/public/defaulters", params={"name": NAME}).json()["items"] == []
