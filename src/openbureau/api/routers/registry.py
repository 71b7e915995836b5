"""The court defaulter registry: courts list and lift judgments and decide objections; members
check restrictions; consumers object; anyone searches the public list (rate-limited)."""

from fastapi import APIRouter, Depends, Query, Request

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_registry import (
    DecisionIn,
    DefaulterList,
    DefaulterOut,
    JudgmentIn,
    ListingList,
    ListingOut,
    ObjectionFiled,
    ObjectionIn,
    ObjectionList,
    ObjectionOut,
    RestrictionCheckIn,
    RestrictionCheckOut,
    SatisfactionIn,
    VacateIn,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.registry import RequestedRestriction
from openbureau.domain.roles import Principal, Role
from openbureau.services import access, objections, registry

router = APIRouter(tags=["registry"])
court_only = require(Role.COURT)
member_only = require(Role.MEMBER)
consumer_only = require(Role.CONSUMER)


@router.post("/v1/court/judgments", status_code=201)
def list_judgment(body: JudgmentIn, bureau: Bureau = Depends(get_bureau),
                  who: Principal = Depends(court_only)) -> ListingOut:
    d = body.debtor
    debtor = registry.Debtor(d.kind, d.national_id or d.registration_number or "", d.name,
                             d.date_of_birth)
    return ListingOut(**registry.list_judgment(
        bureau.uow(), bureau.deps, who, case_number=body.case_number, debtor=debtor,
        amount=body.amount, currency=body.currency, judgment_date=body.judgment_date,
        ground=body.ground, legal_basis=body.legal_basis, until=body.until,
        restrictions_asked=[RequestedRestriction(r.category, r.until, r.scope)
                            for r in body.restrictions]))


@router.get("/v1/court/judgments")
def court_listings(status: str | None = Query(None, max_length=20),
                   bureau: Bureau = Depends(get_bureau),
                   who: Principal = Depends(court_only)) -> ListingList:
    return ListingList(items=[ListingOut(**x)
                              for x in registry.court_listings(bureau.uow(), bureau.deps, who,
                                                               status)])


@router.post("/v1/court/judgments/{listing_id}/satisfaction")
def satisfaction(listing_id: str, body: SatisfactionIn, bureau: Bureau = Depends(get_bureau),
                 who: Principal = Depends(court_only)) -> ListingOut:
    return ListingOut(**registry.lift(bureau.uow(), bureau.deps, who, listing_id, body.kind,
                                      body.note))


@router.post("/v1/court/judgments/{listing_id}/vacate")
def vacate(listing_id: str, body: VacateIn, bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(court_only)) -> ListingOut:
    return ListingOut(**registry.vacate(bureau.uow(), bureau.deps, who, listing_id,
                                        body.reason))


@router.get("/v1/court/objections")
def court_objections(status: str | None = Query(None, max_length=20),
                     bureau: Bureau = Depends(get_bureau),
                     who: Principal = Depends(court_only)) -> ObjectionList:
    found = objections.court_objections(bureau.uow(), bureau.deps, who, status)
    return ObjectionList(items=[ObjectionOut(**x) for x in found])


@router.post("/v1/court/objections/{objection_id}/decision")
def decide(objection_id: str, body: DecisionIn, bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(court_only)) -> ObjectionOut:
    c = body.correction
    correction = None if c is None else objections.Correction(
        c.amount, c.ground, c.legal_basis, c.until, tuple(c.lift_restrictions))
    return ObjectionOut(**objections.decide(bureau.uow(), bureau.deps, who, objection_id,
                                            body.outcome, body.note, body.remedy, correction))


@router.post("/v1/member/restriction-checks")
def restriction_check(body: RestrictionCheckIn, bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(member_only)) -> RestrictionCheckOut:
    identity = access.identity_for_lookup(body.subject.national_id, body.subject.name,
                                          body.subject.date_of_birth)
    return RestrictionCheckOut(**registry.restriction_check(bureau.uow(), bureau.deps, who,
                                                            identity, body.category))


@router.post("/v1/me/objections", status_code=201)
def object_to_listing(body: ObjectionIn, bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(consumer_only)) -> ObjectionFiled:
    return ObjectionFiled(**objections.object_to_listing(
        bureau.uow(), bureau.deps, who, body.listing_id, body.reason, body.kind))


@router.get("/v1/public/defaulters")
def public_defaulters(request: Request, name: str | None = Query(None, max_length=120),
                      id_suffix: str | None = Query(None, max_length=4),
                      court: str | None = Query(None, max_length=120),
                      bureau: Bureau = Depends(get_bureau)) -> DefaulterList:
    client = request.client.host if request.client else "unknown"
    return DefaulterList(items=[DefaulterOut(**x) for x in registry.public_search(
        bureau.uow(), bureau.deps, client, name=name, id_suffix=id_suffix, court=court)])
