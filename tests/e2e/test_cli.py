"""The command line, end to end on a fresh database per test (SQLite and PostgreSQL):
exit codes, --json outputs fixed by api.md, and identifiers kept out of output and logs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openbureau.cli import app
from openbureau.domain.records import parse_account_record
from tests.conftest import TEST_KEYS, _postgres_engine

NID = "900100200"


@pytest.fixture(params=["sqlite", "postgres"])
def env(request, tmp_path: Path) -> dict[str, str]:
    values = {"OPENBUREAU_VAR_DIR": str(tmp_path / "var"), "OPENBUREAU_ENVIRONMENT": "test",
              "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"],
              "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
              "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"]}
    if request.param == "sqlite":
        values["OPENBUREAU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
        yield values
    else:
        gen = _postgres_engine()
        engine = next(gen)
        values["OPENBUREAU_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        yield values
        next(gen, None)


def run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def csv_file(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = list(dict.fromkeys(c for r in rows for c in r))
    path.write_text(",".join(cols) + "\n" + "".join(
        ",".join(r.get(c, "") for c in cols) + "\n" for r in rows))
    return path


def good_row(ref: str = "CARD-1", **over: str) -> dict[str, str]:
    row = {"subject_national_id": NID, "subject_name": "Ada Lovelace",
           "subject_date_of_birth": "1985-12-10", "account_ref": ref, "as_of": "2026-10-31",
           "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": "500000",
           "balance": "120000", "amount_past_due": "0", "status": "current",
           "ecoa": "individual", "currency": "USD"}
    row.update(over)
    return row


@pytest.fixture
def ready(env) -> dict[str, str]:
    assert run(env, "db", "upgrade").exit_code == 0
    r = run(env, "org", "create", "--role", "furnisher", "--name", "First Bank", "--json")
    assert r.exit_code == 0
    return env


def test_commands_refuse_an_out_of_date_schema(env):
    r = run(env, "org", "list")
    assert r.exit_code == 2
    assert "openbureau db upgrade" in r.stderr


def test_org_create_json_prints_one_object(env):
    run(env, "db", "upgrade")
    r = run(env, "org", "create", "--role", "member", "--name", "Lender", "--json")
    assert r.exit_code == 0
    body = json.loads(r.stdout)
    assert set(body) == {"id", "name", "role", "key"}
    assert body["role"] == "member" and body["key"].startswith("ob_")
    again = run(env, "org", "create", "--role", "member", "--name", "Lender")
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = run(env, "org", "create", "--role", "spy", "--name", "X")
    assert bad.exit_code == 2 and "role" in bad.stderr


def test_ingest_exit_codes_and_line_errors(ready, tmp_path):
    ok = csv_file(tmp_path / "ok.csv", [good_row()])
    r = run(ready, "ingest", str(ok), "--furnisher", "First Bank", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["accepted"] == 1

    mixed = csv_file(tmp_path / "mixed.csv", [good_row("A"), good_row("B", balance="12x"),
                                              good_row("C", opened_on="2019-02-30")])
    r = run(ready, "ingest", str(mixed), "--furnisher", "First Bank", "--json")
    assert r.exit_code == 1
    body = json.loads(r.stdout)
    assert (body["records"], body["accepted"], body["rejected"]) == (3, 1, 2)
    assert {(e["line"], e["field"]) for e in body["errors"]} == {(3, "balance"),
                                                                 (4, "opened_on")}

    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"")
    r = run(ready, "ingest", str(junk), "--furnisher", "First Bank")
    assert r.exit_code == 2

    prohibited = csv_file(tmp_path / "p.csv", [good_row() | {"political_party": "x"}])
    r = run(ready, "ingest", str(prohibited), "--furnisher", "First Bank")
    assert r.exit_code == 2 and "political" in r.stderr.lower()

    r = run(ready, "ingest", str(ok), "--furnisher", "Nobody")
    assert r.exit_code == 2 and "no furnisher" in r.stderr


def test_ingest_names_the_lines_whose_income_was_not_stored(ready, tmp_path):
    """Income without a consent in force: the record is stored (exit 0) without it, and the
    summary says so on that line, the reason first."""
    src = csv_file(tmp_path / "income.csv", [good_row(), good_row(
        "LOAN-1", monthly_income="400000", consent_ref="signed-form-17")])
    r = run(ready, "ingest", str(src), "--furnisher", "First Bank")
    assert r.exit_code == 0, r.output
    assert "warnings (records stored in part): 1" in r.stdout
    assert "line 3: monthly_income: no consent recorded under this consent_ref" in \
        " ".join(r.stdout.split())
    r = run(ready, "ingest", str(src), "--furnisher", "First Bank", "--json")
    body = json.loads(r.stdout)
    assert (body["accepted"], body["rejected"], body["warnings_total"]) == (2, 0, 1)
    assert body["warnings"][0]["line"] == 3


def test_metro2_export_round_trips(ready, tmp_path):
    rows = [good_row("A"), good_row("B", kind="installment", credit_limit="",
                                    status="dpd30", amount_past_due="5000",
                                    date_of_first_delinquency="2026-09-30")]
    src = csv_file(tmp_path / "in.csv", rows)
    r = run(ready, "ingest", str(src), "--furnisher", "First Bank")
    assert r.exit_code == 0, r.output
    out = tmp_path / "out.m2"
    r = run(ready, "export", "--furnisher", "First Bank", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[4:10] == b"HEADER"
    # the exported file ingests again with nothing changed and nothing rejected
    r = run(ready, "ingest", str(out), "--furnisher", "First Bank", "--json")
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["accepted"] == 2
    from openbureau.adapters.fileformats import RawRecord, read_records

    with out.open("rb") as f:
        back = [parse_account_record(x.fields) for x in read_records(f)
                if isinstance(x, RawRecord)]
    assert sorted(r.account_ref for r in back) == ["A", "B"]
    b = next(r for r in back if r.account_ref == "B")
    assert (b.status.value, b.amount_past_due, b.date_of_first_delinquency) == \
        ("dpd30", 5000, date(2026, 9, 30))


def test_consumer_invite_json_and_masking(ready, tmp_path):
    run(ready, "ingest", str(csv_file(tmp_path / "a.csv", [good_row()])), "--furnisher",
        "First Bank")
    r = run(ready, "consumer", "invite", NID, "--json")
    assert r.exit_code == 0
    body = json.loads(r.stdout)
    assert set(body) == {"national_id_masked", "enrolment_code"}
    assert body["national_id_masked"] == "*****0200"
    r = run(ready, "consumer", "invite", "111222333")
    assert r.exit_code == 2 and "111222333" not in r.output


def test_audit_verify_and_deadlines(ready, tmp_path):
    run(ready, "ingest", str(csv_file(tmp_path / "a.csv", [good_row()])), "--furnisher",
        "First Bank")
    r = run(ready, "audit", "verify")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True
    r = run(ready, "deadlines", "run", "--now", "2034-01-01T00:00:00+00:00")
    assert r.exit_code == 0
    assert set(json.loads(r.stdout)) >= {"disputes_expired", "accounts_past_retention"}
    assert run(ready, "deadlines", "run", "--now", "yesterday").exit_code == 2
    both = run(ready, "deadlines", "run", "--now", "2034-01-01T00:00:00+00:00", "--every", "60")
    assert both.exit_code == 2 and "--every" in both.stderr


def test_identifiers_never_reach_logs_or_output(ready, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bad = csv_file(tmp_path / "b.csv", [good_row("A"), good_row("B", status="dpd60")])
    r = run(ready, "ingest", str(bad), "--furnisher", "First Bank", "--json")
    invite = run(ready, "consumer", "invite", NID, "--json")
    text = r.output + invite.output + caplog.text
    assert NID not in text
    assert "0200" in invite.output   # the masked form is what is shown


def test_installed_entry_point(env):
    exe = Path(sys.executable).with_name("openbureau")
    r = subprocess.run([str(exe), "db", "upgrade"], env={**os.environ, **env},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "active model" in r.stderr


def test_deadlines_loop_for_schedulerless_deployments(ready):
    import signal
    import time

    exe = Path(sys.executable).with_name("openbureau")
    proc = subprocess.Popen([str(exe), "deadlines", "run", "--every", "1"],
                            env={**os.environ, **ready}, stdout=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while len(lines) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line:
                lines.append(line)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert len(lines) == 2
    assert all("disputes_expired" in json.loads(x) for x in lines)
