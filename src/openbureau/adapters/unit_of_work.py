"""The unit of work on SQLAlchemy: one transaction per use case, rolled back unless the service
commits; it implements ``services.ports.UnitOfWork`` with one repository per aggregate, each
running its statements on the unit's connection.

Audit events recorded during the unit are appended to the hash chain at commit, inside the
same transaction, so "change + audit event" is one thing or nothing.

``execute`` and ``session`` remain for the services not yet converted to repositories (the
``ignore_imports`` of the import-linter contract "Nothing but adapters imports SQLAlchemy").
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from openbureau.adapters import audit as audit_chain
from openbureau.adapters.accounts import SqlAccounts
from openbureau.adapters.audit_log import SqlAuditLog
from openbureau.adapters.consents import SqlConsents, SqlOrganisations
from openbureau.adapters.disputes import SqlDisputes
from openbureau.adapters.files import SqlFiles
from openbureau.adapters.fraud_alerts import SqlFraudAlerts
from openbureau.adapters.furnishing_files import SqlFurnishingFiles
from openbureau.adapters.inquiries import SqlDecisions, SqlInquiries
from openbureau.adapters.listings import SqlListings, SqlObjections
from openbureau.adapters.model_registry import SqlModels
from openbureau.adapters.notices import SqlNotices
from openbureau.adapters.offers import SqlOffers
from openbureau.adapters.rescore_jobs import SqlRescoreJobs
from openbureau.adapters.scores import SqlScores
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
        # the repositories, on the session ``__enter__`` opens
        self.files: SqlFiles
        self.accounts: SqlAccounts
        self.disputes: SqlDisputes
        self.listings: SqlListings
        self.notices: SqlNotices
        self.inquiries: SqlInquiries
        self.fraud_alerts: SqlFraudAlerts
        self.decisions: SqlDecisions
        self.audit_log: SqlAuditLog
        self.rescore_jobs: SqlRescoreJobs
        self.consents: SqlConsents
        self.organisations: SqlOrganisations
        self.offers: SqlOffers
        self.objections: SqlObjections
        self.furnishing_files: SqlFurnishingFiles
        self.scores: SqlScores
        self.models: SqlModels

    def __enter__(self) -> UnitOfWork:
        depth = getattr(_open, "depth", 0)
        if depth:
            warnings.warn("a unit of work was opened inside another; pass the open one down",
                          NestedUnitOfWork, stacklevel=2)
        self.session = self._session_factory()
        _open.depth = depth + 1
        self._events = []
        run = self.execute
        self.files = SqlFiles(run)
        dialect = self.session.get_bind().dialect.name
        self.accounts = SqlAccounts(run, dialect)
        self.disputes = SqlDisputes(run)
        self.listings = SqlListings(run)
        self.notices = SqlNotices(run)
        self.inquiries = SqlInquiries(run)
        self.fraud_alerts = SqlFraudAlerts(run)
        self.decisions = SqlDecisions(run)
        self.audit_log = SqlAuditLog(run, lambda: self.session, self._audit_key)
        self.rescore_jobs = SqlRescoreJobs(run)
        self.consents = SqlConsents(run, dialect)
        self.organisations = SqlOrganisations(run)
        self.offers = SqlOffers(run)
        self.objections = SqlObjections(run)
        self.furnishing_files = SqlFurnishingFiles(run)
        self.scores = SqlScores(run, self.session.connection)
        self.models = SqlModels(run)
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
