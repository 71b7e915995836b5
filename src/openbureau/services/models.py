"""The model registry: shipped scorecards, activation by an operator, the active version."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.services.ports import UnitOfWork


def shipped_specs() -> list[dict[str, Any]]:
    folder = resources.files("openbureau.scoring") / "models"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".json")]


def ensure_shipped(bureau: Bureau) -> str | None:
    """Register the shipped specs; activate the newest when no model is active yet."""
    specs = shipped_specs()
    with bureau.uow() as uow:
        known = uow.models.versions()
        for spec in specs:
            if spec["version"] not in known:
                uow.models.add(spec["version"], spec, uow.clock.now())
                uow.audit(SYSTEM.actor, "model.register", version=spec["version"])
        active = uow.models.active_version()
        if active is None and specs:
            active = str(specs[-1]["version"])
            _activate(uow, active, SYSTEM)
        uow.commit()
    bureau.cache.pop("active_model", None)
    return active


def register(bureau: Bureau, spec: dict[str, Any], actor: Principal = SYSTEM) -> None:
    from openbureau.scoring.spec import load_spec

    load_spec(spec)   # refuses an invalid spec before it reaches the registry
    with bureau.uow() as uow:
        if not uow.models.has(spec["version"]):
            uow.models.add(spec["version"], spec, uow.clock.now())
            uow.audit(actor.actor, "model.register", version=spec["version"])
        uow.commit()


def spec_of(bureau: Bureau, version: str) -> dict[str, Any]:
    with bureau.uow() as uow:
        spec = uow.models.spec(version)
    if spec is None:
        raise NotFound(f"no model version {version!r}")
    return spec


def _activate(uow: UnitOfWork, version: str, actor: Principal) -> None:
    if not uow.models.has(version):
        raise NotFound(f"no model version {version!r}")
    uow.models.activate(version, uow.clock.now(), actor.actor)
    uow.audit(actor.actor, "model.activate", version=version)


def activate(bureau: Bureau, version: str, actor: Principal) -> None:
    with bureau.uow() as uow:
        _activate(uow, version, actor)
        uow.commit()
    bureau.cache.pop("active_model", None)


def list_models(bureau: Bureau) -> list[dict[str, Any]]:
    with bureau.uow() as uow:
        found = uow.models.all()
    return [{"version": m.version, "active": m.active, "created_at": m.created_at,
             "activated_at": m.activated_at, "activated_by": m.activated_by} for m in found]


def active_spec(bureau: Bureau, uow: UnitOfWork | None = None) -> dict[str, Any] | None:
    """The active model's spec, cached per process. Pass the caller's unit of work when there
    is one: a second transaction opened inside a first would wait on SQLite's write lock."""
    cached: dict[str, Any] | None = bureau.cache.get("active_model")
    if cached is not None:
        return cached
    spec: dict[str, Any] | None
    if uow is not None:
        spec = uow.models.active_spec()
    else:
        with bureau.uow() as own:
            spec = own.models.active_spec()
    if spec is not None:
        bureau.cache["active_model"] = spec
    return spec


def active_version(bureau: Bureau) -> str | None:
    spec = active_spec(bureau)
    return None if spec is None else str(spec["version"])
