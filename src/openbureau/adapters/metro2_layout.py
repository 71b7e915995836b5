"""Metro 2 file framing: a byte stream split into records, and records written in a layout.

Every record is taken by its **own** record descriptor word (RDW), whatever the others say:

* with or without a block descriptor word (BDW) before each block -- a block holds one or more
  records; a Trailer without BDW in a blocked file is taken as moov-io/metro2 writes it;
* with or without line breaks (LF or CRLF) between records, and a final line break;
* a Header and a Trailer of whatever length their RDW states (a 470-byte blank-padded Header
  is fine), data records of any length (base plus appended segments, blank padding in
  fixed-length files);
* character format (4 ASCII digits per length word) and **packed** format (a 2-byte big-endian
  length then 2 zero bytes; packed 366-byte Header, Base and Trailer). Each packed record is
  turned into its 426-character equivalent (``metro2_packed``: IBM packed decimal or moov-io's
  binary numbers, recognised per file), so that all field parsing and the column reader see
  character records only.

The layout is recognised from the first record (``open_frames``): the Header's identifier at
byte 5 (no BDW) or byte 9 (BDW), its length words character or packed. A file where none of
that holds gets one ``FileUnreadable`` naming what was expected. After that, the reader yields
each record in character form from its RDW (the Header first), or a ``FrameError`` holding the
place of a record whose framing is wrong:

* in a file with line breaks (character format), a record whose length word is not a number,
  which a line break cuts short, or which goes on past its length: one error, and reading goes
  on at the next line (blanks between a record's end and its line break are tolerated);
* in a file without line breaks (or packed), the reader looks for the next place where a
  plausible record starts (a length word, then a digit or HEADER/TRAILER, and another record or
  the end of the file right after it) and goes on there; the bytes skipped count as one record.
  When nothing plausible follows, one error says the rest of the file is not read.

``line`` is the record's number in the file (Header = 1), as everywhere in the Metro 2 reader.
Memory stays flat: a read-ahead window of about a megabyte, never the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from openbureau.adapters import metro2_packed
from openbureau.adapters.fileformats import FileUnreadable
from openbureau.adapters.metro2_packed import PACKED_LENGTH, Encoding

BASE_LENGTH = 426
CHUNK = 1 << 20
HEADER_ID = b"HEADER"
TRAILER_ID = b"TRAILER"
_CRLF = b"\r\n"
_UTF8_BOM = b"\xef\xbb\xbf"
_DIGIT_OR_BLANK = frozenset(b"0123456789 ")
_DIGIT_OR_BLANK_1 = frozenset(bytes([c]) for c in _DIGIT_OR_BLANK)
_LINE_BREAK_1 = frozenset({b"\n", b"\r", b""})      # b"": the end of the window
_LOOK = 16          # bytes looked at after a record to see whether another one starts there
_FIELDS = ("Record Descriptor Word", "Block Descriptor Word")    # by "has a BDW"

# where a record may start, to resynchronise after a bad one: (packed, blocked) -> pattern
_CANDIDATE = {
    (False, False): re.compile(rb"(?=\d{4}(?:[\d ]|HEADER|TRAILER))"),
    (False, True): re.compile(rb"(?=\d{8}(?:[\d ]|HEADER|TRAILER)|\d{4}TRAILER)"),
    (True, False): re.compile(rb"(?s)(?=..\x00\x00(?:[\d ]|HEADER|TRAILER))"),
    (True, True): re.compile(rb"(?s)(?=..\x00\x00..\x00\x00(?:[\d ]|HEADER|TRAILER)"
                             rb"|..\x00\x00TRAILER)"),
}


@dataclass(frozen=True, slots=True)
class FrameError:
    """A record that could not be framed; ``data`` when it held a data record (the trailer's
    Total Base Records counts it), ``trailer_cut`` when the file ends inside its trailer."""

    line: int
    field: str
    message: str
    data: bool = True
    trailer_cut: bool = False


class _Buffer:
    """A read-ahead window over the stream: ``buf[pos:]`` is what has not been consumed."""

    __slots__ = ("stream", "buf", "pos", "eof", "dropped")

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = first
        self.pos = 0
        self.eof = False
        self.dropped = 0       # bytes of the file before buf[0]

    def ensure(self, n: int) -> bool:
        """True when ``n`` bytes from ``pos`` are available (reads more when needed)."""
        while len(self.buf) - self.pos < n:
            if not self.more():
                return False
        return True

    def more(self) -> bool:
        """Read one more chunk; False at the end of the file."""
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            # a DOS end-of-file mark (Ctrl-Z) after the last record's line break or blanks, as
            # files that went through a PC or a mainframe transfer carry: not a record
            if self.buf.endswith(b"\x1a"):
                kept = self.buf.rstrip(b"\x1a")
                if kept[-1:] in (b"\n", b"\r", b" "):
                    self.buf = kept
            return False
        self.dropped += self.pos
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def skip_line(self) -> None:
        """Move past the next LF (or to the end of the file)."""
        while True:
            i = self.buf.find(b"\n", self.pos)
            if i >= 0:
                self.pos = i + 1
                return
            self.pos = len(self.buf)
            if not self.more():
                return


def _newline_at(unit: bytes) -> int:
    i = unit.find(b"\n")
    j = unit.find(b"\r")
    return i if j < 0 else j if i < 0 else min(i, j)


def _length_word(word: bytes, packed: bool) -> int:
    """The value of a length word, -1 when it is not one."""
    if packed:
        return word[0] << 8 | word[1] if len(word) == 4 and word[2:] == b"\0\0" else -1
    return int(word) if len(word) == 4 and word.isdigit() else -1


def open_frames(first: bytes, stream: BinaryIO) -> Iterator[bytes | FrameError]:
    """Recognise the layout from the file's first bytes (``first``, a chunk already read) and
    return the iterator over its records: the Header first, in character form.

    Raises ``FileUnreadable`` when the file does not start with a Metro 2 Header record.
    """
    first = first.removeprefix(_UTF8_BOM)       # a byte-order mark an editor put first
    if not first.strip():
        raise FileUnreadable("empty file")
    if first[4:10] == HEADER_ID:
        blocked = False
    elif first[8:14] == HEADER_ID:
        blocked = True
    else:
        raise FileUnreadable("not a Metro 2 file: expected a HEADER record after a 4-byte "
                             "record descriptor word (or after a block descriptor word and a "
                             "record descriptor word)")
    words = first[:8] if blocked else first[:4]
    if words.isdigit():
        packed = False
    elif all(_length_word(words[i:i + 4], True) > 0 for i in range(0, len(words), 4)):
        packed = True
    else:
        raise FileUnreadable(f"not a Metro 2 file: the HEADER record's length word "
                             f"{words!r} is neither 4 digits (character format) nor a packed "
                             "length (2-byte length, 2 zero bytes)")
    minimum = PACKED_LENGTH if packed else BASE_LENGTH
    length = _length_word(first[4:8] if blocked else first[:4], packed)
    if length < minimum:
        raise FileUnreadable(f"HEADER record length {length} is shorter than {minimum} bytes")
    size = _length_word(first[:4], packed) if blocked else length
    if size < length + 4 * blocked:
        raise FileUnreadable(f"HEADER block length {size} is shorter than its record")
    if len(first) < size:
        raise FileUnreadable("the HEADER record is truncated")
    if packed and length + metro2_packed.GROWTH > 9999:
        raise FileUnreadable(f"HEADER record length {length} is longer than a character "
                             "record can be")
    if not packed and _newline_at(first[:size]) >= 0:
        raise FileUnreadable(f"the HEADER record is {_newline_at(first[:size])} bytes long "
                             f"up to a line break, its length word says {size}")
    frames = _Frames(first, stream, packed, blocked)
    nxt = first[size:size + _LOOK]
    line_end = first.find(b"\n", size)
    padded = line_end >= 0 and not first[size:line_end].strip(b" \r")
    if packed:
        for sep in (b"\r\n", b"\n"):
            if nxt.startswith(sep) and (len(first) == size + len(sep)
                                        or frames.plausible(first[size + len(sep):][:_LOOK])):
                frames.sep = sep
                break
    else:
        frames.lines = nxt[:1] in (b"\n", b"\r") or padded
    if nxt and not frames.sep and not frames.lines and not frames.plausible(nxt) \
            and nxt.strip(_CRLF):
        raise FileUnreadable(f"the HEADER record's length word says {length} bytes, but no "
                             "record starts after them")
    return iter(frames)


class _Frames:
    def __init__(self, first: bytes, stream: BinaryIO, packed: bool, blocked: bool) -> None:
        self.b = _Buffer(first, stream)
        self.packed = packed
        self.blocked = blocked
        self.lines = False            # line breaks between records (set after the header)
        self.sep = b""                # packed: the separator after the header, if any
        self.encoding: Encoding | None = None
        self.find = _CANDIDATE[(packed, blocked)].search
        self.minimum = PACKED_LENGTH if packed else BASE_LENGTH

    def plausible(self, s: bytes) -> bool:
        """Whether a record (or its block) may start with ``s`` (up to 16 bytes; True when too
        few are left to tell)."""
        if len(s) < 12:
            return True
        word = _length_word(s[:4], self.packed)
        if word < 0:
            return False
        if s[4:11] == TRAILER_ID:
            return True
        if self.blocked:
            inner = _length_word(s[4:8], self.packed)
            return 4 < inner <= word - 4 and (s[8] in _DIGIT_OR_BLANK or s[8:14] == HEADER_ID
                                              or s[8:15] == TRAILER_ID)
        return s[4] in _DIGIT_OR_BLANK or s[4:10] == HEADER_ID

    def _boundary(self, nxt: bytes) -> bool:
        """Whether ``nxt`` (bytes after a record) starts the next record, a line break or the
        end of the file."""
        if not nxt:
            return True
        if self.packed:
            if self.sep:
                return nxt.startswith(self.sep) or not nxt.strip(_CRLF)
            return self.plausible(nxt) or not nxt.strip(_CRLF)
        return nxt[0] in _CRLF or (not self.lines and self.plausible(nxt))

    def _resync(self, line: int, field: str, what: str, start: int) -> FrameError:
        """Skip from ``start`` (absolute in buf) to the next plausible record."""
        b = self.b
        origin = b.dropped + b.pos
        head = b.buf[b.pos:b.pos + 16]
        b.pos = start
        while True:
            m = self.find(b.buf, b.pos)
            if m is None:
                if b.eof:
                    b.pos = len(b.buf)
                    return FrameError(line, "record", f"{what}; cannot find the next record, "
                                      "the rest of the file is not read",
                                      data=TRAILER_ID not in head)
                b.pos = max(b.pos, len(b.buf) - _LOOK)
                b.more()
                continue
            b.pos = m.start()
            if self._chain():
                skipped = b.dropped + b.pos - origin
                return FrameError(line, field, f"{what}; the next record starts {skipped} bytes "
                                  "after this one's start", data=TRAILER_ID not in head)
            b.pos += 1

    def _whole(self, s: bytes) -> int:
        """The unit length of a record that plausibly starts with ``s``, is at least a base
        segment long and carries the processing indicator 1 (0 if not): stricter than
        ``plausible``, for resynchronising (Metro 2 records are full of digit runs)."""
        if len(s) < 12 or not self.plausible(s):
            return 0
        bdw = self.blocked and s[4:11] != TRAILER_ID
        if s[4 + 4 * bdw] != 0x31 and s[4 + 4 * bdw:10 + 4 * bdw] != HEADER_ID \
                and s[4:11] != TRAILER_ID and s[8:15] != TRAILER_ID:
            return 0
        size = _length_word(s[:4], self.packed)
        return size if size >= self.minimum + 4 * bdw else 0

    def _chain(self) -> bool:
        """Two whole records in a row (or one and the end of the file) start at ``buf[pos]``."""
        b = self.b
        off = 0
        for _ in range(2):
            b.ensure(off + _LOOK)
            size = self._whole(b.buf[b.pos + off:b.pos + off + _LOOK])
            if not size:
                return False
            if not self._tiles(off, size):
                return False
            off += size
            if not b.ensure(off + _LOOK):
                rest = b.buf[b.pos + off:]
                if len(b.buf) - b.pos < off:
                    return False
                if not rest.strip(_CRLF):
                    return True
            sep = b.buf[b.pos + off:b.pos + off + 2]
            if self.packed:
                off += len(self.sep) if self.sep and sep.startswith(self.sep) else 0
            else:
                off += len(sep) - len(sep.lstrip(_CRLF))
        return True

    def _tiles(self, off: int, size: int) -> bool:
        """The records of the block at ``pos + off`` fill it exactly (True without a BDW)."""
        b = self.b
        buf, at = b.buf, b.pos + off
        if not self.blocked or buf[at + 4:at + 11] == TRAILER_ID:
            return True
        if not b.ensure(off + size):
            return False
        buf, at = b.buf, b.pos + off
        inner, end = at + 4, at + size
        while inner < end:
            length = _length_word(buf[inner:inner + 4], self.packed)
            if length <= 4:
                return False
            inner += length
        return inner == end

    def _separator(self) -> bool:
        """Step over the line break(s) at a record boundary; False at the end of the file."""
        b = self.b
        if self.packed:
            b.ensure(_LOOK)
            if self.sep and b.buf.startswith(self.sep, b.pos):
                b.pos += len(self.sep)
                b.ensure(_LOOK)
            rest = b.buf[b.pos:b.pos + _LOOK]
            if rest and not rest.strip(_CRLF) and (b.eof or not self.plausible(rest)):
                b.pos += len(rest) - len(rest.lstrip(_CRLF))
            return b.ensure(1)
        while b.ensure(1):
            if b.buf[b.pos] not in _CRLF:
                return True
            b.pos += 1
        return False

    def __iter__(self) -> Iterator[bytes | FrameError]:
        b = self.b
        packed, blocked, lines = self.packed, self.blocked, self.lines
        # a cheap, looser ``plausible`` for the common case (character format): length words,
        # then a digit or a blank
        rdw_end = 8 if blocked else 4
        after = rdw_end + 1
        line = 0
        while True:
            buf, pos = b.buf, b.pos
            if pos + _LOOK > len(buf):
                b.ensure(_LOOK)
                buf, pos = b.buf, b.pos
                if pos >= len(buf):
                    return
            c = buf[pos]
            if c == 13 and buf[pos + 1:pos + 2] == b"\n" and not packed \
                    and buf[pos + 2:pos + 3] not in _LINE_BREAK_1:
                pos = b.pos = pos + 2            # CRLF: the common case, without a call
            elif c == 10 and not packed and buf[pos + 1:pos + 2] not in _LINE_BREAK_1:
                pos = b.pos = pos + 1
            if packed or buf[pos:pos + 1] in _LINE_BREAK_1:
                if not self._separator():
                    return
                buf, pos = b.buf, b.pos
            line += 1
            bdw = blocked and buf[pos + 4:pos + 11] != TRAILER_ID
            word = buf[pos:pos + 4]
            if packed:
                size = word[0] << 8 | word[1] if word[2:] == b"\0\0" and len(word) == 4 else -1
            else:
                size = int(word) if word.isdigit() and len(word) == 4 else -1
            if size <= 4 + 4 * bdw:
                field = _FIELDS[bdw]
                what = f"not a length word: {word!r}"
                if self.lines and not packed:
                    b.skip_line()
                    yield FrameError(line, field, what, data=TRAILER_ID not in buf[pos:pos + 16])
                    continue
                err = self._resync(line, field, what, pos + 1)
                yield err
                if err.field == "record":
                    return
                continue
            end = pos + size
            if end + _LOOK > len(buf):
                b.ensure(size + _LOOK)
                buf, pos = b.buf, b.pos
                end = pos + size
            chunk = buf[pos:end]
            if not packed and (b"\n" in chunk or b"\r" in chunk):
                nl = _newline_at(chunk)
                b.pos = pos + nl
                yield FrameError(line, _FIELDS[bdw], f"record is {nl} bytes long, its length "
                                 f"word says {size}", data=TRAILER_ID not in chunk[:nl])
                continue
            if len(chunk) < size:
                field = _FIELDS[bdw]
                what = f"truncated: the file ends after {len(chunk)} of {size} bytes"
                if not self.lines:
                    err = self._resync(line, field, what, pos + 1)
                    if err.field != "record":
                        yield err
                        continue
                b.pos = len(b.buf)
                yield FrameError(line, "record", what, trailer_cut=TRAILER_ID in chunk[:16])
                return
            nxt = buf[end:end + _LOOK]
            if nxt and nxt[0] not in _CRLF and (lines or packed or not (
                    nxt[:rdw_end].isdigit() and nxt[rdw_end:after] in _DIGIT_OR_BLANK_1)) \
                    and not self._boundary(nxt):
                field = _FIELDS[bdw]
                if self.lines and not packed:
                    stop = buf.find(b"\n", end)
                    if stop >= 0 and not buf[end:stop].strip(b" \r"):
                        nxt = buf[stop:stop + 1]     # blanks up to the line break: fine
                        end = stop
                    else:
                        b.pos = pos
                        b.skip_line()
                        yield FrameError(line, field, f"record is longer than its length word "
                                         f"({size})", data=TRAILER_ID not in chunk[:16])
                        continue
                else:
                    whole = self._whole(buf[pos:pos + _LOOK]) == size
                    end_at = b.dropped + end
                    err = self._resync(line, field, f"length word {word!r} does not fit: no "
                                       f"record follows {size} bytes later", pos + 1)
                    if not (whole and b.dropped + b.pos >= end_at):
                        yield err
                        if err.field == "record":
                            return
                        continue
                    # this record is whole and the next starts after its end: the damage is
                    # in between, and takes the next line
                    recs = self._split_block(chunk, line) if bdw else [
                        self._unpack(chunk, line) if packed else chunk]
                    yield from recs
                    line += len(recs)
                    yield self._damage(line, nxt, b.dropped + b.pos - end_at, err)
                    if err.field == "record":
                        return
                    continue
            b.pos = end
            if not bdw:
                yield self._unpack(chunk, line) if packed else chunk
                continue
            inner = chunk[4:8]
            if not packed and inner.isdigit() and int(inner) == size - 4:
                yield chunk[4:]           # one record per block: the common case
                continue
            for i, rec in enumerate(self._split_block(chunk, line)):
                line += i > 0
                yield rec

    def _damage(self, line: int, start: bytes, skipped: int, err: FrameError) -> FrameError:
        """The error for bytes (``start``...) that follow a whole record but are none."""
        bdw = self.blocked and start[4:11] != TRAILER_ID
        word = start[:4]
        what = f"not a length word: {word!r}" if _length_word(word, self.packed) <= 4 + 4 * bdw \
            else f"length word {word!r} does not fit"
        data = TRAILER_ID not in start
        if err.field == "record":
            return FrameError(line, "record", f"{what}; cannot find the next record, the rest "
                              "of the file is not read", data=data)
        return FrameError(line, _FIELDS[bdw], f"{what}; the next record starts {skipped} bytes "
                          "after this one's start", data=data)

    def _split_block(self, block: bytes, line: int) -> list[bytes | FrameError]:
        """The records of one block (``block`` starts at the BDW)."""
        out: list[bytes | FrameError] = []
        off = 4
        end = len(block)
        while off < end:
            word = block[off:off + 4]
            size = _length_word(word, self.packed)
            if not (size > 4 and off + size <= end):
                out.append(FrameError(line + len(out), "Record Descriptor Word",
                                      f"length word {word!r} at byte offset {off} of the block "
                                      f"does not fit the block length {end}"))
                break
            rec = block[off:off + size]
            out.append(self._unpack(rec, line + len(out)) if self.packed else rec)
            off += size
        return out

    def _unpack(self, rec: bytes, line: int) -> bytes | FrameError:
        if rec[4:10] != HEADER_ID and rec[4:11] != TRAILER_ID:
            if len(rec) < PACKED_LENGTH:
                return FrameError(line, "Record Descriptor Word",
                                  f"data record is {len(rec)} bytes, shorter than the "
                                  f"{PACKED_LENGTH}-byte packed base segment")
            if self.encoding is None:
                self.encoding = metro2_packed.encoding_of(rec)
        out = metro2_packed.unpack(rec, self.encoding or "decimal")
        if len(out) > 9999:
            return FrameError(line, "Record Descriptor Word", f"record of {len(rec)} bytes is "
                              "too long for its character form (9999 bytes at most)")
        return out


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class Layout:
    """How a written file is framed.

    ``packed``: packed (366) Header/Base/Trailer with binary length words, numbers and dates in
    ``packed_encoding`` ("decimal": IBM packed decimal as in the CRRG; "binary": moov-io's).
    ``blocked``: a BDW before each record (one record per block, the Trailer too).
    ``fixed_length``: every record, Header and Trailer included, blank-padded to this length
    (the length as written, so packed records are padded after packing).
    ``newline``: written between records (none after the Trailer).
    """

    packed: bool = False
    packed_encoding: Literal["decimal", "binary"] = "decimal"
    blocked: bool = False
    fixed_length: int | None = None
    newline: Literal[b"", b"\n", b"\r\n"] = b""

    def __post_init__(self) -> None:
        if self.newline not in (b"", b"\n", b"\r\n"):
            raise ValueError(f"newline must be empty, LF or CRLF, not {self.newline!r}")
        if self.packed_encoding not in ("decimal", "binary"):
            raise ValueError(f"unknown packed encoding {self.packed_encoding!r}")
        if self.fixed_length is not None:
            least = PACKED_LENGTH if self.packed else BASE_LENGTH
            top = 0xFFFF if self.packed else 9999
            if not least <= self.fixed_length <= top - 4 * self.blocked:
                raise ValueError(f"fixed_length must be between {least} and "
                                 f"{top - 4 * self.blocked}")


class Framer:
    """Writes character records (each from its RDW: Header first, Trailer last) in a layout.

    ``write`` takes one record at a time, so a file of any size streams; ``close`` flushes and
    returns the number of bytes written. The RDW of each record is rewritten from its length
    (and the layout), so callers may leave it as "0426".
    """

    def __init__(self, out: BinaryIO, layout: Layout) -> None:
        self.out = out
        self.layout = layout
        self.written = 0
        self.records = 0
        self.pending: list[bytes] = []

    def write(self, record: bytes) -> None:
        lay = self.layout
        body = record[4:]
        if lay.packed:
            body = metro2_packed.pack(record, lay.packed_encoding)
        if lay.fixed_length is not None:
            if len(body) + 4 > lay.fixed_length:
                raise ValueError(f"a {len(body) + 4}-byte record does not fit the fixed length "
                                 f"{lay.fixed_length}")
            body = body.ljust(lay.fixed_length - 4)
        size = len(body) + 4
        if lay.packed:
            data = size.to_bytes(2, "big") + b"\0\0" + body
            if lay.blocked:
                data = (size + 4).to_bytes(2, "big") + b"\0\0" + data
        else:
            if size + 4 * lay.blocked > 9999:
                raise ValueError(f"a {size}-byte record is longer than a length word can say")
            data = b"%04d" % size + body
            if lay.blocked:
                data = b"%04d" % (size + 4) + data
        if self.records and lay.newline:
            data = lay.newline + data
        self.records += 1
        self.pending.append(data)
        self.written += len(data)
        if len(self.pending) >= 1024:
            self.out.write(b"".join(self.pending))
            self.pending.clear()

    def close(self) -> int:
        self.out.write(b"".join(self.pending))
        self.pending.clear()
        return self.written


def frame(records: Iterable[bytes], out: BinaryIO, layout: Layout) -> int:
    """Write character records (Header first, Trailer last) in ``layout``; the bytes written."""
    framer = Framer(out, layout)
    for rec in records:
        framer.write(rec)
    return framer.close()
