"""What population drift is computed from (``services/model_reports.py``): the database counts
each file's current score of a model version (``adapters.scores.current``) per score value and
per bin of each attribute; no score is loaded one by one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, func, select

from openbureau.adapters.repository import Repository
from openbureau.adapters.scores import current
from openbureau.adapters.scoring_sql import bucket_expr
from openbureau.adapters.tables import scores
from openbureau.scoring.spec import Scorecard


class SqlScoreDrift(Repository):
    def latest_at(self, version: str) -> datetime | None:
        at: datetime | None = self._run(select(func.max(scores.c.computed_at))
                                        .where(scores.c.model_version == version)).scalar()
        return at

    def score_counts(self, version: str, until: datetime | None = None) -> dict[int, int]:
        latest: Subquery = current(version=version, until=until)
        return {int(v): int(n) for v, n in self._run(
            select(latest.c.value, func.count()).group_by(latest.c.value))}

    def bucket_counts(self, card: Scorecard, attribute: str) -> dict[int, int]:
        attr = next(a for a in card.attributes if a.name == attribute)
        latest = current(version=card.version)
        value = latest.c.attributes[attr.name]
        bucket = bucket_expr(attr, value.as_string() if attr.kind == "categorical"
                             else value.as_float()).label("bucket")
        return {int(k): int(n) for k, n in self._run(
            select(bucket, func.count()).select_from(latest).group_by(bucket)).all()}
