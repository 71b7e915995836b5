"""Who may call what. Principals are organisations (by role) or consumers (their own file)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FURNISHER = "furnisher"
    MEMBER = "member"
    COURT = "court"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    CONSUMER = "consumer"


ORG_ROLES = (Role.FURNISHER, Role.MEMBER, Role.COURT, Role.OPERATOR, Role.AUDITOR)


@dataclass(frozen=True)
class Principal:
    role: Role
    id: int                 # organisation id, or subject id for a consumer
    name: str
    subject_ref: str | None = None

    @property
    def actor(self) -> str:
        if self.role is Role.CONSUMER:
            return f"consumer:{self.subject_ref}"
        return f"{self.role.value}:{self.id}:{self.name}"


SYSTEM = Principal(Role.OPERATOR, 0, "system")


def consumer_id(who: Principal) -> int:
    """The subject id of a consumer principal. A consumer service given any other principal
    is a wiring mistake, never a caller's choice: ValueError."""
    if who.role is not Role.CONSUMER:
        raise ValueError("consumer services take a consumer principal")
    return who.id
