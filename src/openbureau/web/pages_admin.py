"""Operators' and auditors' pages: the model card with its plots, drift, the fairness report,
the disputes dashboard, audit-chain verification and rescoring jobs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import OpenBureauError
from openbureau.domain.roles import Principal, Role
from openbureau.services import audit_log, disputes, model_reports, models, rescore
from openbureau.web import sessions
from openbureau.web.render import bars, render

router = APIRouter(prefix="/admin", tags=["web"], dependencies=[Depends(sessions.load_session)])
staff = sessions.page(Role.OPERATOR, Role.AUDITOR)


_ALIGN = re.compile(r' style="text-align:\s*(left|right|center)"')


def _markdown(text: str | None, image_base: str) -> Markup | None:
    """A published document (written by ``openbureau model ...``) as HTML; raw HTML in it is
    not rendered. Relative image links point at ``image_base``."""
    from markdown_it import MarkdownIt

    if text is None:
        return None
    text = re.sub(r"\]\((?:\./)?model-card/", f"]({image_base}", text)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # headings one level down: the page has its own h1
    html: str = md.render(text)
    shifted = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m[1]}h{int(m[2]) + 1}>", html)
    # a table column's alignment as a class: the pages' CSP (style-src 'self') refuses the
    # style attributes markdown-it writes, one console error per cell
    aligned = _ALIGN.sub(r' class="align-\1"', shifted)
    return Markup(aligned)  # noqa: S704 - markdown-it with html=False escapes raw HTML  # nosec B704


@router.get("", response_class=Response)
def overview(request: Request, bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(staff)) -> Response:
    return render(request, "admin/overview.html",
                  models=models.list_models(bureau.uow(), bureau.deps),
                  dash=disputes.workload(bureau.uow(), bureau.deps, who))


@router.get("/model", response_class=Response)
def model_card(request: Request, bureau: Bureau = Depends(get_bureau),
               who: Principal = Depends(staff)) -> Response:
    drift: dict[str, Any] | None = None
    drift_error = None
    try:
        drift = model_reports.drift(bureau.uow(), bureau.deps)
    except OpenBureauError as exc:
        drift_error = exc.detail
    chart = None
    if drift:
        pairs = [(a["name"], round(a["psi"], 4)) for a in drift["attributes"]
                 if a["psi"] is not None]
        if drift["score"]["psi"] is not None:
            pairs.insert(0, ("score", round(drift["score"]["psi"], 4)))
        chart = bars(pairs, "Population stability index (PSI) by attribute, current population "
                     "against training") if pairs else None
        months = [(h["month"], round(h["score_psi"], 4)) for h in drift.get("history", [])
                  if h["score_psi"] is not None]
        if months:
            history = bars(months, "Score PSI month by month (population at each month-end "
                           "against training)")
            chart = history if chart is None else chart + history
    card = model_reports.published_text(bureau.uow(), bureau.deps, "model-card.md")
    return render(request, "admin/model.html", card=_markdown(card, "/admin/model-card/"),
                  drift=drift, drift_error=drift_error, chart=chart,
                  models=models.list_models(bureau.uow(), bureau.deps))


@router.get("/model-card/{name}", response_class=Response)
def model_card_plot(name: str, bureau: Bureau = Depends(get_bureau),
                    who: Principal = Depends(staff)) -> Response:
    return Response(model_reports.model_card_plot(bureau.uow(), bureau.deps, name),
                    media_type="image/png")


@router.get("/fairness", response_class=Response)
def fairness(request: Request, bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(staff)) -> Response:
    error = None
    try:
        model_reports.published_fairness(bureau.uow(), bureau.deps)
    except OpenBureauError as exc:
        error = exc.detail
    report = None if error else _markdown(
        model_reports.published_text(bureau.uow(), bureau.deps, "fairness.md"),
        "/admin/model-card/")
    return render(request, "admin/fairness.html", error=error, report=report)


@router.get("/disputes", response_class=Response)
def disputes_dashboard(request: Request, bureau: Bureau = Depends(get_bureau),
                       who: Principal = Depends(staff)) -> Response:
    return render(request, "admin/disputes.html",
                  dash=disputes.workload(bureau.uow(), bureau.deps, who))


AUDIT_PAGE = 50


@router.get("/audit", response_class=Response)
def audit(request: Request, verify: bool = Query(False),
          before: int | None = Query(None, ge=1),
          subject_ref: str = Query("", max_length=40), actor: str = Query("", max_length=200),
          action: str = Query("", max_length=60),
          bureau: Bureau = Depends(get_bureau), who: Principal = Depends(staff)) -> Response:
    """The event browser (newest first, filtered by file, actor and action) and the chain's
    verification."""
    page = audit_log.list_events(bureau.uow(), bureau.deps, who, 0, AUDIT_PAGE,
                                 subject_ref.strip() or None, before=before, order="newest",
                                 actor=actor.strip() or None, action=action.strip() or None)
    filters = {"subject_ref": subject_ref, "actor": actor, "action": action}
    older = None
    if page["next_before"] is not None:
        older = "/admin/audit?" + urlencode({**{k: v for k, v in filters.items() if v},
                                             "before": page["next_before"]})
    result = audit_log.verify(bureau.uow(), bureau.deps, who) if verify else None
    return render(request, "admin/audit.html", events=page["items"], filters=filters,
                  older=older, result=result)


@router.get("/rescoring", response_class=Response)
def rescoring(request: Request, bureau: Bureau = Depends(get_bureau),
              who: Principal = Depends(staff)) -> Response:
    jobs = rescore.list_jobs(bureau.uow(), bureau.deps)
    template = ("admin/_jobs.html" if request.headers.get("hx-request") == "true"
                else "admin/rescoring.html")
    return render(request, template, jobs=jobs,
                  running=any(j["status"] == "running" for j in jobs))
