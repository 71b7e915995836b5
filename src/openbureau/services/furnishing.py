"""Furnishing: the one service behind the JSON batch, file uploads and ``openbureau ingest``.

Records are validated one by one against the closed schema; valid ones are stored in chunks,
each chunk one transaction. If a chunk fails in the database, it is retried by halves down to
single records, so a record is always stored whole or rejected whole and the good records of a
file are kept. Storing is an upsert on (furnisher, account, month): the same data sent twice
changes nothing. Each chunk writes one audit event per subject whose file it changed, naming the
accounts and months. Income is stored only under a consent in force (``income_consents``: one
rule, checked per chunk by both stores once the subjects are resolved); without one the record
is stored without it, with a warning on its line (``Summary.warned``).

A chunk costs a fixed number of statements whatever its size (subjects, accounts, months and
account state are each read or written with one multi-row statement), so PostgreSQL takes
larger chunks than SQLite, whose writer lock is held for the whole chunk.

A use case composed into another (a dispute's corrected record, ``services/corrections.py``)
calls ``furnish`` with ``joined=True``: the chunks are stored in the caller's open unit of work,
which is neither entered nor committed here.

The two databases share everything here (validation, chunking, isolation of bad records by
halves, the summary) and differ only in the chunk's store: SQLite takes ``_store`` below (its
statements ``uow.account_store``'s, ``adapters/account_store.py``), PostgreSQL
``bulk_store.store`` (``uow.bulk_store``, ``adapters/furnish_store_pg.py``: a staging table
filled with ``COPY``, then set-based statements; same semantics, see its docstring). On
PostgreSQL a Metro 2 file's clean records also arrive already validated, column-wise
(``metro2_columns.Block``), and a chunk is stored by a worker thread while the next one is
read and validated.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.database import refused_data
from openbureau.adapters.metro2_columns import Block
from openbureau.domain import consents as consent_rules
from openbureau.domain import national_ids
from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.quality import QualityReport, rules_in, warnings
from openbureau.domain.records import AccountRecord, parse_account_record, record_to_dict
from openbureau.domain.roles import Principal
from openbureau.services import (
    account_changes,
    bulk_store,
    identity_store,
    income_consents,
    protections,
    resolution,
)
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.refs import new_ref

log = logging.getLogger("openbureau.furnishing")

CHUNK = 2000
CHUNK_BY_DIALECT = {"postgresql": 10_000}


@dataclass(frozen=True)
class Candidate:
    """A record as it came in: its position (batch index or file line) and raw fields."""

    position: int
    fields: Any
    metro2: dict[str, str] | None = None    # Metro 2 raw base codes for the quality rules


@dataclass(frozen=True)
class Rejection:
    position: int
    errors: list[FieldError]
    is_record: bool = True      # False for file-level problems (e.g. trailer counts)


class Rejections:
    """The rejections of one furnishing: every one counted, at most ``keep`` of them kept (None:
    all), so that a file of a million bad records costs no more memory than one of ten thousand.

    The kept ones are those of the lowest positions (the first in file order), whatever order
    they arrive in: on PostgreSQL a chunk's storage rejections come back from a worker thread
    after later lines were validated. A bounded max-heap on (position, arrival) does it; equal
    positions keep their arrival order. Iterating gives the kept ones in file order.
    """

    __slots__ = ("keep", "_heap", "_seq", "total", "records", "errors_total")

    def __init__(self, items: Iterable[Rejection] = (), keep: int | None = None) -> None:
        self.keep = keep
        self._heap: list[tuple[int, int, Rejection]] = []   # (-position, -arrival, rejection)
        self._seq = 0
        self.total = 0            # rejections seen (file-level problems included)
        self.records = 0          # of which reject a record (``is_record``)
        self.errors_total = 0     # field errors in all of them
        self.extend(items)

    def append(self, rej: Rejection) -> None:
        self.total += 1
        self.records += rej.is_record
        self.errors_total += len(rej.errors)
        self._seq += 1
        item = (-rej.position, -self._seq, rej)
        if self.keep is None or len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:       # earlier than the latest kept: it takes its place
            heapq.heapreplace(self._heap, item)

    def extend(self, items: Iterable[Rejection]) -> None:
        if isinstance(items, Rejections):
            kept = items.kept()
            for rej in kept:
                self.append(rej)
            # what ``items`` counted but did not keep is counted here too
            self.total += items.total - len(kept)
            self.records += items.records - sum(r.is_record for r in kept)
            self.errors_total += items.errors_total - sum(len(r.errors) for r in kept)
            return
        for rej in items:
            self.append(rej)

    def kept(self) -> list[Rejection]:
        """The kept rejections in file order."""
        return [rej for _, _, rej in sorted(self._heap, reverse=True)]

    @property
    def truncated(self) -> bool:
        return self.total > len(self._heap)

    def __iter__(self) -> Iterator[Rejection]:
        return iter(self.kept())

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __eq__(self, other: object) -> bool:
        """Equal to a list of the same rejections in file order, when none was dropped."""
        if isinstance(other, Rejections):
            other = other.kept() if not other.truncated else None
        return isinstance(other, list) and not self.truncated and self.kept() == other

    # unhashable, as a mutable container: mypy reads None as a wrong type for the method
    __hash__ = None     # type: ignore[assignment]


@dataclass
class Summary:
    """Counts of a furnishing. ``warned``: records stored with a warning (their income dropped
    for want of a consent in force, ``income_consents``), as Rejection items of that line."""

    records: int = 0
    accepted: int = 0
    rejected: Rejections = field(default_factory=Rejections)
    warned: Rejections = field(default_factory=Rejections)
    held: int = 0       # records held for identity review (also among ``rejected``)
    changed_subjects: set[int] = field(default_factory=set)
    # False for a file's total: a million subjects would be a set of a million ids, and
    # nothing reads them (each chunk rescored its own)
    track_subjects: bool = True

    def add(self, other: Summary) -> None:
        self.records += other.records
        self.accepted += other.accepted
        self.rejected.extend(other.rejected)
        self.warned.extend(other.warned)
        self.held += other.held
        if self.track_subjects:
            self.changed_subjects |= other.changed_subjects


Rescorer = Callable[[UnitOfWork, set[int]], None]


def furnish(uow: UnitOfWork, deps: Deps, furnisher: Principal,
            candidates: Iterable[Candidate | Rejection | Block],
            *, file_id: int | None = None, chunk: int | None = None,
            progress: Callable[[Summary], None] | None = None,
            rescore: Rescorer | None = None, keep_errors: int | None = None,
            quality: QualityReport | None = None, joined: bool = False) -> Summary:
    """Validate and store; returns counts and the rejections with their positions: all of
    them, or with ``keep_errors`` the first that many in file order (all counted); the same
    for the records stored with a warning (income without a consent in force: dropped).

    ``candidates`` may include ``metro2_columns.Block``s: records already validated column-wise
    (only where the bulk store runs, i.e. on PostgreSQL; see ``bulk_candidates``).

    Every record is checked against the data-quality rules (``domain.quality``); ``quality``,
    when given, collects the counts and sample positions (a file's report).

    Each chunk is stored in a transaction of its own (``uow`` entered once per chunk); with
    ``joined``, in ``uow`` as the caller holds it open, uncommitted (one transaction with the
    caller's work)."""
    total = Summary(rejected=Rejections(keep=keep_errors), warned=Rejections(keep=keep_errors),
                    track_subjects=file_id is None)
    bulk = deps.dialect == "postgresql"
    # (position, AccountRecord) pairs; on PostgreSQL the bulk store's staging rows
    batch: Any = bulk_store.Rows() if bulk else []
    if chunk is None:
        chunk = CHUNK_BY_DIALECT.get(deps.dialect, CHUNK)
    store = _store_bulk if bulk else _store
    hashes = identity_store.Hashes(deps.vault)     # keyed hashes, memoised per ingest
    last = (-1, 0)              # (position, records seen at it): a line may hold several
    # On PostgreSQL a chunk is stored by a worker thread while the next one is read and
    # validated (the database works while Python does): at most one chunk in flight. A joined
    # unit is the caller's, used on the caller's thread only.
    pool = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="furnish")
            if bulk and not joined else None)
    in_flight: list[Future[Summary]] = []

    def collect() -> None:
        while in_flight:
            total.add(in_flight.pop().result())
            if progress:
                progress(total)

    def flush() -> None:
        if not batch:
            return
        rows = batch.copy()
        batch.clear()
        if pool is None:
            total.add(_store_chunk(uow, deps, furnisher, rows, file_id, rescore, store,
                                   joined))
            if progress:
                progress(total)
            return
        collect()
        in_flight.append(pool.submit(_store_chunk, uow, deps, furnisher, rows, file_id,
                                     rescore, store, joined))

    try:
        _feed(candidates, bulk, batch, chunk, total, hashes, last, deps, flush,
              quality if quality is not None else QualityReport())
        flush()
        collect()
    finally:
        if pool is not None:
            pool.shutdown(wait=True)    # never leave a chunk being stored behind
    records = deps.metrics.account_records
    records.labels("accepted").inc(total.accepted)
    records.labels("rejected").inc(total.rejected.records)
    records.labels("income_not_stored").inc(total.warned.records)
    return total      # ``total.rejected`` iterates in file order (stable within a line)


def _feed(candidates: Iterable[Candidate | Rejection | Block], bulk: bool, batch: Any,
          chunk: int, total: Summary, hashes: identity_store.Hashes, last: tuple[int, int],
          deps: Deps, flush: Callable[[], None], quality: QualityReport) -> None:
    """Validate the candidates into ``batch``, calling ``flush`` whenever it is full.

    Every record is checked against the data-quality rules into ``quality``: a reject rule
    refused it in ``parse_account_record`` (its error names the rule), a warn rule keeps it.
    A Block's records were checked column-wise (``metro2_quality_columns.flags``: none fires)."""
    today = deps.clock.now().date()
    profile = deps.profile
    for cand in candidates:
        if isinstance(cand, Block):
            if not bulk:
                raise TypeError("column-wise blocks need the bulk store (PostgreSQL)")
            total.records += len(cand)
            quality.records_checked += len(cand)
            batch.add_block(cand)
            if len(batch) >= chunk:
                flush()
            continue
        if isinstance(cand, Rejection):
            if cand.is_record:
                total.records += 1
            total.rejected.append(cand)
            continue
        total.records += 1
        try:
            rec = parse_account_record(cand.fields)
            if id_errors := national_ids.errors(
                    profile.national_id_scheme, profile.national_id_required,
                    rec.subject.national_id, rec.subject.date_of_birth):
                raise ValidationFailed(id_errors)
        except ValidationFailed as exc:
            total.rejected.append(Rejection(cand.position, exc.errors))
            refused_by = rules_in(exc.errors)
            quality.records_checked += bool(refused_by)   # only what reached the rules
            for rule_id in refused_by:
                quality.hit(rule_id, cand.position)
            rec = None
        if rec is not None:
            quality.records_checked += 1
            for rule in warnings(rec, cand.metro2, today):
                quality.hit(rule.id, cand.position)
            if bulk:
                last = (cand.position, last[1] + 1 if last[0] == cand.position else 0)
                seq = cand.position * 16 + min(last[1], 15)
                # national id + name and birth date: two identities sent under one number
                # in one chunk are resolved apart (identity_store.record_key)
                batch.add_record(cand.position, rec, seq,
                                 identity_store.record_key(hashes, rec.subject))
            else:
                batch.append((cand.position, rec))
        if len(batch) >= chunk:
            flush()


def bulk_candidates(deps: Deps) -> bool:
    """Whether ``furnish`` takes column-wise blocks: on PostgreSQL, under a profile whose
    national ids the column-wise checks cover (any id, optional); a profile with its own
    scheme (``cn-cri``'s resident id) has every record checked one by one in ``_feed``."""
    profile = deps.profile
    return (deps.dialect == "postgresql"
            and profile.national_id_scheme == national_ids.ANY
            and not profile.national_id_required)


def _store_chunk(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: list[Any],
                 file_id: int | None, rescore: Rescorer | None, store: Callable[..., Summary],
                 joined: bool) -> Summary:
    try:
        return store(uow, deps, furnisher, batch, file_id, rescore, joined)
    except Exception as exc:
        # the database away is not the records' fault: nothing to isolate. Text the driver
        # cannot encode (a lone surrogate the schema let through) is that record's fault, not
        # the batch's -- isolated like any record the database refuses
        if not refused_data(exc):
            raise
        return _isolate(uow, deps, furnisher, batch, file_id, rescore, store, joined, exc)


def _isolate(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: list[Any],
             file_id: int | None, rescore: Rescorer | None, store: Callable[..., Summary],
             joined: bool, exc: Exception) -> Summary:
    if len(batch) == 1:
        log.error("furnishing: a record could not be stored (%s)", type(exc).__name__)
        position = batch.positions[0] if isinstance(batch, bulk_store.Rows) else batch[0][0]
        return Summary(records=0, rejected=Rejections([Rejection(position, [FieldError(
            "record", "could not be stored; nothing of it was kept")])]))
    # isolate the bad records by halves; the others are kept
    half = len(batch) // 2
    out = _store_chunk(uow, deps, furnisher, batch[:half], file_id, rescore, store, joined)
    out.add(_store_chunk(uow, deps, furnisher, batch[half:], file_id, rescore, store, joined))
    return out


def _store_bulk(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: bulk_store.Rows,
                file_id: int | None, rescore: Rescorer | None, joined: bool) -> Summary:
    accepted, changed, refused, warned = bulk_store.store(uow, deps, furnisher, batch, file_id,
                                                          rescore, joined=joined)
    return Summary(records=0, accepted=accepted, changed_subjects=changed,
                   held=sum(identity_store.is_held(errors) for _, errors in refused),
                   rejected=Rejections(Rejection(position, errors)
                                       for position, errors in refused),
                   warned=Rejections(Rejection(position, errors) for position, errors in warned))


def chunk_unit(uow: UnitOfWork, joined: bool) -> AbstractContextManager[UnitOfWork]:
    """The unit a chunk is stored in: ``uow`` entered (a transaction of its own, committed by
    the store), or as the caller holds it open (``joined``: neither entered nor committed)."""
    return nullcontext(uow) if joined else uow


def _store(uow: UnitOfWork, deps: Deps, furnisher: Principal,
           batch: list[tuple[int, AccountRecord]], file_id: int | None,
           rescore: Rescorer | None, joined: bool = False,
           placed_on: int | None = None) -> Summary:
    out = Summary()
    vault = deps.vault
    with chunk_unit(uow, joined):
        now = uow.clock.now()
        dialect = deps.dialect
        hashes = identity_store.Hashes(vault)
        keys, barred = resolution.bar_accounts(
            uow, vault, furnisher.id,
            [identity_store.record_key(hashes, rec.subject) for _, rec in batch],
            [rec.account_ref for _, rec in batch])
        placed = _subjects(uow, deps, dialect, batch, keys, hashes, now,
                           None if placed_on is None else dict.fromkeys(keys, placed_on),
                           furnisher, barred)
        subject_ids, subject_refs = placed.ids, placed.refs
        on_file = [(i, rec.account_ref, subject_ids[key])
                   for i, ((_, rec), key) in enumerate(zip(batch, keys, strict=True))
                   if key in subject_ids]
        blocked = {on_file[j][0] for j in protections.refused_blocked(
            uow, vault, furnisher.id, [(ref, sid) for _, ref, sid in on_file])}
        kept = []
        for i, ((position, rec), key) in enumerate(zip(batch, keys, strict=True)):
            if i in blocked:
                out.rejected.append(Rejection(position, [FieldError(
                    "account_ref", protections.BLOCKED)]))
                continue
            decision = placed.held.get(key)
            if decision is not None:
                ref = resolution.hold(uow, vault, furnisher.id, file_id, position,
                                      rec.account_ref, _record_json(rec), decision,
                                      subject_refs, now)
                out.held += 1
                out.rejected.append(Rejection(position, [FieldError(
                    "subject", identity_store.held_message(ref, decision.reason))]))
            else:
                kept.append((position, rec, key, subject_ids[key]))
        no_income = income_consents.check(uow, furnisher.id, {
            i: (rec.consent_ref or "", sid) for i, (_, rec, _, sid) in enumerate(kept)
            if rec.monthly_income is not None})
        refused_income = []
        for i, reason in no_income.items():
            position, rec, key, sid = kept[i]
            refused_income.append((str(rec.consent_ref), reason))
            out.warned.append(Rejection(position, [consent_rules.income_not_stored(reason)]))
            kept[i] = (position, income_consents.without_income(rec), key, sid)
        records = [rec for _, rec, _, _ in kept]
        sids = [sid for _, _, _, sid in kept]
        renamed = account_changes.rekey(uow, dialect, furnisher.id, {
            (sid, *names) for rec, sid in zip(records, sids, strict=True)
            if (names := account_changes.renames(rec)) is not None})
        account_ids, current = _accounts(uow, furnisher.id, records, sids, now,
                                         [placed.links.get(key) for _, _, key, _ in kept])
        # one row per (account, month); a later record of the same month wins
        months: dict[tuple[int, date], tuple[AccountRecord, int]] = {}
        for acc_id, rec, sid in zip(account_ids, records, sids, strict=True):
            months[(acc_id, rec.as_of)] = (rec, sid)
        changed = _upsert_months(uow, {k: v[0] for k, v in months.items()}, file_id,
                                 now)
        by_subject: dict[int, list[dict[str, Any]]] = {}
        newest: dict[int, AccountRecord] = {}
        for month, (rec, sid) in months.items():
            if month not in changed:
                continue      # identical re-send: nothing changes
            acc_id = month[0]
            by_subject.setdefault(sid, []).append(
                {"account_ref": account_changes.effective_ref(rec),
                 "as_of": rec.as_of.isoformat(), "delete_code": rec.delete_code})
            best = newest.get(acc_id)
            if best is None or rec.as_of >= best.as_of:
                newest[acc_id] = rec
        _apply_account_state(uow, newest, current, now)
        identity_store.record_identities(
            uow, vault, hashes, dialect, furnisher.id, file_id, now,
            ((sid, rec.subject, identity_store.id_hmac_of(key), rec.as_of, rec.as_of, position)
             for position, rec, key, sid in kept))
        # one event per subject whose file changed: who (actor), what (accounts and months),
        # when, why (furnishing), from which file; and one per renamed account
        uow.audit_many([PendingEvent(now, furnisher.actor, "furnish.account_rekeyed",
                                     subject_refs[sid], "furnishing",
                                     {"file_id": file_id, "from": old, "to": new})
                        for sid, old, new in renamed]
                       + [PendingEvent(now, furnisher.actor, "furnish.account",
                                       subject_refs[sid], "furnishing",
                                       {"file_id": file_id, "accounts": items})
                          for sid, items in by_subject.items()]
                       + income_consents.events(
                           now, furnisher, file_id,
                           (str(rec.consent_ref) for key, (rec, _) in months.items()
                            if key in changed and rec.monthly_income is not None),
                           refused_income))
        out.changed_subjects = set(by_subject)
        if rescore is not None and out.changed_subjects:
            rescore(uow, out.changed_subjects)
        if not joined:
            uow.commit()
    out.records = 0
    out.accepted = len(kept)
    return out


def _subjects(uow: UnitOfWork, deps: Deps, dialect: str,
              batch: list[tuple[int, AccountRecord]], keys: list[str],
              hashes: identity_store.Hashes, now: Any,
              placed: dict[str, int] | None, furnisher: Principal,
              barred: dict[str, frozenset[int]] | None = None) -> resolution.Chunk:
    """Each group of the chunk's records placed by identity resolution (new files are made
    from their first record's identity; groups it would not place are held)."""
    firsts: dict[str, Any] = {}
    for (_, rec), key in zip(batch, keys, strict=True):
        firsts.setdefault(key, rec.subject)
    known = resolution.known_files(uow, dialect, furnisher.id, keys,
                                   [rec.account_ref for _, rec in batch])
    return resolution.resolve_chunk(uow, deps.vault, hashes, dialect, firsts, now,
                                    placed=placed, actor=furnisher.actor, barred=barred,
                                    names_must_agree=deps.profile.name_must_agree_with_id,
                                    known=known)


def _record_json(rec: AccountRecord) -> dict[str, Any]:
    """The record as kept in a hold (encrypted, in its JSON shape), to be placed once an
    operator decides."""
    return {"record": record_to_dict(rec)}


def place_held(uow: UnitOfWork, deps: Deps, furnisher: Principal, rec: AccountRecord,
               subject_id: int, file_id: int | None) -> Summary:
    """Store a held record on the file an operator chose (the record store; any dialect), in
    a transaction of its own."""
    return _store(uow, deps, furnisher, [(0, rec)], file_id, None, placed_on=subject_id)


def _accounts(uow: UnitOfWork, furnisher_id: int, records: list[AccountRecord],
              sids: list[int], now: Any, links: list[dict[str, Any] | None]
              ) -> tuple[list[int], dict[int, Any]]:
    """The account id of each record (under its new number when an L1 renamed it), creating
    missing accounts from their newest record in the batch, each with how its record came to
    the file (``links``, by record: ``resolution.link_of``); and the state (latest_as_of,
    compliance code, segment fields) of the accounts that existed before."""
    keys = [(account_changes.effective_ref(rec), sid)
            for rec, sid in zip(records, sids, strict=True)]
    newest: dict[tuple[str, int], AccountRecord] = {}
    link: dict[tuple[str, int], dict[str, Any] | None] = {}
    for key, rec, how in zip(keys, records, links, strict=True):
        best = newest.get(key)
        if best is None or rec.as_of >= best.as_of:
            newest[key] = rec
        link.setdefault(key, how)
    found: dict[tuple[str, int], int] = {}
    current: dict[int, Any] = {}
    if newest:
        for r in uow.account_store.states(furnisher_id, sorted({ref for ref, _ in newest})):
            key = (r.account_ref, r.subject_id)
            if key in newest:
                found[key] = r.id
                current[r.id] = r
    missing = [k for k in newest if k not in found]
    if missing:
        rows = []
        for key in missing:
            rec = newest[key]
            state = _account_state(rec, None, now)
            del state["updated_at"]
            rows.append({"account_ref": key[0], "subject_id": key[1],
                         "item_ref": new_ref("acc"), "link": link[key], **state})
        found.update(uow.account_store.add(furnisher_id, rows, now))
    return [found[key] for key in keys], current


def _upsert_months(uow: UnitOfWork, months: dict[tuple[int, date], AccountRecord],
                   file_id: int | None, now: Any) -> set[tuple[int, date]]:
    """Insert or update the months; returns the keys of those that changed. A month sent again
    unchanged is left alone, unless its record carries a delete code."""
    plain: list[dict[str, Any]] = []
    deleting: list[dict[str, Any]] = []
    for (acc_id, as_of), rec in months.items():
        (deleting if rec.delete_code is not None else plain).append({
            "account_id": acc_id, "as_of": as_of, "status": rec.status.value,
            "balance": rec.balance, "amount_past_due": rec.amount_past_due,
            "credit_limit": rec.credit_limit, "scheduled_payment": rec.scheduled_payment,
            "monthly_income": rec.monthly_income, "consent_ref": rec.consent_ref,
            "payment_history": rec.payment_history, "special_comment": rec.special_comment})
    changed: set[tuple[int, date]] = set()
    for rows, only_if_different in ((plain, True), (deleting, False)):
        if not rows:
            continue
        changed.update(uow.account_store.upsert_months(rows, file_id, now, only_if_different))
    return changed


def _account_state(rec: AccountRecord, cur: Any, now: Any) -> dict[str, Any]:
    """The account's descriptive fields as its newest month ``rec`` sets them (``cur``: the
    account before, None for a new one: the compliance code and the segment fields persist)."""
    compliance = cur.compliance_code if cur is not None else None
    if rec.compliance_code == "XR":
        compliance = None
    elif rec.compliance_code is not None:
        compliance = rec.compliance_code
    return {"kind": rec.kind.value, "ecoa": rec.ecoa.value, "currency": rec.currency,
            "opened_on": rec.opened_on, "closed_on": rec.closed_on,
            "credit_limit": rec.credit_limit, "original_amount": rec.original_amount,
            "date_of_first_delinquency": rec.date_of_first_delinquency,
            "compliance_code": compliance, "latest_as_of": rec.as_of,
            "deleted_at": now if rec.delete_code else None,
            "delete_code": rec.delete_code.value if rec.delete_code else None,
            **account_changes.segment_state(rec, cur),
            "updated_at": now}


def _apply_account_state(uow: UnitOfWork, newest: dict[int, AccountRecord],
                         current: dict[int, Any], now: Any) -> None:
    """Accounts that existed before follow their newest changed month, if it is not older than
    the newest they have (accounts created by this chunk were created in that state)."""
    states = {}
    for acc_id, rec in newest.items():
        cur = current.get(acc_id)
        if cur is None or rec.as_of < cur.latest_as_of:
            continue
        states[acc_id] = _account_state(rec, cur, now)
    uow.account_store.follow(states)


def candidates_from_json(records: list[Any]) -> Iterator[Candidate]:
    for i, raw in enumerate(records):
        yield Candidate(i, raw)
