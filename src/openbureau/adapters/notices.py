"""Writing a notice to a consumer: the one insert every use case that tells the consumer
something (a freeze, a listing, a dispute's result, an adverse action) goes through."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import notices

if TYPE_CHECKING:
    from openbureau.adapters.unit_of_work import UnitOfWork

TITLE_MAX = 200     # notices.title


class SqlNotices(Repository):
    def add(self, subject_id: int, kind: str, title: str, body: dict[str, Any],
            created_at: datetime) -> int:
        return _insert(self._run, subject_id, kind, title, body, created_at)


def _insert(run: Run, subject_id: int, kind: str, title: str, body: dict[str, Any],
            created_at: datetime) -> int:
    return int(run(insert(notices).values(
        subject_id=subject_id, kind=kind, title=title[:TITLE_MAX], body=body,
        created_at=created_at).returning(notices.c.id)).scalar_one())


def add(uow: UnitOfWork, subject_id: int, kind: str, title: str, body: dict[str, Any],
        created_at: datetime | None = None) -> int:
    """Store a notice on the subject's file (in ``uow``'s transaction) and return its id; the
    title is cut to what the column holds, the time defaults to the clock's now."""
    return _insert(uow.execute, subject_id, kind, title, body,
                   created_at if created_at is not None else uow.clock.now())
