"""Statements, the security freeze, fraud alerts and offers against the in-memory ports (no
database); tests/integration/test_rights.py and test_offer_reach.py drive the same use cases
over HTTP on both databases."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import rights
from tests.fakes import Account, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA = Principal(Role.CONSUMER, 1, "", subject_ref="sub_1")
LENDER = Principal(Role.MEMBER, 40, "Lender")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1)
    s.add_file(2, "Bob Babbage")
    s.accounts["acc_1"] = Account("acc_1", 1, 10, "CARD-1")
    s.accounts["acc_2"] = Account("acc_2", 2, 10, "CARD-2")
    s.add_organisation(LENDER.id, LENDER.name, "member")
    s.models["v1"] = {}
    s.active_model = "v1"
    return s


def unit(store, clock):
    return FakeUnitOfWork(store, clock)


def test_a_statement_goes_on_ones_own_item_or_file_only(store, clock):
    deps = fake_deps(clock)
    out = rights.add_statement(unit(store, clock), deps, ADA, "acc_1", " paid late once ")
    assert out == {"item_ref": "acc_1", "text": "paid late once", "created_at": NOW}
    rights.add_statement(unit(store, clock), deps, ADA, None, "about the whole file")
    with pytest.raises(NotFound):
        rights.add_statement(unit(store, clock), deps, ADA, "acc_2", "not mine")
    with pytest.raises(ValidationFailed):
        rights.add_statement(unit(store, clock), deps, ADA, None, "   ")
    assert [s["item_ref"] for s in store.statements] == ["acc_1", None]
    assert store.actions() == ["statement.add", "statement.add"]


def test_a_freeze_is_placed_once_lifted_and_each_change_is_a_notice(store, clock):
    deps = fake_deps(clock)
    placed = rights.place_freeze(unit(store, clock), deps, ADA)
    clock.advance(hours=1)
    again = rights.place_freeze(unit(store, clock), deps, ADA)
    assert placed == again == {"frozen": True, "placed_at": NOW}
    lifted = rights.lift_freeze(unit(store, clock), deps, ADA)
    assert lifted == {"frozen": False, "lifted_at": clock.now()}
    with pytest.raises(Conflict):
        rights.lift_freeze(unit(store, clock), deps, ADA)
    assert [n["kind"] for n in store.notices] == ["freeze_placed", "freeze_lifted"]
    assert store.actions() == ["freeze.place", "freeze.lift"]


def test_no_freeze_where_the_profile_has_none(store, clock):
    with pytest.raises(Conflict):
        rights.place_freeze(unit(store, clock), fake_deps(clock, "cn-cri"), ADA)
    assert store.freezes == []


def test_a_fraud_alert_lasts_the_profiles_period_and_is_not_doubled(store, clock):
    deps = fake_deps(clock)
    out = rights.place_fraud_alert(unit(store, clock), deps, ADA, "initial")
    assert out["expires_at"] == NOW + timedelta(days=deps.profile.fraud_alert_initial_days)
    with pytest.raises(Conflict):
        rights.place_fraud_alert(unit(store, clock), deps, ADA, "initial")
    with pytest.raises(ValidationFailed):
        rights.place_fraud_alert(unit(store, clock), deps, ADA, "lifelong")
    assert len(store.fraud_alerts) == 1 and store.notices[0]["kind"] == "fraud_alert_placed"


def give_score(store, sid: int, value: int) -> None:
    store.scores.append({"subject_id": sid, "model_version": "v1", "value": value,
                         "reasons": [], "attributes": {}, "computed_at": NOW})


def test_offers_reach_only_opted_in_consumers_and_small_counts_are_suppressed(store, clock):
    deps = fake_deps(clock)
    few = dataclasses.replace(deps, settings=deps.settings.model_copy(
        update={"offer_reach_min_count": 1}))
    give_score(store, 1, 720)
    give_score(store, 2, 680)
    store.opted_in.add(2)
    made = rights.create_offer(unit(store, clock), few, LENDER, " Card ", "A card", 650,
                               "card")
    assert (made["title"], made["reach"]) == ("Card", 1)   # Ada scores higher but opted out
    high = rights.create_offer(unit(store, clock), deps, LENDER, "Gold", "Gold", 700, "card")
    assert high["reach"] is None and high["reach_suppressed"] is True
    listed = rights.member_offers(unit(store, clock), few, LENDER)
    assert [(o["title"], o["reach"]) for o in listed] == [("Card", 1), ("Gold", None)]
    with pytest.raises(ValidationFailed):
        rights.create_offer(unit(store, clock), deps, LENDER, "x", "y", 2000, "card")


def test_a_consumer_sees_the_offers_their_score_reaches_once_opted_in(store, clock):
    deps = fake_deps(clock)
    give_score(store, 1, 690)
    for title, least in (("Card", 650), ("Gold", 700), ("Loan", 680)):
        rights.create_offer(unit(store, clock), deps, LENDER, title, title, least, "card")
    out = rights.my_offers(unit(store, clock), deps, ADA)
    assert out == {"opt_in": False, "score": None, "items": []}
    rights.set_offers_consent(unit(store, clock), deps, ADA, True)
    out = rights.my_offers(unit(store, clock), deps, ADA)
    assert out["score"] == 690
    assert [(o["title"], o["member"]) for o in out["items"]] == [("Loan", "Lender"),
                                                                 ("Card", "Lender")]


def test_a_consumer_sees_every_access_not_purged_newest_first(store, clock):
    from openbureau.services import consumer
    from tests.fakes import Inquiry

    store.inquiries += [
        Inquiry(1, "account_review", NOW - timedelta(days=9), item_ref="inq_old",
                organisation_id=LENDER.id),
        Inquiry(1, "credit_application", NOW - timedelta(days=1), item_ref="inq_new",
                organisation_id=LENDER.id),
        Inquiry(1, "account_review", NOW - timedelta(days=5), item_ref="inq_gone",
                organisation_id=LENDER.id, purged_at=NOW),
        Inquiry(1, "consumer_request", NOW, item_ref="inq_self", kind="consumer"),
        Inquiry(2, "account_review", NOW, item_ref="inq_bob", organisation_id=LENDER.id)]
    seen = consumer.my_accesses(unit(store, clock), fake_deps(clock), ADA)
    assert [(a["item_ref"], a["who"]) for a in seen] == [("inq_new", "Lender"),
                                                         ("inq_old", "Lender")]
    assert store.actions() == ["accesses.read"]
