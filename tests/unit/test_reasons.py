"""Key factors: largest loss against the best bin, up to 4, a 5th for inquiries (Reg B)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbureau.domain.profiles import PROFILES
from openbureau.scoring.reasons import best_points, key_factors, points_lost
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.spec import load_spec

SHIPPED = (Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"
           / "gmsc-2026.11.1.json")
US, CN = PROFILES["us-fcra"], PROFILES["cn-cri"]


def _attr(name: str, code: str, points: list[int], missing: int = 0) -> dict[str, object]:
    edges = [None, *[float(i) for i in range(1, len(points))], None]
    return {"name": name, "kind": "numeric", "reason_code": code,
            "reason_text": f"text for {name}", "domain": {"min": 0.0, "max": None},
            "bins": [{"lower": edges[i], "upper": edges[i + 1], "points": p}
                     for i, p in enumerate(points)],
            "missing_points": missing}


def _card(*attrs: dict[str, object]):  # type: ignore[no-untyped-def]
    return load_spec({"format": "openbureau.scorecard/1", "version": "t", "created_at": "x",
                      "scaling": {"base_score": 650, "base_odds": 30.0, "pdo": 40, "min": 350,
                                  "max": 950},
                      "intercept_points": 600, "attributes": list(attrs)})


CARD6 = _card(_attr("a", "R01", [30, 0]), _attr("b", "R02", [20, 0]),
              _attr("c", "R03", [20, 0]), _attr("d", "R04", [10, 0]),
              _attr("e", "R05", [5, 0], missing=8), _attr("inquiries_6m", "R10", [4, 0]))


def test_shipped_card_best_points():
    card = load_spec(SHIPPED)
    assert best_points(card.attribute("revolving_utilization")) == 71
    assert best_points(card.attribute("debt_ratio")) == 10
    assert best_points(card.attribute("monthly_income")) == 11


def test_largest_losses_first_up_to_four_plus_inquiries():
    points = {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "inquiries_6m": 0}
    out = key_factors(CARD6, points, US)
    assert [f["code"] for f in out] == ["R01", "R02", "R03", "R04", "R10"]
    assert [f["points_lost"] for f in out] == [30, 20, 20, 10, 4]
    assert out[0]["text"] == "text for a"
    # e's best is its missing bin (8): it lost 8 > inquiries' 4 but is 5th, so not listed
    assert "R05" not in [f["code"] for f in out]
    # cn-cri: no extra factor for inquiries
    assert [f["code"] for f in key_factors(CARD6, points, CN)] == ["R01", "R02", "R03", "R04"]


def test_inquiries_in_top_four_are_not_listed_twice():
    points = {"a": 30, "b": 20, "c": 0, "d": 10, "e": 5, "inquiries_6m": 0}
    out = key_factors(CARD6, points, US)
    assert [f["code"] for f in out] == ["R03", "R10", "R05"]  # e lost 3 (best: missing, 8)


def test_zero_loss_never_listed():
    points = {"a": 30, "b": 20, "c": 20, "d": 10, "e": 8, "inquiries_6m": 4}
    assert key_factors(CARD6, points, US) == []


@given(st.fixed_dictionaries({
    "revolving_utilization": st.one_of(st.none(), st.floats(0, 3)),
    "dpd_30_59_24m": st.one_of(st.none(), st.integers(0, 8), st.sampled_from([96, 98])),
    "dpd_60_89_24m": st.integers(0, 5), "dpd_90_plus_24m": st.integers(0, 5),
    "open_trades": st.integers(0, 40), "real_estate_trades": st.integers(0, 10),
    "debt_ratio": st.one_of(st.none(), st.floats(0, 5)),
    "monthly_income": st.one_of(st.none(), st.floats(0, 30000)),
    "monthly_debt_payments": st.floats(0, 10000)}))
def test_properties_on_shipped_card(attrs):
    card = load_spec(SHIPPED)
    result = score_attributes(card, attrs)
    out = key_factors(card, result.points, US)
    losses = points_lost(card, result.points)
    assert len(out) <= 4                       # the shipped card has no inquiries attribute
    assert all(f["points_lost"] > 0 for f in out)
    lost = [f["points_lost"] for f in out]
    assert lost == sorted(lost, reverse=True)
    listed = {f["code"] for f in out}
    # nothing left out lost more than the smallest listed loss
    if out:
        for a in card.attributes:
            if a.reason_code not in listed:
                assert losses[a.name] <= lost[-1] or len(out) == 4
                if len(out) == 4:
                    assert losses[a.name] <= lost[-1]
    assert out == key_factors(card, dict(reversed(list(result.points.items()))), US)
    # the best possible score is the current raw score plus every loss
    assert sum(losses.values()) + result.raw == card.intercept_points + sum(
        best_points(a) for a in card.attributes)


@pytest.mark.parametrize("profile", [US, CN, PROFILES["eu-gdpr"]])
def test_profiles_have_four(profile):
    assert profile.key_factors == 4


def _per_bin(points: list[int], codes: list[str | None], missing: str | None = None,
             name: str = "u", code: str = "R01") -> dict[str, object]:
    data = _attr(name, code, points)
    for b, c in zip(data["bins"], codes, strict=True):  # type: ignore[call-overload]
        if c is not None:   # the attribute's own code keeps the attribute's text
            b["reason_code"] = c
            b["reason_text"] = data["reason_text"] if c == code else f"text {c}"
    data["per_bin_reasons"] = True
    if missing is not None:
        data["missing_reason_code"], data["missing_reason_text"] = missing, f"text {missing}"
    return data


def test_per_bin_reasons_follow_the_side_of_the_best_bin():
    # a valley: below the best bin is "low" (R10), above it "high" (R01), missing is R11
    card = _card(_per_bin([5, 20, 30, 10], ["R10", "R10", None, "R01"], missing="R11"))
    assert [f["code"] for f in key_factors(card, {"u": 5}, US, {"u": 0.5})] == ["R10"]
    assert key_factors(card, {"u": 10}, US, {"u": 3.5}) == [
        {"code": "R01", "text": "text for u", "points_lost": 20}]
    assert key_factors(card, {"u": 0}, US, {"u": None})[0]["code"] == "R11"
    assert key_factors(card, {"u": 30}, US, {"u": 2.0}) == []
    # no missing reason: a missing value is never a key factor, whatever it cost
    quiet = _card(_per_bin([5, 30], ["R08", None]))
    assert key_factors(quiet, {"u": 0}, US, {"u": None}) == []
    # the values are needed: the points alone do not say which side a value is on
    with pytest.raises(ValueError, match="attribute values"):
        key_factors(card, {"u": 5}, US)
    # round trip
    from openbureau.scoring.spec import dump_spec
    assert load_spec(json.loads(dump_spec(card))) == card


def test_per_bin_reason_codes_belong_to_one_attribute_and_have_one_text():
    from openbureau.scoring.spec import SpecError

    with pytest.raises(SpecError, match="already u's"):
        _card(_per_bin([5, 30], ["R10", None]),
              _per_bin([5, 30], ["R10", None], name="v", code="R02"))
    bad = _per_bin([5, 30, 4], ["R10", None, "R10"])
    bad["bins"][2]["reason_text"] = "another text"  # type: ignore[index]
    with pytest.raises(SpecError, match="two texts"):
        _card(bad)
    with pytest.raises(SpecError, match="look like R01"):
        _card(_per_bin([5, 30], ["X1", None]))
