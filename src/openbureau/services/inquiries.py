"""A member pulls a report: purpose limitation, consent, freeze, identity, then the inquiry.

Checks run in this order: the purpose is one the profile permits; consent is given where the
profile requires it; the identity matches a file exactly (else "no file", never another person's
data); the file is not frozen for this purpose. A refused request stores nothing but an audit
event. An accepted one stores the inquiry the consumer will see, the audit event and returns the
report, all in one transaction.
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from sqlalchemy import insert

from openbureau.adapters.tables import inquiries
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import (
    ConsentRequired,
    FileFrozen,
    NotFound,
    OpenBureauError,
    PurposeNotPermitted,
)
from openbureau.domain.profiles import FREEZE_EXEMPT, Purpose
from openbureau.domain.records import SubjectIdentity
from openbureau.domain.roles import Principal
from openbureau.services import reports, scoring_hooks, subjects
from openbureau.services.refs import new_ref
from openbureau.unit_of_work import UnitOfWork

_RECORD = insert(inquiries)      # built once: every inquiry runs it


def pull_report(bureau: Bureau, member: Principal, identity: SubjectIdentity, purpose: str,
                consent_ref: str | None) -> dict[str, Any]:
    """``{inquiry_id, report, score}``; ``inquiry_id`` is the inquiry's opaque ``item_ref``."""
    profile = bureau.profile
    consent_ref = (consent_ref or "").strip() or None
    with bureau.uow() as uow:
        try:
            p = _permitted(purpose, bureau)
            if profile.consent_needed(p) and consent_ref is None:
                raise ConsentRequired(
                    f"purpose {p.value!r} requires the consumer's consent under the "
                    f"{profile.name} profile ({profile.title}); send consent_ref")
            subject = subjects.find(uow, bureau.vault, identity, strict=True)
            frozen = reports.is_frozen(uow, subject.id)
            if frozen and p not in FREEZE_EXEMPT:
                raise FileFrozen(
                    f"the consumer has frozen this file; purpose {p.value!r} opens new credit "
                    "and is refused until the consumer lifts the freeze (exempt: "
                    + ", ".join(sorted(x.value for x in FREEZE_EXEMPT)) + ")")
        except OpenBureauError as exc:
            _refused(bureau, uow, member, identity, purpose, exc)
            raise
        now = uow.clock.now()
        ref = new_ref("inq")
        score = scoring_hooks.current_score(bureau, uow, subject.id)
        # stored with what the member is given, for the decision and adverse-action notice
        # that may follow; stored before the report is read, which lists this inquiry too
        uow.execute(_RECORD, {"subject_id": subject.id, "organisation_id": member.id,
                              "kind": "inquiry", "purpose": p.value, "consent_ref": consent_ref,
                              "created_at": now, "item_ref": ref,
                              "result": {"score": _jsonable(score)}})
        report = reports.build_report(bureau, uow, subject, member, p.value,
                                      action="inquiry.pull", frozen=frozen, score=score,
                                      inquiry_ref=ref, consent_ref=consent_ref)
        uow.commit()
    return {"inquiry_id": ref, "report": report, "score": score}


def _jsonable(value: Any) -> Any:
    """The score as JSON stores it (its ``computed_at`` is a datetime)."""
    return json.loads(json.dumps(value, default=lambda o: o.isoformat()))


def _permitted(purpose: str, bureau: Bureau) -> Purpose:
    allowed = bureau.profile.permissible_purposes
    try:
        p = Purpose(purpose)
    except ValueError:
        p = None
    if p is None or p not in allowed:
        raise PurposeNotPermitted(
            f"purpose {purpose!r} is not permissible under the {bureau.profile.name} profile; "
            "allowed: " + ", ".join(sorted(x.value for x in allowed)))
    return p


def _refused(bureau: Bureau, uow: UnitOfWork, member: Principal, identity: SubjectIdentity,
             purpose: str, exc: OpenBureauError) -> None:
    """Record the refusal, and nothing else. The file is named in the log only when the
    identity matched it exactly; the identifier itself is never logged."""
    uow.rollback()
    subject_ref = None
    if not isinstance(exc, NotFound):
        with suppress(NotFound):
            subject_ref = subjects.find(uow, bureau.vault, identity, strict=True).item_ref
    uow.audit(member.actor, "inquiry.refused", subject_ref, purpose[:60],
              reason=type(exc).__name__, detail_text=exc.detail)
    uow.commit()
