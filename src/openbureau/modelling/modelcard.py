"""The model card: ``model-card.md`` plus small PNG plots under ``model-card/``, published with
the model (``scoring/models/<version>/``, see ``services/model_reports``).

Everything is computed from the spec (its ``training`` block holds the measured figures) and the
held-out test split handed in; nothing runs at import time.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openbureau.modelling.evaluate import implied_bad_rate, ks_curve
from openbureau.scoring.bands import BANDS
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN, Scorecard

_DPI = 80


def band_table(scores: np.ndarray, y_bad: np.ndarray) -> pd.DataFrame:
    """Rows per band: count, share of the population, observed default rate."""
    s = np.asarray(scores)
    y = np.asarray(y_bad).astype(float)
    rows = []
    for label, lo, hi in BANDS:
        mask = (s >= lo) & (s <= hi)
        n = int(mask.sum())
        rows.append({"band": f"{lo}–{hi} {label}", "rows": n, "share": n / len(s),
                     "default_rate": float(y[mask].mean()) if n else math.nan})
    return pd.DataFrame(rows)


def _figure(width: float = 5.0, height: float = 3.2) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_score_distribution(path: Path, scores: np.ndarray, y_bad: np.ndarray) -> None:
    fig = _figure()
    ax = fig.subplots()
    y = np.asarray(y_bad).astype(bool)
    edges = np.arange(SCORE_MIN, SCORE_MAX + 1, 20)
    ax.hist(scores[~y], bins=edges, density=True, alpha=0.6, label="no default", color="tab:blue")
    ax.hist(scores[y], bins=edges, density=True, alpha=0.6, label="default", color="tab:red")
    for _, lo, _ in BANDS[1:]:
        ax.axvline(lo, color="grey", lw=0.6, ls=":")
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title("Score distribution by outcome (test split)")
    ax.legend()
    fig.savefig(path, dpi=_DPI)


def plot_calibration(path: Path, card: Scorecard, scores: np.ndarray, y_bad: np.ndarray) -> None:
    fig = _figure()
    ax = fig.subplots()
    frame = pd.DataFrame({"s": scores, "y": np.asarray(y_bad, dtype=float)})
    frame["bucket"] = pd.qcut(frame["s"].rank(method="first"), 20, labels=False)
    grouped = frame.groupby("bucket").agg(s=("s", "mean"), y=("y", "mean"))
    implied = implied_bad_rate(card, grouped["s"].to_numpy())
    ax.plot(implied, grouped["y"], "o", label="20 score buckets")
    top = float(max(implied.max(), grouped["y"].max()) * 1.05)
    ax.plot([0, top], [0, top], color="grey", lw=0.8, label="perfect calibration")
    ax.set_xlabel("default rate implied by the score scaling")
    ax.set_ylabel("observed default rate")
    ax.set_title("Calibration (test split)")
    ax.legend()
    fig.savefig(path, dpi=_DPI)


def plot_ks(path: Path, scores: np.ndarray, y_bad: np.ndarray) -> None:
    levels, cum_bad, cum_good = ks_curve(y_bad, scores)
    gap = np.abs(cum_bad - cum_good)
    i = int(np.argmax(gap))
    fig = _figure()
    ax = fig.subplots()
    ax.step(levels, cum_bad, where="post", label="defaults at or below score", color="tab:red")
    ax.step(levels, cum_good, where="post", label="non-defaults at or below score",
            color="tab:blue")
    ax.vlines(levels[i], cum_good[i], cum_bad[i], color="black",
              label=f"KS = {gap[i]:.3f} at {levels[i]:.0f}")
    ax.set_xlabel("score")
    ax.set_ylabel("cumulative share")
    ax.set_title("KS curve (test split)")
    ax.legend(loc="lower right")
    fig.savefig(path, dpi=_DPI)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _edge(value: float | None) -> str:
    return "−∞" if value is None else ("∞" if math.isinf(value) else f"{value:g}")


def _points_table(card: Scorecard) -> list[str]:
    lines: list[str] = []
    for a in card.attributes:
        if not a.per_bin_reasons:
            lines.append(f"**{a.name}** ({a.reason_code}: {a.reason_text})\n")
            lines.append("| value | points |\n|---|---:|")
        else:
            lines.append(f"**{a.name}**\n")
            lines.append("| value | points | reason |\n|---|---:|---|")

        def reason(code: str | None, attr: Any = a) -> str:
            return "" if not attr.per_bin_reasons else f" {code or '—'} |"
        for b in a.bins:
            upper = "∞" if b.upper is None else f"{b.upper:g}"
            lower = "−∞" if b.lower is None else f"{b.lower:g}"
            lines.append(f"| [{lower}, {upper}) | {b.points} |{reason(b.reason_code)}")
        for sv in a.special:
            lines.append(f"| exactly {', '.join(str(v) for v in sv.values)} (special code) "
                         f"| {sv.points} |{reason(sv.reason_code)}")
        lines.append(f"| missing | {a.missing_points} |{reason(a.missing_reason_code)}\n")
    for pair in card.pairs:
        lines.append(f"**{pair.name}** (pair row: {pair.x} down, {pair.y} across; a missing "
                     f"value on either gives {pair.missing_points})\n")
        ys = ("−∞", *(f"{e:g}" for e in pair.y_edges), "∞")
        xs = ("−∞", *(f"{e:g}" for e in pair.x_edges), "∞")
        lines.append("| " + pair.x + " \\ " + pair.y + " | "
                     + " | ".join(f"[{a}, {b})" for a, b in itertools.pairwise(ys)) + " |")
        lines.append("|---|" + "---:|" * (len(pair.y_edges) + 1))
        for i, row in enumerate(pair.points):
            cells = [f"{p} {pair.reasons[i][j] or ''}".strip() if pair.reasons else str(p)
                     for j, p in enumerate(row)]
            lines.append(f"| [{xs[i]}, {xs[i + 1]}) | " + " | ".join(cells) + " |")
        lines.append("")
    texts = {code: text for a in card.attributes if a.per_bin_reasons
             for _, _, code, text in a.slots() if code is not None}
    texts |= {code: text for pair in card.pairs for code, text in pair.reason_texts.items()}
    if texts:
        lines += ["| reason | text |", "|---|---|"]
        lines += [f"| {code} | {texts[code]} |" for code in sorted(texts)]
        lines.append("")
    return lines


def _pairs_section(card: Scorecard) -> list[str]:
    t = card.training.get("pairs") or {}
    chosen = ", ".join(f"`{p.x}` × `{p.y}`" for p in card.pairs)
    gains = t.get("gains") or {}
    return [
        "### Pair rows (2-D bins)",
        "",
        f"{len(card.pairs)} pair rows: {chosen}. A pair row gives the points of the cell of the "
        "two attributes' own bins in which the file's two values fall, on top of each "
        "attribute's row (tables below). The rule, in `modelling/pairs.py`: candidates are the "
        "count attributes (never missing on a file); each candidate pair is fitted alone on "
        f"{int((1 - float(t.get('inner_size', 0.3))) * 100)} % of the training rows (the "
        "attribute rows' log-odds as a fixed offset; random_state "
        f"{t.get('random_state')}) and measured on the rest; the {t.get('k')} with the largest "
        "held-out AUC gain are kept. They are fitted jointly on all training rows by maximum "
        f"likelihood (L2, C = {t.get('C')}) under order constraints: along each axis a cell "
        "never scores more than its neighbour one bin nearer that attribute's best bins, so "
        "moving a value towards its best bins (every reason's action) never costs points on a "
        "pair row. A scale and an intercept are refitted so that implied bad rates stay true, "
        "and the attribute rows' coefficients are refitted once with the pairs fixed (then the "
        "pairs on top of them). The best cell gives 0; every other cell is points lost against "
        "it and, where a value lies off its best bins, a reason in the attribute rows' words.",
        "",
        *([("| pair | held-out AUC gain alone |"), "|---|---:|"]
          + [f"| {name} | {gain:+.4f} |" for name, gain in gains.items()] + [""]
          if gains else []),
    ]


def _personal_table(scores: np.ndarray, y_bad: np.ndarray, personal: pd.DataFrame) -> list[str]:
    age = personal["age"].to_numpy()
    groups = pd.cut(age, [-1, 29, 39, 49, 59, 69, 200],
                    labels=["< 30", "30–39", "40–49", "50–59", "60–69", "70+"])
    frame = pd.DataFrame({"g": groups, "s": scores, "y": np.asarray(y_bad, dtype=float)})
    lines = ["| age group | rows | mean score | observed default rate | share scoring ≥ 650 |",
             "|---|---:|---:|---:|---:|"]
    for g, part in frame.groupby("g", observed=True):
        lines.append(f"| {g} | {len(part):,} | {part['s'].mean():.0f} | {part['y'].mean():.3f} "
                     f"| {(part['s'] >= 650).mean():.3f} |")
    return lines


def _fairness_section(report: dict[str, Any]) -> list[str]:
    """The headline of the fairness audit written beside the card (``fairness.md``)."""
    out = ["## Fairness", "",
           "Audited on the same held-out rows by every protected attribute the data records "
           "(measured only; none is an input): adverse impact ratio at each published cut-off "
           "and at matched approval rates, standardised mean difference, equal opportunity and "
           "calibration by group, each with a 95 % bootstrap interval, and the attributes the "
           "score gap comes from. The whole report is published beside this card (`fairness.md`) "
           "and shown on the operators' Fairness page.", ""]
    for attr, res in report["by"].items():
        ref = res["reference"]
        out += [f"AIR by {attr} against {ref} (95 % interval):", "",
                "| cut-off | " + " | ".join(g for g in res["groups"] if g != ref) + " |",
                "|---|" + "---:|" * (len(res["groups"]) - 1)]
        for row in res["cutoffs"]:
            if row["kind"] != "published":
                continue
            cells = []
            for g, info in row["groups"].items():
                if g == ref:
                    continue
                air = info["air"]
                lo, hi = air["ci95"]
                cells.append(f"{air['value']:.2f} [{lo:.2f}, {hi:.2f}]" if lo is not None
                             else f"{air['value']:.2f}")
            out.append(f"| {row['cutoff']} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def _drift_section(card: Scorecard, report: dict[str, Any] | None = None) -> list[str]:
    """How drift is watched: the training baselines the spec records, and (when given) a
    current PSI report from :func:`openbureau.scoring.drift.drift_report`."""
    from openbureau.scoring.drift import MODERATE, STABLE

    out = [
        "## Drift",
        "",
        "The spec records the share of training rows in every bin, special value and missing "
        "bin of each attribute (`training_share`, `missing_training_share`) and the training "
        "score deciles (`training.score_distribution`). `GET /v1/admin/drift` (operators, "
        "auditors) compares the latest stored score of every subject with them: the population "
        "stability index `PSI = Σ (current − training) · ln(current / training)` per attribute "
        "(over the card's own bins) and for the score (over the training deciles), shares "
        f"floored at 0.0001. Below {STABLE:.2f}: stable; {STABLE:.2f}–{MODERATE:.2f}: a moderate "
        f"shift, watch it; above {MODERATE:.2f}: a significant shift, review the model "
        "(re-validate on recent outcomes, re-fit). Synthetic demo files are not GMSC borrowers, "
        "so a demo database shows drift by construction.",
        "",
    ]
    dist = card.training.get("score_distribution")
    if isinstance(dist, dict):
        lows = [card.scaling.min, *dist["edges"]]
        highs = [*dist["edges"], card.scaling.max + 1]
        out += ["| training score bucket | share |", "|---|---:|"]
        out += [f"| [{lo}, {hi}) | {share:.3f} |"
                for lo, hi, share in zip(lows, highs, dist["shares"], strict=True)]
        out.append("")
    if report is not None:
        out += [f"Current population ({report['population']:,} scores): score PSI "
                f"{_fmt(report['score']['psi'])} ({report['score']['status']}).", "",
                "| attribute | PSI | status |", "|---|---:|---|"]
        out += [f"| {a['name']} | {_fmt(a['psi'])} | {a['status']} |"
                for a in report["attributes"]]
        out.append("")
    return out


def write_model_card(docs_dir: str | os.PathLike[str], card: Scorecard, X_test: pd.DataFrame,
                     y_test: Sequence[int] | np.ndarray, test_scores: np.ndarray,
                     personal_test: pd.DataFrame | None = None,
                     fairness: dict[str, Any] | None = None) -> Path:
    """Write ``model-card.md`` and its plots into ``docs_dir``; return the markdown path."""
    docs = Path(docs_dir)
    plots = docs / "model-card"
    plots.mkdir(parents=True, exist_ok=True)
    y = np.asarray(y_test).astype(int)
    scores = np.asarray(test_scores)
    plot_score_distribution(plots / "score-distribution.png", scores, y)
    plot_calibration(plots / "calibration.png", card, scores, y)
    plot_ks(plots / "ks-curve.png", scores, y)

    t: dict[str, Any] = dict(card.training)
    s = card.scaling
    factor = s.pdo / math.log(2)
    offset = s.base_score - factor * math.log(s.base_odds)
    bands = band_table(scores, y)
    with_age = t.get("with_age_and_dependants_test_auc")
    unrounded = t.get("without_age_and_dependants_test_auc_unrounded")
    mapping = t.get("column_mapping", {})
    rows = "attribute and pair" if card.pairs else "attribute"
    gbm = t.get("boosting_test_auc")

    out: list[str] = [
        f"# Model card: scorecard `{card.version}`",
        "",
        f"Created {card.created_at}. Spec: `{card.version}.json` (format `{card.format}`), "
        "published with this card in `src/openbureau/scoring/models/`. Regenerate with "
        "`openbureau model train --out src/openbureau/scoring/models`.",
        "",
        "## What it is",
        "",
        f"A points scorecard on the {s.min}–{s.max} range: each credit-file attribute falls in "
        "one bin "
        "and earns that bin's integer points; the score is "
        f"`clip({card.intercept_points} + sum of {rows} points, {s.min}, {s.max})`. "
        "Higher means lower risk of going 90+ days past due within two years. Each attribute "
        "carries a reason code with plain-language text, used for key factors on adverse-action "
        "notices.",
        "",
        "## Scaling (PDO)",
        "",
        f"- base score **{s.base_score}** at good:bad odds **{s.base_odds:g}:1**;",
        f"- **{s.pdo} points to double the odds** (PDO): factor = {s.pdo}/ln 2 = {factor:.3f}, "
        f"offset = {s.base_score} − factor·ln {s.base_odds:g} = {offset:.2f};",
        "- score = offset + factor · ln(good:bad odds), rounded per bin, clipped to "
        f"[{s.min}, {s.max}].",
        "",
        "| score | implied good:bad odds | implied default rate |",
        "|---:|---:|---:|",
    ]
    for value in (s.min, 450, 550, 600, 650, 700, 800, s.max):
        odds = s.base_odds * 2 ** ((value - s.base_score) / s.pdo)
        out.append(f"| {value} | {odds:.2f}:1 | {1 / (1 + odds):.4f} |")
    out += [
        "",
        "## Data",
        "",
        f"`{t.get('dataset')}` (Kaggle *Give Me Some Credit*, 2011; four fifths of the "
        f"competition's training file): {t.get('rows', 0):,} rows, default rate "
        f"{t.get('positive_rate', 0):.4f}. Split: {t.get('split')}; random_state "
        f"{t.get('random_state')}. The remaining fifth of the original rows is held back "
        "elsewhere for independent evaluation. No open licence: internal testing and "
        "benchmarking only; the data is not in this repository.",
        "",
        "### Columns → attributes",
        "",
        "| GMSC column | openbureau attribute |",
        "|---|---|",
    ]
    out += [f"| `{col}` | `{attr}` |" for col, attr in mapping.items()]
    out += [
        "",
        "When `MonthlyIncome` is missing, GMSC's `DebtRatio` holds the monthly debt amount, not a "
        "ratio; so `debt_ratio` is set only where income is present (missing otherwise) and "
        "`monthly_debt_payments` is `DebtRatio × MonthlyIncome`, or `DebtRatio` when income is "
        "missing.",
        "",
        "### Excluded inputs",
        "",
        "Never model inputs, even though the dataset has them: "
        + ", ".join(f"`{c}`" for c in t.get("excluded_inputs", []))
        + ". Nor sex, marital status or nationality (not in the data). "
        "The spec loader refuses any such attribute name.",
        "",
        "## Performance",
        "",
        "Measured on the integer-point scores (after rounding and clipping).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| test AUC | {_fmt(t.get('test_auc'))} |",
        f"| test KS | {_fmt(t.get('test_ks'))} |",
        f"| test Gini | {_fmt(t.get('test_gini'))} |",
        f"| {t.get('cv_folds')}-fold CV AUC (mean ± sd) | {_fmt(t.get('cv_auc_mean'))} ± "
        f"{_fmt(t.get('cv_auc_std'))} |",
        f"| optbinning default `BinningProcess` + `Scorecard`, same split, no age/dependants "
        f"| {_fmt(t.get('optbinning_default_test_auc'))} |",
        *([f"| gradient boosting (`HistGradientBoostingClassifier`) on the same attributes, "
           f"same split, same run | {_fmt(gbm)} |",
           f"| the card behind boosting (boosting − card) | "
           f"{_fmt(gbm - t['test_auc'] if t.get('test_auc') is not None else None)} |"]
          if gbm is not None else []),
        "",
        "### What leaving out age and dependants costs",
        "",
    ]
    if with_age is not None and unrounded is not None:
        out += [
            f"The same pipeline trained once **with** age and number of dependants reaches test "
            f"AUC **{with_age:.4f}**, against **{unrounded:.4f}** without them (both before "
            f"rounding to points): a cost of **{with_age - unrounded:.4f}** AUC. That variant is "
            "only measured, never written as a model.",
        ]
    else:
        out.append("Not measured in this run.")
    out += [
        "",
        "### Default rate per score band (test split)",
        "",
        "| band | rows | share | observed default rate |",
        "|---|---:|---:|---:|",
    ]
    for row in bands.itertuples():
        out.append(f"| {row.band} | {row.rows:,} | {row.share:.3f} | "
                   f"{_fmt(row.default_rate, 4)} |")
    out += [
        "",
        "![Score distribution by outcome](model-card/score-distribution.png)",
        "![Calibration](model-card/calibration.png)",
        "![KS curve](model-card/ks-curve.png)",
        "",
    ]
    if personal_test is not None:
        out += [
            "### Scores by age group (audit only; age is not an input)",
            "",
        ]
        out += _personal_table(scores, y, personal_test)
        out.append("")
    if fairness is not None:
        out += _fairness_section(fairness)
    out += [
        "## Binning",
        "",
        "Each attribute is binned with optbinning's `OptimalBinning` (CART pre-binning, "
        "constraint-programming solver) under a monotonic-trend constraint chosen so that points "
        "run the way a consumer expects: more late payments, higher debt payments, a higher "
        "debt ratio and more real-estate loans never gain points; more income never costs "
        "points. Two attributes keep a valley, because the data shows it and each side has its "
        "own reason: revolving utilisation (no use scores below light use, heavy use lower "
        "still: a card kept at 0 % says little about how its holder repays) and open trades "
        "(none or very many both score below a few). The number of real-estate loans is "
        "ascending, not a valley: having no mortgage costs nothing (GMSC shows one mortgage a "
        "little better than none, but that difference is home ownership and age, not "
        "repayment). Fine pre-binning (≤ 50 pre-bins of ≥ 2 % of rows; ≥ 0.2 % for the count "
        "attributes, so that 2, 3, 4+ late payments keep their own bins) is where the accuracy "
        "comes from. The past-due sentinel codes 96 and 98 are special values with their own "
        "points; missing income (and so missing `debt_ratio`) has its own missing bin. A logistic "
        "regression on the weights of evidence gives each attribute a coefficient; points are "
        "`round(−factor · coefficient · WoE)` per bin. An attribute never missing in training "
        "scores 0 (average) when missing.",
        "",
        *(_pairs_section(card) if card.pairs else []),
        "## Reasons",
        "",
        "Each bin carries the reason for the direction of its shortfall (column *reason*), "
        "measured against the attribute's best bin (the most points a value can reach by "
        "improving; never the missing bin or a sentinel code). The best bin gives no reason; "
        "nor does a missing income or debt ratio (what reporting an income does depends on the "
        "income). Every reason has a simulator action that raises the score of the file it is "
        "given for (`scoring/actions.py`, tested on 10,000 synthetic files).",
        "",
    ]
    out += _points_table(card)
    out += _drift_section(card)
    out += [
        "## Limits",
        "",
        "- One dataset, one lender's population (2011, US consumer credit); no information on "
        "  trade age or inquiries, which the production attribute set has.",
        "- Observed default rates are for this sample; the calibration plot shows how far the "
        "  implied odds hold on the test split.",
        "",
    ]
    md = docs / "model-card.md"
    md.write_text("\n".join(out), encoding="utf-8")
    return md
