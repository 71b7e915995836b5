from fastapi import APIRouter, Depends, Request

from openbureau.api.deps import get_bureau
from openbureau.api.schemas import Enrolment, SessionToken, SignIn
from openbureau.bootstrap import Bureau
from openbureau.services import access

router = APIRouter(prefix="/v1/consumer", tags=["consumer"])


@router.post("/enrol", status_code=201)
def enrol(body: Enrolment, bureau: Bureau = Depends(get_bureau)) -> dict[str, str]:
    access.enrol(bureau, body.national_id, body.date_of_birth, body.enrolment_code,
                 body.password)
    return {"status": "enrolled"}


@router.post("/sessions", status_code=201)
def sign_in(body: SignIn, request: Request, bureau: Bureau = Depends(get_bureau)
            ) -> SessionToken:
    client = request.client.host if request.client else "unknown"
    token = access.sign_in(bureau, body.national_id, body.password, client)
    return SessionToken(token=token, expires_in=bureau.settings.session_hours * 3600)
