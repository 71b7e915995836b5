"""Fairness of a card's scores by protected attribute: measured, with its uncertainty.

For one scored population (scores, outcomes, the points of each attribute) and each protected
attribute (:mod:`openbureau.modelling.datasets`; never an input), every group ``g`` is compared
with the attribute's named reference group ``r``. An applicant is *approved* at a cut-off when
the score reaches it.

- **Adverse impact ratio** ``AIR_g = approval_g / approval_r`` at each published cut-off (the
  bands' lower edges) and at *matched approval rates* (the cut-off at which the given share of
  the whole population is approved: the comparison that does not move when a card's scale
  does). Significance: the two-proportion z-test of ``approval_g = approval_r``.
- **Standardised mean difference** ``SMD_g = (mean_g − mean_r) / sqrt((var_g + var_r) / 2)`` of
  the scores; Welch's t-test.
- **Equal opportunity**: approval among applicants who repaid, ``TPR_g − TPR_r``; z-test.
- **Calibration by group**: observed bad rate over the bad rate the card's scaling implies,
  ``O/E_g`` (1 = calibrated); z-test of ``O = E`` with variance ``Σ p(1 − p)``.
- **Where the gap comes from**: the card is additive, so the gap in mean raw score between
  ``g`` and ``r`` is exactly the sum over attributes of the gap in their mean points; each
  attribute's share of it is reported (an attribute carrying a large share is a proxy).

Every estimate has a 95 % percentile bootstrap interval (rows resampled with replacement,
``n_boot`` times, the cut-offs held fixed). fairlearn's ``MetricFrame`` gives the per-group
approval rates and true positive rates; AIR against a named group, SMD, O/E and the
decomposition are written here (fairlearn has no such metrics).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from openbureau.modelling.datasets import Protected

CUTOFFS = (550, 600, 650, 700)
APPROVAL_RATES = (0.5, 0.8)
FOUR_FIFTHS = 0.8
N_BOOT = 1000
SEED = 20261207


def _z_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the two-proportion z-test (pooled)."""
    if n1 == 0 or n2 == 0:
        return math.nan
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def _ci(samples: np.ndarray) -> list[float | None]:
    ok = samples[np.isfinite(samples)]
    if len(ok) < 10:
        return [None, None]
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


def matched_cutoff(scores: np.ndarray, rate: float) -> int:
    """The highest cut-off approving at least ``rate`` of the population."""
    s = np.sort(np.asarray(scores))[::-1]
    k = max(int(math.ceil(rate * len(s))) - 1, 0)
    return int(s[k])


class _Stats:
    """Per-group sums of one (re)sample, from which every metric is a ratio."""

    def __init__(self, codes: np.ndarray, k: int, scores: np.ndarray, y_bad: np.ndarray,
                 implied: np.ndarray, cuts: Sequence[int], weights: np.ndarray | None = None):
        def count(values: np.ndarray | None = None) -> np.ndarray:
            w = weights if values is None else (values if weights is None else values * weights)
            return np.bincount(codes, weights=w, minlength=k).astype(float)

        good = 1.0 - y_bad
        self.n = count()
        self.bad = count(y_bad)
        self.good = count(good)
        self.sum = count(scores)
        self.sum2 = count(scores * scores)
        self.implied = count(implied)
        self.implied_var = count(implied * (1 - implied))
        self.approved = [count((scores >= c).astype(float)) for c in cuts]
        self.approved_good = [count((scores >= c) * good) for c in cuts]

    def mean(self) -> np.ndarray:
        return np.asarray(self.sum / np.maximum(self.n, 1))

    def var(self) -> np.ndarray:
        m = self.mean()
        return np.asarray(np.maximum(self.sum2 / np.maximum(self.n, 1) - m * m, 0.0))

    def rate(self, i: int) -> np.ndarray:
        return np.asarray(self.approved[i] / np.maximum(self.n, 1))

    def tpr(self, i: int) -> np.ndarray:
        return np.asarray(self.approved_good[i] / np.maximum(self.good, 1))

    def oe(self) -> np.ndarray:
        return np.asarray(self.bad / np.maximum(self.implied, 1e-12))


def _metrics(st: _Stats, ref: int, n_cuts: int) -> dict[str, np.ndarray]:
    """Every metric for every group (arrays over groups), from one sample's sums."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"smd": (st.mean() - st.mean()[ref]) / np.sqrt((st.var() + st.var()[ref]) / 2),
               "oe": st.oe()}
        for i in range(n_cuts):
            out[f"air{i}"] = st.rate(i) / st.rate(i)[ref]
            out[f"eo{i}"] = st.tpr(i) - st.tpr(i)[ref]
    return out


def measure(scores: np.ndarray, y_bad: np.ndarray, implied: np.ndarray,
            points: pd.DataFrame, raw: np.ndarray, protected: Protected,
            cutoffs: Sequence[int] = CUTOFFS, rates: Sequence[float] = APPROVAL_RATES,
            n_boot: int = N_BOOT, seed: int = SEED) -> dict[str, Any]:
    """The report of one protected attribute (see the module docstring)."""
    from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate
    from scipy.stats import ttest_ind

    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y_bad, dtype=float)
    present = set(protected.groups.astype(str))
    names = [g for g in protected.order if g in present] + sorted(present - set(protected.order))
    if protected.reference not in names:
        raise ValueError(f"{protected.name}: no row in the reference group "
                         f"{protected.reference!r}")
    codes = pd.Categorical(protected.groups.astype(str), categories=names).codes.astype(np.int64)
    ref = names.index(protected.reference)
    matched = [matched_cutoff(scores, q) for q in rates]
    cuts = [*cutoffs, *matched]
    full = _Stats(codes, len(names), scores, y, implied, cuts)
    point = _metrics(full, ref, len(cuts))

    rng = np.random.default_rng(seed)
    boot: dict[str, list[np.ndarray]] = {k: [] for k in point}
    for _ in range(n_boot):
        w = np.bincount(rng.integers(0, len(scores), len(scores)),
                        minlength=len(scores)).astype(float)
        for k, v in _metrics(_Stats(codes, len(names), scores, y, implied, cuts, w), ref,
                             len(cuts)).items():
            boot[k].append(v)
    ci = {k: np.vstack(v) for k, v in boot.items()} if n_boot else {}

    def est(key: str, g: int) -> dict[str, Any]:
        value = float(point[key][g])
        return {"value": round(value, 4) if math.isfinite(value) else None,
                "ci95": _ci(ci[key][:, g]) if n_boot else [None, None]}

    good = (1 - y).astype(int)
    rows = []
    for i, cut in enumerate(cuts):
        approved = (scores >= cut).astype(int)
        frame = MetricFrame(metrics={"approval": selection_rate, "tpr": true_positive_rate},
                            y_true=good, y_pred=approved,
                            sensitive_features=protected.groups.astype(str).to_numpy())
        by = frame.by_group
        row: dict[str, Any] = {
            "cutoff": int(cut),
            "kind": "published" if i < len(cutoffs) else "matched",
            "overall_approval": round(float(approved.mean()), 4),
            "groups": {}}
        if i >= len(cutoffs):
            row["matched_rate"] = rates[i - len(cutoffs)]
        for g, name in enumerate(names):
            if g == ref:
                row["groups"][name] = {"approval": round(float(by["approval"][name]), 4),
                                       "approval_among_good": round(float(by["tpr"][name]), 4)}
                continue
            row["groups"][name] = {
                "approval": round(float(by["approval"][name]), 4),
                "approval_among_good": round(float(by["tpr"][name]), 4),
                "air": est(f"air{i}", g),
                "air_p": _round_p(_z_p(full.approved[i][g], full.n[g], full.approved[i][ref],
                                       full.n[ref])),
                "equal_opportunity_difference": est(f"eo{i}", g),
                "equal_opportunity_p": _round_p(_z_p(
                    full.approved_good[i][g], full.good[g], full.approved_good[i][ref],
                    full.good[ref])),
            }
        rows.append(row)

    groups: dict[str, Any] = {}
    mean_points = points.groupby(codes).mean()
    raw_mean = pd.Series(raw).groupby(codes).mean()
    for g, name in enumerate(names):
        mask = codes == g
        info: dict[str, Any] = {
            "rows": int(mask.sum()), "observed_bad_rate": round(float(y[mask].mean()), 4),
            "implied_bad_rate": round(float(implied[mask].mean()), 4),
            "mean_score": round(float(scores[mask].mean()), 1),
            "calibration_oe": est("oe", g),
            "calibration_p": _round_p(math.erfc(abs(
                (full.bad[g] - full.implied[g]) / math.sqrt(max(full.implied_var[g], 1e-12)))
                / math.sqrt(2))),
        }
        if g != ref:
            info["smd"] = est("smd", g)
            info["smd_p"] = _round_p(float(ttest_ind(scores[mask], scores[codes == ref],
                                                     equal_var=False).pvalue))
            gap = float(raw_mean[g] - raw_mean[ref])
            diffs = mean_points.loc[g] - mean_points.loc[ref]
            info["raw_score_gap"] = round(gap, 2)
            info["gap_by_attribute"] = {
                a: {"points": round(float(d), 2),
                    "share": round(float(d) / gap, 3) if abs(gap) > 1e-9 else None}
                for a, d in sorted(diffs.items(), key=lambda kv: -abs(kv[1]))}
        groups[name] = info
    return {"reference": protected.reference, "groups": groups, "cutoffs": rows}


def _round_p(p: float) -> float | None:
    if not math.isfinite(p):
        return None
    return float(f"{p:.2g}") if p < 0.001 else round(p, 4)


def lowest_air(by: dict[str, Any], kind: str = "published") -> dict[str, Any] | None:
    """The lowest AIR over every protected attribute, group and cut-off of ``kind``."""
    best: dict[str, Any] | None = None
    for attr, res in by.items():
        for row in res["cutoffs"]:
            if row["kind"] != kind:
                continue
            for g, info in row["groups"].items():
                air = info.get("air", {}).get("value")
                if air is not None and (best is None or air < best["air"]):
                    best = {"by": attr, "group": g, "cutoff": row["cutoff"], "air": air,
                            "ci95": info["air"]["ci95"], "p": info["air_p"]}
    return best
