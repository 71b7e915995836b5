"""Stored scores: which row is a subject's current score.

A subject's current score is its newest ``scores`` row of the model (the active one unless a
version is named): the latest ``computed_at``, and of two rows computed at the same instant the
one stored last (the higher id). Every reader of "the current score" — a report, the consumer's
score, offers and their reach, drift — selects through :func:`current`, so none of them breaks
a tie differently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Subquery, bindparam, func, insert, select

from openbureau.adapters import scoring_engines as engines
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import models, scores
from openbureau.scoring.attributes import CreditFile
from openbureau.scoring.scored import Scored
from openbureau.scoring.sources import Subjects
from openbureau.scoring.spec import Scorecard

#: newest first: the order that decides which row is current
NEWEST_FIRST = (scores.c.computed_at.desc(), scores.c.id.desc())


def current(*, subject_id: Any = None, version: str | None = None,
            until: datetime | None = None) -> Subquery:
    """Each subject's current score, one row per subject with the ``scores`` columns.

    ``subject_id`` (a value or a bind parameter) narrows it to one subject; ``version`` reads
    that model's scores instead of the active model's; ``until``: the current score as it
    stood then (rows computed at or before it)."""
    model = (scores.c.model_version == version if version is not None else
             scores.c.model_version.in_(select(models.c.version).where(models.c.active)))
    ranked = select(*scores.c, func.row_number().over(
        partition_by=scores.c.subject_id, order_by=NEWEST_FIRST).label("newest")).where(model)
    if subject_id is not None:
        ranked = ranked.where(scores.c.subject_id == subject_id)
    if until is not None:
        ranked = ranked.where(scores.c.computed_at <= until)
    r = ranked.subquery("ranked_scores")
    return select(*(r.c[c.name] for c in scores.c)).where(r.c.newest == 1) \
        .subquery("current_scores")


class SqlScores(Repository):
    """Stored scores, and scoring on the operational database (the compiled SQL)."""

    def __init__(self, run: Run, connection: Callable[[], Connection]) -> None:
        super().__init__(run)
        self._connection = connection

    def current(self, subject_id: int) -> dict[str, Any] | None:
        row = self._run(_CURRENT, {"subject_id": subject_id}).first()
        return None if row is None else dict(row._mapping)

    def history(self, subject_id: int, limit: int) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self._run(
            _HISTORY, {"subject_id": subject_id, "limit": limit}).all()]

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._run(insert(scores), list(rows))

    def compute(self, card: Scorecard, as_of: date, subjects: Subjects) -> list[Scored]:
        return engines.score_database(self._connection(), card, as_of, subjects)

    def credit_file(self, subject_id: int, as_of: date) -> CreditFile:
        files = engines.credit_files(self._connection(), as_of, Subjects(ids=(subject_id,)))
        return files.get(subject_id, CreditFile(as_of=as_of))


# built once: every report and score read runs them
_CURRENT = select(current(subject_id=bindparam("subject_id")))
_HISTORY = (select(scores.c.value, scores.c.model_version, scores.c.computed_at)
            .where(scores.c.subject_id == bindparam("subject_id"))
            .order_by(*NEWEST_FIRST)
            .limit(bindparam("limit")))
