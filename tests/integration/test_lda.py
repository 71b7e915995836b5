"""The less-discriminatory-alternative search: its declared space, the paired comparison, the
selection rule fixed in advance, the confirmation, and the published result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openbureau.modelling.lda import (
    BASELINE,
    TARGETS,
    TOLERANCE,
    Candidate,
    search,
    search_space,
    to_markdown,
)

pytestmark = pytest.mark.data
PUBLISHED = Path(__file__).parents[2] / "docs" / "lda.json"


def test_the_declared_space_has_at_least_200_cards():
    columns = [f"c{i}" for i in range(16)]
    space = search_space(columns)
    assert len(space) == 459 and len(set(space)) == 459
    assert BASELINE in space
    assert {c.dropped for c in space} == {None, *columns}


def test_a_narrow_search_follows_the_rule(shared_data):
    space = [BASELINE, Candidate("duration_in_month", 0.05, "default", 1.0),
             Candidate(None, 0.1, "monotone", 0.3), Candidate("purpose", 0.02, "free", 0.05)]
    res = search("german", shared_data, repeats=2, confirm=2, progress=lambda _: None,
                 space=space)
    assert res["candidates"] == 4
    base = next(r for r in res["all"] if r["label"] == BASELINE.label)
    # paired: the baseline against itself is exactly 0 on every repeat
    assert base["delta_auc"]["mean"] == 0 and base["delta_auc"]["ci95"] == [0.0, 0.0]
    eligible = [r for r in res["all"] if r["delta_auc"]["mean"] >= -TOLERANCE["german"]]
    assert res["eligible"] == len(eligible)
    best = max(eligible, key=lambda r: (r["lowest_air_650"]["mean"], r["delta_auc"]["mean"]))
    d = res["decision"]
    if best["label"] == BASELINE.label or \
            best["lowest_air_650"]["mean"] <= base["lowest_air_650"]["mean"]:
        assert d["result"] == "none found" and not d["adopted"]
    else:
        assert d["chosen"] == best["label"] and d["confirmation_seeds"] == 2
        assert d["adopted"] == (d["held_in"] >= 0.8)
        assert d["result"] == ("found" if d["adopted"] else "none found")
    # a target is "found" only when an eligible candidate's mean AIR reaches it
    for t in res["targets"]:
        assert t["target"] == TARGETS["german"][t["metric"].split("/")[0]]
        assert (t["result"] == "found") == (t["best_eligible"]["mean"] >= t["target"])
    # the frontier is not dominated
    for key, front in res["frontier"].items():
        for a in front:
            for r in res["all"]:
                assert not (r["delta_auc"]["mean"] > a["delta_auc"]["mean"]
                            and r["air"][key]["mean"] > a["air"]["mean"])
    md = to_markdown([res])
    assert "Result:" in md and "Frontier of ΔAUC" in md


def test_the_published_search_on_german_credit():
    res = json.loads(PUBLISHED.read_text())[0]
    assert res["dataset"] == "german_credit.csv.gz"
    assert res["candidates"] >= 200 and res["repeats"] >= 5
    assert res["seconds"] < 30 * 60
    assert res["decision"]["result"] in ("found", "none found")
    assert {t["result"] for t in res["targets"]} <= {"found", "none found"}
    assert len(res["targets"]) == 2 * 4          # sex and age, at every published cut-off


def test_the_published_search_on_taiwan():
    res = json.loads((PUBLISHED.parent / "lda-taiwan.json").read_text())[0]
    assert res["dataset"] == "taiwan_default.csv.gz" and res["candidates"] >= 200
    d = res["decision"]
    assert d["result"] == ("found" if d["held_in"] >= 0.8 else "none found")
    assert {t["metric"].split("/")[0] for t in res["targets"]} == {"sex", "age",
                                                                    "marital status"}
