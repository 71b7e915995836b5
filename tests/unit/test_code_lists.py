"""Metro 2 code lists (domain.code_lists): complete lists, wording for every code, the account
type -> portfolio type table, and agreement with the codes the record schema accepts."""

from __future__ import annotations

import json
from importlib import resources

from openbureau.domain import code_lists as cl
from openbureau.domain.records import COMPLIANCE_CODES


def test_special_comment_codes_are_the_full_list_with_wording() -> None:
    codes = cl.special_comment_codes()
    # the list in moov-io/metro2 (constants.go), plus AL from the CFPB evaluator
    assert codes >= {"B", "C", "H", "I", "M", "O", "S", "V", "AB", "AC", "AH", "AI", "AM", "AN",
                     "AO", "AP", "AS", "AT", "AU", "AV", "AW", "AX", "AZ", "BA", "BB", "BC",
                     "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK", "BL", "BN", "BO", "BP",
                     "BS", "BT", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CS",
                     "DE", "AL"}
    assert len(codes) == 52
    assert cl.special_comment_text("AU") == "Settled: paid in full for less than the full balance."
    assert cl.special_comment_text(" CP ") == cl.special_comment_text("CP")
    assert cl.special_comment_text("ZZ") is None and cl.special_comment_text(None) is None


def test_compliance_condition_codes() -> None:
    assert cl.compliance_condition_codes() == frozenset(
        {"XA", "XB", "XC", "XD", "XE", "XF", "XG", "XH", "XJ", "XR"})
    # the record schema accepts exactly these (records.py should read them from the list)
    assert cl.compliance_condition_codes() == COMPLIANCE_CODES
    assert "Fair Credit Reporting Act" in (cl.compliance_condition_text("XB") or "")


def test_creditor_classifications_01_to_15() -> None:
    assert cl.creditor_classification_codes() == frozenset(f"{i:02d}" for i in range(1, 16))
    assert cl.creditor_classification_text("02") == "Medical or health care"
    assert cl.creditor_classification_text("16") is None


def test_account_types_and_their_portfolio_types() -> None:
    types = cl.account_type_codes()
    assert {"00", "01", "07", "0C", "15", "18", "26", "48", "89", "9B"} <= types
    assert cl.portfolio_types_of("18") == frozenset({"R"})
    assert cl.portfolio_types_of("26") == frozenset({"M"})
    assert cl.portfolio_types_of("15") == frozenset({"C"})
    assert cl.portfolio_types_of("48") == frozenset({"O"})
    assert cl.portfolio_types_of("ZZ") == frozenset()
    portfolios = set("CILMOR")
    for code in types:
        assert cl.portfolio_types_of(code) <= portfolios and cl.portfolio_types_of(code), code
        assert cl.account_type_text(code)


def test_the_other_lists() -> None:
    assert cl.account_status_codes() >= {"05", "11", "13", "61", "62", "63", "64", "65", "71",
                                         "78", "80", "82", "83", "84", "88", "89", "93", "94",
                                         "95", "96", "97", "DA", "DF"}
    assert cl.payment_rating_codes() == frozenset("0123456GL")
    assert cl.payment_rating_statuses() == frozenset(
        {"05", "13", "65", "88", "89", "94", "95", "DA", "DF"})
    assert cl.ecoa_codes() == frozenset("12357TWXZ")
    assert cl.address_indicator_codes() == frozenset("BCDMNPSUY")
    assert {"A", "H", "Q", "T", "U", "1A", "2A"} <= cl.consumer_information_indicator_codes()
    assert cl.residence_code_text("O") == "Owns the home."
    assert cl.generation_code_text("J") == "Jr."
    assert cl.payment_history_text("L") == "Charged off"
    assert cl.terms_frequency_text("M") == "Monthly"
    assert cl.interest_type_text("V")


def test_every_code_has_plain_wording_and_the_source_is_said() -> None:
    for name in cl.list_names():
        assert cl.codes(name), name
        for code in cl.codes(name):
            words = cl.text(name, code)
            assert words and words.strip() == words and len(words) <= 160, (name, code)
    note = cl.source_note()
    assert "CRRG" in note and "moov-io/metro2" in note and "authoritative" in note


def test_the_data_file_is_valid_json_shipped_with_the_package() -> None:
    text = resources.files("openbureau.domain").joinpath("data", "metro2_codes.json").read_text()
    assert json.loads(text)["special_comment"]["DE"]
