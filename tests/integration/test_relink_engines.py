"""DuckDB and Spark (a real ``local[2]``) re-link a sample population to the same pairs, the
same weights and the same clusters. Spark runs when pyspark and Java are present; it is
mandatory with ``REQUIRE_SPARK=1`` or in CI."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from openbureau.services import relink
from tests.integration.test_engines_agree import spark  # noqa: F401  (the one Spark session)
from tests.unit.test_relink import VAULT, population_parts

pytestmark = pytest.mark.spark


def test_duckdb_and_spark_find_the_same_clusters(spark, tmp_path):  # noqa: F811
    # half the people's records on files of their own, some files holding two people
    pop, parts = population_parts(
        250, seed=43, files_of=lambda r, i: (r.pid // 2) * 1000 + (i % 3 if r.pid % 5 else 0))
    runs = {}
    for engine in relink.ENGINES:
        relink.start_from(tmp_path / engine, parts)
        runs[engine] = relink.Run(tmp_path / engine, VAULT, spark=spark,
                                  options=relink.Options(engine=engine,
                                                         stop_after="clusters"))
        runs[engine].execute()
        assert runs[engine].summary()["engine"] == engine
    pairs = {e: pq.read_table(tmp_path / e / "pairs.parquet") for e in runs}
    assert pairs["duckdb"].num_rows > 300
    assert pairs["duckdb"].to_pylist() == pairs["spark"].to_pylist()
    clusters = {e: pq.read_table(tmp_path / e / "clusters.parquet") for e in runs}
    assert clusters["duckdb"].equals(clusters["spark"])
    assert runs["duckdb"].moves() == runs["spark"].moves()
    kinds = {m["kind"] for m in runs["duckdb"].moves()}
    assert kinds == {"merge", "split"}
