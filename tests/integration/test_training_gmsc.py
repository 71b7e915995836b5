"""Training and evaluation on Give Me Some Credit (../shared/data, never copied into the repo)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openbureau.modelling.evaluate import auc, evaluate, score_frame, write_scores_csv
from openbureau.modelling.training import (
    LABEL,
    MODEL_ATTRIBUTES,
    ScorecardTrainer,
    gmsc_to_attributes,
    load_gmsc,
)
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.spec import PROHIBITED_INPUTS, SpecError, dump_spec, load_spec

pytestmark = pytest.mark.data

DATA = Path(__file__).parents[3] / "shared" / "data" / "gmsc.csv.gz"
CSV_SHA256 = "a64e01190ae3661efe0bdf662f36d411d5bd5d05d0a9ead54273b9ea217bebd9"
SHIPPED = (Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"
           / "gmsc-2026.11.1.json")


@pytest.fixture(scope="module")
def gmsc() -> pd.DataFrame:
    if not DATA.exists():
        if os.environ.get("REQUIRE_DATA") == "1":
            pytest.fail(f"REQUIRE_DATA=1 but {DATA} is missing")
        pytest.skip(f"{DATA} not available")
    return load_gmsc(DATA)


def test_the_data_is_the_pinned_copy(gmsc):
    assert hashlib.sha256(gzip.decompress(DATA.read_bytes())).hexdigest() == CSV_SHA256
    assert len(gmsc) == 120_000


def test_column_mapping_handles_missing_income(gmsc):
    attrs = gmsc_to_attributes(gmsc)
    assert list(attrs.columns) == list(MODEL_ATTRIBUTES)
    no_income = gmsc["MonthlyIncome"].isna()
    assert no_income.sum() == 23_741
    assert attrs.loc[no_income, "debt_ratio"].isna().all()
    assert attrs.loc[~no_income, "debt_ratio"].notna().all()
    np.testing.assert_allclose(attrs.loc[no_income, "monthly_debt_payments"],
                               gmsc.loc[no_income, "DebtRatio"])
    np.testing.assert_allclose(attrs.loc[~no_income, "monthly_debt_payments"],
                               gmsc.loc[~no_income, "DebtRatio"]
                               * gmsc.loc[~no_income, "MonthlyIncome"])
    assert not {"age", "NumberOfDependents"} & set(attrs.columns)


@pytest.fixture(scope="module")
def sample_fit(gmsc):
    fit_rows = gmsc.sample(n=30_000, random_state=1)
    rest = gmsc.drop(fit_rows.index).sample(n=30_000, random_state=2)
    trainer = ScorecardTrainer(time_limit=10)
    trainer.fit(gmsc_to_attributes(fit_rows), fit_rows[LABEL].to_numpy())
    return trainer, rest


def test_training_on_a_sample_gives_a_valid_predictive_spec(sample_fit):
    trainer, rest = sample_fit
    card = trainer.to_spec("gmsc-test.1")
    assert load_spec(json.loads(dump_spec(card))) == card
    assert set(card.names) == set(MODEL_ATTRIBUTES)
    assert not {n.lower() for n in card.names} & PROHIBITED_INPUTS
    assert all(isinstance(b.points, int) for a in card.attributes for b in a.bins)
    dpd = card.attribute("dpd_90_plus_24m")
    assert dpd.special and {96, 98} <= set(dpd.special[0].values)
    # late payments only ever cost points
    points = [b.points for b in dpd.bins]
    assert points == sorted(points, reverse=True) and points[0] > points[-1]
    result = evaluate(card, rest)
    assert result["n"] == 30_000
    assert result["auc"] > 0.845
    assert result["gini"] == pytest.approx(2 * result["auc"] - 1)
    assert 0.4 < result["ks"] < 0.7
    # rounding to integer points costs (almost) nothing
    unrounded = auc(rest[LABEL].to_numpy(), -trainer.decision_function(gmsc_to_attributes(rest)))
    assert abs(unrounded - result["auc"]) < 0.002


def test_a_model_with_age_can_be_measured_but_never_written(gmsc, sample_fit):
    fit_rows = gmsc.sample(n=10_000, random_state=3)
    X = gmsc_to_attributes(fit_rows).assign(age=fit_rows["age"])
    trainer = ScorecardTrainer(attributes=("dpd_90_plus_24m", "revolving_utilization", "age"),
                               time_limit=10)
    trainer.fit(X, fit_rows[LABEL].to_numpy())
    assert np.isfinite(trainer.decision_function(X)).all()
    with pytest.raises(SpecError, match="age"):
        trainer.to_spec("never")


def test_shipped_spec_scores_gmsc_above_085(gmsc, tmp_path):
    card = load_spec(SHIPPED)
    assert card.version == "gmsc-2026.11.1"
    assert not {n.lower() for n in card.names} & PROHIBITED_INPUTS
    assert card.training["test_auc"] >= 0.855
    result = evaluate(card, gmsc)
    assert result["auc"] > 0.85
    out = tmp_path / "scores.csv"
    write_scores_csv(card, gmsc.head(500), out)
    written = pd.read_csv(out, index_col="id")
    assert len(written) == 500 and written["score"].between(350, 950).all()
    assert (written.filter(like="points_").sum(axis=1) + card.intercept_points).clip(
        350, 950).equals(written["score"])


def test_vectorised_scores_equal_the_reference_on_real_rows(gmsc):
    card = load_spec(SHIPPED)
    rows = pd.concat([gmsc.sample(n=3_000, random_state=4),
                      gmsc[gmsc["NumberOfTimes90DaysLate"] >= 96].head(50)])
    attrs = gmsc_to_attributes(rows)
    expected = [
        score_attributes(card, {k: (None if pd.isna(v) else float(v)) for k, v in rec.items()})
        .value
        for rec in attrs.to_dict("records")
    ]
    assert score_frame(card, attrs).tolist() == expected


def test_model_card_is_written_with_small_plots(sample_fit, tmp_path):
    from openbureau.modelling.modelcard import band_table, write_model_card

    trainer, rest = sample_fit
    training = {"test_auc": 0.85, "test_ks": 0.5, "test_gini": 0.7, "cv_auc_mean": 0.85,
                "cv_auc_std": 0.003, "cv_folds": 5, "with_age_and_dependants_test_auc": 0.861,
                "without_age_and_dependants_test_auc_unrounded": 0.859,
                "excluded_inputs": ["age", "NumberOfDependents"], "dataset": "gmsc.csv.gz",
                "rows": 120_000, "positive_rate": 0.0667}
    card = trainer.to_spec("gmsc-test.1", training=training)
    attrs, y = gmsc_to_attributes(rest), rest[LABEL].to_numpy()
    scores = score_frame(card, attrs)
    bands = band_table(scores, y)
    assert bands["rows"].sum() == len(rest)
    rates = bands["default_rate"].to_numpy()
    assert (np.diff(rates) < 0).all(), "better bands must default less"
    md = write_model_card(tmp_path, card, attrs, y, scores,
                          personal_test=rest[["age"]].assign(dependants=0))
    text = md.read_text()
    assert "350–549 poor" in text and "0.0020" in text and "`age`" in text
    pngs = sorted((tmp_path / "model-card").glob("*.png"))
    assert [p.name for p in pngs] == ["calibration.png", "ks-curve.png", "score-distribution.png"]
    assert all(0 < p.stat().st_size < 150_000 for p in pngs)


def test_evaluate_prints_the_card_beside_boosting_on_its_held_out_rows(gmsc, capsys):
    """``model evaluate`` on the card's own data: its held-out rows only, and gradient boosting
    trained on its training rows with the same attributes, in the same run."""
    from openbureau.modelling.evaluate import evaluate_main

    newest = sorted(SHIPPED.parent.glob("*.json"))[-1]
    card = load_spec(newest)
    result = evaluate_main(DATA, newest)
    out = capsys.readouterr().out
    assert result["n"] == card.training["test_rows"]
    assert round(result["auc"], 4) == card.training["test_auc"]
    assert 0.85 < result["boosting_auc"] < 0.88
    assert "gradient boosting on the same attributes" in out and f"{result['auc']:.4f}" in out
    assert f"AUC {result['boosting_auc']:.4f}" in out and f"{len(card.pairs)} pair rows" in out


def test_training_pair_rows_on_a_sample(gmsc):
    """Pair rows trained by the rule of ``modelling/pairs.py``: count attributes only, monotone
    towards each attribute's best bins, integer points with the best cell at 0, reasons only
    off the best bins; the spec round-trips and the vectorised engine equals the reference."""
    from openbureau.modelling.pairs import CANDIDATES

    fit_rows = gmsc.sample(n=30_000, random_state=5)
    rest = gmsc.drop(fit_rows.index).sample(n=20_000, random_state=6)
    trainer = ScorecardTrainer(time_limit=10, pairs=2)
    trainer.fit(gmsc_to_attributes(fit_rows), fit_rows[LABEL].to_numpy())
    card = trainer.to_spec("gmsc-pairs-test.1")
    assert load_spec(json.loads(dump_spec(card))) == card
    assert 1 <= len(card.pairs) <= 2
    for pair in card.pairs:
        assert {pair.x, pair.y} <= set(CANDIDATES)
        grid = np.array(pair.points)
        assert grid.max() == 0 == pair.reference_points()
        for axis, name in ((0, pair.x), (1, pair.y)):
            bins = [b.points for b in card.attribute(name).bins]
            first = bins.index(max(bins))
            last = len(bins) - 1 - bins[::-1].index(max(bins))
            steps = np.diff(grid, axis=axis)
            # points never rise moving away from the attribute's best bins
            outward = steps.take(range(last, steps.shape[axis]), axis=axis)
            inward = steps.take(range(0, first), axis=axis)
            assert (outward <= 0).all() and (inward >= 0).all(), pair.name
        assert pair.reason_at(0, 0) is None or grid[0, 0] < 0
    attrs = gmsc_to_attributes(rest)
    expected = [score_attributes(card, {k: (None if pd.isna(v) else float(v))
                                        for k, v in rec.items()}).value
                for rec in attrs.head(2_000).to_dict("records")]
    assert score_frame(card, attrs.head(2_000)).tolist() == expected
    assert evaluate(card, rest)["auc"] > 0.845
