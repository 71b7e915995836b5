"""Credit files by identity: found by keyed hash of the national id or by id, and opened."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from openbureau.adapters import relink_store
from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import subjects
from openbureau.services.stored import Subject

# built once: every inquiry, restriction check and consumer request looks a file up
_BY_HMAC = select(subjects).where(subjects.c.id_hmac == bindparam("id_hmac"))
_BY_ID = select(subjects).where(subjects.c.id == bindparam("subject_id"))
# filled by position, the cheapest way on the look-up path: the record's fields are the
# table's columns in order
assert tuple(c.name for c in subjects.c) == tuple(f.name for f in fields(Subject))


def _subject(row: Any) -> Subject | None:
    return None if row is None else Subject(*row)


class SqlSubjects(Repository):
    def by_hmac(self, id_hmac: str) -> Subject | None:
        return _subject(self._run(_BY_HMAC, {"id_hmac": id_hmac}).first())

    def by_id(self, subject_id: int) -> Subject | None:
        return _subject(self._run(_BY_ID, {"subject_id": subject_id}).first())

    def id_by_hmac(self, id_hmac: str) -> int | None:
        row = self._run(select(subjects.c.id, subjects.c.date_of_birth)
                        .where(subjects.c.id_hmac == id_hmac)).first()
        return None if row is None else int(row.id)

    def id_by_ref(self, item_ref: str) -> int | None:
        found = self._run(relink_store.by_ref(item_ref)).scalar()
        return None if found is None else int(found)

    def open(self, *, id_hmac: str, id_ciphertext: bytes, id_suffix: str, name: str,
             date_of_birth: date | None, kind: str, created_at: datetime,
             item_ref: str) -> int:
        return int(self._run(insert(subjects).values(
            id_hmac=id_hmac, id_ciphertext=id_ciphertext, id_suffix=id_suffix, name=name,
            date_of_birth=date_of_birth, kind=kind, created_at=created_at,
            item_ref=item_ref).returning(subjects.c.id)).scalar_one())
