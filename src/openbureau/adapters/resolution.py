"""Identity resolution's statements (``services/resolution.py``): the files holding blocking
keys, what each candidate file holds, the files a furnisher's accounts are on, new files and
held records. Each reads or writes a chunk's worth with one statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, func, insert, literal, select, union_all

from openbureau.adapters.consents import among
from openbureau.adapters.multirow import insert_many
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import (
    accounts,
    identity_holds,
    identity_keys,
    identity_observations,
    subjects,
)

_KEYS_PER_STATEMENT = 5000


class SqlResolution(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def holders(self, keys: list[str], id_hmac: str | None = None) -> dict[str, set[int]]:
        """The files holding each blocking key; with ``id_hmac``, the file whose public national
        id it is (a merged file: its survivor) also holds that key, in the same statement."""
        out: dict[str, set[int]] = {}
        k, s = identity_keys.c, subjects.c
        for i in range(0, len(keys) or int(id_hmac is not None), _KEYS_PER_STATEMENT):
            stmt: Any = select(k.key_hmac.label("key"), k.subject_id.label("sid")).where(
                among(self._dialect, k.key_hmac, keys[i:i + _KEYS_PER_STATEMENT]))
            if id_hmac is not None and i == 0:
                stmt = union_all(stmt, select(
                    literal(id_hmac, String).label("key"),
                    func.coalesce(s.merged_into_id, s.id).label("sid"))
                    .where(s.id_hmac == id_hmac))
            for r in self._run(stmt):
                out.setdefault(r.key, set()).add(int(r.sid))
        return out

    def opened_with(self, subject_ids: list[int]
                    ) -> list[tuple[int, str | None, date | None, bytes | None]]:
        """(file, name, birth date, encrypted national id) each file was opened with."""
        s = subjects.c
        return [(r.id, r.name, r.date_of_birth, r.id_ciphertext) for r in self._run(
            select(s.id, s.name, s.date_of_birth, s.id_ciphertext)
            .where(among(self._dialect, s.id, subject_ids)))]

    def observed(self, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[tuple[int, str, bytes]]:
        """(file, kind, encrypted JSON value) of every observation of these kinds."""
        o = identity_observations.c
        return [(r.subject_id, r.kind, r.value_ciphertext) for r in self._run(
            select(o.subject_id, o.kind, o.value_ciphertext)
            .where(among(self._dialect, o.subject_id, subject_ids), o.kind.in_(list(kinds))))]

    def account_files(self, furnisher_id: int, refs: list[str]) -> dict[str, set[int]]:
        """The files each of the furnisher's account numbers (not deleted) is on."""
        a = accounts.c
        on: dict[str, set[int]] = {}
        for r in self._run(select(a.account_ref, a.subject_id).where(
                a.furnisher_id == furnisher_id, a.deleted_at.is_(None),
                among(self._dialect, a.account_ref, refs))):
            on.setdefault(r.account_ref, set()).add(int(r.subject_id))
        return on

    def taken_ids(self, id_hmacs: list[str]) -> set[str]:
        """Those of these national id hashes some file already has as its own."""
        s = subjects.c
        return {r.id_hmac for r in self._run(
            select(s.id_hmac).where(among(self._dialect, s.id_hmac, id_hmacs)))}

    def add_files(self, rows: list[dict[str, Any]], now: datetime) -> dict[str, int]:
        """New files (persons) from ``rows`` (id_hmac, id_ciphertext, id_suffix, name,
        date_of_birth, item_ref): item_ref -> id."""
        s = subjects.c
        stmt, params = insert_many(self._dialect, subjects, rows,
                                   {"kind": "person", "created_at": now})
        return {r.item_ref: r.id for r in self._run(stmt.returning(s.id, s.item_ref), params)}

    def refs(self, subject_ids: list[int]) -> dict[int, str]:
        s = subjects.c
        return {r.id: r.item_ref for r in self._run(
            select(s.id, s.item_ref).where(among(self._dialect, s.id, subject_ids)))}

    def add_hold(self, *, item_ref: str, furnisher_id: int, file_id: int | None,
                 line: int | None, account_ref_hmac: str, reason: str, weight: float | None,
                 candidates: list[dict[str, Any]], record_ciphertext: bytes,
                 created_at: datetime) -> None:
        """Keep a record resolution would not place, ``held``."""
        self._run(insert(identity_holds).values(
            item_ref=item_ref, furnisher_id=furnisher_id, file_id=file_id, line=line,
            account_ref_hmac=account_ref_hmac, reason=reason, weight=weight,
            candidates=candidates, record_ciphertext=record_ciphertext, status="held",
            created_at=created_at))
