import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from openbureau.api import problems
from openbureau.api.body_limit import too_large
from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas import (
    AccountBatch,
    AccountPage,
    BatchResult,
    FileAccepted,
    FileStatus,
    RecordError,
    RecordWarning,
    RejectedRecord,
)
from openbureau.api.schemas_quality import QualityReportOut
from openbureau.api.uploads import receive_upload
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import files, furnishing, holdings, quality_reports

router = APIRouter(prefix="/v1/furnisher", tags=["furnisher"])
furnisher_only = require(Role.FURNISHER)
TOO_LARGE: dict[int | str, dict[str, Any]] = {413: {
    "model": problems.Problem, "description": "Content too large: nothing of it was kept",
    "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}}


# The batch is parsed by the route, after the credential is checked (FastAPI would parse and
# validate a declared body first, for anyone: 8 MiB of ``[{},{},...]`` is ~180 MB of objects
# and seconds of the event loop), and off the event loop; documented here since no parameter
# declares it.
_BATCH_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": AccountBatch.model_json_schema()}}}}


@router.post("/accounts:batch", responses=TOO_LARGE, response_model=BatchResult,
             openapi_extra=_BATCH_BODY)
async def accounts_batch(request: Request, bureau: Bureau = Depends(get_bureau),
                         who: Principal = Depends(furnisher_only)) -> BatchResult | JSONResponse:
    raw = await request.body()          # at most OPENBUREAU_MAX_BODY_BYTES (``body_limit``)
    return await run_in_threadpool(_batch, bureau, who, raw)


def _batch(bureau: Bureau, who: Principal, raw: bytes) -> BatchResult | JSONResponse:
    try:
        data = json.loads(raw)
    except ValueError as exc:           # not JSON, or not UTF-8
        raise RequestValidationError([{"loc": ("body",), "msg": "the body is not valid JSON",
                                       "type": "json_invalid"}]) from exc
    most = bureau.settings.max_batch_records
    sent = data.get("records") if isinstance(data, dict) else None
    if isinstance(sent, list) and len(sent) > most:     # refused before any is validated
        return problems.problem(
            413, "Content too large",
            f"a batch holds at most {most:,} records ({len(sent):,} sent); send the "
            "rest in further batches, or a file (POST /v1/furnisher/files)",
            type_="https://openbureau.dev/problems/batch-too-large")
    try:
        body = AccountBatch.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) \
            from None
    summary = furnishing.furnish(bureau.uow(), bureau.deps, who,
                                 furnishing.candidates_from_json(body.records),
                                 rescore=bureau.rescorer)
    return BatchResult(accepted=summary.accepted, rejected=[
        RejectedRecord(index=r.position, errors=[
            RecordError(field=_text(e.field), message=_text(e.message), category=e.category)
            for e in r.errors]) for r in summary.rejected], warnings=[
        RecordWarning(index=w.position, field=e.field, message=e.message)
        for w in summary.warned for e in w.errors])


def _text(value: str) -> str:
    """An error naming what was sent (a field name, a value) as text JSON can carry: a lone
    surrogate from a ``\\ud800`` escape is shown as that escape, not answered with a 500."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


# The body is read by the route itself (``api/uploads``), after the credential is checked,
# streamed to disk; the request body is documented here since no parameter declares it.
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "A Metro 2 (character format) or CSV file, at most "
                                "OPENBUREAU_MAX_UPLOAD_BYTES (default 2 GiB)."}}}}}}}


@router.post("/files", status_code=202, openapi_extra=_UPLOAD_BODY, responses=TOO_LARGE,
             response_model=FileAccepted)
async def upload(request: Request, background: BackgroundTasks,
                 bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(furnisher_only)) -> FileAccepted | JSONResponse:
    try:
        file_id = await receive_upload(request, bureau, who)
    except files.UploadTooLarge as exc:
        return too_large(exc.limit, "file")
    background.add_task(files.ingest, bureau.uow(), bureau.deps, file_id,
                        rescore=bureau.rescorer)
    return FileAccepted(file_id=file_id)


@router.get("/files/{file_id}")
def file_status(file_id: str, bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(furnisher_only)) -> FileStatus:
    return FileStatus(**files.status_of(bureau.uow(), bureau.deps, who, file_id))


@router.get("/accounts")
def held_accounts(cursor: str | None = None, limit: int = Query(100, ge=1, le=1000),
                  bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(furnisher_only)) -> AccountPage:
    return AccountPage(**holdings.furnisher_accounts(bureau.uow(), bureau.deps, who, cursor, limit))


@router.get("/files/{file_id}/quality")
def file_quality(file_id: str, bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(furnisher_only)) -> QualityReportOut:
    """The file's data-quality report: every rule, in rule order, with its count and up to five
    sample lines. Only the furnisher that sent the file sees it (404 for anyone else)."""
    report = quality_reports.report_of(bureau.uow(), bureau.deps, who, file_id)
    return QualityReportOut(file_id=report["file_id"], records_checked=report["records_checked"],
                            rules=report["rules"])
