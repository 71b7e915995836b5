"""The identity review queue: records identity resolution held, and the operator's decisions."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from openbureau.api.deps import get_bureau, require
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import identity_holds

router = APIRouter(prefix="/v1/admin/identity", tags=["operator and auditor"])
operator_only = require(Role.OPERATOR)
staff = require(Role.OPERATOR, Role.AUDITOR)


class HoldDecision(BaseModel):
    action: Literal["link", "new_file", "withdraw"]
    file_ref: str | None = None


@router.get("/holds")
def holds(status: Literal["held", "linked", "new_file", "withdrawn"] = "held",
          limit: int = Query(100, ge=1, le=1000), bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(staff)) -> dict[str, Any]:
    """Held records: reason, match weight, candidate files with each field's level and weight
    (no identity values)."""
    return identity_holds.list_holds(bureau.uow(), bureau.deps, status, limit)


@router.post("/holds/{hold_ref}/decision")
def decide(hold_ref: str, body: HoldDecision, bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(operator_only)) -> dict[str, Any]:
    """Link the held record to a file, open a new file for it, or withdraw it."""
    return identity_holds.decide(bureau.uow(), bureau.deps, who, hold_ref, body.action,
                                 body.file_ref)
