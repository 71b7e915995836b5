"""A member pulls a report: permissible purpose, consent, freeze, identity; every pull is seen."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import audit_events, freezes, inquiries
from openbureau.domain.profiles import Purpose
from tests.conftest import NOW, auth
from tests.integration.test_consents import consent_for
from tests.integration.test_reports import (
    ADA,
    EXPECTED_TAIL,
    add_rows,
    consumer_token,
    file_with_history,
    furnish,
    record,
    subject_id,
)


def pull(client, orgs, subject=None, purpose="credit_application", **extra):
    body = {"subject": subject or dict(ADA), "purpose": purpose, **extra}
    return client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json=body)


def stored(bureau) -> tuple[int, list[str]]:
    """Inquiry rows, and the audit actions written by the member."""
    with bureau.uow() as uow:
        n = uow.execute(select(func.count()).select_from(inquiries)).scalar_one()
        actions = uow.execute(select(audit_events.c.action)
                              .where(audit_events.c.actor.like("member:%"))
                              .order_by(audit_events.c.seq)).scalars().all()
    return n, actions


def test_pull_returns_masked_report_and_the_consumer_sees_it(client, orgs, bureau):
    file_with_history(client, orgs)
    r = pull(client, orgs)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["inquiry_id"].startswith("inq_")
    assert 350 <= body["score"]["value"] <= 950
    assert body["score"]["model_version"] == "gmsc-2026.12.2"   # the newest shipped
    rep = body["report"]
    assert rep["identity"]["national_id"] is None
    assert rep["identity"]["national_id_masked"] == "*****0200"
    assert "900100200" not in r.text
    assert rep["notices"] is None
    grid = rep["accounts"][0]["payment_history"]
    assert [(c["month"], c["code"]) for c in grid[-9:]] == EXPECTED_TAIL
    assert [i["item_ref"] for i in rep["inquiries"]] == [body["inquiry_id"]]
    assert stored(bureau) == (1, ["inquiry.pull"])
    with bureau.uow() as uow:
        row = uow.execute(select(inquiries)).one()
        ev = uow.execute(select(audit_events).where(audit_events.c.action == "inquiry.pull")
                         ).one()
    assert (row.kind, row.purpose, row.item_ref) == ("inquiry", "credit_application",
                                                     body["inquiry_id"])
    assert row.subject_id == subject_id(bureau)
    assert (ev.subject_ref, ev.purpose) == (rep["subject_ref"], "credit_application")
    assert ev.detail["inquiry_ref"] == body["inquiry_id"]

    token = consumer_token(bureau)
    accesses = client.get("/v1/me/accesses", headers=auth(token)).json()["items"]
    assert [(a["item_ref"], a["who"], a["purpose"], a["kind"]) for a in accesses] == [
        (body["inquiry_id"], "Test member", "credit_application", "inquiry")]
    mine = client.get("/v1/me/report", headers=auth(token)).json()
    assert [i["item_ref"] for i in mine["inquiries"]] == [body["inquiry_id"]]


def test_unknown_purpose_is_a_validation_error(client, orgs, bureau):
    furnish(client, orgs, record())
    r = pull(client, orgs, purpose="curiosity")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "purpose"
    assert stored(bureau) == (0, [])


def test_purpose_outside_the_profile_is_refused(client, orgs, bureau):
    furnish(client, orgs, record())
    bureau.profile = dataclasses.replace(
        bureau.profile, permissible_purposes=frozenset({Purpose.CREDIT_APPLICATION,
                                                        Purpose.ACCOUNT_REVIEW}))
    r = pull(client, orgs, purpose="tenancy_application")
    assert r.status_code == 403
    problem = r.json()
    assert problem["title"] == "Purpose not permitted"
    assert "tenancy_application" in problem["detail"]
    assert "account_review, credit_application" in problem["detail"]
    assert stored(bureau) == (0, ["inquiry.refused"])
    assert pull(client, orgs, purpose="account_review").status_code == 201


def test_employment_needs_consent_everywhere(client, orgs, bureau):
    furnish(client, orgs, record())
    r = pull(client, orgs, purpose="employment")
    assert r.status_code == 403 and r.json()["title"] == "Consent required"
    assert stored(bureau) == (0, ["inquiry.refused"])


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_requires_consent_and_shows_every_inquiry(client, orgs, bureau):
    furnish(client, orgs, record())
    r = pull(client, orgs, purpose="account_review")
    assert r.status_code == 403
    problem = r.json()
    assert problem["title"] == "Consent required"
    assert "cn-cri" in problem["detail"] and "account_review" in problem["detail"]
    assert stored(bureau) == (0, ["inquiry.refused"])
    with bureau.uow() as uow:
        ev = uow.execute(select(audit_events).where(audit_events.c.action == "inquiry.refused")
                         ).one()
    assert ev.detail["reason"] == "ConsentRequired" and ev.subject_ref is not None

    signed = consent_for(client, orgs, purpose="account_review")   # a real, recorded consent
    r = pull(client, orgs, purpose="account_review", consent_ref=signed)
    assert r.status_code == 201, r.text
    with bureau.uow() as uow:
        assert uow.execute(select(inquiries.c.consent_ref)).scalar_one() == signed
    assert pull(client, orgs, purpose="court_order").status_code == 201   # no consent needed


def test_frozen_file_refuses_new_credit_but_not_account_review(client, orgs, bureau):
    furnish(client, orgs, record())
    add_rows(bureau, freezes, {"subject_id": subject_id(bureau), "placed_at": NOW})
    r = pull(client, orgs, purpose="credit_application")
    assert r.status_code == 403
    assert r.json()["title"] == "File frozen"
    assert "frozen" in r.json()["detail"]
    assert stored(bureau) == (0, ["inquiry.refused"])
    ok = pull(client, orgs, purpose="account_review")
    assert ok.status_code == 201
    assert ok.json()["report"]["frozen"] is True
    assert stored(bureau) == (1, ["inquiry.refused", "inquiry.pull"])


@pytest.mark.parametrize("subject", [
    {**ADA, "name": "Grace Hopper"},
    {**ADA, "date_of_birth": "1985-12-11"},
    {**ADA, "national_id": "900100201"},
])
def test_identity_mismatch_is_no_file_and_stores_nothing(client, orgs, bureau, subject):
    furnish(client, orgs, record())
    r = pull(client, orgs, subject=subject)
    assert r.status_code == 404
    assert r.json()["detail"] == "no file matches this identity"
    assert "Lovelace" not in r.text and "0200" not in r.text
    assert stored(bureau) == (0, ["inquiry.refused"])
    with bureau.uow() as uow:
        ev = uow.execute(select(audit_events).where(audit_events.c.action == "inquiry.refused")
                         ).one()
    assert ev.subject_ref is None


HOME = {"line1": "12 St James Square", "city": "London", "postal_code": "02139"}


def test_a_file_whose_only_birth_date_is_a_typo_is_found_by_number_name_and_address(
        client, orgs, bureau):
    """The furnisher mistyped the birth year (1984 for 1985). An applicant giving the true
    birth date with the file's number, name and address gets their file; the same without
    the address, or at another address, gets no file -- the bureau cannot tell which of the
    two dates is wrong unless everything else agrees."""
    furnish(client, orgs, record(subject={**ADA, "date_of_birth": "1984-12-10",
                                          "address": HOME}))
    assert pull(client, orgs, subject={**ADA, "address": HOME}).status_code == 201
    for subject in ({**ADA}, {**ADA, "address": {**HOME, "line1": "7 Albemarle Street"}},
                    {**ADA, "address": {**HOME, "postal_code": "02140"}},
                    {**ADA, "date_of_birth": "1985-11-09", "address": HOME}):
        r = pull(client, orgs, subject=subject)
        assert r.status_code == 404, subject
        assert r.json()["detail"] == "no file matches this identity"
    assert stored(bureau)[0] == 1


def test_name_matching_tolerates_order_and_case(client, orgs):
    furnish(client, orgs, record())
    assert pull(client, orgs, subject={**ADA, "name": "LOVELACE, ada"}).status_code == 201


def test_member_endpoint_is_for_members_only(client, orgs, bureau):
    furnish(client, orgs, record())
    body = {"subject": ADA, "purpose": "credit_application"}
    for role in ("furnisher", "court", "operator"):
        r = client.post("/v1/member/inquiries", headers=auth(orgs[role]), json=body)
        assert r.status_code == 403, role
    r = client.post("/v1/member/inquiries", headers=auth(consumer_token(bureau)), json=body)
    assert r.status_code == 403
    assert client.post("/v1/member/inquiries", json=body).status_code == 401
    assert stored(bureau) == (0, [])


def test_unknown_fields_are_refused(client, orgs, bureau):
    furnish(client, orgs, record())
    r = pull(client, orgs, social_media_handle="@ada")
    assert r.status_code == 422
    assert stored(bureau) == (0, [])
