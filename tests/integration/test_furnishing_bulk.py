"""The storing semantics, on both databases (PostgreSQL takes the set-based bulk store, SQLite the
record-by-record one): later record of a month wins, delete codes, XB/XR, account state follows
its newest month, idempotent re-send (audit included), one audit event per changed subject per
chunk, J1 consumers as their own files, no dangling references. Small chunks, so that a file
spans several of them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import account_months, accounts, audit_events, subjects
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, files, furnishing
from tests.unit.test_metro2 import assoc, record, trailer, variable_file
from tests.unit.test_metro2 import person_base as base


@pytest.fixture
def furnisher(bureau):
    org = access.create_organisation(bureau.uow(), bureau.deps,
                                     SYSTEM, "Bulk Test Bank", "furnisher")
    return Principal(Role.FURNISHER, org.id, "Bulk Test Bank")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(furnishing, "CHUNK", 3)
    monkeypatch.setattr(furnishing, "CHUNK_BY_DIALECT", {"postgresql": 3})


def ingest(bureau, who, data: bytes, calls: list | None = None) -> dict:
    file_id = files.receive(bureau.uow(), bureau.deps, who, "f.m2", io.BytesIO(data))

    def rescore(uow, subject_ids):
        if calls is not None:
            calls.append(set(subject_ids))

    return files.ingest(bureau.uow(), bureau.deps, file_id, rescore=rescore)


def furnish_events(bureau) -> list[dict]:
    with bureau.uow() as uow:
        return [r.detail for r in uow.execute(
            select(audit_events.c.detail).where(audit_events.c.action == "furnish.account")
            .order_by(audit_events.c.seq))]


def month_rows(bureau) -> dict:
    with bureau.uow() as uow:
        return {(r.account_ref, r.as_of.isoformat()): (r.balance, r.status) for r in uow.execute(
            select(accounts.c.account_ref, account_months.c.as_of, account_months.c.balance,
                   account_months.c.status)
            .join(accounts, accounts.c.id == account_months.c.account_id))}


def account_rows(bureau) -> dict:
    with bureau.uow() as uow:
        return {r.account_ref: r for r in uow.execute(select(accounts))}


FIRST = variable_file([[r] for r in [
    record(base(account_number="A", ssn="111000001", balance="000000100")),
    record(base(account_number="B", ssn="111000002")),
    record(base(account_number="A", ssn="111000001", balance="000000200")),   # same month: wins
    record(base(account_number="C", ssn="111000003", compliance="XB")),
    record(base(account_number="J", ssn="111000004"), assoc("J1", ssn="111000005")),
    record(base(account_number="D", ssn="111000006")),
    record(base(account_number="E", ssn="111000006", date_opened="13452020")),   # rejected
]], trailer(7, j1=1))

SECOND = variable_file([[r] for r in [
    record(base(account_number="A", ssn="111000001", doai="06302024", status="DA")),
    record(base(account_number="B", ssn="111000002")),                         # unchanged
    record(base(account_number="C", ssn="111000003", doai="06302024", compliance="XR")),
    record(base(account_number="D", ssn="111000006", doai="04302024", balance="000000999")),
]], trailer(4, da=1))


def test_storing_semantics(bureau, furnisher):
    calls: list[set[int]] = []
    first = ingest(bureau, furnisher, FIRST, calls)
    assert (first["records"], first["accepted"], first["rejected"]) == (8, 7, 1), first
    assert {(e["line"], e["field"]) for e in first["errors"]} == {(8, "Date Opened")}
    months = month_rows(bureau)
    assert months[("A", "2024-05-31")] == (20000, "current")      # the later record won
    acc = account_rows(bureau)
    assert acc["C"].compliance_code == "XB"
    with bureau.uow() as uow:
        assert uow.execute(select(func.count()).select_from(account_months)).scalar_one() == 6
        assert sorted(uow.execute(select(accounts.c.ecoa).where(accounts.c.account_ref == "J"))
                      .scalars()) == ["individual", "joint"]
        assert uow.execute(select(func.count()).select_from(subjects)).scalar_one() == 6
        joint = uow.execute(select(func.count()).select_from(accounts)
                            .where(accounts.c.ecoa == "joint")).scalar_one()
        assert joint == 1
        # no dangling reference (the foreign keys are not declared; see migration 0002)
        dangling = uow.execute(select(func.count()).select_from(accounts).where(
            accounts.c.subject_id.not_in(select(subjects.c.id)))).scalar_one()
        dangling += uow.execute(select(func.count()).select_from(account_months).where(
            account_months.c.account_id.not_in(select(accounts.c.id)))).scalar_one()
        assert dangling == 0
    with bureau.uow() as uow:
        ada = uow.execute(select(subjects).where(
            subjects.c.id_hmac == bureau.vault.lookup_hash("111000005"))).one()   # the J1 one
    assert bureau.vault.decrypt(ada.id_ciphertext) == "111000005"
    assert (ada.id_suffix, ada.name, ada.date_of_birth.isoformat(), ada.kind) == \
        ("0005", "JOHN DOE", "1979-07-04", "person")
    assert ada.created_at == bureau.clock.now() and ada.item_ref.startswith("sub_")
    events = furnish_events(bureau)
    # every changed subject has its event(s), each chunk at most one per subject
    assert sum(len(e["accounts"]) for e in events) == 6
    with bureau.uow() as uow:
        all_subjects = set(uow.execute(select(accounts.c.subject_id)).scalars())
    assert calls and set().union(*calls) == all_subjects

    before = furnish_events(bureau)
    again = ingest(bureau, furnisher, FIRST)                       # the same file again
    assert again["accepted"] == 7
    assert furnish_events(bureau) == before                        # nothing changed, no event
    assert month_rows(bureau) == months

    calls.clear()
    second = ingest(bureau, furnisher, SECOND, calls)
    assert (second["accepted"], second["rejected"]) == (4, 0), second
    acc = account_rows(bureau)
    assert acc["A"].delete_code == "DA" and acc["A"].deleted_at is not None
    assert acc["A"].latest_as_of.isoformat() == "2024-06-30"
    assert acc["C"].compliance_code is None                       # XR removed XB
    assert acc["D"].latest_as_of.isoformat() == "2024-05-31"      # an older month: state kept
    assert month_rows(bureau)[("D", "2024-04-30")] == (99900, "current")
    new_events = furnish_events(bureau)[len(before):]
    refs = {a["account_ref"] for e in new_events for a in e["accounts"]}
    assert refs == {"A", "C", "D"}                                 # not B: unchanged
    assert {a["delete_code"] for e in new_events for a in e["accounts"]
            if a["account_ref"] == "A"} == {"DA"}
    assert set().union(*calls) == {acc[r].subject_id for r in ("A", "C", "D")}


def test_json_batch_takes_the_same_store(bureau, furnisher):
    from tests.integration.test_furnishing_api import record as json_record

    recs = [json_record(account_ref=f"R{i}", balance=100 * i) for i in range(7)]
    recs.insert(4, json_record(account_ref="R3", balance=5))      # same month, same chunk: wins
    summary = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                                 furnishing.candidates_from_json(recs))
    assert (summary.records, summary.accepted, summary.rejected) == (8, 8, [])
    assert month_rows(bureau)[("R3", "2026-10-31")] == (5, "current")
    assert len(month_rows(bureau)) == 7
    again = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                               furnishing.candidates_from_json(recs))
    assert again.changed_subjects == set()


def test_a_record_the_database_refuses_is_isolated(bureau, furnisher):
    from tests.integration.test_furnishing_api import record as json_record

    recs = [json_record(account_ref=f"R{i}") for i in range(7)]
    # passes validation, but is longer than the column holding it (without income: with it,
    # a ref that names no consent is dropped with the income, and the record stored)
    recs[4] = json_record(account_ref="R4", consent_ref="c" * 100)
    summary = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                                 furnishing.candidates_from_json(recs))
    if bureau.engine.dialect.name == "sqlite":
        # SQLite does not enforce column lengths: the database has nothing to refuse
        assert (summary.accepted, summary.rejected) == (7, [])
        assert len(month_rows(bureau)) == 7
        return
    assert summary.accepted == 6
    assert [(r.position, r.errors[0].field) for r in summary.rejected] == [(4, "record")]
    assert sorted(month_rows(bureau)) == [(f"R{i}", "2026-10-31") for i in (0, 1, 2, 3, 5, 6)]


def observations(bureau) -> dict:
    """Every identity observation as (national id of its subject, kind) -> (value, line, first
    seen, last seen), decrypted: what both stores must agree on."""
    import json

    from openbureau.adapters.tables import identity_observations as o

    with bureau.uow() as uow:
        rows = uow.execute(select(o, subjects.c.id_ciphertext.label("nid"))
                           .join(subjects, subjects.c.id == o.c.subject_id)).all()
    out = {}
    for r in rows:
        nid = bureau.vault.decrypt(r.nid) if r.nid is not None else None
        key = (nid, r.kind, r.value_hmac)
        assert key not in out                                   # one row per value
        out[key] = (json.loads(bureau.vault.decrypt(r.value_ciphertext)), r.line,
                    r.first_seen_on.isoformat(), r.last_seen_on.isoformat(), r.last_at)
    return out


def test_identity_observations_the_same_on_both_stores(bureau, furnisher):
    """The column path (PostgreSQL, clean records) and the record path (SQLite) keep the same
    observations of a Metro 2 file: base consumer with phone and address, the J1 consumer at the
    base's address; the same file again changes none of them."""
    ingest(bureau, furnisher, FIRST)
    obs = observations(bureau)
    by = {(nid, kind): v for (nid, kind, _), v in obs.items()}
    assert by[("111000001", "phone")][0] == {"phone": "5551234567"}
    assert by[("111000001", "address")][0] == {"line1": "1 MAIN ST", "city": "SPRINGFIELD",
                                               "state": "IL", "postal_code": "62701"}
    assert by[("111000001", "name")][0] == {"name": "JANE Q DOE", "surname": "DOE",
                                            "first_name": "JANE", "middle_name": "Q"}
    assert by[("111000001", "date_of_birth")][0] == {"date_of_birth": "1980-02-28"}
    assert by[("111000001", "national_id")][0] == {"national_id": "111000001"}
    assert by[("111000001", "phone")][1:4] == (2, "2024-05-31", "2024-05-31")
    # the J1 consumer: its own name, birth date and national id, the base's address
    assert by[("111000005", "address")][0] == by[("111000004", "address")][0]
    assert by[("111000005", "name")][0]["name"] == "JOHN DOE"
    assert ("111000005", "phone") not in by
    assert {kind for nid, kind in by if nid == "111000006"} == {
        "name", "national_id", "date_of_birth", "phone", "address"}
    assert len({nid for nid, _ in by}) == 6
    ingest(bureau, furnisher, FIRST)                               # the same file again
    assert observations(bureau) == obs


def test_income_consent_the_same_on_both_stores(bureau, furnisher):
    """Income under a consent across chunks (3 records each): both stores keep the same incomes,
    warn on the same records, and write at most one ``consent.used`` and one
    ``consent.refused`` per chunk; the same batch again uses nothing and is refused again."""
    from datetime import timedelta

    from openbureau.domain import consents as rules
    from openbureau.services import consents
    from tests.integration.test_furnishing_api import record as json_record

    people = [{"national_id": f"90020000{i}", "name": f"Income Person {i}",
               "date_of_birth": "1980-01-01"} for i in range(4)]
    furnishing.furnish(bureau.uow(), bureau.deps, furnisher, furnishing.candidates_from_json(
        [json_record(subject=p, account_ref=f"P{i}") for i, p in enumerate(people)]))
    now = bureau.clock.now()
    refs = [consents.record(bureau.uow(), bureau.deps, furnisher, access.identity_for_lookup(
        p["national_id"], p["name"], None), "account_review", ["income"],
        now - timedelta(days=1), now + timedelta(days=30), "signed_form", "ab" * 32
    )["consent_ref"] for p in people[:3]]
    sent = [(0, refs[0]), (1, refs[0]), (1, refs[1]),      # chunk 1: Person 0's on Person 1
            (2, "nope"), (2, refs[2]), (3, refs[2]),       # chunk 2
            (0, refs[0]), (3, None)]                       # chunk 3 (no income on the last)
    recs = [json_record(subject=people[p], account_ref=f"A{i}", monthly_income=1000 + i,
                        consent_ref=ref) if ref else json_record(subject=people[p],
                                                                 account_ref=f"A{i}")
            for i, (p, ref) in enumerate(sent)]

    def consent_events() -> list[tuple[str, int]]:
        with bureau.uow() as uow:
            return [(r.action, r.detail["records"]) for r in uow.execute(
                select(audit_events.c.action, audit_events.c.detail)
                .where(audit_events.c.action.in_(["consent.used", "consent.refused"]))
                .order_by(audit_events.c.seq))]

    summary = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                                 furnishing.candidates_from_json(recs))
    assert (summary.accepted, summary.rejected) == (8, [])
    assert [(w.position, w.errors[0].field, w.errors[0].message.split(":")[0])
            for w in summary.warned] == [(1, "monthly_income", rules.OTHER_SUBJECT),
                                         (3, "monthly_income", rules.NO_SUCH_CONSENT),
                                         (5, "monthly_income", rules.OTHER_SUBJECT)]
    with bureau.uow() as uow:
        income = dict(uow.execute(
            select(accounts.c.account_ref, account_months.c.monthly_income)
            .join(accounts, accounts.c.id == account_months.c.account_id)
            .where(accounts.c.account_ref.like("A%"))).all())
    assert income == {"A0": 1000, "A1": None, "A2": 1002, "A3": None, "A4": 1004,
                      "A5": None, "A6": 1006, "A7": None}
    assert consent_events() == [("consent.used", 2), ("consent.refused", 1),
                                ("consent.used", 1), ("consent.refused", 2),
                                ("consent.used", 1)]
    again = furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                               furnishing.candidates_from_json(recs))
    assert [w.position for w in again.warned] == [1, 3, 5]
    assert consent_events()[5:] == [("consent.refused", 1), ("consent.refused", 2)]
