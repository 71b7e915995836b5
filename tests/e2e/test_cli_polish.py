"""The command line reads well: one line per error however narrow the terminal or when piped,
counts in words ("1 record"), no Python reprs, help text for every option and argument."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import typer.main

from openbureau.cli import app
from tests.conftest import REPO, TEST_KEYS
from tests.e2e.test_cli import csv_file, good_row

LONG = ("A very long organisation name that goes on and on to see whether the message is "
        "wrapped [bold]mid-message[/bold]")


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENBUREAU_VAR_DIR": str(tmp_path / "var"),
           "OPENBUREAU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "OPENBUREAU_ENVIRONMENT": "test", "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"],
           "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
           "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"], "COLUMNS": "40",
           "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-c", "from openbureau.cli import app; app()", *args],
                          env=env, capture_output=True, text=True, timeout=300)


def test_piped_output_is_one_line_per_message_and_counts_in_words(tmp_path):
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    created = _cli(tmp_path, "org", "create", "--role", "furnisher", "--name", LONG)
    assert created.returncode == 0
    assert f"created furnisher {LONG} (id" in created.stdout.splitlines()[0]
    again = _cli(tmp_path, "org", "create", "--role", "furnisher", "--name", LONG)
    assert again.returncode != 0
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and LONG in lines[0], again.stderr

    one = csv_file(tmp_path / "one.csv", [good_row()])
    ingested = _cli(tmp_path, "ingest", str(one), "--furnisher", LONG)
    assert ingested.returncode == 0, ingested.stderr
    assert "done: 1 record, 1 accepted, 0 rejected" in ingested.stdout

    seeded = _cli(tmp_path, "demo", "seed", "--subjects", "3", "--no-showcase")
    assert seeded.returncode == 0, seeded.stderr
    line = next(x for x in seeded.stdout.splitlines() if x.startswith("seeded:"))
    assert "3 people" in line and "{" not in line and "'" not in line
    # the Makefile's ``demo`` re-runs it with --if-empty: the files held are counted, none added
    kept = _cli(tmp_path, "demo", "seed", "--subjects", "3", "--no-showcase", "--if-empty")
    assert kept.returncode == 0, kept.stderr
    assert "4 credit files already held; not seeding" in " ".join(kept.stderr.split())

    # a fresh var directory (nothing served yet) is made for the credentials file
    creds = _cli(tmp_path, "demo", "credentials")
    assert creds.returncode == 0, creds.stderr
    assert "demo credentials" in creds.stdout and "Traceback" not in creds.stderr
    assert (tmp_path / "var" / "demo-credentials.json").exists()


def test_every_option_and_argument_has_help():
    """Every command has help whose summary is one line (a group's list of commands prints
    the summary's line breaks as they are), and so has every option and argument."""
    missing = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])
        if not getattr(cmd, "commands", None):
            missing.extend(f"{' '.join(path)} {p.name}" for p in cmd.params
                           if not getattr(p, "help", None))
        summary = (cmd.help or "").strip().split("\n\n")[0]
        if not summary or "\n" in summary:
            missing.append(f"{' '.join(path)}: {summary!r}")

    walk(typer.main.get_command(app), ["openbureau"])
    assert missing == []
