"""kill -9 of a real server in the middle of a large Metro 2 ingest and of a large JSON batch;
restart; re-send. Every record ends up stored exactly once or reported rejected, and the audit
chain still verifies.

Runs on PostgreSQL (a database of its own per test), the production store.
"""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from openbureau.adapters.metro2_writer import write_metro2
from openbureau.domain.records import AccountRecord, parse_account_record
from openbureau.services import furnishing
from tests.e2e.server import Server, auth, cli, create_org, postgres_env

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MONTHS = [date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30)]
BALANCE_AT = 154      # 0-based offset of the Metro 2 base segment's Current Balance (9 bytes)


def record(i: int, as_of: date, **over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "subject": {"national_id": f"{300000000 + i:09d}", "name": f"ADA Q LOVELACE{i % 97}",
                    "date_of_birth": "1985-12-10"},
        "account_ref": f"CARD-{i}", "as_of": as_of.isoformat(), "kind": "revolving",
        "opened_on": "2019-04-01", "credit_limit": 500000, "balance": 100 * (i % 4000),
        "amount_past_due": 0, "status": "current", "ecoa": "individual", "currency": "USD"}
    rec.update(over)
    return rec


class Db:
    """Read-only checks on the server's database, from outside the server."""

    def __init__(self, env: dict[str, str]) -> None:
        url = env["OPENBUREAU_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        self.engine = create_engine(url, connect_args={"connect_timeout": 5})

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def stored_keys(self) -> list[tuple[str, date]]:
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(text(
                "SELECT a.account_ref, m.as_of FROM account_months m "
                "JOIN accounts a ON a.id = m.account_id"))]

    def assert_stored_once(self, expected: set[tuple[str, date]], accounts: int,
                           subjects: int) -> None:
        stored = self.stored_keys()
        assert len(stored) == len(set(stored)), "an (account, month) is stored twice"
        assert set(stored) == expected
        assert self.scalar("SELECT count(*) FROM accounts") == accounts
        assert self.scalar("SELECT count(DISTINCT (furnisher_id, account_ref, subject_id)) "
                           "FROM accounts") == accounts
        assert self.scalar("SELECT count(*) FROM subjects") == subjects

    def close(self) -> None:
        self.engine.dispose()


def audit_verifies(env: dict[str, str]) -> dict[str, Any]:
    r = cli(env, "audit", "verify", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    result: dict[str, Any] = json.loads(r.stdout)
    assert result["ok"] is True
    return result


def wait_until(predicate: Any, timeout: float, what: str, step: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# -- Metro 2 file ------------------------------------------------------------------------------

ACCOUNTS = 12_000            # x 3 months = 36,000 records, four PostgreSQL chunks
CORRUPT_EVERY = 997          # these records carry a non-numeric balance: rejected by line


def metro2_file() -> tuple[bytes, set[tuple[str, date]], set[int]]:
    """The file, the (account, month) keys it should store, and the lines it should reject."""
    dicts = [record(i, m) for m in MONTHS for i in range(ACCOUNTS)]
    dicts += dicts[:50]                                        # re-sent months: stored once
    records: list[AccountRecord] = [parse_account_record(d) for d in dicts]
    out = io.BytesIO()
    write_metro2(records, out, reporter_name="FIRST BANK", activity_date=MONTHS[-1])
    data = bytearray(out.getvalue())
    bad_lines: set[int] = set()
    expected: set[tuple[str, date]] = set()
    for n, rec in enumerate(records):
        line = n + 2                                           # the header is line 1
        if n % CORRUPT_EVERY == 7:
            at = 426 * (n + 1) + BALANCE_AT
            data[at:at + 9] = b"12X4567AB"
            bad_lines.add(line)
        else:
            expected.add((rec.account_ref, rec.as_of))
    return bytes(data), expected, bad_lines


def test_kill_9_during_a_metro2_ingest_then_restart_finishes_it_exactly_once(tmp_path: Path
                                                                             ) -> None:
    data, expected, bad_lines = metro2_file()
    n_records = len(data) // 426 - 2
    assert furnishing.CHUNK_BY_DIALECT["postgresql"] * 2 < n_records   # several commits
    with postgres_env(tmp_path) as env:
        key = create_org(env, "furnisher", "First Bank")
        db = Db(env)
        srv = Server(env, tmp_path / "server.log")
        try:
            srv.start()
            r = httpx.post(srv.url + "/v1/furnisher/files", headers=auth(key), timeout=120,
                           files={"file": ("big.m2", data, "application/octet-stream")})
            assert r.status_code == 202, r.text
            file_id = r.json()["file_id"]

            def mid_ingest() -> int | None:
                st = httpx.get(f"{srv.url}/v1/furnisher/files/{file_id}", headers=auth(key),
                               timeout=30).json()
                assert st["status"] in ("queued", "running"), f"finished before the kill: {st}"
                stored = db.scalar("SELECT count(*) FROM account_months")
                return stored if st["status"] == "running" and stored > 0 else None

            stored_at_kill = wait_until(mid_ingest, 300, "the ingest to be part-way", 0.05)
            srv.kill()
            assert 0 < stored_at_kill < len(expected)
            assert db.scalar("SELECT status FROM furnishing_files WHERE ref = :i",
                             i=file_id) == "running"
            stored_after_kill = db.scalar("SELECT count(*) FROM account_months")
            assert stored_after_kill < len(expected)      # the kill did interrupt the ingest

            # the restarted server finishes the file by itself (resume_pending at start-up)
            srv.start()

            def finished() -> dict[str, Any] | None:
                st: dict[str, Any] = httpx.get(f"{srv.url}/v1/furnisher/files/{file_id}",
                                               headers=auth(key), timeout=30).json()
                return st if st["status"] in ("done", "failed") else None

            summary = wait_until(finished, 600, "the resumed ingest to finish", 0.5)
            assert summary["status"] == "done", summary
            assert summary["records"] == n_records
            assert summary["accepted"] == n_records - len(bad_lines)
            assert summary["rejected"] == len(bad_lines)
            assert {e["line"] for e in summary["errors"]} == bad_lines
            db.assert_stored_once(expected, accounts=ACCOUNTS, subjects=ACCOUNTS)

            # and the furnisher re-sending the whole file changes nothing
            before = db.scalar("SELECT max(furnished_at) FROM account_months")
            r = httpx.post(srv.url + "/v1/furnisher/files", headers=auth(key), timeout=120,
                           files={"file": ("big-again.m2", data, "application/octet-stream")})
            again_id = r.json()["file_id"]
            again = wait_until(lambda: (lambda s: s if s["status"] == "done" else None)(
                httpx.get(f"{srv.url}/v1/furnisher/files/{again_id}", headers=auth(key),
                          timeout=30).json()), 600, "the re-sent file", 0.5)
            assert again["accepted"] == summary["accepted"]
            db.assert_stored_once(expected, accounts=ACCOUNTS, subjects=ACCOUNTS)
            assert db.scalar("SELECT max(furnished_at) FROM account_months") == before
        finally:
            srv.stop()
            db.close()
        print(f"metro2: {n_records} records, killed with {stored_at_kill} of {len(expected)} "
              f"months stored ({stored_after_kill} after the kill); resumed: "
              f"{summary['accepted']} accepted, {summary['rejected']} rejected; "
              f"{len(expected)} months stored once")
        audit_verifies(env)


# -- JSON batch --------------------------------------------------------------------------------

BATCH = 10_000


def json_batch() -> tuple[list[dict[str, Any]], set[tuple[str, date]], set[int]]:
    records, expected, bad = [], set(), set()
    for i in range(BATCH):
        m = MONTHS[i % 3]
        if i % 1000 == 3:
            records.append(record(50_000 + i, m, status="sometimes_late"))
            bad.add(i)
        else:
            records.append(record(50_000 + i // 3, m))
            expected.add((f"CARD-{50_000 + i // 3}", m))
    return records, expected, bad


def test_kill_9_during_a_json_batch_then_resend_stores_each_record_once(tmp_path: Path
                                                                       ) -> None:
    records, expected, bad = json_batch()
    n_accounts = len({ref for ref, _ in expected})
    body = json.dumps({"records": records}).encode()
    with postgres_env(tmp_path) as env:
        key = create_org(env, "furnisher", "First Bank")
        db = Db(env)
        srv = Server(env, tmp_path / "server.log")
        outcome: dict[str, Any] = {}

        def send() -> None:
            try:
                outcome["response"] = httpx.post(
                    srv.url + "/v1/furnisher/accounts:batch", content=body, timeout=300,
                    headers={**auth(key), "Content-Type": "application/json"})
            except httpx.HTTPError as exc:
                outcome["error"] = exc

        try:
            srv.start()
            sender = threading.Thread(target=send)
            sender.start()
            # kill while the server is writing the batch, its transaction open
            wait_until(lambda: "response" in outcome or db.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                "AND backend_type = 'client backend' "
                "AND query ~* '^\\s*(INSERT|UPDATE)'"), 300, "the batch's writes", 0.02)
            killed_mid_request = "response" not in outcome
            srv.kill()
            sender.join(60)
            assert killed_mid_request and "error" in outcome, \
                f"the server answered before the kill: {outcome}"
            # one chunk is one transaction: after a kill, all or nothing of it is stored
            single_chunk = furnishing.CHUNK_BY_DIALECT["postgresql"] >= BATCH
            after_kill = len(set(db.stored_keys()))
            if single_chunk:
                assert after_kill in (0, len(expected)), after_kill

            srv.start()
            r = httpx.post(srv.url + "/v1/furnisher/accounts:batch", content=body, timeout=300,
                           headers={**auth(key), "Content-Type": "application/json"})
            assert r.status_code == 200, r.text
            result = r.json()
            assert result["accepted"] == BATCH - len(bad)
            assert {x["index"] for x in result["rejected"]} == bad
            db.assert_stored_once(expected, accounts=n_accounts, subjects=n_accounts)
            # a second re-send still changes nothing
            r = httpx.post(srv.url + "/v1/furnisher/accounts:batch", content=body, timeout=300,
                           headers={**auth(key), "Content-Type": "application/json"})
            assert r.status_code == 200 and r.json()["accepted"] == BATCH - len(bad)
            db.assert_stored_once(expected, accounts=n_accounts, subjects=n_accounts)
        finally:
            srv.stop()
            db.close()
        print(f"json batch: {BATCH} records, killed mid-request with {after_kill} months "
              f"stored; re-sent: {result['accepted']} accepted, {len(result['rejected'])} "
              f"rejected; {len(expected)} months stored once")
        audit_verifies(env)
