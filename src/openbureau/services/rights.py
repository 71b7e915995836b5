"""The consumer's other rights: statements, the security freeze, fraud alerts, and offers.

Each use case is one transaction with its audit event; a refused request stores nothing. Whether
a right exists at all (freeze, fraud alerts) and how long it lasts come from the profile.

Offers are perks for good standing, shown only to consumers who opted in and whose current score
(the latest of the active model) reaches the offer's ``min_score``. Opting out takes effect at
once: the consumer leaves every offer list and every member's count of who an offer reaches.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from openbureau.domain import bounds
from openbureau.domain.errors import NO_ITEM, Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.profiles import Profile
from openbureau.domain.roles import Principal, consumer_id
from openbureau.domain.wording import N_
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.stored import Offer

PURPOSE = "consumer_request"
FRAUD_ALERT_KINDS = ("initial", "extended")
STATEMENT_MAX = 1000        # api/schemas_rights.py StatementIn

# what a profile does not offer (its name as a code, its title in words)
NO_FREEZE = N_("a security freeze is not available under the %(profile)s profile (%(title)s); "
               "members need a permissible purpose (and consent where the profile requires "
               "it) to see your file")
NO_ALERT = {"initial": N_("initial fraud alerts are not available under the %(profile)s "
                          "profile (%(title)s)"),
            "extended": N_("extended fraud alerts are not available under the %(profile)s "
                           "profile (%(title)s)")}
# a fraud alert already in force: each kind's sentence whole, for the catalogue
ALERT_ACTIVE = {"initial": N_("an initial fraud alert is already active until %(date)s"),
                "extended": N_("an extended fraud alert is already active until %(date)s")}


def _notify(uow: UnitOfWork, subject_id: int, notice_kind: str, notice_title: str,
            **body: Any) -> None:
    uow.notices.add(subject_id, notice_kind, notice_title, body, uow.clock.now())


# -- statements --------------------------------------------------------------------------------

def add_statement(uow: UnitOfWork, deps: Deps, consumer: Principal, item_ref: str | None,
                  text: str) -> dict[str, Any]:
    """A statement of dispute, on one item or on the file as a whole; shown on every report."""
    sid = consumer_id(consumer)
    text = text.strip()
    if not text:
        raise ValidationFailed([FieldError("text", N_("must not be empty"))])
    bounds.check_text("text", text, STATEMENT_MAX)
    with uow:
        if item_ref is not None and not uow.files.holds(sid, item_ref):
            raise NotFound(NO_ITEM)
        now = uow.clock.now()
        uow.files.add_statement(sid, item_ref, text, now)
        uow.audit(consumer.actor, "statement.add", consumer.subject_ref, PURPOSE,
                  item_ref=item_ref)
        uow.commit()
    return {"item_ref": item_ref, "text": text, "created_at": now}


# -- freeze ------------------------------------------------------------------------------------

def _freeze_available(p: Profile) -> None:
    if not p.freeze_available:
        raise Conflict(NO_FREEZE % {"profile": p.name, "title": p.title})


def place_freeze(uow: UnitOfWork, deps: Deps, consumer: Principal) -> dict[str, Any]:
    """Freeze the file against inquiries for new credit; placing it again changes nothing."""
    sid = consumer_id(consumer)
    _freeze_available(deps.profile)
    with uow:
        current = uow.files.active_freeze(sid)
        if current is not None:
            return {"frozen": True, "placed_at": current[1]}
        now = uow.clock.now()
        uow.files.place_freeze(sid, now)
        _notify(uow, sid, "freeze_placed", "Your file is frozen",
                placed_at=now.isoformat(),
                explanation=N_("Members can no longer pull your file to open new credit. Your "
                               "existing creditors can still review your accounts, and "
                               "collections and court orders are not affected. Lift the freeze "
                               "at any time."))
        uow.audit(consumer.actor, "freeze.place", consumer.subject_ref, PURPOSE)
        uow.commit()
    return {"frozen": True, "placed_at": now}


def lift_freeze(uow: UnitOfWork, deps: Deps, consumer: Principal) -> dict[str, Any]:
    sid = consumer_id(consumer)
    _freeze_available(deps.profile)
    with uow:
        current = uow.files.active_freeze(sid)
        if current is None:
            raise Conflict(N_("your file is not frozen"))
        freeze_id, placed_at = current
        now = uow.clock.now()
        uow.files.lift_freeze(freeze_id, now)
        _notify(uow, sid, "freeze_lifted", "Your freeze was lifted", lifted_at=now.isoformat(),
                placed_at=placed_at.isoformat())
        uow.audit(consumer.actor, "freeze.lift", consumer.subject_ref, PURPOSE)
        uow.commit()
    return {"frozen": False, "lifted_at": now}


# -- fraud alerts ------------------------------------------------------------------------------

def place_fraud_alert(uow: UnitOfWork, deps: Deps, consumer: Principal,
                      kind: str) -> dict[str, Any]:
    """An initial or extended fraud alert, shown to every member who pulls the file until it
    expires (``fraud_alert_initial_days`` / ``fraud_alert_extended_days``)."""
    sid = consumer_id(consumer)
    p = deps.profile
    if kind not in FRAUD_ALERT_KINDS:
        raise ValidationFailed([FieldError("kind", N_("must be initial or extended"))])
    days = p.fraud_alert_initial_days if kind == "initial" else p.fraud_alert_extended_days
    if days is None:
        raise Conflict(NO_ALERT[kind] % {"profile": p.name, "title": p.title})
    with uow:
        now = uow.clock.now()
        until = uow.fraud_alerts.active_until(sid, kind, now)
        if until is not None:
            raise Conflict(ALERT_ACTIVE[kind] % {"date": until.date().isoformat()})
        expires = now + timedelta(days=days)
        uow.fraud_alerts.add(sid, kind, now, expires)
        _notify(uow, sid, "fraud_alert_placed", f"Your {kind} fraud alert is in place",
                kind=kind, placed_at=now.isoformat(), expires_at=expires.isoformat(),
                explanation=N_("Every member who pulls your file sees the alert and should "
                               "verify your identity before extending credit in your name."))
        uow.audit(consumer.actor, "fraud_alert.place", consumer.subject_ref, PURPOSE, kind=kind,
                  expires_at=expires.isoformat())
        uow.commit()
    return {"kind": kind, "placed_at": now, "expires_at": expires}


# -- offers ------------------------------------------------------------------------------------

def current_score(uow: UnitOfWork, subject_id: int) -> int | None:
    """The subject's current score (the latest of the active model), or None."""
    row = uow.scores.current(subject_id)
    return None if row is None else int(row["value"])


def _offer_view(o: Offer) -> dict[str, Any]:
    return {"offer_id": o.id, "title": o.title, "description": o.description,
            "min_score": o.min_score, "category": o.category, "created_at": o.created_at}


def create_offer(uow: UnitOfWork, deps: Deps, member: Principal, title: str, description: str,
                 min_score: int, category: str) -> dict[str, Any]:
    errors = []
    if isinstance(min_score, bool) or not isinstance(min_score, int) or not (
            SCORE_MIN <= min_score <= SCORE_MAX):
        errors.append(FieldError("min_score", f"must be within the score range {SCORE_MIN}-"
                                              f"{SCORE_MAX}"))
    title, description, category = (v.strip() for v in (title, description, category))
    for field, value, most in (("title", title, 200), ("description", description, 4000),
                               ("category", category, 40)):
        problem = "is required" if not value else bounds.text_error(value, most)
        if problem is not None:
            errors.append(FieldError(field, problem))
    if errors:
        raise ValidationFailed(errors)
    with uow:
        offer = uow.offers.add(member.id, title, description, min_score, category,
                               uow.clock.now())
        uow.audit(member.actor, "offer.create", None, "offers", offer_id=offer.id,
                  min_score=min_score, category=category)
        uow.commit()
    with uow:
        count = uow.offers.reach(member.id, offer.id).get(offer.id, 0)
    return {**_offer_view(offer), **suppressed_reach(count, reach_min(deps))}


# Fewer qualifying consumers than ``offer_reach_min_count`` (default 10) are shown as "fewer
# than N", never as a count: a count of 1 at min_score 600 and 0 at 610 would tell a member an
# opted-in consumer's score (docs/security.md, "Offer reach").


def reach_min(deps: Deps) -> int:
    return deps.settings.offer_reach_min_count


def suppressed_reach(count: int, minimum: int) -> dict[str, Any]:
    """``reach`` as a member sees it: the count, or None with ``reach_suppressed`` when it is
    smaller than ``minimum`` (zero included: 0 against 1 is the same disclosure)."""
    if count < minimum:
        return {"reach": None, "reach_suppressed": True, "reach_minimum": minimum}
    return {"reach": count, "reach_suppressed": False, "reach_minimum": minimum}


def member_offers(uow: UnitOfWork, deps: Deps, member: Principal) -> list[dict[str, Any]]:
    """The member's offers with ``reach``: how many opted-in consumers currently qualify (a
    count, never who they are), suppressed below ``reach_min``."""
    with uow:
        mine = uow.offers.of_member(member.id)
        reach = uow.offers.reach(member.id)
    minimum = reach_min(deps)
    return [{**_offer_view(o), **suppressed_reach(reach.get(o.id, 0), minimum)} for o in mine]


def set_offers_consent(uow: UnitOfWork, deps: Deps, consumer: Principal,
                       opt_in: bool) -> dict[str, Any]:
    sid = consumer_id(consumer)
    with uow:
        uow.offers.set_opt_in(sid, opt_in)
        uow.audit(consumer.actor, "offers.consent", consumer.subject_ref, PURPOSE,
                  opt_in=opt_in)
        uow.commit()
    return {"opt_in": opt_in}


def my_offers(uow: UnitOfWork, deps: Deps, consumer: Principal) -> dict[str, Any]:
    """Offers the consumer qualifies for; none when opted out or not scored."""
    sid = consumer_id(consumer)
    with uow:
        opt_in = uow.offers.opted_in(sid)
        score = current_score(uow, sid) if opt_in else None
        found = [] if score is None else uow.offers.qualifying(score)
        uow.audit(consumer.actor, "offers.read", consumer.subject_ref, PURPOSE,
                  count=len(found))
        uow.commit()
    return {"opt_in": opt_in, "score": score,
            "items": [{**_offer_view(o), "member": o.member} for o in found]}
