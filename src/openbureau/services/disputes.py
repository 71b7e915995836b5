"""Disputes: the consumer opens one, the furnisher answers, silence past the deadline decides.

Each use case is one transaction: the dispute's change, its effect on the file (correction,
deletion, suppression, restriction), the consumer's notice, the rescore and the audit events
commit together or not at all. A refused request stores nothing.

Items are named by their report ``item_ref``; an item on another person's file is answered as
"no such item" (404), never distinguished from one that does not exist.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from types import TracebackType
from typing import Any

from sqlalchemy import insert, select, update

from openbureau.adapters import notices as stored_notices
from openbureau.adapters.audit import PendingEvent
from openbureau.adapters.tables import accounts, disputes, public_records, subjects
from openbureau.bootstrap import Bureau
from openbureau.domain import bounds
from openbureau.domain import disputes as rules
from openbureau.domain.disputes import DisputeStatus, ItemKind, Outcome
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.records import parse_account_record
from openbureau.domain.roles import SYSTEM, Principal, Role, consumer_id
from openbureau.services import furnishing, refusals, scoring_hooks
from openbureau.services.refs import new_ref
from openbureau.unit_of_work import UnitOfWork

NO_ITEM = "no item with this reference on your file"
NO_DISPUTE = "no such dispute"
PURPOSE = "dispute"
TEXT_MAX = 2000             # a reason, a statement, information added, a note (schemas_rights)
# accounts.suppressed_reason for each outcome of silence that takes an account off the file
SUPPRESSED_REASON = {DisputeStatus.EXPIRED: "dispute_unverified",
                     DisputeStatus.RESTRICTED: "dispute_restricted"}


def _view(d: Any) -> dict[str, Any]:
    return {"dispute_id": d.ref, "item": {"kind": d.item_kind, "ref": d.item_ref},
            "status": d.status, "reason": d.reason, "statement": d.statement,
            "opened_at": d.opened_at, "due_at": d.due_at, "answered_at": d.answered_at,
            "note": d.note}


# -- consumer ----------------------------------------------------------------------------------

def _resolve_item(uow: UnitOfWork, subject_id: int, kind: ItemKind, ref: str) -> int | None:
    """The organisation that must verify the item (None for identity data); NotFound unless
    the item is on this subject's file as the report shows it."""
    if kind is ItemKind.ACCOUNT:
        row = uow.execute(select(accounts.c.furnisher_id).where(
            accounts.c.item_ref == ref, accounts.c.subject_id == subject_id,
            accounts.c.deleted_at.is_(None), accounts.c.suppressed_at.is_(None))).first()
        if row is None:
            raise NotFound(NO_ITEM)
        return int(row.furnisher_id)
    if kind is ItemKind.PUBLIC_RECORD:
        row = uow.execute(select(public_records.c.court_id).where(
            public_records.c.item_ref == ref, public_records.c.subject_id == subject_id,
            public_records.c.status == "active")).first()
        if row is None:
            raise NotFound(NO_ITEM)
        return int(row.court_id)
    row = uow.execute(select(subjects.c.id).where(subjects.c.item_ref == ref,
                                                  subjects.c.id == subject_id)).first()
    if row is None:
        raise NotFound(NO_ITEM)
    return None


def open_dispute(bureau: Bureau, consumer: Principal, item_kind: str, ref: str, reason: str,
                 statement: str | None) -> dict[str, Any]:
    """``{dispute_id, status, due_at}``; the item shows as disputed at once."""
    sid = consumer_id(consumer)
    try:
        kind = ItemKind(item_kind)
    except ValueError:
        raise ValidationFailed([FieldError("item.kind", "must be one of " + "|".join(
            k.value for k in ItemKind))]) from None
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldError("reason", "must say what is wrong with the item")])
    bounds.check_text("reason", reason, TEXT_MAX)
    if statement and statement.strip():
        bounds.check_text("statement", statement.strip(), TEXT_MAX)
    with bureau.uow() as uow:
        furnisher_id = _resolve_item(uow, sid, kind, ref)
        if uow.execute(select(disputes.c.id).where(
                disputes.c.subject_id == sid, disputes.c.item_ref == ref,
                disputes.c.status == DisputeStatus.OPEN.value)).first() is not None:
            raise Conflict("this item already has an open dispute; add information to that "
                           "dispute instead")
        now = uow.clock.now()
        due = rules.due_at(now, bureau.profile)
        dispute_id = new_ref("dsp")     # opaque: a sequential id told how many disputes exist
        uow.execute(insert(disputes).values(
            ref=dispute_id, subject_id=sid, item_kind=kind.value, item_ref=ref,
            furnisher_id=furnisher_id,
            reason=reason, statement=(statement or "").strip() or None,
            status=DisputeStatus.OPEN.value, opened_at=now, due_at=due))
        uow.audit(consumer.actor, "dispute.open", consumer.subject_ref, PURPOSE,
                  dispute_id=dispute_id, item_kind=kind.value, item_ref=ref,
                  due_at=due.isoformat())
        _rescore(bureau, uow, sid)
        uow.commit()
    bureau.metrics.disputes_opened.inc()
    return {"dispute_id": dispute_id, "status": DisputeStatus.OPEN.value, "due_at": due}


def my_disputes(bureau: Bureau, consumer: Principal) -> list[dict[str, Any]]:
    sid = consumer_id(consumer)
    with bureau.uow() as uow:
        rows = uow.execute(select(disputes).where(disputes.c.subject_id == sid)
                           .order_by(disputes.c.opened_at.desc(), disputes.c.id.desc())).all()
        uow.audit(consumer.actor, "disputes.read", consumer.subject_ref, PURPOSE)
        uow.commit()
    return [_view(d) for d in rows]


def add_information(bureau: Bureau, consumer: Principal, dispute_id: str,
                    text: str) -> dict[str, Any]:
    """The consumer adds information to an open dispute; the deadline is extended once by the
    profile's ``dispute_extension_days`` (FCRA 611(a)(1)(B): 15 days; GDPR: up to two months)."""
    sid = consumer_id(consumer)
    text = text.strip()
    if not text:
        raise ValidationFailed([FieldError("text", "must not be empty")])
    bounds.check_text("text", text, TEXT_MAX)
    with bureau.uow() as uow:
        d = uow.execute(select(disputes).where(disputes.c.ref == dispute_id,
                                               disputes.c.subject_id == sid)).first()
        if d is None:
            raise NotFound(NO_DISPUTE)
        rules.require_open(d.status)
        now = uow.clock.now()
        due = rules.extended_due_at(d.opened_at, d.due_at, bureau.profile)
        added = f"[added {now.date().isoformat()}] {text}"
        statement = f"{d.statement}\n\n{added}" if d.statement else added
        uow.execute(update(disputes).where(disputes.c.id == d.id)
                    .values(statement=statement, due_at=due))
        uow.audit(consumer.actor, "dispute.information", consumer.subject_ref, PURPOSE,
                  dispute_id=d.ref, due_at=due.isoformat(), extended=due != d.due_at)
        uow.commit()
    return {"dispute_id": d.ref, "status": d.status, "due_at": due}


# -- furnisher ---------------------------------------------------------------------------------

def furnisher_disputes(bureau: Bureau, furnisher: Principal,
                       status: str | None) -> list[dict[str, Any]]:
    """Disputes on this furnisher's accounts, oldest deadline first, with what the furnisher
    needs to investigate: its own account reference, the consumer's reason and statement."""
    with bureau.uow() as uow:
        q = (select(disputes, accounts.c.account_ref, subjects.c.name,
                    subjects.c.id_suffix, subjects.c.item_ref.label("subject_ref"))
             .join(accounts, accounts.c.item_ref == disputes.c.item_ref)
             .join(subjects, subjects.c.id == disputes.c.subject_id)
             .where(disputes.c.furnisher_id == furnisher.id,
                    disputes.c.item_kind == ItemKind.ACCOUNT.value))
        if status:
            q = q.where(disputes.c.status == status)
        rows = uow.execute(q.order_by(disputes.c.due_at, disputes.c.id)).all()
        uow.audit(furnisher.actor, "disputes.list", None, PURPOSE, status=status,
                  count=len(rows))
        uow.commit()
    out = []
    for d in rows:
        item = _view(d)
        item.update(account_ref=d.account_ref,
                    subject={"name": d.name, "national_id_masked": _masked(d.id_suffix)})
        out.append(item)
    return out


class _Joined:
    """A unit of work that joins the caller's: ``furnishing.furnish`` runs inside the dispute's
    transaction, its audit events go to the caller's unit, and only the caller commits."""

    def __init__(self, parent: UnitOfWork) -> None:
        self._parent = parent
        self.clock = parent.clock
        self.session = parent.session

    def __enter__(self) -> _Joined:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def execute(self, statement: Any, params: Any = None) -> Any:
        return self._parent.execute(statement, params)

    def audit(self, *args: Any, **kwargs: Any) -> None:
        self._parent.audit(*args, **kwargs)

    def audit_many(self, events: list[PendingEvent]) -> None:
        self._parent.audit_many(events)

    def commit(self) -> None:
        self.session.flush()

    def rollback(self) -> None:
        raise RuntimeError("a joined unit of work cannot roll back on its own")


def _apply_correction(bureau: Bureau, uow: UnitOfWork, furnisher: Principal, d: Any,
                      raw: dict[str, Any] | None) -> None:
    if raw is None:
        raise ValidationFailed([FieldError("corrected_record",
                                           "is required when the outcome is corrected")])
    try:
        rec = parse_account_record(raw)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldError("corrected_record." + e.field, e.message,
                                           category=e.category) for e in exc.errors]) from None
    acc = uow.execute(select(accounts.c.account_ref, subjects.c.id_hmac)
                      .join(subjects, subjects.c.id == accounts.c.subject_id)
                      .where(accounts.c.item_ref == d.item_ref)).one()
    # a file without a national id (issue 11) is matched by the correction's lack of one
    same_id = (acc.id_hmac is None and rec.subject.national_id is None) or (
        rec.subject.national_id is not None
        and bureau.vault.lookup_hash(rec.subject.national_id) == acc.id_hmac)
    if rec.account_ref != acc.account_ref or not same_id:
        raise ValidationFailed([FieldError(
            "corrected_record", "must be the disputed account: same account_ref and subject")])
    joined = dataclasses.replace(bureau)
    joined.uow = lambda: _Joined(uow)  # type: ignore[method-assign,assignment,return-value]
    summary = furnishing.furnish(joined, furnisher, [furnishing.Candidate(0, raw)], chunk=1)
    if summary.rejected:
        raise ValidationFailed([FieldError("corrected_record." + e.field, e.message)
                                for r in summary.rejected for e in r.errors])


#: Who answers a dispute on each kind of item: the furnisher of an account, the court that
#: listed a public record, the bureau's operator for identity data.
ANSWERED_BY = {Role.FURNISHER: ItemKind.ACCOUNT, Role.COURT: ItemKind.PUBLIC_RECORD,
               Role.OPERATOR: ItemKind.IDENTITY}


def respond(bureau: Bureau, who: Principal, dispute_id: str, outcome: str,
            corrected_record: dict[str, Any] | None, note: str | None,
            corrected_identity: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answering party's outcome: verified, corrected or deleted (what each means depends
    on the kind of item; see ``_apply``)."""
    out = Outcome(outcome)
    kind = ANSWERED_BY[who.role]
    if note and note.strip():
        bounds.check_text("note", note.strip(), TEXT_MAX)
    with bureau.uow() as uow, refusals.audited(
            uow, who.actor, "dispute_answer.refused", PURPOSE, dispute_id=dispute_id,
            outcome=out.value) as refusal:
        q = select(disputes).where(disputes.c.ref == dispute_id,
                                   disputes.c.item_kind == kind.value)
        if kind is not ItemKind.IDENTITY:
            q = q.where(disputes.c.furnisher_id == who.id)
        d = uow.execute(q).first()
        if d is None:
            raise NotFound(NO_DISPUTE)
        refusal.subject_ref = uow.execute(select(subjects.c.item_ref).where(
            subjects.c.id == d.subject_id)).scalar_one()
        now = uow.clock.now()
        status = rules.answer(d.status, out, d.due_at, now)
        if out is not Outcome.CORRECTED and (corrected_record or corrected_identity):
            raise ValidationFailed([FieldError(
                "corrected_record" if corrected_record else "corrected_identity",
                "is only sent with the outcome corrected")])
        _apply(bureau, uow, who, d, kind, out, corrected_record, corrected_identity, note, now)
        _close(bureau, uow, d, status, (note or "").strip() or None, who, now)
        uow.commit()
    return {"dispute_id": d.ref, "status": status.value, "answered_at": now}


def _apply(bureau: Bureau, uow: UnitOfWork, who: Principal, d: Any, kind: ItemKind,
           out: Outcome, corrected_record: dict[str, Any] | None,
           corrected_identity: dict[str, Any] | None, note: str | None, now: Any) -> None:
    """The effect of an answer on the file."""
    if kind is ItemKind.ACCOUNT:
        if out is Outcome.CORRECTED:
            _apply_correction(bureau, uow, who, d, corrected_record)
        elif out is Outcome.DELETED:
            uow.execute(update(accounts).where(accounts.c.item_ref == d.item_ref)
                        .values(deleted_at=now, updated_at=now))
    elif kind is ItemKind.PUBLIC_RECORD:
        if out is Outcome.CORRECTED:
            raise ValidationFailed([FieldError(
                "outcome", "a listing is corrected through the objection procedure; answer "
                "verified, or deleted to remove the listing")])
        if out is Outcome.DELETED:
            from openbureau.domain.registry import ListingStatus
            from openbureau.services.registry import close_listing

            row = uow.execute(select(public_records)
                              .where(public_records.c.item_ref == d.item_ref)).one()
            if row.status == "active":
                close_listing(uow, row, ListingStatus.VACATED,
                              "removed after a dispute" + (f": {note.strip()}" if note else ""))
    else:
        if out is Outcome.DELETED:
            raise ValidationFailed([FieldError(
                "outcome", "identity data is corrected, not deleted: answer verified or "
                "corrected with corrected_identity")])
        if out is Outcome.CORRECTED:
            _correct_identity(bureau, uow, who, d, _identity_changes(corrected_identity,
                                                                   uow.clock.now().date()))


def _correct_identity(bureau: Bureau, uow: UnitOfWork, who: Principal, d: Any,
                      changes: dict[str, Any]) -> None:
    """Apply the operator's correction and audit ``identity.correct`` with each changed
    value before and after, as keyed audit hashes (never the values themselves)."""
    row = uow.execute(select(subjects).where(subjects.c.id == d.subject_id)).one()
    uow.execute(update(subjects).where(subjects.c.id == d.subject_id).values(**changes))
    vault = bureau.vault
    uow.audit(who.actor, "identity.correct", row.item_ref, PURPOSE, dispute_id=d.ref,
              item_ref=d.item_ref,
              changes={k: {"before": vault.audit_hash(k, getattr(row, k)),
                           "after": vault.audit_hash(k, v)}
                       for k, v in changes.items() if getattr(row, k) != v})


def _identity_changes(raw: dict[str, Any] | None, today: date) -> dict[str, Any]:

    if not raw or not set(raw) & {"name", "date_of_birth"}:
        raise ValidationFailed([FieldError("corrected_identity", "is required with the "
                                           "outcome corrected: {name?, date_of_birth?}")])
    unknown = set(raw) - {"name", "date_of_birth"}
    if unknown:
        raise ValidationFailed([FieldError(f"corrected_identity.{k}", "only the name and the "
                                           "date of birth are corrected here")
                                for k in sorted(unknown)])
    changes: dict[str, Any] = {}
    if raw.get("name") is not None:
        changes["name"] = bounds.check_name("corrected_identity.name", str(raw["name"]))
    if raw.get("date_of_birth") is not None:
        try:
            born = date.fromisoformat(str(raw["date_of_birth"]))
        except ValueError:
            raise ValidationFailed([FieldError("corrected_identity.date_of_birth",
                                               "must be an ISO 8601 date")]) from None
        if (problem := bounds.birth_date_error(born, today)) is not None:
            raise ValidationFailed([FieldError("corrected_identity.date_of_birth", problem)])
        changes["date_of_birth"] = born
    return changes


def disputes_to_answer(bureau: Bureau, who: Principal,
                       status: str | None) -> list[dict[str, Any]]:
    """Disputes the caller answers (a court: on its listings; an operator or auditor: on
    identity data), oldest deadline first, with the consumer's reason and statement."""
    kind = ItemKind.IDENTITY if who.role in (Role.OPERATOR, Role.AUDITOR) \
        else ANSWERED_BY[who.role]
    with bureau.uow() as uow:
        q = (select(disputes, subjects.c.name, subjects.c.id_suffix)
             .join(subjects, subjects.c.id == disputes.c.subject_id)
             .where(disputes.c.item_kind == kind.value))
        if kind is not ItemKind.IDENTITY:
            q = q.where(disputes.c.furnisher_id == who.id)
        if status:
            q = q.where(disputes.c.status == status)
        rows = uow.execute(q.order_by(disputes.c.due_at, disputes.c.id)).all()
        uow.audit(who.actor, "disputes.list", None, PURPOSE, kind=kind.value, status=status,
                  count=len(rows))
        uow.commit()
    return [dict(_view(d), subject={"name": d.name, "national_id_masked": _masked(d.id_suffix)})
            for d in rows]


DUE_SOON_DAYS = 5


def workload(bureau: Bureau, who: Principal) -> dict[str, Any]:
    """The staff's disputes dashboard: ``{now, overdue, due_soon, open, items}`` — open
    disputes bureau-wide, earliest deadline first, with the party that must answer (no consumer
    data: staff see the workload, not files)."""
    from datetime import timedelta

    from openbureau.adapters.tables import organisations

    with bureau.uow() as uow:
        now = uow.clock.now()
        rows = uow.execute(
            select(disputes.c.ref, disputes.c.item_kind, disputes.c.opened_at, disputes.c.due_at,
                   organisations.c.name.label("answerer"))
            .outerjoin(organisations, organisations.c.id == disputes.c.furnisher_id)
            .where(disputes.c.status == "open")
            .order_by(disputes.c.due_at, disputes.c.id)).all()
        uow.audit(who.actor, "disputes.dashboard", None, "oversight", count=len(rows))
        uow.commit()
    soon = now + timedelta(days=DUE_SOON_DAYS)
    items = [{"dispute_id": r.ref, "item_kind": r.item_kind, "opened_at": r.opened_at,
              "due_at": r.due_at, "answerer": r.answerer or "the bureau (identity data)",
              "state": "overdue" if r.due_at < now else "due soon" if r.due_at <= soon
              else "open"} for r in rows]
    return {"now": now, "open": len(items),
            "overdue": sum(1 for i in items if i["state"] == "overdue"),
            "due_soon": sum(1 for i in items if i["state"] == "due soon"), "items": items}


# -- shared by answers and deadlines -----------------------------------------------------------

def _close(bureau: Bureau, uow: UnitOfWork, d: Any, status: DisputeStatus, note: str | None,
           actor: Principal, now: Any) -> None:
    """Record the result, apply its effect on the file, tell the consumer, rescore."""
    uow.execute(update(disputes).where(disputes.c.id == d.id).values(
        status=status.value, answered_at=now, note=note))
    reason = SUPPRESSED_REASON.get(status)
    if reason is not None and d.item_kind == ItemKind.ACCOUNT.value:
        uow.execute(update(accounts).where(accounts.c.item_ref == d.item_ref,
                                           accounts.c.suppressed_at.is_(None))
                    .values(suppressed_at=now, suppressed_reason=reason, updated_at=now))
    notice = rules.result_notice(dispute_id=d.ref, item_kind=d.item_kind, item_ref=d.item_ref,
                                 status=status, note=note, answered_at=now,
                                 profile=bureau.profile,
                                 bureau_contact=bureau.settings.bureau_contact)
    stored_notices.add(uow, d.subject_id, notice.kind, notice.title, notice.body, now)
    subject_ref = uow.execute(select(subjects.c.item_ref)
                              .where(subjects.c.id == d.subject_id)).scalar_one()
    uow.audit(actor.actor, "dispute.close", subject_ref, PURPOSE, dispute_id=d.ref,
              outcome=status.value)
    _rescore(bureau, uow, int(d.subject_id))


def _rescore(bureau: Bureau, uow: UnitOfWork, subject_id: int) -> None:
    """Every change to a dispute changes the file the score sees: an account under an open
    dispute is left out of the score (docs/attributes.md), and comes back, or goes, when it
    closes."""
    rescore = scoring_hooks.rescorer(bureau)
    if rescore is not None:
        rescore(uow, {subject_id})


def expire_overdue(bureau: Bureau, uow: UnitOfWork) -> int:
    """Apply the profile's outcome to every open dispute past its deadline, inside the caller's
    unit of work (``deadlines.run``). Returns how many were closed."""
    now = uow.clock.now()
    status = rules.on_silence(bureau.profile)
    overdue = uow.execute(select(disputes).where(
        disputes.c.status == DisputeStatus.OPEN.value, disputes.c.due_at <= now)
        .order_by(disputes.c.due_at, disputes.c.id)).all()
    for d in overdue:
        _close(bureau, uow, d, status, None, SYSTEM, now)
    return len(overdue)


def _masked(id_suffix: str | None) -> str | None:
    """The masked national id of a dispute's subject (None: a file without one, issue 11)."""
    return "*****" + id_suffix if id_suffix else None
