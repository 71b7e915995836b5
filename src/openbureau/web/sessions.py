"""Cookie sessions for the web pages, and their CSRF tokens.

One cookie, ``ob_web``, names the signed-in principal:

- a consumer: ``c.<token>``, the same server-side session ``POST /v1/consumer/sessions`` issues
  (a row in ``consumer_sessions``); signing out deletes the row;
- an organisation: ``o.<session id>.<expiry>.<signature>``, signed with a key derived from the
  bureau's HMAC key. Signing in with an API key records the session (a row of
  ``organisation_sessions``, by the SHA-256 of the random session id); signing out, a key
  rotation and revoking the organisation end it, and every request re-checks it and its
  organisation (docs/security.md, "Sessions end at sign-out"). The API key itself is never
  stored.

Before sign-in a random ``ob_pre`` cookie anchors the sign-in forms' CSRF token (login CSRF).
The CSRF token of a session is an HMAC of the session cookie: one per session, nothing stored.
Every POST from a cookie session must carry it (form field ``csrf_token`` or header
``X-CSRF-Token``, which htmx sends). A request authenticated by ``Authorization: Bearer`` is
not exposed to CSRF (browsers never add that header by themselves) and is not checked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any

from fastapi import Depends, Request, Response

from openbureau.api.deps import _bearer, get_bureau, require
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import OpenBureauError, Unauthenticated
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import access

COOKIE = "ob_web"
PRE_COOKIE = "ob_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})


class CsrfRefused(OpenBureauError):
    """A state-changing form without this session's CSRF token (answered 400, not 403: the
    caller's role is fine, the form is not)."""

    title = "Form expired or not sent from this site"


def _key(bureau: Bureau) -> bytes:
    key: bytes | None = bureau.cache.get("web_session_key")
    if key is None:
        key = bureau.vault.lookup_hash("openbureau-web-session-key").encode()
        bureau.cache["web_session_key"] = key
    return key


def _sign(bureau: Bureau, value: str) -> str:
    return hmac.new(_key(bureau), value.encode(), hashlib.sha256).hexdigest()


def csrf_token(bureau: Bureau, anchor: str) -> str:
    return _sign(bureau, "csrf:" + anchor)


def secure_cookies(request: Request) -> bool:
    """Secure cookies everywhere except plain http on the local machine."""
    host = (request.url.hostname or "").strip("[]")
    return not (request.url.scheme == "http" and host in LOCAL_HOSTS)


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=secure_cookies(request), path="/")


# -- signing in and out --------------------------------------------------------------------------

def consumer_cookie(bureau: Bureau, national_id: str, password: str,
                    client: str | None = None) -> str:
    return "c." + access.sign_in(bureau.uow(), bureau.deps, national_id, password, client)


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def organisation_cookie(bureau: Bureau, api_key: str, client: str | None = None) -> str:
    """A session for the organisation whose API key this is; every attempt from one client
    address counts against ``organisation_signin_per_minute`` (key guessing)."""
    if client is not None:
        from openbureau.services.ports import rate_limits

        limits = rate_limits(bureau.deps)
        limits.take(limits.bucket_for("org_signin:ip", client),
                    bureau.settings.organisation_signin_per_minute,
                    what=N_("organisation sign-in attempts"))
    who = access.authenticate_key(bureau.uow(), bureau.deps,
                                  api_key.strip())         # raises Unauthenticated
    session_id = secrets.token_urlsafe(24)
    with bureau.uow() as uow:
        now = uow.clock.now()
        uow.credentials.start_web_session(
            _session_hash(session_id), who.id, now,
            now + timedelta(hours=bureau.settings.session_hours))
        uow.audit(who.actor, "organisation.web_sign_in")
        uow.commit()
    expires = int(time.time()) + bureau.settings.session_hours * 3600
    body = f"o.{session_id}.{expires}"
    return f"{body}.{_sign(bureau, body)}"


def _signed_session(bureau: Bureau, cookie: str) -> str | None:
    """The session id of a well-signed, unexpired organisation cookie."""
    parts = cookie.split(".")
    if len(parts) != 4 or parts[0] != "o":
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(bureau, body)):
        return None
    if not parts[2].isdigit() or int(parts[2]) < time.time():
        return None
    return parts[1]


def sign_out(bureau: Bureau, cookie: str | None) -> None:
    if cookie and cookie.startswith("c."):
        access.sign_out(bureau.uow(), bureau.deps, None, cookie[2:])
    elif cookie and (session_id := _signed_session(bureau, cookie)) is not None:
        with bureau.uow() as uow:
            now = uow.clock.now()
            h = _session_hash(session_id)
            org = uow.credentials.web_session(h, now)
            if org is not None:
                uow.credentials.end_web_session(h, now)
                uow.audit(Principal(Role(org.role), org.id, org.name).actor,
                          "organisation.web_sign_out")
                uow.commit()


def _organisation(bureau: Bureau, cookie: str) -> Principal | None:
    session_id = _signed_session(bureau, cookie)
    if session_id is None:
        return None
    with bureau.uow() as uow:
        row = uow.credentials.web_session(_session_hash(session_id), uow.clock.now())
    return None if row is None else Principal(Role(row.role), row.id, row.name)


def principal_of(bureau: Bureau, cookie: str | None) -> Principal | None:
    if not cookie:
        return None
    if cookie.startswith("c."):
        try:
            return access.authenticate_session(bureau.uow(), bureau.deps, cookie[2:])
        except Unauthenticated:
            return None
    if cookie.startswith("o."):
        return _organisation(bureau, cookie)
    return None


# -- dependencies --------------------------------------------------------------------------------

def load_session(request: Request, bureau: Bureau = Depends(get_bureau)) -> None:
    """Router-wide: puts the cookie's principal where ``get_principal`` looks for it."""
    request.state.web_principal = principal_of(bureau, request.cookies.get(COOKIE))


def csrf_anchor(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or request.cookies.get(PRE_COOKIE)


async def _check_csrf(request: Request, bureau: Bureau) -> None:
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    anchor = csrf_anchor(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if anchor is None or sent is None or not hmac.compare_digest(
            sent, csrf_token(bureau, anchor)):
        raise CsrfRefused("this form has expired or was not sent from this site; "
                          "reload the page and try again")


def page(*roles: Role) -> Any:
    """The page's principal: the API's own ``require(*roles)``, then the CSRF check."""
    role_check = require(*roles)

    async def dependency(request: Request, who: Principal = Depends(role_check),
                         bureau: Bureau = Depends(get_bureau)) -> Principal:
        await _check_csrf(request, bureau)
        return who

    # read by the route-role table test; a function's attributes are not declared anywhere
    dependency.allowed_roles = role_check.allowed_roles  # type: ignore[attr-defined]
    return dependency


async def public_form(request: Request, bureau: Bureau = Depends(get_bureau)) -> None:
    """CSRF for forms anyone may send (sign-in): anchored on the pre-session cookie."""
    await _check_csrf(request, bureau)


def new_pre_anchor() -> str:
    return secrets.token_urlsafe(24)
