"""Every engine gives identical attributes and identical integer scores: the Python reference, the
compiled SQL on the operational database (SQLite, PostgreSQL), DuckDB over an Arrow snapshot,
DuckDB bucket by bucket over a Parquet export (``services/export.py``) and Spark SQL over the same
export. Random credit files come from hypothesis; each example writes
a batch of files into the database (rolled back afterwards) and runs every engine on it.

Spark runs when pyspark and Java are present; it is mandatory with ``REQUIRE_SPARK=1`` or
``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert

from openbureau.adapters import scoring_engines as E
from openbureau.adapters import scoring_sql as S
from openbureau.adapters.exports import SqlCreditFiles
from openbureau.adapters.tables import (
    account_months,
    accounts,
    disputes,
    inquiries,
    organisations,
    public_records,
    subjects,
)
from openbureau.domain.months import add_months
from openbureau.scoring.reference import OutOfDomain
from openbureau.scoring.spec import Scorecard, load_spec, spec_to_dict
from openbureau.services.export import write_credit_files
from openbureau.services.models import shipped_specs

FILES_PER_EXAMPLE = 25
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
STATUSES = ["current", "dpd30", "dpd60", "dpd90", "dpd120", "dpd150", "dpd180", "charged_off",
            "collection", "paid", "closed"]
KINDS = ["revolving", "installment", "mortgage", "open", "collection"]
TIMINGS: dict[str, float] = {}


def shipped_card() -> Scorecard:
    return load_spec(shipped_specs()[-1])


def extended_card() -> Scorecard:
    """The shipped card plus every other attribute, and a categorical one that has never seen
    ``collection`` (so random files also exercise the unseen-category refusal), and two pair
    rows (2-D bins; one over an attribute often missing, with per-cell reasons)."""
    data = spec_to_dict(shipped_card())
    data["version"] = "test-extended"
    data["attributes"] += [
        {"name": "months_since_oldest_trade", "kind": "numeric", "reason_code": "R90",
         "reason_text": "Length of credit history.", "domain": {"min": 0, "max": None},
         "bins": [{"lower": None, "upper": 12.0, "points": -10},
                  {"lower": 12.0, "upper": 60.0, "points": 0},
                  {"lower": 60.0, "upper": None, "points": 8}], "missing_points": -5},
        {"name": "inquiries_6m", "kind": "numeric", "reason_code": "R91",
         "reason_text": "Recent applications for credit.", "domain": {"min": 0, "max": None},
         "bins": [{"lower": None, "upper": 1.0, "points": 5},
                  {"lower": 1.0, "upper": 3.0, "points": 0},
                  {"lower": 3.0, "upper": None, "points": -12}], "missing_points": 0},
        {"name": "active_public_records", "kind": "numeric", "reason_code": "R92",
         "reason_text": "Court judgments on file.", "domain": {"min": 0, "max": None},
         "bins": [{"lower": None, "upper": 1.0, "points": 3},
                  {"lower": 1.0, "upper": None, "points": -40}], "missing_points": 0},
        {"name": "worst_status_24m", "kind": "categorical", "reason_code": "R93",
         "reason_text": "The most serious delinquency in 24 months.",
         "categories": [{"values": ["current"], "points": 6},
                        {"values": ["dpd30", "dpd60"], "points": -4},
                        {"values": ["dpd90", "dpd120", "dpd150", "dpd180", "charged_off"],
                         "points": -20}], "missing_points": 0},
    ]
    data["pairs"] = [
        {"name": "utilization_by_late_30", "x": "revolving_utilization", "y": "dpd_30_59_24m",
         "x_edges": [0.1, 0.5, 0.9], "y_edges": [1.0, 3.0],
         "points": [[3, -1, -6], [0, -2, -9], [-2, -5, -12], [-4, -8, -15]],
         "missing_points": -3,
         "reasons": [[None, "R94", "R94"], [None, "R94", "R94"], ["R95", "R95", "R95"],
                     ["R95", "R95", "R95"]],
         "reason_texts": {"R94": "Late payments together with revolving use.",
                          "R95": "High revolving balances together with late payments."}},
        {"name": "history_by_inquiries", "x": "months_since_oldest_trade", "y": "inquiries_6m",
         "x_edges": [24.0, 120.0], "y_edges": [2.0],
         "points": [[-7, -11], [0, -4], [2, 1]], "missing_points": 0},
    ]
    return load_spec(data)


# -- Spark: one session per test session ------------------------------------------------------

def _spark_required() -> bool:
    return os.environ.get("REQUIRE_SPARK") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if _spark_required():
            pytest.fail("pyspark is not installed (and Spark is mandatory here)")
        pytest.skip("pyspark is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if _spark_required():
            pytest.fail("Java is not installed (and Spark is mandatory here)")
        pytest.skip("Java is not installed")
    session = E.spark_session("local[2]", codegen=False)
    yield session
    session.stop()


# -- writing generated files into the operational tables --------------------------------------

month_st = st.fixed_dictionaries({
    "back": st.integers(-1, 30),                 # months before as_of's month; -1 is the future
    "status": st.sampled_from(STATUSES),
    "balance": st.one_of(st.integers(0, 2_000_000), st.integers(-5_000, -1)),
    "limit": st.one_of(st.none(), st.integers(0, 3_000_000)),
    "sched": st.one_of(st.none(), st.integers(0, 200_000)),
    "income": st.one_of(st.none(), st.integers(0, 2_000_000)),
    "consent": st.booleans(),
})
account_st = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS),
    # a yen has no minor unit, a dinar of Bahrain three: income and payments scale per account
    "currency": st.sampled_from(["USD", "USD", "JPY", "BHD", "EUR"]),
    "opened_back_days": st.integers(-40, 9000),
    "closed_back_days": st.one_of(st.none(), st.integers(-40, 900)),
    "limit": st.one_of(st.none(), st.integers(0, 3_000_000)),
    "why_excluded": st.sampled_from([None, None, None, "deleted", "suppressed", "XB", "XH",
                                     "XA", "open_dispute", "closed_dispute"]),
    "months": st.lists(month_st, max_size=8, unique_by=lambda m: m["back"]),
})
file_st = st.fixed_dictionaries({
    "accounts": st.lists(account_st, max_size=5),
    "inquiries": st.lists(st.tuples(st.integers(-2, 400),
                                    st.sampled_from(["credit_application", "account_review"]),
                                    st.sampled_from(["inquiry", "restriction_check"]),
                                    st.booleans()), max_size=6),
    "records": st.lists(st.tuples(st.sampled_from(["active", "satisfied"]), st.booleans(),
                                  st.one_of(st.none(), st.integers(-200, 200)), st.booleans()),
                        max_size=3),
})
AS_OF = st.sampled_from([date(2026, 11, 1), date(2026, 10, 31), date(2024, 2, 29),
                         date(2026, 3, 15)])


def _month_end(d: date, back: int) -> date:
    first = add_months(d.replace(day=1), -back)
    nxt = add_months(first, 1)
    return nxt - timedelta(days=1)


class Writer:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.n = 0
        self.orgs = {role: conn.execute(insert(organisations).values(
            name=f"engines-{role}", role=role, created_at=NOW).returning(organisations.c.id)
        ).scalar_one() for role in ("furnisher", "member", "court")}

    def ref(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n:08d}"

    def write(self, f: dict[str, Any], as_of: date) -> int:
        sid = self.conn.execute(insert(subjects).values(
            id_hmac=self.ref("h"), id_ciphertext=b"x", id_suffix="0000", name="Test Person",
            kind="person", created_at=NOW, item_ref=self.ref("sub")).returning(subjects.c.id)
        ).scalar_one()
        for a in f["accounts"]:
            why = a["why_excluded"]
            item_ref = self.ref("acc")
            acc_id = self.conn.execute(insert(accounts).values(
                furnisher_id=self.orgs["furnisher"], account_ref=self.ref("A"), subject_id=sid,
                item_ref=item_ref, kind=a["kind"], ecoa="individual",
                currency=a.get("currency", "USD"),
                opened_on=as_of - timedelta(days=a["opened_back_days"]),
                closed_on=None if a["closed_back_days"] is None
                else as_of - timedelta(days=a["closed_back_days"]),
                credit_limit=a["limit"],
                compliance_code=why if why in ("XB", "XH", "XA") else None,
                latest_as_of=as_of,
                deleted_at=NOW if why == "deleted" else None,
                suppressed_at=NOW if why == "suppressed" else None,
                updated_at=NOW).returning(accounts.c.id)).scalar_one()
            if why in ("open_dispute", "closed_dispute"):
                self.conn.execute(insert(disputes).values(
                    subject_id=sid, item_kind="account", item_ref=item_ref, ref=self.ref("dsp"),
                    reason="not mine",
                    status="open" if why == "open_dispute" else "verified", opened_at=NOW,
                    due_at=NOW))
            if a["months"]:
                self.conn.execute(insert(account_months), [{
                    "account_id": acc_id, "as_of": _month_end(as_of, m["back"]),
                    "status": m["status"], "balance": m["balance"], "amount_past_due": 0,
                    "credit_limit": m["limit"], "scheduled_payment": m["sched"],
                    "monthly_income": m["income"],
                    "consent_ref": "consent-1" if m["consent"] else None,
                    "furnished_at": NOW} for m in a["months"]])
        for back, purpose, kind, purged in f["inquiries"]:
            at = datetime.combine(as_of - timedelta(days=back), datetime.min.time(), UTC)
            self.conn.execute(insert(inquiries).values(
                subject_id=sid, organisation_id=self.orgs["member"], kind=kind,
                purpose=purpose, created_at=at + timedelta(hours=back % 24),
                item_ref=self.ref("inq"), purged_at=NOW if purged else None))
        for status, lifted, until, disputed in f["records"]:
            item_ref = self.ref("pr")
            self.conn.execute(insert(public_records).values(
                subject_id=sid, court_id=self.orgs["court"], kind="judgment",
                case_number=self.ref("C"), amount=1000, currency="USD",
                judgment_date=as_of - timedelta(days=400), status=status, listed_at=NOW,
                until=None if until is None else as_of + timedelta(days=until),
                lifted_at=NOW if lifted else None, item_ref=item_ref))
            if disputed:
                self.conn.execute(insert(disputes).values(
                    subject_id=sid, item_kind="public_record", item_ref=item_ref,
                    ref=self.ref("dsp"), reason="paid", status="open", opened_at=NOW, due_at=NOW))
        return sid


def _timed(name: str, fn: Any) -> Any:
    start = time.perf_counter()
    out = fn()
    TIMINGS[name] = TIMINGS.get(name, 0.0) + time.perf_counter() - start
    return out


def run_all(conn: Connection, card: Scorecard, as_of: date, subjects: S.Subjects,
            spark: Any | None) -> dict[str, list[E.Scored]]:
    out = {
        "reference": _timed("reference", lambda: E.score_reference(conn, card, as_of, subjects)),
        conn.dialect.name: _timed(conn.dialect.name,
                                  lambda: E.score_database(conn, card, as_of, subjects)),
    }
    tables = _timed("snapshot", lambda: E.snapshot(conn))
    duck = E.DuckDBEngine(tables)
    try:
        out["duckdb"] = _timed("duckdb", lambda: duck.score(card, as_of, subjects))
    finally:
        duck.close()
    # the export layout (services/export.py): DuckDB bucket by bucket, and Spark
    folder = Path(tempfile.mkdtemp(prefix="ob-export-"))
    try:
        write_credit_files(SqlCreditFiles(conn.execute), folder / "export", buckets=3)
        E.duckdb_score_parquet(card, as_of, folder / "export", folder / "scores", subjects)
        out["duckdb-parquet"] = E.scored_rows(card, E.read_scores(folder / "scores"))
        if spark is not None:
            out["spark"] = _timed("spark", lambda: E.SparkEngine(
                spark, folder / "export").score(card, as_of, subjects))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _assert_agree(results: dict[str, list[E.Scored]]) -> None:
    ref = results["reference"]
    for name, rows in results.items():
        for a, b in zip(ref, rows, strict=True):
            assert (b.subject_id, b.attributes, b.points, b.value, b.out_of_domain) == \
                (a.subject_id, a.attributes, a.points, a.value, a.out_of_domain), name
        assert E.same_values(ref, rows), name


@pytest.fixture
def db(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


def _check(engine: Engine, spark: Any | None, files: list[dict[str, Any]], as_of: date,
           card: Scorecard) -> None:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            w = Writer(conn)
            ids = tuple(w.write(f, as_of) for f in files)
            results = run_all(conn, card, as_of, S.Subjects(ids=ids), spark)
            assert [r.subject_id for r in results["reference"]] == sorted(ids)
            _assert_agree(results)
        finally:
            trans.rollback()


PROPERTY = settings(max_examples=int(os.environ.get("ENGINES_EXAMPLES", "10")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SPARK_PROPERTY = settings(PROPERTY,
                          max_examples=int(os.environ.get("SPARK_ENGINES_EXAMPLES", "4")))


@pytest.mark.spark
@SPARK_PROPERTY
@given(files=st.lists(file_st, min_size=FILES_PER_EXAMPLE, max_size=FILES_PER_EXAMPLE),
       as_of=AS_OF)
def test_five_engines_agree_on_random_files(engine, spark, files, as_of):
    _check(engine, spark, files, as_of, extended_card())


@PROPERTY
@given(files=st.lists(file_st, min_size=FILES_PER_EXAMPLE, max_size=FILES_PER_EXAMPLE),
       as_of=AS_OF)
def test_database_duckdb_and_reference_agree_with_the_shipped_card(engine, files, as_of):
    _check(engine, None, files, as_of, shipped_card())


# -- refusing what the card was not built for -------------------------------------------------

def _odd_file(db: Connection, balance: int, status: str) -> tuple[int, date]:
    as_of = date(2026, 11, 1)
    f = {"accounts": [{"kind": "revolving", "opened_back_days": 900, "closed_back_days": None,
                       "limit": 100_000, "why_excluded": None,
                       "months": [{"back": 1, "status": status, "balance": balance,
                                   "limit": None, "sched": 2500, "income": None,
                                   "consent": False}]}],
         "inquiries": [], "records": []}
    return Writer(db).write(f, as_of), as_of


@pytest.mark.spark
@pytest.mark.parametrize(("balance", "status", "card", "attribute"), [
    (-500, "current", shipped_card, "revolving_utilization"),       # out of domain
    (500, "collection", extended_card, "worst_status_24m"),          # unseen category
])
def test_every_engine_refuses_out_of_domain(db, spark, balance, status, card, attribute):
    sid, as_of = _odd_file(db, balance, status)
    subjects = S.Subjects(ids=(sid,))
    results = run_all(db, card(), as_of, subjects, spark)
    assert set(results) == {"reference", db.dialect.name, "duckdb", "duckdb-parquet", "spark"}
    for name, rows in results.items():
        assert [(r.out_of_domain, r.value) for r in rows] == [(attribute, None)], name
        with pytest.raises(OutOfDomain) as exc:
            E.refuse(rows)
        assert exc.value.attribute == attribute


def test_compiled_text_for_every_dialect():
    card = shipped_card()
    for dialect in S.DIALECTS:
        text = S.compile_sql(card, date(2026, 11, 1), dialect, S.Subjects(ids=(1, 2)))
        assert "CASE" in text.upper() and "out_of_domain" in text
    with pytest.raises(ValueError):
        S.compile_sql(card, date(2026, 11, 1), "oracle")


def test_report_timings(request):
    """Not an assertion on speed: prints where the property tests spent their time."""
    if TIMINGS:
        print("\nengine time (s): " + ", ".join(f"{k}={v:.2f}" for k, v in TIMINGS.items()))
