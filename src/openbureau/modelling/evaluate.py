"""Score a GMSC-format frame with a spec and measure it: AUC, KS, Gini.

``score_frame`` is a vectorised twin of :func:`openbureau.scoring.reference.score_attributes`;
it gives the same integer scores (the tests hold it to that) and the same ``OutOfDomain`` refusal.
Metrics are computed in numpy so that scoring needs no training extras.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from openbureau.scoring.spec import Scorecard, load_spec
from openbureau.scoring.vectorised import VectorCard


def _columns(card: Scorecard, attrs: pd.DataFrame) -> dict[str, np.ndarray]:
    return {a.name: attrs[a.name].to_numpy() for a in card.attributes
            if a.name in attrs.columns}


def points_frame(card: Scorecard, attrs: pd.DataFrame) -> pd.DataFrame:
    """Points per attribute (columns) per row; an attribute absent from ``attrs`` is missing."""
    compiled, cols = VectorCard(card), _columns(card, attrs)
    out = {a.name: compiled.points(a.name, cols.get(a.name), len(attrs))
           for a in card.attributes}
    out |= {p.name: compiled.pair_points(p, cols.get(p.x), cols.get(p.y), len(attrs))
            for p in card.pairs}
    return pd.DataFrame(out, index=attrs.index)


def score_frame(card: Scorecard, attrs: pd.DataFrame) -> np.ndarray:
    """Integer scores, clipped to the scaling range; identical to the reference scorer's."""
    return VectorCard(card).score(_columns(card, attrs), len(attrs)).astype(np.int64)


def implied_bad_rate(card: Scorecard, scores: np.ndarray) -> np.ndarray:
    """The bad rate the scaling promises at each score (odds double every ``pdo`` points)."""
    s = card.scaling
    odds = s.base_odds * np.power(2.0, (np.asarray(scores, dtype=float) - s.base_score) / s.pdo)
    return np.asarray(1.0 / (1.0 + odds))


# ---------------------------------------------------------------------------------- metrics


def auc(y_bad: np.ndarray, score: np.ndarray) -> float:
    """Probability that a random good outscores a random bad (ties count half)."""
    y = np.asarray(y_bad).astype(bool)
    ranks = pd.Series(np.asarray(score, dtype=float)).rank(method="average").to_numpy()
    n_good, n_bad = int((~y).sum()), int(y.sum())
    if n_good == 0 or n_bad == 0:
        raise ValueError("AUC needs both outcomes")
    return float((ranks[~y].sum() - n_good * (n_good + 1) / 2) / (n_good * n_bad))


def ks_curve(y_bad: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct scores and the cumulative share of bads and of goods at or below each."""
    y = np.asarray(y_bad).astype(bool)
    s = np.asarray(score, dtype=float)
    levels, inverse = np.unique(s, return_inverse=True)
    bads = np.bincount(inverse, weights=y.astype(float), minlength=len(levels))
    goods = np.bincount(inverse, weights=(~y).astype(float), minlength=len(levels))
    return levels, np.cumsum(bads) / bads.sum(), np.cumsum(goods) / goods.sum()


def ks(y_bad: np.ndarray, score: np.ndarray) -> float:
    _, cum_bad, cum_good = ks_curve(y_bad, score)
    return float(np.max(np.abs(cum_bad - cum_good)))


def metrics(y_bad: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    a = auc(y_bad, score)
    return {"auc": a, "ks": ks(y_bad, score), "gini": 2 * a - 1, "n": len(score)}


def evaluate(card: Scorecard, df: pd.DataFrame) -> dict[str, Any]:
    """Score a GMSC-format frame (label ``SeriousDlqin2yrs``) with ``card``: auc, ks, gini, n."""
    from openbureau.modelling.training import LABEL, gmsc_to_attributes

    scores = score_frame(card, gmsc_to_attributes(df))
    return metrics(df[LABEL].to_numpy(), scores)


def write_scores_csv(card: Scorecard, df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """One line per input row: the row id, the score, each attribute's points (and the label)."""
    from openbureau.modelling.training import LABEL, gmsc_to_attributes

    attrs = gmsc_to_attributes(df)
    out = pd.DataFrame({"score": score_frame(card, attrs)}, index=df.index)
    points = points_frame(card, attrs)
    out = out.join(points.add_prefix("points_"))
    if LABEL in df.columns:
        out[LABEL] = df[LABEL]
    out.index.name = "id"
    out.to_csv(path)


def boosting_auc(X_train: pd.DataFrame, y_train: np.ndarray, X_test: pd.DataFrame,
                 y_test: np.ndarray, random_state: int = 42) -> float:
    """Gradient boosting (scikit-learn's ``HistGradientBoostingClassifier``, early stopping on
    10 % of the training rows) on the same attributes: the yardstick of the card's accuracy."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=500, learning_rate=0.05,
                                           early_stopping=True, validation_fraction=0.1,
                                           random_state=random_state)
    model.fit(X_train.to_numpy(dtype=float), y_train)
    return auc(y_test, -model.predict_proba(X_test.to_numpy(dtype=float))[:, 1])


def evaluate_main(data_path: str | os.PathLike[str], spec_path: str | os.PathLike[str],
                  out_csv: str | os.PathLike[str] | None = None,
                  boosting: bool = True) -> dict[str, Any]:
    """``openbureau model evaluate``: score a GMSC-format CSV with a spec and print the metrics.

    When the file is the card's own training data (its row count is the one the card records),
    only the rows the card was not fitted on are scored, and gradient boosting is trained on the
    card's training rows, with the same attributes, and measured on the same held-out rows in
    the same run (``boosting``)."""
    from openbureau.modelling.training import LABEL, gmsc_to_attributes, load_gmsc

    card = load_spec(spec_path)
    print(f"scorecard {card.version}: {len(card.attributes)} attributes, {len(card.pairs)} pair "
          "rows")
    df = load_gmsc(data_path)
    print(f"data {data_path}: {len(df):,} rows")
    y = df[LABEL].to_numpy().astype(int)
    own = card.training.get("rows") == len(df) and "test_rows" in card.training
    if own:
        from openbureau.modelling.fairness_report import held_out

        test = held_out(card, len(df), y)
        train = np.setdiff1d(np.arange(len(df)), test)
        print(f"this is the card's training data: scoring its {len(test):,} held-out rows")
        scored = df.iloc[test]
    else:
        scored = df
    result = evaluate(card, scored)
    print(f"AUC {result['auc']:.4f}  KS {result['ks']:.4f}  Gini {result['gini']:.4f}  "
          f"n {result['n']:,}")
    if own and boosting:
        X = gmsc_to_attributes(df)[list(card.names)]
        gbm = boosting_auc(X.iloc[train], y[train], X.iloc[test], y[test])
        result["boosting_auc"] = gbm
        print(f"gradient boosting on the same attributes, trained on the card's training rows: "
              f"AUC {gbm:.4f}; the card is {gbm - result['auc']:+.4f} behind")
    if out_csv is not None:
        write_scores_csv(card, scored, out_csv)
        print(f"scores written to {out_csv}")
    return result
