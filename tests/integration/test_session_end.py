"""Sessions end at sign-out (issue 12, finding 11): an organisation's web cookie, replayed after
sign-out, answers 401 (it was a stateless signed cookie valid 12 hours); a consumer ends an API
session with ``DELETE /v1/consumer/sessions/current`` and its token answers 401 from then on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from openbureau.adapters.tables import api_keys, organisation_sessions
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_furnishing_api import record
from tests.integration.test_web_pages import HTML, csrf_of, sign_in_org

NID, PASSWORD = "900100200", "a long enough password"


def _org_cookie(client) -> str:  # type: ignore[no-untyped-def]
    value = client.cookies.get("ob_web")
    assert value and value.startswith("o.")
    return str(value)


def test_an_organisation_cookie_replayed_after_sign_out_is_refused(client, orgs, bureau):
    assert sign_in_org(client, orgs["court"]) == "/court"
    cookie = _org_cookie(client)
    page = client.get("/court", headers=HTML)
    assert page.status_code == 200
    r = client.post("/signout", headers=HTML, follow_redirects=False,
                    data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    # the browser dropped it; an attacker who copied it replays it
    client.cookies.set("ob_web", cookie)
    assert client.get("/court", headers=HTML, follow_redirects=False).status_code == 401
    assert client.get("/court/judgments/new", headers=HTML).status_code == 401
    # the organisation's API key and its other sessions are untouched
    assert client.get("/v1/court/objections", headers=auth(orgs["court"])).status_code == 200


def test_each_web_sign_in_is_its_own_session(client, orgs, bureau):
    from fastapi.testclient import TestClient

    other = TestClient(client.app)
    sign_in_org(client, orgs["member"])
    sign_in_org(other, orgs["member"])
    page = client.get("/member", headers=HTML)
    client.post("/signout", headers=HTML, data={"csrf_token": csrf_of(page.text)})
    assert other.get("/member", headers=HTML).status_code == 200      # still signed in


def test_a_web_session_is_no_api_key(client, orgs, bureau):
    sign_in_org(client, orgs["member"])
    session_id = _org_cookie(client).split(".")[1]
    with bureau.uow() as uow:
        stored = uow.execute(select(organisation_sessions.c.session_hash)).scalars().all()
        keys = uow.execute(select(api_keys.c.prefix)).scalars().all()
    assert session_id not in stored and len(stored) == 1    # kept by its hash only
    assert session_id not in keys
    for guess in ("", "x", stored[0], session_id):
        r = client.get("/v1/member/offers", headers=auth(f"ob_{session_id}_{guess}"))
        assert r.status_code == 401


def test_rotating_the_key_ends_its_web_sessions(client, orgs, bureau):
    sign_in_org(client, orgs["court"])
    assert client.get("/court", headers=HTML).status_code == 200
    access.rotate_key(bureau.uow(), bureau.deps, SYSTEM, "Test court")
    assert client.get("/court", headers=HTML).status_code == 401


def test_a_consumer_ends_an_api_session(client, orgs, bureau):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record()]})
    assert r.json()["accepted"] == 1
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, date(1985, 12, 10), code, PASSWORD)
    tokens = [client.post("/v1/consumer/sessions",
                          json={"national_id": NID, "password": PASSWORD}).json()["token"]
              for _ in range(2)]
    assert client.get("/v1/me/report", headers=auth(tokens[0])).status_code == 200
    r = client.delete("/v1/consumer/sessions/current", headers=auth(tokens[0]))
    assert r.status_code == 204 and r.content == b""
    assert client.get("/v1/me/report", headers=auth(tokens[0])).status_code == 401
    assert client.delete("/v1/consumer/sessions/current",
                         headers=auth(tokens[0])).status_code == 401
    # only that session: the consumer's other one goes on
    assert client.get("/v1/me/report", headers=auth(tokens[1])).status_code == 200
    # an organisation's key is no consumer session
    assert client.delete("/v1/consumer/sessions/current",
                         headers=auth(orgs["member"])).status_code == 403
