"""Seeding a bureau with the synthetic population, and writing it to Parquet for benchmarks.

``seed`` sends every record through ``furnishing.furnish``, the path real data takes (validation,
upsert by month, consent for income, audit), so re-seeding the same (n, seed) changes nothing.
Each person's income is reported on one account, under a consent that account's furnisher
records (scope income, evidence: a signed form) once the person's file exists. ``write_parquet``
streams the generator's columns straight to Parquet without building records.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from openbureau.domain import national_ids
from openbureau.domain.consents import Scope
from openbureau.domain.profiles import Purpose
from openbureau.domain.records import record_to_dict
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, consents, demo_showcase
from openbureau.services.furnishing import Candidate, furnish
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.synthetic.population import (
    BLOCK,
    FURNISHERS,
    KINDS,
    MONTHS,
    STATUSES,
    generate,
    make_block,
)

PEOPLE_PER_CHUNK = 200
BUCKETS = 16


def demo_furnishers(uow: UnitOfWork, deps: Deps) -> tuple[dict[str, Principal], int]:
    """The demo furnishers by code, created when absent; and how many were created."""
    out, created = {}, 0
    for code, name in FURNISHERS.items():
        with uow:
            row = uow.credentials.organisation(name)
        if row is None:
            org_id = access.create_organisation(uow, deps,
                                                SYSTEM, name, Role.FURNISHER.value).id
            created += 1
        elif row.role != Role.FURNISHER.value:
            raise ValueError(f"organisation {name!r} exists but is not a furnisher")
        else:
            org_id = row.id
        out[code] = Principal(Role.FURNISHER, org_id, name)
    return out, created


def seed(uow: UnitOfWork, deps: Deps, n: int, seed: int = 7,
         progress: Callable[[int], None] | None = None, *,
         locale: str | None = None, as_of: date = date(2026, 10, 31),
         picks: demo_showcase.Picks | None = None) -> dict[str, int]:
    """Furnish ``n`` synthetic people; ``progress`` gets the number of people done so far;
    ``picks``, when given, collects the people ``demo_showcase.stage`` will use. ``locale``:
    the population's (names, addresses, national ids); by default the profile's -- zh_CN with
    resident identity numbers under a profile that takes only those (cn-cri), else en_US."""
    if locale is None:
        locale = "zh_CN" if deps.profile.national_id_scheme == national_ids.CN_RESIDENT \
            else "en_US"
    furnishers, created = demo_furnishers(uow, deps)
    counts = {"people": 0, "records": 0, "accepted": 0, "rejected": 0, "changed_subjects": 0,
              "furnishers_created": created}
    counts["consents_recorded"] = 0
    pending: dict[str, list[Candidate]] = {code: [] for code in furnishers}

    def flush() -> None:
        changed: set[int] = set()
        # income is stored only under a consent recorded for the file, and a file exists once
        # its first record is stored: people new to the bureau are furnished without their
        # income first, then their consents recorded, then their income records sent again
        later = _without_consent(uow, pending)
        for code, cands in pending.items():
            if cands:
                summary = furnish(uow, deps, furnishers[code], [
                    Candidate(c.position, _no_income(c.fields))
                    if c.fields.get("consent_ref") in later else c for c in cands])
                counts["records"] += summary.records
                counts["accepted"] += summary.accepted
                counts["rejected"] += len(summary.rejected)
                changed |= summary.changed_subjects
        if later:
            counts["consents_recorded"] += _record_consents(uow, deps, furnishers, pending,
                                                            later)
            for code, cands in pending.items():
                again = [c for c in cands if c.fields.get("consent_ref") in later]
                if again:
                    changed |= furnish(uow, deps, furnishers[code], again).changed_subjects
        for cands in pending.values():
            cands.clear()
        counts["changed_subjects"] += len(changed)
        if progress:
            progress(counts["people"])

    for person in generate(n, seed, locale, as_of):
        if picks is not None:
            demo_showcase.pick(picks, person)
        for rec in person.records:
            cands = pending[rec.account_ref.split("-", 1)[0]]
            cands.append(Candidate(len(cands), record_to_dict(rec)))
        counts["people"] += 1
        if counts["people"] % PEOPLE_PER_CHUNK == 0:
            flush()
    flush()
    return counts


def _without_consent(uow: UnitOfWork, pending: dict[str, list[Candidate]]) -> set[str]:
    """The consent refs the pending records name that are not recorded yet."""
    refs = {ref for cands in pending.values() for c in cands
            if (ref := c.fields.get("consent_ref")) is not None}
    with uow:
        return refs - set(consents.load(uow, refs))


def _no_income(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in ("monthly_income", "consent_ref")}


DEMO_CONSENT_DAYS = 3 * 365


def _record_consents(uow: UnitOfWork, deps: Deps, furnishers: dict[str, Principal],
                     pending: dict[str, list[Candidate]], refs: set[str]) -> int:
    """Record the consents ``refs``, each as obtained by the furnisher of the records naming
    it (the one account a person's income is reported on), for their file, scope income."""
    wanted: dict[str, tuple[str, str]] = {}      # ref -> (furnisher code, national id)
    for code, cands in pending.items():
        for c in cands:
            if (ref := c.fields.get("consent_ref")) in refs:
                wanted[ref] = (code, c.fields["subject"]["national_id"])
    vault = deps.vault
    with uow:
        by_hash = uow.demo.holders({vault.lookup_hash(nid) for _, nid in wanted.values()})
        expires = uow.clock.now() + timedelta(days=DEMO_CONSENT_DAYS)
        for ref, (code, nid) in sorted(wanted.items()):
            consents.record_under_ref(
                uow, deps.profile, furnishers[code], by_hash[vault.lookup_hash(nid)],
                ref, Purpose.CREDIT_APPLICATION.value, [Scope.INCOME.value], expires,
                hashlib.sha256(f"demo signed form {ref}".encode()).hexdigest())
        uow.commit()
    return len(wanted)


def bucket_of(national_id: str) -> int:
    """The hash partition of a subject (stable across processes and platforms)."""
    return zlib.crc32(national_id.encode()) % BUCKETS


_EPOCH = date(1970, 1, 1).toordinal()


def _dates(ordinals: np.ndarray) -> pa.Array:
    mask = ordinals == 0
    return pa.array((ordinals - _EPOCH).astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def _opt(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=values < 0)


def _block_tables(b: int, count: int, seed: int, locale: str, as_of: date
                  ) -> dict[str, pa.Table]:
    bl = make_block(b, seed, locale, as_of)
    person = np.arange(bl.start, bl.start + count, dtype=np.int64)
    buckets = np.array([bucket_of(x) for x in bl.nids[:count]], dtype=np.int32)
    people = pa.table({
        "person": person, "bucket": buckets, "national_id": bl.nids[:count],
        "name": bl.names[:count], "date_of_birth": bl.born[:count],
        "address": bl.addresses[:count], "monthly_income": _opt(
            np.where(bl.income[:count] > 0, bl.income[:count], -1))})
    acc = np.flatnonzero(bl.acc_person < count)
    refs = np.array([bl.account_ref(a) for a in acc.tolist()], dtype=object)
    closed = np.array([d.toordinal() if (d := bl.closed_on(a)) else 0 for a in acc.tolist()],
                      dtype=np.int64)
    accounts = pa.table({
        "person": bl.start + bl.acc_person[acc], "bucket": buckets[bl.acc_person[acc]],
        "account_ref": refs, "furnisher": [bl.furnisher[a] for a in acc],
        "kind": pa.array([KINDS[k].value for k in bl.kind[acc]]).dictionary_encode(),
        "opened_on": [bl.opened[a] for a in acc], "closed_on": _dates(closed),
        "credit_limit": _opt(bl.limit[acc]), "original_amount": _opt(bl.original[acc])})
    m = np.arange(MONTHS)[None, :]
    live = (m >= bl.first_m[acc, None]) & (m <= bl.last_m[acc, None])
    ai, mi = np.nonzero(live)
    rows = acc[ai]
    month_ord = np.array([d.toordinal() for d in bl.months], dtype=np.int64)
    income = np.where(bl.acc_no[rows] == 0, bl.income[bl.acc_person[rows]], 0)
    status_names = np.array([s.value for s in STATUSES], dtype=object)
    months = pa.table({
        "person": bl.start + bl.acc_person[rows], "bucket": buckets[bl.acc_person[rows]],
        "account_ref": refs[ai], "as_of": _dates(month_ord[mi]),
        "status": pa.array(status_names[bl.status[rows, mi]]).dictionary_encode(),
        "balance": bl.balance[rows, mi], "amount_past_due": bl.past_due[rows, mi],
        "credit_limit": _opt(bl.limit[rows]), "scheduled_payment": _opt(bl.sched[rows, mi]),
        "date_of_first_delinquency": _dates(bl.dofd[rows, mi]),
        "monthly_income": _opt(np.where(income > 0, income, -1))})
    return {"people": people, "accounts": accounts, "months": months}


def write_parquet(out_dir: Path, n: int, seed: int = 7, *, locale: str = "en_US",
                  as_of: date = date(2026, 10, 31), row_group_size: int = 100_000,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Stream people, accounts and months to ``out_dir/<table>/bucket=<k>/part-0.parquet``
    (16 hash buckets of the national id); returns row counts per table."""
    out_dir = Path(out_dir)
    writers: dict[tuple[str, int], pq.ParquetWriter] = {}
    buffers: dict[tuple[str, int], list[pa.Table]] = {}
    sizes: dict[tuple[str, int], int] = {}
    totals = {"people": 0, "accounts": 0, "months": 0}

    def write(key: tuple[str, int], force: bool = False) -> None:
        if not buffers.get(key) or (sizes[key] < row_group_size and not force):
            return
        table = pa.concat_tables(buffers.pop(key))
        sizes[key] = 0
        if key not in writers:
            path = out_dir / key[0] / f"bucket={key[1]}" / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writers[key] = pq.ParquetWriter(path, table.schema, compression="zstd")
        writers[key].write_table(table, row_group_size=row_group_size)

    try:
        for b in range((n + BLOCK - 1) // BLOCK):
            count = min(BLOCK, n - b * BLOCK)
            for name, table in _block_tables(b, count, seed, locale, as_of).items():
                totals[name] += table.num_rows
                bucket = table.column("bucket").to_numpy()
                for k in range(BUCKETS):
                    part = table.filter(pa.array(bucket == k))
                    if part.num_rows:
                        key = (name, k)
                        buffers.setdefault(key, []).append(part.drop_columns(["bucket"]))
                        sizes[key] = sizes.get(key, 0) + part.num_rows
                        write(key)
            if progress:
                progress(b * BLOCK + count)
        for key in list(buffers):
            write(key, force=True)
    finally:
        for w in writers.values():
            w.close()
    return totals
