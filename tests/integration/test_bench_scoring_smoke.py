"""The scoring benchmark still runs: on 2,000 GMSC rows every in-runtime engine (the NumPy
ceiling, ``score_frame``, the NumPy engine, the card SQL on DuckDB and SQLite) gives the same
scores, the kernel's first-call measurement runs, and on a few synthetic people DuckDB and the
Python reference agree. Never asserts on a time; no peers' virtualenv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

bench = pytest.importorskip("bench.scoring")


@pytest.fixture(scope="module")
def rows():
    if not bench.GMSC.exists():
        pytest.skip(f"{bench.GMSC} is not here")
    attrs, _ = bench.gmsc_attributes()
    return bench.draw_rows(attrs, 2_000)


def test_engines_give_the_same_scores(rows) -> None:
    card = bench.load_card()
    engines = ("ceiling", "numpy", "numpy_only", "duckdb", "sqlite")
    seconds, scores = bench.in_runtime(card, rows, engines, repeats=1, log=lambda _m: None)
    assert set(scores) == set(engines)
    for name, s in scores.items():
        assert s.shape == (2_000,), name
        assert np.array_equal(s, scores["numpy"]), name
    assert (scores["numpy"] >= card.scaling.min).all()


def test_the_kernel_compiles_in_a_fresh_process_then_loads_from_the_cache() -> None:
    startup = bench.kernel_startup()
    assert set(startup) == {"compile", "cached"}
    assert all(s > 0 for s in startup.values())


def test_people_scored_alike_from_raw_accounts(tmp_path: Path) -> None:
    result = bench.run_people(60, tmp_path, log=lambda _m: None)
    assert result["scored"] == 60
    assert result["agree"] == result["sample"] == 60
