"""The model registry: shipped scorecards, activation by an operator, the active version.

Which version is active is asked of the database each time (one short query), so a model
activated through another server process (``serve --workers N``) is used at once; a version's
spec never changes once registered, so specs are remembered by version (``deps.model_specs``).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from openbureau.domain.errors import NotFound
from openbureau.domain.roles import SYSTEM, Principal
from openbureau.services.ports import Deps, UnitOfWork


def shipped_specs() -> list[dict[str, Any]]:
    folder = resources.files("openbureau.scoring") / "models"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".json")]


def ensure_shipped(uow: UnitOfWork, deps: Deps) -> str | None:
    """Register the shipped specs; activate the newest when no model is active yet."""
    specs = shipped_specs()
    with uow:
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
    return active


def register(uow: UnitOfWork, deps: Deps, actor: Principal, spec: dict[str, Any]) -> None:
    from openbureau.scoring.spec import load_spec

    load_spec(spec)   # refuses an invalid spec before it reaches the registry
    with uow:
        if not uow.models.has(spec["version"]):
            uow.models.add(spec["version"], spec, uow.clock.now())
            uow.audit(actor.actor, "model.register", version=spec["version"])
        uow.commit()


def spec_of(uow: UnitOfWork, deps: Deps, version: str) -> dict[str, Any]:
    with uow:
        spec = spec_in(uow, deps, version)
    if spec is None:
        raise NotFound(f"no model version {version!r}")
    return spec


def spec_in(uow: UnitOfWork, deps: Deps, version: str) -> dict[str, Any] | None:
    """A registered version's spec, in the caller's open unit: remembered by version
    (``deps.model_specs``), read from the registry the first time."""
    memory = deps.model_specs
    spec = memory.get(version) if memory is not None else None
    if spec is None:
        spec = uow.models.spec(version)
        if spec is not None and memory is not None:
            memory.put(version, spec)
    return spec


def _activate(uow: UnitOfWork, version: str, actor: Principal) -> None:
    if not uow.models.has(version):
        raise NotFound(f"no model version {version!r}")
    uow.models.activate(version, uow.clock.now(), actor.actor)
    uow.audit(actor.actor, "model.activate", version=version)


def activate(uow: UnitOfWork, deps: Deps, actor: Principal, version: str) -> None:
    with uow:
        _activate(uow, version, actor)
        uow.commit()


def list_models(uow: UnitOfWork, deps: Deps) -> list[dict[str, Any]]:
    with uow:
        found = uow.models.all()
    return [{"version": m.version, "active": m.active, "created_at": m.created_at,
             "activated_at": m.activated_at, "activated_by": m.activated_by} for m in found]


def active_spec_in(uow: UnitOfWork, deps: Deps) -> dict[str, Any] | None:
    """The active model's spec, in the caller's open unit: the version the database says is
    active now, whatever another process activated."""
    version = uow.models.active_version()
    return None if version is None else spec_in(uow, deps, version)


def active_spec(uow: UnitOfWork, deps: Deps) -> dict[str, Any] | None:
    """The active model's spec (``active_spec_in`` in a unit of its own)."""
    with uow:
        return active_spec_in(uow, deps)


def active_version(uow: UnitOfWork, deps: Deps) -> str | None:
    with uow:
        return uow.models.active_version()
