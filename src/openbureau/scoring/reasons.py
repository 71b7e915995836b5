"""Key factors: the attributes that cost a subject the most points, in words a consumer reads.

An attribute's *loss* is its best possible points (the maximum over its bins, special values,
categories and missing bin) minus the points it earned. ``key_factors`` lists the attributes with
the largest positive loss, up to ``profile.key_factors``; ties go to the lower reason code, so the
same points always give the same list. When the profile follows Reg B / Dodd-Frank practice
(``extra_factor_for_inquiries``) and an inquiries attribute lost points while none of the listed
ones is about inquiries, it is added as one more factor (the rule is ``domain.key_factors``'s,
which notices apply too). An attribute that lost nothing is never a key factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from openbureau.domain import key_factors as rule
from openbureau.domain.key_factors import KeyFactorProfile
from openbureau.scoring.spec import AttributeCard, Scorecard

__all__ = ["KeyFactor", "KeyFactorProfile", "best_points", "is_inquiry_attribute", "key_factors",
           "points_lost"]


class KeyFactor(TypedDict):
    code: str
    text: str
    points_lost: int


def is_inquiry_attribute(name: str) -> bool:
    """Attributes counting credit inquiries (e.g. ``inquiries_6m``): Reg B's extra factor."""
    return "inquir" in name


def best_points(attr: AttributeCard) -> int:
    """The most points the attribute can earn, over every bin, special value, category and
    the missing bin."""
    candidates = [attr.missing_points]
    candidates += [b.points for b in attr.bins]
    candidates += [s.points for s in attr.special]
    candidates += [c.points for c in attr.categories]
    return max(candidates)


def points_lost(card: Scorecard, points_by_attribute: Mapping[str, int]) -> dict[str, int]:
    """Loss against the best bin for every attribute of ``card`` present in the mapping."""
    return {a.name: best_points(a) - points_by_attribute[a.name]
            for a in card.attributes if a.name in points_by_attribute}


def key_factors(card: Scorecard, points_by_attribute: Mapping[str, int],
                profile: KeyFactorProfile) -> list[KeyFactor]:
    """Up to ``profile.key_factors`` reasons, largest loss first (ties: reason code), plus an
    inquiries reason when it lost points, none listed is about inquiries, and the profile asks
    for it."""
    losses = points_lost(card, points_by_attribute)
    ranked = sorted((a for a in card.attributes if losses.get(a.name, 0) > 0),
                    key=lambda a: (-losses[a.name], a.reason_code))
    chosen = rule.select(ranked, profile, lambda a: is_inquiry_attribute(a.name))
    return [KeyFactor(code=a.reason_code, text=a.reason_text, points_lost=losses[a.name])
            for a in chosen]
