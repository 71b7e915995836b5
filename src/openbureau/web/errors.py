"""HTML error pages for browsers on the pages' paths; everyone else keeps problem documents.

Unauthenticated and wrong-role page requests answer 401/403 with a page (and a sign-in link),
never a redirect, so role checks stay visible to clients and tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from openbureau.domain import errors as e
from openbureau.domain.wording import N_
from openbureau.web.render import render

API_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")
Handler = Callable[[Request, Any], Awaitable[Response]]
# what Starlette and pydantic say on a page that is not there or a request a page did not expect:
# translated where they are shown (``i18n.Language.message``)
FRAMEWORK_WORDS = (N_("Not Found"), N_("Method Not Allowed"), N_("Field required"),
                   N_("String should have at most %(n)s characters"),
                   N_("String should have at least %(n)s characters"),
                   N_("List should have at least %(n)s item after validation, not %(n2)s"),
                   N_("List should have at most %(n)s items after validation, not %(n2)s"),
                   N_("Input should be %(expected)s"), N_("Input should be a valid string"),
                   N_("Input should be a valid integer"),
                   N_("Input should be a valid boolean"), N_("Extra inputs are not permitted"),
                   N_("Input should be a valid list"), N_("Input should be a valid dictionary"))


def wants_html(request: Request) -> bool:
    return (not request.url.path.startswith(API_PREFIXES)
            and "text/html" in request.headers.get("accept", ""))


def _status(exc: Exception) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    from openbureau.api.problems import STATUS

    return next((s for cls, s in STATUS if isinstance(exc, cls)), 400)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, (e.RoleNotAllowed, e.CredentialsRequired)):
        return []       # the page says it in the reader's words (sign in; who is signed in)
    if isinstance(exc, e.ValidationFailed):
        return [f"{x.field}: {x.message}" for x in exc.errors]
    if isinstance(exc, RequestValidationError):
        return [" ".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query")) +
                ": " + str(err.get("msg", "")) for err in exc.errors()]
    if isinstance(exc, e.OpenBureauError):
        return [exc.detail]
    return [str(getattr(exc, "detail", exc))]


def install(app: FastAPI) -> None:
    for exc_class in (e.OpenBureauError, RequestValidationError, StarletteHTTPException):
        # Starlette types its handlers as Callable[[Request, Any], ...]; ours take an Exception
        original: Handler | None = app.exception_handlers.get(exc_class)  # type: ignore[assignment]

        async def handler(request: Request, exc: Exception,
                          original: Handler | None = original) -> Response:
            if wants_html(request) or original is None:
                status = _status(exc)
                response = render(request, "error.html", status_code=status, status=status,
                                  title=getattr(exc, "title", N_("Error")),
                                  messages=_messages(exc))
                if status == 401:
                    response.headers["WWW-Authenticate"] = 'Cookie realm="openbureau"'
                return response
            return await original(request, exc)

        app.exception_handlers[exc_class] = handler
