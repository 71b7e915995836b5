"""Request dependencies: the wired bureau and the authenticated principal with its role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import CredentialsRequired, RoleNotAllowed
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import access

# Dependencies that neither block nor wait are ``async def``: FastAPI runs a plain ``def`` one
# in the thread pool, one hand-over per dependency per request.


async def get_bureau(request: Request) -> Bureau:
    bureau: Bureau = request.app.state.bureau
    return bureau


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def get_principal(request: Request, bureau: Bureau = Depends(get_bureau)) -> Principal:
    """The request's principal. A credential this process remembers (``credential_cache``) is
    answered here, on the event loop; any other is checked in the database, in the thread pool."""
    token = _bearer(request)
    if token is None:
        cookie_principal: Principal | None = getattr(request.state, "web_principal", None)
        if cookie_principal is not None:
            return cookie_principal
        raise CredentialsRequired(N_("credentials required: send 'Authorization: Bearer <key or "
                                 "token>'"))
    deps = bureau.deps
    known = access.remembered(deps, token)
    if known is not None:
        return known
    if token.startswith(access.KEY_PREFIX + "_"):
        return await run_in_threadpool(access.authenticate_key, bureau.uow(), deps, token)
    return await run_in_threadpool(access.authenticate_session, bureau.uow(), deps, token)


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only the given roles; the route's allowed set is ``roles``."""

    async def dependency(principal: Principal = Depends(get_principal)) -> Principal:
        if principal.role not in roles:
            raise RoleNotAllowed(
                f"a {principal.role.value} credential may not call this endpoint "
                f"(allowed: {', '.join(r.value for r in roles)})")
        return principal

    # read by the route-role table test; a function's attributes are not declared anywhere
    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency
