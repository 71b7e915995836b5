"""The whole identity and the whole account, stored and shown (issue 11), on SQLite and PostgreSQL.

Identity observations kept with their source and dates, encrypted, deduplicated on re-send;
records without a national id attached by name + birth date, opening a file of their own, or
refused when several files match; an L1 renaming the tradeline; K1 and the special comment on
the report; the personal information in ``/v1/me/report``, on the page and in the PDF.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import (
    account_months,
    accounts,
    audit_events,
    identity_holds,
    identity_keys,
    identity_observations,
    subjects,
)
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, furnishing, identity_store
from tests.conftest import auth
from tests.integration.test_reports import _pdf_text, consumer_token
from tests.integration.test_web_pages import HTML, csrf_of

NID = "900100200"
ADA = {"national_id": NID, "name": "ADA KING LOVELACE", "surname": "LOVELACE",
       "first_name": "ADA", "middle_name": "KING", "date_of_birth": "1985-12-10",
       "phone": "2025550143",
       "address": {"line1": "12 ST JAMES SQUARE", "city": "LONDON", "state": "NY",
                   "postal_code": "10001", "indicator": "C", "residence": "R"},
       "employer": {"name": "ANALYTICAL ENGINES LTD", "city": "LONDON",
                    "occupation": "MATHEMATICIAN"}}
PLAINTEXT = [b"2025550143", b"LOVELACE", b"ST JAMES", b"ANALYTICAL", b"900100200",
             b"1985-12-10", b"MATHEMATICIAN"]


def record(**over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "subject": json.loads(json.dumps(ADA)), "account_ref": "CARD-1", "as_of": "2026-10-31",
        "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
        "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
        "currency": "USD"}
    rec.update(over)
    return rec


@pytest.fixture
def furnisher(bureau):
    org = access.create_organisation(bureau.uow(), bureau.deps,
                                     SYSTEM, "Identity Test Bank", "furnisher")
    return Principal(Role.FURNISHER, org.id, "Identity Test Bank")


def send(bureau, furnisher, *records, file_id=None):
    return furnishing.furnish(bureau.uow(), bureau.deps, furnisher,
                              furnishing.candidates_from_json(list(records)),
                              file_id=file_id)


def observations(bureau) -> dict[str, list]:
    with bureau.uow() as uow:
        rows = uow.execute(select(identity_observations)
                           .order_by(identity_observations.c.id)).all()
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r.kind, []).append(r)
    return out


def value(bureau, row) -> dict:
    return json.loads(bureau.vault.decrypt(row.value_ciphertext))


def count(bureau, table) -> int:
    with bureau.uow() as uow:
        return int(uow.execute(select(func.count()).select_from(table)).scalar_one())


def test_observations_kept_with_source_and_dates_encrypted(bureau, furnisher):
    summary = send(bureau, furnisher, record(as_of="2026-09-30"), record())
    assert (summary.accepted, list(summary.rejected)) == (2, [])
    obs = observations(bureau)
    assert sorted(obs) == sorted(identity_store.KINDS)
    assert all(len(rows) == 1 for rows in obs.values())        # the same values: once each
    for rows in obs.values():
        r = rows[0]
        assert (r.furnisher_id, r.line) == (furnisher.id, 0)     # the first record said it
        assert (r.first_seen_on, r.last_seen_on) == (date(2026, 9, 30), date(2026, 10, 31))
        assert r.first_at == r.last_at == bureau.clock.now()
        assert r.item_ref.startswith("idn_")
    assert value(bureau, obs["phone"][0]) == {"phone": "2025550143"}
    assert value(bureau, obs["national_id"][0]) == {"national_id": NID}
    assert value(bureau, obs["name"][0]) == {
        "name": "ADA KING LOVELACE", "surname": "LOVELACE", "first_name": "ADA",
        "middle_name": "KING"}
    assert value(bureau, obs["address"][0])["line1"] == "12 ST JAMES SQUARE"
    assert value(bureau, obs["employer"][0])["occupation"] == "MATHEMATICIAN"
    # no plaintext anywhere in either table (values, hashes, keys)
    with bureau.uow() as uow:
        dump = repr(uow.execute(select(identity_observations)).all()).encode() \
            + repr(uow.execute(select(identity_keys)).all()).encode()
    assert not [p for p in PLAINTEXT if p in dump]
    # blocking keys: name + birth date, surname + birth date, first name + birth date, the
    # surname as a first name + birth date, first name and surname in either order + birth
    # date, national id, phone, address
    with bureau.uow() as uow:
        sid = uow.execute(select(subjects.c.id)).scalar_one()
        keys = set(uow.execute(select(identity_keys.c.key_hmac)
                               .where(identity_keys.c.subject_id == sid)).scalars())
    assert len(keys) == 8 and bureau.vault.lookup_hash(NID) in keys


def test_the_same_records_again_change_nothing_and_dates_only_widen(bureau, furnisher):
    send(bureau, furnisher, record(as_of="2026-09-30"), record())
    before = observations(bureau)
    keys = count(bureau, identity_keys)
    send(bureau, furnisher, record(as_of="2026-09-30"), record())
    assert observations(bureau) == before and count(bureau, identity_keys) == keys
    # an older month: first seen moves back, last seen stays; a newer one moves last seen on
    send(bureau, furnisher, record(as_of="2026-07-31"))
    phone = observations(bureau)["phone"][0]
    assert (phone.first_seen_on, phone.last_seen_on) == (date(2026, 7, 31), date(2026, 10, 31))
    send(bureau, furnisher, record(as_of="2026-11-30"))
    phone = observations(bureau)["phone"][0]
    assert (phone.first_seen_on, phone.last_seen_on) == (date(2026, 7, 31), date(2026, 11, 30))
    assert len(observations(bureau)["phone"]) == 1
    # a new address is a new observation; the old one is kept with its dates
    moved = record(as_of="2026-12-31")
    moved["subject"]["address"] = {"line1": "1 NEW ROAD", "postal_code": "10002"}
    send(bureau, furnisher, moved)
    addresses = observations(bureau)["address"]
    assert [a.last_seen_on for a in addresses] == [date(2026, 11, 30), date(2026, 12, 31)]


def _no_id(**subject: object) -> dict[str, object]:
    rec = record(account_ref="LOAN-9", kind="installment", credit_limit=None,
                 original_amount=900000)
    who = {k: v for k, v in ADA.items() if k in ("name", "date_of_birth")}
    who.update(subject)
    rec["subject"] = who
    return rec


def test_a_record_without_national_id_joins_the_one_file_of_its_name_and_birth(bureau,
                                                                               furnisher):
    send(bureau, furnisher, record())
    summary = send(bureau, furnisher, _no_id())
    assert (summary.accepted, list(summary.rejected)) == (1, [])
    assert count(bureau, subjects) == 1
    with bureau.uow() as uow:
        assert len(set(uow.execute(select(accounts.c.subject_id)).scalars())) == 1


def test_a_record_without_national_id_and_no_match_opens_a_file(bureau, furnisher, client):
    summary = send(bureau, furnisher, _no_id(name="GRACE HOPPER", date_of_birth="1906-12-09"))
    assert (summary.accepted, list(summary.rejected)) == (1, [])
    with bureau.uow() as uow:
        row = uow.execute(select(subjects)).one()
    assert (row.id_hmac, row.id_ciphertext, row.id_suffix) == (None, None, None)
    assert (row.name, row.date_of_birth) == ("GRACE HOPPER", date(1906, 12, 9))
    assert set(observations(bureau)) == {"name", "date_of_birth"}
    again = send(bureau, furnisher, _no_id(name="Grace  Hopper", date_of_birth="1906-12-09"))
    assert again.accepted == 1 and count(bureau, subjects) == 1     # found by its keys


def test_a_record_without_national_id_matching_several_files_is_held(bureau, furnisher):
    twin = record(account_ref="CARD-2")
    twin["subject"]["national_id"] = "900100999"
    send(bureau, furnisher, record(), twin)
    assert count(bureau, subjects) == 2
    months = count(bureau, account_months)
    summary = send(bureau, furnisher, _no_id(), record(account_ref="CARD-3"))
    assert (summary.accepted, summary.held) == (1, 1)
    [(position, [(field, message)])] = [(r.position, [(e.field, e.message) for e in r.errors])
                                        for r in summary.rejected]
    assert (position, field) == (0, "subject")
    assert message.startswith("held for identity review (hld_") and "several files" in message
    with bureau.uow() as uow:
        hold = uow.execute(select(identity_holds)).one()
    assert (hold.status, hold.line, len(hold.candidates)) == ("held", 0, 2)
    assert b"LOAN-9" not in hold.record_ciphertext           # kept encrypted
    assert count(bureau, account_months) == months + 1      # CARD-3 only: never guessed
    with bureau.uow() as uow:
        assert "LOAN-9" not in set(uow.execute(select(accounts.c.account_ref)).scalars())


def test_l1_renames_the_tradeline_keeping_its_history(bureau, furnisher):
    send(bureau, furnisher, record(account_ref="OLD-1", as_of="2026-09-30"))
    with bureau.uow() as uow:
        before = uow.execute(select(accounts)).one()
    renamed = record(account_ref="OLD-1", account_change={"new_account_ref": "NEW-1",
                                                          "new_identification_number": "BR42"})
    summary = send(bureau, furnisher, renamed)
    assert (summary.accepted, list(summary.rejected)) == (1, [])

    def state():
        with bureau.uow() as uow:
            acc = uow.execute(select(accounts)).all()
            months = uow.execute(select(account_months.c.as_of)
                                 .order_by(account_months.c.as_of)).scalars().all()
            events = uow.execute(select(audit_events.c.detail).where(
                audit_events.c.action == "furnish.account_rekeyed")).scalars().all()
        return acc, months, events

    acc, months, events = state()
    assert len(acc) == 1 and acc[0].account_ref == "NEW-1"          # no second tradeline
    assert (acc[0].id, acc[0].item_ref) == (before.id, before.item_ref)
    assert acc[0].identification_number == "BR42"
    assert months == [date(2026, 9, 30), date(2026, 10, 31)]        # history kept
    assert [(e["from"], e["to"]) for e in events] == [("OLD-1", "NEW-1")]
    send(bureau, furnisher, renamed)                                # the same file again
    assert state() == (acc, months, events)
    send(bureau, furnisher, record(account_ref="NEW-1", as_of="2026-11-30"))
    acc2, months2, _ = state()
    assert len(acc2) == 1 and len(months2) == 3


def test_l1_without_the_old_tradeline_stores_under_the_new_number(bureau, furnisher):
    send(bureau, furnisher, record(account_ref="OLD-2",
                                   account_change={"new_account_ref": "NEW-2"}))
    with bureau.uow() as uow:
        assert uow.execute(select(accounts.c.account_ref)).scalars().all() == ["NEW-2"]


COLLECTION = dict(account_ref="COLL-7", kind="collection", status="collection",
                  credit_limit=None, original_amount=45000, balance=45000,
                  amount_past_due=45000, date_of_first_delinquency="2025-01-31",
                  original_creditor={"name": "FIRST BANK OF NOWHERE", "classification": "02"},
                  purchase={"indicator": "purchased_from", "name": "DEBT SELLER INC"},
                  compliance_code="XB")


def test_segments_and_codes_on_the_report_personal_information_everywhere(bureau, client, orgs,
                                                                         tmp_path):
    from openbureau.domain.code_lists import (
        compliance_condition_text,
        special_comment_codes,
        special_comment_text,
    )

    comment = sorted(special_comment_codes())[0]
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(),
                                      record(special_comment=comment, **COLLECTION)]})
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text
    with bureau.uow() as uow:
        acc = uow.execute(select(accounts).where(accounts.c.account_ref == "COLL-7")).one()
    assert (acc.original_creditor, acc.creditor_classification) == ("FIRST BANK OF NOWHERE",
                                                                    "02")
    assert (acc.purchase_indicator, acc.purchase_name) == ("purchased_from", "DEBT SELLER INC")
    token = consumer_token(bureau, NID, date(1985, 12, 10))
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    coll = next(a for a in rep["accounts"] if a["account_ref"] == "COLL-7")
    assert coll["original_creditor"]["name"] == "FIRST BANK OF NOWHERE"
    assert coll["original_creditor"]["classification_text"]
    assert coll["purchase"]["text"] == "Purchased from DEBT SELLER INC"
    assert coll["special_comment"] == comment
    assert coll["special_comment_text"] == special_comment_text(comment)
    assert coll["compliance_condition_text"] == compliance_condition_text("XB")
    info = {e["kind"]: e for e in rep["personal_information"]}
    assert sorted(info) == sorted(identity_store.KINDS)
    assert info["phone"]["value"] == "******0143"                  # masked
    assert info["national_id"]["value"] == "*****0200"
    assert "2025550143" not in json.dumps(rep["personal_information"])
    assert info["address"]["value"].startswith("12 ST JAMES SQUARE, LONDON, NY 10001")
    assert info["name"]["value"] == "ADA KING LOVELACE"
    src = info["employer"]["reported_by"]
    assert [(s["furnisher"], s["first_seen_on"], s["last_seen_on"]) for s in src] == [
        ("Test furnisher", "2026-10-31", "2026-10-31")]
    assert info["employer"]["item_ref"].startswith("idn_")
    signin = client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML, follow_redirects=False,
                    data={"national_id": NID, "password": "correct horse battery",
                          "csrf_token": csrf_of(signin.text)})
    assert r.status_code == 303, r.text
    page = client.get("/me/report", headers=HTML)
    assert page.status_code == 200
    for text in ("Personal information", "12 ST JAMES SQUARE", "ANALYTICAL ENGINES LTD",
                 "******0143", "FIRST BANK OF NOWHERE", special_comment_text(comment),
                 "Purchased from DEBT SELLER INC"):
        assert text in page.text, text
    assert "2025550143" not in page.text
    pdf = client.get("/v1/me/report?format=pdf", headers=auth(token))
    assert pdf.status_code == 200
    flat = " ".join(_pdf_text(pdf.content, tmp_path).split())
    for text in ("Personal information", "12 ST JAMES SQUARE", "ANALYTICAL ENGINES LTD",
                 "******0143", "FIRST BANK OF NOWHERE"):
        assert text in flat
    assert "2025550143" not in flat
