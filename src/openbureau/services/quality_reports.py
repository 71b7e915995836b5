"""A furnisher's files and their data-quality reports (``domain.quality``), as kept with each
file by ``files.ingest``. A furnisher sees only its own files: another's is "not found"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from openbureau.adapters.tables import furnishing_files
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.domain.quality import QualityReport
from openbureau.domain.roles import Principal


def report_of(bureau: Bureau, furnisher: Principal, file_ref: str) -> dict[str, Any]:
    """``{file_id, filename, status, records_checked, rules: [...]}``: every rule in rule order
    with its count and up to five sample lines (all zero while the file is not yet ingested)."""
    with bureau.uow() as uow:
        row = uow.execute(select(furnishing_files.c.ref, furnishing_files.c.filename,
                                 furnishing_files.c.status, furnishing_files.c.quality)
                          .where(furnishing_files.c.ref == file_ref,
                                 furnishing_files.c.furnisher_id == furnisher.id)).first()
    if row is None:
        raise NotFound("no such file from this furnisher")
    report = QualityReport.from_stored(row.quality)
    return {"file_id": row.ref, "filename": row.filename, "status": row.status,
            "records_checked": report.records_checked, "rules": report.rules()}


def files_of(bureau: Bureau, furnisher: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The furnisher's most recent files, newest first, with the number of rule hits and of
    records stored without their income (``warnings``)."""
    f = furnishing_files.c
    with bureau.uow() as uow:
        rows = uow.execute(select(f.ref, f.filename, f.format, f.status, f.records, f.accepted,
                                  f.rejected, f.warnings_total, f.created_at, f.quality)
                           .where(f.furnisher_id == furnisher.id)
                           .order_by(f.id.desc()).limit(limit)).all()
    out = []
    for r in rows:
        report = QualityReport.from_stored(r.quality)
        out.append({"file_id": r.ref, "filename": r.filename, "format": r.format,
                    "status": r.status, "records": r.records, "accepted": r.accepted,
                    "rejected": r.rejected, "warnings": r.warnings_total,
                    "created_at": r.created_at,
                    "quality_hits": sum(report.counts.values())})
    return out
