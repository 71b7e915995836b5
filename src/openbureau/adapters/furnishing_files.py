"""Furnishing files as their furnisher lists them and reads their data-quality report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import furnishing_files
from openbureau.services.stored import FurnishingFile

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
