"""The dispute use cases and ``deadlines.run`` against the in-memory ports (tests/fakes.py):
no database. The SQL repositories are proven by tests/integration/test_disputes.py and
test_dispute_answers.py, which drive the same use cases over HTTP on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from openbureau.domain.profiles import get_profile
from openbureau.domain.roles import Principal, Role
from openbureau.services import deadlines, disputes
from openbureau.services.stored import Dispute, Listing
from tests.fakes import (
    Account,
    FakeStore,
    FakeUnitOfWork,
    FraudAlert,
    Inquiry,
    RecordingRescorer,
    Restriction,
    fake_deps,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ADA, BOB = 1, 2
BANK = Principal(Role.FURNISHER, 10, "Bank")
OTHER_BANK = Principal(Role.FURNISHER, 11, "Other bank")
COURT = Principal(Role.COURT, 20, "Court")
OPERATOR = Principal(Role.OPERATOR, 30, "Operator")


def consumer(sid: int) -> Principal:
    return Principal(Role.CONSUMER, sid, "", subject_ref=f"sub_{sid}")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_file(ADA, id_hmac="h:123456789")
    s.add_file(BOB, "Bob Babbage")
    s.accounts["acc_ada"] = Account("acc_ada", ADA, BANK.id, "CARD-1")
    s.accounts["acc_bob"] = Account("acc_bob", BOB, BANK.id, "CARD-2")
    s.listings[5] = Listing(5, "pr_ada", ADA, COURT.id, "active")
    s.restrictions.append(Restriction(5))
    s.organisations[BANK.id] = BANK.name
    return s


@pytest.fixture
def rescorer() -> RecordingRescorer:
    return RecordingRescorer()


@pytest.fixture
def deps(clock, rescorer):
    return fake_deps(clock, rescorer=rescorer)


def uow(store, clock) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, clock)


def open_on_card(store, clock, deps, sid=ADA, ref="acc_ada") -> str:
    return disputes.open_dispute(uow(store, clock), deps, consumer(sid), "account", ref,
                                 "I paid it", " The balance is wrong. ")["dispute_id"]


def the_dispute(store) -> Dispute:
    (d,) = store.disputes.values()
    return d


# -- consumer ----------------------------------------------------------------------------------

def test_opening_stores_the_dispute_audits_and_rescores_the_file(store, clock, deps, rescorer):
    out = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "account", "acc_ada",
                                "I paid it", " The balance is wrong. ")
    d = the_dispute(store)
    assert out == {"dispute_id": d.ref, "status": "open", "due_at": NOW + timedelta(days=30)}
    assert (d.subject_id, d.item_ref, d.furnisher_id, d.statement) == (
        ADA, "acc_ada", BANK.id, "The balance is wrong.")
    assert store.actions() == ["dispute.open"]
    assert rescorer.calls == [{ADA}]      # under investigation: out of the score


@pytest.mark.parametrize(("kind", "ref"), [("account", "acc_bob"), ("account", "acc_nope"),
                                           ("public_record", "acc_ada"),
                                           ("identity", "sub_2")])
def test_an_item_not_on_ones_own_file_is_not_found_and_nothing_is_stored(
        store, clock, deps, rescorer, kind, ref):
    with pytest.raises(NotFound):
        disputes.open_dispute(uow(store, clock), deps, consumer(ADA), kind, ref, "why", None)
    assert store.disputes == {} and store.events == [] and rescorer.calls == []


def test_a_listing_and_ones_identity_can_be_disputed(store, clock, deps):
    disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "public_record", "pr_ada",
                          "paid", None)
    disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "identity", "sub_1",
                          "misspelt", None)
    assert sorted((d.item_kind, d.furnisher_id) for d in store.disputes.values()) == [
        ("identity", None), ("public_record", COURT.id)]


def test_a_second_open_dispute_on_one_item_conflicts(store, clock, deps):
    open_on_card(store, clock, deps)
    with pytest.raises(Conflict):
        open_on_card(store, clock, deps)
    assert len(store.disputes) == 1


def test_a_reason_is_required_and_the_kind_must_be_known(store, clock, deps):
    with pytest.raises(ValidationFailed):
        disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "account", "acc_ada",
                              "  ", None)
    with pytest.raises(ValidationFailed):
        disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "tweet", "acc_ada",
                              "why", None)
    assert store.disputes == {}


def test_my_disputes_newest_first_and_audited(store, clock, deps):
    first = open_on_card(store, clock, deps)
    clock.advance(days=1)
    second = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "identity", "sub_1",
                                   "misspelt", None)["dispute_id"]
    seen = disputes.my_disputes(uow(store, clock), deps, consumer(ADA))
    assert [d["dispute_id"] for d in seen] == [second, first]
    assert store.actions()[-1] == "disputes.read"
    assert disputes.my_disputes(uow(store, clock), deps, consumer(BOB)) == []


def test_adding_information_extends_the_deadline_once(store, clock, deps):
    ref = open_on_card(store, clock, deps)
    first = disputes.add_information(uow(store, clock), deps, consumer(ADA), ref, "receipt")
    again = disputes.add_information(uow(store, clock), deps, consumer(ADA), ref, "another")
    assert first["due_at"] == again["due_at"] == NOW + timedelta(days=30 + 15)
    assert the_dispute(store).statement.endswith("[added 2026-11-01] another")
    with pytest.raises(NotFound):
        disputes.add_information(uow(store, clock), deps, consumer(BOB), ref, "not mine")


# -- answers -----------------------------------------------------------------------------------

def test_a_deleted_account_leaves_the_file_with_a_notice_and_a_rescore(store, clock, deps,
                                                                       rescorer):
    ref = open_on_card(store, clock, deps)
    clock.advance(days=2)
    out = disputes.respond(uow(store, clock), deps, BANK, ref, "deleted", None, " paid ")
    assert out == {"dispute_id": ref, "status": "deleted", "answered_at": clock.now()}
    assert store.accounts["acc_ada"].deleted_at == clock.now()
    d = the_dispute(store)
    assert (d.status, d.note) == ("deleted", "paid")
    (notice,) = store.notices
    assert notice["kind"] == "dispute_result" and notice["body"]["result"] == "deleted"
    assert rescorer.calls == [{ADA}, {ADA}]
    assert store.actions()[-1] == "dispute.close"


def test_another_furnishers_answer_is_refused_and_only_the_refusal_is_kept(store, clock, deps):
    ref = open_on_card(store, clock, deps)
    with pytest.raises(NotFound):
        disputes.respond(uow(store, clock), deps, OTHER_BANK, ref, "deleted", None, None)
    assert the_dispute(store).status == "open" and store.notices == []
    assert store.actions()[-1] == "dispute_answer.refused"


def test_a_late_answer_conflicts_and_changes_nothing(store, clock, deps):
    ref = open_on_card(store, clock, deps)
    clock.advance(days=31)
    with pytest.raises(Conflict):
        disputes.respond(uow(store, clock), deps, BANK, ref, "verified", None, None)
    assert the_dispute(store).status == "open"
    assert store.events[-1].subject_ref == "sub_1"     # the refusal names the file


def test_a_correction_goes_through_the_injected_store_in_the_same_unit(store, clock, rescorer):
    seen = []

    def store_correction(u, deps, furnisher, raw):
        seen.append((u, furnisher, raw["account_ref"]))
        return []

    deps = fake_deps(clock, rescorer=rescorer, store_correction=store_correction)
    ref = open_on_card(store, clock, deps)
    raw = correction("CARD-1", "123456789")
    unit = uow(store, clock)
    disputes.respond(unit, deps, BANK, ref, "corrected", raw, None)
    assert seen == [(unit, BANK, "CARD-1")] and the_dispute(store).status == "corrected"


def test_a_correction_of_another_account_or_refused_by_the_store_is_not_applied(store, clock,
                                                                                 rescorer):
    def refusing(u, deps, furnisher, raw):
        return [FieldError("balance", "must not be negative")]

    deps = fake_deps(clock, rescorer=rescorer, store_correction=refusing)
    ref = open_on_card(store, clock, deps)
    with pytest.raises(ValidationFailed) as wrong:
        disputes.respond(uow(store, clock), deps, BANK, ref, "corrected",
                         correction("CARD-9", "123456789"), None)
    assert wrong.value.errors[0].field == "corrected_record"
    with pytest.raises(ValidationFailed) as refused:
        disputes.respond(uow(store, clock), deps, BANK, ref, "corrected",
                         correction("CARD-1", "123456789"), None)
    assert refused.value.errors[0].field == "corrected_record.balance"
    assert the_dispute(store).status == "open" and store.notices == []


def test_deleting_a_disputed_listing_vacates_it_and_lifts_its_restrictions(store, clock, deps):
    ref = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "public_record",
                                "pr_ada", "paid", None)["dispute_id"]
    disputes.respond(uow(store, clock), deps, COURT, ref, "deleted", None, "paid in full")
    assert store.listings[5].status == "vacated"
    assert store.restrictions[0].lifted_at == NOW


def test_an_operator_corrects_identity_data_and_the_audit_keeps_only_hashes(store, clock, deps):
    ref = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "identity", "sub_1",
                                "misspelt", None)["dispute_id"]
    disputes.respond(uow(store, clock), deps, OPERATOR, ref, "corrected", None, None,
                     {"name": "Ada King", "date_of_birth": "1990-01-02"})
    assert store.files[ADA].name == "Ada King"
    (event,) = [e for e in store.events if e.action == "identity.correct"]
    assert event.detail["changes"] == {"name": {"before": "a:name:Ada Lovelace",
                                                "after": "a:name:Ada King"}}


def test_the_answering_parties_see_their_disputes_and_staff_the_workload(store, clock, deps):
    ref = open_on_card(store, clock, deps)
    disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "identity", "sub_1", "x", None)
    (mine,) = disputes.furnisher_disputes(uow(store, clock), deps, BANK, "open")
    assert (mine["dispute_id"], mine["account_ref"], mine["subject"]) == (
        ref, "CARD-1", {"name": "Ada Lovelace", "national_id_masked": "*****6789"})
    assert disputes.furnisher_disputes(uow(store, clock), deps, OTHER_BANK, None) == []
    (ident,) = disputes.disputes_to_answer(uow(store, clock), deps, OPERATOR, None)
    assert ident["item"] == {"kind": "identity", "ref": "sub_1"}
    clock.advance(days=27)
    dash = disputes.workload(uow(store, clock), deps, OPERATOR)
    assert (dash["open"], dash["due_soon"], dash["overdue"]) == (2, 2, 0)
    assert {i["answerer"] for i in dash["items"]} == {"Bank", "the bureau (identity data)"}


# -- deadlines ---------------------------------------------------------------------------------

def test_silence_past_the_deadline_suppresses_the_account_once(store, clock, deps, rescorer):
    open_on_card(store, clock, deps)
    clock.advance(days=30)
    assert deadlines.run(uow(store, clock), deps).disputes_expired == 1
    assert the_dispute(store).status == "expired"
    acc = store.accounts["acc_ada"]
    assert (acc.suppressed_at, acc.suppressed_reason) == (clock.now(), "dispute_unverified")
    assert [n["body"]["result"] for n in store.notices] == ["expired"]
    assert deadlines.run(uow(store, clock), deps).disputes_expired == 0   # twice: nothing
    assert rescorer.calls == [{ADA}, {ADA}]


def test_silence_under_cn_cri_leaves_the_account_on_the_file(store, clock, rescorer):
    deps = fake_deps(clock, "cn-cri", rescorer=rescorer)
    open_on_card(store, clock, deps)
    clock.advance(days=get_profile("cn-cri").dispute_days)
    assert deadlines.run(uow(store, clock), deps).disputes_expired == 1
    assert the_dispute(store).status == "unconfirmed"
    assert store.accounts["acc_ada"].suppressed_at is None


def test_retention_inquiries_listings_and_alerts_follow_the_profile(store, clock, deps,
                                                                   rescorer):
    profile = deps.profile
    today = NOW.date()
    store.accounts["acc_bob"].date_of_first_delinquency = \
        today - timedelta(days=profile.negative_retention_days + 1)
    store.inquiries += [Inquiry(ADA, "account_review", NOW - timedelta(days=366)),
                        Inquiry(ADA, "employment", NOW - timedelta(days=366)),
                        Inquiry(ADA, "account_review", NOW - timedelta(days=10))]
    store.listing_until[5] = today - timedelta(days=1)
    store.restrictions[0].until = today - timedelta(days=1)
    store.fraud_alerts += [FraudAlert(ADA, "initial", NOW - timedelta(days=365), NOW),
                           FraudAlert(ADA, "extended", NOW, NOW + timedelta(days=1))]
    ran = deadlines.run(uow(store, clock), deps)
    assert ran.as_dict() == {"disputes_expired": 0, "accounts_past_retention": 1,
                             "inquiries_dropped": 1, "listings_expired": 1}
    assert store.accounts["acc_bob"].suppressed_reason == "retention"
    assert rescorer.calls == [{BOB}]
    assert store.listings[5].status == "expired" and store.restrictions[0].lifted_at == NOW
    assert [a.kind for a in store.fraud_alerts] == ["extended"]
    assert store.actions() == ["deadlines.run"]
    assert deadlines.run(uow(store, clock), deps).as_dict() == dict.fromkeys(ran.as_dict(), 0)


def correction(account_ref: str, national_id: str) -> dict:
    return {"account_ref": account_ref, "kind": "revolving", "ecoa": "individual",
            "currency": "USD", "opened_on": "2020-01-01", "as_of": "2026-10-31",
            "credit_limit": 500000, "balance": 0, "amount_past_due": 0, "status": "current",
            "payment_history": "0" * 24,
            "subject": {"national_id": national_id, "name": "Ada Lovelace",
                        "date_of_birth": date(1990, 1, 2).isoformat()}}


# -- "not mine" and identity elements (services/protections.py) -----------------------------------

@pytest.mark.parametrize(("profile", "unlinked"), [("us-fcra", True), ("eu-gdpr", True),
                                                   ("cn-cri", False)])
def test_not_mine_left_unanswered_unlinks_where_silence_takes_the_item_off(
        store, clock, rescorer, profile, unlinked):
    deps = fake_deps(clock, profile, rescorer=rescorer)
    opened = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "account", "acc_ada",
                                   "not_mine", "never my card")
    clock.advance(days=get_profile(profile).dispute_days, seconds=1)
    assert deadlines.run(uow(store, clock), deps).disputes_expired == 1
    assert ("acc_ada" not in store.accounts) is unlinked
    assert len(store.cannot_links) == int(unlinked)
    assert [n.account_ref for n in store.furnisher_notices] == (["CARD-1"] if unlinked else [])
    assert ("identity.unlinked" in store.actions()) is unlinked
    if unlinked:
        [(sid, fid, h, source)] = store.cannot_links
        assert (sid, fid, source) == (ADA, BANK.id, opened["dispute_id"])
        assert h != "CARD-1" and "CARD-1" not in str(store.events[-3:])
        [notice] = [n for n in store.notices if n["kind"] == "dispute_result"]
        assert notice["body"]["unlinked"] is True


def test_not_mine_verified_by_the_furnisher_stays(store, clock, deps):
    opened = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "account", "acc_ada",
                                   "not_mine", None)
    disputes.respond(uow(store, clock), deps, BANK, opened["dispute_id"], "verified", None, None)
    assert "acc_ada" in store.accounts and store.cannot_links == []


def test_a_disputed_identity_element_is_removed_when_deleted(store, clock, deps):
    store.observations[(ADA, "idn_wrong")] = ("address", "hmac-1")
    store.observations[(ADA, "idn_wrong2")] = ("address", "hmac-1")    # another furnisher's
    store.observations[(ADA, "idn_home")] = ("address", "hmac-2")
    with pytest.raises(NotFound):           # another file's element is not on Ada's
        disputes.open_dispute(uow(store, clock), deps, consumer(BOB), "identity", "idn_home",
                              "not my address", None)
    opened = disputes.open_dispute(uow(store, clock), deps, consumer(ADA), "identity",
                                   "idn_wrong", "I never lived there", None)
    disputes.respond(uow(store, clock), deps, OPERATOR, opened["dispute_id"], "deleted", None,
                     None)
    assert list(store.observations) == [(ADA, "idn_home")]
    assert store.actions().count("identity.element_removed") == 1


def test_an_identity_theft_report_blocks_once_even_an_item_already_suppressed(store, clock,
                                                                             deps):
    from openbureau.services import protections

    store.accounts["acc_ada"].suppressed_at = NOW          # a dispute expired on it before
    store.accounts["acc_ada"].suppressed_reason = "dispute_unverified"
    out = protections.report_identity_theft(uow(store, clock), deps, consumer(ADA),
                                            ["acc_ada"], "stolen wallet")
    assert out["items"] == ["acc_ada"] and out["due_at"] == NOW + timedelta(days=4)
    assert [b[2] for b in store.blocks] == ["acc_ada"]
    with pytest.raises(NotFound):
        protections.report_identity_theft(uow(store, clock), deps, consumer(ADA), ["acc_ada"],
                                          None)
    with pytest.raises(NotFound):          # another person's account
        protections.report_identity_theft(uow(store, clock), deps, consumer(ADA), ["acc_bob"],
                                          None)
    assert len(store.blocks) == 1 and len(store.theft_reports) == 1
    assert [n.kind for n in store.furnisher_notices] == ["blocked"]
