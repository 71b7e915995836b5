"""Consumers enrol and reset a forgotten password on the web, with a one-time code posted to
the address on file (``var/outbox/`` here), and are then signed in."""

from __future__ import annotations

import re

from openbureau.adapters import outbox
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_reports import ADA, furnish, record
from tests.integration.test_web_pages import HTML, csrf_of

DOB = ADA["date_of_birth"]
NEW = "a brand new password"


def _letters(bureau) -> list[str]:
    folder = outbox.folder(bureau.settings.var_dir)
    return [p.read_text() for p in sorted(folder.glob("*.txt"))] if folder.exists() else []


def _code(letter: str) -> str:
    return re.search(r"\b([0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6})\b", letter)[1]  # type: ignore[index]


def _ask(client, mode: str, dob: str = DOB):
    page = client.get(f"/{mode}", headers=HTML)
    assert page.status_code == 200
    return client.post(f"/{mode}/code", headers=HTML, data={
        "national_id": ADA["national_id"], "date_of_birth": dob,
        "csrf_token": csrf_of(page.text)})


def _use(client, mode: str, code: str, password: str, again: str | None = None):
    page = client.get(f"/{mode}", headers=HTML)
    return client.post(f"/{mode}", headers=HTML, follow_redirects=False, data={
        "national_id": ADA["national_id"], "date_of_birth": DOB, "code": code,
        "password": password, "password_again": again or password,
        "csrf_token": csrf_of(page.text)})


def test_enrol_then_reset_on_the_web(client, orgs, bureau):
    furnish(client, orgs, record())
    # a wrong birth date gets the same answer and no letter: nothing is learnt about the file
    r = _ask(client, "enrol", dob="1990-01-01")
    assert r.status_code == 200 and "a letter with your code is on its way" in r.text
    assert _letters(bureau) == []
    r = _ask(client, "enrol")
    assert r.status_code == 200 and "a letter with your code is on its way" in r.text
    (letter,) = _letters(bureau)
    assert "To: Ada Lovelace" in letter and "enrol for your credit report" in letter
    code = _code(letter)

    mismatch = _use(client, "enrol", code, "one long password", "another long password")
    assert mismatch.status_code == 422 and "the two passwords differ" in mismatch.text
    done = _use(client, "enrol", code, "one long password")
    assert done.status_code == 303 and done.headers["location"] == "/me/report"
    assert client.get("/me/report", headers=HTML).status_code == 200
    again = _use(client, "enrol", code, "one long password")          # a code works once
    assert again.status_code == 401

    token = access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], "one long password")
    client.cookies.clear()
    _ask(client, "reset")
    letter = _letters(bureau)[-1]
    assert "reset your password" in letter
    done = _use(client, "reset", _code(letter), NEW)
    assert done.status_code == 303 and done.headers["location"] == "/me/report"
    # the old password and every old session are gone
    assert client.get("/v1/me/report", headers=auth(token)).status_code == 401
    r = client.post("/v1/consumer/sessions", json={"national_id": ADA["national_id"],
                                                   "password": "one long password"})
    assert r.status_code == 401
    assert access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], NEW)


def test_reset_needs_an_enrolled_consumer(client, orgs, bureau):
    furnish(client, orgs, record())
    code = access.invite_consumer(bureau.uow(), bureau.deps,
                                  SYSTEM, ADA["national_id"])["enrolment_code"]
    r = _use(client, "reset", code, NEW)
    assert r.status_code == 401 and "reset refused" in r.text
