"""``POST /v1/me/score/simulations``: a consumer's what-if score on their own file.

Read-only: the file is loaded, the changes applied in memory (:mod:`openbureau.scoring.simulator`),
both scores computed with the active model; nothing is written except the audit event that the
consumer ran a simulation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openbureau.domain.errors import FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.domain.wording import N_
from openbureau.scoring.bands import band
from openbureau.scoring.reference import OutOfDomain
from openbureau.scoring.simulator import SimulationError, simulate
from openbureau.scoring.spec import load_spec
from openbureau.services import models
from openbureau.services.credit_file import load_credit_file
from openbureau.services.ports import Deps, UnitOfWork


def _score(value: int, reasons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"value": value, "band": band(value), "reasons": [dict(r) for r in reasons]}


def run(uow: UnitOfWork, deps: Deps, who: Principal,
        changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    with uow:
        spec = models.active_spec_in(uow, deps)
        if spec is None:
            raise NotFound(N_("no active scoring model"))
        card = load_spec(spec)
        as_of = uow.clock.now().date()
        file = load_credit_file(uow, who.id, as_of)
        try:
            sim = simulate(card, file, changes, deps.profile)
        except SimulationError as exc:
            raise ValidationFailed([FieldError(e["field"], e["message"]) for e in exc.errors],
                                   N_("the changes cannot be simulated")) from exc
        except OutOfDomain as exc:
            raise ValidationFailed([FieldError("changes", str(exc))],
                                   N_("the changed file is outside what the model can "
                                      "score")) from exc
        uow.audit(who.actor, "score.simulate", subject_ref=who.subject_ref,
                  changes=len(changes), model_version=card.version)
        uow.commit()
    return {
        "model_version": card.version,
        "as_of": as_of.isoformat(),
        "before": _score(sim.before.value, sim.reasons_before),
        "after": _score(sim.after.value, sim.reasons_after),
        "change": sim.change,
        "moved": [dict(m) for m in sim.moved],
        "attributes_before": sim.attributes_before,
        "attributes_after": sim.attributes_after,
    }
