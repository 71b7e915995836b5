"""Organisations, their keys and web sessions; consumers' enrolment, password reset, sign-in
and sessions -- ``services/access.py`` and ``web/sessions.py`` against the in-memory ports (no
database; the rate limits' table a dict, ``FakeRateLimits``). The SQL side (the
``rate_limits`` upserts, the credential cache across processes) is
tests/integration/test_signin_hardening.py, test_brute_force.py, test_session_end.py and
test_credential_cache.py, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.adapters import outbox
from openbureau.adapters.secrets_hashing import digest
from openbureau.clock import FixedClock
from openbureau.domain.errors import (
    Conflict,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from openbureau.domain.roles import SYSTEM, Principal, Role
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
    issued = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Lender", "member")
    who = access.authenticate_key(bureau.uow(), bureau.deps, issued.key)
    assert (who.role, who.id, who.name) == (Role.MEMBER, issued.id, "Lender")
    (listed,) = access.list_organisations(bureau.uow(), bureau.deps)
    assert listed == {"id": issued.id, "name": "Lender", "role": "member", "created_at": NOW,
                      "revoked": False}
    # the key is stored hashed: its secret is nowhere in the store
    assert issued.key.split("_", 2)[2] not in repr(store.logins)   # (the secret may hold "_")
    assert store.actions() == ["organisation.create"]


def test_creating_refuses_a_duplicate_name_and_an_unknown_role(bureau, store):
    access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Lender", "member")
    with pytest.raises(Conflict):
        access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Lender", "court")
    with pytest.raises(ValidationFailed):
        access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Somebody", "consumer")
    assert len(store.organisations) == 1 and store.actions() == ["organisation.create"]


def test_a_wrong_or_malformed_key_is_refused(bureau):
    issued = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Lender", "member")
    prefix = issued.key.split("_")[1]
    for key in (f"ob_{prefix}_not-the-secret", "ob_nope_x", "not a key"):
        with pytest.raises(Unauthenticated):
            access.authenticate_key(bureau.uow(), bureau.deps, key)


def test_rotating_a_key_ends_the_old_key_and_the_web_sessions(bureau, store):
    old = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Bank", "furnisher")
    cookie = sessions.organisation_cookie(bureau, old.key)
    assert sessions.principal_of(bureau, cookie) == Principal(Role.FURNISHER, old.id, "Bank")
    new = access.rotate_key(bureau.uow(), bureau.deps, SYSTEM, "Bank")
    with pytest.raises(Unauthenticated):
        access.authenticate_key(bureau.uow(), bureau.deps, old.key)
    assert sessions.principal_of(bureau, cookie) is None
    assert access.authenticate_key(bureau.uow(), bureau.deps, new.key).id == old.id
    assert store.logins.changes == 1          # server processes told to forget
    assert store.actions() == ["organisation.create", "organisation.web_sign_in",
                               "organisation.rotate_key"]


def test_revoking_an_organisation_refuses_every_key_and_session(bureau, store):
    issued = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Court", "court")
    cookie = sessions.organisation_cookie(bureau, issued.key)
    access.revoke_organisation(bureau.uow(), bureau.deps, SYSTEM, "Court")
    with pytest.raises(Unauthenticated):
        access.authenticate_key(bureau.uow(), bureau.deps, issued.key)
    assert sessions.principal_of(bureau, cookie) is None
    assert access.list_organisations(bureau.uow(), bureau.deps)[0]["revoked"] is True
    with pytest.raises(NotFound):
        access.revoke_organisation(bureau.uow(), bureau.deps, SYSTEM, "Nobody")
    with pytest.raises(NotFound):
        access.rotate_key(bureau.uow(), bureau.deps, SYSTEM, "Nobody")


def test_an_organisation_signs_out_of_the_web(bureau, store):
    issued = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, "Lender", "member")
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
    invite = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)
    assert invite["national_id_masked"] == "*****6789"
    code = invite["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps,
                 NID, DOB, code.lower(), PASSWORD)       # codes are case-blind
    assert store.logins.passwords.keys() == {1}
    with pytest.raises(Unauthenticated):            # a code works once
        access.enrol(bureau.uow(), bureau.deps, NID, DOB, code, PASSWORD)
    second = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    with pytest.raises(Conflict):
        access.enrol(bureau.uow(), bureau.deps, NID, DOB, second, PASSWORD)
    assert store.actions() == ["consumer.invite", "consumer.enrol", "consumer.invite"]


def test_enrolment_is_refused_for_a_wrong_birth_date_code_or_file(bureau, store):
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    with pytest.raises(Unauthenticated):
        access.enrol(bureau.uow(), bureau.deps, NID, date(1991, 1, 2), code, PASSWORD)
    with pytest.raises(Unauthenticated):
        access.enrol(bureau.uow(), bureau.deps,
                     "987654321", DOB, code, PASSWORD)    # someone else's code
    bureau.clock.advance(days=access.ENROLMENT_DAYS + 1)
    with pytest.raises(Unauthenticated):
        access.enrol(bureau.uow(), bureau.deps, NID, DOB, code, PASSWORD)            # expired
    with pytest.raises(ValidationFailed):
        access.enrol(bureau.uow(), bureau.deps, NID, DOB, code, "short")
    with pytest.raises(NotFound):
        access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, "555555555")
    assert store.logins.passwords == {}


def test_a_session_authenticates_until_it_expires_or_the_consumer_signs_out(bureau, store):
    token = "a-session-token"
    with bureau.uow() as uow:
        uow.credentials.add_session(digest(token), 1, NOW, NOW + timedelta(hours=1))
        uow.commit()
    me = access.authenticate_session(bureau.uow(), bureau.deps, token)
    assert (me.role, me.id, me.subject_ref) == (Role.CONSUMER, 1, "sub_1")
    assert sessions.principal_of(bureau, "c." + token) == me
    access.sign_out(bureau.uow(), bureau.deps, me, token)
    with pytest.raises(Unauthenticated):
        access.authenticate_session(bureau.uow(), bureau.deps, token)
    with bureau.uow() as uow:
        uow.credentials.add_session(digest("later"), 1, NOW, NOW + timedelta(hours=1))
        uow.commit()
    bureau.clock.advance(hours=1)
    with pytest.raises(Unauthenticated):
        access.authenticate_session(bureau.uow(), bureau.deps, "later")
    assert store.actions() == ["consumer.sign_out"] and store.logins.changes == 1


def test_a_password_reset_ends_every_session_of_the_file(bureau, store):
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, DOB, code, PASSWORD)
    before = store.logins.passwords[1]
    with bureau.uow() as uow:
        uow.credentials.add_session(digest("t1"), 1, NOW, NOW + timedelta(hours=1))
        uow.credentials.add_session(digest("t2"), 2, NOW, NOW + timedelta(hours=1))
        uow.commit()
    access.request_code(bureau.uow(), bureau.deps, NID, DOB)
    (letter,) = outbox.folder(bureau.settings.var_dir).iterdir()
    code = next(line.strip() for line in letter.read_text().splitlines()
                if line.startswith("    "))
    assert "reset your password" in letter.read_text()
    with pytest.raises(Unauthenticated):
        access.reset_password(bureau.uow(), bureau.deps,
                              NID, date(1991, 1, 2), code, "a new password!")
    access.reset_password(bureau.uow(), bureau.deps, NID, DOB, code, "a new password!")
    assert store.logins.passwords[1] != before
    assert set(store.logins.sessions) == {digest("t2")}          # the other file's stays
    assert store.actions()[-1] == "consumer.password_reset" and store.logins.changes == 1


def test_a_code_request_for_no_file_or_a_wrong_birth_date_sends_nothing(bureau):
    access.request_code(bureau.uow(), bureau.deps, "555555555", DOB)
    access.request_code(bureau.uow(), bureau.deps, NID, date(1991, 1, 2))
    access.request_code(bureau.uow(), bureau.deps, "not an id at all", DOB)
    assert not outbox.folder(bureau.settings.var_dir).exists()


def test_remembered_needs_a_cache(bureau):
    assert access.remembered(bureau.deps, "ob_x_y") is None
    assert access.identity_for_lookup("123-45-6789", "Ada", DOB).national_id == "123456789"


def enrolled(bureau) -> None:
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, DOB, code, PASSWORD)


def test_a_consumer_signs_in_with_the_password_and_the_token_authenticates(bureau, store):
    enrolled(bureau)
    token = access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")
    me = access.authenticate_session(bureau.uow(), bureau.deps, token)
    assert (me.role, me.id, me.subject_ref) == (Role.CONSUMER, 1, "sub_1")
    (session,) = store.logins.sessions.values()
    assert digest(token) in store.logins.sessions and token not in repr(session)
    assert store.actions()[-1] == "consumer.sign_in"


def test_wrong_passwords_lock_the_identifier_from_that_address_only(bureau, store):
    enrolled(bureau)
    allowed = bureau.settings.signin_attempts_before_lockout
    for _ in range(allowed):
        with pytest.raises(Unauthenticated):
            access.sign_in(bureau.uow(), bureau.deps, NID, "not the password", "198.51.100.7")
    with pytest.raises(RateLimited) as locked:            # even the right password now
        access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")
    assert locked.value.retry_after == int(bureau.settings.signin_lockout_seconds)
    # the owner, from another address, is not locked out by a stranger's guesses
    access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "203.0.113.9")
    bureau.clock.advance(seconds=bureau.settings.signin_lockout_seconds)
    token = access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")
    assert access.authenticate_session(bureau.uow(), bureau.deps, token).id == 1
    assert store.actions().count("consumer.sign_in_failed") == allowed
    assert bureau.rate_limits.rows == {      # a success clears the ledger; the window stays
        k: v for k, v in bureau.rate_limits.rows.items() if k.startswith("signin:ip:")}


def test_an_unknown_identifier_gets_the_wrong_passwords_answers(bureau, store):
    for nid in ("555555555", NID):              # nobody there; somebody, not enrolled
        with pytest.raises(Unauthenticated, match="identifier or password is wrong"):
            access.sign_in(bureau.uow(), bureau.deps, nid, PASSWORD)
    assert store.actions() == ["consumer.sign_in_failed"] * 2
    # a file nobody enrolled under has no login: named no more than no file at all
    assert [e.subject_ref for e in store.events] == [None, None]


def test_sign_in_attempts_from_one_address_are_limited(bureau):
    enrolled(bureau)
    bureau.settings = bureau.settings.model_copy(update={"signin_per_minute": 2})
    for _ in range(2):
        access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")
    with pytest.raises(RateLimited):
        access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")
    bureau.clock.advance(minutes=1)
    access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD, "198.51.100.7")


def test_the_use_cases_that_limit_refuse_to_run_without_limits(bureau):
    import dataclasses

    deps = dataclasses.replace(bureau.deps, rate_limits=None)
    with pytest.raises(RuntimeError, match="no rate limits"):
        access.sign_in(bureau.uow(), deps, NID, PASSWORD)
