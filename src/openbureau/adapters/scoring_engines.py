"""The engines that run one scorecard's compiled SQL (:mod:`openbureau.adapters.scoring_sql`) on
a database: SQLite and PostgreSQL (the operational database, in the caller's transaction), DuckDB
(an Arrow snapshot) and Spark SQL (a Parquet snapshot); and the reference engine's reader of
credit files.

Both snapshot engines also read an export folder (``services/export.py``: one directory per table,
``<table>/bucket=<k>/*.parquet``, partitioned by a hash of the subject id) and can write their
scores to Parquet instead of returning rows (``score_to_parquet``; :func:`read_scores` reads them
back). DuckDB scores such a folder bucket by bucket (:func:`duckdb_score_parquet`): every table is
partitioned by the same subject hash, so each bucket is a complete set of credit files, and memory
is bounded by one bucket, not the whole population. :class:`SnapshotScoring` is the services'
port to them (``Deps.snapshot_scoring``).

Every engine returns the same :class:`~openbureau.scoring.scored.Scored` rows (ordered by subject
id) and gives identical attributes and integer scores (see :mod:`openbureau.scoring.scored`).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, select

from openbureau.adapters import scoring_sql as S
from openbureau.scoring import attributes as A
from openbureau.scoring.scored import (
    ENGINES,
    Scored,
    from_row,
    refuse,
    same_values,
    score_file,
    scored_rows,
)
from openbureau.scoring.sources import (
    DISPUTE_COMPLIANCE_CODES,
    EVERYONE,
    SOURCE_COLUMNS,
    Subjects,
    arrow_type,
    naive,
)
from openbureau.scoring.spec import Scorecard

# the pure parts, named here too for callers that hold this module as "the engines"
__all__ = [
    "ENGINES", "DuckDBEngine", "Scored", "SnapshotScoring", "SparkEngine", "credit_files",
    "duckdb_score_parquet", "parquet_buckets", "read_scores", "refuse", "same_values",
    "score_database", "score_file", "score_reference", "scored_rows", "snapshot",
    "spark_session", "write_parquet",
]


# -- SQLite and PostgreSQL: the operational database ------------------------------------------

_STATEMENTS: dict[tuple[Any, ...], tuple[Scorecard, Any]] = {}


def _statement(card: Scorecard, as_of: date, dialect: str, subjects: Subjects) -> Any:
    """The score query, built once per (card, day, dialect, shape of the subject set): building
    and compiling it costs far more than running it for one furnishing chunk."""
    key = (id(card), card.version, as_of, dialect, subjects.shape)
    hit = _STATEMENTS.get(key)
    if hit is not None and hit[0] is card:
        return hit[1]
    if len(_STATEMENTS) > 32:
        _STATEMENTS.clear()
    stmt = S.score_query(card, as_of, subjects, dialect=dialect)
    _STATEMENTS[key] = (card, stmt)
    return stmt


def score_database(conn: Connection, card: Scorecard, as_of: date,
                   subjects: Subjects = EVERYONE, *, strict: bool = False) -> list[Scored]:
    """Run the compiled SQL on the connection's database (in its current transaction)."""
    dialect = "sqlite" if conn.dialect.name == "sqlite" else "postgresql"
    result = conn.execute(_statement(card, as_of, dialect, subjects), subjects.params())
    rows = [from_row(card, dict(r._mapping)) for r in result]
    return refuse(rows) if strict else rows


# -- snapshots: Arrow for DuckDB, Parquet for Spark -------------------------------------------

def snapshot(conn: Connection) -> dict[str, Any]:
    """The tables scoring reads (``scoring_sql.SOURCES``), as Arrow tables; timestamps naive UTC."""
    import pyarrow as pa

    out: dict[str, Any] = {}
    for name, tbl in S.SOURCES.items():
        cols = list(tbl.c)
        schema = pa.schema([(c, arrow_type(kind)) for c, kind in SOURCE_COLUMNS[name]])
        rows = conn.execute(select(*cols)).all()
        data = {c.name: [naive(r[i]) for r in rows] for i, c in enumerate(cols)}
        out[name] = pa.table(data, schema=schema)
    return out


def write_parquet(tables: Mapping[str, Any], folder: Path) -> Path:
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name, tbl in tables.items():
        pq.write_table(tbl, folder / f"{name}.parquet")
    return folder


def _parquet_files(folder: Path, name: str, bucket: int | None = None) -> list[str]:
    """The Parquet files of one table in a snapshot folder: ``<name>.parquet`` or an export's
    ``<name>/bucket=<k>/*.parquet`` (one bucket, or all)."""
    single = folder / f"{name}.parquet"
    if single.exists():
        return [str(single)]
    pattern = f"bucket={bucket}/*.parquet" if bucket is not None else "bucket=*/*.parquet"
    return sorted(str(p) for p in (folder / name).glob(pattern))


def parquet_buckets(folder: Path) -> list[int]:
    """The buckets of an export folder (``[]`` for a one-file-per-table snapshot)."""
    return sorted(int(p.name.split("=", 1)[1]) for p in (Path(folder) / "subjects").glob(
        "bucket=*"))


class DuckDBEngine:
    """The compiled SQL (DuckDB dialect) over an Arrow snapshot, or over Parquet files
    (:meth:`over_parquet`), in an in-memory DuckDB."""

    def __init__(self, tables: Mapping[str, Any] | None = None, *, threads: int | None = None,
                 memory_limit: str | None = None) -> None:
        import duckdb

        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self._con = duckdb.connect(config=config)
        for name, tbl in (tables or {}).items():
            self._con.register(name, tbl)

    @classmethod
    def over_parquet(cls, folder: Path, bucket: int | None = None, **config: Any
                     ) -> DuckDBEngine:
        engine = cls(**config)
        engine.use_parquet(folder, bucket)
        return engine

    def use_parquet(self, folder: Path, bucket: int | None = None) -> None:
        """Views named as ``scoring_sql.SOURCES`` over a snapshot folder (one bucket, or all)."""
        for name, tbl in S.SOURCES.items():
            cols = ", ".join(f'"{c.name}"' for c in tbl.c)
            files = _parquet_files(Path(folder), name, bucket)
            where = ""
            if not files:            # this bucket has no rows of the table: its schema, empty
                files, where = _parquet_files(Path(folder), name)[:1], " WHERE false"
            if not files:
                raise FileNotFoundError(f"no Parquet files for table {name} in {folder}")
            # names from scoring_sql.SOURCES, files listed from the folder
            view = (f"CREATE OR REPLACE VIEW {name} AS SELECT {cols} FROM read_parquet("  # noqa: S608  # nosec B608
                    f"{files!r}, hive_partitioning = false){where}")
            self._con.execute(view)

    def score(self, card: Scorecard, as_of: date, subjects: Subjects = EVERYONE, *,
              strict: bool = False) -> list[Scored]:
        cur = self._con.execute(S.compile_sql(card, as_of, "duckdb", subjects))
        names = [d[0] for d in cur.description]
        rows = [from_row(card, dict(zip(names, r, strict=True))) for r in cur.fetchall()]
        return refuse(rows) if strict else rows

    def score_to_parquet(self, card: Scorecard, as_of: date, out: Path,
                         subjects: Subjects = EVERYONE, *, sql: str | None = None) -> int:
        """The score query's rows written to the Parquet file ``out``; returns their number.
        ``sql``: the query already compiled for (card, as_of, subjects), to compile it once."""
        sql = sql or S.compile_sql(card, as_of, "duckdb", subjects)
        path = str(out).replace("'", "''")
        cur = self._con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._con.close()


def duckdb_score_parquet(card: Scorecard, as_of: date, folder: Path, out_dir: Path,
                         subjects: Subjects = EVERYONE, *, threads: int | None = None,
                         memory_limit: str | None = None,
                         progress: Callable[[int, int], None] | None = None) -> int:
    """Score an export folder with DuckDB one bucket at a time, each bucket's scores to
    ``out_dir/part-<k>.parquet``; returns the number of rows written."""
    folder, out_dir = Path(folder), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buckets: list[int | None] = list(parquet_buckets(folder)) or [None]
    engine = DuckDBEngine(threads=threads, memory_limit=memory_limit)
    sql = S.compile_sql(card, as_of, "duckdb", subjects)       # ~0.3 s: once, not per bucket
    total = 0
    try:
        for i, k in enumerate(buckets):
            engine.use_parquet(folder, k)
            total += engine.score_to_parquet(card, as_of, out_dir / f"part-{k or 0}.parquet",
                                             subjects, sql=sql)
            if progress:
                progress(i + 1, len(buckets))
    finally:
        engine.close()
    return total


def read_scores(path: Path) -> Any:
    """Scores written by ``score_to_parquet`` (a file or a folder of files), as one Arrow table
    sorted by subject id."""
    import pyarrow.dataset as ds

    table = ds.dataset(str(path), format="parquet").to_table()
    return table.sort_by("subject_id")


def spark_session(master: str = "local[2]", *, codegen: bool = True,
                  driver_memory: str = "1g") -> Any:
    """A Spark session in UTC with few shuffle partitions and no UI. ``codegen=False`` skips
    whole-stage code generation: on tiny inputs (tests) compiling the scorecard's long CASE
    chains costs more than running them; results are the same either way."""
    from pyspark.sql import SparkSession

    # Python UDFs (identity relink) run in this interpreter, with its packages
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    if not codegen:
        builder = (builder.config("spark.sql.codegen.wholeStage", "false")
                   .config("spark.sql.codegen.factoryMode", "NO_CODEGEN"))
    spark = (builder.master(master).appName("openbureau-scoring")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", driver_memory)
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    """The compiled SQL (Spark dialect) over a Parquet snapshot (one file per table) or an
    export folder (one partitioned directory per table)."""

    def __init__(self, spark: Any, folder: Path) -> None:
        self._spark = spark
        for name in S.SOURCES:
            single = folder / f"{name}.parquet"
            path = single if single.exists() else folder / name
            spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def _attrs(self, card: Scorecard, as_of: date, subjects: Subjects) -> tuple[Any, str]:
        attrs_sql, card_sql = S.compile_stages(card, as_of, "spark", subjects)
        attrs = self._spark.sql(attrs_sql).cache()
        attrs.createOrReplaceTempView("attrs")
        return attrs, card_sql

    def score(self, card: Scorecard, as_of: date, subjects: Subjects = EVERYONE, *,
              strict: bool = False) -> list[Scored]:
        attrs, card_sql = self._attrs(card, as_of, subjects)
        try:
            result = self._spark.sql(card_sql).collect()
        finally:
            attrs.unpersist()
        rows = [from_row(card, r.asDict()) for r in result]
        return refuse(rows) if strict else rows

    def score_to_parquet(self, card: Scorecard, as_of: date, out: Path,
                         subjects: Subjects = EVERYONE) -> None:
        """The score query's rows written as Parquet files into the directory ``out`` (which
        the executors must be able to reach: a shared or distributed file system on a
        cluster); read them back with :func:`read_scores`."""
        attrs, card_sql = self._attrs(card, as_of, subjects)
        try:
            self._spark.sql(card_sql).write.mode("overwrite").parquet(str(out))
        finally:
            attrs.unpersist()


class SnapshotScoring:
    """The services' port to the snapshot engines (``services.ports.SnapshotScoring``): score
    an export folder with DuckDB (bucket by bucket) or Spark (on ``master``), write the scores
    to Parquet in ``out`` and read them back, as one Arrow table in subject-id order."""

    def score_folder(self, engine: str, card: Scorecard, as_of: date, source: Path, out: Path,
                     subjects: Subjects, *, master: str = "local[2]") -> Any:
        if engine == "duckdb":
            duckdb_score_parquet(card, as_of, source, out, subjects)
        elif engine == "spark":
            SparkEngine(spark_session(master), source).score_to_parquet(card, as_of, out,
                                                                         subjects)
        else:
            raise ValueError(f"no snapshot engine {engine!r}: duckdb or spark")
        return read_scores(out)


# -- the reference: credit files read from the database, then Python ---------------------------

def credit_files(conn: Connection, as_of: date,
                 subjects: Subjects = EVERYONE) -> dict[int, A.CreditFile]:
    """Each selected subject's :class:`CreditFile` at ``as_of``, by the exclusion rules of
    docs/attributes.md (the same rules the SQL applies)."""
    src = S.SOURCES
    s, acc, am, inq = src["subjects"], src["accounts"], src["account_months"], src["inquiries"]
    pr, dsp = src["public_records"], src["disputes"]
    ids = [int(r[0]) for r in conn.execute(
        select(s.c.id).where(*S.subject_filter(subjects, s.c.id)).order_by(s.c.id))]
    open_disputes = {(r.subject_id, r.item_kind, r.item_ref) for r in conn.execute(
        select(dsp.c.subject_id, dsp.c.item_kind, dsp.c.item_ref)
        .where(dsp.c.status == "open", *S.subject_filter(subjects, dsp.c.subject_id)))}
    months: dict[int, list[A.MonthView]] = defaultdict(list)
    for m in conn.execute(select(am).join(acc, acc.c.id == am.c.account_id)
                          .where(*S.subject_filter(subjects, acc.c.subject_id))):
        months[m.account_id].append(A.MonthView(
            as_of=m.as_of, status=m.status, balance=m.balance,
            amount_past_due=m.amount_past_due, credit_limit=m.credit_limit,
            scheduled_payment=m.scheduled_payment,
            monthly_income=m.monthly_income if m.consent_ref is not None else None))
    accounts: dict[int, list[A.AccountView]] = defaultdict(list)
    for a in conn.execute(select(acc).where(*S.subject_filter(subjects, acc.c.subject_id))
                          .order_by(acc.c.id)):
        excluded = (a.deleted_at is not None or a.suppressed_at is not None
                    or a.compliance_code in DISPUTE_COMPLIANCE_CODES
                    or (a.subject_id, "account", a.item_ref) in open_disputes)
        accounts[a.subject_id].append(A.AccountView(
            item_ref=a.item_ref, kind=a.kind, opened_on=a.opened_on, closed_on=a.closed_on,
            credit_limit=a.credit_limit, excluded=excluded, currency=a.currency,
            months=tuple(sorted(months.get(a.id, []), key=lambda m: m.as_of))))
    inquiry_dates: dict[int, list[date]] = defaultdict(list)
    for q in conn.execute(select(inq.c.subject_id, inq.c.created_at).where(
            inq.c.kind == "inquiry", inq.c.purpose == "credit_application",
            inq.c.purged_at.is_(None), *S.subject_filter(subjects, inq.c.subject_id))):
        inquiry_dates[q.subject_id].append(q.created_at.date())
    records: dict[int, int] = defaultdict(int)
    for p in conn.execute(select(pr.c.subject_id, pr.c.item_ref, pr.c.until).where(
            and_(pr.c.status == "active", pr.c.lifted_at.is_(None)),
            *S.subject_filter(subjects, pr.c.subject_id))):
        if (p.until is None or p.until >= as_of) and \
                (p.subject_id, "public_record", p.item_ref) not in open_disputes:
            records[p.subject_id] += 1
    return {sid: A.CreditFile(as_of=as_of, accounts=tuple(accounts.get(sid, [])),
                              credit_inquiry_dates=tuple(sorted(inquiry_dates.get(sid, []))),
                              active_public_records=records.get(sid, 0))
            for sid in ids}


def score_reference(conn: Connection, card: Scorecard, as_of: date,
                    subjects: Subjects = EVERYONE, *, strict: bool = False) -> list[Scored]:
    rows = [score_file(card, f, sid) for sid, f in credit_files(conn, as_of, subjects).items()]
    return refuse(rows) if strict else rows
