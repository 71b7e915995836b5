"""Objections to a court listing: the debtor objects, the listing court decides within the
profile's review window; a rejected correction may go to the next court up.

Objections have no ``item_ref`` column; their opaque reference is a keyed hash of the row id
(``_objection_ref``), resolved within the deciding court's own objections.

The next court up is deployment configuration: ``settings.court_parents`` maps a court's
organisation name to its superior's (``OPENBUREAU_COURT_PARENTS``, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openbureau.domain import bounds
from openbureau.domain import registry as reg
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.domain.wording import N_
from openbureau.services import refusals
from openbureau.services.ports import Deps, UnitOfWork, Vault
from openbureau.services.registry import COURT_PURPOSE, NO_LISTING
from openbureau.services.stored import ListingDetail, Objection, ObjectionOnFile

# the listing's status a code ("satisfied"), in words where shown (i18n.Language.message)
NOT_ACTIVE = N_("the listing is %(status)s; only an active listing can be objected to")
NO_PARENT = N_("no court above %(court)s is configured to hear reconsiderations; the bureau's "
               "operator must set it (OPENBUREAU_COURT_PARENTS)")
LATE = N_("a reconsideration must be asked within %(n)s days of the rejection")
CONSUMER_PURPOSE = "consumer_request"
NO_OBJECTION = "no such objection"
TEXT_MAX = 4000             # an objection's reason, a decision's note (api/schemas_registry.py)


def _objection_ref(vault: Vault, objection_id: int) -> str:
    return "obj_" + vault.lookup_hash(f"objection:{objection_id}")[:16]


def object_to_listing(uow: UnitOfWork, deps: Deps, consumer: Principal, listing_ref: str,
                      reason: str,
                      kind: str = reg.ObjectionKind.CORRECTION.value) -> dict[str, Any]:
    """A correction goes to the listing court; a reconsideration of a rejected correction goes
    to the next court up. Each gets its deadline from the profile."""
    try:
        k = reg.ObjectionKind(kind)
    except ValueError:
        raise ValidationFailed([FieldError("kind", N_("must be correction or reconsideration"))]
                               ) from None
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", N_("is required: say what is wrong"))])
    bounds.check_text("reason", reason.strip(), TEXT_MAX)
    profile = deps.profile
    with uow:
        now = uow.clock.now()
        listing = uow.listings.on_file(listing_ref, consumer.id)
        if listing is None:
            raise NotFound(NO_LISTING)
        if listing.status != reg.ListingStatus.ACTIVE:
            raise Conflict(NOT_ACTIVE % {"status": listing.status})
        past = uow.objections.of_listing(listing.id)
        if any(o.status == reg.ObjectionStatus.OPEN for o in past):
            raise Conflict(N_("an objection to this listing is already open"))
        if k is reg.ObjectionKind.CORRECTION:
            court_id, court_name = listing.court_id, listing.court_name
            due = now + timedelta(days=profile.objection_review_days)
        else:
            rejected = next((o for o in past if o.kind == reg.ObjectionKind.CORRECTION
                             and o.status == reg.ObjectionStatus.REJECTED), None)
            if rejected is None:
                raise Conflict(N_("a reconsideration is asked after the court rejects an "
                                  "objection"))
            if any(o.kind == reg.ObjectionKind.RECONSIDERATION for o in past):
                raise Conflict(N_("this listing has already been reconsidered by the court "
                                  "above"))
            assert rejected.decided_at is not None
            if not reg.reconsideration_open(rejected.decided_at, now,
                                            profile.reconsideration_request_days):
                raise Conflict(LATE % {"n": profile.reconsideration_request_days})
            court_id, court_name = _parent_court(uow, deps, listing.court_name)
            due = now + timedelta(days=profile.reconsideration_decision_days)
        objection_id = uow.objections.add(Objection(
            id=0, public_record_id=listing.id, subject_id=consumer.id, court_id=court_id,
            kind=k.value, reason=reason.strip(), status=reg.ObjectionStatus.OPEN.value,
            opened_at=now, due_at=due))
        ref = _objection_ref(deps.vault, objection_id)
        out = {"objection_id": ref, "listing_id": listing_ref, "kind": k.value,
               "status": reg.ObjectionStatus.OPEN.value, "court": court_name,
               "opened_at": now, "due_at": due}
        uow.notices.add(consumer.id, "objection",
                        f"Your objection to case {listing.case_number} is with {court_name}",
                        {**{key: v.isoformat() if isinstance(v, datetime) else v
                            for key, v in out.items()}, "case_number": listing.case_number},
                        now)
        uow.audit(consumer.actor, f"objection.{k.value}", consumer.subject_ref, CONSUMER_PURPOSE,
                  objection_ref=ref, listing_ref=listing_ref, court=court_name,
                  due_at=due.isoformat())
        uow.commit()
    return out


def _parent_court(uow: UnitOfWork, deps: Deps, court_name: str) -> tuple[int, str]:
    parent = deps.settings.court_parents.get(court_name)
    found = None if parent is None else uow.organisations.active(parent, "court")
    if found is None:
        raise Conflict(NO_PARENT % {"court": court_name})
    return found.id, found.name


def court_objections(uow: UnitOfWork, deps: Deps, court: Principal,
                     status: str | None = None) -> list[dict[str, Any]]:
    with uow:
        found = uow.objections.of_court(court.id, status)
        uow.audit(court.actor, "objection.list", None, COURT_PURPOSE, count=len(found))
        uow.commit()
    return [_objection(deps.vault, o) for o in found]


def _objection(vault: Vault, f: ObjectionOnFile) -> dict[str, Any]:
    o = f.objection
    return {"objection_id": _objection_ref(vault, o.id), "listing_id": f.listing_ref,
            "case_number": f.case_number, "debtor": f.debtor_name, "kind": o.kind,
            "reason": o.reason, "status": o.status, "opened_at": o.opened_at,
            "due_at": o.due_at, "decided_at": o.decided_at, "note": o.note}


@dataclass(frozen=True)
class Correction:
    amount: int | None = None
    ground: str | None = None
    legal_basis: str | None = None
    until: date | None = None
    lift_restrictions: tuple[str, ...] = ()


def decide(uow: UnitOfWork, deps: Deps, court: Principal, objection_ref: str, outcome: str,
           note: str, remedy: str | None = None,
           correction: Correction | None = None) -> dict[str, Any]:
    """Upheld: the listing is corrected or removed at once. Rejected: the debtor is told they
    may ask the next court up within the profile's window."""
    try:
        result = reg.Outcome(outcome)
        fix = reg.Remedy(remedy) if remedy else None
    except ValueError:
        raise ValidationFailed([FieldError("outcome", "must be upheld or rejected, with the "
                                           "remedy correct|remove when upheld")]) from None
    note = note.strip()
    if not note:
        raise ValidationFailed([FieldError("note", "is required: give the court's reasons")])
    bounds.check_text("note", note, TEXT_MAX)
    if result is reg.Outcome.UPHELD and fix is None:
        raise ValidationFailed([FieldError("remedy", "an upheld objection says how the listing "
                                           "is put right: correct|remove")])
    if fix is reg.Remedy.CORRECT and (correction is None or correction == Correction()):
        raise ValidationFailed([FieldError("correction", "say what is corrected")])
    profile = deps.profile
    with uow, refusals.audited(
            uow, court.actor, "objection.refused", COURT_PURPOSE, attempt="decide",
            objection_ref=objection_ref[:60], outcome=result.value) as refusal:
        now = uow.clock.now()
        f = next((x for x in uow.objections.of_court(court.id, None)
                  if _objection_ref(deps.vault, x.objection.id) == objection_ref), None)
        if f is None:
            raise NotFound(NO_OBJECTION)
        o = f.objection
        refusal.subject_ref = f.subject_ref
        status = reg.decide_objection(o.status, result)
        listing = uow.listings.detail(o.public_record_id)
        if result is reg.Outcome.UPHELD:
            if fix is reg.Remedy.REMOVE:
                reg.move_listing(listing.status, reg.ListingStatus.REMOVED)
                uow.listings.close(listing.id, reg.ListingStatus.REMOVED.value,
                                   f"objection upheld: {note}", now)
            else:
                assert correction is not None
                changes = _correct(uow, listing, correction)
                uow.audit(court.actor, "listing.correct", f.subject_ref, COURT_PURPOSE,
                          listing_ref=f.listing_ref, objection_ref=objection_ref, **changes)
        uow.objections.decide(o.id, status.value, now, note)
        body: dict[str, Any] = {"objection_id": objection_ref, "listing_id": f.listing_ref,
                                "case_number": f.case_number, "outcome": status.value,
                                "remedy": fix.value if fix else None, "note": note,
                                "court": court.name}
        if (result is reg.Outcome.REJECTED
                and o.kind == reg.ObjectionKind.CORRECTION.value):
            body["reconsideration"] = (
                N_("you may ask the next court up to reconsider within %(n)s days (an "
                   "objection of the kind reconsideration)")
                % {"n": profile.reconsideration_request_days})
        uow.notices.add(o.subject_id, "objection_decision",
                        f"{court.name} has {status.value} your objection to case "
                        f"{f.case_number}", body, now)
        uow.audit(court.actor, "objection.decide", f.subject_ref, COURT_PURPOSE,
                  objection_ref=objection_ref, listing_ref=f.listing_ref, outcome=status.value,
                  remedy=fix.value if fix else None)
        uow.commit()
        decided = next(x for x in uow.objections.of_court(court.id, None)
                       if x.objection.id == o.id)
    return _objection(deps.vault, decided)


def _correct(uow: UnitOfWork, listing: ListingDetail, c: Correction) -> dict[str, Any]:
    """Apply an upheld correction; returns what changed, as the audit event keeps it:
    ``changes`` ({field: {before, after}}), the restrictions lifted, and the restrictions whose
    end moved with the listing's."""
    if listing.status != reg.ListingStatus.ACTIVE:
        raise Conflict(f"the listing is {listing.status}; there is nothing left to correct")
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    if c.amount is not None:
        if (problem := bounds.amount_error(c.amount)) is not None:
            errors.append(FieldError("correction.amount", problem))
        values["amount"] = c.amount
    if c.ground is not None:
        try:
            values["ground"] = reg.Ground(c.ground).value
        except ValueError:
            errors.append(FieldError("correction.ground", "must be one of "
                                     + "|".join(g.value for g in reg.Ground)))
    if c.legal_basis is not None:
        if not c.legal_basis.strip():
            errors.append(FieldError("correction.legal_basis", "may not be empty"))
        elif (problem := bounds.text_error(c.legal_basis.strip(),
                                           reg.LEGAL_BASIS_MAX)) is not None:
            errors.append(FieldError("correction.legal_basis", problem))
        values["legal_basis"] = c.legal_basis.strip()
    if c.until is not None:
        if (problem := bounds.until_error(c.until, uow.clock.now().date())) is not None:
            errors.append(FieldError("correction.until", problem))
        values["until"] = c.until
    in_force = uow.listings.restrictions_in_force(listing.id)
    held = {cat for cat, _ in in_force}
    for i, cat in enumerate(c.lift_restrictions):
        if cat not in held:
            errors.append(FieldError(f"correction.lift_restrictions[{i}]",
                                     f"{cat!r} is not ordered on this listing"))
    if errors:
        raise ValidationFailed(errors)
    changed: dict[str, Any] = {
        "changes": {k: {"before": _plain(getattr(listing, k)), "after": _plain(v)}
                    for k, v in values.items() if getattr(listing, k) != v},
        "lifted_restrictions": sorted(set(c.lift_restrictions))}
    uow.listings.correct(listing.id, values)
    if c.until is not None:   # a restriction may not outlast its listing
        changed["restrictions_until"] = [
            {"category": cat, "before": _plain(until), "after": _plain(c.until)}
            for cat, until in in_force if until is None or until > c.until]
        uow.listings.end_restrictions_by(listing.id, c.until)
    if c.lift_restrictions:
        uow.listings.lift_restrictions(listing.id, list(c.lift_restrictions),
                                       uow.clock.now())
    return changed


def _plain(value: Any) -> Any:
    """A listing's value as JSON keeps it (dates as ISO 8601)."""
    return value.isoformat() if isinstance(value, date) else value
