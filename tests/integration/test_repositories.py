"""One contract, two implementations: the dispute, file, account and notice repositories behave
alike in SQL (on SQLite and PostgreSQL) and in memory (tests/fakes.py), so a use case tested
against the fakes means what it says on the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from openbureau.adapters.tables import accounts, notices, organisations, subjects
from openbureau.services.stored import Dispute
from tests.conftest import NOW
from tests.fakes import Account, FakeStore, FakeUnitOfWork

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def _seed_sql(bureau) -> dict[str, int]:
    with bureau.uow() as uow:
        run = uow.execute
        bank = run(insert(organisations).values(name="Repo Bank", role="furnisher",
                                                created_at=NOW).returning(organisations.c.id)
                   ).scalar_one()
        ids = {}
        for name, ref, suffix in (("Ada Lovelace", "sub_repo_a", "6789"),
                                  ("Bob Babbage", "sub_repo_b", None)):
            ids[ref] = run(insert(subjects).values(
                name=name, date_of_birth=date(1990, 1, 2), kind="person", created_at=NOW,
                item_ref=ref, id_suffix=suffix).returning(subjects.c.id)).scalar_one()
        run(insert(accounts).values(
            furnisher_id=bank, account_ref="CARD-1", subject_id=ids["sub_repo_a"],
            item_ref="acc_repo_1", kind="revolving", ecoa="individual", currency="USD",
            opened_on=date(2020, 1, 1), latest_as_of=date(2026, 10, 31), updated_at=NOW))
        uow.commit()
    return {"bank": int(bank), "ada": int(ids["sub_repo_a"]), "bob": int(ids["sub_repo_b"])}


def _seed_fake(store: FakeStore) -> dict[str, int]:
    store.organisations[7] = "Repo Bank"
    store.files[1] = replace(store.add_file(1), item_ref="sub_repo_a")
    store.files[2] = replace(store.add_file(2, "Bob Babbage", id_suffix=None),
                             item_ref="sub_repo_b")
    store.accounts["acc_repo_1"] = Account("acc_repo_1", 1, 7, "CARD-1")
    return {"bank": 7, "ada": 1, "bob": 2}


@pytest.fixture(params=["sql", "fake"])
def repos(request, bureau, clock):
    """(a unit-of-work factory, the seeded ids) for each implementation."""
    if request.param == "sql":
        return bureau.uow, _seed_sql(bureau)
    store = FakeStore()
    ids = _seed_fake(store)
    return (lambda: FakeUnitOfWork(store, clock)), ids


def dispute(ids, ref: str, opened: datetime, **over) -> Dispute:
    base = Dispute(id=0, ref=ref, subject_id=ids["ada"], item_kind="account",
                   item_ref="acc_repo_1", furnisher_id=ids["bank"], reason="paid",
                   statement=None, status="open", opened_at=opened,
                   due_at=opened + timedelta(days=30))
    return replace(base, **over)


def test_disputes_are_stored_found_ordered_and_closed_alike(repos):
    new_uow, ids = repos
    with new_uow() as uow:
        uow.disputes.add(dispute(ids, "dsp_r1", T0))
        uow.disputes.add(dispute(ids, "dsp_r2", T0 + timedelta(days=1), item_kind="identity",
                                 item_ref="sub_repo_a", furnisher_id=None))
        uow.commit()
    with new_uow() as uow:
        assert [d.ref for d in uow.disputes.of_file(ids["ada"])] == ["dsp_r2", "dsp_r1"]
        assert uow.disputes.of_file(ids["bob"]) == []
        assert uow.disputes.open_on(ids["ada"], "acc_repo_1")
        assert uow.disputes.own("dsp_r1", ids["bob"]) is None
        mine = uow.disputes.to_answer("dsp_r1", "account", ids["bank"])
        assert mine is not None and mine.statement is None and mine.opened_at == T0
        assert uow.disputes.to_answer("dsp_r1", "account", ids["bank"] + 1000) is None
        assert uow.disputes.to_answer("dsp_r2", "identity", None) is not None
        (on_file,) = uow.disputes.answered_by("account", ids["bank"], "open")
        assert (on_file.account_ref, on_file.name, on_file.id_suffix) == (
            "CARD-1", "Ada Lovelace", "6789")
        assert [w.answerer for w in uow.disputes.open_workload()] == ["Repo Bank", None]
        assert [d.ref for d in uow.disputes.overdue(T0 + timedelta(days=30))] == ["dsp_r1"]
        uow.disputes.add_statement(mine.id, "more", T0 + timedelta(days=45))
        uow.disputes.close(mine.id, "verified", T0 + timedelta(days=2), "checked")
        uow.commit()
    with new_uow() as uow:
        d = uow.disputes.own("dsp_r1", ids["ada"])
        assert (d.status, d.note, d.statement, d.due_at) == (
            "verified", "checked", "more", T0 + timedelta(days=45))
        assert not uow.disputes.open_on(ids["ada"], "acc_repo_1")


def test_an_uncommitted_unit_leaves_nothing(repos):
    new_uow, ids = repos
    with new_uow() as uow:
        uow.disputes.add(dispute(ids, "dsp_r3", T0))
    with new_uow() as uow:
        assert uow.disputes.of_file(ids["ada"]) == []


def test_files_and_accounts_alike(repos):
    new_uow, ids = repos
    with new_uow() as uow:
        assert uow.files.identity(ids["ada"]).item_ref == "sub_repo_a"
        assert uow.files.identity(10 ** 9) is None
        assert uow.accounts.answerer(ids["ada"], "acc_repo_1") == ids["bank"]
        assert uow.accounts.answerer(ids["bob"], "acc_repo_1") is None
        assert uow.accounts.key("acc_repo_1").account_ref == "CARD-1"
        uow.accounts.suppress("acc_repo_1", "dispute_unverified", NOW)
        uow.accounts.suppress("acc_repo_1", "retention", NOW)     # already off: unchanged
        uow.files.correct_identity(ids["ada"], {"name": "Ada King"})
        uow.commit()
    with new_uow() as uow:
        assert uow.accounts.answerer(ids["ada"], "acc_repo_1") is None    # not shown
        assert uow.files.identity(ids["ada"]).name == "Ada King"


def test_notices_are_added_to_the_file(repos, bureau):
    new_uow, ids = repos
    with new_uow() as uow:
        first = uow.notices.add(ids["ada"], "dispute_result", "t", {"a": 1}, NOW)
        second = uow.notices.add(ids["ada"], "dispute_result", "t", {"a": 2}, NOW)
        uow.commit()
    assert second != first
    if isinstance(new_uow(), FakeUnitOfWork):
        return
    with bureau.uow() as uow:
        rows = uow.execute(notices.select().where(notices.c.subject_id == ids["ada"])).all()
    assert sorted(r.body["a"] for r in rows) == [1, 2]


def test_consents_alike(repos):
    new_uow, ids = repos
    terms = dict(subject_id=ids["ada"], organisation_id=ids["bank"], scope="income",
                 source="consumer", evidence_kind="in_app", evidence_sha256="0" * 64)
    with new_uow() as uow:
        first = uow.consents.add(purpose="credit_application", reference="cns_repo_1",
                                 granted_at=T0, expires_at=T0 + timedelta(days=30),
                                 recorded_at=T0, **terms)
        uow.consents.add(purpose="account_review", reference="cns_repo_2", granted_at=T0,
                         expires_at=T0 + timedelta(days=30), recorded_at=T0 + timedelta(hours=1),
                         **terms)
        uow.commit()
    assert first.organisation == "Repo Bank" and first.revoked_at is None
    with new_uow() as uow:
        assert [c.reference for c in uow.consents.on_file(ids["ada"])] == ["cns_repo_2",
                                                                          "cns_repo_1"]
        assert uow.consents.own("cns_repo_1", ids["bob"]) is None
        assert sorted(c.reference for c in uow.consents.by_refs(
            ["cns_repo_1", "cns_repo_2", "cns_nope"])) == ["cns_repo_1", "cns_repo_2"]
        assert [c.reference for c in uow.consents.of_member(
            ids["bank"], ids["ada"], "account_review")] == ["cns_repo_2"]
        gone = uow.consents.revoke(first.id, T0 + timedelta(days=1))
        uow.commit()
    assert gone.revoked_at == T0 + timedelta(days=1)
    with new_uow() as uow:
        assert uow.consents.by_ref("cns_repo_1").revoked_at == T0 + timedelta(days=1)


def test_identity_protections_alike(repos):
    """Cannot-links and blocks by (furnisher, account hash), an account on its file, unlinking,
    identity-theft reports and their blocks, what furnishers are told."""
    new_uow, ids = repos
    ada, bob, bank = ids["ada"], ids["bob"], ids["bank"]
    with new_uow() as uow:
        p = uow.protections
        assert p.cannot_links(bank, ["h1"]) == {} and p.blocked(bank, ["h1"]) == {}
        assert p.any_for(bank) == (False, False)
        p.add_cannot_link(ada, bank, "h1", "not mine", "dsp_x", NOW)
        assert p.any_for(bank) == (True, False)
        acc = p.account(ada, "acc_repo_1")
        assert acc is not None and (acc.account_ref, acc.furnisher_id, acc.furnisher) == (
            "CARD-1", bank, "Repo Bank")
        assert p.account(bob, "acc_repo_1") is None
        report_id = p.add_report("itr_r1", ada, "stolen", NOW, NOW + timedelta(days=4))
        p.add_block(report_id, ada, "acc_repo_1", bank, "h2", NOW)
        p.mark_blocked(report_id, NOW)
        p.tell_furnisher(bank, "blocked", "CARD-1", "acc_repo_1", "itr_r1", "theft", NOW)
        p.tell_furnisher(bank, "unlinked", "CARD-9", "acc_gone", "dsp_x", "not mine", NOW)
        uow.commit()
    with new_uow() as uow:
        p = uow.protections
        assert p.any_for(bank) == (True, True) and p.any_for(bank + 1) == (False, False)
        assert p.cannot_links(bank, ["h1", "h2"]) == {"h1": {ada}}
        assert p.cannot_links(bank + 1, ["h1"]) == {}
        assert p.blocked(bank, ["h1", "h2"]) == {"h2": {ada}}
        [rep] = p.reports_of(ada)
        assert (rep.ref, rep.items, rep.blocked_at) == ("itr_r1", ("acc_repo_1",), NOW)
        assert p.reports_of(bob) == []
        [blk] = p.blocks_of(ada)
        assert (blk.item_ref, blk.report_ref, blk.account_ref) == ("acc_repo_1", "itr_r1",
                                                                   "CARD-1")
        told = p.furnisher_notices(bank, 0, 10)
        assert [(n.kind, n.account_ref) for n in told] == [("blocked", "CARD-1"),
                                                           ("unlinked", "CARD-9")]
        assert [n.kind for n in p.furnisher_notices(bank, told[0].id, 10)] == ["unlinked"]
        acc = p.account(ada, "acc_repo_1")
        assert acc is not None
        p.unlink(acc.id)
        uow.commit()
    with new_uow() as uow:
        assert uow.protections.account(ada, "acc_repo_1") is None
        assert not uow.protections.frozen_among([ada, bob])
        assert uow.protections.frozen_and_alerts_among([ada, bob], NOW) == (False, [])


def test_what_changed_since_the_last_report_is_read_alike(repos):
    new_uow, ids = repos
    with new_uow() as uow:
        uow.scores.add([{"subject_id": ids["ada"], "model_version": "m", "value": v,
                         "reasons": [], "attributes": {}, "computed_at": at, "job_id": None}
                        for v, at in ((700, T0), (650, T0 + timedelta(days=2)))])
        uow.audit("consumer:sub_repo_a", "report.read", "sub_repo_a", "consumer_request")
        uow.commit()
    with new_uow() as uow:
        assert uow.report.score_at(ids["ada"], T0 + timedelta(days=1)) == 700
        assert uow.report.score_at(ids["ada"], T0 + timedelta(days=2)) == 650
        assert uow.report.score_at(ids["ada"], T0 - timedelta(days=1)) is None
        assert uow.report.score_at(ids["bob"], T0 + timedelta(days=9)) is None
        now = uow.clock.now()
        assert uow.report.last_read("sub_repo_a", "consumer:sub_repo_a", "report.read",
                                    now + timedelta(days=1)) == now
        assert uow.report.last_read("sub_repo_a", "consumer:sub_repo_a", "report.read",
                                    now) is None
        assert uow.report.last_read("sub_repo_a", "member:1:x", "report.read",
                                    now + timedelta(days=1)) is None
        assert uow.report.furnished_months(ids["bob"]) == []
