"""The service-layer redesign's benchmarks, the build before it and this one, side by side.

    python -m bench.builds [--before 95c21f5^] [--records N] [--rows N] [--people N]
                           [--rates 25,50,100] [--seconds S] [--rounds R]
                           [--only furnishing,scoring,load] [--no-write]

Issue 13 asks that no benchmark regress through the redesign: ``bench/furnishing.py``,
``bench/scoring.py`` and ``bench/load.py``, before and after, side by side. The build before
(default ``95c21f5^``, the commit before "Service layer behind a unit-of-work port") is checked
out into a temporary git worktree (``resolution_cost.before_tree``). Each benchmark runs in a
process of its own with the build's own ``bench`` package and ``openbureau`` first on
``PYTHONPATH`` (each build's benchmark drives its own API), in the order before, after, after,
before per round, so that whatever else runs on the machine falls on both builds alike; the
figures are each build's median over its turns.

- **furnishing**: a Metro 2 file of N records ingested into PostgreSQL (``files.receive`` +
  ``files.ingest``), as records per second, and as a ratio to a raw ``COPY`` of the same rows
  measured in the same turn;
- **scoring**: the shipped card scoring N rows of Give Me Some Credit attributes on each engine
  of the runtime (rows per second);
- **load**: ``openbureau serve`` (2 workers, PostgreSQL) under the open-loop mix of member
  inquiries, scores, restriction checks, health checks and consumer reports, at each rate:
  answered per second, p50 and p99 over all requests, and the server's CPU per request.

Between the two builds more changed than the redesign: identity resolution (issue 14) landed
in between, and its work (blocking keys, candidates, observations, holds) is part of the after
figures of furnishing and of the inquiries in the load mix; ``bench.resolution_cost`` measures
that part on its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import resolution_cost
from bench.common import REPO

BEFORE = "95c21f5^"
RECORDS, ROWS, PEOPLE = 100_000, 500_000, 1_000
RATES: tuple[float, ...] = (25.0, 50.0, 100.0)
SECONDS, ROUNDS = 10.0, 1
QUICK_RECORDS, QUICK_ROWS, QUICK_PEOPLE = 5_000, 20_000, 200
QUICK_RATES, QUICK_SECONDS = (20.0,), 3.0
ENGINES = ("numpy", "duckdb", "sqlite", "postgresql")
KINDS = ("furnishing", "scoring", "load")

# run by each build's interpreter, with that build's ``bench`` and ``openbureau`` first on the
# path; only what both builds' benchmarks have is read. Prints one JSON line.
_CHILD = r"""
import json, sys
kind, args = sys.argv[1], json.loads(sys.argv[2])
def quiet(*a, **k):
    pass
if kind == "furnishing":
    from bench import furnishing as m
    r = m.run(args["records"], log=quiet)
    out = {"records": r.records, "ingest_s": r.ingest_s, "copy_s": r.copy_s,
           "accepted": r.accepted, "rejected": r.rejected, "peak_rss_mib": r.peak_rss_mib,
           "phases": r.phases}
elif kind == "scoring":
    from bench import scoring as m
    n = args["rows"]
    r = m.run((n,), 0, peers=False, log=quiet)
    out = {"rows": n, "seconds": {e: s[n] for e, s in r["seconds"].items() if n in s}}
else:
    from bench import load as m
    r = m.run(tuple(args["rates"]), args["seconds"], args["people"], workers=2,
              profile=False, log=quiet)
    steps = []
    for s in r.steps:
        ms = sorted(v for vs in s.latency_ms.values() for v in vs)
        errors = sum(sum(c.values()) for c in s.errors.values())
        steps.append({"rate": s.rate, "sent": s.sent, "answered": s.answered,
                      "wall_s": s.wall_s, "errors": errors, "server_cpu_s": s.server_cpu_s,
                      "p50": ms[len(ms) // 2] if ms else None,
                      "p99": ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else None})
    out = {"steps": steps}
print(json.dumps(out))
"""


def _turn(tree: Path, kind: str, args: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _CHILD, kind, json.dumps(args)],
                          env=resolution_cost._env(tree), cwd=tree, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} on {tree} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class Result:
    commits: dict[str, str]
    args: dict[str, Any]
    rounds: int
    turns: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)


def run(before: str = BEFORE, *, records: int = RECORDS, rows: int = ROWS,
        people: int = PEOPLE, rates: tuple[float, ...] = RATES, seconds: float = SECONDS,
        rounds: int = ROUNDS, only: tuple[str, ...] = KINDS, log: Any = print) -> Result:
    from bench.common import machine_facts

    every = {"furnishing": {"records": records}, "scoring": {"rows": rows},
             "load": {"rates": list(rates), "seconds": seconds, "people": people}}
    args = {kind: every[kind] for kind in KINDS if kind in only}
    here = REPO
    head = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
                          check=True, capture_output=True, text=True).stdout.strip()
    with resolution_cost.before_tree(before) as (tree, commit):
        r = Result({"before": commit, "after": head}, args, rounds)
        builds = {"before": tree, "after": here}
        for kind, kind_args in args.items():
            r.turns[kind] = {"before": [], "after": []}
            for turn in range(rounds):
                for name in ("before", "after", "after", "before"):
                    log(f"{kind}: {name}, round {turn + 1} of {rounds}")
                    r.turns[kind][name].append(_turn(builds[name], kind, kind_args))
    r.facts = machine_facts()
    return r


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ratio(after: float, before: float) -> str:
    return f"{after / before:.2f}" if before else "–"


def render(r: Result) -> str:
    lines: list[str] = []
    if "furnishing" in r.turns:
        lines += _furnishing(r)
    if "scoring" in r.turns:
        lines += _scoring(r)
    if "load" in r.turns:
        lines += _load(r)
    return _text(r, lines)


def _furnishing(r: Result) -> list[str]:
    fur = r.turns["furnishing"]

    def rps(name: str) -> float:
        return _median([t["records"] / t["ingest_s"] for t in fur[name]])

    def floor(name: str) -> float:
        return _median([t["copy_s"] / t["ingest_s"] for t in fur[name]])

    def rss(name: str) -> float:
        return _median([t["peak_rss_mib"] for t in fur[name]])

    lines = [f"| ingest, records/s | {rps('before'):,.0f} | {rps('after'):,.0f} | "
             f"{_ratio(rps('after'), rps('before'))} |",
             f"| ingest ÷ raw COPY of the same rows | {floor('before'):.3f} | "
             f"{floor('after'):.3f} | {_ratio(floor('after'), floor('before'))} |",
             f"| ingest's peak memory, MiB | {rss('before'):,.0f} | {rss('after'):,.0f} | "
             f"{_ratio(rss('after'), rss('before'))} |"]
    # the store's steps (each build's own names; a step one build lacks shows "–")
    steps = list(dict.fromkeys(p for name in ("after", "before") for t in fur[name]
                               for p in t.get("phases", {})))
    for step in steps:
        b, a = (_median([t["phases"][step] for t in fur[name] if step in t.get("phases", {})])
                for name in ("before", "after"))
        shown = [f"{v:.2f}" if v == v else "–" for v in (b, a)]
        lines.append(f"| ingest step \"{step}\", s | {shown[0]} | {shown[1]} | "
                     f"{_ratio(a, b) if b == b and a == a else ''} |")
    return lines


def _scoring(r: Result) -> list[str]:
    lines = []
    sco = r.turns["scoring"]
    n = r.args["scoring"]["rows"]
    for engine in ENGINES:
        b = _median([n / t["seconds"][engine] for t in sco["before"] if engine in t["seconds"]])
        a = _median([n / t["seconds"][engine] for t in sco["after"] if engine in t["seconds"]])
        lines.append(f"| scoring on {engine}, rows/s | {b:,.0f} | {a:,.0f} | {_ratio(a, b)} |")
    return lines


def _load(r: Result) -> list[str]:
    lines = []
    lo = r.turns["load"]
    for i, rate in enumerate(r.args["load"]["rates"]):
        def step(name: str, key: str, i: int = i) -> float:
            values = [t["steps"][i][key] for t in lo[name] if len(t["steps"]) > i
                      and t["steps"][i][key] is not None]
            return _median(values)

        def per_s(name: str, i: int = i) -> float:
            return _median([t["steps"][i]["answered"] / t["steps"][i]["wall_s"]
                            for t in lo[name] if len(t["steps"]) > i and t["steps"][i]["wall_s"]])

        def cpu(name: str, i: int = i) -> float:
            return _median([1000 * t["steps"][i]["server_cpu_s"] / max(t["steps"][i]["answered"], 1)
                            for t in lo[name] if len(t["steps"]) > i])

        for label, b, a in ((f"load at {rate:g}/s: answered per second", per_s("before"),
                             per_s("after")),
                            (f"load at {rate:g}/s: p50, ms", step("before", "p50"),
                             step("after", "p50")),
                            (f"load at {rate:g}/s: p99, ms", step("before", "p99"),
                             step("after", "p99")),
                            (f"load at {rate:g}/s: server CPU per request, ms", cpu("before"),
                             cpu("after"))):
            lines.append(f"| {label} | {b:,.1f} | {a:,.1f} | {_ratio(a, b)} |")
        errors = {name: sum(t["steps"][i]["errors"] for t in lo[name] if len(t["steps"]) > i)
                  for name in ("before", "after")}
        lines.append(f"| load at {rate:g}/s: errors over all turns | {errors['before']} | "
                     f"{errors['after']} | |")
    return lines


def _text(r: Result, lines: list[str]) -> str:
    facts = ", ".join(f"{k}: {v}" for k, v in r.facts.items())
    a = r.args
    return f"""## The service-layer redesign: before and after, side by side

`python -m bench.builds` — the build before the redesign ({r.commits['before']}) and this one
({r.commits['after']}), each running its own `bench` module in a process of its own, in the
order before, after, after, before ({r.rounds} round(s)); each figure is the build's median over
its turns. {_sizes(a)} A ratio is after ÷ before (for times and CPU, lower is
better; for rates, higher).

Identity resolution (issue 14) landed between the two builds: its work is in the after figures
of the ingest and of the inquiries in the load mix (`bench.resolution_cost` measures that part
alone).

| figure | before | after | ratio |
|---|---:|---:|---:|
{chr(10).join(lines)}

Machine: {facts}.
"""


def _sizes(a: dict[str, Any]) -> str:
    out = []
    if "furnishing" in a:
        out.append(f"Furnishing: {a['furnishing']['records']:,} Metro 2 records into PostgreSQL.")
    if "scoring" in a:
        out.append(f"Scoring: {a['scoring']['rows']:,} rows of Give Me Some Credit attributes "
                   "on each runtime engine.")
    if "load" in a:
        out.append(f"Load: `openbureau serve --workers 2` on PostgreSQL with "
                   f"{a['load']['people']:,} people, open loop, {a['load']['seconds']:g} s per "
                   "rate.")
    return " ".join(out)


def section(quick: bool = False) -> str:
    if quick:
        return render(run(records=QUICK_RECORDS, rows=QUICK_ROWS, people=QUICK_PEOPLE,
                          rates=QUICK_RATES, seconds=QUICK_SECONDS))
    return render(run())


def main(argv: list[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(prog="python -m bench.builds", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help=f"the build before (default {BEFORE})")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES))
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", default=",".join(KINDS),
                        help="comma-separated benchmarks (default: " + ",".join(KINDS) + ")")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    result = run(args.before, records=args.records, rows=args.rows, people=args.people,
                 rates=tuple(float(x) for x in args.rates.split(",")), seconds=args.seconds,
                 rounds=args.rounds, only=tuple(args.only.split(",")))
    text = render(result)
    print(text)
    if not args.no_write:
        from bench.common import write_section

        write_section("builds", text)
    return result


if __name__ == "__main__":
    main()
