"""The court registry's use cases against the in-memory ports (tests/fakes.py): no database.
The SQL repository (``adapters/registry.py``) is proven by tests/integration/test_registry.py
and test_public_search_specificity.py, which drive the same use cases over HTTP on both
databases; a person debtor and the restriction check are resolved by the matching model
(``services.resolution``), and the public search and refused identities are rate-limited
(``adapters.rate_limit``), on the SQL unit only: those are tested there."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain import registry as reg
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.records import SubjectIdentity, mask_national_id
from openbureau.domain.roles import Principal, Role
from openbureau.services import registry
from tests.fakes import FakeBureau, FakeStore

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
COURT = Principal(Role.COURT, 20, "Court")
OTHER_COURT = Principal(Role.COURT, 21, "Other court")
MEMBER = Principal(Role.MEMBER, 30, "Lender")
ACME = registry.Debtor("organisation", "91110000ACME01", "Acme Trading Ltd")
BASIS = "Civil Procedure Law art. 255"


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_organisation(COURT.id, COURT.name, "court")
    s.add_organisation(OTHER_COURT.id, OTHER_COURT.name, "court")
    return s


@pytest.fixture
def bureau(store) -> FakeBureau:
    return FakeBureau(store, FixedClock(NOW), profile="cn-cri")


def list_acme(bureau, court=COURT, case="(2026) Jing 0105 Zhi 1234", **over):
    terms = {"case_number": case, "debtor": ACME, "amount": 5_000_000, "currency": "CNY",
             "judgment_date": date(2026, 6, 1), "ground": "evades_enforcement",
             "legal_basis": BASIS,
             "restrictions_asked": [reg.RequestedRestriction("air_travel"),
                                    reg.RequestedRestriction("star_hotels")]}
    return registry.list_judgment(bureau, court, **{**terms, **over})


def test_a_listing_opens_the_debtors_file_stores_its_restrictions_and_tells_the_debtor(
        bureau, store):
    listing = list_acme(bureau)
    (debtor,) = store.subjects.values()
    assert (debtor.kind, debtor.name, debtor.id_hmac) == (
        "organisation", ACME.name, bureau.vault.lookup_hash(ACME.identifier))
    assert bureau.vault.decrypt(debtor.id_ciphertext) == ACME.identifier
    assert listing["debtor"] == {"kind": "organisation", "name": ACME.name,
                                 "identifier_masked": mask_national_id(ACME.identifier)}
    assert listing["status"] == "active"
    assert [r["category"] for r in listing["restrictions"]] == ["air_travel", "star_hotels"]
    assert all(r["ordered_on"] == NOW.date() for r in listing["restrictions"])
    (notice,) = store.notices
    assert (notice["subject_id"], notice["kind"]) == (debtor.id, "listing")
    assert [r["category"] for r in notice["body"]["restrictions"]] == ["air_travel",
                                                                       "star_hotels"]
    assert store.actions() == ["listing.create"]
    assert store.events[0].subject_ref == debtor.item_ref


def test_an_organisation_already_on_file_is_listed_on_that_file(bureau, store):
    known = store.add_subject(7, ACME.name, kind="organisation", date_of_birth=None,
                              id_hmac=bureau.vault.lookup_hash(ACME.identifier),
                              id_ciphertext=bureau.vault.encrypt(ACME.identifier))
    list_acme(bureau)
    assert list(store.subjects) == [7]
    (record,) = store.public_records.values()
    assert record.subject_id == known.id


def test_the_same_case_twice_is_refused_and_stores_nothing_more(bureau, store):
    list_acme(bureau)
    with pytest.raises(Conflict, match="already listed"):
        list_acme(bureau)
    assert len(store.public_records) == 1 and len(store.notices) == 1
    assert store.actions() == ["listing.create", "listing.refused"]
    assert store.events[-1].subject_ref == next(iter(store.subjects.values())).item_ref


def test_lift_ends_the_listing_and_its_restrictions_and_tells_the_debtor(bureau, store):
    ref = list_acme(bureau)["listing_id"]
    lifted = registry.lift(bureau, COURT, ref, "performance", " paid in full ")
    assert lifted["status"] == "satisfied"
    assert all(r["lifted_at"] == NOW for r in lifted["restrictions"])
    assert store.notices[-1]["kind"] == "listing_lifted"
    assert store.notices[-1]["body"]["reason"] == "paid in full"
    assert store.notices[-1]["body"]["restrictions"] == []
    assert store.actions()[-1] == "listing.lift"
    assert store.events[-1].detail["how"] == "performance"


def test_another_courts_listing_is_not_found_and_the_refusal_audited(bureau, store):
    ref = list_acme(bureau)["listing_id"]
    with pytest.raises(NotFound):
        registry.vacate(bureau, OTHER_COURT, ref, "entered in error")
    assert store.listings[next(iter(store.listings))].status == "active"
    assert store.actions()[-1] == "listing.refused"


def test_vacate_says_why_and_a_closed_listing_cannot_be_vacated(bureau, store):
    ref = list_acme(bureau)["listing_id"]
    with pytest.raises(ValidationFailed):
        registry.vacate(bureau, COURT, ref, "   ")
    assert registry.vacate(bureau, COURT, ref, "entered in error")["status"] == "vacated"
    with pytest.raises(Conflict):
        registry.vacate(bureau, COURT, ref, "again")


def test_a_court_lists_its_own_listings_newest_first_by_status(bureau, store):
    first = list_acme(bureau, case="(2026) case 1")["listing_id"]
    bureau.clock = FixedClock(datetime(2026, 11, 2, tzinfo=UTC))
    second = list_acme(bureau, case="(2026) case 2")["listing_id"]
    list_acme(bureau, court=OTHER_COURT, case="(2026) case 3")
    registry.lift(bureau, COURT, first, "settlement")
    mine = registry.court_listings(bureau, COURT)
    assert [x["listing_id"] for x in mine] == [second, first]
    assert [x["listing_id"] for x in registry.court_listings(bureau, COURT, "settled")] \
        == [first]
    assert store.events[-1].action == "listing.list"
    assert store.events[-1].detail == {"count": 1}


def test_a_malformed_restriction_check_is_refused_and_audited(bureau, store):
    nobody = SubjectIdentity(national_id="1", name="", date_of_birth=None)
    with pytest.raises(ValidationFailed):
        registry.restriction_check(bureau, MEMBER, nobody, "air_travel")
    assert store.inquiries == []
    assert store.actions() == ["restriction_check.refused"]


def test_a_public_search_too_vague_is_refused_before_it_counts(bureau, store):
    with pytest.raises(ValidationFailed, match="name"):
        registry.public_search(bureau, "203.0.113.9", name="Li")
    assert store.events == []
