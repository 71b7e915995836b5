"""Engines for SQLite and PostgreSQL, their session factories, and the migration check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine as Engine  # named here for the composition root (bootstrap)
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from openbureau.adapters.repository import Repository

#: what the unit of work opens a session with
SessionFactory = Callable[[], Session]


def make_session_factory(engine: Engine) -> SessionFactory:
    """Sessions on ``engine`` whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    # a statement's parameters are people's identifiers, names and amounts: an error's text
    # (and so a logged traceback) names the statement but never its values
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy recipe).
        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # no ping before each use (a round trip per transaction): a connection found dead makes
    # its request answer 503 (``is_unavailable``) and SQLAlchemy renews the whole pool
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_timeout", 10)
    kwargs.setdefault("connect_args", _pg_connect_args(url))
    return create_engine(url, **kwargs)


# A request must fail, not hang, when PostgreSQL is away or stuck: connecting gives up after
# 5 s, a statement after 60 s, a transaction left idle after 60 s, and TCP keepalives notice a
# server that vanished without closing the connection. ``?options=...`` in the URL overrides the
# server-side timeouts (e.g. ``-c statement_timeout=0`` for a long migration).
STATEMENT_TIMEOUT_MS = 60_000


def _pg_connect_args(url: str) -> dict[str, Any]:
    args: dict[str, Any] = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10,
                            "keepalives_interval": 5, "keepalives_count": 3}
    if "options=" not in url:
        args["options"] = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
                           f"-c idle_in_transaction_session_timeout={STATEMENT_TIMEOUT_MS}")
    return args


def is_unavailable(exc: BaseException) -> bool:
    """True when an error says the database is away, timed out or busy (connection refused or
    lost, server shutting down, statement timeout, pool exhausted, SQLite locked) rather than
    that the statement or the data was wrong: the work can be retried as it is."""
    if isinstance(exc, sa_exc.TimeoutError) or getattr(exc, "connection_invalidated", False):
        return True
    if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    orig = getattr(exc, "orig", None)
    if type(orig).__module__.startswith("sqlite3"):
        # sqlite3 also calls "no such table" or a syntax error operational: those are bugs
        return any(w in str(orig).lower() for w in _SQLITE_UNAVAILABLE)
    return True


_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def refused_data(exc: BaseException) -> bool:
    """True when the database (or its driver) refused what a statement carried -- a constraint,
    a value out of range, text it cannot encode -- rather than being away (``is_unavailable``):
    the records sent are at fault, and storing them apart finds which."""
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return not is_unavailable(exc)
    if isinstance(exc, psycopg.Error):
        return not isinstance(exc, psycopg.OperationalError)
    return isinstance(exc, UnicodeError)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    here = Path(__file__).resolve().parent.parent / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(here))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


#: what the driver raises when the database is away, timed out or locked, among others
#: (``is_unavailable`` tells them apart); ``api/problems.py`` answers those with a 503
DATABASE_ERRORS: tuple[type[Exception], ...] = (sa_exc.DBAPIError, sa_exc.TimeoutError)


class SqlHealth(Repository):
    """The readiness check's question to the database."""

    def ping(self) -> None:
        self._run(text("SELECT 1"))
