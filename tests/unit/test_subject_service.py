"""Finding and opening files by identity against the in-memory ports (tests/fakes.py): no
database. The SQL repository (``adapters/subjects.py``) is proven by every integration test
that looks a file up; a look-up by the matching model (``subjects.find`` with ``strict``,
``services.resolution``) runs on the fakes too, and on both databases in
test_identity_resolution.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import NotFound
from openbureau.domain.records import SubjectIdentity
from openbureau.domain.roles import Principal, Role
from openbureau.services import subjects
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA_ID = "123456789"
ADA = SubjectIdentity(national_id=ADA_ID, name="Ada Lovelace", date_of_birth=date(1990, 1, 2))


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def uow(store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def vault() -> FakeIdentityVault:
    return FakeIdentityVault()


def held(store: FakeStore, vault: FakeIdentityVault) -> int:
    return store.add_subject(
        5, "Ada Lovelace", id_hmac=vault.lookup_hash(ADA_ID),
        id_ciphertext=vault.encrypt(ADA_ID), id_suffix=ADA_ID[-4:]).id


def test_a_proven_identifier_finds_its_file_by_id_alone(uow, store, vault):
    sid = held(store, vault)
    with uow:
        found = subjects.find(uow, vault, SubjectIdentity(
            national_id=ADA_ID, name="Someone Else", date_of_birth=None), strict=False)
        assert found.id == sid
        with pytest.raises(NotFound, match=subjects.NO_FILE):
            subjects.find(uow, vault, SubjectIdentity(
                national_id="987654321", name="Ada Lovelace", date_of_birth=None),
                strict=False)
        with pytest.raises(NotFound):
            subjects.find(uow, vault, SubjectIdentity(
                national_id=None, name="Ada Lovelace", date_of_birth=None), strict=False)


def test_by_id_and_own_answer_no_file_for_a_file_not_held(uow, store, vault):
    sid = held(store, vault)
    with uow:
        assert subjects.by_id(uow, sid).item_ref == "sub_5"
        consumer = Principal(Role.CONSUMER, sid, "", subject_ref="sub_5")
        assert subjects.own(uow, consumer).id == sid
        with pytest.raises(NotFound):
            subjects.by_id(uow, 99)


def test_find_or_create_opens_a_file_once_with_the_identifier_encrypted(uow, store, vault):
    with uow:
        sid = subjects.find_or_create(uow, vault, ADA, kind="person")
        assert subjects.find_or_create(uow, vault, ADA) == sid
        uow.commit()
    (made,) = store.subjects.values()
    assert made.id == sid and made.created_at == NOW and made.item_ref.startswith("sub_")
    assert (made.name, made.date_of_birth, made.kind, made.id_suffix) == (
        "Ada Lovelace", date(1990, 1, 2), "person", "6789")
    assert made.id_hmac == vault.lookup_hash(ADA_ID)
    assert made.id_ciphertext != ADA_ID.encode()
    assert vault.decrypt(made.id_ciphertext) == ADA_ID


def test_the_identity_view_shows_the_full_identifier_to_the_subject_alone(uow, store, vault):
    sid = held(store, vault)
    with uow:
        row = subjects.by_id(uow, sid)
    theirs = subjects.identity_view(vault, row, reveal=True)
    others = subjects.identity_view(vault, row, reveal=False)
    assert theirs["national_id"] == ADA_ID
    assert others["national_id"] is None
    assert others["national_id_masked"] == "*****6789"
    assert others["date_of_birth"] == "1990-01-02"


def test_a_look_up_by_the_matching_model_finds_the_file_and_says_how(uow, store, vault):
    sid = held(store, vault)
    with uow:
        found, near, link = subjects.resolve_linked(uow, vault, ADA)
        assert (found.id, near) == (sid, (sid,))
        assert link["at"] == NOW.date().isoformat()
        assert subjects.given_view(vault, link)["national_id_masked"] == "*****6789"
        with pytest.raises(NotFound, match=subjects.NO_FILE):
            subjects.find(uow, vault, SubjectIdentity(
                national_id="987654321", name="Grace Hopper", date_of_birth=date(1976, 12, 9)))
