"""CSV reader and writer."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters.csv_io import COLUMNS, REQUIRED_COLUMNS, write_csv
from openbureau.adapters.fileformats import (
    FileUnreadable,
    LineError,
    RawRecord,
    read_records,
)
from openbureau.domain.errors import ProhibitedData, ValidationFailed
from openbureau.domain.records import parse_account_record

HEADER = ",".join(("subject_national_id", *REQUIRED_COLUMNS))
ROW = "123456789,Jane Doe,ACC-1,2024-05-31,revolving,2020-01-15,123400,0,current,individual,USD"


def read(text: str | bytes) -> list[RawRecord | LineError]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(read_records(io.BytesIO(data)))


def test_minimal_columns_and_empty_cells_are_absent() -> None:
    text = HEADER + ",credit_limit,subject_date_of_birth\n" + ROW + ",,\n"
    [item] = read(text)
    assert isinstance(item, RawRecord) and item.line == 2
    assert item.fields["subject"] == {"national_id": "123456789", "name": "Jane Doe"}
    assert "credit_limit" not in item.fields
    rec = parse_account_record(item.fields)
    assert rec.balance == 123400 and rec.credit_limit is None


def test_bom_is_accepted() -> None:
    items = read(b"\xef\xbb\xbf" + (HEADER + "\r\n" + ROW + "\r\n").encode())
    assert [type(i) for i in items] == [RawRecord]
    parse_account_record(items[0].fields)


@pytest.mark.parametrize(("column", "category"), [("facebook_friends", "social_media"),
                                                  ("religion", "religious_views")])
def test_prohibited_column_is_refused_naming_the_category(column: str, category: str) -> None:
    with pytest.raises(ProhibitedData) as exc:
        read(HEADER + "," + column + "\n" + ROW + ",x\n")
    [err] = exc.value.errors
    assert (err.field, err.category, err.line) == (column, category, 1)
    assert "prohibited" in err.message


def test_unknown_and_missing_columns_are_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        read(HEADER.replace("ecoa,", "") + ",shoe_size\n")
    assert not isinstance(exc.value, ProhibitedData)
    assert {(e.field, e.message.split(";")[0]) for e in exc.value.errors} == {
        ("shoe_size", "unknown field"), ("ecoa", "required column is missing")}


def test_ragged_row_is_a_line_error_and_the_rest_is_read() -> None:
    text = "\n".join([HEADER, ROW, ROW + ",extra", "", ROW.replace("ACC-1", "ACC-4"),
                      "1,2,3"]) + "\n"
    items = read(text)
    assert [(type(i).__name__, i.line) for i in items] == [
        ("RawRecord", 2), ("LineError", 3), ("RawRecord", 5), ("LineError", 6)]
    assert items[1].field == "row" and "expected 11 cells, got 12" in items[1].message


def test_line_numbers_count_physical_lines() -> None:
    quoted = ROW.replace("Jane Doe", '"Jane\nDoe"')
    items = read("\n".join([HEADER, quoted, ROW]) + "\n")
    assert [i.line for i in items] == [2, 4]
    assert items[0].fields["subject"]["name"] == "Jane\nDoe"


def test_bad_utf8_stops_with_a_line_error() -> None:
    data = (HEADER + "\n" + ROW + "\n").encode() + b"\xff\xfe,bad\n" * 3
    items = read(data)
    assert isinstance(items[0], RawRecord)
    assert isinstance(items[-1], LineError) and items[-1].field == "file"


def test_unreadable() -> None:
    with pytest.raises(FileUnreadable):
        read(b"")
    with pytest.raises(FileUnreadable):
        read(b"just some words\n")


def test_round_trip_with_every_column() -> None:
    raw = {"subject": {"national_id": "AB123456", "name": "Zoë, \"Q\" Ng",
                       "date_of_birth": "1990-01-31"},
           "account_ref": "L/77", "as_of": "2024-05-31", "kind": "installment",
           "opened_on": "2021-06-01", "closed_on": None, "credit_limit": None,
           "original_amount": 1_234_567, "scheduled_payment": 12_345, "balance": 999_999,
           "amount_past_due": 12_345, "status": "dpd30",
           "date_of_first_delinquency": "2024-04-30", "ecoa": "joint",
           "monthly_income": 500_000, "consent_ref": "C-1", "currency": "EUR",
           "compliance_code": "XB", "delete_code": None, "payment_history": "1000BB"}
    records = [parse_account_record(raw), parse_account_record({**raw, "account_ref": "L/78"})]
    buf = io.BytesIO()
    assert write_csv(records, buf) == 2
    assert buf.getvalue().split(b"\n", 1)[0].decode() == ",".join(COLUMNS)
    items = read(buf.getvalue())
    assert [parse_account_record(i.fields) for i in items] == records


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=800))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    try:
        items = list(read_records(io.BytesIO(data), fmt="csv"))
    except (FileUnreadable, ValidationFailed):
        return
    assert all(isinstance(i, RawRecord | LineError) for i in items)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_fuzz_rows_after_a_valid_header(body: str) -> None:
    items = list(read_records(io.BytesIO((HEADER + "\n" + body).encode("utf-8", "surrogatepass")
                                          ), fmt="csv"))
    for item in items:
        assert isinstance(item, RawRecord | LineError)
        if isinstance(item, RawRecord):
            with contextlib.suppress(ValidationFailed):
                parse_account_record(item.fields)


FULL = {"subject": {"national_id": None, "name": "José Ñúñez", "date_of_birth": "1990-01-31",
                    "surname": "Ñúñez", "first_name": "José", "middle_name": None,
                    "generation_code": "J", "phone": "5551234567",
                    "address": {"line1": "1 Main St, Apt \"B\"", "line2": None, "city": "Salem",
                                "state": "OR", "postal_code": "97301", "country": "US",
                                "indicator": "C", "residence": "R"},
                    "employer": {"name": "Acme", "line1": None, "line2": None, "city": "Toledo",
                                 "state": None, "postal_code": None, "occupation": "Welder"}},
        "account_ref": "L/79", "as_of": "2024-05-31", "kind": "collection",
        "opened_on": "2021-06-01", "balance": 50_000, "amount_past_due": 50_000,
        "status": "collection", "date_of_first_delinquency": "2023-01-31", "ecoa": "individual",
        "currency": "USD", "identification_number": "BR-1", "special_comment": "AU",
        "original_creditor": {"name": "First Retail", "classification": "01"},
        "purchase": {"indicator": "purchased_from", "name": "Old Bank"},
        "mortgage": {"agency": None, "agency_account": None, "mers_min": "100012345678901234"},
        "specialised_payment": {"indicator": "deferred", "deferred_start": "2025-01-01",
                                "balloon_due": None, "balloon_amount": None},
        "account_change": {"new_account_ref": "L/80", "new_identification_number": None}}


def test_round_trip_of_the_identity_and_account_objects() -> None:
    records = [parse_account_record(FULL), parse_account_record(
        {**FULL, "subject": {**FULL["subject"], "address": None, "employer": None},
         "original_creditor": None, "account_change": None})]
    buf = io.BytesIO()
    assert write_csv(records, buf) == 2
    header = buf.getvalue().split(b"\n", 1)[0].decode()
    assert "subject.address.line1" in header and "original_creditor.classification" in header
    items = read(buf.getvalue())
    assert [parse_account_record(i.fields) for i in items] == records
    second = items[1]
    assert isinstance(second, RawRecord)
    assert "address" not in second.fields["subject"] and "original_creditor" not in second.fields


def test_dotted_columns_build_nested_objects_and_empty_ones_are_absent() -> None:
    text = (HEADER + ",subject_date_of_birth,subject.address.city,subject.address.state,"
            "original_creditor.name,original_creditor.classification\n"
            + ROW.replace("123456789", "") + ",1990-01-31,Salem,OR,,\n")
    [item] = read(text)
    assert isinstance(item, RawRecord)
    assert item.fields["subject"] == {"name": "Jane Doe", "date_of_birth": "1990-01-31",
                                      "address": {"city": "Salem", "state": "OR"}}
    assert "original_creditor" not in item.fields
    rec = parse_account_record(item.fields)
    assert rec.subject.national_id is None and rec.subject.address is not None


def test_a_row_without_national_id_nor_date_of_birth_is_refused_by_the_schema() -> None:
    [item] = read(HEADER + "\n" + ROW.replace("123456789", "") + "\n")
    assert isinstance(item, RawRecord)
    with pytest.raises(ValidationFailed) as exc:
        parse_account_record(item.fields)
    assert [e.field for e in exc.value.errors] == ["subject.date_of_birth"]


@pytest.mark.parametrize(("column", "category"), [
    ("subject.address.gps", "location"), ("subject.employer.religion", "religious_views"),
    ("purchase.shoe_size", None), ("subject.nickname", None)])
def test_unknown_or_prohibited_nested_columns_are_refused(column: str,
                                                          category: str | None) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read(HEADER + "," + column + "\n" + ROW + ",x\n")
    [err] = exc.value.errors
    assert (err.field, err.category) == (column, category)
