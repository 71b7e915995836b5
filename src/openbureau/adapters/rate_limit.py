"""Rate limits shared by every worker: a fixed window per bucket in the ``rate_limits`` table.

One mechanism, parameterised by bucket, allowance and window; callers name their bucket
(``signin:ip:<hash>``, ``public_search:<hash>``) and hash what identifies the client so no
address is stored in clear.
"""

from __future__ import annotations

import functools
import hashlib
import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openbureau.adapters.tables import rate_limits
from openbureau.domain.errors import RateLimited

if TYPE_CHECKING:
    from openbureau.bootstrap import Bureau

MINUTE = timedelta(minutes=1)


def bucket_for(kind: str, client: str) -> str:
    return f"{kind}:{hashlib.sha256(client.encode()).hexdigest()[:40]}"


def take(bureau: Bureau, bucket: str, allowed: int, *, window: timedelta = MINUTE,
         what: str = "requests") -> None:
    """Count one event in ``bucket``, in its own committed transaction (so a refused or failed
    attempt still counts); raise ``RateLimited`` with the seconds to wait once more than
    ``allowed`` events fell in the current window. One statement creates the row, or counts in
    it, or starts a new window in it, atomically: concurrent events cannot collide, and the row
    is locked for one statement and its commit only."""
    with bureau.uow() as uow:
        now = uow.clock.now()
        dialect = uow.session.get_bind().dialect.name
        row = uow.execute(_count_statement(dialect),
                          {"b_bucket": bucket, "b_now": now, "b_cutoff": now - window}).one()
        uow.commit()
    if row.count > allowed:
        retry = max(1, math.ceil((row.window_start + window - now).total_seconds()))
        raise RateLimited(f"at most {allowed} {what} per {_span(window)}; try again in "
                          f"{retry} seconds", retry)


@functools.cache
def _count_statement(dialect: str) -> Any:
    """Built once per dialect (PostgreSQL and SQLite share ``ON CONFLICT ... DO UPDATE``)."""
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    stamp = rate_limits.c.window_start.type
    now, expired = bindparam("b_now", type_=stamp), \
        rate_limits.c.window_start <= bindparam("b_cutoff", type_=stamp)
    statement = upsert(rate_limits).values(bucket=bindparam("b_bucket"), window_start=now,
                                           count=1)
    return statement.on_conflict_do_update(
        index_elements=[rate_limits.c.bucket],
        set_={"window_start": case((expired, now), else_=rate_limits.c.window_start),
              "count": case((expired, 1), else_=rate_limits.c.count + 1)},
    ).returning(rate_limits.c.window_start, rate_limits.c.count)


def _span(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return "minute" if seconds == 60 else f"{seconds} seconds"
