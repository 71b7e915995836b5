"""Exports: a furnisher's accounts as the bureau holds them, back as AccountRecords (for Metro
2/CSV) -- its own account data and each subject's identity *as that furnisher reported it*
(``reported_identities``), never the bureau's file identity -- with every text cell of a CSV
neutralised against formula injection (``neutralise``); and every credit file, as scoring
reads it, to Parquet partitioned by a hash of the subject id (``export_parquet``: the input of
DuckDB and Spark batch rescoring, docs/scale.md)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from openbureau.domain.errors import FieldError, NotFound, ValidationFailed
from openbureau.domain.records import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    DeleteCode,
    Ecoa,
    SubjectIdentity,
)
from openbureau.services.ports import CreditFiles, Deps, UnitOfWork


def furnisher_id(uow: UnitOfWork, name: str) -> int:
    with uow:
        row = uow.credentials.organisation(name)
    if row is None or row.role != "furnisher":
        raise NotFound(f"no furnisher named {name!r}")
    return int(row.id)


_REPORTED_KINDS = ("name", "national_id", "date_of_birth")
_NAME_PARTS = ("surname", "first_name", "middle_name", "generation_code")


def reported_identities(uow: UnitOfWork, vault: Any, furnisher: int,
                        subject_ids: Iterable[int]) -> dict[int, SubjectIdentity]:
    """Each subject's identity as ``furnisher`` reported it: the newest name, national id and
    birth date among its own identity observations, never what the bureau's file says (which
    another furnisher, a court or the subject may have given). A subject this furnisher never
    reported a name or birth date for gets none (empty name); its national id is the file's
    only for an account furnished before observations were kept, when the national id was the
    one key a record could be matched on (so this furnisher sent it)."""
    ids = sorted(set(subject_ids))
    if not ids:
        return {}
    newest: dict[tuple[int, str], bytes] = {}
    for r in uow.exports.reported(furnisher, ids, _REPORTED_KINDS):
        newest[(r.subject_id, r.kind)] = r.value_ciphertext     # the last one wins
    reported = {sid for sid, _ in newest}
    legacy = [sid for sid in ids if sid not in reported]
    file_ids = uow.exports.national_ids(legacy) if legacy else {}

    def value(sid: int, kind: str) -> dict[str, Any]:
        blob = newest.get((sid, kind))
        return json.loads(vault.decrypt(blob)) if blob is not None else {}

    out = {}
    for sid in ids:
        name, dob = value(sid, "name"), value(sid, "date_of_birth").get("date_of_birth")
        nid = value(sid, "national_id").get("national_id")
        if sid in file_ids and file_ids[sid] is not None:
            nid = vault.decrypt(file_ids[sid])
        out[sid] = SubjectIdentity(
            nid, name.get("name", ""), date.fromisoformat(dob) if dob else None,
            **{k: name[k] for k in _NAME_PARTS if k in name})
    return out


def latest_records(uow: UnitOfWork, deps: Deps, furnisher: int, batch: int = 5000,
                   all_months: bool = False) -> Iterator[AccountRecord]:
    """Each account's newest month (or every month), streamed in account order, with the
    subject as this furnisher reported it (``reported_identities``); a transaction per
    batch."""
    after = 0
    while True:
        with uow:
            id_list = uow.exports.account_ids(furnisher, after, batch)
            if not id_list:
                return
            rows = uow.exports.months(id_list, all_months)
            who = reported_identities(uow, deps.vault, furnisher,
                                      (r.subject_id for r in rows))
        for r in rows:
            yield AccountRecord(
                subject=who[r.subject_id],
                account_ref=r.account_ref, as_of=r.as_of, kind=AccountKind(r.kind),
                opened_on=r.opened_on, balance=r.balance, amount_past_due=r.amount_past_due,
                status=AccountStatus(r.status), ecoa=Ecoa(r.ecoa), currency=r.currency,
                closed_on=r.closed_on,
                credit_limit=r.month_limit if r.month_limit is not None else r.credit_limit,
                original_amount=r.original_amount, scheduled_payment=r.scheduled_payment,
                date_of_first_delinquency=r.date_of_first_delinquency,
                monthly_income=r.monthly_income, consent_ref=r.consent_ref,
                compliance_code=r.compliance_code,
                delete_code=DeleteCode(r.delete_code) if r.delete_code else None,
                payment_history=r.payment_history)
        after = id_list[-1]


# -- CSV: formula injection ----------------------------------------------------------------------

# A cell a spreadsheet would read as a formula (OWASP, "CSV Injection"): one starting with = + - @,
# a tab or a carriage return -- and their full-width forms, which some spreadsheets fold to them.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralise(value: str) -> str:
    """A text cell made inert: one that starts (after any spaces or line breaks) like a formula
    gets a leading single quote, which spreadsheets show as text and never evaluate. Numbers
    are never text here (a negative balance stays a number)."""
    stripped = value.lstrip(" \n")
    if value[:1] in FORMULA_START or stripped[:1] in FORMULA_START:
        return "'" + value
    return value


def _neutralised(obj: Any) -> Any:
    if isinstance(obj, str) and not isinstance(obj, Enum):
        return neutralise(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: _neutralised(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return dataclasses.replace(obj, **changes)
    return obj


def csv_safe(records: Iterable[AccountRecord]) -> Iterator[AccountRecord]:
    """The records with every text field ``neutralise``d, for writing as CSV (not for Metro 2,
    whose fixed-width fields no spreadsheet evaluates and whose writer checks them)."""
    for rec in records:
        yield _neutralised(rec)


# -- Parquet: the credit files that scoring reads, partitioned by a hash of the subject id -------

PARQUET_BUCKETS = 16
PARQUET_ROW_GROUP = 1_000_000
EXPORT_CHUNK = 5000
MANIFEST = "_openbureau.json"
_GOLDEN = 0x9E3779B97F4A7C15


def subject_buckets(ids: Any, buckets: int = PARQUET_BUCKETS) -> Any:
    """The hash partition of each subject id: ``((id * 0x9E3779B97F4A7C15) mod 2**64) >> 32``,
    mod ``buckets`` (Fibonacci hashing; spreads consecutive ids evenly, same on every platform)."""
    import numpy as np

    h = np.asarray(ids, dtype=np.int64).astype(np.uint64) * np.uint64(_GOLDEN)
    return ((h >> np.uint64(32)) % np.uint64(buckets)).astype(np.int32)


def parquet_schemas() -> dict[str, Any]:
    """Per table, the columns scoring reads (``SOURCE_COLUMNS``); account months also carry their
    account's ``subject_id``, so that every table is partitioned by the subject."""
    import pyarrow as pa

    from openbureau.scoring.sources import SOURCE_COLUMNS, arrow_type

    out = {}
    for name, cols in SOURCE_COLUMNS.items():
        fields = [(c, pa.dictionary(pa.int32(), pa.string()) if c in _CODES
                   else arrow_type(kind)) for c, kind in cols]
        if name == "account_months":
            fields.append(("subject_id", pa.int64()))
        out[name] = pa.schema(fields)
    return out


# low-cardinality text columns, kept dictionary-encoded (in Arrow as in Parquet)
_CODES = frozenset({"kind", "status", "consent_ref"})


def _subject_column(name: str) -> str:
    return "id" if name == "subjects" else "subject_id"


class PartitionedWriter:
    """Tables streamed into ``out_dir/<table>/bucket=<k>/part-0.parquet`` (zstd), rows buffered
    per file until a row group is full. Every table gets at least one (possibly empty) file, so
    readers always find its schema; ``close`` writes the manifest ``_openbureau.json``."""

    def __init__(self, out_dir: Path, *, buckets: int = PARQUET_BUCKETS,
                 row_group_size: int = PARQUET_ROW_GROUP) -> None:
        out_dir = Path(out_dir)
        if out_dir.exists() and any(out_dir.iterdir()):
            raise ValidationFailed([FieldError(
                "parquet", f"{out_dir} is not empty; export into a new or empty directory")])
        if buckets < 1:
            raise ValidationFailed([FieldError("buckets", "must be at least 1")])
        self.out_dir, self.buckets, self.row_group_size = out_dir, buckets, row_group_size
        self.schemas = parquet_schemas()
        self.rows = dict.fromkeys(self.schemas, 0)
        self._writers: dict[tuple[str, int], Any] = {}
        self._buffers: dict[tuple[str, int], list[Any]] = {}
        self._sizes: dict[tuple[str, int], int] = {}

    def add(self, name: str, table: Any) -> None:
        """Append rows of ``name`` (columns as in :func:`parquet_schemas`, any order)."""
        import numpy as np
        import pyarrow as pa

        schema = self.schemas[name]
        if not table.num_rows:
            return
        self.rows[name] += table.num_rows
        bucket = subject_buckets(table.column(_subject_column(name)).to_numpy(), self.buckets)
        order = np.argsort(bucket, kind="stable")
        table = table.select(schema.names).take(pa.array(order)).cast(schema)
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        for k in range(self.buckets):
            if bounds[k + 1] > bounds[k]:
                key = (name, k)
                self._buffers.setdefault(key, []).append(
                    table.slice(bounds[k], bounds[k + 1] - bounds[k]))
                self._sizes[key] = self._sizes.get(key, 0) + int(bounds[k + 1] - bounds[k])
                if self._sizes[key] >= self.row_group_size:
                    self._flush(key)

    def _flush(self, key: tuple[str, int]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self._buffers.pop(key, [])
        self._sizes[key] = 0
        table = pa.concat_tables(parts) if parts else self.schemas[key[0]].empty_table()
        if key not in self._writers:
            path = self.out_dir / key[0] / f"bucket={key[1]}" / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writers[key] = pq.ParquetWriter(path, self.schemas[key[0]],
                                                  compression="zstd")
        self._writers[key].write_table(table, row_group_size=self.row_group_size)

    def close(self, **facts: Any) -> dict[str, Any]:
        for key in list(self._buffers):
            self._flush(key)
        for name in self.schemas:
            if not any(k[0] == name for k in self._writers):
                self._flush((name, 0))
        for w in self._writers.values():
            w.close()
        self._writers.clear()
        manifest = {"format": "openbureau-credit-files", "version": 1,
                    "partitioning": "bucket = ((subject_id * 0x9E3779B97F4A7C15) mod 2^64 "
                                    ">> 32) mod buckets",
                    "buckets": self.buckets, "rows": dict(self.rows), **facts}
        (self.out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
        return manifest


def write_credit_files(files: CreditFiles, out_dir: Path, *, buckets: int = PARQUET_BUCKETS,
                       chunk: int = EXPORT_CHUNK, row_group_size: int = PARQUET_ROW_GROUP,
                       progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Stream every subject's credit file (the tables of ``SOURCE_COLUMNS``, ids only: no names,
    no national ids) to Parquet under ``out_dir``, ``chunk`` subjects at a time, as ``files``
    reads them (in its transaction). Returns the manifest (row counts per table)."""
    import pyarrow as pa

    from openbureau.scoring.sources import naive

    writer = PartitionedWriter(out_dir, buckets=buckets, row_group_size=row_group_size)
    total = files.count()
    done, last = 0, 0
    try:
        while True:
            ids = files.ids_after(last, chunk)
            if not ids:
                break
            writer.add("subjects", pa.table({"id": pa.array(ids, pa.int64())}))
            for name in ("accounts", "account_months", "inquiries", "public_records",
                         "disputes"):
                schema = writer.schemas[name]
                cols = files.columns(name, last, ids[-1]) or [()] * len(schema)
                writer.add(name, pa.table(
                    {f.name: pa.array([naive(v) for v in col] if pa.types.is_timestamp(f.type)
                                      else col, f.type)
                     for f, col in zip(schema, cols, strict=True)}, schema=schema))
            last, done = ids[-1], done + len(ids)
            if progress:
                progress(done, max(total, done))
    finally:
        manifest = writer.close(subjects=done)
    return manifest


def export_parquet(uow: UnitOfWork, out_dir: Path, *, buckets: int = PARQUET_BUCKETS,
                   chunk: int = EXPORT_CHUNK,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """:func:`write_credit_files` in one transaction of ``uow`` (on PostgreSQL at read
    committed: a furnishing committed while the export runs shows in the chunks read after
    it; every subject's rows are read by statements of the same chunk)."""
    with uow:
        return write_credit_files(uow.credit_files, out_dir, buckets=buckets, chunk=chunk,
                                  progress=progress)
