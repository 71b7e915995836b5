"""One contract, two implementations, for the furnishing repositories: the furnishing store
(accounts and months from staged lines), identity observations and keys, identity
resolution's reads and writes, and furnishing files' intake behave alike in SQL (SQLite and
PostgreSQL) and in memory (tests/fakes.py) -- what tests/unit/test_furnishing_service.py and
test_files_service.py rely on."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from tests.conftest import NOW
from tests.integration.test_repositories import repos  # noqa: F401  (the fixture)


def _line(seq: int, ref: str, as_of: str, balance: int, **over: Any) -> bytes:
    """A staging line (``bulk_store.render``) of the subject key ``h-bob``."""
    from openbureau.domain.records import parse_account_record
    from openbureau.services.bulk_store import render
    from tests.integration.test_reports import record

    return render(parse_account_record(record(account_ref=ref, as_of=as_of, balance=balance,
                                              **over)), seq, "h-bob")


def _state(uow: Any, furnisher_id: int) -> dict[str, tuple[Any, ...]]:
    """Each of the furnisher's accounts: (latest_as_of, compliance_code, original_creditor,
    delete_code, link)."""
    from tests.fakes import FakeUnitOfWork

    if isinstance(uow, FakeUnitOfWork):
        assert uow._work is not None
        ids = {i + 1: a for i, a in enumerate(uow._work.accounts.values())}
        return {ids[i].account_ref: (st["latest_as_of"], st["compliance_code"],
                                     st["original_creditor"], st["delete_code"], st["link"])
                for i, st in uow._work.account_states.items()
                if ids[i].furnisher_id == furnisher_id}
    from sqlalchemy import select

    from openbureau.adapters.tables import accounts as a

    return {r.account_ref: (r.latest_as_of, r.compliance_code, r.original_creditor,
                            r.delete_code, r.link) for r in uow.execute(
        select(a.c.account_ref, a.c.latest_as_of, a.c.compliance_code, a.c.original_creditor,
               a.c.delete_code, a.c.link).where(a.c.furnisher_id == furnisher_id))}


def test_the_store_adds_accounts_upserts_months_and_follows_alike(repos):  # noqa: F811
    new_uow, ids = repos
    bank, bob = ids["bank"], ids["bob"]
    sep30, oct31, nov30, dec31 = (date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30),
                                  date(2026, 12, 31))
    bob_link = [("h-bob", bob, json.dumps({"how": "new_file"}))]

    def store(uow: Any, *lines: bytes) -> list[tuple[Any, ...]]:
        phases: defaultdict[str, float] = defaultdict(float)
        out = uow.bulk_store.store(bank, None, NOW, list(lines), bob_link, phases)
        return [(seq, ref, month, delete_code) for seq, _, sid, ref, month, delete_code in out
                if sid == bob]

    with new_uow() as uow:
        # two rows of one month: the later one (by staging order) is the month's
        assert store(uow, _line(1, "LOAN-7", "2026-10-31", 100, compliance_code="XB"),
                     _line(3, "LOAN-7", "2026-11-30", 80),
                     _line(4, "LOAN-7", "2026-11-30", 90),
                     _line(2, "CARD-8", "2026-10-31", 50, compliance_code="XB")) == [
            (1, "LOAN-7", oct31, None), (2, "CARD-8", oct31, None), (4, "LOAN-7", nov30, None)]
        state = _state(uow, bank)
        # a new account takes its newest row's state ("XB" was sent with the older month)
        assert state["LOAN-7"][:4] == (nov30, None, None, None)
        assert state["CARD-8"][:4] == (oct31, "XB", None, None)
        assert state["LOAN-7"][4] == {"how": "new_file"}
        uow.commit()
    with new_uow() as uow:
        # unchanged: left alone; changed: updated; an older month: kept, the state unmoved
        assert store(uow, _line(1, "LOAN-7", "2026-10-31", 100, compliance_code="XB"),
                     _line(2, "LOAN-7", "2026-09-30", 70, compliance_code="XR"),
                     _line(3, "CARD-8", "2026-10-31", 55)) == [
            (2, "LOAN-7", sep30, None), (3, "CARD-8", oct31, None)]
        state = _state(uow, bank)
        assert state["LOAN-7"][:2] == (nov30, None)
        # the same month again without a compliance code: the account's persists
        assert state["CARD-8"][:2] == (oct31, "XB")
        uow.commit()
    with new_uow() as uow:
        # a newer month moves the state (segments persist unless sent; "XR" clears the code);
        # a deleting record's month counts as changed even when its fields are the same
        assert store(uow, _line(1, "LOAN-7", "2026-12-31", 60, compliance_code="XB",
                                original_creditor={"name": "OLD BANK", "classification": "01"}),
                     _line(2, "CARD-8", "2026-10-31", 55, delete_code="DA")) == [
            (1, "LOAN-7", dec31, None), (2, "CARD-8", oct31, "DA")]
        # the same month again, its fields unchanged: nothing changes, the account neither
        assert store(uow, _line(1, "LOAN-7", "2026-12-31", 60, compliance_code="XR")) == []
        uow.commit()
    with new_uow() as uow:
        state = _state(uow, bank)
        assert state["LOAN-7"][:3] == (dec31, "XB", "OLD BANK")
        assert state["CARD-8"][:4] == (oct31, "XB", None, "DA")
        assert store(uow, _line(1, "LOAN-7", "2026-12-31", 61, compliance_code="XR")) == [
            (1, "LOAN-7", dec31, None)]
        assert _state(uow, bank)["LOAN-7"][:3] == (dec31, None, "OLD BANK")


def test_observations_are_kept_widened_and_keyed_alike(repos):  # noqa: F811
    new_uow, ids = repos
    ada, bank = ids["ada"], ids["bank"]
    may, jun = date(2026, 5, 31), date(2026, 6, 30)

    def row(kind: str, h: str) -> dict[str, Any]:
        return {"subject_id": ada, "kind": kind, "value_hmac": h,
                "value_ciphertext": b"enc:x", "line": 3, "first_seen_on": may,
                "last_seen_on": may, "item_ref": f"idn_{h}"}

    with new_uow() as uow:
        assert uow.observations.kept(bank, [ada]) == {}
        uow.observations.keep(bank, None, NOW, {("key-1", ada)},
                              [row("name", "h-name"), row("phone", "h-phone")], [])
        uow.commit()
    with new_uow() as uow:
        kept = uow.observations.kept(bank, [ada])
        assert set(kept) == {(ada, "name", "h-name"), (ada, "phone", "h-phone")}
        assert uow.observations.kept(bank, [ids["bob"]]) == {}
        name = kept[(ada, "name", "h-name")]
        # one widened by id; one sent again as new (another ingest kept it meanwhile)
        uow.observations.keep(bank, None, NOW + timedelta(days=1), {("key-1", ada)},
                              [{**row("phone", "h-phone"), "last_seen_on": jun,
                                "item_ref": "idn_again"}],
                              [{"b_id": name.id, "b_first": may - timedelta(days=31),
                                "b_last": jun}])
        uow.commit()
    with new_uow() as uow:
        kept = uow.observations.kept(bank, [ada])
        assert {k[2]: (o.first_seen_on, o.last_seen_on) for k, o in kept.items()} == {
            "h-name": (may - timedelta(days=31), jun), "h-phone": (may, jun)}
        assert uow.resolution.holders(["key-1", "key-2"]) == {"key-1": {ada}}


def test_resolution_reads_and_writes_files_alike(repos):  # noqa: F811
    new_uow, ids = repos
    with new_uow() as uow:
        res = uow.resolution
        made = res.add_files([{"id_hmac": "hm-carol", "id_ciphertext": b"enc:111",
                               "id_suffix": "0111", "name": "Carol", "date_of_birth": None,
                               "item_ref": "sub_repo_c"}], NOW)
        carol = made["sub_repo_c"]
        uow.commit()
    with new_uow() as uow:
        res = uow.resolution
        assert res.taken_ids(["hm-carol", "hm-nobody"]) == {"hm-carol"}
        assert res.refs([carol, ids["ada"]]) == {carol: "sub_repo_c", ids["ada"]: "sub_repo_a"}
        assert res.opened_with([carol]) == [(carol, "Carol", None, b"enc:111")]
        # the file whose public national id it is holds that key
        assert res.holders([], "hm-carol") == {"hm-carol": {carol}}
        assert res.holders([]) == {}
        # and the look-up reads that file with its holders
        held, owner = res.holders_and_owner(["hm-none"], "hm-carol")
        assert held == {"hm-carol": {carol}}
        assert owner is not None
        assert (owner.id, owner.item_ref, owner.name, owner.id_ciphertext) == (
            carol, "sub_repo_c", "Carol", b"enc:111")
        assert res.holders_and_owner([], "hm-nobody") == ({}, None)
        assert res.account_files(ids["bank"], ["CARD-1", "NONE"]) == {"CARD-1": {ids["ada"]}}
        assert res.account_files(ids["bank"] + 1000, ["CARD-1"]) == {}


def test_furnishing_files_are_received_started_finished_and_resumed_alike(repos):  # noqa: F811
    new_uow, ids = repos
    with new_uow() as uow:
        first = uow.furnishing_files.add(ref="file_r1", furnisher_id=ids["bank"],
                                         filename="a.csv", format="csv", sha256="0" * 64,
                                         now=NOW)
        second = uow.furnishing_files.add(ref="file_r2", furnisher_id=ids["bank"],
                                          filename="b.m2", format="metro2", sha256="1" * 64,
                                          now=NOW)
        uow.furnishing_files.start(first)
        uow.commit()
    with new_uow() as uow:
        files = uow.furnishing_files
        seen = files.by_ref("file_r1")
        assert seen is not None
        assert (seen.id, seen.furnisher, seen.status, seen.attempts) == (
            first, "Repo Bank", "running", 1)
        assert files.by_ref("file_r1", ids["bank"] + 1000) is None
        assert files.by_ref("file_nothing") is None
        assert [f.ref for f in files.pending()] == ["file_r1", "file_r2"]
        files.finish(first, NOW, status="done", records=3, accepted=2, rejected=1,
                     errors=[{"line": 2, "field": "balance", "message": "bad"}],
                     errors_total=1, warnings=[], warnings_total=0)
        uow.commit()
    with new_uow() as uow:
        files = uow.furnishing_files
        done = files.by_ref("file_r1", ids["bank"])
        assert done is not None
        assert (done.furnisher, done.status, done.records, done.accepted, done.rejected,
                done.errors_total, done.warning_messages, done.warnings) == (
            None, "done", 3, 2, 1, 1, [], 0)
        assert [f.ref for f in files.pending()] == ["file_r2"]
        assert files.statuses([first, second, second + 1000]) == {first: "done",
                                                                  second: "queued"}
