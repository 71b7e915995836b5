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

from sqlalchemy import ColumnElement, Subquery, and_, func, insert, select, update

from openbureau.adapters import notices as stored_notices
from openbureau.adapters import scores as stored_scores
from openbureau.adapters.tables import (
    accounts,
    consumer_logins,
    fraud_alerts,
    freezes,
    inquiries,
    offers,
    organisations,
    public_records,
    statements,
    subjects,
)
from openbureau.bootstrap import Bureau
from openbureau.domain import bounds
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal, consumer_id
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.unit_of_work import UnitOfWork

NO_ITEM = "no item with this reference on your file"
PURPOSE = "consumer_request"
FRAUD_ALERT_KINDS = ("initial", "extended")
STATEMENT_MAX = 1000        # api/schemas_rights.py StatementIn


def _notify(uow: UnitOfWork, subject_id: int, notice_kind: str, notice_title: str,
            **body: Any) -> None:
    stored_notices.add(uow, subject_id, notice_kind, notice_title, body)


# -- statements --------------------------------------------------------------------------------

def _own_item(uow: UnitOfWork, subject_id: int, ref: str) -> bool:
    checks = [
        select(accounts.c.id).where(accounts.c.item_ref == ref,
                                    accounts.c.subject_id == subject_id,
                                    accounts.c.deleted_at.is_(None)),
        select(public_records.c.id).where(public_records.c.item_ref == ref,
                                          public_records.c.subject_id == subject_id),
        select(inquiries.c.id).where(inquiries.c.item_ref == ref,
                                     inquiries.c.subject_id == subject_id),
        select(subjects.c.id).where(subjects.c.item_ref == ref, subjects.c.id == subject_id),
    ]
    return any(uow.execute(q).first() is not None for q in checks)


def add_statement(bureau: Bureau, consumer: Principal, item_ref: str | None,
                  text: str) -> dict[str, Any]:
    """A statement of dispute, on one item or on the file as a whole; shown on every report."""
    sid = consumer_id(consumer)
    text = text.strip()
    if not text:
        raise ValidationFailed([FieldError("text", "must not be empty")])
    bounds.check_text("text", text, STATEMENT_MAX)
    with bureau.uow() as uow:
        if item_ref is not None and not _own_item(uow, sid, item_ref):
            raise NotFound(NO_ITEM)
        now = uow.clock.now()
        uow.execute(insert(statements).values(subject_id=sid, item_ref=item_ref, text=text,
                                              created_at=now))
        uow.audit(consumer.actor, "statement.add", consumer.subject_ref, PURPOSE,
                  item_ref=item_ref)
        uow.commit()
    return {"item_ref": item_ref, "text": text, "created_at": now}


# -- freeze ------------------------------------------------------------------------------------

def _freeze_available(bureau: Bureau) -> None:
    p = bureau.profile
    if not p.freeze_available:
        raise Conflict(f"a security freeze is not available under the {p.name} profile "
                       f"({p.title}); members need a permissible purpose (and consent where "
                       "the profile requires it) to see your file")


def _active_freeze(uow: UnitOfWork, subject_id: int) -> Any:
    return uow.execute(select(freezes).where(freezes.c.subject_id == subject_id,
                                             freezes.c.lifted_at.is_(None))).first()


def place_freeze(bureau: Bureau, consumer: Principal) -> dict[str, Any]:
    """Freeze the file against inquiries for new credit; placing it again changes nothing."""
    sid = consumer_id(consumer)
    _freeze_available(bureau)
    with bureau.uow() as uow:
        current = _active_freeze(uow, sid)
        if current is not None:
            return {"frozen": True, "placed_at": current.placed_at}
        now = uow.clock.now()
        uow.execute(insert(freezes).values(subject_id=sid, placed_at=now))
        _notify(uow, sid, "freeze_placed", "Your file is frozen",
                placed_at=now.isoformat(),
                explanation="Members can no longer pull your file to open new credit. Your "
                            "existing creditors can still review your accounts, and collections "
                            "and court orders are not affected. Lift the freeze at any time.")
        uow.audit(consumer.actor, "freeze.place", consumer.subject_ref, PURPOSE)
        uow.commit()
    return {"frozen": True, "placed_at": now}


def lift_freeze(bureau: Bureau, consumer: Principal) -> dict[str, Any]:
    sid = consumer_id(consumer)
    _freeze_available(bureau)
    with bureau.uow() as uow:
        current = _active_freeze(uow, sid)
        if current is None:
            raise Conflict("your file is not frozen")
        now = uow.clock.now()
        uow.execute(update(freezes).where(freezes.c.id == current.id).values(lifted_at=now))
        _notify(uow, sid, "freeze_lifted", "Your freeze was lifted", lifted_at=now.isoformat(),
                placed_at=current.placed_at.isoformat())
        uow.audit(consumer.actor, "freeze.lift", consumer.subject_ref, PURPOSE)
        uow.commit()
    return {"frozen": False, "lifted_at": now}


# -- fraud alerts ------------------------------------------------------------------------------

def place_fraud_alert(bureau: Bureau, consumer: Principal, kind: str) -> dict[str, Any]:
    """An initial or extended fraud alert, shown to every member who pulls the file until it
    expires (``fraud_alert_initial_days`` / ``fraud_alert_extended_days``)."""
    sid = consumer_id(consumer)
    p = bureau.profile
    if kind not in FRAUD_ALERT_KINDS:
        raise ValidationFailed([FieldError("kind", "must be initial or extended")])
    days = p.fraud_alert_initial_days if kind == "initial" else p.fraud_alert_extended_days
    if days is None:
        raise Conflict(f"{kind} fraud alerts are not available under the {p.name} profile "
                       f"({p.title})")
    with bureau.uow() as uow:
        now = uow.clock.now()
        active = uow.execute(select(fraud_alerts).where(
            fraud_alerts.c.subject_id == sid, fraud_alerts.c.kind == kind,
            fraud_alerts.c.expires_at > now)).first()
        if active is not None:
            raise Conflict(f"an {kind} fraud alert is already active until "
                           f"{active.expires_at.isoformat()}")
        expires = now + timedelta(days=days)
        uow.execute(insert(fraud_alerts).values(subject_id=sid, kind=kind, placed_at=now,
                                                expires_at=expires))
        _notify(uow, sid, "fraud_alert_placed", f"Your {kind} fraud alert is in place",
                kind=kind, placed_at=now.isoformat(), expires_at=expires.isoformat(),
                explanation="Every member who pulls your file sees the alert and should verify "
                            "your identity before extending credit in your name.")
        uow.audit(consumer.actor, "fraud_alert.place", consumer.subject_ref, PURPOSE, kind=kind,
                  expires_at=expires.isoformat())
        uow.commit()
    return {"kind": kind, "placed_at": now, "expires_at": expires}


# -- offers ------------------------------------------------------------------------------------

def current_score(uow: UnitOfWork, subject_id: int) -> int | None:
    """The subject's current score (the latest of the active model), or None."""
    value: int | None = uow.execute(
        select(stored_scores.current(subject_id=subject_id).c.value)).scalar()
    return value


def _offer_view(o: Any) -> dict[str, Any]:
    return {"offer_id": o.id, "title": o.title, "description": o.description,
            "min_score": o.min_score, "category": o.category, "created_at": o.created_at}


def create_offer(bureau: Bureau, member: Principal, title: str, description: str,
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
    with bureau.uow() as uow:
        now = uow.clock.now()
        offer_id = int(uow.execute(insert(offers).values(
            organisation_id=member.id, title=title, description=description,
            min_score=min_score, category=category, created_at=now
        ).returning(offers.c.id)).scalar_one())
        row = uow.execute(select(offers).where(offers.c.id == offer_id)).one()
        uow.audit(member.actor, "offer.create", None, "offers", offer_id=offer_id,
                  min_score=min_score, category=category)
        uow.commit()
    return {**_offer_view(row), **_reach(bureau, offer_id)}


def _opted_in_scores() -> Subquery:
    """``subject_id, value``: the current score (of the active model) of every consumer who
    opted in to offers; none without a score."""
    current = stored_scores.current()
    return (select(current.c.subject_id, current.c.value)
            .join(consumer_logins, consumer_logins.c.subject_id == current.c.subject_id)
            .where(consumer_logins.c.offers_opt_in).subquery())


def _reach_counts(uow: UnitOfWork, offer_filter: ColumnElement[bool]) -> dict[int, int]:
    """Per offer of ``offer_filter``: how many opted-in consumers' current scores reach its
    ``min_score``, counted by the database."""
    current = _opted_in_scores()
    return {int(i): int(n) for i, n in uow.execute(
        select(offers.c.id, func.count(current.c.subject_id))
        .join(current, current.c.value >= offers.c.min_score)
        .where(offer_filter).group_by(offers.c.id))}


# Fewer qualifying consumers than ``offer_reach_min_count`` (default 10) are shown as "fewer
# than N", never as a count: a count of 1 at min_score 600 and 0 at 610 would tell a member an
# opted-in consumer's score (docs/security.md, "Offer reach").


def reach_min(bureau: Bureau) -> int:
    return bureau.settings.offer_reach_min_count


def suppressed_reach(count: int, minimum: int) -> dict[str, Any]:
    """``reach`` as a member sees it: the count, or None with ``reach_suppressed`` when it is
    smaller than ``minimum`` (zero included: 0 against 1 is the same disclosure)."""
    if count < minimum:
        return {"reach": None, "reach_suppressed": True, "reach_minimum": minimum}
    return {"reach": count, "reach_suppressed": False, "reach_minimum": minimum}


def _reach(bureau: Bureau, offer_id: int) -> dict[str, Any]:
    with bureau.uow() as uow:
        count = _reach_counts(uow, offers.c.id == offer_id).get(offer_id, 0)
    return suppressed_reach(count, reach_min(bureau))


def member_offers(bureau: Bureau, member: Principal) -> list[dict[str, Any]]:
    """The member's offers with ``reach``: how many opted-in consumers currently qualify (a
    count, never who they are), suppressed below ``reach_min``."""
    mine = and_(offers.c.organisation_id == member.id, offers.c.withdrawn_at.is_(None))
    with bureau.uow() as uow:
        rows = uow.execute(select(offers).where(mine)
                           .order_by(offers.c.created_at, offers.c.id)).all()
        reach = _reach_counts(uow, mine)
    minimum = reach_min(bureau)
    return [{**_offer_view(o), **suppressed_reach(reach.get(o.id, 0), minimum)} for o in rows]


def set_offers_consent(bureau: Bureau, consumer: Principal, opt_in: bool) -> dict[str, Any]:
    sid = consumer_id(consumer)
    with bureau.uow() as uow:
        uow.execute(update(consumer_logins).where(consumer_logins.c.subject_id == sid)
                    .values(offers_opt_in=opt_in))
        uow.audit(consumer.actor, "offers.consent", consumer.subject_ref, PURPOSE,
                  opt_in=opt_in)
        uow.commit()
    return {"opt_in": opt_in}


def my_offers(bureau: Bureau, consumer: Principal) -> dict[str, Any]:
    """Offers the consumer qualifies for; none when opted out or not scored."""
    sid = consumer_id(consumer)
    with bureau.uow() as uow:
        opt_in = bool(uow.execute(select(consumer_logins.c.offers_opt_in)
                                  .where(consumer_logins.c.subject_id == sid)).scalar())
        score = current_score(uow, sid) if opt_in else None
        rows = [] if score is None else uow.execute(
            select(offers, organisations.c.name.label("member"))
            .join(organisations, organisations.c.id == offers.c.organisation_id)
            .where(offers.c.withdrawn_at.is_(None), offers.c.min_score <= score)
            .order_by(offers.c.min_score.desc(), offers.c.id)).all()
        uow.audit(consumer.actor, "offers.read", consumer.subject_ref, PURPOSE,
                  count=len(rows))
        uow.commit()
    return {"opt_in": opt_in, "score": score,
            "items": [{**_offer_view(o), "member": o.member} for o in rows]}
