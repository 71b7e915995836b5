"""One contract, two implementations, continued (test_repositories.py): the repositories of
files by identity, the court registry, the identity review queue, the model registry, report
inquiries and drift counts behave alike in SQL (on SQLite and PostgreSQL) and in memory
(tests/fakes.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from openbureau.adapters.tables import identity_holds, organisations, subjects
from openbureau.scoring.spec import load_spec
from openbureau.services import models as model_service
from tests.conftest import NOW
from tests.fakes import FakeStore, FakeUnitOfWork

T0 = datetime(2026, 10, 1, tzinfo=UTC)


class Impl:
    """A unit-of-work factory and the few set-ups no repository method makes."""

    def __init__(self, kind: str, bureau, clock) -> None:
        self.kind, self.bureau = kind, bureau
        self.store = FakeStore()
        self.uow = bureau.uow if kind == "sql" else (
            lambda: FakeUnitOfWork(self.store, clock))

    def organisation(self, name: str, role: str) -> int:
        if self.kind == "fake":
            new_id = max(self.store.organisations, default=0) + 1
            self.store.add_organisation(new_id, name, role)
            return new_id
        with self.bureau.uow() as uow:
            oid = int(uow.execute(insert(organisations).values(
                name=name, role=role, created_at=NOW).returning(organisations.c.id)
            ).scalar_one())
            uow.commit()
        return oid

    def merge(self, stray: int, into: int) -> None:
        if self.kind == "fake":
            from dataclasses import replace
            self.store.subjects[stray] = replace(self.store.subjects[stray],
                                                 merged_into_id=into)
            return
        with self.bureau.uow() as uow:
            uow.execute(update(subjects).where(subjects.c.id == stray)
                        .values(merged_into_id=into))
            uow.commit()

    def hold(self, ref: str, furnisher_id: int, reason: str, candidates: list[dict],
             at: datetime) -> None:
        row = {"item_ref": ref, "furnisher_id": furnisher_id, "file_id": 9, "line": 4,
               "account_ref_hmac": "acct", "reason": reason, "weight": 2.5,
               "candidates": candidates, "record_ciphertext": b"kept", "status": "held",
               "created_at": at}
        if self.kind == "fake":
            self.store.holds.append({**row, "decided_at": None})
            return
        with self.bureau.uow() as uow:
            uow.execute(insert(identity_holds).values(**row))
            uow.commit()


@pytest.fixture(params=["sql", "fake"])
def impl(request, bureau, clock) -> Impl:
    return Impl(request.param, bureau, clock)


def open_file(uow, n: int, name: str, kind: str = "person", suffix: str = "6789") -> int:
    return uow.subjects.open(id_hmac=f"contract-h{n}", id_ciphertext=b"cipher%d" % n,
                             id_suffix=suffix, name=name, date_of_birth=date(1990, 1, n),
                             kind=kind, created_at=NOW, item_ref=f"sub_contract{n}")


def test_files_by_identity_alike(impl):
    with impl.uow() as uow:
        ada = open_file(uow, 1, "Ada Lovelace")
        stray = open_file(uow, 2, "Ada L.")
        uow.commit()
    impl.merge(stray, ada)
    with impl.uow() as uow:
        found = uow.subjects.by_hmac("contract-h1")
        assert found is not None and found.id == ada
        assert (found.item_ref, found.name, found.date_of_birth, found.kind,
                found.id_ciphertext, found.id_suffix, found.created_at) == (
            "sub_contract1", "Ada Lovelace", date(1990, 1, 1), "person", b"cipher1", "6789",
            NOW)
        assert uow.subjects.by_id(ada) == found
        assert (found.id_hmac, found.merged_into_id) == ("contract-h1", None)
        assert uow.subjects.by_id(stray).merged_into_id == ada
        assert uow.subjects.by_hmac("contract-none") is None
        assert uow.subjects.by_id(10 ** 9) is None
        assert uow.subjects.id_by_hmac("contract-h2") == stray
        assert uow.subjects.id_by_ref("sub_contract2") == ada      # merged: the survivor
        assert uow.subjects.id_by_ref("sub_contract1") == ada
        assert uow.subjects.id_by_ref("sub_none") is None


def test_the_court_registry_alike(impl):
    court = impl.organisation("Contract court", "court")
    other = impl.organisation("Contract court two", "court")
    with impl.uow() as uow:
        li = open_file(uow, 1, "Li Wei Zhang", suffix="1234")
        acme = open_file(uow, 2, "Acme Trading", kind="organisation", suffix="ME01")

        def listing(ref, subject, when, who=court, until=None, orders=()):
            return uow.registry.add(
                subject_id=subject, court_id=who, case_number=f"case {ref}", amount=500,
                currency="CNY", judgment_date=date(2026, 6, 1), ground="evades_enforcement",
                legal_basis="art. 255", status="active", listed_at=when, until=until,
                item_ref=ref, orders=list(orders))

        first = listing("pr_c1", li, T0, orders=[("star_hotels", None),
                                                 ("air_travel", date(2027, 1, 1))])
        second = listing("pr_c2", acme, T0 + timedelta(days=1))
        listing("pr_c3", li, T0 + timedelta(days=2), who=other, orders=[("air_travel", None)])
        listing("pr_c4", li, T0 + timedelta(days=3), until=date(2026, 10, 15))
        uow.commit()
    with impl.uow() as uow:
        assert uow.registry.listed(court, "case pr_c1", li)
        assert not uow.registry.listed(court, "case pr_c1", acme)
        assert not uow.registry.listed(other, "case pr_c1", li)
        own = uow.registry.of_court_ref(court, "pr_c1")
        assert own is not None and (own.id, own.subject_id, own.status, own.until) == (
            first, li, "active", None)
        assert uow.registry.of_court_ref(other, "pr_c1") is None
        assert uow.registry.ids_of_court(court, None)[1:] == [second, first]
        j = uow.registry.judgment(first)
        assert (j.court_name, j.debtor_name, j.debtor_kind, j.id_ciphertext) == (
            "Contract court", "Li Wei Zhang", "person", b"cipher1")
        assert [(o.category, o.ordered_on, o.until, o.lifted_at) for o in j.restrictions] == [
            ("air_travel", T0.date(), date(2027, 1, 1), None),
            ("star_hotels", T0.date(), None, None)]
        orders = uow.registry.orders(li, "air_travel")
        assert [(o.case_number, o.court) for o in orders] == [
            ("case pr_c1", "Contract court"), ("case pr_c3", "Contract court two")]
        uow.listings.close(first, "satisfied", "paid", NOW)
        uow.registry.add_check(subject_id=li, member_id=court, purpose="restriction_check",
                               category="air_travel", created_at=NOW, item_ref="chk_c1",
                               result={"restricted": True})
        uow.commit()
    with impl.uow() as uow:
        assert uow.registry.ids_of_court(court, "satisfied") == [first]
        assert [o.case_number for o in uow.registry.orders(li, "air_travel")] == [
            "case pr_c3"]
        assert all(o.lifted_at == NOW for o in uow.registry.judgment(first).restrictions)
        (check,) = uow.inquiries.accesses(li, ("restriction_check",))
        assert (check["item_ref"], check["kind"], check["purpose"]) == (
            "chk_c1", "restriction_check", "restriction_check")
        today = date(2026, 11, 1)
        # active and in force: pr_c3 (Li Wei) and pr_c2 (Acme); pr_c1 lifted, pr_c4 ended
        assert [p.case_number for p in uow.registry.search(today, "wei", True, None, None,
                                                           20)] == ["case pr_c3"]
        assert [p.case_number for p in uow.registry.search(today, "we", True, None, None,
                                                           20)] == []
        assert [p.case_number for p in uow.registry.search(today, "a", False, None, None,
                                                           20)] == ["case pr_c3", "case pr_c2"]
        assert [p.case_number for p in uow.registry.search(today, "a", False, "me01", None,
                                                           20)] == ["case pr_c2"]
        found = uow.registry.search(today, "zhang", False, None, "CONTRACT COURT TWO", 1)
        assert [(p.debtor_name, p.court_name, p.amount, p.listed_at) for p in found] == [
            ("Li Wei Zhang", "Contract court two", 500, T0 + timedelta(days=2))]
        assert uow.registry.search(today, "zhang", False, None, "Contract court", 20) == []


def test_the_identity_review_queue_alike(impl):
    bank = impl.organisation("Contract bank", "furnisher")
    impl.hold("hld_c1", bank, "name disagrees", [{"file": "sub_x"}], T0)
    impl.hold("hld_c2", bank, "ambiguous", [{"file": "sub_y"}], T0 + timedelta(hours=1))
    impl.hold("hld_c3", bank, "name disagrees", [{"file": "sub_z"}], T0 + timedelta(hours=2))
    with impl.uow() as uow:
        assert [h.item_ref for h in uow.identity_holds.of_status("held", 2)] == [
            "hld_c1", "hld_c2"]
        line = uow.identity_holds.of_status("held", 10)[0]
        assert (line.furnisher, line.line, line.weight, line.candidates, line.created_at,
                line.decided_at) == ("Contract bank", 4, 2.5, [{"file": "sub_x"}], T0, None)
        assert uow.identity_holds.pending_candidates("name disagrees") == [
            [{"file": "sub_x"}], [{"file": "sub_z"}]]
        h = uow.identity_holds.by_ref("hld_c1")
        assert h is not None and (h.furnisher_id, h.file_id, h.account_ref_hmac,
                                  h.record_ciphertext, h.status) == (
            bank, 9, "acct", b"kept", "held")
        assert uow.identity_holds.by_ref("hld_none") is None
        assert uow.identity_holds.move("hld_c1", "held", "deciding")
        assert not uow.identity_holds.move("hld_c1", "held", "deciding")
        uow.identity_holds.decide("hld_c3", "withdrawn", NOW, "operator:1", None)
        uow.commit()
    with impl.uow() as uow:
        assert [h.item_ref for h in uow.identity_holds.of_status("held", 10)] == ["hld_c2"]
        (done,) = uow.identity_holds.of_status("withdrawn", 10)
        assert (done.item_ref, done.decided_at) == ("hld_c3", NOW)
        assert uow.identity_holds.pending_candidates("name disagrees") == []


def test_the_model_registry_alike(impl):
    one, two = ({**s, "version": f"contract-{n}"}
                for n, s in enumerate(model_service.shipped_specs()[:2], 1))
    with impl.uow() as uow:
        uow.models.add("contract-1", one, T0)
        uow.models.add("contract-2", two, T0 + timedelta(days=1))
        assert uow.models.has("contract-1") and not uow.models.has("contract-3")
        assert {"contract-1", "contract-2"} <= uow.models.versions()
        uow.models.activate("contract-1", NOW, "operator:1")
        uow.models.activate("contract-2", NOW, "operator:2")
        uow.commit()
    with impl.uow() as uow:
        assert uow.models.active_version() == "contract-2"
        assert uow.models.active_spec() == two
        assert uow.models.spec("contract-1") == one
        mine = [m for m in uow.models.all() if m.version.startswith("contract-")]
        assert [(m.version, m.active, m.created_at) for m in mine] == [
            ("contract-1", False, T0), ("contract-2", True, T0 + timedelta(days=1))]
        assert (mine[1].activated_at, mine[1].activated_by) == (NOW, "operator:2")


def test_report_inquiries_and_drift_counts_alike(impl):
    member = impl.organisation("Contract lender", "member")
    card = load_spec({**model_service.shipped_specs()[-1], "version": "contract-drift"})
    attr = card.attributes[0]
    with impl.uow() as uow:
        ada, bob = open_file(uow, 1, "Ada Lovelace"), open_file(uow, 2, "Bob Babbage")
        uow.inquiries.add(subject_id=ada, member_id=member, purpose="credit_application",
                          consent_ref=None, created_at=NOW, item_ref="inq_c1",
                          result={"score": {"value": 700}})
        row = {"model_version": card.version, "reasons": []}
        uow.scores.add([
            {**row, "subject_id": ada, "value": 600, "computed_at": T0,
             "attributes": {attr.name: 0.1}},
            {**row, "subject_id": ada, "value": 700, "computed_at": NOW,
             "attributes": {attr.name: 0.9}},
            {**row, "subject_id": bob, "value": 700, "computed_at": NOW,
             "attributes": {attr.name: None}}])
        uow.commit()
    with impl.uow() as uow:
        got = uow.inquiries.of_member("inq_c1", member)
        assert got is not None and (got.subject_id, got.subject_ref, got.purpose,
                                    got.result) == (ada, "sub_contract1",
                                                    "credit_application",
                                                    {"score": {"value": 700}})
        assert uow.score_drift.latest_at(card.version) == NOW
        assert uow.score_drift.latest_at("contract-none") is None
        assert uow.score_drift.score_counts(card.version) == {700: 2}
        assert uow.score_drift.score_counts(card.version, until=T0) == {600: 1}
        counts = uow.score_drift.bucket_counts(card, attr.name)
    from openbureau.scoring.drift import bucket_of
    expected: dict[int, int] = {}
    for value in (0.9, None):
        expected[bucket_of(attr, value)] = expected.get(bucket_of(attr, value), 0) + 1
    assert counts == expected
