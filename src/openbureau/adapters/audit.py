"""The hash-chained audit log.

Each event stores the hash of the one before it and its own hash over a canonical JSON of its
fields. Events are appended at commit time under a lock on the one-row ``audit_head`` table, so
the chain is gap-free and totally ordered even with concurrent writers (threads or server
processes). On PostgreSQL a commit's single event is hashed by the database in the statement
that takes the lock, sent together with the COMMIT (``append_and_commit``); the hash is the same
``event_hash``. ``verify`` walks the chain and names the first event that was modified, deleted
or moved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, bindparam, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from openbureau.adapters.tables import audit_events, audit_head

GENESIS = "0" * 64
_ONE_STATEMENT_MAX = 16        # events appended with the head in one statement; more go as
                               # an executemany (a multi-row VALUES of hundreds of events was
                               # about 5x slower than executemany in the furnishing benchmark)


@dataclass
class PendingEvent:
    at: datetime
    actor: str
    action: str
    subject_ref: str | None
    purpose: str | None
    detail: dict[str, Any] = field(default_factory=dict)


def event_hash(seq: int, at: datetime, actor: str, action: str, subject_ref: str | None,
               purpose: str | None, detail: Any, prev_hash: str) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, subject_ref, purpose,
         detail, prev_hash],
        sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append_and_commit(session: Session, events: list[PendingEvent]) -> None:
    """Append events to the chain and commit the session's transaction.

    Every writer queues for the head row and holds it until its commit. With the generic
    ``append`` the lock is taken in one round trip and released by a later one, so it is held
    while this process waits for PostgreSQL's answers and for its turn on the CPU (the GIL,
    the other requests); under load that wait, not the work, bounds how many writes commit per
    second. On PostgreSQL, for the usual single event and a session that owns its connection,
    one statement locks the head, hashes (in the database), inserts and moves the head, and it
    goes out with the COMMIT in one pipeline: nothing waits on the client while the row is
    held."""
    bind = session.get_bind()
    if len(events) == 1 and bind.dialect.name == "postgresql" and isinstance(bind, Engine) \
            and _pipeline_supported() and _head_exists(session, bind):
        raw: Any = session.connection().connection.driver_connection
        with raw.pipeline():
            session.connection().execute(*_in_place(events[0]))
            raw.commit()        # the pipeline syncs here: an error is raised, not lost
        session.commit()        # the transaction is over; this only closes the session's
        return
    append(session, events)
    session.commit()


_heads_seen: set[str] = set()


def _pipeline_supported() -> bool:
    from psycopg import Pipeline

    return bool(Pipeline.is_supported())     # libpq 14 or later


def _head_exists(session: Session, engine: Engine) -> bool:
    """Whether the chain has its head row (it has, from the first event on, forever)."""
    key = engine.url.render_as_string(hide_password=True)
    if key not in _heads_seen and session.execute(
            select(audit_head.c.id).where(audit_head.c.id == 1)).first() is not None:
        _heads_seen.add(key)
    return key in _heads_seen


def append(session: Session, events: list[PendingEvent]) -> None:
    """Append events to the chain inside the caller's transaction."""
    if not events:
        return
    locked = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1) \
        .with_for_update()
    head = session.execute(locked).first()
    if head is None:
        # the very first event: two writers (two server processes) may both get here; the
        # second one's insert waits for the first's and does nothing, then both lock the row
        session.execute(_insert_ignoring_conflict(session).values(id=1, seq=0, hash=GENESIS))
        head = session.execute(locked).one()
    seq, prev = head.seq, head.hash
    rows = []
    for ev in events:
        seq += 1
        at = ev.at
        h = event_hash(seq, at, ev.actor, ev.action, ev.subject_ref, ev.purpose, ev.detail, prev)
        rows.append({"seq": seq, "at": at, "actor": ev.actor, "action": ev.action,
                     "subject_ref": ev.subject_ref, "purpose": ev.purpose,
                     "detail": ev.detail, "prev_hash": prev, "hash": h})
        prev = h
    move_head = update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev)
    if session.get_bind().dialect.name == "postgresql" and len(rows) <= _ONE_STATEMENT_MAX:
        # one round trip, not two: every writer waits for the head row while this transaction
        # holds it, so the time between locking it and committing is what bounds throughput
        session.execute(move_head.add_cte(insert(audit_events).values(rows).cte("appended")))
    else:
        session.execute(insert(audit_events), rows)
        session.execute(move_head)


def _in_place(ev: PendingEvent) -> tuple[Any, dict[str, Any]]:
    """The one statement that appends ``ev`` after the locked head (PostgreSQL), and its
    parameters. The hash is ``event_hash``'s: the canonical JSON is ``[seq,<the other
    fields>,"prev_hash"]``, so Python encodes the middle (ASCII) and the database adds the two
    ends it reads under the lock. No head row makes the event's ``seq`` NULL, refused by its
    primary key: never a lost event."""
    middle = json.dumps([ev.at.isoformat(timespec="microseconds"), ev.actor, ev.action,
                         ev.subject_ref, ev.purpose, ev.detail],
                        sort_keys=True, separators=(",", ":"), default=str)[1:-1]
    return _IN_PLACE, {"middle": "," + middle + ',"', "at": ev.at, "actor": ev.actor,
                       "action": ev.action, "subject_ref": ev.subject_ref,
                       "purpose": ev.purpose, "detail": ev.detail}


def _in_place_statement() -> Any:
    """Built once: every write request runs it, and building it (CTEs, scalar subqueries) cost
    more CPU than running it."""
    c = audit_events.c
    head = (select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            .with_for_update().cte("head"))
    seq = head.c.seq + 1
    body = (literal("[") + cast(seq, String) + bindparam("middle", type_=String)
            + head.c.hash + literal('"]'))
    new = select(seq.label("seq"), head.c.hash.label("prev_hash"),
                 func.encode(func.sha256(func.convert_to(body, "UTF8")), "hex").label("hash")
                 ).cte("new")
    stored = insert(audit_events).values(
        seq=select(new.c.seq).scalar_subquery(),
        at=bindparam("at", type_=c.at.type), actor=bindparam("actor", type_=c.actor.type),
        action=bindparam("action", type_=c.action.type),
        subject_ref=bindparam("subject_ref", type_=c.subject_ref.type),
        purpose=bindparam("purpose", type_=c.purpose.type),
        detail=bindparam("detail", type_=c.detail.type),
        prev_hash=select(new.c.prev_hash).scalar_subquery(),
        hash=select(new.c.hash).scalar_subquery()).cte("stored")
    return (update(audit_head).where(audit_head.c.id == 1)
            .values(seq=select(new.c.seq).scalar_subquery(),
                    hash=select(new.c.hash).scalar_subquery())
            .add_cte(head, new, stored))


_IN_PLACE = _in_place_statement()


def _insert_ignoring_conflict(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(audit_head).on_conflict_do_nothing(index_elements=["id"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(audit_head).on_conflict_do_nothing(index_elements=["id"])
    return insert(audit_head)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_event: int | None = None
    problem: str | None = None


def _rows(session: Session, batch: int = 5000) -> Iterator[Any]:
    last = 0
    while True:
        chunk = session.execute(
            select(audit_events).where(audit_events.c.seq > last)
            .order_by(audit_events.c.seq).limit(batch)).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(session: Session) -> VerifyResult:
    expected_seq, prev, count = 1, GENESIS, 0
    for row in _rows(session):
        count += 1
        if row.seq != expected_seq:
            return VerifyResult(False, count, expected_seq,
                                f"event {expected_seq} is missing (next stored is {row.seq})")
        if row.prev_hash != prev:
            return VerifyResult(False, count, row.seq,
                                f"event {row.seq} does not follow event {row.seq - 1}")
        h = event_hash(row.seq, row.at, row.actor, row.action, row.subject_ref, row.purpose,
                       row.detail, row.prev_hash)
        if h != row.hash:
            return VerifyResult(False, count, row.seq, f"event {row.seq} was modified")
        prev, expected_seq = row.hash, expected_seq + 1
    head = session.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return VerifyResult(False, count, count + 1 if head_seq > count else head_seq,
                            f"the chain ends at event {count} but the head records "
                            f"event {head_seq}: events at the end were deleted")
    return VerifyResult(True, count)
