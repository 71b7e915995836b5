"""Furnishing through the record store, identity resolution and observations, against the
in-memory ports (no database): ``furnishing.furnish`` and ``place_held``, ``resolution``'s
look-up, placement and holds, ``identity_store.record_identities``.
tests/integration/test_furnishing_bulk.py, test_identity_resolution.py and
test_identity_observations.py drive the same use cases on both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from openbureau.clock import FixedClock
from openbureau.config import Settings
from openbureau.domain.records import SubjectIdentity, parse_account_record
from openbureau.domain.roles import Principal, Role
from openbureau.identity import rules
from openbureau.services import furnishing, identity_store, protections, resolution
from openbureau.services.ports import Deps
from tests.fakes import (
    FakeAccountStore,
    FakeIdentityVault,
    FakeStore,
    FakeUnitOfWork,
    fake_deps,
)
from tests.integration.test_reports import ADA, record

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BANK = Principal(Role.FURNISHER, 10, "Bank")


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_organisation(BANK.id, BANK.name, "furnisher")
    return s


@pytest.fixture
def deps(tmp_path) -> Deps:
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault(),
                     settings=Settings(environment="test", var_dir=tmp_path))


@pytest.fixture
def uow(store: FakeStore, deps: Deps) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, deps.clock)


def furnish(uow: FakeUnitOfWork, deps: Deps, *records: dict[str, Any],
            **kw: Any) -> furnishing.Summary:
    return furnishing.furnish(uow, deps, BANK, furnishing.candidates_from_json(list(records)),
                              **kw)


def months(store: FakeStore) -> dict[tuple[str, str], int]:
    refs = {i + 1: a.account_ref for i, a in enumerate(store.accounts.values())}
    return {(refs[acc], as_of.isoformat()): row["balance"]
            for (acc, as_of), row in store.account_months.items()}


def test_a_new_persons_records_open_one_file_with_their_accounts_and_months(uow, deps, store):
    summary = furnish(uow, deps, record(), record(account_ref="LOAN-2", kind="installment"))
    assert (summary.records, summary.accepted, list(summary.rejected)) == (2, 2, [])
    (f,) = store.files.values()
    assert (f.name, f.date_of_birth, f.id_suffix) == ("Ada Lovelace", date(1985, 12, 10),
                                                      "0200")
    assert deps.vault.decrypt(store.id_ciphertexts[f.id]) == "900100200"
    assert summary.changed_subjects == {f.id}
    assert months(store) == {("CARD-1", "2026-10-31"): 120000, ("LOAN-2", "2026-10-31"): 120000}
    assert {a.subject_id for a in store.accounts.values()} == {f.id}
    assert all(st["link"]["how"] == "new_file" for st in store.account_states.values())
    (event,) = [e for e in store.events if e.action == "furnish.account"]
    assert event.subject_ref == f.item_ref
    assert sorted(a["account_ref"] for a in event.detail["accounts"]) == ["CARD-1", "LOAN-2"]
    # what the record said of Ada is kept encrypted, with her blocking keys
    kinds = {kind for (_, kind, _, _) in store.identity_observations}
    assert kinds == {"name", "national_id", "date_of_birth"}
    assert all(o["value_ciphertext"].startswith(b"enc:")
               for o in store.identity_observations.values())
    assert ("h:900100200", f.id) in store.identity_keys


def test_the_same_records_again_change_nothing(uow, deps, store):
    furnish(uow, deps, record())
    before = (dict(store.account_months), len(store.events), dict(store.identity_observations))
    again = furnish(uow, deps, record())
    assert (again.accepted, again.changed_subjects) == (1, set())
    assert len(store.files) == 1
    assert (dict(store.account_months), len(store.events),
            dict(store.identity_observations)) == before


def test_the_account_follows_its_newest_month_and_an_older_one_is_only_kept(uow, deps, store):
    furnish(uow, deps, record(balance=100, compliance_code="XB"))
    furnish(uow, deps, record(as_of="2026-11-30", balance=90))
    furnish(uow, deps, record(as_of="2026-09-30", balance=110, compliance_code="XR"))
    assert months(store) == {("CARD-1", "2026-09-30"): 110, ("CARD-1", "2026-10-31"): 100,
                             ("CARD-1", "2026-11-30"): 90}
    (state,) = store.account_states.values()
    # the newest month set the state; the older one's XR did not clear the XB
    assert (state["latest_as_of"], state["compliance_code"]) == (date(2026, 11, 30), "XB")
    (obs,) = [o for (_, kind, _, _), o in store.identity_observations.items()
              if kind == "national_id"]
    assert (obs["first_seen_on"], obs["last_seen_on"]) == (date(2026, 9, 30), date(2026, 11, 30))


def test_a_later_record_of_the_person_joins_her_file_by_its_keys(uow, deps, store):
    furnish(uow, deps, record())
    later = furnish(uow, deps, record(account_ref="LOAN-9", subject={**ADA, "phone": "2025550143"}))
    assert later.accepted == 1
    assert len(store.files) == 1
    (sid,) = store.files
    assert {a.subject_id for a in store.accounts.values()} == {sid}
    assert "phone" in {kind for (_, kind, _, _) in store.identity_observations}


def test_a_deleting_record_takes_the_account_off_even_when_the_month_is_unchanged(uow, deps,
                                                                                store):
    furnish(uow, deps, record())
    gone = furnish(uow, deps, record(delete_code="DA"))
    assert gone.changed_subjects == set(store.files)
    (account,) = store.accounts.values()
    assert account.deleted_at == NOW
    (state,) = store.account_states.values()
    assert state["delete_code"] == "DA"


def test_income_without_a_consent_in_force_is_stored_without_it(uow, deps, store):
    summary = furnish(uow, deps, record(monthly_income=400000, consent_ref="cns_nothing"))
    assert summary.accepted == 1
    ((position, message),) = [(w.position, w.errors[0].message) for w in summary.warned]
    assert position == 0 and "income" in message
    (row,) = store.account_months.values()
    assert (row["monthly_income"], row["consent_ref"]) == (None, None)
    assert "consent.refused" in store.actions()


def test_an_account_blocked_on_the_file_is_refused_and_the_others_kept(uow, deps, store):
    furnish(uow, deps, record())
    (sid,) = store.files
    h = protections.account_hash(deps.vault, "CARD-1")
    store.blocks.append((1, sid, "acc_x", BANK.id, h, NOW))
    summary = furnish(uow, deps, record(as_of="2026-11-30"),
                      record(account_ref="LOAN-2", as_of="2026-11-30"))
    assert summary.accepted == 1
    ((position, error),) = [(r.position, r.errors[0]) for r in summary.rejected]
    assert (position, error.message) == (0, protections.BLOCKED)
    assert ("CARD-1", "2026-11-30") not in months(store)
    assert ("LOAN-2", "2026-11-30") in months(store)


def test_a_record_the_database_refuses_is_isolated_by_halves(uow, deps, store, monkeypatch):
    real = FakeAccountStore.upsert_months

    def refuse_bad(self, rows, file_id, now, only_if_different):
        if any(r["balance"] == 666 for r in rows):
            raise UnicodeError("text the driver cannot encode")
        return real(self, rows, file_id, now, only_if_different)

    monkeypatch.setattr(FakeAccountStore, "upsert_months", refuse_bad)
    summary = furnish(uow, deps, record(), record(account_ref="BAD-2", balance=666),
                      record(account_ref="OK-3"), record(account_ref="OK-4"))
    assert summary.accepted == 3
    ((position, error),) = [(r.position, r.errors[0]) for r in summary.rejected]
    assert (position, error.field) == (1, "record")
    assert sorted(ref for ref, _ in months(store)) == ["CARD-1", "OK-3", "OK-4"]
    # the refused chunks were rolled back whole: no account without its month
    assert sorted(a.account_ref for a in store.accounts.values()) == ["CARD-1", "OK-3", "OK-4"]


def test_a_held_record_is_placed_on_the_file_an_operator_chose(uow, deps, store):
    store.add_file(7, "ADA LOVELACE", date_of_birth=date(1985, 12, 10))
    rec = parse_account_record(record(subject={"name": "A LOVELACE",
                                               "date_of_birth": "1985-12-10"}))
    placed = furnishing.place_held(uow, deps, BANK, rec, 7, None)
    assert (placed.accepted, placed.changed_subjects) == (1, {7})
    (account,) = store.accounts.values()
    assert account.subject_id == 7
    (state,) = store.account_states.values()
    assert state["link"]["how"] == "operator"


# -- resolution and observations, one call at a time ---------------------------------------

def test_a_look_up_finds_the_file_by_its_keys_and_nothing_by_a_stranger(uow, deps, store):
    furnish(uow, deps, record())
    (sid,) = store.files
    ada = SubjectIdentity("900100200", "Ada Lovelace", date(1985, 12, 10))
    with FakeUnitOfWork(store, deps.clock) as uow:
        found = resolution.look_up(uow, deps.vault, ada)
        stranger = resolution.look_up(uow, deps.vault, SubjectIdentity(
            "123456789", "GRACE HOPPER", date(1906, 12, 9)))
    assert (found.outcome, found.subject_id, found.reason) == (rules.Outcome.LINK, sid, "keys")
    assert stranger.outcome is rules.Outcome.NEW and stranger.subject_id is None


def test_create_files_keeps_a_taken_national_id_off_the_new_file(uow, deps, store):
    store.add_file(3, id_hmac="h:900100200")
    with FakeUnitOfWork(store, deps.clock) as uow:
        made = resolution.create_files(uow, deps.vault, {
            "a": SubjectIdentity("900100200", "ADA OTHER", None),
            "b": SubjectIdentity("111222333", "BOB", None)}, NOW)
        uow.commit()
    a, b = store.files[made["a"][0]], store.files[made["b"][0]]
    assert (a.id_hmac, a.id_suffix) == (None, None)
    assert (b.id_hmac, b.id_suffix, b.item_ref) == ("h:111222333", "2333", made["b"][1])


def test_a_hold_keeps_the_record_encrypted_with_its_candidates(uow, deps, store):
    store.add_file(3)
    decision = rules.Decision(rules.Outcome.HOLD, None, None, "ambiguous")
    with FakeUnitOfWork(store, deps.clock) as uow:
        ref = resolution.hold(uow, deps.vault, BANK.id, 5, 12, "CARD-1",
                              {"record": record()}, decision, {3: "sub_3"}, NOW)
        uow.commit()
    (held,) = store.identity_holds
    assert (held["item_ref"], held["line"], held["reason"], held["status"]) == (
        ref, 12, "ambiguous", "held")
    assert held["account_ref_hmac"] == protections.account_hash(deps.vault, "CARD-1")
    assert json.loads(deps.vault.decrypt(held["record_ciphertext"]))["record"]["account_ref"] \
        == "CARD-1"


def test_record_identities_widens_a_kept_values_dates_and_adds_the_new(uow, deps, store):
    store.add_file(1)
    ada = SubjectIdentity("900100200", "ADA LOVELACE", date(1985, 12, 10))
    hashes = identity_store.Hashes(deps.vault)

    def keep(first: date, last: date, who: SubjectIdentity) -> int:
        with FakeUnitOfWork(store, deps.clock) as uow:
            n = identity_store.record_identities(
                uow, deps.vault, hashes, "sqlite", BANK.id, None, NOW,
                [(1, who, "h:900100200", first, last, 3)])
            uow.commit()
        return n

    assert keep(date(2026, 5, 31), date(2026, 5, 31), ada) == 3
    assert keep(date(2026, 5, 31), date(2026, 5, 31), ada) == 0      # nothing new
    assert keep(date(2026, 4, 30), date(2026, 6, 30), ada) == 3      # three widened
    dates = {(o["first_seen_on"], o["last_seen_on"])
             for o in store.identity_observations.values()}
    assert dates == {(date(2026, 4, 30), date(2026, 6, 30))}
    assert keep(date(2026, 6, 30), date(2026, 6, 30), SubjectIdentity(
        "900100200", "ADA LOVELACE", date(1985, 12, 10), phone="2025550143")) == 1
    assert len(store.identity_observations) == 4


def test_a_name_written_the_other_way_round_and_misspelt_shares_a_key_with_its_file(deps):
    """Blocking: "Bery Daniel" or "Berry Danial" with Daniel Berry's birth date and nothing
    else shares a key with his file (one of the two names, spelt right, as a first name with
    the birth date), and so does his own name with a file opened from such a record; with
    another birth date, no key. Both names misspelt is left to the other keys (id, address,
    phone)."""
    hashes = identity_store.Hashes(deps.vault)

    def keys(name: str, born: date = date(1984, 6, 2)) -> set[str]:
        return set(identity_store.blocking_keys(hashes, SubjectIdentity(None, name, born),
                                                None))

    for written in ("Berry Daniel", "Bery Daniel", "Berry Danial"):
        assert keys("Daniel Q Berry") & keys(written), written
        assert keys(written) & keys("Daniel Berry"), written
        assert not keys("Daniel Q Berry") & keys(written, date(1961, 11, 23)), written
    assert not keys("Daniel Q Berry") & keys("Bery Danial")


def test_only_what_the_database_refused_is_isolated_never_an_outage():
    import sqlite3

    import psycopg
    from sqlalchemy import exc

    from openbureau.adapters.database import refused_data

    def op(orig: Exception) -> exc.OperationalError:
        return exc.OperationalError("INSERT", {}, orig)

    # the records' fault: stored apart to find which
    assert refused_data(exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert refused_data(op(sqlite3.OperationalError("no such table: accounts")))
    assert refused_data(psycopg.errors.NumericValueOutOfRange("out of range"))
    assert refused_data(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    # the database away, or not a database error at all: raised as they are
    assert not refused_data(op(psycopg.OperationalError("connection refused")))
    assert not refused_data(op(sqlite3.OperationalError("database is locked")))
    assert not refused_data(psycopg.OperationalError("server closed the connection"))
    assert not refused_data(exc.TimeoutError("QueuePool limit reached"))
    assert not refused_data(ValueError("a bug"))
