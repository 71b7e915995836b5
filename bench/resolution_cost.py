"""Online resolution's cost: the member inquiry on the build before identity resolution and on
this one, side by side in one run.

    python -m bench.resolution_cost [--before 280cca6^] [--seconds 30] [--rounds 2]
                                    [--people 2000] [--no-write]

The build before (default ``280cca6^``, the commit before "Identity resolution (issue 14,
first part)") is checked out into a temporary git worktree; each build seeds its own scratch
PostgreSQL database and serves it with its own ``bench.load.served`` (``bench/_serve_child.py``
runs it with that build's ``src`` on ``PYTHONPATH``): the same ``demo.seed`` population, the
same batch rescoring, ``VACUUM ANALYZE``, ``openbureau serve --workers 2``. Both servers are up
at once; the generator (``bench.load``'s open loop, in this process) drives one at a time, in
the order before, after, after, before per round, so that whatever else runs on the machine
falls on both alike:

1. the load benchmark's mix (4 inquiries in 10 requests) at ``RATE`` req/s: the inquiry's p50
   and p99 (the issue's target: resolution adds at most 5 ms to the inquiry's p99 at
   100 req/s);
2. inquiries alone at ``INQUIRY_RATE`` req/s (the inquiries' share of that mix): the servers'
   CPU time per inquiry (target: at most 10 % more);
3. inquiries alone at ``QUIET_RATE`` req/s, far below what the server can take: the inquiry's
   own latency with next to no queueing behind other requests of the run (what a busy machine
   still adds, it adds to both builds).

Each inquiry names a seeded person as the file holds them (national id, name, birth date), as
in ``bench.load``. Then ``bench.furnishing`` runs on each build in turn (its own code, its own
scratch database, ``INGEST_RECORDS`` Metro 2 records): the ingest against the COPY of every
row it stored into the indexed tables (target: at least half of that floor). Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import load
from bench.common import REPO

BEFORE = "280cca6^"
RATE, INQUIRY_RATE, QUIET_RATE = 100.0, 40.0, 10.0
SECONDS, INQUIRY_SECONDS, ROUNDS, PEOPLE, WORKERS = 30.0, 15.0, 2, 2_000, 2
INGEST_RECORDS = 100_000
TARGET_P99_ADDED_MS, TARGET_CPU_ADDED, TARGET_FLOOR = 5.0, 0.10, 0.5
_INGEST = """
import json, sys
from bench import furnishing
r = furnishing.run(int(sys.argv[1]), log=lambda *a: print(*a, file=sys.stderr, flush=True))
print(json.dumps({"records": r.records, "ingest_s": r.ingest_s, "floor_s": r.floor_s,
                  "stored_floor_s": r.stored_floor_s, "copy_s": r.copy_s,
                  "stored_rows": r.stored_rows}))
"""


@contextlib.contextmanager
def before_tree(rev: str = BEFORE) -> Iterator[tuple[Path, str]]:
    """The build ``rev`` checked out in a temporary worktree; (its path, its commit)."""
    path = Path(tempfile.mkdtemp(prefix="ob_before_")) / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), rev],
                   check=True, capture_output=True)
    commit = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
                            check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield path, commit
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)],
                       check=False, capture_output=True)


@contextlib.contextmanager
def serve_build(tree: Path, label: str, people: int, workers: int, log: Any = print
                ) -> Iterator[load.Target]:
    """``tree``'s build seeded and served (``_serve_child.py``); stopped afterwards."""
    env = _env(tree)
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_serve_child.py")), str(people),
             str(workers)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=err, text=True, start_new_session=True)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            line = proc.stdout.readline()
            if not line:
                err.seek(0)
                raise RuntimeError(f"{tree} did not serve:\n{err.read()[-3000:]}")
            fields = json.loads(line)
            known = {f.name for f in dataclasses.fields(load.Target)}
            target = load.Target(**{k: v for k, v in fields.items() if k in known})
            err.seek(0)
            for message in err.read().splitlines():
                log(f"  {label}: {message}")
            yield target
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join((str(tree / "src"), str(tree)))}


def ingest_floor(tree: Path, records: int) -> dict[str, Any]:
    """``tree``'s ``bench.furnishing`` on ``records`` records, in a process of its own."""
    out = subprocess.run([sys.executable, "-c", _INGEST, str(records)], env=_env(tree),
                         check=True, capture_output=True, text=True, cwd=tree)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@dataclass
class Arm:
    name: str
    commit: str
    mix: list[load.Step] = field(default_factory=list)
    alone: list[load.Step] = field(default_factory=list)
    quiet: list[load.Step] = field(default_factory=list)
    loadavg: list[float] = field(default_factory=list)     # the machine's, after each turn
    ingest: dict[str, Any] = field(default_factory=dict)

    def inquiry_ms(self, steps: list[load.Step] | None = None) -> list[float]:
        return [v for s in (self.mix if steps is None else steps)
                for v in s.latency_ms["inquiry"]]

    def errors(self) -> int:
        return sum(load._errors(s, k) for s in self.mix + self.alone + self.quiet
                   for k in s.errors)

    def cpu_ms_per_inquiry(self) -> float:
        answered = sum(s.answered for s in self.alone)
        return 1000 * sum(s.server_cpu_s for s in self.alone) / max(answered, 1)


@dataclass
class Result:
    arms: dict[str, Arm]
    facts: dict[str, str]
    people: int
    seconds: float
    inquiry_seconds: float
    rounds: int
    seeded: dict[str, dict[str, int]]


def run(before: str = BEFORE, seconds: float = SECONDS, inquiry_seconds: float = INQUIRY_SECONDS,
        rounds: int = ROUNDS, people: int = PEOPLE, workers: int = WORKERS,
        ingest_records: int = INGEST_RECORDS, log: Any = print) -> Result:
    with before_tree(before) as (tree, commit):
        result = _served_run(tree, commit, seconds, inquiry_seconds, rounds, people, workers,
                             log)
        if ingest_records:
            for name, path in (("before", tree), ("after", REPO)):
                arm = result.arms[name]
                arm.ingest = ingest_floor(path, ingest_records)
                log(f"ingest {name}: {arm.ingest['records']:,} records in "
                    f"{arm.ingest['ingest_s']:.1f} s, floor "
                    f"{arm.ingest['stored_floor_s'] / arm.ingest['ingest_s']:.3f}")
        return result


def _served_run(tree: Path, commit: str, seconds: float, inquiry_seconds: float, rounds: int,
                people: int, workers: int, log: Any) -> Result:
    with serve_build(tree, "before", people, workers, log) as old, \
            serve_build(REPO, "after", people, workers, log) as new:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              check=True, capture_output=True, text=True).stdout.strip()
        arms = {"before": Arm("before", commit), "after": Arm("after", head)}
        targets = {"before": old, "after": new}
        for t in targets.values():
            load.warm_up(t)
            load.run_step(t, min(load.WARM_UP_RATE, RATE), min(load.WARM_UP_SECONDS, seconds))
            load.drain(t)
        for r in range(rounds):
            for name in ("before", "after", "after", "before"):
                t, arm = targets[name], arms[name]
                step = load.run_step(t, RATE, seconds)
                arm.mix.append(step)
                load.drain(t)
                alone = load.run_step(t, INQUIRY_RATE, inquiry_seconds, mix=("inquiry",))
                arm.alone.append(alone)
                load.drain(t)
                arm.quiet.append(load.run_step(t, QUIET_RATE, inquiry_seconds,
                                               mix=("inquiry",)))
                load.drain(t)
                arm.loadavg.append(os.getloadavg()[0])
                inq = step.latency_ms["inquiry"]
                log(f"round {r + 1} {name}: inquiry p50 {load._pct(inq, 50):.1f} p99 "
                    f"{load._pct(inq, 99):.1f} ms, errors {arm.errors()}, CPU per inquiry "
                    f"{1000 * alone.server_cpu_s / max(alone.answered, 1):.2f} ms, machine "
                    f"{step.machine_busy:.0%} busy")
        return Result(arms, new.facts, people, seconds, inquiry_seconds, rounds,
                      {"before": old.seeded, "after": new.seeded})


def render(r: Result) -> str:
    from bench.common import facts_line

    b, a = r.arms["before"], r.arms["after"]
    pct = load._pct
    rows, quiet = [], []
    for arm in (b, a):
        q = arm.inquiry_ms(arm.quiet)
        quiet.append(f"| {arm.name} (`{arm.commit}`) | {len(q):,} | {pct(q, 50):.1f} | "
                     f"{pct(q, 95):.1f} | {pct(q, 99):.1f} |")
        lat = arm.inquiry_ms()
        per_step = ", ".join(f"{pct(s.latency_ms['inquiry'], 99):.1f}" for s in arm.mix)
        busy = ", ".join(f"{s.machine_busy:.0%}" for s in arm.mix)
        rows.append(f"| {arm.name} (`{arm.commit}`) | {len(lat):,} | {pct(lat, 50):.1f} | "
                    f"{pct(lat, 95):.1f} | {pct(lat, 99):.1f} | {per_step} | {arm.errors()} | "
                    f"{arm.cpu_ms_per_inquiry():.2f} | {busy} |")
    added_p99 = pct(a.inquiry_ms(), 99) - pct(b.inquiry_ms(), 99)
    added_quiet = pct(a.inquiry_ms(a.quiet), 99) - pct(b.inquiry_ms(b.quiet), 99)
    added_cpu = a.cpu_ms_per_inquiry() / max(b.cpu_ms_per_inquiry(), 1e-9) - 1
    verdict_p99 = "met" if added_p99 <= TARGET_P99_ADDED_MS else "not met"
    verdict_cpu = "met" if added_cpu <= TARGET_CPU_ADDED else "not met"
    return f"""## Online resolution's cost: the member inquiry before and after, side by side

{facts_line(r.facts)} The servers, PostgreSQL and the load generator share these cores
with whatever else runs on the machine (in this run: other developers' work), so single
figures move between rounds; the per-step p99s show how much.

The build before identity resolution (`{b.commit}`, checked out into a temporary worktree) and
this build (`{a.commit}`), each serving its own scratch PostgreSQL database seeded with the
same `demo.seed` population ({r.people:,} people; before: {r.seeded['before'].get('accepted', 0):,}
records, after: {r.seeded['after'].get('accepted', 0):,}), rescored, vacuumed and analyzed, with
`openbureau serve --workers 2`; both up at once, driven one at a time by `bench.load`'s
open-loop generator, {r.rounds} rounds in the order before, after, after, before. Each turn:
the load benchmark's mix at {RATE:g} req/s for {r.seconds:g} s (the inquiry's latency), then
inquiries alone at {INQUIRY_RATE:g} req/s for {r.inquiry_seconds:g} s (the servers' CPU time
per inquiry: user + system of the server and its workers over the inquiries answered). Each
inquiry names a seeded person as the file holds them (national id, name, birth date).

| build | inquiries (mix) | p50 (ms) | p95 | p99 | p99 per step | errors \
| server CPU per inquiry (ms) | machine busy per step |
|---|---:|---:|---:|---:|---|---:|---:|---|
{chr(10).join(rows)}

Resolution adds **{added_p99:+.1f} ms** to the inquiry's p99 at {RATE:g} req/s (target at
most +{TARGET_P99_ADDED_MS:g} ms: **{verdict_p99}**) and **{100 * added_cpu:+.0f} %** to the
server's CPU per inquiry (target at most +{100 * TARGET_CPU_ADDED:.0f} %: **{verdict_cpu}**).

Inquiries alone at {QUIET_RATE:g} req/s ({r.inquiry_seconds:g} s per turn), the inquiry's own
latency with next to no queueing behind the run's other requests:

| build | inquiries | p50 (ms) | p95 | p99 |
|---|---:|---:|---:|---:|
{chr(10).join(quiet)}

There resolution adds **{added_quiet:+.1f} ms** to the p99.

The machine's load average (1 minute; 2 cores) after each turn: before
{", ".join(f"{x:.1f}" for x in b.loadavg)}; after {", ".join(f"{x:.1f}" for x in a.loadavg)}.

{_ingest_text(b, a)}
Reproduce: `python -m bench.resolution_cost` (or `python -m bench.run --only resolution_cost`).
"""


def _ingest_text(b: Arm, a: Arm) -> str:
    if not (b.ingest and a.ingest):
        return ""
    rows = []
    for arm in (b, a):
        i = arm.ingest
        ratio = i["stored_floor_s"] / i["ingest_s"]
        rows.append(f"| {arm.name} (`{arm.commit}`) | {i['records']:,} | {i['ingest_s']:.1f} | "
                    f"{i['records'] / i['ingest_s']:,.0f} | {i['stored_floor_s']:.1f} | "
                    f"{sum(i['stored_rows'].values()):,} | **{ratio:.3f}** | "
                    f"{i['floor_s'] / i['ingest_s']:.3f} |")
    ratio = a.ingest["stored_floor_s"] / a.ingest["ingest_s"]
    return f"""
Ingest against its floor, each build's own `bench.furnishing` in turn (a Metro 2 file of
{a.ingest['records']:,} records through `files.receive` + `files.ingest` into a fresh scratch
database; floor: the COPY of every row that ingest stored, read back, into copies of its tables
with all their indexes; also the COPY of the parsed rows into `accounts` + `account_months`):

| build | records | ingest (s) | records/s | COPY of the stored rows (s) | rows | floor / ingest \
| accounts + months COPY / ingest |
|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

With resolution the ingest runs at **{ratio:.3f}** of its floor (target at least
{TARGET_FLOOR:g}: **{"met" if ratio >= TARGET_FLOOR else "not met"}**).
"""


def section(quick: bool = False) -> str:
    if quick:
        return render(run(seconds=3.0, inquiry_seconds=3.0, rounds=1, people=200,
                          ingest_records=2_000))
    return render(run())


def main(argv: list[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(prog="python -m bench.resolution_cost",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--inquiry-seconds", type=float, default=INQUIRY_SECONDS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--ingest-records", type=int, default=INGEST_RECORDS,
                        help="Metro 2 records per build for the ingest floor (0: skip)")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    result = run(args.before, args.seconds, args.inquiry_seconds, args.rounds, args.people,
                 ingest_records=args.ingest_records)
    text = render(result)
    print(text)
    print(f"({time.perf_counter() - t:.0f} s)")
    if not args.no_write:
        from bench.common import write_section

        write_section("resolution_cost", text)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
