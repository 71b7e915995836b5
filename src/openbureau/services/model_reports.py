"""Reports on the models for operators and auditors: population drift, and the documents
published with a model (its card and fairness report).

A model's documents are package data beside its spec: ``scoring/models/<version>.json`` and
the folder ``scoring/models/<version>/`` with ``model-card.md`` (plots in ``model-card/``),
``fairness.md`` and ``fairness.json``, as ``openbureau model train --out`` and
``openbureau model fairness`` write them. They are read from the installed package, never from a
checkout; the ones served are the active model's.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy import select

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.scoring.drift import drift_report
from openbureau.scoring.spec import load_spec
from openbureau.services import models

NO_FAIRNESS = "no fairness report has been published; run `openbureau model fairness`"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_PLOT = re.compile(r"[a-z0-9-]{1,60}\.png")


def drift(bureau: Bureau, version: str | None = None) -> dict[str, Any]:
    """PSI of the latest stored score of every subject scored with ``version`` (default: the
    active model) against the model's training population."""
    from openbureau.adapters.tables import scores

    spec = models.spec_of(bureau, version) if version else models.active_spec(bureau)
    if spec is None:
        raise NotFound("no active scoring model")
    card = load_spec(spec)
    latest: dict[int, tuple[Any, int, dict[str, Any]]] = {}
    scored: dict[int, list[tuple[Any, int]]] = {}     # every score, for the monthly history
    with bureau.uow() as uow:
        computed_at = None
        for r in uow.execute(select(scores.c.subject_id, scores.c.computed_at, scores.c.value,
                                    scores.c.attributes)
                             .where(scores.c.model_version == card.version)
                             .order_by(scores.c.subject_id, scores.c.computed_at, scores.c.id)):
            latest[r.subject_id] = (r.computed_at, r.value, r.attributes or {})
            scored.setdefault(r.subject_id, []).append((r.computed_at, r.value))
            computed_at = r.computed_at if computed_at is None else max(computed_at, r.computed_at)
        now = uow.clock.now()
    report = drift_report(card, [a for _, _, a in latest.values()],
                          [v for _, v, _ in latest.values()])
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


def _published(bureau: Bureau, *parts: str) -> Traversable | None:
    """A file published with the active model, if there is one."""
    version = models.active_version(bureau)
    if version is None or not _VERSION.fullmatch(version):
        return None
    path = resources.files("openbureau.scoring") / "models" / version
    for part in parts:
        path = path / part
    return path if path.is_file() else None


def published_fairness(bureau: Bureau) -> dict[str, Any]:
    """The fairness report (JSON) published with the active model."""
    path = _published(bureau, "fairness.json")
    if path is None:
        raise NotFound(NO_FAIRNESS)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def published_text(bureau: Bureau, name: str) -> str | None:
    """A Markdown document published with the active model (``model-card.md``,
    ``fairness.md``), or None."""
    path = _published(bureau, name)
    return None if path is None else path.read_text(encoding="utf-8")


def model_card_plot(bureau: Bureau, name: str) -> bytes:
    """A PNG plot of the active model's card (``model-card/<name>``)."""
    path = _published(bureau, "model-card", name) if _PLOT.fullmatch(name) else None
    if path is None:
        raise NotFound("no such plot")
    return path.read_bytes()
