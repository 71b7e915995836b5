"""Organisations' pages: members (inquiry, report, decision, restriction check, offers), courts
(listings, judgments, satisfaction, objections); furnishers' are in ``pages_furnisher``. Each
handler calls the service the matching ``/v1`` route calls."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, OpenBureauError, ValidationFailed
from openbureau.domain.profiles import Purpose
from openbureau.domain.registry import Ground, RequestedRestriction
from openbureau.domain.roles import Principal, Role
from openbureau.services import (
    access,
    decisions,
    inquiries,
    objections,
    registry,
    rights,
)
from openbureau.web import forms, sessions
from openbureau.web.errors import _status
from openbureau.web.render import render

router = APIRouter(tags=["web"], dependencies=[Depends(sessions.load_session)])
member = sessions.page(Role.MEMBER)
court = sessions.page(Role.COURT)
MEMBER_PURPOSES = [p.value for p in Purpose if p is not Purpose.CONSUMER_REQUEST]


def _identity(national_id: str, name: str, dob: date | None) -> Any:
    return access.identity_for_lookup(national_id, name, dob)


def _done(path: str, message: str) -> Response:
    return RedirectResponse(f"{path}?done={message}", status_code=303)


# -- member ------------------------------------------------------------------------------------

def _inquiry_form(request: Request, bureau: Bureau, status: int = 200, **ctx: Any) -> Response:
    purposes = [p for p in MEMBER_PURPOSES if Purpose(p) in bureau.profile.permissible_purposes]
    return render(request, "org/inquiry.html", status_code=status, purposes=purposes,
                  form=ctx.pop("form", {}), **ctx)


@router.get("/member", response_class=Response)
def inquiry_form(request: Request, bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(member)) -> Response:
    return _inquiry_form(request, bureau)


@router.post("/member/inquiries", response_class=Response)
def pull(request: Request, national_id: str = Form(..., max_length=40),
         name: str = Form(..., max_length=200), date_of_birth: date | None = Form(None),
         purpose: str = Form(..., max_length=40), consent_ref: str = Form("", max_length=100),
         bureau: Bureau = Depends(get_bureau), who: Principal = Depends(member)) -> Response:
    form = {"national_id": national_id, "name": name, "date_of_birth": date_of_birth,
            "purpose": purpose, "consent_ref": consent_ref}
    try:
        out = inquiries.pull_report(bureau.uow(), bureau.deps, who,
                                    _identity(national_id, name, date_of_birth), purpose,
                                    consent_ref)
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        return _inquiry_form(request, bureau, _status(exc), form=form, errors=messages,
                             field_errors=by_field)
    return render(request, "org/member_report.html", out=out, report=out["report"],
                  score=out["score"])


@router.post("/member/decisions", response_class=Response)
def decide(request: Request, inquiry_id: str = Form(..., max_length=40),
           decision: str = Form(..., pattern="^(approved|declined|counteroffer)$"),
           terms: str = Form("", max_length=1000),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(member)) -> Response:
    # the terms box belongs to the counteroffer; words left in it for another choice are not
    # the member's decision
    out = decisions.record_decision(bureau.uow(), bureau.deps, who, inquiry_id, decision,
                                    terms if decision == "counteroffer" else None)
    return render(request, "org/decision.html", out=out)


@router.get("/member/restrictions", response_class=Response)
def restriction_form(request: Request, bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(member)) -> Response:
    return render(request, "org/restriction.html",
                  categories=sorted(registry.catalogue(bureau.deps).categories), form={})


@router.post("/member/restriction-checks", response_class=Response)
def restriction_check(request: Request, national_id: str = Form(..., max_length=40),
                      name: str = Form(..., max_length=200),
                      date_of_birth: date | None = Form(None),
                      category: str = Form(..., max_length=40),
                      bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(member)) -> Response:
    form = {"national_id": national_id, "name": name, "date_of_birth": date_of_birth,
            "category": category}
    result, status = None, 200
    by_field: dict[str, str] = {}
    messages: list[str] = []
    try:
        result = registry.restriction_check(
            bureau.uow(), bureau.deps, who, _identity(national_id, name, date_of_birth), category)
    except OpenBureauError as exc:
        (by_field, messages), status = forms.field_errors(exc), _status(exc)
    return render(request, "org/restriction.html", status_code=status, form=form,
                  categories=sorted(registry.catalogue(bureau.deps).categories), result=result,
                  errors=messages, field_errors=by_field)


@router.get("/member/offers", response_class=Response)
def member_offers(request: Request, done: str | None = Query(None, max_length=40),
                  bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(member)) -> Response:
    return render(request, "org/offers.html",
                  items=rights.member_offers(bureau.uow(), bureau.deps, who), done=done, form={})


@router.post("/member/offers", response_class=Response)
def publish_offer(request: Request, title: str = Form("", max_length=400),
                  description: str = Form("", max_length=8000),
                  min_score: int = Form(..., ge=0, le=10_000),
                  category: str = Form("", max_length=80),
                  bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(member)) -> Response:
    try:
        rights.create_offer(bureau.uow(), bureau.deps, who, title, description, min_score, category)
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        return render(request, "org/offers.html", status_code=_status(exc),
                      items=rights.member_offers(bureau.uow(), bureau.deps, who), errors=messages,
                      field_errors=by_field,
                      form={"title": title, "description": description,
                            "min_score": min_score, "category": category})
    return _done("/member/offers", "offer-published")


# -- court -------------------------------------------------------------------------------------

@router.get("/court", response_class=Response)
def listings(request: Request, done: str | None = Query(None, max_length=40),
             status: str | None = Query(None, max_length=20),
             bureau: Bureau = Depends(get_bureau), who: Principal = Depends(court)) -> Response:
    return render(request, "org/listings.html", done=done, status=status,
                  items=registry.court_listings(bureau.uow(), bureau.deps, who,
                                                status or None))


def _judgment_form(request: Request, bureau: Bureau, status: int = 200, **ctx: Any) -> Response:
    return render(request, "org/judgment.html", status_code=status,
                  categories=sorted(registry.catalogue(bureau.deps).categories),
                  grounds=[g.value for g in Ground], form=ctx.pop("form", {}), **ctx)


@router.get("/court/judgments/new", response_class=Response)
def judgment_form(request: Request, bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(court)) -> Response:
    return _judgment_form(request, bureau)


@router.post("/court/judgments", response_class=Response)
def list_judgment(request: Request, case_number: str = Form("", max_length=200),
                  national_id: str = Form("", max_length=40),
                  name: str = Form("", max_length=400),
                  date_of_birth: str = Form("", max_length=10),
                  amount: str = Form("", max_length=40),
                  currency: str = Form("USD", max_length=10),
                  judgment_date: str = Form("", max_length=10),
                  ground: str = Form("", max_length=40),
                  legal_basis: str = Form("", max_length=4000),
                  restrictions: list[str] = Form([]), bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(court)) -> Response:
    """The form's amount is in the currency's major units (1234.50 USD, 1234 JPY); everything
    else is the listing rule's, in ``registry.list_judgment`` as for ``POST /v1/court/judgments``.
    """
    values = {"case_number": case_number, "national_id": national_id, "name": name,
              "date_of_birth": date_of_birth, "amount": amount, "currency": currency,
              "judgment_date": judgment_date, "ground": ground, "legal_basis": legal_basis}
    typing: list[FieldError] = []
    minor = forms.minor_units("amount", amount, currency, typing)
    judged = forms.day("judgment_date", judgment_date, typing, required=True)
    born = forms.day("debtor.date_of_birth", date_of_birth, typing)
    try:
        if typing:
            raise ValidationFailed(typing)
        assert minor is not None and judged is not None
        registry.list_judgment(
            bureau.uow(), bureau.deps, who, case_number=case_number,
            debtor=registry.Debtor("person", national_id, name, born), amount=minor,
            currency=currency.strip().upper(), judgment_date=judged, ground=ground or None,
            legal_basis=legal_basis or None,
            restrictions_asked=[RequestedRestriction(c, None, "debtor") for c in restrictions])
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        return _judgment_form(request, bureau, _status(exc), form=values, chosen=restrictions,
                              errors=messages, field_errors=by_field)
    return _done("/court", "listed")


@router.post("/court/judgments/{listing_id}/satisfaction", response_class=Response)
def satisfaction(listing_id: str, kind: str = Form("performance",
                                                   pattern="^(performance|settlement|termination)$"),
                 note: str = Form("", max_length=2000), bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(court)) -> Response:
    registry.lift(bureau.uow(), bureau.deps, who, listing_id, kind, note or None)
    return _done("/court", "satisfied")


@router.get("/court/objections", response_class=Response)
def objection_queue(request: Request, done: str | None = Query(None, max_length=40),
                    bureau: Bureau = Depends(get_bureau),
                    who: Principal = Depends(court)) -> Response:
    return render(request, "org/objections.html", done=done,
                  items=objections.court_objections(bureau.uow(), bureau.deps, who),
                  now=bureau.clock.now())


@router.post("/court/objections/{objection_id}/decision", response_class=Response)
def decide_objection(objection_id: str, outcome: str = Form(..., pattern="^(upheld|rejected)$"),
                     note: str = Form(..., max_length=4000),
                     remedy: str = Form("", pattern="^(|correct|remove)$"),
                     bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(court)) -> Response:
    objections.decide(bureau.uow(), bureau.deps, who, objection_id, outcome, note, remedy or None)
    return _done("/court/objections", "decided")
