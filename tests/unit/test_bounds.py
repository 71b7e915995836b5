"""The bounds every entry point applies (domain/bounds.py), without a database: names, amounts,
currencies, case numbers, dates; and the record schema and the listing rule applying them."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType

import pytest

from openbureau.domain import bounds, records
from openbureau.domain import registry as reg
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import SubjectIdentity, lookup_errors, parse_account_record

TODAY = date(2026, 11, 1)

NO_NAMES = [
    "", " ", "\x00", "\u200b", "\u200b\u200b\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u200f\u200e", "\u202a\u202c", "\u202e", "\u2066\u2069", "\u2067", "\u2068", "\ufeff",
    "\u2060", "\u00ad", "\u180e", "\u3164", "\u115f\u1160", "\uffa0", "---", "123", "...",
]
BAD_NAMES = [
    "Ada\u200bLovelace", "Ada\u202eecalevoL", "Ada\u2066Lovelace\u2069", "Ada\u00adLovelace",
    "Ada\x00", "Ada\u2028Lovelace", "Ada\ue000", "\u200dAda", "Ada\u200c", "Ada \u200c Lovelace",
]
NAMES = [
    "Ada Lovelace", "王伟", "Zoë", "Łukasz", "O'Brien", "Jose\u0301", "Nguyễn Thị Minh Khai",
    "علی\u200cرضا", "क्\u200dष", "Ada\u00a0Lovelace", "Li 3rd", "X Æ A-12", "Ἀριστοτέλης",
]


@pytest.mark.parametrize("name", NO_NAMES + BAD_NAMES)
def test_no_name_is_refused(name):
    assert bounds.name_error(name.strip()) in (bounds.NO_LETTER, bounds.INVISIBLE)


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_pass(name):
    assert bounds.name_error(name) is None


@pytest.mark.parametrize("part", ["\u200b", "Doe\u200f", "\ufeffDoe"])
def test_name_parts_hold_nothing_invisible_either(part):
    assert bounds.invisible_error(part) == bounds.INVISIBLE
    assert bounds.invisible_error("-") is None and bounds.invisible_error("O'") is None


@pytest.mark.parametrize("value", [-1, 10**15 + 1, 10**20, True, 1.5, float("inf"),
                                   float("nan"), "100", None])
def test_amounts_are_whole_bounded_minor_units(value):
    assert bounds.amount_error(value) is not None


def test_amount_bounds_are_inclusive():
    assert bounds.amount_error(0) is None and bounds.amount_error(bounds.MONEY_MAX) is None


@pytest.mark.parametrize("value", ["$$", "usd", "US", "USDD", "", "U$D", "ÜSD", None])
def test_currency_is_iso_4217_alphabetic(value):
    assert bounds.currency_error(value) == bounds.CURRENCY_MESSAGE
    assert bounds.currency_error("USD") is None


@pytest.mark.parametrize("value", ["", "\u200b", "X" * 65, "---", "(2026)\u202e1"])
def test_case_numbers(value):
    assert bounds.case_number_error(value) is not None
    assert bounds.case_number_error("(2026) Jing 0105 Zhi 1234") is None


def test_dates():
    assert bounds.day_error(date(1899, 12, 31)) is not None
    assert bounds.day_error(date(2101, 1, 1)) is not None
    assert bounds.day_error(bounds.EARLIEST) is None and bounds.day_error(bounds.LATEST) is None
    assert bounds.day_error(datetime(1, 1, 1)) is not None
    assert bounds.birth_date_error(TODAY, TODAY) is None
    assert bounds.birth_date_error(date(2026, 11, 2), TODAY) == "must not be after today"
    assert bounds.birth_date_error(date(1850, 1, 1), TODAY) is not None
    assert bounds.until_error(TODAY, TODAY) == "must be after today"
    assert bounds.until_error(date(2036, 11, 1), TODAY) is None
    assert bounds.until_error(date(2036, 11, 2), TODAY) is not None
    assert bounds.years_after(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_free_text_keeps_line_breaks_and_refuses_nul():
    assert bounds.text_error("line one\r\nline two\tend", 100) is None
    assert bounds.text_error("a\x00b", 100) is not None
    assert bounds.text_error("\ud800", 100) is not None
    assert bounds.text_error("x" * 101, 100) == "must be at most 100 characters"


# -- the record schema ----------------------------------------------------------------------------

def _raw(**subject: object) -> dict[str, object]:
    return {"subject": {"national_id": "900100200", "name": "Ada Lovelace", **subject},
            "account_ref": "CARD-1", "as_of": "2026-10-31", "kind": "revolving",
            "opened_on": "2019-04-01", "balance": 120000, "amount_past_due": 0,
            "status": "current", "ecoa": "individual", "currency": "USD"}


def _fields(raw: dict[str, object]) -> list[str]:
    assert records._parse_plain(raw) is None          # the fast path leaves it to the checks
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(MappingProxyType(raw))
    return [e.field for e in exc.value.errors]


@pytest.mark.parametrize("name", ["\u200b\u200f", "\x00", "Ada\u202eecalevoL", "---"])
def test_a_record_subject_needs_a_real_name(name):
    assert _fields(_raw(name=name)) == ["subject.name"]


@pytest.mark.parametrize(("part", "value"), [("surname", "\u200b"), ("first_name", "Ada\u200f")])
def test_name_parts_are_refused_when_invisible(part, value):
    assert _fields(_raw(**{part: value})) == [f"subject.{part}"]


@pytest.mark.parametrize(("over", "field"), [
    ({"as_of": "2101-01-31"}, "as_of"), ({"opened_on": "1899-12-31"}, "opened_on"),
    ({"opened_on": date(1, 1, 1)}, "opened_on"),
    ({"date_of_first_delinquency": "0001-01-01"}, "date_of_first_delinquency"),
])
def test_record_dates_are_bounded(over, field):
    assert field in _fields({**_raw(), **over})


def test_a_birth_date_before_1900_is_refused():
    assert _fields(_raw(date_of_birth="1899-12-31")) == ["subject.date_of_birth"]
    assert records._parse_plain(_raw(date_of_birth="1900-01-01")) is not None


def test_look_ups():
    good = SubjectIdentity("900100200", "Ada Lovelace", date(1985, 12, 10))
    assert lookup_errors(good, TODAY) == []
    bad = SubjectIdentity("", "\u200b", date(2027, 1, 1))
    assert [e.field for e in lookup_errors(bad, TODAY, require_national_id=True)] == [
        "subject.national_id", "subject.name", "subject.date_of_birth"]
    # without a national id a look-up names the person by birth date (and name, address)
    assert lookup_errors(SubjectIdentity(None, "Ada Lovelace", date(1985, 12, 10)), TODAY) == []
    assert [(e.field, e.message) for e in lookup_errors(
        SubjectIdentity(None, "Ada Lovelace", None), TODAY)] == [
        ("subject.date_of_birth", "is required when no national_id is given")]


# -- the listing rule -----------------------------------------------------------------------------

def _order(**over: object) -> reg.ListingOrder:
    args: dict[str, object] = {
        "case_number": " (2026) 1 ", "amount": 100, "currency": "CNY",
        "ground": "refuses_to_perform", "legal_basis": "art. 1",
        "judgment_date": date(2026, 6, 1), "today": TODAY, "until": None, "restrictions": [],
        "catalogue": reg.Catalogue.configured(None), "term_days": 730}
    args.update(over)
    return reg.listing_order(**args)  # type: ignore[arg-type]


def test_the_listing_rule_keeps_the_terms_it_checked():
    o = _order()
    assert (o.case_number, o.amount, o.currency) == ("(2026) 1", 100, "CNY")


def test_the_listing_rule_bounds_every_term_at_once():
    with pytest.raises(ValidationFailed) as exc:
        _order(case_number="  ", amount=-5, currency="$$", judgment_date=date(1066, 10, 14),
               until=date(2999, 1, 1), legal_basis="x\x00",
               restrictions=[reg.RequestedRestriction("air_travel", date(2999, 1, 1))])
    assert [e.field for e in exc.value.errors] == [
        "case_number", "amount", "currency", "legal_basis", "judgment_date", "until",
        "restrictions[0].until"]
