"""The FastAPI application factory. Everything is built in ``create_app``; nothing at import."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from openbureau import __version__
from openbureau.api import problems
from openbureau.bootstrap import Bureau, bootstrap
from openbureau.config import Settings

log = logging.getLogger("openbureau.api")


def _resume_pending(bureau: Bureau) -> None:
    from openbureau.api.server_errors import where
    from openbureau.services import files

    # the type and the frames, never the message (docs/security.md, "No data in error logs")
    try:
        pending = files.resume_pending(bureau.uow(), bureau.deps)
    except Exception as exc:  # noqa: BLE001 - the server still starts; the files stay queued
        log.error("could not list the files left pending: %s\n%s", type(exc).__name__,
                  where(exc))
        return
    for file_id in pending:
        log.info("resuming file %s left pending by a restart", file_id)
        try:
            files.ingest(bureau.uow(), bureau.deps, file_id, rescore=bureau.rescorer)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            log.error("resuming file %s failed: %s\n%s", file_id, type(exc).__name__, where(exc))


def resume_pending_in_background(bureau: Bureau) -> None:
    """Finish, in a background thread, the uploads a crash left queued or running."""
    threading.Thread(target=_resume_pending, args=(bureau,), name="openbureau-resume-files",
                     daemon=True).start()


def worker_app() -> FastAPI:
    """The application of one of several server processes (``openbureau serve --workers N``,
    uvicorn's ``factory=True``): settings from the environment, like every command; pending
    uploads are resumed once, by the parent process, not by every worker."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings, resume_files=False)


def configure_logging(settings: Settings) -> str:
    """The server's logs on standard error at ``OPENBUREAU_LOG_LEVEL`` (the access log is INFO);
    the level's name, for uvicorn's own loggers."""
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("openbureau").setLevel(level)
    return level.lower()


def start_credential_cache(bureau: Bureau) -> None:
    """A server process on PostgreSQL remembers the credentials it verified, for
    ``credential_cache_seconds``, while it listens for changes (``adapters/credential_cache``)."""
    ttl = bureau.settings.credential_cache_seconds
    if bureau.credentials is None and ttl > 0 and bureau.engine.dialect.name == "postgresql":
        from openbureau.adapters.credential_cache import CredentialCache

        bureau.credentials = CredentialCache(bureau.engine, ttl).start()


def freeze_startup_heap() -> None:
    """Move everything the process holds after start-up (the app, its schemas, the tables,
    imported modules: about 150,000 objects) out of the garbage collector's sight. Otherwise
    each full collection walks them all, about 60 to 80 ms during which the process answers
    nothing, a few times a minute under load; after this one takes about 2 ms. Only for a
    server process: the frozen objects are kept for its lifetime."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, bureau: Bureau | None = None,
               resume_files: bool | None = None, serving: bool = False) -> FastAPI:
    """``resume_files`` (default: when the app builds its own bureau, i.e. a real server)
    finishes, in a background thread, the uploads a crash left queued or running.
    ``serving``: the app is a server process's (as when it builds its own bureau): it remembers
    verified credentials (on PostgreSQL) and freezes its start-up heap."""
    if resume_files is None:
        resume_files = bureau is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = getattr(app.state, "bureau", None) is None
        server = serving or own
        if own:
            app.state.bureau = bootstrap(settings)
        b: Bureau = app.state.bureau
        if server:
            start_credential_cache(b)
        if resume_files:
            # files a crash left queued or running are finished in the background; storing is
            # an upsert, so what was already stored is not stored twice
            resume_pending_in_background(b)
        if server:
            freeze_startup_heap()
        try:
            yield
        finally:
            if server and b.credentials is not None:
                b.credentials.close()
                b.credentials = None

    # /docs is ours (api/docs.py: Swagger UI's files served locally); no ReDoc (a CDN script)
    app = FastAPI(title="openbureau", version=__version__, lifespan=lifespan,
                  description="A credit reporting system with due process built in.",
                  docs_url=None, redoc_url=None)
    app.state.bureau = bureau
    problems.install(app)
    from openbureau.api.body_limit import BodyLimit
    from openbureau.api.security import SecurityHeaders

    conf = settings or (bureau.settings if bureau else Settings())
    production = conf.environment
    # bodies are bounded before credentials are checked or anything is parsed; inside the
    # security headers and the access log, so that a 413 has both
    from openbureau.api.server_errors import ServerErrors

    # an error nothing handled is answered here, inside the headers and the access log, not by
    # Starlette's outermost layer, whose 500 had neither (docs/security.md)
    app.add_middleware(ServerErrors)
    app.add_middleware(BodyLimit, max_body=conf.max_body_bytes, max_upload=conf.max_upload_bytes)
    app.add_middleware(SecurityHeaders, hsts=production == "production")
    from openbureau.api.access_log import AccessLog

    app.add_middleware(AccessLog)

    from openbureau.api.routers import ROUTERS

    for router in ROUTERS:
        app.include_router(router, responses=problems.RESPONSES)
    from openbureau.api import docs

    app.include_router(docs.router)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:     # nothing to wait for: no thread-pool hand-off
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=None)
    def readyz() -> JSONResponse | dict[str, object]:
        from openbureau.services import models as model_service

        b: Bureau = app.state.bureau
        checks: dict[str, object] = {}
        try:
            with b.uow() as uow:
                uow.health.ping()
            checks["database"] = True
        except Exception as exc:  # noqa: BLE001 - report, never raise
            log.warning("readiness: database unreachable: %s", type(exc).__name__)
            checks["database"] = False
        checks["model"] = bool(checks["database"]) \
            and model_service.active_version(b.uow(), b.deps) is not None
        ready = all(bool(v) for v in checks.values())
        if not ready:
            return problems.problem(503, "Not ready", "dependencies unavailable",
                                    [{"field": k, "message": "unavailable"}
                                     for k, v in checks.items() if not v])
        return {"status": "ready", **checks}

    from openbureau.api.metrics import router as metrics_router

    app.include_router(metrics_router, responses=problems.RESPONSES)

    from openbureau import web

    web.install(app)   # the pages (Jinja2 + htmx) at /, /me, /member, /court, /public, /admin
    return app
