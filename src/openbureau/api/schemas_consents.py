"""Bodies of the consent endpoints: ``/v1/member/consents``, ``/v1/furnisher/consents`` and
``/v1/me/consents``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from openbureau.api.schemas import Closed, SubjectRef
from openbureau.domain.consents import Scope
from openbureau.domain.profiles import Purpose

_SCOPE = Field(default=[Scope.REPORT], min_length=1, max_length=2,
               description="what the consent covers: report (pull the file), income (furnish "
                           "the subject's monthly income)")


class ConsentIn(Closed):
    """A consent the member obtained. Times carry a time zone; ``obtained_at`` is not in the
    future and ``expires_at`` is after it (checked by the domain rule every entry point uses)."""

    subject: SubjectRef
    purpose: Purpose
    scope: list[Scope] = _SCOPE
    obtained_at: AwareDatetime
    expires_at: AwareDatetime
    evidence_kind: Literal["signed_form", "electronic_signature", "recorded_call"]
    evidence_sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$",
                                 description="SHA-256 of the signed form (64 hex digits)")


class FurnisherConsentIn(ConsentIn):
    """A consent the furnisher obtained to report the consumer's income: scope ``income`` only.
    A record's ``monthly_income`` is stored only under such a consent (its ``consent_ref``)."""

    scope: list[Scope] = Field(default=[Scope.INCOME], min_length=1, max_length=1,
                               description="income (the only scope a furnisher's consent "
                                           "covers)")


class ConsentGrantIn(Closed):
    """The consumer, signed in, consents to a member pulling their file for a purpose."""

    member: (Annotated[int, Field(ge=1, le=2**63 - 1)]
             | Annotated[str, Field(min_length=1, max_length=120)]) = Field(
        description="the member organisation: its id, or its name as your accesses show it")
    purpose: Purpose
    scope: list[Scope] = _SCOPE
    expires_at: AwareDatetime

    def member_key(self) -> int | str:
        return self.member.strip() if isinstance(self.member, str) else self.member


class ConsentOut(BaseModel):
    consent_ref: str = Field(description="opaque; an inquiry, or a furnished record carrying "
                                         "monthly_income, names it as consent_ref")
    member: str = Field(description="the organisation it was given to (a member, or for "
                                    "income a furnisher)")
    purpose: str
    scope: list[str]
    obtained_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    source: Literal["member", "furnisher", "consumer"]
    evidence_kind: str
    evidence_sha256: str
    recorded_at: datetime
    status: Literal["in_force", "expired", "revoked", "not_yet_in_force"]


class ConsentList(BaseModel):
    items: list[ConsentOut]
