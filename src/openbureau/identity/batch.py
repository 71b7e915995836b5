"""Batch linkage: blocked pairs of a whole population scored with the shipped model, on DuckDB or
Spark, from one definition.

The engine's work is SQL generated here from ``identity.comparisons`` (the levels online
resolution and splink use): candidate pairs from the keyed-hash blocking keys (the keys online
resolution looks up, ``identity_store.blocking_keys``; a key shared by more than
``MAX_BLOCK`` records finds no pairs, as online), and per comparison the index of the first
level that holds (``CASE WHEN level.sql THEN i ...``). DuckDB runs the levels' SQL as written;
Spark runs it transpiled by sqlglot, with the three string functions Spark lacks registered as
UDFs over rapidfuzz (the library the in-process scorer uses). The match weight of a pair is
then computed once, in numpy, from its levels and the names' frequencies with the in-process
scorer's own tables (``MatchModel``): the same weight whatever engine found the levels, and
the same as ``MatchModel.score`` (``tests/unit/test_relink.py`` checks both).

The engine sees comparable features (decrypted in the relinking process) and returns only
record ids, level indices and name frequencies: no identity value leaves it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openbureau.identity.comparisons import COMPARISONS
from openbureau.identity.features import Features
from openbureau.identity.model import Match, MatchModel, Part

# a blocking key shared by more records than this finds no pairs (a crowd: every "Ada" born
# that day); about the online limit of 64 files, at four records a file
MAX_BLOCK = 256
FEATURES = ("first", "first_nicks", "middle", "surname", "surname_phon", "gen", "nid", "dob",
            "dob_y", "dob_m", "dob_d", "addr", "zip", "phone")
TF = ("first", "surname")
LEVELS = tuple(f"g_{c.name}" for c in COMPARISONS)
VIEW = "relink_records"


def row(rid: int, f: Features, keys: Iterable[str], model: MatchModel) -> dict[str, Any]:
    """One record as the engines read it: its id, blocking keys (keyed hashes), features and
    name frequencies."""
    out: dict[str, Any] = {"rid": rid, "keys": sorted({_key64(k) for k in keys}),
                           **f.as_row()}
    for col in TF:
        out[f"tf_{col}"] = model.tf.get(col, {}).get(getattr(f, col) or "")
    return out


def _key64(key: str) -> int:
    """A blocking key's first 64 bits, as a signed integer: what the engine joins on (a keyed
    hash still; two keys sharing 64 bits only add a pair the model then scores)."""
    return int(key[:16], 16) - (1 << 63)


def schema() -> Any:
    import pyarrow as pa

    s, i16, i64, f64 = pa.string(), pa.int16(), pa.int64(), pa.float64()
    types = {"first_nicks": pa.list_(s), "dob_y": i16, "dob_m": i16, "dob_d": i16}
    return pa.schema([("rid", i64), ("keys", pa.list_(i64)),
                      *((c, types.get(c, s)) for c in FEATURES),
                      *((f"tf_{c}", f64) for c in TF)])


def _case(comparison: Any, dialect: str) -> str:
    import sqlglot

    whens = []
    for i, level in enumerate(comparison.levels[:-1]):
        cond = level.sql if dialect == "duckdb" else sqlglot.transpile(
            level.sql, read="duckdb", write=dialect)[0]
        whens.append(f"WHEN {cond} THEN {i}")
    return f"CASE {' '.join(whens)} ELSE {len(comparison.levels) - 1} END"


def pairs_sql(dialect: str, max_block: int = MAX_BLOCK) -> str:
    """The query over the view ``relink_records`` giving each blocked pair once (``rid_l <
    rid_r``) with each comparison's level index and both sides' name frequencies."""
    q = '"' if dialect == "duckdb" else "`"
    explode = "unnest" if dialect == "duckdb" else "explode"
    # every name in this SQL is the code's own (comparisons, columns), never input
    keyed = f"SELECT rid, {explode}(keys) AS k FROM {VIEW}"  # noqa: S608  # nosec B608
    sides = ", ".join(f"{side}.{q}{c}{q} AS {q}{c}_{side}{q}"
                      for c in (*FEATURES, *(f"tf_{t}" for t in TF)) for side in ("l", "r"))
    levels = ", ".join(f"{_case(c, dialect)} AS g_{c.name}" for c in COMPARISONS)
    tfs = ", ".join(f"{q}tf_{t}_{s}{q}" for t in TF for s in ("l", "r"))
    return f"""
WITH keyed AS ({keyed}),
small AS (SELECT k FROM keyed GROUP BY k HAVING COUNT(*) > 1 AND COUNT(*) <= {max_block}),
blocked AS (
  SELECT DISTINCT a.rid AS rid_l, b.rid AS rid_r
  FROM keyed a JOIN small s ON a.k = s.k JOIN keyed b ON b.k = a.k AND a.rid < b.rid),
wide AS (
  SELECT p.rid_l, p.rid_r, {sides}
  FROM blocked p JOIN {VIEW} l ON l.rid = p.rid_l JOIN {VIEW} r ON r.rid = p.rid_r)
SELECT rid_l, rid_r, {levels}, {tfs} FROM wide"""  # noqa: S608  # nosec B608


# -- weights ------------------------------------------------------------------------------------

def weights(model: MatchModel, table: Any) -> Any:
    """Each pair's match weight (numpy float64) from its level indices and name frequencies:
    ``MatchModel.score``'s arithmetic, vectorised."""
    import numpy as np

    total = np.full(table.num_rows, model.prior, dtype=np.float64)
    for c in COMPARISONS:
        g = table.column(f"g_{c.name}").to_numpy(zero_copy_only=False).astype(np.int64)
        total += np.asarray(model._weights[c.name], dtype=np.float64)[g]
        for i, (column, log2_u, minimum) in model._tf_adjust.get(c.name, {}).items():
            tl = table.column(f"tf_{column}_l").to_numpy(zero_copy_only=False)
            tr = table.column(f"tf_{column}_r").to_numpy(zero_copy_only=False)
            tl = np.asarray(tl, dtype=np.float64)
            tr = np.asarray(tr, dtype=np.float64)
            known = (g == i) & ~(np.isnan(tl) & np.isnan(tr))
            biggest = np.fmax(np.fmax(np.nan_to_num(tl, nan=0.0), np.nan_to_num(tr, nan=0.0)),
                              minimum)
            with np.errstate(divide="ignore"):
                adjust = log2_u - np.log2(np.where(known, biggest, 1.0))
            total += np.where(known, adjust, 0.0)
    return total


def explain(model: MatchModel, levels: dict[str, int], tf: dict[str, float | None]) -> Match:
    """One pair's ``Match`` (weight and each comparison's level and weight) from its level
    indices and name frequencies (``tf``: ``first_l``, ``first_r``...), as the scorer gives."""
    parts = []
    for c in COMPARISONS:
        i = levels[c.name]
        w = model._weights[c.name][i]
        adjust = model._tf_adjust.get(c.name, {}).get(i)
        if adjust is not None:
            column, log2_u, minimum = adjust
            ta, tb = tf.get(f"{column}_l"), tf.get(f"{column}_r")
            ta = None if ta is None or math.isnan(ta) else ta
            tb = None if tb is None or math.isnan(tb) else tb
            if ta is not None or tb is not None:
                w += log2_u - math.log2(max(ta or 0.0, tb or 0.0, minimum))
        parts.append(Part(c.name, model._labels[c.name][i], w))
    return Match(model.prior + sum(p.weight for p in parts), tuple(parts))


# -- engines ------------------------------------------------------------------------------------

def duckdb_levels(records: Any, out: Path, *, threads: int = 2,
                  memory_limit: str = "2GB", temp_dir: Path | None = None) -> int:
    """The pairs' levels (``pairs_sql``) on DuckDB in-process, written to ``out`` (Parquet);
    the number of pairs."""
    import duckdb

    if "'" in str(out) or (temp_dir is not None and "'" in str(temp_dir)):
        raise ValueError("a run directory's path may not contain a quote")
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
        raise ValueError("a memory limit is a size such as 4GB")
    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        if temp_dir is not None:
            con.execute(f"SET temp_directory = '{temp_dir}'")
        con.register(VIEW, records)
        levels = ", ".join(f"CAST(g_{c.name} AS INTEGER) AS g_{c.name}" for c in COMPARISONS)
        tfs = ", ".join(f"CAST(tf_{t}_{s} AS DOUBLE) AS tf_{t}_{s}" for t in TF for s in "lr")
        query = (f"SELECT CAST(rid_l AS BIGINT) AS rid_l, CAST(rid_r AS BIGINT) AS rid_r, "  # noqa: S608  # nosec B608
                 f"{levels}, {tfs} FROM ({pairs_sql('duckdb')}) ORDER BY rid_l, rid_r")
        con.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
        found = con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()
        return int(found[0]) if found else 0
    finally:
        con.close()


def _spark_functions() -> dict[str, tuple[Any, str]]:
    from rapidfuzz.distance import DamerauLevenshtein, Hamming, JaroWinkler

    def jw(a: str | None, b: str | None) -> float | None:
        return None if a is None or b is None else float(JaroWinkler.similarity(a, b))

    def hamming(a: str | None, b: str | None) -> int | None:
        if a is None or b is None or len(a) != len(b):
            return None
        return int(Hamming.distance(a, b))

    def dl(a: str | None, b: str | None) -> int | None:
        return None if a is None or b is None else int(DamerauLevenshtein.distance(a, b))

    return {"jarowinkler_similarity": (jw, "double"), "hamming": (hamming, "int"),
            "damerau_levenshtein": (dl, "int")}


def spark_levels(spark: Any, records: Any, out: Path) -> int:
    """The same on Spark: the records as a DataFrame (from Arrow, in the driver), the
    transpiled query, its result written to ``out`` as one Parquet file."""
    import warnings

    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, (fn, kind) in _spark_functions().items():
        spark.udf.register(name, fn, kind)
    with warnings.catch_warnings():
        # pyspark's Arrow conversion checks the pandas version even when pandas is not used
        warnings.simplefilter("ignore", FutureWarning)
        frame = spark.createDataFrame(records, schema=_spark_schema())
        frame.createOrReplaceTempView(VIEW)
        table = spark.sql(pairs_sql("spark") + " ORDER BY rid_l, rid_r").toArrow()
    table = table.cast(pa.schema([(f.name, pa.int64() if f.name.startswith("rid") else
                                   pa.int32() if f.name.startswith("g_") else pa.float64())
                                  for f in table.schema]))
    pq.write_table(table, out, compression="zstd")
    return int(table.num_rows)


def _spark_schema() -> str:
    types = {"rid": "bigint", "keys": "array<bigint>", "first_nicks": "array<string>",
             "dob_y": "smallint", "dob_m": "smallint", "dob_d": "smallint", "tf_first": "double",
             "tf_surname": "double"}
    cols = ["rid", "keys", *FEATURES, *(f"tf_{c}" for c in TF)]
    return ", ".join(f"`{c}` {types.get(c, 'string')}" for c in cols)
