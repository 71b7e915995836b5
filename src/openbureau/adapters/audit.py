"""The keyed, hash-chained audit log.

Each event stores the chain value of the one before it and its own: HMAC-SHA256, under the
audit key (``OPENBUREAU_AUDIT_KEY``), of a canonical JSON of its fields and the previous value
(``event_mac``). Without the key nobody can re-chain the log after deleting or changing an
event; published checkpoints of the head (``audit_checkpoints.py``) catch whoever has it.
Events written before the chain was keyed keep their plain SHA-256 (``event_hash``) and a NULL
``hash_alg``. They can only come first, and a keyed event must follow them (``db upgrade``
appends one, ``audit.chain_keyed``): its MAC covers the last unkeyed value, so the unkeyed
events cannot be re-chained either, and a log re-written wholly without the key is refused.

Events are appended at commit time under a lock on the one-row ``audit_head`` table, so the
chain is gap-free and totally ordered even with concurrent writers (threads or server
processes). On PostgreSQL a commit's single event is MACed by the database in the statement
that takes the lock, sent together with the COMMIT (``append_and_commit``); the value is the
same ``event_mac`` (the HMAC is spelled out with ``sha256()``, so no extension is needed; the
key goes with the statement as a bound parameter, never into the statement's text).
``verify`` walks the chain and names the first event that was modified, deleted or moved.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Engine,
    LargeBinary,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from openbureau.adapters import pg_copy
from openbureau.adapters.tables import audit_events, audit_head

GENESIS = "0" * 64
KEYED = "hmac-sha256"          # ``hash_alg`` of a keyed event; NULL: plain SHA-256 (before)
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


class ChainKey:
    """The audit key, with the HMAC pads the database needs to compute the same MAC."""

    BLOCK = 64      # SHA-256's block size

    def __init__(self, key: bytes) -> None:
        if not 16 <= len(key) <= self.BLOCK:
            raise ValueError("the audit key must be 16 to 64 bytes")
        self._key = key
        padded = key.ljust(self.BLOCK, b"\0")
        self.ipad = bytes(b ^ 0x36 for b in padded)
        self.opad = bytes(b ^ 0x5C for b in padded)

    def mac(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "ChainKey(...)"


def _body(seq: int, at: datetime, actor: str, action: str, subject_ref: str | None,
          purpose: str | None, detail: Any, prev_hash: str) -> bytes:
    return json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, subject_ref, purpose,
         detail, prev_hash],
        sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(seq: int, at: datetime, actor: str, action: str, subject_ref: str | None,
               purpose: str | None, detail: Any, prev_hash: str) -> str:
    """The chain value of an event written before the chain was keyed (plain SHA-256)."""
    return hashlib.sha256(
        _body(seq, at, actor, action, subject_ref, purpose, detail, prev_hash)).hexdigest()


def event_mac(key: ChainKey, seq: int, at: datetime, actor: str, action: str,
              subject_ref: str | None, purpose: str | None, detail: Any, prev_hash: str) -> str:
    """The chain value of a keyed event: HMAC-SHA256 over the same canonical JSON."""
    return key.mac(_body(seq, at, actor, action, subject_ref, purpose, detail, prev_hash))


def append_and_commit(session: Session, events: list[PendingEvent], key: ChainKey) -> None:
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
            session.connection().execute(*_in_place(events[0], key))
            raw.commit()        # the pipeline syncs here: an error is raised, not lost
        session.commit()        # the transaction is over; this only closes the session's
        return
    append(session, events, key)
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


def append(session: Session, events: list[PendingEvent], key: ChainKey) -> None:
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
        h = event_mac(key, seq, at, ev.actor, ev.action, ev.subject_ref, ev.purpose, ev.detail,
                      prev)
        rows.append({"seq": seq, "at": at, "actor": ev.actor, "action": ev.action,
                     "subject_ref": ev.subject_ref, "purpose": ev.purpose,
                     "detail": ev.detail, "prev_hash": prev, "hash": h, "hash_alg": KEYED})
        prev = h
    move_head = update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev)
    if session.get_bind().dialect.name == "postgresql" and len(rows) <= _ONE_STATEMENT_MAX:
        # one round trip, not two: every writer waits for the head row while this transaction
        # holds it, so the time between locking it and committing is what bounds throughput
        session.execute(move_head.add_cte(insert(audit_events).values(rows).cte("appended")))
    elif session.get_bind().dialect.name == "postgresql":
        # a chunk of a furnished file: a thousand events or more, copied
        raw: Any = session.connection().connection.driver_connection
        with raw.cursor() as cur:
            pg_copy.copy_rows(cur, "audit_events", _COPIED, (
                (r["seq"], r["at"].astimezone(UTC).replace(tzinfo=None), r["actor"],
                 r["action"], r["subject_ref"], r["purpose"], r["detail"], r["prev_hash"],
                 r["hash"], r["hash_alg"]) for r in rows))
        session.execute(move_head)
    else:
        session.execute(insert(audit_events), rows)
        session.execute(move_head)


_COPIED = (("seq", "bigint"), ("at", "timestamp"), ("actor", "text"), ("action", "text"),
           ("subject_ref", "text"), ("purpose", "text"), ("detail", "json"),
           ("prev_hash", "text"), ("hash", "text"), ("hash_alg", "text"))


def _in_place(ev: PendingEvent, key: ChainKey) -> tuple[Any, dict[str, Any]]:
    """The one statement that appends ``ev`` after the locked head (PostgreSQL), and its
    parameters. The value is ``event_mac``'s: the canonical JSON is ``[seq,<the other
    fields>,"prev_hash"]``, so Python encodes the middle (ASCII) and the database adds the two
    ends it reads under the lock, then takes the HMAC with the pads of ``key``. No head row
    makes the event's ``seq`` NULL, refused by its primary key: never a lost event."""
    middle = json.dumps([ev.at.isoformat(timespec="microseconds"), ev.actor, ev.action,
                         ev.subject_ref, ev.purpose, ev.detail],
                        sort_keys=True, separators=(",", ":"), default=str)[1:-1]
    return _IN_PLACE, {"middle": "," + middle + ',"', "at": ev.at, "actor": ev.actor,
                       "action": ev.action, "subject_ref": ev.subject_ref,
                       "purpose": ev.purpose, "detail": ev.detail,
                       "ipad": key.ipad, "opad": key.opad}


def _in_place_statement() -> Any:
    """Built once: every write request runs it, and building it (CTEs, scalar subqueries) cost
    more CPU than running it."""
    c = audit_events.c
    head = (select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            .with_for_update().cte("head"))
    seq = head.c.seq + 1
    body = (literal("[") + cast(seq, String) + bindparam("middle", type_=String)
            + head.c.hash + literal('"]'))
    # HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), the pads sent by the caller
    inner = func.sha256(bindparam("ipad", type_=LargeBinary).op(
        "||", return_type=LargeBinary)(func.convert_to(body, "UTF8")), type_=LargeBinary)
    outer = func.sha256(bindparam("opad", type_=LargeBinary).op(
        "||", return_type=LargeBinary)(inner), type_=LargeBinary)
    new = select(seq.label("seq"), head.c.hash.label("prev_hash"),
                 func.encode(outer, "hex").label("hash")).cte("new")
    stored = insert(audit_events).values(
        seq=select(new.c.seq).scalar_subquery(),
        at=bindparam("at", type_=c.at.type), actor=bindparam("actor", type_=c.actor.type),
        action=bindparam("action", type_=c.action.type),
        subject_ref=bindparam("subject_ref", type_=c.subject_ref.type),
        purpose=bindparam("purpose", type_=c.purpose.type),
        detail=bindparam("detail", type_=c.detail.type),
        prev_hash=select(new.c.prev_hash).scalar_subquery(),
        hash=select(new.c.hash).scalar_subquery(), hash_alg=KEYED).cte("stored")
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
    unkeyed_events: int = 0         # written before the chain was keyed (plain SHA-256)
    head_hash: str | None = None    # the chain value of the last event verified
    head_at: datetime | None = None
    checkpoints: int | None = None  # checkpoints checked (``verify --checkpoint``)


def _rows(session: Session, upto: int, batch: int = 5000) -> Iterator[Any]:
    last = 0
    while True:
        chunk = session.execute(
            select(audit_events).where(audit_events.c.seq > last, audit_events.c.seq <= upto)
            .order_by(audit_events.c.seq).limit(batch)).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(session: Session, key: ChainKey) -> VerifyResult:
    """Walk the chain up to the head as it is when the walk starts (events committed meanwhile
    are the next walk's): every event follows the one before, its value is its MAC (or, for an
    event from before the chain was keyed, its SHA-256; those come first, and a keyed event
    after them), and the chain ends where the head says."""
    head = session.execute(_HEAD).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    upto = head_seq if head else _LAST_SEQ_EVER      # no head row: every stored event is extra
    expected_seq, prev, count, unkeyed, at = 1, GENESIS, 0, 0, None
    first_keyed: int | None = None

    def bad(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(False, count, seq, problem, unkeyed)

    for row in _rows(session, upto):
        count += 1
        if row.seq != expected_seq:
            return bad(expected_seq, f"event {expected_seq} is missing (next stored is {row.seq})")
        if row.prev_hash != prev:
            return bad(row.seq, f"event {row.seq} does not follow event {row.seq - 1}")
        fields = (row.seq, row.at, row.actor, row.action, row.subject_ref, row.purpose,
                  row.detail, row.prev_hash)
        if row.hash_alg == KEYED:
            first_keyed = first_keyed or row.seq
            if not hmac.compare_digest(event_mac(key, *fields), row.hash):
                hint = ("; if no event was touched, OPENBUREAU_AUDIT_KEY is not the key this "
                        "log was written with") if row.seq == first_keyed else ""
                return bad(row.seq, f"event {row.seq} was modified (its MAC does not "
                           f"verify){hint}")
        elif row.hash_alg is not None:
            return bad(row.seq, f"event {row.seq} names an unknown algorithm {row.hash_alg!r}")
        elif first_keyed is not None:
            return bad(row.seq, f"event {row.seq} is unkeyed but follows keyed event "
                       f"{first_keyed}: the log was re-written without the key")
        else:
            unkeyed += 1
            if event_hash(*fields) != row.hash:
                return bad(row.seq, f"event {row.seq} was modified")
        prev, expected_seq, at = row.hash, expected_seq + 1, row.at
    if count and first_keyed is None:
        return VerifyResult(False, count, 1, f"no event of the {count} is keyed: the log was "
                            "re-written without the key, or events from before the key were "
                            "never sealed (`openbureau db upgrade` seals them)", unkeyed)
    if head is None and count:
        return VerifyResult(False, count, None, f"{count} events are stored but the chain's "
                            "head row is missing", unkeyed)
    if head_seq != count or head_hash != prev:
        return VerifyResult(False, count, count + 1 if head_seq > count else head_seq,
                            f"the chain ends at event {count} but the head records "
                            f"event {head_seq}: events at the end were deleted", unkeyed)
    last = session.execute(select(func.max(audit_events.c.seq))).scalar()
    if last is not None and last > head_seq:
        moved = session.execute(_HEAD).first()      # events committed during the walk
        if moved is None or moved.seq < last:
            return VerifyResult(False, count, head_seq + 1,
                                f"events after {head_seq} are stored but the head does not "
                                "record them: the head was moved back", unkeyed)
    return VerifyResult(True, count, unkeyed_events=unkeyed, head_hash=prev, head_at=at)


_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_LAST_SEQ_EVER = 2**63 - 1
