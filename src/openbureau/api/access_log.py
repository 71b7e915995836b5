"""The server's access log: one line per request, with nothing personal in it.

uvicorn's own access log (turned off by ``openbureau serve``) writes the client's address and
the whole request line, query string included: a public search's ``?name=`` is a person's name,
and the log is not the place for it. This one writes the method, the path without its query,
the status and the time taken.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("openbureau.access")


class AccessLog:
    """Pure ASGI middleware (nothing buffered)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500                      # what the client gets if the app raises before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            log.info('"%s %s" %d %.1f ms', scope["method"], scope["path"], status,
                     (time.perf_counter() - started) * 1000)
