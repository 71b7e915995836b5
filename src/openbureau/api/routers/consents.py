"""Consents: a member (or, for income, a furnisher) records one it obtained; a consumer grants,
lists and revokes theirs."""

from fastapi import APIRouter, Depends, Path

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_consents import (
    ConsentGrantIn,
    ConsentIn,
    ConsentList,
    ConsentOut,
    FurnisherConsentIn,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import access, consents

router = APIRouter()
member_only = require(Role.MEMBER)
furnisher_only = require(Role.FURNISHER)
consumer_only = require(Role.CONSUMER)


@router.post("/v1/member/consents", status_code=201, tags=["member"])
def record(body: ConsentIn, bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(member_only)) -> ConsentOut:
    return _record(bureau, who, body)


@router.post("/v1/furnisher/consents", status_code=201, tags=["furnisher"])
def record_for_income(body: FurnisherConsentIn, bureau: Bureau = Depends(get_bureau),
                      who: Principal = Depends(furnisher_only)) -> ConsentOut:
    """A consent the furnisher obtained to report the consumer's monthly income; records name
    it as ``consent_ref``."""
    return _record(bureau, who, body)


def _record(bureau: Bureau, who: Principal, body: ConsentIn) -> ConsentOut:
    identity = access.identity_for_lookup(body.subject.national_id, body.subject.name,
                                          body.subject.date_of_birth)
    return ConsentOut(**consents.record(bureau.uow(), bureau.deps, who, identity,
                                        body.purpose.value, [s.value for s in body.scope],
                                        body.obtained_at, body.expires_at, body.evidence_kind,
                                        body.evidence_sha256))


@router.post("/v1/me/consents", status_code=201, tags=["consumer"])
def grant(body: ConsentGrantIn, bureau: Bureau = Depends(get_bureau),
          who: Principal = Depends(consumer_only)) -> ConsentOut:
    return ConsentOut(**consents.grant(bureau.uow(), bureau.deps, who, body.member_key(),
                                       body.purpose.value, body.expires_at,
                                       [s.value for s in body.scope]))


@router.get("/v1/me/consents", tags=["consumer"])
def my_consents(bureau: Bureau = Depends(get_bureau),
                who: Principal = Depends(consumer_only)) -> ConsentList:
    found = consents.my_consents(bureau.uow(), bureau.deps, who)
    return ConsentList(items=[ConsentOut(**c) for c in found])


@router.delete("/v1/me/consents/{consent_ref}", tags=["consumer"])
def revoke(consent_ref: str = Path(max_length=64), bureau: Bureau = Depends(get_bureau),
           who: Principal = Depends(consumer_only)) -> ConsentOut:
    return ConsentOut(**consents.revoke(bureau.uow(), bureau.deps, who, consent_ref))
