""""Must be a consumer" and "write a notice" are each one rule: domain.roles.consumer_id (every
consumer use case refuses another principal with the same error) and adapters.notices.add (the
only insert into ``notices``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from openbureau.adapters import notices as stored_notices
from openbureau.adapters.tables import notices
from openbureau.domain.roles import Principal, Role, consumer_id
from openbureau.services import consents, consumer, disputes, rights, scoring_hooks
from tests.conftest import NOW
from tests.integration.test_reports import ADA, furnish, record, subject_id

SRC = Path(__file__).parents[2] / "src" / "openbureau"
MEMBER = Principal(Role.MEMBER, 1, "A bank")

USE_CASES = {
    "consents.grant": lambda b, p: consents.grant(b.uow(), b.deps, p, 1, "credit_application",
                                                   NOW + timedelta(days=30)),
    "consents.my_consents": lambda b, p: consents.my_consents(b.uow(), b.deps, p),
    "consents.revoke": lambda b, p: consents.revoke(b.uow(), b.deps, p, "con_x"),
    "consumer.my_report": lambda b, p: consumer.my_report(b.uow(), b.deps, p),
    "consumer.my_accesses": lambda b, p: consumer.my_accesses(b.uow(), b.deps, p),
    "consumer.my_notices": lambda b, p: consumer.my_notices(b.uow(), b.deps, p),
    "disputes.open_dispute": lambda b, p: disputes.open_dispute(b.uow(), b.deps, p, "account",
                                                                "x", "why", None),
    "disputes.my_disputes": lambda b, p: disputes.my_disputes(b.uow(), b.deps, p),
    "disputes.add_information": lambda b, p: disputes.add_information(b.uow(), b.deps, p,
                                                                      "dsp_x", "more"),
    "rights.add_statement": lambda b, p: rights.add_statement(b.uow(), b.deps, p, None, "text"),
    "rights.place_freeze": lambda b, p: rights.place_freeze(b.uow(), b.deps, p),
    "rights.lift_freeze": lambda b, p: rights.lift_freeze(b.uow(), b.deps, p),
    "rights.place_fraud_alert": lambda b, p: rights.place_fraud_alert(b.uow(), b.deps, p,
                                                                      "initial"),
    "rights.set_offers_consent": lambda b, p: rights.set_offers_consent(b.uow(), b.deps, p, True),
    "rights.my_offers": lambda b, p: rights.my_offers(b.uow(), b.deps, p),
    "scoring_hooks.my_score": lambda b, p: scoring_hooks.my_score(b.uow(), b.deps, p),
}


@pytest.mark.parametrize("use_case", USE_CASES)
def test_consumer_use_cases_refuse_other_principals_alike(bureau, use_case):
    with pytest.raises(ValueError, match="^consumer services take a consumer principal$"):
        USE_CASES[use_case](bureau, MEMBER)


def test_the_rules_are_written_once():
    sources = {p: p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")}
    assert [p.name for p, s in sources.items()
            if "consumer services take a consumer principal" in s] == ["roles.py"]
    assert [p.name for p, s in sources.items() if "insert(notices)" in s] == ["notices.py"]
    assert consumer_id(Principal(Role.CONSUMER, 7, "Ada", "sub_x")) == 7


def test_a_notice_is_stored_once_its_title_fitted(client, orgs, bureau):
    furnish(client, orgs, record())
    sid = subject_id(bureau, ADA["national_id"])
    with bureau.uow() as uow:
        nid = stored_notices.add(uow, sid, "listing", "T" * 300, {"a": 1})
        uow.commit()
    with bureau.uow() as uow:
        row = uow.execute(select(notices).where(notices.c.id == nid)).one()
    assert (row.subject_id, row.kind, row.title, row.body) == (sid, "listing", "T" * 200,
                                                               {"a": 1})
    assert row.created_at == bureau.clock.now()
