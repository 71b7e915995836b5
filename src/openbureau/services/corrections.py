"""A furnisher's corrected account record, stored inside the dispute's unit of work.

``deps.store_correction``: the dispute's answer, the corrected record, the consumer's notice
and the rescore commit together or not at all. The record goes through the furnishing
pipeline (validation, identity, account state, audit events) joined to the caller's open unit
(``furnishing.furnish(..., joined=True)``): it neither opens nor commits it, the caller commits.
"""

from __future__ import annotations

from typing import Any

from openbureau.domain.errors import FieldError
from openbureau.domain.roles import Principal
from openbureau.services import furnishing
from openbureau.services.ports import Deps, UnitOfWork


def store(uow: UnitOfWork, deps: Deps, furnisher: Principal,
          raw: dict[str, Any]) -> list[FieldError]:
    """Store ``raw`` in ``uow`` (open, left uncommitted); its field errors (none: stored)."""
    summary = furnishing.furnish(uow, deps, furnisher, [furnishing.Candidate(0, raw)], chunk=1,
                                 rescore=None, joined=True)
    return [e for r in summary.rejected for e in r.errors]
