"""Rate limits shared by every worker: a fixed window per bucket in the ``rate_limits`` table.

One mechanism, parameterised by bucket, allowance and window; callers name their bucket
(``signin:ip:<hash>``, ``public_search:<hash>``) and hash what identifies the client so no
address is stored in clear: a keyed hash (``bucket_for``), since a plain hash of an address is
reversed by hashing all 2^32 IPv4 addresses.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openbureau.adapters.tables import rate_limits
from openbureau.domain.errors import RateLimited
from openbureau.domain.wording import N_

if TYPE_CHECKING:
    from openbureau.adapters.metrics import Metrics
    from openbureau.adapters.unit_of_work import UnitOfWork
    from openbureau.services.ports import Vault

MINUTE = timedelta(minutes=1)
# the refusal, translated where it is shown (``i18n.Language.message``); ``what`` is one of the
# callers' N_-marked words ("searches"), ``span`` one of _span's
LIMITED = N_("at most %(n)s %(what)s per %(span)s; try again in %(seconds)s seconds")


class RateLimits:
    """``deps.rate_limits`` (``services.ports.RateLimits``): the limits and lock-out ledgers,
    each event counted in a transaction of its own. The rules are here; the four ``_``-methods
    are the only ones that touch the table (``tests/fakes.FakeRateLimits`` keeps them in a
    dict)."""

    def __init__(self, uow: Callable[[], UnitOfWork], vault: Vault, metrics: Metrics) -> None:
        self._uow, self._vault, self._metrics = uow, vault, metrics

    def bucket_for(self, kind: str, client: str) -> str:
        """The bucket of ``kind`` for one client (an address), keyed with the deployment's
        HMAC key (``IdentityVault.keyed_hash``)."""
        return f"{kind}:{self._vault.keyed_hash('rate_limit:' + kind, client)[:40]}"

    def take(self, bucket: str, allowed: int, *, window: timedelta = MINUTE,
             what: str = N_("requests")) -> None:
        """Count one event in ``bucket``, in its own committed transaction (so a refused or
        failed attempt still counts); raise ``RateLimited`` with the seconds to wait once more
        than ``allowed`` events fell in the current window. One statement creates the row, or
        counts in it, or starts a new window in it, atomically: concurrent events cannot
        collide, and the row is locked for one statement and its commit only."""
        now, window_start, count = self._count(bucket, window)
        if count > allowed:
            self._metrics.rate_limited.labels(bucket.rsplit(":", 1)[0]).inc()
            retry = max(1, math.ceil((window_start + window - now).total_seconds()))
            raise RateLimited(LIMITED % {"n": allowed, "what": what, "span": _span(window),
                                         "seconds": retry}, retry)

    def locked_for(self, bucket: str, allowed: int, base: float, cap: float) -> int:
        """Seconds until ``bucket`` may try again (0: not locked)."""
        now, row = self._ledger(bucket)
        if row is None:
            return 0
        last, count = row
        until = last + timedelta(seconds=lock_seconds(count, allowed, base, cap))
        return max(0, int(math.ceil((until - now).total_seconds())))

    def record_failure(self, bucket: str, cap: float) -> int:
        """Count one failure in the ledger ``bucket`` (its own committed transaction); returns
        the failures it now holds."""
        return self._fail(bucket, cap)

    def clear(self, bucket: str) -> None:
        self._clear(bucket)

    # -- the table ---------------------------------------------------------------------------

    def _count(self, bucket: str, window: timedelta) -> tuple[datetime, datetime, int]:
        """Count one event: (now, the window's start, events in it)."""
        with self._uow() as uow:
            now = uow.clock.now()
            row = uow.execute(_count_statement(uow.dialect),
                              {"b_bucket": bucket, "b_now": now,
                               "b_cutoff": now - window}).one()
            uow.commit()
        return now, row.window_start, int(row.count)

    def _ledger(self, bucket: str) -> tuple[datetime, tuple[datetime, int] | None]:
        """(now, the ledger's last failure and failures, if it has a row)."""
        with self._uow() as uow:
            row = uow.execute(select(rate_limits.c.window_start, rate_limits.c.count)
                              .where(rate_limits.c.bucket == bucket)).first()
            now = uow.clock.now()
        return now, None if row is None else (row.window_start, int(row.count))

    def _fail(self, bucket: str, cap: float) -> int:
        with self._uow() as uow:
            now = uow.clock.now()
            row = uow.execute(_failure_statement(uow.dialect),
                              {"b_bucket": bucket, "b_now": now,
                               "b_cutoff": now - timedelta(seconds=cap) - DAY}).one()
            uow.commit()
        return int(row.count)

    def _clear(self, bucket: str) -> None:
        with self._uow() as uow:
            uow.execute(delete(rate_limits).where(rate_limits.c.bucket == bucket))
            uow.commit()


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
    if seconds == 60:
        return N_("minute")
    if seconds == 86400:
        return N_("day")
    return N_("%(n)s seconds") % {"n": seconds}


# -- failure ledgers: progressive lockout ------------------------------------------------------
#
# A row of ``rate_limits`` per ledger, read differently from a window: ``window_start`` is the
# time of the last failure and ``count`` the failures since the ledger was last cleared or
# forgotten. Once ``allowed`` failures are recorded the ledger is locked for ``base`` seconds
# after the last failure, doubling with every further failure up to ``cap``; a ledger whose last
# failure is older than ``cap`` plus a day is forgotten (its next failure counts as the first).

DAY = timedelta(days=1)


def lock_seconds(count: int, allowed: int, base: float, cap: float) -> float:
    """How long a ledger with ``count`` failures stays locked after its last failure."""
    if count < allowed:
        return 0.0
    return float(min(cap, base * 2 ** min(count - allowed, 40)))


@functools.cache
def _failure_statement(dialect: str) -> Any:
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    stamp = rate_limits.c.window_start.type
    now = bindparam("b_now", type_=stamp)
    forgotten = rate_limits.c.window_start <= bindparam("b_cutoff", type_=stamp)
    statement = upsert(rate_limits).values(bucket=bindparam("b_bucket"), window_start=now,
                                           count=1)
    return statement.on_conflict_do_update(
        index_elements=[rate_limits.c.bucket],
        set_={"window_start": now,
              "count": case((forgotten, 1), else_=rate_limits.c.count + 1)},
    ).returning(rate_limits.c.count)
