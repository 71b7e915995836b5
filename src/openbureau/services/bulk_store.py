"""Storing a chunk of furnished records, set-based: what is stored, and where.

This module decides (identity resolution, blocks, holds, the income consent check, renamed
accounts, the audit events); ``uow.bulk_store`` (``adapters/furnish_store.py``) stores, the
same statements on both databases: the chunk's rows are loaded into a temporary staging table
(``COPY`` on PostgreSQL, an ``executemany`` on SQLite), then a fixed handful of statements do
the work whatever the chunk size -- missing accounts are inserted from their newest row, months
are upserted on (account, month) (a month sent again unchanged is left alone unless its record
carries a delete code) and accounts that existed before follow their newest changed month. The
changed months come back for the audit events (one per subject whose file changed) and the
rescoring hook.

A staging row is a line of ``COPY`` text with the columns of ``metro2_columns.STAGE_COLUMNS``:
``metro2_columns`` renders clean Metro 2 records straight into it, ``render`` renders a validated
``AccountRecord`` (JSON, CSV, and Metro 2 records read one by one). National identifiers never
enter the staging table: rows carry the keyed hash (``identity_store.subject_key``: for a record
without a national id, its name + birth date key); each key is placed by identity resolution
(``services.resolution``, by the identity of its first row in the chunk), and a key it would not
place is held for review (``identity_holds``) and left out of the chunk; how each key was placed
(``resolution.link_of``) travels with it in ``furnish_subjects`` into the new accounts'
``link``. Nor does any other
identity element: the observations and blocking keys are built in Python from the rows'
identities and kept by ``identity_store.record_identities`` (set-based, a fixed number of
statements per chunk). An L1 segment's renaming is done before the
accounts are looked up (``account_changes.rekey``), the row carrying the new account number.
A row whose income has no consent in force (``income_consents``, checked once the subjects are
known, one query for the chunk's refs) is staged again without it.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime
from typing import Any

from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.metro2_columns import STAGE_COLUMNS, Block
from openbureau.domain import consents as consent_rules
from openbureau.domain.errors import FieldError
from openbureau.domain.records import AccountRecord, record_to_dict, subject_to_dict
from openbureau.domain.roles import Principal
from openbureau.services import (
    account_changes,
    identity_store,
    income_consents,
    protections,
    resolution,
)
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.refs import new_ref


class Rows:
    """A chunk's staging rows as parallel lists (a block's rows are added without a Python
    object per row): file position, subject key (``identity_store.subject_key``), COPY line, and
    where the row's identity comes from -- ``owners[i]`` is a Block and ``items[i]`` the row
    in it, or ``owners[i]`` is None and ``items[i]`` the AccountRecord."""

    __slots__ = ("positions", "hmacs", "lines", "owners", "items", "idkeys", "months")

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.hmacs: list[str] = []
        self.lines: list[bytes] = []
        self.owners: list[Block | None] = []
        self.items: list[Any] = []
        # rows with equal ``idkeys`` carry the same identity; ``months``: as-of as yyyymmdd
        self.idkeys: list[Any] = []
        self.months: list[int] = []

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
        self.idkeys += block.identity_keys()
        self.months += block.month_numbers()

    def add_record(self, position: int, rec: AccountRecord, seq: int, hm: str) -> None:
        self.positions.append(position)
        self.hmacs.append(hm)
        self.lines.append(render(rec, seq, hm))
        self.owners.append(None)
        self.items.append(rec)
        self.idkeys.append(rec.subject)
        self.months.append(rec.as_of.year * 10000 + rec.as_of.month * 100 + rec.as_of.day)

    def clear(self) -> None:
        for name in self.__slots__:
            getattr(self, name).clear()

    def copy(self) -> Rows:
        return self[:]

    def identity(self, i: int) -> tuple[str, str, date | None]:
        owner = self.owners[i]
        if owner is not None:
            return owner.identity(self.items[i])
        who = self.items[i].subject
        return who.national_id, who.name, who.date_of_birth

    def subject(self, i: int, memo: dict[Any, Any] | None = None) -> Any:
        """The whole SubjectIdentity of row ``i``; ``memo``: identities already built, by
        ``idkeys`` (resolution and the observations both want a chunk's first rows')."""
        owner = self.owners[i]
        if owner is None:
            return self.items[i].subject
        if memo is None:
            return owner.subject(self.items[i])
        who = memo.get(self.idkeys[i])
        if who is None:
            who = memo[self.idkeys[i]] = owner.subject(self.items[i])
        return who

    def renames(self, i: int) -> tuple[str, str] | None:
        """(old, new) account number when row ``i``'s record carries an L1 new number."""
        owner = self.owners[i]
        return None if owner is not None else account_changes.renames(self.items[i])

    def without(self, drop: set[int]) -> Rows:
        """These rows but those at the indexes ``drop``."""
        out = Rows()
        for name in self.__slots__:
            setattr(out, name, [v for i, v in enumerate(getattr(self, name)) if i not in drop])
        return out


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") \
            .replace("\r", "\\r")
    return str(value)


def render(rec: AccountRecord, seq: int, hm: str) -> bytes:
    """The staging line of a validated record (``STAGE_COLUMNS`` order), under the account
    number it is stored under (an L1's new one)."""
    seg = account_changes.segment_values(rec)
    values = (seq, hm, account_changes.effective_ref(rec), rec.as_of, rec.kind.value,
              rec.ecoa.value, rec.currency,
              rec.opened_on, rec.closed_on, rec.credit_limit, rec.original_amount,
              rec.scheduled_payment, rec.balance, rec.amount_past_due, rec.status.value,
              rec.date_of_first_delinquency, rec.monthly_income, rec.consent_ref,
              rec.compliance_code, rec.delete_code.value if rec.delete_code else None,
              rec.payment_history, new_ref("acc"), rec.special_comment,
              seg["identification_number"], seg["original_creditor"],
              seg["creditor_classification"], seg["purchase_indicator"], seg["purchase_name"],
              account_changes.as_text(seg["mortgage"]),
              account_changes.as_text(seg["specialised_payment"]))
    return "\t".join(map(_text, values)).encode()


def chunk_unit(uow: UnitOfWork, joined: bool) -> AbstractContextManager[UnitOfWork]:
    """The unit a chunk is stored in: ``uow`` entered (a transaction of its own, committed by
    the store), or as the caller holds it open (``joined``: neither entered nor committed)."""
    return nullcontext(uow) if joined else uow


# seconds spent in each phase of ``store`` since the process started (or the last clear); the
# benchmark reads them to say where the store's time goes
PHASES: defaultdict[str, float] = defaultdict(float)


Problems = list[tuple[int, list[FieldError]]]


def store(uow: UnitOfWork, deps: Deps, furnisher: Principal, rows: Rows, file_id: int | None,
          rescore: Any, *, joined: bool = False,
          placed_on: int | None = None) -> tuple[int, set[int], Problems, Problems]:
    """Store the rows in one transaction (``uow`` entered; with ``joined``, in ``uow`` as the
    caller holds it open, uncommitted); returns (rows stored, subjects whose file changed,
    (position, errors) of the rows refused: without a national id, matching several files,
    (position, warnings) of the rows stored without their income: no consent in force).
    ``placed_on``: every row goes to this file (an operator's decision on a held record)."""
    clock = time.perf_counter
    t0 = clock()
    vault = deps.vault
    with chunk_unit(uow, joined):
        now = uow.clock.now()
        db_now = now.astimezone(UTC).replace(tzinfo=None)
        dialect = deps.dialect
        hashes = identity_store.Hashes(vault)
        t1 = clock()
        rows, barred = _bar(uow, deps, furnisher.id, rows)
        people: dict[Any, Any] = {}         # identities built, by ``Rows.idkeys``
        placed = _subjects(uow, deps, rows, hashes, db_now, furnisher, barred, people,
                           None if placed_on is None else dict.fromkeys(rows.hmacs, placed_on))
        refs, ids = placed.refs, placed.ids
        refusals: list[tuple[int, list[FieldError]]] = []
        on_file = [i for i, h in enumerate(rows.hmacs) if h in ids]
        blocked = {on_file[j] for j in protections.refused_blocked(
            uow, vault, furnisher.id,
            [(_account_ref(rows.lines[i]), ids[rows.hmacs[i]]) for i in on_file])}
        if blocked:
            refusals.extend((rows.positions[i], [FieldError("account_ref",
                                                            protections.BLOCKED)])
                            for i in sorted(blocked))
            rows = rows.without(blocked)
        if placed.held:
            drop = {i for i, h in enumerate(rows.hmacs) if h in placed.held}
            for i in sorted(drop):
                decision = placed.held[rows.hmacs[i]]
                line = rows.lines[i].decode()
                ref = resolution.hold(
                    uow, vault, furnisher.id, file_id, rows.positions[i],
                    line.split("\t")[2],
                    _held_form(rows, i, line),
                    decision, refs, now)
                refusals.append((rows.positions[i], [FieldError(
                    "subject", identity_store.held_message(ref, decision.reason))]))
            rows = rows.without(drop)
        rows, warned, refused_income, with_income = _income(uow, furnisher.id, rows, ids)
        renamed = account_changes.rekey(uow, dialect, furnisher.id, {
            (ids[rows.hmacs[i]], *names) for i in range(len(rows))
            if rows.owners[i] is None and (names := rows.renames(i)) is not None})
        t2 = clock()
        # the steps in the order they run (the bench lists them so), counted once stored
        steps: defaultdict[str, float] = defaultdict(float, begin=t1 - t0, subjects=t2 - t1)
        links = placed.links
        changed = uow.bulk_store.store(furnisher.id, file_id, now, rows.lines, (
            (h, i, json.dumps(links[h], sort_keys=True) if h in links else None)
            for h, i in ids.items()), steps)
        t3 = clock()
        by_subject: dict[int, list[dict[str, Any]]] = {}
        for _, _, sid, account_ref, month, delete_code in changed:
            by_subject.setdefault(sid, []).append(
                {"account_ref": account_ref, "as_of": month.isoformat(),
                 "delete_code": delete_code})
        identity_store.record_identities(uow, vault, hashes, dialect, furnisher.id,
                                         file_id, now, _identities(rows, ids, people))
        t4 = clock()
        uow.audit_many([PendingEvent(now, furnisher.actor, "furnish.account_rekeyed", refs[sid],
                                     "furnishing", {"file_id": file_id, "from": old, "to": new})
                        for sid, old, new in renamed]
                       + [PendingEvent(now, furnisher.actor, "furnish.account", refs[sid],
                                       "furnishing", {"file_id": file_id, "accounts": items})
                          for sid, items in by_subject.items()]
                       + income_consents.events(
                           now, furnisher, file_id,
                           (with_income[row[0]] for row in changed if row[0] in with_income),
                           refused_income))
        if rescore is not None and by_subject:
            rescore(uow, set(by_subject))
        t5 = clock()
        if not joined:
            uow.commit()
    t6 = clock()
    steps.update({"identity": t4 - t3, "events + rescore hook": t5 - t4,
                  "audit + commit": t6 - t5})
    for phase, seconds in steps.items():
        PHASES[phase] += seconds
    return len(rows), set(by_subject), refusals, warned


def _income(uow: Any, furnisher_id: int, rows: Rows, ids: dict[str, int]
            ) -> tuple[Rows, Problems, list[tuple[str, str]], dict[int, str]]:
    """``income_consents.check`` on the rows carrying income (only records read one by one
    can: Metro 2 has no income field, a Block none): those refused are rendered again without
    it. Returns the rows, the warnings by position, (consent_ref, reason) of the refused, and
    the consent_ref of each row (by seq) whose income stands."""
    wanted = {i: (rec.consent_ref or "", ids[rows.hmacs[i]])
              for i in range(len(rows))
              if rows.owners[i] is None and (rec := rows.items[i]).monthly_income is not None}
    refused = income_consents.check(uow, furnisher_id, wanted)
    if refused:
        rows = rows.copy()      # the caller's rows are retried as they are if the chunk fails
    warned: Problems = []
    for i, reason in refused.items():
        rec = rows.items[i]
        rows.items[i] = bare = income_consents.without_income(rec)
        rows.lines[i] = render(bare, _seq(rows.lines[i]), rows.hmacs[i])
        warned.append((rows.positions[i], [consent_rules.income_not_stored(reason)]))
    return (rows, warned, [(wanted[i][0], reason) for i, reason in refused.items()],
            {_seq(rows.lines[i]): ref for i, (ref, _) in wanted.items() if i not in refused})


def _seq(line: bytes) -> int:
    return int(line.split(b"\t", 1)[0])


def _identities(rows: Rows, ids: dict[str, int], people: dict[Any, Any] | None = None
                ) -> Iterator[tuple[int, Any, str | None, date, date, int]]:
    """``record_identities``' input: the rows grouped by subject and identity (a person's
    records in a chunk mostly carry the same one), each group's identity built once, with the
    first and last as-of of its rows and the file line of its first."""
    groups: dict[tuple[int, str, Any], list[int]] = {}
    months = rows.months
    for i, (h, key, month) in enumerate(zip(rows.hmacs, rows.idkeys, months, strict=True)):
        g = groups.get((ids[h], h, key))
        if g is None:
            groups[(ids[h], h, key)] = [i, month, month]
        elif month < g[1]:
            g[1] = month
        elif month > g[2]:
            g[2] = month
    for (sid, h, _), (i, first, last) in groups.items():
        yield (sid, rows.subject(i, people), identity_store.id_hmac_of(h), _date(first),
               _date(last), rows.positions[i])


def _date(yyyymmdd: int) -> date:
    return date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100)


def _held_form(rows: Rows, i: int, line: str) -> dict[str, Any]:
    """What a hold keeps of row ``i``: the record in its JSON shape (it is placed as it is once
    an operator decides). A Metro 2 column block's row is turned back into one from its
    staging line and subject; only a row that cannot be (it has segments, which clean rows
    never carry) keeps its staging line, and can then only be withdrawn."""
    item = rows.items[i]
    if rows.owners[i] is None:
        return {"record": record_to_dict(item)}
    subject = subject_to_dict(rows.subject(i))
    record = record_of_stage(line, subject)
    return {"record": record} if record is not None else {"subject": subject,
                                                          "stage_line": line}


_STAGE_ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
_SEGMENT_COLUMNS = ("original_creditor", "creditor_classification", "purchase_indicator",
                    "purchase_name", "mortgage", "specialised_payment")
_STAGE_INTS = {"credit_limit", "original_amount", "scheduled_payment", "balance",
               "amount_past_due", "monthly_income"}
# staging column -> the record's field (the identity is not in the line)
_STAGE_FIELDS = {"account_ref": "account_ref", "month": "as_of", "kind": "kind", "ecoa": "ecoa",
                 "currency": "currency", "opened_on": "opened_on", "closed_on": "closed_on",
                 "credit_limit": "credit_limit", "original_amount": "original_amount",
                 "scheduled_payment": "scheduled_payment", "balance": "balance",
                 "amount_past_due": "amount_past_due", "status": "status",
                 "dofd": "date_of_first_delinquency", "monthly_income": "monthly_income",
                 "consent_ref": "consent_ref", "compliance_code": "compliance_code",
                 "delete_code": "delete_code", "payment_history": "payment_history",
                 "special_comment": "special_comment",
                 "identification_number": "identification_number"}


def _unescape(text: str) -> str | None:
    if text == "\\N":
        return None
    return re.sub(r"\\[\\tnr]", lambda m: _STAGE_ESCAPES[m.group(0)], text)


def record_of_stage(line: str, subject: dict[str, Any]) -> dict[str, Any] | None:
    """The record (JSON shape) a clean staging line and its subject stand for; None for a line
    with account segments (K1-K4), which only the record path renders."""
    values = dict(zip((c for c, _ in STAGE_COLUMNS), map(_unescape, line.split("\t")),
                      strict=True))
    if any(values[c] is not None for c in _SEGMENT_COLUMNS):
        return None
    out: dict[str, Any] = {"subject": subject}
    for column, name in _STAGE_FIELDS.items():
        value = values[column]
        if value is not None:
            out[name] = int(value) if column in _STAGE_INTS else value
    return out


def _account_ref(line: bytes) -> str:
    """The account number of a staging line (its third column; account numbers are plain)."""
    return line.split(b"\t", 3)[2].decode()


def _bar(uow: Any, deps: Deps, furnisher_id: int,
         rows: Rows) -> tuple[Rows, dict[str, frozenset[int]]]:
    """``resolution.bar_accounts`` on staged rows: a row of an account barred from some files
    is staged under its own subject key (its line rewritten with it)."""
    keys, barred = resolution.bar_accounts(uow, deps.vault, furnisher_id, rows.hmacs,
                                           [_account_ref(line) for line in rows.lines])
    if not barred:
        return rows, barred
    rows = rows.copy()
    for i, key in enumerate(keys):
        if key != rows.hmacs[i]:
            seq, _, rest = rows.lines[i].split(b"\t", 2)
            rows.lines[i] = b"\t".join((seq, key.encode(), rest))
            rows.hmacs[i] = key
    return rows, barred


def _subjects(uow: Any, deps: Deps, rows: Rows, hashes: identity_store.Hashes,
              db_now: datetime, furnisher: Principal,
              barred: dict[str, frozenset[int]] | None = None,
              people: dict[Any, Any] | None = None,
              placed: dict[str, int] | None = None) -> resolution.Chunk:
    """The chunk's subject keys placed by identity resolution (``resolution.resolve_chunk``):
    each key by the identity of its first row (a key is a national id's keyed hash, or for a
    record without one its name + birth date key)."""
    first: dict[str, int] = {}
    positions = rows.positions
    for i, hm in enumerate(rows.hmacs):
        j = first.get(hm)
        if j is None or positions[i] < positions[j]:
            first[hm] = i
    known = resolution.known_files(uow, furnisher.id, rows.hmacs,
                                   [_account_ref(line) for line in rows.lines])
    return resolution.resolve_chunk(uow, deps.vault, hashes,
                                    {h: rows.subject(i, people) for h, i in first.items()},
                                    db_now.replace(tzinfo=UTC), placed=placed,
                                    actor=furnisher.actor,
                                    barred=barred,
                                    names_must_agree=deps.profile.name_must_agree_with_id,
                                    known=known)
