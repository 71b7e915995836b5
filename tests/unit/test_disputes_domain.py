"""The dispute state machine, deadlines from the profile, and notice content (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openbureau.domain import disputes as d
from openbureau.domain.errors import Conflict
from openbureau.domain.profiles import PROFILES, get_profile
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
US, CN, EU = (get_profile(n) for n in ("us-fcra", "cn-cri", "eu-gdpr"))
SCALE = (SCORE_MIN, SCORE_MAX)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_due_dates_come_from_the_profile(name):
    p = get_profile(name)
    due = d.due_at(T0, p)
    assert due == T0 + timedelta(days=p.dispute_days)
    extended = d.extended_due_at(T0, due, p)
    assert extended == due + timedelta(days=p.dispute_extension_days)
    assert d.extended_due_at(T0, extended, p) == extended      # once only


def test_profile_deadlines():
    assert (US.dispute_days, US.dispute_extension_days) == (30, 15)
    assert (CN.dispute_days, CN.dispute_extension_days) == (20, 0)
    assert (EU.dispute_days, EU.dispute_extension_days) == (30, 60)


def test_silence_outcome_per_profile():
    assert d.on_silence(US) is d.DisputeStatus.EXPIRED
    assert d.on_silence(CN) is d.DisputeStatus.UNCONFIRMED
    assert d.on_silence(EU) is d.DisputeStatus.RESTRICTED
    assert d.DisputeStatus.EXPIRED in d.HIDDEN_FROM_MEMBERS
    assert d.DisputeStatus.UNCONFIRMED in d.MARKED_DISPUTED


@pytest.mark.parametrize("outcome", list(d.Outcome))
def test_answers(outcome):
    due = d.due_at(T0, US)
    assert d.answer("open", outcome, due, T0).value == outcome.value
    assert d.answer("open", outcome, due, due).value == outcome.value    # on the day is in time
    with pytest.raises(Conflict, match="was due by"):
        d.answer("open", outcome, due, due + timedelta(seconds=1))
    for closed in ("verified", "expired", "unconfirmed", "restricted"):
        with pytest.raises(Conflict, match="already closed"):
            d.answer(closed, outcome, due, T0)


def _reasons(*codes: str) -> list[dict[str, object]]:
    return [{"code": c, "text": f"reason {c}", "points_lost": 10 - i}
            for i, c in enumerate(codes)]


def test_key_factors_four_plus_inquiries():
    inquiry = {"code": "R10", "text": "Too many recent inquiries", "points_lost": 1}
    reasons = _reasons("R01", "R02", "R03", "R04", "R05") + [inquiry]
    assert [f["code"] for f in d.key_factors(reasons, US)] == ["R01", "R02", "R03", "R04",
                                                                "R10"]
    assert [f["code"] for f in d.key_factors(reasons, CN)] == ["R01", "R02", "R03", "R04"]
    # already among the first four: no fifth
    first = [inquiry, *_reasons("R01", "R02", "R03", "R04")]
    assert len(d.key_factors(first, US)) == 4
    # inquiries did not matter: no fifth
    assert len(d.key_factors(_reasons("R01", "R02", "R03", "R04", "R05"), US)) == 4
    assert d.key_factors([], US) == []
    assert [f["code"] for f in d.key_factors(_reasons("R01", "R02"), US)] == ["R01", "R02"]


def test_adverse_action_notice_content():
    score = {"value": 612, "computed_at": T0, "model_version": "m1",
             "reasons": _reasons("R01", "R02", "R03", "R04", "R05")}
    n = d.adverse_action_notice(decision=d.Decision.DECLINED, member_name="Acme Bank",
                                decided_at=T0, score=score, score_range=SCALE, profile=US,
                                bureau_name="ob",
                                bureau_contact="ob office, +1-800")
    assert n.kind == "adverse_action"
    assert n.title == "Your application was declined by Acme Bank"
    b = n.body
    assert (b["score"], b["score_range"]) == (612, {"min": 350, "max": 950})
    assert b["score_date"] == T0.isoformat() and b["decided_at"] == T0.isoformat()
    assert len(b["key_factors"]) == 4
    assert b["bureau"] == {"name": "ob", "contact": "ob office, +1-800"}
    assert "52 free reports a year" in b["rights"]["free_report"]
    assert "within 30 days (45 if you add information" in b["rights"]["dispute"]
    eu = d.adverse_action_notice(decision=d.Decision.COUNTEROFFER, member_name="Acme Bank",
                                 decided_at=T0, score=None, score_range=SCALE, profile=EU,
                                 bureau_name="ob",
                                 bureau_contact="c")
    assert eu.body["score"] is None and eu.body["key_factors"] == []
    assert "at any time" in eu.body["rights"]["free_report"]
    assert eu.title.startswith("You were offered different terms")
    with pytest.raises(ValueError):
        d.adverse_action_notice(decision=d.Decision.APPROVED, member_name="x", decided_at=T0,
                                score=None, score_range=SCALE, profile=US, bureau_name="ob",
                                bureau_contact="c")


@pytest.mark.parametrize("status", [s for s in d.DisputeStatus if s is not d.DisputeStatus.OPEN])
def test_result_notice(status):
    n = d.result_notice(dispute_id=7, item_kind="account", item_ref="acc_1", status=status,
                        note="checked", answered_at=T0, profile=US, bureau_contact="c")
    assert n.kind == "dispute_result"
    assert n.body["result"] == status.value and n.body["note"] == "checked"
    assert n.body["explanation"]
    with pytest.raises(ValueError):
        d.result_notice(dispute_id=7, item_kind="account", item_ref="acc_1",
                        status=d.DisputeStatus.OPEN, note=None, answered_at=T0, profile=US,
                        bureau_contact="c")
