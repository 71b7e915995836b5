"""The unit of work: one transaction per use case, rolled back unless the service commits.

Audit events recorded during the unit are appended to the hash chain at commit, inside the
same transaction, so "change + audit event" is one thing or nothing.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from openbureau.adapters import audit as audit_chain
from openbureau.clock import Clock

_open = threading.local()


class NestedUnitOfWork(RuntimeWarning):
    """A unit of work opened while another is open on the same thread: two transactions where
    one was meant, and on SQLite a wait on the write lock the outer one holds."""


class UnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], clock: Clock,
                 audit_key: audit_chain.ChainKey) -> None:
        self._session_factory = session_factory
        self.clock = clock
        self._audit_key = audit_key
        self._events: list[audit_chain.PendingEvent] = []
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        depth = getattr(_open, "depth", 0)
        if depth:
            warnings.warn("a unit of work was opened inside another; pass the open one down",
                          NestedUnitOfWork, stacklevel=2)
        self.session = self._session_factory()
        _open.depth = depth + 1
        self._events = []
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _open.depth = getattr(_open, "depth", 1) - 1
        self.session.rollback()
        self.session.close()

    def execute(self, statement: Any, params: Any = None) -> Any:
        # Core statements only (there are no mapped classes): the session's connection runs
        # them in the same transaction without the ORM's per-statement bookkeeping
        return self.session.connection().execute(statement, params)

    def audit(self, actor: str, action: str, subject_ref: str | None = None,
              purpose: str | None = None, **detail: Any) -> None:
        self._events.append(audit_chain.PendingEvent(self.clock.now(), actor, action,
                                                     subject_ref, purpose, detail))

    def audit_many(self, events: list[audit_chain.PendingEvent]) -> None:
        self._events.extend(events)

    def commit(self) -> None:
        events, self._events = self._events, []
        audit_chain.append_and_commit(self.session, events, self._audit_key)

    def rollback(self) -> None:
        self._events = []
        self.session.rollback()
