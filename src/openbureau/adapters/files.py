"""Credit files (``subjects``): the file's identity data, what is on it, its statements and its
security freeze, as the service layer asks for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import (
    accounts,
    freezes,
    inquiries,
    public_records,
    statements,
    subjects,
)
from openbureau.services.stored import FileIdentity

# built once: a consumer's every request reads its file's identity (a select built per call
# costs about as much CPU again as running it)
_IDENTITY = select(subjects.c.id, subjects.c.item_ref, subjects.c.name, subjects.c.date_of_birth,
                   subjects.c.id_hmac, subjects.c.id_suffix
                   ).where(subjects.c.id == bindparam("subject_id"))


class SqlFiles(Repository):
    def identity(self, subject_id: int) -> FileIdentity | None:
        r = self._run(_IDENTITY, {"subject_id": subject_id}).first()
        if r is None:
            return None
        return FileIdentity(id=int(r.id), item_ref=r.item_ref, name=r.name,
                            date_of_birth=r.date_of_birth, id_hmac=r.id_hmac,
                            id_suffix=r.id_suffix)

    def item_ref(self, subject_id: int) -> str:
        return str(self._run(select(subjects.c.item_ref)
                             .where(subjects.c.id == subject_id)).scalar_one())

    def correct_identity(self, subject_id: int, changes: dict[str, Any]) -> None:
        self._run(update(subjects).where(subjects.c.id == subject_id).values(**changes))

    def holds(self, subject_id: int, item_ref: str) -> bool:
        checks = [
            select(accounts.c.id).where(accounts.c.item_ref == item_ref,
                                        accounts.c.subject_id == subject_id,
                                        accounts.c.deleted_at.is_(None)),
            select(public_records.c.id).where(public_records.c.item_ref == item_ref,
                                              public_records.c.subject_id == subject_id),
            select(inquiries.c.id).where(inquiries.c.item_ref == item_ref,
                                         inquiries.c.subject_id == subject_id),
            # the file's own ref, or the ref of a file merged into it
            select(subjects.c.id).where(subjects.c.item_ref == item_ref,
                                        or_(subjects.c.id == subject_id,
                                            subjects.c.merged_into_id == subject_id)),
        ]
        return any(self._run(q).first() is not None for q in checks)

    def add_statement(self, subject_id: int, item_ref: str | None, text: str,
                      now: datetime) -> None:
        self._run(insert(statements).values(subject_id=subject_id, item_ref=item_ref,
                                            text=text, created_at=now))

    def active_freeze(self, subject_id: int) -> tuple[int, datetime] | None:
        r = self._run(select(freezes.c.id, freezes.c.placed_at).where(
            freezes.c.subject_id == subject_id, freezes.c.lifted_at.is_(None))).first()
        return None if r is None else (int(r.id), r.placed_at)

    def place_freeze(self, subject_id: int, now: datetime) -> None:
        self._run(insert(freezes).values(subject_id=subject_id, placed_at=now))

    def lift_freeze(self, freeze_id: int, now: datetime) -> None:
        self._run(update(freezes).where(freezes.c.id == freeze_id).values(lifted_at=now))
