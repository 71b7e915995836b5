"""One key-factor rule (domain/key_factors.py): the scorer's choice from a card's attributes and a
notice's choice from a score's reasons agree, and a notice names exactly what the scorer stored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openbureau.domain import disputes
from openbureau.domain.profiles import PROFILES
from openbureau.scoring.reasons import key_factors, points_lost
from tests.unit.test_reasons import _attr, _card

# a card with two inquiry attributes (whose reason texts say so, as a notice reads them)
CARD = _card(_attr("a", "R01", [30, 0]), _attr("b", "R02", [20, 0]), _attr("c", "R03", [20, 0]),
             _attr("d", "R04", [10, 0]), _attr("e", "R05", [5, 0], missing=8),
             {**_attr("inquiries_6m", "R10", [4, 0]), "reason_text": "Recent inquiries"},
             {**_attr("inquiries_12m", "R11", [6, 3, 0]), "reason_text": "Inquiries in a year"})
PROFILE = st.sampled_from(sorted(PROFILES.values(), key=lambda p: p.name))



@given(st.fixed_dictionaries({a.name: st.sampled_from(sorted(
    {b.points for b in a.bins} | {a.missing_points})) for a in CARD.attributes}), PROFILE)
def test_the_scorer_and_a_notice_choose_alike(points, profile):
    chosen = key_factors(CARD, points, profile)
    lost = points_lost(CARD, points)
    # every reason that lost points, largest loss first: what a notice would choose from
    ranked = [{"code": a.reason_code, "text": a.reason_text, "points_lost": lost[a.name]}
              for a in sorted((a for a in CARD.attributes if lost[a.name] > 0),
                              key=lambda a: (-lost[a.name], a.reason_code))]
    assert disputes.key_factors(ranked, profile) == [dict(f) for f in chosen]
    # the reasons stored with a score pass through a notice unchanged
    assert disputes.key_factors([dict(f) for f in chosen], profile) == [dict(f) for f in chosen]
    assert len(chosen) <= profile.key_factors + int(profile.extra_factor_for_inquiries)


def test_an_inquiry_factor_among_the_first_is_not_doubled():
    us = PROFILES["us-fcra"]
    points = {"a": 0, "b": 0, "c": 20, "d": 0, "e": 5, "inquiries_6m": 0, "inquiries_12m": 0}
    # losses: a 30, b 20, d 10, inquiries_12m 6, inquiries_6m 4, e 3: inquiries are among the
    # first four, so inquiries_6m is not added as a fifth
    assert [f["code"] for f in key_factors(CARD, points, us)] == ["R01", "R02", "R04", "R11"]
