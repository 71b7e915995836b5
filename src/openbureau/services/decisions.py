"""A member records its decision on an inquiry; an adverse one sends the adverse-action notice.

Only the member that made the inquiry may decide on it (anyone else: "no such inquiry", 404),
once (a second decision: 409); either refusal is audited ``decision.refused``. The notice's
score and key factors are the ones the member was given with the inquiry
(``inquiries.result``), so the consumer is told what the decision rested on, not a score
computed later. Decision, notice and audit event are one transaction.
"""

from __future__ import annotations

from typing import Any

from openbureau.domain import bounds, letters
from openbureau.domain import disputes as rules
from openbureau.domain.disputes import Decision
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.roles import Principal
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.services import refusals
from openbureau.services.ports import Deps, UnitOfWork

NO_INQUIRY = "no such inquiry by this member"


TERMS_MAX = 1000


def record_decision(uow: UnitOfWork, deps: Deps, member: Principal, inquiry_id: str,
                    decision: str, terms: str | None = None) -> dict[str, Any]:
    """``{inquiry_id, decision, notice}``; ``notice`` is None for an approval. ``terms``: what a
    counteroffer offers instead (the notice tells the consumer); only with a counteroffer."""
    choice = Decision(decision)
    terms = (terms or "").strip() or None
    if terms is not None:
        if choice is not Decision.COUNTEROFFER:
            raise ValidationFailed([FieldError("terms", "are given with a counteroffer only")])
        bounds.check_text("terms", terms, TERMS_MAX)
    with uow, refusals.audited(
            uow, member.actor, "decision.refused", None, inquiry_ref=inquiry_id[:60],
            decision=choice.value) as refusal:
        inq = uow.inquiries.of_member(inquiry_id, member.id)
        if inq is None:
            raise NotFound(NO_INQUIRY)
        refusal.subject_ref = inq.subject_ref
        if uow.decisions.on(inq.id):
            raise Conflict("a decision on this inquiry is already recorded; one decision per "
                           "inquiry (pull a new report for a new application)")
        now = uow.clock.now()
        decision_id = uow.decisions.add(inq.id, member.id, choice.value, now)
        notice_out: dict[str, Any] | None = None
        if choice.adverse:
            score = (inq.result or {}).get("score")
            content = rules.adverse_action_notice(
                decision=choice, member_name=member.name, decided_at=now, score=score,
                score_range=(SCORE_MIN, SCORE_MAX), profile=deps.profile,
                bureau_name=deps.settings.bureau_name,
                bureau_contact=deps.settings.bureau_contact)
            body = {**content.body, "inquiry_id": inquiry_id, "purpose": inq.purpose}
            if terms is not None:
                body["terms"] = terms
            notice_id = uow.notices.add(inq.subject_id, content.kind, content.title, body, now)
            uow.decisions.attach_notice(decision_id, notice_id)
            text = letters.letter(content.kind, content.title, body, letters.Context(
                deps.settings.bureau_name, deps.settings.bureau_contact)).text()
            notice_out = {"kind": content.kind, "title": content.title, "body": body,
                          "created_at": now, "text": text}
        uow.audit(member.actor, "decision.record", inq.subject_ref, inq.purpose,
                  inquiry_ref=inquiry_id, decision=choice.value,
                  notice=notice_out is not None)
        uow.commit()
    return {"inquiry_id": inquiry_id, "decision": choice.value, "decided_at": now,
            "notice": notice_out}
