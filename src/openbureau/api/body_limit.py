"""Request bodies are bounded before anything else looks at them (issue 12, finding 1).

A pure ASGI middleware, so that nothing is buffered on its way: a body announced larger than
the limit (``Content-Length``) is refused with 413 before the application is called at all; a
body without a length (chunked) is counted as the application reads it, and the read that
passes the limit raises, so that at most the limit is ever held. Either way the caller gets an
RFC 9457 problem document with status 413, whatever the route would have answered: credentials
are checked and JSON is parsed by the route, after this.

The limit is ``max_body_bytes`` for every request, except a furnishing file upload
(``POST /v1/furnisher/files``, and the page's ``POST /furnisher/files``), which is streamed to
disk by its route and may reach ``max_upload_bytes`` (plus the few bytes of its multipart
envelope, ``UPLOAD_ENVELOPE``; the route counts the file itself exactly).

The rest of a refused body is not read by the application; the server discards it as it
arrives (uvicorn keeps at most its 64 KiB read-ahead per connection), so memory stays flat.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openbureau.api import problems

# the API's upload and the furnisher page's (web/pages_furnisher.py), the same service behind
UPLOAD_ROUTES = frozenset({("POST", "/v1/furnisher/files"), ("POST", "/furnisher/files")})
UPLOAD_ENVELOPE = 64 * 1024     # multipart boundaries and part headers around the file
TOO_LARGE_TYPE = "https://openbureau.dev/problems/content-too-large"


class BodyTooLarge(Exception):
    """Raised by the counted ``receive`` when the body passes the limit."""


def too_large(limit: int, what: str = "request body") -> JSONResponse:
    """The 413 problem document (a Starlette response, itself an ASGI app)."""
    return problems.problem(
        413, "Content too large",
        f"the {what} is larger than this endpoint accepts ({limit:,} bytes); nothing of it "
        "was kept", type_=TOO_LARGE_TYPE)


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    def limit_for(self, scope: Scope) -> tuple[int, int]:
        """(the limit checked here, the limit the caller is told)."""
        if (scope["method"], scope["path"]) in UPLOAD_ROUTES:
            return self.max_upload + UPLOAD_ENVELOPE, self.max_upload
        return self.max_body, self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, told = self.limit_for(scope)
        length = _content_length(scope)
        if length is not None and length > limit:
            await too_large(told)(scope, receive, send)
            return
        counted = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal counted, exceeded
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return      # whatever the route made of the cut body, the caller gets the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await too_large(told)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None     # the server refuses a malformed length itself
    return None
