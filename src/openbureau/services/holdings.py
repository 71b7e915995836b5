"""What the bureau holds from one furnisher, for reconciliation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select

from openbureau.adapters.tables import account_months, accounts
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.roles import Principal


def furnisher_accounts(bureau: Bureau, furnisher: Principal, cursor: str | None,
                       limit: int) -> dict[str, Any]:
    after = 0
    if cursor:
        if not cursor.isdigit():
            raise ValidationFailed([FieldError("cursor", "is not a cursor this API returned")])
        after = int(cursor)
    with bureau.uow() as uow:
        total = uow.execute(select(func.count()).select_from(accounts)
                            .where(accounts.c.furnisher_id == furnisher.id)).scalar_one()
        rows = uow.execute(
            select(accounts, account_months.c.status, account_months.c.balance,
                   account_months.c.amount_past_due,
                   account_months.c.credit_limit.label("month_limit"))
            .join(account_months, and_(account_months.c.account_id == accounts.c.id,
                                       account_months.c.as_of == accounts.c.latest_as_of))
            .where(accounts.c.furnisher_id == furnisher.id, accounts.c.id > after)
            .order_by(accounts.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "total": total,
        "items": [{"account_ref": r.account_ref, "item_ref": r.item_ref, "as_of": r.latest_as_of,
                   "kind": r.kind, "status": r.status, "balance": r.balance,
                   "amount_past_due": r.amount_past_due,
                   "credit_limit": r.month_limit if r.month_limit is not None else r.credit_limit,
                   "currency": r.currency, "opened_on": r.opened_on, "closed_on": r.closed_on,
                   "compliance_code": r.compliance_code, "deleted": r.deleted_at is not None}
                  for r in rows],
        "next_cursor": str(rows[-1].id) if more else None,
    }
