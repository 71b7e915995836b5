"""The court registry's use cases against the in-memory ports (tests/fakes.py): no database.
The SQL repository (``adapters/registry.py``) is proven by tests/integration/test_registry.py
and test_public_search_specificity.py, which drive the same use cases over HTTP on both
databases; a person debtor and the restriction check are resolved by the matching model
(``services.resolution``), tested there too. The public search's rate limit runs on the fake
(``deps.rate_limits``: ``FakeRateLimits``, the real rules over a dict)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain import registry as reg
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.records import SubjectIdentity, mask_national_id
from openbureau.domain.roles import Principal, Role
from openbureau.services import registry
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

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
def uow(store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), "cn-cri", vault=FakeIdentityVault())


def list_acme(uow, deps, court=COURT, case="(2026) Jing 0105 Zhi 1234", **over):
    terms = {"case_number": case, "debtor": ACME, "amount": 5_000_000, "currency": "CNY",
             "judgment_date": date(2026, 6, 1), "ground": "evades_enforcement",
             "legal_basis": BASIS,
             "restrictions_asked": [reg.RequestedRestriction("air_travel"),
                                    reg.RequestedRestriction("star_hotels")]}
    return registry.list_judgment(uow, deps, court, **{**terms, **over})


def test_a_listing_opens_the_debtors_file_stores_its_restrictions_and_tells_the_debtor(
        uow, deps, store):
    listing = list_acme(uow, deps)
    (debtor,) = store.subjects.values()
    assert (debtor.kind, debtor.name, debtor.id_hmac) == (
        "organisation", ACME.name, deps.vault.lookup_hash(ACME.identifier))
    assert deps.vault.decrypt(debtor.id_ciphertext) == ACME.identifier
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


def test_an_organisation_already_on_file_is_listed_on_that_file(uow, deps, store):
    known = store.add_subject(7, ACME.name, kind="organisation", date_of_birth=None,
                              id_hmac=deps.vault.lookup_hash(ACME.identifier),
                              id_ciphertext=deps.vault.encrypt(ACME.identifier))
    list_acme(uow, deps)
    assert list(store.subjects) == [7]
    (record,) = store.public_records.values()
    assert record.subject_id == known.id


def test_the_same_case_twice_is_refused_and_stores_nothing_more(uow, deps, store):
    list_acme(uow, deps)
    with pytest.raises(Conflict, match="already listed"):
        list_acme(uow, deps)
    assert len(store.public_records) == 1 and len(store.notices) == 1
    assert store.actions() == ["listing.create", "listing.refused"]
    assert store.events[-1].subject_ref == next(iter(store.subjects.values())).item_ref


def test_lift_ends_the_listing_and_its_restrictions_and_tells_the_debtor(uow, deps, store):
    ref = list_acme(uow, deps)["listing_id"]
    lifted = registry.lift(uow, deps, COURT, ref, "performance", " paid in full ")
    assert lifted["status"] == "satisfied"
    assert all(r["lifted_at"] == NOW for r in lifted["restrictions"])
    assert store.notices[-1]["kind"] == "listing_lifted"
    assert store.notices[-1]["body"]["reason"] == "paid in full"
    assert store.notices[-1]["body"]["restrictions"] == []
    assert store.actions()[-1] == "listing.lift"
    assert store.events[-1].detail["how"] == "performance"


def test_another_courts_listing_is_not_found_and_the_refusal_audited(uow, deps, store):
    ref = list_acme(uow, deps)["listing_id"]
    with pytest.raises(NotFound):
        registry.vacate(uow, deps, OTHER_COURT, ref, "entered in error")
    assert store.listings[next(iter(store.listings))].status == "active"
    assert store.actions()[-1] == "listing.refused"


def test_vacate_says_why_and_a_closed_listing_cannot_be_vacated(uow, deps, store):
    ref = list_acme(uow, deps)["listing_id"]
    with pytest.raises(ValidationFailed):
        registry.vacate(uow, deps, COURT, ref, "   ")
    assert registry.vacate(uow, deps, COURT, ref, "entered in error")["status"] == "vacated"
    with pytest.raises(Conflict):
        registry.vacate(uow, deps, COURT, ref, "again")


def test_a_court_lists_its_own_listings_newest_first_by_status(uow, deps, store):
    first = list_acme(uow, deps, case="(2026) case 1")["listing_id"]
    later = FakeUnitOfWork(store, FixedClock(datetime(2026, 11, 2, tzinfo=UTC)))
    second = list_acme(later, deps, case="(2026) case 2")["listing_id"]
    list_acme(uow, deps, court=OTHER_COURT, case="(2026) case 3")
    registry.lift(uow, deps, COURT, first, "settlement")
    mine = registry.court_listings(uow, deps, COURT)
    assert [x["listing_id"] for x in mine] == [second, first]
    assert [x["listing_id"] for x in registry.court_listings(uow, deps, COURT, "settled")] \
        == [first]
    assert store.events[-1].action == "listing.list"
    assert store.events[-1].detail == {"count": 1}


def test_a_malformed_restriction_check_is_refused_and_audited(uow, deps, store):
    nobody = SubjectIdentity(national_id="1", name="", date_of_birth=None)
    with pytest.raises(ValidationFailed):
        registry.restriction_check(uow, deps, MEMBER, nobody, "air_travel")
    assert store.inquiries == []
    assert store.actions() == ["restriction_check.refused"]


def test_a_public_search_too_vague_is_refused_before_it_counts(uow, deps, store):
    with pytest.raises(ValidationFailed, match="name"):
        registry.public_search(uow, deps, "203.0.113.9", name="Li")
    assert store.events == []


GRACE_ID = "11010519491231002X"         # a valid resident identity number (cn-cri)
GRACE = registry.Debtor("person", GRACE_ID, "Grace Hopper", date(1949, 12, 31))


def test_a_restriction_check_finds_the_orders_in_force_on_the_persons_file(uow, deps, store):
    store.add_organisation(MEMBER.id, MEMBER.name, "member")
    listing = list_acme(uow, deps, debtor=GRACE)
    (debtor,) = store.subjects.values()
    assert listing["debtor"]["identifier_masked"] == mask_national_id(GRACE_ID)
    who = SubjectIdentity(GRACE_ID, "Grace Hopper", date(1949, 12, 31))
    out = registry.restriction_check(uow, deps, MEMBER, who, "air_travel")
    assert out["restricted"] is True
    assert [(o["case_number"], o["category"]) for o in out["orders"]] == [
        ("(2026) Jing 0105 Zhi 1234", "air_travel")]
    (check,) = store.inquiries
    assert (check.subject_id, check.kind, check.item_ref) == (
        debtor.id, "restriction_check", out["check_id"])
    assert check.result == {"restricted": True, "cases": ["(2026) Jing 0105 Zhi 1234"]}
    assert store.actions() == ["listing.create", "restriction.check"]
    registry.lift(uow, deps, COURT, listing["listing_id"], "performance")
    assert registry.restriction_check(uow, deps, MEMBER, who, "air_travel")["orders"] == []


def test_a_public_search_shows_active_listings_masked_and_is_rate_limited_per_client(
        uow, store):
    from openbureau.config import Settings
    from openbureau.domain.errors import RateLimited

    deps = fake_deps(FixedClock(NOW), "cn-cri", vault=FakeIdentityVault(),
                     settings=Settings(environment="test", public_search_per_minute=2))
    list_acme(uow, deps)
    (hit,) = registry.public_search(uow, deps, "203.0.113.9", name=" Acme   Trading ")
    assert (hit["name"], hit["court"], hit["amount"]) == (ACME.name, COURT.name, 5_000_000)
    assert hit["identifier_masked"] == mask_national_id(ACME.identifier)
    assert hit["listed_on"] == NOW.date()
    assert registry.public_search(uow, deps, "203.0.113.9", name="Nobody Known") == []
    with pytest.raises(RateLimited):
        registry.public_search(uow, deps, "203.0.113.9", name="Acme Trading")
    assert len(registry.public_search(uow, deps, "198.51.100.7", name="Acme Trading")) == 1
    assert deps.rate_limits is not None
    buckets = deps.rate_limits.rows            # type: ignore[attr-defined]
    assert len(buckets) == 2 and all("203.0.113.9" not in b for b in buckets)  # keyed hashes
    assert deps.metrics.rate_limited.labels("public_search")._value.get() == 1


def test_an_identity_that_disagrees_with_the_file_is_refused_audited_and_counted(uow, store):
    from openbureau.config import Settings
    from openbureau.domain.errors import RateLimited

    deps = fake_deps(FixedClock(NOW), "cn-cri", vault=FakeIdentityVault(),
                     settings=Settings(environment="test", court_identity_refusals_per_day=1))
    store.add_subject(5, "Ada Lovelace", id_hmac=deps.vault.lookup_hash(GRACE_ID),
                      id_ciphertext=deps.vault.encrypt(GRACE_ID), id_suffix="002X",
                      date_of_birth=date(1949, 12, 31))
    with pytest.raises(ValidationFailed, match="could not be verified"):
        list_acme(uow, deps, debtor=GRACE)
    assert store.public_records == {} and store.notices == []
    assert store.actions() == ["listing.identity_refused"]
    assert store.events[0].subject_ref is None          # never says a file exists
    with pytest.raises(RateLimited):
        list_acme(uow, deps, debtor=GRACE)
    assert store.actions() == ["listing.identity_refused"] * 2
