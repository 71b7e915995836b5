"""The column-wise Metro 2 path gives exactly what the record-by-record path gives.

The same bytes are read both ways: record by record (``read_records`` + ``parse_account_record``,
each accepted record rendered by ``bulk_store.render``) and in batches (``read_metro2(batch=...)``:
``metro2_columns`` blocks plus the records it leaves to the record-by-record path). The accepted
rows (every staging column but the random item ref) and the rejections (line, field, message)
must be equal -- on a clean file, on files with every field of some records disturbed, and on
randomly mutated files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters.fileformats import FileUnreadable, LineError, RawRecord, read_records
from openbureau.adapters.metro2 import read_metro2
from openbureau.adapters.metro2_columns import STAGE_COLUMNS, Block
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import parse_account_record
from openbureau.services.bulk_store import render
from tests.unit.test_metro2 import FUZZ_N, mutate

bench = pytest.importorskip("bench.furnishing")
_INTS = {name for name, kind in STAGE_COLUMNS if kind == "bigint"}


def _hash(nid: str) -> str:
    return hashlib.sha256(b"k" + nid.encode()).hexdigest()


def _row(line: bytes) -> tuple[Any, ...]:
    values = line.decode().split("\t")
    assert len(values) == len(STAGE_COLUMNS)
    out = []
    for (name, _), v in zip(STAGE_COLUMNS, values, strict=True):
        if name == "item_ref":
            assert v.startswith("acc_") and len(v) == 20
            continue
        out.append(None if v == "\\N" else int(v) if name in _INTS else v)
    return tuple(out)


def _rejections(out: list[tuple[int, str, str]], pos: int, errors: Any) -> None:
    out.extend((pos, e.field, e.message) for e in errors)


def _collect(items: Any) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]]]:
    """Staging rows and rejections from a reader's items: column blocks as they come, records
    and line errors one by one (the record path of the ingest)."""
    rows, rejected = [], []
    last = (-1, 0)
    for item in items:
        if isinstance(item, Block):
            for i, line in enumerate(item.lines):
                # the whole identity (observations, new subjects) and the month stored under
                who = item.subject(i)
                assert item.hmacs[i] == _hash(who.national_id) and who.name
                assert item.identity(i) == (who.national_id, who.name, who.date_of_birth)
                rows.append((*_row(line), repr(who), item.as_of(i).isoformat()))
            continue
        if isinstance(item, LineError):
            rejected.append((item.line, item.field, item.message))
            continue
        assert isinstance(item, RawRecord)
        try:
            rec = parse_account_record(item.fields)
        except ValidationFailed as exc:
            _rejections(rejected, item.line, exc.errors)
            continue
        last = (item.line, last[1] + 1 if last[0] == item.line else 0)
        seq = item.line * 16 + last[1]
        rows.append((*_row(render(rec, seq, _key(rec.subject))), repr(rec.subject),
                     rec.as_of.isoformat()))
    return rows, rejected


def _key(who: Any) -> str:
    """The staging key of a record's subject: the keyed hash of its national id, or (a record
    without one, which only the record-by-record path takes) one of its name and birth date."""
    if who.national_id:
        return _hash(who.national_id)
    return "~" + hashlib.sha256(f"{who.name}|{who.date_of_birth}".encode()).hexdigest()


def one_by_one(data: bytes) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]]]:
    return _collect(read_records(io.BytesIO(data), "metro2"))


def batched(data: bytes, batch: int) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]]]:
    rows, rejected = _collect(read_metro2(io.BytesIO(data), batch=batch, hasher=_hash))
    return sorted(rows), rejected


def same_both_ways(data: bytes, batch: int = 64) -> int:
    try:
        expected_rows, expected_rejected = one_by_one(data)
    except (FileUnreadable, ValidationFailed):
        with pytest.raises((FileUnreadable, ValidationFailed)):
            batched(data, batch)
        return 0
    rows, rejected = batched(data, batch)
    assert rows == sorted(expected_rows)
    # the same rejections, in the same order line by line (a structural error may come before
    # the batch of earlier lines; furnish() sorts them by line)
    assert sorted(rejected, key=lambda r: r[0]) == sorted(expected_rejected, key=lambda r: r[0])
    return len(rows)


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path: Path = tmp_path_factory.mktemp("m2") / "bench.metro2"
    bench.write_file(path, 400)
    return path.read_bytes()


def test_clean_file_is_read_column_wise(clean_file: bytes) -> None:
    assert same_both_ways(clean_file) == 400
    blocks = [i for i in read_metro2(io.BytesIO(clean_file), batch=100, hasher=_hash)
              if isinstance(i, Block)]
    # nothing was left to the slow path but records with segments other than one J1 (here:
    # collection accounts, which carry their original creditor in a K1 segment)
    from openbureau.synthetic.population import ORIGINAL_CREDITORS

    with_k1 = sum(clean_file.count(b"K1" + name.encode()) for name, _ in ORIGINAL_CREDITORS)
    assert with_k1 < 40
    assert sum(len(b) for b in blocks) == 400 - with_k1
    assert any(b.seqs[i] % 16 == 1 for b in blocks for i in range(len(b)))   # J1 rows


# byte offsets of the base fields within a variable-blocked record (BDW + RDW + ...)
_FIELDS = [(42, 30), (72, 1), (73, 2), (75, 8), (83, 9), (92, 9), (105, 9), (123, 2), (125, 1),
           (126, 24), (152, 2), (154, 9), (163, 9), (181, 8), (189, 8), (197, 8), (231, 25),
           (256, 20), (276, 20), (297, 9), (306, 8), (324, 1),
           # identification number, special comment, generation code, phone, country, address
           # lines, city, state, ZIP, address indicator, residence code
           (20, 20), (150, 2), (296, 1), (314, 10), (327, 2), (329, 32), (361, 32), (393, 20),
           (413, 2), (415, 9), (424, 1), (425, 1)]
_VALUES = [b" ", b"0", b"9", b"00000000", b"99999999", b"02302024", b"12312099", b"13012020",
           b"DA", b"DF", b"XB", b"XR", b"X", b"M", b"48", b"0C", b"Z", b"11", b"71", b"97",
           b"05", b"\\", b"\t", b"\xe9", b"A B", b" A", b"-", b"000000000", b"999999999",
           b"J", b"S", b"7", b"C", b"O", b"R", b"US", b"0000012345", b"2025550143", b"AB", b" M",
           b"10001-1234", b"-1234"]


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 399), st.sampled_from(_FIELDS),
                          st.sampled_from(_VALUES), st.booleans()), min_size=1, max_size=12))
def test_disturbed_fields_read_the_same_both_ways(clean_file: bytes, edits: list) -> None:
    buf = bytearray(clean_file)
    starts = _record_starts(clean_file)
    for rec, (at, width), value, pad in edits:
        start = starts[rec % len(starts)] + 4        # skip the BDW
        text = (value * width)[:width] if pad else value.ljust(width)[:width]
        buf[start + at:start + at + width] = text
    same_both_ways(bytes(buf))


@settings(max_examples=FUZZ_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 255),
                          st.sampled_from(["set", "del", "ins"])), min_size=1, max_size=6),
       st.integers(0, 2000), st.sampled_from([1, 7, 64]))
def test_mutated_files_read_the_same_both_ways(clean_file: bytes, edits: list, cut: int,
                                               batch: int) -> None:
    with contextlib.suppress(RecursionError):
        same_both_ways(mutate(clean_file, edits, cut), batch)


def _record_starts(data: bytes) -> list[int]:
    """Offsets of the data records' blocks (after the header, before the trailer)."""
    out, off = [], int(data[:4])
    while off < len(data):
        size = int(data[off:off + 4])
        if data[off + 8:off + 15] != b"TRAILER" and data[off + 4:off + 11] != b"TRAILER":
            out.append(off)
        off += size
    return out
