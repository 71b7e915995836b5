"""The court defaulter registry as the registry's use cases read and write it
(``services/registry.py``): listings with their restrictions, the restriction check and the
public search. Closing a listing and its objections are ``adapters/listings.py``'s."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import (
    inquiries,
    organisations,
    public_records,
    restrictions,
    subjects,
)
from openbureau.domain.registry import ListingStatus
from openbureau.services.stored import (
    ListedJudgment,
    OrderOnFile,
    PublicListing,
    PublicRecord,
    RestrictionOrder,
)

_RECORD_COLUMNS = tuple(c.name for c in public_records.c)

# built once: members check restrictions at the gate, request after request
_ORDERS = (select(public_records.c.case_number, public_records.c.ground,
                  public_records.c.item_ref, organisations.c.name.label("court"),
                  restrictions.c.category, restrictions.c.ordered_on, restrictions.c.until)
           .join(public_records, public_records.c.id == restrictions.c.public_record_id)
           .join(organisations, organisations.c.id == public_records.c.court_id)
           .where(public_records.c.subject_id == bindparam("subject_id"),
                  public_records.c.status == ListingStatus.ACTIVE.value,
                  restrictions.c.category == bindparam("category"),
                  restrictions.c.lifted_at.is_(None))
           .order_by(restrictions.c.ordered_on, public_records.c.case_number))
_CHECKED = insert(inquiries)


def _record(row: Any) -> PublicRecord:
    m = row._mapping
    return PublicRecord(**{c: m[c] for c in _RECORD_COLUMNS})


def _word_match(column: Any, word: str) -> Any:
    """``column`` (lower-cased) has ``word`` as one of its space-separated words."""
    w = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    low = func.lower(column)
    return or_(low == word.lower(), low.like(w + " %", escape="\\"),
               low.like("% " + w, escape="\\"), low.like("% " + w + " %", escape="\\"))


class SqlRegistry(Repository):
    def listed(self, court_id: int, case_number: str, subject_id: int) -> bool:
        return self._run(select(public_records.c.id).where(
            public_records.c.court_id == court_id,
            public_records.c.case_number == case_number,
            public_records.c.subject_id == subject_id)).first() is not None

    def add(self, *, subject_id: int, court_id: int, case_number: str, amount: int,
            currency: str, judgment_date: date, ground: str, legal_basis: str | None,
            status: str, listed_at: datetime, until: date | None, item_ref: str,
            orders: list[tuple[str, date | None]], link: dict[str, Any] | None = None) -> int:
        record_id = int(self._run(insert(public_records).values(
            subject_id=subject_id, court_id=court_id, kind="judgment", case_number=case_number,
            amount=amount, currency=currency, judgment_date=judgment_date, ground=ground,
            legal_basis=legal_basis, status=status, listed_at=listed_at, until=until,
            item_ref=item_ref, link=link).returning(public_records.c.id)).scalar_one())
        for category, ends in orders:
            self._run(insert(restrictions).values(
                public_record_id=record_id, category=category, ordered_on=listed_at.date(),
                until=ends))
        return record_id

    def of_court_ref(self, court_id: int, item_ref: str) -> PublicRecord | None:
        row = self._run(select(public_records).where(
            public_records.c.item_ref == item_ref,
            public_records.c.court_id == court_id)).first()
        return None if row is None else _record(row)

    def ids_of_court(self, court_id: int, status: str | None) -> list[int]:
        q = select(public_records.c.id).where(public_records.c.court_id == court_id)
        if status:
            q = q.where(public_records.c.status == status)
        return [int(i) for i in self._run(q.order_by(public_records.c.listed_at.desc(),
                                                     public_records.c.id.desc())).scalars()]

    def judgment(self, record_id: int) -> ListedJudgment:
        r = self._run(
            select(public_records, organisations.c.name.label("court_name"),
                   subjects.c.name.label("debtor_name"), subjects.c.kind.label("debtor_kind"),
                   subjects.c.id_ciphertext)
            .join(organisations, organisations.c.id == public_records.c.court_id)
            .join(subjects, subjects.c.id == public_records.c.subject_id)
            .where(public_records.c.id == record_id)).one()
        orders = self._run(select(restrictions)
                           .where(restrictions.c.public_record_id == record_id)
                           .order_by(restrictions.c.category)).all()
        return ListedJudgment(_record(r), r.court_name, r.debtor_name, r.debtor_kind,
                              r.id_ciphertext,
                              tuple(RestrictionOrder(o.category, o.ordered_on, o.until,
                                                     o.lifted_at) for o in orders))

    def orders(self, subject_id: int, category: str) -> list[OrderOnFile]:
        return [OrderOnFile(r.case_number, r.court, r.ground, r.category, r.ordered_on, r.until)
                for r in self._run(_ORDERS, {"subject_id": subject_id,
                                             "category": category}).all()]

    def add_check(self, *, subject_id: int, member_id: int, purpose: str, category: str,
                  created_at: datetime, item_ref: str, result: dict[str, Any],
                  link: dict[str, Any] | None = None) -> None:
        self._run(_CHECKED, {
            "subject_id": subject_id, "organisation_id": member_id, "kind": "restriction_check",
            "purpose": purpose, "category": category, "created_at": created_at,
            "item_ref": item_ref, "result": result, "link": link})

    def search(self, today: date, name: str, whole_word: bool, id_suffix: str | None,
               court: str | None, limit: int) -> list[PublicListing]:
        q = (select(public_records, organisations.c.name.label("court_name"),
                    subjects.c.name.label("debtor_name"), subjects.c.id_ciphertext)
             .join(organisations, organisations.c.id == public_records.c.court_id)
             .join(subjects, subjects.c.id == public_records.c.subject_id)
             .where(public_records.c.status == ListingStatus.ACTIVE.value,
                    (public_records.c.until.is_(None)) | (public_records.c.until >= today)))
        if whole_word:
            q = q.where(_word_match(subjects.c.name, name))
        else:
            q = q.where(func.lower(subjects.c.name).contains(name.lower(), autoescape=True))
        if id_suffix is not None:
            q = q.where(subjects.c.id_suffix.endswith(id_suffix.upper(), autoescape=True))
        if court is not None:
            q = q.where(func.lower(organisations.c.name) == court.lower())
        rows = self._run(q.order_by(public_records.c.listed_at.desc(), public_records.c.id)
                         .limit(limit)).all()
        return [PublicListing(r.debtor_name, r.id_ciphertext, r.court_name, r.case_number,
                              r.amount, r.currency, r.ground, r.listed_at) for r in rows]
