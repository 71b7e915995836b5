"""PostgreSQL's bulk store of furnished records (``services/bulk_store.py`` decides what to
store; this stores it), set-based.

The chunk's staging lines (``metro2_columns.STAGE_COLUMNS``, COPY text) are copied into a
temporary staging table (``furnish_stage``, one per connection, emptied at commit) and each
subject key's file, with how its records came to it, into ``furnish_subjects``; then a fixed
handful of statements do the work whatever the chunk size: missing accounts are inserted from
their newest row, months are upserted on (account, month) -- a month sent again unchanged is
left alone unless its record carries a delete code -- and accounts that existed before follow
their newest changed month. The changed months come back for the audit events and the
rescoring hook. The semantics are those of the record store (``adapters/account_store.py``,
the path SQLite takes); the integration tests run both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, MutableMapping
from datetime import UTC, date, datetime
from typing import Any

from openbureau.adapters import pg_copy
from openbureau.adapters.account_store import MONTH_FIELDS as _MONTH_FIELDS
from openbureau.adapters.metro2_columns import STAGE_COLUMNS

# each subject key's file, and how the key's records came to it (``resolution.link_of``, JSON)
_SUBJECT_STAGE = (("hm", "text"), ("id", "bigint"), ("link", "text"))
# the segment fields (account_changes.SEGMENT_FIELDS) of a new account, and of an account
# following its newest month: persisting when the month does not send them (a K2 "remove"
# clears the purchase/sale)
_NEW_SEGMENTS = """st.identification_number, st.original_creditor, st.creditor_classification,
    NULLIF(st.purchase_indicator, 'remove'),
    CASE WHEN st.purchase_indicator = 'remove' THEN NULL ELSE st.purchase_name END,
    st.mortgage::json, st.specialised_payment::json"""
_SET_SEGMENTS = """identification_number = COALESCE(st.identification_number,
        a.identification_number),
    original_creditor = COALESCE(st.original_creditor, a.original_creditor),
    creditor_classification = COALESCE(st.creditor_classification, a.creditor_classification),
    purchase_indicator = CASE WHEN st.purchase_indicator = 'remove' THEN NULL
                              ELSE COALESCE(st.purchase_indicator, a.purchase_indicator) END,
    purchase_name = CASE WHEN st.purchase_indicator = 'remove' THEN NULL
                         ELSE COALESCE(st.purchase_name, a.purchase_name) END,
    mortgage = COALESCE(st.mortgage::json, a.mortgage),
    specialised_payment = COALESCE(st.specialised_payment::json, a.specialised_payment)"""

_INSERT_ACCOUNTS = f"""
INSERT INTO accounts (furnisher_id, account_ref, subject_id, item_ref, kind, ecoa, currency,
    opened_on, closed_on, credit_limit, original_amount, date_of_first_delinquency,
    compliance_code, latest_as_of, deleted_at, delete_code, updated_at,
    identification_number, original_creditor, creditor_classification, purchase_indicator,
    purchase_name, mortgage, specialised_payment, link)
SELECT DISTINCT ON (st.account_ref COLLATE "C", s.id) %(f)s, st.account_ref, s.id, st.item_ref,
    st.kind,
    st.ecoa, st.currency, st.opened_on, st.closed_on, st.credit_limit, st.original_amount,
    st.dofd, NULLIF(st.compliance_code, 'XR'), st.month,
    CASE WHEN st.delete_code IS NOT NULL THEN %(now)s::timestamp END, st.delete_code, %(now)s,
    {_NEW_SEGMENTS}, s.link::json
FROM furnish_stage st JOIN furnish_subjects s ON s.hm = st.hm
ORDER BY st.account_ref COLLATE "C", s.id, st.month DESC, st.seq DESC
ON CONFLICT (furnisher_id, account_ref, subject_id) DO NOTHING
RETURNING id
"""  # noqa: S608  # nosec B608

# the statements below are assembled from the constant column names above, nothing else
_cols = ", ".join(_MONTH_FIELDS)
_set = ", ".join(f"{c} = excluded.{c}" for c in (*_MONTH_FIELDS, "file_id", "furnished_at"))
_UPSERT = f"""
INSERT INTO account_months AS m (account_id, as_of, {_cols}, file_id, furnished_at)
SELECT account_id, month, {_cols}, %(file)s, %(now)s FROM src WHERE delete_code IS {{which}}
ON CONFLICT (account_id, as_of) DO UPDATE SET {_set} {{where}}
RETURNING account_id, as_of"""  # noqa: S608  # nosec B608
_UPSERT_MONTHS = f"""
WITH src AS MATERIALIZED (
    SELECT DISTINCT ON (a.id, st.month) a.id AS account_id, st.month, {
        ", ".join("st." + c for c in _MONTH_FIELDS)}, st.delete_code, st.seq, st.account_ref,
        a.subject_id
    FROM furnish_stage st
    JOIN furnish_subjects s ON s.hm = st.hm
    JOIN LATERAL (SELECT id, subject_id FROM accounts WHERE furnisher_id = %(f)s
                  AND account_ref = st.account_ref AND subject_id = s.id OFFSET 0) a ON true
    ORDER BY a.id, st.month, st.seq DESC),
plain AS ({_UPSERT.format(which="NULL", where="WHERE (" + ", ".join(
    "m." + c for c in _MONTH_FIELDS) + ") IS DISTINCT FROM (" + ", ".join(
    "excluded." + c for c in _MONTH_FIELDS) + ")")}),
deleting AS ({_UPSERT.format(which="NOT NULL", where="")})
SELECT src.seq, src.account_id, src.subject_id, src.account_ref, src.month, src.delete_code
FROM src JOIN (SELECT * FROM plain UNION ALL SELECT * FROM deleting) u
    ON u.account_id = src.account_id AND u.as_of = src.month
ORDER BY src.seq
"""  # noqa: S608  # nosec B608

_UPDATE_ACCOUNTS = f"""
UPDATE accounts a SET {_SET_SEGMENTS}, kind = st.kind, ecoa = st.ecoa, currency = st.currency,
    opened_on = st.opened_on, closed_on = st.closed_on, credit_limit = st.credit_limit,
    original_amount = st.original_amount, date_of_first_delinquency = st.dofd,
    compliance_code = CASE WHEN st.compliance_code = 'XR' THEN NULL
                           ELSE COALESCE(st.compliance_code, a.compliance_code) END,
    latest_as_of = st.month,
    deleted_at = CASE WHEN st.delete_code IS NOT NULL THEN %(now)s::timestamp END,
    delete_code = st.delete_code, updated_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(seqs)s::bigint[]) AS n(id, seq)
JOIN furnish_stage st ON st.seq = n.seq
WHERE a.id = n.id AND st.month >= a.latest_as_of
"""  # noqa: S608  # nosec B608


#: a changed month: (staging seq, account id, file id, account number, month, delete code)
Changed = tuple[int, int, int, str, date, str | None]


class SqlBulkStore:
    def __init__(self, driver_connection: Callable[[], Any]) -> None:
        self._driver_connection = driver_connection

    def store(self, furnisher_id: int, file_id: int | None, now: datetime, lines: list[bytes],
              subjects: Iterable[tuple[str, int, str | None]],
              phases: MutableMapping[str, float]) -> list[Changed]:
        """Store the staging ``lines`` of the chunk's rows, ``subjects`` being (subject key,
        file id, how the key's records came to it as JSON or None) for every key; the months
        that changed, in staging order. Adds the seconds of its steps to ``phases``."""
        clock = time.perf_counter
        db_now = now.astimezone(UTC).replace(tzinfo=None)
        raw = self._driver_connection()
        with raw.cursor() as cur:
            t0 = clock()
            pg_copy.create_stage(cur, "furnish_stage", STAGE_COLUMNS)
            pg_copy.create_stage(cur, "furnish_subjects", _SUBJECT_STAGE)
            if lines:
                with cur.copy("COPY furnish_stage FROM STDIN") as cp:
                    cp.write(b"\n".join(lines) + b"\n")
            pg_copy.copy_rows(cur, "furnish_subjects", _SUBJECT_STAGE, subjects)
            # The planner has no statistics for the staging tables and the CTEs. The account
            # look-up is an index probe by construction (LATERAL ... OFFSET 0); everything else
            # is to be hashed, never nested (a nested loop over the chunk is quadratic). A JIT
            # compile would cost more than it saves (and goes by the inflated plan cost).
            cur.execute("SET LOCAL enable_nestloop = off; SET LOCAL jit = off")
            params = {"f": furnisher_id, "now": db_now, "file": file_id}
            t1 = clock()
            new = {r[0] for r in cur.execute(_INSERT_ACCOUNTS, params).fetchall()}
            t2 = clock()
            changed: list[Changed] = cur.execute(_UPSERT_MONTHS, params).fetchall()
            t3 = clock()
            newest: dict[int, tuple[date, int]] = {}
            for seq, acc_id, _, _, month, _ in changed:
                if acc_id not in new:
                    best = newest.get(acc_id)
                    if best is None or month >= best[0]:
                        newest[acc_id] = (month, seq)
            if newest:
                cur.execute(_UPDATE_ACCOUNTS, {"now": db_now, "ids": list(newest),
                                               "seqs": [s for _, s in newest.values()]})
            cur.execute("SET LOCAL enable_nestloop = DEFAULT; SET LOCAL jit = DEFAULT")
            t4 = clock()
        for phase, seconds in (("copy", t1 - t0), ("accounts", t2 - t1), ("months", t3 - t2),
                               ("account state", t4 - t3)):
            phases[phase] += seconds
        return changed
