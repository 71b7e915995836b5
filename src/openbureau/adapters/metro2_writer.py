"""Metro 2 character format (426): the writer. The mapping is documented in ``metro2``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from openbureau.adapters.metro2 import (
    _ECOA_CODE,
    _KIND_CODES,
    _STATUS_CODE,
    _STATUS_RATING,
    _TRAILER_STATUS_CODES,
    BASE_LENGTH,
)
from openbureau.domain.records import AccountRecord, Ecoa


@dataclass(frozen=True, slots=True)
class WriteSummary:
    records: int
    blocks: int
    bytes_written: int


def _an(value: str, n: int, what: str) -> str:
    if len(value) > n:
        raise ValueError(f"{what} is longer than {n} characters")
    return value.ljust(n)


def _num(value: int, n: int, what: str) -> str:
    text = str(value)
    if value < 0 or len(text) > n:
        raise ValueError(f"{what} does not fit {n} digits")
    return text.zfill(n)


def _dollars(minor: int | None, what: str) -> str:
    return _num(0 if minor is None else minor // 100, 9, what)


def _mmddyyyy(d: date | None) -> str:
    return "00000000" if d is None else f"{d.month:02d}{d.day:02d}{d.year:04d}"


def _name_parts(name: str) -> tuple[str, str, str]:
    parts = name.upper().split()
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[-1], parts[0], " ".join(parts[1:-1])


def _base_segment(rec: AccountRecord, ident: str) -> str:
    ref = rec.account_ref
    if rec.currency != "USD":
        raise ValueError(f"record {ref}: Metro 2 carries US dollars only, not {rec.currency}")
    ssn = rec.subject.national_id
    if not (len(ssn) == 9 and ssn.isdecimal()):
        raise ValueError(f"record {ref}: the national identifier is not a 9-digit SSN")
    surname, first, middle = _name_parts(rec.subject.name)
    portfolio, account_type, terms, frequency = _KIND_CODES[rec.kind]
    if rec.delete_code is not None:
        status, rating = rec.delete_code.value, _STATUS_RATING.get(rec.status, " ")
    else:
        status = _STATUS_CODE[rec.status]
        rating = "0" if status in ("05", "13") else " "
    history = (rec.payment_history or "").ljust(24, "B") if rec.payment_history else " " * 24
    out = "".join((
        "0426", "1", _mmddyyyy(rec.as_of), "000000", "0", _an(ident, 20, "identification"),
        "  ", _an(ref, 30, "account_ref"), portfolio, account_type, _mmddyyyy(rec.opened_on),
        _dollars(rec.credit_limit, "credit_limit"),
        _dollars(rec.original_amount, "original_amount"), terms, frequency,
        _dollars(rec.scheduled_payment, "scheduled_payment"), "0" * 9, status, rating,
        history, "  ", _an(rec.compliance_code or "", 2, "compliance_code"),
        _dollars(rec.balance, "balance"), _dollars(rec.amount_past_due, "amount_past_due"),
        "0" * 9, _mmddyyyy(rec.as_of), _mmddyyyy(rec.date_of_first_delinquency),
        _mmddyyyy(rec.closed_on), "0" * 8, " ", " " * 17,
        _an(surname, 25, f"record {ref}: surname"), _an(first, 20, f"record {ref}: first name"),
        _an(middle, 20, f"record {ref}: middle name"), " ", ssn,
        _mmddyyyy(rec.subject.date_of_birth), "0" * 10, _ECOA_CODE[rec.ecoa], "  ", "  ",
        " " * 32, " " * 32, " " * 20, "  ", " " * 9, " ", " "))
    assert len(out) == BASE_LENGTH
    return out


def _header(reporter_name: str, activity_date: date, created_on: date) -> str:
    out = "".join((
        "0426", "HEADER", "  ", " " * 10, " " * 10, " " * 5, " " * 10,
        _mmddyyyy(activity_date), _mmddyyyy(created_on), "0" * 8, "0" * 8,
        _an(reporter_name.upper(), 40, "reporter_name"), " " * 96, "0" * 10,
        _an("OPENBUREAU", 40, "vendor"), _an("0.1", 5, "version"), " " * 10, " " * 146))
    assert len(out) == BASE_LENGTH
    return out


def _trailer_record(base: int, blocks: int, status_counts: dict[str, int], ecoa_z: int,
                    ssns: int, births: int) -> str:
    c = status_counts.get

    def n(v: int) -> str:
        return _num(v, 9, "trailer count")
    out = "".join((
        "0426", "TRAILER", n(base), " " * 9, n(c("DF", 0)), n(0), n(0), n(blocks), n(c("DA", 0)),
        *(n(c(code, 0)) for code in _TRAILER_STATUS_CODES), n(ecoa_z),
        n(0), n(0), n(0), n(0), n(0), n(0),
        n(ssns), n(ssns), n(0), n(0), n(births), n(births), n(0), n(0), n(0), " " * 19))
    assert len(out) == BASE_LENGTH
    return out


def write_metro2(records: Iterable[AccountRecord], out: BinaryIO, *, reporter_name: str,
                 activity_date: date, variable: bool = False, newline: bool = False,
                 identification_number: str | None = None,
                 created_on: date | None = None) -> WriteSummary:
    """Write a character-format (426) file: Header, one base segment per record, Trailer.

    Fixed-length by default; ``variable=True`` puts each record in its own block behind a BDW.
    ``newline=True`` puts LF between records (none after the trailer). Raises ``ValueError`` for
    a record Metro 2 cannot carry (not USD, national id not a 9-digit SSN, a name part or amount
    too long); the output written so far is then incomplete.
    """
    ident = (identification_number or reporter_name).upper()[:20]
    sep = b"\n" if newline else b""
    written = 0
    statuses: dict[str, int] = {}
    count = ecoa_z = ssns = births = 0
    pending: list[bytes] = []

    def emit(record: str) -> None:
        nonlocal written
        data = record.encode("ascii")
        if variable:
            data = b"%04d" % (len(data) + 4) + data
        if written or pending:
            data = sep + data
        pending.append(data)
        written += len(data)
        if len(pending) >= 1024:
            out.write(b"".join(pending))
            pending.clear()

    emit(_header(reporter_name, activity_date, created_on or activity_date))
    for rec in records:
        segment = _base_segment(rec, ident)
        emit(segment)
        count += 1
        code = segment[123:125]
        statuses[code] = statuses.get(code, 0) + 1
        ecoa_z += rec.ecoa is Ecoa.DELETE_CONSUMER
        ssns += 1
        births += rec.subject.date_of_birth is not None
    blocks = count + 2 if variable else 0
    emit(_trailer_record(count, blocks, statuses, ecoa_z, ssns, births))
    out.write(b"".join(pending))
    return WriteSummary(records=count, blocks=blocks, bytes_written=written)
