"""The standard attribute set, computed from one credit file: the readable reference definition.

Every definition here is documented in ``docs/attributes.md`` and compiled to SQL by
:mod:`openbureau.adapters.scoring_sql`; the tests hold every engine to exactly these values.

A :class:`CreditFile` is what the bureau may use at ``as_of``. Items it may not use are either left
out of it by whoever builds it (inquiries that were purged, public records that are not active) or
marked ``AccountView.excluded`` (deleted or suppressed accounts, accounts past retention, accounts
under investigation: an open dispute or a compliance code XB/XC/XF/XG/XH); :func:`compute` ignores
excluded accounts entirely. Month records dated after ``as_of`` are ignored (not yet known then).

Money in a credit file is integer minor units of the account's ISO 4217 currency (a yen has
none, a dollar two, a dinar of Bahrain three: :func:`openbureau.domain.money.digits`); the
scorecard (trained on GMSC) wants whole currency units per month. Every engine first brings each
amount to ten-thousandths of a unit (:func:`scaled`, an exact integer whatever the currency) and
divides by :data:`SCALED_PER_UNIT` once; ratios are taken between scaled amounts. Amounts in two
currencies on one file are added as they are (no exchange rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openbureau.domain.money import digits
from openbureau.domain.months import add_months

AttributeValue = int | float | str | None

SCALED_DIGITS = 4              # ISO 4217's largest exponent (CLF, UYW)
SCALED_PER_UNIT = 10 ** SCALED_DIGITS
DELINQUENCY_WINDOW_MONTHS = 24
INQUIRY_WINDOW_MONTHS = 6
COUNT_CAP = 95                 # counts never reach GMSC's sentinel codes 96 / 98

CLOSED_STATUSES = ("closed", "paid")
DPD30_STATUSES = ("dpd30",)
DPD60_STATUSES = ("dpd60",)
DPD90_PLUS_STATUSES = ("dpd90", "dpd120", "dpd150", "dpd180", "charged_off", "collection")
# worst_status_24m: severity order; statuses not listed (current, paid, closed) rank 0 = "current"
SEVERITY = ("current", "dpd30", "dpd60", "dpd90", "dpd120", "dpd150", "dpd180", "charged_off",
            "collection")
REVOLVING = "revolving"
MORTGAGE = "mortgage"
COLLECTION_KIND = "collection"

ATTRIBUTES: tuple[str, ...] = (
    "revolving_utilization",
    "dpd_30_59_24m",
    "dpd_60_89_24m",
    "dpd_90_plus_24m",
    "open_trades",
    "real_estate_trades",
    "debt_ratio",
    "monthly_income",
    "monthly_debt_payments",
    "months_since_oldest_trade",
    "inquiries_6m",
    "active_public_records",
    "worst_status_24m",
)
CATEGORICAL: frozenset[str] = frozenset({"worst_status_24m"})


@dataclass(frozen=True)
class MonthView:
    """One monthly record of an account. ``monthly_income`` only where reported with consent."""

    as_of: date
    status: str
    balance: int
    amount_past_due: int
    credit_limit: int | None = None
    scheduled_payment: int | None = None
    monthly_income: int | None = None


@dataclass(frozen=True)
class AccountView:
    item_ref: str
    kind: str
    opened_on: date
    closed_on: date | None = None
    credit_limit: int | None = None
    excluded: bool = False
    months: tuple[MonthView, ...] = ()
    currency: str | None = None     # ISO 4217; None reads as two decimals


@dataclass(frozen=True)
class CreditFile:
    as_of: date
    accounts: tuple[AccountView, ...] = ()
    credit_inquiry_dates: tuple[date, ...] = ()
    active_public_records: int = 0


def scale_of(currency: str | None) -> int:
    """What one minor unit of ``currency`` is in ten-thousandths of a unit."""
    return int(10 ** (SCALED_DIGITS - digits(currency)))


def scaled(minor: int, currency: str | None) -> int:
    """Integer minor units of ``currency`` -> integer ten-thousandths of a unit (exact)."""
    return minor * scale_of(currency)


def to_currency_units(amount_scaled: int) -> float:
    """Ten-thousandths of a unit (:func:`scaled`) -> whole currency units (a float), the
    scorecard's unit."""
    return float(amount_scaled / SCALED_PER_UNIT)


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from ``start`` to ``end`` (``end >= start``)."""
    return ((end.year - start.year) * 12 + (end.month - start.month)
            - (1 if end.day < start.day else 0))


def window_start(as_of: date, months: int) -> date:
    """Windows are ``(window_start, as_of]``: ``months`` months ending at ``as_of``."""
    return add_months(as_of, -months)


def latest_month(account: AccountView, as_of: date) -> MonthView | None:
    known = [m for m in account.months if m.as_of <= as_of]
    return max(known, key=lambda m: m.as_of) if known else None


def is_open(account: AccountView, as_of: date) -> bool:
    """Open at ``as_of``: its latest month does not say closed or paid and no close date passed."""
    latest = latest_month(account, as_of)
    return (latest is not None and latest.status not in CLOSED_STATUSES
            and (account.closed_on is None or account.closed_on > as_of))


def _capped(n: int) -> int:
    return min(n, COUNT_CAP)


def compute(file: CreditFile) -> dict[str, AttributeValue]:
    """Every attribute in :data:`ATTRIBUTES`; ``None`` is missing (see docs/attributes.md)."""
    as_of = file.as_of
    used = [a for a in file.accounts if not a.excluded]
    open_accounts = [(a, latest_month(a, as_of)) for a in used if is_open(a, as_of)]

    balances = limits = payments = 0
    open_trades = real_estate = 0
    for account, latest in open_accounts:
        assert latest is not None
        payments += scaled(latest.scheduled_payment or 0, account.currency)
        if account.kind == REVOLVING:
            balances += latest.balance
            limit = latest.credit_limit if latest.credit_limit is not None else account.credit_limit
            limits += limit or 0
        if account.kind != COLLECTION_KIND:
            open_trades += 1
            real_estate += account.kind == MORTGAGE

    start24 = window_start(as_of, DELINQUENCY_WINDOW_MONTHS)
    in_window = [m for a in used for m in a.months if start24 < m.as_of <= as_of]
    dpd30 = sum(m.status in DPD30_STATUSES for m in in_window)
    dpd60 = sum(m.status in DPD60_STATUSES for m in in_window)
    dpd90 = sum(m.status in DPD90_PLUS_STATUSES for m in in_window)
    worst: str | None = None
    if in_window:
        rank = max(SEVERITY.index(m.status) if m.status in SEVERITY else 0 for m in in_window)
        worst = SEVERITY[rank]

    incomes = [(m.as_of, scaled(m.monthly_income, a.currency)) for a in used for m in a.months
               if m.as_of <= as_of and m.monthly_income is not None]
    income: int | None = None
    if incomes:
        newest = max(day for day, _ in incomes)
        income = max(amount for day, amount in incomes if day == newest)

    opened = [a.opened_on for a in used if a.kind != COLLECTION_KIND and a.opened_on <= as_of]
    start6 = window_start(as_of, INQUIRY_WINDOW_MONTHS)
    return {
        "revolving_utilization": balances / limits if limits > 0 else None,
        "dpd_30_59_24m": _capped(dpd30),
        "dpd_60_89_24m": _capped(dpd60),
        "dpd_90_plus_24m": _capped(dpd90),
        "open_trades": open_trades,
        "real_estate_trades": real_estate,
        "debt_ratio": payments / income if income is not None and income > 0 else None,
        "monthly_income": to_currency_units(income) if income is not None else None,
        "monthly_debt_payments": to_currency_units(payments),
        "months_since_oldest_trade": whole_months_between(min(opened), as_of) if opened else None,
        "inquiries_6m": sum(start6 < d <= as_of for d in file.credit_inquiry_dates),
        "active_public_records": file.active_public_records,
        "worst_status_24m": worst,
    }
