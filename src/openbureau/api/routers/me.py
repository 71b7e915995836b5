from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_reports import Access, AccessList, Notice, NoticeList, Report
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import consumer, scoring_hooks

router = APIRouter(prefix="/v1/me", tags=["consumer"])
consumer_only = require(Role.CONSUMER)


@router.get("/report", response_model=Report,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "the report as JSON, or as a PDF with ?format=pdf"}})
def report(format: Literal["json", "pdf"] = Query("json"), bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(consumer_only)) -> Report | Response:
    if format == "pdf":
        return Response(consumer.my_report_pdf(bureau, who), media_type="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="credit-report.pdf"',
                                 "Cache-Control": "no-store"})
    return Report(**consumer.my_report(bureau, who))


@router.get("/accesses")
def accesses(bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(consumer_only)) -> AccessList:
    found = consumer.my_accesses(bureau.uow(), bureau.deps, who)
    return AccessList(items=[Access(**a) for a in found])


@router.get("/notices")
def notices(bureau: Bureau = Depends(get_bureau),
            who: Principal = Depends(consumer_only)) -> NoticeList:
    return NoticeList(items=[Notice(**n) for n in consumer.my_notices(bureau, who)])


@router.get("/score")
def score(bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(consumer_only)) -> dict[str, Any]:
    """api.md's ``score`` object (null when no score can be given) and the score ``history``."""
    return scoring_hooks.my_score(bureau.uow(), bureau.deps, who)
