"""Reading and verifying the audit chain (reads of the log are themselves audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from openbureau.adapters import audit
from openbureau.adapters.tables import audit_events
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import SYSTEM, Principal


def list_events(bureau: Bureau, who: Principal, after: int, limit: int,
                subject_ref: str | None) -> dict[str, Any]:
    with bureau.uow() as uow:
        q = select(audit_events).where(audit_events.c.seq > after)
        if subject_ref:
            q = q.where(audit_events.c.subject_ref == subject_ref)
        rows = uow.execute(q.order_by(audit_events.c.seq).limit(limit)).all()
        uow.audit(who.actor, "audit.read", subject_ref, "oversight", after=after)
        uow.commit()
    items = [{"seq": r.seq, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
              "subject_ref": r.subject_ref, "purpose": r.purpose, "detail": r.detail,
              "hash": r.hash} for r in rows]
    return {"items": items, "next_after": items[-1]["seq"] if len(items) == limit else None}


def verify(bureau: Bureau, who: Principal = SYSTEM) -> audit.VerifyResult:
    with bureau.uow() as uow:
        result = audit.verify(uow.session)
    return result
