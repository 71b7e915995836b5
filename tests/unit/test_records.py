"""The furnished-record schema (``parse_account_record``): the identity and account fields of
issue 11, their validation, and the fast path's equivalence with the full checks."""

from __future__ import annotations

import os
from datetime import date
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.domain import records
from openbureau.domain.errors import ProhibitedData, ValidationFailed
from openbureau.domain.record_parts import MortgageAgency, PurchaseIndicator
from openbureau.domain.records import (
    AccountChange,
    Address,
    Employer,
    MortgageIds,
    OriginalCreditor,
    Purchase,
    SpecialisedPayment,
    SubjectIdentity,
    parse_account_record,
    record_to_dict,
)


def raw(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "subject": {"national_id": "123456789", "name": "Jane Doe", "date_of_birth": "1980-02-28"},
        "account_ref": "ACC-1", "as_of": "2024-05-31", "kind": "revolving",
        "opened_on": "2020-01-15", "balance": 1000, "amount_past_due": 0, "status": "current",
        "ecoa": "individual", "currency": "USD"}
    d.update(over)
    return d


def subject(**over: Any) -> dict[str, Any]:
    return {"national_id": "123456789", "name": "Jane Doe", "date_of_birth": "1980-02-28", **over}


def refused(d: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(d)
    return [(e.field, e.message) for e in exc.value.errors]


FULL = raw(
    subject=subject(surname="Doe", first_name="Jane", middle_name="Q", generation_code="2",
                    phone="+1 (555) 123-4567",
                    address={"line1": "1 Main St", "line2": "Apt 2", "city": "Springfield",
                             "state": "IL", "postal_code": "62701", "country": "US",
                             "indicator": "C", "residence": "O"},
                    employer={"name": "Acme", "line1": "5 Factory Ln", "city": "Toledo",
                              "state": "OH", "postal_code": "43604", "occupation": "Welder"}),
    identification_number="BRANCH-7", special_comment="AU",
    original_creditor={"name": "First Retail", "classification": "01"},
    purchase={"indicator": "sold_to", "name": "Debt Buyer"},
    mortgage={"agency": "fannie_mae", "agency_account": "F-1", "mers_min": "100012345678901234"},
    specialised_payment={"indicator": "balloon", "balloon_due": "2030-12-31",
                         "balloon_amount": 120000},
    account_change={"new_account_ref": "ACC-2"})


def test_every_new_field_is_parsed() -> None:
    rec = parse_account_record(FULL)
    assert rec.subject == SubjectIdentity(
        "123456789", "Jane Doe", date(1980, 2, 28), "Doe", "Jane", "Q", "2", "15551234567",
        Address("1 Main St", "Apt 2", "Springfield", "IL", "62701", "US", "C", "O"),
        Employer("Acme", "5 Factory Ln", None, "Toledo", "OH", "43604", "Welder"))
    assert rec.identification_number == "BRANCH-7" and rec.special_comment == "AU"
    assert rec.original_creditor == OriginalCreditor("First Retail", "01")
    assert rec.purchase == Purchase(PurchaseIndicator.SOLD_TO, "Debt Buyer")
    assert rec.mortgage == MortgageIds(MortgageAgency.FANNIE_MAE, "F-1", "100012345678901234")
    assert rec.specialised_payment == SpecialisedPayment("balloon", None, date(2030, 12, 31),
                                                         120000)
    assert rec.account_change == AccountChange("ACC-2", None)


def test_record_to_dict_is_the_inverse() -> None:
    rec = parse_account_record(FULL)
    d = record_to_dict(rec)
    assert d["subject"]["address"]["line1"] == "1 Main St"
    assert d["purchase"] == {"indicator": "sold_to", "name": "Debt Buyer"}
    assert d["mortgage"]["agency"] == "fannie_mae"
    assert parse_account_record(d) == rec
    plain = parse_account_record(raw())
    assert parse_account_record(record_to_dict(plain)) == plain
    assert record_to_dict(plain)["subject"]["address"] is None


def test_no_national_id_needs_a_date_of_birth() -> None:
    rec = parse_account_record(raw(subject={"name": "Jane Doe", "date_of_birth": "1980-02-28"}))
    assert rec.subject.national_id is None and rec.subject.masked() == ""
    assert refused(raw(subject={"name": "Jane Doe", "national_id": ""})) == [
        ("subject.date_of_birth", "Neither a national id (SSN) nor a date of birth: the "
         "consumer cannot be identified. [rule Q06: subject.date_of_birth, subject.national_id]")]
    # a national id that is given but bad is named itself, not the date of birth
    assert refused(raw(subject={"name": "Jane Doe", "national_id": "12"})) == [
        ("subject.national_id", "must be 6 to 20 letters or digits")]


def test_parse_subject_can_require_the_national_id() -> None:
    who, errors = records.parse_subject({"name": "X Y", "date_of_birth": "1990-01-01"},
                                        "debtor.", require_national_id=True)
    assert who is None and [(e.field, e.message) for e in errors] == [
        ("debtor.national_id", "is required")]


@pytest.mark.parametrize("name", ["Zoë Ångström", "Nguyễn Văn An", "王小明", "O'Brien-Łukasz",
                                  "Ἀλέξανδρος", "José  María"])
def test_unicode_names_are_kept_exactly(name: str) -> None:
    rec = parse_account_record(raw(subject=subject(name=name, surname=name.split()[-1])))
    assert rec.subject.name == name and rec.subject.surname == name.split()[-1]


@pytest.mark.parametrize(("where", "value"), [
    ("name", "Jane\x00Doe"), ("name", "Jane\ud800Doe"), ("surname", "Do\x1be"),
    ("first_name", "\udfffJane"), ("middle_name", "Q\x85R"),
])
def test_control_characters_and_lone_surrogates_are_field_errors(where: str, value: str) -> None:
    assert refused(raw(subject=subject(**{where: value}))) == [
        (f"subject.{where}", "must not contain control characters or unpaired surrogates")]


@pytest.mark.parametrize(("over", "field"), [
    ({"consent_ref": "C\x07"}, "consent_ref"),
    ({"identification_number": "B\ud800"}, "identification_number"),
    ({"subject": subject(address={"line1": "1\x0bMain"})}, "subject.address.line1"),
    ({"subject": subject(employer={"name": "Ac\x00me"})}, "subject.employer.name"),
    ({"original_creditor": {"name": "X\ud83d", "classification": "01"}},
     "original_creditor.name"),
    ({"purchase": {"indicator": "sold_to", "name": "\x7f"}}, "purchase.name"),
    ({"mortgage": {"mers_min": "1\x1f2"}}, "mortgage.mers_min"),
    ({"account_change": {"new_identification_number": "\x9b1"}},
     "account_change.new_identification_number"),
])
def test_bad_text_anywhere_is_a_field_error(over: dict[str, Any], field: str) -> None:
    assert [f for f, _ in refused(raw(**over))] == [field]


@pytest.mark.parametrize(("over", "field"), [
    ({"generation_code": "K"}, "subject.generation_code"),
    ({"phone": "12345"}, "subject.phone"),
    ({"phone": "1234567890123456"}, "subject.phone"),
    ({"phone": "555-CALL-NOW"}, "subject.phone"),
    ({"phone": "５５５１２３４５６７"}, "subject.phone"),      # full-width digits
    ({"surname": "X" * 61}, "subject.surname"),
    ({"address": {"line1": "X" * 101}}, "subject.address.line1"),
    ({"address": {"city": "X" * 61}}, "subject.address.city"),
    ({"address": {"postal_code": "12345-6789012"}}, "subject.address.postal_code"),
    ({"address": {"country": "USA"}}, "subject.address.country"),
    ({"address": {"indicator": "Q"}}, "subject.address.indicator"),
    ({"address": {"residence": "X"}}, "subject.address.residence"),
    ({"address": "1 Main St"}, "subject.address"),
    ({"employer": {"occupation": "Welder"}}, "subject.employer.name"),
    ({"employer": {"name": "X" * 101}}, "subject.employer.name"),
])
def test_subject_fields_are_validated(over: dict[str, Any], field: str) -> None:
    assert [f for f, _ in refused(raw(subject=subject(**over)))] == [field]


@pytest.mark.parametrize(("over", "field"), [
    ({"special_comment": "ZZ"}, "special_comment"),
    ({"identification_number": "X" * 21}, "identification_number"),
    ({"original_creditor": {"name": "Shop", "classification": "16"}},
     "original_creditor.classification"),
    ({"original_creditor": {"name": "Shop", "classification": "1"}},
     "original_creditor.classification"),
    ({"original_creditor": {"classification": "01"}}, "original_creditor.name"),
    ({"purchase": {"name": "Buyer"}}, "purchase.indicator"),
    ({"purchase": {"indicator": "bought"}}, "purchase.indicator"),
    ({"mortgage": {"agency": "ginnie_mae"}}, "mortgage.agency"),
    ({"specialised_payment": {"indicator": "balloon", "balloon_amount": -1}},
     "specialised_payment.balloon_amount"),
    ({"specialised_payment": {"indicator": "balloon", "balloon_due": "2030-02-30"}},
     "specialised_payment.balloon_due"),
    ({"account_change": {"new_account_ref": "has space"}}, "account_change.new_account_ref"),
    ({"account_change": ["ACC-2"]}, "account_change"),
])
def test_account_fields_are_validated(over: dict[str, Any], field: str) -> None:
    assert [f for f, _ in refused(raw(**over))] == [field]


def test_empty_nested_objects_are_absent() -> None:
    rec = parse_account_record(raw(subject=subject(address={"line1": "", "city": None}),
                                   mortgage={}, account_change={"new_account_ref": None}))
    assert rec.subject.address is None and rec.mortgage is None and rec.account_change is None


def test_unknown_and_prohibited_nested_keys_are_refused() -> None:
    with pytest.raises(ProhibitedData) as exc:
        parse_account_record(raw(subject=subject(address={"line1": "1 Main", "gps": "1,2"},
                                                 employer={"name": "Acme", "religion": "x"}),
                                 purchase={"indicator": "sold_to", "shoe_size": 9}))
    assert {(e.field, e.category) for e in exc.value.errors} == {
        ("subject.address.gps", "location"), ("subject.employer.religion", "religious_views"),
        ("purchase.shoe_size", None)}


# --------------------------------------------------------------------------- the fast path


def full_path(d: dict[str, Any]) -> Any:
    """The checks without the fast path (it only takes plain dicts)."""
    try:
        return parse_account_record(MappingProxyType(d))
    except ValidationFailed as exc:
        return type(exc)


# per field: values the checks accept, and values they refuse (or that the fast path leaves to
# them); a record is drawn from the first and at most one field is then replaced from the second
_PART = (["Doe", " Doe ", "Zoë", "王", None, ""], ["X" * 61, "A\x00", "\ud800", 3, " "])
_FIELDS: dict[str, tuple[list[Any], list[Any]]] = {
    "subject.name": (["Jane Doe", " Zoë ", "王"], ["", "A\x00", "\ud800", 3, "X" * 121]),
    "subject.national_id": (["123456789", "AB123456", None], ["12", " 123456789", 5, "ab123456"]),
    "subject.date_of_birth": (["1980-02-28"], [None, "", "1980-02-30", 19800228]),
    "subject.surname": _PART, "subject.first_name": _PART, "subject.middle_name": _PART,
    "subject.generation_code": (["J", "7", None], ["K", " ", "j"]),
    "subject.phone": (["5551234567", "5551234", None], ["555 1234", "12", 5, "+1555", "٥٥٥١٢٣٤"]),
    "subject.address": (
        [None, {"line1": "1 Main", "city": "Springfield", "line2": ""},
         {"postal_code": "62701", "country": "US", "indicator": "C", "residence": "O",
          "state": "IL"}, {"line1": " 1 Main "}],
        [{}, "x", {"gps": "1"}, {"line1": "X" * 101}, {"country": "us"}, {"line1": "\x00"},
         {"indicator": "Q"}, {"postal_code": "-1"}, {"city": 3}, {"line1": None, "city": ""}]),
    "subject.employer": ([None], [{"name": "Acme"}]),
    "identification_number": (["BR-1", " BR 1 ", None], ["X" * 21, "\x00", 7, " "]),
    "special_comment": (["AU", "M", None, ""], ["ZZ", " ", 1]),
    "consent_ref": (["C-1", None], ["C\x07", 1]),
    "mortgage": ([None], [{"agency": "fannie_mae"}]),
    "purchase": ([None], [{"indicator": "remove"}]),
    "original_creditor": (
        [None, {"name": "Shop", "classification": "02"},
         {"name": " Shop ", "classification": "15"}, {"name": None, "classification": ""}],
        [{"name": "Shop"}, {"classification": "02"}, {"name": "Shop", "classification": "16"},
         {"name": "X" * 101, "classification": "01"}, "Shop", {"name": 3, "classification": "01"},
         {"name": "Shop", "classification": "02", "x": 1}, {"name": " ", "classification": "01"}]),
}


@st.composite
def _records_raw(draw: st.DrawFn) -> dict[str, Any]:
    d = raw(subject={})
    if draw(st.booleans()):     # the shape record_to_dict gives: every key, absent ones None
        d = record_to_dict(parse_account_record(raw()))
        d["subject"] = {**dict.fromkeys(records.SUBJECT_FIELDS), "national_id": "123456789"}
    for path, (valid, _) in _FIELDS.items():
        if draw(st.booleans()):
            _put(d, path, draw(st.sampled_from(valid)))
    if draw(st.booleans()):
        path = draw(st.sampled_from(sorted(_FIELDS)))
        _put(d, path, draw(st.sampled_from(_FIELDS[path][1])))
    d["subject"].setdefault("name", "Jane Doe")
    return d


def _put(d: dict[str, Any], path: str, value: Any) -> None:
    *outer, key = path.split(".")
    for name in outer:
        d = d[name]
    d[key] = value


@settings(max_examples=int(os.environ.get("FUZZ_N", "400")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_records_raw())
def test_the_fast_path_gives_what_the_checks_give(d: dict[str, Any]) -> None:
    fast = records._parse_plain(d)
    if fast is not None:
        assert fast == full_path(d)


def test_plain_records_take_the_fast_path() -> None:
    plain = raw()
    assert records._parse_plain(plain) is not None
    # the shape record_to_dict gives (every key, absent ones None), as JSON batches send it
    assert records._parse_plain(record_to_dict(parse_account_record(plain))) is not None
    # the shape the Metro 2 and CSV readers give: strings, name parts, phone, address
    metro2 = raw(subject=subject(surname="DOE", first_name="JANE", phone="5551234567",
                                 generation_code="J",
                                 address={"line1": "1 MAIN ST", "city": "SPRINGFIELD",
                                          "state": "IL", "postal_code": "62701"}),
                 balance="123400", identification_number="BR-1", special_comment="AU")
    assert records._parse_plain(metro2) == full_path(metro2)
    assert records._parse_plain(metro2) is not None
