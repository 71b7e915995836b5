"""The model registry as the scoring hooks read it: which version is active, a version's spec;
and a typed, bounded cache of parsed scorecards.

A version's spec never changes once registered, so a parsed scorecard is cached by version
for the life of the process (the least recently used dropped past ``ScorecardCache.size``);
which version is active is asked of the database each time, so a model activated through
another server process is seen at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from openbureau.adapters.lru import LruCache
from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import models
from openbureau.scoring.spec import Scorecard
from openbureau.services.stored import ModelVersion

# asked on every scoring request: built once (a select built per call costs about as much CPU
# again as running it)
_ACTIVE = select(models.c.version).where(models.c.active)


class SqlModels(Repository):
    def active_version(self) -> str | None:
        version = self._run(_ACTIVE).scalar()
        return None if version is None else str(version)

    def spec(self, version: str) -> dict[str, Any] | None:
        spec = self._run(select(models.c.spec).where(models.c.version == version)).scalar()
        return None if spec is None else dict(spec)

    def versions(self) -> set[str]:
        return {str(v) for v in self._run(select(models.c.version)).scalars()}

    def has(self, version: str) -> bool:
        return self._run(select(models.c.version)
                         .where(models.c.version == version)).first() is not None

    def add(self, version: str, spec: dict[str, Any], now: datetime) -> None:
        self._run(insert(models).values(version=version, spec=spec, active=False,
                                        created_at=now))

    def activate(self, version: str, now: datetime, by: str) -> None:
        self._run(update(models).values(active=False))
        self._run(update(models).where(models.c.version == version).values(
            active=True, activated_at=now, activated_by=by))

    def active_spec(self) -> dict[str, Any] | None:
        spec: dict[str, Any] | None = self._run(select(models.c.spec)
                                                .where(models.c.active)).scalar()
        return spec

    def all(self) -> list[ModelVersion]:
        m = models.c
        return [ModelVersion(r.version, r.active, r.created_at, r.activated_at, r.activated_by)
                for r in self._run(select(m.version, m.active, m.created_at, m.activated_at,
                                          m.activated_by).order_by(m.created_at)).all()]


class ScorecardCache:
    """Parsed scorecards by version, at most ``size`` of them; safe across threads."""

    def __init__(self, size: int = 8) -> None:
        self._cards: LruCache[str, Scorecard] = LruCache(size)

    @property
    def size(self) -> int:
        return self._cards.size

    def get(self, version: str, load: Callable[[], Scorecard]) -> Scorecard:
        """The scorecard of ``version``, parsed by ``load`` the first time."""
        card = self._cards.get(version)
        if card is None:
            card = load()
            self._cards.put(version, card)
        return card

    def __len__(self) -> int:
        return len(self._cards)

    def __contains__(self, version: object) -> bool:
        return version in self._cards
