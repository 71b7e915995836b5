"""The review queue: records identity resolution held (stored by furnishing), listed and
decided by an operator (``services/identity_holds.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import identity_holds, organisations
from openbureau.services.stored import Hold, HoldLine

_h = identity_holds.c


class SqlIdentityHolds(Repository):
    def of_status(self, status: str, limit: int) -> list[HoldLine]:
        rows = self._run(
            select(_h.item_ref, _h.reason, _h.weight, _h.candidates, _h.line, _h.status,
                   _h.created_at, _h.decided_at, organisations.c.name.label("furnisher"))
            .join(organisations, organisations.c.id == _h.furnisher_id)
            .where(_h.status == status).order_by(_h.id).limit(limit)).all()
        return [HoldLine(r.item_ref, r.furnisher, r.line, r.reason, r.weight, r.candidates,
                         r.status, r.created_at, r.decided_at) for r in rows]

    def pending_candidates(self, reason: str) -> list[list[dict[str, Any]]]:
        return [candidates for (candidates,) in self._run(
            select(_h.candidates).where(_h.status == "held", _h.reason == reason))]

    def by_ref(self, item_ref: str) -> Hold | None:
        r = self._run(select(identity_holds).where(_h.item_ref == item_ref)).first()
        return None if r is None else Hold(
            r.item_ref, r.furnisher_id, r.file_id, r.account_ref_hmac, r.reason, r.weight,
            r.record_ciphertext, r.status)

    def move(self, item_ref: str, from_status: str, to_status: str) -> bool:
        return int(self._run(update(identity_holds).where(
            _h.item_ref == item_ref, _h.status == from_status)
            .values(status=to_status)).rowcount) == 1

    def decide(self, item_ref: str, status: str, now: datetime, by: str,
               subject_id: int | None) -> None:
        self._run(update(identity_holds).where(_h.item_ref == item_ref).values(
            status=status, decided_at=now, decided_by=by, subject_id=subject_id))
