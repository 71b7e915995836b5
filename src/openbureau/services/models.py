"""The model registry: shipped scorecards, activation by an operator, the active version."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import insert, select, update

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.unit_of_work import UnitOfWork


def shipped_specs() -> list[dict[str, Any]]:
    folder = resources.files("openbureau.scoring") / "models"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".json")]


def ensure_shipped(bureau: Bureau) -> str | None:
    """Register the shipped specs; activate the newest when no model is active yet."""
    from openbureau.adapters.tables import models

    specs = shipped_specs()
    with bureau.uow() as uow:
        known = set(uow.execute(select(models.c.version)).scalars())
        for spec in specs:
            if spec["version"] not in known:
                uow.execute(insert(models).values(version=spec["version"], spec=spec,
                                                  active=False, created_at=uow.clock.now()))
                uow.audit(SYSTEM.actor, "model.register", version=spec["version"])
        active: str | None = uow.execute(
            select(models.c.version).where(models.c.active)).scalar()
        if active is None and specs:
            active = str(specs[-1]["version"])
            _activate(uow, active, SYSTEM)
        uow.commit()
    bureau.cache.pop("active_model", None)
    return active


def register(bureau: Bureau, spec: dict[str, Any], actor: Principal = SYSTEM) -> None:
    from openbureau.adapters.tables import models
    from openbureau.scoring.spec import load_spec

    load_spec(spec)   # refuses an invalid spec before it reaches the registry
    with bureau.uow() as uow:
        if uow.execute(select(models.c.version)
                       .where(models.c.version == spec["version"])).first() is None:
            uow.execute(insert(models).values(version=spec["version"], spec=spec, active=False,
                                              created_at=uow.clock.now()))
            uow.audit(actor.actor, "model.register", version=spec["version"])
        uow.commit()


def spec_of(bureau: Bureau, version: str) -> dict[str, Any]:
    from openbureau.adapters.tables import models

    with bureau.uow() as uow:
        spec: dict[str, Any] | None = uow.execute(
            select(models.c.spec).where(models.c.version == version)).scalar()
    if spec is None:
        raise NotFound(f"no model version {version!r}")
    return spec


def _activate(uow: UnitOfWork, version: str, actor: Principal) -> None:
    from openbureau.adapters.tables import models

    if uow.execute(select(models.c.version).where(models.c.version == version)).first() is None:
        raise NotFound(f"no model version {version!r}")
    uow.execute(update(models).values(active=False))
    uow.execute(update(models).where(models.c.version == version).values(
        active=True, activated_at=uow.clock.now(), activated_by=actor.actor))
    uow.audit(actor.actor, "model.activate", version=version)


def activate(bureau: Bureau, version: str, actor: Principal) -> None:
    with bureau.uow() as uow:
        _activate(uow, version, actor)
        uow.commit()
    bureau.cache.pop("active_model", None)


def list_models(bureau: Bureau) -> list[dict[str, Any]]:
    from openbureau.adapters.tables import models

    with bureau.uow() as uow:
        rows = uow.execute(select(models.c.version, models.c.active, models.c.created_at,
                                  models.c.activated_at, models.c.activated_by)
                           .order_by(models.c.created_at)).all()
    return [dict(r._mapping) for r in rows]


def active_spec(bureau: Bureau, uow: UnitOfWork | None = None) -> dict[str, Any] | None:
    """The active model's spec, cached per process. Pass the caller's unit of work when there
    is one: a second transaction opened inside a first would wait on SQLite's write lock."""
    cached: dict[str, Any] | None = bureau.cache.get("active_model")
    if cached is not None:
        return cached
    from openbureau.adapters.tables import models

    query = select(models.c.spec).where(models.c.active)
    spec: dict[str, Any] | None
    if uow is not None:
        spec = uow.execute(query).scalar()
    else:
        with bureau.uow() as own:
            spec = own.execute(query).scalar()
    if spec is not None:
        bureau.cache["active_model"] = spec
    return spec


def active_version(bureau: Bureau) -> str | None:
    spec = active_spec(bureau)
    return None if spec is None else str(spec["version"])
