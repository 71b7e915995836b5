"""Scores on the operational database: online rescoring after a change to a file, and reading a
subject's current score (api.md's ``score`` object).

The rescorer runs the compiled SQL (:mod:`openbureau.adapters.scoring_sql`) for the changed
subjects as one set-based statement in the caller's transaction (``uow.scores.compute``) and
appends rows to ``scores``: history is kept, the newest row of the active model is the current
score. A subject whose file holds a value the card was not built for (out of domain, unseen
category) gets no new score; the refusal is logged, never guessed around.

Which model is active is read from the database each time (one short query), so a model
activated through another server process is used at once; a version's parsed scorecard is
cached (``deps.scorecards``: a version's spec never changes).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openbureau.domain.errors import NotFound
from openbureau.domain.profiles import Profile
from openbureau.domain.roles import Principal
from openbureau.scoring.bands import band
from openbureau.scoring.reasons import key_factors
from openbureau.scoring.scored import Scored
from openbureau.scoring.sources import Subjects
from openbureau.scoring.spec import Scorecard, load_spec
from openbureau.services.owner import own_file
from openbureau.services.ports import Deps, Scorecards, UnitOfWork

log = logging.getLogger("openbureau.scoring")

HISTORY_LIMIT = 24


def active_card(deps: Deps, uow: UnitOfWork) -> Scorecard | None:
    """The active model's scorecard (the version the database says is active)."""
    version = uow.models.active_version()
    return None if version is None else card_of(deps, uow, version)


def card_of(deps: Deps, uow: UnitOfWork, version: str) -> Scorecard:
    return _card(deps.scorecards, uow, version)


def _reasons(profile: Profile, card: Scorecard, scored: Scored) -> list[dict[str, Any]]:
    return [dict(f) for f in key_factors(card, scored.points, profile, scored.attributes)]


def score_row(profile: Profile, card: Scorecard, scored: Scored, now: datetime,
              job_id: int | None = None) -> dict[str, Any]:
    """A ``scores`` row for one scored subject (not out of domain)."""
    assert scored.value is not None
    return {"subject_id": scored.subject_id, "model_version": card.version,
            "value": scored.value, "reasons": _reasons(profile, card, scored),
            "attributes": scored.attributes, "computed_at": now, "job_id": job_id}


def compute(uow: UnitOfWork, card: Scorecard, subjects: Subjects) -> list[Scored]:
    """Score ``subjects`` with ``card`` on the operational database, in ``uow``'s transaction;
    flagged (out-of-domain) subjects are logged and left out."""
    good = []
    for r in uow.scores.compute(card, uow.clock.now().date(), subjects):
        if r.out_of_domain is None:
            good.append(r)
        else:
            log.warning("subject %s not scored: %s is outside model %s's domain (%r)",
                        r.subject_id, r.out_of_domain, card.version,
                        r.attributes.get(r.out_of_domain))
    return good


def rescore_subjects(deps: Deps, uow: UnitOfWork, subject_ids: Iterable[int]) -> int:
    """Score these subjects with the active model and store the scores; returns how many."""
    return OnlineRescorer(deps.profile, deps.scorecards).rescore(uow, subject_ids)


class OnlineRescorer:
    """``deps.rescorer``: what furnishing, disputes and deadlines call inside their unit of work
    with the files they changed."""

    def __init__(self, profile: Profile, scorecards: Scorecards) -> None:
        self._profile = profile
        self._scorecards = scorecards

    def __call__(self, uow: UnitOfWork, subject_ids: set[int], /) -> None:
        self.rescore(uow, subject_ids)

    def rescore(self, uow: UnitOfWork, subject_ids: Iterable[int]) -> int:
        ids = tuple(sorted(set(subject_ids)))
        if not ids:
            return 0
        version = uow.models.active_version()
        if version is None:
            return 0
        card = _card(self._scorecards, uow, version)
        now = uow.clock.now()
        rows = [score_row(self._profile, card, r, now)
                for r in compute(uow, card, Subjects(ids=ids))]
        uow.scores.add(rows)
        return len(rows)


def _card(scorecards: Scorecards, uow: UnitOfWork, version: str) -> Scorecard:
    def load() -> Scorecard:
        spec = uow.models.spec(version)
        if spec is None:
            raise NotFound(f"no model version {version!r}")
        return load_spec(spec)

    return scorecards.get(version, load)


def rescorer(deps: Deps) -> OnlineRescorer:
    """The hook furnishing calls inside each chunk's transaction with the changed subjects
    (the one ``bootstrap()`` puts in ``deps.rescorer``)."""
    return OnlineRescorer(deps.profile, deps.scorecards)


# -- reading scores ----------------------------------------------------------------------------

def score_object(row: Any) -> dict[str, Any]:
    """api.md's ``score`` object from a ``scores`` row (or a mapping with the same keys)."""
    return {"value": row["value"], "band": band(row["value"]),
            "model_version": row["model_version"], "computed_at": row["computed_at"],
            "reasons": list(row["reasons"]), "attributes": dict(row["attributes"])}


def current_score(deps: Deps, uow: UnitOfWork, subject_id: int) -> dict[str, Any] | None:
    """The latest stored score of the active model, else one computed now (not stored); None
    when no model is active or the file holds values the model cannot score.

    Online rescoring stores a score after every change to a file, so the stored one is the
    answer and nothing is computed on a read; the active model is the one the database says
    is active (one statement, whatever this process has cached)."""
    row = uow.scores.current(subject_id)
    if row is not None:
        return score_object(row)
    card = active_card(deps, uow)
    if card is None:
        return None
    fresh = compute(uow, card, Subjects(ids=(subject_id,)))
    if not fresh:
        return None
    return score_object(score_row(deps.profile, card, fresh[0], uow.clock.now()))


def history(uow: UnitOfWork, subject_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    return [{"value": r["value"], "band": band(r["value"]), "model_version": r["model_version"],
             "computed_at": r["computed_at"]} for r in uow.scores.history(subject_id, limit)]


def my_score(uow: UnitOfWork, deps: Deps, consumer: Principal) -> dict[str, Any]:
    """The consumer's current score and its history, newest first; audited."""
    with uow:
        subject = own_file(uow, consumer)
        out = {"score": current_score(deps, uow, subject.id),
               "history": history(uow, subject.id)}
        uow.audit(consumer.actor, "score.read", subject.item_ref, "consumer_request")
        uow.commit()
    return out
