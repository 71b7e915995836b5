"""Disputes and the notices of due process: the state machine, deadlines and notice content.

A dispute is opened by the consumer against one item of their file and ends in exactly one way:

    open ──furnisher answers──> verified | corrected | deleted
      │
      └──deadline passes unanswered──> expired      (us-fcra: suppressed from report and score)
                                       unconfirmed  (cn-cri: kept, marked, with the objection)
                                       restricted   (eu-gdpr: hidden from members and the score)

Every number (days to answer, the extension, the outcome of silence, how many key factors) comes
from the jurisdiction profile; the time comes from the caller. Pure: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from openbureau.domain import key_factors as key_factor_rule
from openbureau.domain.errors import Conflict
from openbureau.domain.profiles import Profile, UnverifiedOutcome
from openbureau.domain.wording import N_


class ItemKind(StrEnum):
    ACCOUNT = "account"
    PUBLIC_RECORD = "public_record"
    IDENTITY = "identity"


class DisputeStatus(StrEnum):
    OPEN = "open"
    VERIFIED = "verified"
    CORRECTED = "corrected"
    DELETED = "deleted"
    EXPIRED = "expired"
    UNCONFIRMED = "unconfirmed"
    RESTRICTED = "restricted"


class Outcome(StrEnum):
    """What a furnisher may answer."""

    VERIFIED = "verified"
    CORRECTED = "corrected"
    DELETED = "deleted"


class Decision(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    COUNTEROFFER = "counteroffer"

    @property
    def adverse(self) -> bool:
        return self is not Decision.APPROVED


# Statuses after which the item is no longer shown to members (nor, for accounts, scored).
HIDDEN_FROM_MEMBERS = frozenset({DisputeStatus.EXPIRED, DisputeStatus.RESTRICTED})
# Statuses that keep the item marked as disputed on the report.
MARKED_DISPUTED = frozenset({DisputeStatus.OPEN, DisputeStatus.UNCONFIRMED})
# the refusal of a change to a closed dispute (the status a code, in words where shown)
CLOSED = N_("this dispute is already closed (status %(status)s); a new dispute may be opened "
            "on the item")

_ON_SILENCE = {
    UnverifiedOutcome.SUPPRESS: DisputeStatus.EXPIRED,
    UnverifiedOutcome.UNCONFIRMED: DisputeStatus.UNCONFIRMED,
    UnverifiedOutcome.RESTRICT: DisputeStatus.RESTRICTED,
}


def due_at(opened_at: datetime, profile: Profile) -> datetime:
    """When the furnisher's answer is due."""
    return opened_at + timedelta(days=profile.dispute_days)


def extended_due_at(opened_at: datetime, current_due: datetime, profile: Profile) -> datetime:
    """The due date after the consumer adds information: extended once, by the profile's
    extension; unchanged where the profile has none or it was already extended."""
    if profile.dispute_extension_days <= 0 or current_due > due_at(opened_at, profile):
        return current_due
    return current_due + timedelta(days=profile.dispute_extension_days)


def require_open(status: str) -> None:
    if status != DisputeStatus.OPEN:
        raise Conflict(CLOSED % {"status": status})


def answer(status: str, outcome: Outcome, due: datetime, now: datetime) -> DisputeStatus:
    """The status after a furnisher's answer. Refused once closed or past the deadline (silence
    has then decided it, and ``deadlines run`` applies the profile's outcome)."""
    require_open(status)
    if now > due:
        raise Conflict(f"the answer was due by {due.isoformat()}; an unanswered dispute is "
                       "resolved by the profile's rule for unverified items")
    return DisputeStatus(outcome.value)


def on_silence(profile: Profile) -> DisputeStatus:
    """The status of a dispute left unanswered past its deadline."""
    return _ON_SILENCE[profile.unverified_outcome]


@dataclass(frozen=True)
class NoticeContent:
    kind: str
    title: str
    body: dict[str, Any] = field(default_factory=dict)


_RESULT_TEXT = {
    DisputeStatus.VERIFIED: N_("The furnisher verified the item as accurate; it stays on your "
                               "file. You may add a statement to it."),
    DisputeStatus.CORRECTED: N_("The furnisher corrected the item; your file shows the "
                                "corrected data."),
    DisputeStatus.DELETED: N_("The furnisher deleted the item; it is no longer on your file."),
    DisputeStatus.EXPIRED: N_("The item was not verified in time; it has been suppressed from "
                              "your report and your score."),
    DisputeStatus.UNCONFIRMED: N_("The item was not verified in time; it stays on your file "
                                  "marked as unconfirmed, together with your objection."),
    DisputeStatus.RESTRICTED: N_("The item was not verified in time; its processing is "
                                 "restricted: members no longer see it and it no longer counts "
                                 "in your score."),
}


def result_notice(*, dispute_id: str, item_kind: str, item_ref: str, status: DisputeStatus,
                  note: str | None, answered_at: datetime, profile: Profile,
                  bureau_contact: str) -> NoticeContent:
    """The notice that tells the consumer how their dispute ended."""
    if status is DisputeStatus.OPEN:
        raise ValueError("an open dispute has no result")
    body: dict[str, Any] = {
        "dispute_id": dispute_id, "item_kind": item_kind, "item_ref": item_ref,
        "result": status.value, "explanation": _RESULT_TEXT[status],
        "answered_at": answered_at.isoformat(), "profile": profile.name,
        "bureau_contact": bureau_contact,
    }
    if note:
        body["note"] = note
    if status in (DisputeStatus.VERIFIED, DisputeStatus.UNCONFIRMED):
        body["your_rights"] = [N_("You may add a statement of dispute to the item; it is "
                                  "shown with the item on every report.")]
    return NoticeContent("dispute_result", f"Your dispute was resolved: {status.value}", body)


def _is_inquiry_factor(reason: Mapping[str, Any]) -> bool:
    text = " ".join(str(reason.get(k, "")) for k in ("attribute", "code", "text"))
    return "inquir" in text.lower()


def key_factors(reasons: Sequence[Mapping[str, Any]], profile: Profile) -> list[dict[str, Any]]:
    """The key factors a notice names from a score's reasons (the scorer orders them by points
    lost): ``domain.key_factors``'s rule, the scorer's."""
    return [dict(r) for r in key_factor_rule.select(reasons, profile, _is_inquiry_factor)]


def _free_report_text(profile: Profile, bureau_name: str) -> str:
    if profile.free_reports_per_year is None:
        return f"You may ask {bureau_name} for a free copy of your report at any time."
    return (f"You may get a free copy of your report from {bureau_name} "
            f"({profile.free_reports_per_year} free reports a year under {profile.title}), "
            "including the information this decision was based on.")


def adverse_action_notice(*, decision: Decision, member_name: str, decided_at: datetime,
                          score: Mapping[str, Any] | None, score_range: tuple[int, int],
                          profile: Profile, bureau_name: str,
                          bureau_contact: str) -> NoticeContent:
    """The notice a consumer receives when a member declines them or counteroffers, built from
    the score the member was given with the inquiry (``None`` when there was none) and the
    scale it is on (``scoring.spec``'s)."""
    if not decision.adverse:
        raise ValueError("only an adverse decision has an adverse-action notice")
    reasons: Sequence[Mapping[str, Any]] = (score or {}).get("reasons") or []
    dispute_text = (f"You may dispute anything on your file that is inaccurate or incomplete; "
                    f"the bureau must resolve it within {profile.dispute_days} days")
    if profile.dispute_extension_days:
        dispute_text += (f" ({profile.dispute_days + profile.dispute_extension_days} if you "
                         "add information while it is open)")
    body: dict[str, Any] = {
        "decision": decision.value,
        "member": member_name,
        "decided_at": decided_at.isoformat(),
        "score": None if score is None else score.get("value"),
        "score_range": {"min": score_range[0], "max": score_range[1]},
        "score_date": None if score is None else _iso(score.get("computed_at")),
        "model_version": None if score is None else score.get("model_version"),
        "key_factors": key_factors(reasons, profile),
        "bureau": {"name": bureau_name, "contact": bureau_contact},
        "rights": {
            "free_report": _free_report_text(profile, bureau_name),
            "dispute": dispute_text + ".",
            "decision_maker": f"{bureau_name} did not make this decision and cannot explain "
                              f"why {member_name} made it.",
        },
        "profile": profile.name,
    }
    title = ("Your application was declined" if decision is Decision.DECLINED
             else "You were offered different terms than you applied for")
    return NoticeContent("adverse_action", f"{title} by {member_name}", body)


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
