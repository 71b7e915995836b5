"""A member pulls a report: purpose limitation, consent, freeze, identity, then the inquiry.

Checks run in this order: the purpose is one the profile permits; the identity matches a file
exactly (else "no file", never another person's data); where the profile requires consent, or a
consent_ref is sent, a consent of this member, for this file and purpose, is in force now
(services/consents.py; an identity that matches no file is then refused for want of consent, as
a file without one is, so the answer does not tell whether a file exists); the file is not
frozen for this purpose. A refused request stores nothing but audit events. An accepted one
stores the inquiry the consumer will see (with the consent used), the audit events and returns
the report, all in one transaction.
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from openbureau.bootstrap import Bureau
from openbureau.domain import bounds
from openbureau.domain.consents import NONE_RECORDED
from openbureau.domain.errors import (
    ConsentRequired,
    FieldError,
    FileFrozen,
    NotFound,
    OpenBureauError,
    PurposeNotPermitted,
    ValidationFailed,
)
from openbureau.domain.profiles import FREEZE_EXEMPT, Purpose
from openbureau.domain.records import SubjectIdentity, lookup_errors
from openbureau.domain.roles import Principal
from openbureau.services import (
    consents,
    protections,
    refusals,
    reports,
    scoring_hooks,
    subjects,
)
from openbureau.services.refs import new_ref
from openbureau.unit_of_work import UnitOfWork


def pull_report(bureau: Bureau, member: Principal, identity: SubjectIdentity, purpose: str,
                consent_ref: str | None) -> dict[str, Any]:
    """``{inquiry_id, report, score}``; ``inquiry_id`` is the inquiry's opaque ``item_ref``."""
    profile = bureau.profile
    consent_ref = (consent_ref or "").strip() or None
    errors = lookup_errors(identity, bureau.clock.now().date(), profile=bureau.profile)
    if consent_ref is not None and (problem := bounds.text_error(consent_ref, 64)):
        errors.append(FieldError("consent_ref", problem))
    if errors:
        raise ValidationFailed(errors)
    with bureau.uow() as uow:
        try:
            p = _permitted(purpose, bureau)
            consent = subject = None
            near: tuple[int, ...] = ()
            link: dict[str, Any] | None = None      # why the inquiry is on the file
            if profile.consent_needed(p) or consent_ref is not None:
                with suppress(NotFound):
                    subject, near, link = subjects.resolve_linked(
                        uow, bureau.vault, identity,
                        names_must_agree=bureau.profile.name_must_agree_with_id)
                consent = consents.for_inquiry(uow, profile, member,
                                               None if subject is None else subject.id,
                                               p.value, consent_ref)
                consent_ref = consent.ref
            if subject is None:
                subject, near, link = subjects.resolve_linked(
                    uow, bureau.vault, identity,
                    names_must_agree=bureau.profile.name_must_agree_with_id)
            now = uow.clock.now()
            # a freeze on any file the identity nearly matches applies (a thief's variant
            # identity must not reach an unfrozen fragment of a frozen person's data); so do
            # the fraud alerts of those files, read with it: the member must verify the
            # applicant
            frozen, alerts = protections.near_protections(uow, near, now)
            if frozen and p not in FREEZE_EXEMPT:
                raise FileFrozen(
                    f"the consumer has frozen this file; purpose {p.value!r} opens new credit "
                    "and is refused until the consumer lifts the freeze (exempt: "
                    + ", ".join(sorted(x.value for x in FREEZE_EXEMPT)) + ")")
        except OpenBureauError as exc:
            _refused(bureau, uow, member, identity, purpose, exc, consent_ref)
            raise
        ref = new_ref("inq")
        score = scoring_hooks.current_score(bureau.deps, uow, subject.id)
        # stored with what the member is given, for the decision and adverse-action notice
        # that may follow; stored before the report is read, which lists this inquiry too
        uow.inquiries.add(subject_id=subject.id, member_id=member.id, purpose=p.value,
                          consent_ref=consent_ref, created_at=now, item_ref=ref,
                          result={"score": _jsonable(score)}, link=link)
        report = reports.build_report(bureau, uow, subject, member, p.value,
                                      action="inquiry.pull", frozen=frozen, score=score,
                                      fraud_alerts=alerts,
                                      inquiry_ref=ref, consent_ref=consent_ref)
        if consent is not None:
            uow.audit(member.actor, "consent.used", subject.item_ref, p.value,
                      consent_ref=consent.ref, inquiry_ref=ref)
        uow.commit()
    bureau.metrics.inquiries.inc()
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
             purpose: str, exc: OpenBureauError, consent_ref: str | None) -> None:
    """Record the refusal, and nothing else. The file is named in the log only when the
    identity matched it exactly; the identifier itself is never logged (its keyed audit hash
    is, so that probes show). A refusal because of
    a consent (one named, or the member's own that expired or was revoked) is also logged as
    ``consent.refused`` with its reason."""
    uow.rollback()
    subject_ref = None
    if not isinstance(exc, NotFound):
        with suppress(NotFound):
            subject_ref = subjects.find(uow, bureau.vault, identity, strict=True,
                                        names_must_agree=bureau.profile.name_must_agree_with_id).item_ref
    uow.audit(member.actor, "inquiry.refused", subject_ref, purpose[:60],
              id_hash=bureau.vault.audit_hash("national_id", identity.national_id),
              **refusals.reason(exc))
    if isinstance(exc, ConsentRequired) and (consent_ref is not None
                                             or exc.reason != NONE_RECORDED):
        uow.audit(member.actor, "consent.refused", subject_ref, purpose[:60],
                  consent_ref=consent_ref, consent_reason=exc.reason)
    uow.commit()
