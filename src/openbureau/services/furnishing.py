"""Furnishing: the one service behind the JSON batch, file uploads and ``openbureau ingest``.

Records are validated one by one against the closed schema; valid ones are stored in chunks,
each chunk one transaction. If a chunk fails in the database, it is retried by halves down to
single records, so a record is always stored whole or rejected whole and the good records of a
file are kept. Storing is an upsert on (furnisher, account, month): the same data sent twice
changes nothing. Each chunk writes one audit event per subject whose file it changed, naming the
accounts and months. Income is stored only under a consent in force (``income_consents``: one
rule, checked per chunk once the subjects are resolved); without one the record
is stored without it, with a warning on its line (``Summary.warned``).

A chunk costs a fixed number of statements whatever its size (subjects, accounts, months and
account state are each read or written with one multi-row statement), so PostgreSQL takes
larger chunks than SQLite, whose writer lock is held for the whole chunk.

A use case composed into another (a dispute's corrected record, ``services/corrections.py``)
calls ``furnish`` with ``joined=True``: the chunks are stored in the caller's open unit of work,
which is neither entered nor committed here.

Both databases take the same path: a chunk's records become staging rows
(``bulk_store.Rows``) stored by ``bulk_store.store`` (``uow.bulk_store``,
``adapters/furnish_store.py``: a staging table, then set-based statements written once; only
the loading differs, ``COPY`` on PostgreSQL, an ``executemany`` on SQLite). A Metro 2 file's
clean records also arrive already validated, column-wise (``metro2_columns.Block``), under a
profile whose national ids the column-wise checks cover (``bulk_candidates``). On PostgreSQL a
chunk is stored by a worker thread while the next one is read and validated.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from openbureau.adapters.database import refused_data
from openbureau.adapters.metro2_columns import Block
from openbureau.domain import national_ids
from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.quality import QualityReport, rules_in, warnings
from openbureau.domain.records import AccountRecord, parse_account_record
from openbureau.domain.roles import Principal
from openbureau.services import (
    bulk_store,
    identity_store,
)
from openbureau.services.ports import Deps, UnitOfWork

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
    (see ``bulk_candidates``).

    Every record is checked against the data-quality rules (``domain.quality``); ``quality``,
    when given, collects the counts and sample positions (a file's report).

    Each chunk is stored in a transaction of its own (``uow`` entered once per chunk); with
    ``joined``, in ``uow`` as the caller holds it open, uncommitted (one transaction with the
    caller's work)."""
    total = Summary(rejected=Rejections(keep=keep_errors), warned=Rejections(keep=keep_errors),
                    track_subjects=file_id is None)
    bulk = deps.dialect == "postgresql"
    batch = bulk_store.Rows()       # the store's staging rows
    if chunk is None:
        chunk = CHUNK_BY_DIALECT.get(deps.dialect, CHUNK)
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
            total.add(_store_chunk(uow, deps, furnisher, rows, file_id, rescore, joined))
            if progress:
                progress(total)
            return
        collect()
        in_flight.append(pool.submit(_store_chunk, uow, deps, furnisher, rows, file_id,
                                     rescore, joined))

    try:
        _feed(candidates, batch, chunk, total, hashes, last, deps, flush,
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


def _feed(candidates: Iterable[Candidate | Rejection | Block], batch: bulk_store.Rows,
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
            last = (cand.position, last[1] + 1 if last[0] == cand.position else 0)
            seq = cand.position * 16 + min(last[1], 15)
            # national id + name and birth date: two identities sent under one number
            # in one chunk are resolved apart (identity_store.record_key)
            batch.add_record(cand.position, rec, seq,
                             identity_store.record_key(hashes, rec.subject))
        if len(batch) >= chunk:
            flush()


def bulk_candidates(deps: Deps) -> bool:
    """Whether a Metro 2 file's clean records come column-wise (``metro2_columns.Block``):
    under a profile whose national ids the column-wise checks cover (any id, optional); a
    profile with its own scheme (``cn-cri``'s resident id) has every record checked one by one
    in ``_feed``."""
    profile = deps.profile
    return profile.national_id_scheme == national_ids.ANY and not profile.national_id_required


def _store_chunk(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: bulk_store.Rows,
                 file_id: int | None, rescore: Rescorer | None, joined: bool) -> Summary:
    try:
        return _store(uow, deps, furnisher, batch, file_id, rescore, joined)
    except Exception as exc:
        # the database away is not the records' fault: nothing to isolate. Text the driver
        # cannot encode (a lone surrogate the schema let through) is that record's fault, not
        # the batch's -- isolated like any record the database refuses
        if not refused_data(exc):
            raise
        return _isolate(uow, deps, furnisher, batch, file_id, rescore, joined, exc)


def _isolate(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: bulk_store.Rows,
             file_id: int | None, rescore: Rescorer | None, joined: bool,
             exc: Exception) -> Summary:
    if len(batch) == 1:
        log.error("furnishing: a record could not be stored (%s)", type(exc).__name__)
        return Summary(records=0, rejected=Rejections([Rejection(batch.positions[0], [FieldError(
            "record", "could not be stored; nothing of it was kept")])]))
    # isolate the bad records by halves; the others are kept
    half = len(batch) // 2
    out = _store_chunk(uow, deps, furnisher, batch[:half], file_id, rescore, joined)
    out.add(_store_chunk(uow, deps, furnisher, batch[half:], file_id, rescore, joined))
    return out


def _store(uow: UnitOfWork, deps: Deps, furnisher: Principal, batch: bulk_store.Rows,
           file_id: int | None, rescore: Rescorer | None, joined: bool) -> Summary:
    return _summary(*bulk_store.store(uow, deps, furnisher, batch, file_id, rescore,
                                      joined=joined))


def _summary(accepted: int, changed: set[int], refused: bulk_store.Problems,
             warned: bulk_store.Problems) -> Summary:
    return Summary(records=0, accepted=accepted, changed_subjects=changed,
                   held=sum(identity_store.is_held(errors) for _, errors in refused),
                   rejected=Rejections(Rejection(position, errors)
                                       for position, errors in refused),
                   warned=Rejections(Rejection(position, errors) for position, errors in warned))


def place_held(uow: UnitOfWork, deps: Deps, furnisher: Principal, rec: AccountRecord,
               subject_id: int, file_id: int | None) -> Summary:
    """Store a held record on the file an operator chose, in a transaction of its own."""
    rows = bulk_store.Rows()
    hashes = identity_store.Hashes(deps.vault)
    rows.add_record(0, rec, 0, identity_store.record_key(hashes, rec.subject))
    accepted, changed, refused, warned = bulk_store.store(uow, deps, furnisher, rows, file_id,
                                                          None, placed_on=subject_id)
    return _summary(accepted, changed, refused, warned)


def candidates_from_json(records: list[Any]) -> Iterator[Candidate]:
    for i, raw in enumerate(records):
        yield Candidate(i, raw)
