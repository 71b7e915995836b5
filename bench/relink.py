"""Batch re-link, measured: how long the whole population takes, how much memory at the peak,
and whether the merges and splits it proposes are right.

    python -m bench.relink [--people 100000] [--seed 5] [--engine duckdb] [--keep DIR]
                           [--memory-limit 2GB]

A synthetic population (``openbureau.synthetic.identities``: twins, Jr/Sr, couples, marriages,
moves, nicknames, typos, missing and mistyped ids) is put on files as online resolution would
leave them with two kinds of old mistakes injected: 2 % of the people with several records
have one record on a file of its own (a *split* file, to be merged back), and a fifth of the
twin pairs have one of twin B's records on twin A's file (a *mixed* file, to be split). The
parts are encrypted as the database keeps them (``relink.encrypted_part``) and the run starts
from them (``relink.start_from``) -- the database extract is not measured here; it reads two
tables in id order.

The relink itself (decrypt, features, keyed blocking keys, the engine's pairs and levels,
weights, clustering under the integrity rules, the moves) runs in a child process, so that its
peak memory (``ru_maxrss``) is the relink's own, not the generator's.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.common import facts_line, machine_facts

KEY = b"k" * 32


def _vault() -> Any:
    from openbureau.adapters.pii import IdentityVault

    return IdentityVault(KEY, KEY)


def build(people: int, seed: int, folder: Path) -> dict[str, Any]:
    """The population on files with the injected mistakes, as a run's extracted records;
    the truth (each record's person) beside it."""
    from openbureau.services import relink
    from openbureau.synthetic import identities as synth

    t0 = time.perf_counter()
    pop = synth.population(people, seed)
    gen_s = time.perf_counter() - t0
    rng = random.Random(seed)  # noqa: S311 (synthetic)
    file_of = [r.pid + 1 for r in pop.records]
    by_pid: dict[int, list[int]] = collections.defaultdict(list)
    for i, r in enumerate(pop.records):
        by_pid[r.pid].append(i)
    split = mixed = 0
    next_file = len(pop.people) + 1
    for _, idx in sorted(by_pid.items()):
        if len(idx) > 1 and rng.random() < 0.02:
            file_of[idx[-1]] = next_file
            next_file += 1
            split += 1
    twins = [p for p in pop.people if "twin" in p.strata]
    by_household: dict[tuple[str, Any], list[int]] = collections.defaultdict(list)
    for p in twins:
        by_household[(p.surname, p.born)].append(p.pid)
    for pids in by_household.values():
        if len(pids) == 2 and rng.random() < 0.2 and len(by_pid[pids[1]]) > 1:
            file_of[by_pid[pids[1]][0]] = pids[0] + 1
            mixed += 1
    t1 = time.perf_counter()
    vault = _vault()
    parts = [relink.encrypted_part(vault, file_of[i], i, r.subject)
             for i, r in enumerate(pop.records)]
    order = sorted(range(len(parts)), key=lambda i: (parts[i]["subject_id"],
                                                      parts[i]["furnisher_id"]))
    relink.start_from(folder, [parts[i] for i in order])
    truth = [pop.records[i].pid for i in order]
    (folder / "truth.json").write_text(json.dumps(truth))
    return {"people": people, "records": len(parts), "split_files": split,
            "mixed_files": mixed, "generate_s": gen_s, "encrypt_s": time.perf_counter() - t1}


def child(folder: Path, engine: str, memory_limit: str = "2GB") -> None:
    """The relink from the extracted records, its stages timed; one JSON line on stdout."""
    from openbureau.services import relink

    spark = None
    if engine == "spark":
        from openbureau.adapters.scoring_engines import spark_session

        spark = spark_session("local[2]")
    import dataclasses

    t0 = time.perf_counter()
    run = relink.Run(folder, _vault(), spark=spark,
                     options=relink.Options(engine=engine, stop_after="pairs",
                                            memory_limit=memory_limit))
    peaks = {}
    for stage in ("pairs", "clusters"):
        run.options = dataclasses.replace(run.options, stop_after=stage)
        summary = run.execute()
        peaks[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    wall = time.perf_counter() - t0
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({"wall_s": wall, "peak_rss_gib": max(peaks.values()), "peaks": peaks,
                      "worker_peak_gib": workers, "cpu_s": cpu,
                      "stages": summary["stages"]}))


def evaluate(folder: Path) -> dict[str, Any]:
    """Records on the wrong person's file and people split across files, before the run
    and after its moves."""
    import pyarrow.parquet as pq

    truth = json.loads((folder / "truth.json").read_text())
    before = pq.read_table(folder / "records.parquet", columns=["subject_id"]
                           ).column("subject_id").to_pylist()
    after: list[Any] = list(before)
    moves = json.loads((folder / "moves.json").read_text())
    for m in moves:
        for rid in m["rids"]:
            after[rid] = m["to_id"] if m["to_id"] is not None else f"new-{m['cluster']}"

    def measure(files: list[Any]) -> dict[str, float]:
        on: dict[Any, collections.Counter[int]] = collections.defaultdict(collections.Counter)
        for f, pid in zip(files, truth, strict=True):
            on[f][pid] += 1
        owner = {f: c.most_common(1)[0][0] for f, c in on.items()}
        wrong = sum(1 for f, pid in zip(files, truth, strict=True) if owner[f] != pid)
        places: dict[int, set[Any]] = collections.defaultdict(set)
        for f, pid in zip(files, truth, strict=True):
            places[pid].add(f)
        people = len(places)
        return {"wrong_file_pct": 100 * wrong / len(files),
                "split_pct": 100 * sum(len(v) > 1 for v in places.values()) / people,
                "mixed_files": sum(len(c) > 1 for c in on.values())}

    return {"before": measure(before), "after": measure(after),
            "merges": sum(m["kind"] == "merge" for m in moves),
            "splits": sum(m["kind"] == "split" for m in moves)}


def report(people: int, seed: int, engine: str, keep: Path | None = None,
           memory_limit: str = "2GB") -> str:
    folder = keep or Path(tempfile.mkdtemp(prefix="ob_relink_"))
    if not (folder / "truth.json").exists():
        built = build(people, seed, folder)
        (folder / "built.json").write_text(json.dumps(built))
    built = json.loads((folder / "built.json").read_text())
    state = json.loads((folder / "state.json").read_text())     # measured afresh each time
    state["stages"] = {"extract": state["stages"]["extract"]}
    state["engine"] = None
    (folder / "state.json").write_text(json.dumps(state))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "bench.relink", "--child", str(folder),
                          "--engine", engine, "--memory-limit", memory_limit],
                         capture_output=True, text=True, check=True,
                         env=env, cwd=Path(__file__).resolve().parents[1])
    got = json.loads(out.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    quality = evaluate(folder)
    st = got["stages"]
    n = built["records"]
    per_million = got["wall_s"] / n * 4_000_000
    lines = [
        facts_line(machine_facts()) + f" Load average at the end: {load[0]:.1f} (1 min), "
        f"{load[2]:.1f} (15 min) -- other work shared the cores.", "",
        f"{built['people']:,} people, {n:,} records (seed {seed}), engine {engine}, "
        f"{built['split_files']:,} split files and {built['mixed_files']:,} mixed files "
        f"injected; DuckDB's memory limit {memory_limit}.", "",
        "| stage | seconds |", "|---|---|",
        f"| pairs (decrypt, features, keyed blocking, {engine} levels, weights) | "
        f"{st['pairs']['seconds']:.1f} |",
        f"| clusters (integrity rules, moves) | {st['clusters']['seconds']:.1f} |",
        f"| **relink, wall** | **{got['wall_s']:.1f}** |",
        f"| relink, CPU (the process and its workers) | {got['cpu_s']:.1f} |", "",
        f"Pairs scored {st['pairs']['pairs_scored']:,}; kept (weight >= review) "
        f"{st['pairs']['pairs_kept']:,}; clusters {st['clusters']['clusters']:,}; "
        f"proposed {quality['merges']:,} merges and {quality['splits']:,} splits.",
        *([f"Clusters scored as files (a record or a small cluster with a pair at review, "
           f"none at link): {af['clusters']:,} examined, {af['decisions']:,} records decided, "
           f"{af['scorings']:,} files scored, {af['joined']:,} joined."]
          if (af := st['clusters'].get('as_file')) else []),
        f"Peak memory of the relink process (ru_maxrss): **{got['peak_rss_gib']:.2f} GiB** "
        f"(after the pairs {got['peaks']['pairs']:.2f} GiB); the largest forked worker "
        f"(they share the parent's pages until they write) {got['worker_peak_gib']:.2f} GiB.",
        f"Linear extrapolation to 4,000,000 records (1,000,000 people): "
        f"{per_million / 60:.0f} min of wall time on this machine as loaded, "
        f"{got['cpu_s'] / n * 4_000_000 / 60:.0f} min of CPU (target: under 30 min wall; peak "
        "memory target 8 GB).", "",
        "| measure | before the run | after its moves |", "|---|---|---|",
        f"| records on the wrong person's file | {quality['before']['wrong_file_pct']:.3f} % | "
        f"{quality['after']['wrong_file_pct']:.3f} % |",
        f"| people split across files | {quality['before']['split_pct']:.3f} % | "
        f"{quality['after']['split_pct']:.3f} % |",
        f"| files holding records of two people | {quality['before']['mixed_files']:,} | "
        f"{quality['after']['mixed_files']:,} |", "",
        f"(Population generated in {built['generate_s']:.0f} s and encrypted in "
        f"{built['encrypt_s']:.0f} s, outside the measure.)"]
    return "\n".join(lines) + "\n"


def section(quick: bool = False) -> str:
    return report(2000 if quick else 100_000, 5, "duckdb")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relink", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    parser.add_argument("--keep", type=Path, default=None,
                        help="build (or reuse) the population in this directory")
    parser.add_argument("--memory-limit", default="2GB",
                        help="DuckDB's memory limit for the relink (its --memory-limit)")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.child is not None:
        child(args.child, args.engine, args.memory_limit)
        return
    print(report(args.people, args.seed, args.engine, args.keep, args.memory_limit))


if __name__ == "__main__":
    main()
