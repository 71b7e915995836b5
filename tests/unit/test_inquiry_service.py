"""A member's report pull (``services/inquiries.py``) against the in-memory ports
(tests/fakes.py): no database. tests/integration/test_inquiries.py runs it on both databases,
with the statements an inquiry costs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import FileFrozen, NotFound, PurposeNotPermitted, ValidationFailed
from openbureau.domain.records import SubjectIdentity
from openbureau.domain.roles import Principal, Role
from openbureau.services import inquiries
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MEMBER = Principal(Role.MEMBER, 30, "Lender")
ADA = SubjectIdentity(national_id="123456789", name="Ada Lovelace",
                      date_of_birth=date(1990, 1, 2))


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_organisation(MEMBER.id, MEMBER.name, "member")
    return s


@pytest.fixture
def uow(store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault())


def ada_on_file(store, deps) -> int:
    return store.add_subject(1, "Ada Lovelace", id_hmac=deps.vault.lookup_hash("123456789"),
                             id_ciphertext=deps.vault.encrypt("123456789")).id


def test_a_malformed_identity_or_consent_ref_is_refused_storing_nothing(uow, deps, store):
    unborn = SubjectIdentity(national_id="123456789", name="Ada Lovelace",
                             date_of_birth=date(2027, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        inquiries.pull_report(uow, deps, MEMBER, unborn, "credit_application", None)
    assert "subject.date_of_birth" in {e.field for e in refused.value.errors}
    with pytest.raises(ValidationFailed) as refused:
        inquiries.pull_report(uow, deps, MEMBER, ADA, "credit_application", "c" * 65)
    assert [e.field for e in refused.value.errors] == ["consent_ref"]
    assert store.inquiries == [] and store.events == []
    assert deps.metrics.inquiries._value.get() == 0


def test_a_pull_stores_the_inquiry_with_what_the_member_was_given_and_returns_the_report(
        uow, deps, store):
    sid = ada_on_file(store, deps)
    out = inquiries.pull_report(uow, deps, MEMBER, ADA, "credit_application", None)
    (inquiry,) = store.inquiries
    assert (inquiry.subject_id, inquiry.item_ref, inquiry.purpose) == (
        sid, out["inquiry_id"], "credit_application")
    assert inquiry.result == {"score": None} and out["score"] is None   # no active model
    report = out["report"]
    assert report["subject_ref"] == "sub_1" and report["frozen"] is False
    assert report["identity"]["national_id"] is None                 # masked for a member
    assert [q["item_ref"] for q in report["inquiries"]] == [out["inquiry_id"]]
    assert store.actions() == ["inquiry.pull"]
    assert store.events[0].detail["inquiry_ref"] == out["inquiry_id"]
    assert deps.metrics.inquiries._value.get() == 1


def test_a_refused_pull_stores_nothing_but_its_audit_event(uow, deps, store):
    sid = ada_on_file(store, deps)
    with pytest.raises(PurposeNotPermitted):
        inquiries.pull_report(uow, deps, MEMBER, ADA, "curiosity", None)
    store.freezes.append([sid, NOW, None])
    with pytest.raises(FileFrozen):
        inquiries.pull_report(uow, deps, MEMBER, ADA, "credit_application", None)
    with pytest.raises(NotFound):
        inquiries.pull_report(uow, deps, MEMBER, SubjectIdentity(
            "987654321", "Grace Hopper", date(1976, 12, 9)), "credit_application", None)
    assert store.inquiries == []
    assert store.actions() == ["inquiry.refused"] * 3
    # the file is named when the identity matched it exactly, never otherwise
    assert [e.subject_ref for e in store.events] == ["sub_1", "sub_1", None]
    assert all(e.detail["id_hash"] for e in store.events)
    assert deps.metrics.inquiries._value.get() == 0
