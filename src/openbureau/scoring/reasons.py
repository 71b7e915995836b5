"""Key factors: the attributes that cost a subject the most points, in words a consumer reads.

A card trained by this version (``per_bin_reasons``) gives each bin the reason for the direction
of its shortfall: a utilisation above the best bin reads "balances are high", one below it
"little recent use", no revolving account at all "no revolving account". A subject's *loss* on
an attribute is then the attribute's :func:`reference_points` (the most its bins or categories
give: what improving can reach; a sentinel code or the missing bin is never the reference)
minus the points earned; a slot without a reason (the best bin, an income that was not reported:
what reporting it does depends on the income) never gives a key factor. A card without per-bin
reasons keeps the older rule: one text per attribute, measured against :func:`best_points` (every
bin, special value and the missing bin).

``key_factors`` lists the reasons with the largest positive loss, up to ``profile.key_factors``;
ties go to the attribute with the lower (attribute-level) reason code, so the same file always
gives the same list (and PMML's static tie-break gives the same order). When the profile
follows Reg B / Dodd-Frank practice (``extra_factor_for_inquiries``) and an inquiries attribute
lost points while none of the listed ones is about inquiries, it is added as one more factor (the
rule is ``domain.key_factors``'s, which notices apply too). Nothing that lost nothing is listed.

A pair row (2-D bins) gives the reason of the cell the file's two values fall in, measured
against the row's best cell (:meth:`PairCard.reference_points`); a cell without a reason never
gives one. Its action is that of the pair's attribute lying off its own best bins (``acts_on``:
x when both do): the card is trained so that moving either value towards its best bins never
lowers the pair's points (:mod:`openbureau.modelling.pairs`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from openbureau.domain import key_factors as rule
from openbureau.domain.key_factors import KeyFactorProfile
from openbureau.scoring.spec import (
    AttributeCard,
    Bin,
    Category,
    PairCard,
    Scorecard,
    SpecialValue,
)

__all__ = ["KeyFactor", "KeyFactorProfile", "Shortfall", "best_points", "is_inquiry_attribute",
           "key_factors", "off_peak", "pair_shortfall", "points_lost", "reference_points",
           "row_order", "shortfalls", "slot_of"]

AttributeValue = float | int | str | None


class KeyFactor(TypedDict):
    code: str
    text: str
    points_lost: int


@dataclass(frozen=True)
class Shortfall:
    """One attribute's reason on one file: which slot the value fell in, and what it cost."""

    attribute: str
    code: str
    text: str
    points_lost: int
    slot: str          # bin | special | category | missing | cell (a pair row's)
    index: int         # the bin's (category's, special value's, cell's) position; -1: missing
    acts_on: str | None = None   # a pair row's: the attribute whose action answers it


def is_inquiry_attribute(name: str) -> bool:
    """Attributes counting credit inquiries (e.g. ``inquiries_6m``): Reg B's extra factor."""
    return "inquir" in name


def best_points(attr: AttributeCard) -> int:
    """The most points the attribute can earn, over every bin, special value, category and
    the missing bin (the reference of a card without per-bin reasons)."""
    return max(points for _, points, _, _ in attr.slots())


def reference_points(attr: AttributeCard) -> int:
    """The most points a value can reach by improving: over the bins (numeric) or the
    categories; never a sentinel code or the missing bin."""
    return max([b.points for b in attr.bins] + [c.points for c in attr.categories])


def slot_of(attr: AttributeCard, value: AttributeValue) -> tuple[str, int]:
    """Where ``value`` lands, by the reference scorer's rules: (slot kind, index). Raises
    ValueError for a value outside the card's domain (such a file is not scored)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing", -1
    if attr.kind == "categorical":
        for j, cat in enumerate(attr.categories):
            if value in cat.values:
                return "category", j
        raise ValueError(f"{attr.name}: {value!r} is not a category of the card")
    assert not isinstance(value, str)
    for j, sv in enumerate(attr.special):
        if value in sv.values:
            return "special", j
    for i, b in enumerate(attr.bins):
        if b.contains(value):
            return "bin", i
    raise ValueError(f"{attr.name}: {value!r} is outside the card's domain")


def _slot_reason(attr: AttributeCard, slot: str, index: int) -> tuple[str, str] | None:
    if slot == "missing":
        return attr.reason(attr.missing_reason_code, attr.missing_reason_text)
    holder: Bin | SpecialValue | Category
    if slot == "bin":
        holder = attr.bins[index]
    elif slot == "special":
        holder = attr.special[index]
    else:
        holder = attr.categories[index]
    return attr.reason(holder.reason_code, holder.reason_text)


def off_peak(attr: AttributeCard, value: AttributeValue) -> bool:
    """True when ``value`` scores below the attribute's reference (improving it can gain)."""
    slot, index = slot_of(attr, value)
    return slot in ("bin", "special", "category") and _slot_points(attr, slot, index) < \
        reference_points(attr)


def _slot_points(attr: AttributeCard, slot: str, index: int) -> int:
    if slot == "bin":
        return attr.bins[index].points
    if slot == "special":
        return attr.special[index].points
    return attr.categories[index].points


def pair_shortfall(card: Scorecard, pair: PairCard, earned: int,
                   attributes: Mapping[str, AttributeValue]) -> Shortfall | None:
    """The pair row's reason on a file, or None (missing value, best cell, no reason)."""
    x, y = attributes.get(pair.x), attributes.get(pair.y)
    if x is None or y is None or isinstance(x, str) or isinstance(y, str) or \
            math.isnan(x) or math.isnan(y):
        return None
    i, j = pair.cell(float(x), float(y))
    reason = pair.reason_at(i, j)
    loss = pair.reference_points() - earned
    if reason is None or loss <= 0:
        return None
    axis = pair.x if off_peak(card.attribute(pair.x), x) else pair.y
    return Shortfall(pair.name, reason[0], reason[1], loss, "cell",
                     i * (len(pair.y_edges) + 1) + j, acts_on=axis)


def shortfalls(card: Scorecard, points_by_attribute: Mapping[str, int],
               attributes: Mapping[str, AttributeValue] | None = None) -> list[Shortfall]:
    """Every attribute of ``card`` (present in the points) that lost points and has a reason for
    where its value fell. A card with per-bin reasons needs the ``attributes`` (the values):
    the points alone do not say on which side of the best bin a value lies."""
    out = []
    for attr in card.attributes:
        if attr.name not in points_by_attribute:
            continue
        earned = points_by_attribute[attr.name]
        if not attr.per_bin_reasons:
            loss = best_points(attr) - earned
            if loss > 0:
                out.append(Shortfall(attr.name, attr.reason_code, attr.reason_text, loss,
                                     "attribute", -1))
            continue
        if attributes is None:
            raise ValueError(f"{card.version} gives reasons per bin: pass the attribute values")
        slot, index = slot_of(attr, attributes.get(attr.name))
        reason = _slot_reason(attr, slot, index)
        loss = reference_points(attr) - earned
        if reason is not None and loss > 0:
            out.append(Shortfall(attr.name, reason[0], reason[1], loss, slot, index))
    for pair in card.pairs:
        if pair.name not in points_by_attribute:
            continue
        if attributes is None:
            raise ValueError(f"{card.version} has pair rows: pass the attribute values")
        found = pair_shortfall(card, pair, points_by_attribute[pair.name], attributes)
        if found is not None:
            out.append(found)
    return out


def row_order(card: Scorecard) -> dict[str, str]:
    """Each row's tie-break code: an attribute's own, a pair's smallest cell code."""
    order = {a.name: a.reason_code for a in card.attributes}
    for pair in card.pairs:
        order[pair.name] = min(pair.reason_texts, default="R999")
    return order


def points_lost(card: Scorecard, points_by_attribute: Mapping[str, int],
                attributes: Mapping[str, AttributeValue] | None = None) -> dict[str, int]:
    """Every attribute's loss (0 where it lost nothing or has no reason for where its value
    fell; see :func:`shortfalls`)."""
    lost = {s.attribute: s.points_lost
            for s in shortfalls(card, points_by_attribute, attributes)}
    return {name: lost.get(name, 0) for name in card.rows if name in points_by_attribute}


def key_factors(card: Scorecard, points_by_attribute: Mapping[str, int],
                profile: KeyFactorProfile,
                attributes: Mapping[str, AttributeValue] | None = None) -> list[KeyFactor]:
    """Up to ``profile.key_factors`` reasons, largest loss first (ties: reason code), plus an
    inquiries reason when it lost points, none listed is about inquiries, and the profile asks
    for it."""
    order = row_order(card)
    ranked = sorted(shortfalls(card, points_by_attribute, attributes),
                    key=lambda s: (-s.points_lost, order[s.attribute]))
    chosen = rule.select(ranked, profile, lambda s: is_inquiry_attribute(s.attribute))
    return [KeyFactor(code=s.code, text=s.text, points_lost=s.points_lost) for s in chosen]
