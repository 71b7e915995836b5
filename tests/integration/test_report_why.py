"""Why each account is on this file (issue 14 item 7), on SQLite and PostgreSQL: how identity
resolution linked it -- a file opened from it, a match with each field's level and weight, an
operator's decision -- kept in ``accounts.link`` by every ingest path (JSON batch, a Metro 2
upload: the store, records read one by one and the column-wise Metro 2 reader alike) and
shown in the report's JSON, on the page and in the PDF in plain words."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from openbureau.adapters.tables import accounts
from openbureau.domain import why
from openbureau.identity import model
from tests.conftest import auth
from tests.integration.test_quality_report import upload
from tests.integration.test_report_glance import NID, Ada, rec
from tests.unit.test_metro2 import base, fixed_file, header, record

ADDRESS = {"line1": "12 St James Square", "city": "London", "state": "NY",
           "postal_code": "10001"}
ADA = {"national_id": NID, "name": "ADA KING LOVELACE", "surname": "LOVELACE",
       "first_name": "ADA", "middle_name": "KING", "date_of_birth": "1985-12-10",
       "address": ADDRESS}
THRESHOLD = model.load().thresholds.link


def send(client, key, *records):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(key),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def ada(client, bureau) -> Ada:
    return Ada(client, bureau)


def by_ref(rep: dict) -> dict[str, dict]:
    return {a["account_ref"]: a["why"] for a in rep["accounts"]}


def test_why_after_a_json_batch_new_file_match_and_keys(client, orgs, ada):
    key = orgs["furnisher"]
    assert send(client, key, rec(ADA, "CARD-1"))["accepted"] == 1
    # no middle name, an initial of it, another address: scored against the file
    moved = {**ADA, "name": "ADA K LOVELACE", "middle_name": "K",
             "address": {**ADDRESS, "line1": "4 Ockham Park", "postal_code": "10002"}}
    out = send(client, key, rec(moved, "LOAN-2", kind="installment", original_amount=900000,
                                credit_limit=None),
               rec(ADA, "CARD-3"))          # the same identity as the file's first record
    assert out["accepted"] == 2, out
    whys = by_ref(ada.report())
    assert whys["CARD-1"]["how"] == "new_file"
    assert "opened from this account's first record" in whys["CARD-1"]["text"]
    assert whys["CARD-1"]["model_version"] == model.VERSION
    scored = whys["LOAN-2"]
    assert scored["how"] == "match"
    fields = {f["field"]: (f["level"], f["weight"], f["agreed"]) for f in scored["fields"]}
    assert fields["nid"][0] == "exact" and fields["nid"][1] > 5 and fields["nid"][2]
    assert fields["dob"][0] == "exact" and fields["dob"][2]
    assert fields["surname"][0] == "exact" and fields["middle"][0] == "initial"
    assert fields["addr"][0] != "same address"        # the address was not the file's
    assert scored["weight"] >= scored["threshold"] == THRESHOLD
    assert scored["linked_on"] == "2026-11-01"
    assert "Matched on: national id (exact)" in scored["text"]
    assert f"match weight {scored['weight']:.1f}; the bureau links a record at " \
           f"{THRESHOLD:g} or more" in scored["text"]
    # the weights add up to the match weight (with the model's prior)
    prior = model.load().prior
    assert abs(prior + sum(f[1] for f in fields.values()) - scored["weight"]) < 0.1
    keys = whys["CARD-3"]
    assert keys["how"] == "match" and {f["field"] for f in keys["fields"]} >= {
        "nid", "first", "surname", "dob"}
    assert "addr" not in {f["field"] for f in keys["fields"]}     # not compared
    assert "nothing else was compared" in keys["text"]


def metro2(account: str, **values: str) -> bytes:
    fields = {"account_number": account, "surname": "LOVELACE", "first": "ADA",
              "middle": "K", "ssn": NID, "dob": "12101985", "address": "12 ST JAMES SQUARE",
              "city": "LONDON", "state": "NY", "zip": "10001", **values}
    return fixed_file([record(base(**fields))]).replace(header(), header(activity="09302026"),
                                                          1)


def test_why_after_a_metro2_upload_and_on_page_and_pdf(client, orgs, bureau, ada, tmp_path):
    key = orgs["furnisher"]
    send(client, key, rec(ADA, "CARD-1"))
    status = upload(client, key, "bank.m2", metro2("M2-ACC-7"))
    assert (status["accepted"], status["rejected"]) == (1, 0), status
    rep = ada.report()
    m2 = by_ref(rep)["M2-ACC-7"]
    assert m2["how"] == "match", m2
    fields = {f["field"]: f for f in m2["fields"]}
    assert fields["nid"]["level"] == "exact" and fields["nid"]["weight"] > 0
    assert fields["middle"]["level"] == "initial"
    assert fields["dob"]["level"] == "exact"
    assert m2["weight"] >= THRESHOLD
    # the page and the PDF say the same in words
    page = ada.page()
    assert "Why is this account on my file?" in page
    assert "Matched on: national id (exact)" in page
    assert f"match weight {m2['weight']:.1f}" in page
    assert "opened from this account" in page
    flat = ada.pdf(tmp_path)
    assert "Why this account is on your file" in flat
    assert "Matched on: national id (exact)" in flat
    assert f"match weight {m2['weight']:.1f}" in flat


def test_an_operator_decision_and_an_account_from_before_the_link_was_kept(client, orgs,
                                                                          bureau, ada):
    key = orgs["furnisher"]
    other = {**ADA, "national_id": "900100777"}     # one name and birth date, two ids
    send(client, key, rec(ADA, "CARD-1"), rec(other, "CARD-2"))
    no_id = {k: v for k, v in ADA.items() if k != "national_id"}
    out = send(client, key, rec(no_id, "STORE-9"))
    assert out["accepted"] == 0
    [hold] = client.get("/v1/admin/identity/holds",
                        headers=auth(orgs["operator"])).json()["items"]
    ref = ada.report()["subject_ref"]
    r = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision",
                    headers=auth(orgs["operator"]), json={"action": "link", "file_ref": ref})
    assert r.status_code == 200, r.text
    whys = by_ref(ada.report())
    assert whys["STORE-9"]["how"] == "operator"
    assert "member of the bureau's staff" in whys["STORE-9"]["text"]
    assert whys["STORE-9"]["fields"] == []
    # an account linked before 0011 kept nothing: the report says so, invents nothing
    with bureau.uow() as uow:
        uow.execute(update(accounts).where(accounts.c.account_ref == "CARD-1")
                    .values(link=None))
        uow.commit()
    old = by_ref(ada.report())["CARD-1"]
    assert old["how"] == "unrecorded" and old["text"] == why.UNRECORDED
    assert "recorded before the bureau kept this" in old["text"]
    assert old["weight"] is None and old["fields"] == []


def test_the_link_is_compact(client, orgs, bureau):
    send(client, orgs["furnisher"], rec(ADA, "CARD-1"),
         rec({**ADA, "name": "ADA LOVELACE", "middle_name": None}, "CARD-2"))
    with bureau.uow() as uow:
        links = dict(uow.execute(select(accounts.c.account_ref, accounts.c.link)).all())
    assert set(links["CARD-1"]) == {"how", "at", "model"}
    assert set(links["CARD-2"]) == {"how", "at", "model", "weight", "threshold", "fields"}
    for level, weight in links["CARD-2"]["fields"].values():
        assert isinstance(level, str) and round(weight, 2) == weight
    assert "LOVELACE" not in str(links)           # levels and weights, never values
