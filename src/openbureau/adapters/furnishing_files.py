"""Furnishing files as their furnisher lists them and reads their data-quality report, and as
``services/files.py`` receives, ingests and resumes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import furnishing_files, organisations
from openbureau.services.stored import FurnishingFile, IntakeFile

_f = furnishing_files.c
_COLUMNS = (_f.ref, _f.filename, _f.format, _f.status, _f.records, _f.accepted, _f.rejected,
            _f.warnings_total, _f.created_at, _f.quality)


def _file(r: Any) -> FurnishingFile:
    return FurnishingFile(ref=r.ref, filename=r.filename, format=r.format, status=r.status,
                          records=r.records, accepted=r.accepted, rejected=r.rejected,
                          warnings=r.warnings_total, created_at=r.created_at, quality=r.quality)


class SqlFurnishingFiles(Repository):
    def of_furnisher(self, ref: str, furnisher_id: int) -> FurnishingFile | None:
        r = self._run(select(*_COLUMNS).where(_f.ref == ref,
                                              _f.furnisher_id == furnisher_id)).first()
        return None if r is None else _file(r)

    def recent(self, furnisher_id: int, limit: int) -> list[FurnishingFile]:
        return [_file(r) for r in self._run(select(*_COLUMNS)
                                            .where(_f.furnisher_id == furnisher_id)
                                            .order_by(_f.id.desc()).limit(limit)).all()]

    # -- intake: received, ingested, resumed (``services/files.py``) ------------------------

    def add(self, *, ref: str, furnisher_id: int, filename: str, format: str, sha256: str,
            now: datetime) -> int:
        """A received file, ``queued``; its row id."""
        return int(self._run(insert(furnishing_files).values(
            ref=ref, furnisher_id=furnisher_id, filename=filename, format=format,
            sha256=sha256, status="queued", records=0, accepted=0, rejected=0, errors=[],
            errors_total=0, attempts=0, created_at=now
        ).returning(_f.id)).scalar_one())

    def by_ref(self, ref: str, furnisher_id: int | None = None) -> IntakeFile | None:
        """The file by its ref; with ``furnisher_id``, only that furnisher's (the furnisher's
        name is read only without it: the ingest's look-up)."""
        if furnisher_id is None:
            r = self._run(select(furnishing_files, organisations.c.name)
                          .join(organisations, organisations.c.id == _f.furnisher_id)
                          .where(_f.ref == ref)).first()
        else:
            r = self._run(select(furnishing_files).where(
                _f.ref == ref, _f.furnisher_id == furnisher_id)).first()
        if r is None:
            return None
        return _intake(r, r.name if furnisher_id is None else None)

    def start(self, file_id: int) -> None:
        """The file's ingest begins: ``running``, one attempt more."""
        self._run(update(furnishing_files).where(_f.id == file_id)
                  .values(status="running", attempts=_f.attempts + 1))

    def finish(self, file_id: int, now: datetime, **outcome: Any) -> None:
        """The file's ingest is over: its status, counts, messages and quality report."""
        self._run(update(furnishing_files).where(_f.id == file_id)
                  .values(finished_at=now, **outcome))

    def pending(self) -> list[IntakeFile]:
        """Files left ``queued`` or ``running``, in the order they came."""
        return [_intake(r, None) for r in self._run(
            select(furnishing_files).where(_f.status.in_(["queued", "running"]))
            .order_by(_f.id))]

    def statuses(self, file_ids: list[int]) -> dict[int, str]:
        """The status of those of these files that have a row."""
        return dict(self._run(select(_f.id, _f.status).where(_f.id.in_(file_ids))).all())


def _intake(r: Any, furnisher: str | None) -> IntakeFile:
    return IntakeFile(ref=r.ref, filename=r.filename, format=r.format, status=r.status,
                      records=r.records, accepted=r.accepted, rejected=r.rejected,
                      warnings=r.warnings_total, created_at=r.created_at, quality=r.quality,
                      id=r.id, furnisher_id=r.furnisher_id, furnisher=furnisher,
                      errors=r.errors, errors_total=r.errors_total,
                      warning_messages=r.warnings, failure_reason=r.failure_reason,
                      attempts=r.attempts)
