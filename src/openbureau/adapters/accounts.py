"""Accounts (tradelines): the statements the service layer runs on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update

from openbureau.adapters.consents import among
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import account_months, accounts, subjects
from openbureau.services.stored import AccountKey, Holding


class SqlAccounts(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def ids_by_ref(self, furnisher_id: int, refs: list[str]) -> dict[tuple[str, int], int]:
        a = accounts.c
        return {(r.account_ref, int(r.subject_id)): int(r.id) for r in self._run(
            select(a.id, a.account_ref, a.subject_id)
            .where(a.furnisher_id == furnisher_id, among(self._dialect, a.account_ref, refs)))}

    def renumber(self, new_refs: dict[int, str]) -> None:
        rows: list[dict[str, Any]] = [{"b_id": i, "b_ref": ref} for i, ref in new_refs.items()]
        if rows:
            self._run(update(accounts).where(accounts.c.id == bindparam("b_id"))
                      .values(account_ref=bindparam("b_ref")), rows)

    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        row = self._run(select(accounts.c.furnisher_id).where(
            accounts.c.item_ref == item_ref, accounts.c.subject_id == subject_id,
            accounts.c.deleted_at.is_(None), accounts.c.suppressed_at.is_(None))).first()
        return None if row is None else int(row.furnisher_id)

    def key(self, item_ref: str) -> AccountKey:
        r = self._run(select(accounts.c.account_ref, accounts.c.subject_id, subjects.c.id_hmac)
                      .join(subjects, subjects.c.id == accounts.c.subject_id)
                      .where(accounts.c.item_ref == item_ref)).one()
        return AccountKey(account_ref=r.account_ref, subject_id=int(r.subject_id),
                          id_hmac=r.id_hmac)

    def delete(self, item_ref: str, now: datetime) -> None:
        self._run(update(accounts).where(accounts.c.item_ref == item_ref)
                  .values(deleted_at=now, updated_at=now))

    def suppress(self, item_ref: str, reason: str, now: datetime) -> None:
        self._run(update(accounts).where(accounts.c.item_ref == item_ref,
                                         accounts.c.suppressed_at.is_(None))
                  .values(suppressed_at=now, suppressed_reason=reason, updated_at=now))

    def suppress_delinquent_before(self, cutoff: date, now: datetime) -> tuple[int, set[int]]:
        past = (accounts.c.date_of_first_delinquency.is_not(None),
                accounts.c.date_of_first_delinquency < cutoff, accounts.c.suppressed_at.is_(None))
        touched = {int(s) for s in self._run(select(accounts.c.subject_id).where(*past)).scalars()}
        res = self._run(update(accounts).where(*past).values(
            suppressed_at=now, suppressed_reason="retention"))
        return int(res.rowcount or 0), touched

    def count_of(self, furnisher_id: int) -> int:
        return int(self._run(select(func.count()).select_from(accounts)
                             .where(accounts.c.furnisher_id == furnisher_id)).scalar_one())

    def holdings(self, furnisher_id: int, after: int, limit: int) -> list[Holding]:
        rows = self._run(
            select(accounts, account_months.c.status, account_months.c.balance,
                   account_months.c.amount_past_due,
                   account_months.c.credit_limit.label("month_limit"))
            .join(account_months, and_(account_months.c.account_id == accounts.c.id,
                                       account_months.c.as_of == accounts.c.latest_as_of))
            .where(accounts.c.furnisher_id == furnisher_id, accounts.c.id > after)
            .order_by(accounts.c.id).limit(limit)).all()
        return [Holding(id=int(r.id), account_ref=r.account_ref, item_ref=r.item_ref,
                        as_of=r.latest_as_of, kind=r.kind, status=r.status, balance=r.balance,
                        amount_past_due=r.amount_past_due,
                        credit_limit=r.month_limit if r.month_limit is not None
                        else r.credit_limit,
                        currency=r.currency, opened_on=r.opened_on, closed_on=r.closed_on,
                        compliance_code=r.compliance_code, deleted=r.deleted_at is not None)
                for r in rows]
