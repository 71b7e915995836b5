"""A balance reads the same on the consumer's page and in the PDF, in every currency (a yen
balance was 100 times larger on the page: JPY has no minor units)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import auth
from tests.integration.test_reports import _pdf_text, record
from tests.integration.test_web_pages import HTML, consumer_file, sign_in_consumer  # noqa: F401

AMOUNTS = {"JPY": "123,456 JPY", "EUR": "1,234.56 EUR", "USD": "1,234.56 USD",
           "CNY": "1,234.56 CNY"}


@pytest.mark.usefixtures("consumer_file")
def test_balances_agree_on_the_page_and_in_the_pdf(client, orgs, tmp_path):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(account_ref=f"CUR-{c}", currency=c, balance=123456,
                                             credit_limit=500000) for c in AMOUNTS]})
    assert r.json()["accepted"] == len(AMOUNTS), r.text
    sign_in_consumer(client)
    page = client.get("/me/report", headers=HTML)
    assert page.status_code == 200
    pdf = client.get("/me/report.pdf")
    assert pdf.status_code == 200
    text = " ".join(_pdf_text(pdf.content, tmp_path).split())
    for currency, written in AMOUNTS.items():
        assert written in page.text, currency
        assert written in text, currency
    assert re.findall(r"[\d,.]+ JPY", page.text) and not re.search(r"\.\d\d JPY", page.text)
