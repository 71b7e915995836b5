"""Run the benchmarks and rewrite their sections of BENCHMARKS.md.

    python -m bench.run [--only furnishing] [--quick]

A benchmark is a module of this package with ``section(quick: bool) -> str`` returning its
Markdown section; its name is the module's name.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bench.common import BENCHMARKS_MD, write_section

BENCHMARKS = ("furnishing", "scoring", "load", "scale", "identity", "identity_external",
              "resolution_cost", "relink", "builds", "served")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--only", action="append", choices=BENCHMARKS,
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        body = module.section(quick=args.quick)
        write_section(name, body)
        print(f"== {name}: section written to {BENCHMARKS_MD}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
