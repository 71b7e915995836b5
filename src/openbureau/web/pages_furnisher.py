"""Furnishers' pages: the disputes to answer (answered here), the identity notices (accounts
blocked or unlinked), the files sent, a file upload with its progress, the file's status while
it is read and its data-quality report. Each handler
calls the service the matching ``/v1/furnisher`` route calls."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from openbureau.api.deps import get_bureau, require
from openbureau.api.uploads import receive_upload
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import OpenBureauError
from openbureau.domain.roles import Principal, Role
from openbureau.services import disputes, files, protections, quality_reports
from openbureau.web import forms, sessions
from openbureau.web.errors import _status
from openbureau.web.render import render
from openbureau.web.sessions import CsrfRefused

router = APIRouter(tags=["web"], dependencies=[Depends(sessions.load_session)])
furnisher = sessions.page(Role.FURNISHER)
# the upload's body is streamed to disk as it arrives, so its CSRF token cannot be a form
# field read first: it comes in the X-CSRF-Token header (htmx) or the form's action URL
furnisher_upload = require(Role.FURNISHER)
OUTCOMES = [("verified", "Verified: the account is reported correctly"),
            ("deleted", "Delete it: we cannot verify it, or it is not this person's")]
UNFINISHED = ("queued", "running")
NOTICES_PAGE = 100


@router.get("/furnisher", response_class=Response)
def furnisher_disputes(request: Request, done: str | None = Query(None, max_length=40),
                       bureau: Bureau = Depends(get_bureau),
                       who: Principal = Depends(furnisher)) -> Response:
    return render(request, "org/furnisher.html", outcomes=OUTCOMES, done=done,
                  items=disputes.furnisher_disputes(bureau.uow(), bureau.deps, who, "open"))


@router.post("/furnisher/disputes/{dispute_id}/response", response_class=Response)
def answer_dispute(request: Request, dispute_id: str,
                   outcome: str = Form(..., pattern="^(verified|deleted)$"),
                   note: str = Form("", max_length=4000),
                   bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(furnisher)) -> Response:
    try:
        disputes.respond(bureau.uow(), bureau.deps, who, dispute_id, outcome, None, note or None)
    except OpenBureauError as exc:
        _, messages = forms.field_errors(exc)
        return render(request, "org/furnisher.html", status_code=_status(exc),
                      outcomes=OUTCOMES, errors=messages, failed=dispute_id,
                      items=disputes.furnisher_disputes(bureau.uow(), bureau.deps, who, "open"))
    return RedirectResponse("/furnisher?done=dispute-answered", status_code=303)


@router.get("/furnisher/identity-notices", response_class=Response)
def identity_notices(request: Request, after: int = Query(0, ge=0),
                     bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(furnisher)) -> Response:
    """What ``GET /v1/furnisher/identity-notices`` answers, in words: our accounts blocked
    after a consumer's identity-theft report, or unlinked after a "not mine" dispute."""
    found = protections.furnisher_notices(bureau.uow(), bureau.deps, who, after, NOTICES_PAGE)
    return render(request, "org/identity_notices.html", items=found["items"],
                  next_after=found["next_after"], after=after)


@router.get("/furnisher/files", response_class=Response)
def furnisher_files(request: Request, bureau: Bureau = Depends(get_bureau),
                    who: Principal = Depends(furnisher)) -> Response:
    return render(request, "org/furnisher_files.html",
                  items=quality_reports.files_of(bureau.uow(), bureau.deps, who))


@router.post("/furnisher/files", response_class=Response)
async def upload(request: Request, background: BackgroundTasks,
                 csrf_token: str = Query("", max_length=200),
                 bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(furnisher_upload)) -> Response:
    anchor = sessions.csrf_anchor(request)
    sent = request.headers.get(sessions.CSRF_HEADER) or csrf_token
    if anchor is None or not hmac.compare_digest(sent, sessions.csrf_token(bureau, anchor)):
        raise CsrfRefused("this form has expired or was not sent from this site; reload the "
                          "page and try again")
    try:
        file_id = await receive_upload(request, bureau, who)
    except files.UploadTooLarge as exc:
        return render(request, "org/furnisher_files.html", status_code=413,
                      items=quality_reports.files_of(bureau.uow(), bureau.deps, who),
                      errors=[f"the file is larger than the {exc.limit:,} bytes accepted"])
    background.add_task(files.ingest, bureau.uow(), bureau.deps, file_id,
                        rescore=bureau.rescorer)
    target = f"/furnisher/files/{file_id}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/furnisher/files/{file_id}", response_class=Response)
def furnisher_file(request: Request, file_id: str, bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(furnisher)) -> Response:
    """The file's status; while it is read the page refreshes it (htmx, every second); once
    read, its errors and its data-quality report."""
    status = files.status_of(bureau.uow(), bureau.deps, who, file_id)
    report = (quality_reports.report_of(bureau.uow(), bureau.deps, who, file_id)
              if status["status"] not in UNFINISHED else None)
    partial = request.headers.get("hx-request") == "true"
    return render(request, "org/_file_status.html" if partial else "org/file.html",
                  f=status, report=report, unfinished=status["status"] in UNFINISHED)


@router.get("/furnisher/files/{file_id}/quality", response_class=Response)
def furnisher_file_quality(request: Request, file_id: str, bureau: Bureau = Depends(get_bureau),
                           who: Principal = Depends(furnisher)) -> Response:
    return render(request, "org/file_quality.html",
                  report=quality_reports.report_of(bureau.uow(), bureau.deps, who, file_id))
