"""What-if scores: hypothetical changes applied to a credit file, the exact new score.

The card is additive, so the new score is exact: the changed file's attributes are computed with
:func:`openbureau.scoring.attributes.compute` and scored with the reference scorer. Nothing is
stored; the consumer's real file is never touched.

The vocabulary of changes (each a JSON object with a ``kind``; money in integer minor units):

``pay_down {item_ref, amount}``
    The account's latest balance falls by ``amount`` (not below 0); what is past due is paid first.
``pay_down_revolving {to_utilisation}``
    Balances of open revolving accounts are paid down, in proportion, until balances / limits is
    at most ``to_utilisation`` (0–1). Nothing changes when utilisation is already at or below it.
``use_revolving {to_utilisation}``
    Open revolving accounts are used until balances / limits is at least ``to_utilisation``
    (0–1): what is missing is spent across them in proportion to their limits (what a month of
    purchases on a card, paid on time, reports). Nothing changes when utilisation is already at
    or above it.
``bring_current {item_ref}``
    What is past due is paid: the account's next monthly report says ``current`` with nothing
    past due. Late payments already reported stay in the history and keep counting until they
    are 24 months old (combine with ``time_passes``).
``bring_all_current {}``
    ``bring_current`` on every account that is behind.
``pay_off {item_ref}``
    Balance and payment 0, status ``paid``, the account closed as of the file date.
``close_account {item_ref}``
    Closed as of the file date; only an account with a zero balance can be closed.
``lower_payment {item_ref, scheduled_payment}``
    The monthly payment falls to ``scheduled_payment`` (e.g. a refinanced loan); not a raise.
``report_income {monthly_income}``
    Current monthly income reported (with consent) on the latest month of each open account
    (of each account, when none is open).
``open_account {account_kind, credit_limit?, balance?, scheduled_payment?, with_inquiry?}``
    A new account (``revolving|installment|mortgage|open``) opened on the file date, in the
    currency of the file's first account; by default (``with_inquiry: true``) with the credit
    inquiry that opening it takes.
``time_passes {months}``
    ``months`` (1–120) months go by with every open account paid as agreed: each month repeats
    the account's latest balance and payment, and its income where the account reported the
    file's newest one (so the income the score reads does not change); an account that is
    current stays current, one that is still behind falls one more stage behind each month
    (dpd30 → dpd60 → ... → charged_off). Inquiries and late payments age and drop out of their
    windows.

Changes apply in order. An unknown kind, an unknown or missing field, a bad value, or an
``item_ref`` that is not an account on the file raises :class:`SimulationError`, whose ``errors``
name the change index and field (``changes[2].item_ref``), like the API's validation errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypedDict

from openbureau.domain.months import add_months, month_end
from openbureau.domain.wording import N_
from openbureau.scoring.attributes import (
    CLOSED_STATUSES,
    REVOLVING,
    AccountView,
    AttributeValue,
    CreditFile,
    MonthView,
    compute,
    is_open,
    latest_month,
)
from openbureau.scoring.pair_words import pair_text
from openbureau.scoring.reasons import KeyFactor, KeyFactorProfile, key_factors, row_order
from openbureau.scoring.reference import ScoreResult, score_attributes
from openbureau.scoring.spec import Scorecard

Change = Mapping[str, Any]

#: One stage further behind per month left unpaid.
_NEXT_STAGE = {"dpd30": "dpd60", "dpd60": "dpd90", "dpd90": "dpd120", "dpd120": "dpd150",
               "dpd150": "dpd180", "dpd180": "charged_off"}
_BEHIND = frozenset({*_NEXT_STAGE, "charged_off", "collection"})
_OPENABLE = ("revolving", "installment", "mortgage", "open")
MAX_CHANGES = 50
# refusals a consumer's simulation can get, translated where shown (i18n.Language.message)
NOT_ONE_OF = N_("must be one of %(choices)s, got %(value)s")
UNKNOWN_KIND = N_("unknown change kind %(kind)s; one of %(choices)s")
TOO_MANY = N_("at most %(n)s changes")
NO_ACCOUNT = N_("no account %(ref)s on this file")
# numbers only: found again by ``letters.in_language`` with them as %(n)s, %(n2)s, ... in order
BETWEEN = N_("must be between %(n)s and %(n2)s, got %(n3)s")
AT_LEAST = N_("must be >= %(n)s, got %(n2)s")


class SimulationError(ValueError):
    """Invalid changes; ``errors`` is a list of ``{field, message}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


class MovedFactor(TypedDict):
    attribute: str
    code: str
    text: str
    value_before: AttributeValue
    value_after: AttributeValue
    points_before: int
    points_after: int
    points_change: int


@dataclass(frozen=True)
class Simulation:
    before: ScoreResult
    after: ScoreResult
    attributes_before: dict[str, AttributeValue]
    attributes_after: dict[str, AttributeValue]
    moved: list[MovedFactor]
    reasons_before: list[KeyFactor]
    reasons_after: list[KeyFactor]
    file_after: CreditFile

    @property
    def change(self) -> int:
        return self.after.value - self.before.value


# ---------------------------------------------------------------------------------- validation


class _Reader:
    """Typed access to one change's fields, collecting errors instead of raising at once."""

    def __init__(self, index: int, change: Change, errors: list[dict[str, str]]) -> None:
        self.index, self.change, self.errors = index, change, errors
        self.used = {"kind"}

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": f"changes[{self.index}].{name}", "message": message})

    def _get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        if name not in self.change or self.change[name] is None:
            if required:
                self.error(name, N_("field required"))
            return None
        return self.change[name]

    def int_(self, name: str, *, minimum: int = 0, maximum: int | None = None,
             required: bool = True) -> int | None:
        v = self._get(name, required)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.error(name, N_("must be an integer (money in minor units)"))
            return None
        if v < minimum or (maximum is not None and v > maximum):
            if maximum is None:
                self.error(name, AT_LEAST % {"n": minimum, "n2": v})
            else:
                self.error(name, BETWEEN % {"n": minimum, "n2": maximum, "n3": v})
            return None
        return v

    def fraction(self, name: str) -> float | None:
        v = self._get(name, True)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or not 0 <= v <= 1:
            self.error(name, N_("must be a number between 0 and 1"))
            return None
        return float(v)

    def bool_(self, name: str, default: bool) -> bool:
        v = self._get(name, False)
        if v is None:
            return default
        if not isinstance(v, bool):
            self.error(name, N_("must be true or false"))
            return default
        return v

    def choice(self, name: str, options: Sequence[str]) -> str | None:
        v = self._get(name, True)
        if v is None:
            return None
        if v not in options:
            self.error(name, NOT_ONE_OF % {"choices": ", ".join(options), "value": repr(v)})
            return None
        return str(v)

    def account(self, file: CreditFile) -> AccountView | None:
        v = self._get("item_ref", True)
        if v is None:
            return None
        for acc in file.accounts:
            if acc.item_ref == v:
                return acc
        self.error("item_ref", NO_ACCOUNT % {"ref": repr(v)})
        return None

    def finish(self) -> None:
        for extra in sorted(set(self.change) - self.used):
            self.error(extra, "unknown field for this kind of change")


# ---------------------------------------------------------------------------------- helpers


def _with_latest(file: CreditFile, account: AccountView,
                 edit: Callable[[MonthView], MonthView]) -> CreditFile:
    """Edit the account's latest month known at ``file.as_of`` and any month already pending
    after it (``bring_current`` writes the next month's report ahead of time)."""
    latest = latest_month(account, file.as_of)
    if latest is None:
        return file
    months = tuple(edit(m) if m.as_of >= latest.as_of else m for m in account.months)
    return _replace_account(file, account, replace(account, months=months))


def _replace_account(file: CreditFile, old: AccountView, new: AccountView) -> CreditFile:
    return replace(file, accounts=tuple(new if a is old else a for a in file.accounts))


def _limit(account: AccountView, month: MonthView) -> int:
    limit = month.credit_limit if month.credit_limit is not None else account.credit_limit
    return limit or 0


def _pay(month: MonthView, amount: int) -> MonthView:
    return replace(month, balance=max(month.balance - amount, 0),
                   amount_past_due=max(month.amount_past_due - amount, 0))


def _bring_current(file: CreditFile, account: AccountView) -> CreditFile:
    """Pay what is past due now; the *next* month's report says current. The month already
    reported keeps its late status (that is history); the new report counts once it is dated
    on or before the file date, i.e. at once for an account not reported lately, else after
    ``time_passes``."""
    latest = latest_month(account, file.as_of)
    if latest is None or not (latest.status in _BEHIND or latest.amount_past_due):
        return file
    newest = max(account.months, key=lambda m: m.as_of)
    if newest.as_of > latest.as_of and newest.status == "current" \
            and not newest.amount_past_due:
        return file   # already brought current
    paid = replace(newest, as_of=month_end(add_months(newest.as_of, 1)), status="current",
                   amount_past_due=0, balance=max(newest.balance - newest.amount_past_due, 0))
    return _replace_account(file, account, replace(account, months=(*account.months, paid)))


def _pay_down_revolving(file: CreditFile, target: float) -> CreditFile:
    rows = [(a, latest_month(a, file.as_of)) for a in file.accounts
            if not a.excluded and a.kind == REVOLVING and is_open(a, file.as_of)]
    live = [(a, m) for a, m in rows if m is not None]
    balances = sum(m.balance for _, m in live)
    limits = sum(_limit(a, m) for a, m in live)
    if limits <= 0 or balances <= target * limits:
        return file
    keep = target * limits / balances
    for account, _ in live:
        current = next(a for a in file.accounts if a.item_ref == account.item_ref)
        file = _with_latest(file, current, lambda m: _pay(
            m, m.balance - math.floor(m.balance * keep)))
    return file


def _add_balance(amount: int) -> Callable[[MonthView], MonthView]:
    return lambda m: replace(m, balance=m.balance + amount)


def _use_revolving(file: CreditFile, target: float) -> CreditFile:
    rows = [(a, latest_month(a, file.as_of)) for a in file.accounts
            if not a.excluded and a.kind == REVOLVING and is_open(a, file.as_of)]
    live = [(a, m) for a, m in rows if m is not None and _limit(a, m) > 0]
    balances = sum(m.balance for _, m in live)
    limits = sum(_limit(a, m) for a, m in live)
    if limits <= 0 or balances >= target * limits:
        return file
    needed = math.ceil(target * limits) - balances
    for account, month in live:
        current = next(a for a in file.accounts if a.item_ref == account.item_ref)
        more = math.ceil(needed * _limit(account, month) / limits)
        file = _with_latest(file, current, _add_balance(more))
    return file


def _income_day(account: AccountView, until: date) -> date | None:
    days = [m.as_of for m in account.months if m.as_of <= until and m.monthly_income is not None]
    return max(days) if days else None


def _time_passes(file: CreditFile, months: int) -> CreditFile:
    new_as_of = add_months(file.as_of, months)
    # The income the file reads is the newest one reported. Repeating every account's own latest
    # income would let an older figure from another account become the newest; so only the
    # accounts that reported the newest one repeat it, and time passing leaves income unchanged.
    days = {a.item_ref: _income_day(a, new_as_of) for a in file.accounts if not a.excluded}
    newest = max((d for d in days.values() if d is not None), default=None)
    accounts = []
    for account in file.accounts:
        latest = latest_month(account, file.as_of)
        if (account.excluded or latest is None or not is_open(account, file.as_of)
                or latest.status in CLOSED_STATUSES):
            accounts.append(account)
            continue
        # start from the newest record, which may be a report already pending (bring_current)
        month = max(account.months, key=lambda m: m.as_of)
        start, added, k = month.as_of, [], 1
        if newest is None or days[account.item_ref] != newest:
            month = replace(month, monthly_income=None)
        while (when := month_end(add_months(start, k))) <= new_as_of:
            month = replace(month, as_of=when,
                            status=_NEXT_STAGE.get(month.status, month.status))
            added.append(month)
            k += 1
        accounts.append(replace(account, months=account.months + tuple(added)))
    return replace(file, as_of=new_as_of, accounts=tuple(accounts))


def _apply_one(file: CreditFile, i: int, change: Change,
               errors: list[dict[str, str]]) -> CreditFile:
    r = _Reader(i, change, errors)
    kind = change.get("kind")
    n_errors = len(errors)
    out = file
    if kind == "pay_down":
        acc, amount = r.account(file), r.int_("amount", minimum=1)
        if acc is not None and amount is not None:
            out = _with_latest(file, acc, lambda m: _pay(m, amount))
    elif kind == "pay_down_revolving":
        target = r.fraction("to_utilisation")
        if target is not None:
            out = _pay_down_revolving(file, target)
    elif kind == "use_revolving":
        target = r.fraction("to_utilisation")
        if target is not None:
            out = _use_revolving(file, target)
    elif kind == "bring_current":
        acc = r.account(file)
        if acc is not None and not acc.excluded:
            out = _bring_current(file, acc)
    elif kind == "bring_all_current":
        for acc in file.accounts:
            if not acc.excluded:
                current = next(a for a in out.accounts if a.item_ref == acc.item_ref)
                out = _bring_current(out, current)
    elif kind == "pay_off":
        acc = r.account(file)
        if acc is not None:
            out = _with_latest(file, acc, lambda m: replace(
                m, balance=0, amount_past_due=0, scheduled_payment=0, status="paid"))
            paid = next(a for a in out.accounts if a.item_ref == acc.item_ref)
            out = _replace_account(out, paid, replace(paid, closed_on=file.as_of))
    elif kind == "close_account":
        acc = r.account(file)
        if acc is not None:
            latest = latest_month(acc, file.as_of)
            if latest is not None and latest.balance > 0:
                r.error("item_ref", "only an account with a zero balance can be closed; "
                                    "use pay_off")
            else:
                out = _replace_account(file, acc, replace(acc, closed_on=file.as_of))
    elif kind == "lower_payment":
        acc, pay = r.account(file), r.int_("scheduled_payment")
        if acc is not None and pay is not None:
            latest = latest_month(acc, file.as_of)
            if latest is not None and pay > (latest.scheduled_payment or 0):
                r.error("scheduled_payment", "must not exceed the current payment "
                                             f"({latest.scheduled_payment or 0})")
            else:
                out = _with_latest(file, acc, lambda m: replace(m, scheduled_payment=pay))
    elif kind == "report_income":
        income = r.int_("monthly_income")
        if income is not None:
            used = [a for a in file.accounts if not a.excluded]
            carriers = [a for a in used if is_open(a, file.as_of)] or used
            for acc in carriers:
                current = next(a for a in out.accounts if a.item_ref == acc.item_ref)
                out = _with_latest(out, current, lambda m: replace(m, monthly_income=income))
    elif kind == "open_account":
        acc_kind = r.choice("account_kind", _OPENABLE)
        limit = r.int_("credit_limit", required=False)
        balance = r.int_("balance", required=False) or 0
        payment = r.int_("scheduled_payment", required=False)
        inquiry = r.bool_("with_inquiry", True)
        if acc_kind is not None and len(errors) == n_errors:
            ref = f"simulated-{i}"
            currency = file.accounts[0].currency if file.accounts else None
            new = AccountView(item_ref=ref, kind=acc_kind, opened_on=file.as_of,
                              credit_limit=limit, currency=currency, months=(MonthView(
                                  as_of=file.as_of, status="current", balance=balance,
                                  amount_past_due=0, credit_limit=limit,
                                  scheduled_payment=payment),))
            out = replace(file, accounts=(*file.accounts, new),
                          credit_inquiry_dates=file.credit_inquiry_dates
                          + ((file.as_of,) if inquiry else ()))
    elif kind == "time_passes":
        months = r.int_("months", minimum=1, maximum=120)
        if months is not None:
            out = _time_passes(file, months)
    else:
        r.error("kind", UNKNOWN_KIND % {"kind": repr(kind), "choices": ", ".join(CHANGE_KINDS)})
        return file
    r.finish()
    return out if len(errors) == n_errors else file


CHANGE_KINDS: tuple[str, ...] = (
    "pay_down", "pay_down_revolving", "use_revolving", "bring_current", "bring_all_current",
    "pay_off", "close_account", "lower_payment", "report_income", "open_account", "time_passes",
)


def apply_changes(file: CreditFile, changes: Sequence[Change]) -> CreditFile:
    """The file after every change, in order; SimulationError lists every invalid field."""
    errors: list[dict[str, str]] = []
    if not isinstance(changes, Sequence) or isinstance(changes, str | bytes):
        raise SimulationError([{"field": "changes", "message": "must be a list"}])
    if len(changes) > MAX_CHANGES:
        raise SimulationError([{"field": "changes",
                                "message": TOO_MANY % {"n": MAX_CHANGES}}])
    for i, change in enumerate(changes):
        if not isinstance(change, Mapping):
            errors.append({"field": f"changes[{i}]", "message": "must be an object"})
            continue
        file = _apply_one(file, i, change, errors)
    if errors:
        raise SimulationError(errors)
    return file


def simulate(card: Scorecard, file: CreditFile, changes: Sequence[Change],
             profile: KeyFactorProfile) -> Simulation:
    """Score ``file`` before and after ``changes``: both scores, the factors that moved, and the
    key factors before and after."""
    after_file = apply_changes(file, changes)
    attrs_before, attrs_after = compute(file), compute(after_file)
    before = score_attributes(card, attrs_before)
    after = score_attributes(card, attrs_after)
    moved = [
        MovedFactor(attribute=a.name, code=a.reason_code, text=a.reason_text,
                    value_before=attrs_before.get(a.name), value_after=attrs_after.get(a.name),
                    points_before=before.points[a.name], points_after=after.points[a.name],
                    points_change=after.points[a.name] - before.points[a.name])
        for a in card.attributes if before.points[a.name] != after.points[a.name]
    ]
    order = row_order(card)
    moved += [
        MovedFactor(attribute=p.name, code=order[p.name], text=pair_text(p), value_before=None,
                    value_after=None, points_before=before.points[p.name],
                    points_after=after.points[p.name],
                    points_change=after.points[p.name] - before.points[p.name])
        for p in card.pairs if before.points[p.name] != after.points[p.name]
    ]
    moved.sort(key=lambda m: (-abs(m["points_change"]), m["code"]))
    return Simulation(before=before, after=after, attributes_before=attrs_before,
                      attributes_after=attrs_after, moved=moved,
                      reasons_before=key_factors(card, before.points, profile, attrs_before),
                      reasons_after=key_factors(card, after.points, profile, attrs_after),
                      file_after=after_file)
