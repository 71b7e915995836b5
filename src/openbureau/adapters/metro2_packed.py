"""Metro 2 packed (366) records <-> their character (426) equivalents.

In the packed format only the Header, Base and Trailer shrink (appended segments stay in
character form). Reading turns each packed record into the character record a character-format
file would carry, so that all field parsing (``metro2``) and the column reader
(``metro2_columns``) see one form. Writing does the reverse. Positions are those of
``/work/shared/metro2-layout.md`` (0-based here).

Two encodings of the packed numbers and dates exist in the wild, and a file uses one of them:

* ``decimal`` -- IBM packed decimal, as the CRRG describes it: two digits per byte, the last
  half-byte a sign (C, F, A, E positive; D, B negative). Amounts and counts ``ddddddddds``
  (5 bytes), dates ``0MMDDYYYYs`` (5 bytes), the time stamp ``0MMDDYYYYHHMMSSs`` (8 bytes), the
  SSN ``ddddddddds`` (5 bytes), the telephone ``0dddddddddds`` (6 bytes).
* ``binary`` -- what moov-io/metro2 writes: numbers as unsigned big-endian integers of the
  field's width; dates and the time stamp as ``00``, the big-endian integer MMDDYYYY (3 bytes) or
  MMDDYYYYHHMMSS (6 bytes), then ``73``; "no date" as all zero bytes.

``encoding_of`` tells them apart from a base record's required dates (Date Opened, Date of
Account Information): a last byte ``73`` after a leading ``00`` is binary (``3`` is no sign
nibble); a last half-byte C, D or F is decimal. A reader decides per file from its first
decisive base record (``decimal`` until then).

A field that does not decode (a digit half-byte above 9, no sign, a binary value wider than the
character field) becomes ``?`` characters, so the field parser reports it by its field name
("not numeric", "not a date"). A negative packed amount becomes ``-`` and digits, which the
character parser refuses in the same way. Blank bytes (0x20 or EBCDIC 0x40) stay blank.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["decimal", "binary"]

PACKED_LENGTH = 366
CHAR_LENGTH = 426
GROWTH = CHAR_LENGTH - PACKED_LENGTH     # 60 bytes

_NUM, _DATE, _AN = 0, 1, 2
# (packed start, packed length, character width, kind) of the packed fields of a base segment;
# bytes between them are copied unchanged
_BASE_FIELDS = (
    (5, 8, 14, _DATE),       # Time Stamp
    (69, 5, 8, _DATE),       # Date Opened
    (74, 5, 9, _NUM),        # Credit Limit
    (79, 5, 9, _NUM),        # Highest Credit
    (88, 5, 9, _NUM),        # Scheduled Monthly Payment Amount
    (93, 5, 9, _NUM),        # Actual Payment Amount
    (129, 5, 9, _NUM),       # Current Balance
    (134, 5, 9, _NUM),       # Amount Past Due
    (139, 5, 9, _NUM),       # Original Charge-off Amount
    (144, 5, 8, _DATE),      # Date of Account Information
    (149, 5, 8, _DATE),      # Date of First Delinquency
    (154, 5, 8, _DATE),      # Date Closed
    (159, 5, 8, _DATE),      # Date of Last Payment
    (248, 5, 9, _NUM),       # Social Security Number
    (253, 5, 8, _DATE),      # Date of Birth
    (258, 6, 10, _NUM),      # Telephone Number
)
# the trailer: Total Base Records, 5 reserved bytes (9 in character form), 42 counts, and the
# reserved tail (135 bytes packed, 19 in character form)
_TRAILER_FIELDS = ((11, 5, 9, _NUM), (16, 5, 9, _AN), *((21 + 5 * i, 5, 9, _NUM)
                                                         for i in range(42)),
                   (231, 135, 19, _AN))


def _layout(fields: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[int, int, int, int,
                                                                          int], ...]:
    """Each field with its character start: (packed start, length, char start, width, kind)."""
    out = []
    shift = 0
    for start, length, width, kind in fields:
        out.append((start, length, start + shift, width, kind))
        shift += width - length
    return tuple(out)


_BASE = _layout(_BASE_FIELDS)
_TRAILER = _layout(_TRAILER_FIELDS)
_BLANKS = frozenset({0x20, 0x40})
_POSITIVE = frozenset("cfae")
_NEGATIVE = frozenset("bd")


def _blank(field: bytes) -> bool:
    return field[0] in _BLANKS and field.count(field[:1]) == len(field)


def _decimal(field: bytes, width: int) -> bytes:
    h = field.hex()
    sign, digits = h[-1], h[:-1]
    if not digits.isdecimal():
        return b" " * width if _blank(field) else b"?" * width
    lead, digits = digits[:-width], digits[-width:]
    if lead.strip("0"):
        return b"?" * width
    if sign in _POSITIVE or (sign == "0" and not digits.strip("0")):   # zero-filled "no value"
        return digits.encode()
    if sign in _NEGATIVE and digits[0] == "0":
        return b"-" + digits[1:].encode()
    return b" " * width if _blank(field) else b"?" * width


def _binary(field: bytes, width: int, kind: int) -> bytes:
    if kind == _DATE:
        if not field.strip(b"\x00"):
            return b"0" * width
        if field[0] != 0 or field[-1] != 0x73:
            return b" " * width if _blank(field) else b"?" * width
        field = field[1:-1]
    elif _blank(field):
        return b" " * width
    text = b"%0*d" % (width, int.from_bytes(field, "big"))
    return text if len(text) == width else b"?" * width


def encoding_of(rec: bytes) -> Encoding | None:
    """The encoding a packed base record (from its RDW) shows, or None when it shows none."""
    for at in (69, 144):              # Date Opened, Date of Account Information
        f = rec[at:at + 5]
        if len(f) < 5:
            return None
        if f[0] == 0 and f[4] == 0x73:
            return "binary"
        if f[4] & 0x0F in (0x0C, 0x0D, 0x0F) and f[4] >> 4 <= 9:
            return "decimal"
    return None


def _unpack(rec: bytes, fields: tuple[tuple[int, int, int, int, int], ...],
            encoding: Encoding) -> list[bytes]:
    parts = []
    at = 4
    for start, length, _, width, kind in fields:
        parts.append(rec[at:start])
        field = rec[start:start + length]
        if kind == _AN:
            parts.append(field[:width].ljust(width))
        else:
            parts.append(_decimal(field, width) if encoding == "decimal"
                         else _binary(field, width, kind))
        at = start + length
    parts.append(rec[at:])
    return parts


def _slices(fields: tuple[tuple[int, int, int, int, int], ...]) -> tuple[list[slice], ...]:
    """For the decimal fast path: the bytes copied, and in the record's hex text the digits
    kept, the leading half-bytes (zeros) and the signs of each packed field."""
    copy, digits, lead, sign = [], [], [], []
    at = 4
    for start, length, _, width, _kind in fields:
        copy.append(slice(at, start))
        end = 2 * (start + length) - 1
        digits.append(slice(end - width, end))
        lead.append(slice(2 * start, end - width))
        sign.append(slice(end, end + 1))
        at = start + length
    copy.append(slice(at, None))
    return copy, digits, lead, sign


_BASE_SLICES = _slices(_BASE)


def _unpack_decimal_base(rec: bytes) -> bytes | None:
    """A packed-decimal base segment with every field plain (digits, zero lead, sign C or F) in
    one pass over its hex text; None when some field needs a closer look."""
    copy, digits, lead, sign = _BASE_SLICES
    h = rec[:PACKED_LENGTH].hex().encode()
    kept = [h[s] for s in digits]
    if not (b"".join(kept).isdigit() and not b"".join([h[s] for s in sign]).strip(b"cf")
            and not b"".join([h[s] for s in lead]).strip(b"0")):
        return None
    out: list[bytes] = [b""] * (2 * len(kept) + 1)
    out[0::2] = [rec[s] for s in copy]
    out[1::2] = kept
    return b"".join(out)


def unpack(rec: bytes, encoding: Encoding) -> bytes:
    """The character form of one packed record (from its RDW, any trailing segments kept)."""
    n = max(len(rec), PACKED_LENGTH)
    rdw = b"%04d" % (n + GROWTH)
    if encoding == "decimal" and len(rec) >= PACKED_LENGTH and rec[4:10] != b"HEADER" \
            and rec[4:11] != b"TRAILER":
        fast = _unpack_decimal_base(rec)
        if fast is not None:
            return rdw + fast
    if rec[4:10] == b"HEADER":        # only the reserved filler grows
        return rdw + rec[4:].ljust(PACKED_LENGTH - 4) + b" " * GROWTH
    fields = _TRAILER if rec[4:11] == b"TRAILER" else _BASE
    return b"".join((rdw, *_unpack(rec.ljust(PACKED_LENGTH), fields, encoding)))


# --------------------------------------------------------------------------- writing


def _pack_field(text: bytes, length: int, kind: int, encoding: Encoding) -> bytes:
    if not text.strip():
        return b" " * length
    if not text.isdigit():
        raise ValueError(f"cannot pack {text.decode('latin-1')!r}: not digits")
    if encoding == "decimal":
        return bytes.fromhex(text.decode().rjust(2 * length - 1, "0") + "c")
    value = int(text)
    if kind == _DATE:
        return b"\x00" * length if value == 0 else \
            b"\x00" + value.to_bytes(length - 2, "big") + b"\x73"
    return value.to_bytes(length, "big")


def _pack(rec: bytes, fields: tuple[tuple[int, int, int, int, int], ...],
          encoding: Encoding) -> bytes:
    """The packed bytes of ``rec[4:]``."""
    parts = []
    at = 4
    for _, length, cstart, width, kind in fields:
        parts.append(rec[at:cstart])
        text = rec[cstart:cstart + width]
        parts.append(text[:length].ljust(length) if kind == _AN
                     else _pack_field(text, length, kind, encoding))
        at = cstart + width
    parts.append(rec[at:])
    return b"".join(parts)


def pack(rec: bytes, encoding: Encoding) -> bytes:
    """The packed form of one character record (from its RDW) without its length word."""
    if len(rec) < CHAR_LENGTH:
        raise ValueError(f"a {len(rec)}-byte record is shorter than {CHAR_LENGTH} bytes")
    if rec[4:10] == b"HEADER":
        return rec[4:PACKED_LENGTH] + rec[CHAR_LENGTH:]
    return _pack(rec, _TRAILER if rec[4:11] == b"TRAILER" else _BASE, encoding)
