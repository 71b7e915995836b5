"""The engines that run one scorecard: the Python reference, and the compiled SQL on SQLite,
PostgreSQL (the operational database, in the caller's transaction), DuckDB (an Arrow snapshot)
and Spark SQL (a Parquet snapshot).

Every engine returns the same :class:`Scored` rows (ordered by subject id) and gives identical
attributes and integer scores. A value outside the card's domain, or a category the card has not
seen, is never scored: the row comes back with ``out_of_domain`` naming the attribute and
``value is None``; :func:`refuse` (or ``strict=True``) turns that into
:class:`~openbureau.scoring.reference.OutOfDomain`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Connection, Date, DateTime, String, and_, select

from openbureau.scoring import attributes as A
from openbureau.scoring import sql as S
from openbureau.scoring.reference import OutOfDomain, score_attributes
from openbureau.scoring.spec import Scorecard

ENGINES = ("reference", "sqlite", "postgres", "duckdb", "spark")
FLOAT_ATTRIBUTES = frozenset({"revolving_utilization", "debt_ratio", "monthly_income",
                              "monthly_debt_payments"})


@dataclass(frozen=True)
class Scored:
    subject_id: int
    attributes: dict[str, A.AttributeValue]
    points: dict[str, int] = field(default_factory=dict)
    value: int | None = None
    raw: int | None = None
    out_of_domain: str | None = None


def refuse(rows: Iterable[Scored]) -> list[Scored]:
    """The rows unchanged, or ``OutOfDomain`` for the first one an engine would not score."""
    out = list(rows)
    for r in out:
        if r.out_of_domain is not None:
            raise OutOfDomain(r.out_of_domain, r.attributes.get(r.out_of_domain))
    return out


def _attribute(name: str, value: Any) -> A.AttributeValue:
    if value is None:
        return None
    if name in A.CATEGORICAL:
        return str(value)
    if name in FLOAT_ATTRIBUTES:
        return float(value)
    return int(value)


def _from_mapping(card: Scorecard, row: Mapping[str, Any]) -> Scored:
    ood = row["out_of_domain"]
    return Scored(
        subject_id=int(row["subject_id"]),
        attributes={n: _attribute(n, row[n]) for n in A.ATTRIBUTES},
        points={} if ood else {a.name: int(row[f"pts_{a.name}"]) for a in card.attributes},
        value=None if ood else int(row["score"]),
        raw=None if ood else int(row["raw"]),
        out_of_domain=ood,
    )


# -- SQLite and PostgreSQL: the operational database ------------------------------------------

_STATEMENTS: dict[tuple[Any, ...], tuple[Scorecard, Any]] = {}


def _statement(card: Scorecard, as_of: date, dialect: str, subjects: S.Subjects) -> Any:
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
                   subjects: S.Subjects = S.EVERYONE, *, strict: bool = False) -> list[Scored]:
    """Run the compiled SQL on the connection's database (in its current transaction)."""
    dialect = "sqlite" if conn.dialect.name == "sqlite" else "postgresql"
    result = conn.execute(_statement(card, as_of, dialect, subjects), subjects.params())
    rows = [_from_mapping(card, dict(r._mapping)) for r in result]
    return refuse(rows) if strict else rows


# -- snapshots: Arrow for DuckDB, Parquet for Spark -------------------------------------------

def _arrow_type(sa_type: Any) -> Any:
    import pyarrow as pa

    if isinstance(sa_type, BigInteger):
        return pa.int64()
    if isinstance(sa_type, String):
        return pa.string()
    if isinstance(sa_type, Date):
        return pa.date32()
    if isinstance(sa_type, DateTime):
        return pa.timestamp("us")
    raise TypeError(sa_type)


def snapshot(conn: Connection) -> dict[str, Any]:
    """The tables scoring reads (``sql.SOURCES``), as Arrow tables; timestamps naive UTC."""
    import pyarrow as pa

    out: dict[str, Any] = {}
    for name, tbl in S.SOURCES.items():
        cols = list(tbl.c)
        schema = pa.schema([(c.name, _arrow_type(c.type)) for c in cols])
        rows = conn.execute(select(*cols)).all()
        data = {c.name: [_naive(r[i]) for r in rows] for i, c in enumerate(cols)}
        out[name] = pa.table(data, schema=schema)
    return out


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def write_parquet(tables: Mapping[str, Any], folder: Path) -> Path:
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name, tbl in tables.items():
        pq.write_table(tbl, folder / f"{name}.parquet")
    return folder


class DuckDBEngine:
    """The compiled SQL (DuckDB dialect) over an Arrow snapshot, in an in-memory DuckDB."""

    def __init__(self, tables: Mapping[str, Any]) -> None:
        import duckdb

        self._con = duckdb.connect()
        for name, tbl in tables.items():
            self._con.register(name, tbl)

    def score(self, card: Scorecard, as_of: date, subjects: S.Subjects = S.EVERYONE, *,
              strict: bool = False) -> list[Scored]:
        cur = self._con.execute(S.compile_sql(card, as_of, "duckdb", subjects))
        names = [d[0] for d in cur.description]
        rows = [_from_mapping(card, dict(zip(names, r, strict=True))) for r in cur.fetchall()]
        return refuse(rows) if strict else rows

    def close(self) -> None:
        self._con.close()


def spark_session(master: str = "local[2]", *, codegen: bool = True) -> Any:
    """A Spark session in UTC with few shuffle partitions and no UI. ``codegen=False`` skips
    whole-stage code generation: on tiny inputs (tests) compiling the scorecard's long CASE
    chains costs more than running them; results are the same either way."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if not codegen:
        builder = (builder.config("spark.sql.codegen.wholeStage", "false")
                   .config("spark.sql.codegen.factoryMode", "NO_CODEGEN"))
    spark = (builder.master(master).appName("openbureau-scoring")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "1g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    """The compiled SQL (Spark dialect) over a Parquet snapshot (one file per table)."""

    def __init__(self, spark: Any, folder: Path) -> None:
        self._spark = spark
        for name in S.SOURCES:
            spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)

    def score(self, card: Scorecard, as_of: date, subjects: S.Subjects = S.EVERYONE, *,
              strict: bool = False) -> list[Scored]:
        attrs_sql, card_sql = S.compile_stages(card, as_of, "spark", subjects)
        attrs = self._spark.sql(attrs_sql).cache()
        try:
            attrs.createOrReplaceTempView("attrs")
            result = self._spark.sql(card_sql).collect()
        finally:
            attrs.unpersist()
        rows = [_from_mapping(card, r.asDict()) for r in result]
        return refuse(rows) if strict else rows


# -- the reference: credit files read from the database, then Python ---------------------------

def credit_files(conn: Connection, as_of: date,
                 subjects: S.Subjects = S.EVERYONE) -> dict[int, A.CreditFile]:
    """Each selected subject's :class:`CreditFile` at ``as_of``, by the exclusion rules of
    docs/attributes.md (the same rules the SQL applies)."""
    src = S.SOURCES
    s, acc, am, inq = src["subjects"], src["accounts"], src["account_months"], src["inquiries"]
    pr, dsp = src["public_records"], src["disputes"]
    ids = [int(r[0]) for r in conn.execute(
        select(s.c.id).where(*subjects.where(s.c.id)).order_by(s.c.id))]
    open_disputes = {(r.subject_id, r.item_kind, r.item_ref) for r in conn.execute(
        select(dsp.c.subject_id, dsp.c.item_kind, dsp.c.item_ref)
        .where(dsp.c.status == "open", *subjects.where(dsp.c.subject_id)))}
    months: dict[int, list[A.MonthView]] = defaultdict(list)
    for m in conn.execute(select(am).join(acc, acc.c.id == am.c.account_id)
                          .where(*subjects.where(acc.c.subject_id))):
        months[m.account_id].append(A.MonthView(
            as_of=m.as_of, status=m.status, balance=m.balance,
            amount_past_due=m.amount_past_due, credit_limit=m.credit_limit,
            scheduled_payment=m.scheduled_payment,
            monthly_income=m.monthly_income if m.consent_ref is not None else None))
    accounts: dict[int, list[A.AccountView]] = defaultdict(list)
    for a in conn.execute(select(acc).where(*subjects.where(acc.c.subject_id))
                          .order_by(acc.c.id)):
        excluded = (a.deleted_at is not None or a.suppressed_at is not None
                    or a.compliance_code in S.DISPUTE_COMPLIANCE_CODES
                    or (a.subject_id, "account", a.item_ref) in open_disputes)
        accounts[a.subject_id].append(A.AccountView(
            item_ref=a.item_ref, kind=a.kind, opened_on=a.opened_on, closed_on=a.closed_on,
            credit_limit=a.credit_limit, excluded=excluded,
            months=tuple(sorted(months.get(a.id, []), key=lambda m: m.as_of))))
    inquiry_dates: dict[int, list[date]] = defaultdict(list)
    for q in conn.execute(select(inq.c.subject_id, inq.c.created_at).where(
            inq.c.kind == "inquiry", inq.c.purpose == "credit_application",
            inq.c.purged_at.is_(None), *subjects.where(inq.c.subject_id))):
        inquiry_dates[q.subject_id].append(q.created_at.date())
    records: dict[int, int] = defaultdict(int)
    for p in conn.execute(select(pr.c.subject_id, pr.c.item_ref, pr.c.until).where(
            and_(pr.c.status == "active", pr.c.lifted_at.is_(None)),
            *subjects.where(pr.c.subject_id))):
        if (p.until is None or p.until >= as_of) and \
                (p.subject_id, "public_record", p.item_ref) not in open_disputes:
            records[p.subject_id] += 1
    return {sid: A.CreditFile(as_of=as_of, accounts=tuple(accounts.get(sid, [])),
                              credit_inquiry_dates=tuple(sorted(inquiry_dates.get(sid, []))),
                              active_public_records=records.get(sid, 0))
            for sid in ids}


def score_file(card: Scorecard, file: A.CreditFile, subject_id: int = 0) -> Scored:
    """The reference engine for one credit file."""
    attrs = A.compute(file)
    try:
        result = score_attributes(card, attrs)
    except OutOfDomain as exc:
        return Scored(subject_id, attrs, out_of_domain=exc.attribute)
    return Scored(subject_id, attrs, dict(result.points), result.value, result.raw)


def score_reference(conn: Connection, card: Scorecard, as_of: date,
                    subjects: S.Subjects = S.EVERYONE, *, strict: bool = False) -> list[Scored]:
    rows = [score_file(card, f, sid) for sid, f in credit_files(conn, as_of, subjects).items()]
    return refuse(rows) if strict else rows


def same_values(a: Sequence[Scored], b: Sequence[Scored]) -> bool:
    """Identical attributes (floats bit for bit), points, scores and flags."""
    def key(r: Scored) -> tuple[Any, ...]:
        attrs = tuple((n, v.hex() if isinstance(v, float) and math.isfinite(v) else v)
                      for n, v in sorted(r.attributes.items()))
        return (r.subject_id, attrs, tuple(sorted(r.points.items())), r.value, r.raw,
                r.out_of_domain)
    return [key(r) for r in a] == [key(r) for r in b]
