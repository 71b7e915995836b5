"""Identity resolution's statements (``services/resolution.py``): the files holding blocking
keys, what each candidate file holds, the files a furnisher's accounts are on, new files and
held records. Each reads or writes a chunk's worth with one statement."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, bindparam, cast, func, insert, null, select, union_all

from openbureau.adapters.consents import among, among_param
from openbureau.adapters.multirow import insert_many
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import (
    accounts,
    identity_holds,
    identity_keys,
    identity_observations,
    subjects,
)
from openbureau.services.stored import Subject

_KEYS_PER_STATEMENT = 5000
_OWNER = subjects.alias("owner")


@functools.cache
def _holders_statement(dialect: str, with_id: bool) -> Any:
    """The look-up's statement, built once per dialect (every inquiry runs it): the files
    holding ``:keys``; ``with_id``: also the file whose public national id is ``:id_hmac``
    (its survivor), with that file's row (NULLs on the keys' rows)."""
    k, s, o = identity_keys.c, subjects.c, _OWNER.c
    nulls = [cast(null(), c.type).label(f"owner_{c.name}") for c in subjects.c] if with_id \
        else []
    stmt: Any = select(k.key_hmac.label("key"), k.subject_id.label("sid"), *nulls).where(
        among_param(dialect, k.key_hmac, "keys"))
    if with_id:
        stmt = union_all(stmt, select(
            bindparam("id_hmac", type_=String()).label("key"), o.id.label("sid"), *o)
            .select_from(subjects.join(_OWNER, o.id == func.coalesce(s.merged_into_id, s.id)))
            .where(s.id_hmac == bindparam("id_hmac")))
    return stmt


class SqlResolution(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def holders(self, keys: list[str], id_hmac: str | None = None) -> dict[str, set[int]]:
        """The files holding each blocking key; with ``id_hmac``, the file whose public national
        id it is (a merged file: its survivor) also holds that key, in the same statement."""
        return self.holders_and_owner(keys, id_hmac)[0]

    def holders_and_owner(self, keys: list[str], id_hmac: str | None
                          ) -> tuple[dict[str, set[int]], Subject | None]:
        """``holders``, and the file whose public national id ``id_hmac`` is (a merged file:
        its survivor), read by the same statement: a look-up that finds it need not read it
        again."""
        out: dict[str, set[int]] = {}
        owner: Subject | None = None
        for i in range(0, len(keys) or int(id_hmac is not None), _KEYS_PER_STATEMENT):
            with_id = id_hmac is not None and i == 0
            params: dict[str, Any] = {"keys": keys[i:i + _KEYS_PER_STATEMENT]}
            if with_id:
                params["id_hmac"] = id_hmac
            for r in self._run(_holders_statement(self._dialect, with_id), params):
                out.setdefault(r[0], set()).add(int(r[1]))
                if with_id and r[2] is not None:
                    owner = Subject(*r[2:])
        return out, owner

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
