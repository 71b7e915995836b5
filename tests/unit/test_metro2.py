"""Metro 2 reader and writer.

Fixtures are laid out here by hand at the positions of /work/shared/metro2-layout.md, not with the
writer, so that a writer bug cannot hide a reader bug.
"""

from __future__ import annotations

import contextlib
import io
import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters.fileformats import (
    FileUnreadable,
    LineError,
    RawRecord,
    detect_format,
    read_records,
)
from openbureau.adapters.metro2_writer import write_metro2
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import (
    AccountKind,
    AccountStatus,
    DeleteCode,
    Ecoa,
    parse_account_record,
)

# --------------------------------------------------------------------------- hand-made layout

# name: (start, length), 1-based positions from the RDW as in the layout document
BASE = {
    "rdw": (1, 4), "processing": (5, 1), "timestamp": (6, 14), "correction": (20, 1),
    "identification": (21, 20), "account_number": (43, 30), "portfolio": (73, 1),
    "account_type": (74, 2), "date_opened": (76, 8), "credit_limit": (84, 9),
    "highest_credit": (93, 9), "terms_duration": (102, 3), "terms_frequency": (105, 1),
    "scheduled_payment": (106, 9), "actual_payment": (115, 9), "status": (124, 2),
    "payment_rating": (126, 1), "history": (127, 24), "special_comment": (151, 2),
    "compliance": (153, 2), "balance": (155, 9), "past_due": (164, 9),
    "charge_off": (173, 9), "doai": (182, 8), "dofd": (190, 8), "date_closed": (198, 8),
    "last_payment": (206, 8), "surname": (232, 25), "first": (257, 20), "middle": (277, 20),
    "ssn": (298, 9), "dob": (307, 8), "phone": (315, 10), "ecoa": (325, 1),
    "address": (330, 32), "city": (394, 20), "state": (414, 2), "zip": (416, 9),
}
BASE_DEFAULTS = {
    "rdw": "0426", "processing": "1", "timestamp": "05312024000000", "correction": "0",
    "identification": "FURNISHER01", "account_number": "ACC-1", "portfolio": "R",
    "account_type": "18", "date_opened": "01152020", "credit_limit": "000005000",
    "highest_credit": "000001200", "terms_duration": "REV", "terms_frequency": "M",
    "scheduled_payment": "000000035", "actual_payment": "000000035", "status": "11",
    "history": "0" * 24, "balance": "000001234", "past_due": "000000000",
    "charge_off": "000000000", "doai": "05312024", "dofd": "00000000",
    "date_closed": "00000000", "last_payment": "05012024", "surname": "DOE", "first": "JANE",
    "middle": "Q", "ssn": "123456789", "dob": "02281980", "phone": "5551234567", "ecoa": "1",
    "address": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL", "zip": "62701",
}
ASSOC = {"id": (1, 2), "surname": (4, 25), "first": (29, 20), "middle": (49, 20),
         "ssn": (70, 9), "dob": (79, 8), "phone": (87, 10), "ecoa": (97, 1)}
HEADER = {"rdw": (1, 4), "id": (5, 6), "activity": (48, 8), "created": (56, 8),
          "reporter": (80, 40)}
TRAILER = {"rdw": (1, 4), "id": (5, 7), "base": (12, 9), "df": (30, 9), "j1": (39, 9),
           "j2": (48, 9), "blocks": (57, 9), "da": (66, 9)}


def lay(length: int, positions: dict[str, tuple[int, int]], values: dict[str, str]) -> bytes:
    buf = bytearray(b" " * length)
    for name, value in values.items():
        start, size = positions[name]
        assert len(value) <= size, name
        buf[start - 1:start - 1 + size] = value.ljust(size).encode("latin-1")
    return bytes(buf)


def base(**values: str) -> bytes:
    return lay(426, BASE, {**BASE_DEFAULTS, **values})


_FIRSTS = ("MARY", "JANE", "ANNA", "RUTH", "EMMA", "ROSE", "LILY", "GRACE", "ALICE", "CLARA")


def person_base(**values: str) -> bytes:
    """``base`` for tests that store records: each national id its own person (the first name
    follows the id's last digit), since identity resolution rightly joins two ids sent with one
    name and birth date as a mistyped id."""
    ssn = values.get("ssn", BASE_DEFAULTS["ssn"])
    first = _FIRSTS[int(ssn[-1])] if ssn[-1:].isdigit() else BASE_DEFAULTS["first"]
    return base(**{"first": first, **values})


def assoc(seg: str, **values: str) -> bytes:
    defaults = {"id": seg, "surname": "DOE", "first": "JOHN", "ssn": "987654321",
                "dob": "07041979", "ecoa": "2"}
    return lay(100 if seg == "J1" else 200, ASSOC, {**defaults, **values})


def record(base_segment: bytes, *segments: bytes) -> bytes:
    rec = base_segment + b"".join(segments)
    return b"%04d" % len(rec) + rec[4:]


def header(activity: str = "05312024", length: int = 426) -> bytes:
    return lay(length, HEADER, {"rdw": f"{length:04d}", "id": "HEADER", "activity": activity,
                                "created": "06012024", "reporter": "ACME BANK"})


def trailer(base: int, j1: int = 0, j2: int = 0, da: int = 0, df: int = 0,
            length: int = 426) -> bytes:
    return lay(length, TRAILER, {"rdw": f"{length:04d}", "id": "TRAILER", "base": f"{base:09d}",
                                 "j1": f"{j1:09d}", "j2": f"{j2:09d}", "da": f"{da:09d}",
                                 "df": f"{df:09d}", "blocks": "0" * 9})


def fixed_file(records: list[bytes], *, newline: bool = True, trailer_rec: bytes | None = None,
               length: int = 426) -> bytes:
    sep = b"\n" if newline else b""
    end = [trailer_rec if trailer_rec is not None else trailer(len(records), length=length)]
    return sep.join([header(length=length), *records, *end])


def variable_file(blocks: list[list[bytes]], trailer_rec: bytes) -> bytes:
    out = []
    for recs in [[header()], *blocks, [trailer_rec]]:
        body = b"".join(recs)
        out.append(b"%04d" % (len(body) + 4) + body)
    return b"".join(out)


def read(data: bytes) -> list[RawRecord | LineError]:
    return list(read_records(io.BytesIO(data)))


def errors(items: list[RawRecord | LineError]) -> list[tuple[int, str]]:
    return [(i.line, i.field) for i in items if isinstance(i, LineError)]


def good(items: list[RawRecord | LineError]) -> list[RawRecord]:
    return [i for i in items if isinstance(i, RawRecord)]


# --------------------------------------------------------------------------- reading


def test_base_segment_maps_to_the_account_record_shape() -> None:
    items = read(fixed_file([base(), base(account_number="ACC-2", portfolio="I",
                                      account_type="00", credit_limit="000000000",
                                      compliance="XB", date_closed="03312024",
                                      status="13", balance="000000000")]))
    assert errors(items) == []
    first, second = good(items)
    assert first.line == 2 and second.line == 3
    assert first.fields == {
        "subject": {"national_id": "123456789", "name": "JANE Q DOE", "surname": "DOE",
                    "first_name": "JANE", "middle_name": "Q", "date_of_birth": "1980-02-28",
                    "phone": "5551234567",
                    "address": {"line1": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL",
                                "postal_code": "62701"}},
        "identification_number": "FURNISHER01",
        "account_ref": "ACC-1", "kind": "revolving", "opened_on": "2020-01-15",
        "credit_limit": 500000, "scheduled_payment": 3500, "status": "current",
        "payment_history": "0" * 24, "balance": 123400, "amount_past_due": 0,
        "as_of": "2024-05-31", "ecoa": "individual", "currency": "USD",
    }
    rec = parse_account_record(second.fields)
    assert rec.kind is AccountKind.INSTALLMENT and rec.original_amount == 120000
    assert rec.credit_limit is None and rec.compliance_code == "XB"
    assert rec.status is AccountStatus.PAID and rec.closed_on == date(2024, 3, 31)


@pytest.mark.parametrize(("code", "status"), [
    ("11", "current"), ("71", "dpd30"), ("78", "dpd60"), ("80", "dpd90"), ("82", "dpd120"),
    ("83", "dpd150"), ("84", "dpd180"), ("97", "charged_off"), ("64", "charged_off"),
    ("93", "collection"), ("13", "paid"), ("61", "paid"), ("62", "paid"), ("63", "paid"),
    ("65", "paid"), ("05", "closed"),
])
def test_account_status_mapping(code: str, status: str) -> None:
    [item] = good(read(fixed_file([base(status=code)])))
    assert item.fields["status"] == status
    assert "delete_code" not in item.fields


@pytest.mark.parametrize(("code", "rating", "status"), [
    ("DA", " ", "closed"), ("DF", "L", "charged_off"), ("DA", "1", "dpd30"),
    ("DF", "G", "collection"), ("DA", "0", "current"),
])
def test_delete_codes_take_the_status_from_the_payment_rating(code: str, rating: str,
                                                              status: str) -> None:
    da, df = (1, 0) if code == "DA" else (0, 1)
    items = read(fixed_file([base(status=code, payment_rating=rating)],
                            trailer_rec=trailer(1, da=da, df=df)))
    assert errors(items) == []
    [item] = good(items)
    assert item.fields["delete_code"] == code and item.fields["status"] == status


@pytest.mark.parametrize(("portfolio", "account_type", "kind"), [
    ("R", "18", "revolving"), ("C", "15", "revolving"), ("I", "00", "installment"),
    ("M", "26", "mortgage"), ("O", "07", "open"), ("O", "48", "collection"),
    ("I", "0C", "collection"),
])
def test_kind_mapping(portfolio: str, account_type: str, kind: str) -> None:
    [item] = good(read(fixed_file([base(portfolio=portfolio, account_type=account_type)])))
    assert item.fields["kind"] == kind


@pytest.mark.parametrize(("code", "ecoa"), [
    ("1", "individual"), ("2", "joint"), ("3", "authorized_user"), ("5", "co_maker"),
    ("7", "maker"), ("T", "terminated"), ("W", "business"), ("X", "deceased"),
    ("Z", "delete_consumer"),
])
def test_associated_consumers_become_their_own_records(code: str, ecoa: str) -> None:
    rec = record(base(), assoc("J1", ecoa=code, middle="A"),
                 assoc("J2", surname="ROE", first="RICHARD", ssn="111223333", dob="00000000",
                       ecoa="3"))
    items = read(variable_file([[rec], [base(account_number="ACC-9")]], trailer(2, j1=1, j2=1)))
    assert errors(items) == []
    primary, j1, j2, other = good(items)
    assert [i.line for i in (primary, j1, j2, other)] == [2, 2, 2, 3]
    assert j1.fields["subject"] == {"national_id": "987654321", "name": "JOHN A DOE",
                                    "surname": "DOE", "first_name": "JOHN", "middle_name": "A",
                                    "date_of_birth": "1979-07-04",
                                    "address": primary.fields["subject"]["address"]}
    assert j1.fields["ecoa"] == ecoa
    assert j2.fields["subject"] == {"national_id": "111223333", "name": "RICHARD ROE",
                                    "surname": "ROE", "first_name": "RICHARD"}
    assert j2.fields["ecoa"] == "authorized_user"
    for person in (j1, j2):
        assert {k: v for k, v in person.fields.items() if k not in ("subject", "ecoa")} == \
            {k: v for k, v in primary.fields.items() if k not in ("subject", "ecoa")}
        parse_account_record(person.fields)


def test_k_l_n_segments_are_read_into_the_record() -> None:
    # the details of each segment: tests/unit/test_metro2_content.py
    segments = [b"K1" + b"ORIGINAL BANK".ljust(30) + b"08", b"K2" + b"1" + b"SELLER".ljust(31),
                b"K3" + b"01" + b"FNMA-1".ljust(36), b"K4" + b"02" + b"0" * 25 + b" ",
                b"L1" + b"1" + b"NEW-ACC".ljust(51),
                b"N1" + b"EMPLOYER INC".ljust(30) + b" " * 95 + b"ENGINEER".ljust(19)]
    assert [len(s) for s in segments] == [34, 34, 40, 30, 54, 146]
    rec = record(base(), *segments)
    items = read(fixed_file([rec], newline=False, length=len(rec)))
    assert errors(items) == []
    [item] = good(items)
    assert item.fields["original_creditor"] == {"name": "ORIGINAL BANK", "classification": "08"}
    assert item.fields["purchase"] == {"indicator": "purchased_from", "name": "SELLER"}
    assert item.fields["mortgage"] == {"agency": "fannie_mae", "agency_account": "FNMA-1"}
    assert item.fields["specialised_payment"] == {"indicator": "deferred"}
    assert item.fields["account_change"] == {"new_account_ref": "NEW-ACC"}
    assert item.fields["subject"]["employer"] == {"name": "EMPLOYER INC",
                                                  "occupation": "ENGINEER"}
    parse_account_record(item.fields)


def test_fixed_length_file_with_blank_segment_fillers() -> None:
    filler = b"J1" + b" " * 98 + b"K1" + b" " * 32
    length = 426 + len(filler)
    recs = [record(base(), filler), record(base(account_number="ACC-2"), filler)]
    items = read(fixed_file(recs, length=length, newline=False))
    assert errors(items) == []
    assert len(good(items)) == 2


def test_variable_blocks_several_records_per_block_and_trailer_without_bdw() -> None:
    blocks = [[record(base()), record(base(account_number="ACC-2"), assoc("J1"))],
              [record(base(account_number="ACC-3"))]]
    tail = trailer(3, j1=1)   # moov-style: the trailer has no BDW
    body = b"".join(b"%04d" % (len(b"".join(r)) + 4) + b"".join(r) for r in [[header()], *blocks])
    items = read(body + b"\r\n" + tail)
    assert errors(items) == []
    assert [(i.line, i.fields["account_ref"]) for i in good(items)] == [
        (2, "ACC-1"), (3, "ACC-2"), (3, "ACC-2"), (4, "ACC-3")]


# --------------------------------------------------------------------------- bad input


def test_trailer_count_mismatch_names_the_trailer_field() -> None:
    items = read(fixed_file([base(), base()], trailer_rec=trailer(3, j1=1, da=2)))
    assert len(good(items)) == 2
    assert errors(items) == [(4, "Total Base Records"), (4, "Total J1 Segments"),
                             (4, "Total Status Code DA")]
    assert "says 3" in items[2].message and "has 2" in items[2].message


def test_unknown_segment_rejects_that_record_only() -> None:
    bad = record(base(account_number="BAD"), assoc("J1"), b"Z9" + b"X" * 30)
    items = read(variable_file([[base()], [bad], [base(account_number="ACC-3")]],
                               trailer(3, j1=1)))
    [err] = [i for i in items if isinstance(i, LineError)]
    assert (err.line, err.field) == (3, "segment")
    assert "'Z9'" in err.message and "byte offset 526" in err.message
    assert [(i.line, i.fields["account_ref"]) for i in good(items)] == [(2, "ACC-1"),
                                                                      (4, "ACC-3")]


def test_truncated_segment_inside_a_record() -> None:
    bad = record(base(), b"J2" + b"DOE".ljust(50))
    items = read(fixed_file([bad], newline=False, trailer_rec=trailer(1, length=len(bad)),
                            length=len(bad)))
    assert errors(items) == [(2, "segment")]


@pytest.mark.parametrize("delta", [-1, +3])
def test_wrong_record_length_in_a_line_oriented_file(delta: int) -> None:
    odd = base(account_number="ODD")[: 426 + delta] if delta < 0 else base() + b"XYZ"
    data = fixed_file([base(), odd, base(account_number="ACC-3")])
    items = read(data)
    assert errors(items) == [(3, "Record Descriptor Word")]
    assert [(i.line, i.fields["account_ref"]) for i in good(items)] == [(2, "ACC-1"),
                                                                      (4, "ACC-3")]


def test_wrong_length_word_in_a_fixed_file() -> None:
    items = read(fixed_file([base(), base(rdw="0400"), base()], newline=False))
    assert errors(items) == [(3, "Record Descriptor Word")]
    assert [i.line for i in good(items)] == [2, 4]


@pytest.mark.parametrize(("field", "value", "name", "message"), [
    ("date_opened", "13452020", "Date Opened", "impossible date: '13452020'"),
    ("doai", "02302024", "Date of Account Information", "impossible date: '02302024'"),
    ("dob", "1980-1-1", "Date of Birth", "not a date (MMDDYYYY): '1980-1-1'"),
    ("balance", "ABC", "Current Balance", "not numeric: 'ABC'"),
    ("past_due", "12 4", "Amount Past Due", "not numeric: '12 4'"),
    ("credit_limit", "-00000100", "Credit Limit", "not numeric: '-00000100'"),
    ("portfolio", "Q", "Portfolio Type", "unknown code 'Q'"),
    ("status", "XX", "Account Status", "unknown code 'XX'"),
    ("ecoa", "9", "ECOA Code", "unknown code '9'"),
])
def test_field_errors_name_the_metro2_field(field: str, value: str, name: str,
                                            message: str) -> None:
    items = read(fixed_file([base(), base(**{field: value}), base(account_number="ACC-3")]))
    [err] = [i for i in items if isinstance(i, LineError)]
    assert (err.line, err.field, err.message) == (3, name, message)
    assert [i.line for i in good(items)] == [2, 4]


def test_bad_date_in_an_associated_consumer_names_the_segment() -> None:
    rec = record(base(), assoc("J1", dob="99999999"))
    items = read(fixed_file([rec], newline=False, trailer_rec=trailer(1, j1=1, length=526),
                            length=526))
    assert errors(items) == [(2, "J1 Date of Birth")]


def test_truncated_last_record() -> None:
    data = fixed_file([base(), base()], trailer_rec=b"") + base()[:200]
    items = read(data)
    assert len(good(items)) == 2
    assert errors(items) == [(4, "record"), (5, "TRAILER")]
    assert "200 of 426" in items[2].message


def test_truncated_trailer() -> None:
    data = fixed_file([base()])[:-100]
    items = read(data)
    assert errors(items) == [(3, "record")]
    assert len(good(items)) == 1


def test_missing_trailer() -> None:
    data = b"\n".join([header(), base(), base(account_number="ACC-2")]) + b"\n"
    items = read(data)
    assert len(good(items)) == 2
    [err] = [i for i in items if isinstance(i, LineError)]
    assert (err.line, err.field) == (4, "TRAILER")


def test_record_after_trailer_and_bad_header_date() -> None:
    data = b"".join([header(activity="00000000"), base(), trailer(1), base()])
    assert errors(read(data)) == [(1, "Activity Date"), (4, "record")]


def test_unreadable_files() -> None:
    with pytest.raises(FileUnreadable, match="empty"):
        read(b"")
    with pytest.raises(FileUnreadable, match="neither|nor"):
        read(b"\x00\x01\x02 binary junk")
    # packed files are read (tests/unit/test_metro2_layouts.py); a header-only one lacks a trailer
    packed = b"\x01\x6e\x00\x00HEADER" + b" " * 356
    assert errors(read(packed)) == [(1, "Activity Date"), (2, "TRAILER")]
    with pytest.raises(FileUnreadable, match="length word"):
        read(b"\x01\x6e\x07\x00HEADER" + b" " * 356)


def test_detect_format() -> None:
    assert detect_format(header()) == "metro2"
    assert detect_format(b"0430" + header()) == "metro2"
    assert detect_format(b"\xef\xbb\xbfsubject_national_id,subject_name\n") == "csv"


# --------------------------------------------------------------------------- writer


def _subject(national_id: str, name: str, **more: str) -> dict:
    """A subject as the Metro 2 reader gives it back: the name parts with the name."""
    parts = name.split()
    surname, first, middle = (parts[-1], parts[0], " ".join(parts[1:-1])) if len(parts) > 1 \
        else (parts[0], "", "")
    out = {"national_id": national_id, "name": name, "surname": surname, **more}
    if first:
        out["first_name"] = first
    if middle:
        out["middle_name"] = middle
    return out


def _records() -> list:
    def rec(i: int, **over: object) -> dict:
        d = {"subject": _subject(f"{100000000 + i}", "MARY ANN LEE",
                                 date_of_birth="1975-12-01"),
             "identification_number": "ACME BANK",
             "account_ref": f"ACC/{i}", "as_of": "2024-05-31", "kind": "revolving",
             "opened_on": "2019-03-04", "credit_limit": 1_000_000, "balance": 25_000,
             "amount_past_due": 0, "status": "current", "ecoa": "individual",
             "currency": "USD", "payment_history": "000000000000111000000000"}
        d.update(over)
        return d

    dofd = {"date_of_first_delinquency": "2023-11-30", "amount_past_due": 10_000}
    out = []
    for i, status in enumerate(AccountStatus):
        extra = dofd if status not in (AccountStatus.CURRENT, AccountStatus.PAID,
                                       AccountStatus.CLOSED) else {}
        out.append(rec(i, status=status.value, **extra))
    for i, ecoa in enumerate(Ecoa, start=20):
        out.append(rec(i, ecoa=ecoa.value, subject=_subject(f"{200000000 + i}", "BO SMITH")))
    for i, code in enumerate(sorted(["XA", "XB", "XC", "XH", "XR"]), start=40):
        out.append(rec(i, compliance_code=code))
    out += [
        rec(50, delete_code="DA", status="closed", closed_on="2024-05-01"),
        rec(51, delete_code="DF", status="charged_off", **dofd),
        rec(52, delete_code="DA", status="dpd60", **dofd),
        rec(53, kind="installment", credit_limit=None, original_amount=2_500_000,
            scheduled_payment=45_000, payment_history=None),
        rec(54, kind="mortgage", credit_limit=None, original_amount=30_000_000,
            scheduled_payment=180_000, subject=_subject("300000054", "PRINCE")),
        rec(55, kind="open", credit_limit=None),
        rec(56, kind="collection", credit_limit=None, original_amount=70_000,
            status="collection", **dofd),
        rec(57, status="paid", closed_on="2024-04-15", balance=0),
    ]
    return [parse_account_record(d) for d in out]


@pytest.mark.parametrize("variable", [False, True])
@pytest.mark.parametrize("newline", [False, True])
def test_round_trip(variable: bool, newline: bool) -> None:
    originals = _records()
    buf = io.BytesIO()
    summary = write_metro2(originals, buf, reporter_name="Acme Bank",
                           activity_date=date(2024, 5, 31), variable=variable, newline=newline)
    assert summary.records == len(originals)
    assert summary.bytes_written == len(buf.getvalue())
    items = read(buf.getvalue())
    assert errors(items) == []
    back = [parse_account_record(i.fields) for i in good(items)]
    assert back == originals
    assert {r.delete_code for r in back} == {None, DeleteCode.DA, DeleteCode.DF}


def test_written_layout_matches_the_documented_positions() -> None:
    [rec] = [r for r in _records() if r.account_ref == "ACC/53"]
    buf = io.BytesIO()
    write_metro2([rec], buf, reporter_name="Acme", activity_date=date(2024, 5, 31),
                 newline=True)
    head, data, tail = buf.getvalue().split(b"\n")

    def at(rec_bytes: bytes, layout: dict, name: str) -> str:
        start, size = layout[name]
        return rec_bytes[start - 1:start - 1 + size].decode()

    assert at(head, HEADER, "id") == "HEADER" and at(head, HEADER, "activity") == "05312024"
    assert at(data, BASE, "account_number").rstrip() == "ACC/53"
    assert at(data, BASE, "portfolio") == "I" and at(data, BASE, "status") == "11"
    assert at(data, BASE, "highest_credit") == "000025000"
    assert at(data, BASE, "scheduled_payment") == "000000450"
    assert at(data, BASE, "surname").rstrip() == "LEE" and at(data, BASE, "middle").rstrip() \
        == "ANN"
    assert at(data, BASE, "ssn") == "100000053" and at(data, BASE, "dob") == "12011975"
    assert at(tail, TRAILER, "id") == "TRAILER" and at(tail, TRAILER, "base") == "000000001"


def test_writer_drops_cents_and_pads_short_history() -> None:
    rec = parse_account_record({
        "subject": {"national_id": "123456789", "name": "Al Bo"}, "account_ref": "X1",
        "as_of": "2024-05-31", "kind": "revolving", "opened_on": "2020-01-01",
        "balance": 12_399, "amount_past_due": 0, "status": "current", "ecoa": "individual",
        "currency": "USD", "payment_history": "000"})
    buf = io.BytesIO()
    write_metro2([rec], buf, reporter_name="Acme", activity_date=date(2024, 5, 31))
    [item] = good(read(buf.getvalue()))
    assert item.fields["balance"] == 12_300
    assert item.fields["payment_history"] == "000" + "B" * 21
    assert item.fields["subject"]["name"] == "AL BO"


def test_writer_refuses_what_metro2_cannot_carry() -> None:
    [rec] = _records()[:1]
    for bad in ({"currency": "EUR"}, {"subject": {"national_id": "AB12345", "name": "X Y"}}):
        raw = {"subject": {"national_id": rec.subject.national_id, "name": rec.subject.name},
               "account_ref": "R1", "as_of": "2024-05-31", "kind": "open",
               "opened_on": "2020-01-01", "balance": 0, "amount_past_due": 0,
               "status": "current", "ecoa": "individual", "currency": "USD", **bad}
        with pytest.raises(ValueError):
            write_metro2([parse_account_record(raw)], io.BytesIO(), reporter_name="A",
                         activity_date=date(2024, 5, 31))


# --------------------------------------------------------------------------- fuzz


FUZZ_N = int(os.environ.get("FUZZ_N", "250"))   # raise it for a long local run


def _consume(data: bytes) -> None:
    try:
        items = list(read_records(io.BytesIO(data)))
    except FileUnreadable:
        return
    except ValidationFailed:   # the bytes happened to look like a CSV header
        return
    for item in items:
        assert isinstance(item, RawRecord | LineError)
        if isinstance(item, LineError):
            assert item.line >= 1 and item.field and item.message
        else:
            with contextlib.suppress(ValidationFailed):
                parse_account_record(item.fields)


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _consume(data)


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_fuzz_bytes_after_a_header(tail: bytes) -> None:
    _consume(header() + tail)
    _consume(b"0430" + header() + tail)


_VALID = [
    variable_file([[base()], [record(base(), assoc("J1")), base()]], trailer(3, j1=1)),
    fixed_file([base(), base(status="DA")], trailer_rec=trailer(2, da=1)),
    variable_file([[record(base(), assoc("J2"))], [base(), base()]], trailer(3, j2=1)),
]


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_VALID), st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255),
                                                    st.sampled_from(["set", "del", "ins"])),
                                          min_size=1, max_size=6),
       st.integers(0, 2000))
def test_fuzz_mutated_valid_files(data: bytes, edits: list, cut: int) -> None:
    _consume(mutate(data, edits))


def mutate(data: bytes, edits: list[tuple[int, int, str]], cut: int = 0) -> bytes:
    """Apply set/delete/insert byte edits, then drop ``cut`` bytes from the end."""
    buf = bytearray(data)
    for pos, byte, op in edits:
        pos %= len(buf) + 1
        if op == "set" and pos < len(buf):
            buf[pos] = byte
        elif op == "del":
            del buf[pos:pos + byte % 20]
        else:
            buf[pos:pos] = bytes([byte]) * (byte % 7 + 1)
    return bytes(buf[: max(0, len(buf) - cut)])
    _consume(bytes(buf[: len(buf) - cut]))


def test_records_sharing_the_header_block() -> None:
    first = header() + record(base())
    data = b"%04d" % (len(first) + 4) + first + b"%04d" % 430 + base(account_number="ACC-2") \
        + trailer(2)
    items = read(data)
    assert errors(items) == []
    assert [(i.line, i.fields["account_ref"]) for i in good(items)] == [(2, "ACC-1"),
                                                                      (3, "ACC-2")]


def test_variable_file_ending_in_stray_bytes() -> None:
    data = variable_file([[base()]], trailer(1))
    items = read(data[:-426] + b"04")
    assert errors(items) == [(3, "record"), (4, "TRAILER")]


def test_file_level_errors_are_not_record_rejections() -> None:
    data = b"".join([header(activity="00000000"), base(balance="X"), trailer(5)])
    assert [(e.field, e.is_record) for e in read(data) if isinstance(e, LineError)] == [
        ("Activity Date", False), ("Current Balance", True), ("Total Base Records", False)]
