"""Batch rescoring: everyone, with one model, on a chosen engine; resumable.

A job (``rescore_jobs``) is bound to one model version and one as-of date (the day it started).
Subjects are scored in id order; each batch's scores and the job's checkpoint
(``last_subject_id``, ``done``) commit in one transaction, so a crash loses at most the batch in
flight and a re-run carries on after the checkpoint, never scoring a subject twice in a job.
``start`` resumes the unfinished job of the active model if there is one; an unfinished job of
another model is marked ``superseded`` (its scores stay, each from its own model), so no job ever
mixes two models.

Each use case takes ``(uow, deps, ...)`` and enters the unit once per transaction: a job is
many transactions, one per batch.

Engines: ``sqlite`` / ``postgres`` run the compiled SQL on the operational database, batch by
batch; ``duckdb`` / ``spark`` export the credit files to Parquet (``deps.export_files``,
partitioned by a hash of the subject id), score the subjects after the checkpoint there (DuckDB
bucket by bucket, Spark on ``local[2]`` or a cluster's master), write the scores to Parquet and
load them in subject-id order, batch by batch, each batch with its checkpoint (docs/scale.md).
Subjects whose file holds a value the model was not built for are counted done and not scored
(see scoring/scored.py). The snapshot engines are the adapters' (``deps.snapshot_scoring``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.scoring.scored import Scored, scored_rows
from openbureau.scoring.sources import Subjects
from openbureau.scoring.spec import Scorecard
from openbureau.services import scoring_hooks
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.stored import RescoreJob

ENGINES = ("sqlite", "postgres", "duckdb", "spark")
DEFAULT_BATCH = 1000
Progress = Callable[[int, int], None]
Status = Callable[[str], None]


def default_engine(deps: Deps) -> str:
    return "sqlite" if deps.dialect == "sqlite" else "postgres"


def _check_engine(deps: Deps, engine: str) -> None:
    if engine not in ENGINES:
        raise ValidationFailed([FieldError("engine", f"must be one of {', '.join(ENGINES)}")])
    if engine in ("sqlite", "postgres") and engine != default_engine(deps):
        raise ValidationFailed([FieldError(
            "engine", f"the operational database is {default_engine(deps)}; "
                      f"use {default_engine(deps)}, duckdb or spark")])


def _view(j: RescoreJob) -> dict[str, Any]:
    total = int(j.total)
    return {"id": j.id, "engine": j.engine, "model_version": j.model_version,
            "status": j.status, "total": total, "done": int(j.done),
            "last_subject_id": int(j.last_subject_id),
            "progress": round(int(j.done) / total, 4) if total else 1.0,
            "started_at": j.started_at, "finished_at": j.finished_at}


def start(uow: UnitOfWork, deps: Deps, engine: str,
          actor: Principal = SYSTEM) -> dict[str, Any]:
    """Resume the unfinished job of the active model, or open a new one; returns the job."""
    _check_engine(deps, engine)
    with uow:
        card = scoring_hooks.active_card(deps, uow)
        if card is None:
            raise Conflict("no model is active; activate one before rescoring")
        now = uow.clock.now()
        job = None
        for j in uow.rescore_jobs.running():
            if j.model_version == card.version and job is None:
                job = j
            else:
                uow.rescore_jobs.supersede(j.id, now)
                uow.audit(actor.actor, "rescore.supersede", job_id=j.id,
                          model_version=j.model_version)
        if job is None:
            total = uow.rescore_jobs.files()
            job_id = uow.rescore_jobs.add(engine, card.version, total, now)
            uow.audit(actor.actor, "rescore.start", job_id=job_id, engine=engine,
                      model_version=card.version, total=total)
        else:
            job_id = job.id
            uow.rescore_jobs.set_engine(job_id, engine)
            uow.audit(actor.actor, "rescore.resume", job_id=job_id, engine=engine,
                      after_subject_id=job.last_subject_id)
        uow.commit()
    return get_job(uow, deps, job_id)


def get_job(uow: UnitOfWork, deps: Deps, job_id: int) -> dict[str, Any]:
    with uow:
        job = uow.rescore_jobs.get(job_id)
    if job is None:
        raise NotFound(f"no rescoring job {job_id}")
    return _view(job)


def list_jobs(uow: UnitOfWork, deps: Deps, limit: int = 50) -> list[dict[str, Any]]:
    with uow:
        jobs = uow.rescore_jobs.recent(limit)
    return [_view(j) for j in jobs]


def run(uow: UnitOfWork, deps: Deps, job_id: int, *, batch: int = DEFAULT_BATCH,
        master: str = "local[2]", progress: Progress | None = None,
        stop_after: int | None = None, workdir: Path | None = None,
        status: Status | None = None) -> dict[str, Any]:
    """Work the job to the end (or, for tests, stop after ``stop_after`` batches).

    DuckDB and Spark work in ``workdir/job-<id>/`` (``export/`` and ``scores/``, kept for
    inspection; on a cluster it must be on storage every executor reaches); without
    ``workdir`` in a temporary directory, removed afterwards. ``status`` gets one line per
    phase (exported, scored)."""
    job = get_job(uow, deps, job_id)
    if job["status"] != "running":
        return job
    with uow:
        card = scoring_hooks.card_of(deps, uow, job["model_version"])
    as_of = job["started_at"].date()
    if job["engine"] in ("sqlite", "postgres"):
        _run_on_database(uow, deps, job, card, as_of, batch, progress, stop_after)
    else:
        _run_on_snapshot(uow, deps, job, card, as_of, batch, master, progress, stop_after,
                         workdir, status)
    return get_job(uow, deps, job_id)


def _commit_batch(uow: UnitOfWork, deps: Deps, job_id: int, card: Scorecard,
                  scored: list[Scored], upto: int, count: int) -> bool:
    """Store one batch's scores and move the checkpoint, in one transaction. False when the job
    is no longer running (superseded meanwhile): nothing is written."""
    with uow:
        job = uow.rescore_jobs.get(job_id)
        if job is None or job.status != "running":
            return False
        now = uow.clock.now()
        uow.scores.add([scoring_hooks.score_row(deps.profile, card, r, now, job_id)
                        for r in scored if r.out_of_domain is None])
        uow.rescore_jobs.advance(job_id, upto, count)
        uow.commit()
    return True


def _finish(uow: UnitOfWork, job_id: int) -> None:
    with uow:
        done = uow.rescore_jobs.finish(job_id, uow.clock.now())
        uow.audit(SYSTEM.actor, "rescore.finish", job_id=job_id, done=done)
        uow.commit()


def _run_on_database(uow: UnitOfWork, deps: Deps, job: dict[str, Any], card: Scorecard,
                     as_of: date, batch: int, progress: Progress | None,
                     stop_after: int | None) -> None:
    last, done, batches = job["last_subject_id"], job["done"], 0
    while stop_after is None or batches < stop_after:
        with uow:
            ids = uow.rescore_jobs.file_ids_after(last, batch)
            if not ids:
                break
            scored = uow.scores.compute(card, as_of, Subjects(after=last, upto=ids[-1]))
        if not _commit_batch(uow, deps, job["id"], card, scored, ids[-1], len(ids)):
            return
        last, done, batches = ids[-1], done + len(ids), batches + 1
        if progress:
            progress(done, max(job["total"], done))
    else:
        return
    _finish(uow, job["id"])


def _run_on_snapshot(uow: UnitOfWork, deps: Deps, job: dict[str, Any], card: Scorecard,
                     as_of: date, batch: int, master: str, progress: Progress | None,
                     stop_after: int | None, workdir: Path | None,
                     status: Status | None) -> None:
    """Export the credit files to Parquet, score the subjects after the checkpoint there, write
    the scores to Parquet, then load them batch by batch (each batch with its checkpoint)."""
    if deps.export_files is None:
        raise RuntimeError("this bureau exports no credit files (deps.export_files)")
    if deps.snapshot_scoring is None:
        raise RuntimeError("this bureau has no snapshot engines (deps.snapshot_scoring)")
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="openbureau-rescore-")) if workdir is None \
        else Path(workdir)
    folder = root / f"job-{job['id']}"
    shutil.rmtree(folder, ignore_errors=True)       # a re-run exports and scores afresh
    source, out = folder / "export", folder / "scores"
    say = status or (lambda _msg: None)
    try:
        say(f"exporting the credit files to {source}")
        manifest = deps.export_files(source)
        say(f"exported {manifest['subjects']:,} credit files to {source}")
        remaining = Subjects(after=job["last_subject_id"])
        table = deps.snapshot_scoring.score_folder(job["engine"], card, as_of, source, out,
                                                   remaining, master=master)
        say(f"scored {table.num_rows:,} credit files with {job['engine']}; loading")
        ids = table.column("subject_id").to_numpy()
        done = job["done"]
        for n, start in enumerate(range(0, len(ids), batch)):
            if stop_after is not None and n >= stop_after:
                return
            part = table.slice(start, batch)
            rows = scored_rows(card, part)
            if not _commit_batch(uow, deps, job["id"], card, rows,
                                 int(ids[start + len(rows) - 1]), len(rows)):
                return
            done += len(rows)
            if progress:
                progress(done, max(job["total"], done))
        _finish(uow, job["id"])
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)
