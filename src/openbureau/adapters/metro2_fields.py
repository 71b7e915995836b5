"""Metro 2 record content: the fields of a data record (base + appended segments) read into the
AccountRecord JSON shape, and the trailer's counts checked. The framing (length words, blocks,
line ends) is ``metro2``'s; the field-by-field mapping is documented in ``metro2``'s docstring.

``data_record`` takes one data record in **character** form (426-byte base first, its RDW
included) and yields RawRecords (base, then one per non-blank J1/J2 segment) or, when anything
in it cannot be read, only LineErrors naming the Metro 2 field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from operator import itemgetter
from typing import Any, Protocol

from openbureau.adapters.fileformats import LineError, RawRecord
from openbureau.domain.records import AccountKind, AccountStatus, Ecoa

BASE_LENGTH = 426
SEGMENT_LENGTHS = {"J1": 100, "J2": 200, "K1": 34, "K2": 34, "K3": 40, "K4": 30, "L1": 54,
                   "N1": 146}

_PORTFOLIO_KIND = {"R": "revolving", "C": "revolving", "I": "installment", "L": "installment",
                   "M": "mortgage", "O": "open"}
_COLLECTION_TYPES = frozenset({"48", "0C"})
_AMOUNT_KINDS = frozenset({"installment", "mortgage", "collection"})
_STATUS = {"11": "current", "71": "dpd30", "78": "dpd60", "80": "dpd90", "82": "dpd120",
           "83": "dpd150", "84": "dpd180", "97": "charged_off", "64": "charged_off",
           "89": "charged_off", "94": "charged_off", "95": "charged_off", "96": "charged_off",
           "93": "collection", "88": "collection", "13": "paid", "61": "paid", "62": "paid",
           "63": "paid", "65": "paid", "05": "closed"}
_RATING_STATUS = {"0": "current", "1": "dpd30", "2": "dpd60", "3": "dpd90", "4": "dpd120",
                  "5": "dpd150", "6": "dpd180", "G": "collection", "L": "charged_off"}
_ECOA = {"1": "individual", "2": "joint", "3": "authorized_user", "5": "co_maker", "7": "maker",
         "T": "terminated", "W": "business", "X": "deceased", "Z": "delete_consumer"}
_NO_SSN = frozenset({"000000000", "999999999", ""})
_PURCHASE = {"1": "purchased_from", "2": "sold_to", "9": "remove"}
_AGENCY = {"00": None, "01": "fannie_mae", "02": "freddie_mac"}
_SPECIALISED = {"01": "balloon", "02": "deferred"}
# L1 Change Indicator: (new account number given, new identification number given)
_CHANGE = {"1": (True, False), "2": (False, True), "3": (True, True)}

# writer side: the inverse choices
_STATUS_CODE = {AccountStatus.CURRENT: "11", AccountStatus.DPD30: "71", AccountStatus.DPD60: "78",
                AccountStatus.DPD90: "80", AccountStatus.DPD120: "82",
                AccountStatus.DPD150: "83", AccountStatus.DPD180: "84",
                AccountStatus.CHARGED_OFF: "97", AccountStatus.COLLECTION: "93",
                AccountStatus.PAID: "13", AccountStatus.CLOSED: "05"}
_STATUS_RATING = {AccountStatus(s): r for r, s in _RATING_STATUS.items()}
_ECOA_CODE = {Ecoa(v): k for k, v in _ECOA.items()}
_PURCHASE_CODE = {v: k for k, v in _PURCHASE.items()}
_AGENCY_CODE = {v: k for k, v in _AGENCY.items()}
_SPECIALISED_CODE = {v: k for k, v in _SPECIALISED.items()}
# portfolio type, account type, terms duration, terms frequency. Account types are CRRG exhibit
# codes (18 credit card, 01 unsecured, 26 conventional mortgage, 07 charge account, 48 collection
# agency); the reader looks only at the portfolio type and the collection codes.
_KIND_CODES = {AccountKind.REVOLVING: ("R", "18", "REV", "M"),
               AccountKind.INSTALLMENT: ("I", "01", "000", "M"),
               AccountKind.MORTGAGE: ("M", "26", "000", "M"),
               AccountKind.OPEN: ("O", "07", "001", "P"),
               AccountKind.COLLECTION: ("O", "48", "001", "P")}
# trailer: Total Status Code fields in layout order, after DA
_TRAILER_STATUS_CODES = ("05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82",
                         "83", "84", "88", "89", "93", "94", "95", "96", "97")
# trailer counts checked against the file: (field name, slice)
_TRAILER_CHECKS = (("Total Base Records", slice(11, 20)), ("Total Status Code DF", slice(29, 38)),
                   ("Total J1 Segments", slice(38, 47)), ("Total J2 Segments", slice(47, 56)),
                   ("Total Status Code DA", slice(65, 74)))

_DATES: dict[str, str] = {}
Errors = list[tuple[str, str]]


class Counts(Protocol):
    """What ``data_record`` and ``trailer`` count (the framing's ``_Counts``)."""

    base: int
    j1: int
    j2: int
    da: int
    df: int


def _date(raw: str, field: str, errors: Errors) -> str | None:
    iso = _DATES.get(raw)
    if iso is not None:
        return iso
    if raw == "00000000" or not raw.strip():
        return None
    if not raw.isdecimal():
        errors.append((field, f"not a date (MMDDYYYY): {raw.strip()!r}"))
        return None
    try:
        iso = date(int(raw[4:8]), int(raw[0:2]), int(raw[2:4])).isoformat()
    except ValueError:
        errors.append((field, f"impossible date: {raw!r}"))
        return None
    if len(_DATES) < 50_000:
        _DATES[raw] = iso
    return iso


def _amount(raw: str, field: str, errors: Errors) -> int | None:
    if raw.isdecimal():
        return int(raw) * 100
    if not raw.strip():
        return None
    errors.append((field, f"not numeric: {raw.strip()!r}"))
    return None


def _phone(raw: str) -> str | None:
    """A telephone field: zero-filled or blank = none; right-justified, so leading zeros go."""
    raw = raw.strip()
    if raw.isdecimal():
        return raw.lstrip("0") or None
    return raw or None


def _put(out: dict[str, Any], key: str, raw: str) -> None:
    value = raw.strip()
    if value:
        out[key] = value


# the address fields of the base segment (from 0-based 327) and of a J2 segment (from 99), in
# the order of the layout, under their AccountRecord names
_ADDRESS_KEYS = ("country", "line1", "line2", "city", "state", "postal_code", "indicator",
                 "residence")
_ADDRESS_SPANS = ((0, 2), (2, 34), (34, 66), (66, 86), (86, 88), (88, 97), (97, 98), (98, 99))
_BLANK_ADDRESS = " " * 99
_BASE_ADDRESS = itemgetter(*(slice(327 + a, 327 + b) for a, b in _ADDRESS_SPANS))
_J2_ADDRESS = itemgetter(*(slice(99 + a, 99 + b) for a, b in _ADDRESS_SPANS))


def _address(fields: tuple[str, ...]) -> dict[str, str] | None:
    return {k: v for k, v in zip(_ADDRESS_KEYS, map(str.strip, fields), strict=True) if v} \
        or None


def _ecoa(code: str, field: str, errors: Errors) -> str | None:
    ecoa = _ECOA.get(code)
    if ecoa is None and code.strip():
        errors.append((field, f"unknown code {code!r}"))
    return ecoa


def _person(seg: str, prefix: str, errors: Errors) -> dict[str, Any]:
    """The subject of a J1/J2 segment (positions are the same in both)."""
    subject: dict[str, Any] = {}
    ssn = seg[69:78].strip()
    if ssn not in _NO_SSN:
        subject["national_id"] = ssn
    surname, first, middle = seg[3:28].strip(), seg[28:48].strip(), seg[48:68].strip()
    name = " ".join(p for p in (first, middle, surname) if p)
    if name:
        subject["name"] = name
    _put(subject, "surname", surname)
    _put(subject, "first_name", first)
    _put(subject, "middle_name", middle)
    _put(subject, "generation_code", seg[68])
    born = _date(seg[78:86], prefix + "Date of Birth", errors)
    if born is not None:
        subject["date_of_birth"] = born
    phone = _phone(seg[86:96])
    if phone is not None:
        subject["phone"] = phone
    return subject


def parse_base(s: str, errors: Errors) -> dict[str, Any]:
    """The AccountRecord dict of one base segment (``s`` starts at the RDW).

    Unrolled on purpose: this runs a million times per large file.
    """
    cached = _DATES.get
    subject: dict[str, Any] = {}
    ssn = s[297:306]
    if ssn not in _NO_SSN and ssn.strip() not in _NO_SSN:
        subject["national_id"] = ssn.strip()
    first, middle, surname = s[256:276].strip(), s[276:296].strip(), s[231:256].strip()
    if first and surname and not middle:
        subject["name"] = f"{first} {surname}"
    elif first or middle or surname:
        subject["name"] = " ".join(p for p in (first, middle, surname) if p)
    if surname:
        subject["surname"] = surname
    if first:
        subject["first_name"] = first
    if middle:
        subject["middle_name"] = middle
    if s[296] != " ":
        subject["generation_code"] = s[296]
    raw = s[306:314]
    value = cached(raw) or _date(raw, "Date of Birth", errors)
    if value:
        subject["date_of_birth"] = value
    raw = s[314:324]
    if raw.isdecimal():
        if raw != "0000000000":
            subject["phone"] = raw.lstrip("0")
    elif raw != "          ":
        subject["phone"] = raw.strip()
    if s[327:426] != _BLANK_ADDRESS and (address := _address(_BASE_ADDRESS(s))):
        subject["address"] = address
    out: dict[str, Any] = {"subject": subject, "currency": "USD"}

    ref = s[42:72].strip()
    if ref:
        out["account_ref"] = ref
    ident = s[20:40].strip()
    if ident:
        out["identification_number"] = ident
    if s[73:75] in _COLLECTION_TYPES:
        kind: str | None = "collection"
    else:
        kind = _PORTFOLIO_KIND.get(s[72])
        if kind is None and s[72] != " ":
            errors.append(("Portfolio Type", f"unknown code {s[72]!r}"))
    if kind is not None:
        out["kind"] = kind
    code = s[123:125]
    status = _STATUS.get(code)
    if status is not None:
        out["status"] = status
    elif code == "DA" or code == "DF":
        out["delete_code"] = code
        out["status"] = _RATING_STATUS.get(s[125], "closed")
    elif code.strip():
        errors.append(("Account Status", f"unknown code {code!r}"))
    ecoa = _ECOA.get(s[324])
    if ecoa is not None:
        out["ecoa"] = ecoa
    elif s[324] != " ":
        errors.append(("ECOA Code", f"unknown code {s[324]!r}"))

    raw = s[75:83]
    value = cached(raw) or _date(raw, "Date Opened", errors)
    if value:
        out["opened_on"] = value
    raw = s[181:189]
    value = cached(raw) or _date(raw, "Date of Account Information", errors)
    if value:
        out["as_of"] = value
    raw = s[189:197]
    if raw != "00000000":
        value = cached(raw) or _date(raw, "Date of First Delinquency", errors)
        if value:
            out["date_of_first_delinquency"] = value
    raw = s[197:205]
    if raw != "00000000":
        value = cached(raw) or _date(raw, "Date Closed", errors)
        if value:
            out["closed_on"] = value

    raw = s[154:163]
    amount = int(raw) * 100 if raw.isdecimal() else _amount(raw, "Current Balance", errors)
    if amount is not None:
        out["balance"] = amount
    raw = s[163:172]
    amount = int(raw) * 100 if raw.isdecimal() else _amount(raw, "Amount Past Due", errors)
    if amount is not None:
        out["amount_past_due"] = amount
    raw = s[83:92]
    if raw != "000000000":
        amount = int(raw) * 100 if raw.isdecimal() else _amount(raw, "Credit Limit", errors)
        if amount:
            out["credit_limit"] = amount
    raw = s[105:114]
    if raw != "000000000":
        amount = int(raw) * 100 if raw.isdecimal() else _amount(
            raw, "Scheduled Monthly Payment Amount", errors)
        if amount:
            out["scheduled_payment"] = amount
    raw = s[92:101]
    if raw != "000000000":
        amount = int(raw) * 100 if raw.isdecimal() else _amount(raw, "Highest Credit", errors)
        if amount and kind in _AMOUNT_KINDS:
            out["original_amount"] = amount

    history = s[126:150].rstrip(" ")
    if history:
        out["payment_history"] = history
    comment = s[150:152]
    if comment != "  ":
        out["special_comment"] = comment.strip()
    compliance = s[152:154]
    if compliance != "  ":
        out["compliance_code"] = compliance.strip()
    return out


# RawRecord.metro2: name -> 0-based slice of the base segment, stripped when read
_EXTRA_SLICES = {
    "portfolio_type": (72, 73), "account_type": (73, 75), "terms_duration": (101, 104),
    "terms_frequency": (104, 105), "scheduled_payment": (105, 114),
    "actual_payment": (114, 123), "highest_credit": (92, 101), "credit_limit": (83, 92),
    "original_charge_off": (172, 181), "current_balance": (154, 163),
    "amount_past_due": (163, 172), "account_status": (123, 125), "payment_rating": (125, 126),
    "payment_history": (126, 150), "special_comment": (150, 152),
    "compliance_code": (152, 154), "date_opened": (75, 83),
    "date_of_account_information": (181, 189), "date_of_first_delinquency": (189, 197),
    "date_closed": (197, 205), "date_of_last_payment": (205, 213), "interest_type": (213, 214),
    "ecoa_code": (324, 325), "consumer_information_indicator": (325, 327),
    "correction_indicator": (19, 20), "date_of_birth": (306, 314),
}
_EXTRA_KEYS = tuple(_EXTRA_SLICES)
_EXTRAS = itemgetter(*(slice(a, b) for a, b in _EXTRA_SLICES.values()))


class Metro2Codes(Mapping[str, str]):
    """``RawRecord.metro2``: the raw base codes the data-quality rules look at, stripped.

    A read-only mapping, built on first access (most records never need it: the bulk path and
    records without quality rules leave it untouched); ``dict(codes)`` gives a plain dict.
    """

    __slots__ = ("_s", "_activity", "_seg", "_d")

    def __init__(self, s: str, activity: str, seg: str | None = None) -> None:
        self._s = s                 # the base segment (the record from its RDW)
        self._activity = activity   # the Header's Activity Date
        self._seg = seg             # the J1/J2 segment of an associated consumer's record
        self._d: dict[str, str] | None = None

    def _dict(self) -> dict[str, str]:
        d = self._d
        if d is None:
            s, seg = self._s, self._seg
            d = dict(zip(_EXTRA_KEYS, map(str.strip, _EXTRAS(s)), strict=True))
            d["ssn_given"] = "0" if s[297:306].strip() in _NO_SSN else "1"
            d["segment"] = "base"
            d["activity_date"] = self._activity
            if seg is not None:
                d.update(segment=seg[:2], ecoa_code=seg[96].strip(),
                         consumer_information_indicator=seg[97:99].strip(),
                         ssn_given="0" if seg[69:78].strip() in _NO_SSN else "1",
                         date_of_birth=seg[78:86].strip())
            self._d = d
        return d

    def __getitem__(self, key: str) -> str:
        return self._dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __repr__(self) -> str:
        return f"Metro2Codes({self._dict()!r})"


def _k_l_n(sid: str, seg: str, base: dict[str, Any], errors: Errors) -> None:
    """Put a K1-K4, L1 or N1 segment's content into ``base`` (the base record's dict)."""
    if sid == "K1":
        base["original_creditor"] = {"name": seg[2:32].strip(),
                                     "classification": seg[32:34].strip()}
    elif sid == "K2":
        indicator = _PURCHASE.get(seg[2])
        if indicator is None:
            errors.append(("K2 Purchased Indicator", f"unknown code {seg[2]!r}"))
            return
        base["purchase"] = {"indicator": indicator}
        _put(base["purchase"], "name", seg[3:33])
    elif sid == "K3":
        mortgage: dict[str, Any] = {}
        if seg[2:4] in _AGENCY:
            mortgage["agency"] = _AGENCY[seg[2:4]]
        elif seg[2:4].strip():
            errors.append(("K3 Agency Identifier", f"unknown code {seg[2:4]!r}"))
        _put(mortgage, "agency_account", seg[4:22])
        _put(mortgage, "mers_min", seg[22:40])
        if any(v is not None for v in mortgage.values()):
            base["mortgage"] = mortgage
    elif sid == "K4":
        kind = _SPECIALISED.get(seg[2:4])
        if kind is None:
            errors.append(("K4 Specialized Payment Indicator", f"unknown code {seg[2:4]!r}"))
            return
        payment: dict[str, Any] = {"indicator": kind}
        start = _date(seg[4:12], "K4 Deferred Payment Start Date", errors)
        due = _date(seg[12:20], "K4 Balloon Payment Due Date", errors)
        amount = _amount(seg[20:29], "K4 Balloon Payment Amount", errors)
        if start:
            payment["deferred_start"] = start
        if due:
            payment["balloon_due"] = due
        if amount:
            payment["balloon_amount"] = amount
        base["specialised_payment"] = payment
    elif sid == "L1":
        which = _CHANGE.get(seg[2])
        if which is None:
            errors.append(("L1 Change Indicator", f"unknown code {seg[2]!r}"))
            return
        change: dict[str, Any] = {}
        if which[0]:
            _put(change, "new_account_ref", seg[3:33])
            if "new_account_ref" not in change:
                errors.append(("L1 New Consumer Account Number",
                               f"is required when the Change Indicator is {seg[2]}"))
        if which[1]:
            _put(change, "new_identification_number", seg[33:53])
            if "new_identification_number" not in change:
                errors.append(("L1 New Identification Number",
                               f"is required when the Change Indicator is {seg[2]}"))
        base["account_change"] = change
    else:   # N1: the base consumer's employer
        employer: dict[str, Any] = {}
        for key, raw in (("name", seg[2:32]), ("line1", seg[32:64]), ("line2", seg[64:96]),
                         ("city", seg[96:116]), ("state", seg[116:118]),
                         ("postal_code", seg[118:127]), ("occupation", seg[127:145])):
            _put(employer, key, raw)
        base["subject"]["employer"] = employer


def data_record(rec: bytes, line: int, counts: Counts,
                activity: str = "") -> Iterator[RawRecord | LineError]:
    """The records of one data record (see the module docstring); ``activity`` is the header's
    Activity Date as read (MMDDYYYY), passed on in ``RawRecord.metro2``."""
    s = rec.decode("latin-1")
    n = len(s)
    counts.base += 1
    if n < BASE_LENGTH:
        yield LineError(line, "Record Descriptor Word",
                        f"data record is {n} bytes, shorter than the {BASE_LENGTH}-byte base "
                        "segment")
        return
    code = s[123:125]
    if code == "DA":
        counts.da += 1
    elif code == "DF":
        counts.df += 1
    errors: Errors = []
    base = parse_base(s, errors)
    if n == BASE_LENGTH:    # no appended segment: most records
        if errors:
            for field, message in errors:
                yield LineError(line, field, message)
        else:
            yield RawRecord(line, base, Metro2Codes(s, activity))
        return
    associated: list[tuple[str, str]] = []
    seen: set[str] = set()
    off = BASE_LENGTH
    while off < n:
        sid = s[off:off + 2]
        length = SEGMENT_LENGTHS.get(sid)
        if length is None:
            if s[off:].strip():
                errors.append(("segment", f"unknown segment identifier {sid!r} at byte offset "
                                          f"{off}"))
            break
        if off + length > n:
            errors.append(("segment", f"{sid} segment at byte offset {off} is truncated: "
                                      f"{n - off} of {length} bytes"))
            break
        seg = s[off:off + length]
        off += length
        if not seg[2:].strip():
            continue    # a blank segment, as fixed-length files carry
        if sid[0] == "J":
            associated.append((sid, seg))
            continue
        if sid in seen:
            errors.append(("segment", f"a second {sid} segment at byte offset {off - length}"))
            continue
        seen.add(sid)
        _k_l_n(sid, seg, base, errors)
    people: list[tuple[dict[str, Any], str]] = []
    for sid, seg in associated:
        if sid == "J1":
            counts.j1 += 1
        else:
            counts.j2 += 1
        subject = _person(seg, sid + " ", errors)
        if sid == "J1":
            if "address" in base["subject"]:
                subject["address"] = base["subject"]["address"]
        else:
            address = _address(_J2_ADDRESS(seg))
            if address is not None:
                subject["address"] = address
        person = {**base, "subject": subject}
        ecoa = _ecoa(seg[96], sid + " ECOA Code", errors)
        if ecoa is None:
            person.pop("ecoa", None)
        else:
            person["ecoa"] = ecoa
        people.append((person, seg))
    if errors:
        for field, message in errors:
            yield LineError(line, field, message)
        return
    yield RawRecord(line, base, Metro2Codes(s, activity))
    for person, seg in people:
        yield RawRecord(line, person, Metro2Codes(s, activity, seg))


def trailer(rec: bytes, line: int, counts: Counts) -> Iterator[LineError]:
    """The trailer's counts that the reader checks against what it read."""
    s = rec.decode("latin-1")
    actual = {"Total Base Records": counts.base, "Total Status Code DF": counts.df,
              "Total J1 Segments": counts.j1, "Total J2 Segments": counts.j2,
              "Total Status Code DA": counts.da}
    for field, sl in _TRAILER_CHECKS:
        raw = s[sl]
        if raw.strip() and not raw.isdecimal():
            yield LineError(line, field, f"not numeric: {raw.strip()!r}")
            continue
        said = int(raw) if raw.strip() else 0
        if said != actual[field]:
            yield LineError(line, field, f"trailer says {said}, the file has {actual[field]}")
