"""The audit chain as the service layer reads it: a page of events, the walk that verifies the
chain (``audit.verify``), the last event, the stored values of chosen events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openbureau.adapters import audit
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import audit_events


class SqlAuditLog(Repository):
    def __init__(self, run: Run, session: Callable[[], Session], key: audit.ChainKey) -> None:
        super().__init__(run)
        self._session = session
        self._key = key

    def events(self, after: int, limit: int, subject_ref: str | None, *,
               before: int | None = None, oldest: bool = True, actor: str | None = None,
               action: str | None = None) -> list[dict[str, Any]]:
        q = select(audit_events)
        if oldest:
            q = q.where(audit_events.c.seq > after).order_by(audit_events.c.seq)
        else:
            if before is not None:
                q = q.where(audit_events.c.seq < before)
            q = q.order_by(audit_events.c.seq.desc())
        if subject_ref:
            q = q.where(audit_events.c.subject_ref == subject_ref)
        if actor:
            q = q.where(audit_events.c.actor.contains(actor, autoescape=True))
        if action:
            q = q.where(audit_events.c.action.startswith(action, autoescape=True))
        return [{"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action,
                 "subject_ref": r.subject_ref, "purpose": r.purpose, "detail": r.detail,
                 "hash": r.hash}
                for r in self._run(q.limit(limit)).all()]

    def verify(self) -> audit.VerifyResult:
        return audit.verify(self._session(), self._key)

    def last(self) -> tuple[int, bool] | None:
        """The last event's number and whether it is keyed (None: an empty chain)."""
        r = self._run(select(audit_events.c.seq, audit_events.c.hash_alg)
                      .order_by(audit_events.c.seq.desc()).limit(1)).first()
        return None if r is None else (int(r.seq), r.hash_alg is not None)

    def hashes(self, seqs: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for i in range(0, len(seqs), 1000):
            out.update((int(s), str(h)) for s, h in self._run(
                select(audit_events.c.seq, audit_events.c.hash)
                .where(audit_events.c.seq.in_(seqs[i:i + 1000]))).all())
        return out
