"""The fairness audit of the active card: AIR at every published cut-off and at matched
approval rates, SMD, equal opportunity, calibration by group, bootstrap intervals, p-values and
the exact split of each score gap by attribute; published with the model and served."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from openbureau.modelling.datasets import DATASETS, Protected
from openbureau.modelling.fairness import CUTOFFS, lowest_air, matched_cutoff, measure
from openbureau.modelling.fairness_report import fairness_main
from openbureau.scoring.spec import load_spec
from tests.conftest import TEST_KEYS, auth

MODELS = Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"
NEWEST = sorted(MODELS.glob("*.json"))[-1]
PUBLISHED = MODELS / NEWEST.stem / "fairness.json"


def _synthetic(n: int = 4000, seed: int = 1):  # type: ignore[no-untyped-def]
    """Two groups; group b scores 20 points lower on one attribute, the same on the other."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.3, "b", "a")
    proxy = np.where(group == "b", -20, 0) + rng.integers(-10, 11, n)
    other = rng.integers(-30, 31, n)
    points = pd.DataFrame({"proxy": proxy, "other": other})
    raw = 640 + points.sum(axis=1).to_numpy()
    scores = raw.astype(float)
    implied = 1 / (1 + 30 * 2 ** ((scores - 650) / 40))
    y = (rng.random(n) < implied).astype(int)
    return scores, y, implied, points, raw, Protected("g", pd.Series(group), "a")


def test_measure_on_a_known_population():
    scores, y, implied, points, raw, prot = _synthetic()
    report = measure(scores, y, implied, points, raw, prot, n_boot=200)
    b = report["groups"]["b"]
    # the gap splits exactly by attribute, and the proxy carries it
    total = sum(v["points"] for v in b["gap_by_attribute"].values())
    assert total == pytest.approx(b["raw_score_gap"], abs=0.02)
    assert next(iter(b["gap_by_attribute"])) == "proxy"
    assert b["gap_by_attribute"]["proxy"]["share"] > 0.8
    assert b["smd"]["value"] < 0 and b["smd_p"] < 1e-6
    # the labels follow the implied odds, so each group is calibrated (O/E near 1)
    for g in ("a", "b"):
        lo, hi = report["groups"][g]["calibration_oe"]["ci95"]
        assert lo < 1 < hi
    rows = {(r["kind"], r["cutoff"]): r for r in report["cutoffs"]}
    assert [r["cutoff"] for r in report["cutoffs"] if r["kind"] == "published"] == list(CUTOFFS)
    at650 = rows[("published", 650)]["groups"]
    air = at650["b"]["air"]
    expected = at650["b"]["approval"] / at650["a"]["approval"]
    assert air["value"] == pytest.approx(expected, abs=1e-3)
    assert air["ci95"][0] < air["value"] < air["ci95"][1] < 1
    assert at650["b"]["air_p"] < 0.001
    matched = [r for r in report["cutoffs"] if r["kind"] == "matched"]
    assert [r["matched_rate"] for r in matched] == [0.5, 0.8]
    for r in matched:
        assert r["overall_approval"] >= r["matched_rate"]
        assert r["cutoff"] == matched_cutoff(scores, r["matched_rate"])
    low = lowest_air({"g": report})
    published = [r["groups"]["b"]["air"]["value"] for r in report["cutoffs"]
                 if r["kind"] == "published"]
    assert published[-1] is None          # nobody reaches 700: no ratio, not a zero
    assert low is not None and low["air"] == min(v for v in published if v is not None)


def test_no_difference_is_not_significant():
    rng = np.random.default_rng(3)
    n = 3000
    scores = rng.integers(500, 800, n).astype(float)
    group = pd.Series(np.where(rng.random(n) < 0.5, "x", "y"))
    implied = np.full(n, 0.1)
    y = (rng.random(n) < 0.1).astype(int)
    points = pd.DataFrame({"p": scores - 600})
    report = measure(scores, y, implied, points, scores, Protected("g", group, "x"), n_boot=200)
    row = next(r for r in report["cutoffs"] if r["cutoff"] == 650)
    assert row["groups"]["y"]["air_p"] > 0.001
    lo, hi = row["groups"]["y"]["air"]["ci95"]
    assert lo < 1 < hi


def test_unknown_reference_group_is_refused():
    scores, y, implied, points, raw, _ = _synthetic(200)
    with pytest.raises(ValueError, match="reference group"):
        measure(scores, y, implied, points, raw, Protected("g", pd.Series(["a"] * 200), "z"),
                n_boot=0)


@pytest.mark.data
def test_the_published_report_is_the_active_cards_on_gmsc(shared_data, tmp_path):
    card = load_spec(NEWEST)
    report = fairness_main(card, shared_data / "gmsc.csv.gz", tmp_path / "fairness.md",
                           n_boot=1000)
    assert report["model_version"] == card.version
    assert report["rows"] == card.training["test_rows"]
    assert report["auc"] == card.training["test_auc"]       # the same held-out rows
    age = report["by"]["age"]
    assert age["reference"] == "45–61"
    assert list(age["groups"]) == ["under 30", "30–44", "45–61", "62–69", "70 and over"]
    assert sum(g["rows"] for g in age["groups"].values()) == report["rows"]
    # the committed report is this run's (fixed split, fixed bootstrap seed)
    assert json.loads(PUBLISHED.read_text())["by"] == json.loads(json.dumps(report))["by"]
    md = (tmp_path / "fairness.md").read_text()
    assert f"scorecard `{card.version}`" in md and "Where the gap in mean raw score" in md


@pytest.mark.data
def test_cli_audits_the_active_card(shared_data, tmp_path):
    from openbureau.cli import app

    env = {"OPENBUREAU_VAR_DIR": str(tmp_path / "var"), "OPENBUREAU_ENVIRONMENT": "test",
           "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"], "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
           "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"],
           "OPENBUREAU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    out = tmp_path / "f.md"
    r = runner.invoke(app, ["model", "fairness", "--data", str(shared_data / "gmsc.csv.gz"),
                            "--out", str(out), "--boot", "50"], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(out.with_suffix(".json").read_text())["model_version"] == NEWEST.stem
    assert "lowest AIR" in r.output


@pytest.mark.data
def test_datasets_keep_protected_attributes_out_of_the_inputs(shared_data):
    for name, ds in DATASETS.items():
        df = ds.reader(shared_data / ds.file)
        X = ds.features(df.head(200))
        groups = ds.protected(df.head(200))
        assert {p.name for p in groups} <= {"age", "sex", "marital status"}
        lowered = {c.lower() for c in X.columns}
        assert not lowered & {"age", "sex", "marriage", "age_in_years",
                              "personal_status_and_sex"}, name
        for p in groups:
            assert p.reference in set(p.groups), (name, p.name)
            assert not p.groups.isna().any()


def test_admin_fairness_endpoint_serves_the_active_cards_report(client, orgs):
    for role in ("operator", "auditor"):
        r = client.get("/v1/admin/fairness", headers=auth(orgs[role]))
        assert r.status_code == 200
    assert r.json() == json.loads(PUBLISHED.read_text())
    assert r.json()["model_version"] == NEWEST.stem
    assert client.get("/v1/admin/fairness", headers=auth(orgs["member"])).status_code == 403
    assert math.isfinite(r.json()["lowest_air"]["air"])
