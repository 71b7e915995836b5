"""One ingest in a process of its own, so that its peak memory is the ingest's alone.

    python -m bench._ingest_child '{"url": ..., "var_dir": ..., "path": ..., "furnisher": ...,
                                    "rescoring": false}'

Prints one JSON object: seconds, the file's summary, the bulk store's phases, the time inside
the rescoring hook, and the process's peak resident memory before and after the ingest (MiB;
``VmHWM``). Used by ``bench.furnishing``; not a command for operators.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from openbureau.domain.roles import SYSTEM


def _peak_mib() -> float:
    """This process's peak resident memory: Linux's ``VmHWM`` (of this program's own address
    space). Not ``ru_maxrss``: Linux carries it across ``execve`` from the forked parent, so a
    child of a large benchmark process would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(arg: str) -> dict[str, Any]:
    from openbureau.adapters.database import make_engine
    from openbureau.bootstrap import bootstrap
    from openbureau.config import Settings
    from openbureau.domain.roles import Principal, Role
    from openbureau.services import access, bulk_store, files

    a = json.loads(arg)
    engine = make_engine(a["url"])
    bureau = bootstrap(Settings(environment="test", database_url=a["url"],
                                var_dir=Path(a["var_dir"])), engine=engine)
    org = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, a["furnisher"], "furnisher")
    who = Principal(Role.FURNISHER, org.id, a["furnisher"])
    hook = bureau.rescorer if a.get("rescoring") else None
    rescore_s = 0.0

    def rescore(uow: Any, subject_ids: set[int]) -> None:   # the hook, timed
        nonlocal rescore_s
        t = time.perf_counter()
        hook(uow, subject_ids)  # type: ignore[misc]
        rescore_s += time.perf_counter() - t

    bulk_store.PHASES.clear()
    before = _peak_mib()
    t = time.perf_counter()
    path = Path(a["path"])
    with path.open("rb") as f:
        file_id = files.receive(bureau.uow(), bureau.deps, who, path.name, f)
    summary = files.ingest(bureau.uow(), bureau.deps, file_id,
                           rescore=rescore if hook is not None else None)
    ingest_s = time.perf_counter() - t
    out = {"ingest_s": ingest_s, "records": summary["records"],
           "accepted": summary["accepted"], "rejected": summary["rejected"],
           "errors_kept": len(summary.get("errors") or []),
           "phases": dict(bulk_store.PHASES), "rescore_s": rescore_s,
           "rss_before_mib": before, "peak_rss_mib": _peak_mib()}
    engine.dispose()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
