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
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.orm import Session

from openbureau.adapters import audit as audit_chain
from openbureau.adapters.accounts import SqlAccounts
from openbureau.adapters.audit_log import SqlAuditLog
from openbureau.adapters.consents import SqlConsents, SqlOrganisations
from openbureau.adapters.credentials import SqlCredentials
from openbureau.adapters.database import SqlHealth
from openbureau.adapters.demo_data import SqlDemoData
from openbureau.adapters.disputes import SqlDisputes
from openbureau.adapters.exports import SqlCreditFiles, SqlExports
from openbureau.adapters.files import SqlFiles
from openbureau.adapters.fraud_alerts import SqlFraudAlerts
from openbureau.adapters.furnish_store import SqlFurnishStore
from openbureau.adapters.furnishing_files import SqlFurnishingFiles
from openbureau.adapters.identity_holds import SqlIdentityHolds
from openbureau.adapters.identity_observations import SqlObservations
from openbureau.adapters.inquiries import SqlDecisions, SqlInquiries
from openbureau.adapters.listings import SqlListings, SqlObjections
from openbureau.adapters.model_registry import SqlModels
from openbureau.adapters.notices import SqlNotices
from openbureau.adapters.offers import SqlOffers
from openbureau.adapters.protections import SqlProtections
from openbureau.adapters.registry import SqlRegistry
from openbureau.adapters.relink_store import SqlRelinking
from openbureau.adapters.report_reads import SqlReportReads
from openbureau.adapters.rescore_jobs import SqlRescoreJobs
from openbureau.adapters.resolution import SqlResolution
from openbureau.adapters.score_drift import SqlScoreDrift
from openbureau.adapters.scores import SqlScores
from openbureau.adapters.subjects import SqlSubjects
from openbureau.clock import Clock

_open = threading.local()
R = TypeVar("R")


class NestedUnitOfWork(RuntimeWarning):
    """A unit of work opened while another is open on the same thread: two transactions where
    one was meant, and on SQLite a wait on the write lock the outer one holds."""


class _Repository(Generic[R]):
    """A repository of the unit, built on first use in each ``with`` (a unit that reads only
    disputes builds nothing else)."""

    def __init__(self, make: Callable[[UnitOfWork], R]) -> None:
        self._make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...

    def __get__(self, uow: UnitOfWork | None, owner: type) -> R | _Repository[R]:
        if uow is None:
            return self
        made: R | None = uow._repositories.get(self._name)
        if made is None:
            made = uow._repositories[self._name] = self._make(uow)
        return made


class UnitOfWork:
    files = _Repository(lambda u: SqlFiles(u.execute))
    accounts = _Repository(lambda u: SqlAccounts(u.execute, u.dialect))
    disputes = _Repository(lambda u: SqlDisputes(u.execute))
    listings = _Repository(lambda u: SqlListings(u.execute))
    objections = _Repository(lambda u: SqlObjections(u.execute))
    notices = _Repository(lambda u: SqlNotices(u.execute))
    inquiries = _Repository(lambda u: SqlInquiries(u.execute))
    decisions = _Repository(lambda u: SqlDecisions(u.execute))
    consents = _Repository(lambda u: SqlConsents(u.execute, u.dialect))
    organisations = _Repository(lambda u: SqlOrganisations(u.execute))
    offers = _Repository(lambda u: SqlOffers(u.execute))
    fraud_alerts = _Repository(lambda u: SqlFraudAlerts(u.execute))
    furnishing_files = _Repository(lambda u: SqlFurnishingFiles(u.execute))
    scores = _Repository(lambda u: SqlScores(u.execute, u.session.connection))
    models = _Repository(lambda u: SqlModels(u.execute))
    audit_log = _Repository(lambda u: SqlAuditLog(u.execute, lambda: u.session, u.audit_key))
    rescore_jobs = _Repository(lambda u: SqlRescoreJobs(u.execute))
    protections = _Repository(lambda u: SqlProtections(u.execute, u.dialect))
    bulk_store = _Repository(lambda u: SqlFurnishStore(u.session.connection,
                                                       u.driver_connection, u.dialect))
    observations = _Repository(lambda u: SqlObservations(u.execute, u.dialect,
                                                         u.driver_connection))
    resolution = _Repository(lambda u: SqlResolution(u.execute, u.dialect))

    credentials = _Repository(lambda u: SqlCredentials(u.execute, u.dialect))
    report = _Repository(lambda u: SqlReportReads(u.execute, u.dialect))
    demo = _Repository(lambda u: SqlDemoData(u.execute))
    exports = _Repository(lambda u: SqlExports(u.execute))
    credit_files = _Repository(lambda u: SqlCreditFiles(u.execute))
    relink = _Repository(lambda u: SqlRelinking(u.execute))

    subjects = _Repository(lambda u: SqlSubjects(u.execute))
    registry = _Repository(lambda u: SqlRegistry(u.execute))
    identity_holds = _Repository(lambda u: SqlIdentityHolds(u.execute))
    score_drift = _Repository(lambda u: SqlScoreDrift(u.execute))
    health = _Repository(lambda u: SqlHealth(u.execute))

    def __init__(self, session_factory: Callable[[], Session], clock: Clock,
                 audit_key: audit_chain.ChainKey) -> None:
        self._session_factory = session_factory
        self.clock = clock
        self._audit_key: audit_chain.ChainKey = audit_key
        self._events: list[audit_chain.PendingEvent] = []
        self.session: Session
        self._repositories: dict[str, Any] = {}

    def __enter__(self) -> UnitOfWork:
        depth = getattr(_open, "depth", 0)
        if depth:
            warnings.warn("a unit of work was opened inside another; pass the open one down",
                          NestedUnitOfWork, stacklevel=2)
        self.session = self._session_factory()
        _open.depth = depth + 1
        self._events = []
        self._repositories = {}     # built on first use, for this session
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _open.depth = getattr(_open, "depth", 1) - 1
        self.session.rollback()
        self.session.close()

    @property
    def audit_key(self) -> audit_chain.ChainKey:
        return self._audit_key

    @property
    def dialect(self) -> str:
        """The database's dialect name: "sqlite" or "postgresql"."""
        return str(self.session.get_bind().dialect.name)

    def driver_connection(self) -> Any:
        """The driver's own connection under the unit's transaction (psycopg's, for COPY)."""
        return self.session.connection().connection.driver_connection

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
