"""The NumPy engine (the card compiled to arrays) scores exactly as the reference does, on the
bin edges, just inside and outside them, on special and missing values, and refuses what the
reference refuses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbureau.scoring.reference import OutOfDomain, score_attributes
from openbureau.scoring.spec import load_spec
from openbureau.scoring.vectorised import VectorCard

SHIPPED = Path(__file__).resolve().parents[2] / "src/openbureau/scoring/models/gmsc-2026.11.1.json"
CARD = load_spec(SHIPPED)


def _values(attr):  # type: ignore[no-untyped-def]
    edges = [b.upper for b in attr.bins[:-1]]
    near = [e + d for e in edges for d in (-0.5, -1e-9, 0.0, 1e-9, 0.5)]
    specials = [v for s in attr.special for v in s.values]
    return st.one_of(st.none(), st.sampled_from(near + specials + [0.0, 1.0, 97.0]),
                     st.floats(min_value=0, max_value=1e7, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({a.name: _values(a) for a in CARD.attributes}))
def test_same_score_as_the_reference(row):
    compiled = VectorCard(CARD)
    try:
        expected = score_attributes(CARD, row).value
    except OutOfDomain:
        with pytest.raises(OutOfDomain):
            compiled.score({k: np.array([np.nan if v is None else v]) for k, v in row.items()}, 1)
        return
    got = compiled.score({k: np.array([np.nan if v is None else v]) for k, v in row.items()}, 1)
    assert int(got[0]) == expected


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
