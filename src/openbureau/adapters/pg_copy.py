"""``COPY ... FROM STDIN`` in binary, for the bulk paths on PostgreSQL.

Rows travel as PostgreSQL's binary COPY format, each value dumped by psycopg's C dumpers for the
column types named here: no SQL text per row and no array literals to escape (what an
``unnest`` of arrays costs for a few thousand rows). The tables written to are the bulk paths'
temporary staging tables (and the audit log); their names and columns are constants of the
callers, never input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def copy_rows(cur: Any, table: str, columns: Sequence[tuple[str, str]],
              rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` into ``table``; ``columns``: (name, PostgreSQL type) in the rows' order."""
    names = ", ".join(name for name, _ in columns)
    with cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as cp:
        cp.set_types([kind for _, kind in columns])
        for row in rows:
            cp.write_row(row)


def create_stage(cur: Any, table: str, columns: Sequence[tuple[str, str]]) -> None:
    """A temporary staging table of these columns, emptied at every commit (and now: after a
    savepoint's release -- the tests' -- the last chunk's rows are still there)."""
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ("
                + ", ".join(f"{name} {kind}" for name, kind in columns)
                + ") ON COMMIT DELETE ROWS")
    cur.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608
