"""Fairness audit on the German credit data: the same pipeline, trained without personal
characteristics, measured by sex and by age group with fairlearn.

The German credit data (UCI Statlog) records sex (inside ``personal_status_and_sex``) and age
(``age_in_years``). The scorecard pipeline (:class:`~openbureau.scoring.training.ScorecardTrainer`)
is trained **without** them, without ``foreign_worker`` (nationality) and without the number of
dependants; sex and age are then used only to *measure* the scores. Scores are out-of-fold
(stratified 5-fold cross-validation), so every applicant is scored by a model that never saw them.

At each band cut-off (an applicant is "approved" at a cut-off when their score reaches it) the
report gives, by group: the approval rate and its ratio to the most-approved group (the
four-fifths rule: a ratio under 0.8 is evidence of adverse impact), and the approval rate among
applicants who repaid (true positive rate), whose spread is the equal-opportunity difference.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

LABEL = "creditability"             # 1 good, 2 bad
SEX_COLUMN = "personal_status_and_sex"
AGE_COLUMN = "age_in_years"
#: Never inputs: sex and marital status, age, nationality, dependants.
EXCLUDED = (SEX_COLUMN, AGE_COLUMN, "foreign_worker",
            "number_of_people_being_liable_to_provide_maintenance_for")
NUMERIC = ("duration_in_month", "credit_amount",
           "installment_rate_in_percentage_of_disposable_income", "present_residence_since",
           "number_of_existing_credits_at_this_bank")
FEMALE = frozenset({"A92", "A95"})
AGE_GROUPS = ((0, 25, "under 25"), (25, 40, "25–39"), (40, 200, "40 and over"))
#: The lower edges of the bands fair, good, very good, excellent.
CUTOFFS = (550, 600, 650, 700)
FOUR_FIFTHS = 0.8
FOLDS = 5
RANDOM_STATE = 42
BASE_SCORE, PDO = 650, 40


def load_german(path: str | os.PathLike[str]) -> pd.DataFrame:
    return pd.read_csv(path)


def features(df: pd.DataFrame) -> pd.DataFrame:
    """Model inputs: the numeric columns as they are; each coded column (``A11``...) as the
    number of its code, binned without a monotonic constraint. The excluded columns are dropped."""
    out = {}
    for col in df.columns:
        if col == LABEL or col in EXCLUDED:
            continue
        if col in NUMERIC:
            out[col] = pd.to_numeric(df[col]).astype(float)
        else:
            out[col] = df[col].astype(str).str.lstrip("A").astype(float)
    return pd.DataFrame(out, index=df.index)


def groups(df: pd.DataFrame) -> dict[str, pd.Series]:
    sex = df[SEX_COLUMN].map(lambda c: "female" if c in FEMALE else "male")
    age = df[AGE_COLUMN].map(lambda a: next(label for lo, hi, label in AGE_GROUPS if lo <= a < hi))
    return {"sex": sex.rename("sex"), "age group": age.rename("age group")}


def out_of_fold_scores(X: pd.DataFrame, y_bad: np.ndarray) -> np.ndarray:
    """Scores on the bureau's scale (``SCORE_MIN``–``SCORE_MAX``), each from a fold model that
    did not see that row; 650 is the sample's own good:bad odds, ``PDO`` points double them."""
    from sklearn.model_selection import StratifiedKFold

    from openbureau.scoring.training import ScorecardTrainer

    trends: dict[str, Any] = {c: ("auto_heuristic" if c in NUMERIC else None) for c in X.columns}
    base_odds = float((1 - y_bad.mean()) / y_bad.mean())
    factor = PDO / math.log(2)
    offset = BASE_SCORE - factor * math.log(base_odds)
    scores = np.zeros(len(X))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    for fit_idx, test_idx in folds.split(X, y_bad):
        trainer = ScorecardTrainer(attributes=tuple(X.columns), monotonic_trends=trends,
                                   count_attributes=(), special_attributes=(),
                                   min_prebin_size=0.05, base_score=BASE_SCORE,
                                   base_odds=base_odds, pdo=PDO)
        trainer.fit(X.iloc[fit_idx], y_bad[fit_idx])
        log_odds_bad = trainer.decision_function(X.iloc[test_idx])
        scores[test_idx] = offset - factor * log_odds_bad
    return np.clip(np.round(scores), SCORE_MIN, SCORE_MAX).astype(int)


def measure(scores: np.ndarray, y_bad: np.ndarray, sensitive: pd.Series,
            cutoffs: tuple[int, ...] = CUTOFFS) -> dict[str, Any]:
    """fairlearn metrics by group at each cut-off."""
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_ratio,
        equal_opportunity_difference,
        selection_rate,
        true_positive_rate,
    )

    good = (1 - np.asarray(y_bad)).astype(int)
    values = sensitive.to_numpy()
    names = sorted(set(values))
    by_group = {g: {"rows": int((values == g).sum()),
                    "observed_bad_rate": round(float(np.asarray(y_bad)[values == g].mean()), 4),
                    "mean_score": round(float(scores[values == g].mean()), 1)} for g in names}
    rows = []
    for cut in cutoffs:
        approved = (scores >= cut).astype(int)
        frame = MetricFrame(metrics={"approval_rate": selection_rate,
                                     "approval_rate_among_good": true_positive_rate},
                            y_true=good, y_pred=approved, sensitive_features=values)
        rates = frame.by_group["approval_rate"]
        top = float(rates.max())
        rows.append({
            "cutoff": cut,
            "approval_rate": {g: round(float(rates[g]), 4) for g in names},
            "approval_rate_among_good": {
                g: round(float(frame.by_group["approval_rate_among_good"][g]), 4)
                for g in names},
            "ratio_to_most_approved": {g: (round(float(rates[g]) / top, 4) if top else None)
                                       for g in names},
            "four_fifths_ratio": round(float(demographic_parity_ratio(
                good, approved, sensitive_features=values)), 4),
            "equal_opportunity_difference": round(float(equal_opportunity_difference(
                good, approved, sensitive_features=values)), 4),
        })
    return {"groups": by_group, "cutoffs": rows}


def audit(df: pd.DataFrame) -> dict[str, Any]:
    from importlib.metadata import version

    from openbureau.scoring.evaluate import auc

    y_bad = (df[LABEL] == 2).to_numpy().astype(int)
    X = features(df)
    scores = out_of_fold_scores(X, y_bad)
    results = {name: measure(scores, y_bad, s) for name, s in groups(df).items()}
    ratios = [(name, r["cutoff"], r["four_fifths_ratio"]) for name, res in results.items()
              for r in res["cutoffs"]]
    lowest = min(ratios, key=lambda t: t[2])
    return {
        "dataset": "german_credit.csv.gz (UCI Statlog German Credit, DOI 10.24432/C5NC77)",
        "rows": len(df),
        "bad_rate": round(float(y_bad.mean()), 4),
        "inputs": list(X.columns),
        "excluded_inputs": list(EXCLUDED),
        "method": f"ScorecardTrainer (optbinning + logistic regression), out-of-fold scores from "
                  f"stratified {FOLDS}-fold CV (random_state {RANDOM_STATE}); score "
                  f"{BASE_SCORE} at the sample's good:bad odds, {PDO} points to double them",
        "out_of_fold_auc": round(auc(y_bad, scores), 4),
        "score_quantiles": {q: int(np.quantile(scores, q / 100)) for q in (10, 25, 50, 75, 90)},
        "cutoffs": list(CUTOFFS),
        "threshold": FOUR_FIFTHS,
        "by": results,
        "lowest_ratio": lowest[2],
        "lowest_ratio_at": {"by": lowest[0], "cutoff": lowest[1]},
        "below_threshold": [{"by": n, "cutoff": c, "ratio": v} for n, c, v in ratios
                            if v < FOUR_FIFTHS],
        "library_versions": {p: version(p) for p in ("fairlearn", "optbinning",
                                                      "scikit-learn")},
    }


# ---------------------------------------------------------------------------------- publishing


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f} %"


def to_markdown(report: dict[str, Any]) -> str:
    out = [
        "# Fairness report",
        "",
        "Generated by `openbureau model fairness --data german_credit.csv.gz --out "
        "src/openbureau/scoring/models/<version>/fairness.md`; the same figures as JSON in "
        "`fairness.json` beside it, published with the model and served to operators and "
        "auditors at `GET /v1/admin/fairness` while that model is active.",
        "",
        "## What was measured",
        "",
        f"Data: {report['dataset']}, {report['rows']:,} applicants, bad rate "
        f"{report['bad_rate']:.3f}. It is the one public credit dataset here that records sex and "
        "age, so it is where openbureau's scorecard pipeline is audited for disparate impact.",
        "",
        f"Model: {report['method']}. Inputs: "
        + ", ".join(f"`{c}`" for c in report["inputs"]) + ". **Not inputs**: "
        + ", ".join(f"`{c}`" for c in report["excluded_inputs"])
        + " (sex and marital status, age, nationality, dependants). Sex (from "
        "`personal_status_and_sex`: A92 female, A91/A93/A94 male) and age group (under 25, "
        "25–39, 40 and over) are used only to measure the scores.",
        "",
        f"Out-of-fold AUC {report['out_of_fold_auc']:.4f}. Score quantiles (10/25/50/75/90 %): "
        + ", ".join(str(v) for v in report["score_quantiles"].values()) + ".",
        "",
        "At each cut-off (the lower edges of the bands fair 550, good 600, very good 650, "
        "excellent 700) an applicant counts as approved when the score reaches it.",
        "",
        "- **Four-fifths ratio** (fairlearn `demographic_parity_ratio`): the lowest group "
        "approval rate divided by the highest. Below **0.8** is the US EEOC's rule-of-thumb "
        "evidence of adverse impact.",
        "- **Equal-opportunity difference** (fairlearn `equal_opportunity_difference`): the "
        "spread, across groups, of the approval rate among applicants who in fact repaid.",
        "",
    ]
    for name, res in report["by"].items():
        names = list(res["groups"])
        out += [f"## By {name}", "",
                "| group | applicants | observed bad rate | mean score |", "|---|---:|---:|---:|"]
        for g, info in res["groups"].items():
            out.append(f"| {g} | {info['rows']} | {info['observed_bad_rate']:.3f} | "
                       f"{info['mean_score']:.0f} |")
        out += ["", "| cut-off | " + " | ".join(f"approval {g}" for g in names)
                + " | four-fifths ratio | " + " | ".join(f"approval among good, {g}" for g in names)
                + " | equal-opportunity difference |",
                "|---:|" + "---:|" * (2 * len(names) + 2)]
        for r in res["cutoffs"]:
            flag = " **below 0.8**" if r["four_fifths_ratio"] < report["threshold"] else ""
            out.append(
                f"| {r['cutoff']} | "
                + " | ".join(_pct(r["approval_rate"][g]) for g in names)
                + f" | {r['four_fifths_ratio']:.3f}{flag} | "
                + " | ".join(_pct(r["approval_rate_among_good"][g]) for g in names)
                + f" | {r['equal_opportunity_difference']:.3f} |")
        out.append("")
    below = report["below_threshold"]
    out += ["## Result", ""]
    if below:
        out.append(
            f"The lowest four-fifths ratio is **{report['lowest_ratio']:.3f}** (by "
            f"{report['lowest_ratio_at']['by']}, cut-off {report['lowest_ratio_at']['cutoff']}). "
            f"{len(below)} of {len(report['cutoffs']) * len(report['by'])} group/cut-off pairs "
            "fall below 0.8: "
            + "; ".join(f"{b['by']} at {b['cutoff']} ({b['ratio']:.3f})" for b in below) + ".")
    else:
        out.append(f"Every four-fifths ratio is at least 0.8 (lowest "
                   f"{report['lowest_ratio']:.3f}).")
    out += [
        "",
        "Leaving sex and age out of the inputs does not make the scores independent of them: "
        "credit-file attributes (how long accounts have been held, savings, employment) are "
        "correlated with age, and the observed bad rates differ between groups in this sample. "
        "That is why this is measured and published rather than assumed.",
        "",
        "## What is done when a ratio falls below 0.8",
        "",
        "1. **Publish it**: this report and the model card say so; the operator and the "
        "regulator (auditor role) see it at `GET /v1/admin/fairness`.",
        "2. **Find the attributes that carry the gap**: for each attribute, the difference in "
        "mean points between the groups (the card is additive, so the gap splits exactly into "
        "attributes); an attribute that mostly proxies for age or sex rather than repayment is "
        "a candidate to drop or re-bin.",
        "3. **Look for a less discriminatory alternative** (the ECOA/Reg B disparate-impact test): "
        "re-train without the attribute, or with coarser bins, and keep the change if the "
        "predictive loss (AUC, published in the model card) is small; the search and its "
        "result are recorded here.",
        "4. **Cut-offs belong to lenders**, not to the bureau; the report is given to members "
        "with the model so that a lender using a cut-off below 0.8 knows it and can justify "
        "it by business necessity or choose another.",
        "5. **No group-specific scores or cut-offs**: the fix is never to score people "
        "differently because of sex or age (that would be disparate treatment); it is to change "
        "what the model uses for everyone.",
        "6. Policy for operators (not enforced by code): a new model version is not activated "
        "while a ratio at the bands' cut-offs is below 0.8 without a documented justification "
        "in this file.",
        "",
        "Limits: 1,000 applicants from 1970s–90s Germany; groups as small as "
        + str(min(info["rows"] for res in report["by"].values()
                  for info in res["groups"].values()))
        + " applicants, so each rate carries several points of sampling error; the German data "
        "codes sex only together with marital status, and has no female-single category.",
        "",
    ]
    return "\n".join(out)


def fairness_main(data_path: str | os.PathLike[str],
                  out_md: str | os.PathLike[str]) -> dict[str, Any]:
    """``openbureau model fairness``: audit, then write the markdown and the JSON beside it."""
    report = audit(load_german(data_path))
    md = Path(out_md)
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(to_markdown(report), encoding="utf-8")
    md.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return report
