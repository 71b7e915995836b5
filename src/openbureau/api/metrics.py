"""``GET /metrics``: the Prometheus text exposition, for an operator's or auditor's key only.

The counters live in memory (``adapters/metrics.py``); a scrape runs no database query. Before,
the endpoint was public and counted four whole tables per scrape: anyone could make the
database scan its largest tables at will, and learn how many files the bureau holds.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from openbureau.adapters.metrics import CONTENT_TYPE
from openbureau.api.deps import get_bureau, require
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Role

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response,
            dependencies=[Depends(require(Role.OPERATOR, Role.AUDITOR))])
async def metrics(bureau: Bureau = Depends(get_bureau)) -> Response:
    return Response(bureau.metrics.render(), media_type=CONTENT_TYPE)
