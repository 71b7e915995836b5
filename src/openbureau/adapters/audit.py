"""The hash-chained audit log.

Each event stores the hash of the one before it and its own hash over a canonical JSON of its
fields. Events are appended at commit time under a lock on the one-row ``audit_head`` table, so
the chain is gap-free and totally ordered even with concurrent writers. ``verify`` walks the chain
and names the first event that was modified, deleted or moved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from openbureau.adapters.tables import audit_events, audit_head

GENESIS = "0" * 64


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


def append(session: Session, events: list[PendingEvent]) -> None:
    """Append events to the chain inside the caller's transaction."""
    if not events:
        return
    head = session.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).first()
    if head is None:
        seq, prev = 0, GENESIS
        session.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))
    else:
        seq, prev = head.seq, head.hash
    rows = []
    for ev in events:
        seq += 1
        at = ev.at.replace(microsecond=ev.at.microsecond)
        h = event_hash(seq, at, ev.actor, ev.action, ev.subject_ref, ev.purpose, ev.detail, prev)
        rows.append({"seq": seq, "at": at, "actor": ev.actor, "action": ev.action,
                     "subject_ref": ev.subject_ref, "purpose": ev.purpose,
                     "detail": ev.detail, "prev_hash": prev, "hash": h})
        prev = h
    session.execute(insert(audit_events), rows)
    session.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))


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
