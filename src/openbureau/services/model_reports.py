"""Reports on the models for operators and auditors: population drift and published fairness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.scoring.drift import drift_report
from openbureau.scoring.spec import load_spec
from openbureau.services import models

#: Where ``openbureau model fairness`` publishes (the repository's docs folder).
FAIRNESS_JSON = Path(__file__).resolve().parents[3] / "docs" / "fairness.json"


def drift(bureau: Bureau, version: str | None = None) -> dict[str, Any]:
    """PSI of the latest stored score of every subject scored with ``version`` (default: the
    active model) against the model's training population."""
    from openbureau.adapters import scores as stored_scores
    from openbureau.adapters.tables import scores

    spec = models.spec_of(bureau, version) if version else models.active_spec(bureau)
    if spec is None:
        raise NotFound("no active scoring model")
    card = load_spec(spec)
    scored: dict[int, list[tuple[Any, int]]] = {}     # every score, for the monthly history
    with bureau.uow() as uow:
        current = stored_scores.current(version=card.version)
        latest = uow.execute(select(current.c.value, current.c.attributes)
                             .order_by(current.c.subject_id)).all()
        computed_at = None
        for r in uow.execute(select(scores.c.subject_id, scores.c.computed_at, scores.c.value)
                             .where(scores.c.model_version == card.version)
                             .order_by(scores.c.subject_id, scores.c.computed_at, scores.c.id)):
            scored.setdefault(r.subject_id, []).append((r.computed_at, r.value))
            computed_at = r.computed_at if computed_at is None else max(computed_at, r.computed_at)
        now = uow.clock.now()
    report = drift_report(card, [r.attributes or {} for r in latest], [r.value for r in latest])
    report["computed_at"] = now.isoformat()
    report["latest_score_at"] = computed_at.isoformat() if computed_at is not None else None
    report["history"] = _score_psi_by_month(card, scored, now)
    return report


def _score_psi_by_month(card: Any, scored: dict[int, list[tuple[Any, int]]], now: Any,
                        months: int = 12) -> list[dict[str, Any]]:
    """Score PSI at each of the last ``months`` month-ends: the population as it stood then
    (each subject's latest score of this model at that time) against training."""
    from datetime import timedelta

    ends, cursor = [], now
    for _ in range(months):
        ends.append(cursor)
        cursor = cursor.replace(day=1, hour=0, minute=0, second=0, microsecond=0) \
            - timedelta(microseconds=1)
    out = []
    for end in reversed(ends):
        values = [next((v for at, v in reversed(history) if at <= end), None)
                  for history in scored.values()]
        present = [v for v in values if v is not None]
        if not present:
            continue
        part = drift_report(card, [], present)["score"]
        out.append({"month": end.strftime("%Y-%m"), "subjects": len(present),
                    "score_psi": part["psi"], "status": part["status"]})
    return out


def published_fairness(path: Path | None = None) -> dict[str, Any]:
    target = path or FAIRNESS_JSON
    if not target.is_file():
        raise NotFound("no fairness report has been published; run `openbureau model fairness`")
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data
