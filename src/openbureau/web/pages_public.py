"""Pages anyone may open: the landing page, sign-in and -out, the public defaulter list, and the
static files."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound, OpenBureauError, RateLimited
from openbureau.domain.roles import Principal, Role
from openbureau.services import registry
from openbureau.web import sessions
from openbureau.web.render import STATIC, render

router = APIRouter(tags=["web"], dependencies=[Depends(sessions.load_session)])
STATIC_FILES = {"htmx.min.js": "text/javascript", "app.css": "text/css",
                "upload.js": "text/javascript", "favicon.svg": "image/svg+xml"}
HOME = {Role.CONSUMER: "/me/report", Role.MEMBER: "/member", Role.COURT: "/court",
        Role.OPERATOR: "/admin", Role.AUDITOR: "/admin", Role.FURNISHER: "/furnisher"}
DEMO_FILE = "demo-credentials.json"


def demo_logins(bureau: Bureau) -> list[dict[str, Any]]:
    """``var/demo-credentials.json`` as ``openbureau demo credentials`` writes it: a JSON list of
    ``{role, who, credential}`` (``services.demo_logins.issue``'s answer); a consumer's credential
    reads ``national_id=<id> password=<password>``. Shown only in demo mode."""
    if not bureau.settings.demo:
        return []
    path = bureau.settings.var_dir / DEMO_FILE
    try:
        items = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    out = []
    for c in items if isinstance(items, list) else []:
        if not isinstance(c, dict) or "role" not in c:
            continue
        fields = dict(p.split("=", 1) for p in str(c.get("credential", "")).split() if "=" in p)
        out.append({**c, "national_id": fields.get("national_id"),
                    "password": fields.get("password")})
    return out


@router.get("/", response_class=Response)
def landing(request: Request, bureau: Bureau = Depends(get_bureau)) -> Response:
    who: Principal | None = request.state.web_principal
    return render(request, "landing.html", logins=demo_logins(bureau), home=home_of(who))


@router.get("/signin", response_class=Response)
def signin_page(request: Request, as_: str = Query("consumer", alias="as")) -> Response:
    return render(request, "signin.html", tab="organisation" if as_ == "organisation"
                  else "consumer")


def _signed_in(request: Request, cookie: str, role: Role) -> Response:
    response = RedirectResponse(HOME[role], status_code=303)
    sessions.set_cookie(request, response, sessions.COOKIE, cookie,
                        request.app.state.bureau.settings.session_hours * 3600)
    response.delete_cookie(sessions.PRE_COOKIE, path="/")
    return response


@router.post("/signin/consumer", response_class=Response,
             dependencies=[Depends(sessions.public_form)])
def signin_consumer(request: Request, national_id: str = Form(..., max_length=40),
                    password: str = Form(..., max_length=200),
                    bureau: Bureau = Depends(get_bureau)) -> Response:
    try:
        cookie = sessions.consumer_cookie(bureau, national_id, password,
                                          request.client.host if request.client else "unknown")
    except OpenBureauError as exc:
        from openbureau.web.errors import _status

        response = render(request, "signin.html", status_code=_status(exc), tab="consumer",
                          error=exc.detail, national_id=national_id)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _signed_in(request, cookie, Role.CONSUMER)


@router.post("/signin/organisation", response_class=Response,
             dependencies=[Depends(sessions.public_form)])
def signin_organisation(request: Request, api_key: str = Form(..., max_length=200),
                        bureau: Bureau = Depends(get_bureau)) -> Response:
    try:
        cookie = sessions.organisation_cookie(
            bureau, api_key, request.client.host if request.client else "unknown")
        who = sessions.principal_of(bureau, cookie)
    except OpenBureauError as exc:
        from openbureau.web.errors import _status

        response = render(request, "signin.html", status_code=_status(exc),
                          tab="organisation", error=exc.detail)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    assert who is not None
    return _signed_in(request, cookie, who.role)


@router.post("/signout", response_class=Response, dependencies=[Depends(sessions.public_form)])
def signout(request: Request, bureau: Bureau = Depends(get_bureau)) -> Response:
    sessions.sign_out(bureau, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/public/defaulters", response_class=Response)
def defaulters(request: Request, name: str | None = Query(None, max_length=120),
               id_suffix: str | None = Query(None, max_length=4),
               court: str | None = Query(None, max_length=120),
               bureau: Bureau = Depends(get_bureau)) -> Response:
    searched = any((name, id_suffix, court))
    items: list[dict[str, Any]] = []
    error = None
    if searched:
        client = request.client.host if request.client else "unknown"
        try:
            items = registry.public_search(bureau.uow(), bureau.deps, client, name=name,
                                           id_suffix=id_suffix, court=court)
        except OpenBureauError as exc:
            error = exc.detail
    return render(request, "defaulters.html", items=items, searched=searched, error=error,
                  q={"name": name or "", "id_suffix": id_suffix or "", "court": court or ""})


@router.get("/static/{name}", response_class=Response)
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise NotFound("no such file")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/favicon.ico", response_class=Response)
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: the same SVG icon."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


def home_of(who: Principal | None) -> str:
    return HOME.get(who.role, "/") if who else "/"
