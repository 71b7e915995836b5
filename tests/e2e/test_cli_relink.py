"""``openbureau identity relink`` end to end (SQLite and PostgreSQL): a run stopped after a
stage continues in its directory, and no identifier reaches the output."""

from __future__ import annotations

import json

from tests.e2e.test_cli import NID, csv_file, env, good_row, ready, run  # noqa: F401, F811


def test_relink_stops_continues_and_applies(ready, tmp_path):  # noqa: F811
    rows = [good_row("CARD-1"), good_row("CARD-2", subject_national_id="900300400",
                                          subject_name="Grace Hopper",
                                          subject_date_of_birth="1976-01-02")]
    assert run(ready, "ingest", str(csv_file(tmp_path / "a.csv", rows)),
               "--furnisher", "First Bank").exit_code == 0
    folder = tmp_path / "run"
    r = run(ready, "identity", "relink", "--run-dir", str(folder), "--stop-after", "pairs",
            "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["completed"] == ["extract", "pairs"]
    r = run(ready, "identity", "relink", "--run-dir", str(folder), "--apply", "--json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["completed"] == ["extract", "pairs", "clusters", "proposals", "apply"]
    assert body["stages"]["extract"]["records"] == 2
    assert body["stages"]["apply"]["merged"] == 0
    r = run(ready, "identity", "relink", "--engine", "nope")
    assert r.exit_code == 2
    text = r.output + "".join(p.read_text(errors="replace") for p in folder.glob("*.json"))
    for value in (NID, "900300400", "Lovelace", "Hopper", "1985-12-10"):
        assert value not in text
    assert NID.encode() not in (folder / "records.parquet").read_bytes()
