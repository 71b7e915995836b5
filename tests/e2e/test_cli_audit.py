"""``openbureau audit checkpoint`` and ``audit verify [--checkpoint FILE]`` end to end, on SQLite
and PostgreSQL (security finding 8): exit 0 when the chain and every checkpoint hold, 1 when
either was tampered with (nothing checkpointed then), 2 when the checkpoint file cannot be
read; and ``db upgrade`` seals a chain written before the key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from sqlalchemy import delete, select, update

from openbureau.adapters import audit
from openbureau.adapters.database import make_engine
from openbureau.adapters.tables import audit_events
from tests.conftest import TEST_KEYS
from tests.e2e.test_cli import csv_file, env, good_row, ready, run  # noqa: F401
from tests.integration.test_audit_keyed import rechain, unkeyed
from tests.integration.test_audit_migration import LEGACY, migrate, write_unkeyed_chain

KEY = audit.ChainKey(base64.b64decode(TEST_KEYS["audit_key"]))


def _with_key(row, prev: str) -> tuple[str, str | None]:
    return audit.event_mac(KEY, row.seq, row.at, row.actor, row.action, row.subject_ref,
                           row.purpose, row.detail, prev), audit.KEYED


def _delete_and_rechain(env: dict[str, str], target: int, compute) -> None:  # noqa: F811
    engine = make_engine(env["OPENBUREAU_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == target))
        for seq in conn.execute(select(audit_events.c.seq).where(audit_events.c.seq > target)
                                .order_by(audit_events.c.seq)).scalars().all():
            conn.execute(update(audit_events).where(audit_events.c.seq == seq)
                         .values(seq=seq - 1))
        rechain(conn, target, compute)
    engine.dispose()


def _events(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    rows = [good_row(f"CARD-{i}") for i in range(3)]
    r = run(env, "ingest", str(csv_file(tmp_path / "a.csv", rows)), "--furnisher",
            "First Bank")
    assert r.exit_code == 0, r.output
    for name in ("Lender A", "Lender B"):
        assert run(env, "org", "create", "--role", "member", "--name", name).exit_code == 0


def test_checkpoint_then_verify_catches_rechaining_with_the_key(ready, tmp_path):  # noqa: F811
    _events(ready, tmp_path)
    log = tmp_path / "published" / "checkpoints.jsonl"
    r = run(ready, "audit", "checkpoint", "--out", str(log))
    assert r.exit_code == 0, r.output
    line = json.loads(r.stdout)
    assert set(line) >= {"seq", "hash", "event_at", "taken_at", "mac", "file"}
    assert len(log.read_text().splitlines()) == 1
    r = run(ready, "audit", "verify", "--checkpoint", str(log))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["checkpoints"] == 1

    _delete_and_rechain(ready, 2, _with_key)          # an insider who holds the key
    assert run(ready, "audit", "verify").exit_code == 0
    r = run(ready, "audit", "verify", "--checkpoint", str(log))
    assert r.exit_code == 1
    assert json.loads(r.stdout)["first_bad_event"] == line["seq"]
    assert "checkpoint on line 1" in r.stderr
    before = log.read_text()
    r = run(ready, "audit", "checkpoint", "--out", str(log))
    assert r.exit_code == 1 and "not checkpointed" in r.stderr
    assert log.read_text() == before


def test_rechaining_without_the_key_fails_verify(ready, tmp_path):  # noqa: F811
    _events(ready, tmp_path)
    _delete_and_rechain(ready, 2, unkeyed)
    r = run(ready, "audit", "verify")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["first_bad_event"] == 2
    assert "audit chain broken" in r.stderr


def test_checkpoint_file_default_setting_and_bad_files(ready, tmp_path):  # noqa: F811
    _events(ready, tmp_path)
    assert run(ready, "audit", "checkpoint").exit_code == 0
    default = Path(ready["OPENBUREAU_VAR_DIR"]) / "audit-checkpoints.jsonl"
    assert len(default.read_text().splitlines()) == 1
    chosen = tmp_path / "chosen.jsonl"
    configured = {**ready, "OPENBUREAU_AUDIT_CHECKPOINT_FILE": str(chosen)}
    assert run(configured, "audit", "checkpoint").exit_code == 0
    assert run(configured, "audit", "checkpoint").exit_code == 0
    assert len(chosen.read_text().splitlines()) == 2
    assert run(ready, "audit", "verify", "--checkpoint", str(chosen)).exit_code == 0

    r = run(ready, "audit", "verify", "--checkpoint", str(tmp_path / "missing.jsonl"))
    assert r.exit_code == 2 and "no checkpoint file" in r.stderr
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("this is not a checkpoint\n")
    r = run(ready, "audit", "verify", "--checkpoint", str(garbage))
    assert r.exit_code == 2 and "line 1" in r.stderr
    assert run(ready, "audit", "checkpoint", "--out", str(garbage)).exit_code == 2


def test_db_upgrade_seals_a_chain_from_before_the_key(env):  # noqa: F811
    engine = make_engine(env["OPENBUREAU_DATABASE_URL"])
    migrate(engine, "0006")
    write_unkeyed_chain(engine, LEGACY)
    engine.dispose()
    # the upgrade writes keyed events after the old ones (the shipped models' registration, or
    # else ``audit.chain_keyed``), so the old ones verify under them
    r = run(env, "db", "upgrade")
    assert r.exit_code == 0, r.output
    r = run(env, "audit", "verify")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["unkeyed_events"] == LEGACY
    assert "predate the audit key" in r.stderr
