"""Identity observations and blocking keys as ``services/identity_store.py`` keeps them: what is
already kept of a chunk's subjects, and the keys, new observations and widened dates written
with a fixed number of statements -- on PostgreSQL through binary ``COPY`` into staging tables
(``adapters.pg_copy``), elsewhere statement by statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from openbureau.adapters import pg_copy
from openbureau.adapters.consents import among
from openbureau.adapters.multirow import insert_many
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import identity_keys, identity_observations
from openbureau.services.stored import KeptObservation

_KEY_STAGE = (("key_hmac", "text"), ("subject_id", "bigint"))
_OBS_STAGE = (("id", "bigint"), ("subject_id", "bigint"), ("kind", "text"), ("value_hmac", "text"),
              ("value_ciphertext", "bytea"), ("line", "bigint"), ("first_seen_on", "date"),
              ("last_seen_on", "date"), ("item_ref", "text"))
_KEEP_KEYS = """INSERT INTO identity_keys (key_hmac, subject_id)
SELECT key_hmac, subject_id FROM furnish_keys ON CONFLICT DO NOTHING"""
_KEEP_NEW = """INSERT INTO identity_observations AS o (subject_id, kind, value_hmac,
    value_ciphertext, furnisher_id, file_id, line, first_seen_on, last_seen_on, first_at,
    last_at, item_ref)
SELECT subject_id, kind, value_hmac, value_ciphertext, %(f)s, %(file)s, line, first_seen_on,
    last_seen_on, %(now)s, %(now)s, item_ref
FROM furnish_observations WHERE id IS NULL
ON CONFLICT (subject_id, kind, value_hmac, furnisher_id) DO UPDATE SET
    first_seen_on = LEAST(o.first_seen_on, excluded.first_seen_on),
    last_seen_on = GREATEST(o.last_seen_on, excluded.last_seen_on), last_at = excluded.last_at"""
_KEEP_MOVED = """UPDATE identity_observations o SET first_seen_on = s.first_seen_on,
    last_seen_on = s.last_seen_on, last_at = %(now)s
FROM furnish_observations s WHERE s.id IS NOT NULL AND o.id = s.id"""


class SqlObservations(Repository):
    def __init__(self, run: Run, dialect: str, driver_connection: Callable[[], Any]) -> None:
        super().__init__(run)
        self._dialect = dialect
        self._driver_connection = driver_connection

    def kept(self, furnisher_id: int,
             subject_ids: list[int]) -> dict[tuple[int, str, str], KeptObservation]:
        """This furnisher's observations of these files, by (file, kind, value hash)."""
        o = identity_observations.c
        return {(r.subject_id, r.kind, r.value_hmac): KeptObservation(r.id, r.first_seen_on,
                                                                      r.last_seen_on)
                for r in self._run(
                    select(o.id, o.subject_id, o.kind, o.value_hmac, o.first_seen_on,
                           o.last_seen_on)
                    .where(o.furnisher_id == furnisher_id,
                           among(self._dialect, o.subject_id, subject_ids)))}

    def keep(self, furnisher_id: int, file_id: int | None, now: datetime,
             keys: set[tuple[str, int]], new: list[dict[str, Any]],
             moved: list[dict[str, Any]]) -> None:
        """Insert the blocking keys (key hash, file) and the new observations, and widen the
        moved ones' dates (``b_id``, ``b_first``, ``b_last``)."""
        if self._dialect == "postgresql":
            self._keep_copied(furnisher_id, file_id, now, keys, new, moved)
            return
        o = identity_observations.c
        if keys:
            rows = [{"key_hmac": k, "subject_id": sid} for k, sid in sorted(keys)]
            stmt, params = insert_many(self._dialect, identity_keys, rows, {})
            self._run(stmt.on_conflict_do_nothing(), params)
        if new:
            stmt, params = insert_many(self._dialect, identity_observations, new, {
                "furnisher_id": furnisher_id, "file_id": file_id, "first_at": now,
                "last_at": now})
            # another ingest may have kept the same value since the look-up: widen its dates
            self._run(stmt.on_conflict_do_update(
                index_elements=[o.subject_id, o.kind, o.value_hmac, o.furnisher_id],
                set_={"first_seen_on": func.min(o.first_seen_on, stmt.excluded.first_seen_on)
                      if self._dialect == "sqlite" else func.least(
                          o.first_seen_on, stmt.excluded.first_seen_on),
                      "last_seen_on": func.max(o.last_seen_on, stmt.excluded.last_seen_on)
                      if self._dialect == "sqlite" else func.greatest(
                          o.last_seen_on, stmt.excluded.last_seen_on),
                      "last_at": stmt.excluded.last_at}), params)
        if moved:
            self._run(update(identity_observations).where(o.id == bindparam("b_id"))
                      .values(first_seen_on=bindparam("b_first"),
                              last_seen_on=bindparam("b_last"), last_at=now), moved)

    def _keep_copied(self, furnisher_id: int, file_id: int | None, now: datetime,
                     keys: set[tuple[str, int]], new: list[dict[str, Any]],
                     moved: list[dict[str, Any]]) -> None:
        """The same on PostgreSQL: the rows are copied (binary COPY) into two staging tables,
        then three statements insert and widen from them, whatever the number of rows."""
        raw: Any = self._driver_connection()
        with raw.cursor() as cur:
            pg_copy.create_stage(cur, "furnish_keys", _KEY_STAGE)
            pg_copy.create_stage(cur, "furnish_observations", _OBS_STAGE)
            if keys:
                pg_copy.copy_rows(cur, "furnish_keys", _KEY_STAGE, sorted(keys))
                cur.execute(_KEEP_KEYS)
            if new or moved:
                pg_copy.copy_rows(cur, "furnish_observations", _OBS_STAGE, [
                    *((None, r["subject_id"], r["kind"], r["value_hmac"],
                       r["value_ciphertext"], r["line"], r["first_seen_on"],
                       r["last_seen_on"], r["item_ref"]) for r in new),
                    *((r["b_id"], None, None, None, None, None, r["b_first"], r["b_last"],
                       None) for r in moved)])
                params = {"f": furnisher_id, "file": file_id,
                          "now": now.astimezone(UTC).replace(tzinfo=None)}
                if new:
                    cur.execute(_KEEP_NEW, params)
                if moved:
                    cur.execute(_KEEP_MOVED, params)
