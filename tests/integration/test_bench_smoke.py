"""The furnishing benchmark still runs: its Metro 2 file reads back whole, and a tiny run ingests
every record into a scratch PostgreSQL database. Counts only; never times."""

from __future__ import annotations

from pathlib import Path

import pytest

from openbureau.adapters.fileformats import LineError, RawRecord, read_records
from tests.conftest import postgres_or_skip

bench = pytest.importorskip("bench.furnishing")


def test_bench_file_is_read_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "bench.metro2"
    written = bench.write_file(path, 300)
    with path.open("rb") as f:
        items = list(read_records(f))
    assert [i for i in items if isinstance(i, LineError)] == []
    records = [i for i in items if isinstance(i, RawRecord)]
    assert len(records) == 300
    assert written["j1"] > 0
    # a J1 segment is read as its own record of the same account, for a different person
    lines = [r.line for r in records]
    assert len(set(lines)) == 300 - written["j1"]


def test_bench_ingests_every_record(tmp_path: Path) -> None:
    postgres_or_skip()
    result = bench.run(300, workdir=tmp_path, log=lambda *_: None)
    assert (result.records, result.accepted, result.rejected) == (300, 300, 0)
    assert result.stored["account_months"] == 300
    assert result.stored["accounts"] == 300
    assert 0 < result.stored["subjects"] < 300
    assert "records/s" in bench.render(result)
    # the second floor copies back exactly what the ingest stored
    assert result.stored_rows["accounts"] == 300
    assert result.stored_rows["subjects"] == result.stored["subjects"]
    assert result.stored_rows["identity_observations"] >= result.stored["subjects"]
    assert result.stored_rows["audit_events"] >= result.stored["subjects"]
    assert result.stored_floor_s > 0 and result.stored_floor_ratio > 0


def test_bench_measures_memory_and_the_invalid_file(tmp_path: Path) -> None:
    postgres_or_skip()
    result = bench.run(200, workdir=tmp_path, log=lambda *_: None)
    assert result.invalid_records == result.invalid_rejected == 200
    assert 0 < result.invalid_errors_kept <= 200
    assert result.peak_rss_mib > 0 and result.invalid_peak_rss_mib > 0
    assert result.floor_ratio > 0
    text = bench.render(result)
    assert "peak memory" in text and "indexed tables" in text
