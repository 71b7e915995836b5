"""Furnishing: the one service behind the JSON batch, file uploads and ``openbureau ingest``.

Records are validated one by one against the closed schema; valid ones are stored in chunks,
each chunk one transaction. If a chunk fails in the database, it is retried record by record,
so a record is always stored whole or rejected whole and the good records of a file are kept.
Storing is an upsert on (furnisher, account, month): the same data sent twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.tables import account_months, accounts, subjects
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.records import AccountRecord, parse_account_record
from openbureau.domain.roles import Principal
from openbureau.services.refs import new_ref
from openbureau.unit_of_work import UnitOfWork

log = logging.getLogger("openbureau.furnishing")

CHUNK = 2000
_MONTH_FIELDS = ("status", "balance", "amount_past_due", "credit_limit", "scheduled_payment",
                 "monthly_income", "consent_ref", "payment_history")


@dataclass(frozen=True)
class Candidate:
    """A record as it came in: its position (batch index or file line) and raw fields."""

    position: int
    fields: Any


@dataclass(frozen=True)
class Rejection:
    position: int
    errors: list[FieldError]
    is_record: bool = True      # False for file-level problems (e.g. trailer counts)


@dataclass
class Summary:
    records: int = 0
    accepted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    changed_subjects: set[int] = field(default_factory=set)

    def add(self, other: Summary) -> None:
        self.records += other.records
        self.accepted += other.accepted
        self.rejected.extend(other.rejected)
        self.changed_subjects |= other.changed_subjects


Rescorer = Callable[[UnitOfWork, set[int]], None]


def furnish(bureau: Bureau, furnisher: Principal, candidates: Iterable[Candidate | Rejection],
            *, file_id: int | None = None, chunk: int = CHUNK,
            progress: Callable[[Summary], None] | None = None,
            rescore: Rescorer | None = None) -> Summary:
    """Validate and store; returns counts and every rejection with its position."""
    total = Summary()
    batch: list[tuple[int, AccountRecord]] = []

    def flush() -> None:
        if batch:
            total.add(_store_chunk(bureau, furnisher, batch, file_id, rescore))
            batch.clear()
            if progress:
                progress(total)

    for cand in candidates:
        if isinstance(cand, Rejection):
            if cand.is_record:
                total.records += 1
            total.rejected.append(cand)
            continue
        total.records += 1
        try:
            batch.append((cand.position, parse_account_record(cand.fields)))
        except ValidationFailed as exc:
            total.rejected.append(Rejection(cand.position, exc.errors))
        if len(batch) >= chunk:
            flush()
    flush()
    return total


def _store_chunk(bureau: Bureau, furnisher: Principal, batch: list[tuple[int, AccountRecord]],
                 file_id: int | None, rescore: Rescorer | None) -> Summary:
    try:
        return _store(bureau, furnisher, batch, file_id, rescore)
    except SQLAlchemyError:
        if len(batch) == 1:
            log.exception("furnishing: a record could not be stored")
            return Summary(records=0, rejected=[Rejection(batch[0][0], [FieldError(
                "record", "could not be stored; nothing of it was kept")])])
        out = Summary()
        for item in batch:   # isolate the bad record; the others are kept
            out.add(_store_chunk(bureau, furnisher, [item], file_id, rescore))
        return out


def _store(bureau: Bureau, furnisher: Principal, batch: list[tuple[int, AccountRecord]],
           file_id: int | None, rescore: Rescorer | None) -> Summary:
    out = Summary()
    with bureau.uow() as uow:
        now = uow.clock.now()
        subject_ids, subject_refs = _subjects(uow, bureau, [r for _, r in batch])
        account_ids = _accounts(uow, furnisher.id, batch, subject_ids, now)
        keys = [(account_ids[i], rec.as_of) for i, (_, rec) in enumerate(batch)]
        existing = _existing_months(uow, keys)
        inserts, updates, events = [], [], []
        changed_accounts: dict[int, AccountRecord] = {}
        for i, (_, rec) in enumerate(batch):
            acc_id = account_ids[i]
            row = {f: getattr(rec, f) for f in _MONTH_FIELDS}
            row["status"] = rec.status.value
            old = existing.get((acc_id, rec.as_of))
            if old is not None and all(old[f] == row[f] for f in _MONTH_FIELDS):
                if rec.delete_code is None:
                    continue      # identical re-send: nothing changes
            row.update(account_id=acc_id, as_of=rec.as_of, file_id=file_id, furnished_at=now)
            (updates if old is not None else inserts).append(row)
            existing[(acc_id, rec.as_of)] = row
            changed_accounts[acc_id] = rec
            sid = subject_ids[rec.subject.national_id]
            out.changed_subjects.add(sid)
            events.append(PendingEvent(now, furnisher.actor, "furnish.account",
                                       subject_refs[sid], "furnishing",
                                       {"account_ref": rec.account_ref,
                                        "as_of": rec.as_of.isoformat(),
                                        "delete_code": rec.delete_code}))
        if inserts:
            uow.execute(insert(account_months), inserts)
        for row in updates:
            uow.execute(update(account_months).where(
                account_months.c.account_id == row["account_id"],
                account_months.c.as_of == row["as_of"]).values(**row))
        _apply_account_state(uow, changed_accounts, now)
        uow.audit_many(events)
        if rescore is not None and out.changed_subjects:
            rescore(uow, out.changed_subjects)
        uow.commit()
    out.records = 0
    out.accepted = len(batch)
    return out


def _subjects(uow: UnitOfWork, bureau: Bureau,
              records: list[AccountRecord]) -> tuple[dict[str, int], dict[int, str]]:
    by_hash = {}
    for rec in records:
        by_hash.setdefault(bureau.vault.lookup_hash(rec.subject.national_id), rec.subject)
    found = {r.id_hmac: (r.id, r.item_ref) for r in uow.execute(
        select(subjects.c.id, subjects.c.id_hmac, subjects.c.item_ref)
        .where(subjects.c.id_hmac.in_(list(by_hash))))}
    missing = [h for h in by_hash if h not in found]
    if missing:
        now = uow.clock.now()
        rows = [{"id_hmac": h, "id_ciphertext": bureau.vault.encrypt(by_hash[h].national_id),
                 "id_suffix": by_hash[h].national_id[-4:], "name": by_hash[h].name,
                 "date_of_birth": by_hash[h].date_of_birth, "kind": "person",
                 "created_at": now, "item_ref": new_ref("sub")} for h in missing]
        uow.execute(insert(subjects), rows)
        found.update({r.id_hmac: (r.id, r.item_ref) for r in uow.execute(
            select(subjects.c.id, subjects.c.id_hmac, subjects.c.item_ref)
            .where(subjects.c.id_hmac.in_(missing)))})
    ids = {s.national_id: found[h][0] for h, s in by_hash.items()}
    refs = {sid: ref for sid, ref in found.values()}
    return ids, refs


def _accounts(uow: UnitOfWork, furnisher_id: int, batch: list[tuple[int, AccountRecord]],
              subject_ids: dict[str, int], now: Any) -> list[int]:
    wanted = {(rec.account_ref, subject_ids[rec.subject.national_id]): rec for _, rec in batch}
    refs = sorted({ref for ref, _ in wanted})
    found = {(r.account_ref, r.subject_id): r.id for r in uow.execute(
        select(accounts.c.id, accounts.c.account_ref, accounts.c.subject_id)
        .where(accounts.c.furnisher_id == furnisher_id, accounts.c.account_ref.in_(refs)))}
    missing = [k for k in wanted if k not in found]
    if missing:
        rows = []
        for key in missing:
            rec = wanted[key]
            rows.append({"furnisher_id": furnisher_id, "account_ref": rec.account_ref,
                         "subject_id": key[1], "item_ref": new_ref("acc"),
                         "kind": rec.kind.value, "ecoa": rec.ecoa.value,
                         "currency": rec.currency, "opened_on": rec.opened_on,
                         "latest_as_of": rec.as_of, "updated_at": now})
        uow.execute(insert(accounts), rows)
        found.update({(r.account_ref, r.subject_id): r.id for r in uow.execute(
            select(accounts.c.id, accounts.c.account_ref, accounts.c.subject_id)
            .where(accounts.c.furnisher_id == furnisher_id,
                   accounts.c.account_ref.in_(sorted({k[0] for k in missing}))))})
    return [found[(rec.account_ref, subject_ids[rec.subject.national_id])] for _, rec in batch]


def _existing_months(uow: UnitOfWork, keys: list[tuple[int, date]]) -> dict[tuple[int, date],
                                                                             dict[str, Any]]:
    out: dict[tuple[int, date], dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        for r in uow.execute(select(account_months).where(
                tuple_(account_months.c.account_id, account_months.c.as_of).in_(part))):
            out[(r.account_id, r.as_of)] = dict(r._mapping)
    return out


def _apply_account_state(uow: UnitOfWork, changed: dict[int, AccountRecord], now: Any) -> None:
    """The account's descriptive fields follow its newest month."""
    if not changed:
        return
    latest = {r.id: r for r in uow.execute(
        select(accounts.c.id, accounts.c.latest_as_of, accounts.c.compliance_code)
        .where(accounts.c.id.in_(list(changed))))}
    for acc_id, rec in changed.items():
        cur = latest[acc_id]
        if rec.as_of < cur.latest_as_of:
            continue
        compliance = cur.compliance_code
        if rec.compliance_code == "XR":
            compliance = None
        elif rec.compliance_code is not None:
            compliance = rec.compliance_code
        uow.execute(update(accounts).where(accounts.c.id == acc_id).values(
            kind=rec.kind.value, ecoa=rec.ecoa.value, currency=rec.currency,
            opened_on=rec.opened_on, closed_on=rec.closed_on, credit_limit=rec.credit_limit,
            original_amount=rec.original_amount,
            date_of_first_delinquency=rec.date_of_first_delinquency,
            compliance_code=compliance, latest_as_of=rec.as_of,
            deleted_at=now if rec.delete_code else None,
            delete_code=rec.delete_code.value if rec.delete_code else None, updated_at=now))


def candidates_from_json(records: list[Any]) -> Iterator[Candidate]:
    for i, raw in enumerate(records):
        yield Candidate(i, raw)
