"""A server process remembers the credentials it verified only while it listens for changes, and
forgets them the moment any process revokes a key, rotates one or ends a session
(``adapters/credential_cache.py``), on a real PostgreSQL. Two bureaus on one database stand
for two processes: one serving (with the cache), one where an operator or a consumer acts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from openbureau.adapters import credential_cache
from openbureau.adapters.credential_cache import CredentialCache, Remembered
from openbureau.api.app import start_credential_cache
from openbureau.bootstrap import Bureau, bootstrap
from openbureau.clock import FixedClock
from openbureau.domain.errors import Unauthenticated
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access
from openbureau.services.ports import Deps, UnitOfWork
from tests.conftest import NOW, _postgres_engine, make_settings

pytestmark = pytest.mark.postgres
PROMPTLY = 3.0        # seconds: a notification crosses a local connection in milliseconds


def eventually(check: Callable[[], bool], within: float = PROMPTLY) -> bool:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def forgotten_then_refused(bureau: Bureau, credential: str,
                           check: Callable[[UnitOfWork, Deps, str], Principal]) -> None:
    """The serving process forgets ``credential`` promptly, and the database refuses it."""
    assert eventually(lambda: access.remembered(bureau.deps, credential) is None)
    with pytest.raises(Unauthenticated):
        check(bureau.uow(), bureau.deps, credential)


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[object]:
    """A database of its own: these tests commit for real (a notification is delivered only
    when its transaction commits; the shared fixtures roll everything back)."""
    from openbureau.adapters.database import upgrade

    gen = _postgres_engine()
    engine = next(gen)
    upgrade(engine)
    yield engine
    next(gen, None)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def serving(pg_engine, tmp_path: Path, clock: FixedClock) -> Iterator[Bureau]:  # type: ignore[no-untyped-def]
    b = bootstrap(make_settings(tmp_path / "var"), engine=pg_engine, clock=clock)
    start_credential_cache(b)
    assert b.credentials is not None and b.credentials.wait_live(PROMPTLY)
    yield b
    b.credentials.close()


@pytest.fixture
def elsewhere(pg_engine, tmp_path: Path, clock: FixedClock) -> Bureau:  # type: ignore[no-untyped-def]
    """Another process: same database and keys, no cache of its own."""
    return bootstrap(make_settings(tmp_path / "var"), engine=pg_engine, clock=clock)


def _org(bureau: Bureau, name: str) -> str:
    return access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, name, "member").key


def test_a_key_is_remembered_then_refused_everywhere_once_revoked(serving, elsewhere):
    key = _org(elsewhere, "Revoked Elsewhere Lender")
    assert access.remembered(serving.deps, key) is None              # never checked here yet
    who = access.authenticate_key(serving.uow(), serving.deps,
                                  key)                 # checked in the database
    assert access.remembered(serving.deps, key) == who               # and remembered
    assert access.remembered(serving.deps, key[:-1] + ("A" if key[-1] != "A" else "B")) is None

    access.revoke_organisation(elsewhere.uow(), elsewhere.deps, SYSTEM, "Revoked Elsewhere Lender")
    forgotten_then_refused(serving, key, access.authenticate_key)


def test_a_rotated_key_is_forgotten_and_the_new_one_works(serving, elsewhere):
    old = _org(elsewhere, "Rotating Lender")
    access.authenticate_key(serving.uow(), serving.deps, old)
    new = access.rotate_key(elsewhere.uow(), elsewhere.deps, SYSTEM, "Rotating Lender").key
    forgotten_then_refused(serving, old, access.authenticate_key)
    assert access.authenticate_key(serving.uow(), serving.deps, new).name == "Rotating Lender"


def test_a_session_ended_elsewhere_is_forgotten_and_one_past_its_end_is_not_answered(
        serving, elsewhere, clock):
    from sqlalchemy import insert

    from openbureau.adapters.secrets_hashing import digest
    from openbureau.adapters.tables import consumer_sessions, subjects
    from openbureau.services.refs import new_ref

    token = "a-session-token-for-the-cache-test"
    with elsewhere.uow() as uow:
        subject_id = uow.execute(insert(subjects).values(
            id_hmac=elsewhere.vault.lookup_hash("900555001"),
            id_ciphertext=elsewhere.vault.encrypt("900555001"), id_suffix="5001",
            name="Cache Tester", kind="person", created_at=clock.now(),
            item_ref=new_ref("sub")).returning(subjects.c.id)).scalar_one()
        uow.execute(insert(consumer_sessions).values(
            token_hash=digest(token), subject_id=subject_id, created_at=clock.now(),
            expires_at=clock.now() + timedelta(hours=1)))
        uow.commit()
    who = access.authenticate_session(serving.uow(), serving.deps, token)
    assert who.role is Role.CONSUMER and access.remembered(serving.deps, token) == who

    clock.advance(minutes=61)                  # past the session's own end: not answered
    assert access.remembered(serving.deps, token) is None
    clock.advance(minutes=-61)
    assert access.remembered(serving.deps, token) == who

    access.sign_out(elsewhere.uow(), elsewhere.deps, None, token)
    forgotten_then_refused(serving, token, access.authenticate_session)


def test_a_change_rolled_back_tells_no_one(serving, elsewhere):
    key = _org(elsewhere, "Rolled Back Lender")
    access.authenticate_key(serving.uow(), serving.deps, key)
    before = serving.credentials.generation
    with elsewhere.uow() as uow:
        credential_cache.changed(uow)
        uow.rollback()
    time.sleep(0.5)
    assert serving.credentials.generation == before
    assert access.remembered(serving.deps, key) is not None


def test_nothing_is_remembered_while_not_listening(serving, elsewhere, pg_engine):
    key = _org(elsewhere, "Dropped Listener Lender")
    access.authenticate_key(serving.uow(), serving.deps, key)
    cache = serving.credentials
    # the listener's connection dies (a restart, a network cut): the process stops answering
    # from memory at once, checks in the database meanwhile, and listens again
    with pg_engine.connect() as conn:
        killed = conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN openbureau_credentials%' AND pid <> pg_backend_pid()"
        )).scalars().all()
    assert killed == [True]
    assert eventually(lambda: not cache.live)
    assert access.remembered(serving.deps, key) is None
    assert access.authenticate_key(serving.uow(), serving.deps,
                                   key).name == "Dropped Listener Lender"   # database
    assert cache.wait_live(15)
    access.authenticate_key(serving.uow(), serving.deps, key)
    assert access.remembered(serving.deps, key) is not None


def test_an_answer_read_before_a_change_is_not_stored_after_it(serving):
    cache = serving.credentials
    who = Principal(Role.MEMBER, 1, "Slow Reader")
    generation = cache.generation          # a check reads the database...
    cache.forget_all()                     # ...a revocation is notified meanwhile...
    cache.put(("key", "slow"), Remembered("d", who), generation)      # ...its answer is stale
    assert cache.get(("key", "slow")) is None
    cache.put(("key", "slow"), Remembered("d", who), cache.generation)
    assert cache.get(("key", "slow")) is not None


def test_entries_expire_after_the_configured_time(pg_engine):
    now = [100.0]
    cache = CredentialCache(pg_engine, ttl=60, monotonic=lambda: now[0]).start()
    try:
        assert cache.wait_live(PROMPTLY)
        cache.put("k", Remembered("d", Principal(Role.MEMBER, 1, "x")), cache.generation)
        now[0] += 59
        assert cache.get("k") is not None
        now[0] += 2
        assert cache.get("k") is None
    finally:
        cache.close()


def test_sqlite_and_a_zero_setting_remember_nothing(tmp_path, pg_engine):
    from openbureau.adapters.database import make_engine, upgrade

    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    upgrade(lite)
    b = bootstrap(make_settings(tmp_path / "var"), engine=lite)
    start_credential_cache(b)
    assert b.credentials is None
    off = bootstrap(make_settings(tmp_path / "var2", credential_cache_seconds=0),
                    engine=pg_engine)
    start_credential_cache(off)
    assert off.credentials is None
