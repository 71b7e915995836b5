"""What a consumer can do about a key factor: the simulator's changes that act on it.

Every reason a card with per-bin reasons gives (:mod:`openbureau.scoring.reasons`) has an action
in the simulator's vocabulary (:mod:`openbureau.scoring.simulator`), the one its text suggests,
sized to move the attribute into the nearest bin towards the best one that scores more (for a
missing value: into the best bin):

========================  =======================================================================
reason                    action
========================  =======================================================================
utilisation high          ``pay_down_revolving`` to the middle of that bin
utilisation low           ``use_revolving`` to the middle of that bin
no revolving account      ``open_account`` revolving, a limit of 1,000 units used to the middle
                          of the best bin
late payments             ``bring_all_current``, then ``time_passes`` 24 months paid as agreed
few open trades           ``open_account`` (``open``, nothing owed) until the count is there
many open trades          ``pay_off`` accounts until the count is there, each time the one that
                          leaves the best score (paying off a card also changes utilisation)
many real-estate loans    ``pay_off`` mortgages, smallest balance first
debt ratio / payments     ``lower_payment`` on every account, in proportion
low income                ``report_income`` at the middle of that bin ("when your income rises")
========================  =======================================================================

The test over the synthetic population holds every action to raising the score of the file
whose reason it answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from openbureau.domain.money import digits
from openbureau.scoring.attributes import (
    COLLECTION_KIND,
    MORTGAGE,
    REVOLVING,
    AccountView,
    CreditFile,
    compute,
    is_open,
    latest_month,
)
from openbureau.scoring.reasons import Shortfall, slot_of
from openbureau.scoring.spec import AttributeCard, Bin, Scorecard

Change = dict[str, Any]
_DPD = ("dpd_30_59_24m", "dpd_60_89_24m", "dpd_90_plus_24m")
_PAY_OFF_ORDER = {"open": 0, "installment": 1, REVOLVING: 2, MORTGAGE: 3}
NEW_CARD_LIMIT_UNITS = 1_000


def side(attr: AttributeCard, shortfall: Shortfall) -> str:
    """``low``, ``high`` or ``missing``: where the value lies against the best bins."""
    if shortfall.slot == "missing":
        return "missing"
    if shortfall.slot == "special":
        return "high"              # a sentinel code: more late payments than counted
    first, _ = _peak(attr)
    return "low" if shortfall.index < first else "high"


def _peak(attr: AttributeCard) -> tuple[int, int]:
    top = max(b.points for b in attr.bins)
    best = [i for i, b in enumerate(attr.bins) if b.points == top]
    return best[0], best[-1]


def target_bin(attr: AttributeCard, shortfall: Shortfall) -> Bin:
    """The bin the action aims at: the nearest one towards the best bins that scores more than
    the file's (the best bin itself for a missing value)."""
    first, last = _peak(attr)
    if shortfall.slot == "missing":
        return attr.bins[first]
    if shortfall.slot == "special":
        here, earned = len(attr.bins), attr.special[shortfall.index].points
    else:
        here, earned = shortfall.index, attr.bins[shortfall.index].points
    step = 1 if here < first else -1
    stop = first if step == 1 else last
    for i in range(here + step, stop + step, step):
        if attr.bins[i].points > earned:
            return attr.bins[i]
    return attr.bins[first]


def _middle(b: Bin, below: float = 0.0) -> float:
    lower = below if b.lower is None else b.lower
    if b.upper is None:
        return lower * 1.05 + 1
    return (lower + b.upper) / 2


def _open_accounts(file: CreditFile) -> list[AccountView]:
    return [a for a in file.accounts
            if not a.excluded and a.kind != COLLECTION_KIND and is_open(a, file.as_of)]


def _minor(units: float, file: CreditFile) -> int:
    currency = file.accounts[0].currency if file.accounts else None
    return math.ceil(units * int(10 ** digits(currency)))


def _pay_off(accounts: Sequence[AccountView], file: CreditFile, k: int) -> list[Change]:
    def balance(a: AccountView) -> int:
        latest = latest_month(a, file.as_of)
        return latest.balance if latest is not None else 0
    chosen = sorted(accounts, key=lambda a: (_PAY_OFF_ORDER.get(a.kind, 4), balance(a),
                                             a.item_ref))[:max(k, 0)]
    return [{"kind": "pay_off", "item_ref": a.item_ref} for a in chosen]


def _best_pay_offs(card: Scorecard, file: CreditFile, k: int) -> list[Change]:
    """``k`` pay-offs, chosen one at a time: the account whose pay-off leaves the best score."""
    from openbureau.scoring.reference import score_attributes
    from openbureau.scoring.simulator import apply_changes

    changes: list[Change] = []
    for _ in range(max(k, 0)):
        now = apply_changes(file, changes)
        options = [[*changes, {"kind": "pay_off", "item_ref": a.item_ref}]
                   for a in _open_accounts(now)]
        if not options:
            break
        changes = max(options, key=lambda c: (
            score_attributes(card, compute(apply_changes(file, c))).raw, c[-1]["item_ref"]))
    return changes


def _lower_payments(file: CreditFile, factor: float) -> list[Change]:
    out: list[Change] = []
    for a in _open_accounts(file) + [a for a in file.accounts if not a.excluded
                                     and a.kind == COLLECTION_KIND and is_open(a, file.as_of)]:
        latest = latest_month(a, file.as_of)
        if latest is not None and (latest.scheduled_payment or 0) > 0:
            payment = latest.scheduled_payment or 0
            out.append({"kind": "lower_payment", "item_ref": a.item_ref,
                        "scheduled_payment": math.floor(payment * factor)})
    return out


def action_for(card: Scorecard, file: CreditFile, shortfall: Shortfall) -> list[Change]:
    """The simulator changes that answer ``shortfall`` on ``file`` (see the module's table; a
    pair row's reason is answered by the action of its attribute ``acts_on``, for where that
    attribute's value lies). Raises ValueError for an attribute this module has no action for."""
    if shortfall.slot == "cell":
        if shortfall.acts_on is None:
            raise ValueError(f"{shortfall.attribute}: a pair reason names the attribute to act on")
        axis = card.attribute(shortfall.acts_on)
        slot, index = slot_of(axis, compute(file).get(axis.name))
        return action_for(card, file, replace(
            shortfall, attribute=axis.name, slot=slot, index=index, acts_on=None))
    attr = card.attribute(shortfall.attribute)
    where = side(attr, shortfall)
    goal = target_bin(attr, shortfall)
    attrs = compute(file)
    name = attr.name
    if name == "revolving_utilization":
        if where == "missing":
            limit = _minor(NEW_CARD_LIMIT_UNITS, file)
            return [{"kind": "open_account", "account_kind": REVOLVING, "credit_limit": limit,
                     "balance": math.ceil(limit * _middle(goal))}]
        kind = "pay_down_revolving" if where == "high" else "use_revolving"
        return [{"kind": kind, "to_utilisation": min(_middle(goal), 1.0)}]
    if name in _DPD:
        return [{"kind": "bring_all_current"}, {"kind": "time_passes", "months": 24}]
    if name == "open_trades":
        count = int(attrs["open_trades"] or 0)
        if where == "low":
            wanted = int(goal.lower or 0)
            return [{"kind": "open_account", "account_kind": "open"}
                    for _ in range(wanted - count)]
        assert goal.upper is not None
        return _best_pay_offs(card, file, count - (math.ceil(goal.upper) - 1))
    if name == "real_estate_trades":
        count = int(attrs["real_estate_trades"] or 0)
        assert goal.upper is not None
        mortgages = [a for a in _open_accounts(file) if a.kind == MORTGAGE]
        return _pay_off(mortgages, file, count - (math.ceil(goal.upper) - 1))
    if name in ("debt_ratio", "monthly_debt_payments"):
        now = attrs[name]
        assert isinstance(now, int | float) and now > 0
        return _lower_payments(file, _middle(goal) / now)
    if name == "monthly_income":
        return [{"kind": "report_income", "monthly_income": _minor(_middle(goal), file)}]
    raise ValueError(f"no action is defined for {name}")
