"""Fairness audit on German credit: trained without sex, age, nationality or dependants;
four-fifths ratios and equal-opportunity differences by sex and age group, published."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from openbureau.scoring.fairness import (
    CUTOFFS,
    EXCLUDED,
    audit,
    fairness_main,
    features,
    groups,
    load_german,
)
from tests.conftest import auth

pytestmark = pytest.mark.data
PUBLISHED = (Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"
             / "gmsc-2026.11.1" / "fairness.json")


@pytest.fixture(scope="module")
def german(shared_data: Path) -> pd.DataFrame:
    return load_german(shared_data / "german_credit.csv.gz")


def test_inputs_leave_out_personal_characteristics(german):
    X = features(german)
    assert not set(EXCLUDED) & set(X.columns)
    assert len(X.columns) == 16 and "creditability" not in X.columns
    g = groups(german)
    assert g["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert set(g["age group"]) == {"under 25", "25–39", "40 and over"}


def test_audit_figures_and_published_report(german, tmp_path):
    report = fairness_main(_write(german, tmp_path), tmp_path / "fairness.md")
    assert 0.7 < report["out_of_fold_auc"] < 0.85
    for name in ("sex", "age group"):
        rows = report["by"][name]["cutoffs"]
        assert [r["cutoff"] for r in rows] == list(CUTOFFS)
        for r in rows:
            assert 0 < r["four_fifths_ratio"] <= 1
            assert 0 <= r["equal_opportunity_difference"] <= 1
            rates = r["approval_rate"].values()
            assert r["four_fifths_ratio"] == pytest.approx(min(rates) / max(rates), abs=1e-3)
    assert report["lowest_ratio"] == min(r["four_fifths_ratio"] for res in report["by"].values()
                                         for r in res["cutoffs"])
    md = (tmp_path / "fairness.md").read_text()
    assert "What is done when a ratio falls below 0.8" in md
    assert json.loads((tmp_path / "fairness.json").read_text()) == json.loads(
        json.dumps(report, ensure_ascii=False))
    # the committed report is this run's (deterministic: fixed folds and random_state)
    assert json.loads(PUBLISHED.read_text())["by"] == json.loads(json.dumps(report))["by"]


def _write(df: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "german.csv"
    df.to_csv(path, index=False)
    return path


def test_audit_is_deterministic(german):
    a, b = audit(german.iloc[::2].reset_index(drop=True)), audit(
        german.iloc[::2].reset_index(drop=True))
    assert a["by"] == b["by"]


def test_admin_fairness_endpoint(client, orgs):
    for role in ("operator", "auditor"):
        r = client.get("/v1/admin/fairness", headers=auth(orgs[role]))
        assert r.status_code == 200
    assert r.json()["by"] == json.loads(PUBLISHED.read_text())["by"]
    assert client.get("/v1/admin/fairness", headers=auth(orgs["member"])).status_code == 403
