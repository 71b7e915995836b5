"""RFC 9457 problem documents for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openbureau.domain import errors as e

STATUS: list[tuple[type[e.OpenBureauError], int]] = [
    (e.ValidationFailed, 422),
    (e.NotFound, 404),
    (e.PermissionDenied, 403),
    (e.Conflict, 409),
    (e.Unauthenticated, 401),
    (e.RateLimited, 429),
    (e.SchemaOutOfDate, 503),
]


def problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
            type_: str = "about:blank", headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers,
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
        return problem(status, exc.title, exc.detail, errors, _slug(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", "")})
        return problem(422, "Validation failed", "the request does not match the schema",
                       errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail),
                       headers=getattr(exc, "headers", None))
