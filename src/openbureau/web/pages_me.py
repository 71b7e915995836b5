"""The consumer's pages: the report, disputes, statements, freeze, fraud alerts, the score
simulator, offers and the PDF. Every handler calls the service the ``/v1/me`` API calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from openbureau.adapters import i18n
from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain import identity_theft, report_summary
from openbureau.domain.errors import OpenBureauError
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import consumer, disputes, objections, protections, rights, simulation
from openbureau.web import forms, sessions
from openbureau.web.errors import _status
from openbureau.web.render import locale_of, render

router = APIRouter(prefix="/me", tags=["web"], dependencies=[Depends(sessions.load_session)])
me = sessions.page(Role.CONSUMER)

# a share without words is written "50% of limits" in the page's language
UTILISATION = [("", N_("No change")), ("0.5", ""), ("0.3", ""), ("0.1", ""),
               ("0", N_("Pay revolving balances off"))]
MONTHS = [("0", N_("Now")), ("6", N_("In 6 months")), ("12", N_("In 12 months")),
          ("24", N_("In 24 months"))]
CONFIRM_THEFT = N_("Tick the box to confirm that you did not open or use these accounts.")


def _done(path: str, message: str) -> Response:
    return RedirectResponse(f"{path}?done={message}", status_code=303)


@router.get("/report", response_class=Response)
def report(request: Request, done: str | None = Query(None, max_length=40),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    language = i18n.language(locale_of(request))
    rep = consumer.my_report(bureau.uow(), bureau.deps, who, language=language)
    score = consumer.shown_score(bureau.uow(), bureau.deps, who, rep)
    accesses = consumer.my_accesses(bureau.uow(), bureau.deps, who)
    return render(request, "me/report.html", report=rep, score=score, accesses=accesses,
                  done=done, disputes=disputes.my_disputes(bureau.uow(), bureau.deps, who),
                  names=report_summary.item_names(rep, language),
                  profile_title=bureau.profile.title,
                  theft_reports=protections.my_theft_reports(bureau.uow(), bureau.deps, who))


@router.get("/report.pdf", response_class=Response)
def report_pdf(request: Request, bureau: Bureau = Depends(get_bureau),
               who: Principal = Depends(me)) -> Response:
    locale = locale_of(request)
    return Response(consumer.my_report_pdf(bureau.uow(), bureau.deps, who, locale),
                    media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="credit-report.pdf"',
                             "Cache-Control": "no-store", "Content-Language": locale})


@router.get("/disputes", response_class=Response)
def my_disputes(request: Request, done: str | None = Query(None, max_length=40),
                bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    return render(request, "me/disputes.html", done=done, items=disputes.my_disputes(
        bureau.uow(), bureau.deps, who, i18n.language(locale_of(request))))


@router.get("/disputes/new", response_class=Response)
def dispute_form(request: Request, kind: str = Query("account", max_length=20),
                 ref: str = Query(..., max_length=40), label: str = Query("", max_length=200),
                 not_mine: bool = Query(False), bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(me)) -> Response:
    """A dispute of one item; ``not_mine`` (an account): "this account is not mine"."""
    return render(request, "me/dispute_form.html", kind=kind, ref=ref, label=label,
                  not_mine=not_mine and kind == "account", profile=bureau.profile)


@router.post("/disputes", response_class=Response)
def open_dispute(request: Request, kind: str = Form(..., max_length=20),
                 ref: str = Form(..., max_length=40), reason: str = Form("", max_length=8000),
                 statement: str = Form("", max_length=8000), label: str = Form("", max_length=200),
                 not_mine: bool = Form(False),
                 bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    try:
        disputes.open_dispute(bureau.uow(), bureau.deps, who, kind, ref,
                              identity_theft.NOT_MINE if not_mine else reason, statement)
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        return render(request, "me/dispute_form.html", status_code=_status(exc), kind=kind,
                      ref=ref, label=label, reason=reason, statement=statement,
                      not_mine=not_mine, profile=bureau.profile,
                      errors=messages, field_errors=by_field)
    return _done("/me/disputes", "dispute-opened")


# -- identity theft (FCRA 605B) -----------------------------------------------------------------

def _theft_page(request: Request, bureau: Bureau, who: Principal, status_code: int = 200,
                **form: Any) -> Response:
    rep = consumer.my_report(bureau.uow(), bureau.deps, who,
                             language=i18n.language(locale_of(request)))
    return render(request, "me/identity_theft.html", status_code=status_code,
                  accounts=rep["accounts"], profile=bureau.profile,
                  **{"chosen": [], "statement": "", **form})


@router.get("/identity-theft", response_class=Response)
def theft_form(request: Request, bureau: Bureau = Depends(get_bureau),
               who: Principal = Depends(me)) -> Response:
    """What an identity-theft report does, the accounts to choose, and a confirmation."""
    return _theft_page(request, bureau, who)


@router.post("/identity-theft", response_class=Response)
def report_theft(request: Request, items: list[str] = Form([], max_length=100),
                 statement: str = Form("", max_length=8000), confirm: str = Form("", max_length=3),
                 bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    """The report, through the service ``POST /v1/me/identity-theft-reports`` calls."""
    chosen = [i[:40] for i in items]
    if confirm != "yes":
        gettext = i18n.language(locale_of(request)).gettext
        return _theft_page(request, bureau, who, 422, chosen=chosen, statement=statement,
                           field_errors={"confirm": gettext(CONFIRM_THEFT)},
                           errors=[gettext(CONFIRM_THEFT)])
    try:
        protections.report_identity_theft(bureau.uow(), bureau.deps, who, chosen,
                                          statement or None)
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        return _theft_page(request, bureau, who, _status(exc), chosen=chosen,
                           statement=statement, confirmed=True, field_errors=by_field,
                           errors=messages)
    return _done("/me/report", "identity-theft-reported")


@router.post("/statements", response_class=Response)
def add_statement(text: str = Form(..., max_length=4000), item_ref: str = Form("", max_length=40),
                  bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    rights.add_statement(bureau.uow(), bureau.deps, who, item_ref or None, text)
    return _done("/me/report", "statement-added")


@router.post("/objections", response_class=Response)
def object_to_listing(listing_id: str = Form(..., max_length=24),
                      reason: str = Form(..., max_length=4000),
                      bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(me)) -> Response:
    objections.object_to_listing(bureau.uow(), bureau.deps, who, listing_id, reason)
    return _done("/me/report", "objection-filed")


@router.get("/freeze", response_class=Response)
def freeze_page(request: Request, bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(me)) -> Response:
    """What a freeze does and does not do, and a confirmation: never one click."""
    return render(request, "me/freeze.html",
                  frozen=consumer.is_frozen(bureau.uow(), bureau.deps, who))


@router.post("/freeze", response_class=Response)
def freeze(request: Request, action: str = Form("place", pattern="^(place|lift)$"),
           confirm: str = Form("", max_length=3),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    if confirm != "yes":
        return render(request, "me/freeze.html", status_code=422,
                      frozen=consumer.is_frozen(bureau.uow(), bureau.deps, who))
    if action == "lift":
        rights.lift_freeze(bureau.uow(), bureau.deps, who)
        return _done("/me/report", "freeze-lifted")
    rights.place_freeze(bureau.uow(), bureau.deps, who)
    return _done("/me/report", "frozen")


@router.post("/fraud-alerts", response_class=Response)
def fraud_alert(kind: str = Form("initial", pattern="^(initial|extended)$"),
                bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    rights.place_fraud_alert(bureau.uow(), bureau.deps, who, kind)
    return _done("/me/report", "fraud-alert-placed")


# -- the score simulator ------------------------------------------------------------------------

def _changes(utilisation: str, bring_current: bool, open_card: bool, pay_off: str,
             months: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    if utilisation:
        changes.append({"kind": "pay_down_revolving", "to_utilisation": float(utilisation)})
    if pay_off:
        changes.append({"kind": "pay_off", "item_ref": pay_off})
    if bring_current:
        changes.append({"kind": "bring_all_current"})
    if open_card:
        changes.append({"kind": "open_account", "account_kind": "revolving",
                        "credit_limit": 300000, "balance": 0})
    if months and months != "0":
        changes.append({"kind": "time_passes", "months": int(months)})
    return changes


@router.get("/simulator", response_class=Response)
def simulator(request: Request, bureau: Bureau = Depends(get_bureau),
              who: Principal = Depends(me)) -> Response:
    rep = consumer.my_report(bureau.uow(), bureau.deps, who,
                             language=i18n.language(locale_of(request)))
    result, error = _simulate(bureau, who, [])
    return render(request, "me/simulator.html", result=result, error=error,
                  accounts=[a for a in rep["accounts"] if a["balance"]],
                  utilisation=UTILISATION, months=MONTHS, form={})


def _simulate(bureau: Bureau, who: Principal, changes: list[dict[str, Any]]
              ) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return simulation.run(bureau.uow(), bureau.deps, who, changes), None
    except OpenBureauError as exc:
        return None, exc.detail


@router.post("/simulator", response_class=Response)
def simulate(request: Request, utilisation: str = Form("", pattern=r"^(|0|0?\.\d+|1)$"),
             bring_current: bool = Form(False), open_card: bool = Form(False),
             pay_off: str = Form("", max_length=40),
             months: str = Form("0", pattern=r"^\d{1,3}$"),
             bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    result, error = _simulate(bureau, who, _changes(utilisation, bring_current, open_card,
                                                    pay_off, months))
    form = {"utilisation": utilisation, "bring_current": bring_current, "open_card": open_card,
            "pay_off": pay_off, "months": months}
    if request.headers.get("hx-request") == "true":
        return render(request, "me/_simulation.html", result=result, error=error)
    rep = consumer.my_report(bureau.uow(), bureau.deps, who,
                             language=i18n.language(locale_of(request)))
    return render(request, "me/simulator.html", result=result, error=error, form=form,
                  accounts=[a for a in rep["accounts"] if a["balance"]],
                  utilisation=UTILISATION, months=MONTHS)


# -- offers -------------------------------------------------------------------------------------

@router.get("/offers", response_class=Response)
def offers(request: Request, done: str | None = Query(None, max_length=40),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(me)) -> Response:
    return render(request, "me/offers.html",
                  offers=rights.my_offers(bureau.uow(), bureau.deps, who), done=done)


@router.post("/offers-consent", response_class=Response)
def offers_consent(opt_in: bool = Form(False), bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(me)) -> Response:
    rights.set_offers_consent(bureau.uow(), bureau.deps, who, opt_in)
    return _done("/me/offers", "opted-in" if opt_in else "opted-out")
