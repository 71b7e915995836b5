"""Objections to a listing against the in-memory ports (no database); the same use cases run
over HTTP on both databases in tests/integration/test_registry.py and test_input_bounds.py."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import objections
from openbureau.services.stored import Listing, ListingDetail
from tests.fakes import FakeStore, FakeUnitOfWork, Restriction, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DEBTOR = Principal(Role.CONSUMER, 1, "", subject_ref="sub_1")
COURT = Principal(Role.COURT, 20, "District court")
HIGH = Principal(Role.COURT, 21, "High court")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1, "Wang Wei")
    s.add_organisation(COURT.id, COURT.name, "court")
    s.add_organisation(HIGH.id, HIGH.name, "court")
    s.listings[5] = Listing(5, "pr_1", 1, COURT.id, "active")
    s.listing_details[5] = ListingDetail(5, "pr_1", 1, COURT.id, COURT.name, "(2026)J-1",
                                         "active", 100000, "evading", "art. 1",
                                         date(2028, 11, 1))
    s.restrictions += [Restriction(5, None, None, "flights"),
                       Restriction(5, date(2029, 1, 1), None, "hotels")]
    return s


@pytest.fixture
def deps(clock):
    d = fake_deps(clock, "cn-cri")
    settings = d.settings.model_copy(update={"court_parents": {COURT.name: HIGH.name}})
    return dataclasses.replace(d, settings=settings)


def unit(store, clock):
    return FakeUnitOfWork(store, clock)


def test_an_objection_goes_to_the_listing_court_with_the_profiles_deadline(store, clock, deps):
    out = objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1", " paid ")
    assert (out["court"], out["due_at"]) == (
        COURT.name, NOW + timedelta(days=deps.profile.objection_review_days))
    assert store.notices[0]["kind"] == "objection"
    with pytest.raises(Conflict):
        objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1", "again")
    with pytest.raises(NotFound):
        objections.object_to_listing(unit(store, clock), deps,
                                     Principal(Role.CONSUMER, 2, "", subject_ref="sub_2"),
                                     "pr_1", "not mine")
    (listed,) = objections.court_objections(unit(store, clock), deps, COURT)
    assert listed["objection_id"] == out["objection_id"] and listed["debtor"] == "Wang Wei"
    assert objections.court_objections(unit(store, clock), deps, HIGH) == []


def test_a_rejection_may_go_to_the_court_above_once(store, clock, deps):
    ref = objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1",
                                       "paid")["objection_id"]
    with pytest.raises(Conflict):      # nothing rejected yet
        objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1", "x",
                                     "reconsideration")
    out = objections.decide(unit(store, clock), deps, COURT, ref, "rejected", "not paid")
    assert out["status"] == "rejected"
    assert "reconsideration" in store.notices[-1]["body"]
    up = objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1", "paid, truly",
                                      "reconsideration")
    assert up["court"] == HIGH.name


def test_an_upheld_correction_changes_the_listing_and_its_restrictions(store, clock, deps):
    ref = objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1",
                                       "wrong amount")["objection_id"]
    fix = objections.Correction(amount=50000, until=date(2028, 6, 1),
                                lift_restrictions=("flights",))
    objections.decide(unit(store, clock), deps, COURT, ref, "upheld", "partly paid", "correct",
                      fix)
    assert store.listing_details[5].amount == 50000
    flights, hotels = store.restrictions
    assert flights.lifted_at == NOW and hotels.until == date(2028, 6, 1)
    (event,) = [e for e in store.events if e.action == "listing.correct"]
    assert event.detail["changes"]["amount"] == {"before": 100000, "after": 50000}
    assert event.detail["restrictions_until"] == [
        {"category": "flights", "before": None, "after": "2028-06-01"},
        {"category": "hotels", "before": "2029-01-01", "after": "2028-06-01"}]


def test_an_upheld_removal_ends_the_listing_and_a_bad_correction_changes_nothing(store, clock,
                                                                                deps):
    ref = objections.object_to_listing(unit(store, clock), deps, DEBTOR, "pr_1",
                                       "not me")["objection_id"]
    with pytest.raises(ValidationFailed):
        objections.decide(unit(store, clock), deps, COURT, ref, "upheld", "x", "correct",
                          objections.Correction(lift_restrictions=("yachts",)))
    assert store.actions()[-1] == "objection.refused"
    with pytest.raises(NotFound):
        objections.decide(unit(store, clock), deps, HIGH, ref, "upheld", "x", "remove")
    objections.decide(unit(store, clock), deps, COURT, ref, "upheld", "not the debtor",
                      "remove")
    assert store.listings[5].status == "removed"
    assert all(r.lifted_at == NOW for r in store.restrictions)
