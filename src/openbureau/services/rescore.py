"""Batch rescoring: everyone, with one model, on a chosen engine; resumable.

A job (``rescore_jobs``) is bound to one model version and one as-of date (the day it started).
Subjects are scored in id order; each batch's scores and the job's checkpoint
(``last_subject_id``, ``done``) commit in one transaction, so a crash loses at most the batch in
flight and a re-run carries on after the checkpoint, never scoring a subject twice in a job.
``start`` resumes the unfinished job of the active model if there is one; an unfinished job of
another model is marked ``superseded`` (its scores stay, each from its own model), so no job ever
mixes two models.

Engines: ``sqlite`` / ``postgres`` run the compiled SQL on the operational database, batch by
batch; ``duckdb`` / ``spark`` export the credit files to Parquet (``export.export_parquet``,
partitioned by a hash of the subject id), score the subjects after the checkpoint there (DuckDB
bucket by bucket, Spark on ``local[2]`` or a cluster's master), write the scores to Parquet and
load them in subject-id order, batch by batch, each batch with its checkpoint (docs/scale.md).
Subjects whose file holds a value the model was not built for are counted done and not scored
(see scoring/engines.py).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from openbureau.adapters.tables import rescore_jobs, subjects
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.scoring import engines
from openbureau.scoring.sql import Subjects
from openbureau.services import export, scoring_hooks

ENGINES = ("sqlite", "postgres", "duckdb", "spark")
DEFAULT_BATCH = 1000
Progress = Callable[[int, int], None]
Status = Callable[[str], None]


def default_engine(bureau: Bureau) -> str:
    return "sqlite" if bureau.engine.dialect.name == "sqlite" else "postgres"


def _check_engine(bureau: Bureau, engine: str) -> None:
    if engine not in ENGINES:
        raise ValidationFailed([FieldError("engine", f"must be one of {', '.join(ENGINES)}")])
    if engine in ("sqlite", "postgres") and engine != default_engine(bureau):
        raise ValidationFailed([FieldError(
            "engine", f"the operational database is {default_engine(bureau)}; "
                      f"use {default_engine(bureau)}, duckdb or spark")])


def _view(row: Any) -> dict[str, Any]:
    r = row._mapping
    total = int(r["total"])
    return {"id": r["id"], "engine": r["engine"], "model_version": r["model_version"],
            "status": r["status"], "total": total, "done": int(r["done"]),
            "last_subject_id": int(r["last_subject_id"]),
            "progress": round(int(r["done"]) / total, 4) if total else 1.0,
            "started_at": r["started_at"], "finished_at": r["finished_at"]}


def start(bureau: Bureau, engine: str, actor: Principal = SYSTEM) -> dict[str, Any]:
    """Resume the unfinished job of the active model, or open a new one; returns the job."""
    _check_engine(bureau, engine)
    card = scoring_hooks.active_card(bureau)
    if card is None:
        raise Conflict("no model is active; activate one before rescoring")
    with bureau.uow() as uow:
        now = uow.clock.now()
        unfinished = uow.execute(select(rescore_jobs).where(rescore_jobs.c.status == "running")
                                 .order_by(rescore_jobs.c.id)).all()
        job = None
        for j in unfinished:
            if j.model_version == card.version and job is None:
                job = j
            else:
                uow.execute(update(rescore_jobs).where(rescore_jobs.c.id == j.id)
                            .values(status="superseded", finished_at=now))
                uow.audit(actor.actor, "rescore.supersede", job_id=j.id,
                          model_version=j.model_version)
        if job is None:
            total = uow.execute(select(func.count()).select_from(subjects)).scalar_one()
            job_id = uow.execute(insert(rescore_jobs).values(
                engine=engine, model_version=card.version, status="running", total=total,
                done=0, last_subject_id=0, started_at=now).returning(rescore_jobs.c.id)
            ).scalar_one()
            uow.audit(actor.actor, "rescore.start", job_id=job_id, engine=engine,
                      model_version=card.version, total=total)
        else:
            job_id = job.id
            uow.execute(update(rescore_jobs).where(rescore_jobs.c.id == job_id)
                        .values(engine=engine))
            uow.audit(actor.actor, "rescore.resume", job_id=job_id, engine=engine,
                      after_subject_id=job.last_subject_id)
        uow.commit()
    return get_job(bureau, job_id)


def get_job(bureau: Bureau, job_id: int) -> dict[str, Any]:
    with bureau.uow() as uow:
        row = uow.execute(select(rescore_jobs).where(rescore_jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"no rescoring job {job_id}")
    return _view(row)


def list_jobs(bureau: Bureau, limit: int = 50) -> list[dict[str, Any]]:
    with bureau.uow() as uow:
        rows = uow.execute(select(rescore_jobs).order_by(rescore_jobs.c.id.desc())
                           .limit(limit)).all()
    return [_view(r) for r in rows]


def run(bureau: Bureau, job_id: int, *, batch: int = DEFAULT_BATCH, master: str = "local[2]",
        progress: Progress | None = None, stop_after: int | None = None,
        workdir: Path | None = None, status: Status | None = None) -> dict[str, Any]:
    """Work the job to the end (or, for tests, stop after ``stop_after`` batches).

    DuckDB and Spark work in ``workdir/job-<id>/`` (``export/`` and ``scores/``, kept for
    inspection; on a cluster it must be on storage every executor reaches); without
    ``workdir`` in a temporary directory, removed afterwards. ``status`` gets one line per
    phase (exported, scored)."""
    job = get_job(bureau, job_id)
    if job["status"] != "running":
        return job
    with bureau.uow() as uow:
        card = scoring_hooks.card_of(bureau, uow, job["model_version"])
    as_of = job["started_at"].date()
    if job["engine"] in ("sqlite", "postgres"):
        _run_on_database(bureau, job, card, as_of, batch, progress, stop_after)
    else:
        _run_on_snapshot(bureau, job, card, as_of, batch, master, progress, stop_after,
                         workdir, status)
    return get_job(bureau, job_id)


def _commit_batch(bureau: Bureau, job_id: int, card: Any, scored: list[engines.Scored],
                  upto: int, count: int) -> bool:
    """Store one batch's scores and move the checkpoint, in one transaction. False when the job
    is no longer running (superseded meanwhile): nothing is written."""
    with bureau.uow() as uow:
        status = uow.execute(select(rescore_jobs.c.status).where(
            rescore_jobs.c.id == job_id)).scalar_one()
        if status != "running":
            return False
        now = uow.clock.now()
        scoring_hooks.store(uow, [scoring_hooks.score_row(bureau, card, r, now, job_id)
                                  for r in scored if r.out_of_domain is None])
        uow.execute(update(rescore_jobs).where(rescore_jobs.c.id == job_id).values(
            last_subject_id=upto, done=rescore_jobs.c.done + count))
        uow.commit()
    return True


def _finish(bureau: Bureau, job_id: int) -> None:
    with bureau.uow() as uow:
        done = uow.execute(select(rescore_jobs.c.done).where(
            rescore_jobs.c.id == job_id)).scalar_one()
        uow.execute(update(rescore_jobs).where(rescore_jobs.c.id == job_id,
                                               rescore_jobs.c.status == "running")
                    .values(status="done", finished_at=uow.clock.now(), total=done))
        uow.audit(SYSTEM.actor, "rescore.finish", job_id=job_id, done=done)
        uow.commit()


def _run_on_database(bureau: Bureau, job: dict[str, Any], card: Any, as_of: Any, batch: int,
                     progress: Progress | None, stop_after: int | None) -> None:
    last, done, batches = job["last_subject_id"], job["done"], 0
    while stop_after is None or batches < stop_after:
        with bureau.uow() as uow:
            ids = list(uow.execute(select(subjects.c.id).where(subjects.c.id > last)
                                   .order_by(subjects.c.id).limit(batch)).scalars())
            if not ids:
                break
            scored = engines.score_database(uow.session.connection(), card, as_of,
                                            Subjects(after=last, upto=ids[-1]))
        if not _commit_batch(bureau, job["id"], card, scored, ids[-1], len(ids)):
            return
        last, done, batches = ids[-1], done + len(ids), batches + 1
        if progress:
            progress(done, max(job["total"], done))
    else:
        return
    _finish(bureau, job["id"])


def _run_on_snapshot(bureau: Bureau, job: dict[str, Any], card: Any, as_of: Any, batch: int,
                     master: str, progress: Progress | None, stop_after: int | None,
                     workdir: Path | None, status: Status | None) -> None:
    """Export the credit files to Parquet, score the subjects after the checkpoint there, write
    the scores to Parquet, then load them batch by batch (each batch with its checkpoint)."""
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="openbureau-rescore-")) if workdir is None \
        else Path(workdir)
    folder = root / f"job-{job['id']}"
    shutil.rmtree(folder, ignore_errors=True)       # a re-run exports and scores afresh
    source, out = folder / "export", folder / "scores"
    say = status or (lambda _msg: None)
    try:
        say(f"exporting the credit files to {source}")
        manifest = export.export_parquet(bureau, source)
        say(f"exported {manifest['subjects']:,} credit files to {source}")
        remaining = Subjects(after=job["last_subject_id"])
        if job["engine"] == "duckdb":
            engines.duckdb_score_parquet(card, as_of, source, out, remaining)
        else:
            spark = engines.spark_session(master)
            engines.SparkEngine(spark, source).score_to_parquet(card, as_of, out, remaining)
        table = engines.read_scores(out)
        say(f"scored {table.num_rows:,} credit files with {job['engine']}; loading")
        ids = table.column("subject_id").to_numpy()
        done = job["done"]
        for n, start in enumerate(range(0, len(ids), batch)):
            if stop_after is not None and n >= stop_after:
                return
            part = table.slice(start, batch)
            rows = engines.scored_rows(card, part)
            if not _commit_batch(bureau, job["id"], card, rows, int(ids[start + len(rows) - 1]),
                                 len(rows)):
                return
            done += len(rows)
            if progress:
                progress(done, max(job["total"], done))
        _finish(bureau, job["id"])
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)
