"""Consent for real: a member records one it obtained, a consumer grants and revokes one, and an
inquiry that needs consent passes only with one of that member, that file and that purpose, in
force now. A refusal names its reason; every step is audited."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, audit_events, consents, inquiries
from openbureau.domain import consents as rules
from openbureau.domain.profiles import Purpose
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import NOW, auth
from tests.integration.test_reports import (
    ADA,
    consumer_token,
    furnish,
    record,
)

GRACE = {"national_id": "900100300", "name": "Grace Hopper", "date_of_birth": "1986-12-09"}
SHA = "5f" * 32


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def record_consent(client, key: str, subject=None, purpose: str = "employment", **over):
    body = {"subject": dict(subject or ADA), "purpose": purpose, "scope": ["report"],
            "obtained_at": iso(NOW - timedelta(days=2)),
            "expires_at": iso(NOW + timedelta(days=365)),
            "evidence_kind": "signed_form", "evidence_sha256": SHA, **over}
    return client.post("/v1/member/consents", headers=auth(key), json=body)


def consent_for(client, orgs, purpose: str = "employment", subject=None, key=None,
                **over) -> str:
    """A real consent recorded by the member (``orgs["member"]`` unless ``key``); its ref."""
    r = record_consent(client, key or orgs["member"], subject, purpose, **over)
    assert r.status_code == 201, r.text
    return str(r.json()["consent_ref"])


def pull(client, orgs, purpose: str = "employment", subject=None, key=None, **extra):
    body = {"subject": dict(subject or ADA), "purpose": purpose, **extra}
    return client.post("/v1/member/inquiries", headers=auth(key or orgs["member"]), json=body)


def refused_because(r, reason: str) -> None:
    assert r.status_code == 403, r.text
    problem = r.json()
    assert problem["title"] == "Consent required"
    assert problem["detail"].startswith(reason + ":"), problem["detail"]


def actions(bureau, prefix: str = "consent.") -> list[tuple[str, dict]]:
    with bureau.uow() as uow:
        rows = uow.execute(select(audit_events.c.action, audit_events.c.detail)
                           .where(audit_events.c.action.like(prefix + "%"))
                           .order_by(audit_events.c.seq)).all()
    return [(r.action, r.detail) for r in rows]


def n_inquiries(bureau) -> int:
    with bureau.uow() as uow:
        return int(uow.execute(select(func.count()).select_from(inquiries)).scalar_one())


@pytest.fixture
def ada(client, orgs) -> None:
    furnish(client, orgs, record())


# -- a string is not a consent; a recorded one is ------------------------------------------------

def test_a_made_up_consent_ref_no_longer_passes(client, orgs, bureau, ada):
    for ref in ("x", "signed-2026-10-30", "cns_" + "0" * 32):
        refused_because(pull(client, orgs, consent_ref=ref), rules.NONE_RECORDED)
    refused_because(pull(client, orgs), rules.NONE_RECORDED)
    assert n_inquiries(bureau) == 0
    refused = [d for a, d in actions(bureau) if a == "consent.refused"]
    assert [(d["consent_ref"], d["consent_reason"]) for d in refused] == [
        ("x", rules.NONE_RECORDED), ("signed-2026-10-30", rules.NONE_RECORDED),
        ("cns_" + "0" * 32, rules.NONE_RECORDED)]


def test_a_recorded_consent_passes_and_its_use_is_audited(client, orgs, bureau, ada):
    r = record_consent(client, orgs["member"], scope=["report"])
    assert r.status_code == 201, r.text
    body = r.json()
    ref = body["consent_ref"]
    assert ref.startswith("cns_") and len(ref) == 36
    assert (body["member"], body["purpose"], body["scope"], body["source"], body["status"]) == (
        "Test member", "employment", ["report"], "member", "in_force")
    assert body["evidence_sha256"] == SHA and body["evidence_kind"] == "signed_form"

    ok = pull(client, orgs, consent_ref=ref)
    assert ok.status_code == 201, ok.text
    inquiry = ok.json()["inquiry_id"]
    # without naming it, the member's consent in force for this file and purpose is found
    again = pull(client, orgs)
    assert again.status_code == 201, again.text
    with bureau.uow() as uow:
        assert uow.execute(select(inquiries.c.consent_ref)).scalars().all() == [ref, ref]
    audited = actions(bureau)
    assert [a for a, _ in audited] == ["consent.recorded", "consent.used", "consent.used"]
    assert audited[0][1]["consent_ref"] == ref and audited[0][1]["evidence_sha256"] == SHA
    assert audited[1][1] == {"consent_ref": ref, "inquiry_ref": inquiry}

    token = consumer_token(bureau)
    seen = client.get("/v1/me/accesses", headers=auth(token)).json()["items"]
    assert {a["consent_ref"] for a in seen} == {ref}


# -- each refusal names its reason ---------------------------------------------------------------

def test_another_members_consent_is_refused(client, orgs, bureau, ada):
    other = access.create_organisation(bureau.uow(), bureau.deps,
                                       SYSTEM, "Other member", "member").key
    theirs = consent_for(client, orgs, key=other)
    refused_because(pull(client, orgs, consent_ref=theirs), rules.OTHER_MEMBER)
    # and it is not found for this member by look-up either
    refused_because(pull(client, orgs), rules.NONE_RECORDED)
    assert pull(client, orgs, key=other).status_code == 201
    assert [d["consent_reason"] for a, d in actions(bureau) if a == "consent.refused"] == [
        rules.OTHER_MEMBER]


def test_another_subjects_consent_is_refused(client, orgs, bureau, ada):
    furnish(client, orgs, record(subject=dict(GRACE), account_ref="CARD-9"))
    graces = consent_for(client, orgs, subject=GRACE)
    refused_because(pull(client, orgs, consent_ref=graces), rules.OTHER_SUBJECT)
    # an identity that matches no file is refused the same way, not told "no file"
    nobody = {**ADA, "national_id": "900100999"}
    refused_because(pull(client, orgs, subject=nobody, consent_ref=graces), rules.OTHER_SUBJECT)
    refused_because(pull(client, orgs, subject=nobody), rules.NONE_RECORDED)
    assert pull(client, orgs, subject=GRACE, consent_ref=graces).status_code == 201
    assert n_inquiries(bureau) == 1


def test_another_purposes_consent_is_refused(client, orgs, bureau, ada):
    for_credit = consent_for(client, orgs, purpose="credit_application")
    refused_because(pull(client, orgs, consent_ref=for_credit), rules.OTHER_PURPOSE)
    refused_because(pull(client, orgs), rules.NONE_RECORDED)
    # a consent_ref sent where none is needed is checked all the same
    assert pull(client, orgs, "credit_application", consent_ref=for_credit).status_code == 201
    employment = consent_for(client, orgs)
    refused_because(pull(client, orgs, "credit_application", consent_ref=employment),
                    rules.OTHER_PURPOSE)


def test_an_expired_consent_is_refused(client, orgs, bureau, clock, ada):
    ref = consent_for(client, orgs, expires_at=iso(NOW + timedelta(days=30)))
    assert pull(client, orgs, consent_ref=ref).status_code == 201
    clock.advance(days=31)
    refused_because(pull(client, orgs, consent_ref=ref), rules.EXPIRED)
    refused_because(pull(client, orgs), rules.EXPIRED)
    assert n_inquiries(bureau) == 1
    assert [d["consent_reason"] for a, d in actions(bureau) if a == "consent.refused"] == [
        rules.EXPIRED, rules.EXPIRED]


def test_a_revoked_consent_is_refused(client, orgs, bureau, ada):
    ref = consent_for(client, orgs)
    token = consumer_token(bureau)
    r = client.delete(f"/v1/me/consents/{ref}", headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked" and r.json()["revoked_at"] is not None
    refused_because(pull(client, orgs, consent_ref=ref), rules.REVOKED)
    refused_because(pull(client, orgs), rules.REVOKED)
    assert n_inquiries(bureau) == 0


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_requires_consent_for_every_purpose(client, orgs, bureau, ada):
    needing = sorted(p.value for p in bureau.profile.consent_required)
    assert needing == sorted(p.value for p in Purpose if p is not Purpose.COURT_ORDER)
    for purpose in needing:
        refused_because(pull(client, orgs, purpose), rules.NONE_RECORDED)
        assert pull(client, orgs, purpose, consent_ref="x").status_code == 403
        ref = consent_for(client, orgs, purpose=purpose)
        assert pull(client, orgs, purpose, consent_ref=ref).status_code == 201, purpose
    # the 2013 Regulation art. 18 exception: a query the law allows without consent
    assert pull(client, orgs, "court_order").status_code == 201
    assert n_inquiries(bureau) == len(needing) + 1


# -- recording: validated, resolved like an inquiry, audited -------------------------------------

@pytest.mark.parametrize(("over", "field"), [
    ({"obtained_at": iso(NOW + timedelta(hours=1))}, "obtained_at"),
    ({"expires_at": iso(NOW - timedelta(days=3))}, "expires_at"),
    ({"expires_at": iso(NOW - timedelta(days=1))}, "expires_at"),
    ({"obtained_at": "2026-10-30T09:00:00"}, "obtained_at"),
    ({"purpose": "curiosity"}, "purpose"),
    ({"evidence_sha256": "x" * 64}, "evidence_sha256"),
    ({"evidence_kind": "in_app"}, "evidence_kind"),
    ({"scope": []}, "scope"),
])
def test_consent_terms_are_validated(client, orgs, bureau, ada, over, field):
    r = record_consent(client, orgs["member"], **over)
    assert r.status_code == 422, r.text
    assert field in {e["field"].split(".")[0] for e in r.json()["errors"]}, r.json()
    with bureau.uow() as uow:
        assert uow.execute(select(func.count()).select_from(consents)).scalar_one() == 0


def test_recording_for_an_unknown_identity_is_no_file_and_audited(client, orgs, bureau, ada):
    r = record_consent(client, orgs["member"], subject={**ADA, "name": "Grace Hopper"})
    assert r.status_code == 404 and r.json()["detail"] == "no file matches this identity"
    assert [a for a, _ in actions(bureau)] == ["consent.record_refused"]
    assert actions(bureau)[0][1]["reason"] == "NotFound"


def test_only_members_record_consents(client, orgs, bureau, ada):
    for role in ("furnisher", "court", "operator"):
        assert record_consent(client, orgs[role]).status_code == 403
    assert record_consent(client, consumer_token(bureau)).status_code == 403


# -- the consumer grants, lists and revokes ------------------------------------------------------

def test_consumer_grants_lists_and_revokes(client, orgs, bureau, ada):
    recorded = consent_for(client, orgs, purpose="tenancy_application")
    token = consumer_token(bureau)
    grant = {"member": "Test member", "purpose": "employment",
             "expires_at": iso(NOW + timedelta(days=90))}
    r = client.post("/v1/me/consents", headers=auth(token), json=grant)
    assert r.status_code == 201, r.text
    granted = r.json()
    assert (granted["source"], granted["evidence_kind"], granted["status"]) == (
        "consumer", "in_app", "in_force")
    assert len(granted["evidence_sha256"]) == 64 and granted["obtained_at"].startswith("2026-11-01")
    [member_id] = [o["id"] for o in access.list_organisations(bureau.uow(), bureau.deps)
                   if o["name"] == "Test member"]
    by_id = client.post("/v1/me/consents", headers=auth(token),
                        json={**grant, "member": member_id, "purpose": "insurance_underwriting"})
    assert by_id.status_code == 201 and by_id.json()["member"] == "Test member"
    assert client.post("/v1/me/consents", headers=auth(token),
                       json={**grant, "member": "Nobody"}).status_code == 404
    assert client.post("/v1/me/consents", headers=auth(token),
                       json={**grant, "expires_at": iso(NOW)}).status_code == 422

    # the member needs no ref: the consumer's grant is found for this file and purpose
    ok = pull(client, orgs)
    assert ok.status_code == 201, ok.text

    listed = client.get("/v1/me/consents", headers=auth(token)).json()["items"]
    assert {c["consent_ref"] for c in listed} == {recorded, granted["consent_ref"],
                                                 by_id.json()["consent_ref"]}
    assert {c["source"] for c in listed} == {"member", "consumer"}

    ref = granted["consent_ref"]
    r = client.delete(f"/v1/me/consents/{ref}", headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert client.delete(f"/v1/me/consents/{ref}", headers=auth(token)).status_code == 200
    assert client.delete("/v1/me/consents/cns_nope", headers=auth(token)).status_code == 404
    refused_because(pull(client, orgs), rules.REVOKED)

    # another consumer cannot see or revoke Ada's
    furnish(client, orgs, record(subject=dict(GRACE), account_ref="CARD-9"))
    grace = consumer_token(bureau, GRACE["national_id"], date(1986, 12, 9))
    assert client.get("/v1/me/consents", headers=auth(grace)).json()["items"] == []
    assert client.delete(f"/v1/me/consents/{recorded}",
                         headers=auth(grace)).status_code == 404

    audited = [a for a, _ in actions(bureau)]
    assert audited.count("consent.granted") == 2 and audited.count("consent.revoked") == 1
    assert audited.count("consent.used") == 1 and audited.count("consent.refused") == 1


def test_revocation_follows_the_profile(client, orgs, bureau, ada):
    ref = consent_for(client, orgs)
    bureau.profile = dataclasses.replace(bureau.profile, consent_revocable=False)
    token = consumer_token(bureau)
    r = client.delete(f"/v1/me/consents/{ref}", headers=auth(token))
    assert r.status_code == 403 and "cannot be revoked" in r.json()["detail"]
    assert pull(client, orgs, consent_ref=ref).status_code == 201


def test_the_consents_page_grants_and_revokes(client, orgs, bureau, ada):
    from tests.integration.test_web_pages import HTML, csrf_of

    assert orgs["member"]          # the member exists before the page lists it
    token = consumer_token(bureau)
    web = {**HTML, **auth(token)}
    page = client.get("/me/consents", headers=web)
    assert page.status_code == 200 and "My consents" in page.text
    assert '<option value="Test member"' in page.text
    r = client.post("/me/consents", headers=web, follow_redirects=False,
                    data={"member": "Test member", "purpose": "employment",
                          "expires_on": "2027-01-31", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/me/consents?done=granted"
    bad = client.post("/me/consents", headers=web,
                      data={"member": "Test member", "purpose": "employment",
                            "expires_on": "2026-10-01"})
    assert bad.status_code == 422 and "expires_at" in bad.text
    [c] = client.get("/v1/me/consents", headers=auth(token)).json()["items"]
    assert c["expires_at"].startswith("2027-01-31T23:59:59")
    assert pull(client, orgs).status_code == 201
    report = client.get("/me/report", headers=web).text     # the access, in words
    assert 'href="/me/consents">with your consent</a>' in report
    assert c["consent_ref"] not in report
    page = client.get("/me/consents", headers=web)
    assert "in force" in page.text and f'/me/consents/{c["consent_ref"]}/revoke' in page.text
    r = client.post(f'/me/consents/{c["consent_ref"]}/revoke', headers=web,
                    follow_redirects=False)
    assert r.status_code == 303
    assert "revoked" in client.get("/me/consents", headers=web).text
    refused_because(pull(client, orgs), rules.REVOKED)


# -- income: a consent to the furnisher that reports it --------------------------------------

def test_a_members_consent_cannot_cover_income(client, orgs, bureau, ada):
    """A member pulls files; it furnishes nothing, so a consent to it covering income would
    authorise nothing: refused, saying where income consent goes."""
    r = record_consent(client, orgs["member"], scope=["report", "income"])
    assert r.status_code == 422 and "furnisher that reports it" in r.text, r.text
    token = consumer_token(bureau)
    grant = {"member": "Test member", "purpose": "employment", "scope": ["report", "income"],
             "expires_at": iso(NOW + timedelta(days=90))}
    r = client.post("/v1/me/consents", headers=auth(token), json=grant)
    assert r.status_code == 422 and "furnisher that reports it" in r.text, r.text


def test_the_consumer_lets_a_furnisher_report_their_income(client, orgs, bureau, ada):
    from tests.integration.test_reports import record as account

    token = consumer_token(bureau)
    furnisher = next(o["name"] for o in access.list_organisations(bureau.uow(), bureau.deps)
                     if o["role"] == "furnisher")
    grant = {"member": furnisher, "purpose": "account_review", "scope": ["income"],
             "expires_at": iso(NOW + timedelta(days=90))}
    # the member is not a furnisher: income alone names a furnisher
    assert client.post("/v1/me/consents", headers=auth(token),
                       json={**grant, "member": "Test member"}).status_code == 404
    r = client.post("/v1/me/consents", headers=auth(token), json=grant)
    assert r.status_code == 201, r.text
    assert (r.json()["source"], r.json()["scope"]) == ("consumer", ["income"])
    ref = r.json()["consent_ref"]
    body = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]), json={
        "records": [account(account_ref="LOAN-7", kind="installment", credit_limit=None,
                            original_amount=900_000, balance=500_000,
                            monthly_income=350_000, consent_ref=ref)]}).json()
    assert (body["accepted"], body["warnings"]) == (1, []), body
    with bureau.uow() as uow:
        assert uow.execute(select(account_months.c.monthly_income)
                           .where(account_months.c.consent_ref == ref)).scalars().all() == [
            350_000]


def test_the_consents_page_offers_income_to_the_furnishers_of_the_file(client, orgs, bureau,
                                                                        ada):
    from tests.integration.test_web_pages import HTML, csrf_of

    token = consumer_token(bureau)
    web = {**HTML, **auth(token)}
    page = client.get("/me/consents", headers=web)
    furnisher = next(o["name"] for o in access.list_organisations(bureau.uow(), bureau.deps)
                     if o["role"] == "furnisher")
    assert "Let a lender report your income" in page.text
    assert f'<option value="{furnisher}"' in page.text
    assert "Also let it report my income" not in page.text
    r = client.post("/me/consents", headers=web, follow_redirects=False,
                    data={"member": furnisher, "purpose": "account_review", "scope": "income",
                          "expires_on": "2027-01-31", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    [c] = client.get("/v1/me/consents", headers=auth(token)).json()["items"]
    assert (c["member"], c["scope"], c["source"]) == (furnisher, ["income"], "consumer")
