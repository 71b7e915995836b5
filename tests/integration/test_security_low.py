"""Finding 14's low items: no statement parameters in logs, security headers on 500s and 404s,
keyed client-address hashes, ``/metrics`` behind a staff key and free of table counts, the
court's identity refusal that reveals no file, rate limits on enrolment and organisation
sign-in (docs/security.md)."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text

from openbureau.adapters.pii import IdentityVault
from openbureau.adapters.tables import audit_events, rate_limits
from openbureau.api import create_app
from openbureau.domain.errors import Unauthenticated
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_registry import ADA, list_judgment, listed, set_settings
from tests.integration.test_reports import furnish, record

SECRET = "SECRET-PARAM-4711"
HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy",
           "cache-control")


def _app_with_failing_routes(bureau):  # type: ignore[no-untyped-def]
    app = create_app(bureau=bureau)

    def database_error() -> None:
        with bureau.uow() as uow:
            uow.execute(text("SELECT * FROM no_such_table WHERE name = :p"), {"p": SECRET})

    def plain_error() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/v1/test/database-error", database_error)
    app.add_api_route("/v1/test/plain-error", plain_error)
    return app


# -- 1. no statement parameters in logs ----------------------------------------------------

def test_a_database_error_names_no_parameter(bureau):
    with pytest.raises(Exception) as exc, bureau.uow() as uow:
        uow.execute(text("SELECT * FROM no_such_table WHERE name = :p"), {"p": SECRET})
    assert SECRET not in str(exc.value)
    assert "no_such_table" in str(exc.value)          # the statement is still named


def test_an_unhandled_database_error_is_logged_without_its_values(bureau, caplog):
    caplog.set_level(logging.INFO)
    with TestClient(_app_with_failing_routes(bureau)) as c:
        r = c.get("/v1/test/database-error")
    assert r.status_code == 500
    assert r.json()["title"] == "Internal server error" and SECRET not in r.text
    logged = caplog.text
    assert re.search(r"unhandled (OperationalError|ProgrammingError) in GET "
                     r"/v1/test/database-error", logged), logged
    assert SECRET not in logged


# -- 2. security headers on every answer ---------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/test/plain-error", "/v1/test/database-error",
                                  "/no/such/page", "/v1/no-such-endpoint"])
def test_security_headers_on_500s_and_404s(bureau, path):
    with TestClient(_app_with_failing_routes(bureau)) as c:
        r = c.get(path)
    assert r.status_code == (500 if path.endswith("-error") else 404)
    for name in HEADERS:
        assert name in r.headers, (path, name)
    assert r.headers["x-frame-options"] == "DENY"


# -- 3. keyed client-address hashes --------------------------------------------------------

def test_client_address_hashes_are_keyed(bureau):
    ip = "203.0.113.7"
    with pytest.raises(Unauthenticated):
        access.sign_in(bureau.uow(), bureau.deps, "900999001", "a wrong password", ip)
    with bureau.uow() as uow:
        buckets = list(uow.execute(select(rate_limits.c.bucket)).scalars())
    plain = hashlib.sha256(ip.encode()).hexdigest()[:40]
    assert buckets and not any(plain in b for b in buckets)
    assert bureau.deps.rate_limits.bucket_for("signin:ip", ip) in buckets

    other = type(bureau)(**{**bureau.__dict__,
                            "vault": IdentityVault(b"p" * 32, b"k" * 32)})
    assert other.deps.rate_limits.bucket_for("signin:ip", ip) != \
        bureau.deps.rate_limits.bucket_for("signin:ip", ip)
    assert bureau.deps.rate_limits.bucket_for("public_search", ip).split(":")[-1] != \
        bureau.deps.rate_limits.bucket_for("signin:ip", ip).split(":")[-1]


# -- 4. /metrics ---------------------------------------------------------------------------

def _value(body: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", body, re.M)
    assert m, (name, body)
    return float(m[1])


def test_metrics_need_a_staff_key(client, orgs):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(orgs["member"])).status_code == 403
    for role in ("operator", "auditor"):
        r = client.get("/metrics", headers=auth(orgs[role]))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")


def test_metrics_count_events_and_query_no_table(client, orgs, bureau):
    staff = auth(orgs["operator"])
    accepted = 'openbureau_account_records_total{outcome="accepted"}'
    before = _value(client.get("/metrics", headers=staff).text, accepted)
    furnish(client, orgs, record(), record(account_ref="ACC-2"))
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement.lower())

    event.listen(bureau.engine, "before_cursor_execute", spy)
    try:
        body = client.get("/metrics", headers=staff).text
    finally:
        event.remove(bureau.engine, "before_cursor_execute", spy)
    assert _value(body, accepted) == before + 2
    assert not [s for s in statements if "count(" in s], statements
    assert not [s for s in statements if "account_months" in s or "from subjects" in s]


# -- 5. the court's refusal reveals no file -------------------------------------------------

def test_a_refused_identity_reveals_no_file(client, orgs, bureau):
    listed(client, orgs)          # a file under ADA's identifier now exists
    answers = [list_judgment(client, orgs, case_number=f"X-{i}", debtor=debtor)
               for i, debtor in enumerate([
                   {**ADA, "name": "Someone Else"},
                   {**ADA, "date_of_birth": "1990-01-01"},
                   {"kind": "organisation", "registration_number": ADA["national_id"],
                    "name": ADA["name"]}])]
    assert {r.status_code for r in answers} == {422}
    bodies = {r.text for r in answers}
    assert len(bodies) == 1                         # one answer whatever disagreed
    body = answers[0].json()
    assert "file" not in body["detail"] and "person" not in body["detail"]
    assert body["errors"] == [{"field": "debtor", "message": body["detail"]}]
    with bureau.uow() as uow:
        refused = uow.execute(select(audit_events.c.action).where(
            audit_events.c.action == "listing.identity_refused")).all()
    assert len(refused) == 3


def test_refused_identities_are_capped_per_court(client, orgs, bureau):
    set_settings(bureau, court_identity_refusals_per_day=2)
    listed(client, orgs)
    wrong = {**ADA, "name": "Someone Else"}
    codes = [list_judgment(client, orgs, case_number=f"Y-{i}", debtor=wrong).status_code
             for i in range(3)]
    assert codes == [422, 422, 429]
    r = list_judgment(client, orgs, case_number="Y-9", debtor=wrong)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


# -- 6. rate limits on enrolment and organisation sign-in ----------------------------------

def test_enrolment_is_rate_limited_per_address(client, bureau):
    set_settings(bureau, enrol_per_minute=2)
    body = {"national_id": "900999002", "date_of_birth": "1980-01-01",
            "enrolment_code": "WRONG-CODE", "password": "a long enough passphrase 1"}
    codes = [client.post("/v1/consumer/enrol", json=body).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    r = client.post("/v1/consumer/enrol", json=body)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # another address is not affected
    other = TestClient(client.app, client=("198.51.100.9", 40000))
    assert other.post("/v1/consumer/enrol", json=body).status_code == 401


def test_enrolment_service_counts_only_with_an_address(bureau):
    set_settings(bureau, enrol_per_minute=1)
    for _ in range(3):         # the CLI and the demo enrol without an address
        with pytest.raises(Unauthenticated):
            access.enrol(bureau.uow(), bureau.deps,
                         "900999003", date(1980, 1, 1), "WRONG", "a long passphrase 1")


def _org_sign_in(c: TestClient, key: str):  # type: ignore[no-untyped-def]
    page = c.get("/signin?as=organisation", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    return c.post("/signin/organisation", headers={"Accept": "text/html"},
                  follow_redirects=False, data={"api_key": key, "csrf_token": token[1]})


def test_organisation_sign_in_is_rate_limited_per_address(client, orgs, bureau):
    set_settings(bureau, organisation_signin_per_minute=2)
    codes = [_org_sign_in(client, "obk_wrong_key").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    r = _org_sign_in(client, orgs["operator"])      # even the right key, from this address
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    other = TestClient(client.app, client=("198.51.100.10", 40000))
    assert _org_sign_in(other, orgs["operator"]).status_code == 303
