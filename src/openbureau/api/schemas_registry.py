"""Bodies of the court registry endpoints: ``/v1/court/*``, restriction checks, objections and the
public defaulter search (api.md). Categories and grounds are plain strings here so the domain can
refuse them with its reasons (a restriction binding a third party is named as such)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from openbureau.api.schemas import Closed, SubjectRef


class DebtorIn(Closed):
    kind: Literal["person", "organisation"] = "person"
    national_id: str | None = Field(default=None, min_length=1, max_length=40,
                                    description="a person's national identifier")
    registration_number: str | None = Field(default=None, min_length=1, max_length=40,
                                            description="an organisation's registration number")
    name: str = Field(min_length=1, max_length=120)
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def _identifier(self) -> DebtorIn:
        if self.kind == "person" and (self.national_id is None or self.registration_number):
            raise ValueError("a person is named by national_id (and no registration_number)")
        if self.kind == "organisation" and (self.registration_number is None
                                            or self.national_id):
            raise ValueError("an organisation is named by registration_number (and no "
                             "national_id)")
        return self


class RestrictionIn(Closed):
    category: str = Field(min_length=1, max_length=40)
    until: date | None = None
    scope: str = Field(default="debtor", max_length=40,
                       description="who the restriction binds; only 'debtor' is accepted")


class JudgmentIn(Closed):
    case_number: str = Field(min_length=1, max_length=64)
    debtor: DebtorIn
    amount: int = Field(ge=0, le=10**15, description="minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    judgment_date: date
    ground: str | None = Field(default=None, max_length=40)
    legal_basis: str | None = Field(default=None, max_length=2000)
    restrictions: list[RestrictionIn] = Field(default_factory=list, max_length=20)
    until: date | None = Field(default=None, description="end of the listing's term; by default "
                               "none for refuses_to_perform, else the profile's term")


class RestrictionOut(BaseModel):
    category: str
    ordered_on: date
    until: date | None
    lifted_at: datetime | None


class DebtorOut(BaseModel):
    kind: str
    name: str
    identifier_masked: str


class ListingOut(BaseModel):
    listing_id: str = Field(description="the listing's opaque reference (its item_ref)")
    case_number: str
    court: str
    debtor: DebtorOut
    amount: int
    currency: str
    judgment_date: date
    ground: str | None
    legal_basis: str | None
    status: str
    listed_at: datetime
    until: date | None
    lifted_at: datetime | None
    lift_reason: str | None
    restrictions: list[RestrictionOut]


class ListingList(BaseModel):
    items: list[ListingOut]


class SatisfactionIn(Closed):
    kind: Literal["performance", "settlement", "termination"] = "performance"
    note: str | None = Field(default=None, max_length=2000)


class VacateIn(Closed):
    reason: str = Field(min_length=1, max_length=2000)


class RestrictionCheckIn(Closed):
    subject: SubjectRef
    category: str = Field(min_length=1, max_length=40)


class OrderOut(BaseModel):
    case_number: str
    court: str
    ground: str | None
    category: str
    ordered_on: date
    until: date | None = None


class RestrictionCheckOut(BaseModel):
    check_id: str
    restricted: bool
    orders: list[OrderOut]


class ObjectionIn(Closed):
    listing_id: str = Field(min_length=1, max_length=24)
    reason: str = Field(min_length=1, max_length=4000)
    kind: Literal["correction", "reconsideration"] = "correction"


class ObjectionFiled(BaseModel):
    objection_id: str
    listing_id: str
    kind: str
    status: str
    court: str
    opened_at: datetime
    due_at: datetime


class ObjectionOut(BaseModel):
    objection_id: str
    listing_id: str
    case_number: str
    debtor: str
    kind: str
    reason: str
    status: str
    opened_at: datetime
    due_at: datetime
    decided_at: datetime | None
    note: str | None


class ObjectionList(BaseModel):
    items: list[ObjectionOut]


class CorrectionIn(Closed):
    amount: int | None = Field(default=None, ge=0, le=10**15)
    ground: str | None = Field(default=None, max_length=40)
    legal_basis: str | None = Field(default=None, max_length=2000)
    until: date | None = None
    lift_restrictions: list[str] = Field(default_factory=list, max_length=20)


class DecisionIn(Closed):
    outcome: Literal["upheld", "rejected"]
    note: str = Field(min_length=1, max_length=4000)
    remedy: Literal["correct", "remove"] | None = Field(
        default=None, description="required when upheld")
    correction: CorrectionIn | None = None


class DefaulterOut(BaseModel):
    name: str
    identifier_masked: str
    court: str
    case_number: str
    amount: int
    currency: str
    ground: str | None
    listed_on: date


class DefaulterList(BaseModel):
    items: list[DefaulterOut]
