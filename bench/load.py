"""Load: a real ``openbureau serve --workers 2`` on PostgreSQL, driven open-loop.

    python -m bench.load [--quick] [--rates 50,100,200] [--seconds 15] [--people 2000]
                         [--workers 2] [--no-profile] [--no-write]

1. A scratch database ``ob_load_<random>`` is migrated and seeded with ``demo.seed`` (the path
   real data takes), then rescored by one batch job (a running bureau holds a stored score for
   every file) and vacuumed and analyzed; ``demo_logins.issue`` gives a member key, a court
   key and a consumer login.
   A few judgments are listed through the API so that restriction checks and public searches
   have something to find. The server runs with ``OPENBUREAU_PUBLIC_SEARCH_PER_MINUTE`` set far
   above the offered rate (the per-client limit is a product feature, not what is measured).
2. Each step sends ``rate * seconds`` requests on a fixed schedule (request i at t0 + i/rate),
   each in its own task, whether or not earlier ones have finished: open loop, never closed. A
   request's latency runs from the moment its task sends it; how late the generator sent it
   against the schedule (its own limit, on the same two cores) is reported beside it, with the
   CPU the generator and the server used during the step and how busy the machine was.
3. The mix, per ten requests: 4 member inquiries (``credit_application``), 2 consumer score
   reads (one session, signed in once), 2 restriction checks, 1 public search, 1 ``/healthz``
   (the baseline: no database, no auth). Errors are non-2xx answers and transport failures.
   Before the measured steps, a few requests of each kind and one unmeasured step at
   ``WARM_UP_RATE`` warm every worker up (pools, prepared statements, credentials).
4. Optionally, one more step at the knee runs under ``py-spy record`` (on the server's pid) and
   the frames that hold most samples are listed.

Target (issue "Scale, load and faults"): at 200 requests/s, p99 of a member inquiry within
25 ms and no errors. Nothing here is asserted; the smoke test checks counts only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# from well below the knee to well past the target, so the knee is bracketed
RATES: tuple[float, ...] = (10, 25, 50, 75, 100, 150, 200, 250, 300, 400)
STEP_SECONDS = 15.0
PEOPLE = 2_000
QUICK_RATES, QUICK_SECONDS, QUICK_PEOPLE = (20.0, 50.0), 3.0, 200
TARGET_RATE, TARGET_P99_MS = 200, 25.0
TIMEOUT_S = 10.0
KEEP_ALIVE_S = 3.0                # idle connections reused for less than uvicorn's 5 s timeout
PAUSE_S = 2.0                     # between steps, at least
DRAIN_S = 90.0                    # at most, waiting for the server to work off a backlog
SATURATED = 0.5                   # share of failed requests past which higher rates are skipped
PUBLIC_SEARCH_PER_MINUTE = 1_000_000
JUDGMENTS = 20
# per ten requests; spread out so every endpoint recurs at a steady pace
MIX = ("inquiry", "score", "restriction", "inquiry", "healthz",
       "inquiry", "public", "score", "inquiry", "restriction")
ENDPOINTS = {"inquiry": "POST /v1/member/inquiries", "score": "GET /v1/me/score",
             "restriction": "POST /v1/member/restriction-checks",
             "public": "GET /v1/public/defaulters", "healthz": "GET /healthz"}
OPENBUREAU = str(Path(sys.executable).with_name("openbureau"))
WORKERS = 2                       # `openbureau serve --workers`: one per core
WARM_UP_RATE, WARM_UP_SECONDS = 100.0, 10.0   # the unmeasured step before the measured ones


# --------------------------------------------------------------------------- the server


@dataclass
class Target:
    """A running server and what the generator needs to call it."""

    url: str
    pid: int
    member_key: str
    consumer_token: str
    people: list[dict[str, str]]          # subject refs: national_id, name, date_of_birth
    names: list[str]                      # listed debtors' surnames, for public searches
    facts: dict[str, str] = field(default_factory=dict)
    seeded: dict[str, int] = field(default_factory=dict)
    log: Path | None = None
    listed: int = 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(people: int = PEOPLE, *, admin_url: str | None = None, workers: int = 1,
           log: Any = print) -> Iterator[Target]:
    """A seeded scratch database and ``openbureau serve`` on it; both gone afterwards."""
    from bench.common import PG_ADMIN_URL, temp_database

    with temp_database(admin_url or PG_ADMIN_URL, prefix="ob_load") as url, \
            tempfile.TemporaryDirectory(prefix="ob_load_") as tmp:
        yield from _served(url, Path(tmp), people, workers, log)


def _served(url: str, tmp: Path, people: int, workers: int, log: Any) -> Iterator[Target]:
    import httpx
    from sqlalchemy import select

    from bench.common import machine_facts
    from openbureau.adapters.database import make_engine, upgrade
    from openbureau.adapters.tables import subjects
    from openbureau.bootstrap import bootstrap
    from openbureau.config import Settings
    from openbureau.services import demo, demo_logins, models, rescore

    var = tmp / "var"
    engine = make_engine(url)
    upgrade(engine)
    bureau = bootstrap(Settings(environment="test", database_url=url, var_dir=var),
                       engine=engine)
    models.ensure_shipped(bureau.uow(), bureau.deps)
    t = time.perf_counter()
    seeded = demo.seed(bureau.uow(), bureau.deps, people)
    log(f"seeded {seeded['people']:,} people ({seeded['accepted']:,} records) in "
        f"{time.perf_counter() - t:.0f} s")
    # demo.seed furnishes without the online rescorer; a running bureau holds a stored score
    # for every file (online rescoring after each change, batch rescoring per model), so the
    # batch job gives every file its score before the server starts
    t = time.perf_counter()
    deps = bureau.deps
    job = rescore.run(bureau.uow(), deps,
                      rescore.start(bureau.uow(), deps, rescore.default_engine(deps))["id"])
    seeded["scored"] = job["done"]
    log(f"rescored {job['done']:,} files in {time.perf_counter() - t:.0f} s")
    creds = {c["role"]: c["credential"]
             for c in demo_logins.issue(bureau.uow(), bureau.deps)}
    with bureau.uow() as uow:
        rows = uow.execute(select(subjects).where(subjects.c.kind == "person")
                           .order_by(subjects.c.id).limit(500)).all()
    refs = [{"national_id": bureau.vault.decrypt(r.id_ciphertext), "name": r.name,
             "date_of_birth": r.date_of_birth.isoformat()} for r in rows]
    facts = machine_facts(engine)
    # a freshly loaded database: PostgreSQL's autovacuum would otherwise vacuum and analyze the
    # seeded tables during the first steps, on the same two cores; a bureau's tables are
    # vacuumed and analyzed by the time it serves
    t = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    log(f"vacuumed and analyzed in {time.perf_counter() - t:.0f} s")
    engine.dispose()

    # the server reads the same keys from the same var dir (generated there by bootstrap)
    env = {**os.environ, "OPENBUREAU_DATABASE_URL": url, "OPENBUREAU_VAR_DIR": str(var),
           "OPENBUREAU_ENVIRONMENT": "test",
           "OPENBUREAU_PUBLIC_SEARCH_PER_MINUTE": str(PUBLIC_SEARCH_PER_MINUTE)}
    port = _free_port()
    server_log = tmp / "server.log"
    with server_log.open("ab") as out:
        proc = subprocess.Popen([OPENBUREAU, "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)],
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{server_log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=30) as client:
            nid, password = (p.split("=", 1)[1] for p in creds["consumer"].split())
            # sign-in is rate-limited per address: once for the whole run
            r = client.post("/v1/consumer/sessions", json={"national_id": nid,
                                                           "password": password})
            r.raise_for_status()
            token = r.json()["token"]
            names = _list_judgments(client, creds["court"], refs[-JUDGMENTS:], log)
        yield Target(url=base, pid=proc.pid, member_key=creds["member"], consumer_token=token,
                     people=refs, names=names or [refs[0]["name"].split()[-1]], facts=facts,
                     seeded=seeded, log=server_log, listed=len(names))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _list_judgments(client: Any, court_key: str, debtors: list[dict[str, str]],
                    log: Any) -> list[str]:
    """List a judgment (with an air-travel restriction) against each debtor; their surnames."""
    names: list[str] = []
    for i, d in enumerate(debtors):
        r = client.post("/v1/court/judgments", headers={"Authorization": f"Bearer {court_key}"},
                        json={"case_number": f"LOAD-{i:04d}", "debtor": d, "amount": 250_000,
                              "currency": "USD", "judgment_date": "2026-09-01",
                              "ground": "refuses_to_perform",
                              "legal_basis": "load benchmark: synthetic listing",
                              "restrictions": [{"category": "air_travel"}]})
        if r.status_code != 201:
            log(f"judgments not listed ({r.status_code}: {r.text[:200]}); searches find nothing")
            return names
        names.append(d["name"].split()[-1])
    return names


# --------------------------------------------------------------------------- the generator


@dataclass
class Step:
    rate: float
    seconds: float
    sent: int = 0
    answered: int = 0                                  # an HTTP answer, whatever its status
    wall_s: float = 0.0                                # first send to the end of the last request
    answered_by_s: float = 0.0                         # first send to the last answer
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, Counter[str]] = field(default_factory=dict)
    lateness_ms: list[float] = field(default_factory=list)
    unfinished: int = 0                                # still out when the step gave up
    drain_s: float = 0.0                               # until the server was idle again
    generator_cpu_s: float = 0.0                       # this process, during the step
    server_cpu_s: float = 0.0                          # the server and its workers, likewise
    machine_busy: float = 0.0                          # all cores, everyone: share busy


class RawClient:
    """HTTP/1.1 with keep-alive over asyncio streams, just what the generator sends: it shares
    the two cores with the server, and httpx spends several times more CPU per request.
    Connections are reused last-in first-out; one that failed or timed out is closed."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port or 80)
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._all: set[asyncio.StreamWriter] = set()

    def encode(self, method: str, path: str, kw: dict[str, Any]) -> bytes:
        from urllib.parse import urlencode

        if kw.get("params"):
            path += "?" + urlencode(kw["params"])
        body = json.dumps(kw["json"]).encode() if "json" in kw else b""
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in kw.get("headers", {}).items()]
        if body:
            lines += ["content-type: application/json", f"content-length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """The status and body of one request (``encode``'s bytes)."""
        while self._idle:
            reader, writer, idle_since = self._idle.pop()
            if (not reader.at_eof() and not writer.is_closing()
                    and time.monotonic() - idle_since < KEEP_ALIVE_S):
                break
            writer.close()            # the server closes it, or is about to (keep-alive timeout)
            self._all.discard(writer)
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self._all.add(writer)
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.lower().split(": ", 1) for line in header_lines if line)
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding") == "chunked":
                body = await _chunked(reader)
            else:
                raise ConnectionError(f"no length in the answer: {status_line}")
        except BaseException:
            writer.close()
            self._all.discard(writer)
            raise
        if headers.get("connection") == "close":
            writer.close()
            self._all.discard(writer)
        else:
            self._idle.append((reader, writer, time.monotonic()))
        return int(status_line.split(" ", 2)[1]), body

    def close(self) -> None:
        for writer in self._all:
            writer.close()
        self._all.clear()
        self._idle.clear()


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        parts.append(await reader.readexactly(size + 2))
        if size == 0:
            return b"".join(parts)


def _request(kind: str, i: int, t: Target) -> tuple[str, str, dict[str, Any]]:
    member = {"Authorization": f"Bearer {t.member_key}"}
    person = t.people[i % len(t.people)]
    if kind == "inquiry":
        return "POST", "/v1/member/inquiries", {
            "headers": member, "json": {"subject": person, "purpose": "credit_application"}}
    if kind == "restriction":
        return "POST", "/v1/member/restriction-checks", {
            "headers": member, "json": {"subject": person, "category": "air_travel"}}
    if kind == "score":
        return "GET", "/v1/me/score", {
            "headers": {"Authorization": f"Bearer {t.consumer_token}"}}
    if kind == "public":
        return "GET", "/v1/public/defaulters", {"params": {"name": t.names[i % len(t.names)]}}
    return "GET", "/healthz", {}


async def _open_loop(t: Target, rate: float, seconds: float, mix: tuple[str, ...]) -> Step:
    n = max(1, round(rate * seconds))
    step = Step(rate, seconds, latency_ms={k: [] for k in dict.fromkeys(mix)},
                errors={k: Counter() for k in dict.fromkeys(mix)})
    client = RawClient(t.url)
    # encoded up front: the generator's time goes to sending, not to building requests
    requests = [client.encode(*_request(mix[i % len(mix)], i, t)) for i in range(n)]

    async def one(i: int, due: float) -> None:
        kind = mix[i % len(mix)]
        sent = time.perf_counter()
        step.lateness_ms.append((sent - due) * 1000)
        try:
            status, _ = await asyncio.wait_for(client.send(requests[i]), TIMEOUT_S)
        except TimeoutError:
            step.errors[kind]["timeout"] += 1
            return
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError) as exc:
            step.errors[kind][type(exc).__name__] += 1
            return
        now = time.perf_counter()
        step.latency_ms[kind].append((now - sent) * 1000)
        step.answered += 1
        step.answered_by_s = max(step.answered_by_s, now - t0)
        if status >= 400:
            step.errors[kind][str(status)] += 1

    tasks = []
    server0, cpu0, machine0 = _server_cpu_s(t.pid), time.process_time(), _machine_jiffies()
    t0 = time.perf_counter() + 0.05
    try:
        for i in range(n):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
            step.sent += 1
        # every request has its own deadline (TIMEOUT_S, all in); this only guards the step
        done, pending = await asyncio.wait(tasks, timeout=TIMEOUT_S + 5)
        for task in pending:
            task.cancel()
        step.unfinished = len(pending)
        step.wall_s = time.perf_counter() - t0
        step.generator_cpu_s = time.process_time() - cpu0
        step.server_cpu_s = _server_cpu_s(t.pid) - server0
        busy, total = (b - a for a, b in zip(machine0, _machine_jiffies(), strict=True))
        step.machine_busy = busy / total if total else 0.0
    finally:
        client.close()
    return step


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat; (0, 0) without."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)     # idle + iowait
    return sum(values[:8]) - idle, sum(values[:8])


def _server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of the server and its worker processes so far; 0 where
    /proc is not there."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for p in [pid, *map(int, children)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


def warm_up(t: Target, each: int = 5) -> None:
    """A few sequential requests of every kind, not measured (first-call caches, pools)."""
    import httpx

    with httpx.Client(base_url=t.url, timeout=TIMEOUT_S) as client:
        for kind in dict.fromkeys(MIX):
            for i in range(each):
                method, path, kw = _request(kind, i, t)
                client.request(method, path, **kw)


def drain(t: Target) -> float:
    """Wait until the server answers ``/healthz`` quickly again (the handlers of abandoned
    requests still run after the client gave up); the seconds it took."""
    import httpx

    start = time.monotonic()
    time.sleep(PAUSE_S)
    while time.monotonic() - start < DRAIN_S:
        t0 = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(t.url + "/healthz", timeout=TIMEOUT_S)
            if time.perf_counter() - t0 < 0.05:
                break
        time.sleep(0.5)
    return time.monotonic() - start


def _failed(step: Step) -> float:
    return (sum(_errors(step, k) for k in step.errors) + step.unfinished) / max(step.sent, 1)


def run_step(t: Target, rate: float, seconds: float, mix: tuple[str, ...] = MIX) -> Step:
    """One open-loop step: ``rate * seconds`` requests of ``mix`` at a fixed schedule (on
    uvloop when it is installed, as the server's own loop is)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_open_loop(t, rate, seconds, mix))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_open_loop(t, rate, seconds, mix))


# --------------------------------------------------------------------------- the figures


def _pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q, method="inverted_cdf")) if values else float("nan")


def _errors(step: Step, kind: str) -> int:
    return sum(step.errors[kind].values())


def _meets_target(step: Step) -> bool:
    return (not any(_errors(step, k) for k in step.errors) and not step.unfinished
            and _pct(step.latency_ms["inquiry"], 99) <= TARGET_P99_MS)


def _broken(s: Step, base: Step) -> bool:
    if any(_errors(s, k) for k in s.errors) or s.unfinished:
        return True
    return any(_pct(s.latency_ms[k], 99) > max(3 * _pct(base.latency_ms[k], 99), TARGET_P99_MS)
               for k in s.latency_ms if k != "healthz")


def knee(steps: list[Step]) -> Step | None:
    """The lowest rate from which every step is broken: errors appear, or a database
    endpoint's p99 is more than three times its p99 at the lowest rate (and above 25 ms).
    A lone tail spike followed by a healthy step is not the knee."""
    if not steps:
        return None
    found = None
    for s in reversed(steps):
        if not _broken(s, steps[0]):
            break
        found = s
    return found


@dataclass
class Profile:
    rate: float
    samples: int
    in_sql: float                                   # share of samples inside psycopg
    project: list[tuple[str, float]]                # openbureau frames, inclusive share
    leaves: list[tuple[str, float]]                 # innermost frames, share


def profile_step(t: Target, rate: float, seconds: float, out: Path) -> Profile | None:
    """Run one more step with ``py-spy record`` on the server (all threads, idle excluded)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    raw = out / "profile.txt"
    proc = subprocess.Popen([spy, "record", "--pid", str(t.pid), "--subprocesses",
                             "--format", "raw", "--duration", str(int(seconds)), "--rate",
                             "200", "--nonblocking", "--output", str(raw)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    run_step(t, rate, seconds)
    try:
        proc.wait(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    return summarise(raw.read_text(), rate) if raw.exists() else None


def summarise(collapsed: str, rate: float) -> Profile | None:
    """Shares of samples from py-spy's collapsed stacks (``frame;frame;... count``)."""
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = in_sql = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        leaves[frames[-1]] += n
        in_sql += n if any("psycopg/" in f for f in frames) else 0
        for frame in set(frames):
            if "openbureau/" in frame and "cli.py" not in frame and "api/security.py" not in frame:
                inclusive[frame] += n
    if not total:
        return None
    return Profile(rate, total, in_sql / total,
                   [(f, c / total) for f, c in inclusive.most_common(10)],
                   [(f, c / total) for f, c in leaves.most_common(8)])


# --------------------------------------------------------------------------- the run


@dataclass
class Result:
    steps: list[Step]
    facts: dict[str, str]
    seeded: dict[str, int]
    people: int
    listed: int
    skipped: list[float] = field(default_factory=list)
    profile: Profile | None = None
    workers: int = 1


def run(rates: tuple[float, ...] = RATES, seconds: float = STEP_SECONDS, people: int = PEOPLE,
        *, workers: int = WORKERS, profile: bool = True, log: Any = print) -> Result:
    with served(people, workers=workers, log=log) as t:
        warm_up(t)
        # then one unmeasured open-loop step: every worker opens its pool's connections,
        # prepares its statements and verifies the credentials once, as a server that has been
        # up for a while has (cold, the first measured step paid for it: a backlog of seconds)
        warm = Step(0, 0)
        if rates:
            warm = run_step(t, min(WARM_UP_RATE, max(rates)), min(WARM_UP_SECONDS, seconds))
            drain(t)
        log(f"warm-up step: {warm.answered}/{warm.sent} answered")
        steps: list[Step] = []
        skipped: list[float] = []
        for rate in rates:
            if rate > TARGET_RATE and steps and _failed(steps[-1]) > SATURATED:
                skipped.append(rate)
                continue
            step = run_step(t, rate, seconds)
            steps.append(step)
            inq = step.latency_ms["inquiry"]
            log(f"{rate:>5g} req/s: {step.answered}/{step.sent} answered, inquiry p50 "
                f"{_pct(inq, 50):.1f} p99 {_pct(inq, 99):.1f} ms, errors "
                f"{sum(_errors(step, k) for k in step.errors)}, lateness p99 "
                f"{_pct(step.lateness_ms, 99):.1f} ms, CPU: server "
                f"{_share(step.server_cpu_s, step)}, generator "
                f"{_share(step.generator_cpu_s, step)}, machine {step.machine_busy:.0%} busy")
            step.drain_s = drain(t)
        result = Result(steps, t.facts, t.seeded, people, t.listed, skipped=skipped,
                        workers=workers)
        k = knee(steps)
        if profile and (shutil.which("py-spy") or
                        Path(sys.executable).with_name("py-spy").exists()):
            with tempfile.TemporaryDirectory() as tmp:
                result.profile = profile_step(t, k.rate if k else steps[-1].rate,
                                              min(seconds, 10.0), Path(tmp))
    return result


def _fast_uvicorn() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("uvloop", "httptools"))


def _achieved(s: Step) -> float:
    """Answers per second, from the first send to the last answer (not to the last timeout)."""
    return s.answered / max(s.answered_by_s, 1e-9)


def _share(cpu_s: float, s: Step) -> str:
    """CPU seconds over the step's wall time, as a share of one core."""
    return f"{cpu_s / s.wall_s:.0%}" if s.wall_s else "–"


def _ms(v: float) -> str:
    return "–" if v != v else f"{v:.1f}"


def render(r: Result) -> str:
    from bench.common import facts_line

    rows = []
    for s in r.steps:
        for kind in s.latency_ms:
            lat = s.latency_ms[kind]
            errs = s.errors[kind]
            err = (", ".join(f"{c}×{n}" for c, n in errs.most_common()) if errs else "0")
            worst = max(lat, default=float("nan"))
            rows.append(f"| {s.rate:g} | {ENDPOINTS[kind]} | {len(lat)} | {_ms(_pct(lat, 50))} "
                        f"| {_ms(_pct(lat, 95))} | {_ms(_pct(lat, 99))} | {_ms(worst)} | {err} |")
    gen = [f"| {s.rate:g} | {s.sent} | {s.answered} | {_achieved(s):.0f} | "
           f"{_ms(_pct(s.lateness_ms, 50))} | {_ms(_pct(s.lateness_ms, 99))} | "
           f"{_ms(max(s.lateness_ms, default=float('nan')))} | {s.unfinished} | {s.drain_s:.0f} | "
           f"{_share(s.generator_cpu_s, s)} | {_share(s.server_cpu_s, s)} | "
           f"{1000 * s.server_cpu_s / max(s.answered, 1):.1f} | {s.machine_busy:.0%} |"
           for s in r.steps]
    k = knee(r.steps)
    best = max(r.steps, key=_achieved)
    ceiling = _achieved(best)
    at_target = next((s for s in r.steps if s.rate == TARGET_RATE), None)
    if at_target is None:
        verdict = f"not measured ({TARGET_RATE} req/s was not among the rates)"
    else:
        p99 = _pct(at_target.latency_ms["inquiry"], 99)
        failed = sum(_errors(at_target, x) for x in at_target.errors)
        verdict = (f"**{'met' if _meets_target(at_target) else 'not met'}**: at {TARGET_RATE} "
                   f"req/s the inquiry p99 was {p99:.1f} ms with {failed} errors")
    if k is None:
        knee_text = (f"No knee up to {r.steps[-1].rate:g} req/s: errors stay at zero and no "
                     "database endpoint's p99 grows past three times its lowest-rate value "
                     "(and past 25 ms).")
    else:
        knee_text = (f"The knee is at **{k.rate:g} req/s**: the lowest rate from which every "
                     "step has errors or a database endpoint's p99 past three times its "
                     "lowest-rate value (and past 25 ms).")
    skipped = (f" Not run: {', '.join(f'{x:g}' for x in r.skipped)} req/s (rates above "
               f"{TARGET_RATE} req/s are skipped once a step has failed more than "
               f"{SATURATED:.0%} of its requests)." if r.skipped else "")
    prof = ""
    if r.profile:
        p = r.profile

        def table(items: list[tuple[str, float]]) -> str:
            return "\n".join(f"| {share * 100:.0f} % | `{frame}` |" for frame, share in items)

        prof = f"""
Profile of the server during one more {min(r.steps[0].seconds, 10):g}-second step at
{p.rate:g} req/s (`py-spy record --nonblocking`, 200 Hz, all threads, idle excluded; {p.samples:,}
samples). {p.in_sql * 100:.0f} % of the samples are inside psycopg (sending a statement or
waiting for PostgreSQL's answer). The project's frames, by share of samples whose stack holds
them:

| samples | frame |
|---:|---|
{table(p.project)}

Innermost frames:

| samples | frame |
|---:|---|
{table(p.leaves)}
"""
    fast, loop = ((", uvloop and httptools", " on uvloop") if _fast_uvicorn() else ("", ""))
    return f"""## Load: `openbureau serve` on PostgreSQL, open loop

{facts_line(r.facts)} The server, PostgreSQL and the load generator share these cores.

`openbureau serve --workers {r.workers}` (uvicorn{fast}; the default log level, INFO, so the
access log is on) on a scratch PostgreSQL database seeded with `demo.seed` ({r.people:,} people,
{r.seeded.get('accepted', 0):,} account records), then rescored by one batch job (a running
bureau holds a stored score for every file: online rescoring after each change, batch
rescoring per model; `demo.seed` alone leaves none) and vacuumed and analyzed (else
autovacuum does it during the first steps); credentials from `demo_logins.issue`,
{r.listed} judgments listed through the court API. `OPENBUREAU_PUBLIC_SEARCH_PER_MINUTE` was
set to {PUBLIC_SEARCH_PER_MINUTE:,} for the run (the public search is rate-limited per client by
design, and every request here comes from one address); the consumer signed in once. The
generator (one process: asyncio{loop}, HTTP/1.1 keep-alive on raw streams, requests encoded
before the step) is open loop: request *i* of a step is sent at t0 + i/rate whether or not
earlier ones have answered.
Mix per ten requests: 4 inquiries (`credit_application`), 2 consumer score reads, 2 restriction
checks (`air_travel`), 1 public search by surname, 1 `/healthz` (the no-database baseline,
in the same run). Five unmeasured requests of each kind, then an unmeasured
{WARM_UP_SECONDS:g}-second step at {WARM_UP_RATE:g} req/s (less where the run's rates or steps
are smaller), warm the server up first (connection pools, prepared statements, each worker's
first check of each credential). Each step lasts {r.steps[0].seconds:g} s; the next starts
at least {PAUSE_S:g} s later, once `/healthz`
answers within 50 ms again (the server keeps working on requests the client abandoned).
Latency runs from the moment the request's task sends it to the answer (ms); errors are non-2xx
answers (by status), transport failures (by exception) and requests with no answer within
{TIMEOUT_S:g} s (`timeout`, abandoned by the client).

| rate (req/s) | endpoint | answered | p50 | p95 | p99 | max | errors |
|---:|---|---:|---:|---:|---:|---:|---|
{chr(10).join(rows)}

The generator's own limits (lateness: how long after its scheduled time a request was sent, ms;
achieved: HTTP answers per second, from the first send to the last answer) and who used the CPU
during the step (generator and server: CPU time over the step's wall time, in shares of one
core; the server's includes its workers, and per answer it is the mix's average cost; machine:
share of both cores busy, everyone's processes — PostgreSQL, and whatever else runs on the
machine — included):

| req/s | sent | answered | achieved | late p50 | late p99 | late max | unfinished | drain (s) \
| generator CPU | server CPU | server CPU per answer (ms) | machine busy |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(gen)}

{knee_text}{skipped} The most answers per second any step got back was {ceiling:.0f} (at
{best.rate:g} req/s offered).

Target (at {TARGET_RATE} req/s, p99 of a member inquiry within {TARGET_P99_MS:g} ms and no
errors): {verdict}.
{prof}
Reproduce: `python -m bench.run --only load` (or `python -m bench.load --rates 50,100,200`).
"""


def section(quick: bool = False) -> str:
    if quick:
        return render(run(QUICK_RATES, QUICK_SECONDS, QUICK_PEOPLE, profile=False))
    return render(run())


def main(argv: list[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", help="comma-separated req/s (default "
                        f"{','.join(map(str, RATES))})")
    parser.add_argument("--seconds", type=float, help=f"per step (default {STEP_SECONDS:g})")
    parser.add_argument("--people", type=int, help=f"seeded people (default {PEOPLE:,})")
    parser.add_argument("--quick", action="store_true", help="two short steps, 200 people")
    parser.add_argument("--workers", type=int, default=WORKERS,
                        help=f"server processes (default {WORKERS})")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy step")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    rates: tuple[float, ...] = (tuple(float(x) for x in args.rates.split(",")) if args.rates
                                else QUICK_RATES if args.quick else RATES)
    seconds = args.seconds or (QUICK_SECONDS if args.quick else STEP_SECONDS)
    people = args.people or (QUICK_PEOPLE if args.quick else PEOPLE)
    result = run(rates, seconds, people, workers=args.workers, profile=not args.no_profile)
    text = render(result)
    print(text)
    if not args.no_write:
        from bench.common import write_section

        write_section("load", text)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
