"""What every benchmark needs: facts about the machine, a scratch PostgreSQL database, and the
writer of one marked section of BENCHMARKS.md (so each benchmark owns its section)."""

from __future__ import annotations

import os
import platform
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
PG_ADMIN_URL = os.environ.get("OPENBUREAU_BENCH_PG_URL",
                              os.environ.get("OPENBUREAU_TEST_PG_URL",
                                             "postgresql://root@127.0.0.1:5432/test"))
_TITLE = ("# Benchmarks\n\nWritten by `make bench` (`python -m bench.run`); each section is "
          "rewritten by its own benchmark.\n")


def machine_facts(engine: Any | None = None) -> dict[str, str]:
    """nproc, memory, CPU model, Python and (given an engine) the PostgreSQL version, date."""
    facts = {"nproc": str(os.cpu_count()), "memory": "?", "cpu": platform.processor() or "?",
             "python": platform.python_version(),
             "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
        facts["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        if model:
            facts["cpu"] = model.group(1).strip()
    except OSError:
        pass
    if engine is not None:
        from sqlalchemy import text

        with engine.connect() as conn:
            facts["postgresql"] = conn.execute(text("SHOW server_version")).scalar_one()
    return facts


def facts_line(facts: dict[str, str]) -> str:
    parts = [f"{facts['nproc']} cores ({facts['cpu']})", f"{facts['memory']} memory",
             f"Python {facts['python']}"]
    if "postgresql" in facts:
        parts.append(f"PostgreSQL {facts['postgresql']}")
    return "Machine: " + ", ".join(parts) + f"; run {facts['date']}."


def write_section(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the ``<!-- bench:name -->`` ... ``<!-- /bench:name -->`` section."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else _TITLE
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


@contextmanager
def temp_database(admin_url: str = PG_ADMIN_URL, prefix: str = "ob_bench") -> Iterator[str]:
    """A fresh PostgreSQL database ``<prefix>_<random>``, dropped afterwards; yields its URL."""
    from sqlalchemy import text

    from openbureau.adapters.database import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
