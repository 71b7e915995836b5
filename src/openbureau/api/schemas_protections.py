"""Bodies of the identity protections: identity-theft reports and what furnishers are told of
their accounts (``services/protections.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from openbureau.api.schemas import Closed


class TheftReportIn(Closed):
    items: list[str] = Field(min_length=1, max_length=100,
                             description="the item_ref of each account of your report that "
                                         "resulted from identity theft")
    statement: str | None = Field(default=None, max_length=2000,
                                  description="what happened, in your words")


class TheftReportOut(BaseModel):
    report_id: str
    status: Literal["filed", "blocked"]
    filed_at: datetime
    due_at: datetime = Field(description="when the items must be blocked by (the profile's "
                                         "deadline; us-fcra: 4 business days, FCRA 605B)")
    blocked_at: datetime | None
    items: list[str]
    statement: str | None = None


class TheftReportList(BaseModel):
    items: list[TheftReportOut]


class FurnisherIdentityNotice(BaseModel):
    notice_id: int
    kind: Literal["blocked", "unlinked"]
    account_ref: str
    source: str = Field(description="the identity-theft report's or the dispute's reference")
    reason: str
    created_at: datetime


class FurnisherIdentityNotices(BaseModel):
    items: list[FurnisherIdentityNotice]
    next_after: int | None = Field(description="pass as ?after= for the next page")
