"""``openbureau serve --workers 2`` on PostgreSQL: two server processes answer on one port;
writes sent to both at once leave one gap-free audit chain (every writer takes the chain's head
row in turn, whichever process it runs in); a key both remember is refused by both the moment
another process revokes it; the access log holds nothing personal."""

from __future__ import annotations

import contextlib
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import OPENBUREAU, auth, cli, create_org, free_port, postgres_env
from tests.e2e.test_crash import Db, audit_verifies, record

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PEOPLE = 6
INQUIRIES = 48


def _workers(pid: int) -> list[int]:
    """The server's worker processes (uvicorn spawns them; multiprocessing's resource tracker
    is a child too, and not one of them)."""
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children
            if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_two_workers_share_one_audit_chain(tmp_path: Path) -> None:
    with postgres_env(tmp_path) as env:
        furnisher = create_org(env, "furnisher", "First Bank")
        member = create_org(env, "member", "Second Lender")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with (tmp_path / "server.log").open("ab") as log:
            proc = subprocess.Popen([OPENBUREAU, "serve", "--host", "127.0.0.1", "--port",
                                     str(port), "--workers", "2"],
                                    env={**env, "OPENBUREAU_LOG_LEVEL": "INFO"}, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        db = Db(env)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200 \
                            and len(_workers(proc.pid)) == 2:
                        break
                time.sleep(0.2)
            assert len(_workers(proc.pid)) == 2
            people = [record(i, date(2026, 10, 31)) for i in range(PEOPLE)]
            r = httpx.post(url + "/v1/furnisher/accounts:batch", headers=auth(furnisher),
                           json={"records": people}, timeout=60)
            assert r.status_code == 200 and r.json()["rejected"] == [], r.text

            def pull(i: int) -> int:
                body = {"subject": people[i % PEOPLE]["subject"], "purpose": "credit_application"}
                return httpx.post(url + "/v1/member/inquiries", headers=auth(member),
                                  json=body, timeout=60).status_code

            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(pull, range(INQUIRIES)))
            assert statuses == [201] * INQUIRIES
            assert db.scalar("SELECT count(*) FROM inquiries") == INQUIRIES
            assert db.scalar("SELECT count(*) FROM audit_events "
                             "WHERE action = 'inquiry.pull'") == INQUIRIES
            result = audit_verifies(env)
            assert result["events"] == db.scalar("SELECT max(seq) FROM audit_events")

            # a scrape, whichever worker answers, counts every worker's inquiries
            staff = auth(create_org(env, "operator", "Operations"))
            for _ in range(4):
                scraped = httpx.get(url + "/metrics", headers=staff, timeout=10)
                assert scraped.status_code == 200, scraped.text
                assert f"openbureau_inquiries_total {float(INQUIRIES)}" in scraped.text

            # both workers now remember the member's key (adapters/credential_cache.py);
            # revoked from another process, it is refused by both at once
            cli(env, "org", "revoke", "Second Lender")
            deadline = time.monotonic() + 2
            while pull(0) != 401:
                assert time.monotonic() < deadline, "the revoked key was still accepted"
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(pull, range(40))) == {401}

            # the access log names neither the client nor what a public search asked for
            assert httpx.get(url + "/v1/public/defaulters", params={"name": "Quillfeather"},
                             timeout=10).status_code == 200
            time.sleep(0.5)
            logged = (tmp_path / "server.log").read_text()
            access = [line for line in logged.splitlines() if "openbureau.access" in line]
            assert any('"POST /v1/member/inquiries" 201' in line for line in access)
            assert any('"GET /v1/public/defaulters" 200' in line for line in access)
            assert "Quillfeather" not in logged and "127.0.0.1:" not in "".join(access)
        finally:
            db.close()
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
