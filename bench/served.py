"""Server CPU per request, by kind and by mix, on two builds served at the same time.

    python -m bench.served [--before 95c21f5^] [--rate 50] [--seconds 12] [--rounds 2]
                           [--people 1000] [--no-write]

``bench.builds`` runs each build's own benchmarks one after the other, each on a database it
seeds for itself, so a load figure there also carries whatever differs between those two
minutes and those two databases. Here both builds are seeded and served at once (as in
``bench.resolution_cost``: the build before in a temporary worktree, each server started by
``bench/_serve_child.py`` with its build's own ``bench.load.served``), and the same generator
drives one server at a time, in the order before, after, after, before per round. Each step
sends one kind of request alone (``/healthz``, a consumer's score read, a public search, a
restriction check, a member inquiry), then mixes: the load benchmark's mix and three of its
parts. The figure is the servers' CPU time per answered request; each build has two turns per
round, and its figure is the mean of the middle two when it has four (two rounds), else the
median of its turns. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import load
from bench import resolution_cost as rc
from bench.builds import BEFORE
from bench.common import REPO

RATE, SECONDS, ROUNDS, PEOPLE, WORKERS = 50.0, 12.0, 2, 1_000, 2
STEPS: dict[str, tuple[str, ...]] = {
    "healthz alone": ("healthz",),
    "score read alone": ("score",),
    "public search alone": ("public",),
    "restriction check alone": ("restriction",),
    "inquiry alone": ("inquiry",),
    "the load mix": load.MIX,
    "inquiries and score reads": ("inquiry", "score"),
    "inquiries and restriction checks": ("inquiry", "restriction"),
    "the load mix without public searches": tuple(k for k in load.MIX if k != "public"),
}


@dataclass
class Result:
    commits: dict[str, str]
    args: dict[str, Any]
    cpu_ms: dict[str, dict[str, list[float]]] = field(default_factory=dict)   # build, step
    loadavg: list[float] = field(default_factory=list)
    errors: int = 0


def run(before: str = BEFORE, rate: float = RATE, seconds: float = SECONDS,
        rounds: int = ROUNDS, people: int = PEOPLE, log: Any = print) -> Result:
    quiet = lambda *a, **k: None  # noqa: E731
    with rc.before_tree(before) as (tree, commit), \
            rc.serve_build(tree, "before", people, WORKERS, quiet) as old, \
            rc.serve_build(REPO, "after", people, WORKERS, quiet) as new:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              check=True, capture_output=True, text=True).stdout.strip()
        targets = {"before": old, "after": new}
        result = Result({"before": commit, "after": head},
                        {"rate": rate, "seconds": seconds, "rounds": rounds, "people": people},
                        {name: {step: [] for step in STEPS} for name in targets})
        for t in targets.values():
            load.warm_up(t)
            load.run_step(t, load.WARM_UP_RATE, load.WARM_UP_SECONDS)
            load.drain(t)
        for r in range(rounds):
            for name in ("before", "after", "after", "before"):
                t = targets[name]
                for step, mix in STEPS.items():
                    s = load.run_step(t, rate, seconds, mix=mix)
                    load.drain(t)
                    result.errors += sum(load._errors(s, k) for k in s.errors)
                    result.cpu_ms[name][step].append(1000 * s.server_cpu_s
                                                     / max(s.answered, 1))
                result.loadavg.append(os.getloadavg()[0])
                log(f"round {r + 1} of {rounds}, {name}: machine load "
                    f"{result.loadavg[-1]:.1f}")
        return result


def _middle(values: list[float]) -> float:
    """The mean of the middle two of four; the median of any other number."""
    ordered = sorted(values)
    return (ordered[1] + ordered[2]) / 2 if len(ordered) == 4 else statistics.median(ordered)


def render(r: Result) -> str:
    a = r.args
    rows = []
    for step in STEPS:
        b, f = _middle(r.cpu_ms["before"][step]), _middle(r.cpu_ms["after"][step])
        spread = (f"{min(r.cpu_ms['before'][step]):.2f}–{max(r.cpu_ms['before'][step]):.2f} / "
                  f"{min(r.cpu_ms['after'][step]):.2f}–{max(r.cpu_ms['after'][step]):.2f}")
        rows.append(f"| {step} | {b:.2f} | {f:.2f} | {f / b:.2f} | {spread} |")
    table = "\n".join(rows)
    return f"""## Server CPU per request, two builds served at once

`python -m bench.served` — the build before the service-layer redesign ({r.commits['before']})
and this one ({r.commits['after']}), both seeded with {a['people']:,} people and served at the
same time (`openbureau serve --workers {WORKERS}` on PostgreSQL each); one generator drives one
server at a time, before, after, after, before, {a['rounds']} round(s), {a['rate']:g} requests/s
for {a['seconds']:g} s per step. Servers' CPU time per answered request, ms; each build's
figure is the mean of the middle two of its turns when it has four, else their median; the
spread is the lowest and highest turn of each build. Machine load over the turns
{min(r.loadavg):.1f}–{max(r.loadavg):.1f}; errors: {r.errors}.

| requests | before | after | ratio | spread (before / after) |
|---|---:|---:|---:|---|
{table}

Identity resolution (issue 14) landed between the two builds: the restriction check and the
inquiry resolve the identity they are given on the after build.
"""


def section(quick: bool = False) -> str:
    if quick:
        return render(run(rate=20.0, seconds=3.0, rounds=1, people=200))
    return render(run())


def main(argv: list[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(prog="python -m bench.served", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    result = run(args.before, args.rate, args.seconds, args.rounds, args.people)
    text = render(result)
    print(text)
    print(f"({time.perf_counter() - t:.0f} s)")
    if not args.no_write:
        from bench.common import write_section

        write_section("served", text)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
