"""Metro 2 character format (426): a streaming reader and a writer.

Positions follow the CRRG 426-character layout (1-based, counted from the RDW); the code
uses the 0-based slices ``start-1:end``. Both fixed-length files and variable-blocked files
(a BDW in front of each block, one or more records per block) are read; CR/LF between records
are tolerated. Packed (366) files are refused: "packed (366) format is not supported; send
character format".

Base segment -> AccountRecord dict
==================================

====================================  =================================================
Metro 2 field (position)              AccountRecord field
====================================  =================================================
Consumer Account Number (43-72)       account_ref
Portfolio Type (73) + Account Type    kind: R, C -> revolving; I, L -> installment;
(74-75)                               M -> mortgage; O -> open; account type 48 or 0C
                                      (collection agency, debt buyer) -> collection
Date Opened (76-83)                   opened_on
Credit Limit (84-92)                  credit_limit (zero -> absent)
Highest Credit (93-101)               original_amount, for installment, mortgage and
                                      collection only (zero -> absent)
Scheduled Monthly Payment (106-114)   scheduled_payment (zero -> absent)
Account Status (124-125)              status, see the table below; DA/DF -> delete_code
Payment Rating (126)                  status of a DA/DF record (see below)
Payment History Profile (127-150)     payment_history, kept exactly (trailing blanks cut)
Compliance Condition Code (153-154)   compliance_code (blank -> absent)
Current Balance (155-163)             balance
Amount Past Due (164-172)             amount_past_due
Date of Account Information (182-189) as_of
Date of First Delinquency (190-197)   date_of_first_delinquency
Date Closed (198-205)                 closed_on
First / Middle Name, Surname          subject.name = "FIRST MIDDLE SURNAME"
Social Security Number (298-306)      subject.national_id (zero- or nine-filled -> absent)
Date of Birth (307-314)               subject.date_of_birth
ECOA Code (325)                       ecoa: 1 individual, 2 joint, 3 authorized_user,
                                      5 co_maker, 7 maker, T terminated, W business,
                                      X deceased, Z delete_consumer
(none)                                currency = "USD" (Metro 2 is US-dollar only)
====================================  =================================================

Money is whole dollars in Metro 2 and minor units (cents) in the schema: the reader multiplies by
100, the writer divides by 100 and **drops the cents**. Dates are MMDDYYYY; all zeros (or blanks)
means "no date" and the field is left out. Addresses, telephone numbers, the Identification
Number, terms, special comments and every other field outside the schema are not retained.

Account Status <-> status
=========================

=================  ===========  ===========================================================
status             writer       reader also maps
=================  ===========  ===========================================================
current            11
dpd30 ... dpd180   71 78 80 82 83 84
charged_off        97           64 (paid, was a charge-off); 89, 94, 95, 96 (deed in lieu,
                                foreclosure, voluntary surrender, repossession)
collection         93           88 (claim filed with the government)
paid               13           61, 62, 63, 65 (paid after a derogatory event)
closed             05
=================  ===========  ===========================================================

A record with a ``delete_code`` is written with Account Status DA/DF and its status in the
Payment Rating (0 current, 1-6 dpd30-dpd180, G collection, L charged_off; blank for paid and
closed). The reader takes a DA/DF record's status from the Payment Rating, "closed" when blank,
so a *paid* record with a delete code reads back as *closed*. Status 93 does not make the kind
"collection" by itself: a revolving account placed for collection stays revolving (otherwise the
writer's output could not be read back as written); the account type decides the kind.

Appended segments: J1 and J2 (associated consumers) each become a RawRecord of their own: the
same account, the segment's subject (SSN, name, date of birth) and its ECOA code. K1, K2, K3,
K4 and L1 are recognised and checked for length only; their contents are not part of the schema.
N1 (employment) is recognised and deliberately **not retained**: employment is not a field of
the schema and openbureau keeps no data it does not need. A blank segment (identifier followed
by blanks, as fixed-length files carry) is skipped and not counted.

The trailer's Total Base Records, Total J1/J2 Segments and Total Status Code DA/DF are checked
against what was read; a mismatch is a LineError at the trailer's line named after the field.

The writer (``metro2_writer``) writes every record as its own base segment (an associated
consumer's record carries
its ECOA code in the base), a Header and a Trailer with the counts. Reading what it wrote gives
back equal records for whole-dollar amounts, upper-case names in "FIRST [MIDDLE] SURNAME" form,
24-character payment histories (shorter ones are padded with B, as the CRRG asks), non-zero
optional amounts, ``original_amount`` only on installment/mortgage/collection accounts, and
``monthly_income``/``consent_ref`` absent (Metro 2 has no place for them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, BinaryIO

from openbureau.adapters.fileformats import FileUnreadable, LineError, RawRecord
from openbureau.domain.records import AccountKind, AccountStatus, Ecoa

PACKED_MESSAGE = "packed (366) format is not supported; send character format"
BASE_LENGTH = 426
SEGMENT_LENGTHS = {"J1": 100, "J2": 200, "K1": 34, "K2": 34, "K3": 40, "K4": 30, "L1": 54,
                   "N1": 146}
_CHUNK = 1 << 20
_CRLF = b"\r\n"
_TRAILER_ID = b"TRAILER"
_RECORD_ENDS = (b"\n", b"\r")

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

# writer side: the inverse choices
_STATUS_CODE = {AccountStatus.CURRENT: "11", AccountStatus.DPD30: "71", AccountStatus.DPD60: "78",
                AccountStatus.DPD90: "80", AccountStatus.DPD120: "82",
                AccountStatus.DPD150: "83", AccountStatus.DPD180: "84",
                AccountStatus.CHARGED_OFF: "97", AccountStatus.COLLECTION: "93",
                AccountStatus.PAID: "13", AccountStatus.CLOSED: "05"}
_STATUS_RATING = {AccountStatus(s): r for r, s in _RATING_STATUS.items()}
_ECOA_CODE = {Ecoa(v): k for k, v in _ECOA.items()}
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


def _date(raw: str, field: str, errors: list[tuple[str, str]]) -> str | None:
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


def _amount(raw: str, field: str, errors: list[tuple[str, str]]) -> int | None:
    if raw.isdecimal():
        return int(raw) * 100
    if not raw.strip():
        return None
    errors.append((field, f"not numeric: {raw.strip()!r}"))
    return None


def _subject(surname: str, first: str, middle: str, ssn: str, dob: str, prefix: str,
             errors: list[tuple[str, str]]) -> dict[str, Any]:
    subject: dict[str, Any] = {}
    ssn = ssn.strip()
    if ssn not in _NO_SSN:
        subject["national_id"] = ssn
    name = " ".join(p for p in (first.strip(), middle.strip(), surname.strip()) if p)
    if name:
        subject["name"] = name
    born = _date(dob, prefix + "Date of Birth", errors)
    if born is not None:
        subject["date_of_birth"] = born
    return subject


def _ecoa(code: str, field: str, errors: list[tuple[str, str]]) -> str | None:
    ecoa = _ECOA.get(code)
    if ecoa is None and code.strip():
        errors.append((field, f"unknown code {code!r}"))
    return ecoa


def _parse_base(s: str, errors: list[tuple[str, str]]) -> dict[str, Any]:
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
    raw = s[306:314]
    value = cached(raw) or _date(raw, "Date of Birth", errors)
    if value:
        subject["date_of_birth"] = value
    out: dict[str, Any] = {"subject": subject, "currency": "USD"}

    ref = s[42:72].strip()
    if ref:
        out["account_ref"] = ref
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
    compliance = s[152:154]
    if compliance != "  ":
        out["compliance_code"] = compliance.strip()
    return out


class _Counts:
    __slots__ = ("base", "j1", "j2", "da", "df", "trailer_cut")

    def __init__(self) -> None:
        self.base = self.j1 = self.j2 = self.da = self.df = 0
        self.trailer_cut = False   # the file ends inside its trailer (already reported)


def _data_record(rec: bytes, line: int, counts: _Counts) -> Iterator[RawRecord | LineError]:
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
    errors: list[tuple[str, str]] = []
    base = _parse_base(s, errors)
    associated: list[dict[str, Any]] = []
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
        if sid[0] != "J" or not seg[2:].strip():
            continue  # K1-K4, L1: not in the schema; N1: employment, deliberately not kept
        if sid == "J1":
            counts.j1 += 1
        else:
            counts.j2 += 1
        subject = _subject(seg[3:28], seg[28:48], seg[48:68], seg[69:78], seg[78:86], sid + " ",
                           errors)
        person = {**base, "subject": subject}
        ecoa = _ecoa(seg[96], sid + " ECOA Code", errors)
        if ecoa is None:
            person.pop("ecoa", None)
        else:
            person["ecoa"] = ecoa
        associated.append(person)
    if errors:
        for field, message in errors:
            yield LineError(line, field, message)
        return
    yield RawRecord(line, base)
    for person in associated:
        yield RawRecord(line, person)


def _trailer(rec: bytes, line: int, counts: _Counts) -> Iterator[LineError]:
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


class _Buffer:
    """A read-ahead window over the stream: ``buf[pos:]`` is what has not been consumed."""

    __slots__ = ("stream", "buf", "pos", "eof")

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = first
        self.pos = 0
        self.eof = False

    def ensure(self, n: int) -> bool:
        """True when ``n`` bytes from ``pos`` are available (reads more when needed)."""
        while len(self.buf) - self.pos < n:
            if self.eof:
                return False
            chunk = self.stream.read(max(_CHUNK, n))
            if not chunk:
                self.eof = True
                return False
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0
        return True

    def skip_newlines(self) -> bool:
        """Skip CR/LF; False at the end of the file."""
        while self.ensure(1):
            if self.buf[self.pos] not in _CRLF:
                return True
            self.pos += 1
        return False

    def skip_line(self) -> None:
        """Move past the next LF (or to the end of the file)."""
        while True:
            i = self.buf.find(b"\n", self.pos)
            if i >= 0:
                self.pos = i + 1
                return
            self.pos = len(self.buf)
            if not self.ensure(1):
                return

    def take(self, n: int) -> bytes:
        """Up to ``n`` bytes; fewer only at the end of the file."""
        self.ensure(n)
        out = self.buf[self.pos:self.pos + n]
        self.pos += len(out)
        return out

    def next_is_record_end(self) -> bool:
        return not self.ensure(1) or self.buf[self.pos] in _CRLF


def _newline_at(unit: bytes) -> int:
    i = unit.find(b"\n")
    j = unit.find(b"\r")
    return i if j < 0 else j if i < 0 else min(i, j)


def read_metro2(stream: BinaryIO, *, batch: int = 0,
                hasher: Callable[[str], str] | None = None) -> Iterator[Any]:
    """Check the start of a Metro 2 file and return the iterator over its records.

    With ``batch`` (and ``hasher``, the keyed hash of national ids), data records are taken
    ``batch`` at a time: the clean ones come as one ``metro2_columns.Block`` of staging lines,
    the others record by record as usual (RawRecord or LineError). Items then come in file order
    within a batch, but a LineError about the file's structure may come before the batch holding
    earlier records: sort by line where the order matters.
    """
    first = stream.read(_CHUNK)
    if not first.strip():
        raise FileUnreadable("empty file")
    if len(first) >= 8 and (first[2:4] == b"\x00\x00" or first[6:8] == b"\x00\x00"):
        raise FileUnreadable(PACKED_MESSAGE)
    if first[4:10] == b"HEADER" and first[:4].isdigit():
        variable, rdw_at = False, 0
    elif first[8:14] == b"HEADER" and first[:8].isdigit():
        variable, rdw_at = True, 4
    else:
        raise FileUnreadable("not a Metro 2 character-format file: it does not start with a "
                             "HEADER record")
    length = int(first[rdw_at:rdw_at + 4])
    if length < BASE_LENGTH:
        raise FileUnreadable(f"HEADER record length {length:04d} is shorter than "
                             f"{BASE_LENGTH} bytes")
    if variable and int(first[:4]) < length + 4:
        raise FileUnreadable(f"HEADER block length {first[:4]!r} is shorter than its record")
    unit = int(first[:4]) if variable else length
    if len(first) < unit:
        raise FileUnreadable("the HEADER record is truncated")
    return _read(first, stream, variable, length, batch, hasher)


def _read(first: bytes, stream: BinaryIO, variable: bool, fixed: int, batch: int = 0,
          hasher: Callable[[str], str] | None = None) -> Iterator[Any]:
    b = _Buffer(first, stream)
    header = b.take(int(first[:4]) if variable else fixed)
    activity = header[(4 if variable else 0) + 47:][:8].decode("latin-1")
    errors: list[tuple[str, str]] = []
    if activity == "00000000" or not activity.strip():
        errors.append(("Activity Date", "is required"))
    else:
        _date(activity, "Activity Date", errors)
    for field, message in errors:
        yield LineError(1, field, message)
    counts = _Counts()
    line = 1
    trailer_seen = False
    # records sharing the header's block come first
    pending = _split_block(header, 1)[1:] if variable else []
    held: list[bytes] = []          # data records waiting for their batch
    held_lines: list[int] = []

    def flush() -> Iterator[Any]:
        if not held:
            return
        from openbureau.adapters.metro2_columns import parse_block

        assert hasher is not None
        block, rest, clean = parse_block(held, held_lines, hasher)
        counts.base += clean["base"]
        counts.j1 += clean["j1"]
        counts.da += clean["da"]
        counts.df += clean["df"]
        if block is not None:
            yield block
        for i in rest:
            yield from _data_record(held[i], held_lines[i], counts)
        held.clear()
        held_lines.clear()

    for rec in _units(b, variable, fixed, counts, pending):
        line += 1
        if isinstance(rec, bytes) and batch and not trailer_seen \
                and rec[4:11] != _TRAILER_ID and rec[4:10] != b"HEADER":
            held.append(rec)
            held_lines.append(line)
            if len(held) >= batch:
                yield from flush()
            continue
        if isinstance(rec, bytes) and rec[4:11] == _TRAILER_ID:
            yield from flush()  # the trailer is checked against the counts
        if isinstance(rec, LineError):
            line = rec.line
            yield rec
        elif trailer_seen:
            yield LineError(line, "record", "record after the TRAILER record")
        elif rec[4:11] == _TRAILER_ID:
            trailer_seen = True
            yield from _trailer(rec, line, counts)
        elif rec[4:10] == b"HEADER":
            yield LineError(line, "record", "a second HEADER record")
        else:
            yield from _data_record(rec, line, counts)
    yield from flush()
    if not trailer_seen and not counts.trailer_cut:
        yield LineError(line + 1, "TRAILER", f"missing trailer record (the file ends after "
                        f"record {line})")


def _units(b: _Buffer, variable: bool, fixed: int, counts: _Counts,
           pending: list[bytes | LineError]) -> Iterator[bytes | LineError]:
    """Each record after the header, or a LineError holding the place of one (its line is the
    record's number: the caller numbers records by counting what this yields)."""
    line = 1
    for rec in pending:
        line += 1
        yield rec if isinstance(rec, bytes) else LineError(line, rec.field, rec.message)
    # a file with CR/LF after the header is line-oriented: a bad record can be skipped to its LF
    newlines = b.ensure(1) and b.buf[b.pos] in _CRLF
    fixed_rdw = b"%04d" % fixed
    while (b.pos < len(b.buf) and b.buf[b.pos] not in _CRLF) or b.skip_newlines():
        line += 1
        bdw = 0
        if variable:
            if not b.ensure(11):
                yield LineError(line, "record", f"truncated: the file ends with "
                                f"{len(b.buf) - b.pos} bytes that are not a whole record")
                return
            word = b.buf[b.pos:b.pos + 4]
            if b.buf[b.pos + 4:b.pos + 11] != _TRAILER_ID:   # moov writes the trailer without BDW
                bdw = 4
            if not (len(word) == 4 and word.isdigit() and int(word) > bdw + 4):
                yield LineError(line, "Block Descriptor Word" if bdw else
                                "Record Descriptor Word", f"not a length word: {word!r}")
                if not newlines:
                    yield LineError(line, "record", "cannot find the next record; the rest of "
                                    "the file is not read")
                    return
                b.skip_line()
                continue
            size = int(word)
        else:
            size = fixed
        if b.pos + size < len(b.buf):   # the common case, without a call
            chunk = b.buf[b.pos:b.pos + size]
            b.pos += size
        else:
            chunk = b.take(size)
        length_word = "Block Descriptor Word" if bdw else "Record Descriptor Word"
        nl = _newline_at(chunk)
        if nl >= 0:
            b.pos -= len(chunk) - nl
            counts.base += _TRAILER_ID not in chunk[:nl]
            yield LineError(line, length_word,
                            f"record is {nl} bytes long, its length word says {size}")
            continue
        if len(chunk) < size:
            yield LineError(line, "record", f"truncated: the file ends after {len(chunk)} of "
                            f"{size} bytes")
            counts.trailer_cut = _TRAILER_ID in chunk[:15]
            return
        if newlines and b.buf[b.pos:b.pos + 1] not in _RECORD_ENDS \
                and not b.next_is_record_end():
            counts.base += _TRAILER_ID not in chunk
            yield LineError(line, length_word, f"record is longer than its length word ({size})")
            b.skip_line()
            continue
        if bdw:
            word = chunk[4:8]
            if word.isdigit() and int(word) == size - 4:   # one record per block
                yield chunk[4:]
                continue
            for i, rec in enumerate(_split_block(chunk, line)):
                line += i > 0
                yield rec
        elif variable or chunk[:4] == fixed_rdw:
            yield chunk
        else:
            counts.base += chunk[4:11] != _TRAILER_ID
            yield LineError(line, "Record Descriptor Word",
                            f"length word {chunk[:4]!r} differs from this fixed-length file's "
                            f"record length {fixed:04d}")


def _split_block(block: bytes, line: int) -> list[bytes | LineError]:
    """The records of one variable block (``block`` starts at the BDW)."""
    out: list[bytes | LineError] = []
    off = 4
    end = len(block)
    while off < end:
        word = block[off:off + 4]
        if not (word.isdigit() and int(word) >= 4 and off + int(word) <= end):
            out.append(LineError(line + len(out), "Record Descriptor Word",
                                 f"length word {word!r} at byte offset {off} of the block does "
                                 f"not fit the block length {end}"))
            break
        out.append(block[off:off + int(word)])
        off += int(word)
    return out
