"""A furnisher's files and their data-quality reports (``domain.quality``), as kept with each
file by ``files.ingest``. A furnisher sees only its own files: another's is "not found"."""

from __future__ import annotations

from typing import Any

from openbureau.domain.errors import NotFound
from openbureau.domain.quality import QualityReport
from openbureau.domain.roles import Principal
from openbureau.services.ports import Deps, UnitOfWork


def report_of(uow: UnitOfWork, deps: Deps, furnisher: Principal,
              file_ref: str) -> dict[str, Any]:
    """``{file_id, filename, status, records_checked, rules: [...]}``: every rule in rule order
    with its count and up to five sample lines (all zero while the file is not yet ingested)."""
    with uow:
        found = uow.furnishing_files.of_furnisher(file_ref, furnisher.id)
    if found is None:
        raise NotFound("no such file from this furnisher")
    report = QualityReport.from_stored(found.quality)
    return {"file_id": found.ref, "filename": found.filename, "status": found.status,
            "records_checked": report.records_checked, "rules": report.rules()}


def files_of(uow: UnitOfWork, deps: Deps, furnisher: Principal,
             limit: int = 100) -> list[dict[str, Any]]:
    """The furnisher's most recent files, newest first, with the number of rule hits and of
    records stored without their income (``warnings``)."""
    with uow:
        found = uow.furnishing_files.recent(furnisher.id, limit)
    out = []
    for r in found:
        report = QualityReport.from_stored(r.quality)
        out.append({"file_id": r.ref, "filename": r.filename, "format": r.format,
                    "status": r.status, "records": r.records, "accepted": r.accepted,
                    "rejected": r.rejected, "warnings": r.warnings,
                    "created_at": r.created_at,
                    "quality_hits": sum(report.counts.values())})
    return out
