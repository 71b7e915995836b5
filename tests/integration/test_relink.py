"""Batch re-link against the database (SQLite and PostgreSQL): a person's file split by an
earlier mistake is merged (lineage, the old ref still answers, audit without values), a file
holding two people is split, twins and Jr/Sr stay apart, cannot-links hold; the run through
the CLI; and DuckDB and Spark (a real local[2]) find the same clusters."""

from __future__ import annotations

import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import insert, select, update

from openbureau.adapters import relink_store
from openbureau.adapters.tables import (
    accounts,
    audit_events,
    file_lineage,
    identity_blocks,
    identity_cannot_link,
    identity_keys,
    identity_observations,
    subjects,
)
from openbureau.domain.errors import Conflict
from openbureau.domain.record_types import SubjectIdentity
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, furnishing, protections, relink
from openbureau.services import subjects as subjects_service
from openbureau.services.refs import new_ref

ADDRESS = {"line1": "12 Elm Street", "city": "Springfield", "state": "IL",
           "postal_code": "62701"}
DANIEL = {"national_id": "900500100", "name": "Daniel Quentin Berry",
          "date_of_birth": "1984-06-02", "address": ADDRESS, "phone": "2175550100"}
ANNA = {"national_id": "900600201", "name": "Anna Marie Kowalski", "date_of_birth": "1991-02-03",
        "address": {**ADDRESS, "line1": "4 Oak Avenue"}, "phone": "2175550201"}
EMMA = {**ANNA, "national_id": "900600202", "name": "Emma Rose Kowalski", "phone": "2175550202"}
SR = {"national_id": "900700301", "name": "John Paul Meyer Sr", "date_of_birth": "1960-05-06",
      "address": {**ADDRESS, "line1": "9 Pine Road"}, "phone": "2175550301"}
JR = {**SR, "national_id": "900700302", "name": "John Paul Meyer Jr",
      "date_of_birth": "1988-07-08", "phone": "2175550302"}


def rec(subject: dict[str, Any], account_ref: str) -> dict[str, Any]:
    return {"subject": subject, "account_ref": account_ref, "as_of": "2026-10-31",
            "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
            "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
            "currency": "USD"}


class Bank:
    def __init__(self, bureau, name: str) -> None:
        org = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, name, "furnisher")
        self.id, self.bureau = org.id, bureau
        self.who = Principal(Role.FURNISHER, org.id, name)

    def send(self, *records) -> None:
        summary = furnishing.furnish(self.bureau.uow(), self.bureau.deps, self.who,
                                     furnishing.candidates_from_json(list(records)))
        assert summary.accepted == len(records), summary


def file_of(bureau, account_ref: str) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(accounts.c.subject_id)
                           .where(accounts.c.account_ref == account_ref)).scalar_one()


def ref_of(bureau, sid: int) -> str:
    with bureau.uow() as uow:
        return uow.execute(select(subjects.c.item_ref).where(subjects.c.id == sid)).scalar_one()


def move_part(bureau, furnisher: int, from_id: int, to_id: int) -> None:
    """An earlier mistake, injected: one furnisher's share of a file put on another file."""
    with bureau.uow() as uow:
        for t in (accounts, identity_observations):
            uow.execute(update(t).where(t.c.subject_id == from_id, t.c.furnisher_id == furnisher)
                        .values(subject_id=to_id))
        uow.commit()


def split_off(bureau, furnisher: int, from_id: int) -> int:
    """An earlier mistake, injected: one furnisher's share of a file on a file of its own."""
    with bureau.uow() as uow:
        sid = uow.execute(insert(subjects).values(
            name="", kind="person", created_at=bureau.clock.now(), item_ref=new_ref("sub"))
            .returning(subjects.c.id)).scalar_one()
        uow.commit()
    move_part(bureau, furnisher, from_id, sid)
    return sid


def relink_run(bureau, folder, **options) -> relink.Run:
    r = relink.Run(folder, bureau.vault, uow=bureau.uow(), options=relink.Options(**options))
    r.execute()
    return r


@pytest.fixture
def banks(bureau):
    return [Bank(bureau, f"Relink bank {i}") for i in range(3)]


def test_a_file_split_by_mistake_is_merged_with_lineage(bureau, banks, tmp_path):
    banks[0].send(rec(DANIEL, "CARD-1"))
    banks[1].send(rec({**DANIEL, "name": "Dan Berry"}, "LOAN-2"))
    banks[2].send(rec(SR, "SR-1"), rec(JR, "JR-1"), rec(ANNA, "A-1"), rec(EMMA, "E-1"))
    main = file_of(bureau, "CARD-1")
    assert file_of(bureau, "LOAN-2") == main            # online resolution got it right
    stray = split_off(bureau, banks[1].id, main)
    stray_ref = ref_of(bureau, stray)
    with bureau.uow() as uow:     # the stray file was the one opened under the national id
        s = subjects.c
        own = uow.execute(select(s.id_hmac, s.id_ciphertext, s.id_suffix)
                          .where(s.id == main)).one()
        uow.execute(update(subjects).where(s.id == main).values(
            id_hmac=None, id_ciphertext=None, id_suffix=None))
        uow.execute(update(subjects).where(s.id == stray).values(**own._mapping))
        uow.commit()
    r = relink_run(bureau, tmp_path / "run", apply=True)
    proposals = json.loads((tmp_path / "run" / "proposals.json").read_text())
    assert proposals["splits"] == []
    [merge] = proposals["merges"]
    assert (merge["from"], merge["to"]) == (stray_ref, ref_of(bureau, main))
    assert merge["weight"] >= 12 and {f["field"] for f in merge["fields"]} >= {"nid", "dob"}
    assert file_of(bureau, "LOAN-2") == main
    # twins and Jr/Sr untouched
    assert len({file_of(bureau, a) for a in ("SR-1", "JR-1", "A-1", "E-1")}) == 4
    with bureau.uow() as uow:
        assert uow.execute(select(subjects.c.merged_into_id)
                           .where(subjects.c.id == stray)).scalar_one() == main
        # the old ref answers for the survivor
        assert uow.execute(relink_store.by_ref(stray_ref)).scalar_one() == main
        assert relink_store.survivor(uow.execute, stray) == main
        assert uow.files.holds(main, stray_ref)        # a statement naming the old ref
        # the national id the stray file held is the survivor's now: found by it
        assert subjects_service.find(uow, bureau.vault, SubjectIdentity(
            DANIEL["national_id"], "", None), strict=False).id == main
        [line] = uow.execute(select(file_lineage)).all()
        assert (line.subject_id, line.kind, line.other_id, line.run) == (
            stray, "merged_into", main, r.run_id)
        assert not uow.execute(select(identity_observations.c.id)
                               .where(identity_observations.c.subject_id == stray)).first()
        assert not uow.execute(select(identity_keys).where(
            identity_keys.c.subject_id == stray)).first()
        assert uow.execute(select(identity_keys).where(
            identity_keys.c.subject_id == main)).first()
        link = uow.execute(select(accounts.c.link)
                           .where(accounts.c.account_ref == "LOAN-2")).scalar_one()
        assert link["how"] == "relink" and link["run"] == r.run_id
        [event] = uow.execute(select(audit_events).where(
            audit_events.c.action == "identity.merged")).all()
    assert event.subject_ref == ref_of(bureau, main) and event.detail["from"] == stray_ref
    assert event.detail["weight"] >= 12
    assert {f["field"] for f in event.detail["fields"]} == {
        "nid", "first", "middle", "surname", "gen", "dob", "addr", "phone"}
    detail = json.dumps(event.detail)
    for value in ("900500100", "Berry", "Daniel", "1984", "Elm", "2175550100"):
        assert value not in detail
    assert r.summary()["completed"] == list(relink.STAGES)
    # a second run finds nothing more to do
    again = relink_run(bureau, tmp_path / "again")
    assert again.moves() == []


def test_a_file_holding_two_people_is_split(bureau, banks, tmp_path):
    banks[0].send(rec(ANNA, "A-1"))
    banks[1].send(rec(EMMA, "E-2"))
    banks[2].send(rec({**EMMA, "name": "Emma R Kowalski"}, "E-3"))
    anna, emma = file_of(bureau, "A-1"), file_of(bureau, "E-2")
    assert anna != emma
    move_part(bureau, banks[1].id, emma, anna)      # an old rule put Emma's card on Anna's file
    relink_run(bureau, tmp_path / "run", apply=True)
    proposals = json.loads((tmp_path / "run" / "proposals.json").read_text())
    [split] = proposals["splits"]
    assert (split["from"], split["to"], split["accounts"]) == (
        ref_of(bureau, anna), ref_of(bureau, emma), 1)
    assert "national ids differ" in split["reason"]
    assert proposals["merges"] == []
    assert file_of(bureau, "E-2") == emma and file_of(bureau, "A-1") == anna
    with bureau.uow() as uow:
        [line] = uow.execute(select(file_lineage)).all()
        assert (line.subject_id, line.kind, line.other_id) == (emma, "split_from", anna)
        assert uow.execute(select(audit_events.c.action).where(
            audit_events.c.action == "identity.split")).all()


def daniel_split(bureau, banks) -> tuple[int, int]:
    """Daniel's card at one bank and loan at another, the loan split off onto a file of its
    own: (his file, the stray one)."""
    banks[0].send(rec(DANIEL, "CARD-1"))
    banks[1].send(rec(DANIEL, "LOAN-2"))
    main = file_of(bureau, "CARD-1")
    return main, split_off(bureau, banks[1].id, main)


def test_a_cannot_link_keeps_files_apart(bureau, banks, tmp_path):
    main, stray = daniel_split(bureau, banks)
    with bureau.uow() as uow:
        uow.execute(insert(identity_cannot_link).values(
            subject_id=main, other_subject_id=stray, reason="kept apart by an operator",
            source="operator", created_at=bureau.clock.now()))
        uow.commit()
    r = relink_run(bureau, tmp_path / "run")
    assert r.moves() == []
    assert r.summary()["completed"] == ["extract", "pairs", "clusters", "proposals"]


def test_an_interrupted_run_continues_identically(bureau, banks, tmp_path):
    banks[0].send(rec(DANIEL, "CARD-1"), rec(ANNA, "A-1"))
    banks[1].send(rec(DANIEL, "LOAN-2"), rec(EMMA, "E-2"))
    stray = split_off(bureau, banks[1].id, file_of(bureau, "CARD-1"))
    assert stray
    whole = relink_run(bureau, tmp_path / "whole")
    relink_run(bureau, tmp_path / "parts", stop_after="extract")
    parts = relink.Run(tmp_path / "parts", bureau.vault, uow=bureau.uow())
    assert parts.completed() == ["extract"]
    parts.execute()
    assert parts.moves() == whole.moves() and len(whole.moves()) == 1
    for name in ("pairs.parquet", "clusters.parquet"):
        assert pq.read_table(tmp_path / "whole" / name).equals(
            pq.read_table(tmp_path / "parts" / name))


# -- the "id, first name and birth date" rule; cannot-links and identity-theft blocks ------------

MARIA = {"national_id": "900800111", "name": "Maria Elena Garcia", "date_of_birth": "1979-03-14",
         "address": {**ADDRESS, "line1": "3 Birch Lane"}, "phone": "2175550111"}
MARRIED = {"national_id": "900800111", "name": "Maria Lopez", "date_of_birth": "1979-03-14",
           "address": {"line1": "77 Lake Shore Drive", "city": "Chicago", "state": "IL",
                       "postal_code": "60611"}, "phone": "3125550999"}


def test_a_married_name_linked_online_by_the_rule_is_not_split(bureau, banks, tmp_path):
    """Online ingest puts "Maria Lopez" (married, moved: below the link threshold) on Maria
    Garcia's file by the rule "id, first name and birth date"; two furnishers on each side of
    the marriage: the relink, under the same rule, leaves the file whole."""
    fourth = Bank(bureau, "Relink bank 3")
    banks[0].send(rec(MARIA, "M-1"))
    banks[1].send(rec(MARIA, "M-2"))
    banks[2].send(rec(MARRIED, "M-3"))
    fourth.send(rec(MARRIED, "M-4"))
    maria = file_of(bureau, "M-1")
    assert {file_of(bureau, a) for a in ("M-2", "M-3", "M-4")} == {maria}
    with bureau.uow() as uow:
        link = uow.execute(select(accounts.c.link)
                           .where(accounts.c.account_ref == "M-3")).scalar_one()
    assert link["how"] == "match" and link["weight"] < 12       # below the link threshold
    r = relink_run(bureau, tmp_path / "run", apply=True)
    assert r.moves() == []
    assert {file_of(bureau, a) for a in ("M-1", "M-2", "M-3", "M-4")} == {maria}


def _block(bureau, sid: int, account_ref: str) -> None:
    """The consumer's identity-theft report naming the account (``report_identity_theft``)."""
    with bureau.uow() as uow:
        item = uow.execute(select(accounts.c.item_ref)
                           .where(accounts.c.account_ref == account_ref)).scalar_one()
    consumer = Principal(Role.CONSUMER, sid, "consumer", subject_ref=ref_of(bureau, sid))
    out = protections.report_identity_theft(bureau.uow(), bureau.deps, consumer, [item],
                                            "opened in my name by someone else")
    assert out["status"] == "blocked"


def test_an_account_blocked_on_a_file_is_never_merged_back_onto_it(bureau, banks, tmp_path):
    """A thief's loan in Daniel's name, blocked on his file after his identity-theft report;
    an earlier mistake left it on a file of its own: whatever its identity, the relink never
    puts it back on Daniel's file."""
    banks[0].send(rec(DANIEL, "CARD-1"))
    banks[1].send(rec(DANIEL, "LOAN-2"))
    banks[2].send(rec(DANIEL, "STORE-3"))
    main = file_of(bureau, "CARD-1")
    _block(bureau, main, "LOAN-2")
    stray = split_off(bureau, banks[1].id, main)
    r = relink_run(bureau, tmp_path / "run", apply=True)
    assert r.state["stages"]["extract"]["cannot_links"] == 1
    assert r.moves() == []
    assert file_of(bureau, "LOAN-2") == stray != file_of(bureau, "CARD-1")


def test_a_barred_part_does_not_follow_its_file_onto_the_barred_file(bureau, banks, tmp_path):
    """The blocked loan's file also holds two of Daniel's parts, and so becomes the file
    Daniel's records gather on: the loan's part does not come along (a new file of its own),
    and a "not mine" cannot-link keeps an account apart the same way."""
    fourth = Bank(bureau, "Relink bank 3")
    banks[0].send(rec(DANIEL, "CARD-1"))
    banks[1].send(rec(DANIEL, "LOAN-2"))
    banks[2].send(rec(DANIEL, "STORE-3"))
    fourth.send(rec(DANIEL, "AUTO-4"))
    main = file_of(bureau, "CARD-1")
    _block(bureau, main, "LOAN-2")
    stray = split_off(bureau, banks[1].id, main)
    move_part(bureau, banks[2].id, main, stray)
    move_part(bureau, fourth.id, main, stray)
    relink_run(bureau, tmp_path / "run", apply=True)
    daniel = file_of(bureau, "CARD-1")
    assert {file_of(bureau, a) for a in ("STORE-3", "AUTO-4")} == {daniel}
    assert file_of(bureau, "LOAN-2") != daniel
    with bureau.uow() as uow:      # the block went with the file Daniel's records are on
        assert uow.execute(select(identity_blocks.c.subject_id)).scalar_one() == daniel


def test_a_not_mine_account_is_never_merged_back(bureau, banks, tmp_path):
    main, stray = daniel_split(bureau, banks)
    with bureau.uow() as uow:
        uow.execute(insert(identity_cannot_link).values(
            subject_id=main, furnisher_id=banks[1].id,
            account_ref_hmac=protections.account_hash(bureau.vault, "LOAN-2"),
            reason="not mine", source="dsp_test", created_at=bureau.clock.now()))
        uow.commit()
    r = relink_run(bureau, tmp_path / "run", apply=True)
    assert r.moves() == [] and file_of(bureau, "LOAN-2") == stray


def test_apply_refuses_a_run_older_than_a_block(bureau, banks, tmp_path):
    banks[0].send(rec(DANIEL, "CARD-1"))
    banks[1].send(rec(DANIEL, "LOAN-2"))
    main = file_of(bureau, "CARD-1")
    _block(bureau, main, "LOAN-2")
    split_off(bureau, banks[1].id, main)
    with bureau.uow() as uow:                 # the block as if made after the extract
        blocks = [dict(b._mapping) for b in uow.execute(select(identity_blocks))]
        uow.execute(identity_blocks.delete())
        uow.commit()
    relink_run(bureau, tmp_path / "run", stop_after="proposals")
    late = relink.Run(tmp_path / "run", bureau.vault, uow=bureau.uow(),
                      options=relink.Options(apply=True))
    assert late.moves()                       # without the block: a merge back
    with bureau.uow() as uow:
        uow.execute(insert(identity_blocks), blocks)
        uow.commit()
    with pytest.raises(Conflict, match="start a new run"):
        late.execute()
    assert file_of(bureau, "LOAN-2") != main


def test_apply_adds_the_name_keys_to_files_kept_without_them(bureau, banks, tmp_path):
    """A file kept before the either-order name key and the surname-as-first-name key existed
    (their rows removed here) is not a candidate for "Berry Danial" (reversed and misspelt)
    with the birth date alone; after a relink run is applied -- with nothing to merge or
    split -- it has both keys and is. "Berry Daniel" (reversed exactly) finds it throughout:
    its own surname-as-first-name key meets the file's first-name key."""
    from datetime import date

    from openbureau.services import identity_store, resolution

    banks[0].send(rec(DANIEL, "CARD-1"))
    main = file_of(bureau, "CARD-1")
    keys = identity_store.name_keys_added(identity_store.Hashes(bureau.vault), "daniel",
                                          "berry", date(1984, 6, 2))
    assert len(keys) == 2 and all("berry" not in k and len(k) == 64 for k in keys)

    def candidate(name: str) -> bool:
        with bureau.uow() as uow:
            d = resolution.look_up(uow, bureau.vault,
                                   SubjectIdentity(None, name, date(1984, 6, 2)))
        return main in {sid for sid, _ in d.scored}

    assert candidate("Berry Danial") and candidate("Berry Daniel")
    with bureau.uow() as uow:
        for key in keys:
            gone = uow.execute(identity_keys.delete().where(identity_keys.c.key_hmac == key))
            assert gone.rowcount == 1
        uow.commit()
    assert not candidate("Berry Danial") and candidate("Berry Daniel")
    r = relink_run(bureau, tmp_path / "run", apply=True)
    assert r.moves() == [] and r.state["stages"]["apply"]["keys_added"] == 2
    assert candidate("Berry Danial")
    again = relink_run(bureau, tmp_path / "again", apply=True)
    assert again.state["stages"]["apply"]["keys_added"] == 0
