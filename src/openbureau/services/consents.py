"""Consents: a member (or, for income, a furnisher) records one it obtained, a consumer grants or
revokes one in the app, and an inquiry (or income furnished: ``income_consents``) is allowed
only by one in force.

Every change is audited: ``consent.recorded`` (member, furnisher), ``consent.granted`` and
``consent.revoked`` (consumer), ``consent.used`` (by an inquiry) and ``consent.refused`` (an
inquiry refused because of a named consent: expired, revoked, someone else's). A member's
refused attempt to record a consent (terms refused, an identity that matches no file) is
``consent.record_refused``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openbureau.domain import consents as rules
from openbureau.domain.consents import Consent, EvidenceKind, Scope, Source
from openbureau.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from openbureau.domain.profiles import Profile
from openbureau.domain.records import SubjectIdentity, lookup_errors
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import refusals, subjects
from openbureau.services.owner import own_file
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.stored import ConsentRecord, Organisation


def new_consent_ref() -> str:
    """Opaque and unguessable (128 random bits): knowing one is not a way to use it anyway,
    since only the member it was given to can."""
    return "cns_" + secrets.token_hex(16)


#: the organisation of a consent stored without one (the column allows it): nobody's
NO_ORGANISATION = -1

# refusals a consumer meets on the consents page, translated where shown (i18n.Language.message)
NOT_ORGANISATION = {Role.MEMBER: N_("no member organisation %(name)s"),
                    Role.FURNISHER: N_("no furnisher organisation %(name)s")}
NO_CONSENT = N_("no consent with this consent_ref on your file")
NOT_REVOCABLE = N_("consents cannot be revoked under the %(profile)s profile (%(title)s); this "
                   "one ends on %(date)s")
EXPIRED = N_("this consent has already expired")


def _consent(row: ConsentRecord) -> Consent:
    org = row.organisation_id if row.organisation_id is not None else NO_ORGANISATION
    return Consent(ref=row.reference, subject_id=row.subject_id,
                   organisation_id=org, purpose=row.purpose,
                   scopes=rules.split_scopes(row.scope), obtained_at=row.granted_at,
                   expires_at=row.expires_at, revoked_at=row.revoked_at, source=row.source)


def _view(row: ConsentRecord, now: datetime) -> dict[str, Any]:
    return {"consent_ref": row.reference, "member": row.organisation, "purpose": row.purpose,
            "scope": sorted(rules.split_scopes(row.scope)), "obtained_at": row.granted_at,
            "expires_at": row.expires_at, "revoked_at": row.revoked_at, "source": row.source,
            "evidence_kind": row.evidence_kind, "evidence_sha256": row.evidence_sha256,
            "recorded_at": row.recorded_at, "status": _consent(row).status(now)}


def _validated(profile: Profile, purpose: str, scopes: list[str], obtained_at: datetime,
               expires_at: datetime, now: datetime) -> str:
    errors = rules.validate_terms(profile, purpose, scopes, obtained_at, expires_at, now)
    if errors:
        raise ValidationFailed(errors)
    return rules.join_scopes(scopes)


def _store(uow: UnitOfWork, *, subject_id: int, organisation_id: int, purpose: str, scope: str,
           obtained_at: datetime, expires_at: datetime, source: Source, evidence_kind: str,
           evidence_sha256: str, ref: str | None = None) -> ConsentRecord:
    return uow.consents.add(
        subject_id=subject_id, organisation_id=organisation_id, purpose=purpose,
        reference=ref or new_consent_ref(), granted_at=obtained_at, expires_at=expires_at,
        scope=scope, source=source.value, evidence_kind=evidence_kind,
        evidence_sha256=evidence_sha256.lower(), recorded_at=uow.clock.now())


def _audit(uow: UnitOfWork, who: Principal, action: str, subject_ref: str,
           row: ConsentRecord) -> None:
    uow.audit(who.actor, action, subject_ref, row.purpose, consent_ref=row.reference,
              member=row.organisation, scope=row.scope, source=row.source,
              obtained_at=row.granted_at.isoformat(), expires_at=row.expires_at.isoformat(),
              evidence_kind=row.evidence_kind, evidence_sha256=row.evidence_sha256)


# -- a member (for income, a furnisher) records a consent it obtained ---------------------------

_RECORDED_BY = {Role.MEMBER: Source.MEMBER, Role.FURNISHER: Source.FURNISHER}


def _recorder(who: Principal, scopes: list[str]) -> tuple[Source, list[FieldError]]:
    """Who records a consent (a member; for income, a furnisher), and what is wrong with the
    scopes for them. A KeyError is a wiring mistake (no other role records consents)."""
    return _RECORDED_BY[who.role], rules.scope_errors(who.role, scopes)


def record(uow: UnitOfWork, deps: Deps, member: Principal, identity: SubjectIdentity,
           purpose: str, scopes: list[str], obtained_at: datetime, expires_at: datetime,
           evidence_kind: str, evidence_sha256: str) -> dict[str, Any]:
    """The consent as stored, with its new ``consent_ref``. ``member`` is the member (or, for
    the consumer's income, the furnisher: scope ``income`` only) that obtained it. The subject
    is resolved as an inquiry's is: an identity that matches no file exactly is "no file"
    (404). Every refusal is audited ``consent.record_refused`` (services/refusals.py)."""
    source, scope_errors = _recorder(member, scopes)
    profile = deps.profile
    with uow, refusals.audited(
            uow, member.actor, "consent.record_refused", purpose[:60],
            id_hash=deps.vault.audit_hash("national_id", identity.national_id)) as refusal:
        now = uow.clock.now()
        evidence_errors = (lookup_errors(identity, now.date(), profile=profile)
                           + rules.validate_evidence(evidence_kind, evidence_sha256)
                           + scope_errors)
        if evidence_errors:
            raise ValidationFailed(evidence_errors)
        scope = _validated(profile, purpose, scopes, obtained_at, expires_at, now)
        subject = subjects.find(uow, deps.vault, identity, strict=True,
                                names_must_agree=profile.name_must_agree_with_id)
        refusal.subject_ref = subject.item_ref
        row = _store(uow, subject_id=subject.id, organisation_id=member.id, purpose=purpose,
                     scope=scope, obtained_at=obtained_at, expires_at=expires_at,
                     source=source, evidence_kind=evidence_kind,
                     evidence_sha256=evidence_sha256)
        _audit(uow, member, "consent.recorded", subject.item_ref, row)
        uow.commit()
    return _view(row, now)


def record_under_ref(uow: UnitOfWork, profile: Profile, who: Principal, subject: Any,
                     consent_ref: str, purpose: str, scopes: list[str], expires_at: datetime,
                     evidence_sha256: str) -> None:
    """A signed-form consent obtained now by ``who`` for ``subject`` (its ``id`` and
    ``item_ref``), stored under a ref chosen in advance: the demo seed's records name theirs
    before the files exist. The terms are checked and the consent audited as ``record``'s."""
    now = uow.clock.now()
    source, scope_errors = _recorder(who, scopes)
    if scope_errors:
        raise ValidationFailed(scope_errors)
    scope = _validated(profile, purpose, scopes, now, expires_at, now)
    row = _store(uow, subject_id=subject.id, organisation_id=who.id, purpose=purpose,
                 scope=scope, obtained_at=now, expires_at=expires_at,
                 source=source, evidence_kind=EvidenceKind.SIGNED_FORM.value,
                 evidence_sha256=evidence_sha256, ref=consent_ref)
    _audit(uow, who, "consent.recorded", subject.item_ref, row)


# -- the consumer: grant, list, revoke ---------------------------------------------------------

def member_organisations(uow: UnitOfWork, deps: Deps) -> list[dict[str, Any]]:
    """The members a consumer may grant consent to (not revoked), by name."""
    with uow:
        found = uow.organisations.in_role(Role.MEMBER.value)
    return [{"id": o.id, "name": o.name} for o in found]


def _organisation(uow: UnitOfWork, key: int | str, role: Role) -> Organisation:
    """An organisation of ``role`` by id or by name (as the admin list and accesses show
    them), not revoked."""
    found = uow.organisations.active(key, role.value)
    if found is None:
        raise NotFound(NOT_ORGANISATION[role] % {"name": key})
    return found


def income_furnishers(uow: UnitOfWork, deps: Deps, consumer: Principal) -> list[dict[str, Any]]:
    """The furnishers reporting an account on the consumer's file: those a consent to report
    their income can go to."""
    with uow:
        found = uow.organisations.furnishers_of(own_file(uow, consumer).id)
    return [{"id": o.id, "name": o.name} for o in found]


def grant(uow: UnitOfWork, deps: Deps, consumer: Principal, member: int | str, purpose: str,
          expires_at: datetime, scopes: Iterable[str] = (Scope.REPORT,)) -> dict[str, Any]:
    """The consumer consents, now, to ``member`` pulling their file for ``purpose`` until
    ``expires_at`` -- or, for scope ``income`` alone, to the furnisher ``member`` reporting
    their income. The evidence is the SHA-256 of what they agreed to."""
    scopes = [str(s) for s in scopes]
    role = rules.role_for(scopes)
    with uow:
        now = uow.clock.now()
        if errors := rules.scope_errors(role, scopes):
            raise ValidationFailed(errors)
        scope = _validated(deps.profile, purpose, scopes, now, expires_at, now)
        subject = own_file(uow, consumer)
        org = _organisation(uow, member, role)
        evidence = rules.evidence_of_grant(subject.item_ref, org.name, purpose, scope, now,
                                           expires_at)
        row = _store(uow, subject_id=subject.id, organisation_id=org.id, purpose=purpose,
                     scope=scope, obtained_at=now, expires_at=expires_at,
                     source=Source.CONSUMER, evidence_kind=EvidenceKind.IN_APP.value,
                     evidence_sha256=evidence)
        _audit(uow, consumer, "consent.granted", subject.item_ref, row)
        uow.commit()
    return _view(row, now)


def my_consents(uow: UnitOfWork, deps: Deps, consumer: Principal) -> list[dict[str, Any]]:
    """Every consent on the consumer's file, whoever recorded it, newest first."""
    with uow:
        subject = own_file(uow, consumer)
        now = uow.clock.now()
        found = uow.consents.on_file(subject.id)
        uow.audit(consumer.actor, "consents.read", subject.item_ref, "consumer_request")
        uow.commit()
    return [_view(r, now) for r in found]


def revoke(uow: UnitOfWork, deps: Deps, consumer: Principal,
           consent_ref: str) -> dict[str, Any]:
    """Revoke one of the consumer's consents, from now on. Revoking a revoked one changes
    nothing; an expired one cannot be revoked (409); another file's is "not found"."""
    profile = deps.profile
    with uow:
        subject = own_file(uow, consumer)
        now = uow.clock.now()
        row = uow.consents.own(consent_ref, subject.id)
        if row is None:
            raise NotFound(NO_CONSENT)
        if row.revoked_at is not None:
            return _view(row, now)
        if not profile.consent_revocable:
            raise PermissionDenied(NOT_REVOCABLE % {
                "profile": profile.name, "title": profile.title,
                "date": row.expires_at.date().isoformat()})
        if row.expires_at <= now:
            raise Conflict(EXPIRED)
        row = uow.consents.revoke(row.id, now)
        _audit(uow, consumer, "consent.revoked", subject.item_ref, row)
        uow.commit()
    return _view(row, now)


# -- using a consent ---------------------------------------------------------------------------

def for_inquiry(uow: UnitOfWork, profile: Profile, member: Principal, subject_id: int | None,
                purpose: str, consent_ref: str | None) -> Consent:
    """The consent that allows ``member`` to pull file ``subject_id`` (None: the identity
    matched no file) for ``purpose`` now: the one named by ``consent_ref``, or else any of the
    member's consents for that file and purpose in force (a consumer grants one in the app
    without the member knowing its ref). Raises ConsentRequired naming the reason."""
    now = uow.clock.now()
    if consent_ref is not None:
        row = uow.consents.by_ref(consent_ref)
        if row is None:
            raise rules.refused(rules.NONE_RECORDED, purpose, profile, consent_ref)
        consent = _consent(row)
        reason = rules.refusal(consent, now, subject_id=subject_id, organisation_id=member.id,
                               purpose=purpose)
        if reason is not None:
            raise rules.refused(reason, purpose, profile, consent_ref)
        return consent
    if subject_id is None:
        raise rules.refused(rules.NONE_RECORDED, purpose, profile, None)
    candidates = [c for c in map(_consent, uow.consents.of_member(member.id, subject_id,
                                                                  purpose))
                  if Scope.REPORT in c.scopes]
    in_force = [c for c in candidates if c.status(now) == "in_force"]
    if not in_force:
        raise rules.refused(rules.best_refusal(candidates, now), purpose, profile, None)
    return max(in_force, key=lambda c: c.expires_at)


def load(uow: UnitOfWork, consent_refs: Iterable[str]) -> dict[str, Consent]:
    """Consents by ref, for checking many records at once (a furnished chunk): one query for
    the distinct refs (on PostgreSQL one array parameter, however many)."""
    refs = sorted(set(consent_refs))
    if not refs:
        return {}
    return {row.reference: _consent(row) for row in uow.consents.by_refs(refs)}
