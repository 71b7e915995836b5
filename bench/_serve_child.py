"""Serve one build for ``bench.resolution_cost``: run as a script with that build's ``src`` and
tree on ``PYTHONPATH``, it seeds a scratch database and starts ``openbureau serve`` with the
build's own ``bench.load.served``, prints the target as one JSON line, and keeps both until
its standard input closes.

    PYTHONPATH=TREE/src:TREE python bench/_serve_child.py PEOPLE WORKERS
"""

from __future__ import annotations

import dataclasses
import json
import sys


def main() -> None:
    from bench.load import served

    people, workers = int(sys.argv[1]), int(sys.argv[2])
    with served(people, workers=workers,
                log=lambda *a: print(*a, file=sys.stderr, flush=True)) as target:
        fields = dataclasses.asdict(target)
        fields["log"] = str(fields.get("log"))
        print(json.dumps(fields), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
