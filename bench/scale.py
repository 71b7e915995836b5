"""Scale: millions of synthetic credit files to Parquet, everyone rescored with DuckDB and Spark.

    python -m bench.scale [--subjects 10000000] [--spark-subjects 1000000] [--folder DIR]
                          [--quick] [--no-write]

1. Generate ``--subjects`` people with ``population.credit_file_columns`` (the demo population's
   statistical model, vectorised) straight into the export layout of ``openbureau export
   --parquet`` (``services/export.PartitionedWriter``: one directory per table, partitioned by a
   hash of the subject id). No inquiries, public records or disputes (the demo has none).
2. Each engine runs in a child process of its own, so its peak memory is its own (VmHWM from
   /proc; for Spark the Python driver plus the JVM):
   - DuckDB: ``adapters.scoring_engines.duckdb_score_parquet``, the compiled attribute +
     score SQL, bucket by bucket, scores written to Parquet (2 threads);
   - the NumPy ceiling: the same attributes computed with array operations over the same
     Parquet columns (exploiting the generated layout: months grouped by account, accounts by
     subject, so every per-subject step is a ``bincount`` or a ``reduceat``; two buckets at a
     time on two threads), then ``vectorised.VectorCard.score``; its scores are compared with
     DuckDB's;
   - Spark ``local[2]``: ``engines.SparkEngine.score_to_parquet`` on the first buckets holding
     about ``--spark-subjects`` people (a stated subset: Spark on all ten million would not fit
     the time box); DuckDB runs on the same subset, and the two engines' scores are compared.
Every figure comes from this one run, so the ratios hold on a busy machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import REPO

SUBJECTS = 10_000_000
QUICK_SUBJECTS = 20_000
SPARK_SUBJECTS = 1_000_000
GENERATE_BLOCK = 50_000
PEOPLE_PER_BUCKET = 100_000
ROW_GROUP = 250_000
AS_OF = date(2026, 10, 31)
SEED = 20261125
CARD = REPO / "src/openbureau/scoring/models/gmsc-2026.11.1.json"
TARGET_SECONDS = 300.0
TARGET_MEMORY = 8 * 1024**3

Log = Callable[[str], None]


def buckets_for(n: int) -> int:
    return max(16, math.ceil(n / PEOPLE_PER_BUCKET))


# --------------------------------------------------------------------------- generation


def _masked(values: np.ndarray, type_: Any) -> Any:
    import pyarrow as pa

    return pa.array(values, type_, mask=values < 0)


def _dictionary(codes: np.ndarray, names: list[str]) -> Any:
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8)), pa.array(names))


def _tables(cols: dict[str, dict[str, np.ndarray]]) -> dict[str, Any]:
    import pyarrow as pa

    from openbureau.synthetic.population import _KIND_NAMES, _STATUS_NAMES, CURRENCY

    acc, mon = cols["accounts"], cols["account_months"]
    n_acc, n_mon = len(acc["id"]), len(mon["account_id"])
    income = mon["monthly_income"]
    return {
        "subjects": pa.table({"id": cols["subjects"]["id"]}),
        "accounts": pa.table({
            "id": acc["id"], "subject_id": acc["subject_id"],
            "item_ref": pa.array(acc["id"]).cast(pa.string()),
            "kind": _dictionary(acc["kind"], _KIND_NAMES),
            "opened_on": pa.array(acc["opened_on"].astype(np.int32)).cast(pa.date32()),
            "closed_on": _masked(acc["closed_on"].astype(np.int32), pa.int32()).cast(pa.date32()),
            "credit_limit": _masked(acc["credit_limit"], pa.int64()),
            "compliance_code": pa.nulls(n_acc, pa.string()),
            "deleted_at": pa.nulls(n_acc, pa.timestamp("us")),
            "suppressed_at": pa.nulls(n_acc, pa.timestamp("us")),
            "currency": pa.array([CURRENCY] * n_acc, pa.string())}),
        "account_months": pa.table({
            "account_id": mon["account_id"], "subject_id": mon["subject_id"],
            "as_of": pa.array(mon["as_of"]).cast(pa.date32()),
            "status": _dictionary(mon["status"], _STATUS_NAMES),
            "balance": mon["balance"], "amount_past_due": mon["amount_past_due"],
            "credit_limit": _masked(mon["credit_limit"], pa.int64()),
            "scheduled_payment": _masked(mon["scheduled_payment"], pa.int64()),
            "monthly_income": _masked(income, pa.int64()),
            "consent_ref": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n_mon, np.int8), mask=income < 0), pa.array(["synthetic"]))}),
    }


def generate(n: int, folder: Path, log: Log = print) -> dict[str, Any]:
    """``n`` people into ``folder`` in the export layout; row counts and seconds."""
    from openbureau.services.export import PartitionedWriter
    from openbureau.synthetic.population import credit_file_columns

    writer = PartitionedWriter(folder, buckets=buckets_for(n), row_group_size=ROW_GROUP)
    t = time.perf_counter()
    for start in range(0, n, GENERATE_BLOCK):
        count = min(GENERATE_BLOCK, n - start)
        for name, table in _tables(credit_file_columns(start, count, SEED, AS_OF)).items():
            writer.add(name, table)
        done = start + count
        if done % (10 * GENERATE_BLOCK) == 0 or done == n:
            s = time.perf_counter() - t
            log(f"  generated {done:,} people in {s:.0f} s ({done / s:,.0f}/s)")
    manifest = writer.close(subjects=n, generator="population.credit_file_columns",
                            seed=SEED, as_of=AS_OF,
                            generate_seconds=round(time.perf_counter() - t, 1))
    return {"seconds": time.perf_counter() - t, "rows": manifest["rows"],
            "buckets": manifest["buckets"],
            "bytes": sum(p.stat().st_size for p in folder.rglob("*.parquet"))}


def subset(folder: Path, target: Path, buckets: list[int]) -> Path:
    """Some buckets of an export as a folder of hard links (nothing copied)."""
    for table in ("subjects", "accounts", "account_months", "inquiries", "public_records",
                  "disputes"):
        wanted = [k for k in buckets if (folder / table / f"bucket={k}").exists()] or [0]
        for k in wanted:                 # bucket 0 always exists: the table's schema, at least
            (target / table / f"bucket={k}").mkdir(parents=True)
            for f in (folder / table / f"bucket={k}").glob("*.parquet"):
                os.link(f, target / table / f"bucket={k}" / f.name)
    return target


# --------------------------------------------------------------------------- the engines (child)


def _peak_rss(pid: int | str = "self") -> int:
    """Peak resident set (VmHWM) of a process, bytes; 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(p.name), *_descendants(int(p.name))]
    return out


def _load_card() -> Any:
    from openbureau.scoring.spec import load_spec

    return load_spec(CARD)


def child_duckdb(folder: Path, out: Path) -> dict[str, Any]:
    from openbureau.adapters import scoring_engines as E

    t = time.perf_counter()
    rows = E.duckdb_score_parquet(_load_card(), AS_OF, folder, out, threads=2,
                                  memory_limit="6GB")
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_rss": _peak_rss()}


def child_spark(folder: Path, out: Path) -> dict[str, Any]:
    from openbureau.adapters import scoring_engines as E

    t = time.perf_counter()
    spark = E.spark_session("local[2]", driver_memory="4g")
    startup = time.perf_counter() - t
    t = time.perf_counter()
    E.SparkEngine(spark, folder).score_to_parquet(_load_card(), AS_OF, out)
    seconds = time.perf_counter() - t
    jvm = sum(_peak_rss(p) for p in _descendants(os.getpid()))
    spark.stop()
    rows = E.read_scores(out).num_rows
    return {"seconds": seconds, "startup": startup, "rows": rows,
            "peak_rss": _peak_rss() + jvm, "jvm_peak_rss": jvm}


def _by_group(ufunc: Any, groups: np.ndarray, values: np.ndarray, n: int, fill: int
              ) -> np.ndarray:
    """``ufunc`` reduced over the values of each group (``groups`` sorted), into ``n`` slots."""
    out = np.full(n, fill, dtype=np.int64)
    if len(groups):
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        out[groups[starts]] = ufunc.reduceat(values, starts)
    return out


def numpy_attributes(folder: Path, bucket: int) -> dict[str, np.ndarray]:
    """The attributes of one bucket's files with array operations only (the ceiling). Assumes
    what the generator writes: no inquiries, public records, disputes or excluded accounts,
    account months grouped by account and accounts by subject (checked)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    from openbureau.scoring import attributes as A
    from openbureau.synthetic import population

    def read(table: str, cols: list[str]) -> dict[str, np.ndarray]:
        t = ds.dataset(str(folder / table / f"bucket={bucket}"), format="parquet").to_table(
            columns=cols)
        return {c: t.column(c) for c in cols}

    for table in ("inquiries", "public_records", "disputes"):
        if ds.dataset(str(folder / table), format="parquet").count_rows():
            raise ValueError(f"the NumPy ceiling assumes no {table}")
    subj = read("subjects", ["id"])["id"].to_numpy()
    acc = read("accounts", ["id", "subject_id", "kind", "opened_on", "closed_on", "credit_limit"])
    mon = read("account_months", ["account_id", "subject_id", "as_of", "status", "balance",
                                  "credit_limit", "scheduled_payment", "monthly_income",
                                  "consent_ref"])
    day = (AS_OF - date(1970, 1, 1)).days
    a_id = acc["id"].to_numpy()
    a_subj = acc["subject_id"].to_numpy()
    m_acc = mon["account_id"].to_numpy()
    m_subj = mon["subject_id"].to_numpy()
    if (np.any(np.diff(a_subj) < 0) or np.any(np.diff(m_acc) < 0) or np.any(np.diff(a_id) <= 0)
            or np.any(np.diff(m_subj) < 0)):
        raise ValueError("the NumPy ceiling needs the generator's row order")
    n = len(subj)
    s_of_acc = np.searchsorted(subj, a_subj)
    s_of_mon = np.searchsorted(subj, m_subj)
    a_of_mon = np.searchsorted(a_id, m_acc)

    def codes(col: Any, names: tuple[str, ...]) -> np.ndarray:
        """Codes of a dictionary-encoded text column: its index in ``names`` (else len)."""
        out = []
        for chunk in col.chunks:
            d = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
            lut = np.array([names.index(v) if v in names else len(names)
                            for v in d.dictionary.to_pylist()], dtype=np.int16)
            out.append(lut[d.indices.to_numpy(zero_copy_only=False)])
        return np.concatenate(out) if out else np.zeros(0, np.int16)

    as_of = mon["as_of"].to_numpy().astype("datetime64[D]").astype(np.int64)
    known = as_of <= day
    status = codes(mon["status"], A.SEVERITY + A.CLOSED_STATUSES)     # 0..8 severity, 9/10 closed
    kind = codes(acc["kind"], (A.REVOLVING, A.MORTGAGE, A.COLLECTION_KIND))
    # newest known month of each account (months of an account are contiguous, oldest first)
    last_of_acc = np.full(len(a_id), -1, np.int64)
    idx = np.flatnonzero(known)
    last_of_acc[a_of_mon[idx]] = idx          # later rows overwrite earlier: the newest wins
    has = last_of_acc >= 0
    newest = last_of_acc[has]
    closed_on = acc["closed_on"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    closed_day = np.where(np.isnat(closed_on), np.iinfo(np.int64).max,
                          closed_on.astype(np.int64))
    open_ = np.zeros(len(a_id), bool)
    closed_codes = (len(A.SEVERITY), len(A.SEVERITY) + 1)
    open_[has] = ~np.isin(status[newest], closed_codes) & (closed_day[has] > day)
    m_lim = mon["credit_limit"].to_numpy(zero_copy_only=False)
    a_lim = acc["credit_limit"].to_numpy(zero_copy_only=False)
    bal = mon["balance"].to_numpy()
    pay = np.nan_to_num(mon["scheduled_payment"].to_numpy(zero_copy_only=False)).astype(np.int64)
    o = np.flatnonzero(open_)
    om = last_of_acc[o]
    lim = np.where(np.isnan(m_lim[om]), np.nan_to_num(a_lim[o]), m_lim[om]).astype(np.int64)
    rev = kind[o] == 0
    so = s_of_acc[o]
    rev_balance = np.bincount(so, np.where(rev, bal[om], 0), n)
    rev_limit = np.bincount(so, np.where(rev, lim, 0), n)
    payments = np.bincount(so, pay[om], n).astype(np.int64)
    open_trades = np.bincount(so, kind[o] != 2, n).astype(np.int64)
    real_estate = np.bincount(so, kind[o] == 1, n).astype(np.int64)
    start24 = (A.window_start(AS_OF, A.DELINQUENCY_WINDOW_MONTHS) - date(1970, 1, 1)).days
    win = known & (as_of > start24)
    sw = s_of_mon[win]
    st = status[win]
    dpd30 = np.minimum(np.bincount(sw, st == 1, n), A.COUNT_CAP).astype(np.int64)
    dpd60 = np.minimum(np.bincount(sw, st == 2, n), A.COUNT_CAP).astype(np.int64)
    dpd90 = np.minimum(np.bincount(sw, (st >= 3) & (st <= 8), n), A.COUNT_CAP).astype(np.int64)
    worst = _by_group(np.maximum, sw, np.where(st <= 8, st, 0).astype(np.int64), n, -1)
    inc = mon["monthly_income"].to_numpy(zero_copy_only=False)
    consent = mon["consent_ref"].is_valid().to_numpy(zero_copy_only=False)
    ok = known & consent & ~np.isnan(inc)
    key = _by_group(np.maximum, s_of_mon[ok], as_of[ok] * (1 << 40) + inc[ok].astype(np.int64),
                    n, -1)
    income = np.where(key >= 0, key & ((1 << 40) - 1), -1)
    opened = acc["opened_on"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    op_day = opened.astype(np.int64)
    usable = (kind != 2) & (op_day <= day)
    oldest = _by_group(np.minimum, s_of_acc[usable], op_day[usable], n, np.iinfo(np.int64).max)
    has_old = oldest < np.iinfo(np.int64).max
    ymd = np.where(has_old, oldest, 0).astype("datetime64[D]")
    y = ymd.astype("datetime64[Y]").astype(np.int64) + 1970
    m = ymd.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (ymd - ymd.astype("datetime64[M]")).astype(np.int64) + 1
    months_old = (AS_OF.year - y) * 12 + (AS_OF.month - m) - (d > AS_OF.day)
    severity = np.array(list(A.SEVERITY) + [None], dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "subject_id": subj,
            "revolving_utilization": np.where(rev_limit > 0, rev_balance / rev_limit, np.nan),
            "dpd_30_59_24m": dpd30, "dpd_60_89_24m": dpd60, "dpd_90_plus_24m": dpd90,
            "open_trades": open_trades, "real_estate_trades": real_estate,
            "debt_ratio": np.where(income > 0, payments / np.maximum(income, 1), np.nan),
            "monthly_income": np.where(income >= 0, income * A.scale_of(population.CURRENCY)
                                       / A.SCALED_PER_UNIT, np.nan),
            "monthly_debt_payments": (payments * A.scale_of(population.CURRENCY)
                                      / A.SCALED_PER_UNIT),
            "months_since_oldest_trade": np.where(has_old, months_old, np.nan),
            "inquiries_6m": np.zeros(n, np.int64), "active_public_records": np.zeros(n, np.int64),
            "worst_status_24m": severity[np.where(worst >= 0, worst, len(A.SEVERITY))],
        }


def child_numpy(folder: Path, out: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from openbureau.adapters import scoring_engines as E
    from openbureau.scoring.vectorised import VectorCard

    card = _load_card()
    vc = VectorCard(card)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()

    def one(k: int) -> int:        # NumPy and pyarrow release the GIL: two buckets at a time
        attrs = numpy_attributes(folder, k)
        score = vc.score({a: v for a, v in attrs.items() if a != "subject_id"},
                         len(attrs["subject_id"]))
        pq.write_table(pa.table({"subject_id": attrs["subject_id"], "score": score}),
                       out / f"part-{k}.parquet")
        return len(score)

    with ThreadPoolExecutor(2) as pool:
        rows = sum(pool.map(one, E.parquet_buckets(folder)))
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_rss": _peak_rss(),
            "engine": vc.engine}


CHILDREN = {"duckdb": child_duckdb, "spark": child_spark, "numpy": child_numpy}


def run_child(name: str, folder: Path, out: Path, log: Log = print) -> dict[str, Any]:
    """One engine in a fresh process (``python -m bench.scale --child NAME FOLDER OUT``)."""
    proc = subprocess.run([sys.executable, "-m", "bench.scale", "--child", name, str(folder),
                           str(out)], cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        log(f"  {name}: failed: {' | '.join(tail)}")
        return {"error": " | ".join(tail)}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    log(f"  {name}: {result['rows']:,} files in {result['seconds']:.1f} s "
        f"({result['rows'] / result['seconds']:,.0f}/s), peak RSS "
        f"{result['peak_rss'] / 1024**3:.2f} GiB")
    return result


def same_scores(a: Path, b: Path) -> tuple[int, int]:
    """(files with the same score in both, files compared)."""
    from openbureau.adapters.scoring_engines import read_scores

    x, y = read_scores(a), read_scores(b)
    if x.num_rows != y.num_rows:
        return 0, max(x.num_rows, y.num_rows)
    same = (x.column("subject_id").to_numpy() == y.column("subject_id").to_numpy()) & \
        (x.column("score").to_numpy(zero_copy_only=False)
         == y.column("score").to_numpy(zero_copy_only=False))
    return int(same.sum()), x.num_rows


# --------------------------------------------------------------------------- the run


def _compare(out: dict[str, Any], engine: str, name: str, scores: Path, against: str,
             against_scores: Path, log: Log) -> None:
    """``out[engine + "_agree"]``: (identical, compared) between ``engine``'s scores and the
    DuckDB run ``against``'s, when both ran."""
    if "error" in out[engine] or "error" in out[against]:
        return
    agree = out[f"{engine}_agree"] = same_scores(against_scores, scores)
    log(f"  {name} and DuckDB scores: {agree[0]:,} of {agree[1]:,} identical")


def run(n: int, spark_n: int, folder: Path | None = None, log: Log = print) -> dict[str, Any]:
    from bench.common import machine_facts

    tmp = Path(tempfile.mkdtemp(prefix="ob-scale-"))
    try:
        data = folder or tmp / "export"
        if folder is not None and (folder / "_openbureau.json").exists():
            manifest = json.loads((folder / "_openbureau.json").read_text())
            if manifest.get("subjects") != n or manifest.get("seed") != SEED:
                raise SystemExit(f"{folder} holds another population; remove it or pick another")
            gen = {"seconds": manifest.get("generate_seconds"), "reused": True,
                   "rows": manifest["rows"], "buckets": manifest["buckets"],
                   "bytes": sum(p.stat().st_size for p in folder.rglob("*.parquet"))}
            log(f"reusing {n:,} people in {folder}")
        else:
            log(f"generating {n:,} people into {data}")
            gen = generate(n, data, log)
        log(f"  {gen['rows']['accounts']:,} accounts, {gen['rows']['account_months']:,} "
            f"account months, {gen['buckets']} buckets, {gen['bytes'] / 1024**3:.1f} GiB")
        out: dict[str, Any] = {"people": n, "generate": gen, "facts": machine_facts()}
        out["duckdb"] = run_child("duckdb", data, tmp / "duckdb", log)
        out["numpy"] = run_child("numpy", data, tmp / "numpy", log)
        _compare(out, "numpy", "NumPy", tmp / "numpy", "duckdb", tmp / "duckdb", log)
        k = max(1, min(gen["buckets"], round(gen["buckets"] * spark_n / n)))
        out["subset_buckets"] = k
        log(f"Spark subset: {k} of {gen['buckets']} buckets")
        if k == gen["buckets"]:          # everyone: DuckDB has already scored exactly these
            part, duckdb_part = data, tmp / "duckdb"
            out["duckdb_subset"] = out["duckdb"]
        else:
            part, duckdb_part = subset(data, tmp / "subset", list(range(k))), tmp / "duckdb-subset"
            out["duckdb_subset"] = run_child("duckdb", part, duckdb_part, log)
        out["spark"] = run_child("spark", part, tmp / "spark", log)
        _compare(out, "spark", "Spark", tmp / "spark", "duckdb_subset", duckdb_part, log)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rate(r: dict[str, Any]) -> float:
    return r["rows"] / r["seconds"]


def _gib(b: float) -> str:
    return f"{b / 1024**3:.2f}"


def render(r: dict[str, Any]) -> str:
    from bench.common import facts_line

    g, n = r["generate"], r["people"]
    rows = []
    ceiling = r["numpy"]
    for label, key in (
            ("NumPy ceiling (array operations + `VectorCard`)", "numpy"),
            ("DuckDB (`duckdb_score_parquet`, 2 threads)", "duckdb"),
            ("DuckDB, same subset as Spark", "duckdb_subset"),
            ("Spark `local[2]` (`SparkEngine.score_to_parquet`)", "spark")):
        e = r.get(key, {})
        if "error" in e or not e:
            rows.append(f"| {label} | – | – | – | – | failed: {e.get('error', 'not run')} |")
            continue
        ratio = "1"
        if "error" not in ceiling and key != "numpy":
            x = _rate(ceiling) / _rate(e)
            ratio = f"{x:.2f}× its time" + (" (faster than the ceiling)" if x < 1 else "")
        rows.append(f"| {label} | {e['rows']:,} | {e['seconds']:.1f} | {_rate(e):,.0f} | "
                    f"{_gib(e['peak_rss'])} | {ratio} |")
    duck = r["duckdb"]
    verdict = []
    if "error" not in duck:
        projected = SUBJECTS / _rate(duck)
        verdict.append(
            f"- DuckDB, {n:,} files in {duck['seconds']:.0f} s "
            + (f"(target < {TARGET_SECONDS:.0f} s for 10 M: "
               f"{'met' if duck['seconds'] < TARGET_SECONDS else '**not met**'})"
               if n >= SUBJECTS else
               f"(10 M projected at this rate: {projected:.0f} s; target < {TARGET_SECONDS:.0f} "
               "s — not measured at full size)")
            + f"; peak memory {_gib(duck['peak_rss'])} GiB (target < 8 GiB: "
            f"{'met' if duck['peak_rss'] < TARGET_MEMORY else '**not met**'}).")
    sp = r.get("spark", {})
    if "error" not in sp and sp:
        verdict.append(
            f"- Spark `local[2]` on {sp['rows']:,} files ({r['subset_buckets']} of "
            f"{g['buckets']} buckets): {_rate(sp):,.0f} files/s, so 10 M would take about "
            f"{SUBJECTS / _rate(sp) / 60:.0f} min at that rate (extrapolated, not measured); "
            f"peak memory {_gib(sp['peak_rss'])} GiB (driver + JVM; JVM "
            f"{_gib(sp['jvm_peak_rss'])} GiB), JVM start-up {sp['startup']:.0f} s not included.")
    agree = []
    if "numpy_agree" in r:
        agree.append(f"NumPy ceiling and DuckDB: {r['numpy_agree'][0]:,} of "
                     f"{r['numpy_agree'][1]:,} scores identical")
    if "spark_agree" in r:
        agree.append(f"Spark and DuckDB on the subset: {r['spark_agree'][0]:,} of "
                     f"{r['spark_agree'][1]:,} scores identical")
    note = ""
    if "error" not in duck and "error" not in ceiling and _rate(duck) > _rate(ceiling):
        note = ("\nDuckDB beats this NumPy implementation (Python-level NumPy calls, a "
                "`searchsorted` and a `bincount` or `reduceat` per attribute, two buckets on "
                "two threads), so the \"ceiling\" is a reference point measured in the same "
                "run, not a bound on what the hardware can do.\n")
    gen_s = (f"generated in {g['seconds']:.0f} s ({n / g['seconds']:,.0f} people/s, "
             "`population.credit_file_columns`"
             + (", in an earlier run whose files this run reused)" if g.get("reused") else ")")
             if g["seconds"] else "reused from an earlier run")
    return f"""## Scale: {n:,} credit files rescored from Parquet

{facts_line(r['facts'])}

{n:,} synthetic people ({g['rows']['accounts']:,} accounts, {g['rows']['account_months']:,}
account months, as of {AS_OF}; the demo population's model, vectorised), {gen_s}, written in
the `openbureau export --parquet` layout: {g['buckets']} subject-hash buckets,
{g['bytes'] / 1024**3:.1f} GiB of zstd Parquet, row groups of {ROW_GROUP:,} rows. Each engine
runs in a process of its own and writes every file's attributes and score to Parquet; seconds
cover reading the files, scoring and writing the scores; peak memory is the process's VmHWM
(for Spark the Python driver plus the JVM).

| engine | credit files | seconds | files/s | peak memory (GiB) | time vs the NumPy ceiling |
|---|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Agreement: {'; '.join(agree) or 'not checked (an engine failed)'}.
{note}
Targets (issue "Scale"; 10 M rescored with DuckDB in under 5 minutes, peak memory under 8 GB):
{chr(10).join(verdict)}

Reproduce: `python -m bench.run --only scale` (or `python -m bench.scale --subjects N
--spark-subjects N`).
"""


def section(quick: bool = False) -> str:
    n = QUICK_SUBJECTS if quick else SUBJECTS
    return render(run(n, min(SPARK_SUBJECTS, n)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=None,
                        help=f"people to generate and rescore (default {SUBJECTS:,})")
    parser.add_argument("--spark-subjects", type=int, default=None,
                        help=f"about this many of them for Spark (default {SPARK_SUBJECTS:,})")
    parser.add_argument("--folder", type=Path, default=None,
                        help="keep the generated Parquet here (reused when it holds the same "
                             "population)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SUBJECTS:,} people")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "FOLDER", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, folder, out = args.child
        print(json.dumps(CHILDREN[name](Path(folder), Path(out))))
        return 0
    n = args.subjects or (QUICK_SUBJECTS if args.quick else SUBJECTS)
    if n < 1:
        parser.error("--subjects must be at least 1")
    result = run(n, min(args.spark_subjects or SPARK_SUBJECTS, n), args.folder)
    print(json.dumps(result, default=str))
    text = render(result)
    print(text)
    if not args.no_write:
        from bench.common import write_section

        write_section("scale", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
