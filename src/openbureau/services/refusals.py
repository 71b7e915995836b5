"""Every refusal of a member's or a court's request is audited.

A refused request stores nothing but its refusal event, in the transaction discipline the
rest of the code uses: whatever the use case did is rolled back, then the event alone is
committed, then the error goes on to the caller. The event names the actor, the action
(``<thing>.refused``), the reason (the error's class and its text, written by the code, never
an identifier), and the file only when the caller named it exactly; the identifier the caller
sent is kept as its keyed audit hash (``IdentityVault.audit_hash``), never in clear, so repeated
probes of one identity, or of many, show in the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from openbureau.domain.errors import OpenBureauError
from openbureau.services.ports import UnitOfWork

_TEXT_MAX = 500


@dataclass
class Refusal:
    """What the refusal event will say, filled in as the use case learns it."""

    subject_ref: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@contextmanager
def audited(uow: UnitOfWork, actor: str, action: str, purpose: str | None,
            **detail: Any) -> Iterator[Refusal]:
    refusal = Refusal(detail=dict(detail))
    try:
        yield refusal
    except OpenBureauError as exc:
        uow.rollback()
        uow.audit(actor, action, refusal.subject_ref, purpose, **refusal.detail, **reason(exc))
        uow.commit()
        raise


def reason(exc: OpenBureauError) -> dict[str, Any]:
    return {"reason": type(exc).__name__, "detail_text": exc.detail[:_TEXT_MAX]}
