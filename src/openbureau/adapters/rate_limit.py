"""Rate limits shared by every worker: a fixed window per bucket in the ``rate_limits`` table.

One mechanism, parameterised by bucket, allowance and window; callers name their bucket
(``signin:ip:<hash>``, ``public_search:<hash>``) and hash what identifies the client so no
address is stored in clear.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
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
    attempt still counts); raise ``RateLimited`` with the seconds to wait once ``allowed``
    events fell in the current window. The row is created idempotently and then locked, so
    concurrent first events cannot collide."""
    with bureau.uow() as uow:
        now = uow.clock.now()
        dialect = uow.session.get_bind().dialect.name
        upsert = pg_insert if dialect == "postgresql" else sqlite_insert
        uow.execute(upsert(rate_limits).values(bucket=bucket, window_start=now - window, count=0)
                    .on_conflict_do_nothing(index_elements=[rate_limits.c.bucket]))
        row = uow.execute(select(rate_limits).where(rate_limits.c.bucket == bucket)
                          .with_for_update()).one()
        if row.window_start + window <= now:
            values: dict[str, Any] = {"window_start": now, "count": 1}
        elif row.count >= allowed:
            retry = max(1, math.ceil((row.window_start + window - now).total_seconds()))
            raise RateLimited(f"at most {allowed} {what} per {_span(window)}; try again in "
                              f"{retry} seconds", retry)
        else:
            values = {"count": rate_limits.c.count + 1}
        uow.execute(update(rate_limits).where(rate_limits.c.bucket == bucket).values(**values))
        uow.commit()


def _span(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return "minute" if seconds == 60 else f"{seconds} seconds"
