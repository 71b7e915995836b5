"""PostgreSQL restarted under load, behind a real server.

A client sends small furnishing batches (bounded in count and time, loopback only) while
PostgreSQL restarts. Requests during the outage fail cleanly -- 503 problem documents with
Retry-After, never a hang nor a 500 -- ``/readyz`` goes 503 then 200 again, and every batch
that was acknowledged (200) is in the database afterwards; the ones refused are re-sent once the
database is back and are then stored exactly once.

The test makes a private PostgreSQL cluster (``pg_createcluster``) and restarts that, so the
other tests using the shared server are not disturbed; where clusters cannot be created it
restarts the shared ``main`` cluster once and waits until it answers before it finishes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server, auth, create_org, free_port, postgres_env
from tests.e2e.test_crash import Db, audit_verifies, record

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PG_VERSION = os.environ.get("OPENBUREAU_TEST_PG_VERSION", "15")
MAX_BATCHES = 400            # the client loop's bounds
MAX_SECONDS = 90
PER_BATCH = 5
REQUEST_TIMEOUT = 30         # a request that takes longer than this counts as a hang


class Cluster:
    """The PostgreSQL cluster the test restarts: a private one made for the test
    (``pg_createcluster``, trust auth on a free loopback port), so the restart disturbs no one
    else's tests; the shared ``main`` cluster only where clusters cannot be created."""

    def __init__(self) -> None:
        self.name = "main"
        self.port = 5432
        self.admin_url: str | None = None       # None: the shared test server
        self.private = False

    def create(self) -> None:
        if shutil.which("pg_createcluster") is None:
            return
        name, port = f"obtest{uuid.uuid4().hex[:8]}", free_port()
        r = subprocess.run(["pg_createcluster", PG_VERSION, name, "-p", str(port), "--start",
                            "--", "--auth-host=trust", "--auth-local=trust"],
                           check=False, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return
        self.name, self.port, self.private = name, port, True
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        self.wait()

    def drop(self) -> None:
        if self.private:
            subprocess.run(["pg_dropcluster", PG_VERSION, self.name, "--stop"], check=False,
                           capture_output=True, timeout=120)

    def ready(self) -> bool:
        return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                              check=False, timeout=10).returncode == 0

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            time.sleep(0.2)
        raise AssertionError(f"PostgreSQL cluster {self.name} did not come back")

    def restart(self) -> None:
        try:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION,
                            self.name, "restart"], check=True, timeout=120,
                           capture_output=True)
        finally:
            self.wait()


def batch(k: int) -> list[dict[str, Any]]:
    return [record(k * PER_BATCH + j, record_month()) for j in range(PER_BATCH)]


def record_month() -> Any:
    from tests.e2e.test_crash import MONTHS

    return MONTHS[-1]


def check_clean_503(r: httpx.Response) -> None:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    body = r.json()
    assert body["status"] == 503 and body["title"] and body["detail"]
    assert int(r.headers["retry-after"]) > 0


def test_postgres_restart_under_load(tmp_path: Path) -> None:
    if shutil.which("pg_ctlcluster") is None:
        pytest.skip("pg_ctlcluster not available: cannot restart PostgreSQL here")
    cluster = Cluster()
    cluster.create()
    try:
        _under_load(tmp_path, cluster)
    finally:
        cluster.drop()


def _under_load(tmp_path: Path, cluster: Cluster) -> None:
    with postgres_env(tmp_path, cluster.admin_url) as env:
        key = create_org(env, "furnisher", "First Bank")
        db = Db(env)
        srv = Server(env, tmp_path / "server.log")
        results: list[tuple[int, int, float]] = []     # (batch, status, seconds)
        timeline: list[tuple[float, int]] = []
        refused: list[int] = []
        readyz: list[int] = []
        others: list[int] = []                            # statuses of the read requests
        stop = threading.Event()
        problems: list[str] = []

        def client() -> None:
            started = time.monotonic()
            with httpx.Client(base_url=srv.url, timeout=REQUEST_TIMEOUT,
                              headers=auth(key)) as c:
                for k in range(MAX_BATCHES):
                    if stop.is_set() or time.monotonic() - started > MAX_SECONDS:
                        return
                    t0 = time.monotonic()
                    try:
                        r = c.post("/v1/furnisher/accounts:batch", json={"records": batch(k)})
                        g = c.get("/v1/furnisher/accounts", params={"limit": 1})
                    except httpx.TimeoutException:
                        problems.append(f"batch {k}: no answer within {REQUEST_TIMEOUT}s")
                        continue
                    results.append((k, r.status_code, time.monotonic() - t0))
                    timeline.append((time.monotonic(), r.status_code))
                    others.append(g.status_code)
                    for resp in (r, g):
                        if resp.status_code == 503:
                            try:
                                check_clean_503(resp)
                            except (AssertionError, KeyError, ValueError) as exc:
                                problems.append(f"unclean 503: {exc!r} {resp.text[:200]}")
                        elif resp.status_code != 200:
                            problems.append(f"{resp.request.url.path}: {resp.status_code} "
                                            f"{resp.text[:300]}")
                    if r.status_code == 503:
                        refused.append(k)
                    elif r.status_code == 200 and r.json()["accepted"] != PER_BATCH:
                        problems.append(f"batch {k}: {r.json()}")

        def ready_poller() -> None:
            with httpx.Client(base_url=srv.url, timeout=REQUEST_TIMEOUT) as c:
                while not stop.is_set():
                    r = c.get("/readyz")
                    if r.status_code == 503:
                        try:
                            assert r.headers["content-type"].startswith(
                                "application/problem+json")
                        except AssertionError:
                            problems.append(f"/readyz 503 not a problem document: {r.text}")
                    if not readyz or readyz[-1] != r.status_code:
                        readyz.append(r.status_code)
                    time.sleep(0.05)

        threads = [threading.Thread(target=client), threading.Thread(target=ready_poller)]
        try:
            srv.start()
            assert httpx.get(srv.url + "/readyz", timeout=30).status_code == 200
            for t in threads:
                t.start()
            deadline = time.monotonic() + 60
            while len(results) < 10 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(results) >= 10, f"the load did not start: {problems}"
            acknowledged_before = len(results)
            restarting = time.monotonic()
            cluster.restart()
            back = time.monotonic()
            # the server is ready again without being restarted itself
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and httpx.get(
                    srv.url + "/readyz", timeout=REQUEST_TIMEOUT).status_code != 200:
                time.sleep(0.2)
            after = len(results)
            deadline = time.monotonic() + 30      # some more load on the recovered database
            while len(results) < after + 10 and time.monotonic() < deadline:
                time.sleep(0.1)
            stop.set()
            for t in threads:
                t.join(REQUEST_TIMEOUT + 10)

            # once PostgreSQL is back, no request is refused any more (the pool reconnects)
            late = [round(t - back, 2) for t, status in timeline if status == 503 and t > back]
            assert late == [], f"503s after PostgreSQL was back: {late}"
            assert problems == []
            assert readyz[0] == 200 and 503 in readyz and readyz[-1] == 200, readyz
            assert len(results) > after, "no request succeeded after the restart"
            acked = [k for k, status, _ in results if status == 200]
            # a refused batch is re-sent by the client once the database is back
            with httpx.Client(base_url=srv.url, timeout=REQUEST_TIMEOUT,
                              headers=auth(key)) as c:
                for k in refused:
                    r = c.post("/v1/furnisher/accounts:batch", json={"records": batch(k)})
                    assert r.status_code == 200 and r.json()["accepted"] == PER_BATCH
            stored = db.stored_keys()
            assert len(stored) == len(set(stored))
            stored_refs = {ref for ref, _ in stored}
            lost = [k for k in acked
                    if any(f"CARD-{k * PER_BATCH + j}" not in stored_refs
                           for j in range(PER_BATCH))]
            assert lost == [], f"acknowledged batches missing after the restart: {lost}"
            sent = {k for k, _, _ in results}
            assert stored_refs == {f"CARD-{k * PER_BATCH + j}" for k in sent
                                   for j in range(PER_BATCH)}
        finally:
            stop.set()
            for t in threads:
                if t.is_alive():
                    t.join(REQUEST_TIMEOUT + 10)
            srv.stop()
            db.close()
            cluster.wait()
        slowest = max(s for _, _, s in results)
        print(f"db restart: {len(results)} batches ({acknowledged_before} before the restart), "
              f"{len(acked)} acknowledged, {len(refused)} refused with 503 and re-sent, "
              f"reads: {others.count(503)} 503s; readyz went {readyz}; slowest request "
              f"{slowest:.1f}s; outage {back - restarting:.1f}s ({cluster.name} cluster); every "
              "acknowledged batch stored once")
        audit_verifies(env)


# -- in process: which database errors are an outage -------------------------------------------

def test_only_outages_become_503(tmp_path: Path) -> None:
    import sqlite3

    import psycopg
    from fastapi.testclient import TestClient
    from sqlalchemy import exc

    from openbureau.adapters.database import is_unavailable, make_engine
    from openbureau.api import create_app
    from openbureau.bootstrap import bootstrap
    from tests.conftest import make_settings

    def op(orig: Exception) -> exc.OperationalError:
        return exc.OperationalError("SELECT 1", {}, orig)

    assert is_unavailable(op(psycopg.OperationalError("connection refused")))
    assert is_unavailable(op(sqlite3.OperationalError("database is locked")))
    assert is_unavailable(exc.TimeoutError("QueuePool limit reached"))
    # sqlite3 calls a missing table "operational" too: that is a bug, not an outage
    assert not is_unavailable(op(sqlite3.OperationalError("no such table: accounts")))
    assert not is_unavailable(exc.IntegrityError("INSERT", {}, Exception("duplicate key")))

    # a server whose PostgreSQL is unreachable answers 503 problem documents, quickly
    engine = make_engine("postgresql://root@127.0.0.1:1/nothing")
    app = create_app(bureau=bootstrap(make_settings(tmp_path / "var"), engine=engine))
    with TestClient(app) as c:
        t0 = time.monotonic()
        for r in (c.get("/v1/furnisher/accounts", headers=auth("ob_abcdef012345_secret")),
                  c.post("/v1/consumer/sessions",
                         json={"national_id": "900100200", "password": "whatever-long"})):
            check_clean_503(r)
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert time.monotonic() - t0 < 20
    engine.dispose()
