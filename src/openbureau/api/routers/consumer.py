from fastapi import APIRouter, Depends, Request, Response

from openbureau.api.deps import _bearer, get_bureau, require
from openbureau.api.schemas import Enrolment, SessionToken, SignIn
from openbureau.bootstrap import Bureau
from openbureau.domain.roles import Principal, Role
from openbureau.services import access

router = APIRouter(prefix="/v1/consumer", tags=["consumer"])


@router.post("/enrol", status_code=201)
def enrol(body: Enrolment, request: Request, bureau: Bureau = Depends(get_bureau)
          ) -> dict[str, str]:
    client = request.client.host if request.client else "unknown"
    access.enrol(bureau.uow(), bureau.deps,
                 body.national_id, body.date_of_birth, body.enrolment_code, body.password, client)
    return {"status": "enrolled"}


@router.post("/sessions", status_code=201)
def sign_in(body: SignIn, request: Request, bureau: Bureau = Depends(get_bureau)
            ) -> SessionToken:
    client = request.client.host if request.client else "unknown"
    token = access.sign_in(bureau.uow(), bureau.deps, body.national_id, body.password, client)
    return SessionToken(token=token, expires_in=bureau.settings.session_hours * 3600)


@router.delete("/sessions/current", status_code=204, response_class=Response)
def sign_out(request: Request, who: Principal = Depends(require(Role.CONSUMER)),
             bureau: Bureau = Depends(get_bureau)) -> Response:
    """End the session whose token authenticates this request; the token answers 401 from then
    on, in every server process (docs/security.md, "Sessions end at sign-out")."""
    token = _bearer(request)
    if token is not None:
        access.sign_out(bureau.uow(), bureau.deps, who, token)
    return Response(status_code=204)
