from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query
from pydantic import BaseModel, Field

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas import AuditVerify, OrganisationIn, OrganisationOut
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import access, audit_log, models, rescore

router = APIRouter(prefix="/v1/admin", tags=["operator and auditor"])
operator_only = require(Role.OPERATOR)
staff = require(Role.OPERATOR, Role.AUDITOR)


@router.get("/organisations")
def organisations(bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(staff)) -> list[OrganisationOut]:
    return [OrganisationOut(**o) for o in access.list_organisations(bureau.uow(), bureau.deps)]


@router.post("/organisations", status_code=201)
def create_organisation(body: OrganisationIn, bureau: Bureau = Depends(get_bureau),
                        who: Principal = Depends(operator_only)) -> OrganisationOut:
    issued = access.create_organisation(bureau.uow(), bureau.deps, who, body.name, body.role)
    return OrganisationOut(id=issued.id, name=issued.name, role=issued.role, key=issued.key)


@router.delete("/organisations/{name}", status_code=204)
def revoke_organisation(name: str, bureau: Bureau = Depends(get_bureau),
                        who: Principal = Depends(operator_only)) -> None:
    access.revoke_organisation(bureau.uow(), bureau.deps, who, name)


@router.get("/audit")
def audit(after: int = Query(0, ge=0, description="oldest first, from after this event"),
          before: int | None = Query(None, ge=1, description="newest first, from before this "
                                                             "event"),
          order: Literal["newest", "oldest"] | None = Query(
              None, description="default newest first (oldest when `after` is given)"),
          limit: int = Query(100, ge=1, le=1000),
          subject_ref: str | None = Query(None, max_length=40),
          actor: str | None = Query(None, max_length=200, description="actor contains"),
          action: str | None = Query(None, max_length=60, description="action starts with"),
          bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(staff)) -> dict[str, Any]:
    return audit_log.list_events(bureau.uow(), bureau.deps, who, after, limit, subject_ref,
                                 before=before, order=order, actor=actor, action=action)


@router.get("/audit/verify")
def audit_verify(bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(staff)) -> AuditVerify:
    return AuditVerify(**audit_log.verify(bureau.uow(), bureau.deps, who).__dict__)


@router.get("/models")
def list_models(bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(staff)) -> list[dict[str, Any]]:
    return models.list_models(bureau.uow(), bureau.deps)


@router.post("/models/{version}/activate")
def activate_model(version: str, bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(operator_only)) -> dict[str, str]:
    models.activate(bureau.uow(), bureau.deps, who, version)
    return {"active": version}


# -- rescoring jobs ----------------------------------------------------------------------------

class RescoringJobIn(BaseModel):
    engine: Literal["sqlite", "postgres", "duckdb", "spark"] | None = None
    batch: int = Field(1000, ge=1, le=100_000, strict=True)    # true is not a batch size


@router.post("/rescoring-jobs", status_code=202)
def start_rescoring(body: RescoringJobIn, background: BackgroundTasks,
                    bureau: Bureau = Depends(get_bureau),
                    who: Principal = Depends(operator_only)) -> dict[str, Any]:
    """Start (or resume) rescoring everyone with the active model; runs in the background."""
    deps = bureau.deps
    job = rescore.start(bureau.uow(), deps, body.engine or rescore.default_engine(deps), who)
    background.add_task(rescore.run, bureau.uow(), deps, job["id"], batch=body.batch)
    return job


@router.get("/rescoring-jobs")
def rescoring_jobs(bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(staff)) -> list[dict[str, Any]]:
    """Recent jobs, newest first, with ``done`` / ``total`` / ``progress``."""
    return rescore.list_jobs(bureau.uow(), bureau.deps)
