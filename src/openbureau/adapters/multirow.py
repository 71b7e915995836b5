"""One multi-row INSERT for the bulk repositories (the furnishing stores, identity
resolution's new files, identity observations and keys)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Table, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_many(dialect: str, table: Table, rows: list[dict[str, Any]],
                constants: dict[str, Any]) -> tuple[Any, Any]:
    """One multi-row INSERT and its parameters, for the caller to add ON CONFLICT / RETURNING.

    ``rows`` share their keys; ``constants`` are the same for every row. On PostgreSQL the rows
    travel as one array per column through ``unnest``: a handful of parameters whatever the row
    count (the driver re-parses a statement with thousands of placeholders on every execution).
    Elsewhere they are an executemany.
    """
    if dialect != "postgresql":
        return sqlite_insert(table), [{**r, **constants} for r in rows]
    keys = list(rows[0])
    arrays = [cast(bindparam(None, [r[k] for r in rows], type_=ARRAY(table.c[k].type)),
                   ARRAY(table.c[k].type)) for k in keys]
    source = func.unnest(*arrays).table_valued(*keys).render_derived()
    columns: list[Any] = [source.c[k] for k in keys]
    for name, value in constants.items():
        columns.append(bindparam(None, value, type_=table.c[name].type))
    return pg_insert(table).from_select([*keys, *constants],
                                        select(*columns).select_from(source)), None
