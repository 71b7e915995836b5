"""Notices read as letters: every kind in words, money with its currency, no reprs, no None."""

from __future__ import annotations

import re

import pytest

from openbureau.domain import wording
from openbureau.domain.letters import Context, Letter, letter

ADVERSE = {
    "decision": "declined", "member": "Acme Lending", "decided_at": "2026-12-03T20:03:38+00:00",
    "score": 575, "score_range": {"min": 350, "max": 950},
    "score_date": "2026-11-01T12:00:00+00:00", "model_version": "gmsc-2026.11.1",
    "key_factors": [{"code": "R01", "text": "Balances are high compared with limits.",
                     "points_lost": 40},
                    {"code": "R10", "text": "Too many inquiries in the last 6 months.",
                     "points_lost": 5}],
    "bureau": {"name": "openbureau demo", "contact": "disputes@example.org"},
    "rights": {"free_report": "You may get a free copy of your report.",
               "dispute": "You may dispute anything on your file.",
               "decision_maker": "openbureau demo did not make this decision."},
    "profile": "us-fcra", "inquiry_id": "inq_1", "purpose": "credit_application"}
LISTING = {
    "listing_id": "pr_1", "case_number": "(2026) Civ 2", "court": "Demo District Court",
    "amount": 250000, "currency": "USD", "judgment_date": "2026-10-01",
    "ground": "refuses_to_perform", "legal_basis": "Civil Procedure Law art. 262",
    "status": "active", "listed_at": "2026-10-05T09:00:00+00:00", "until": None,
    "lifted_at": None, "lift_reason": None,
    "restrictions": [{"category": "air_travel", "ordered_on": "2026-10-05", "until": None,
                      "lifted_at": None}],
    "objection": "you may object to this listing; the court decides within 15 days"}
REPR = re.compile(r"None|\{'|\['|\bTrue\b|\bFalse\b|_\w+_|\d{4}-\d\d-\d\dT")


def test_the_adverse_action_notice_reads_as_a_letter():
    text = letter("adverse_action", "Your application was declined by Acme Lending",
                  ADVERSE).text()
    assert text.startswith("Your application was declined by Acme Lending\n\n")
    assert ("On 3 December 2026, Acme Lending declined your application (credit application)."
            in text)
    assert ("Your credit score was 575 on a scale from 350 to 950, computed on 1 November 2026 "
            "with model gmsc-2026.11.1." in text)
    assert "- Balances are high compared with limits. (costs 40 points)" in text
    assert "- Too many inquiries in the last 6 months. (costs 5 points)" in text
    assert "did not make this decision" in text and "free copy" in text
    assert text.endswith("How to reach us: openbureau demo, disputes@example.org.")
    assert "R01" not in text and not REPR.search(text), text


def test_a_counteroffer_without_a_score_says_so():
    body = {**ADVERSE, "decision": "counteroffer", "score": None, "score_date": None,
            "model_version": None, "key_factors": [], "terms": "a limit of 1,000.00 USD"}
    text = letter("adverse_action", "Different terms", body).text()
    assert "offered you different terms than you applied for" in text
    assert "The terms offered: a limit of 1,000.00 USD." in text
    assert "No credit score was available" in text and "key factors" not in text
    assert not REPR.search(text), text


def test_a_listing_notice_writes_money_and_the_open_end():
    text = letter("listing", "Listed", LISTING).text()
    assert "Demo District Court has listed you as a judgment debtor in case (2026) Civ 2" in text
    assert "is for 2,500.00 USD" in text
    assert "until you perform the judgment" in text
    assert "- air travel, from 5 October 2026 until the listing ends" in text
    assert "You may object to this listing" in text
    assert not REPR.search(text), text
    yen = letter("listing", "Listed", {**LISTING, "amount": 250000, "currency": "JPY",
                                       "until": "2028-10-05"}).text()
    assert "is for 250,000 JPY" in yen and "runs until 5 October 2028" in yen


def test_a_dispute_result_names_the_account():
    body = {"dispute_id": "dsp_1", "item_kind": "account", "item_ref": "acc_6ed6",
            "result": "deleted", "explanation": "The furnisher deleted the item.",
            "answered_at": "2026-12-01T10:00:00+00:00", "bureau_contact": "help@example.org"}
    names = {"acc_6ed6": wording.account_name("Demo First Bank", "installment", "FB-7-0-10")}
    text = letter("dispute_result", "Resolved", body,
                  Context("Bureau", "help@example.org", names)).text()
    assert "Your dispute about Demo First Bank loan ending 7010 was closed on 1 December 2026: " \
           "deleted." in text
    assert "acc_6ed6" not in text
    assert "reference acc_6ed6" in letter("dispute_result", "Resolved", body).text()


@pytest.mark.parametrize("kind, body", [
    ("freeze_placed", {"placed_at": "2026-12-01T10:00:00+00:00", "explanation": "Members can "
                       "no longer pull your file."}),
    ("freeze_lifted", {"placed_at": "2026-11-01T10:00:00+00:00",
                       "lifted_at": "2026-12-01T10:00:00+00:00"}),
    ("fraud_alert_placed", {"kind": "initial", "placed_at": "2026-12-01T10:00:00+00:00",
                            "expires_at": "2027-12-01T10:00:00+00:00"}),
    ("listing_lifted", {**LISTING, "status": "satisfied", "reason": "performance",
                        "lifted_at": "2026-12-01T10:00:00+00:00"}),
    ("objection", {"objection_id": "obj_1", "kind": "correction", "court": "Demo Court",
                   "opened_at": "2026-12-01T10:00:00+00:00", "due_at": "2026-12-16T10:00:00+00:00",
                   "case_number": "C-1", "status": "open", "listing_id": "pr_1"}),
    ("objection_decision", {"case_number": "C-1", "outcome": "rejected", "remedy": None,
                            "note": "no ground", "court": "Demo Court"}),
    ("something_new", {"case_number": "C-1", "until": None, "amount_due": 5,
                       "when": "2026-12-01", "nested": {"a_b": 1, "c": None}}),
])
def test_every_kind_reads_without_reprs(kind, body):
    text = letter(kind, "Title", body, Context("Bureau", "help@example.org")).text()
    assert not REPR.search(text), text
    assert text.count("\n\n") >= 1 and "help@example.org" in text
    assert Letter.from_text(text).text() == text


def test_words_for_months_and_accounts():
    assert wording.month_label("2024-11") == "Nov 2024"
    assert wording.month_short("2026-03") == ("Mar", "2026")
    assert wording.long_date("2026-12-03T20:03:38.414339+00:00") == "3 December 2026"
    assert wording.long_date(None) == "—"
    assert wording.account_name("Bank", "revolving", "4111-1111-1111-1234") == \
        "Bank credit card or credit line ending 1234"
