"""Organisations, their keys and web sessions; consumers' enrolment, password reset and
sessions -- ``services/access.py`` and ``web/sessions.py`` against the in-memory ports (no
database). Signing in by password is not here: its lock-out ledger (``adapters/rate_limit``)
is still read with SQL; tests/integration/test_signin_hardening.py, test_brute_force.py,
test_session_end.py and test_credential_cache.py drive all of it on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.adapters import outbox
from openbureau.adapters.secrets_hashing import digest
from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import access
from openbureau.web import sessions
from tests.fakes import FakeBureau, FakeStore

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NID = "123456789"
DOB = date(1990, 1, 2)
PASSWORD = "correct horse battery"


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1, id_hmac=f"h:{NID}")
    s.add_file(2, "Bob Babbage", id_hmac="h:987654321")
    return s


@pytest.fixture
def bureau(store, tmp_path):
    b = FakeBureau(store, FixedClock(NOW))
    b.settings = b.settings.model_copy(update={"var_dir": tmp_path})
    return b


def test_an_organisation_is_created_listed_and_its_key_authenticates(bureau, store):
    issued = access.create_organisation(bureau, "Lender", "member")
    who = access.authenticate_key(bureau, issued.key)
    assert (who.role, who.id, who.name) == (Role.MEMBER, issued.id, "Lender")
    (listed,) = access.list_organisations(bureau)
    assert listed == {"id": issued.id, "name": "Lender", "role": "member", "created_at": NOW,
                      "revoked": False}
    # the key is stored hashed: its secret is nowhere in the store
    assert issued.key.split("_")[2] not in repr(store.logins)
    assert store.actions() == ["organisation.create"]


def test_creating_refuses_a_duplicate_name_and_an_unknown_role(bureau, store):
    access.create_organisation(bureau, "Lender", "member")
    with pytest.raises(Conflict):
        access.create_organisation(bureau, "Lender", "court")
    with pytest.raises(ValidationFailed):
        access.create_organisation(bureau, "Somebody", "consumer")
    assert len(store.organisations) == 1 and store.actions() == ["organisation.create"]


def test_a_wrong_or_malformed_key_is_refused(bureau):
    issued = access.create_organisation(bureau, "Lender", "member")
    prefix = issued.key.split("_")[1]
    for key in (f"ob_{prefix}_not-the-secret", "ob_nope_x", "not a key"):
        with pytest.raises(Unauthenticated):
            access.authenticate_key(bureau, key)


def test_rotating_a_key_ends_the_old_key_and_the_web_sessions(bureau, store):
    old = access.create_organisation(bureau, "Bank", "furnisher")
    cookie = sessions.organisation_cookie(bureau, old.key)
    assert sessions.principal_of(bureau, cookie) == Principal(Role.FURNISHER, old.id, "Bank")
    new = access.rotate_key(bureau, "Bank")
    with pytest.raises(Unauthenticated):
        access.authenticate_key(bureau, old.key)
    assert sessions.principal_of(bureau, cookie) is None
    assert access.authenticate_key(bureau, new.key).id == old.id
    assert store.logins.changes == 1          # server processes told to forget
    assert store.actions() == ["organisation.create", "organisation.web_sign_in",
                               "organisation.rotate_key"]


def test_revoking_an_organisation_refuses_every_key_and_session(bureau, store):
    issued = access.create_organisation(bureau, "Court", "court")
    cookie = sessions.organisation_cookie(bureau, issued.key)
    access.revoke_organisation(bureau, "Court")
    with pytest.raises(Unauthenticated):
        access.authenticate_key(bureau, issued.key)
    assert sessions.principal_of(bureau, cookie) is None
    assert access.list_organisations(bureau)[0]["revoked"] is True
    with pytest.raises(NotFound):
        access.revoke_organisation(bureau, "Nobody")
    with pytest.raises(NotFound):
        access.rotate_key(bureau, "Nobody")


def test_an_organisation_signs_out_of_the_web(bureau, store):
    issued = access.create_organisation(bureau, "Lender", "member")
    cookie = sessions.organisation_cookie(bureau, issued.key)
    sessions.sign_out(bureau, cookie)
    assert sessions.principal_of(bureau, cookie) is None
    sessions.sign_out(bureau, cookie)               # already ended: nothing more recorded
    assert store.actions() == ["organisation.create", "organisation.web_sign_in",
                               "organisation.web_sign_out"]
    # a forged signature is no session at all
    assert sessions.principal_of(bureau, cookie[:-1] + ("0" if cookie[-1] != "0" else "1")) \
        is None


def test_a_consumer_is_invited_and_enrols_once(bureau, store):
    invite = access.invite_consumer(bureau, NID)
    assert invite["national_id_masked"] == "*****6789"
    code = invite["enrolment_code"]
    access.enrol(bureau, NID, DOB, code.lower(), PASSWORD)       # codes are case-blind
    assert store.logins.passwords.keys() == {1}
    with pytest.raises(Unauthenticated):            # a code works once
        access.enrol(bureau, NID, DOB, code, PASSWORD)
    second = access.invite_consumer(bureau, NID)["enrolment_code"]
    with pytest.raises(Conflict):
        access.enrol(bureau, NID, DOB, second, PASSWORD)
    assert store.actions() == ["consumer.invite", "consumer.enrol", "consumer.invite"]


def test_enrolment_is_refused_for_a_wrong_birth_date_code_or_file(bureau, store):
    code = access.invite_consumer(bureau, NID)["enrolment_code"]
    with pytest.raises(Unauthenticated):
        access.enrol(bureau, NID, date(1991, 1, 2), code, PASSWORD)
    with pytest.raises(Unauthenticated):
        access.enrol(bureau, "987654321", DOB, code, PASSWORD)    # someone else's code
    bureau.clock.advance(days=access.ENROLMENT_DAYS + 1)
    with pytest.raises(Unauthenticated):
        access.enrol(bureau, NID, DOB, code, PASSWORD)            # expired
    with pytest.raises(ValidationFailed):
        access.enrol(bureau, NID, DOB, code, "short")
    with pytest.raises(NotFound):
        access.invite_consumer(bureau, "555555555")
    assert store.logins.passwords == {}


def test_a_session_authenticates_until_it_expires_or_the_consumer_signs_out(bureau, store):
    token = "a-session-token"
    with bureau.uow() as uow:
        uow.credentials.add_session(digest(token), 1, NOW, NOW + timedelta(hours=1))
        uow.commit()
    me = access.authenticate_session(bureau, token)
    assert (me.role, me.id, me.subject_ref) == (Role.CONSUMER, 1, "sub_1")
    assert sessions.principal_of(bureau, "c." + token) == me
    access.sign_out(bureau, token, me)
    with pytest.raises(Unauthenticated):
        access.authenticate_session(bureau, token)
    with bureau.uow() as uow:
        uow.credentials.add_session(digest("later"), 1, NOW, NOW + timedelta(hours=1))
        uow.commit()
    bureau.clock.advance(hours=1)
    with pytest.raises(Unauthenticated):
        access.authenticate_session(bureau, "later")
    assert store.actions() == ["consumer.sign_out"] and store.logins.changes == 1


def test_a_password_reset_ends_every_session_of_the_file(bureau, store):
    access.enrol(bureau, NID, DOB, access.invite_consumer(bureau, NID)["enrolment_code"],
                 PASSWORD)
    before = store.logins.passwords[1]
    with bureau.uow() as uow:
        uow.credentials.add_session(digest("t1"), 1, NOW, NOW + timedelta(hours=1))
        uow.credentials.add_session(digest("t2"), 2, NOW, NOW + timedelta(hours=1))
        uow.commit()
    access.request_code(bureau, NID, DOB)
    (letter,) = outbox.folder(bureau.settings.var_dir).iterdir()
    code = next(line.strip() for line in letter.read_text().splitlines()
                if line.startswith("    "))
    assert "reset your password" in letter.read_text()
    with pytest.raises(Unauthenticated):
        access.reset_password(bureau, NID, date(1991, 1, 2), code, "a new password!")
    access.reset_password(bureau, NID, DOB, code, "a new password!")
    assert store.logins.passwords[1] != before
    assert set(store.logins.sessions) == {digest("t2")}          # the other file's stays
    assert store.actions()[-1] == "consumer.password_reset" and store.logins.changes == 1


def test_a_code_request_for_no_file_or_a_wrong_birth_date_sends_nothing(bureau):
    access.request_code(bureau, "555555555", DOB)
    access.request_code(bureau, NID, date(1991, 1, 2))
    access.request_code(bureau, "not an id at all", DOB)
    assert not outbox.folder(bureau.settings.var_dir).exists()


def test_remembered_needs_a_cache(bureau):
    assert access.remembered(bureau, "ob_x_y") is None
    assert access.identity_for_lookup("123-45-6789", "Ada", DOB).national_id == "123456789"
