"""``openbureau export --parquet``: every credit file, as scoring reads it, to Parquet partitioned
by a hash of the subject id; DuckDB over the export scores as the database does."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from openbureau.adapters import scoring_engines as E
from openbureau.adapters.scoring_sql import SOURCES
from openbureau.adapters.tables import account_months, accounts, subjects
from openbureau.domain.errors import ValidationFailed
from openbureau.services import scoring_hooks
from openbureau.services.export import MANIFEST, export_parquet, subject_buckets
from tests.e2e.test_cli import csv_file, env, good_row, ready, run  # noqa: F401 - fixtures
from tests.integration.test_engines_agree import spark  # noqa: F401 - the session fixture
from tests.integration.test_reports import furnish, income_consent, record


def person(i: int) -> dict[str, object]:
    return {"national_id": f"9001004{i:02d}", "name": f"Export Person {i}",
            "date_of_birth": "1980-01-01"}


@pytest.fixture
def people(bureau, client, orgs) -> int:
    recs, with_income = [], []
    for i in range(9):
        recs.append(record(subject=person(i), account_ref=f"X{i}", balance=20000 * i))
        recs.append(record(subject=person(i), account_ref=f"X{i}", balance=15000 * i,
                           as_of="2026-08-31"))
    furnish(client, orgs, *recs)
    for i in range(0, 9, 3):     # income only under the furnisher's consent, once the file exists
        with_income.append(record(subject=person(i), account_ref=f"M{i}", kind="mortgage",
                                  credit_limit=None, balance=8_000_000, scheduled_payment=120000,
                                  monthly_income=500000 + i,
                                  consent_ref=income_consent(client, orgs, person(i))))
    furnish(client, orgs, *with_income)
    return 9


def _count(bureau, table) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(func.count()).select_from(table)).scalar_one()


def test_export_is_partitioned_by_subject_hash_and_complete(bureau, people, tmp_path):
    seen: list[tuple[int, int]] = []
    manifest = export_parquet(bureau.uow(), tmp_path / "x", buckets=4, chunk=4,
                              progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (people, people) and len(seen) == 3            # chunks of 4
    assert manifest["rows"]["subjects"] == people == _count(bureau, subjects)
    assert manifest["rows"]["accounts"] == _count(bureau, accounts)
    assert manifest["rows"]["account_months"] == _count(bureau, account_months)
    assert json.loads((tmp_path / "x" / MANIFEST).read_text())["buckets"] == 4
    for name, tbl in SOURCES.items():
        for part in (tmp_path / "x" / name).glob("bucket=*/*.parquet"):
            bucket = int(part.parent.name.split("=")[1])
            t = pq.read_table(part)
            assert set(tbl.c.keys()) <= set(t.column_names)
            # never an identity: ids and the fields scoring reads, nothing else
            assert not {"name", "national_id", "id_ciphertext", "id_hmac"} & set(t.column_names)
            key = "id" if name == "subjects" else "subject_id"
            ids = t.column(key).to_numpy()
            assert (subject_buckets(ids, 4) == bucket).all()
    every = ds.dataset(str(tmp_path / "x" / "subjects"), format="parquet",
                       partitioning="hive").to_table()
    assert sorted(every.column("id").to_pylist()) == sorted(set(every.column("id").to_pylist()))


def test_buckets_spread_consecutive_ids():
    counts = np.bincount(subject_buckets(np.arange(1, 16001), 16), minlength=16)
    assert counts.min() > 800 and counts.max() < 1200


def test_export_refuses_a_non_empty_directory(bureau, people, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(ValidationFailed):
        export_parquet(bureau.uow(), tmp_path / "x")
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_duckdb_over_the_export_scores_as_the_database(bureau, people, tmp_path):
    with bureau.uow() as uow:
        card = scoring_hooks.active_card(bureau.deps, uow)
    as_of = bureau.clock.now().date()
    export_parquet(bureau.uow(), tmp_path / "x", buckets=3)
    with bureau.uow() as uow:
        db = E.score_database(uow.session.connection(), card, as_of)
    n = E.duckdb_score_parquet(card, as_of, tmp_path / "x", tmp_path / "scores")
    assert n == people
    duck = E.scored_rows(card, E.read_scores(tmp_path / "scores"))
    assert E.same_values(db, duck)
    assert {r.value for r in duck} != {None}


def test_cli_export_parquet_and_metro2_forms(ready, tmp_path):  # noqa: F811 - fixture
    src = csv_file(tmp_path / "in.csv", [good_row("A"), good_row("B", kind="installment",
                                                                 credit_limit="")])
    assert run(ready, "ingest", str(src), "--furnisher", "First Bank").exit_code == 0
    r = run(ready, "export", "--parquet", str(tmp_path / "pq"), "--buckets", "2")
    assert r.exit_code == 0, r.output
    manifest = json.loads(r.stdout.strip().splitlines()[-1])
    assert (manifest["rows"]["subjects"], manifest["rows"]["accounts"]) == (1, 2)
    again = run(ready, "export", "--parquet", str(tmp_path / "pq"))
    # the message as written, whatever width the console wrapped it at
    assert again.exit_code == 2 and "not empty" in " ".join(again.output.split())
    both = run(ready, "export", "--parquet", str(tmp_path / "pq2"), "--furnisher", "First Bank")
    assert both.exit_code == 2
    neither = run(ready, "export")
    assert neither.exit_code == 2 and "--parquet" in neither.output
    m2 = run(ready, "export", "--furnisher", "First Bank", "--out", str(tmp_path / "o.m2"))
    assert m2.exit_code == 0 and (tmp_path / "o.m2").read_bytes()[4:10] == b"HEADER"


@pytest.mark.spark
@pytest.mark.usefixtures("spark")
def test_cli_rescore_on_spark(ready, tmp_path):  # noqa: F811 - fixture
    rows = [good_row("A"), good_row("B", kind="installment", credit_limit="")]
    # three more people (their own names: one name and birth date under ids one digit apart
    # would be one person's mistyped id, issue 14)
    rows += [good_row(f"C{i}", subject_national_id=f"90010030{i}", subject_name=f"{first} Roe")
             for i, first in enumerate(("Ann", "Ben", "Cy"))]
    assert run(ready, "ingest", str(csv_file(tmp_path / "in.csv", rows)),
               "--furnisher", "First Bank").exit_code == 0
    r = run(ready, "rescore", "--engine", "spark", "--master", "local[2]", "--batch", "2",
            "--workdir", str(tmp_path / "work"))
    assert r.exit_code == 0, r.output
    job = json.loads(r.stdout.strip().splitlines()[-1])
    assert (job["status"], job["done"], job["engine"]) == ("done", 4, "spark")
    scores = E.read_scores(tmp_path / "work" / f"job-{job['id']}" / "scores")
    assert scores.num_rows == 4 and None not in scores.column("score").to_pylist()


def test_vectorised_population_is_deterministic_and_follows_the_demo_model():
    from openbureau.synthetic.population import MONTHS, credit_file_columns, make_block

    a, b = credit_file_columns(0, 2000, seed=7), credit_file_columns(0, 2000, seed=7)
    for table in a:
        for col in a[table]:
            assert np.array_equal(a[table][col], b[table][col]), (table, col)
    other = credit_file_columns(0, 2000, seed=8)
    assert not np.array_equal(a["account_months"]["balance"][:100],
                              other["account_months"]["balance"][:100])
    demo = [make_block(k, 7) for k in range(2)]
    demo_accounts = sum(len(bl.kind) for bl in demo) / 2000
    m = np.arange(MONTHS)[None, :]
    demo_months = sum(int(((m >= bl.first_m[:, None]) & (m <= bl.last_m[:, None])).sum())
                      for bl in demo) / 2000
    assert len(a["accounts"]["id"]) / 2000 == pytest.approx(demo_accounts, rel=0.08)
    assert len(a["account_months"]["as_of"]) / 2000 == pytest.approx(demo_months, rel=0.08)
    late = a["account_months"]["status"]
    people_late = len(np.unique(a["account_months"]["subject_id"][(late >= 1) & (late <= 6)]))
    demo_late = sum(len(np.unique(bl.acc_person[((bl.status >= 1) & (bl.status <= 6))
                                                .any(axis=1)])) for bl in demo)
    assert people_late / 2000 == pytest.approx(demo_late / 2000, abs=0.04)   # ~16 % of people
    # every subject has at least one account, and ids are unique and dense from start + 1
    assert np.array_equal(a["subjects"]["id"], np.arange(1, 2001))
    assert set(np.unique(a["accounts"]["subject_id"])) == set(range(1, 2001))
    assert len(np.unique(a["accounts"]["id"])) == len(a["accounts"]["id"])


def test_scale_bench_pipeline_agrees_on_a_small_population(tmp_path):
    """bench/scale.py end to end without Spark: generated files, DuckDB and the NumPy ceiling
    give the same scores; a subset of buckets scores on its own."""
    from bench import scale

    gen = scale.generate(3000, tmp_path / "x", log=lambda _m: None)
    assert gen["rows"]["subjects"] == 3000 and gen["rows"]["account_months"] > 100_000
    duck = scale.child_duckdb(tmp_path / "x", tmp_path / "duck")
    ceiling = scale.child_numpy(tmp_path / "x", tmp_path / "np")
    assert duck["rows"] == ceiling["rows"] == 3000 and duck["peak_rss"] > 0
    assert scale.same_scores(tmp_path / "duck", tmp_path / "np") == (3000, 3000)
    part = scale.subset(tmp_path / "x", tmp_path / "sub", [0, 1])
    n = E.duckdb_score_parquet(scale._load_card(), scale.AS_OF, part, tmp_path / "sub-scores")
    assert 0 < n < 3000
