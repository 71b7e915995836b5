"""The answer to an error nothing else handled: a 500 problem document that passes through the
security headers and the access log like every other answer, and a log line that names the
exception's type and where it was raised, never its message.

Starlette answers an unhandled exception from its outermost layer, outside every middleware the
application adds, so that answer had none of the security headers; and the server logged the
exception's text, which for a database error quotes the statement and, from PostgreSQL, the
values of the row (``DETAIL: Failing row contains ...``): people's data.
"""

from __future__ import annotations

import logging
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("openbureau.api")

_BODY = (b'{"type":"about:blank","title":"Internal server error","status":500,'
         b'"detail":"an internal error stopped the request"}')


def where(exc: BaseException) -> str:
    """The frames an exception passed through (file, line, function, source line), without its
    message."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


class ServerErrors:
    """Pure ASGI middleware, inside the security headers and the access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, noting_start)
        except Exception as exc:  # noqa: BLE001 - the last line: answer 500, log the type only
            log.error("unhandled %s in %s %s\n%s", type(exc).__name__, scope.get("method"),
                      scope.get("path"), where(exc))
            if started:      # the answer is already on its way: the server closes it
                raise RuntimeError("response interrupted by an unhandled error") from None
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/problem+json"),
                                    (b"content-length", str(len(_BODY)).encode())]})
            await send({"type": "http.response.body", "body": _BODY})
