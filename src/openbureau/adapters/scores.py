"""Stored scores: which row is a subject's current score.

A subject's current score is its newest ``scores`` row of the model (the active one unless a
version is named): the latest ``computed_at``, and of two rows computed at the same instant the
one stored last (the higher id). Every reader of "the current score" — a report, the consumer's
score, offers and their reach, drift — selects through :func:`current`, so none of them breaks
a tie differently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Subquery, func, select

from openbureau.adapters.tables import models, scores

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
