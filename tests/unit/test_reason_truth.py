"""Every key factor the shipped card gives on 10,000 synthetic files is true of the file, and the
simulator action its text suggests raises that file's score (issue 16, item 1).

"True of the file": the reason's side matches where the value lies against the attribute's best
bin (a "high" reason only above it, a "low" one only below it, "no revolving account" only when
there is none), the reason is the one the card gives for that bin, and its loss is the best bin's
points minus the points earned. "Raises": the raw score after the action (``scoring.actions``)
is above the raw score before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from openbureau.domain.profiles import PROFILES
from openbureau.domain.record_types import AccountRecord
from openbureau.scoring.actions import action_for, side
from openbureau.scoring.attributes import AccountView, CreditFile, MonthView, compute
from openbureau.scoring.pair_words import PHRASES
from openbureau.scoring.reasons import (
    Shortfall,
    key_factors,
    off_peak,
    reference_points,
    shortfalls,
    slot_of,
)
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.simulator import simulate
from openbureau.scoring.spec import Scorecard, load_spec
from openbureau.services.models import shipped_specs
from openbureau.synthetic.population import generate

FILES = 10_000
US = PROFILES["us-fcra"]
MODELS = Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"


def newest_card() -> Scorecard:
    return load_spec(shipped_specs()[-1])


def credit_file(records: list[AccountRecord]) -> CreditFile:
    """A synthetic person's records as the scorer reads them (income consented, as furnished)."""
    by_account: dict[str, list[AccountRecord]] = defaultdict(list)
    for r in records:
        by_account[r.account_ref].append(r)
    accounts = []
    for ref, rows in by_account.items():
        rows.sort(key=lambda r: r.as_of)
        last = rows[-1]
        accounts.append(AccountView(
            item_ref=ref, kind=last.kind.value, opened_on=last.opened_on,
            closed_on=last.closed_on, credit_limit=last.credit_limit, currency=last.currency,
            months=tuple(MonthView(as_of=r.as_of, status=r.status.value, balance=r.balance,
                                   amount_past_due=r.amount_past_due,
                                   credit_limit=r.credit_limit,
                                   scheduled_payment=r.scheduled_payment,
                                   monthly_income=r.monthly_income if r.consent_ref else None)
                         for r in rows)))
    as_of = max(r.as_of for r in records)
    return CreditFile(as_of=as_of, accounts=tuple(accounts))


def test_the_newest_card_gives_reasons_per_bin():
    card = newest_card()
    assert all(a.per_bin_reasons for a in card.attributes)
    income = card.attribute("monthly_income")
    points = [b.points for b in income.bins]
    assert points == sorted(points)              # more income never costs points
    assert reference_points(income) == income.bins[-1].points
    for name in ("dpd_30_59_24m", "dpd_60_89_24m", "dpd_90_plus_24m", "debt_ratio",
                 "monthly_debt_payments", "real_estate_trades"):
        pts = [b.points for b in card.attribute(name).bins]
        assert pts == sorted(pts, reverse=True), name
    # the income bug of gmsc-2026.11.1: 7,964 a month was "low", against the lowest bin
    attrs = {a.name: 0 for a in card.attributes} | {"monthly_income": 7964.0,
                                                    "debt_ratio": 0.2,
                                                    "revolving_utilization": 0.03}
    result = score_attributes(card, attrs)
    lost = {s.attribute: s for s in shortfalls(card, result.points, attrs)}
    assert lost["monthly_income"].points_lost == (income.bins[-1].points
                                                  - result.points["monthly_income"])
    assert "lower than in the best-scoring files" in lost["monthly_income"].text
    # no mortgage costs nothing; no revolving account is said as such
    assert "real_estate_trades" not in lost
    no_card = {**attrs, "revolving_utilization": None}
    r2 = score_attributes(card, no_card)
    util = {s.attribute: s for s in shortfalls(card, r2.points, no_card)}["revolving_utilization"]
    assert util.code == "R11" and util.text.startswith("No open revolving account")


def test_every_reason_on_10000_files_is_true_and_its_action_raises_the_score():
    card = newest_card()
    shown = Counter[str]()
    raised = Counter[str]()
    failures: list[str] = []
    files_with_reasons = 0
    for person in generate(FILES, seed=7):
        file = credit_file(person.records)
        attrs = compute(file)
        result = score_attributes(card, attrs)
        factors = key_factors(card, result.points, US, attrs)
        by_code = {s.code: s for s in shortfalls(card, result.points, attrs)}
        files_with_reasons += bool(factors)
        for f in factors:
            s = by_code[f["code"]]
            shown[f["code"]] += 1
            if s.slot == "cell":           # a pair row's reason: true of the file, then acted on
                check_pair_reason(card, s, attrs, result.points, f["points_lost"])
            else:
                check_attribute_reason(card, s, attrs, result.points, f["points_lost"])
            # its action raises the score
            changes = action_for(card, file, s)
            after = simulate(card, file, changes, US).after
            if after.raw > result.raw:
                raised[f["code"]] += 1
            else:
                failures.append(f"person {person.index}: {f['code']} {changes} "
                                f"{result.raw} -> {after.raw}")
    total = sum(shown.values())
    print(f"\n{files_with_reasons:,} of {FILES:,} files have key factors; {total:,} reasons "
          f"shown; {sum(raised.values()):,} actions raise the score; by code: "
          f"{dict(sorted(shown.items()))}")
    assert total > FILES   # most files have several reasons
    assert not failures, f"{len(failures)} of {total} actions did not raise the score: " \
        + "; ".join(failures[:10])


def check_attribute_reason(card: Scorecard, s: Shortfall, attrs: dict[str, Any],
                           points: dict[str, int], lost: int) -> None:
    """The slot holds the value, the side is right, the loss adds up."""
    attr = card.attribute(s.attribute)
    value = attrs[s.attribute]
    assert slot_of(attr, value) == (s.slot, s.index), (s, value)
    assert lost == reference_points(attr) - points[attr.name] > 0
    where = side(attr, s)
    best = [b for b in attr.bins if b.points == reference_points(attr)]
    if where == "missing":
        assert value is None
    elif where == "low":
        assert isinstance(value, int | float) and best[0].lower is not None
        assert value < best[0].lower, (s, value)
    else:
        assert isinstance(value, int | float) and best[-1].upper is not None
        assert value >= best[-1].upper, (s, value)


def check_pair_reason(card: Scorecard, s: Shortfall, attrs: dict[str, Any],
                      points: dict[str, int], lost: int) -> None:
    """The cell holds both values, the loss is the best cell's points minus the file's, and the
    attribute the reason names (and acts on) lies off its best bins, on the side the text says;
    an attribute the text names as off its best is."""
    pair = next(p for p in card.pairs if p.name == s.attribute)
    x, y = attrs[pair.x], attrs[pair.y]
    assert x is not None and y is not None
    i, j = pair.cell(float(x), float(y))
    assert s.index == i * (len(pair.y_edges) + 1) + j
    assert pair.reason_at(i, j) == (s.code, s.text)
    assert lost == pair.reference_points() - points[pair.name] > 0
    assert s.acts_on in (pair.x, pair.y)
    for name in (pair.x, pair.y):
        attr = card.attribute(name)
        off = off_peak(attr, attrs[name])
        for where, phrase in PHRASES[name].items():
            if phrase in s.text:
                assert off, (s, name, attrs[name])
                sl = slot_of(attr, attrs[name])
                assert side(attr, Shortfall(name, "", "", 0, *sl)) == where, (s, name)
    assert off_peak(card.attribute(s.acts_on), attrs[s.acts_on])


@pytest.mark.parametrize("code", ["R01", "R02", "R04", "R05", "R08", "R10", "R11"])
def test_common_reasons_are_exercised(code):
    """The population reaches the reasons that matter (so the test above is not vacuous)."""
    card = newest_card()
    seen = set()
    for person in generate(3000, seed=7):
        file = credit_file(person.records)
        attrs = compute(file)
        result = score_attributes(card, attrs)
        seen |= {f["code"] for f in key_factors(card, result.points, US, attrs)}
        if code in seen:
            break
    assert code in seen
