"""Due process: disputes (consumer and furnisher), statements, freeze, fraud alerts, offers and
member decisions with their adverse-action notices."""

from typing import Literal

from fastapi import APIRouter, Depends, Query

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_rights import (
    AnswerableDispute,
    AnswerableDisputeList,
    ConsumerOffers,
    DecisionIn,
    DecisionOut,
    DisputeIn,
    DisputeInformation,
    DisputeList,
    DisputeOpened,
    DisputeOut,
    DisputeResponseIn,
    DisputeResponseOut,
    FraudAlertIn,
    FraudAlertOut,
    FreezeOut,
    FurnisherDispute,
    FurnisherDisputeList,
    IdentityDisputeResponseIn,
    ListingDisputeResponseIn,
    MemberOffer,
    MemberOfferList,
    OfferIn,
    OffersConsent,
    StatementIn,
    StatementOut,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import decisions, disputes, rights

router = APIRouter()
consumer_only = require(Role.CONSUMER)
furnisher_only = require(Role.FURNISHER)
member_only = require(Role.MEMBER)

DisputeStatusFilter = Literal["open", "verified", "corrected", "deleted", "expired",
                              "unconfirmed", "restricted"]


# -- furnisher ---------------------------------------------------------------------------------

@router.get("/v1/furnisher/disputes", tags=["furnisher"])
def furnisher_disputes(status: DisputeStatusFilter | None = Query(None),
                       bureau: Bureau = Depends(get_bureau),
                       who: Principal = Depends(furnisher_only)) -> FurnisherDisputeList:
    found = disputes.furnisher_disputes(bureau.uow(), bureau.deps, who, status)
    return FurnisherDisputeList(items=[FurnisherDispute(**d) for d in found])


@router.post("/v1/furnisher/disputes/{dispute_id}/response", tags=["furnisher"])
def respond(dispute_id: str, body: DisputeResponseIn, bureau: Bureau = Depends(get_bureau),
            who: Principal = Depends(furnisher_only)) -> DisputeResponseOut:
    return DisputeResponseOut(**disputes.respond(
        bureau.uow(), bureau.deps, who, dispute_id, body.outcome.value, body.corrected_record,
        body.note))


# -- courts (disputes on their listings) and the bureau (disputes on identity data) -----------

@router.get("/v1/court/disputes", tags=["court"])
def court_disputes(status: DisputeStatusFilter | None = Query(None),
                   bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(require(Role.COURT))) -> AnswerableDisputeList:
    found = disputes.disputes_to_answer(bureau.uow(), bureau.deps, who, status)
    return AnswerableDisputeList(items=[AnswerableDispute(**d) for d in found])


@router.post("/v1/court/disputes/{dispute_id}/response", tags=["court"])
def court_respond(dispute_id: str, body: ListingDisputeResponseIn,
                  bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(require(Role.COURT))) -> DisputeResponseOut:
    return DisputeResponseOut(**disputes.respond(
        bureau.uow(), bureau.deps, who, dispute_id, body.outcome.value, None, body.note))


@router.get("/v1/admin/disputes", tags=["operator and auditor"])
def identity_disputes(status: DisputeStatusFilter | None = Query(None),
                      bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(require(Role.OPERATOR, Role.AUDITOR))
                      ) -> AnswerableDisputeList:
    found = disputes.disputes_to_answer(bureau.uow(), bureau.deps, who, status)
    return AnswerableDisputeList(items=[AnswerableDispute(**d) for d in found])


@router.post("/v1/admin/disputes/{dispute_id}/response", tags=["operator and auditor"])
def identity_respond(dispute_id: str, body: IdentityDisputeResponseIn,
                     bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(require(Role.OPERATOR))) -> DisputeResponseOut:
    return DisputeResponseOut(**disputes.respond(
        bureau.uow(), bureau.deps, who, dispute_id, body.outcome.value, None, body.note,
        body.corrected_identity.model_dump(exclude_none=True)
        if body.corrected_identity else None))


# -- member ------------------------------------------------------------------------------------

@router.post("/v1/member/decisions", status_code=201, tags=["member"])
def decide(body: DecisionIn, bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(member_only)) -> DecisionOut:
    return DecisionOut(**decisions.record_decision(bureau.uow(), bureau.deps, who, body.inquiry_id,
                                                   body.decision.value, body.terms))


@router.post("/v1/member/offers", status_code=201, tags=["member"])
def create_offer(body: OfferIn, bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(member_only)) -> MemberOffer:
    return MemberOffer(**rights.create_offer(bureau.uow(), bureau.deps, who, body.title,
                                             body.description, body.min_score, body.category))


@router.get("/v1/member/offers", tags=["member"])
def member_offers(bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(member_only)) -> MemberOfferList:
    found = rights.member_offers(bureau.uow(), bureau.deps, who)
    return MemberOfferList(items=[MemberOffer(**o) for o in found])


# -- consumer ----------------------------------------------------------------------------------

@router.post("/v1/me/disputes", status_code=201, tags=["consumer"])
def open_dispute(body: DisputeIn, bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(consumer_only)) -> DisputeOpened:
    return DisputeOpened(**disputes.open_dispute(
        bureau.uow(), bureau.deps, who, body.item.kind.value, body.item.ref, body.reason,
        body.statement))


@router.get("/v1/me/disputes", tags=["consumer"])
def my_disputes(bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(consumer_only)) -> DisputeList:
    found = disputes.my_disputes(bureau.uow(), bureau.deps, who)
    return DisputeList(items=[DisputeOut(**d) for d in found])


@router.post("/v1/me/disputes/{dispute_id}/information", tags=["consumer"])
def add_information(dispute_id: str, body: DisputeInformation,
                    bureau: Bureau = Depends(get_bureau),
                    who: Principal = Depends(consumer_only)) -> DisputeOpened:
    return DisputeOpened(**disputes.add_information(bureau.uow(), bureau.deps, who, dispute_id,
                                                    body.text))


@router.post("/v1/me/statements", status_code=201, tags=["consumer"])
def add_statement(body: StatementIn, bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(consumer_only)) -> StatementOut:
    return StatementOut(**rights.add_statement(bureau.uow(), bureau.deps, who, body.item_ref,
                                               body.text))


@router.put("/v1/me/freeze", tags=["consumer"])
def freeze(bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(consumer_only)) -> FreezeOut:
    return FreezeOut(**rights.place_freeze(bureau.uow(), bureau.deps, who))


@router.delete("/v1/me/freeze", tags=["consumer"])
def unfreeze(bureau: Bureau = Depends(get_bureau),
             who: Principal = Depends(consumer_only)) -> FreezeOut:
    return FreezeOut(**rights.lift_freeze(bureau.uow(), bureau.deps, who))


@router.post("/v1/me/fraud-alerts", status_code=201, tags=["consumer"])
def fraud_alert(body: FraudAlertIn, bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(consumer_only)) -> FraudAlertOut:
    return FraudAlertOut(**rights.place_fraud_alert(bureau.uow(), bureau.deps, who, body.kind))


@router.put("/v1/me/offers-consent", tags=["consumer"])
def offers_consent(body: OffersConsent, bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(consumer_only)) -> OffersConsent:
    return OffersConsent(**rights.set_offers_consent(bureau.uow(), bureau.deps, who, body.opt_in))


@router.get("/v1/me/offers", tags=["consumer"])
def my_offers(bureau: Bureau = Depends(get_bureau),
              who: Principal = Depends(consumer_only)) -> ConsumerOffers:
    return ConsumerOffers(**rights.my_offers(bureau.uow(), bureau.deps, who))
