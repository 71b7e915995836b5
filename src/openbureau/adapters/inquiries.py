"""Inquiries on files, and the decisions members record on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import decisions, inquiries, organisations, subjects
from openbureau.domain.profiles import Purpose
from openbureau.services.stored import MemberInquiry


class SqlInquiries(Repository):
    def accesses(self, subject_id: int, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = self._run(
            select(inquiries, organisations.c.name.label("organisation"))
            .join(organisations, organisations.c.id == inquiries.c.organisation_id)
            .where(inquiries.c.subject_id == subject_id, inquiries.c.kind.in_(kinds),
                   inquiries.c.purged_at.is_(None))
            .order_by(inquiries.c.created_at.desc(), inquiries.c.id.desc())).all()
        return [{"item_ref": r.item_ref, "kind": r.kind, "who": r.organisation,
                 "purpose": r.purpose, "category": r.category, "consent_ref": r.consent_ref,
                 "when": r.created_at} for r in rows]

    def of_member(self, item_ref: str, member_id: int) -> MemberInquiry | None:
        r = self._run(
            select(inquiries.c.id, inquiries.c.subject_id, inquiries.c.purpose,
                   inquiries.c.result, subjects.c.item_ref.label("subject_ref"))
            .join(subjects, subjects.c.id == inquiries.c.subject_id)
            .where(inquiries.c.item_ref == item_ref, inquiries.c.organisation_id == member_id,
                   inquiries.c.kind == "inquiry")).first()
        return None if r is None else MemberInquiry(int(r.id), int(r.subject_id),
                                                    r.subject_ref, r.purpose, r.result)

    def drop_shown_before(self, now: datetime, others_before: datetime,
                          employment_before: datetime) -> int:
        employment = inquiries.c.purpose == Purpose.EMPLOYMENT.value
        res = self._run(update(inquiries).where(
            inquiries.c.purged_at.is_(None),
            (~employment & (inquiries.c.created_at < others_before))
            | (employment & (inquiries.c.created_at < employment_before))
        ).values(purged_at=now))
        return int(res.rowcount or 0)

    def add(self, *, subject_id: int, member_id: int, purpose: str, consent_ref: str | None,
            created_at: datetime, item_ref: str, result: dict[str, Any],
            link: dict[str, Any] | None = None) -> None:
        self._run(_RECORD, {"subject_id": subject_id, "organisation_id": member_id,
                            "kind": "inquiry", "purpose": purpose, "consent_ref": consent_ref,
                            "created_at": created_at, "item_ref": item_ref, "result": result,
                            "link": link})


_RECORD = insert(inquiries)      # built once: every inquiry runs it


class SqlDecisions(Repository):
    """A member's decisions on its inquiries."""

    def on(self, inquiry_id: int) -> bool:
        return self._run(select(decisions.c.id)
                         .where(decisions.c.inquiry_id == inquiry_id)).first() is not None

    def add(self, inquiry_id: int, member_id: int, decision: str, created_at: datetime) -> int:
        return int(self._run(insert(decisions).values(
            inquiry_id=inquiry_id, organisation_id=member_id, decision=decision,
            created_at=created_at).returning(decisions.c.id)).scalar_one())

    def attach_notice(self, decision_id: int, notice_id: int) -> None:
        self._run(update(decisions).where(decisions.c.id == decision_id)
                  .values(notice_id=notice_id))
