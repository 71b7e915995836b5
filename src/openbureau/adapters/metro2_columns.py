"""Metro 2 base segments read and validated column-wise, for the bulk furnishing path.

``parse_block`` takes the data records of a stretch of a Metro 2 file and looks at all their base
segments at once as a NumPy byte matrix (one row per record, one column per byte). A record is
*clean* when every field the reader and ``parse_account_record`` look at is in its plain form:
digits where digits belong, valid dates, known codes, a reference and a payment history that
match their patterns, and the cross-field rules (opened before as-of, no amount past due on a
current account, a date of first delinquency on a derogatory one, ...) hold. A clean record is
turned straight into the staging line the bulk store copies into PostgreSQL; it gives the very
same stored values as the record-by-record path (``metro2._parse_base`` + ``parse_account_record``)
and ``tests/unit/test_metro2_columns.py`` checks that on generated and mutated records.

Anything else -- a field in doubt, a segment other than one J1, a byte outside printable ASCII --
is left to the record-by-record path, which alone words the errors (field and message per line).
The column checks only ever *narrow* what counts as clean: a record they send back is still read
exactly; they never accept what the record-by-record path would refuse.

The staging line is PostgreSQL ``COPY`` text, columns as in ``STAGE_COLUMNS``. A J1 segment
(associated consumer) becomes a row of its own: the base segment with the segment's name,
generation code, SSN, date of birth, phone and ECOA code (living at the base's address).

The identity of each row (name and its parts, generation code, SSN, date of birth, phone,
address) does not go into the staging line: ``Block.subject(i)`` gives it as the record path's
``SubjectIdentity``, for the subject look-up and the identity observations. A record is clean only
if those fields too are in plain form (printable ASCII, known codes, digits where digits belong).
A record on which a data-quality rule may fire (``metro2_quality_columns.flags``) is left to the
record path too, where the rules are counted one by one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import numpy as np

from openbureau.domain.bounds import EARLIEST, LATEST

BASE = 426
J1_LENGTH = 100

# the staging table's columns, in line order (the bulk store creates the table from this)
STAGE_COLUMNS = (
    ("seq", "bigint"), ("hm", "text"), ("account_ref", "text"), ("month", "date"),
    ("kind", "text"), ("ecoa", "text"), ("currency", "text"), ("opened_on", "date"),
    ("closed_on", "date"), ("credit_limit", "bigint"), ("original_amount", "bigint"),
    ("scheduled_payment", "bigint"), ("balance", "bigint"), ("amount_past_due", "bigint"),
    ("status", "text"), ("dofd", "date"), ("monthly_income", "bigint"), ("consent_ref", "text"),
    ("compliance_code", "text"), ("delete_code", "text"), ("payment_history", "text"),
    ("item_ref", "text"), ("special_comment", "text"), ("identification_number", "text"),
    # the account's segments (K1-K4); a clean record has none, the record path renders them
    ("original_creditor", "text"), ("creditor_classification", "text"),
    ("purchase_indicator", "text"), ("purchase_name", "text"), ("mortgage", "text"),
    ("specialised_payment", "text"),
)
_SEGMENT_COLUMNS = 6        # the last columns, NULL on every clean row

# offsets within the identity slice [231:426) of a base row (see ``Block.subject``)
_ID_AT = 231

_DIGIT0, _DIGIT9, _SPACE = 48, 57, 32
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _code_table(mapping: dict[str, str], width: int) -> Any:
    known = np.zeros(256 ** width, dtype=bool)
    values = sorted(set(mapping.values()))
    index = np.zeros(256 ** width, dtype=np.int32)
    for code, v in mapping.items():
        k = int.from_bytes(code.encode("latin-1"), "big")
        known[k] = True
        index[k] = values.index(v)
    longest = max(len(v) for v in values)
    text = np.full((len(values), longest), _SPACE, dtype=np.uint8)
    length = np.array([len(v) for v in values], dtype=np.int32)
    for i, v in enumerate(values):
        text[i, :len(v)] = np.frombuffer(v.encode(), dtype=np.uint8)
    return known, index, text, length


@dataclass
class Block:
    """The clean records of a stretch of file, rendered as staging lines.

    ``lines[i]`` is the COPY line of row ``i`` (without its trailing newline), ``positions[i]``
    its file line, ``seqs[i]`` its order in the file (``line * 16`` for a base segment, ``+ 1``
    for its J1). ``hmacs[i]`` is the keyed hash of its national id; ``identity(i)`` gives the
    national id, name and date of birth, ``subject(i)`` the whole SubjectIdentity and
    ``as_of(i)`` the month-end the row is stored under.
    """

    lines: list[bytes]
    positions: list[int]
    seqs: list[int]
    hmacs: list[str]
    _people: np.ndarray         # bytes [231:426) of each row
    _dobs: np.ndarray
    _months: np.ndarray         # as-of month-ends as yyyymmdd

    def __len__(self) -> int:
        return len(self.lines)

    def identity(self, i: int) -> tuple[str, str, date | None]:
        """(national id, name, date of birth) of row ``i``."""
        who = self.subject(i)
        return who.national_id, who.name, who.date_of_birth

    def identity_keys(self) -> list[bytes]:
        """Per row, the bytes its identity is read from (date of birth included): rows with the
        same key have the same ``subject``."""
        people = np.ascontiguousarray(self._people)
        return cast(list[bytes],
                    people.view(np.dtype((np.void, people.shape[1]))).ravel().tolist())

    def month_numbers(self) -> list[int]:
        """Per row, the as-of month-end as yyyymmdd."""
        return cast(list[int], self._months.tolist())

    def as_of(self, i: int) -> date:
        d = int(self._months[i])
        return date(d // 10000, d // 100 % 100, d % 100)

    def subject(self, i: int) -> Any:
        """Row ``i``'s SubjectIdentity, as the record path reads it."""
        from openbureau.domain.record_parts import Address
        from openbureau.domain.records import SubjectIdentity

        text = self._people[i].tobytes().decode("latin-1")

        def f(a: int, b: int) -> str | None:
            return text[a - _ID_AT:b - _ID_AT].strip() or None

        surname, first, middle = f(231, 256), f(256, 276), f(276, 296)
        name = " ".join(p for p in (first, middle, surname) if p)
        d = int(self._dobs[i])
        born = None if d == 0 else date(d // 10000, d // 100 % 100, d % 100)
        phone = (f(314, 324) or "").lstrip("0") or None     # right-justified digits
        parts = (f(329, 361), f(361, 393), f(393, 413), f(413, 415), f(415, 424), f(327, 329),
                 f(424, 425), f(425, 426))
        address = Address(*parts) if any(p is not None for p in parts) else None
        return SubjectIdentity(f(297, 306), name, born, surname, first, middle, f(296, 297),
                               phone, address, None)


def _dates(m: np.ndarray, at: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MMDDYYYY at ``at``: (all zeros, a valid date, yyyymmdd as an int)."""
    d = m[:, at:at + 8]
    digits = ((d >= _DIGIT0) & (d <= _DIGIT9)).all(axis=1)
    v = d.astype(np.int32) - _DIGIT0
    month = v[:, 0] * 10 + v[:, 1]
    day = v[:, 2] * 10 + v[:, 3]
    year = v[:, 4] * 1000 + v[:, 5] * 100 + v[:, 6] * 10 + v[:, 7]
    zero = (d == _DIGIT0).all(axis=1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = _DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    # the record schema's bounds (domain/bounds.py: 1900-01-01 to 2100-12-31)
    valid = (digits & (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays)
             & (year >= EARLIEST.year) & (year <= LATEST.year))
    return zero, valid, np.where(valid, year * 10000 + month * 100 + day, 0)


def _digits(m: np.ndarray, at: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(all ASCII digits, all zeros) of a numeric field."""
    d = m[:, at:at + width]
    return np.all((d >= _DIGIT0) & (d <= _DIGIT9), axis=1), np.all(d == _DIGIT0, axis=1)


def _left_packed(field: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text field of allowed bytes followed only by blanks: (ok, blank, mask of kept bytes)."""
    space = field == _SPACE
    ok = (allowed[field] | space).all(axis=1) & (np.logical_or.accumulate(space, axis=1)
                                                 == space).all(axis=1)
    return ok, ~space


def _bytes_set(chars: str) -> np.ndarray:
    out = np.zeros(256, dtype=bool)
    out[list(chars.encode())] = True
    return out


_REF_BYTES = _bytes_set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-")
_HISTORY_BYTES = _bytes_set("0123456789BDEGHJKL".replace("789", ""))
_ZIP_BYTES = _bytes_set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x20:0x7F] = True


class _Out:
    """A fixed-width output matrix and the mask of the bytes kept: lines of variable length."""

    def __init__(self, n: int, width: int) -> None:
        self.buf = np.full((n, width), _SPACE, dtype=np.uint8)
        self.keep = np.zeros((n, width), dtype=bool)
        self.at = 0

    def put(self, values: np.ndarray, keep: np.ndarray | None = None,
            null: np.ndarray | None = None) -> None:
        """Append a field (n x w bytes) and a tab; ``null`` rows get ``\\N``."""
        w = values.shape[1]
        sl = slice(self.at, self.at + w)
        self.buf[:, sl] = values
        self.keep[:, sl] = True if keep is None else keep
        if null is not None and null.any():
            self.buf[null, self.at] = ord("\\")
            self.buf[null, self.at + 1] = ord("N")
            self.keep[null, sl] = False
            self.keep[null, self.at:self.at + 2] = True
        self.buf[:, self.at + w] = 9     # tab
        self.keep[:, self.at + w] = True
        self.at += w + 1

    def put_const(self, text: bytes) -> None:
        n = self.buf.shape[0]
        self.put(np.broadcast_to(np.frombuffer(text, dtype=np.uint8), (n, len(text))))

    def lines(self) -> list[bytes]:
        self.keep[:, self.at - 1] = False    # no tab after the last field
        blob = self.buf[self.keep].tobytes()
        ends = np.cumsum(self.keep.sum(axis=1)).tolist()
        return [blob[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _int_text(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints as zero-padded ASCII digits (n x width bytes)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values.astype(np.int64)[:, None] // powers) % 10 + _DIGIT0).astype(np.uint8)


def _iso(ymd: np.ndarray) -> np.ndarray:
    """yyyymmdd ints as YYYY-MM-DD bytes."""
    d = _int_text(ymd, 8)
    out = np.empty((len(ymd), 10), dtype=np.uint8)
    out[:, 0:4] = d[:, 0:4]
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 5:7] = d[:, 4:6]
    out[:, 8:10] = d[:, 6:8]
    return out


def _money(m: np.ndarray, at: int) -> np.ndarray:
    """A 9-digit whole-dollar field as cents (the digits and two zeros)."""
    out = np.empty((m.shape[0], 11), dtype=np.uint8)
    out[:, :9] = m[:, at:at + 9]
    out[:, 9:] = _DIGIT0
    return out


def _lookup(m: np.ndarray, at: int, width: int, table: Any) -> tuple[np.ndarray, np.ndarray,
                                                                      np.ndarray]:
    """(known code, text bytes, kept mask) of a code field through a ``_code_table``."""
    known, index, text, length = table
    key = m[:, at].astype(np.int64)
    for k in range(1, width):
        key = key * 256 + m[:, at + k]
    ok = known[key]
    idx = index[key]
    keep = np.arange(text.shape[1])[None, :] < length[idx][:, None]
    return ok, text[idx], keep


def _tables() -> dict[str, Any]:
    from openbureau.adapters import metro2 as m2

    return {
        "portfolio": _code_table(m2._PORTFOLIO_KIND, 1),
        "status": _code_table(m2._STATUS, 2),
        "rating": _code_table({**m2._RATING_STATUS, " ": "closed"}, 1),
        "ecoa": _code_table(m2._ECOA, 1),
        "collection": _code_table({c: "collection" for c in m2._COLLECTION_TYPES}, 2),
        "compliance": _code_table({c: c for c in _compliance_codes()}, 2),
        "derogatory": sorted(_derogatory()),
        "generation": _bytes_set("JS23456789"),
        "indicator": _bytes_set(_address_codes()[0]),
        "residence": _bytes_set(_address_codes()[1]),
        # a one-character code either way round: the record path strips the field
        "comment": _code_table({k: c for c in _special_comments()
                                for k in {c.ljust(2), c.rjust(2)}}, 2),
    }


def _address_codes() -> tuple[str, str]:
    from openbureau.domain.record_parts import ADDRESS_INDICATORS, RESIDENCE_CODES
    return "".join(sorted(ADDRESS_INDICATORS)), "".join(sorted(RESIDENCE_CODES))


def _special_comments() -> frozenset[str]:
    from openbureau.domain.code_lists import special_comment_codes
    return special_comment_codes()


def _compliance_codes() -> frozenset[str]:
    from openbureau.domain.records import COMPLIANCE_CODES
    return COMPLIANCE_CODES


_TABLES: dict[str, Any] = {}


def _quality_flags() -> Callable[..., np.ndarray] | None:
    try:
        from openbureau.adapters.metro2_quality_columns import flags
    except ImportError:       # pragma: no cover - the rules are part of the package
        return None
    return flags


_QUALITY = _quality_flags()


def parse_block(records: list[bytes], lines: list[int], hasher: Callable[[str], str],
                activity: date | str | bytes | None = None, today: date | None = None
                ) -> tuple[Block | None, list[int], dict[str, int]]:
    """The clean records among ``records`` (each from its RDW) as a Block; the indexes of the
    others (to be read record by record); and the trailer counts of the clean ones (base, j1,
    da, df). ``activity`` (the header's Activity Date) and ``today`` are what the data-quality
    rules measure "the future" from (``metro2_quality_columns.flags``)."""
    if not _TABLES:
        _TABLES.update(_tables())
    n = len(records)
    lengths = np.fromiter((len(r) for r in records), dtype=np.int64, count=n)
    has_j1 = np.fromiter((len(r) == BASE + J1_LENGTH and r[BASE:BASE + 2] == b"J1"
                          for r in records), dtype=bool, count=n)
    eligible = (lengths == BASE) | has_j1
    base_idx = np.flatnonzero(eligible)
    if not len(base_idx):
        return None, list(range(n)), {"base": 0, "j1": 0, "da": 0, "df": 0}
    m = np.frombuffer(b"".join(records[i][:BASE] for i in base_idx.tolist()),
                      dtype=np.uint8).reshape(-1, BASE)
    j1_of = np.flatnonzero(has_j1[base_idx])        # base rows that carry a J1
    if len(j1_of):
        seg = np.frombuffer(b"".join(records[i][BASE:] for i in base_idx[j1_of].tolist()),
                            dtype=np.uint8).reshape(-1, J1_LENGTH)
        j = m[j1_of].copy()
        j[:, 231:256] = seg[:, 3:28]      # surname
        j[:, 256:276] = seg[:, 28:48]     # first name
        j[:, 276:296] = seg[:, 48:68]     # middle name
        j[:, 296] = seg[:, 68]            # generation code
        j[:, 297:306] = seg[:, 69:78]     # SSN
        j[:, 306:314] = seg[:, 78:86]     # date of birth
        j[:, 314:324] = seg[:, 86:96]     # phone
        j[:, 324] = seg[:, 96]            # ECOA code
        j[:, 325:327] = seg[:, 97:99]     # consumer information indicator
        m = np.concatenate([m, j])
    owner = np.concatenate([np.arange(len(base_idx)), j1_of])   # base row of each row
    ok = _clean(m)
    if _QUALITY is not None:      # where a data-quality rule may fire: the record path
        ok &= ~_QUALITY(m, activity, today)
    # a record is taken here only if its base and its J1 are both clean
    line_ok = np.ones(len(base_idx), dtype=bool)
    np.logical_and.at(line_ok, owner, ok)
    rows = np.flatnonzero(line_ok[owner])
    rest = sorted(set(range(n)) - set(base_idx[line_ok].tolist()))
    clean_bases = base_idx[line_ok]
    code = m[:len(base_idx)][line_ok][:, 123:125]
    counts = {"base": int(len(clean_bases)), "j1": int(has_j1[clean_bases].sum()),
              "da": int(((code[:, 0] == ord("D")) & (code[:, 1] == ord("A"))).sum()),
              "df": int(((code[:, 0] == ord("D")) & (code[:, 1] == ord("F"))).sum())}
    if not len(rows):
        return None, rest, counts
    # J1 rows after their base: order rows by (base row, J1 or not)
    is_j1 = np.arange(len(m)) >= len(base_idx)
    rows = rows[np.lexsort((is_j1[rows], owner[rows]))]
    m = m[rows]
    line_no = np.asarray(lines, dtype=np.int64)[base_idx[owner[rows]]]
    seq = line_no * 16 + is_j1[rows]
    block = _render(m, line_no, seq, hasher)
    return block, rest, counts


def _clean(m: np.ndarray) -> np.ndarray:
    """Rows whose every field is in its plain, valid form (see the module docstring)."""
    t = _TABLES
    # names, SSN, dates, phone, ECOA, address; the identification number: printable ASCII,
    # and no backslash (COPY's escape character, which only the record-by-record path escapes)
    ok: np.ndarray = (_PRINTABLE[m[:, 231:426]].all(axis=1)
                      & _PRINTABLE[m[:, 20:40]].all(axis=1))
    ok &= (m[:, 20:40] != ord("\\")).all(axis=1)
    gen = m[:, 296]
    ok &= (gen == _SPACE) | t["generation"][gen]
    # a phone: blank, zero-filled (none), or digits keeping 7 or more once the leading zeros
    # of its right-justified form go (the schema's shortest phone)
    phone = m[:, 314:324]
    ok &= (((phone >= _DIGIT0) & (phone <= _DIGIT9)).all(axis=1)
           & ((phone[:, :4] != _DIGIT0).any(axis=1) | (phone == _DIGIT0).all(axis=1))) \
        | (phone == _SPACE).all(axis=1)
    country = m[:, 327:329]
    ok &= ((country >= ord("A")) & (country <= ord("Z"))).all(axis=1) \
        | (country == _SPACE).all(axis=1)
    zip_ok, _ = _left_packed(m[:, 415:424], _ZIP_BYTES)
    ok &= (zip_ok & (m[:, 415] != ord("-"))) | (m[:, 415:424] == _SPACE).all(axis=1)
    ok &= (m[:, 424] == _SPACE) | t["indicator"][m[:, 424]]
    ok &= (m[:, 425] == _SPACE) | t["residence"][m[:, 425]]
    comment, _, _ = _lookup(m, 150, 2, t["comment"])
    ok &= comment | ((m[:, 150] == _SPACE) & (m[:, 151] == _SPACE))
    ssn = m[:, 297:306]
    ssn_digits = ((ssn >= _DIGIT0) & (ssn <= _DIGIT9)).all(axis=1)
    ok &= ssn_digits & ~(ssn == _DIGIT0).all(axis=1) & ~(ssn == _DIGIT9).all(axis=1)
    names = m[:, 231:296]
    ok &= (names != _SPACE).any(axis=1)
    lower = names | 0x20            # A-Z and a-z to a-z; no other printable byte lands there
    ok &= ((lower >= ord("a")) & (lower <= ord("z"))).any(axis=1)     # a name has a letter
    zero, valid, _ = _dates(m, 306)                 # date of birth
    ok &= zero | valid
    ref_ok, _ = _left_packed(m[:, 42:72], _REF_BYTES)
    ok &= ref_ok & (m[:, 42] != _SPACE)
    coll, _, _ = _lookup(m, 73, 2, t["collection"])
    port, _, _ = _lookup(m, 72, 1, t["portfolio"])
    ok &= coll | port
    st_known, _, _ = _lookup(m, 123, 2, t["status"])
    deleting = (m[:, 123] == ord("D")) & ((m[:, 124] == ord("A")) | (m[:, 124] == ord("F")))
    ok &= st_known | deleting
    ecoa, _, _ = _lookup(m, 324, 1, t["ecoa"])
    ok &= ecoa
    opened_zero, opened_ok, opened = _dates(m, 75)
    asof_zero, asof_ok, as_of = _dates(m, 181)
    dofd_zero, dofd_ok, dofd = _dates(m, 189)
    closed_zero, closed_ok, closed = _dates(m, 197)
    ok &= opened_ok & asof_ok & (dofd_zero | dofd_ok) & (closed_zero | closed_ok)
    for at in (154, 163, 83, 105, 92):             # balance, past due, limit, payment, highest
        digits, _ = _digits(m, at, 9)
        ok &= digits
    hist_ok, _ = _left_packed(m[:, 126:150], _HISTORY_BYTES)
    ok &= hist_ok
    comp_blank = (m[:, 152] == _SPACE) & (m[:, 153] == _SPACE)
    comp_known, _, _ = _lookup(m, 152, 2, t["compliance"])
    ok &= comp_blank | comp_known
    # the cross-field rules of parse_account_record
    ok &= opened <= as_of
    ok &= closed_zero | (closed >= opened)
    ok &= dofd_zero | (dofd <= as_of)
    status = _status_text(m)
    past_due_zero = (m[:, 163:172] == _DIGIT0).all(axis=1)
    current = status == "current"
    ok &= ~current | past_due_zero
    ok &= ~np.isin(status, t["derogatory"]) | ~dofd_zero
    return ok


def _derogatory() -> frozenset[str]:
    from openbureau.domain.records import DEROGATORY
    return frozenset(s.value for s in DEROGATORY)


def _status_text(m: np.ndarray) -> np.ndarray:
    """Each row's status as a string array (delete codes take it from the Payment Rating)."""
    known, text, keep = _lookup(m, 123, 2, _TABLES["status"])
    rknown, rtext, rkeep = _lookup(m, 125, 1, _TABLES["rating"])
    deleting = (m[:, 123] == ord("D")) & ((m[:, 124] == ord("A")) | (m[:, 124] == ord("F")))
    width = max(text.shape[1], rtext.shape[1])
    a = np.full((len(m), width), _SPACE, dtype=np.uint8)
    a[:, :text.shape[1]] = np.where(keep, text, _SPACE)
    b = np.full((len(m), width), _SPACE, dtype=np.uint8)
    b[:, :rtext.shape[1]] = np.where(rkeep, rtext, _SPACE)
    # a DA/DF record with an unknown rating reads as closed
    closed = np.frombuffer(b"closed".ljust(width), dtype=np.uint8)
    b[deleting & ~rknown] = closed
    both = np.where(deleting[:, None], b, a)
    return np.char.strip(both.copy().view(f"S{width}").ravel().astype(f"U{width}"))


def _render(m: np.ndarray, line_no: np.ndarray, seq: np.ndarray,
            hasher: Callable[[str], str]) -> Block:
    t = _TABLES
    n = len(m)
    ssn = m[:, 297:306].copy().view("S9").ravel()
    uniq, inverse = np.unique(ssn, return_inverse=True)
    hashes = [hasher(s.decode()) for s in uniq.tolist()]
    hm = np.frombuffer("".join(hashes).encode(), dtype=np.uint8).reshape(len(uniq), -1)[inverse]
    out = _Out(n, 460)
    out.put(_int_text(seq, 12))
    out.put(hm)
    _, ref_keep = _left_packed(m[:, 42:72], _REF_BYTES)
    out.put(m[:, 42:72], ref_keep)
    _, _, as_of = _dates(m, 181)
    year, month = as_of // 10000, as_of // 100 % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    out.put(_iso(year * 10000 + month * 100 + _DAYS[month] + (leap & (month == 2))))
    coll, _, _ = _lookup(m, 73, 2, t["collection"])
    _, ktext, kkeep = _lookup(m, 72, 1, t["portfolio"])
    ctext = np.frombuffer(b"collection ", dtype=np.uint8)
    kind = np.where(coll[:, None], np.broadcast_to(ctext[:ktext.shape[1]], ktext.shape), ktext)
    kind_keep = np.where(coll[:, None], np.arange(ktext.shape[1]) < 10, kkeep)
    out.put(kind, kind_keep)
    _, etext, ekeep = _lookup(m, 324, 1, t["ecoa"])
    out.put(etext, ekeep)
    out.put_const(b"USD")
    _, _, opened = _dates(m, 75)
    out.put(_iso(opened))
    closed_zero, _, closed = _dates(m, 197)
    out.put(_iso(closed), null=closed_zero)
    _, limit_zero = _digits(m, 83, 9)
    out.put(_money(m, 83), null=limit_zero)
    _, high_zero = _digits(m, 92, 9)
    amount_kind = coll | (kind[:, 0] == ord("i")) | (kind[:, 0] == ord("m"))
    out.put(_money(m, 92), null=high_zero | ~amount_kind)
    _, sched_zero = _digits(m, 105, 9)
    out.put(_money(m, 105), null=sched_zero)
    out.put(_money(m, 154))
    out.put(_money(m, 163))
    status = _status_text(m)
    width = max(len(s) for s in status.tolist()) if n else 1
    st = np.frombuffer(np.char.ljust(status, width).astype(f"S{width}").tobytes(),
                       dtype=np.uint8).reshape(n, width)
    out.put(st, st != _SPACE)
    dofd_zero, _, dofd = _dates(m, 189)
    out.put(_iso(dofd), null=dofd_zero)
    nulls = np.ones(n, dtype=bool)
    out.put(np.zeros((n, 2), dtype=np.uint8), null=nulls)          # monthly_income
    out.put(np.zeros((n, 2), dtype=np.uint8), null=nulls)          # consent_ref
    comp_blank = (m[:, 152] == _SPACE) & (m[:, 153] == _SPACE)
    out.put(m[:, 152:154], null=comp_blank)
    deleting = (m[:, 123] == ord("D")) & ((m[:, 124] == ord("A")) | (m[:, 124] == ord("F")))
    out.put(m[:, 123:125], null=~deleting)
    hist = m[:, 126:150]
    out.put(hist, hist != _SPACE, null=(hist == _SPACE).all(axis=1))
    refs = np.frombuffer(os.urandom(8 * n).hex().encode(), dtype=np.uint8).reshape(n, 16)
    acc = np.broadcast_to(np.frombuffer(b"acc_", dtype=np.uint8), (n, 4))
    out.put(np.concatenate([acc, refs], axis=1))
    _, ctext, ckeep = _lookup(m, 150, 2, t["comment"])
    out.put(ctext, ckeep, null=(m[:, 150] == _SPACE) & (m[:, 151] == _SPACE))
    ident = m[:, 20:40]
    ident_keep = np.zeros(ident.shape, dtype=bool)     # stripped: first to last non-blank
    nonblank = ident != _SPACE
    ident_keep |= np.logical_or.accumulate(nonblank, axis=1) \
        & np.logical_or.accumulate(nonblank[:, ::-1], axis=1)[:, ::-1]
    out.put(ident, ident_keep, null=~nonblank.any(axis=1))
    for _ in range(_SEGMENT_COLUMNS):
        out.put(np.zeros((n, 2), dtype=np.uint8), null=nulls)
    _, dob_valid, dob = _dates(m, 306)
    months = year * 10000 + month * 100 + _DAYS[month] + (leap & (month == 2))
    return Block(lines=out.lines(), positions=line_no.tolist(), seqs=seq.tolist(),
                 hmacs=[hashes[i] for i in inverse.tolist()], _people=m[:, 231:426].copy(),
                 _dobs=np.where(dob_valid, dob, 0), _months=months)
