"""Metro 2 framing: every layout furnishers send, read (metro2_layout) and written (Layout).

The corpus in tests/data/metro2/ is hand-made by its own script (make_corpus.py, which does not
use the project's writer or framing), so the expectations here cannot share a bug with the code.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters import metro2_packed
from openbureau.adapters.fileformats import (
    FileUnreadable,
    LineError,
    RawRecord,
    detect_format,
    read_records,
)
from openbureau.adapters.metro2_layout import FrameError, Layout, frame, open_frames
from openbureau.adapters.metro2_writer import write_metro2
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import parse_account_record
from tests.unit.test_metro2 import FUZZ_N, _records, mutate

CORPUS = Path(__file__).parents[1] / "data" / "metro2"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def read(data: bytes) -> list[RawRecord | LineError]:
    return list(read_records(io.BytesIO(data)))


def frames(data: bytes) -> list[bytes | FrameError]:
    return list(open_frames(data[:1 << 20], io.BytesIO(data[1 << 20:])))


def summary(items: list[Any]) -> list[tuple[int, str, str]]:
    """(line, account number, first name) of each record read."""
    return [(i.line, i.fields["account_ref"], i.fields["subject"]["name"].split()[0])
            for i in items if isinstance(i, RawRecord)]


def line_errors(items: list[Any]) -> list[tuple[int, str, str]]:
    return [(i.line, i.field, i.message) for i in items if isinstance(i, LineError)]


# --------------------------------------------------------------------------- the corpus

FURNISHER = [(2, "ACC-1", "JANE"), (3, "ACC-2", "RICHARD"), (3, "ACC-2", "RITA"),
             (4, "ACC-3", "EDGAR"), (4, "ACC-3", "ANNA"), (5, "ACC-4", "MARY")]
MOOV = [(2, "ACC-10", "JOHN"), (2, "ACC-10", "JANE"), (2, "ACC-10", "JIM"),
        (3, "ACC-11", "ALICE"), (4, "ACC-12", "BOB"), (4, "ACC-12", "BETTY"),
        (4, "ACC-12", "BILL")]
FAMILIES = {"furnisher": ["lf.m2", "crlf.m2", "fixed_626.m2"],
            "moov": ["moov_none.m2", "moov_bdw.m2", "packed_decimal.m2", "packed_binary.m2"],
            "segments": ["segments_lf.m2", "segments_bdw.m2", "segments_packed.m2"]}
SEGMENTS = [(2, "ACC-20", "KATE"), (3, "ACC-21", "LARRY"), (4, "ACC-22", "MONA"),
            (5, "ACC-23", "NED"), (6, "ACC-24", "OLGA"), (6, "ACC-24", "PAUL"),
            (7, "ACC-25", "KATE"), (8, "ACC-26", "QUINN"), (9, "ACC-27", "RORY"),
            (11, "ACC-29", "TOM"), (11, "ACC-29", "TINA")]


@pytest.mark.parametrize(("name", "expected"), [
    *((n, FURNISHER) for n in FAMILIES["furnisher"]),
    *((n, MOOV) for n in FAMILIES["moov"]),
])
def test_a_byte_order_mark_and_a_dos_end_of_file_mark_are_not_records(name: str,
                                                                      expected: list) -> None:
    # files that went through an editor or a PC/mainframe transfer: a UTF-8 BOM before the
    # header, a Ctrl-Z after the trailer; both read exactly as the file without them
    data = b"\xef\xbb\xbf" + corpus(name) + b"\x1a"
    assert detect_format(data[:65536]) == "metro2"
    items = read(data)
    assert line_errors(items) == []
    assert summary(items) == expected


def test_a_ctrl_z_inside_the_file_is_still_an_error() -> None:
    data = corpus("lf.m2")
    cut = data.index(b"\n") + 1
    items = read(data[:cut] + b"\x1a\n" + data[cut:])
    # one error where it stands (and the trailer's count no longer matching what was read)
    assert [(line, field) for line, field, _ in line_errors(items)] == [
        (2, "Record Descriptor Word"), (7, "Total Base Records")]
    assert summary(items) == [(line + 1, *rest) for line, *rest in FURNISHER]


def test_corpus_files_are_what_the_script_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert sorted(built) == sorted(p.name for p in CORPUS.glob("*.m2"))
    for name, data in built.items():
        assert corpus(name) == data, name


@pytest.mark.parametrize(("name", "expected"), [
    *((n, FURNISHER) for n in FAMILIES["furnisher"]),
    *((n, MOOV) for n in FAMILIES["moov"]),
])
def test_every_layout_reads_every_record(name: str, expected: list) -> None:
    data = corpus(name)
    assert detect_format(data[:65536]) == "metro2"
    items = read(data)
    assert line_errors(items) == []
    assert summary(items) == expected
    for item in items:
        parse_account_record(item.fields)     # every record is a valid account record


NO_ID_NOR_BIRTH = ("Neither a national id (SSN) nor a date of birth: the consumer cannot be "
                   "identified. [rule Q06: subject.date_of_birth, subject.national_id]")
K2_PURCHASE = {"indicator": "purchased_from", "name": "OLD LENDER INC"}
K4_BALLOON = {"indicator": "balloon", "balloon_due": "2030-06-01", "balloon_amount": 5000000}


@pytest.mark.parametrize("name", FAMILIES["segments"])
def test_segments_ssns_and_refusals_in_every_layout(name: str) -> None:
    """K2, K4, K1+K2+K4, J2+N1; zero- and nine-filled SSNs with a date of birth; a zero-filled
    SSN without one; an unknown K2 code -- the same in LF, BDW (500-byte Header) and packed."""
    data = corpus(name)
    assert detect_format(data[:65536]) == "metro2"
    items = read(data)
    assert summary(items) == SEGMENTS
    # the unknown K2 code is the reader's: that record (line 10) is not read at all
    assert line_errors(items) == [(10, "K2 Purchased Indicator", "unknown code '7'")]
    got = {(i.line, i.fields["subject"]["first_name"]): i.fields for i in items
           if isinstance(i, RawRecord)}
    segs = {k: {s: f[s] for s in ("original_creditor", "purchase", "specialised_payment",
                                  "mortgage", "account_change") if s in f}
            for k, f in got.items()}
    assert segs == {
        (2, "KATE"): {}, (3, "LARRY"): {"purchase": K2_PURCHASE},
        (4, "MONA"): {"specialised_payment": K4_BALLOON},
        (5, "NED"): {"original_creditor": {"name": "ORIGINAL BANK", "classification": "08"},
                     "purchase": K2_PURCHASE, "specialised_payment": K4_BALLOON},
        (6, "OLGA"): {}, (6, "PAUL"): {},       # the J2 consumer shares the account's fields
        (7, "KATE"): {}, (8, "QUINN"): {}, (9, "RORY"): {}, (11, "TOM"): {}, (11, "TINA"): {}}
    # J2: its own address and ECOA; N1: the base consumer's employer only
    olga, paul = got[(6, "OLGA")], got[(6, "PAUL")]
    assert olga["subject"]["employer"] == {
        "name": "ACME FOUNDRY", "line1": "77 MILL LN", "line2": "UNIT 4", "city": "DECATUR",
        "state": "IL", "postal_code": "625210001", "occupation": "WELDER"}
    assert "employer" not in paul["subject"]
    assert paul["subject"]["address"] == {
        "country": "US", "line1": "9 ELM ST", "city": "SHELBYVILLE", "state": "IL",
        "postal_code": "62565", "indicator": "Y", "residence": "R"}
    assert (olga["ecoa"], paul["ecoa"]) == ("joint", "joint")
    assert olga["subject"]["address"]["line1"] == "1 MAIN ST"
    assert (paul["subject"]["national_id"], paul["subject"]["date_of_birth"]) == \
        ("321540006", "1979-07-04")
    # zero- and nine-filled SSNs: no national id; the date of birth is what identifies
    for key, born in [((7, "KATE"), "1980-02-28"), ((8, "QUINN"), "1975-03-15"),
                      ((9, "RORY"), None)]:
        who = got[key]["subject"]
        assert "national_id" not in who and who.get("date_of_birth") == born, key
    assert got[(2, "KATE")]["subject"]["national_id"] == "321540001"
    codes = {k: (dict(i.metro2)["ssn_given"], dict(i.metro2)["segment"]) for i in items
             if isinstance(i, RawRecord) for k in [(i.line, i.fields["subject"]["first_name"])]}
    assert codes[(7, "KATE")] == codes[(8, "QUINN")] == ("0", "base")
    assert codes[(6, "PAUL")] == ("1", "J2") and codes[(11, "TINA")] == ("1", "J1")
    # every record read is valid but RORY's: no SSN and no date of birth
    refused = {}
    for key, fields in got.items():
        try:
            parse_account_record(fields)
        except ValidationFailed as exc:
            refused[key] = [(e.field, e.message) for e in exc.errors]
    assert refused == {(9, "RORY"): [("subject.date_of_birth", NO_ID_NOR_BIRTH)]}


def test_segments_family_framing() -> None:
    lengths = {name: [len(r) for r in frames(corpus(name)) if isinstance(r, bytes)]
               for name in FAMILIES["segments"]}
    records = [460, 456, 524, 772, 426, 426, 426, 460, 526]
    assert lengths["segments_lf.m2"] == [426, 426, *records, 426]
    assert lengths["segments_bdw.m2"] == [500, 426, *records, 426]     # a 500-byte Header
    assert lengths["segments_packed.m2"] == [426, 426, *records, 426]
    bdw = frames(corpus("segments_bdw.m2"))
    assert bdw[0][:10] == b"0500HEADER" and bdw[0][280:] == b" " * 220
    # packed data records come out byte for byte as the character ones (the trailers differ
    # in their Block Count only)
    assert frames(corpus("segments_packed.m2"))[1:-1] == frames(corpus("segments_lf.m2"))[1:-1]
    data = corpus("segments_bdw.m2")
    assert data[:8] == b"05040500"                   # BDW 504, RDW 500
    # lines 6 and 7 share a block: BDW = 4 + 772 + 426
    at = 504 + sum(4 + n for n in [426, 460, 456, 524])
    assert data[at:at + 8] == b"12020772"
    # the trailer counts what the file holds: K2 twice (the bad one too), K4 twice, the SSNs
    # and birth dates that are given (not the zero- and nine-filled, not the zero date)
    trailer = frames(data)[-1]
    counts = {name: int(trailer[a - 1:a + 8]) for name, a in [
        ("base", 12), ("j1", 39), ("j2", 48), ("n1", 273), ("k1", 282), ("k2", 291),
        ("k4", 309), ("ssn_all", 327), ("ssn_base", 336), ("dob_base", 372)]}
    assert counts == {"base": 10, "j1": 1, "j2": 1, "n1": 1, "k1": 1, "k2": 3, "k4": 2,
                      "ssn_all": 9, "ssn_base": 7, "dob_base": 9}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_same_records_whatever_the_layout(family: str) -> None:
    first, *others = FAMILIES[family]
    expected = read(corpus(first))
    for name in others:
        assert read(corpus(name)) == expected, name


def test_records_are_framed_by_their_own_length() -> None:
    lengths = {name: [len(r) for r in frames(corpus(name)) if isinstance(r, bytes)]
               for name in [*FAMILIES["furnisher"], *FAMILIES["moov"]]}
    assert lengths["lf.m2"] == lengths["crlf.m2"] == [426, 426, 526, 626, 426, 426]
    assert lengths["fixed_626.m2"] == [626] * 6
    assert lengths["moov_none.m2"] == lengths["moov_bdw.m2"] == [470, 1000, 426, 1000, 426]
    # packed records come out in their 426-character form, segments unchanged
    assert lengths["packed_decimal.m2"] == lengths["packed_binary.m2"] == \
        [426, 1000, 426, 1000, 426]
    char = frames(corpus("moov_bdw.m2"))
    for name in ("packed_decimal.m2", "packed_binary.m2"):
        packed = frames(corpus(name))
        assert packed[1:] == char[1:], name           # data records and trailer, byte for byte
        assert packed[0][:280] == char[0][:4] .replace(b"0470", b"0426") + char[0][4:280]


def test_packed_encodings_are_told_apart() -> None:
    def first_base(data: bytes) -> bytes:
        header_block = int.from_bytes(data[:2], "big")
        return data[header_block + 4:]               # the data record, from its RDW
    assert metro2_packed.encoding_of(first_base(corpus("packed_decimal.m2"))) == "decimal"
    assert metro2_packed.encoding_of(first_base(corpus("packed_binary.m2"))) == "binary"
    # 11/22/2019 in both encodings, as the layout notes give them
    assert metro2_packed.unpack(b"\x01\x6e\x00\x00" + b"1" * 65 + bytes.fromhex("011222019c")
                                + b" " * 292, "decimal")[75:83] == b"11222019"
    assert metro2_packed.unpack(b"\x01\x6e\x00\x00" + b"1" * 65 + bytes.fromhex("00ab3c0373")
                                + b" " * 292, "binary")[75:83] == b"11222019"


@pytest.mark.parametrize(("packed_bytes", "encoding", "text"), [
    ("000002438c", "decimal", b"000002438"),
    ("000002438f", "decimal", b"000002438"),
    ("000002438d", "decimal", b"-00002438"),      # negative: the field parser refuses it
    ("00000243ac", "decimal", b"?????????"),      # a half-byte above 9
    ("0000024380", "decimal", b"?????????"),      # no sign
    ("0000000000", "decimal", b"000000000"),      # zero-filled
    ("2020202020", "decimal", b"         "),      # blank
    ("0000000986", "binary", b"000000002438"[-9:]),
    ("ffffffffff", "binary", b"?????????"),       # wider than 9 digits
])
def test_packed_numbers(packed_bytes: str, encoding: str, text: bytes) -> None:
    rec = b"\x01\x6e\x00\x00" + b"1" * 125 + bytes.fromhex(packed_bytes) + b" " * 232
    assert metro2_packed.unpack(rec, encoding)[154:163] == text      # Current Balance


def test_damaged_line_oriented_file_loses_only_the_bad_lines() -> None:
    items = read(corpus("lf_damaged.m2"))
    assert summary(items) == [(2, "ACC-1", "JANE"), (4, "ACC-2", "RICHARD"), (4, "ACC-2", "RITA"),
                              (6, "ACC-4", "MARY")]
    # the trailer counts the two bad records as sent: no count mismatch
    assert line_errors(items) == [
        (3, "Record Descriptor Word", "not a length word: b'04X6'"),
        (5, "Record Descriptor Word", "record is longer than its length word (426)")]


def test_damaged_file_without_line_breaks_resynchronises() -> None:
    items = read(corpus("none_damaged.m2"))
    assert summary(items) == [m for m in MOOV if m[1] != "ACC-11"]
    assert line_errors(items) == [
        (3, "Record Descriptor Word", "length word b'0400' does not fit: no record follows 400 "
         "bytes later; the next record starts 426 bytes after this one's start")]


def test_truncated_file() -> None:
    items = read(corpus("truncated.m2"))
    assert summary(items) == FURNISHER[:5]
    assert line_errors(items) == [
        (5, "record", "truncated: the file ends after 226 of 426 bytes"),
        (6, "TRAILER", "missing trailer record (the file ends after record 5)")]


def test_unrecognisable_layout_is_one_file_level_error() -> None:
    with pytest.raises(FileUnreadable, match="length word b'04Z6' is neither 4 digits"):
        read(corpus("not_metro2.m2"))
    lf = corpus("lf.m2")
    for bad, message in [
        (b"0400" + lf[4:], "HEADER record length 400 is shorter than 426"),
        (b"0526" + lf[4:], "line break"),                        # the header ends at byte 426
        (b"0436" + lf[4:436].replace(b"\n", b" ") + b"X" * 600, "no record starts"),
        (b"\x01\x6e\x00\x00HEADER" + b" " * 100, "truncated"),
        (b"\x01\x6e\x01\x00HEADER" + b" " * 400, "neither 4 digits"),
    ]:
        with pytest.raises(FileUnreadable, match=message):
            read(bad)


def test_a_final_newline_and_blank_padding_before_a_line_break_are_fine() -> None:
    lf = corpus("lf.m2")
    assert lf.endswith(b"\n")
    padded = lf.replace(b"\n", b"   \n")
    assert summary(read(padded)) == FURNISHER and line_errors(read(padded)) == []


def test_reading_streams() -> None:
    """The reader holds a read-ahead window, never the file: records come before it is read."""
    one = corpus("moov_none.m2")
    header, trailer = one[:470], one[-426:]
    body = one[470:-426]
    data = header + body * 3000 + trailer            # about 7 MB

    class Counting(io.BytesIO):
        taken = 0

        def read(self, n: int = -1) -> bytes:        # type: ignore[override]
            out = super().read(n)
            Counting.taken += len(out)
            return out

    stream = Counting(data)
    it = read_records(stream, "metro2")
    for _ in range(100):
        next(it)
    assert Counting.taken < 3 << 20


# --------------------------------------------------------------------------- writer layouts

LAYOUTS = [
    Layout(packed=packed, packed_encoding=enc, blocked=blocked, fixed_length=fixed, newline=nl)
    for packed, enc, blocked, fixed, nl in itertools.product(
        [False, True], ["decimal", "binary"], [False, True], [None, 1500], [b"", b"\n", b"\r\n"])
    if packed or enc == "decimal"
]


def write(records: list, layout: Layout | None = None, **kw: Any) -> bytes:
    buf = io.BytesIO()
    summary = write_metro2(records, buf, reporter_name="Acme Bank",
                           activity_date=date(2024, 5, 31), layout=layout, **kw)
    assert summary.bytes_written == len(buf.getvalue())
    return buf.getvalue()


@pytest.fixture(scope="module")
def records() -> list:
    return _records()


@pytest.fixture(scope="module")
def reference(records: list) -> list:
    items = read(write(records))
    assert line_errors(items) == []
    return items


@pytest.mark.parametrize("layout", LAYOUTS, ids=repr)
def test_every_layout_written_reads_back_the_same(layout: Layout, records: list,
                                                  reference: list) -> None:
    data = write(records, layout)
    assert read(data) == reference
    words = [r for r in frames(data)]
    assert all(isinstance(r, bytes) for r in words)
    if layout.fixed_length:
        grow = 60 if layout.packed else 0             # packed records come out 60 bytes longer
        assert {len(r) for r in words} == {layout.fixed_length + grow}
    if layout.packed:
        assert data[2 + 4 * layout.blocked:4 + 4 * layout.blocked] == b"\0\0"
    assert not data.endswith(b"\n")


def test_the_old_keywords_map_onto_layouts(records: list) -> None:
    assert write(records, variable=True, newline=True) == \
        write(records, Layout(blocked=True, newline=b"\n"))
    assert write(records) == write(records, Layout())


def test_frame_writes_what_it_is_given() -> None:
    lf = corpus("lf.m2")
    recs = [r for r in frames(lf) if isinstance(r, bytes)]
    out = io.BytesIO()
    assert frame(recs, out, Layout(newline=b"\n")) == len(lf) - 1    # no final newline
    assert out.getvalue() + b"\n" == lf
    with pytest.raises(ValueError, match="fixed length"):
        frame(recs, io.BytesIO(), Layout(fixed_length=600))
    with pytest.raises(ValueError, match="newline"):
        Layout(newline=b"\r")  # type: ignore[arg-type]


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LAYOUTS), st.lists(st.integers(0, 200), max_size=12))
def test_any_written_file_reads_back(layout: Layout, picks: list[int]) -> None:
    originals = _records()
    chosen = [originals[i % len(originals)] for i in picks]
    data = write(chosen, layout)
    assert read(data) == read(write(chosen))
    assert [parse_account_record(i.fields) for i in read(data)] == \
        [parse_account_record(i.fields) for i in read(write(chosen))]


def _consume(data: bytes) -> list:
    try:
        it = read_records(io.BytesIO(data), "metro2")
    except FileUnreadable:
        return []
    items = list(it)        # nothing but FileUnreadable at open may be raised
    for item in items:
        assert isinstance(item, RawRecord | LineError)
        if isinstance(item, LineError):
            assert item.line >= 1 and item.field and item.message
        else:
            with contextlib.suppress(ValidationFailed):
                parse_account_record(item.fields)
    return items


_EDITS = st.lists(st.tuples(st.integers(0, 20_000), st.sampled_from([0, 10, 13, 32, 48, 255]),
                            st.sampled_from(["set", "del", "ins"])), min_size=1, max_size=6)


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LAYOUTS), _EDITS, st.integers(0, 500))
def test_mutated_files_of_every_layout_give_line_errors(layout: Layout, edits: list,
                                                       cut: int) -> None:
    data = write(_records()[:12], layout)
    _consume(mutate(data, edits, cut))


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(p.name for p in CORPUS.glob("*.m2"))), _EDITS, st.integers(0, 500))
def test_mutated_corpus_files_give_line_errors(name: str, edits: list, cut: int) -> None:
    _consume(mutate(corpus(name), edits, cut))


def test_one_damaged_record_costs_one_error_in_every_layout(records: list,
                                                            reference: list) -> None:
    """A length word destroyed in the middle of a file: one error, the rest read."""
    for layout in LAYOUTS:
        data = bytearray(write(records, layout))
        recs = [r for r in frames(bytes(data))]
        sizes = [len(r) - (60 if layout.packed else 0) + 4 * layout.blocked
                 + len(layout.newline) for r in recs]
        at = sum(sizes[:10])                      # the 10th data record's first length word
        data[at:at + 2] = b"\xff\xff" if layout.packed else b"X!"
        items = read(bytes(data))
        errs = line_errors(items)
        assert [e[0] for e in errs] == [11], (layout, errs)
        assert [i for i in items if isinstance(i, RawRecord)] == \
            [i for i in reference if i.line != 11], layout


# --------------------------------------------------------------------------- the two readers


@pytest.fixture(scope="module")
def bench_file_records() -> list:
    bench = pytest.importorskip("bench.furnishing")
    return list(bench.latest_month_records(300, 11))


def _blocks(data: bytes) -> int:
    from openbureau.adapters.metro2 import read_metro2
    from openbureau.adapters.metro2_columns import Block
    from tests.unit.test_metro2_columns import _hash

    return sum(len(i) for i in read_metro2(io.BytesIO(data), batch=64, hasher=_hash)
               if isinstance(i, Block))


@pytest.mark.parametrize("layout", LAYOUTS, ids=repr)
def test_column_and_record_readers_agree_on_every_layout(layout: Layout,
                                                         bench_file_records: list) -> None:
    from tests.unit.test_metro2_columns import same_both_ways

    data = write(bench_file_records, layout)
    rows = same_both_ways(data, 64)
    assert rows >= len(bench_file_records)
    # the layout does not change what the column reader takes
    assert _blocks(data) == _blocks(write(bench_file_records))


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LAYOUTS), _EDITS, st.integers(0, 2000), st.sampled_from([1, 7, 64]))
def test_column_and_record_readers_agree_on_mutated_files(bench_file_records: list,
                                                          layout: Layout, edits: list, cut: int,
                                                          batch: int) -> None:
    from tests.unit.test_metro2_columns import same_both_ways

    data = write(bench_file_records[:40], layout)
    same_both_ways(mutate(data, edits, cut), batch)
