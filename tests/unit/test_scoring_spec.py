"""The scorecard spec, its validation, and the reference scorer on a tiny frozen spec."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

from openbureau.scoring.reference import OutOfDomain, score_attributes
from openbureau.scoring.spec import (
    Scorecard,
    SpecError,
    dump_spec,
    load_spec,
    spec_to_dict,
)

TINY: dict[str, Any] = {
    "format": "openbureau.scorecard/1",
    "version": "tiny-2026.11.1",
    "created_at": "2026-11-25T00:00:00+00:00",
    "scaling": {"base_score": 600, "base_odds": 20, "pdo": 40, "min": 350, "max": 950},
    "intercept_points": 600,
    "attributes": [
        {
            "name": "revolving_utilization", "kind": "numeric",
            "reason_code": "R01", "reason_text": "Balances are high compared with limits.",
            "domain": {"min": 0, "max": None},
            "bins": [
                {"lower": None, "upper": 0.3, "points": 40},
                {"lower": 0.3, "upper": 0.9, "points": 0},
                {"lower": 0.9, "upper": None, "points": -60},
            ],
            "missing_points": -10,
        },
        {
            "name": "dpd_90_plus_24m", "kind": "numeric",
            "reason_code": "R04", "reason_text": "Payments 90+ days late; pay on time.",
            "domain": {"min": 0, "max": 50},
            "bins": [
                {"lower": None, "upper": 1, "points": 20},
                {"lower": 1, "upper": None, "points": -200},
            ],
            "special": [{"values": [96, 98], "points": -150}],
            "missing_points": 0,
        },
        {
            "name": "housing", "kind": "categorical",
            "reason_code": "R10", "reason_text": "Housing status.",
            "categories": [{"values": ["own", "mortgage"], "points": 15},
                           {"values": ["rent"], "points": -5}],
            "missing_points": -20,
        },
    ],
    "training": {"dataset": "hand-written"},
}


def tiny() -> dict[str, Any]:
    return copy.deepcopy(TINY)


@pytest.fixture
def card() -> Scorecard:
    return load_spec(tiny())


# ------------------------------------------------------------------------------ round trip


def test_round_trip_through_json_file(tmp_path, card):
    path = tmp_path / "tiny.json"
    text = dump_spec(card, path)
    assert json.loads(path.read_text()) == json.loads(text)
    again = load_spec(path)
    assert again == card
    assert spec_to_dict(again)["attributes"][1]["special"] == [{"values": [96, 98], "points": -150}]
    assert again.attribute("housing").categories[0].values == ("own", "mortgage")


def test_dump_keeps_one_bin_per_line(card):
    text = dump_spec(card)
    assert '{"lower": 0.3, "upper": 0.9, "points": 0}' in text


# ------------------------------------------------------------------------------ validation


def _broken(mutate) -> dict[str, Any]:
    data = tiny()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other/2"), "format"),
        (lambda d: d["attributes"][0]["bins"][1].update(lower=0.25), "contiguous"),
        (lambda d: d["attributes"][0]["bins"][1].update(points=1.5), "integer"),
        (lambda d: d["attributes"][0]["bins"][1].update(points=True), "integer"),
        (lambda d: d.update(intercept_points=600.0), "integer"),
        (lambda d: d["attributes"][0].update(missing_points=None), "integer"),
        (lambda d: d["scaling"].update(min=950, max=350), "below scaling.max"),
        (lambda d: d["scaling"].update(pdo=0), "pdo"),
        (lambda d: d["attributes"][1].update(reason_code="R01"), "reason code"),
        (lambda d: d["attributes"][1].update(name="revolving_utilization"), "twice"),
        (lambda d: d["attributes"][0].update(name="age"), "personal characteristic"),
        (lambda d: d["attributes"][0].update(name="NumberOfDependents"), "snake_case"),
        (lambda d: d["attributes"][0].update(name="number_of_dependents"), "personal"),
        (lambda d: d["attributes"][0]["bins"][0].update(lower=0.1), "domain starts"),
        (lambda d: d["attributes"][1]["bins"][1].update(upper=50), "domain reaches"),
        (lambda d: d["attributes"][0]["bins"][2].update(upper=5.0), "domain reaches"),
        (lambda d: d["attributes"][0]["bins"][1].update(upper=None), "only the last"),
        (lambda d: d["attributes"][0]["bins"].reverse(), "bin"),
        (lambda d: d["attributes"][1]["special"].append({"values": [98], "points": 1}), "twice"),
        (lambda d: d["attributes"][1]["special"][0].update(values=["96"]), "finite number"),
        (lambda d: d["attributes"][2]["categories"][1].update(values=["own"]), "twice"),
        (lambda d: d["attributes"][2].update(kind="ordinal"), "kind"),
        (lambda d: d["attributes"][0].update(reason_code="reason-1"), "reason_code"),
        (lambda d: d["attributes"][0].update(reason_text=" "), "reason_text"),
        (lambda d: d["attributes"][0].pop("bins"), "at least one bin"),
        (lambda d: d.pop("intercept_points"), "intercept_points"),
        (lambda d: d["attributes"][0]["bins"][1].update(lower=math.nan), "finite"),
    ],
)
def test_validation_rejects(mutate, message):
    with pytest.raises(SpecError, match=message):
        load_spec(_broken(mutate))


def test_load_rejects_invalid_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(path)


# ------------------------------------------------------------------------------ reference scorer

GOLDEN = [
    # (attributes, score, points)
    ({"revolving_utilization": 0.1, "dpd_90_plus_24m": 0, "housing": "own"}, 675,
     {"revolving_utilization": 40, "dpd_90_plus_24m": 20, "housing": 15}),
    ({"revolving_utilization": 0.3, "dpd_90_plus_24m": 0, "housing": "rent"}, 615,
     {"revolving_utilization": 0, "dpd_90_plus_24m": 20, "housing": -5}),
    ({"revolving_utilization": 0.9, "dpd_90_plus_24m": 1, "housing": "mortgage"}, 355,
     {"revolving_utilization": -60, "dpd_90_plus_24m": -200, "housing": 15}),
    ({"revolving_utilization": 0.0, "dpd_90_plus_24m": 0.999, "housing": "rent"}, 655,
     {"revolving_utilization": 40, "dpd_90_plus_24m": 20, "housing": -5}),
]


@pytest.mark.parametrize(("attrs", "score", "points"), GOLDEN)
def test_golden_scores(card, attrs, score, points):
    result = score_attributes(card, attrs)
    assert result.value == score
    assert result.points == points
    assert result.raw == score
    assert result.flags == []


def test_missing_values_take_the_missing_bin(card):
    result = score_attributes(card, {"revolving_utilization": None,
                                     "dpd_90_plus_24m": float("nan")})
    assert result.points == {"revolving_utilization": -10, "dpd_90_plus_24m": 0, "housing": -20}
    assert result.value == 570
    assert result.flags == ["missing:revolving_utilization", "missing:dpd_90_plus_24m",
                            "missing:housing"]


@pytest.mark.parametrize("code", [96, 98, 96.0])
def test_special_values_get_their_own_points(card, code):
    result = score_attributes(card, {"revolving_utilization": 0.5, "dpd_90_plus_24m": code,
                                     "housing": "own"})
    assert result.points["dpd_90_plus_24m"] == -150
    assert result.value == 600 + 0 - 150 + 15
    assert "special:dpd_90_plus_24m" in result.flags


@pytest.mark.parametrize("value", [51, 97])
def test_special_codes_may_lie_outside_the_domain_but_their_neighbours_may_not(card, value):
    with pytest.raises(OutOfDomain):
        score_attributes(card, {"revolving_utilization": 0.5, "dpd_90_plus_24m": value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("revolving_utilization", -0.01),
        ("revolving_utilization", float("inf")),
        ("revolving_utilization", "high"),
        ("revolving_utilization", True),
        ("dpd_90_plus_24m", 50.5),
        ("housing", "castle"),
        ("housing", 3),
    ],
)
def test_out_of_domain_is_refused(card, name, value):
    attrs = {"revolving_utilization": 0.1, "dpd_90_plus_24m": 0, "housing": "own", name: value}
    with pytest.raises(OutOfDomain) as info:
        score_attributes(card, attrs)
    assert info.value.attribute == name
    assert info.value.value == value or (value != value)


def test_domain_bounds_are_inclusive(card):
    result = score_attributes(card, {"revolving_utilization": 0, "dpd_90_plus_24m": 50,
                                     "housing": "own"})
    assert result.points["dpd_90_plus_24m"] == -200


def test_scores_are_clipped_to_the_range(card):
    low = score_attributes(card, {"revolving_utilization": 5.0, "dpd_90_plus_24m": 3,
                                  "housing": None})
    assert low.raw == 600 - 60 - 200 - 20 == 320
    assert low.value == 350
    assert "clipped:min" in low.flags

    data = tiny()
    data["intercept_points"] = 900
    high = score_attributes(load_spec(data), {"revolving_utilization": 0.1,
                                              "dpd_90_plus_24m": 0, "housing": "own"})
    assert (high.raw, high.value, high.flags) == (975, 950, ["clipped:max"])


def test_attributes_the_card_does_not_use_are_ignored(card):
    base = {"revolving_utilization": 0.1, "dpd_90_plus_24m": 0, "housing": "own"}
    assert score_attributes(card, {**base, "inquiries_6m": 7}).value == \
        score_attributes(card, base).value


# ------------------------------------------------------------------------------ vectorised twin


def test_vectorised_scorer_matches_the_reference(card):
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    from openbureau.modelling.evaluate import score_frame

    rng = np.random.default_rng(7)
    n = 2000
    util = rng.choice([0.0, 0.1, 0.2999, 0.3, 0.5, 0.8999, 0.9, 1.5, 40.0, np.nan], n)
    dpd = rng.choice([0.0, 0.5, 1.0, 2.0, 50.0, 96.0, 98.0, np.nan], n)
    housing = rng.choice(np.array(["own", "mortgage", "rent", None], dtype=object), n)
    frame = pd.DataFrame({"revolving_utilization": util, "dpd_90_plus_24m": dpd,
                          "housing": housing})
    expected = [
        score_attributes(card, {k: (None if v is None or v != v else v) for k, v in row.items()})
        .value
        for row in frame.to_dict("records")
    ]
    got = score_frame(card, frame)
    assert got.dtype.kind == "i"
    assert got.tolist() == expected
    assert len(set(expected)) > 10


def test_vectorised_scorer_refuses_out_of_domain(card):
    pd = pytest.importorskip("pandas")
    from openbureau.modelling.evaluate import score_frame

    frame = pd.DataFrame({"revolving_utilization": [0.1, -1.0], "dpd_90_plus_24m": [0, 0],
                          "housing": ["own", "own"]})
    with pytest.raises(OutOfDomain) as info:
        score_frame(card, frame)
    assert info.value.attribute == "revolving_utilization"
    frame = pd.DataFrame({"revolving_utilization": [0.1], "dpd_90_plus_24m": [97],
                          "housing": ["own"]})
    with pytest.raises(OutOfDomain):
        score_frame(card, frame)
    frame = pd.DataFrame({"revolving_utilization": [0.1], "dpd_90_plus_24m": [0],
                          "housing": ["castle"]})
    with pytest.raises(OutOfDomain):
        score_frame(card, frame)


# ------------------------------------------------------------------------------ pair rows

PAIR: dict[str, Any] = {
    "name": "utilization_with_late", "x": "revolving_utilization", "y": "dpd_90_plus_24m",
    "x_edges": [0.3, 0.9], "y_edges": [1.0],
    "points": [[0, -4], [-2, -9], [-5, -20]], "missing_points": -1,
    "reasons": [[None, "R20"], ["R21", "R22"], ["R21", "R22"]],
    "reason_texts": {"R20": "Late payments, more so with these balances.",
                     "R21": "High balances, more so with these late payments.",
                     "R22": "High balances together with late payments."},
}


def with_pair() -> dict[str, Any]:
    data = tiny()
    data["pairs"] = [copy.deepcopy(PAIR)]
    return data


def test_pair_rows_round_trip_and_a_card_without_them_is_unchanged(tmp_path):
    card = load_spec(with_pair())
    path = tmp_path / "pair.json"
    dump_spec(card, path)
    again = load_spec(path)
    assert again == card and again.pairs[0].points[2] == (-5, -20)
    assert spec_to_dict(again)["pairs"][0]["reasons"][1] == ["R21", "R22"]
    assert again.rows == ("revolving_utilization", "dpd_90_plus_24m", "housing",
                          "utilization_with_late")
    assert "pairs" not in spec_to_dict(load_spec(tiny()))


@pytest.mark.parametrize(
    ("attrs", "pair_points"),
    [
        ({"revolving_utilization": 0.1, "dpd_90_plus_24m": 0}, 0),
        ({"revolving_utilization": 0.3, "dpd_90_plus_24m": 0.99}, -2),     # x edge: upper bin
        ({"revolving_utilization": 0.5, "dpd_90_plus_24m": 1}, -9),        # y edge: upper bin
        ({"revolving_utilization": 2.0, "dpd_90_plus_24m": 96}, -20),      # a special value
        ({"revolving_utilization": None, "dpd_90_plus_24m": 3}, -1),       # either missing
        ({"revolving_utilization": 0.95}, -1),
    ],
)
def test_pair_rows_add_the_cell_of_both_values(attrs, pair_points):
    card, plain = load_spec(with_pair()), load_spec(tiny())
    result = score_attributes(card, attrs)
    assert result.points["utilization_with_late"] == pair_points
    assert result.raw == score_attributes(plain, attrs).raw + pair_points


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.update(x="housing"), "not a numeric attribute"),
        (lambda p: p.update(y="months_since_oldest_trade"), "not a numeric attribute"),
        (lambda p: p.update(y="revolving_utilization"), "two different"),
        (lambda p: p.update(name="housing"), "appears twice"),
        (lambda p: p.update(x_edges=[0.9, 0.3]), "strictly increasing"),
        (lambda p: p.update(x_edges=[0.3, math.inf]), "finite"),
        (lambda p: p["points"].pop(), "3 rows of 2"),
        (lambda p: p["points"][0].append(1), "3 rows of 2"),
        (lambda p: p["points"][1].__setitem__(0, 1.5), "integer"),
        (lambda p: p.update(missing_points=None), "integer"),
        (lambda p: p["reasons"].pop(), "shape"),
        (lambda p: p["reason_texts"].pop("R22"), "needs its text"),
        (lambda p: (p["reasons"][0].__setitem__(1, "R01"),
                    p["reason_texts"].update(R01=p["reason_texts"].pop("R20"))),
         "already revolving_utilization"),
        (lambda p: p.update(reasons=[], reason_texts={"R20": "x"}), "without reasons"),
        (lambda p: p["reason_texts"].update(R20=" "), "plain text"),
    ],
)
def test_pair_validation_rejects(mutate, message):
    data = with_pair()
    mutate(data["pairs"][0])
    with pytest.raises(SpecError, match=message):
        load_spec(data)


def test_vectorised_scorer_adds_pair_rows_as_the_reference():
    np = pytest.importorskip("numpy")
    from openbureau.scoring.vectorised import VectorCard

    card = load_spec(with_pair())
    rng = np.random.default_rng(3)
    n = 3000
    columns = {"revolving_utilization": rng.choice([0.0, 0.2999, 0.3, 0.8999, 0.9, 5.0,
                                                    np.nan], n),
               "dpd_90_plus_24m": rng.choice([0.0, 0.5, 1.0, 2.0, 96.0, np.nan], n),
               "housing": rng.choice(np.array(["own", "rent", None], dtype=object), n)}
    expected = [score_attributes(card, {k: (None if v[i] is None or v[i] != v[i] else v[i])
                                        for k, v in columns.items()}).value for i in range(n)]
    for engine in ("compiled", "numpy"):
        assert VectorCard(card, engine).score(columns, n).tolist() == expected, engine
        numeric = {k: v for k, v in columns.items() if k != "housing"}
        plain = [score_attributes(card, {k: (None if v[i] != v[i] else v[i])
                                         for k, v in numeric.items()}).value for i in range(n)]
        assert VectorCard(card, engine).score(numeric, n).tolist() == plain, engine
