"""Consumers help themselves: ask for a one-time code (posted to the address on file), enrol
with it, or reset a forgotten password with it; then they are signed in. The same services as
``POST /v1/consumer/enrol``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from openbureau.adapters.outbox import OUTBOX
from openbureau.api.deps import get_bureau
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import FieldError, OpenBureauError, RateLimited, ValidationFailed
from openbureau.domain.roles import Role
from openbureau.domain.wording import N_
from openbureau.services import access
from openbureau.web import forms, sessions
from openbureau.web.errors import _status
from openbureau.web.pages_public import _signed_in
from openbureau.web.render import render

router = APIRouter(tags=["web"], dependencies=[Depends(sessions.load_session)])
MODES = {"enrol": N_("Enrol for your credit report"), "reset": N_("Reset your password")}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _page(request: Request, mode: str, status_code: int = 200, **context: object) -> Response:
    bureau = request.app.state.bureau
    return render(request, "enrol.html", status_code=status_code, mode=mode,
                  title=MODES[mode], outbox=f"{bureau.settings.var_dir}/{OUTBOX}", **context)


@router.get("/enrol", response_class=Response)
def enrol_page(request: Request) -> Response:
    return _page(request, "enrol")


@router.get("/reset", response_class=Response)
def reset_page(request: Request) -> Response:
    return _page(request, "reset")


def _dob(text: str, errors: list[FieldError]) -> date | None:
    return forms.day("date_of_birth", text, errors, required=True)


def ask_for_code(request: Request, mode: str, national_id: str, date_of_birth: str,
                 bureau: Bureau) -> Response:
    errors: list[FieldError] = []
    dob = _dob(date_of_birth, errors)
    try:
        if errors or dob is None:
            raise ValidationFailed(errors)
        access.request_code(bureau.uow(), bureau.deps, national_id, dob, _client(request))
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        response = _page(request, mode, status_code=_status(exc), errors=messages,
                         field_errors=by_field, form={"national_id": national_id,
                                                      "date_of_birth": date_of_birth})
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _page(request, mode, sent=True,
                 form={"national_id": national_id, "date_of_birth": date_of_birth})


def use_code(request: Request, mode: str, national_id: str, date_of_birth: str, code: str,
             password: str, password_again: str, bureau: Bureau) -> Response:
    errors: list[FieldError] = []
    dob = _dob(date_of_birth, errors)
    if password != password_again:
        errors.append(FieldError("password_again", N_("the two passwords differ")))
    try:
        if errors or dob is None:
            raise ValidationFailed(errors)
        if mode == "enrol":
            access.enrol(bureau.uow(), bureau.deps,
                         national_id, dob, code, password, _client(request))
        else:
            access.reset_password(bureau.uow(), bureau.deps,
                                  national_id, dob, code, password, _client(request))
        cookie = sessions.consumer_cookie(bureau, national_id, password, _client(request))
    except OpenBureauError as exc:
        by_field, messages = forms.field_errors(exc)
        response = _page(request, mode, status_code=_status(exc), errors=messages,
                         field_errors=by_field, sent=True,
                         form={"national_id": national_id, "date_of_birth": date_of_birth})
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _signed_in(request, cookie, Role.CONSUMER)


def _routes(mode: str) -> None:
    """POST /enrol/code, /enrol, /reset/code, /reset: the two steps of each mode."""
    def code_step(request: Request, national_id: str = Form(..., max_length=40),
                  date_of_birth: str = Form("", max_length=20),
                  bureau: Bureau = Depends(get_bureau)) -> Response:
        return ask_for_code(request, mode, national_id, date_of_birth, bureau)

    def use_step(request: Request, national_id: str = Form(..., max_length=40),
                 date_of_birth: str = Form("", max_length=20),
                 code: str = Form(..., max_length=40), password: str = Form(..., max_length=200),
                 password_again: str = Form(..., max_length=200),
                 bureau: Bureau = Depends(get_bureau)) -> Response:
        return use_code(request, mode, national_id, date_of_birth, code, password,
                        password_again, bureau)

    guard = [Depends(sessions.public_form)]
    router.add_api_route(f"/{mode}/code", code_step, methods=["POST"], response_class=Response,
                         dependencies=guard, name=f"{mode}_code")
    router.add_api_route(f"/{mode}", use_step, methods=["POST"], response_class=Response,
                         dependencies=guard, name=f"{mode}_use")


for _mode in MODES:
    _routes(_mode)
