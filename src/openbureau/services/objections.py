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

from sqlalchemy import insert, select, update

from openbureau.adapters.tables import (
    objections,
    organisations,
    public_records,
    restrictions,
    subjects,
)
from openbureau.bootstrap import Bureau
from openbureau.domain import bounds
from openbureau.domain import registry as reg
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.services import refusals, registry
from openbureau.services.registry import COURT_PURPOSE, NO_LISTING
from openbureau.unit_of_work import UnitOfWork

CONSUMER_PURPOSE = "consumer_request"
NO_OBJECTION = "no such objection"
TEXT_MAX = 4000             # an objection's reason, a decision's note (api/schemas_registry.py)


def _objection_ref(bureau: Bureau, objection_id: int) -> str:
    return "obj_" + bureau.vault.lookup_hash(f"objection:{objection_id}")[:16]


def object_to_listing(bureau: Bureau, consumer: Principal, listing_ref: str, reason: str,
                      kind: str = reg.ObjectionKind.CORRECTION.value) -> dict[str, Any]:
    """A correction goes to the listing court; a reconsideration of a rejected correction goes
    to the next court up. Each gets its deadline from the profile."""
    try:
        k = reg.ObjectionKind(kind)
    except ValueError:
        raise ValidationFailed([FieldError("kind", "must be correction or reconsideration")]
                               ) from None
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "is required: say what is wrong")])
    bounds.check_text("reason", reason.strip(), TEXT_MAX)
    profile = bureau.profile
    with bureau.uow() as uow:
        now = uow.clock.now()
        listing = uow.execute(
            select(public_records, organisations.c.name.label("court_name"))
            .join(organisations, organisations.c.id == public_records.c.court_id)
            .where(public_records.c.item_ref == listing_ref,
                   public_records.c.subject_id == consumer.id)).first()
        if listing is None:
            raise NotFound(NO_LISTING)
        if listing.status != reg.ListingStatus.ACTIVE:
            raise Conflict(f"the listing is {listing.status}; only an active listing can be "
                           "objected to")
        past = uow.execute(select(objections).where(
            objections.c.public_record_id == listing.id)
            .order_by(objections.c.opened_at.desc(), objections.c.id.desc())).all()
        if any(o.status == reg.ObjectionStatus.OPEN for o in past):
            raise Conflict("an objection to this listing is already open")
        if k is reg.ObjectionKind.CORRECTION:
            court_id, court_name = listing.court_id, listing.court_name
            due = now + timedelta(days=profile.objection_review_days)
        else:
            rejected = next((o for o in past if o.kind == reg.ObjectionKind.CORRECTION
                             and o.status == reg.ObjectionStatus.REJECTED), None)
            if rejected is None:
                raise Conflict("a reconsideration is asked after the court rejects an objection")
            if any(o.kind == reg.ObjectionKind.RECONSIDERATION for o in past):
                raise Conflict("this listing has already been reconsidered by the court above")
            if not reg.reconsideration_open(rejected.decided_at, now,
                                            profile.reconsideration_request_days):
                raise Conflict("a reconsideration must be asked within "
                               f"{profile.reconsideration_request_days} days of the rejection")
            court_id, court_name = _parent_court(uow, bureau, listing.court_name)
            due = now + timedelta(days=profile.reconsideration_decision_days)
        objection_id = uow.execute(insert(objections).values(
            public_record_id=listing.id, subject_id=consumer.id, court_id=court_id,
            kind=k.value, reason=reason.strip(), status=reg.ObjectionStatus.OPEN.value,
            opened_at=now, due_at=due).returning(objections.c.id)).scalar_one()
        ref = _objection_ref(bureau, objection_id)
        out = {"objection_id": ref, "listing_id": listing_ref, "kind": k.value,
               "status": reg.ObjectionStatus.OPEN.value, "court": court_name,
               "opened_at": now, "due_at": due}
        registry.notify(uow, consumer.id, "objection",
                f"Your objection to case {listing.case_number} is with {court_name}",
                {**{key: v.isoformat() if isinstance(v, datetime) else v
                    for key, v in out.items()}, "case_number": listing.case_number})
        uow.audit(consumer.actor, f"objection.{k.value}", consumer.subject_ref, CONSUMER_PURPOSE,
                  objection_ref=ref, listing_ref=listing_ref, court=court_name,
                  due_at=due.isoformat())
        uow.commit()
    return out


def _parent_court(uow: UnitOfWork, bureau: Bureau, court_name: str) -> tuple[int, str]:
    parent = bureau.settings.court_parents.get(court_name)
    row = None if parent is None else uow.execute(select(organisations).where(
        organisations.c.name == parent, organisations.c.role == "court",
        organisations.c.revoked_at.is_(None))).first()
    if row is None:
        raise Conflict(f"no court above {court_name!r} is configured to hear reconsiderations; "
                       "the bureau's operator must set it (OPENBUREAU_COURT_PARENTS)")
    return int(row.id), str(row.name)


def court_objections(bureau: Bureau, court: Principal,
                     status: str | None = None) -> list[dict[str, Any]]:
    with bureau.uow() as uow:
        rows = _objection_rows(uow, court, status)
        uow.audit(court.actor, "objection.list", None, COURT_PURPOSE, count=len(rows))
        uow.commit()
    return [_objection(bureau, o) for o in rows]


def _objection_rows(uow: UnitOfWork, court: Principal, status: str | None = None) -> list[Any]:
    q = (select(objections, public_records.c.item_ref.label("listing_ref"),
                public_records.c.case_number, subjects.c.name.label("debtor_name"),
                subjects.c.item_ref.label("subject_ref"))
         .join(public_records, public_records.c.id == objections.c.public_record_id)
         .join(subjects, subjects.c.id == objections.c.subject_id)
         .where(objections.c.court_id == court.id))
    if status:
        q = q.where(objections.c.status == status)
    return list(uow.execute(q.order_by(objections.c.due_at, objections.c.id)).all())


def _objection(bureau: Bureau, o: Any) -> dict[str, Any]:
    return {"objection_id": _objection_ref(bureau, o.id), "listing_id": o.listing_ref,
            "case_number": o.case_number, "debtor": o.debtor_name, "kind": o.kind,
            "reason": o.reason, "status": o.status, "opened_at": o.opened_at,
            "due_at": o.due_at, "decided_at": o.decided_at, "note": o.note}


@dataclass(frozen=True)
class Correction:
    amount: int | None = None
    ground: str | None = None
    legal_basis: str | None = None
    until: date | None = None
    lift_restrictions: tuple[str, ...] = ()


def decide(bureau: Bureau, court: Principal, objection_ref: str, outcome: str, note: str,
           remedy: str | None = None, correction: Correction | None = None) -> dict[str, Any]:
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
    profile = bureau.profile
    with bureau.uow() as uow, refusals.audited(
            uow, court.actor, "objection.refused", COURT_PURPOSE, attempt="decide",
            objection_ref=objection_ref[:60], outcome=result.value) as refusal:
        now = uow.clock.now()
        o = next((x for x in _objection_rows(uow, court)
                  if _objection_ref(bureau, x.id) == objection_ref), None)
        if o is None:
            raise NotFound(NO_OBJECTION)
        refusal.subject_ref = o.subject_ref
        status = reg.decide_objection(o.status, result)
        listing = uow.execute(select(public_records).where(
            public_records.c.id == o.public_record_id)).one()
        if result is reg.Outcome.UPHELD:
            if fix is reg.Remedy.REMOVE:
                registry.close_listing(uow, listing, reg.ListingStatus.REMOVED,
                                       f"objection upheld: {note}")
            else:
                assert correction is not None
                changes = _correct(uow, bureau, listing, correction)
                uow.audit(court.actor, "listing.correct", o.subject_ref, COURT_PURPOSE,
                          listing_ref=o.listing_ref, objection_ref=objection_ref, **changes)
        uow.execute(update(objections).where(objections.c.id == o.id).values(
            status=status.value, decided_at=now, note=note))
        body: dict[str, Any] = {"objection_id": objection_ref, "listing_id": o.listing_ref,
                                "case_number": o.case_number, "outcome": status.value,
                                "remedy": fix.value if fix else None, "note": note,
                                "court": court.name}
        if (result is reg.Outcome.REJECTED
                and o.kind == reg.ObjectionKind.CORRECTION.value):
            body["reconsideration"] = (
                "you may ask the next court up to reconsider within "
                f"{profile.reconsideration_request_days} days (an objection of the kind "
                "reconsideration)")
        registry.notify(uow, o.subject_id, "objection_decision",
                f"{court.name} has {status.value} your objection to case {o.case_number}", body)
        uow.audit(court.actor, "objection.decide", o.subject_ref, COURT_PURPOSE,
                  objection_ref=objection_ref, listing_ref=o.listing_ref, outcome=status.value,
                  remedy=fix.value if fix else None)
        uow.commit()
        decided = next(x for x in _objection_rows(uow, court) if x.id == o.id)
    return _objection(bureau, decided)


def _correct(uow: UnitOfWork, bureau: Bureau, listing: Any, c: Correction) -> dict[str, Any]:
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
    held = {r.category for r in uow.execute(select(restrictions.c.category).where(
        restrictions.c.public_record_id == listing.id, restrictions.c.lifted_at.is_(None)))}
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
    if values:
        uow.execute(update(public_records).where(public_records.c.id == listing.id)
                    .values(**values))
    if "until" in values:   # a restriction may not outlast its listing
        outlasting = ((restrictions.c.public_record_id == listing.id)
                      & restrictions.c.lifted_at.is_(None)
                      & (restrictions.c.until.is_(None) | (restrictions.c.until > c.until)))
        changed["restrictions_until"] = [
            {"category": r.category, "before": _plain(r.until), "after": _plain(c.until)}
            for r in uow.execute(select(restrictions.c.category, restrictions.c.until)
                                 .where(outlasting).order_by(restrictions.c.category))]
        uow.execute(update(restrictions).where(outlasting).values(until=c.until))
    if c.lift_restrictions:
        uow.execute(update(restrictions).where(
            restrictions.c.public_record_id == listing.id,
            restrictions.c.category.in_(c.lift_restrictions),
            restrictions.c.lifted_at.is_(None)).values(lifted_at=uow.clock.now()))
    return changed


def _plain(value: Any) -> Any:
    """A listing's value as JSON keeps it (dates as ISO 8601)."""
    return value.isoformat() if isinstance(value, date) else value
