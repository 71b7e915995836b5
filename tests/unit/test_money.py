"""Money is written one way for people: the pages, the PDF and the court's form agree on each
currency's minor units (ISO 4217: a yen has none, a dollar two, a Bahraini dinar three)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbureau.adapters import pdf
from openbureau.domain.money import digits, format_money, parse_major
from openbureau.web import render


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (123456, "JPY", "123,456 JPY"),
    (123456, "EUR", "1,234.56 EUR"),
    (123456, "USD", "1,234.56 USD"),
    (123456, "CNY", "1,234.56 CNY"),
    (123456, "BHD", "123.456 BHD"),
    (5, "USD", "0.05 USD"),
    (0, "JPY", "0 JPY"),
    (10**15, "USD", "10,000,000,000,000.00 USD"),
    (None, "USD", "—"),
    (1250, None, "12.50"),
])
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text


@pytest.mark.parametrize("currency", ["JPY", "EUR", "USD", "CNY"])
def test_pages_and_pdf_use_the_same_filter(currency):
    page = render.environment().from_string("{{ a|money(c) }}")
    report = pdf._environment().from_string("{{ a|money(c) }}")
    for amount in (0, 7, 123456, 987654321):
        assert page.render(a=amount, c=currency) == report.render(a=amount, c=currency) \
            == format_money(amount, currency)


@given(st.integers(0, 10**15), st.sampled_from(["JPY", "USD", "EUR", "CNY", "BHD", "CLF"]))
def test_what_is_written_reads_back(amount, currency):
    text = format_money(amount, currency).removesuffix(f" {currency}").replace(",", "")
    assert parse_major(text, currency) == amount


def test_form_input_follows_the_currency():
    assert parse_major("1234.50", "USD") == 123450
    assert parse_major("1234.5", "EUR") == 123450
    assert parse_major("1234", "JPY") == 1234
    assert parse_major("1234", "usd") == 123400
    assert "no decimals" in str(parse_major("1234.50", "JPY"))
    assert "at most two decimals" in str(parse_major("12.345", "USD"))
    assert parse_major("12.345", "BHD") == 12345
    assert parse_major("-5", "USD") == "must not be negative"
    assert digits("jpy") == 0 and digits("XXX") == 2
