"""Security headers on every response (pages and API alike)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), interest-cohort=()",
    b"content-security-policy": (b"default-src 'self'; img-src 'self' data:; "
                                 b"style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
                                 b"form-action 'self'; base-uri 'none'"),
    b"cache-control": b"no-store",
}
# Swagger UI (/docs, served from this server) sets style attributes in its markup; its scripts
# are files of ours, so scripts stay 'self' only.
_DOCS_CSP = (b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
             b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering, so streaming and uploads are untouched)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "") == "/docs"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                for name, value in HEADERS.items():
                    if name in present:
                        continue
                    if name == b"content-security-policy" and docs:
                        value = _DOCS_CSP
                    headers.append((name, value))
                if self.hsts:
                    headers.append((b"strict-transport-security",
                                    b"max-age=63072000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
