from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from openbureau.api.deps import get_bureau, require
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import model_reports, simulation

router = APIRouter()
consumer_only = require(Role.CONSUMER)
staff = require(Role.OPERATOR, Role.AUDITOR)


class SimulationRequest(BaseModel):
    changes: list[dict[str, Any]] = Field(
        ..., max_length=50,
        description="Hypothetical changes, applied in order; see the simulator's vocabulary: "
                    "pay_down, pay_down_revolving, use_revolving, bring_current, "
                    "bring_all_current, pay_off, close_account, lower_payment, report_income, "
                    "open_account, time_passes.",
        examples=[[{"kind": "pay_down_revolving", "to_utilisation": 0.3},
                   {"kind": "time_passes", "months": 6}]])


@router.post("/v1/me/score/simulations", tags=["consumer"])
def simulate_score(body: SimulationRequest, bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(consumer_only)) -> dict[str, Any]:
    """The score the consumer's file would have after the changes, and which factors moved."""
    return simulation.run(bureau.uow(), bureau.deps, who, body.changes)


@router.get("/v1/admin/drift", tags=["admin"])
def drift(model_version: str | None = Query(None), bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(staff)) -> dict[str, Any]:
    """Population stability index per attribute and for the score, stored scores vs training."""
    return model_reports.drift(bureau.uow(), bureau.deps, model_version)


@router.get("/v1/admin/fairness", tags=["admin"])
def fairness(bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(staff)) -> dict[str, Any]:
    """The fairness report published with the active model (four-fifths rule, equal
    opportunity)."""
    return model_reports.published_fairness(bureau.uow(), bureau.deps)
