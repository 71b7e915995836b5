"""Identity protections: the consumer's identity-theft reports, and what furnishers are told of
their accounts blocked or unlinked."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_protections import (
    FurnisherIdentityNotice,
    FurnisherIdentityNotices,
    TheftReportIn,
    TheftReportList,
    TheftReportOut,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import protections

router = APIRouter()
consumer_only = require(Role.CONSUMER)
furnisher_only = require(Role.FURNISHER)


@router.post("/v1/me/identity-theft-reports", status_code=201, tags=["consumer"])
def report_identity_theft(body: TheftReportIn, bureau: Bureau = Depends(get_bureau),
                          who: Principal = Depends(consumer_only)) -> TheftReportOut:
    """Report accounts that resulted from identity theft: they are blocked (taken off the
    report members see and out of the score) within the profile's deadline, and their
    furnishers told; a furnisher's later record of one of them to your file is refused."""
    return TheftReportOut(**protections.report_identity_theft(
        bureau.uow(), bureau.deps, who, body.items, body.statement))


@router.get("/v1/me/identity-theft-reports", tags=["consumer"])
def my_theft_reports(bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(consumer_only)) -> TheftReportList:
    found = protections.my_theft_reports(bureau.uow(), bureau.deps, who)
    return TheftReportList(items=[TheftReportOut(**r) for r in found])


@router.get("/v1/furnisher/identity-notices", tags=["furnisher"])
def identity_notices(after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
                     bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(furnisher_only)) -> FurnisherIdentityNotices:
    """Your accounts blocked after a consumer's identity-theft report (FCRA 605B(b)) or
    unlinked from a file after a "not mine" dispute you did not verify, oldest first."""
    found = protections.furnisher_notices(bureau.uow(), bureau.deps, who, after, limit)
    return FurnisherIdentityNotices(
        items=[FurnisherIdentityNotice(**n) for n in found["items"]],
        next_after=found["next_after"])
