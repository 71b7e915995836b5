"""Metro 2 record content: every field of the base segment and of the J1, J2, K1-K4, L1 and N1
segments, read (``metro2_fields``), validated (``parse_account_record``) and written back
(``metro2_segments``).

Fixtures are laid out by hand at the positions of /work/shared/metro2-layout.md (the helpers of
``test_metro2``), not with the writer, so that a writer bug cannot hide a reader bug.
"""

from __future__ import annotations

import io
import os
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters.fileformats import LineError, RawRecord
from openbureau.adapters.metro2_writer import write_metro2
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import (
    AccountChange,
    Address,
    Employer,
    MortgageIds,
    OriginalCreditor,
    Purchase,
    SpecialisedPayment,
    parse_account_record,
)
from tests.unit.test_metro2 import (
    ASSOC,
    BASE,
    BASE_DEFAULTS,
    assoc,
    errors,
    fixed_file,
    good,
    lay,
    read,
    record,
    trailer,
    variable_file,
)

# base positions the shared helpers leave out (1-based start, length)
MORE_BASE = {"generation": (297, 1), "cii": (326, 2), "country": (328, 2), "line2": (362, 32),
             "indicator": (425, 1), "residence": (426, 1)}
J2_ADDRESS = {"generation": (69, 1), "phone": (87, 10), "cii": (98, 2), "country": (100, 2),
              "address": (102, 32), "line2": (134, 32), "city": (166, 20), "state": (186, 2),
              "zip": (188, 9), "indicator": (197, 1), "residence": (198, 1)}


def full_base(**values: str) -> bytes:
    return lay(426, {**BASE, **MORE_BASE}, {**BASE_DEFAULTS, **values})


def j2(**values: str) -> bytes:
    defaults = {"id": "J2", "surname": "ROE", "first": "RICHARD", "ssn": "111223333",
                "dob": "07041979", "ecoa": "2"}
    return lay(200, {**ASSOC, **J2_ADDRESS}, {**defaults, **values})


def read_one(rec: bytes, *, j1: int = 0, j2_count: int = 0) -> list[RawRecord | LineError]:
    return read(variable_file([[rec]], trailer(1, j1=j1, j2=j2_count)))


# --------------------------------------------------------------------------- base identity


def test_every_identity_field_of_the_base_segment_is_kept() -> None:
    rec = full_base(surname="O'NEIL-SMITH", first="JOSÉ", middle="MARÍA", generation="J",
                    phone="0005551234", country="US", address="12 HIGH ST", line2="APT 3",
                    city="SALEM", state="OR", zip="973011234", indicator="C", residence="R",
                    special_comment="AU", identification="BRANCH-7")
    [item] = good(read_one(rec))
    assert item.fields["subject"] == {
        "national_id": "123456789", "name": "JOSÉ MARÍA O'NEIL-SMITH",
        "surname": "O'NEIL-SMITH", "first_name": "JOSÉ", "middle_name": "MARÍA",
        "generation_code": "J", "date_of_birth": "1980-02-28", "phone": "5551234",
        "address": {"country": "US", "line1": "12 HIGH ST", "line2": "APT 3", "city": "SALEM",
                    "state": "OR", "postal_code": "973011234", "indicator": "C",
                    "residence": "R"}}
    assert item.fields["identification_number"] == "BRANCH-7"
    assert item.fields["special_comment"] == "AU"
    parsed = parse_account_record(item.fields)
    who = parsed.subject
    assert (who.name, who.surname, who.first_name, who.middle_name, who.generation_code) == (
        "JOSÉ MARÍA O'NEIL-SMITH", "O'NEIL-SMITH", "JOSÉ", "MARÍA", "J")
    assert who.phone == "5551234"
    assert who.address == Address("12 HIGH ST", "APT 3", "SALEM", "OR", "973011234", "US", "C",
                                  "R")
    assert parsed.identification_number == "BRANCH-7" and parsed.special_comment == "AU"


def test_blank_and_zero_filled_identity_fields_are_absent() -> None:
    rec = full_base(phone="0000000000", address="", city="", state="", zip="",
                    identification="", middle="")
    [item] = good(read_one(rec))
    assert item.fields["subject"] == {"national_id": "123456789", "name": "JANE DOE",
                                      "surname": "DOE", "first_name": "JANE",
                                      "date_of_birth": "1980-02-28"}
    assert "identification_number" not in item.fields
    assert "special_comment" not in item.fields


@pytest.mark.parametrize("ssn", ["000000000", "999999999", ""])
def test_no_ssn_with_a_date_of_birth_is_accepted(ssn: str) -> None:
    [item] = good(read_one(full_base(ssn=ssn)))
    assert "national_id" not in item.fields["subject"]
    parsed = parse_account_record(item.fields)
    assert parsed.subject.national_id is None
    assert parsed.subject.date_of_birth == date(1980, 2, 28)
    assert item.metro2 is not None and item.metro2["ssn_given"] == "0"


@pytest.mark.parametrize("ssn", ["000000000", "999999999"])
def test_no_ssn_and_no_date_of_birth_is_refused_naming_the_date_of_birth(ssn: str) -> None:
    [item] = good(read_one(full_base(ssn=ssn, dob="00000000")))
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(item.fields)
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("subject.date_of_birth", "Neither a national id (SSN) nor a date of birth: the "
         "consumer cannot be identified. [rule Q06: subject.date_of_birth, subject.national_id]")]


@pytest.mark.parametrize(("field", "value", "schema_field"), [
    ("special_comment", "Q9", "special_comment"),
    ("generation", "K", "subject.generation_code"),
    ("indicator", "Q", "subject.address.indicator"),
    ("residence", "X", "subject.address.residence"),
    ("phone", "0000000123", "subject.phone"),
])
def test_bad_codes_are_refused_by_the_schema(field: str, value: str, schema_field: str) -> None:
    [item] = good(read_one(full_base(**{field: value})))
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(item.fields)
    assert [e.field for e in exc.value.errors] == [schema_field]


def test_the_metro2_codes_the_quality_rules_read() -> None:
    rec = record(full_base(special_comment="AU", cii="1A", status="71", dofd="03312024",
                           past_due="000000100"),
                 assoc("J1", ssn="000000000", ecoa="3"))
    base_item, j1_item = good(read_one(rec, j1=1))
    codes = base_item.metro2
    assert codes is not None and j1_item.metro2 is not None
    assert codes["segment"] == "base" and codes["account_status"] == "71"
    assert codes["special_comment"] == "AU" and codes["consumer_information_indicator"] == "1A"
    assert codes["amount_past_due"] == "000000100" and codes["payment_rating"] == ""
    assert codes["date_of_first_delinquency"] == "03312024" and codes["ssn_given"] == "1"
    assert codes["portfolio_type"] == "R" and codes["terms_duration"] == "REV"
    assert set(codes) >= {"activity_date", "date_of_birth", "correction_indicator"}
    assert dict(j1_item.metro2) == {**dict(codes), "segment": "J1", "ecoa_code": "3",
                                    "consumer_information_indicator": "", "ssn_given": "0",
                                    "date_of_birth": "07041979"}


# --------------------------------------------------------------------------- J1, J2, N1


def test_j1_lives_at_the_base_address_and_j2_at_its_own() -> None:
    rec = record(full_base(address="1 MAIN ST", line2="FLAT 2", indicator="Y"),
                 assoc("J1", phone="5559876543", ecoa="2"),
                 j2(address="9 OTHER RD", city="DOVER", state="DE", zip="19901",
                    country="US", residence="O", generation="S", phone="3025550000"))
    primary, j1_item, j2_item = good(read_one(rec, j1=1, j2_count=1))
    base_address = primary.fields["subject"]["address"]
    assert base_address == {"line1": "1 MAIN ST", "line2": "FLAT 2", "city": "SPRINGFIELD",
                            "state": "IL", "postal_code": "62701", "indicator": "Y"}
    assert j1_item.fields["subject"]["address"] == base_address
    assert j1_item.fields["subject"]["phone"] == "5559876543"
    assert j2_item.fields["subject"] == {
        "national_id": "111223333", "name": "RICHARD ROE", "surname": "ROE",
        "first_name": "RICHARD", "generation_code": "S", "date_of_birth": "1979-07-04",
        "phone": "3025550000",
        "address": {"country": "US", "line1": "9 OTHER RD", "city": "DOVER", "state": "DE",
                    "postal_code": "19901", "residence": "O"}}
    for item in (primary, j1_item, j2_item):
        parse_account_record(item.fields)


def test_n1_is_the_employer_of_the_base_consumer_only() -> None:
    n1 = (b"N1" + b"ACME WIDGETS".ljust(30) + b"5 FACTORY LN".ljust(32) + b"UNIT 9".ljust(32)
          + b"TOLEDO".ljust(20) + b"OH" + b"43604".ljust(9) + b"WELDER".ljust(18) + b" ")
    assert len(n1) == 146
    primary, j1_item = good(read_one(record(full_base(), assoc("J1"), n1), j1=1))
    employer = {"name": "ACME WIDGETS", "line1": "5 FACTORY LN", "line2": "UNIT 9",
                "city": "TOLEDO", "state": "OH", "postal_code": "43604", "occupation": "WELDER"}
    assert primary.fields["subject"]["employer"] == employer
    assert "employer" not in j1_item.fields["subject"]
    assert parse_account_record(primary.fields).subject.employer == Employer(
        "ACME WIDGETS", "5 FACTORY LN", "UNIT 9", "TOLEDO", "OH", "43604", "WELDER")


def test_an_employer_segment_without_a_name_is_refused_by_the_schema() -> None:
    n1 = b"N1" + b" " * 125 + b"WELDER".ljust(19)
    [item] = good(read_one(record(full_base(), n1)))
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(item.fields)
    assert [e.field for e in exc.value.errors] == ["subject.employer.name"]


# --------------------------------------------------------------------------- K1-K4, L1


def test_k1_to_k4_and_l1_go_into_the_record() -> None:
    segments = [b"K1" + b"FIRST RETAIL".ljust(30) + b"01",
                b"K2" + b"2" + b"DEBT BUYER LLC".ljust(30) + b" ",
                b"K3" + b"02" + b"FRE-778".ljust(18) + b"100012345678901234",
                b"K4" + b"01" + b"00000000" + b"12312030" + b"000012000" + b" ",
                b"L1" + b"3" + b"NEW-77".ljust(30) + b"BRANCH-9".ljust(20) + b" "]
    [item] = good(read_one(record(full_base(portfolio="M", account_type="26"), *segments)))
    rec = parse_account_record(item.fields)
    assert rec.original_creditor == OriginalCreditor("FIRST RETAIL", "01")
    assert rec.purchase == Purchase("sold_to", "DEBT BUYER LLC")
    assert rec.mortgage == MortgageIds("freddie_mac", "FRE-778", "100012345678901234")
    assert rec.specialised_payment == SpecialisedPayment("balloon", None, date(2030, 12, 31),
                                                         1_200_000)
    assert rec.account_change == AccountChange("NEW-77", "BRANCH-9")


@pytest.mark.parametrize(("segment", "field"), [
    (b"K2" + b"7" + b"X".ljust(31), "K2 Purchased Indicator"),
    (b"K3" + b"05" + b" " * 36, "K3 Agency Identifier"),
    (b"K4" + b"09" + b"0" * 25 + b" ", "K4 Specialized Payment Indicator"),
    (b"K4" + b"02" + b"13452020" + b"0" * 17 + b" ", "K4 Deferred Payment Start Date"),
    (b"L1" + b"4" + b"NEW".ljust(51), "L1 Change Indicator"),
    (b"L1" + b"1" + b" " * 30 + b"BRANCH".ljust(21), "L1 New Consumer Account Number"),
    (b"L1" + b"2" + b"NEW".ljust(51), "L1 New Identification Number"),
])
def test_bad_segment_codes_are_line_errors_naming_the_field(segment: bytes, field: str) -> None:
    items = read_one(record(full_base(), segment))
    assert errors(items) == [(2, field)]


def test_a_repeated_k_segment_is_a_line_error() -> None:
    k1 = b"K1" + b"FIRST RETAIL".ljust(30) + b"01"
    items = read_one(record(full_base(), k1, k1))
    assert errors(items) == [(2, "segment")]


def test_original_creditor_classification_is_checked() -> None:
    [item] = good(read_one(record(full_base(), b"K1" + b"SHOP".ljust(30) + b"16")))
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(item.fields)
    assert [e.field for e in exc.value.errors] == ["original_creditor.classification"]


def test_blank_segments_of_a_fixed_length_file_are_not_read() -> None:
    fillers = [b"K1" + b" " * 32, b"L1" + b" " * 52, b"N1" + b" " * 144]
    rec = record(full_base(), *fillers)
    items = read(fixed_file([rec], newline=False, length=len(rec)))
    assert errors(items) == []
    [item] = good(items)
    assert {"original_creditor", "account_change"}.isdisjoint(item.fields)
    assert "employer" not in item.fields["subject"]


# --------------------------------------------------------------------------- the writer


def _write(records: list, **kw: object) -> bytes:
    buf = io.BytesIO()
    write_metro2(records, buf, reporter_name="Acme Bank", activity_date=date(2024, 5, 31),
                 newline=True, **kw)   # type: ignore[arg-type]
    return buf.getvalue()


def test_associated_consumers_are_written_as_j1_and_j2_segments_with_true_counts() -> None:
    items = good(read_one(record(
        full_base(), assoc("J1", ecoa="2"), j2(address="9 OTHER RD", city="DOVER", state="DE",
                                              zip="19901"),
        b"K1" + b"FIRST RETAIL".ljust(30) + b"01", b"N1" + b"ACME".ljust(30) + b" " * 114),
        j1=1, j2_count=1))
    primary, joint, other = [parse_account_record(i.fields) for i in items]
    assert primary.subject.employer == Employer("ACME")
    data = _write([primary, joint, other])
    head, body, tail = data.split(b"\n")
    assert body[:4] == b"%04d" % (426 + 100 + 200 + 34 + 146) == b"0906"
    assert body[426:428] == b"J1" and body[526:528] == b"J2" and body[726:728] == b"K1"
    assert body[760:762] == b"N1"
    counts = {name: tail[start - 1:start - 1 + 9] for name, start in [
        ("base", 12), ("j1", 39), ("j2", 48), ("n1", 273), ("k1", 282), ("l1", 318),
        ("ssn_all", 327), ("ssn_base", 336), ("ssn_j1", 345), ("ssn_j2", 354),
        ("dob_all", 363), ("phones", 399)]}
    assert {k: int(v) for k, v in counts.items()} == {
        "base": 1, "j1": 1, "j2": 1, "n1": 1, "k1": 1, "l1": 0, "ssn_all": 3, "ssn_base": 1,
        "ssn_j1": 1, "ssn_j2": 1, "dob_all": 3, "phones": 1}
    back = [parse_account_record(i.fields) for i in good(read(data))]
    assert back == [primary, joint, other]


def test_a_record_without_a_national_id_is_written_zero_filled() -> None:
    [item] = good(read_one(full_base(ssn="999999999")))
    rec = parse_account_record(item.fields)
    data = _write([rec])
    body = data.split(b"\n")[1]
    assert body[297:306] == b"000000000"
    assert int(data.split(b"\n")[2][335:344]) == 0      # Total Social Numbers Base Segments
    assert [parse_account_record(i.fields) for i in good(read(data))] == [rec]


def test_an_individual_or_different_account_is_not_joined() -> None:
    [item] = good(read_one(full_base()))
    first = parse_account_record(item.fields)
    second = parse_account_record({**item.fields, "subject": {
        **item.fields["subject"], "national_id": "222334444"}})     # ecoa individual
    third = parse_account_record({**item.fields, "ecoa": "joint", "balance": 100})
    data = _write([first, second, third])
    assert data.count(b"\n") == 4      # header, three base records, trailer
    assert [parse_account_record(i.fields) for i in good(read(data))] == [first, second, third]


# --------------------------------------------------------------------------- round trip

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÉÎÕÜÇÑ'-"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _text(alphabet: str, most: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet + " ", min_size=1, max_size=most).map(str.strip).filter(
        bool)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_DATES = st.dates(date(1990, 1, 1), date(2035, 12, 31)).map(date.isoformat)
_ADDRESS = st.fixed_dictionaries({
    "line1": _text(_ALNUM, 32), "line2": _opt(_text(_ALNUM, 32)), "city": _opt(_text(_UPPER, 20)),
    "state": _opt(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)),
    "postal_code": _opt(st.text(alphabet="0123456789", min_size=5, max_size=9)),
    "country": _opt(st.sampled_from(["US", "CA", "MX"])),
    "indicator": _opt(st.sampled_from(sorted("CYNMSBUDP"))),
    "residence": _opt(st.sampled_from(["O", "R"]))})
_EMPLOYER = st.fixed_dictionaries({
    "name": _text(_UPPER, 30), "line1": _opt(_text(_ALNUM, 32)), "city": _opt(_text(_UPPER, 20)),
    "occupation": _opt(_text(_UPPER, 18))})


@st.composite
def _subject(draw: st.DrawFn, employer: bool = True) -> dict[str, Any]:
    # a name has a letter (domain/bounds.py); its parts alone need none
    surname = draw(_text(_UPPER, 25).filter(lambda s: any(c.isalpha() for c in s)))
    first = draw(_opt(_text(_UPPER, 20)))
    middle = draw(_opt(_text(_UPPER, 20)))
    nid = draw(_opt(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(
        lambda s: s not in ("000000000", "999999999"))))
    dob = draw(st.dates(date(1920, 1, 1), date(2005, 12, 31)).map(date.isoformat)
               if nid is None else _opt(st.dates(date(1920, 1, 1), date(2005, 12, 31)).map(
                   date.isoformat)))
    return {"national_id": nid, "name": " ".join(p for p in (first, middle, surname) if p),
            "surname": surname, "first_name": first, "middle_name": middle,
            "generation_code": draw(_opt(st.sampled_from(sorted("JS23456789")))),
            "date_of_birth": dob,
            "phone": draw(_opt(st.integers(1_000_000, 9_999_999_999).map(str))),
            "address": draw(_opt(_ADDRESS)),
            "employer": draw(_opt(_EMPLOYER)) if employer else None}


@st.composite
def _account(draw: st.DrawFn, i: int) -> list[Any]:
    """One account's records: its first holder, then associated consumers (or not)."""
    raw = {"subject": draw(_subject()), "account_ref": f"ACC-{i}", "as_of": "2024-05-31",
           "kind": draw(st.sampled_from(["revolving", "installment", "mortgage", "open"])),
           "opened_on": "2019-03-04", "balance": draw(st.integers(0, 10**6)) * 100,
           "amount_past_due": 0, "status": "current", "currency": "USD",
           "ecoa": draw(st.sampled_from(["individual", "joint", "maker"])),
           # always one: the writer puts its file-wide default where a record has none
           "identification_number": draw(_text(_ALNUM, 20)),
           "special_comment": draw(_opt(st.sampled_from(["AU", "M", "AC", "CP"]))),
           "original_creditor": draw(_opt(st.fixed_dictionaries({
               "name": _text(_UPPER, 30),
               "classification": st.sampled_from([f"{c:02d}" for c in range(1, 16)])}))),
           "purchase": draw(_opt(st.fixed_dictionaries({
               "indicator": st.sampled_from(["purchased_from", "sold_to", "remove"]),
               "name": _opt(_text(_UPPER, 30))}))),
           "mortgage": draw(_opt(st.fixed_dictionaries({
               "agency": st.sampled_from([None, "fannie_mae", "freddie_mac"]),
               "agency_account": _text(_ALNUM, 18), "mers_min": _opt(_text("0123456789", 18))}))),
           "specialised_payment": draw(_opt(st.fixed_dictionaries({
               "indicator": st.sampled_from(["balloon", "deferred"]),
               "deferred_start": _opt(_DATES), "balloon_due": _opt(_DATES),
               "balloon_amount": _opt(st.integers(1, 10**6).map(lambda d: d * 100))}))),
           "account_change": draw(_opt(st.fixed_dictionaries({
               "new_account_ref": _opt(_text(_ALNUM, 30).map(lambda s: s.replace(" ", "-"))),
               "new_identification_number": _text(_ALNUM, 20)})))}
    first = parse_account_record(raw)
    out = [first]
    for _ in range(draw(st.integers(0, 3))):
        subject = draw(_subject(employer=False))
        if draw(st.booleans()):
            subject["address"] = raw["subject"]["address"]     # a J1 candidate
        out.append(parse_account_record({
            **raw, "subject": subject,
            "ecoa": draw(st.sampled_from(["joint", "authorized_user", "co_maker", "individual"]))}))
    return out


@settings(max_examples=int(os.environ.get("FUZZ_N", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(*(_account(i) for i in range(n)))),
       st.booleans(), st.booleans())
def test_written_records_read_back_equal(accounts: tuple[list[Any], ...], variable: bool,
                                         newline: bool) -> None:
    records = [rec for account in accounts for rec in account]
    buf = io.BytesIO()
    summary = write_metro2(records, buf, reporter_name="Acme Bank",
                           activity_date=date(2024, 5, 31), variable=variable, newline=newline)
    assert summary.records == len(records)
    items = read(buf.getvalue())
    assert errors(items) == []
    assert [parse_account_record(i.fields) for i in good(items)] == records
