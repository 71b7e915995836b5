"""The review queue: records identity resolution held, and an operator's decision on each.

A hold is listed without any identity value (its reason, the match weight, each candidate file
by its public ref with every field's level and weight). An operator decides: ``link`` it to a
named file, or open a ``new_file`` for it, or ``withdraw`` it (the furnisher is to correct and
re-send). A linked or new-file decision stores the record on that file exactly as furnishing
would have (``furnishing.place_held``); its identity joins the file's observations, so the
same identity sent again resolves there. Every decision is audited with the operator.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.profiles import Profile
from openbureau.domain.records import parse_account_record
from openbureau.domain.roles import Principal, Role
from openbureau.identity.rules import NAME_DISAGREES
from openbureau.services import furnishing
from openbureau.services.ports import Deps, UnitOfWork
from openbureau.services.stored import Hold

Action = Literal["link", "new_file", "withdraw"]


def list_holds(uow: UnitOfWork, deps: Deps, status: str = "held",
               limit: int = 100) -> dict[str, Any]:
    with uow:
        rows = uow.identity_holds.of_status(status, limit)
    return {"items": [{"hold_ref": r.item_ref, "furnisher": r.furnisher, "line": r.line,
                       "reason": r.reason, "weight": r.weight, "candidates": r.candidates,
                       "status": r.status, "held_at": r.created_at.isoformat(),
                       "decided_at": r.decided_at.isoformat() if r.decided_at else None}
                      for r in rows]}


def verification(uow: UnitOfWork, profile: Profile, file_ref: str) -> dict[str, Any] | None:
    """The file's identity verification status, under a profile whose names must agree with the
    national id (``cn-cri``; None elsewhere): ``agrees`` when every record furnished under the
    file's id carried one of its names, ``review`` while records sent under its id with another
    name wait in the review queue (``pending``: how many; their names are not shown)."""
    if not profile.name_must_agree_with_id:
        return None
    pending = sum(
        1 for candidates in uow.identity_holds.pending_candidates(NAME_DISAGREES)
        if any(c.get("file") == file_ref for c in candidates or ()))
    return {"status": "review" if pending else "agrees", "pending": pending}


def decide(uow: UnitOfWork, deps: Deps, operator: Principal, hold_ref: str, action: Action,
           file_ref: str | None = None) -> dict[str, Any]:
    """Each step a transaction of its own: the hold read and checked, claimed, the record
    placed (``deps.place_held``), the decision recorded; a failure puts the hold back."""
    with uow:
        row = uow.identity_holds.by_ref(hold_ref)
        if row is None:
            raise NotFound("no such hold")
        if row.status != "held":
            raise Conflict(f"this hold was already decided ({row.status})")
        target: int | None = None
        if action == "link":
            if not file_ref:
                raise ValidationFailed([FieldError("file_ref", "name the file to link to")])
            # a merged file's ref answers for the file it was merged into
            target = uow.subjects.id_by_ref(file_ref)
            if target is None:
                raise NotFound("no such file")
            # the consumer's "not mine" and identity-theft blocks bind operators too
            bars = (uow.protections.cannot_links(row.furnisher_id, [row.account_ref_hmac]),
                    uow.protections.blocked(row.furnisher_id, [row.account_ref_hmac]))
            if any(target in found.get(row.account_ref_hmac, ()) for found in bars):
                raise Conflict("the consumer of that file said this account is not theirs "
                               "(a \"not mine\" dispute or an identity-theft report): it may "
                               "not be linked to it")
        kept = json.loads(deps.vault.decrypt(row.record_ciphertext))
        furnisher = Principal(Role.FURNISHER, row.furnisher_id, "furnisher")
    if action != "withdraw" and "record" not in kept:
        raise Conflict("this hold keeps a Metro 2 column row without its record: withdraw it "
                       "and ask the furnisher to re-send the record")
    # claim the hold first (compare-and-set): two operators deciding it at once place it once
    with uow:
        claimed = uow.identity_holds.move(hold_ref, "held", "deciding")
        uow.commit()
    if not claimed:
        raise Conflict("this hold is being or was already decided")
    try:
        return _place(uow, deps, operator, row, hold_ref, action, kept, furnisher, target,
                      file_ref)
    except BaseException:
        with uow:                        # not placed: back in the queue
            uow.identity_holds.move(hold_ref, "deciding", "held")
            uow.commit()
        raise


def _place(uow: UnitOfWork, deps: Deps, operator: Principal, row: Hold, hold_ref: str,
           action: Action, kept: dict[str, Any], furnisher: Principal, target: int | None,
           file_ref: str | None) -> dict[str, Any]:
    subject_ref = file_ref
    if action == "new_file":
        from openbureau.services import resolution

        with uow:
            who = parse_account_record(kept["record"]).subject
            made = resolution.create_files(uow, deps.vault, {"g": who},
                                           uow.clock.now())
            target, subject_ref = made["g"]
            uow.commit()
    if target is not None:
        furnishing.place_held(uow, deps, furnisher,
                              parse_account_record(kept["record"]), target, row.file_id)
    status = {"link": "linked", "new_file": "new_file", "withdraw": "withdrawn"}[action]
    with uow:
        now = uow.clock.now()
        uow.identity_holds.decide(hold_ref, status, now, operator.actor, target)
        uow.audit(operator.actor, f"identity.hold_{status}", subject_ref, "identity review",
                  hold=hold_ref, reason=row.reason, weight=row.weight)
        uow.commit()
    return {"hold_ref": hold_ref, "status": status, "file_ref": subject_ref}
