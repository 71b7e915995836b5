"""Verified credentials, remembered by a server process and forgotten the moment any process
changes one (PostgreSQL ``LISTEN``/``NOTIFY``).

Every API request carries an API key or a consumer session token, and checking it against the
database is a transaction of its own: on the request mix of ``bench/load.py`` that was about a
sixth of the server's CPU. A server process on PostgreSQL therefore remembers what it verified,
for at most ``ttl`` seconds, on one condition: that it is listening on ``CHANNEL``. Whatever
revokes a key, rotates one or ends a session calls ``changed(uow)`` inside its transaction, so
PostgreSQL delivers the notification when (and only if) that change commits, and every listening
process forgets everything it remembered. While a process is not listening (before the first
``LISTEN``, after the connection dropped, while reconnecting) it remembers nothing and checks
every credential in the database, as a process without this cache does.

What stays in the database check: the first use of a credential in a process, every use when
not listening, and argon2 for an API key the process has not verified before. A change made
behind the bureau's back (SQL typed by hand) is seen after ``ttl`` seconds at most.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from openbureau.domain.roles import Principal

log = logging.getLogger("openbureau.credentials")

CHANNEL = "openbureau_credentials"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")


@dataclass(frozen=True)
class Remembered:
    digest: str                       # SHA-256 of the whole credential, compared in constant time
    principal: Principal
    expires_at: datetime | None = None        # a session's own end; None for an API key


def changed(uow: Any) -> None:
    """Tell every server process to forget the credentials it remembers, when the caller's
    transaction commits (nothing happens if it rolls back). No-op on SQLite, where no process
    remembers any. (A service says it with ``uow.credentials.changed()``.)"""
    notify(uow.execute, uow.session.get_bind().dialect.name)


def notify(run: Callable[..., Any], dialect: str) -> None:
    """``changed``, given the unit's ``execute`` and dialect."""
    if dialect == "postgresql":
        run(_NOTIFY)


class CredentialCache:
    """One per server process. ``get`` answers only while the listener is connected; ``put``
    stores only if nothing changed since the caller's ``generation`` was read (a check that
    read the database before a revocation must not store its stale answer after it)."""

    def __init__(self, engine: Engine, ttl: float = 60.0, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, Remembered]] = {}
        self._generation = 0
        self._live = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the cache --------------------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self._live

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, key: Hashable) -> Remembered | None:
        if not self._live:
            return None
        hit = self._entries.get(key)
        if hit is None or hit[0] <= self._monotonic():
            return None
        return hit[1]

    def put(self, key: Hashable, value: Remembered, generation: int) -> None:
        with self._lock:
            if self._live and generation == self._generation:
                self._entries[key] = (self._monotonic() + self._ttl, value)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries = {}

    # -- the listener -----------------------------------------------------------------------

    def start(self) -> CredentialCache:
        self._thread = threading.Thread(target=self._listen, name="openbureau-credentials",
                                        daemon=True)
        self._thread.start()
        return self

    def wait_live(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._live and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._live

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _listen(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            conn = None
            try:
                # a connection of its own, made with the engine's settings (timeouts,
                # keepalives) and taken out of the pool for good
                raw = self._engine.raw_connection()
                conn = raw.driver_connection
                raw.detach()
                if conn is None:    # the pool handed out a connection already closed
                    raise ConnectionError("no driver connection")
                conn.rollback()
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.forget_all()
                self._live = True
                backoff = 0.5
                log.info("remembering verified credentials (listening on %s)", CHANNEL)
                while not self._stop.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        self.forget_all()
            except Exception as exc:  # noqa: BLE001 - any failure: stop remembering, retry
                if not self._stop.is_set():
                    log.warning("credential notifications unavailable (%s); checking every "
                                "credential in the database until they are back",
                                type(exc).__name__)
            finally:
                self._live = False
                self.forget_all()
                if conn is not None:
                    with contextlib.suppress(Exception):    # closing a broken connection
                        conn.close()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
