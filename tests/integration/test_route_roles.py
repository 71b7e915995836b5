"""Every route of the app x every role (plus no credential and a revoked key): the set of
callers that get past authentication and authorisation is exactly the one in ``ALLOWED``.

A new route fails this test until it is added to the table, so no endpoint ships unguarded.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.routing import APIRoute

from openbureau.api import create_app
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.route_tables import (
    CALLERS,
    CONSENTS,
    EVERYONE,
    REGISTRY,
    RIGHTS,
    SCORING,
    STAFF,
    WEB,
)

CORE: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/readyz"): EVERYONE,
    ("GET", "/metrics"): STAFF,
    ("POST", "/v1/consumer/enrol"): EVERYONE,
    ("POST", "/v1/consumer/sessions"): EVERYONE,
    ("DELETE", "/v1/consumer/sessions/current"): frozenset({"consumer"}),
    ("POST", "/v1/furnisher/accounts:batch"): frozenset({"furnisher"}),
    ("POST", "/v1/furnisher/files"): frozenset({"furnisher"}),
    ("GET", "/v1/furnisher/files/{file_id}"): frozenset({"furnisher"}),
    ("GET", "/v1/furnisher/files/{file_id}/quality"): frozenset({"furnisher"}),
    ("GET", "/v1/furnisher/accounts"): frozenset({"furnisher"}),
    ("POST", "/v1/member/inquiries"): frozenset({"member"}),
    ("GET", "/v1/me/report"): frozenset({"consumer"}),
    ("GET", "/v1/me/accesses"): frozenset({"consumer"}),
    ("GET", "/v1/me/notices"): frozenset({"consumer"}),
    ("GET", "/v1/admin/organisations"): STAFF,
    ("POST", "/v1/admin/organisations"): frozenset({"operator"}),
    ("DELETE", "/v1/admin/organisations/{name}"): frozenset({"operator"}),
    ("GET", "/v1/admin/audit"): STAFF,
    ("GET", "/v1/admin/audit/verify"): STAFF,
    ("GET", "/v1/admin/models"): STAFF,
    ("POST", "/v1/admin/models/{version}/activate"): frozenset({"operator"}),
    ("GET", "/v1/admin/identity/holds"): STAFF,
    ("POST", "/v1/admin/identity/holds/{hold_ref}/decision"): frozenset({"operator"}),
}

SIGN_OUT = ("DELETE", "/v1/consumer/sessions/current")
ALLOWED = {**CORE, **RIGHTS, **REGISTRY, **SCORING, **WEB, **CONSENTS}

# Routes FastAPI adds for its own documentation; public by design.
DOCS = {"/openapi.json", "/docs", "/docs/assets/{name}"}


def _walk(routes):  # type: ignore[no-untyped-def]
    for route in routes:
        inner = getattr(route, "original_router", None)   # routers included in the app
        if inner is not None:
            yield from _walk(inner.routes)
        else:
            yield route


def app_routes() -> list[tuple[str, str]]:
    out = []
    for route in _walk(create_app().routes):
        if route.path in DOCS:
            continue
        assert isinstance(route, APIRoute), f"unexpected route type at {route.path}"
        for m in sorted(route.methods - {"HEAD", "OPTIONS"}):
            out.append((m, route.path))
    return out


def test_walk_agrees_with_openapi():
    schema = create_app().openapi()["paths"]
    documented = {(m.upper(), p) for p, ops in schema.items() for m in ops}
    assert documented == set(app_routes())


def test_every_route_is_in_the_table():
    routes = set(app_routes())
    assert routes - set(ALLOWED) == set(), "routes missing from ALLOWED: add them"
    assert set(ALLOWED) - routes == set(), "ALLOWED names routes the app no longer has"


@pytest.fixture
def callers(bureau, orgs, client) -> dict[str, dict[str, str]]:
    from tests.integration.test_furnishing_api import record

    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                json={"records": [record()]})
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, "900100200")["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps,
                 "900100200", date(1985, 12, 10), code, "a long enough password")
    token = access.sign_in(bureau.uow(), bureau.deps, "900100200", "a long enough password")
    revoked = access.create_organisation(bureau.uow(), bureau.deps,
                                         SYSTEM, "Revoked member", "member").key
    access.revoke_organisation(bureau.uow(), bureau.deps, SYSTEM, "Revoked member")
    headers = {role: auth(key) for role, key in orgs.items()}
    headers |= {"consumer": auth(token), "revoked": auth(revoked), "anonymous": {}}
    return headers


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_route_role_matrix(bureau, client, callers):
    mismatches = []
    for method, path in app_routes():
        got = set()
        for caller in CALLERS:
            kwargs = {"files": {"file": ("x.csv", b"")}} if path.endswith("/files") else \
                {"json": {}} if method in {"POST", "PUT"} else {}
            r = client.request(method, _fill(path), headers=callers[caller], **kwargs)
            if r.status_code not in (401, 403):
                got.add(caller)
            elif r.status_code == 401:
                assert r.headers["content-type"].startswith("application/problem+json")
        if (method, path) == SIGN_OUT:      # it ended the consumer's session: a fresh one
            callers["consumer"] = auth(access.sign_in(bureau.uow(), bureau.deps,
                                                      "900100200", "a long enough password"))
        if got != ALLOWED[(method, path)]:
            mismatches.append((method, path, sorted(got), sorted(ALLOWED[(method, path)])))
    assert mismatches == []
