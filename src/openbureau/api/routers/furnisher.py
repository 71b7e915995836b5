from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, UploadFile

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas import (
    AccountBatch,
    AccountPage,
    BatchResult,
    FileAccepted,
    FileStatus,
    RecordError,
    RejectedRecord,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import files, furnishing, holdings, scoring_hooks

router = APIRouter(prefix="/v1/furnisher", tags=["furnisher"])
furnisher_only = require(Role.FURNISHER)


@router.post("/accounts:batch")
def accounts_batch(body: AccountBatch, bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(furnisher_only)) -> BatchResult:
    summary = furnishing.furnish(bureau, who, furnishing.candidates_from_json(body.records),
                                 rescore=scoring_hooks.rescorer(bureau))
    return BatchResult(accepted=summary.accepted, rejected=[
        RejectedRecord(index=r.position, errors=[
            RecordError(field=e.field, message=e.message, category=e.category)
            for e in r.errors]) for r in summary.rejected])


@router.post("/files", status_code=202)
def upload(background: BackgroundTasks, file: UploadFile = File(...),
           bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(furnisher_only)) -> FileAccepted:
    file_id = files.receive(bureau, who, file.filename or "upload", file.file)
    background.add_task(files.ingest, bureau, file_id, rescore=scoring_hooks.rescorer(bureau))
    return FileAccepted(file_id=file_id)


@router.get("/files/{file_id}")
def file_status(file_id: int, bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(furnisher_only)) -> FileStatus:
    return FileStatus(**files.status_of(bureau, who, file_id))


@router.get("/accounts")
def held_accounts(cursor: str | None = None, limit: int = Query(100, ge=1, le=1000),
                  bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(furnisher_only)) -> AccountPage:
    return AccountPage(**holdings.furnisher_accounts(bureau, who, cursor, limit))
