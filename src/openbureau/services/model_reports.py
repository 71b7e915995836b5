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
from datetime import datetime, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from openbureau.domain.errors import NotFound
from openbureau.scoring.drift import bucket_labels, drift_from_counts, score_drift
from openbureau.scoring.spec import Scorecard, load_spec
from openbureau.services import models
from openbureau.services.ports import Deps, UnitOfWork

TOO_FEW = "too few to compare"
NO_FAIRNESS = "no fairness report has been published; run `openbureau model fairness`"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_PLOT = re.compile(r"[a-z0-9-]{1,60}\.png")


def drift(uow: UnitOfWork, deps: Deps, version: str | None = None) -> dict[str, Any]:
    """PSI of the latest stored score of every subject scored with ``version`` (default: the
    active model) against the model's training population. The database counts (per bucket of
    each attribute, per score value); no score is loaded one by one."""
    with uow:
        spec = models.spec_in(uow, deps, version) if version \
            else models.active_spec_in(uow, deps)
        if spec is None:
            raise NotFound(f"no model version {version!r}" if version
                           else "no active scoring model")
        card = load_spec(spec)
        now = uow.clock.now()
        computed_at = uow.score_drift.latest_at(card.version)
        score_counts = uow.score_drift.score_counts(card.version)
        buckets: dict[str, list[int]] = {}
        outside: dict[str, int] = {}
        for attr in card.attributes:
            counts = uow.score_drift.bucket_counts(card, attr.name)
            buckets[attr.name] = [counts.get(k, 0) for k in range(len(bucket_labels(attr)))]
            outside[attr.name] = counts.get(-1, 0)
        history = _score_psi_by_month(uow, card, now)
    population = sum(score_counts.values())
    report = drift_from_counts(card, population, buckets, outside, score_counts)
    least = deps.settings.drift_min_population
    report["min_population"] = least
    report["reported"] = population >= least
    if not report["reported"]:
        report["reason"] = (f"drift is not reported on {population:,} scored "
                            f"{'file' if population == 1 else 'files'}: a population stability "
                            f"index needs at least {least:,} (setting drift_min_population); "
                            "score the population first (openbureau rescore)")
        unknown = {"psi": None, "status": TOO_FEW}
        report["score"].update(unknown)
        for a in report["attributes"]:
            a.update(unknown)
        report["worst_attribute"] = None
    history = [h if h["subjects"] >= least else {**h, "score_psi": None, "status": TOO_FEW}
               for h in history]
    report["computed_at"] = now.isoformat()
    report["latest_score_at"] = computed_at.isoformat() if computed_at is not None else None
    report["history"] = history
    return report


def _score_psi_by_month(uow: UnitOfWork, card: Scorecard, now: datetime,
                        months: int = 12) -> list[dict[str, Any]]:
    """Score PSI at each of the last ``months`` month-ends: the population as it stood then
    (each subject's latest score of this model at that time) against training."""
    ends, cursor = [], now
    for _ in range(months):
        ends.append(cursor)
        cursor = cursor.replace(day=1, hour=0, minute=0, second=0, microsecond=0) \
            - timedelta(microseconds=1)
    out = []
    for end in reversed(ends):
        counts = uow.score_drift.score_counts(card.version, until=end)
        if not counts:
            continue
        part = score_drift(card, counts)
        out.append({"month": end.strftime("%Y-%m"), "subjects": sum(counts.values()),
                    "score_psi": part["psi"], "status": part["status"]})
    return out


def _published(uow: UnitOfWork, deps: Deps, *parts: str) -> Traversable | None:
    """A file published with the active model, if there is one."""
    version = models.active_version(uow, deps)
    if version is None or not _VERSION.fullmatch(version):
        return None
    path = resources.files("openbureau.scoring") / "models" / version
    for part in parts:
        path = path / part
    return path if path.is_file() else None


def published_fairness(uow: UnitOfWork, deps: Deps) -> dict[str, Any]:
    """The fairness report (JSON) published with the active model."""
    path = _published(uow, deps, "fairness.json")
    if path is None:
        raise NotFound(NO_FAIRNESS)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def published_text(uow: UnitOfWork, deps: Deps, name: str) -> str | None:
    """A Markdown document published with the active model (``model-card.md``,
    ``fairness.md``), or None."""
    path = _published(uow, deps, name)
    return None if path is None else path.read_text(encoding="utf-8")


def model_card_plot(uow: UnitOfWork, deps: Deps, name: str) -> bytes:
    """A PNG plot of the active model's card (``model-card/<name>``)."""
    path = _published(uow, deps, "model-card", name) if _PLOT.fullmatch(name) else None
    if path is None:
        raise NotFound("no such plot")
    return path.read_bytes()
