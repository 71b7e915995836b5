"""The one wiring point: engine, sessions, unit of work, clock, profile, identity vault, and
the audit chain's key; and ``Bureau.deps``, what a use case ``(uow, deps, principal, ...)``
is handed besides its unit of work.

Tests hand in their own session factory (savepoint-per-test), a fixed clock, a tiny model, and
set ``rescorer`` to a fake of their own (or None) rather than patching a module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openbureau.adapters.audit import ChainKey
from openbureau.adapters.credential_cache import CredentialCache
from openbureau.adapters.database import (
    Engine,
    SessionFactory,
    make_engine,
    make_session_factory,
)
from openbureau.adapters.lru import LruCache
from openbureau.adapters.metrics import Metrics
from openbureau.adapters.model_registry import ScorecardCache
from openbureau.adapters.pii import IdentityVault
from openbureau.adapters.unit_of_work import UnitOfWork
from openbureau.clock import Clock, SystemClock
from openbureau.config import Settings, load_key, load_secrets
from openbureau.domain.profiles import Profile, get_profile

if TYPE_CHECKING:
    from openbureau.services.ports import Deps, Rescorer


#: how many verified API keys a process remembers (each entry a few hundred bytes)
VERIFIED_KEYS = 10_000


@dataclass
class Bureau:
    """Everything a service needs, wired once per process (or per test)."""

    settings: Settings
    engine: Engine
    session_factory: SessionFactory
    clock: Clock
    profile: Profile
    vault: IdentityVault
    audit_key: ChainKey
    # the web pages' session key (``web/sessions.py``); which model is active is asked of the
    # database, never kept here
    cache: dict[str, Any] = field(default_factory=dict)
    # registered models' specs by version
    model_specs: LruCache[str, dict[str, Any]] = field(default_factory=lambda: LruCache(8))
    # verified credentials, in a server process on PostgreSQL (``api/app.py`` starts it)
    credentials: CredentialCache | None = None
    # counters and gauges for ``GET /metrics``, updated as events happen
    metrics: Metrics = field(default_factory=Metrics)
    # parsed scorecards by model version
    scorecards: ScorecardCache = field(default_factory=ScorecardCache)
    # API keys this process verified with argon2: key id -> SHA-256 of the whole key
    verified_keys: LruCache[int, str] = field(default_factory=lambda: LruCache(VERIFIED_KEYS))
    # online rescoring inside the unit of work that changed a file (None: off)
    rescorer: Rescorer | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.clock, self.audit_key)

    @property
    def deps(self) -> Deps:
        """The use cases' dependencies, as this bureau holds them now."""
        from openbureau.adapters.rate_limit import RateLimits
        from openbureau.adapters.scoring_engines import SnapshotScoring
        from openbureau.services import corrections, export
        from openbureau.services.ports import Deps

        sessions, clock, key = self.session_factory, self.clock, self.audit_key
        return Deps(clock=self.clock, profile=self.profile, vault=self.vault,
                    settings=self.settings, metrics=self.metrics, scorecards=self.scorecards,
                    audit_key=self.audit_key, dialect=self.engine.dialect.name,
                    # its own unit of work, from the parts, never the bureau itself
                    export_files=lambda folder: export.export_parquet(
                        UnitOfWork(sessions, clock, key), folder),
                    rescorer=self.rescorer, store_correction=corrections.store,
                    snapshot_scoring=SnapshotScoring(), verified_keys=self.verified_keys,
                    credentials=self.credentials, model_specs=self.model_specs,
                    rate_limits=RateLimits(lambda: UnitOfWork(sessions, clock, key), self.vault,
                                           self.metrics))


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None,
              session_factory: SessionFactory | None = None,
              clock: Clock | None = None) -> Bureau:
    settings = settings or Settings()
    engine = engine or make_engine(settings.resolved_database_url())
    pii_key, hmac_key = load_secrets(settings)
    bureau = Bureau(
        settings=settings,
        engine=engine,
        session_factory=session_factory or make_session_factory(engine),
        clock=clock or SystemClock(),
        profile=get_profile(settings.profile),
        vault=IdentityVault(pii_key, hmac_key),
        audit_key=ChainKey(load_key(settings, "audit_key")),
    )
    from openbureau.services.scoring_hooks import OnlineRescorer

    bureau.rescorer = OnlineRescorer(bureau.profile, bureau.scorecards)
    return bureau
