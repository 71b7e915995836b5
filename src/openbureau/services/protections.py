"""The consumer's protections against someone else's data on their file (issue 14 item 7).

- **"Not mine"**: a dispute of an account with the reason ``not_mine``. When it ends without
  the furnisher verifying the account as the consumer's (``domain.identity_theft.unlinks``), the
  account is unlinked -- taken off the file with its months, not just hidden -- and a cannot-link
  (file, furnisher, keyed hash of the account number) is kept, which identity resolution passes
  to ``identity.rules.decide`` for every later record of that account: it never lands on that
  file again (held, or another file). The furnisher is told (``GET
  /v1/furnisher/identity-notices``), the consumer gets the dispute's result notice, the audit
  log an ``identity.unlinked`` event with how the account had been linked (its match weight and
  each field's contribution; no identity value).
- **Identity-theft report** (``POST /v1/me/identity-theft-reports``): the items named are
  blocked within the profile's deadline (us-fcra: 4 business days, FCRA 605B; here at once,
  in the same transaction): taken off the report members see and out of the score, listed on the
  consumer's own report as blocked, the furnisher told; a re-furnished record of a blocked
  account to that file is refused with its own error (``refused_blocked``), the batch's other
  records kept.
- **Near files**: a look-up's freezes and fraud alerts are those of every file it found at the
  review threshold or above (``identity.rules.look_up``'s ``near``), so a variant identity cannot
  reach an unfrozen fragment of a frozen person (``services.inquiries``).

Every entry point that stores account records (JSON, CSV and Metro 2, through
``bulk_store.store``) goes through ``services.resolution.bar_accounts`` and
``refused_blocked``: one rule, one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from openbureau.domain import bounds, wording
from openbureau.domain import identity_theft as theft
from openbureau.domain.disputes import DisputeStatus
from openbureau.domain.errors import FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal, consumer_id
from openbureau.domain.wording import N_
from openbureau.services.ports import Deps, UnitOfWork, Vault, rescore
from openbureau.services.refs import new_ref
from openbureau.services.stored import Dispute

PURPOSE = "identity protection"
MAX_ITEMS = 100
BLOCKED = ("blocked: the consumer reported this account as the result of identity theft "
           "(FCRA 605B); it is not accepted on that file")
UNLINKED_REASON = "not mine: unlinked after a dispute the furnisher did not verify"
NO_ITEM = N_("no account with this reference on your file")
TOO_MANY = N_("at most %(n)s items")
# the consumer's notice of the block (stored in English, read in their language: letters.py)
BLOCKED_TITLE = N_("The items you reported are blocked")
BLOCKED_EXPLANATION = N_("These items are blocked: members no longer see them, they no longer "
                         "count in your score, and their furnishers have been told. A "
                         "furnisher may not report them to your file again.")


def account_hash(vault: Vault, account_ref: str) -> str:
    """The keyed hash an account number is kept under (holds, cannot-links, blocks)."""
    return vault.keyed_hash("account_ref", account_ref)


def refused_blocked(uow: UnitOfWork, vault: Vault, furnisher_id: int,
                    placed: Sequence[tuple[str, int]]) -> set[int]:
    """Which of ``placed`` -- (account number, the file resolution placed it on) -- are blocked
    there: the indexes of the records to refuse with ``BLOCKED`` (nothing hashed for a
    furnisher with no block at all)."""
    if not placed or not uow.protections.any_for(furnisher_id)[1]:
        return set()
    hashes = [account_hash(vault, ref) for ref, _ in placed]
    blocked = uow.protections.blocked(furnisher_id, hashes)
    return {i for i, (h, (_, sid)) in enumerate(zip(hashes, placed, strict=True))
            if sid in blocked.get(h, ())}


# -- "not mine" --------------------------------------------------------------------------------

def on_dispute_closed(uow: UnitOfWork, deps: Deps, d: Dispute, status: DisputeStatus,
                      actor: str, now: datetime) -> dict[str, Any] | None:
    """Unlink a "not mine" dispute's account when its outcome says so (inside the dispute's
    unit of work); what the consumer's notice adds (None: nothing was unlinked)."""
    if d.item_kind != "account" or not theft.unlinks(d.reason, status):
        return None
    acc = uow.protections.account(d.subject_id, d.item_ref)
    if acc is None:
        return None
    h = account_hash(deps.vault, acc.account_ref)
    months = uow.protections.unlink(acc.id)
    uow.protections.add_cannot_link(d.subject_id, acc.furnisher_id, h, "not mine", d.ref, now)
    uow.protections.tell_furnisher(acc.furnisher_id, "unlinked", acc.account_ref, acc.item_ref,
                                   d.ref, UNLINKED_REASON, now)
    link = acc.link if isinstance(acc.link, dict) else {}
    uow.audit(actor, "identity.unlinked", uow.files.item_ref(d.subject_id), PURPOSE,
              dispute_id=d.ref, item_ref=acc.item_ref, furnisher_id=acc.furnisher_id,
              account_ref_hash=h, months=months, outcome=status.value,
              how=link.get("how"), weight=link.get("weight"), model=link.get("model"),
              fields=link.get("fields", {}))
    return {"unlinked": True,
            "item_label": wording.account_name(acc.furnisher, acc.kind, acc.account_ref),
            "explanation": "You told us this account is not yours and its furnisher did not "
                           "verify it as yours: it has been removed from your file, and it will "
                           "not be linked to your file again. The furnisher has been told."}


# -- identity-theft reports --------------------------------------------------------------------

def report_identity_theft(uow: UnitOfWork, deps: Deps, consumer: Principal,
                          items: list[str], statement: str | None) -> dict[str, Any]:
    """Block the accounts named (by their report ``item_ref``); ``{report_id, status, filed_at,
    due_at, blocked_at, items}``. An item not on the file is refused (nothing stored)."""
    sid = consumer_id(consumer)
    refs = list(dict.fromkeys(r.strip() for r in items if r and r.strip()))
    if not refs:
        raise ValidationFailed([FieldError("items", N_("name at least one item of your report"))])
    if len(refs) > MAX_ITEMS:
        raise ValidationFailed([FieldError("items", TOO_MANY % {"n": MAX_ITEMS})])
    text = (statement or "").strip() or None
    if text:
        bounds.check_text("statement", text, 2000)
    with uow:
        now = uow.clock.now()
        found = []
        blocked = {b.item_ref for b in uow.protections.blocks_of(sid)}
        for i, ref in enumerate(refs):
            acc = uow.protections.account(sid, ref)
            if acc is None or ref in blocked:
                raise NotFound(f"items[{i}]: {NO_ITEM}")
            found.append(acc)
        due = theft.block_due_at(now, deps.profile)
        ref = new_ref("itr")
        report_id = uow.protections.add_report(ref, sid, text, now, due)
        for acc in found:
            h = account_hash(deps.vault, acc.account_ref)
            uow.protections.add_block(report_id, sid, acc.item_ref, acc.furnisher_id, h, now)
            uow.accounts.suppress(acc.item_ref, theft.BLOCKED_REASON, now)
            uow.protections.tell_furnisher(
                acc.furnisher_id, "blocked", acc.account_ref, acc.item_ref, ref,
                "identity theft reported by the consumer (FCRA 605B): blocked; the account is "
                "not accepted on that file again", now)
            uow.audit(consumer.actor, "identity.blocked", consumer.subject_ref, PURPOSE,
                      report_id=ref, item_ref=acc.item_ref, furnisher_id=acc.furnisher_id,
                      account_ref_hash=h)
        uow.protections.mark_blocked(report_id, now)
        names = [wording.account_name(a.furnisher, a.kind, a.account_ref) for a in found]
        uow.notices.add(sid, "identity_theft_block", BLOCKED_TITLE, {
            "report_id": ref, "items": [a.item_ref for a in found], "item_names": names,
            "filed_at": now.isoformat(), "due_at": due.isoformat(),
            "blocked_at": now.isoformat(), "profile": deps.profile.name,
            "explanation": BLOCKED_EXPLANATION}, now)
        rescore(deps, uow, {sid})
        uow.commit()
    return {"report_id": ref, "status": "blocked", "filed_at": now, "due_at": due,
            "blocked_at": now, "items": [a.item_ref for a in found]}


def my_theft_reports(uow: UnitOfWork, deps: Deps, consumer: Principal) -> list[dict[str, Any]]:
    sid = consumer_id(consumer)
    with uow:
        found = uow.protections.reports_of(sid)
        uow.audit(consumer.actor, "identity_theft_reports.read", consumer.subject_ref, PURPOSE)
        uow.commit()
    return [{"report_id": r.ref, "status": "blocked" if r.blocked_at else "filed",
             "statement": r.statement, "filed_at": r.filed_at, "due_at": r.due_at,
             "blocked_at": r.blocked_at, "items": list(r.items)} for r in found]


def blocked_items(uow: UnitOfWork, subject_id: int,
                  gettext: Callable[[str], str] = str) -> list[dict[str, Any]]:
    """The file's blocked items as its own report lists them, each named in the reader's
    language (``gettext``)."""
    return [{"item_ref": b.item_ref, "name": wording.account_name(b.furnisher, b.kind or "",
                                                                  b.account_ref or "", gettext),
             "status": "blocked", "report_id": b.report_ref, "blocked_at": b.blocked_at}
            for b in uow.protections.blocks_of(subject_id)]


# -- furnishers --------------------------------------------------------------------------------

def furnisher_notices(uow: UnitOfWork, deps: Deps, furnisher: Principal, after: int,
                      limit: int) -> dict[str, Any]:
    """What the furnisher has been told of its accounts (blocked, unlinked), oldest first."""
    limit = max(1, min(limit, 1000))
    with uow:
        found = uow.protections.furnisher_notices(furnisher.id, after, limit)
        uow.audit(furnisher.actor, "identity_notices.read", None, PURPOSE, count=len(found))
        uow.commit()
    return {"items": [{"notice_id": n.id, "kind": n.kind, "account_ref": n.account_ref,
                       "source": n.source, "reason": n.reason, "created_at": n.created_at}
                      for n in found],
            "next_after": found[-1].id if len(found) == limit else None}


# -- look-ups ----------------------------------------------------------------------------------

def near_frozen(uow: UnitOfWork, near: Iterable[int]) -> bool:
    return uow.protections.frozen_among(near)


def near_alerts(uow: UnitOfWork, near: Iterable[int], now: datetime) -> list[dict[str, Any]]:
    return uow.protections.alerts_among(near, now)


def near_protections(uow: UnitOfWork, near: Iterable[int], now: datetime
                     ) -> tuple[bool, list[dict[str, Any]]]:
    """``near_frozen`` and ``near_alerts``, read together (an inquiry needs both)."""
    return uow.protections.frozen_and_alerts_among(near, now)
