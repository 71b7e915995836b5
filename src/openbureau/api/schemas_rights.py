"""Bodies of the due-process endpoints: disputes, statements, freeze, fraud alerts, offers and
member decisions (api.md: "Furnisher", "Member", "Consumer")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from openbureau.api.schemas import Closed
from openbureau.api.schemas_reports import Notice
from openbureau.domain.disputes import Decision, ItemKind, Outcome
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

# -- disputes ----------------------------------------------------------------------------------


class ItemRef(Closed):
    kind: ItemKind
    ref: str = Field(min_length=1, max_length=24, description="the item's item_ref in your report")


class DisputeIn(Closed):
    item: ItemRef
    reason: str = Field(min_length=1, max_length=2000)
    statement: str | None = Field(default=None, max_length=2000)


class DisputeOpened(BaseModel):
    dispute_id: str
    status: str
    due_at: datetime


class DisputeInformation(Closed):
    text: str = Field(min_length=1, max_length=2000,
                      description="information added while the dispute is open; extends the "
                                  "deadline once by the profile's extension")


class DisputeItem(BaseModel):
    kind: str
    ref: str


class DisputeOut(BaseModel):
    dispute_id: str
    item: DisputeItem
    status: str = Field(description="open | verified | corrected | deleted | expired | "
                                    "unconfirmed | restricted")
    reason: str
    statement: str | None
    opened_at: datetime
    due_at: datetime
    answered_at: datetime | None
    note: str | None


class DisputeList(BaseModel):
    items: list[DisputeOut]


class DisputeSubject(BaseModel):
    name: str
    national_id_masked: str


class FurnisherDispute(DisputeOut):
    account_ref: str
    subject: DisputeSubject


class FurnisherDisputeList(BaseModel):
    items: list[FurnisherDispute]


class DisputeResponseIn(Closed):
    outcome: Outcome
    corrected_record: dict[str, Any] | None = Field(
        default=None, description="the corrected AccountRecord; required with outcome corrected")
    note: str | None = Field(default=None, max_length=2000)


class ListingDisputeResponseIn(Closed):
    outcome: Outcome = Field(description="verified, or deleted to remove the listing; a listing "
                                         "is corrected through the objection procedure")
    note: str | None = Field(default=None, max_length=2000)


class IdentityCorrection(Closed):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    date_of_birth: date | None = None


class IdentityDisputeResponseIn(Closed):
    outcome: Outcome = Field(description="verified, or corrected with corrected_identity")
    corrected_identity: IdentityCorrection | None = None
    note: str | None = Field(default=None, max_length=2000)


class AnswerableDispute(DisputeOut):
    subject: DisputeSubject


class AnswerableDisputeList(BaseModel):
    items: list[AnswerableDispute]


class DisputeResponseOut(BaseModel):
    dispute_id: str
    status: str
    answered_at: datetime


# -- statements, freeze, fraud alerts ----------------------------------------------------------


class StatementIn(Closed):
    item_ref: str | None = Field(default=None, min_length=1, max_length=24,
                                 description="the item it concerns; none for the whole file")
    text: str = Field(min_length=1, max_length=1000)


class StatementOut(BaseModel):
    item_ref: str | None
    text: str
    created_at: datetime


class FreezeOut(BaseModel):
    frozen: bool
    placed_at: datetime | None = None
    lifted_at: datetime | None = None


class FraudAlertIn(Closed):
    kind: Literal["initial", "extended"]


class FraudAlertOut(BaseModel):
    kind: str
    placed_at: datetime
    expires_at: datetime


# -- offers ------------------------------------------------------------------------------------


class OfferIn(Closed):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    min_score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    category: str = Field(min_length=1, max_length=40)


class OfferOut(BaseModel):
    offer_id: int
    title: str
    description: str
    min_score: int
    category: str
    created_at: datetime


class MemberOffer(OfferOut):
    reach: int | None = Field(description="opted-in consumers whose current score qualifies (a "
                              "count); null when fewer than reach_minimum (reach_suppressed)")
    reach_suppressed: bool = Field(description="true when fewer than reach_minimum consumers "
                                   "qualify: the count is withheld so that it cannot reveal "
                                   "anyone's score")
    reach_minimum: int = Field(description="the smallest count shown (default 10)")


class MemberOfferList(BaseModel):
    items: list[MemberOffer]


class ConsumerOffer(OfferOut):
    member: str


class ConsumerOffers(BaseModel):
    opt_in: bool
    score: int | None
    items: list[ConsumerOffer]


class OffersConsent(Closed):
    opt_in: bool


# -- decisions ---------------------------------------------------------------------------------


class DecisionIn(Closed):
    inquiry_id: str = Field(min_length=1, max_length=24)
    decision: Decision
    terms: str | None = Field(None, max_length=1000,
                              description="with a counteroffer: the terms offered instead (the "
                                          "consumer's notice states them)")


class DecisionOut(BaseModel):
    inquiry_id: str
    decision: str
    decided_at: datetime
    notice: Notice | None = Field(description="the adverse-action notice sent to the consumer; "
                                              "null for an approval")
