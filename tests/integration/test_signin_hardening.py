"""Consumer sign-in tells no one who is enrolled and lets no stranger lock anyone out (issue 12,
finding 7): an unknown identifier costs the same argon2 work and gets the same answers as a wrong
password, in the API and the web form; failures lock one identifier from one address only, for
a time that doubles with each further failure, while the owner signs in from elsewhere."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_furnishing_api import record

NID, PASSWORD = "900100200", "a long enough password"
UNKNOWN = "999999998"            # nobody's file
NOT_ENROLLED = "900100201"       # a file, but nobody enrolled for it
HTML = {"Accept": "text/html"}


@pytest.fixture
def consumer(bureau, orgs, client) -> str:
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(), record(subject={
                        "national_id": NOT_ENROLLED, "name": "Bo Li"}, account_ref="L-1")]})
    assert r.status_code == 200 and r.json()["accepted"] == 2
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, date(1985, 12, 10), code, PASSWORD)
    bureau.settings.signin_per_minute = 1000     # the per-address limit is not under test here
    return NID


def sign_in(c: TestClient, national_id: str, password: str):  # type: ignore[no-untyped-def]
    return c.post("/v1/consumer/sessions", json={"national_id": national_id,
                                                 "password": password})


def from_address(client: TestClient, host: str) -> TestClient:
    """The same app, called from another client address."""
    return TestClient(client.app, client=(host, 40000))


def answer(r) -> tuple[int, dict, str | None, str | None]:  # type: ignore[no-untyped-def]
    return r.status_code, r.json(), r.headers.get("www-authenticate"), \
        r.headers.get("retry-after")


def test_unknown_ids_get_the_same_answer_as_a_wrong_password(client, consumer):
    wrong = answer(sign_in(client, consumer, "not-the-password"))
    assert wrong[0] == 401
    assert answer(sign_in(client, UNKNOWN, "not-the-password")) == wrong
    assert answer(sign_in(client, NOT_ENROLLED, "not-the-password")) == wrong


def test_unknown_ids_cost_the_same_argon2_work(bureau, client, consumer, monkeypatch):
    calls: list[str] = []
    real = access.verify_secret

    def spy(stored: str, secret: str) -> bool:
        calls.append(stored)
        return real(stored, secret)

    monkeypatch.setattr(access, "verify_secret", spy)
    for nid in (consumer, UNKNOWN, NOT_ENROLLED):
        assert sign_in(client, nid, "not-the-password").status_code == 401
    # one argon2 verification each, all against argon2id hashes of the same parameters
    assert len(calls) == 3
    params = {re.sub(r"\$[^$]*\$[^$]*$", "", h) for h in calls}
    assert len(params) == 1 and next(iter(params)).startswith("$argon2id$")


def test_lockout_binds_one_id_from_one_address_and_the_owner_signs_in_elsewhere(
        bureau, client, consumer):
    limit = bureau.settings.signin_attempts_before_lockout
    for _ in range(limit):
        assert sign_in(client, consumer, "not-the-password").status_code == 401
    locked = sign_in(client, consumer, PASSWORD)          # even the right password waits here
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert "too many failed sign-ins" in locked.json()["detail"]
    # the owner, from another address, is not locked out by the stranger's failures
    assert sign_in(from_address(client, "198.51.100.7"), consumer, PASSWORD).status_code == 201
    # nor is any other identifier from the stranger's address
    assert sign_in(client, NOT_ENROLLED, "not-the-password").status_code == 401


def test_a_lockout_answer_does_not_reveal_enrolment(bureau, client, consumer):
    limit = bureau.settings.signin_attempts_before_lockout
    for nid in (consumer, UNKNOWN):
        for _ in range(limit):
            assert sign_in(client, nid, "not-the-password").status_code == 401
    enrolled, unknown = sign_in(client, consumer, PASSWORD), sign_in(client, UNKNOWN, PASSWORD)
    assert enrolled.status_code == 429
    assert answer(unknown) == answer(enrolled)


def test_lockouts_grow_with_each_further_failure(bureau, client, consumer, clock):
    limit = bureau.settings.signin_attempts_before_lockout
    for _ in range(limit):
        sign_in(client, consumer, "not-the-password")
    waits = []
    for _ in range(3):
        r = sign_in(client, consumer, "not-the-password")
        assert r.status_code == 429
        wait = int(r.headers["retry-after"])
        waits.append(wait)
        clock.advance(seconds=wait - 1)
        assert sign_in(client, consumer, PASSWORD).status_code == 429     # not a second early
        clock.advance(seconds=1)
        assert sign_in(client, consumer, "not-the-password").status_code == 401
    assert waits == [60, 120, 240]
    # a success clears the ledger: the next failures start from the beginning
    clock.advance(seconds=481)
    assert sign_in(client, consumer, PASSWORD).status_code == 201
    for _ in range(limit - 1):
        assert sign_in(client, consumer, "not-the-password").status_code == 401
    assert sign_in(client, consumer, PASSWORD).status_code == 201


def _web_sign_in(c: TestClient, national_id: str, password: str):  # type: ignore[no-untyped-def]
    page = c.get("/signin", headers=HTML)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    return c.post("/signin/consumer", headers=HTML, follow_redirects=False,
                  data={"national_id": national_id, "password": password,
                        "csrf_token": token[1]})


def test_the_web_form_answers_alike_too(bureau, client, consumer):
    wrong = _web_sign_in(client, consumer, "not-the-password")
    unknown = _web_sign_in(client, UNKNOWN, "not-the-password")
    assert wrong.status_code == unknown.status_code == 401

    def error(html: str) -> str:
        match = re.search(r'<div class="error" role="alert"><p>(.*?)</p>', html, re.S)
        assert match
        return match[1]

    assert error(wrong.text) == error(unknown.text)
    # and shares the API's lockout: same identifier, same address
    for _ in range(bureau.settings.signin_attempts_before_lockout - 1):
        sign_in(client, consumer, "not-the-password")
    assert _web_sign_in(client, consumer, PASSWORD).status_code == 429
    assert _web_sign_in(from_address(client, "203.0.113.5"), consumer,
                        PASSWORD).status_code == 303
