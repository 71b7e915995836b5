"""A furnisher's corrected account record, stored inside the dispute's unit of work.

``deps.store_correction``: the dispute's answer, the corrected record, the consumer's notice
and the rescore commit together or not at all. The record goes through the furnishing
pipeline (validation, identity, account state, audit events); ``furnishing.furnish`` still
opens its own unit per chunk from a ``Bureau``, so it is handed a view of the bureau whose
``uow()`` is the caller's open unit, joined: its commit only flushes, and the caller commits.
When furnishing takes a unit of work of its own (issue 13, item 1, left with identity
resolution), this bridge goes.
"""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import TYPE_CHECKING, Any

from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.unit_of_work import UnitOfWork as SqlUnitOfWork
from openbureau.domain.errors import FieldError
from openbureau.domain.roles import Principal
from openbureau.services.ports import StoreCorrection, UnitOfWork

if TYPE_CHECKING:
    from openbureau.bootstrap import Bureau


class _Participant:
    """The caller's open unit, as furnishing's ``with bureau.uow() as uow`` sees it."""

    def __init__(self, parent: SqlUnitOfWork) -> None:
        self._parent = parent
        self.clock = parent.clock
        self.session = parent.session

    def __enter__(self) -> _Participant:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def __getattr__(self, name: str) -> Any:     # the repositories, ``execute``
        return getattr(self._parent, name)

    def audit(self, *args: Any, **kwargs: Any) -> None:
        self._parent.audit(*args, **kwargs)

    def audit_many(self, events: list[PendingEvent]) -> None:
        self._parent.audit_many(events)

    def commit(self) -> None:
        self.session.flush()

    def rollback(self) -> None:
        raise RuntimeError("a joined unit of work cannot roll back on its own")


def joined_store(bureau: Bureau) -> StoreCorrection:
    def store(uow: UnitOfWork, furnisher: Principal, raw: dict[str, Any]) -> list[FieldError]:
        from openbureau.services import furnishing

        if not isinstance(uow, SqlUnitOfWork):
            raise TypeError("a corrected record is stored in the database's unit of work")
        joined = dataclasses.replace(bureau)
        joined.uow = lambda: _Participant(uow)  # type: ignore[method-assign,assignment,return-value]
        summary = furnishing.furnish(joined, furnisher, [furnishing.Candidate(0, raw)], chunk=1,
                                     rescore=None)
        return [e for r in summary.rejected for e in r.errors]

    return store
