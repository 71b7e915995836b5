"""Scores on the operational database: online rescoring after a change to a file, and reading a
subject's current score (api.md's ``score`` object).

The rescorer runs the compiled SQL (:mod:`openbureau.scoring.sql`) for the changed subjects as
one set-based statement in the caller's transaction and appends rows to ``scores``: history is
kept, the newest row of the active model is the current score. A subject whose file holds a value
the card was not built for (out of domain, unseen category) gets no new score; the refusal is
logged, never guessed around.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from openbureau.adapters import scores as stored_scores
from openbureau.adapters.tables import models, scores
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import Principal
from openbureau.scoring import engines
from openbureau.scoring.bands import band
from openbureau.scoring.reasons import key_factors
from openbureau.scoring.spec import Scorecard, load_spec
from openbureau.scoring.sql import Subjects
from openbureau.services import models as model_registry
from openbureau.services.furnishing import Rescorer
from openbureau.unit_of_work import UnitOfWork

log = logging.getLogger("openbureau.scoring")

HISTORY_LIMIT = 24


def active_card(bureau: Bureau, uow: UnitOfWork | None = None, *,
                fresh: bool = False) -> Scorecard | None:
    """The active model's scorecard, parsed once per version (read in ``uow`` when given).

    ``fresh``: check the active version in the database first. The active spec is cached per
    process, and with several server processes a model activated through one of them leaves
    the others' caches behind; whatever stores a score or computes one checks."""
    if fresh and uow is not None:
        version = uow.execute(select(models.c.version).where(models.c.active)).scalar()
        cached = bureau.cache.get("active_model")
        if cached is not None and cached.get("version") != version:
            bureau.cache.pop("active_model", None)
    spec = model_registry.active_spec(bureau, uow)
    if spec is None:
        return None
    key = f"scorecard:{spec['version']}"
    card = bureau.cache.get(key)
    if card is None:
        card = bureau.cache[key] = load_spec(spec)
    return card


def card_of(bureau: Bureau, uow: UnitOfWork, version: str) -> Scorecard:
    key = f"scorecard:{version}"
    card = bureau.cache.get(key)
    if card is None:
        spec = uow.execute(select(models.c.spec).where(models.c.version == version)).scalar()
        if spec is None:
            raise NotFound(f"no model version {version!r}")
        card = bureau.cache[key] = load_spec(spec)
    return card


def _reasons(bureau: Bureau, card: Scorecard, scored: engines.Scored) -> list[dict[str, Any]]:
    return [dict(f) for f in key_factors(card, scored.points, bureau.profile,
                                         scored.attributes)]


def score_row(bureau: Bureau, card: Scorecard, scored: engines.Scored, now: datetime,
              job_id: int | None = None) -> dict[str, Any]:
    """A ``scores`` row for one scored subject (not out of domain)."""
    assert scored.value is not None
    return {"subject_id": scored.subject_id, "model_version": card.version,
            "value": scored.value, "reasons": _reasons(bureau, card, scored),
            "attributes": scored.attributes, "computed_at": now, "job_id": job_id}


def compute(bureau: Bureau, uow: UnitOfWork, card: Scorecard,
            subjects: Subjects) -> list[engines.Scored]:
    """Score ``subjects`` with ``card`` on the operational database, in ``uow``'s transaction;
    flagged (out-of-domain) subjects are logged and left out."""
    rows = engines.score_database(uow.session.connection(), card, uow.clock.now().date(),
                                  subjects)
    good = []
    for r in rows:
        if r.out_of_domain is None:
            good.append(r)
        else:
            log.warning("subject %s not scored: %s is outside model %s's domain (%r)",
                        r.subject_id, r.out_of_domain, card.version,
                        r.attributes.get(r.out_of_domain))
    return good


def store(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        uow.execute(insert(scores), rows)


def rescore_subjects(bureau: Bureau, uow: UnitOfWork, subject_ids: Iterable[int]) -> int:
    """Score these subjects with the active model and store the scores; returns how many."""
    ids = tuple(sorted(set(subject_ids)))
    if not ids:
        return 0
    card = active_card(bureau, uow, fresh=True)
    if card is None:
        return 0
    now = uow.clock.now()
    rows = [score_row(bureau, card, r, now) for r in compute(bureau, uow, card, Subjects(ids=ids))]
    store(uow, rows)
    return len(rows)


def rescorer(bureau: Bureau) -> Rescorer | None:
    """The hook furnishing calls inside each chunk's transaction with the changed subjects."""
    def rescore(uow: UnitOfWork, subject_ids: set[int]) -> None:
        rescore_subjects(bureau, uow, subject_ids)

    return rescore


# -- reading scores ----------------------------------------------------------------------------

def score_object(row: Any) -> dict[str, Any]:
    """api.md's ``score`` object from a ``scores`` row (or a mapping with the same keys)."""
    return {"value": row["value"], "band": band(row["value"]),
            "model_version": row["model_version"], "computed_at": row["computed_at"],
            "reasons": list(row["reasons"]), "attributes": dict(row["attributes"])}


# built once: every report and score read runs them
_LATEST_ACTIVE = select(stored_scores.current(subject_id=bindparam("subject_id")))
_HISTORY = (select(scores.c.value, scores.c.model_version, scores.c.computed_at)
            .where(scores.c.subject_id == bindparam("subject_id"))
            .order_by(*stored_scores.NEWEST_FIRST)
            .limit(bindparam("limit")))


def current_score(bureau: Bureau, uow: UnitOfWork, subject_id: int) -> dict[str, Any] | None:
    """The latest stored score of the active model, else one computed now (not stored); None
    when no model is active or the file holds values the model cannot score.

    Online rescoring stores a score after every change to a file, so the stored one is the
    answer and nothing is computed on a read; the active model is the one the database says
    is active (one statement, whatever this process has cached)."""
    row = uow.execute(_LATEST_ACTIVE, {"subject_id": subject_id}).first()
    if row is not None:
        return score_object(row._mapping)
    card = active_card(bureau, uow, fresh=True)
    if card is None:
        return None
    fresh = compute(bureau, uow, card, Subjects(ids=(subject_id,)))
    if not fresh:
        return None
    return score_object(score_row(bureau, card, fresh[0], uow.clock.now()))


def history(uow: UnitOfWork, subject_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    rows = uow.execute(_HISTORY, {"subject_id": subject_id, "limit": limit}).all()
    return [{"value": r.value, "band": band(r.value), "model_version": r.model_version,
             "computed_at": r.computed_at} for r in rows]


def my_score(bureau: Bureau, consumer: Principal) -> dict[str, Any]:
    """``GET /v1/me/score``: the current score and its history, newest first; audited."""
    from openbureau.services import subjects

    with bureau.uow() as uow:
        subject = subjects.own(uow, consumer)
        out = {"score": current_score(bureau, uow, subject.id),
               "history": history(uow, subject.id)}
        uow.audit(consumer.actor, "score.read", subject.item_ref, "consumer_request")
        uow.commit()
    return out
