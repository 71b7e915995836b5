"""The credit report (``services/reports.py``) against the in-memory ports (no database): what
a member is shown of a file, the item names, the notices' letters and the file's personal
information; the person's own report, with the changes since their last one
(``services/report_changes``). tests/integration/test_reports.py,
test_report_reads.py, test_report_glance.py, test_notice_letters.py and
test_identity_observations.py drive every part of it on both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.domain import wording
from openbureau.domain.roles import Principal, Role
from openbureau.services import reports
from openbureau.services.stored import (
    Dispute,
    ListingDetail,
    ReportAccount,
    ReportMonth,
    ReportObservation,
    ReportRecord,
    ReportRestriction,
)
from tests.fakes import (
    Account,
    FakeIdentityVault,
    FakeStore,
    FakeUnitOfWork,
    FraudAlert,
    Inquiry,
    fake_deps,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LENDER = Principal(Role.MEMBER, 40, "Lender")
BANK, COURT = 10, 30


def account(id: int, item_ref: str, **over: object) -> ReportAccount:
    values: dict[str, object] = dict(
        id=id, item_ref=item_ref, account_ref=f"CARD-{id}", furnisher_name="Bank",
        kind="revolving", ecoa="individual", currency="USD", opened_on=date(2019, 4, 1),
        closed_on=None, credit_limit=500000, original_amount=None,
        date_of_first_delinquency=None, compliance_code=None, latest_as_of=date(2026, 10, 31),
        original_creditor=None, creditor_classification=None, purchase_indicator=None,
        purchase_name=None, mortgage=None, specialised_payment=None, link=None,
        status="current", balance=120000, amount_past_due=0, month_limit=None,
        month_comment=None)
    values.update(over)
    return ReportAccount(**values)  # type: ignore[arg-type]


def dispute(id: int, item_kind: str, item_ref: str, status: str, days_ago: int) -> Dispute:
    at = NOW - timedelta(days=days_ago)
    return Dispute(id, f"dsp_{id}", 1, item_kind, item_ref, None, "not mine", None, status, at,
                   at + timedelta(days=30))


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1, id_hmac="h:123456789")
    s.add_organisation(BANK, "Bank", "furnisher")
    s.add_organisation(COURT, "District Court", "court")
    s.add_organisation(LENDER.id, LENDER.name, "member")
    for ref in ("acc_1", "acc_2", "acc_3"):
        s.accounts[ref] = Account(ref, 1, BANK, f"CARD-{ref[-1]}")
    s.accounts["acc_2"].suppressed_at = NOW                  # off the file (past retention)
    s.accounts["acc_2"].suppressed_reason = "retention"
    s.accounts["acc_3"].suppressed_at = NOW                  # restricted: the person sees it
    s.accounts["acc_3"].suppressed_reason = "dispute_restricted"
    s.report.accounts[1] = [account(1, "acc_1", month_limit=400000),
                            account(2, "acc_2"), account(3, "acc_3")]
    s.report.months = [ReportMonth(1, date(2026, 9, 30), "dpd30", None),
                       ReportMonth(1, date(2026, 10, 31), "current", "1000")]
    s.report.records[1] = [
        ReportRecord(7, "pr_7", "judgment", "District Court", "(2026) Civ 1", 45000, "USD",
                     date(2026, 8, 1), "refuses_to_perform", "art. 262", "active",
                     NOW - timedelta(days=60), None, None),
        ReportRecord(8, "pr_8", "judgment", "District Court", "(2026) Civ 2", 100, "USD",
                     date(2026, 9, 1), None, None, "active", NOW - timedelta(days=50), None,
                     None)]
    s.report.restrictions = [ReportRestriction(7, "air_travel", date(2026, 8, 1), None),
                             ReportRestriction(7, "star_hotels", date(2026, 8, 1),
                                               date(2026, 10, 1))]          # ended
    s.disputes[1] = dispute(1, "account", "acc_1", "open", 3)
    s.disputes[2] = dispute(2, "public_record", "pr_8", "expired", 9)
    s.inquiries = [Inquiry(1, "credit_application", NOW - timedelta(days=10), item_ref="inq_1",
                           organisation_id=LENDER.id),
                   Inquiry(1, "credit_application", NOW - timedelta(days=900),
                           item_ref="inq_old", organisation_id=LENDER.id)]
    s.fraud_alerts = [FraudAlert(1, "initial", NOW - timedelta(days=1),
                                 NOW + timedelta(days=300)),
                      FraudAlert(1, "initial", NOW - timedelta(days=400),
                                 NOW - timedelta(days=35))]
    return s


@pytest.fixture
def uow(store):
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault())


def member_report(uow, deps, viewer=LENDER, **kw):
    """The report ``viewer`` reads (by default a member's; without a ``score``, none)."""
    with uow:
        subject = uow.credentials.holder("h:123456789")
        report = reports.build_report(uow, deps, subject, viewer, "credit_application",
                                      **{"score": None, **kw})
        uow.commit()
    return report


def test_a_member_sees_the_file_without_what_due_process_took_off_it(uow, deps, store):
    report = member_report(uow, deps)
    (acc,) = report["accounts"]           # retention and a restriction hide the other two
    assert (acc["item_ref"], acc["credit_limit"], acc["disputed"]) == ("acc_1", 400000, True)
    grid = {c["month"]: c["code"] for c in acc["payment_history"]}
    # September as reported; August from October's payment-history profile; May from none
    assert (grid["2026-09"], grid["2026-10"], grid["2026-08"], grid["2026-05"]) == (
        "1", "0", "0", "-")
    (record,) = report["public_records"]  # pr_8's dispute expired unverified: off the file
    assert record["item_ref"] == "pr_7"
    assert [r["category"] for r in record["restrictions"]] == ["air_travel"]
    assert [q["item_ref"] for q in report["inquiries"]] == ["inq_1"]   # us-fcra: 2 years
    assert [d["item_ref"] for d in report["disputes"]] == ["acc_1", "pr_8"]
    assert "reason" not in report["disputes"][0]          # the consumer's words are theirs
    assert report["identity"]["national_id"] is None
    assert report["identity"]["national_id_masked"] == "*****6789"
    assert report["notices"] is None and report["changes"] is None
    assert [a["kind"] for a in report["fraud_alerts"]] == ["initial"]
    assert report["frozen"] is False
    assert store.actions() == ["report.read"]
    assert store.events[0].purpose == "credit_application"


def test_a_freeze_shows_on_the_report_and_in_is_frozen(uow, deps, store):
    store.freezes.append([1, NOW, None])
    assert member_report(uow, deps)["frozen"] is True
    with uow:
        assert reports.is_frozen(uow, 1) and not reports.is_frozen(uow, 2)


def test_items_are_named_in_words(uow, deps, store):
    store.listing_details[7] = ListingDetail(7, "pr_7", 1, COURT, "District Court",
                                             "(2026) Civ 1", "active", 45000, None, None, None)
    with uow:
        names = reports.item_names(uow, 1)
    assert names == {
        **{ref: wording.account_name("Bank", "revolving", f"CARD-{ref[-1]}", str)
           for ref in ("acc_1", "acc_2", "acc_3")},        # suppressed ones too (notices)
        "pr_7": wording.record_name("District Court", "(2026) Civ 1", str)}
    assert names["acc_1"] == "Bank credit card or credit line ending ARD1"


def test_notices_read_as_letters_newest_first(uow, deps, store):
    store.notices = [
        {"subject_id": 1, "kind": "freeze_placed", "title": "Freeze placed", "body": {},
         "created_at": NOW - timedelta(days=2)},
        {"subject_id": 1, "kind": "freeze_lifted", "title": "Freeze lifted", "body": {},
         "created_at": NOW - timedelta(days=1)},
        {"subject_id": 2, "kind": "freeze_placed", "title": "Not Ada's", "body": {},
         "created_at": NOW}]
    with uow:
        out = reports.notice_list(uow, deps, 1)
    assert [n["kind"] for n in out] == ["freeze_lifted", "freeze_placed"]
    assert all(n["text"] for n in out)


def test_personal_information_is_each_element_once_with_who_reported_it(uow, deps, store):
    def seen(id: int, kind: str, value: dict[str, object], last: date,
             furnisher: str = "Bank") -> tuple[int, ReportObservation]:
        blob = json.dumps(value).encode()
        return 1, ReportObservation(id, kind, f"v:{kind}:{sorted(value.items())}", blob,
                                    f"obs_{id}", date(2026, 1, 1), last, furnisher)

    store.report.observations = [
        seen(1, "name", {"name": "Ada Lovelace"}, date(2026, 5, 1)),
        seen(2, "name", {"name": "Ada Lovelace"}, date(2026, 10, 1), "Other bank"),
        seen(3, "name", {"name": "Ada King"}, date(2026, 9, 1)),
        seen(4, "national_id", {"national_id": "123456789"}, date(2026, 9, 1)),
    ]
    with uow:
        out = reports.personal_information(deps.vault, uow, 1, "Ada Lovelace", {"obs_3"})
    assert [(e["kind"], e["label"], e["value"]) for e in out] == [
        ("name", "Name", "Ada Lovelace"), ("name", "Also known as", "Ada King"),
        ("national_id", "National id", "*****6789")]
    first = out[0]
    assert [s["furnisher"] for s in first["reported_by"]] == ["Bank", "Other bank"]
    assert first["last_seen_on"] == date(2026, 10, 1)
    assert [e["disputed"] for e in out] == [False, True, False]


ADA = Principal(Role.CONSUMER, 1, "Ada Lovelace", subject_ref="sub_1")


def test_the_persons_own_report_says_what_changed_since_their_last_one(uow, deps, store):
    from openbureau.adapters.audit import PendingEvent
    from openbureau.services.stored import FurnishedMonth

    first = member_report(uow, deps, ADA)
    assert first["changes"]["since"] is None and first["changes"]["items"] == []
    assert [a["item_ref"] for a in first["accounts"]] == ["acc_1", "acc_3"]   # restricted: hers
    assert first["notices"] == []
    assert first["disputes"][0]["reason"] == "not mine"
    assert store.events[-1].action == "report.read" and store.events[-1].actor == ADA.actor
    # read again five days ago; since then acc_1's October arrived late, and the score fell
    then = NOW - timedelta(days=5)
    store.events = [PendingEvent(then, ADA.actor, "report.read", "sub_1", "consumer_request")]
    store.report.furnished = [
        (1, FurnishedMonth("acc_1", date(2026, 9, 30), "current", NOW - timedelta(days=30))),
        (1, FurnishedMonth("acc_1", date(2026, 10, 31), "dpd30", NOW - timedelta(days=1))),
        (2, FurnishedMonth("acc_9", date(2026, 10, 31), "dpd90", NOW - timedelta(days=1)))]
    store.scores = [{"subject_id": 1, "computed_at": NOW - timedelta(days=9), "value": 700},
                    {"subject_id": 1, "computed_at": NOW - timedelta(days=1), "value": 650}]
    score = {"value": 650, "band": "fair", "model_version": "m", "computed_at": NOW,
             "reasons": [], "attributes": {}}
    changes = member_report(uow, deps, ADA, score=score)["changes"]
    assert changes["since"] == then
    # inq_1 (ten days ago) is older than her last read; acc_9 is on another file
    assert [(i["kind"], i["item_ref"]) for i in changes["items"]] == [
        ("status_change", "acc_1"), ("score_change", None)]
    assert (changes["score"]["before"], changes["score"]["change"]) == (700, -50)
    assert "2 changes" in changes["text"]
