"""The FastAPI application factory. Everything is built in ``create_app``; nothing at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from openbureau import __version__
from openbureau.api import problems
from openbureau.bootstrap import Bureau, bootstrap
from openbureau.config import Settings

log = logging.getLogger("openbureau.api")


def create_app(settings: Settings | None = None, *, bureau: Bureau | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "bureau", None) is None:
            app.state.bureau = bootstrap(settings)
        yield

    app = FastAPI(title="openbureau", version=__version__, lifespan=lifespan,
                  description="A credit reporting system with due process built in.")
    app.state.bureau = bureau
    problems.install(app)
    from openbureau.api.security import SecurityHeaders

    production = (settings or (bureau.settings if bureau else Settings())).environment
    app.add_middleware(SecurityHeaders, hsts=production == "production")

    from openbureau.api.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=None)
    def readyz() -> JSONResponse | dict[str, object]:
        from openbureau.services import models as model_service

        b: Bureau = app.state.bureau
        checks: dict[str, object] = {}
        try:
            with b.uow() as uow:
                uow.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception as exc:  # noqa: BLE001 - report, never raise
            log.warning("readiness: database unreachable: %s", type(exc).__name__)
            checks["database"] = False
        checks["model"] = bool(checks["database"]) and model_service.active_version(b) is not None
        ready = all(bool(v) for v in checks.values())
        if not ready:
            return problems.problem(503, "Not ready", "dependencies unavailable",
                                    [{"field": k, "message": "unavailable"}
                                     for k, v in checks.items() if not v])
        return {"status": "ready", **checks}

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def metrics() -> str:
        from openbureau.api.metrics import render

        return render(app.state.bureau)

    return app
