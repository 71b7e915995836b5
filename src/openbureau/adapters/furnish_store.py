"""The furnishing store (``services/bulk_store.py`` decides what to store; this stores it),
set-based, written once for both databases.

The chunk's staging lines (``metro2_columns.STAGE_COLUMNS``, COPY text) are loaded into a
temporary staging table (``furnish_stage``) and each subject key's file, with how its records
came to it, into ``furnish_subjects``; then a fixed handful of statements do the work whatever
the chunk size:

1. missing accounts are inserted from their newest row (the latest month, the latest row of a
   month), with a compliance code "XR" stored as none and a K2 "remove" as no purchase/sale;
2. each (account, month)'s latest row is taken into ``furnish_months``, its account found by an
   index probe (a correlated look-up: never a join over the accounts table);
3. months are upserted on (account, month): a month sent again unchanged is left alone unless
   its record carries a delete code;
4. accounts that existed before follow their newest changed month, unless older than the
   newest they have: the compliance code persists unless the month sends one ("XR" clears it),
   and so do the segment fields (K2 "remove" clears the purchase/sale).

Only the loading differs by database: ``COPY`` on PostgreSQL (the lines as they are), an
``executemany`` on SQLite (the lines decoded to values, ``stage_values``); and on PostgreSQL a
planner hint, as its planner has no statistics for the staging tables (hash, never nest, the
joins of the chunk's rows; no JIT), and its sorts of the chunk's account numbers in byte order
(``COLLATE "C"``; SQLite's are). The statements are portable SQL (window functions, ``ON
CONFLICT ... DO UPDATE ... WHERE``, ``RETURNING`` and ``UPDATE ... FROM``: SQLite 3.35 or newer).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from openbureau.adapters import pg_copy
from openbureau.adapters.metro2_columns import STAGE_COLUMNS
from openbureau.adapters.tables import accounts

MONTH_FIELDS = ("status", "balance", "amount_past_due", "credit_limit", "scheduled_payment",
                "monthly_income", "consent_ref", "payment_history", "special_comment")
_JSON = ("mortgage", "specialised_payment")
# the staging table: JSON segments as JSON (PostgreSQL checks them as they are copied)
_STAGE = tuple((name, "json" if name in _JSON else kind) for name, kind in STAGE_COLUMNS)
# each subject key's file, and how the key's records came to it (``resolution.link_of``, JSON)
_SUBJECTS = (("hm", "text"), ("id", "bigint"), ("link", "json"))
_MONTHS = (("account_id", "bigint"), ("month", "date"),
           *((c, dict(_STAGE)[c]) for c in MONTH_FIELDS),
           ("delete_code", "text"), ("seq", "bigint"), ("account_ref", "text"),
           ("subject_id", "bigint"))
# the accounts that follow their newest changed month: (account id, that month's row)
_FOLLOW = (("id", "bigint"), ("seq", "bigint"))

# The statements below are assembled from the constant column names above, nothing else.
_ROWS = """(SELECT st.*, s.id AS sid, s.link AS link,
        ROW_NUMBER() OVER (PARTITION BY st.account_ref{{collate}}, s.id{also}
                           ORDER BY {order}st.seq DESC) AS rn
    FROM furnish_stage st JOIN furnish_subjects s ON s.hm = st.hm) x"""

_INSERT_ACCOUNTS = f"""
INSERT INTO accounts (furnisher_id, account_ref, subject_id, item_ref, kind, ecoa, currency,
    opened_on, closed_on, credit_limit, original_amount, date_of_first_delinquency,
    compliance_code, latest_as_of, deleted_at, delete_code, updated_at,
    identification_number, original_creditor, creditor_classification, purchase_indicator,
    purchase_name, mortgage, specialised_payment, link)
SELECT %(f)s, account_ref, sid, item_ref, kind, ecoa, currency, opened_on, closed_on,
    credit_limit, original_amount, dofd, NULLIF(compliance_code, 'XR'), month,
    CASE WHEN delete_code IS NOT NULL THEN %(now)s END, delete_code, %(now)s,
    identification_number, original_creditor, creditor_classification,
    NULLIF(purchase_indicator, 'remove'),
    CASE WHEN purchase_indicator = 'remove' THEN NULL ELSE purchase_name END,
    mortgage, specialised_payment, link
FROM {_ROWS.format(also="", order="st.month DESC, ")}
WHERE rn = 1
ON CONFLICT (furnisher_id, account_ref, subject_id) DO NOTHING
RETURNING id
"""  # noqa: S608  # nosec B608

_cols = ", ".join(MONTH_FIELDS)
_TAKE_MONTHS = f"""
INSERT INTO furnish_months (account_id, month, {_cols}, delete_code, seq, account_ref,
    subject_id)
SELECT (SELECT a.id FROM accounts a WHERE a.furnisher_id = %(f)s
        AND a.account_ref = x.account_ref AND a.subject_id = x.sid),
    month, {_cols}, delete_code, seq, account_ref, sid
FROM {_ROWS.format(also=", st.month", order="")}
WHERE rn = 1
"""  # noqa: S608  # nosec B608

_set = ", ".join(f"{c} = excluded.{c}" for c in (*MONTH_FIELDS, "file_id", "furnished_at"))
_UPSERT = f"""
INSERT INTO account_months AS m (account_id, as_of, {_cols}, file_id, furnished_at)
SELECT account_id, month, {_cols}, %(file)s, %(now)s FROM furnish_months
WHERE delete_code IS {{which}}
ON CONFLICT (account_id, as_of) DO UPDATE SET {_set} {{where}}
RETURNING account_id, as_of"""  # noqa: S608  # nosec B608
_UPSERT_PLAIN = _UPSERT.format(which="NULL", where="WHERE " + " OR ".join(
    f"m.{c} IS DISTINCT FROM excluded.{c}" for c in MONTH_FIELDS))
_UPSERT_DELETING = _UPSERT.format(which="NOT NULL", where="")
_MONTHS_TAKEN = """SELECT seq, account_id, subject_id, account_ref, month, delete_code
FROM furnish_months ORDER BY seq"""

_UPDATE_ACCOUNTS = """
UPDATE accounts AS a SET
    identification_number = COALESCE(st.identification_number, a.identification_number),
    original_creditor = COALESCE(st.original_creditor, a.original_creditor),
    creditor_classification = COALESCE(st.creditor_classification, a.creditor_classification),
    purchase_indicator = CASE WHEN st.purchase_indicator = 'remove' THEN NULL
                              ELSE COALESCE(st.purchase_indicator, a.purchase_indicator) END,
    purchase_name = CASE WHEN st.purchase_indicator = 'remove' THEN NULL
                         ELSE COALESCE(st.purchase_name, a.purchase_name) END,
    mortgage = COALESCE(st.mortgage, a.mortgage),
    specialised_payment = COALESCE(st.specialised_payment, a.specialised_payment),
    kind = st.kind, ecoa = st.ecoa, currency = st.currency,
    opened_on = st.opened_on, closed_on = st.closed_on, credit_limit = st.credit_limit,
    original_amount = st.original_amount, date_of_first_delinquency = st.dofd,
    compliance_code = CASE WHEN st.compliance_code = 'XR' THEN NULL
                           ELSE COALESCE(st.compliance_code, a.compliance_code) END,
    latest_as_of = st.month,
    deleted_at = CASE WHEN st.delete_code IS NOT NULL THEN %(now)s END,
    delete_code = st.delete_code, updated_at = %(now)s
FROM furnish_follow n JOIN furnish_stage st ON st.seq = n.seq
WHERE a.id = n.id AND st.month >= a.latest_as_of
"""


#: a changed month: (staging seq, account id, file id, account number, month, delete code)
Changed = tuple[int, int, int, str, date, str | None]

_ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
_ESCAPED = re.compile(r"\\[\\tnr]")
_INTS = frozenset(i for i, (_, kind) in enumerate(STAGE_COLUMNS) if kind == "bigint")


def _value(i: int, text: str) -> Any:
    if text == "\\N":
        return None
    if i in _INTS:
        return int(text)
    if "\\" in text:
        return _ESCAPED.sub(lambda m: _ESCAPES[m.group(0)], text)
    return text


def stage_values(line: bytes) -> tuple[Any, ...]:
    """A staging line's values (COPY text decoded; dates and JSON as their text)."""
    return tuple(_value(i, text) for i, text in enumerate(line.decode().split("\t")))


class SqlFurnishStore:
    """``ports.BulkStore`` on either database (``dialect``), on the unit's connection."""

    def __init__(self, connection: Callable[[], Any], driver_connection: Callable[[], Any],
                 dialect: str) -> None:
        self._connection = connection
        self._driver_connection = driver_connection
        self._dialect = dialect

    def store(self, furnisher_id: int, file_id: int | None, now: datetime, lines: list[bytes],
              subjects: Iterable[tuple[str, int, str | None]],
              phases: MutableMapping[str, float]) -> list[Changed]:
        """Store the staging ``lines`` of the chunk's rows, ``subjects`` being (subject key,
        file id, how the key's records came to it as JSON or None) for every key; the months
        that changed, in staging order. Adds the seconds of its steps to ``phases``."""
        db = _Postgres(self._driver_connection()) if self._dialect == "postgresql" \
            else _Sqlite(self._connection())
        try:
            return self._store(db, furnisher_id, file_id, now, lines, subjects, phases)
        finally:
            db.close()

    def _store(self, db: _Postgres | _Sqlite, furnisher_id: int, file_id: int | None,
               now: datetime, lines: list[bytes], subjects: Iterable[tuple[str, int, str | None]],
               phases: MutableMapping[str, float]) -> list[Changed]:
        clock = time.perf_counter
        params = {"f": furnisher_id, "now": db.timestamp(now), "file": file_id}
        t0 = clock()
        db.load("furnish_stage", _STAGE, lines)
        db.load("furnish_subjects", _SUBJECTS, list(subjects))
        db.stage("furnish_months", _MONTHS)
        db.stage("furnish_follow", _FOLLOW)
        db.hint(True)
        t1 = clock()
        new = {r[0] for r in db.run(_INSERT_ACCOUNTS, params)}
        t2 = clock()
        db.run(_TAKE_MONTHS, params, fetch=False)
        stored = {(r[0], db.day(r[1])) for sql in (_UPSERT_PLAIN, _UPSERT_DELETING)
                  for r in db.run(sql, params)}
        changed: list[Changed] = []
        for seq, acc_id, sid, ref, month, delete_code in db.run(_MONTHS_TAKEN, {}):
            day = db.day(month)
            if (acc_id, day) in stored:
                changed.append((seq, acc_id, sid, ref, day, delete_code))
        t3 = clock()
        newest: dict[int, tuple[date, int]] = {}
        for seq, acc_id, _, _, month, _ in changed:
            if acc_id not in new:
                best = newest.get(acc_id)
                if best is None or month >= best[0]:
                    newest[acc_id] = (month, seq)
        if newest:
            db.load("furnish_follow", _FOLLOW,
                    [(acc_id, seq) for acc_id, (_, seq) in newest.items()])
            db.run(_UPDATE_ACCOUNTS, params, fetch=False)
        db.hint(False)
        t4 = clock()
        for phase, seconds in (("copy", t1 - t0), ("accounts", t2 - t1), ("months", t3 - t2),
                               ("account state", t4 - t3)):
            phases[phase] += seconds
        return changed


class _Postgres:
    """The statements on psycopg's connection; rows loaded with ``COPY``."""

    def __init__(self, raw: Any) -> None:
        self._cur = raw.cursor()

    def timestamp(self, now: datetime) -> Any:
        return now.astimezone(UTC).replace(tzinfo=None)

    def day(self, value: date) -> date:
        return value

    def stage(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        pg_copy.create_stage(self._cur, table, columns)

    def load(self, table: str, columns: Sequence[tuple[str, str]],
             rows: list[bytes] | list[tuple[Any, ...]]) -> None:
        self.stage(table, columns)
        if not rows:
            return
        if isinstance(rows[0], bytes):      # staging lines: COPY text as they are
            with self._cur.copy(f"COPY {table} FROM STDIN") as cp:
                cp.write(b"\n".join(rows) + b"\n")
        else:       # JSON as its text (json's binary form is its text)
            pg_copy.copy_rows(self._cur, table, [(n, "text" if k == "json" else k)
                                                 for n, k in columns], rows)

    def close(self) -> None:
        self._cur.close()

    def hint(self, on: bool) -> None:
        # The planner has no statistics for the staging tables: their joins are to be hashed,
        # never nested (a nested loop over the chunk is quadratic; the account look-up is an
        # index probe by construction). A JIT compile would cost more than it saves.
        self._cur.execute("SET LOCAL enable_nestloop = off; SET LOCAL jit = off" if on else
                          "SET LOCAL enable_nestloop = DEFAULT; SET LOCAL jit = DEFAULT")

    def run(self, sql: str, params: dict[str, Any], fetch: bool = True) -> list[Any]:
        self._cur.execute(sql.replace("{collate}", ' COLLATE "C"'), params)
        return self._cur.fetchall() if fetch else []


_SQLITE_TYPES = {"bigint": "INTEGER", "text": "TEXT", "date": "TEXT", "json": "TEXT"}
_PARAM = re.compile(r"%\((\w+)\)s")


class _Sqlite:
    """The statements on SQLAlchemy's connection (its transaction); rows loaded with an
    ``executemany`` of their values."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._stamp = accounts.c.updated_at.type.bind_processor(conn.dialect)

    def timestamp(self, now: datetime) -> Any:
        return self._stamp(now) if self._stamp is not None else now

    def day(self, value: str | date) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value

    def stage(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        self._conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {table} ("
            + ", ".join(f"{name} {_SQLITE_TYPES[kind]}" for name, kind in columns) + ")")
        self._conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608  # nosec B608

    def load(self, table: str, columns: Sequence[tuple[str, str]],
             rows: list[bytes] | list[tuple[Any, ...]]) -> None:
        self.stage(table, columns)
        if not rows:
            return
        values = [stage_values(r) for r in rows] if isinstance(rows[0], bytes) else rows
        self._conn.exec_driver_sql(
            f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",  # noqa: S608  # nosec B608
            values)

    def hint(self, on: bool) -> None:
        return None

    def close(self) -> None:
        return None

    def run(self, sql: str, params: dict[str, Any], fetch: bool = True) -> list[Any]:
        result = self._conn.exec_driver_sql(_PARAM.sub(r":\1", sql.replace("{collate}", "")),
                                            params)
        return list(result.fetchall()) if fetch else []
