"""The attribute definitions of docs/attributes.md, one by one, on hand-built credit files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from openbureau.domain.months import add_months
from openbureau.scoring.attributes import (
    ATTRIBUTES,
    COUNT_CAP,
    AccountView,
    CreditFile,
    MonthView,
    compute,
    scaled,
    to_currency_units,
    whole_months_between,
)
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.spec import load_spec
from openbureau.services.models import shipped_specs

AS_OF = date(2026, 11, 1)


def month(as_of: date, status: str = "current", balance: int = 0, **kw: object) -> MonthView:
    return MonthView(as_of=as_of, status=status, balance=balance, amount_past_due=0, **kw)


def card(limit: int = 100_000, balance: int = 25_000, **kw: object) -> AccountView:
    fields: dict[str, object] = {
        "item_ref": "acc1", "kind": "revolving", "opened_on": date(2020, 3, 15),
        "credit_limit": limit,
        "months": (month(date(2026, 9, 30), balance=balance // 2),
                   month(date(2026, 10, 31), balance=balance, scheduled_payment=2_500))}
    fields.update(kw)
    return AccountView(**fields)  # type: ignore[arg-type]


def test_every_attribute_is_computed_and_an_empty_file_has_sensible_values():
    out = compute(CreditFile(as_of=AS_OF))
    assert tuple(out) == ATTRIBUTES
    assert out == {
        "revolving_utilization": None, "dpd_30_59_24m": 0, "dpd_60_89_24m": 0,
        "dpd_90_plus_24m": 0, "open_trades": 0, "real_estate_trades": 0, "debt_ratio": None,
        "monthly_income": None, "monthly_debt_payments": 0.0,
        "months_since_oldest_trade": None, "inquiries_6m": 0, "active_public_records": 0,
        "worst_status_24m": None}


def test_revolving_utilisation_uses_the_latest_month_of_open_revolving_accounts():
    other = card(limit=300_000, balance=0, item_ref="acc2")
    out = compute(CreditFile(AS_OF, (card(), other)))
    assert out["revolving_utilization"] == 25_000 / 400_000
    # the month's own limit wins over the account's
    own = replace(card(), months=(month(date(2026, 10, 31), balance=25_000,
                                        credit_limit=50_000),))
    assert compute(CreditFile(AS_OF, (own,)))["revolving_utilization"] == 0.5
    # a month after as_of is not yet known
    future = replace(card(), months=card().months + (month(date(2026, 11, 30), balance=99_999),))
    assert compute(CreditFile(AS_OF, (future,)))["revolving_utilization"] == 0.25


def test_closed_paid_and_closed_on_accounts_are_not_open():
    closed = replace(card(), months=(month(date(2026, 10, 31), "closed"),))
    paid = replace(card(), months=(month(date(2026, 10, 31), "paid"),))
    dated = replace(card(), closed_on=date(2026, 10, 1))
    for acc in (closed, paid, dated):
        out = compute(CreditFile(AS_OF, (acc,)))
        assert (out["open_trades"], out["revolving_utilization"]) == (0, None)


def test_delinquency_counts_are_month_records_in_24_months():
    months = (
        month(date(2024, 10, 31), "dpd30"),     # outside: the window is (2024-11-01, as_of]
        month(date(2024, 11, 30), "dpd30"),
        month(date(2025, 1, 31), "dpd60"),
        month(date(2025, 2, 28), "dpd90"), month(date(2025, 3, 31), "dpd180"),
        month(date(2025, 4, 30), "charged_off"), month(date(2025, 5, 31), "collection"),
        month(date(2026, 10, 31), "current"))
    out = compute(CreditFile(AS_OF, (card(months=months),)))
    assert (out["dpd_30_59_24m"], out["dpd_60_89_24m"], out["dpd_90_plus_24m"]) == (1, 1, 4)
    assert out["worst_status_24m"] == "collection"


def test_counts_are_capped_below_the_gmsc_sentinels():
    accounts = tuple(card(item_ref=f"a{i}", months=tuple(
        month(add_months(date(2026, 10, 31), -k), "dpd30") for k in range(24)))
        for i in range(5))
    assert compute(CreditFile(AS_OF, accounts))["dpd_30_59_24m"] == COUNT_CAP


def test_excluded_accounts_count_for_nothing():
    bad = card(excluded=True, months=(month(date(2026, 10, 31), "dpd90", balance=10**6,
                                            scheduled_payment=10**5),))
    assert compute(CreditFile(AS_OF, (bad,))) == compute(CreditFile(AS_OF))


def test_trades_real_estate_and_collections():
    mortgage = AccountView("m", "mortgage", date(2010, 6, 1),
                           months=(month(date(2026, 10, 31), scheduled_payment=150_000),))
    collection = AccountView("c", "collection", date(2001, 1, 1),
                             months=(month(date(2026, 10, 31), "collection", 80_000),))
    out = compute(CreditFile(AS_OF, (card(), mortgage, collection)))
    assert (out["open_trades"], out["real_estate_trades"]) == (2, 1)
    assert out["monthly_debt_payments"] == 1525.0
    # a collection account is no trade: the oldest trade is the mortgage
    assert out["months_since_oldest_trade"] == whole_months_between(date(2010, 6, 1), AS_OF)


def test_income_debt_ratio_and_units():
    income = (month(date(2026, 8, 31), monthly_income=900_000),
              month(date(2026, 9, 30), monthly_income=500_000),
              month(date(2026, 10, 31), balance=25_000, scheduled_payment=2_500))
    out = compute(CreditFile(AS_OF, (card(months=income),)))
    assert out["monthly_income"] == 5000.0                    # the latest reported
    assert out["debt_ratio"] == 2_500 / 500_000
    assert out["monthly_debt_payments"] == to_currency_units(scaled(2_500, "USD")) == 25.0
    zero = (month(date(2026, 10, 31), monthly_income=0, scheduled_payment=2_500),)
    out = compute(CreditFile(AS_OF, (card(months=zero),)))
    assert (out["monthly_income"], out["debt_ratio"]) == (0.0, None)


def test_inquiries_in_six_months_and_public_records():
    dates = (date(2026, 5, 1), date(2026, 5, 2), date(2026, 11, 1), date(2026, 11, 2))
    out = compute(CreditFile(AS_OF, credit_inquiry_dates=dates, active_public_records=2))
    assert (out["inquiries_6m"], out["active_public_records"]) == (2, 2)


@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2020, 3, 15), date(2026, 11, 1), 79), (date(2026, 10, 1), date(2026, 11, 1), 1),
    (date(2026, 10, 31), date(2026, 11, 30), 0), (date(2026, 11, 1), date(2026, 11, 1), 0)])
def test_whole_months(start, end, months):
    assert whole_months_between(start, end) == months


def test_months_back_clamps_to_month_end():
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 1), -24) == date(2024, 11, 1)


def test_the_shipped_card_scores_a_computed_file():
    spec = load_spec(shipped_specs()[-1])
    result = score_attributes(spec, compute(CreditFile(AS_OF, (card(),))))
    assert 350 <= result.value <= 950


def test_income_and_payments_read_in_the_accounts_currency():
    """A yen has no minor unit: ¥400,000 a month is 400000 minor units, not 4,000 (the bug of a
    fixed 100 minor units per unit); a dinar of Bahrain has three."""
    def income_file(currency: str, income: int, payment: int) -> CreditFile:
        month = MonthView(as_of=AS_OF, status="current", balance=0, amount_past_due=0,
                          scheduled_payment=payment, monthly_income=income)
        return CreditFile(AS_OF, (AccountView("a", "installment", date(2020, 1, 1),
                                              months=(month,), currency=currency),))

    yen = compute(income_file("JPY", 400_000, 100_000))
    assert yen["monthly_income"] == 400_000.0
    assert yen["monthly_debt_payments"] == 100_000.0
    assert yen["debt_ratio"] == 0.25
    dollars = compute(income_file("USD", 400_000, 100_000))
    assert dollars["monthly_income"] == 4_000.0 and dollars["debt_ratio"] == 0.25
    dinars = compute(income_file("BHD", 400_000, 100_000))
    assert dinars["monthly_income"] == 400.0 and dinars["monthly_debt_payments"] == 100.0
