"""A real ``openbureau serve`` (uvicorn) in a subprocess, on a free loopback port, and a fresh
migrated PostgreSQL database of its own. For the fault tests: the server can be killed with
SIGKILL and started again on the same database.

    with postgres_env(tmp_path) as env:          # OPENBUREAU_* for the server and the CLI
        key = create_org(env, "furnisher", "First Bank")
        with Server(env, tmp_path / "server.log") as srv:
            httpx.get(srv.url + "/readyz")
            srv.kill()                            # kill -9
            srv.start()                           # same port, same database
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TEST_KEYS, _postgres_engine

OPENBUREAU = str(Path(sys.executable).with_name("openbureau"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_env(tmp_path: Path, admin_url: str | None = None) -> Iterator[dict[str, str]]:
    """Environment for a server and the CLI on a new, migrated PostgreSQL database (dropped
    afterwards): on the shared test server (skipped like the other PostgreSQL tests when none
    answers), or on the server at ``admin_url``."""
    with _database(admin_url) as url:
        env = {**os.environ,
               "OPENBUREAU_DATABASE_URL": url,
               "OPENBUREAU_VAR_DIR": str(tmp_path / "var"),
               "OPENBUREAU_ENVIRONMENT": "test",
               "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"],
               "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
               "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"],
               "OPENBUREAU_LOG_LEVEL": "WARNING"}
        cli(env, "db", "upgrade")
        yield env


@contextlib.contextmanager
def _database(admin_url: str | None) -> Iterator[str]:
    if admin_url is None:
        gen = _postgres_engine()
        engine = next(gen)
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        try:
            yield url
        finally:
            next(gen, None)
        return
    from sqlalchemy import text

    from openbureau.adapters.database import make_engine

    name = f"ob_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cli(env: dict[str, str], *args: str, check: bool = True, timeout: float = 120,
        program: str = OPENBUREAU) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([program, *args], env=env, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"openbureau {' '.join(args)} exited {r.returncode}:\n{r.stderr}")
    return r


def create_org(env: dict[str, str], role: str, name: str, program: str = OPENBUREAU) -> str:
    import json

    return str(json.loads(cli(env, "org", "create", "--role", role, "--name", name,
                              "--json", program=program).stdout)["key"])


class Server:
    """``openbureau serve`` on 127.0.0.1; ``start`` waits until ``/healthz`` answers."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None,
                 program: str = OPENBUREAU) -> None:
        self.program = program
        self.env = env
        self.log = log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Server:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [self.program, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server did not answer within {timeout}s:\n{self.tail()}")

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, whatever it was doing."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
