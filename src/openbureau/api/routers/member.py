from fastapi import APIRouter, Depends

from openbureau.api.deps import get_bureau, require
from openbureau.api.schemas_reports import InquiryIn, InquiryOut
from openbureau.bootstrap import Bureau
from openbureau.domain.record_parts import Address
from openbureau.domain.roles import Principal, Role
from openbureau.services import access, inquiries

router = APIRouter(prefix="/v1/member", tags=["member"])
member_only = require(Role.MEMBER)


@router.post("/inquiries", status_code=201)
def pull(body: InquiryIn, bureau: Bureau = Depends(get_bureau),
         who: Principal = Depends(member_only)) -> InquiryOut:
    address = body.subject.address
    identity = access.identity_for_lookup(
        body.subject.national_id, body.subject.name, body.subject.date_of_birth,
        Address(**address.model_dump()) if address is not None else None)
    return InquiryOut(**inquiries.pull_report(bureau.uow(), bureau.deps, who, identity,
                                              body.purpose.value, body.consent_ref))
