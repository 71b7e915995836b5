"""Metro 2 record content for the writer: AccountRecords rendered as character-format (426)
data records -- base segment plus J1/J2, K1-K4, L1 and N1 segments -- and the Header and the
Trailer with true counts. The framing (length words, blocks, line ends) is ``metro2_writer``'s.

Associated consumers: records that follow one another in the input and differ from the first
of them only in ``subject`` and ``ecoa`` (same account, same month, every other field equal)
are written as one data record -- the first as the base segment, each following one as a J1
segment when its address equals the base subject's, a J2 segment (with its own address)
otherwise -- provided the follower's ECOA is not ``individual``, it has no employer (a J
segment has no place for one) and no J1 would come after a J2 (the CRRG's segment order).
Anything else starts a data record of its own. The reader yields those records again, in the
same order, so a file written here reads back as the records it was given (for the records
the module docstring of ``metro2`` calls canonical).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from openbureau.adapters.metro2_fields import (
    _AGENCY_CODE,
    _ECOA_CODE,
    _KIND_CODES,
    _PURCHASE_CODE,
    _SPECIALISED_CODE,
    _STATUS_CODE,
    _STATUS_RATING,
    _TRAILER_STATUS_CODES,
    BASE_LENGTH,
)
from openbureau.domain.records import AccountRecord, Address, Ecoa, SubjectIdentity

MAX_ASSOCIATED = 40     # J segments per data record: keeps the RDW within its 4 digits


def _an(value: str, n: int, what: str) -> str:
    if len(value) > n:
        raise ValueError(f"{what} is longer than {n} characters")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"{what} has characters Metro 2 cannot carry (outside Latin-1)") \
            from None
    return value.ljust(n)


def _up(value: str | None, n: int, what: str) -> str:
    """Descriptive text (names, addresses): upper-case, as the CRRG asks."""
    return _an((value or "").upper(), n, what)


def _num(value: int, n: int, what: str) -> str:
    text = str(value)
    if value < 0 or len(text) > n:
        raise ValueError(f"{what} does not fit {n} digits")
    return text.zfill(n)


def _dollars(minor: int | None, what: str) -> str:
    return _num(0 if minor is None else minor // 100, 9, what)


def _mmddyyyy(d: date | None) -> str:
    return "00000000" if d is None else f"{d.month:02d}{d.day:02d}{d.year:04d}"


def _name_parts(who: SubjectIdentity) -> tuple[str, str, str]:
    """(surname, first, middle): the parts when any is given, else the name split."""
    if who.surname or who.first_name or who.middle_name:
        return who.surname or "", who.first_name or "", who.middle_name or ""
    parts = who.name.split()
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[-1], parts[0], " ".join(parts[1:-1])


def _ssn(who: SubjectIdentity, what: str) -> str:
    if who.national_id is None:
        return "0" * 9      # none given: zero-filled (the date of birth is then required)
    if not (len(who.national_id) == 9 and who.national_id.isdecimal()):
        raise ValueError(f"{what}: the national identifier is not a 9-digit SSN")
    return who.national_id


def _phone(who: SubjectIdentity, what: str) -> str:
    if who.phone is None:
        return "0" * 10
    if len(who.phone) > 10 or who.phone.startswith("0"):
        raise ValueError(f"{what}: the phone number does not fit Metro 2's zero-filled "
                         "10-digit field")
    return who.phone.zfill(10)


def _person(who: SubjectIdentity, ecoa: Ecoa, what: str) -> str:
    """Surname .. ECOA code and the blank Consumer Information Indicator: the part the base,
    J1 and J2 segments share (96 characters)."""
    surname, first, middle = _name_parts(who)
    return "".join((
        _up(surname, 25, f"{what}: surname"), _up(first, 20, f"{what}: first name"),
        _up(middle, 20, f"{what}: middle name"),
        _an(who.generation_code or "", 1, f"{what}: generation code"), _ssn(who, what),
        _mmddyyyy(who.date_of_birth), _phone(who, what), _ECOA_CODE[ecoa], "  "))


def _address(address: Address | None, what: str) -> str:
    """Country code .. residence code (99 characters), blank without an address."""
    a = address or Address()
    return "".join((
        _an(a.country or "", 2, f"{what}: country"), _up(a.line1, 32, f"{what}: address line 1"),
        _up(a.line2, 32, f"{what}: address line 2"), _up(a.city, 20, f"{what}: city"),
        _up(a.state, 2, f"{what}: state"), _up(a.postal_code, 9, f"{what}: postal code"),
        _an(a.indicator or "", 1, f"{what}: address indicator"),
        _an(a.residence or "", 1, f"{what}: residence code")))


def _base_segment(rec: AccountRecord, ident: str) -> str:
    """The base segment of ``rec``; ``ident`` is the Identification Number written when the
    record has none of its own."""
    ref = rec.account_ref
    what = f"record {ref}"
    if rec.currency != "USD":
        raise ValueError(f"{what}: Metro 2 carries US dollars only, not {rec.currency}")
    portfolio, account_type, terms, frequency = _KIND_CODES[rec.kind]
    if rec.delete_code is not None:
        status, rating = rec.delete_code.value, _STATUS_RATING.get(rec.status, " ")
    else:
        status = _STATUS_CODE[rec.status]
        rating = "0" if status in ("05", "13") else " "
    history = (rec.payment_history or "").ljust(24, "B") if rec.payment_history else " " * 24
    out = "".join((
        "0426", "1", _mmddyyyy(rec.as_of), "000000", "0",
        _an(rec.identification_number or ident, 20, f"{what}: identification number"),
        "  ", _an(ref, 30, "account_ref"), portfolio, account_type, _mmddyyyy(rec.opened_on),
        _dollars(rec.credit_limit, "credit_limit"),
        _dollars(rec.original_amount, "original_amount"), terms, frequency,
        _dollars(rec.scheduled_payment, "scheduled_payment"), "0" * 9, status, rating,
        history, _an(rec.special_comment or "", 2, f"{what}: special comment"),
        _an(rec.compliance_code or "", 2, "compliance_code"),
        _dollars(rec.balance, "balance"), _dollars(rec.amount_past_due, "amount_past_due"),
        "0" * 9, _mmddyyyy(rec.as_of), _mmddyyyy(rec.date_of_first_delinquency),
        _mmddyyyy(rec.closed_on), "0" * 8, " ", " " * 17,
        _person(rec.subject, rec.ecoa, what), _address(rec.subject.address, what)))
    assert len(out) == BASE_LENGTH
    return out


def _j_segment(rec: AccountRecord, j2: bool) -> str:
    what = f"record {rec.account_ref}, associated consumer"
    if not j2:
        out = "J1 " + _person(rec.subject, rec.ecoa, what) + " "
        assert len(out) == 100
        return out
    out = "J2 " + _person(rec.subject, rec.ecoa, what) + _address(rec.subject.address, what) \
        + "  "
    assert len(out) == 200
    return out


def _k_l_n_segments(rec: AccountRecord, counts: TrailerCounts) -> str:
    what = f"record {rec.account_ref}"
    out = []
    if (k1 := rec.original_creditor) is not None:
        out.append("K1" + _up(k1.name, 30, f"{what}: original creditor") + k1.classification)
        counts.k1 += 1
    if (k2 := rec.purchase) is not None:
        out.append("K2" + _PURCHASE_CODE[k2.indicator] + _up(k2.name, 30, f"{what}: purchased "
                                                             "from/sold to name") + " ")
        counts.k2 += 1
    if (k3 := rec.mortgage) is not None:
        out.append("K3" + _AGENCY_CODE[k3.agency] +
                   _an(k3.agency_account or "", 18, f"{what}: agency account number") +
                   _an(k3.mers_min or "", 18, f"{what}: mortgage identification number"))
        counts.k3 += 1
    if (k4 := rec.specialised_payment) is not None:
        out.append("K4" + _SPECIALISED_CODE[k4.indicator] + _mmddyyyy(k4.deferred_start) +
                   _mmddyyyy(k4.balloon_due) +
                   _dollars(k4.balloon_amount, f"{what}: balloon payment amount") + " ")
        counts.k4 += 1
    if (l1 := rec.account_change) is not None:
        new_ref, new_ident = l1.new_account_ref, l1.new_identification_number
        indicator = "3" if new_ref and new_ident else "1" if new_ref else "2"
        out.append("L1" + indicator + _an(new_ref or "", 30, f"{what}: new account number") +
                   _an(new_ident or "", 20, f"{what}: new identification number") + " ")
        counts.l1 += 1
    if (n1 := rec.subject.employer) is not None:
        out.append("".join((
            "N1", _up(n1.name, 30, f"{what}: employer name"),
            _up(n1.line1, 32, f"{what}: employer address line 1"),
            _up(n1.line2, 32, f"{what}: employer address line 2"),
            _up(n1.city, 20, f"{what}: employer city"),
            _up(n1.state, 2, f"{what}: employer state"),
            _up(n1.postal_code, 9, f"{what}: employer postal code"),
            _up(n1.occupation, 18, f"{what}: occupation"), " ")))
        counts.n1 += 1
    return "".join(out)


@dataclass
class TrailerCounts:
    records: int = 0        # AccountRecords written (what the reader yields back)
    bases: int = 0          # data records (base segments)
    statuses: dict[str, int] = field(default_factory=dict)   # base Account Status codes
    ecoa_z: int = 0
    j1: int = 0
    j2: int = 0
    n1: int = 0
    k1: int = 0
    k2: int = 0
    k3: int = 0
    k4: int = 0
    l1: int = 0
    ssn: dict[str, int] = field(default_factory=lambda: {"base": 0, "J1": 0, "J2": 0})
    dob: dict[str, int] = field(default_factory=lambda: {"base": 0, "J1": 0, "J2": 0})
    phones: int = 0

    def person(self, rec: AccountRecord, segment: str) -> None:
        self.records += 1
        self.ecoa_z += rec.ecoa is Ecoa.DELETE_CONSUMER
        self.ssn[segment] += rec.subject.national_id is not None
        self.dob[segment] += rec.subject.date_of_birth is not None
        self.phones += rec.subject.phone is not None


def _joins(base: AccountRecord, rec: AccountRecord) -> bool:
    """Whether ``rec`` can be written as a J segment of ``base`` (see the module docstring)."""
    return (rec.ecoa is not Ecoa.INDIVIDUAL and rec.subject.employer is None
            and rec.account_ref == base.account_ref and rec.as_of == base.as_of
            and replace(rec, subject=base.subject, ecoa=base.ecoa) == base)


def _groups(records: Iterable[AccountRecord]) -> Iterator[tuple[AccountRecord,
                                                                 list[tuple[AccountRecord, bool]]]]:
    """(base, [(associated, is_j2)]) per data record, in input order."""
    base: AccountRecord | None = None
    joined: list[tuple[AccountRecord, bool]] = []
    for rec in records:
        if base is not None and len(joined) < MAX_ASSOCIATED and _joins(base, rec):
            j2 = rec.subject.address != base.subject.address
            if j2 or not (joined and joined[-1][1]):
                joined.append((rec, j2))
                continue
        if base is not None:
            yield base, joined
        base, joined = rec, []
    if base is not None:
        yield base, joined


def render_records(records: Iterable[AccountRecord], ident: str,
                   counts: TrailerCounts) -> Iterator[str]:
    """Each data record in character form (RDW first), counting into ``counts``."""
    for base, joined in _groups(records):
        segment = _base_segment(base, ident)
        counts.bases += 1
        counts.person(base, "base")
        code = segment[123:125]
        counts.statuses[code] = counts.statuses.get(code, 0) + 1
        parts = [segment[4:]]
        for rec, j2 in joined:
            parts.append(_j_segment(rec, j2))
            kind = "J2" if j2 else "J1"
            counts.person(rec, kind)
            if j2:
                counts.j2 += 1
            else:
                counts.j1 += 1
        parts.append(_k_l_n_segments(base, counts))
        body = "".join(parts)
        yield f"{len(body) + 4:04d}" + body


def header_record(reporter_name: str, activity_date: date, created_on: date) -> str:
    out = "".join((
        "0426", "HEADER", "  ", " " * 10, " " * 10, " " * 5, " " * 10,
        _mmddyyyy(activity_date), _mmddyyyy(created_on), "0" * 8, "0" * 8,
        _an(reporter_name.upper(), 40, "reporter_name"), " " * 96, "0" * 10,
        _an("OPENBUREAU", 40, "vendor"), _an("0.1", 5, "version"), " " * 10, " " * 146))
    assert len(out) == BASE_LENGTH
    return out


def trailer_record(c: TrailerCounts, blocks: int) -> str:
    status = c.statuses.get

    def n(v: int) -> str:
        return _num(v, 9, "trailer count")
    ssn, dob = c.ssn, c.dob
    out = "".join((
        "0426", "TRAILER", n(c.bases), " " * 9, n(status("DF", 0)), n(c.j1), n(c.j2), n(blocks),
        n(status("DA", 0)), *(n(status(code, 0)) for code in _TRAILER_STATUS_CODES),
        n(c.ecoa_z), n(c.n1), n(c.k1), n(c.k2), n(c.k3), n(c.k4), n(c.l1),
        n(sum(ssn.values())), n(ssn["base"]), n(ssn["J1"]), n(ssn["J2"]),
        n(sum(dob.values())), n(dob["base"]), n(dob["J1"]), n(dob["J2"]), n(c.phones),
        " " * 19))
    assert len(out) == BASE_LENGTH
    return out
