"""Disputes: the consumer opens one, the furnisher answers, silence past the deadline decides.

Each use case is one transaction: the dispute's change, its effect on the file (correction,
deletion, suppression, restriction), the consumer's notice, the rescore and the audit events
commit together or not at all. A refused request stores nothing.

Items are named by their report ``item_ref``; an item on another person's file is answered as
"no such item" (404), never distinguished from one that does not exist.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from openbureau.domain import bounds, report_summary
from openbureau.domain import disputes as rules
from openbureau.domain.disputes import DisputeStatus, ItemKind, Outcome
from openbureau.domain.errors import (
    NO_ITEM,
    ONE_OF,
    Conflict,
    FieldError,
    NotFound,
    ValidationFailed,
)
from openbureau.domain.letters import Language
from openbureau.domain.records import parse_account_record
from openbureau.domain.registry import ListingStatus, move_listing
from openbureau.domain.roles import SYSTEM, Principal, Role, consumer_id
from openbureau.domain.wording import N_
from openbureau.services import protections, refusals, reports
from openbureau.services.ports import Deps, UnitOfWork, rescore
from openbureau.services.refs import new_ref
from openbureau.services.stored import Dispute

NO_DISPUTE = "no such dispute"
PURPOSE = "dispute"
TEXT_MAX = 2000             # a reason, a statement, information added, a note (schemas_rights)
# accounts.suppressed_reason for each outcome of silence that takes an account off the file
SUPPRESSED_REASON = {DisputeStatus.EXPIRED: "dispute_unverified",
                     DisputeStatus.RESTRICTED: "dispute_restricted"}


def _view(d: Dispute) -> dict[str, Any]:
    return {"dispute_id": d.ref, "item": {"kind": d.item_kind, "ref": d.item_ref},
            "status": d.status, "reason": d.reason, "statement": d.statement,
            "opened_at": d.opened_at, "due_at": d.due_at, "answered_at": d.answered_at,
            "note": d.note}


# -- consumer ----------------------------------------------------------------------------------

def _resolve_item(uow: UnitOfWork, subject_id: int, kind: ItemKind, ref: str) -> int | None:
    """The organisation that must verify the item (None for identity data); NotFound unless
    the item is on this subject's file as the report shows it."""
    if kind is ItemKind.ACCOUNT:
        answerer = uow.accounts.answerer(subject_id, ref)
    elif kind is ItemKind.PUBLIC_RECORD:
        answerer = uow.listings.answerer(subject_id, ref)
    else:
        found = uow.files.identity(subject_id)
        if (found is None or found.item_ref != ref) \
                and uow.protections.observation(subject_id, ref) is None:
            raise NotFound(NO_ITEM)
        return None
    if answerer is None:
        raise NotFound(NO_ITEM)
    return answerer


def open_dispute(uow: UnitOfWork, deps: Deps, consumer: Principal, item_kind: str, ref: str,
                 reason: str, statement: str | None) -> dict[str, Any]:
    """``{dispute_id, status, due_at}``; the item shows as disputed at once."""
    sid = consumer_id(consumer)
    try:
        kind = ItemKind(item_kind)
    except ValueError:
        raise ValidationFailed([FieldError("item.kind", ONE_OF % {"choices": "|".join(
            k.value for k in ItemKind)})]) from None
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldError("reason", N_("must say what is wrong with the item"))])
    bounds.check_text("reason", reason, TEXT_MAX)
    if statement and statement.strip():
        bounds.check_text("statement", statement.strip(), TEXT_MAX)
    with uow:
        furnisher_id = _resolve_item(uow, sid, kind, ref)
        if uow.disputes.open_on(sid, ref):
            raise Conflict("this item already has an open dispute; add information to that "
                           "dispute instead")
        now = uow.clock.now()
        due = rules.due_at(now, deps.profile)
        dispute_id = new_ref("dsp")     # opaque: a sequential id told how many disputes exist
        uow.disputes.add(Dispute(
            id=0, ref=dispute_id, subject_id=sid, item_kind=kind.value, item_ref=ref,
            furnisher_id=furnisher_id, reason=reason,
            statement=(statement or "").strip() or None,
            status=DisputeStatus.OPEN.value, opened_at=now, due_at=due))
        uow.audit(consumer.actor, "dispute.open", consumer.subject_ref, PURPOSE,
                  dispute_id=dispute_id, item_kind=kind.value, item_ref=ref,
                  due_at=due.isoformat())
        rescore(deps, uow, {sid})
        uow.commit()
    deps.metrics.disputes_opened.inc()
    return {"dispute_id": dispute_id, "status": DisputeStatus.OPEN.value, "due_at": due}


def _names(uow: UnitOfWork, deps: Deps, subject_id: int, found: list[Dispute],
           language: Language) -> dict[str, str]:
    """What the report calls each disputed item (``report_summary.item_names``): an account or
    a public record by its name, an element of personal information by what it says."""
    if not found:
        return {}
    names = reports.item_names(uow, subject_id, language)
    if any(d.item_kind == ItemKind.IDENTITY for d in found):
        names.update(report_summary.item_names({"personal_information": (
            reports.personal_information(deps.vault, uow, subject_id))}, language))
    return names


def my_disputes(uow: UnitOfWork, deps: Deps, consumer: Principal,
                language: Language | None = None) -> list[dict[str, Any]]:
    """The consumer's disputes, newest first; with ``language`` (a page), each item also has
    the ``name`` the report gives it in that language (``reports.item_names``), when it has
    one."""
    sid = consumer_id(consumer)
    with uow:
        found = uow.disputes.of_file(sid)
        names = _names(uow, deps, sid, found, language) if language else {}
        uow.audit(consumer.actor, "disputes.read", consumer.subject_ref, PURPOSE)
        uow.commit()
    out = [_view(d) for d in found]
    for view in out:
        if view["item"]["ref"] in names:
            view["item"]["name"] = names[view["item"]["ref"]]
    return out


def add_information(uow: UnitOfWork, deps: Deps, consumer: Principal, dispute_id: str,
                    text: str) -> dict[str, Any]:
    """The consumer adds information to an open dispute; the deadline is extended once by the
    profile's ``dispute_extension_days`` (FCRA 611(a)(1)(B): 15 days; GDPR: up to two months)."""
    sid = consumer_id(consumer)
    text = text.strip()
    if not text:
        raise ValidationFailed([FieldError("text", "must not be empty")])
    bounds.check_text("text", text, TEXT_MAX)
    with uow:
        d = uow.disputes.own(dispute_id, sid)
        if d is None:
            raise NotFound(NO_DISPUTE)
        rules.require_open(d.status)
        now = uow.clock.now()
        due = rules.extended_due_at(d.opened_at, d.due_at, deps.profile)
        added = f"[added {now.date().isoformat()}] {text}"
        statement = f"{d.statement}\n\n{added}" if d.statement else added
        uow.disputes.add_statement(d.id, statement, due)
        uow.audit(consumer.actor, "dispute.information", consumer.subject_ref, PURPOSE,
                  dispute_id=d.ref, due_at=due.isoformat(), extended=due != d.due_at)
        uow.commit()
    return {"dispute_id": d.ref, "status": d.status, "due_at": due}


# -- furnisher ---------------------------------------------------------------------------------

def furnisher_disputes(uow: UnitOfWork, deps: Deps, furnisher: Principal,
                       status: str | None) -> list[dict[str, Any]]:
    """Disputes on this furnisher's accounts, oldest deadline first, with what the furnisher
    needs to investigate: its own account reference, the consumer's reason and statement."""
    with uow:
        found = uow.disputes.answered_by(ItemKind.ACCOUNT.value, furnisher.id, status)
        uow.audit(furnisher.actor, "disputes.list", None, PURPOSE, status=status,
                  count=len(found))
        uow.commit()
    return [dict(_view(f.dispute), account_ref=f.account_ref,
                 subject={"name": f.name, "national_id_masked": _masked(f.id_suffix)})
            for f in found]


def _apply_correction(uow: UnitOfWork, deps: Deps, furnisher: Principal, d: Dispute,
                      raw: dict[str, Any] | None) -> None:
    if raw is None:
        raise ValidationFailed([FieldError("corrected_record",
                                           "is required when the outcome is corrected")])
    try:
        rec = parse_account_record(raw)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldError("corrected_record." + e.field, e.message,
                                           category=e.category) for e in exc.errors]) from None
    acc = uow.accounts.key(d.item_ref)
    # a file without a national id (issue 11) is matched by the correction's lack of one
    same_id = (acc.id_hmac is None and rec.subject.national_id is None) or (
        rec.subject.national_id is not None
        and deps.vault.lookup_hash(rec.subject.national_id) == acc.id_hmac)
    if rec.account_ref != acc.account_ref or not same_id:
        raise ValidationFailed([FieldError(
            "corrected_record", "must be the disputed account: same account_ref and subject")])
    if deps.store_correction is None:
        raise RuntimeError("this bureau stores no corrected records (deps.store_correction)")
    errors = deps.store_correction(uow, deps, furnisher, raw)
    if errors:
        raise ValidationFailed([FieldError("corrected_record." + e.field, e.message)
                                for e in errors])


#: Who answers a dispute on each kind of item: the furnisher of an account, the court that
#: listed a public record, the bureau's operator for identity data.
ANSWERED_BY = {Role.FURNISHER: ItemKind.ACCOUNT, Role.COURT: ItemKind.PUBLIC_RECORD,
               Role.OPERATOR: ItemKind.IDENTITY}


def respond(uow: UnitOfWork, deps: Deps, who: Principal, dispute_id: str, outcome: str,
            corrected_record: dict[str, Any] | None, note: str | None,
            corrected_identity: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answering party's outcome: verified, corrected or deleted (what each means depends
    on the kind of item; see ``_apply``)."""
    out = Outcome(outcome)
    kind = ANSWERED_BY[who.role]
    if note and note.strip():
        bounds.check_text("note", note.strip(), TEXT_MAX)
    with uow, refusals.audited(
            uow, who.actor, "dispute_answer.refused", PURPOSE, dispute_id=dispute_id,
            outcome=out.value) as refusal:
        d = uow.disputes.to_answer(dispute_id, kind.value,
                                   None if kind is ItemKind.IDENTITY else who.id)
        if d is None:
            raise NotFound(NO_DISPUTE)
        refusal.subject_ref = uow.files.item_ref(d.subject_id)
        now = uow.clock.now()
        status = rules.answer(d.status, out, d.due_at, now)
        if out is not Outcome.CORRECTED and (corrected_record or corrected_identity):
            raise ValidationFailed([FieldError(
                "corrected_record" if corrected_record else "corrected_identity",
                "is only sent with the outcome corrected")])
        _apply(uow, deps, who, d, kind, out, corrected_record, corrected_identity, note, now)
        _close(uow, deps, d, status, (note or "").strip() or None, who, now)
        uow.commit()
    return {"dispute_id": d.ref, "status": status.value, "answered_at": now}


def _apply(uow: UnitOfWork, deps: Deps, who: Principal, d: Dispute, kind: ItemKind,
           out: Outcome, corrected_record: dict[str, Any] | None,
           corrected_identity: dict[str, Any] | None, note: str | None,
           now: datetime) -> None:
    """The effect of an answer on the file."""
    if kind is ItemKind.ACCOUNT:
        if out is Outcome.CORRECTED:
            _apply_correction(uow, deps, who, d, corrected_record)
        elif out is Outcome.DELETED:
            uow.accounts.delete(d.item_ref, now)
    elif kind is ItemKind.PUBLIC_RECORD:
        if out is Outcome.CORRECTED:
            raise ValidationFailed([FieldError(
                "outcome", "a listing is corrected through the objection procedure; answer "
                "verified, or deleted to remove the listing")])
        if out is Outcome.DELETED:
            listing = uow.listings.by_ref(d.item_ref)
            if listing.status == "active":
                move_listing(listing.status, ListingStatus.VACATED)
                uow.listings.close(listing.id, ListingStatus.VACATED.value,
                                   "removed after a dispute"
                                   + (f": {note.strip()}" if note else ""), now)
    elif uow.protections.observation(d.subject_id, d.item_ref) is not None:
        # an identity element furnishers reported (personal information): verified, it stays;
        # deleted, it goes (``_close``); it is not rewritten here
        if out is Outcome.CORRECTED:
            raise ValidationFailed([FieldError(
                "outcome", "an identity element a furnisher reported is verified or deleted; "
                "the furnisher corrects its own records")])
    else:
        if out is Outcome.DELETED:
            raise ValidationFailed([FieldError(
                "outcome", "identity data is corrected, not deleted: answer verified or "
                "corrected with corrected_identity")])
        if out is Outcome.CORRECTED:
            _correct_identity(uow, deps, who, d, _identity_changes(corrected_identity,
                                                                   uow.clock.now().date()))


def _correct_identity(uow: UnitOfWork, deps: Deps, who: Principal, d: Dispute,
                      changes: dict[str, Any]) -> None:
    """Apply the operator's correction and audit ``identity.correct`` with each changed
    value before and after, as keyed audit hashes (never the values themselves)."""
    before = uow.files.identity(d.subject_id)
    assert before is not None, "a dispute is on a file"
    old = asdict(before)
    uow.files.correct_identity(d.subject_id, changes)
    vault = deps.vault
    uow.audit(who.actor, "identity.correct", before.item_ref, PURPOSE, dispute_id=d.ref,
              item_ref=d.item_ref,
              changes={k: {"before": vault.audit_hash(k, old[k]),
                           "after": vault.audit_hash(k, v)}
                       for k, v in changes.items() if old[k] != v})


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


def disputes_to_answer(uow: UnitOfWork, deps: Deps, who: Principal,
                       status: str | None) -> list[dict[str, Any]]:
    """Disputes the caller answers (a court: on its listings; an operator or auditor: on
    identity data), oldest deadline first, with the consumer's reason and statement."""
    kind = ItemKind.IDENTITY if who.role in (Role.OPERATOR, Role.AUDITOR) \
        else ANSWERED_BY[who.role]
    with uow:
        found = uow.disputes.answered_by(kind.value,
                                         None if kind is ItemKind.IDENTITY else who.id, status)
        uow.audit(who.actor, "disputes.list", None, PURPOSE, kind=kind.value, status=status,
                  count=len(found))
        uow.commit()
    return [dict(_view(f.dispute),
                 subject={"name": f.name, "national_id_masked": _masked(f.id_suffix)})
            for f in found]


DUE_SOON_DAYS = 5


def workload(uow: UnitOfWork, deps: Deps, who: Principal) -> dict[str, Any]:
    """The staff's disputes dashboard: ``{now, overdue, due_soon, open, items}`` — open
    disputes bureau-wide, earliest deadline first, with the party that must answer (no consumer
    data: staff see the workload, not files)."""
    with uow:
        now = uow.clock.now()
        rows = uow.disputes.open_workload()
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

def _close(uow: UnitOfWork, deps: Deps, d: Dispute, status: DisputeStatus, note: str | None,
           actor: Principal, now: datetime) -> None:
    """Record the result, apply its effect on the file, tell the consumer, rescore.

    Every change to a dispute changes the file the score sees: an account under an open
    dispute is left out of the score (docs/attributes.md), and comes back, or goes, when it
    closes."""
    uow.disputes.close(d.id, status.value, now, note)
    reason = SUPPRESSED_REASON.get(status)
    if reason is not None and d.item_kind == ItemKind.ACCOUNT.value:
        uow.accounts.suppress(d.item_ref, reason, now)
    if d.item_kind == ItemKind.IDENTITY.value and status in _REMOVES_ELEMENT:
        _remove_element(uow, d, status, actor, now)
    unlinked = protections.on_dispute_closed(uow, deps, d, status, actor.actor, now)
    notice = rules.result_notice(dispute_id=d.ref, item_kind=d.item_kind, item_ref=d.item_ref,
                                 status=status, note=note, answered_at=now,
                                 profile=deps.profile,
                                 bureau_contact=deps.settings.bureau_contact)
    uow.notices.add(d.subject_id, notice.kind, notice.title, {**notice.body, **(unlinked or {})},
                    now)
    uow.audit(actor.actor, "dispute.close", uow.files.item_ref(d.subject_id), PURPOSE,
              dispute_id=d.ref, outcome=status.value)
    rescore(deps, uow, {d.subject_id})


#: how a dispute of an identity element ends with the element removed from the file: the
#: bureau deleted it, or nobody verified it in time (where silence takes items off the file)
_REMOVES_ELEMENT = frozenset({DisputeStatus.DELETED, DisputeStatus.EXPIRED,
                              DisputeStatus.RESTRICTED})


def _remove_element(uow: UnitOfWork, d: Dispute, status: DisputeStatus, actor: Principal,
                    now: datetime) -> None:
    """Take a disputed identity element (an ``identity_observations`` item) off the file: every
    report of that value, whoever made it. Audited by kind and reference, never by value."""
    found = uow.protections.observation(d.subject_id, d.item_ref)
    if found is None:
        return          # the file's own identity (name, birth date): corrected, not removed
    kind, value_hmac = found
    reports = uow.protections.remove_observation(d.subject_id, kind, value_hmac)
    uow.audit(actor.actor, "identity.element_removed", uow.files.item_ref(d.subject_id),
              PURPOSE, dispute_id=d.ref, item_ref=d.item_ref, kind=kind, reports=reports,
              outcome=status.value)


def expire_overdue(uow: UnitOfWork, deps: Deps) -> int:
    """Apply the profile's outcome to every open dispute past its deadline, inside the caller's
    unit of work (``deadlines.run``). Returns how many were closed."""
    now = uow.clock.now()
    status = rules.on_silence(deps.profile)
    overdue = uow.disputes.overdue(now)
    for d in overdue:
        _close(uow, deps, d, status, None, SYSTEM, now)
    return len(overdue)


def _masked(id_suffix: str | None) -> str | None:
    """The masked national id of a dispute's subject (None: a file without one, issue 11)."""
    return "*****" + id_suffix if id_suffix else None
