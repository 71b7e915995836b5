"""Furnishing files (Metro 2 or CSV): received, queued, ingested, summarised.

The upload is written to disk first and recorded as ``queued``; ingestion then runs (in the
background for the API, in the foreground for the CLI) and the summary is kept with the file.
A file left ``queued`` or ``running`` by a crash is picked up again by ``resume_pending``;
since storing is an upsert, re-ingesting it changes nothing that was already stored.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select, update

from openbureau.adapters.fileformats import (
    FileUnreadable,
    LineError,
    RawRecord,
    detect_format,
    read_records,
)
from openbureau.adapters.metro2 import read_metro2
from openbureau.adapters.metro2_columns import Block
from openbureau.adapters.tables import furnishing_files, organisations
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal, Role
from openbureau.services import furnishing
from openbureau.services.furnishing import Candidate, Rejection, Summary

log = logging.getLogger("openbureau.files")
MAX_ERRORS_KEPT = 10_000


def _candidates(stream: IO[bytes], fmt: str,
                bureau: Bureau | None = None) -> Iterator[Candidate | Rejection | Block]:
    """The file's records for ``furnishing.furnish``; on PostgreSQL a Metro 2 file's clean
    records come column-wise, a chunk at a time (``metro2_columns``)."""
    if fmt == "metro2" and bureau is not None and furnishing.bulk_candidates(bureau):
        items: Iterator[Any] = read_metro2(
            stream, batch=furnishing.CHUNK_BY_DIALECT["postgresql"],  # type: ignore[arg-type]
            hasher=bureau.vault.lookup_hash)
    else:
        items = read_records(stream, fmt)  # type: ignore[arg-type]
    for item in items:
        if isinstance(item, Block):
            yield item
        elif isinstance(item, RawRecord):
            yield Candidate(item.line, item.fields)
        else:
            assert isinstance(item, LineError)
            yield Rejection(item.line, [FieldError(item.field, item.message, line=item.line)],
                            is_record=getattr(item, "is_record", True))


def receive(bureau: Bureau, furnisher: Principal, filename: str, src: IO[bytes]) -> int:
    """Store an upload and queue it. Refuses at once what cannot be read at all, and a CSV
    whose header names an unknown or prohibited column (422 naming the column)."""
    folder = bureau.settings.resolved_upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".incoming-{furnisher.id}-{id(src)}"
    sha = hashlib.sha256()
    with tmp.open("wb") as out:
        while chunk := src.read(1 << 20):
            sha.update(chunk)
            out.write(chunk)
    try:
        with tmp.open("rb") as f:
            head = f.read(4096)
            fmt = detect_format(head)
            f.seek(0)
            first = next(iter(read_records(f, fmt)), None)   # header checks happen here
            del first
    except FileUnreadable as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationFailed([FieldError("file", str(exc))], f"file unreadable: {exc}") from exc
    except ValidationFailed:
        tmp.unlink(missing_ok=True)
        raise
    with bureau.uow() as uow:
        file_id = uow.execute(insert(furnishing_files).values(
            furnisher_id=furnisher.id, filename=Path(filename or "upload").name[:255],
            format=fmt, sha256=sha.hexdigest(), status="queued", records=0, accepted=0,
            rejected=0, errors=[], created_at=uow.clock.now()
        ).returning(furnishing_files.c.id)).scalar_one()
        uow.audit(furnisher.actor, "furnish.file_received", None, "furnishing",
                  file_id=file_id, format=fmt, sha256=sha.hexdigest())
        uow.commit()
    shutil.move(str(tmp), folder / str(file_id))
    return int(file_id)


def ingest(bureau: Bureau, file_id: int, *, progress: Callable[[Summary], None] | None = None,
           rescore: furnishing.Rescorer | None = None) -> dict[str, Any]:
    with bureau.uow() as uow:
        row = uow.execute(select(furnishing_files, organisations.c.name)
                          .join(organisations,
                                organisations.c.id == furnishing_files.c.furnisher_id)
                          .where(furnishing_files.c.id == file_id)).first()
        if row is None:
            raise NotFound(f"no file {file_id}")
        uow.execute(update(furnishing_files).where(furnishing_files.c.id == file_id)
                    .values(status="running"))
        uow.commit()
    furnisher = Principal(Role.FURNISHER, row.furnisher_id, row.name)
    path = bureau.settings.resolved_upload_dir() / str(file_id)
    try:
        with path.open("rb") as f:
            summary = furnishing.furnish(bureau, furnisher, _candidates(f, row.format, bureau),
                                         file_id=file_id, progress=progress, rescore=rescore)
        status = "done"
    except (FileUnreadable, ValidationFailed, OSError) as exc:
        log.warning("file %s could not be read: %s", file_id, type(exc).__name__)
        summary = Summary(rejected=[Rejection(0, [FieldError("file", str(exc))],
                                              is_record=False)])
        status = "failed"
    errors = [dict(e.as_dict(), line=e.line if e.line is not None else r.position)
              for r in summary.rejected for e in r.errors][:MAX_ERRORS_KEPT]
    with bureau.uow() as uow:
        uow.execute(update(furnishing_files).where(furnishing_files.c.id == file_id).values(
            status=status, records=summary.records, accepted=summary.accepted,
            rejected=sum(1 for r in summary.rejected if r.is_record), errors=errors,
            finished_at=uow.clock.now()))
        uow.audit(furnisher.actor, "furnish.file_ingested", None, "furnishing",
                  file_id=file_id, accepted=summary.accepted, status=status)
        uow.commit()
    return status_of(bureau, furnisher, file_id)


def status_of(bureau: Bureau, furnisher: Principal, file_id: int) -> dict[str, Any]:
    with bureau.uow() as uow:
        row = uow.execute(select(furnishing_files).where(
            furnishing_files.c.id == file_id,
            furnishing_files.c.furnisher_id == furnisher.id)).first()
    if row is None:
        raise NotFound(f"no file {file_id} from this furnisher")
    return {"file_id": row.id, "filename": row.filename, "format": row.format,
            "status": row.status, "records": row.records, "accepted": row.accepted,
            "rejected": row.rejected, "errors": row.errors}


def resume_pending(bureau: Bureau) -> list[int]:
    """Files a crash left queued or running; the caller ingests them again."""
    with bureau.uow() as uow:
        return list(uow.execute(select(furnishing_files.c.id).where(
            furnishing_files.c.status.in_(["queued", "running"]))
            .order_by(furnishing_files.c.id)).scalars())
