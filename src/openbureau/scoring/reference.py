"""The readable reference scorer: one subject's attributes in, an integer score out.

Every other engine must give exactly these scores. The rules, per attribute of the card:

1. absent, ``None`` or NaN            -> ``missing_points`` (flag ``missing:<name>``);
2. numeric, equal to a special value  -> that special value's points (flag ``special:<name>``);
3. numeric, inside the domain         -> the points of the bin ``[lower, upper)`` holding it;
4. categorical, a listed category     -> that category's points;
5. anything else (outside the domain, infinite, wrong type, unseen category) -> ``OutOfDomain``.

Then each pair row (an interaction of two of those attributes): the points of the cell of its
grid holding the two values, or its ``missing_points`` when either is missing (the attribute rows
have already refused a value out of their domain).

raw = intercept_points + sum of attribute and pair points; value = raw clipped to
[scaling.min, scaling.max] (flag ``clipped:min`` / ``clipped:max``). Attributes the card does
not use are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from openbureau.scoring.spec import AttributeCard, PairCard, Scorecard

AttributeValue = float | int | str | None


class OutOfDomain(ValueError):
    """A value the scorecard was not built for; engines refuse it rather than guess."""

    def __init__(self, attribute: str, value: object) -> None:
        super().__init__(f"{attribute}: value {value!r} is outside the scorecard's domain")
        self.attribute = attribute
        self.value = value


@dataclass(frozen=True)
class ScoreResult:
    value: int
    points: dict[str, int]
    raw: int
    flags: list[str] = field(default_factory=list)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def attribute_points(attr: AttributeCard, value: AttributeValue) -> tuple[int, str | None]:
    """Points for one attribute value, and the flag it raises (or None)."""
    if _is_missing(value):
        return attr.missing_points, f"missing:{attr.name}"
    if attr.kind == "categorical":
        if isinstance(value, str):
            for cat in attr.categories:
                if value in cat.values:
                    return cat.points, None
        raise OutOfDomain(attr.name, value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OutOfDomain(attr.name, value)
    for sv in attr.special:
        if value in sv.values:
            return sv.points, f"special:{attr.name}"
    if not attr.in_domain(value):
        raise OutOfDomain(attr.name, value)
    for b in attr.bins:
        if b.contains(value):
            return b.points, None
    raise OutOfDomain(attr.name, value)  # unreachable for a validated spec


def pair_points(pair: PairCard, x: AttributeValue, y: AttributeValue) -> int:
    """Points of a pair row for two values its attribute rows accepted."""
    if _is_missing(x) or _is_missing(y):
        return pair.missing_points
    assert isinstance(x, int | float) and isinstance(y, int | float)
    i, j = pair.cell(float(x), float(y))
    return pair.points[i][j]


def score_attributes(card: Scorecard, attrs: Mapping[str, AttributeValue]) -> ScoreResult:
    points: dict[str, int] = {}
    flags: list[str] = []
    for attr in card.attributes:
        pts, flag = attribute_points(attr, attrs.get(attr.name))
        points[attr.name] = pts
        if flag is not None:
            flags.append(flag)
    for pair in card.pairs:
        points[pair.name] = pair_points(pair, attrs.get(pair.x), attrs.get(pair.y))
    raw = card.intercept_points + sum(points.values())
    lo, hi = card.scaling.min, card.scaling.max
    if raw < lo:
        flags.append("clipped:min")
    elif raw > hi:
        flags.append("clipped:max")
    return ScoreResult(value=min(max(raw, lo), hi), points=points, raw=raw, flags=flags)
