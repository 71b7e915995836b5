"""Metro 2 character format (426): the writer. The mapping is documented in ``metro2``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from openbureau.adapters.metro2_layout import Framer, Layout

# the content of each record (segments, header, trailer counts) is rendered in metro2_segments
from openbureau.adapters.metro2_segments import (
    TrailerCounts,
    render_records,
)
from openbureau.adapters.metro2_segments import _base_segment as _base_segment
from openbureau.adapters.metro2_segments import header_record as _header
from openbureau.adapters.metro2_segments import trailer_record as _trailer_record
from openbureau.domain.records import AccountRecord


@dataclass(frozen=True, slots=True)
class WriteSummary:
    records: int
    blocks: int
    bytes_written: int


def write_metro2(records: Iterable[AccountRecord], out: BinaryIO, *, reporter_name: str,
                 activity_date: date, variable: bool = False, newline: bool = False,
                 identification_number: str | None = None,
                 created_on: date | None = None, layout: Layout | None = None) -> WriteSummary:
    """Write a character-format (426) file: Header, one base segment per record, Trailer.

    Fixed-length by default; ``variable=True`` puts each record in its own block behind a BDW.
    ``newline=True`` puts LF between records (none after the trailer). ``layout`` (a
    ``metro2_layout.Layout``) chooses any other framing -- packed, blocked, fixed-length padded,
    LF or CRLF -- and then overrides ``variable`` and ``newline``. Raises ``ValueError`` for
    a record Metro 2 cannot carry (not USD, national id not a 9-digit SSN, a name part or amount
    too long); the output written so far is then incomplete.
    """
    ident = (identification_number or reporter_name).upper()[:20]
    if layout is None:
        layout = Layout(blocked=variable, newline=b"\n" if newline else b"")
    framer = Framer(out, layout)      # the framing: metro2_layout

    def emit(record: str) -> None:
        framer.write(record.encode("latin-1"))

    emit(_header(reporter_name, activity_date, created_on or activity_date))
    counts = TrailerCounts()
    for record in render_records(records, ident, counts):
        emit(record)
    blocks = counts.bases + 2 if layout.blocked else 0
    emit(_trailer_record(counts, blocks))
    return WriteSummary(records=counts.records, blocks=blocks, bytes_written=framer.close())
