"""Brute force against credentials: consumer sign-in is rate-limited per client address and
locks an identifier from that address after repeated failures (429 with Retry-After, as a
problem document; progressive and per address: tests/integration/test_signin_hardening.py); API keys
are refused unless the whole key verifies, and are compared in constant time (argon2, then
``hmac.compare_digest`` for the cached digest)."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from sqlalchemy import select

from openbureau.adapters import secrets_hashing
from openbureau.adapters.tables import api_keys
from openbureau.domain.errors import RateLimited, Unauthenticated
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_furnishing_api import record

NID = "900100200"
PASSWORD = "a long enough password"


@pytest.fixture
def consumer(bureau, orgs, client) -> str:
    """An enrolled consumer; returns the national id."""
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(), record(subject={
                        "national_id": "900100201", "name": "Bo Li"}, account_ref="L-1")]})
    assert r.status_code == 200 and r.json()["accepted"] == 2
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, date(1985, 12, 10), code, PASSWORD)
    return NID


def sign_in(client, national_id: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/consumer/sessions",
                       json={"national_id": national_id, "password": password})


def assert_429(r) -> int:  # type: ignore[no-untyped-def]
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 429
    retry = int(r.headers["retry-after"])
    assert retry > 0
    return retry


# -- per client address ------------------------------------------------------------------------

def test_sign_in_is_rate_limited_per_client_address(bureau, client, consumer, clock):
    bureau.settings.signin_per_minute = 5
    # password spraying: a different file each time, so no single file locks
    for i in range(5):
        assert sign_in(client, f"90010030{i}", "guess-guess-guess").status_code == 401
    retry = assert_429(sign_in(client, "900100399", "guess-guess-guess"))
    assert retry <= 60
    # while limited, even the right password from that address waits
    assert_429(sign_in(client, consumer, PASSWORD))
    # another address is not held up by this one
    assert access.sign_in(bureau.uow(), bureau.deps, consumer, PASSWORD, client="192.0.2.7")
    # the window passes
    clock.advance(seconds=61)
    assert sign_in(client, consumer, PASSWORD).status_code == 201


def test_the_web_sign_in_form_counts_against_the_same_limit(bureau, consumer):
    from openbureau.web import sessions

    bureau.settings.signin_per_minute = 2
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            sessions.consumer_cookie(bureau, "900100399", "guess-guess-guess", "198.51.100.1")
    with pytest.raises(RateLimited):
        sessions.consumer_cookie(bureau, consumer, PASSWORD, "198.51.100.1")


def test_the_limiter_is_one_parameterised_mechanism(bureau, clock):
    bucket = bureau.deps.rate_limits.bucket_for("test", "203.0.113.9")
    assert "203.0.113.9" not in bucket            # addresses are not stored in clear
    for _ in range(3):
        bureau.deps.rate_limits.take(bucket, 3)
    with pytest.raises(RateLimited) as exc:
        bureau.deps.rate_limits.take(bucket, 3)
    assert 1 <= exc.value.retry_after <= 60
    clock.advance(seconds=60)
    bureau.deps.rate_limits.take(bucket, 3)


# -- per identifier and address: lockout -------------------------------------------------------

def test_repeated_failures_lock_the_id_then_it_unlocks(bureau, client, consumer, clock):
    limit = bureau.settings.signin_attempts_before_lockout
    for _ in range(limit):
        r = sign_in(client, consumer, "not-the-password")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    # locked: the right password is refused too, and the answer says when to come back
    retry = assert_429(sign_in(client, consumer, PASSWORD))
    assert retry == 60           # the first lock; each further failure doubles it
    # the lockout binds that identifier only
    assert sign_in(client, "900100201", PASSWORD).status_code == 401     # not enrolled
    clock.advance(seconds=61)
    assert sign_in(client, consumer, PASSWORD).status_code == 201


def test_a_success_resets_the_failure_count(bureau, client, consumer):
    limit = bureau.settings.signin_attempts_before_lockout
    for _ in range(limit - 1):
        assert sign_in(client, consumer, "not-the-password").status_code == 401
    assert sign_in(client, consumer, PASSWORD).status_code == 201
    for _ in range(limit - 1):
        assert sign_in(client, consumer, "not-the-password").status_code == 401
    assert sign_in(client, consumer, PASSWORD).status_code == 201


def test_unknown_identifiers_are_refused_like_wrong_passwords(client, consumer):
    a = sign_in(client, "999999998", PASSWORD)
    b = sign_in(client, consumer, "not-the-password")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


# -- API keys ----------------------------------------------------------------------------------

def _tamper(key: str) -> str:
    prefix, secret = key.rsplit("_", 1)[0], key.rsplit("_", 1)[1]
    flipped = ("A" if secret[-1] != "A" else "B")
    return f"{prefix}_{secret[:-1]}{flipped}"


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "after-a-good-call"])
def test_a_wrong_key_with_a_valid_prefix_is_refused(bureau, client, orgs, warm):
    key = orgs["member"]
    parts = key.split("_", 2)
    if warm:      # the verified key's digest is now cached; a wrong secret must still fail
        assert client.get("/v1/member/offers", headers=auth(key)).status_code == 200
    for bad in (_tamper(key), f"{parts[0]}_{parts[1]}_", f"{parts[0]}_{parts[1]}_x",
                f"{parts[0]}_{parts[1]}_{parts[2]}x", key[:-1]):
        r = client.get("/v1/member/offers", headers=auth(bad))
        assert r.status_code == 401, bad
        assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/member/offers", headers=auth(key)).status_code == 200


def test_keys_are_stored_as_argon2_hashes_only(bureau, orgs):
    key = orgs["court"]
    with bureau.uow() as uow:
        stored = uow.execute(select(api_keys.c.prefix, api_keys.c.key_hash)).all()
    secret = key.split("_", 2)[2]
    assert stored and all(h.startswith("$argon2id$") for _, h in stored)
    assert all(secret not in h for _, h in stored)


def test_key_verification_is_constant_time(bureau, orgs, monkeypatch):
    """By inspection and by spying: the secret goes through argon2's verify (constant time by
    construction) and the cached digest through ``hmac.compare_digest``; never ``==``."""
    src = inspect.getsource(access.authenticate_key)
    assert "verify_secret(" in src and "same(" in src
    assert "== secret" not in src and "secret ==" not in src and "== digest" not in src
    assert "hmac.compare_digest" in inspect.getsource(secrets_hashing.same)
    assert "_hasher.verify" in inspect.getsource(secrets_hashing.verify_secret)

    key = orgs["auditor"]
    calls = {"argon2": 0, "compare_digest": 0}
    real_verify, real_compare = access.verify_secret, secrets_hashing.hmac.compare_digest

    def spy_verify(stored: str, secret: str) -> bool:
        calls["argon2"] += 1
        return real_verify(stored, secret)

    def spy_compare(a: bytes, b: bytes) -> bool:
        calls["compare_digest"] += 1
        return real_compare(a, b)

    monkeypatch.setattr(access, "verify_secret", spy_verify)
    monkeypatch.setattr(secrets_hashing.hmac, "compare_digest", spy_compare)
    bureau.verified_keys.clear()
    access.authenticate_key(bureau.uow(), bureau.deps, key)                 # cold: argon2
    assert calls == {"argon2": 1, "compare_digest": 0}
    access.authenticate_key(bureau.uow(), bureau.deps,
                            key)                 # cached: compare_digest, no argon2
    assert calls == {"argon2": 1, "compare_digest": 1}
    with pytest.raises(Unauthenticated):                 # wrong secret: digest differs, argon2
        access.authenticate_key(bureau.uow(), bureau.deps, _tamper(key))
    assert calls == {"argon2": 2, "compare_digest": 2}
