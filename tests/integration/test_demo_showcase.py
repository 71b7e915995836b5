"""The demo shows the product: a seeded population scored, and something for each role to do,
staged through the services real callers use."""

from __future__ import annotations

from sqlalchemy import func, select

from openbureau.adapters.tables import scores, subjects
from openbureau.domain.roles import Principal, Role
from openbureau.services import (
    access,
    consumer,
    demo,
    demo_logins,
    demo_showcase,
    disputes,
    model_reports,
    objections,
    registry,
    rights,
)

PEOPLE = 130          # seed 7 has the demo consumer, a disputer and two debtors by then


def _org(bureau, name: str, role: Role) -> Principal:
    with bureau.uow() as uow:
        from openbureau.adapters.tables import organisations
        oid = uow.execute(select(organisations.c.id)
                          .where(organisations.c.name == name)).scalar_one()
    return Principal(role, oid, name)


def test_the_demo_stages_something_for_every_role(bureau):
    picks = demo_showcase.Picks()
    demo.seed(bureau.uow(), bureau.deps, PEOPLE, seed=7, picks=picks)
    assert picks.done()
    out = demo_showcase.stage(bureau.uow(), bureau.deps, picks, demo_logins.DEMO_PASSWORD)
    assert out["staged"] and out["listings"] == 3

    # every file scored at seeding: drift has a population and reports
    with bureau.uow() as uow:
        scored = uow.execute(select(func.count(func.distinct(scores.c.subject_id)))).scalar_one()
        people = uow.execute(select(func.count()).select_from(subjects)).scalar_one()
    assert scored == people == PEOPLE
    assert model_reports.drift(bureau.uow(), bureau.deps)["reported"] is True

    # the consumer: signs in with the printed login; a late payment to dispute, cards within
    # their limits, a listing, a decline notice to read, offers around their score
    creds = {c["role"]: c for c in demo_logins.issue(bureau.uow(), bureau.deps)}
    nid = picks.consumer[0].national_id
    assert creds["consumer"]["credential"] == (f"national_id={nid} "
                                               f"password={demo_logins.DEMO_PASSWORD}")
    token = access.sign_in(bureau.uow(), bureau.deps, nid, demo_logins.DEMO_PASSWORD)
    me = access.authenticate_session(bureau.uow(), bureau.deps, token)
    rep = consumer.my_report(bureau.uow(), bureau.deps, me)
    late = [a for a in rep["accounts"] if a["furnisher"] == "Demo First Bank"
            and any(c["code"] == "1" for c in a["payment_history"])]
    assert late and not late[0]["disputed"]
    cards = [a for a in rep["accounts"] if a["kind"] == "revolving" and a["credit_limit"]]
    assert cards and all(a["balance"] <= a["credit_limit"] for a in cards)
    assert rep["score"] is not None
    assert [p["case_number"] for p in rep["public_records"]] == ["(2026) Demo Enf. 1"]
    kinds = [n["kind"] for n in rep["notices"]]
    assert "adverse_action" in kinds and "listing" in kinds
    rights.set_offers_consent(bureau.uow(), bureau.deps, me, True)
    offers = rights.my_offers(bureau.uow(), bureau.deps, me)
    assert len(offers["items"]) == 1, offers       # qualifies for one, aims at the other

    # the furnisher has an open dispute to answer; the court a listing objected to
    bank = _org(bureau, "Demo First Bank", Role.FURNISHER)
    assert len(disputes.furnisher_disputes(bureau.uow(), bureau.deps, bank, "open")) == 1
    court = _org(bureau, demo_showcase.COURT, Role.COURT)
    assert len(registry.court_listings(bureau.uow(), bureau.deps, court)) == 3
    assert len(objections.court_objections(bureau.uow(), bureau.deps, court, "open")) == 1

    # staged once: a second run does nothing
    assert demo_showcase.stage(bureau.uow(), bureau.deps, picks,
                               demo_logins.DEMO_PASSWORD) == {"staged": False}
