"""RFC 9457 problem documents for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from openbureau.adapters import i18n
from openbureau.adapters.database import DATABASE_ERRORS, is_unavailable
from openbureau.domain import errors as e
from openbureau.domain.wording import N_

log = logging.getLogger("openbureau.api")

STATUS: list[tuple[type[e.OpenBureauError], int]] = [
    (e.ValidationFailed, 422),
    (e.NotFound, 404),
    (e.PermissionDenied, 403),
    (e.Conflict, 409),
    (e.Unauthenticated, 401),
    (e.RateLimited, 429),
    (e.SchemaOutOfDate, 503),
]
DATABASE_RETRY_AFTER = 5     # seconds; a restarting PostgreSQL is usually back within that
# the paths a person (not an organisation) calls: a refusal there is written in the language
# their ``Accept-Language`` asks for (docs/translations.md); elsewhere it stays in English
PERSON_PATHS = ("/v1/me/", "/v1/consumer/", "/v1/public/")
SCHEMA_MISMATCH = N_("the request does not match the schema")


class ProblemError(BaseModel):
    field: str
    message: str
    line: int | None = None
    category: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of the API is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = None


_WHEN = {400: "Bad request", 401: "No or bad credential", 403: "Not allowed for this caller",
         404: "Not found", 409: "Conflict with the current state", 422: "Invalid input",
         429: "Too many requests (see Retry-After)",
         503: "Temporarily unavailable (see Retry-After)"}
# documented on every API route (``include_router(..., responses=RESPONSES)``)
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text,
             "content": {"application/problem+json": {
                 "schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, text in _WHEN.items()}


def problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
            type_: str = "about:blank", headers: dict[str, str] | None = None,
            request: Request | None = None) -> JSONResponse:
    """A problem document; with ``request``, on a person's path (``PERSON_PATHS``), its
    ``title``, ``detail`` and each error's ``message`` in the language the request's
    ``Accept-Language`` asks for (``i18n.Language.message``; fields and codes unchanged)."""
    headers = dict(headers or {})
    if request is not None and request.url.path.startswith(PERSON_PATHS):
        locale = i18n.negotiate(None, request.headers.get("accept-language"), None)
        language = i18n.language(locale)
        title, detail = language.gettext(title), language.message(detail)
        errors = None if errors is None else [
            {**x, "message": language.message(x.get("message", ""))} for x in errors]
        headers.update({"Content-Language": locale, "Vary": "Accept-Language"})
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers or None,
                        media_type="application/problem+json")


def _slug(exc: e.OpenBureauError) -> str:
    name = type(exc).__name__
    return "https://openbureau.dev/problems/" + "".join(
        "-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def install(app: FastAPI) -> None:
    @app.exception_handler(e.OpenBureauError)
    async def _domain(request: Request, exc: e.OpenBureauError) -> JSONResponse:
        status = next((s for cls, s in STATUS if isinstance(exc, cls)), 400)
        errors = [x.as_dict() for x in exc.errors] if isinstance(exc, e.ValidationFailed) else None
        headers = ({"Retry-After": str(exc.retry_after)} if isinstance(exc, e.RateLimited)
                   else {"WWW-Authenticate": "Bearer"} if status == 401 else None)
        return problem(status, exc.title, exc.detail, errors, _slug(exc), headers, request)

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        # the database went away, timed out or is locked: the transaction in flight rolled
        # back and the client may retry (re-sending changes nothing already stored); any other
        # database error is a bug -> 500
        if not is_unavailable(exc):
            raise exc
        # the type only: a driver's message can quote the values of a row (PostgreSQL's
        # "DETAIL: Failing row contains ..."), and those are people's data
        orig = getattr(exc, "orig", None) or exc
        log.warning("database unavailable: %s (%s)", type(orig).__name__,
                    getattr(orig, "sqlstate", None) or type(exc).__name__)
        return problem(503, "Service unavailable",
                       "the database is unavailable; try again shortly",
                       type_="https://openbureau.dev/problems/database-unavailable",
                       headers={"Retry-After": str(DATABASE_RETRY_AFTER)})

    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, _database)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", "")})
        return problem(422, e.ValidationFailed.title, SCHEMA_MISMATCH, errors,
                       request=request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail),
                       headers=getattr(exc, "headers", None))
