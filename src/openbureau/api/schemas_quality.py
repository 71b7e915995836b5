"""Response bodies of the data-quality report (``GET /v1/furnisher/files/{id}/quality``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class QualityRuleResult(BaseModel):
    id: str
    description: str
    severity: Literal["reject", "warn"]
    fields: list[str]
    count: int
    sample_lines: list[int]


class QualityReportOut(BaseModel):
    file_id: str
    records_checked: int
    rules: list[QualityRuleResult]
