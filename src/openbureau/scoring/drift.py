"""Population drift: population stability index (PSI) of each attribute and of the score, the
current population against the training population the card was fitted on.

The buckets of an attribute are the card's own: each bin, each special value group, each category,
and the missing bin; the spec records the training share of every one (``training_share``,
``missing_training_share``). The score's buckets are the training score deciles, recorded in the
spec's ``training.score_distribution`` as ``{"edges": [lower bounds...], "shares": [...]}``.

``PSI = sum((actual - expected) * ln(actual / expected))`` over the buckets, with shares floored at
:data:`FLOOR` so that an empty bucket does not make it infinite. Reading, by the usual rule of
thumb: below 0.10 stable; 0.10–0.25 a moderate shift, watch it; above 0.25 a significant shift,
review the model (re-fit, or re-validate on recent outcomes).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from openbureau.scoring.spec import AttributeCard, Scorecard

FLOOR = 1e-4
STABLE, MODERATE = 0.10, 0.25
MISSING = "missing"


def status_of(psi: float | None) -> str:
    if psi is None:
        return "unknown"
    return "stable" if psi < STABLE else "moderate shift" if psi < MODERATE else "significant shift"


def _edge(value: float | None, low: bool) -> str:
    return ("−∞" if low else "∞") if value is None else f"{value:g}"


def bucket_labels(attr: AttributeCard) -> list[str]:
    """Every bucket of an attribute, in the spec's order: special values, categories, bins,
    missing."""
    labels = [f"= {', '.join(str(v) for v in sv.values)}" for sv in attr.special]
    labels += [", ".join(c.values) for c in attr.categories]
    labels += [f"[{_edge(b.lower, True)}, {_edge(b.upper, False)})" for b in attr.bins]
    return [*labels, MISSING]


def bucket_of(attr: AttributeCard, value: object) -> int:
    """Index into :func:`bucket_labels` for one value; ``-1`` for a value the card refuses."""
    n_special, n_cat = len(attr.special), len(attr.categories)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return n_special + n_cat + len(attr.bins)
    if attr.kind == "categorical":
        for j, cat in enumerate(attr.categories):
            if value in cat.values:
                return n_special + j
        return -1
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return -1
    for j, sv in enumerate(attr.special):
        if value in sv.values:
            return j
    if not attr.in_domain(value):
        return -1
    for j, b in enumerate(attr.bins):
        if b.contains(value):
            return n_special + n_cat + j
    return -1


def expected_shares(attr: AttributeCard) -> list[float] | None:
    shares = [sv.training_share for sv in attr.special]
    shares += [c.training_share for c in attr.categories]
    shares += [b.training_share for b in attr.bins]
    shares.append(attr.missing_training_share)
    if any(s is None for s in shares):
        return None
    return [float(s) for s in shares if s is not None]


def shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def psi(expected: Sequence[float], actual: Sequence[float], floor: float = FLOOR) -> float:
    if len(expected) != len(actual):
        raise ValueError("expected and actual need the same buckets")
    out = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, floor), max(a, floor)
        out += (a - e) * math.log(a / e)
    return out


# ---------------------------------------------------------------------------------- training side


def score_distribution(scores: Sequence[int], n_buckets: int = 10) -> dict[str, list[Any]]:
    """Decile buckets of the training scores: lower edges (the first is the scale's minimum
    score, implied) and the share of training scores in each."""
    ordered = sorted(int(s) for s in scores)
    if not ordered:
        raise ValueError("no scores")
    edges: list[int] = []
    for k in range(1, n_buckets):
        edge = ordered[min(len(ordered) * k // n_buckets, len(ordered) - 1)]
        if (not edges or edge > edges[-1]) and edge > ordered[0]:
            edges.append(edge)
    counts = Counter(bisect.bisect_right(edges, s) for s in ordered)
    return {"edges": edges,
            "shares": [round(v, 6) for v in shares([counts.get(i, 0)
                                                     for i in range(len(edges) + 1)])]}


def with_training_shares(card: Scorecard, rows: Iterable[Mapping[str, Any]],
                         scores: Sequence[int] | None = None) -> Scorecard:
    """The same card (same bins, same points) with each bucket's training share recorded, and the
    training score distribution when ``scores`` are given."""
    data = list(rows)
    attributes = []
    for attr in card.attributes:
        counts = [0] * len(bucket_labels(attr))
        for row in data:
            k = bucket_of(attr, row.get(attr.name))
            if k < 0:
                raise ValueError(f"{attr.name}: training value {row.get(attr.name)!r} is "
                                 "outside the card")
            counts[k] += 1
        share = [round(v, 6) for v in shares(counts)]
        ns, nc = len(attr.special), len(attr.categories)
        attributes.append(replace(
            attr,
            special=tuple(replace(sv, training_share=share[j])
                          for j, sv in enumerate(attr.special)),
            categories=tuple(replace(c, training_share=share[ns + j])
                             for j, c in enumerate(attr.categories)),
            bins=tuple(replace(b, training_share=share[ns + nc + j])
                       for j, b in enumerate(attr.bins)),
            missing_training_share=share[-1]))
    training = dict(card.training)
    if scores is not None:
        training["score_distribution"] = score_distribution(scores)
    return replace(card, attributes=tuple(attributes), training=training)


# ---------------------------------------------------------------------------------- report


def _buckets(labels: Sequence[str], expected: Sequence[float] | None,
             actual: Sequence[float]) -> list[dict[str, Any]]:
    return [{"bucket": label,
             "training_share": None if expected is None else round(expected[i], 6),
             "current_share": round(actual[i], 6)}
            for i, label in enumerate(labels)]


def drift_report(card: Scorecard, attribute_rows: Iterable[Mapping[str, Any]],
                 scores: Iterable[int]) -> dict[str, Any]:
    """PSI per attribute and for the score; ``attribute_rows`` are the stored attribute values of
    the current population (one mapping per subject), ``scores`` their scores."""
    rows = list(attribute_rows)
    buckets: dict[str, list[int]] = {}
    outside: dict[str, int] = {}
    for attr in card.attributes:
        counts = [0] * len(bucket_labels(attr))
        outside[attr.name] = 0
        for row in rows:
            k = bucket_of(attr, row.get(attr.name))
            if k < 0:
                outside[attr.name] += 1
            else:
                counts[k] += 1
        buckets[attr.name] = counts
    return drift_from_counts(card, len(rows), buckets, outside, Counter(int(s) for s in scores))


def drift_from_counts(card: Scorecard, population: int, buckets: Mapping[str, Sequence[int]],
                      outside: Mapping[str, int], score_counts: Mapping[int, int]
                      ) -> dict[str, Any]:
    """:func:`drift_report` from counts already made (by a database,
    ``adapters.scoring_sql.bucket_expr``): per attribute the count in each bucket of
    :func:`bucket_labels` and the count outside the card, and how many subjects have each score."""
    attributes: list[dict[str, Any]] = []
    for attr in card.attributes:
        labels = bucket_labels(attr)
        expected = expected_shares(attr)
        actual = shares(buckets[attr.name])
        value = None if expected is None or not population else psi(expected, actual)
        attributes.append({
            "name": attr.name, "reason_code": attr.reason_code,
            "psi": None if value is None else round(value, 6), "status": status_of(value),
            "outside_card": outside[attr.name], "buckets": _buckets(labels, expected, actual)})
    known = [a["psi"] for a in attributes if a["psi"] is not None]
    return {
        "model_version": card.version,
        "population": population,
        "score": score_drift(card, score_counts),
        "attributes": attributes,
        "worst_attribute": (max(attributes, key=lambda a: a["psi"])["name"]
                            if known else None),
        "thresholds": {"stable_below": STABLE, "significant_above": MODERATE},
        "training_shares_recorded": all(expected_shares(a) is not None
                                        for a in card.attributes),
    }


def score_drift(card: Scorecard, score_counts: Mapping[int, int]) -> dict[str, Any]:
    """The score's PSI against the training score deciles, from how many have each score."""
    dist = card.training.get("score_distribution")
    if not isinstance(dist, Mapping) or not any(score_counts.values()):
        return {"psi": None, "status": status_of(None), "buckets": []}
    edges = [int(e) for e in dist["edges"]]
    per: Counter[int] = Counter()
    for score, n in score_counts.items():
        per[bisect.bisect_right(edges, int(score))] += n
    actual = shares([per.get(i, 0) for i in range(len(edges) + 1)])
    lows = [card.scaling.min, *edges]
    highs = [*edges, card.scaling.max + 1]
    labels = [f"[{lo}, {hi})" for lo, hi in zip(lows, highs, strict=True)]
    value = psi(dist["shares"], actual)
    return {"psi": round(value, 6), "status": status_of(value),
            "buckets": _buckets(labels, dist["shares"], actual)}
