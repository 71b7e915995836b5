"""Storing a chunk of furnished records on PostgreSQL, set-based.

The chunk's rows are copied (``COPY``) into a temporary staging table (``furnish_stage``, one per
connection, emptied at commit); then a fixed handful of statements do the work whatever the chunk
size: subjects are looked up by the keyed hash of their national id and the missing ones created
(name and birth date of their first row; the identifier AES-GCM encrypted), missing accounts are
inserted from their newest row, months are upserted on (account, month) -- a month sent again
unchanged is left alone unless its record carries a delete code -- and accounts that existed
before follow their newest changed month. The changed months come back to Python for the audit
events (one per subject whose file changed) and the rescoring hook. The semantics are those of
``furnishing._store`` (the path SQLite takes); the integration tests run both.

A staging row is a line of ``COPY`` text with the columns of ``metro2_columns.STAGE_COLUMNS``:
``metro2_columns`` renders clean Metro 2 records straight into it, ``render`` renders a validated
``AccountRecord`` (JSON, CSV, and Metro 2 records read one by one). National identifiers never
enter the staging table: rows carry the keyed hash.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.metro2_columns import STAGE_COLUMNS, Block
from openbureau.bootstrap import Bureau
from openbureau.domain.records import AccountRecord
from openbureau.domain.roles import Principal
from openbureau.services.refs import new_ref


class Rows:
    """A chunk's staging rows as parallel lists (a block's rows are added without a Python
    object per row): file position, keyed hash of the national id, COPY line, and where the
    identity of a new subject comes from -- ``owners[i]`` is a Block and ``items[i]`` the row
    in it, or ``owners[i]`` is None and ``items[i]`` a SubjectIdentity."""

    __slots__ = ("positions", "hmacs", "lines", "owners", "items")

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.hmacs: list[str] = []
        self.lines: list[bytes] = []
        self.owners: list[Block | None] = []
        self.items: list[Any] = []

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, part: slice) -> Rows:
        out = Rows()
        for name in self.__slots__:
            setattr(out, name, getattr(self, name)[part])
        return out

    def add_block(self, block: Block) -> None:
        self.positions += block.positions
        self.hmacs += block.hmacs
        self.lines += block.lines
        self.owners += [block] * len(block)
        self.items += range(len(block))

    def add_record(self, position: int, rec: AccountRecord, seq: int, hm: str) -> None:
        self.positions.append(position)
        self.hmacs.append(hm)
        self.lines.append(render(rec, seq, hm))
        self.owners.append(None)
        self.items.append(rec.subject)

    def clear(self) -> None:
        for name in self.__slots__:
            getattr(self, name).clear()

    def copy(self) -> Rows:
        return self[:]

    def identity(self, i: int) -> tuple[str, str, date | None]:
        owner = self.owners[i]
        if owner is not None:
            return owner.identity(self.items[i])
        who = self.items[i]
        return who.national_id, who.name, who.date_of_birth


_CREATE = ("CREATE TEMP TABLE IF NOT EXISTS furnish_stage ("
           + ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
           + ") ON COMMIT DELETE ROWS")
_CREATE_SUBJECTS = ("CREATE TEMP TABLE IF NOT EXISTS furnish_subjects (hm text, id bigint) "
                    "ON COMMIT DELETE ROWS")
_MONTH_FIELDS = ("status", "balance", "amount_past_due", "credit_limit", "scheduled_payment",
                 "monthly_income", "consent_ref", "payment_history")

_INSERT_ACCOUNTS = """
INSERT INTO accounts (furnisher_id, account_ref, subject_id, item_ref, kind, ecoa, currency,
    opened_on, closed_on, credit_limit, original_amount, date_of_first_delinquency,
    compliance_code, latest_as_of, deleted_at, delete_code, updated_at)
SELECT DISTINCT ON (st.account_ref COLLATE "C", s.id) %(f)s, st.account_ref, s.id, st.item_ref,
    st.kind,
    st.ecoa, st.currency, st.opened_on, st.closed_on, st.credit_limit, st.original_amount,
    st.dofd, NULLIF(st.compliance_code, 'XR'), st.month,
    CASE WHEN st.delete_code IS NOT NULL THEN %(now)s::timestamp END, st.delete_code, %(now)s
FROM furnish_stage st JOIN furnish_subjects s ON s.hm = st.hm
ORDER BY st.account_ref COLLATE "C", s.id, st.month DESC, st.seq DESC
ON CONFLICT (furnisher_id, account_ref, subject_id) DO NOTHING
RETURNING id
"""

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

_UPDATE_ACCOUNTS = """
UPDATE accounts a SET kind = st.kind, ecoa = st.ecoa, currency = st.currency,
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
"""


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") \
            .replace("\r", "\\r")
    return str(value)


def render(rec: AccountRecord, seq: int, hm: str) -> bytes:
    """The staging line of a validated record (``STAGE_COLUMNS`` order)."""
    values = (seq, hm, rec.account_ref, rec.as_of, rec.kind.value, rec.ecoa.value, rec.currency,
              rec.opened_on, rec.closed_on, rec.credit_limit, rec.original_amount,
              rec.scheduled_payment, rec.balance, rec.amount_past_due, rec.status.value,
              rec.date_of_first_delinquency, rec.monthly_income, rec.consent_ref,
              rec.compliance_code, rec.delete_code.value if rec.delete_code else None,
              rec.payment_history, new_ref("acc"))
    return "\t".join(map(_text, values)).encode()


# seconds spent in each phase of ``store`` since the process started (or the last clear); the
# benchmark reads them to say where the store's time goes
PHASES: Counter[str] = Counter()


def store(bureau: Bureau, furnisher: Principal, rows: Rows, file_id: int | None,
          rescore: Any) -> tuple[int, set[int]]:
    """Store the rows in one transaction; returns (rows stored, subjects whose file changed)."""
    clock = time.perf_counter
    t0 = clock()
    with bureau.uow() as uow:
        now = uow.clock.now()
        db_now = now.astimezone(UTC).replace(tzinfo=None)
        raw = uow.session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            for create in (_CREATE, _CREATE_SUBJECTS):
                cur.execute(create)
            # empty unless the last commit was a savepoint (tests)
            cur.execute("DELETE FROM furnish_stage; DELETE FROM furnish_subjects")
            t1 = clock()
            refs, ids = _subjects(cur, bureau, rows, db_now)
            t2 = clock()
            with cur.copy("COPY furnish_stage FROM STDIN") as cp:
                cp.write(b"\n".join(rows.lines) + b"\n")
            with cur.copy("COPY furnish_subjects FROM STDIN") as cp:
                cp.write("".join(f"{h}\t{i}\n" for h, i in ids.items()).encode())
            # The planner has no statistics for the staging tables and the CTEs. The account
            # look-up is an index probe by construction (LATERAL ... OFFSET 0); everything else
            # is to be hashed, never nested (a nested loop over the chunk is quadratic). A JIT
            # compile would cost more than it saves (and goes by the inflated plan cost).
            cur.execute("SET LOCAL enable_nestloop = off; SET LOCAL jit = off")
            params = {"f": furnisher.id, "now": db_now, "file": file_id}
            t3 = clock()
            new = {r[0] for r in cur.execute(_INSERT_ACCOUNTS, params).fetchall()}
            t4 = clock()
            changed = cur.execute(_UPSERT_MONTHS, params).fetchall()
            t5 = clock()
            by_subject: dict[int, list[dict[str, Any]]] = {}
            newest: dict[int, tuple[date, int]] = {}
            for seq, acc_id, sid, account_ref, month, delete_code in changed:
                by_subject.setdefault(sid, []).append(
                    {"account_ref": account_ref, "as_of": month.isoformat(),
                     "delete_code": delete_code})
                if acc_id not in new:
                    best = newest.get(acc_id)
                    if best is None or month >= best[0]:
                        newest[acc_id] = (month, seq)
            if newest:
                cur.execute(_UPDATE_ACCOUNTS, {"now": db_now, "ids": list(newest),
                                               "seqs": [s for _, s in newest.values()]})
            cur.execute("SET LOCAL enable_nestloop = DEFAULT; SET LOCAL jit = DEFAULT")
        t6 = clock()
        uow.audit_many([PendingEvent(now, furnisher.actor, "furnish.account", refs[sid],
                                     "furnishing", {"file_id": file_id, "accounts": items})
                        for sid, items in by_subject.items()])
        if rescore is not None and by_subject:
            rescore(uow, set(by_subject))
        t7 = clock()
        uow.commit()
    t8 = clock()
    for phase, seconds in (("begin", t1 - t0), ("subjects", t2 - t1), ("copy", t3 - t2),
                           ("accounts", t4 - t3), ("months", t5 - t4),
                           ("account state", t6 - t5), ("events + rescore hook", t7 - t6),
                           ("audit + commit", t8 - t7)):
        PHASES[phase] += seconds
    return len(rows), set(by_subject)


_FIND_SUBJECTS = "SELECT id_hmac, id, item_ref FROM subjects WHERE id_hmac = ANY(%s)"
_INSERT_SUBJECTS = """
INSERT INTO subjects (id_hmac, id_ciphertext, id_suffix, name, date_of_birth, item_ref, kind,
    created_at)
SELECT *, 'person', %s FROM unnest(%s::text[], %s::bytea[], %s::text[], %s::text[], %s::date[],
    %s::text[])
RETURNING id_hmac, id, item_ref
"""


def _subjects(cur: Any, bureau: Bureau, rows: Rows,
              db_now: datetime) -> tuple[dict[int, str], dict[str, int]]:
    """Create the subjects new to the bureau; the item refs of the chunk's subjects by id, and
    their ids by keyed hash. (Arrays travel in binary: the text form escapes every element.)"""
    first: dict[str, int] = {}      # the row a new subject takes its name from: its first
    positions = rows.positions
    for i, hm in enumerate(rows.hmacs):
        j = first.get(hm)
        if j is None or positions[i] < positions[j]:
            first[hm] = i
    found = {h: (sid, ref) for h, sid, ref in
             cur.execute(_FIND_SUBJECTS, [list(first)], binary=True).fetchall()}
    missing = [h for h in first if h not in found]
    if missing:
        encrypt = bureau.vault.encrypt
        columns: list[list[Any]] = [[], [], [], [], [], []]
        for h in missing:
            nid, name, born = rows.identity(first[h])
            for column, value in zip(columns, (h, encrypt(nid), nid[-4:], name, born,
                                               new_ref("sub")), strict=True):
                column.append(value)
        found.update({h: (sid, ref) for h, sid, ref in cur.execute(
            _INSERT_SUBJECTS, [db_now, *columns], binary=True).fetchall()})
    return {sid: ref for sid, ref in found.values()}, {h: v[0] for h, v in found.items()}
