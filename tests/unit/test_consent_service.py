"""The consumer's consents and the consent check of an inquiry or of furnished income, against
the in-memory ports (no database); tests/integration/test_consents.py and
test_income_consent.py drive the same use cases over HTTP on both databases."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import (
    Conflict,
    ConsentRequired,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from openbureau.domain.roles import Principal, Role
from openbureau.services import consents, income_consents
from tests.fakes import Account, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA = Principal(Role.CONSUMER, 1, "", subject_ref="sub_1")
LENDER = Principal(Role.MEMBER, 40, "Lender")
BANK = Principal(Role.FURNISHER, 10, "Bank")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1)
    s.add_file(2, "Bob Babbage")
    s.add_organisation(LENDER.id, LENDER.name, "member")
    s.add_organisation(41, "Gone lender", "member", revoked=True)
    s.add_organisation(BANK.id, BANK.name, "furnisher")
    s.add_organisation(11, "Other bank", "furnisher")
    s.accounts["acc_1"] = Account("acc_1", 1, BANK.id, "CARD-1")
    return s


def unit(store, clock):
    return FakeUnitOfWork(store, clock)


def test_a_consumer_grants_lists_and_revokes_a_consent(store, clock):
    deps = fake_deps(clock)
    given = consents.grant(unit(store, clock), deps, ADA, "Lender", "credit_application",
                           NOW + timedelta(days=30))
    assert (given["member"], given["status"], given["source"]) == ("Lender", "in_force",
                                                                   "consumer")
    (listed,) = consents.my_consents(unit(store, clock), deps, ADA)
    assert listed["consent_ref"] == given["consent_ref"]
    clock.advance(hours=1)
    gone = consents.revoke(unit(store, clock), deps, ADA, given["consent_ref"])
    assert gone["revoked_at"] == clock.now() and gone["status"] == "revoked"
    again = consents.revoke(unit(store, clock), deps, ADA, given["consent_ref"])
    assert again["revoked_at"] == gone["revoked_at"]              # unchanged, not re-audited
    assert store.actions() == ["consent.granted", "consents.read", "consent.revoked"]


def test_grant_and_revoke_refusals_store_nothing(store, clock):
    deps = fake_deps(clock)
    with pytest.raises(NotFound):
        consents.grant(unit(store, clock), deps, ADA, 41, "credit_application",
                       NOW + timedelta(days=30))                 # a revoked member
    with pytest.raises(ValidationFailed):
        consents.grant(unit(store, clock), deps, ADA, LENDER.id, "gossip",
                       NOW + timedelta(days=30))
    with pytest.raises(NotFound):
        consents.revoke(unit(store, clock), deps, ADA, "cns_nope")
    assert store.consents == {} and store.events == []


def test_an_expired_consent_cannot_be_revoked_nor_any_where_the_profile_forbids(store, clock):
    deps = fake_deps(clock)
    ref = consents.grant(unit(store, clock), deps, ADA, LENDER.id, "credit_application",
                         NOW + timedelta(days=1))["consent_ref"]
    fixed = dataclasses.replace(deps, profile=dataclasses.replace(deps.profile,
                                                                  consent_revocable=False))
    with pytest.raises(PermissionDenied):
        consents.revoke(unit(store, clock), fixed, ADA, ref)
    clock.advance(days=2)
    with pytest.raises(Conflict):
        consents.revoke(unit(store, clock), deps, ADA, ref)


def test_members_and_the_furnishers_of_ones_file_are_offered(store, clock):
    deps = fake_deps(clock)
    assert consents.member_organisations(unit(store, clock), deps) == [
        {"id": LENDER.id, "name": "Lender"}]
    assert consents.income_furnishers(unit(store, clock), deps, ADA) == [
        {"id": BANK.id, "name": "Bank"}]


def test_an_inquiry_is_allowed_only_by_the_members_consent_in_force(store, clock):
    deps = fake_deps(clock)
    ref = consents.grant(unit(store, clock), deps, ADA, LENDER.id, "employment",
                         NOW + timedelta(days=30))["consent_ref"]
    with unit(store, clock) as uow:
        named = consents.for_inquiry(uow, deps.profile, LENDER, 1, "employment", ref)
        found = consents.for_inquiry(uow, deps.profile, LENDER, 1, "employment", None)
        assert named.ref == found.ref == ref
        other = Principal(Role.MEMBER, 41, "Gone lender")
        for who, sid, purpose, named_ref in ((other, 1, "employment", ref),
                                             (LENDER, 2, "employment", ref),
                                             (LENDER, 1, "employment", "cns_nope"),
                                             (LENDER, 1, "tenancy", None)):
            with pytest.raises(ConsentRequired):
                consents.for_inquiry(uow, deps.profile, who, sid, purpose, named_ref)


def test_income_is_kept_only_under_the_furnishers_income_consent(store, clock):
    deps = fake_deps(clock)
    ref = consents.grant(unit(store, clock), deps, ADA, BANK.id, "credit_application",
                         NOW + timedelta(days=30), ["income"])["consent_ref"]
    with unit(store, clock) as uow:
        refused = income_consents.check(uow, BANK.id, {
            "ok": (ref, 1), "other file": (ref, 2), "unknown": ("cns_nope", 1)})
        assert set(refused) == {"other file", "unknown"}
        assert income_consents.check(uow, 11, {"x": (ref, 1)}) == {
            "x": income_consents.rules.OTHER_ORGANISATION}


def test_the_income_warning_says_what_to_do_and_names_no_endpoint():
    # the entry point (API, page, CLI) says where a consent is recorded; the rule says what
    from openbureau.domain.consents import NO_SUCH_CONSENT, OTHER_ORGANISATION, income_not_stored

    for reason in (NO_SUCH_CONSENT, OTHER_ORGANISATION):
        warning = income_not_stored(reason)
        assert warning.field == "monthly_income"
        assert "consent this furnisher recorded" in warning.message
        assert "/v1/" not in warning.message and "POST" not in warning.message


def test_a_member_records_a_consent_for_the_file_its_identity_finds(clock):
    from datetime import date

    from openbureau.domain.records import SubjectIdentity

    s = FakeStore()
    s.add_subject(1, id_hmac="h:123456789")
    s.add_organisation(LENDER.id, LENDER.name, "member")
    deps = fake_deps(clock)
    ada = SubjectIdentity("123456789", "Ada Lovelace", date(1990, 1, 2))
    out = consents.record(unit(s, clock), deps, LENDER, ada, "credit_application",
                          ["report"], NOW - timedelta(days=1), NOW + timedelta(days=30),
                          "signed_form", "ab" * 32)
    assert out["consent_ref"] and out["status"] == "in_force" and out["source"] == "member"
    (stored,) = s.consents.values()
    assert (stored.subject_id, stored.organisation_id, stored.purpose) == (
        1, LENDER.id, "credit_application")
    assert s.actions() == ["consent.recorded"]
    # nobody's identity: "no file", refused and audited, nothing stored
    with pytest.raises(NotFound):
        consents.record(unit(s, clock), deps, LENDER,
                        SubjectIdentity("987654321", "Nobody Known", date(1970, 1, 1)),
                        "credit_application", ["report"], NOW - timedelta(days=1),
                        NOW + timedelta(days=30), "signed_form", "ab" * 32)
    # bad evidence: refused before any look-up
    with pytest.raises(ValidationFailed):
        consents.record(unit(s, clock), deps, LENDER, ada, "credit_application",
                        ["report"], NOW - timedelta(days=1), NOW + timedelta(days=30),
                        "signed_form", "not a digest")
    assert s.actions() == ["consent.recorded"] + ["consent.record_refused"] * 2
    assert len(s.consents) == 1
