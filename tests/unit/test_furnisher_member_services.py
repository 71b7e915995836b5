"""Holdings, quality reports and decisions against the in-memory ports (no database); the SQL
repositories are proven by the integration tests of the same routes on both databases
(test_furnishing_files.py, test_quality_report.py, test_decisions.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, ValidationFailed
from openbureau.domain.quality import RULES
from openbureau.domain.roles import Principal, Role
from openbureau.services import decisions, holdings, quality_reports
from openbureau.services.stored import FurnishingFile, Holding
from tests.fakes import Account, FakeStore, FakeUnitOfWork, Inquiry, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BANK = Principal(Role.FURNISHER, 10, "Bank")
OTHER = Principal(Role.FURNISHER, 11, "Other bank")
LENDER = Principal(Role.MEMBER, 40, "Lender")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1)
    return s


def holding(n: int) -> Holding:
    return Holding(id=n, account_ref=f"CARD-{n}", item_ref=f"acc_{n}", as_of=date(2026, 10, 31),
                   kind="revolving", status="current", balance=100 * n, amount_past_due=0,
                   credit_limit=5000, currency="USD", opened_on=date(2020, 1, 1),
                   closed_on=None, compliance_code=None, deleted=n == 3)


def test_holdings_page_through_the_furnishers_own_accounts(store, clock):
    for n in (1, 2, 3):
        store.accounts[f"acc_{n}"] = Account(f"acc_{n}", 1, BANK.id, f"CARD-{n}")
        store.holdings.append(holding(n))
    store.accounts["acc_9"] = Account("acc_9", 1, OTHER.id, "X")
    store.holdings.append(holding(9))
    deps = fake_deps(clock)
    first = holdings.furnisher_accounts(FakeUnitOfWork(store, clock), deps, BANK, None, 2)
    assert first["total"] == 3 and first["next_cursor"] == "2"
    assert [i["account_ref"] for i in first["items"]] == ["CARD-1", "CARD-2"]
    rest = holdings.furnisher_accounts(FakeUnitOfWork(store, clock), deps, BANK, "2", 2)
    assert [(i["account_ref"], i["deleted"]) for i in rest["items"]] == [("CARD-3", True)]
    assert rest["next_cursor"] is None
    with pytest.raises(ValidationFailed):
        holdings.furnisher_accounts(FakeUnitOfWork(store, clock), deps, BANK, "abc", 2)


def test_a_furnisher_reads_only_its_own_files_quality(store, clock):
    rule = RULES[0].id
    for n in (1, 2):
        store.furnishing_files.setdefault(BANK.id, []).append(FurnishingFile(
            f"fil_{n}", f"batch{n}.csv", "csv", "done", 10, 9, 1, 0, NOW,
            {"records_checked": 10, "counts": {rule: n}, "samples": {rule: [3]}}))
    deps = fake_deps(clock)
    listed = quality_reports.files_of(FakeUnitOfWork(store, clock), deps, BANK)
    assert [(f["file_id"], f["quality_hits"]) for f in listed] == [("fil_2", 2), ("fil_1", 1)]
    report = quality_reports.report_of(FakeUnitOfWork(store, clock), deps, BANK, "fil_1")
    assert report["records_checked"] == 10 and len(report["rules"]) == len(RULES)
    assert report["rules"][0]["count"] == 1 and report["rules"][0]["sample_lines"] == [3]
    with pytest.raises(NotFound):
        quality_reports.report_of(FakeUnitOfWork(store, clock), deps, OTHER, "fil_1")


def test_a_decline_sends_the_adverse_action_notice_with_the_score_given(store, clock):
    store.inquiries.append(Inquiry(1, "credit_application", NOW, item_ref="inq_1",
                                   organisation_id=LENDER.id,
                                   result={"score": {"value": 580, "reasons": []}}))
    out = decisions.record_decision(FakeUnitOfWork(store, clock), fake_deps(clock), LENDER,
                                    "inq_1", "declined")
    assert out["decision"] == "declined" and out["notice"]["kind"] == "adverse_action"
    (notice,) = store.notices
    assert notice["body"]["inquiry_id"] == "inq_1" and notice["subject_id"] == 1
    assert store.decisions[0]["notice_id"] == 1
    assert store.actions() == ["decision.record"]
    with pytest.raises(Conflict):
        decisions.record_decision(FakeUnitOfWork(store, clock), fake_deps(clock), LENDER,
                                  "inq_1", "approved")
    assert len(store.decisions) == 1 and store.actions()[-1] == "decision.refused"


def test_an_approval_sends_no_notice_and_another_members_inquiry_is_not_found(store, clock):
    store.inquiries.append(Inquiry(1, "credit_application", NOW, item_ref="inq_1",
                                   organisation_id=LENDER.id))
    other = Principal(Role.MEMBER, 41, "Other lender")
    with pytest.raises(NotFound):
        decisions.record_decision(FakeUnitOfWork(store, clock), fake_deps(clock), other,
                                  "inq_1", "declined")
    assert store.decisions == [] and store.actions() == ["decision.refused"]
    out = decisions.record_decision(FakeUnitOfWork(store, clock), fake_deps(clock), LENDER,
                                    "inq_1", "approved")
    assert out["notice"] is None and store.notices == []


def test_an_l1_renumbers_the_tradeline_unless_the_new_number_is_one_already(store, clock):
    from openbureau.services import account_changes

    store.add_file(2)
    store.accounts["acc_1"] = Account("acc_1", 1, BANK.id, "OLD-1")
    store.accounts["acc_2"] = Account("acc_2", 2, BANK.id, "OLD-2")
    store.accounts["acc_3"] = Account("acc_3", 2, BANK.id, "NEW-2")
    store.accounts["acc_4"] = Account("acc_4", 1, OTHER.id, "OLD-1")
    with FakeUnitOfWork(store, clock) as uow:
        done = account_changes.rekey(uow, None, BANK.id, {
            (1, "OLD-1", "NEW-1"), (2, "OLD-2", "NEW-2"), (1, "NEVER", "X")})
        uow.commit()
    assert done == [(1, "OLD-1", "NEW-1")]
    assert [store.accounts[k].account_ref for k in ("acc_1", "acc_2", "acc_3", "acc_4")] == [
        "NEW-1", "OLD-2", "NEW-2", "OLD-1"]       # another furnisher's account is not touched
