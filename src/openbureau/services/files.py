"""Furnishing files (Metro 2 or CSV): received, queued, ingested, summarised.

The upload is written to disk first and recorded as ``queued``; ingestion then runs (in the
background for the API, in the foreground for the CLI) and the summary is kept with the file.
A file left ``queued`` or ``running`` by a crash is picked up again by ``resume_pending``;
since storing is an upsert, re-ingesting it changes nothing that was already stored.

Intake is bounded (docs/security.md): an upload is streamed to disk a chunk at a time and
refused past ``max_upload_bytes``; at most ``max_errors_kept`` rejections are kept per file (all
are counted, in ``errors_total``); every ingest start is counted in ``attempts``, so a file
whose ingest took the server down ``max_ingest_attempts`` times is marked failed instead of
being resumed at every start. The raw upload holds national ids, names and birth dates in
clear: it is written 0600 in a 0700 folder and deleted as soon as its ingest is over (done or
failed); only its SHA-256 is kept.

A file is named to its furnisher, in the API, the pages and the command line, by its opaque
random ``ref`` (``file_...``, the ``file_id`` of api.md), never by its sequential row id, which
stays internal (the upload's name on disk, the records' source).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO, cast

from openbureau.adapters.fileformats import (
    FileUnreadable,
    Format,
    LineError,
    RawRecord,
    detect_format,
    read_records,
)
from openbureau.adapters.metro2 import read_metro2
from openbureau.adapters.metro2_columns import Block
from openbureau.domain.errors import FieldError, NotFound, ValidationFailed
from openbureau.domain.quality import QualityReport
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import furnishing
from openbureau.services.furnishing import Candidate, Rejection, Rejections, Summary
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.refs import new_ref

log = logging.getLogger("openbureau.files")
CHUNK = 1 << 20
INCOMING = ".incoming-"          # an upload being received (not yet a file row)
STALE_INCOMING_SECONDS = 3600    # an incoming file untouched this long was abandoned by a crash


class UploadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than this bureau accepts ({limit:,} bytes)")
        self.limit = limit


def upload_dir(deps: Deps) -> Path:
    """The folder of raw uploads, readable by the server's user only."""
    folder = deps.settings.resolved_upload_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)        # a folder made by an older version was world-readable
    return folder


class Incoming:
    """An upload being received: written a chunk at a time to a new 0600 file of the upload
    folder, hashed as it goes, refused past ``limit`` bytes (``UploadTooLarge``: the partial
    file is removed at once). Removed too if it is never accepted (``with`` block left by an
    exception, or ``discard``)."""

    def __init__(self, deps: Deps, limit: int | None = None) -> None:
        self.path = upload_dir(deps) / f"{INCOMING}{secrets.token_hex(8)}"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._out: IO[bytes] | None = os.fdopen(fd, "wb")
        self.limit = limit
        self.size = 0
        self.sha = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        assert self._out is not None, "the upload was closed"
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            self.discard()
            raise UploadTooLarge(self.limit)
        self.sha.update(chunk)
        self._out.write(chunk)

    def copy_from(self, src: IO[bytes]) -> None:
        while chunk := src.read(CHUNK):
            self.write(chunk)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Incoming:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()


def _candidates(stream: BinaryIO, fmt: Format,
                deps: Deps | None = None) -> Iterator[Candidate | Rejection | Block]:
    """The file's records for ``furnishing.furnish``; a Metro 2 file's clean records come
    column-wise, a chunk at a time (``metro2_columns``), where the profile allows it
    (``furnishing.bulk_candidates``)."""
    if fmt == "metro2" and deps is not None and furnishing.bulk_candidates(deps):
        items: Iterator[Any] = read_metro2(
            stream, batch=furnishing.CHUNK_BY_DIALECT.get(deps.dialect, furnishing.CHUNK),
            hasher=deps.vault.lookup_hash)
    else:
        items = read_records(stream, fmt)
    for item in items:
        if isinstance(item, Block):
            yield item
        elif isinstance(item, RawRecord):
            yield Candidate(item.line, item.fields, getattr(item, "metro2", None))
        else:
            assert isinstance(item, LineError)
            yield Rejection(item.line, [FieldError(item.field, item.message, line=item.line)],
                            is_record=getattr(item, "is_record", True))


def receive(uow: UnitOfWork, deps: Deps, furnisher: Principal, filename: str, src: IO[bytes],
            limit: int | None = None) -> str:
    """Store an upload read from ``src`` and queue it (see ``accept``). The CLI's path: an
    operator's own file has no size limit unless ``limit`` is given."""
    with Incoming(deps, limit) as incoming:
        incoming.copy_from(src)
        return accept(uow, deps, furnisher, filename, incoming)


def accept(uow: UnitOfWork, deps: Deps, furnisher: Principal, filename: str,
           incoming: Incoming) -> str:
    """Queue a received upload; the file's ref. Refuses at once what cannot be read at all,
    and a CSV whose header names an unknown or prohibited column (422 naming the column); a
    refused upload is not kept."""
    incoming.close()
    try:
        with incoming.path.open("rb") as f:
            head = f.read(4096)
            fmt = detect_format(head)
            f.seek(0)
            first = next(iter(read_records(f, fmt)), None)   # header checks happen here
            del first
        ref = new_ref("file")
        with uow:
            file_id = uow.furnishing_files.add(
                ref=ref, furnisher_id=furnisher.id, filename=_safe_name(filename),
                format=fmt, sha256=incoming.sha.hexdigest(), now=uow.clock.now())
            uow.audit(furnisher.actor, "furnish.file_received", None, "furnishing",
                      file_id=ref, format=fmt, sha256=incoming.sha.hexdigest(),
                      bytes=incoming.size)
            # renamed before the commit: a committed row always has its file (a crash in
            # between leaves an orphan file, which ``resume_pending`` removes)
            os.replace(incoming.path, incoming.path.with_name(str(file_id)))
            uow.commit()
    except FileUnreadable as exc:
        incoming.discard()
        raise ValidationFailed([FieldError("file", str(exc))], f"file unreadable: {exc}") from exc
    except BaseException:
        incoming.discard()
        raise
    deps.metrics.furnishing_files.inc()
    return ref


def _safe_name(filename: str) -> str:
    """The name the furnisher gave, without folders, as text the database can store."""
    name = Path(filename or "upload").name[:255] or "upload"
    return name.encode("utf-8", "replace").decode("utf-8")


def ingest(uow: UnitOfWork, deps: Deps, file_ref: str, *,
           progress: Callable[[Summary], None] | None = None,
           rescore: furnishing.Rescorer | None = None) -> dict[str, Any]:
    """Ingest a queued file (its furnisher's, as recorded with it): the file's status once
    done. The unit is entered for the start, once per chunk of records, and for the end."""
    settings = deps.settings
    with uow:
        row = uow.furnishing_files.by_ref(file_ref)
        if row is None:
            raise NotFound(f"no file {file_ref}")
        file_id = row.id
        # counted (and committed) before any record is read: if this ingest takes the
        # process down, the next start knows (``resume_pending``)
        uow.furnishing_files.start(file_id)
        uow.commit()
    furnisher = Principal(Role.FURNISHER, row.furnisher_id, row.furnisher or "")
    path = upload_dir(deps) / str(file_id)
    keep = settings.max_errors_kept
    report = QualityReport()        # the file's data-quality report (domain.quality)
    try:
        with path.open("rb") as f:
            fmt = cast(Format, row.format)
            summary = furnishing.furnish(uow, deps, furnisher, _candidates(f, fmt, deps),
                                         file_id=file_id, progress=progress, rescore=rescore,
                                         keep_errors=keep, quality=report)
        status = "done"
    except (FileUnreadable, ValidationFailed) as exc:
        log.warning("file %s could not be read: %s", file_id, type(exc).__name__)
        summary = Summary(rejected=Rejections([Rejection(0, [FieldError("file", str(exc))],
                                                         is_record=False)]))
        status = "failed"
    except OSError as exc:
        # never the path or the operating system's wording: the furnisher reads this
        log.warning("file %s could not be read: %s", file_id, type(exc).__name__)
        summary = Summary(rejected=Rejections([Rejection(0, [FieldError(
            "file", "the uploaded file could not be read on the server; send it again")],
            is_record=False)]))
        status = "failed"
    with uow:
        uow.furnishing_files.finish(
            file_id, uow.clock.now(),
            status=status, records=summary.records, accepted=summary.accepted,
            rejected=summary.rejected.records, errors=_by_line(summary.rejected, keep),
            errors_total=summary.rejected.errors_total,
            warnings=_by_line(summary.warned, keep),
            warnings_total=summary.warned.errors_total, quality=report.stored())
        uow.audit(furnisher.actor, "furnish.file_ingested", None, "furnishing",
                  file_id=file_ref, accepted=summary.accepted, status=status)
        uow.commit()
    deps.metrics.furnishing_files_finished.labels(status).inc()
    _remove_upload(path)
    return status_of(uow, deps, furnisher, file_ref)


def _by_line(items: furnishing.Rejections, keep: int) -> list[dict[str, Any]]:
    """The first ``keep`` messages in file order, as kept with the file: {line, field, message}."""
    out: list[dict[str, Any]] = []
    for r in items:
        for e in r.errors:
            if len(out) >= keep:
                return out
            out.append(dict(e.as_dict(), line=e.line if e.line is not None else r.position))
    return out


def _remove_upload(path: Path) -> None:
    """The raw upload, once its ingest is over: only what the bureau stored is kept."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.error("could not remove an ingested upload: %s", type(exc).__name__)


def status_of(uow: UnitOfWork, deps: Deps, furnisher: Principal,
              file_ref: str) -> dict[str, Any]:
    """The furnisher's file as the API shows it; NotFound for another's."""
    with uow:
        row = uow.furnishing_files.by_ref(file_ref, furnisher.id)
    if row is None:
        raise NotFound("no such file from this furnisher")
    errors_total = max(row.errors_total or 0, len(row.errors))
    warnings = row.warning_messages or []
    warnings_total = max(row.warnings or 0, len(warnings))
    return {"file_id": row.ref, "filename": row.filename, "format": row.format,
            "status": row.status, "records": row.records, "accepted": row.accepted,
            "rejected": row.rejected, "errors": row.errors, "errors_total": errors_total,
            "errors_truncated": errors_total > len(row.errors),
            "warnings": warnings, "warnings_total": warnings_total,
            "warnings_truncated": warnings_total > len(warnings),
            "failure_reason": row.failure_reason}


def interrupted_reason(attempts: int) -> str:
    return (f"ingest was interrupted {attempts} times; not resumed — send the file again or "
            "ask the operator")


def resume_pending(uow: UnitOfWork, deps: Deps) -> list[str]:
    """Files a crash left queued or running, for the caller to ingest again -- except those
    whose ingest was already interrupted ``max_ingest_attempts`` times: those are marked
    failed, with the reason, and their upload removed. Uploads left behind by a crash (no
    file row, or the row's ingest over) are removed too."""
    limit = deps.settings.max_ingest_attempts
    folder = upload_dir(deps)
    with uow:
        rows = uow.furnishing_files.pending()
        resume = [r for r in rows if r.attempts < limit]
        given_up = [r for r in rows if r.attempts >= limit]
        for r in given_up:
            reason = interrupted_reason(r.attempts)
            uow.furnishing_files.finish(r.id, uow.clock.now(), status="failed",
                                        failure_reason=reason)
            uow.audit(SYSTEM.actor, "furnish.file_abandoned", None, "furnishing",
                      file_id=r.ref, furnisher_id=r.furnisher_id, attempts=r.attempts,
                      reason=reason)
        uow.commit()
    for r in given_up:
        log.error("file %s: ingest interrupted %s times; marked failed, not resumed",
                  r.ref, r.attempts)
        _remove_upload(folder / str(r.id))
    _sweep(uow, folder, {str(r.id) for r in resume})
    return [r.ref for r in resume]


def _sweep(uow: UnitOfWork, folder: Path, pending: set[str]) -> None:
    """Remove uploads a crash left behind: a numbered file whose ingest is over, or without a
    row (renamed, then the crash came before the commit), and an incoming one abandoned
    mid-transfer. Another server process may be receiving an upload meanwhile: a file without
    a row is left alone until it is an hour old."""
    now = time.time()
    numbered: dict[int, float] = {}
    for entry in folder.iterdir():
        try:
            age = now - entry.stat().st_mtime     # its last write
            if entry.name.startswith(INCOMING):
                if age > STALE_INCOMING_SECONDS:
                    entry.unlink(missing_ok=True)
            elif entry.name.isdigit() and entry.name not in pending:
                numbered[int(entry.name)] = age
        except OSError:
            continue
    if not numbered:
        return
    with uow:
        status = uow.furnishing_files.statuses(list(numbered))
    for file_id, age in numbered.items():
        if status.get(file_id) in ("done", "failed") or (
                file_id not in status and age > STALE_INCOMING_SECONDS):
            _remove_upload(folder / str(file_id))
