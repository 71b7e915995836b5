"""Both batch engines (the numba kernel and NumPy) score exactly as the reference does, on the bin
edges, just inside and outside them, on special and missing values, across chunk boundaries, and
refuse what the reference refuses, naming the same attribute and value."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbureau.scoring import _kernel
from openbureau.scoring.reference import OutOfDomain, score_attributes
from openbureau.scoring.spec import load_spec, spec_from_dict, spec_to_dict
from openbureau.scoring.vectorised import VectorCard

SHIPPED = Path(__file__).resolve().parents[2] / "src/openbureau/scoring/models/gmsc-2026.11.1.json"
CARD = load_spec(SHIPPED)
ENGINES = ("compiled", "numpy")


def _wide_card():  # type: ignore[no-untyped-def]
    """The shipped card plus an attribute with more edges than the kernel compares one by one
    (so it takes the binary search), a bounded domain, and special values outside it."""
    data = spec_to_dict(CARD)
    k = _kernel.MAX_COMPARE + 12
    edges = [round(0.5 + 0.25 * i, 2) for i in range(k)]
    bounds = [None, *edges, None]
    data["attributes"].append({
        "name": "wide", "kind": "numeric", "reason_code": "R99", "reason_text": "A test.",
        "domain": {"min": -5.0, "max": 100.0},
        "bins": [{"lower": bounds[i], "upper": bounds[i + 1], "points": (7 * i) % 23 - 11}
                 for i in range(k + 1)],
        "special": [{"values": [-9, 150], "points": -40}, {"values": [3.5], "points": 44}],
        "missing_points": 5})
    return spec_from_dict(data)


WIDE = _wide_card()


def _values(attr):  # type: ignore[no-untyped-def]
    edges = [b.upper for b in attr.bins[:-1]]
    near = [e + d for e in edges for d in (-0.5, -1e-9, 0.0, 1e-9, 0.5)]
    specials = [v for s in attr.special for v in s.values]
    return st.one_of(st.none(), st.sampled_from(near + specials + [0.0, 1.0, 97.0]),
                     st.floats(min_value=0, max_value=1e7, allow_nan=False),
                     st.floats(allow_nan=False), st.just(np.inf))


def _check_row(card, engine, row):  # type: ignore[no-untyped-def]
    compiled = VectorCard(card, engine)
    columns = {k: np.array([np.nan if v is None else v]) for k, v in row.items()}
    try:
        expected = score_attributes(card, row).value
    except OutOfDomain as exc:
        with pytest.raises(OutOfDomain) as info:
            compiled.score(columns, 1)
        assert info.value.attribute == exc.attribute
        return
    assert int(compiled.score(columns, 1)[0]) == expected


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=300, deadline=None)
@given(row=st.fixed_dictionaries({a.name: _values(a) for a in CARD.attributes}))
def test_same_score_as_the_reference(engine, row):
    _check_row(CARD, engine, row)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=200, deadline=None)
@given(row=st.fixed_dictionaries({a.name: _values(a) for a in WIDE.attributes}))
def test_same_score_as_the_reference_past_the_comparisons(engine, row):
    _check_row(WIDE, engine, row)


def _batch(card, n, seed):  # type: ignore[no-untyped-def]
    """``n`` rows in the domain: edges and their neighbours, specials, NaN, anything else."""
    rng = np.random.default_rng(seed)
    columns = {}
    for a in card.attributes:
        edges = np.asarray([b.upper for b in a.bins[:-1]])
        near = (edges[:, None] + np.array([-1e-9, 0.0, 1e-9, 0.3])).ravel()
        pool = np.concatenate([near[near >= (a.domain_min or 0)],
                               [v for s in a.special for v in s.values], [np.nan, 0.0]])
        x = np.where(rng.random(n) < 0.5, rng.choice(pool, n), rng.uniform(0, 100, n))
        columns[a.name] = x
    return columns


@pytest.mark.parametrize("card", [CARD, WIDE], ids=["shipped", "wide"])
def test_a_batch_across_chunks_is_scored_row_by_row_as_the_reference(card):
    n = 3 * _kernel.CHUNK + 17
    columns = _batch(card, n, 11)
    expected = [score_attributes(card, {k: (None if np.isnan(v[i]) else float(v[i]))
                                        for k, v in columns.items()}).value for i in range(n)]
    for engine in ENGINES:
        assert VectorCard(card, engine).score(columns, n).tolist() == expected, engine
    assert len(set(expected)) > 50


@pytest.mark.parametrize("where", [0, _kernel.CHUNK - 1, _kernel.CHUNK, 2500])
def test_a_refusal_names_the_first_bad_value_of_the_first_bad_attribute(where):
    n = 3000
    columns = _batch(CARD, n, 5)
    columns["monthly_income"][where:] = -1.0 - np.arange(n - where)  # out of domain from `where`
    columns["debt_ratio"][n - 1] = np.inf              # between the two in the card
    columns["open_trades"][n - 1] = -2.0               # earlier in the card, and last
    for engine in ENGINES:
        with pytest.raises(OutOfDomain) as info:
            VectorCard(CARD, engine).score(columns, n)
        assert (info.value.attribute, info.value.value) == ("open_trades", -2.0), engine
    columns["open_trades"][n - 1] = 2.0
    columns["debt_ratio"][n - 1] = 0.5
    for engine in ENGINES:
        with pytest.raises(OutOfDomain) as info:
            VectorCard(CARD, engine).score(columns, n)
        assert (info.value.attribute, info.value.value) == ("monthly_income", -1.0), engine


def test_absent_columns_are_missing_and_no_columns_score_the_intercept():
    n = 5
    some = {"revolving_utilization": np.full(n, 0.5)}
    assert VectorCard(CARD, "compiled").score(some, n).tolist() == \
        VectorCard(CARD, "numpy").score(some, n).tolist() == \
        [score_attributes(CARD, {"revolving_utilization": 0.5}).value] * n
    assert VectorCard(CARD).score({}, 3).tolist() == [score_attributes(CARD, {}).value] * 3


def test_without_numba_auto_scores_with_numpy_and_compiled_is_refused(monkeypatch):
    """numba is the ``train`` extra's, not a runtime dependency: where it is not installed the
    default engine is NumPy (same scores), and asking for the compiled one says why not."""
    monkeypatch.setitem(sys.modules, "numba", None)      # import fails, as where not installed
    _kernel.compiled.cache_clear()
    try:
        engine = VectorCard(WIDE)
        assert engine.engine == "numpy"
        rng = np.random.default_rng(3)
        cols = {a.name: rng.choice([np.nan, 0.0, 1.0, 2.0, 5.0, 0.4, 0.9], 500)
                for a in WIDE.attributes if a.kind == "numeric"}
        cols["wide"] = rng.uniform(-5.0, 100.0, 500)
        rows = [{k: None if np.isnan(v[i]) else float(v[i]) for k, v in cols.items()}
                for i in range(500)]
        assert engine.score(cols, 500).tolist() == [score_attributes(WIDE, r).value
                                                    for r in rows]
        with pytest.raises(RuntimeError, match="needs numba"):
            VectorCard(WIDE, "compiled")
    finally:
        monkeypatch.undo()
        _kernel.compiled.cache_clear()
    assert VectorCard(WIDE).engine == "compiled"


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        VectorCard(CARD, "gpu")


def test_count_attributes_use_a_lookup_table_and_ratios_do_not():
    compiled = VectorCard(CARD)
    kinds = {name: n.lookup is not None for name, n in compiled._numeric.items()}
    assert kinds["dpd_30_59_24m"] and kinds["open_trades"]
    assert not kinds["revolving_utilization"] and not kinds["debt_ratio"]


def test_negative_count_and_infinite_ratio_are_refused():
    compiled = VectorCard(CARD)
    with pytest.raises(OutOfDomain):
        compiled.points("open_trades", np.array([3.0, -1.0]), 2)
    with pytest.raises(OutOfDomain):
        compiled.points("revolving_utilization", np.array([np.inf]), 1)
