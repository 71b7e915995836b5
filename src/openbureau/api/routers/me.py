from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from openbureau.adapters import i18n
from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_reports import Access, AccessList, Notice, NoticeList, Report
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import consumer, scoring_hooks

router = APIRouter(prefix="/v1/me", tags=["consumer"])
consumer_only = require(Role.CONSUMER)


def _asked(accept_language: str | None = Header(None, alias="Accept-Language",
                                                  include_in_schema=False)) -> str:
    """The language a client asks for the notices' ``title`` and ``text`` and the PDF; English
    unless it asks (the API is otherwise language-neutral: codes, not words)."""
    return i18n.negotiate(None, accept_language, None)


@router.get("/report", response_model=Report,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "the report as JSON, or as a PDF with ?format=pdf"}})
def report(response: Response, format: Literal["json", "pdf"] = Query("json"),
           bureau: Bureau = Depends(get_bureau), who: Principal = Depends(consumer_only),
           locale: str = Depends(_asked)) -> Report | Response:
    if format == "pdf":
        return Response(consumer.my_report_pdf(bureau.uow(), bureau.deps, who, locale),
                        media_type="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="credit-report.pdf"',
                                 "Cache-Control": "no-store", "Content-Language": locale,
                                 "Vary": "Accept-Language"})
    response.headers["Content-Language"] = locale
    response.headers["Vary"] = "Accept-Language"
    return Report(**consumer.my_report(bureau.uow(), bureau.deps, who,
                                       language=i18n.language(locale)))


@router.get("/accesses")
def accesses(bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(consumer_only)) -> AccessList:
    found = consumer.my_accesses(bureau.uow(), bureau.deps, who)
    return AccessList(items=[Access(**a) for a in found])


@router.get("/notices")
def notices(response: Response, bureau: Bureau = Depends(get_bureau),
            who: Principal = Depends(consumer_only),
            locale: str = Depends(_asked)) -> NoticeList:
    """The notices; each ``title`` and ``text`` in the language of ``Accept-Language`` (English
    or Simplified Chinese; English when none is asked for), its ``body`` in codes."""
    response.headers["Content-Language"] = locale
    response.headers["Vary"] = "Accept-Language"
    found = consumer.my_notices(bureau.uow(), bureau.deps, who, i18n.language(locale))
    return NoticeList(items=[Notice(**n) for n in found])


@router.get("/score")
def score(bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(consumer_only)) -> dict[str, Any]:
    """api.md's ``score`` object (null when no score can be given) and the score ``history``."""
    return scoring_hooks.my_score(bureau.uow(), bureau.deps, who)
