"""The consumer's consents page: every consent on the file, granting one to a member, revoking
one. Every handler calls the service ``/v1/me/consents`` calls (services/consents.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain.consents import Scope
from openbureau.domain.errors import OpenBureauError
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import consents
from openbureau.web import forms, sessions
from openbureau.web.errors import _messages, _status
from openbureau.web.render import render

router = APIRouter(prefix="/me", tags=["web"], dependencies=[Depends(sessions.load_session)])
me = sessions.page(Role.CONSUMER)

DONE = {"granted": N_("Consent given. The member may now pull your file for that purpose."),
        "revoked": N_("Consent revoked. The member may no longer rely on it.")}


def _page(request: Request, bureau: Bureau, who: Principal, status_code: int = 200,
          **context: object) -> Response:
    return render(request, "me/consents.html", status_code=status_code,
                  items=consents.my_consents(bureau.uow(), bureau.deps, who),
                  members=consents.member_organisations(bureau.uow(), bureau.deps),
                  furnishers=consents.income_furnishers(bureau.uow(), bureau.deps, who),
                  purposes=sorted(p.value for p in bureau.profile.permissible_purposes),
                  revocable=bureau.profile.consent_revocable, profile=bureau.profile,
                  **context)


@router.get("/consents", response_class=Response)
def consents_page(request: Request, done: str | None = Query(None, max_length=40),
                  bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    return _page(request, bureau, who, done=DONE.get(done or ""), form={})


@router.post("/consents", response_class=Response)
def grant(request: Request, member: str = Form(..., max_length=120),
          purpose: str = Form(..., max_length=40), expires_on: date = Form(...),
          scope: str = Form(Scope.REPORT.value, max_length=10),
          bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    # the consent runs to the end of the chosen day (UTC); a member's covers pulling the file,
    # a furnisher's (the second form) reporting the consumer's income
    expires_at = datetime.combine(expires_on, time(23, 59, 59), tzinfo=UTC)
    scopes = [scope]
    try:
        consents.grant(bureau.uow(), bureau.deps, who, member, purpose, expires_at, scopes)
    except OpenBureauError as exc:
        by_field, _ = forms.field_errors(exc, {"expires_at": "expires_on"})
        return _page(request, bureau, who, status_code=_status(exc), errors=_messages(exc),
                     field_errors=by_field,
                     form={"member": member, "purpose": purpose, "expires_on": expires_on,
                           "scope": scope})
    return RedirectResponse("/me/consents?done=granted", status_code=303)


@router.post("/consents/{consent_ref}/revoke", response_class=Response)
def revoke(request: Request, consent_ref: str = Path(max_length=64),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    try:
        consents.revoke(bureau.uow(), bureau.deps, who, consent_ref)
    except OpenBureauError as exc:
        return _page(request, bureau, who, status_code=_status(exc), errors=_messages(exc),
                     form={})
    return RedirectResponse("/me/consents?done=revoked", status_code=303)
