"""Listings on the defaulter list (``public_records``), the restrictions they carry, and the
objections to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import (
    objections,
    organisations,
    public_records,
    restrictions,
    subjects,
)
from openbureau.services.stored import Listing, ListingDetail, Objection, ObjectionOnFile

_DETAIL = (select(public_records, organisations.c.name.label("court_name"))
           .join(organisations, organisations.c.id == public_records.c.court_id))


def _detail(r: Any) -> ListingDetail:
    return ListingDetail(int(r.id), r.item_ref, int(r.subject_id), int(r.court_id), r.court_name,
                         r.case_number, r.status, int(r.amount), r.ground, r.legal_basis,
                         r.until)


class SqlListings(Repository):
    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        row = self._run(select(public_records.c.court_id).where(
            public_records.c.item_ref == item_ref, public_records.c.subject_id == subject_id,
            public_records.c.status == "active")).first()
        return None if row is None else int(row.court_id)

    def by_ref(self, item_ref: str) -> Listing:
        r = self._run(select(public_records.c.id, public_records.c.item_ref,
                             public_records.c.subject_id, public_records.c.court_id,
                             public_records.c.status)
                      .where(public_records.c.item_ref == item_ref)).one()
        return Listing(int(r.id), r.item_ref, int(r.subject_id), int(r.court_id), r.status)

    def close(self, listing_id: int, status: str, reason: str, now: datetime) -> None:
        self._run(update(public_records).where(public_records.c.id == listing_id).values(
            status=status, lifted_at=now, lift_reason=reason))
        self._run(update(restrictions).where(restrictions.c.public_record_id == listing_id,
                                             restrictions.c.lifted_at.is_(None))
                  .values(lifted_at=now))

    def expire_ended(self, today: date, now: datetime) -> int:
        res = self._run(update(public_records).where(
            public_records.c.status == "active", public_records.c.until.is_not(None),
            public_records.c.until < today).values(status="expired", lifted_at=now,
                                                   lift_reason="term ended"))
        return int(res.rowcount or 0)

    def lift_ended_restrictions(self, today: date, now: datetime) -> None:
        self._run(update(restrictions).where(
            restrictions.c.lifted_at.is_(None),
            and_(restrictions.c.until.is_not(None), restrictions.c.until < today)
        ).values(lifted_at=now))

    def detail(self, listing_id: int) -> ListingDetail:
        return _detail(self._run(_DETAIL.where(public_records.c.id == listing_id)).one())

    def on_file(self, item_ref: str, subject_id: int) -> ListingDetail | None:
        r = self._run(_DETAIL.where(public_records.c.item_ref == item_ref,
                                    public_records.c.subject_id == subject_id)).first()
        return None if r is None else _detail(r)

    def restrictions_in_force(self, listing_id: int) -> list[tuple[str, date | None]]:
        return [(r.category, r.until) for r in self._run(
            select(restrictions.c.category, restrictions.c.until)
            .where(restrictions.c.public_record_id == listing_id,
                   restrictions.c.lifted_at.is_(None))
            .order_by(restrictions.c.category)).all()]

    def correct(self, listing_id: int, values: dict[str, Any]) -> None:
        if values:
            self._run(update(public_records).where(public_records.c.id == listing_id)
                      .values(**values))

    def end_restrictions_by(self, listing_id: int, until: date) -> None:
        self._run(update(restrictions).where(
            (restrictions.c.public_record_id == listing_id) & restrictions.c.lifted_at.is_(None)
            & (restrictions.c.until.is_(None) | (restrictions.c.until > until)))
            .values(until=until))

    def lift_restrictions(self, listing_id: int, categories: list[str], now: datetime) -> None:
        self._run(update(restrictions).where(
            restrictions.c.public_record_id == listing_id,
            restrictions.c.category.in_(categories),
            restrictions.c.lifted_at.is_(None)).values(lifted_at=now))


_OBJECTION = tuple(c.name for c in objections.c)


def _objection(r: Any) -> Objection:
    m = r._mapping
    return Objection(**{c: m[c] for c in _OBJECTION})


class SqlObjections(Repository):
    def add(self, objection: Objection) -> int:
        values = {c: getattr(objection, c) for c in _OBJECTION if c != "id"}
        return int(self._run(insert(objections).values(**values)
                             .returning(objections.c.id)).scalar_one())

    def of_listing(self, listing_id: int) -> list[Objection]:
        return [_objection(r) for r in self._run(
            select(objections).where(objections.c.public_record_id == listing_id)
            .order_by(objections.c.opened_at.desc(), objections.c.id.desc())).all()]

    def of_court(self, court_id: int, status: str | None) -> list[ObjectionOnFile]:
        q = (select(objections, public_records.c.item_ref.label("listing_ref"),
                    public_records.c.case_number, subjects.c.name.label("debtor_name"),
                    subjects.c.item_ref.label("subject_ref"))
             .join(public_records, public_records.c.id == objections.c.public_record_id)
             .join(subjects, subjects.c.id == objections.c.subject_id)
             .where(objections.c.court_id == court_id))
        if status:
            q = q.where(objections.c.status == status)
        return [ObjectionOnFile(_objection(r), r.listing_ref, r.case_number, r.debtor_name,
                                r.subject_ref)
                for r in self._run(q.order_by(objections.c.due_at, objections.c.id)).all()]

    def decide(self, objection_id: int, status: str, now: datetime, note: str) -> None:
        self._run(update(objections).where(objections.c.id == objection_id).values(
            status=status, decided_at=now, note=note))
