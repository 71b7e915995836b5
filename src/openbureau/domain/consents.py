"""Consent to pull a file (or to report income): its terms, when it is in force, and why not.

A consent belongs to one organisation, one subject (file) and one purpose, and covers one or
more scopes (``report``: pulling the file; ``income``: furnishing the subject's income). It is
in force from ``obtained_at`` until ``expires_at``, unless revoked. A member records one it
obtained (with the evidence: its kind and the SHA-256 of the signed form); a consumer may grant
one in the app. Pure Python: services load the rows and ask these rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from openbureau.domain.errors import ConsentRequired, FieldError
from openbureau.domain.profiles import Profile, Purpose
from openbureau.domain.roles import Role
from openbureau.domain.wording import N_


class Scope(StrEnum):
    REPORT = "report"      # pull the subject's file
    INCOME = "income"      # furnish the subject's monthly income (api.md: "only with consent")


class EvidenceKind(StrEnum):
    SIGNED_FORM = "signed_form"
    ELECTRONIC_SIGNATURE = "electronic_signature"
    RECORDED_CALL = "recorded_call"
    IN_APP = "in_app"      # granted by the consumer, signed in, in the bureau's own app


class Source(StrEnum):
    MEMBER = "member"          # recorded by the member that obtained it
    FURNISHER = "furnisher"    # recorded by the furnisher that obtained it (scope income only)
    CONSUMER = "consumer"      # granted by the consumer in the app


# Refusal reasons, as the 403 problem names them (the first words of its detail).
NONE_RECORDED = "no consent recorded for this purpose"
EXPIRED = "consent expired"
REVOKED = "consent revoked"
NOT_YET = "consent not yet in force"
OTHER_MEMBER = "consent belongs to another member"
OTHER_SUBJECT = "consent belongs to another subject"
OTHER_PURPOSE = "consent belongs to another purpose"
OTHER_SCOPE = "consent does not cover this scope"
# ... and those only income furnished with a consent_ref can meet
NO_SUCH_CONSENT = "no consent recorded under this consent_ref"
OTHER_ORGANISATION = "consent belongs to another organisation"

# A plausible term: a consent is not obtained years before it is recorded, nor lasts decades.
MAX_AGE_DAYS = 366 * 3
MAX_TERM_DAYS = 366 * 10


@dataclass(frozen=True)
class Consent:
    ref: str
    subject_id: int
    organisation_id: int
    purpose: str
    scopes: frozenset[str]
    obtained_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    source: str

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= now:
            return "revoked"
        if self.obtained_at > now:
            return "not_yet_in_force"
        if self.expires_at <= now:
            return "expired"
        return "in_force"


# who a consent is given to decides what it can cover: a member pulls files, a furnisher
# reports income (an organisation has one role; a lender that does both is two organisations)
SCOPES_BY_ROLE = {Role.MEMBER: frozenset({"report"}), Role.FURNISHER: frozenset({"income"})}
_WRONG_SCOPE = {
    Role.MEMBER: N_("a member's consent covers pulling the file (report) only: income is "
                    "furnished under a consent given to the furnisher that reports it"),
    Role.FURNISHER: N_("a furnisher's consent covers income only (furnishers report income; "
                       "they do not pull files)")}
# the refusals of a consent's terms a consumer can meet on the consents page
NOT_PERMISSIBLE = N_("not a permissible purpose under the %(profile)s profile")
NO_SCOPE = N_("name at least one scope (report, income)")
TOO_LONG = N_("more than %(n)s days after obtained_at")
NEVER_IN_FORCE = N_("is in the past: the consent would never be in force")


def role_for(scopes: Iterable[str]) -> Role:
    """The role of the organisation a consent of these scopes is given to: a furnisher for
    income alone, else a member."""
    return Role.FURNISHER if set(scopes) == {"income"} else Role.MEMBER


def scope_errors(role: Role, scopes: Iterable[str]) -> list[FieldError]:
    """The scopes a consent given to an organisation of ``role`` may not cover."""
    wrong = set(scopes) - SCOPES_BY_ROLE[role]
    return [FieldError("scope", _WRONG_SCOPE[role])] if wrong else []


def join_scopes(scopes: Iterable[str]) -> str:
    return ",".join(sorted({Scope(s).value for s in scopes}))


def split_scopes(stored: str) -> frozenset[str]:
    return frozenset(s for s in stored.split(",") if s)


def validate_terms(profile: Profile, purpose: str, scopes: Iterable[str], obtained_at: datetime,
                   expires_at: datetime, now: datetime) -> list[FieldError]:
    """The rule every entry point (API, page, CLI) applies before a consent is stored."""
    errors: list[FieldError] = []
    try:
        p: Purpose | None = Purpose(purpose)
    except ValueError:
        p = None
    if p is None or p not in profile.permissible_purposes:
        errors.append(FieldError("purpose", NOT_PERMISSIBLE % {"profile": profile.name}))
    if not list(scopes):
        errors.append(FieldError("scope", NO_SCOPE))
    for name, value in (("obtained_at", obtained_at), ("expires_at", expires_at)):
        if value.tzinfo is None:
            errors.append(FieldError(name, "give a time zone (e.g. 2026-10-30T09:00:00Z)"))
    if errors:
        return errors
    if obtained_at > now:
        errors.append(FieldError("obtained_at", "is in the future"))
    elif now - obtained_at > timedelta(days=MAX_AGE_DAYS):
        errors.append(FieldError("obtained_at", f"is more than {MAX_AGE_DAYS} days ago"))
    if expires_at <= obtained_at:
        errors.append(FieldError("expires_at", N_("must be after obtained_at")))
    elif expires_at <= now:
        errors.append(FieldError("expires_at", NEVER_IN_FORCE))
    elif expires_at - obtained_at > timedelta(days=MAX_TERM_DAYS):
        errors.append(FieldError("expires_at", TOO_LONG % {"n": MAX_TERM_DAYS}))
    return errors


def validate_evidence(kind: str, sha256: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if kind not in {k.value for k in EvidenceKind} - {EvidenceKind.IN_APP.value}:
        errors.append(FieldError("evidence_kind", "one of signed_form, electronic_signature, "
                                                  "recorded_call"))
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
        errors.append(FieldError("evidence_sha256", "the SHA-256 of the signed form: 64 "
                                                    "hexadecimal digits"))
    return errors


def refusal(consent: Consent, now: datetime, *, subject_id: int | None,
            organisation_id: int | None = None, purpose: str | None = None,
            scope: str = Scope.REPORT) -> str | None:
    """Why ``consent`` does not allow this use now, or None when it does.

    ``organisation_id`` / ``purpose`` None: any organisation / purpose (income furnished by a
    lender is covered by a consent the subject gave for its credit application). Whose it is
    comes first, so a caller learns nothing about someone else's consent but that it is not
    theirs."""
    if organisation_id is not None and consent.organisation_id != organisation_id:
        return OTHER_MEMBER
    if subject_id is None or consent.subject_id != subject_id:
        return OTHER_SUBJECT
    if purpose is not None and consent.purpose != purpose:
        return OTHER_PURPOSE
    if scope not in consent.scopes:
        return OTHER_SCOPE
    status = consent.status(now)
    return {"revoked": REVOKED, "expired": EXPIRED, "not_yet_in_force": NOT_YET}.get(status)


def income_refusal(consent: Consent | None, now: datetime, *, subject_id: int,
                   furnisher_id: int) -> str | None:
    """Why a record's ``monthly_income`` may not be stored under ``consent`` (the one its
    ``consent_ref`` names; None: no consent has that ref), or None when it may: the consent
    was given to this furnisher, for the file the record is attached to, covers ``income``
    and is in force now (any purpose: the lender's credit application, an account review)."""
    if consent is None:
        return NO_SUCH_CONSENT
    reason = refusal(consent, now, subject_id=subject_id, organisation_id=furnisher_id,
                     scope=Scope.INCOME)
    return OTHER_ORGANISATION if reason == OTHER_MEMBER else reason


def income_not_stored(reason: str) -> FieldError:
    """The per-record warning when income is dropped: the record itself is kept."""
    return FieldError("monthly_income", (
        f"{reason}: the monthly income was not stored; the rest of the record was. Income "
        "is kept only under a consent this furnisher recorded for this consumer's file, "
        "covering income, in force when the record is furnished, and named by consent_ref."))


def best_refusal(candidates: Iterable[Consent], now: datetime) -> str:
    """The reason to give when none of this member's consents for this subject and purpose is in
    force (``candidates``): the most telling one, else that none was recorded."""
    statuses = {c.status(now) for c in candidates}
    for status, reason in (("expired", EXPIRED), ("revoked", REVOKED),
                           ("not_yet_in_force", NOT_YET)):
        if status in statuses:
            return reason
    return NONE_RECORDED


def refused(reason: str, purpose: str, profile: Profile,
            consent_ref: str | None) -> ConsentRequired:
    which = f"consent {consent_ref}" if consent_ref else "no consent in force"
    return ConsentRequired(
        f"{reason}: purpose {purpose!r} requires the consumer's consent under the "
        f"{profile.name} profile ({profile.title}), in force now, given to this member for this "
        f"file and purpose ({which}). Record the consent you hold, or ask the consumer to grant "
        "it in the app.", reason=reason)


def evidence_of_grant(subject_ref: str, organisation: str, purpose: str, scopes: str,
                      granted_at: datetime, expires_at: datetime) -> str:
    """SHA-256 of what a consumer agreed to in the app, kept as the grant's evidence."""
    text = json.dumps({"subject": subject_ref, "member": organisation, "purpose": purpose,
                       "scope": scopes, "granted_at": granted_at.isoformat(),
                       "expires_at": expires_at.isoformat()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
