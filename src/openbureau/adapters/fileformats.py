"""Furnisher files: the shapes every reader yields, and the switch between formats.

``read_records(stream)`` looks at the first bytes, picks the Metro 2 or the CSV reader and returns
an iterator that streams the file (it never holds more than a read-ahead buffer, so a 500 MB file
costs a few megabytes). The iterator yields, in file order:

* ``RawRecord`` -- one candidate record as a dict in the AccountRecord JSON shape. Values may be
  strings; ``openbureau.domain.records.parse_account_record`` does the typing and validation, so a
  RawRecord can still be rejected there.
* ``LineError`` -- something that could not even be turned into such a dict (wrong length, bad
  date, non-numeric amount, unknown segment, truncated record) or a file-level problem (trailer
  count mismatch, missing trailer). The good records of the same file are still yielded.

Before the iterator is returned, problems with the file as a whole are raised:

* ``FileUnreadable`` -- neither Metro 2 (character or packed, any framing) nor CSV, empty;
* ``ValidationFailed`` / ``ProhibitedData`` -- a CSV header naming an unknown or prohibited
  column; the error names the column and, when prohibited, its category (answered as 422).

``line`` is 1-based: the physical line for CSV (header = 1), the record number for Metro 2
(header record = 1).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

Format = Literal["metro2", "csv"]
HEAD_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int
    fields: dict[str, Any]
    # Metro 2 only: the raw base codes the data-quality rules look at, a read-only mapping
    # (metro2_fields.Metro2Codes)
    metro2: Mapping[str, str] | None = None


# LineError fields that describe the file rather than one record
_FILE_LEVEL_FIELDS = frozenset({"TRAILER", "Total Base Records", "Total Status Code DF",
                                "Total J1 Segments", "Total J2 Segments", "Total Status Code DA",
                                "file"})


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    field: str
    message: str

    @property
    def is_record(self) -> bool:
        """False for file-level problems (header, trailer, encoding), which reject no record."""
        return self.line > 1 and self.field not in _FILE_LEVEL_FIELDS


class FileUnreadable(Exception):
    """The file cannot be read at all; nothing in it was taken."""


def detect_format(head: bytes) -> Format:
    """Name the format of a file from its first bytes (64 KiB is plenty)."""
    if not head.strip():
        raise FileUnreadable("empty file")
    # Metro 2: a 4-byte RDW then HEADER, or BDW + RDW then HEADER (blocked); the length words
    # are 4 digits (character format) or binary (packed), so only the identifier is looked at
    # here: metro2_layout checks the words and names what it expected when they are wrong.
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text[4:10] == b"HEADER" or text[8:14] == b"HEADER":
        return "metro2"
    first = text.split(b"\n", 1)[0]
    try:
        decoded = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the end of the head is fine; anything else is not text
        if len(first) == len(text) and exc.start >= len(first) - 3:
            decoded = first[: exc.start].decode("utf-8")
        else:
            raise FileUnreadable("not a Metro 2 file nor a UTF-8 CSV file") \
                from None
    if "," in decoded and "\x00" not in decoded:
        return "csv"
    raise FileUnreadable("not a Metro 2 file (no HEADER record) nor a CSV "
                         "file (no comma-separated header row)")


class _Prefixed(io.RawIOBase):
    """The bytes already read for detection, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._head.nbytes:
            n = min(len(b), self._head.nbytes)
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        if not data:
            return 0
        b[: len(data)] = data
        return len(data)


def read_records(stream: BinaryIO, fmt: Format | None = None) -> Iterator[RawRecord | LineError]:
    """Stream the records of a furnisher file; see the module docstring for what is raised."""
    head = stream.read(HEAD_SIZE)
    if fmt is None:
        fmt = detect_format(head)
    if not head:
        raise FileUnreadable("empty file")
    source = io.BufferedReader(_Prefixed(head, stream), buffer_size=HEAD_SIZE)
    if fmt == "metro2":
        from openbureau.adapters.metro2 import read_metro2
        return read_metro2(source)
    if fmt == "csv":
        from openbureau.adapters.csv_io import read_csv
        return read_csv(source)
    raise ValueError(f"unknown format {fmt!r}")
