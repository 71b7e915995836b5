"""The attributes and the scorecard, written once as SQL (SQLAlchemy Core), for every engine.

What is computed is the scoring package's (the card as data, :mod:`openbureau.scoring.spec`; the
attributes' definitions, :mod:`openbureau.scoring.attributes`; the tables read and the subject
set, :mod:`openbureau.scoring.sources`); this adapter writes it as SQL for each dialect, and
:mod:`openbureau.adapters.scoring_engines` runs it.

:func:`score_query` is one ``SELECT`` with one row per subject: ``subject_id``, every attribute of
:data:`openbureau.scoring.attributes.ATTRIBUTES`, ``pts_<name>`` per card attribute, ``raw``,
``pts_<name>`` per pair row (a nested ``CASE``: x's bin, then y's, then the cell's points),
``score`` (clipped) and ``out_of_domain`` (the first card attribute, in card order, whose value is
out of its domain or an unseen category; then that attribute's points, ``raw`` and ``score`` are
NULL: an engine refuses or flags such a row, it never scores it).

SQLite and PostgreSQL run the statement through SQLAlchemy (bound parameters); DuckDB and Spark
run :func:`compile_sql`'s text: compiled for PostgreSQL with literal values, then transpiled by
sqlglot. Every number in the card is written as ``CAST(<repr> AS DOUBLE)`` and every quotient is
taken between doubles, so all engines compare and divide the same IEEE doubles as the Python
reference (:mod:`openbureau.scoring.attributes`, whose definitions this mirrors one for one).

Each account's newest month and each subject's newest income are found with window functions on
SQLite and PostgreSQL (:func:`_per_month`); on DuckDB and Spark the month rows are instead
aggregated once per account (``arg_max_null`` / ``max_by``, no window, no sort:
:func:`_per_account`), which gives the same values faster over tens of millions of month rows
(``BENCHMARKS.md``, scale).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Double,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import FromClause, TableClause

from openbureau.domain.money import exponents as money_digits
from openbureau.scoring import attributes as A
from openbureau.scoring.sources import (
    DIALECTS,
    DISPUTE_COMPLIANCE_CODES,
    EVERYONE,
    SOURCE_COLUMNS,
    Subjects,
)
from openbureau.scoring.spec import AttributeCard, PairCard, Scorecard

_TYPES = {"bigint": BigInteger, "string": String, "date": Date, "timestamp": DateTime}

# The operational tables, as far as scoring reads them (snapshots carry exactly these columns).
SOURCES: dict[str, TableClause] = {
    name: table(name, *[column(c, _TYPES[kind]) for c, kind in cols])
    for name, cols in SOURCE_COLUMNS.items()
}


def subject_filter(subjects: Subjects, col: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """Conditions with named parameters (``subject_ids``, ``after``, ``upto``), so that one
    compiled statement serves every set of the same shape (see :meth:`Subjects.params`)."""
    out: list[ColumnElement[bool]] = []
    if subjects.ids is not None:
        out.append(col.in_(bindparam("subject_ids", sorted(subjects.ids), expanding=True)))
    if subjects.after is not None:
        out.append(col > bindparam("after", subjects.after, type_=BigInteger))
    if subjects.upto is not None:
        out.append(col <= bindparam("upto", subjects.upto, type_=BigInteger))
    return out


class _Lit:
    """Literals per target: bound parameters for SQLite (which has no DATE type), typed CASTs
    elsewhere, so that the transpiled text means the same on DuckDB and Spark."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def date(self, d: date) -> ColumnElement[Any]:
        if self.dialect == "sqlite":
            return literal(d, Date)
        return cast(literal_column(f"'{d.isoformat()}'"), Date)

    def timestamp(self, t: datetime) -> ColumnElement[Any]:
        if self.dialect == "sqlite":
            return literal(t, DateTime)
        return cast(literal_column(f"'{t.isoformat(sep=' ')}'"), DateTime)


def num(value: float | int) -> ColumnElement[Any]:
    """A card number as a double, written so every engine parses the same IEEE value."""
    return cast(literal_column(repr(float(value))), Double)


def _int(value: int) -> ColumnElement[Any]:
    return literal_column(str(int(value)), Integer)


def _str(value: str) -> ColumnElement[Any]:
    return literal_column("'" + value.replace("'", "''") + "'", String)


def _strs(values: Sequence[str]) -> list[ColumnElement[Any]]:
    return [_str(v) for v in values]


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((cond, 1), else_=0))


def _capped(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((expr > A.COUNT_CAP, A.COUNT_CAP), else_=expr)


def _ratio(num_: ColumnElement[Any], den: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(num_, Double) / cast(den, Double)


def _severity_rank(status: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(*[(status == _str(st), i) for i, st in enumerate(A.SEVERITY) if i], else_=0)


def _scale(currency: ColumnElement[Any]) -> ColumnElement[Any]:
    """:func:`openbureau.scoring.attributes.scale_of` in SQL: minor units -> ten-thousandths."""
    by_scale: dict[int, list[str]] = {}
    for code, n in money_digits().items():
        by_scale.setdefault(10 ** (A.SCALED_DIGITS - n), []).append(code)
    return case(*[(currency.in_(_strs(sorted(codes))), _int(k))
                  for k, codes in sorted(by_scale.items())],
                else_=_int(A.scale_of(None)))


def _consented_income(am: Any) -> ColumnElement[Any]:
    return case((am.c.consent_ref.is_not(None), am.c.monthly_income), else_=null())


def _per_month(am: Any, acc: Any, as_of_d: Any, window24: Any) -> tuple[Any, Any, Any]:
    """Open accounts' newest months, delinquency counts and income, by window functions over
    the month rows. Each month row carries its account's fields and two ranks, so that no step
    needs to join one CTE to another (CTEs have no statistics; such joins go quadratic on
    PostgreSQL)."""
    income = _consented_income(am) * _scale(acc.c.currency)
    mon = (select(am.c.account_id, am.c.as_of, am.c.status, am.c.balance,
                  (am.c.scheduled_payment * _scale(acc.c.currency)).label("scheduled_payment"),
                  income.label("monthly_income"),
                  func.coalesce(am.c.credit_limit, acc.c.credit_limit, 0).label("lim"),
                  acc.c.subject_id, acc.c.kind, acc.c.closed_on,
                  func.row_number().over(partition_by=am.c.account_id,
                                         order_by=am.c.as_of.desc()).label("newest"),
                  func.rank().over(partition_by=(acc.c.subject_id,
                                                 case((income.is_(None), 1), else_=0)),
                                   order_by=am.c.as_of.desc()).label("income_rank"))
           .join(acc, acc.c.id == am.c.account_id)
           .where(am.c.as_of <= as_of_d)
           .cte("mon"))
    open_acc = (select(mon.c.subject_id, mon.c.kind, mon.c.balance, mon.c.lim,
                       func.coalesce(mon.c.scheduled_payment, 0).label("pay"))
                .where(mon.c.newest == 1, mon.c.status.not_in(_strs(A.CLOSED_STATUSES)),
                       or_(mon.c.closed_on.is_(None), mon.c.closed_on > as_of_d))
                .cte("open_acc"))
    dpd = (select(mon.c.subject_id,
                  _count_if(mon.c.status.in_(_strs(A.DPD30_STATUSES))).label("dpd30"),
                  _count_if(mon.c.status.in_(_strs(A.DPD60_STATUSES))).label("dpd60"),
                  _count_if(mon.c.status.in_(_strs(A.DPD90_PLUS_STATUSES))).label("dpd90"),
                  func.max(_severity_rank(mon.c.status)).label("worst_rank"))
           .where(mon.c.as_of > window24)
           .group_by(mon.c.subject_id).cte("dpd"))
    inc = (select(mon.c.subject_id, func.max(mon.c.monthly_income).label("income"))
           .where(mon.c.monthly_income.is_not(None), mon.c.income_rank == 1)
           .group_by(mon.c.subject_id).cte("inc"))
    return open_acc, dpd, inc


# the aggregate giving the value of the row with the largest key, NULL values included
# (rows whose key is NULL are skipped), on the engines where windows are avoided
_NEWEST = {"duckdb": "arg_max_null", "spark": "max_by"}


def _per_account(am: Any, acc: Any, as_of_d: Any, window24: Any,
                 newest_fn: str) -> tuple[Any, Any, Any]:
    """The same three relations for DuckDB and Spark, with no window and one pass over the month
    rows: the months are first aggregated per account (hash aggregation; ``newest_fn`` takes the
    newest month's value, NULL included), then joined to the accounts and aggregated per
    subject. Same values as :func:`_per_month`; several times faster on DuckDB, about 1.5× on
    Spark."""
    arg_max_null = getattr(func, newest_fn)       # this engine's name for it
    income = _consented_income(am)
    # each month's severity rank within the window (NULL outside): the delinquency counts are
    # ranks 1, 2 and 3.. (DPD30, DPD60, DPD90_PLUS are SEVERITY[1], [2] and [3:]), so each
    # month's status string is compared once
    assert (A.DPD30_STATUSES, A.DPD60_STATUSES, A.DPD90_PLUS_STATUSES) == (  # noqa: SIM300
        A.SEVERITY[1:2], A.SEVERITY[2:3], A.SEVERITY[3:])
    rank = case((am.c.as_of > window24, _severity_rank(am.c.status)), else_=null())

    months = (select(am.c.account_id, am.c.as_of, am.c.status, am.c.balance,
                     am.c.credit_limit, am.c.scheduled_payment, income.label("income"),
                     rank.label("rank"))
              .where(am.c.as_of <= as_of_d).subquery("months"))
    m = months.c
    per = (select(m.account_id,
                  arg_max_null(m.status, m.as_of).label("status"),
                  arg_max_null(m.balance, m.as_of).label("balance"),
                  arg_max_null(m.credit_limit, m.as_of).label("month_limit"),
                  arg_max_null(m.scheduled_payment, m.as_of).label("scheduled_payment"),
                  _count_if(m.rank == 1).label("dpd30"), _count_if(m.rank == 2).label("dpd60"),
                  _count_if(m.rank >= 3).label("dpd90"), func.max(m.rank).label("worst_rank"),
                  # the account's newest day with an income, and that income (as_of is unique
                  # per account); arg_max_null skips the rows whose key is NULL
                  func.max(case((m.income.is_not(None), m.as_of), else_=null()))
                  .label("income_day"),
                  arg_max_null(m.income, case((m.income.is_not(None), m.as_of),
                                                   else_=null())).label("income"))
           .group_by(m.account_id).subquery("per_account"))
    accounts = (select(acc.c.subject_id, acc.c.kind, acc.c.closed_on, per,
                       func.coalesce(per.c.month_limit, acc.c.credit_limit, 0).label("lim"),
                       _scale(acc.c.currency).label("scale"))
                .join(per, per.c.account_id == acc.c.id).cte("accounts_now"))
    open_acc = (select(accounts.c.subject_id, accounts.c.kind, accounts.c.balance,
                       accounts.c.lim,
                       (func.coalesce(accounts.c.scheduled_payment, 0) * accounts.c.scale)
                       .label("pay"))
                .where(accounts.c.status.not_in(_strs(A.CLOSED_STATUSES)),
                       or_(accounts.c.closed_on.is_(None), accounts.c.closed_on > as_of_d))
                .cte("open_acc"))
    dpd = (select(accounts.c.subject_id, func.sum(accounts.c.dpd30).label("dpd30"),
                  func.sum(accounts.c.dpd60).label("dpd60"),
                  func.sum(accounts.c.dpd90).label("dpd90"),
                  func.max(accounts.c.worst_rank).label("worst_rank"))
           .where(accounts.c.worst_rank.is_not(None))
           .group_by(accounts.c.subject_id).cte("dpd"))
    # the largest income of the subject's newest day that reports one
    by_day = (select(accounts.c.subject_id, accounts.c.income_day,
                     func.max(accounts.c.income * accounts.c.scale).label("income"))
              .where(accounts.c.income_day.is_not(None))
              .group_by(accounts.c.subject_id, accounts.c.income_day).cte("inc_by_day"))
    inc = (select(by_day.c.subject_id,
                  arg_max_null(by_day.c.income, by_day.c.income_day).label("income"))
           .group_by(by_day.c.subject_id).cte("inc"))
    return open_acc, dpd, inc


def attributes_query(as_of: date, subjects: Subjects = EVERYONE,
                     dialect: str = "postgresql") -> Select[Any]:
    """One row per selected subject: ``subject_id`` and every attribute (docs/attributes.md)."""
    lit = _Lit(dialect)
    s, acc_t, am = SOURCES["subjects"], SOURCES["accounts"], SOURCES["account_months"]
    inq_t, pr_t, dsp = SOURCES["inquiries"], SOURCES["public_records"], SOURCES["disputes"]
    as_of_d = lit.date(as_of)

    subj = (select(s.c.id.label("subject_id")).where(*subject_filter(subjects, s.c.id))
            .cte("subj"))

    def disputed(kind: str, subject_col: Any, ref_col: Any) -> ColumnElement[bool]:
        return exists(select(dsp.c.item_ref).where(
            dsp.c.subject_id == subject_col, dsp.c.item_kind == _str(kind),
            dsp.c.item_ref == ref_col, dsp.c.status == _str("open")))

    acc = (select(acc_t.c.id, acc_t.c.subject_id, acc_t.c.kind, acc_t.c.opened_on,
                  acc_t.c.closed_on, acc_t.c.credit_limit, acc_t.c.currency)
           .where(*subject_filter(subjects, acc_t.c.subject_id), acc_t.c.deleted_at.is_(None),
                  acc_t.c.suppressed_at.is_(None),
                  or_(acc_t.c.compliance_code.is_(None),
                      acc_t.c.compliance_code.not_in(_strs(DISPUTE_COMPLIANCE_CODES))),
                  ~disputed("account", acc_t.c.subject_id, acc_t.c.item_ref))
           .cte("acc"))
    window24 = lit.date(A.window_start(as_of, A.DELINQUENCY_WINDOW_MONTHS))
    if dialect in _NEWEST:
        open_acc, dpd, inc = _per_account(am, acc, as_of_d, window24, _NEWEST[dialect])
    else:
        open_acc, dpd, inc = _per_month(am, acc, as_of_d, window24)
    revolving = open_acc.c.kind == _str(A.REVOLVING)
    open_agg = (select(
        open_acc.c.subject_id,
        func.sum(case((revolving, open_acc.c.balance), else_=0)).label("rev_balance"),
        func.sum(case((revolving, open_acc.c.lim), else_=0)).label("rev_limit"),
        func.sum(open_acc.c.pay).label("payments"),
        _count_if(open_acc.c.kind != _str(A.COLLECTION_KIND)).label("open_trades"),
        _count_if(open_acc.c.kind == _str(A.MORTGAGE)).label("real_estate"))
        .group_by(open_acc.c.subject_id).cte("open_agg"))

    oldest = (select(acc.c.subject_id, func.min(acc.c.opened_on).label("opened_on"))
              .where(acc.c.kind != _str(A.COLLECTION_KIND), acc.c.opened_on <= as_of_d)
              .group_by(acc.c.subject_id).cte("oldest"))

    start6 = A.window_start(as_of, A.INQUIRY_WINDOW_MONTHS) + timedelta(days=1)
    end = as_of + timedelta(days=1)
    inq = (select(inq_t.c.subject_id, func.count().label("n"))
           .where(*subject_filter(subjects, inq_t.c.subject_id), inq_t.c.kind == _str("inquiry"),
                  inq_t.c.purpose == _str("credit_application"),
                  inq_t.c.purged_at.is_(None),
                  inq_t.c.created_at >= lit.timestamp(datetime.combine(start6, time())),
                  inq_t.c.created_at < lit.timestamp(datetime.combine(end, time())))
           .group_by(inq_t.c.subject_id).cte("inq"))
    pr = (select(pr_t.c.subject_id, func.count().label("n"))
          .where(*subject_filter(subjects, pr_t.c.subject_id), pr_t.c.status == _str("active"),
                 pr_t.c.lifted_at.is_(None),
                 or_(pr_t.c.until.is_(None), pr_t.c.until >= as_of_d),
                 ~disputed("public_record", pr_t.c.subject_id, pr_t.c.item_ref))
          .group_by(pr_t.c.subject_id).cte("pr"))

    payments = func.coalesce(open_agg.c.payments, 0)
    rev_limit = func.coalesce(open_agg.c.rev_limit, 0)
    months_old = ((as_of.year - extract("year", oldest.c.opened_on)) * 12
                  + (as_of.month - extract("month", oldest.c.opened_on))
                  - case((extract("day", oldest.c.opened_on) > as_of.day, 1), else_=0))
    return (select(
        subj.c.subject_id,
        case((rev_limit > 0, _ratio(open_agg.c.rev_balance, rev_limit)), else_=null())
        .label("revolving_utilization"),
        _capped(func.coalesce(dpd.c.dpd30, 0)).label("dpd_30_59_24m"),
        _capped(func.coalesce(dpd.c.dpd60, 0)).label("dpd_60_89_24m"),
        _capped(func.coalesce(dpd.c.dpd90, 0)).label("dpd_90_plus_24m"),
        func.coalesce(open_agg.c.open_trades, 0).label("open_trades"),
        func.coalesce(open_agg.c.real_estate, 0).label("real_estate_trades"),
        case((inc.c.income > 0, _ratio(payments, inc.c.income)), else_=null())
        .label("debt_ratio"),
        _ratio(inc.c.income, _int(A.SCALED_PER_UNIT)).label("monthly_income"),
        _ratio(payments, _int(A.SCALED_PER_UNIT)).label("monthly_debt_payments"),
        cast(months_old, Integer).label("months_since_oldest_trade"),
        func.coalesce(inq.c.n, 0).label("inquiries_6m"),
        func.coalesce(pr.c.n, 0).label("active_public_records"),
        case(*[(dpd.c.worst_rank == i, _str(st)) for i, st in enumerate(A.SEVERITY)],
             else_=null()).label("worst_status_24m"))
        .select_from(subj)
        .outerjoin(open_agg, open_agg.c.subject_id == subj.c.subject_id)
        .outerjoin(dpd, dpd.c.subject_id == subj.c.subject_id)
        .outerjoin(inc, inc.c.subject_id == subj.c.subject_id)
        .outerjoin(oldest, oldest.c.subject_id == subj.c.subject_id)
        .outerjoin(inq, inq.c.subject_id == subj.c.subject_id)
        .outerjoin(pr, pr.c.subject_id == subj.c.subject_id))


# -- the scorecard -----------------------------------------------------------------------------

def _out_of_domain(attr: AttributeCard, x: ColumnElement[Any]) -> ColumnElement[bool]:
    """True where the reference scorer would raise ``OutOfDomain`` for this value."""
    if attr.kind == "categorical":
        known = [v for c in attr.categories for v in c.values]
        return and_(x.is_not(None), x.not_in(_strs(known)))
    specials = [v for sv in attr.special for v in sv.values]
    outside: list[ColumnElement[bool]] = []
    if attr.domain_min is not None:
        outside.append(x < num(attr.domain_min))
    if attr.domain_max is not None:
        outside.append(x > num(attr.domain_max))
    first = attr.bins[0].lower
    if first is not None:
        outside.append(x < num(first))
    if not outside:
        return literal_column("1") == literal_column("0")
    cond = [x.is_not(None), or_(*outside)]
    if specials:
        cond.append(x.not_in([num(float(v)) for v in specials]))
    return and_(*cond)


def points_expr(attr: AttributeCard, x: ColumnElement[Any]) -> ColumnElement[Any]:
    """The attribute's points: missing bin, special values, then bins; NULL when out of domain."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
        (x.is_(None), _int(attr.missing_points))]
    if attr.kind == "categorical":
        whens += [(x.in_(_strs(c.values)), _int(c.points)) for c in attr.categories]
        return case(*whens, else_=null())
    whens += [(x.in_([num(float(v)) for v in sv.values]), _int(sv.points))
              for sv in attr.special]
    whens.append((_out_of_domain(attr, x), null()))
    whens += [(x < num(b.upper), _int(b.points)) for b in attr.bins[:-1]
              if b.upper is not None]
    return case(*whens, else_=_int(attr.bins[-1].points))


def pair_points_expr(pair: PairCard, x: ColumnElement[Any], y: ColumnElement[Any]
                     ) -> ColumnElement[Any]:
    """A pair row's points: its missing points when either value is NULL, else the cell's (the
    attribute rows flag values out of their domain; the grid holds every number)."""
    def along_y(row: tuple[int, ...]) -> ColumnElement[Any]:
        if len(set(row)) == 1:
            return _int(row[0])
        return case(*[(y < num(e), _int(p)) for e, p in zip(pair.y_edges, row, strict=False)],
                    else_=_int(row[-1]))

    rows = [along_y(r) for r in pair.points]
    whens = [(or_(x.is_(None), y.is_(None)), _int(pair.missing_points))]
    whens += [(x < num(e), r) for e, r in zip(pair.x_edges, rows, strict=False)]
    return case(*whens, else_=rows[-1])


def bucket_expr(attr: AttributeCard, x: ColumnElement[Any]) -> ColumnElement[Any]:
    """``drift.bucket_of`` in SQL: the index of ``x``'s bucket among ``drift.bucket_labels``
    (special values, categories, bins, missing), -1 for a value the card refuses."""
    ns, nc = len(attr.special), len(attr.categories)
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
        (x.is_(None), _int(ns + nc + len(attr.bins)))]
    whens += [(x.in_(_strs(c.values)), _int(ns + j)) for j, c in enumerate(attr.categories)]
    if attr.kind != "categorical":
        whens += [(x.in_([num(float(v)) for v in sv.values]), _int(j))
                  for j, sv in enumerate(attr.special)]
        domain = [x >= num(attr.domain_min)] if attr.domain_min is not None else []
        domain += [x <= num(attr.domain_max)] if attr.domain_max is not None else []
        if domain:
            whens.append((~and_(*domain), _int(-1)))
        for j, b in enumerate(attr.bins):
            bounds = [x >= num(b.lower)] if b.lower is not None else []
            bounds += [x < num(b.upper)] if b.upper is not None else []
            whens.append((and_(*bounds) if bounds else literal_column("1") == literal_column("1"),
                          _int(ns + nc + j)))
    return case(*whens, else_=_int(-1))


def card_query(card: Scorecard, attrs: FromClause) -> Select[Any]:
    """The scorecard over a relation of attributes (``subject_id`` + every attribute)."""
    unknown = [a.name for a in card.attributes if a.name not in A.ATTRIBUTES]
    if unknown:
        raise ValueError(f"the card uses attributes no engine computes: {unknown}")
    points = {a.name: points_expr(a, attrs.c[a.name]) for a in card.attributes}
    points |= {p.name: pair_points_expr(p, attrs.c[p.x], attrs.c[p.y]) for p in card.pairs}
    raw: ColumnElement[Any] = _int(card.intercept_points)
    for p in points.values():
        raw = raw + p
    lo, hi = card.scaling.min, card.scaling.max
    scored = (select(attrs, *[p.label(f"pts_{n}") for n, p in points.items()],
                     raw.label("raw"))
              .cte("scored"))
    flag = func.coalesce(*[case((_out_of_domain(a, scored.c[a.name]), _str(a.name)),
                                else_=null()) for a in card.attributes], null())
    return select(
        scored,
        case((scored.c.raw < lo, _int(lo)), (scored.c.raw > hi, _int(hi)),
             else_=scored.c.raw).label("score"),
        flag.label("out_of_domain"),
    ).order_by(scored.c.subject_id)


ATTRS_RELATION = table("attrs", column("subject_id", BigInteger),
                       *[column(n) for n in A.ATTRIBUTES])


def score_query(card: Scorecard, as_of: date, subjects: Subjects = EVERYONE,
                dialect: str = "postgresql") -> Select[Any]:
    """Attributes, points per card attribute, raw sum, clipped score and ``out_of_domain``."""
    return card_query(card, attributes_query(as_of, subjects, dialect).cte("attrs"))


def _to_text(stmt: Select[Any], dialect: str) -> str:
    target = "sqlite" if dialect == "sqlite" else "postgresql"
    # SQLAlchemy's dialect classes have untyped constructors
    sa_dialect: Any = sqlite.dialect() if target == "sqlite" else postgresql.dialect()  # type: ignore[no-untyped-call]
    text = str(stmt.compile(dialect=sa_dialect, compile_kwargs={"literal_binds": True}))
    if dialect in ("sqlite", "postgresql"):
        return text
    import sqlglot

    return str(sqlglot.transpile(text, read="postgres", write=dialect)[0])


def compile_stages(card: Scorecard, as_of: date, dialect: str,
                   subjects: Subjects = EVERYONE) -> tuple[str, str]:
    """Two statements: the attributes, and the scorecard over a relation named ``attrs`` holding
    them (Spark plans the two halves far faster than the one statement)."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
    return (_to_text(attributes_query(as_of, subjects, dialect), dialect),
            _to_text(card_query(card, ATTRS_RELATION), dialect))


def compile_sql(card: Scorecard, as_of: date, dialect: str,
                subjects: Subjects = EVERYONE) -> str:
    """The score query as one statement for ``dialect`` (one of :data:`DIALECTS`)."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
    return _to_text(score_query(card, as_of, subjects, dialect=dialect), dialect)
