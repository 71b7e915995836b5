"""The court defaulter registry: list, lift and vacate judgments, check restrictions, and the
public search. Each use case is one transaction with its audit events.

The debtor is told at once of every change to a listing (a ``notices`` row). Restrictions bind
the listed subject alone: an organisation's listing binds the organisation, never its officers or
staff, and nothing is ever inferred from one subject about another.

Objections to a listing are in ``objections.py``.
"""

from __future__ import annotations

import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openbureau.domain import bounds, national_ids
from openbureau.domain import registry as reg
from openbureau.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    ProhibitedData,
    ValidationFailed,
)
from openbureau.domain.profiles import Profile
from openbureau.domain.records import (
    SubjectIdentity,
    lookup_errors,
    mask_national_id,
    parse_subject,
)
from openbureau.domain.roles import Principal
from openbureau.domain.wording import N_
from openbureau.services import refusals
from openbureau.services import subjects as subject_service
from openbureau.services.ports import Deps, UnitOfWork, rate_limits
from openbureau.services.refs import new_ref
from openbureau.services.stored import ListedJudgment, PublicRecord, Subject

COURT_PURPOSE = "court_order"
CHECK_PURPOSE = "restriction_check"
NO_LISTING = N_("no such listing")
# the public search (docs/security.md): at most this many listings per answer, and a name of at
# least PUBLIC_MIN_NAME letters, or PUBLIC_NAME_ALONE without the identifier's end or the court
PUBLIC_LIMIT = 20
PUBLIC_MIN_NAME = 2
PUBLIC_NAME_ALONE = 4
NOTE_MAX = 2000             # a satisfaction's note, a vacatur's reason (api/schemas_registry.py)


def catalogue(deps: Deps) -> reg.Catalogue:
    return reg.Catalogue.configured(deps.settings.restriction_catalogue)


@dataclass(frozen=True)
class Debtor:
    """A person by national id, name and birth date, or an organisation by registration number."""

    kind: str                     # person | organisation
    identifier: str
    name: str
    date_of_birth: date | None = None

    @property
    def identifier_field(self) -> str:
        return "national_id" if self.kind == "person" else "registration_number"

    def parse(self, today: date, profile: Profile | None = None
              ) -> tuple[SubjectIdentity | None, list[FieldError]]:
        """The debtor's identity, or the errors naming what is wrong with it: the record
        schema's subject rules (``parse_subject``), a person's national id as the ``profile``
        asks for it (``national_ids.errors``), and a birth date not in the future."""
        field = self.identifier_field
        identity, errors = parse_subject({"national_id": self.identifier, "name": self.name,
                                          "date_of_birth": self.date_of_birth}, "debtor.",
                                         require_national_id=True)
        if profile is not None and self.kind == "person" and identity is not None:
            errors += national_ids.errors(profile.national_id_scheme, False,
                                          identity.national_id, identity.date_of_birth,
                                          "debtor.national_id")
        errors = [FieldError(e.field.replace("national_id", field), e.message) for e in errors]
        if self.kind == "organisation" and self.date_of_birth is not None:
            errors.append(FieldError("debtor.date_of_birth",
                                     "an organisation has no date of birth"))
        elif self.date_of_birth is not None and not any(
                e.field == "debtor.date_of_birth" for e in errors):
            problem = bounds.birth_date_error(self.date_of_birth, today)
            if problem is not None:
                errors.append(FieldError("debtor.date_of_birth", problem))
        return (None, errors) if errors else (identity, [])


# -- listing -----------------------------------------------------------------------------------

def list_judgment(uow: UnitOfWork, deps: Deps, court: Principal, *, case_number: str,
                  debtor: Debtor, amount: int, currency: str, judgment_date: date,
                  ground: str | None, legal_basis: str | None,
                  restrictions_asked: list[reg.RequestedRestriction],
                  until: date | None = None) -> dict[str, Any]:
    """Validate (``reg.listing_order``: every refusal at once, the debtor's among them), store
    the listing and its restrictions, and notify the debtor, at once. A refused listing is
    audited ``listing.refused`` and stores nothing else; an identity that disagrees with the
    file under its identifier gets one neutral answer, audited and capped per court."""
    try:
        return _list(uow, deps, court, case_number=case_number, debtor=debtor, amount=amount,
                     currency=currency, judgment_date=judgment_date, ground=ground,
                     legal_basis=legal_basis, restrictions_asked=restrictions_asked,
                     until=until)
    except _IdentityRefused:
        pass
    # audited and counted in transactions of their own (the listing's rolled back): a court
    # that tries identifiers with other names or birth dates is visible in the audit log and
    # stopped after ``court_identity_refusals_per_day``
    with uow:
        uow.audit(court.actor, "listing.identity_refused", None, COURT_PURPOSE,
                  case_number=case_number[:60], debtor_kind=debtor.kind,
                  id_hash=deps.vault.audit_hash(debtor.identifier_field, debtor.identifier))
        uow.commit()
    rate_limits(deps).take(f"listing_refused:court:{court.id}",
                           deps.settings.court_identity_refusals_per_day, window=timedelta(days=1),
                           what=N_("listings refused for an unverified identity"))
    raise ValidationFailed([FieldError("debtor", IDENTITY_REFUSED)], IDENTITY_REFUSED)


# One answer, whatever disagreed (another kind of file, another name, another birth date): it
# never says that a file exists under the identifier, nor what it holds (docs/security.md,
# "The court learns no file's details").
IDENTITY_REFUSED = ("the debtor's identity could not be verified; check the identifier, name, "
                    "birth date and kind against the judgment")


class _IdentityRefused(Exception):
    pass


def _list(uow: UnitOfWork, deps: Deps, court: Principal, *, case_number: str, debtor: Debtor,
          amount: int, currency: str, judgment_date: date,
          ground: str | None, legal_basis: str | None,
          restrictions_asked: list[reg.RequestedRestriction],
          until: date | None) -> dict[str, Any]:
    with uow, refusals.audited(
            uow, court.actor, "listing.refused", COURT_PURPOSE, attempt="create",
            case_number=case_number[:60], debtor_kind=debtor.kind,
            id_hash=deps.vault.audit_hash(debtor.identifier_field, debtor.identifier)
    ) as refusal:
        now = uow.clock.now()
        identity, debtor_errors = debtor.parse(now.date(), deps.profile)
        order = reg.listing_order(
            case_number=case_number, amount=amount, currency=currency, ground=ground,
            legal_basis=legal_basis, judgment_date=judgment_date, today=now.date(), until=until,
            restrictions=restrictions_asked, catalogue=catalogue(deps),
            term_days=deps.profile.listing_term_days, known=debtor_errors)
        assert identity is not None
        case_number = order.case_number
        subject, link = _debtor_subject(uow, deps, identity, debtor.kind)
        if uow.registry.listed(court.id, case_number, subject.id):
            refusal.subject_ref = subject.item_ref      # an existing file, named exactly
            raise Conflict(f"case {case_number!r} is already listed for this debtor by this court")
        ref = new_ref("pr")
        record_id = uow.registry.add(
            subject_id=subject.id, court_id=court.id, case_number=case_number,
            amount=order.amount, currency=order.currency, judgment_date=judgment_date,
            ground=order.ground.value, legal_basis=order.legal_basis,
            status=reg.ListingStatus.ACTIVE.value, listed_at=now, until=order.until,
            item_ref=ref, orders=[(r.category, r.until) for r in order.restrictions],
            link=link)
        listing = _listing(uow, deps, record_id)
        notify(uow, subject.id, "listing",
                f"{court.name} has listed you as a judgment debtor (case {case_number})",
                {**_notice_body(listing),
                 "objection": N_("you may object to this listing; the court decides "
                                 "within %(n)s days")
                              % {"n": deps.profile.objection_review_days}})
        uow.audit(court.actor, "listing.create", subject.item_ref, COURT_PURPOSE,
                  listing_ref=ref, case_number=case_number, ground=order.ground.value,
                  debtor_kind=debtor.kind,
                  restrictions=[r.category for r in order.restrictions])
        uow.commit()
    return listing


def _debtor_subject(uow: UnitOfWork, deps: Deps, identity: SubjectIdentity,
                    kind: str) -> tuple[Subject, dict[str, Any]]:
    """The debtor's file, and how it was found (the listing's ``link``: why it is on the
    file). A person is resolved by the matching model as every look-up is
    (``subjects.resolve_linked``: a file opened from records without a national id is found by
    name and birth date; a file whose name is written otherwise, "SMITH, JOHN Q", is still
    found); the file holding the identifier must be the one meant, its name and birth date
    agreeing, or the listing is refused (``_IdentityRefused``). No file: one is opened from the
    judgment."""
    assert identity.national_id is not None, "a debtor is named by identifier (``Debtor``)"
    row = uow.subjects.by_hmac(deps.vault.lookup_hash(identity.national_id))
    given = subject_service.given(deps.vault, identity)
    at = uow.clock.now().date().isoformat()
    if kind == "person":
        found = None
        with suppress(NotFound):
            found, _, link = subject_service.resolve_linked(
                uow, deps.vault, identity,
                names_must_agree=deps.profile.name_must_agree_with_id)
        if found is not None and found.kind == kind and (row is None or found.id == row.id):
            return found, link
    if row is None:
        return subject_service.by_id(
            uow, subject_service.find_or_create(uow, deps.vault, identity, kind=kind)), \
            {"how": "new_file", "at": at, "given": given}
    if row.kind != kind or not subject_service.names_match(row.name, identity.name) or (
            identity.date_of_birth is not None and row.date_of_birth is not None
            and identity.date_of_birth != row.date_of_birth):
        raise _IdentityRefused
    return row, {"how": "identifier", "at": at, "given": given}


def lift(uow: UnitOfWork, deps: Deps, court: Principal, listing_ref: str, how: str,
         note: str | None = None) -> dict[str, Any]:
    """Performance, settlement or termination: listing and restrictions lifted at once."""
    try:
        kind = reg.Satisfaction(how)
    except ValueError:
        raise ValidationFailed([FieldError("kind", "must be one of " + "|".join(
            k.value for k in reg.Satisfaction))]) from None
    note = (note or "").strip() or None
    if note is not None:
        bounds.check_text("note", note, NOTE_MAX)
    target = reg.SATISFACTION_STATUS[kind]
    return _end_listing(uow, deps, court, listing_ref, target, note or kind.value,
                        "listing.lift", how=kind.value)


def vacate(uow: UnitOfWork, deps: Deps, court: Principal, listing_ref: str,
           reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "is required: say why the listing is "
                                           "vacated")])
    bounds.check_text("reason", reason.strip(), NOTE_MAX)
    return _end_listing(uow, deps, court, listing_ref, reg.ListingStatus.VACATED,
                        reason.strip(),
                        "listing.vacate")


def _end_listing(uow: UnitOfWork, deps: Deps, court: Principal, listing_ref: str,
                 target: reg.ListingStatus, reason: str, action: str,
                 **detail: Any) -> dict[str, Any]:
    with uow, refusals.audited(
            uow, court.actor, "listing.refused", COURT_PURPOSE, attempt=action.split(".")[-1],
            listing_ref=listing_ref[:60]) as refusal:
        row = _own_listing(uow, court, listing_ref)
        subject = subject_service.by_id(uow, row.subject_id)
        refusal.subject_ref = subject.item_ref
        close_listing(uow, row, target, reason)
        listing = _listing(uow, deps, row.id)
        notify(uow, row.subject_id, "listing_lifted",
                f"Your listing in case {row.case_number} is {target.value}: it and its "
                "restrictions no longer apply", {**_notice_body(listing), "reason": reason})
        uow.audit(court.actor, action, subject.item_ref, COURT_PURPOSE, listing_ref=listing_ref,
                  status=target.value, **detail)
        uow.commit()
    return listing


def close_listing(uow: UnitOfWork, row: PublicRecord, target: reg.ListingStatus,
                  reason: str) -> None:
    reg.move_listing(row.status, target)
    uow.listings.close(row.id, target.value, reason, uow.clock.now())


def _own_listing(uow: UnitOfWork, court: Principal, listing_ref: str) -> PublicRecord:
    row = uow.registry.of_court_ref(court.id, listing_ref)
    if row is None:
        raise NotFound(NO_LISTING)
    return row


def court_listings(uow: UnitOfWork, deps: Deps, court: Principal,
                   status: str | None = None) -> list[dict[str, Any]]:
    with uow:
        out = [_listing(uow, deps, i) for i in uow.registry.ids_of_court(court.id, status)]
        uow.audit(court.actor, "listing.list", None, COURT_PURPOSE, count=len(out))
        uow.commit()
    return out


def _listing(uow: UnitOfWork, deps: Deps, record_id: int) -> dict[str, Any]:
    j: ListedJudgment = uow.registry.judgment(record_id)
    r = j.record
    return {
        "listing_id": r.item_ref, "case_number": r.case_number, "court": j.court_name,
        "debtor": {"kind": j.debtor_kind, "name": j.debtor_name,
                   "identifier_masked": _masked(deps, j.id_ciphertext)},
        "amount": r.amount, "currency": r.currency, "judgment_date": r.judgment_date,
        "ground": r.ground, "legal_basis": r.legal_basis, "status": r.status,
        "listed_at": r.listed_at, "until": r.until, "lifted_at": r.lifted_at,
        "lift_reason": r.lift_reason,
        "restrictions": [{"category": o.category, "ordered_on": o.ordered_on, "until": o.until,
                          "lifted_at": o.lifted_at} for o in j.restrictions],
    }


def _masked(deps: Deps, id_ciphertext: bytes | None) -> str:
    assert id_ciphertext is not None, "a listed debtor is named by identifier"
    return mask_national_id(deps.vault.decrypt(id_ciphertext))


def _notice_body(listing: dict[str, Any]) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date | datetime) else v

    body = {k: plain(v) for k, v in listing.items() if k not in ("debtor", "restrictions")}
    body["restrictions"] = [{k: plain(v) for k, v in o.items()} for o in listing["restrictions"]
                            if o["lifted_at"] is None]
    return body


def notify(uow: UnitOfWork, subject_id: int, kind: str, title: str,
            body: dict[str, Any]) -> None:
    uow.notices.add(subject_id, kind, title, body, uow.clock.now())


# -- restriction check -------------------------------------------------------------------------

def restriction_check(uow: UnitOfWork, deps: Deps, member: Principal,
                      identity: SubjectIdentity, category: str) -> dict[str, Any]:
    """``{check_id, restricted, orders}``; recorded as an access the subject sees. A refused
    check (a malformed identity, a category outside the catalogue, no file matching the
    identity exactly) is audited ``restriction_check.refused`` and stores nothing else."""
    with uow, refusals.audited(
            uow, member.actor, "restriction_check.refused", CHECK_PURPOSE,
            category=category[:60],
            id_hash=deps.vault.audit_hash("national_id", identity.national_id)) as refusal:
        errors = lookup_errors(identity, uow.clock.now().date(), profile=deps.profile)
        error = catalogue(deps).error_for(category)
        if errors:
            raise ValidationFailed([*errors, *([error] if error else [])])
        now = uow.clock.now()
        subject = None
        link = None
        with suppress(NotFound):
            subject, _, link = subject_service.resolve_linked(
                uow, deps.vault, identity,
                names_must_agree=deps.profile.name_must_agree_with_id)
            refusal.subject_ref = subject.item_ref
        if error is not None:       # refused before "no file": the answer tells no file apart
            raise (ProhibitedData if error.category else ValidationFailed)([error])
        if subject is None:
            raise NotFound(subject_service.NO_FILE)
        rows = uow.registry.orders(subject.id, category)
        orders = [{"case_number": r.case_number, "court": r.court, "ground": r.ground,
                   "category": r.category, "ordered_on": r.ordered_on, "until": r.until}
                  for r in rows if reg.in_force(r.until, now.date())]
        ref = new_ref("chk")
        uow.registry.add_check(
            subject_id=subject.id, member_id=member.id, purpose=CHECK_PURPOSE,
            category=category, created_at=now, item_ref=ref,
            result={"restricted": bool(orders), "cases": [o["case_number"] for o in orders]},
            link=link)
        uow.audit(member.actor, "restriction.check", subject.item_ref, CHECK_PURPOSE,
                  check_ref=ref, category=category, restricted=bool(orders))
        uow.commit()
    return {"check_id": ref, "restricted": bool(orders), "orders": orders}


# -- public search -----------------------------------------------------------------------------

def _letters(text: str) -> int:
    """How specific a searched name is: its letters and digits, an East Asian wide character
    (a Chinese, Japanese or Korean syllable) counting two, so that a two-character Chinese
    name weighs as much as "Wang"; punctuation and wildcards count nothing."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text if c.isalnum())


def check_public_query(name: str | None, id_suffix: str | None, court: str | None) -> bool:
    """The public search's minimum specificity (docs/security.md, "Public defaulter search").

    A name is required, of at least ``PUBLIC_MIN_NAME`` letters. A name of fewer than
    ``PUBLIC_NAME_ALONE`` letters must come with the identifier's last four characters or the
    court, and then matches whole name words only ("Li" finds "Li Wei", not "Alice"). No query
    lists a whole court or every identifier ending in some digits. Returns whether the name is
    matched as a whole word. Raises ``ValidationFailed`` (422) naming the rule otherwise."""
    if id_suffix is not None and not (id_suffix.isalnum() and len(id_suffix) == 4):
        raise ValidationFailed([FieldError("id_suffix", N_(
            "must be the last %(n)s letters or digits of the identifier") % {"n": 4})])
    weight = _letters(name or "")
    if name is None or weight < PUBLIC_MIN_NAME:
        raise ValidationFailed([FieldError(
            "name", N_("give a name of at least %(n)s letters (with the last %(n2)s characters "
                       "of the identifier or the court, or of at least %(n3)s letters on its "
                       "own); the list is searched for a person, not browsed")
            % {"n": PUBLIC_MIN_NAME, "n2": 4, "n3": PUBLIC_NAME_ALONE})])
    if weight < PUBLIC_NAME_ALONE:
        if id_suffix is None and court is None:
            raise ValidationFailed([FieldError(
                "name", N_("a name of fewer than %(n)s letters must be searched with the last "
                           "%(n2)s characters of the identifier or the court")
                % {"n": PUBLIC_NAME_ALONE, "n2": 4})])
        return True
    return False


def public_search(uow: UnitOfWork, deps: Deps, client_key: str, *, name: str | None = None,
                  id_suffix: str | None = None, court: str | None = None) -> list[dict[str, Any]]:
    """Active listings only, with the fields courts publish, at most ``PUBLIC_LIMIT`` (newest
    first); only queries specific enough to look a person up (``check_public_query``);
    rate-limited per client."""
    name, id_suffix, court = ((v or "").strip() or None for v in (name, id_suffix, court))
    if name is not None:
        name = " ".join(name.split())
    whole_word = check_public_query(name, id_suffix, court)
    assert name is not None
    limits = rate_limits(deps)
    limits.take(limits.bucket_for("public_search", client_key),
                deps.settings.public_search_per_minute, what=N_("searches"))
    with uow:
        rows = uow.registry.search(uow.clock.now().date(), name, whole_word, id_suffix, court,
                                   PUBLIC_LIMIT)
    return [{"name": r.debtor_name,
             "identifier_masked": _masked(deps, r.id_ciphertext),
             "court": r.court_name, "case_number": r.case_number, "amount": r.amount,
             "currency": r.currency, "ground": r.ground, "listed_on": r.listed_at.date()}
            for r in rows]

