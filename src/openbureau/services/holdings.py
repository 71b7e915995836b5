"""What the bureau holds from one furnisher, for reconciliation."""

from __future__ import annotations

from typing import Any

from openbureau.domain.errors import FieldError, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.services.ports import Deps, UnitOfWork


def furnisher_accounts(uow: UnitOfWork, deps: Deps, furnisher: Principal, cursor: str | None,
                       limit: int) -> dict[str, Any]:
    after = 0
    if cursor:
        if not cursor.isdigit():
            raise ValidationFailed([FieldError("cursor", "is not a cursor this API returned")])
        after = int(cursor)
    with uow:
        total = uow.accounts.count_of(furnisher.id)
        rows = uow.accounts.holdings(furnisher.id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "total": total,
        "items": [{"account_ref": r.account_ref, "item_ref": r.item_ref, "as_of": r.as_of,
                   "kind": r.kind, "status": r.status, "balance": r.balance,
                   "amount_past_due": r.amount_past_due, "credit_limit": r.credit_limit,
                   "currency": r.currency, "opened_on": r.opened_on, "closed_on": r.closed_on,
                   "compliance_code": r.compliance_code, "deleted": r.deleted}
                  for r in rows],
        "next_cursor": str(rows[-1].id) if more else None,
    }
