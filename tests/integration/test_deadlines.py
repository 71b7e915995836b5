"""Retention and display windows applied by ``deadlines run``, from the profile's numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openbureau.adapters.tables import accounts, scores
from openbureau.services import deadlines
from tests.conftest import auth
from tests.integration.test_furnishing_api import record


def late(ref: str, dofd: str) -> dict:
    return record(account_ref=ref, status="dpd90", amount_past_due=50000,
                  date_of_first_delinquency=dofd, kind="installment", credit_limit=None)


@pytest.mark.parametrize(("profile_name", "years"), [("us-fcra", 7), ("cn-cri", 5),
                                                      ("eu-gdpr", 3)])
def test_negative_items_leave_file_and_score_after_retention(client, orgs, bureau, clock,
                                                             profile_name, years):
    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                json={"records": [record(), late("LOAN-1", "2026-08-31")]})
    with bureau.uow() as uow:
        before = uow.execute(select(scores.c.value).order_by(scores.c.id.desc())).scalar()
    clock.advance(days=years * 365 - 120)          # not yet: the item stays
    assert deadlines.run(bureau.uow(), bureau.deps).accounts_past_retention == 0
    clock.advance(days=240)                         # past the profile's retention
    assert deadlines.run(bureau.uow(), bureau.deps).accounts_past_retention == 1
    assert deadlines.run(bureau.uow(), bureau.deps).accounts_past_retention == 0   # idempotent
    with bureau.uow() as uow:
        reason = uow.execute(select(accounts.c.suppressed_reason)
                             .where(accounts.c.account_ref == "LOAN-1")).scalar()
        after = uow.execute(select(scores.c.value).order_by(scores.c.id.desc())).scalar()
    assert reason == "retention"
    assert after > before


def test_inquiries_drop_from_view_after_the_display_window(client, orgs, bureau, clock):
    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                json={"records": [record()]})
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": {"national_id": "900100200", "name": "Ada Lovelace"},
        "purpose": "credit_application"})
    assert r.status_code == 201
    clock.advance(days=bureau.profile.inquiry_display_days - 1)
    assert deadlines.run(bureau.uow(), bureau.deps).inquiries_dropped == 0
    clock.advance(days=2)
    assert deadlines.run(bureau.uow(), bureau.deps).inquiries_dropped == 1
