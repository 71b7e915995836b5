"""Disputes: the statements of ``services/disputes.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import (
    accounts,
    disputes,
    furnisher_identity_notices,
    organisations,
    subjects,
)
from openbureau.services.stored import Dispute, DisputeOnFile, OpenDispute

_COLUMNS = tuple(c.name for c in disputes.c)


def _dispute(row: Any) -> Dispute:
    m = row._mapping
    return Dispute(**{c: m[c] for c in _COLUMNS})


class SqlDisputes(Repository):
    def add(self, dispute: Dispute) -> None:
        values = {c: getattr(dispute, c) for c in _COLUMNS if c != "id"}
        self._run(insert(disputes).values(**values))

    def open_on(self, subject_id: int, item_ref: str) -> bool:
        return self._run(select(disputes.c.id).where(
            disputes.c.subject_id == subject_id, disputes.c.item_ref == item_ref,
            disputes.c.status == "open")).first() is not None

    def own(self, ref: str, subject_id: int) -> Dispute | None:
        row = self._run(select(disputes).where(disputes.c.ref == ref,
                                               disputes.c.subject_id == subject_id)).first()
        return None if row is None else _dispute(row)

    def of_file(self, subject_id: int) -> list[Dispute]:
        return [_dispute(r) for r in self._run(
            select(disputes).where(disputes.c.subject_id == subject_id)
            .order_by(disputes.c.opened_at.desc(), disputes.c.id.desc())).all()]

    def to_answer(self, ref: str, item_kind: str, answerer_id: int | None) -> Dispute | None:
        q = select(disputes).where(disputes.c.ref == ref, disputes.c.item_kind == item_kind)
        if answerer_id is not None:
            q = q.where(disputes.c.furnisher_id == answerer_id)
        row = self._run(q).first()
        return None if row is None else _dispute(row)

    def answered_by(self, item_kind: str, answerer_id: int | None,
                    status: str | None) -> list[DisputeOnFile]:
        on_account = item_kind == "account"
        cols: list[Any] = [disputes, subjects.c.name, subjects.c.id_suffix]
        told = furnisher_identity_notices.alias("told")
        if on_account:      # an account unlinked after "not mine" is named as the furnisher was
            cols.append(func.coalesce(accounts.c.account_ref, told.c.account_ref)
                        .label("account_ref"))
        q = select(*cols)
        if on_account:
            q = q.outerjoin(accounts, accounts.c.item_ref == disputes.c.item_ref) \
                .outerjoin(told, and_(told.c.source == disputes.c.ref,
                                      told.c.kind == "unlinked"))
        q = q.join(subjects, subjects.c.id == disputes.c.subject_id) \
            .where(disputes.c.item_kind == item_kind)
        if answerer_id is not None:
            q = q.where(disputes.c.furnisher_id == answerer_id)
        if status:
            q = q.where(disputes.c.status == status)
        return [DisputeOnFile(_dispute(r), r.name, r.id_suffix,
                              r.account_ref if on_account else None)
                for r in self._run(q.order_by(disputes.c.due_at, disputes.c.id)).all()]

    def open_workload(self) -> list[OpenDispute]:
        rows = self._run(
            select(disputes.c.ref, disputes.c.item_kind, disputes.c.opened_at, disputes.c.due_at,
                   organisations.c.name.label("answerer"))
            .outerjoin(organisations, organisations.c.id == disputes.c.furnisher_id)
            .where(disputes.c.status == "open")
            .order_by(disputes.c.due_at, disputes.c.id)).all()
        return [OpenDispute(r.ref, r.item_kind, r.opened_at, r.due_at, r.answerer) for r in rows]

    def overdue(self, now: datetime) -> list[Dispute]:
        return [_dispute(r) for r in self._run(select(disputes).where(
            disputes.c.status == "open", disputes.c.due_at <= now)
            .order_by(disputes.c.due_at, disputes.c.id)).all()]

    def add_statement(self, dispute_id: int, statement: str, due_at: datetime) -> None:
        self._run(update(disputes).where(disputes.c.id == dispute_id)
                  .values(statement=statement, due_at=due_at))

    def close(self, dispute_id: int, status: str, answered_at: datetime,
              note: str | None) -> None:
        self._run(update(disputes).where(disputes.c.id == dispute_id).values(
            status=status, answered_at=answered_at, note=note))
