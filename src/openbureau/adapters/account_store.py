"""The record store's statements (``services/furnishing.py``): accounts looked up and created,
months upserted, accounts following their newest month -- each one multi-row statement for a
chunk, whatever its size. (PostgreSQL's bulk store is ``adapters/furnish_store_pg.py``.)"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from openbureau.adapters.consents import among
from openbureau.adapters.multirow import insert_many
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import account_months, accounts
from openbureau.services.stored import AccountState

_SEGMENT_FIELDS = ("identification_number", "original_creditor", "creditor_classification",
                   "purchase_indicator", "purchase_name", "mortgage", "specialised_payment")
_STATE_COLUMNS = (accounts.c.id, accounts.c.account_ref, accounts.c.subject_id,
                  accounts.c.latest_as_of, accounts.c.compliance_code,
                  *(accounts.c[f] for f in _SEGMENT_FIELDS))
MONTH_FIELDS = ("status", "balance", "amount_past_due", "credit_limit", "scheduled_payment",
                "monthly_income", "consent_ref", "payment_history", "special_comment")


class SqlAccountStore(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def states(self, furnisher_id: int, refs: list[str]) -> list[AccountState]:
        return [AccountState(*r) for r in self._run(
            select(*_STATE_COLUMNS).where(accounts.c.furnisher_id == furnisher_id,
                                          among(self._dialect, accounts.c.account_ref, refs)))]

    def add(self, furnisher_id: int, rows: list[dict[str, Any]],
            now: datetime) -> dict[tuple[str, int], int]:
        stmt, params = insert_many(self._dialect, accounts, rows,
                                   {"furnisher_id": furnisher_id, "updated_at": now})
        return {(r.account_ref, r.subject_id): r.id for r in self._run(
            stmt.returning(accounts.c.id, accounts.c.account_ref, accounts.c.subject_id),
            params)}

    def upsert_months(self, rows: list[dict[str, Any]], file_id: int | None, now: datetime,
                      only_if_different: bool) -> set[tuple[int, date]]:
        ins, params = insert_many(self._dialect, account_months, rows,
                                  {"file_id": file_id, "furnished_at": now})
        stmt = ins.on_conflict_do_update(
            index_elements=[account_months.c.account_id, account_months.c.as_of],
            set_={f: ins.excluded[f] for f in (*MONTH_FIELDS, "file_id", "furnished_at")},
            where=or_(*(account_months.c[f].is_distinct_from(ins.excluded[f])
                        for f in MONTH_FIELDS)) if only_if_different else None,
        ).returning(account_months.c.account_id, account_months.c.as_of)
        return {(r.account_id, r.as_of) for r in self._run(stmt, params)}

    def follow(self, states: dict[int, dict[str, Any]]) -> None:
        rows = [{"b_id": acc_id, **{"b_" + k: v for k, v in state.items()}}
                for acc_id, state in states.items()]
        if rows:
            self._run(update(accounts).where(accounts.c.id == bindparam("b_id"))
                      .values({k[2:]: bindparam(k) for k in rows[0] if k != "b_id"}), rows)
