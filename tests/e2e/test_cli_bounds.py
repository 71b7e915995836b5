"""The command line applies the rules the API applies (docs/security.md, "One validation for
every entry point"): names that are no name and dates out of bounds are refused in an ingested
file, an organisation's name, and ``deadlines run --now``."""

from __future__ import annotations

import json

from tests.e2e.test_cli import env, good_row, ready, run  # noqa: F401 - fixtures

INVISIBLE = "\u200b\u200f\u200e"


def test_ingest_refuses_invisible_names_and_dates_out_of_bounds(ready, tmp_path):  # noqa: F811
    rows = [good_row("A"), good_row("B", subject_name=INVISIBLE),
            good_row("C", subject_name="Ada\u202eecalevoL"),
            good_row("D", subject_date_of_birth="1800-01-01"),
            good_row("E", as_of="2101-01-31", opened_on="2101-01-01")]
    cols = list(rows[0])
    path = tmp_path / "bounds.csv"
    path.write_bytes((",".join(cols) + "\n" + "".join(
        ",".join(r[c] for c in cols) + "\n" for r in rows)).encode("utf-8"))
    r = run(ready, "ingest", str(path), "--furnisher", "First Bank", "--json")
    assert r.exit_code == 1, r.output
    body = json.loads(r.stdout)
    assert (body["records"], body["accepted"], body["rejected"]) == (5, 1, 4)
    assert {(e["line"], e["field"]) for e in body["errors"]} == {
        (3, "subject.name"), (4, "subject.name"), (5, "subject.date_of_birth"), (6, "as_of"),
        (6, "opened_on")}


def test_org_create_refuses_a_name_of_invisible_characters(ready):  # noqa: F811
    r = run(ready, "org", "create", "--role", "member", "--name", INVISIBLE)
    assert r.exit_code == 2
    assert "name" in r.stderr and "invisible" in r.stderr
    assert INVISIBLE not in run(ready, "org", "list").stdout


def test_deadlines_now_is_bounded(ready):  # noqa: F811
    r = run(ready, "deadlines", "run", "--now", "2999-01-01T00:00:00+00:00")
    assert r.exit_code == 2 and "--now must not be after 2100-12-31" in r.stderr
    r = run(ready, "deadlines", "run", "--now", "0001-01-01T00:00:00+00:00")
    assert r.exit_code == 2 and "--now must not be before 1900-01-01" in r.stderr
