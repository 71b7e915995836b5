"""Batch rescoring jobs (``rescore_jobs``) and the file ids a job walks through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import rescore_jobs, subjects
from openbureau.services.stored import RescoreJob

_j = rescore_jobs.c


def _job(row: Any) -> RescoreJob:
    m = row._mapping
    return RescoreJob(**{c.name: m[c.name] for c in rescore_jobs.c})


class SqlRescoreJobs(Repository):
    def running(self) -> list[RescoreJob]:
        return [_job(r) for r in self._run(select(rescore_jobs).where(_j.status == "running")
                                           .order_by(_j.id)).all()]

    def get(self, job_id: int) -> RescoreJob | None:
        row = self._run(select(rescore_jobs).where(_j.id == job_id)).first()
        return None if row is None else _job(row)

    def recent(self, limit: int) -> list[RescoreJob]:
        return [_job(r) for r in self._run(select(rescore_jobs).order_by(_j.id.desc())
                                           .limit(limit)).all()]

    def add(self, engine: str, model_version: str, total: int, started_at: datetime) -> int:
        return int(self._run(insert(rescore_jobs).values(
            engine=engine, model_version=model_version, status="running", total=total, done=0,
            last_subject_id=0, started_at=started_at).returning(_j.id)).scalar_one())

    def supersede(self, job_id: int, now: datetime) -> None:
        self._run(update(rescore_jobs).where(_j.id == job_id)
                  .values(status="superseded", finished_at=now))

    def set_engine(self, job_id: int, engine: str) -> None:
        self._run(update(rescore_jobs).where(_j.id == job_id).values(engine=engine))

    def advance(self, job_id: int, upto: int, count: int) -> None:
        self._run(update(rescore_jobs).where(_j.id == job_id).values(
            last_subject_id=upto, done=_j.done + count))

    def finish(self, job_id: int, now: datetime) -> int:
        done = int(self._run(select(_j.done).where(_j.id == job_id)).scalar_one())
        self._run(update(rescore_jobs).where(_j.id == job_id, _j.status == "running")
                  .values(status="done", finished_at=now, total=done))
        return done

    def files(self) -> int:
        return int(self._run(select(func.count()).select_from(subjects)).scalar_one())

    def file_ids_after(self, after: int, limit: int) -> list[int]:
        return [int(i) for i in self._run(select(subjects.c.id).where(subjects.c.id > after)
                                          .order_by(subjects.c.id).limit(limit)).scalars()]
