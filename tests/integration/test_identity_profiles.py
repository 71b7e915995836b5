"""Identity per jurisdiction profile, over HTTP.

cn-cri: the 18-character resident identity number is required and checked (check character,
birth date) wherever a person is named -- furnishing (JSON, CSV, Metro 2), look-ups, court
listings -- and the name must agree with it: a record sent under a file's id with another name
is held for review and shows on the report as a verification status; a look-up so named finds
no file. eu-gdpr: the full probabilistic path with national ids optional throughout.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from openbureau.adapters.tables import identity_holds, public_records
from tests.conftest import auth, resident_id
from tests.integration.test_identity_resolution import file_of, pull, rec, send
from tests.integration.test_quality_report import metro2_file, upload

WANG = {"national_id": resident_id("1980-05-17", "011"), "name": "Wang Xiaoming",
        "date_of_birth": "1980-05-17"}
HONG = {**WANG, "name": "Wang Xiaohong"}       # the same number, another given name


def refused(out: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for r in out["rejected"] for e in r["errors"]]


def held(bureau) -> list[Any]:
    with bureau.uow() as uow:
        return uow.execute(select(identity_holds.c.reason, identity_holds.c.candidates)
                           .where(identity_holds.c.status == "held")).all()


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_refuses_a_record_without_a_valid_resident_id(client, orgs, profile_name):
    typo = WANG["national_id"][:5] + str((int(WANG["national_id"][5]) + 1) % 10) + \
        WANG["national_id"][6:]
    no_id = {k: v for k, v in WANG.items() if k != "national_id"}
    ssn = {**WANG, "national_id": "900100200"}
    out = send(client, orgs, rec({**WANG, "national_id": typo}, "C-1"), rec(no_id, "C-2"),
               rec(ssn, "C-3"), rec({**WANG, "date_of_birth": "1980-05-18"}, "C-4"),
               rec(WANG, "C-5"))
    assert out["accepted"] == 1
    messages = refused(out)
    assert [f for f, _ in messages] == ["subject.national_id"] * 4
    assert "check digit" in messages[0][1]
    assert messages[1][1] == "is required under this profile"
    assert "18-character" in messages[2][1]
    assert "other than date_of_birth" in messages[3][1]
    assert typo not in str(out) and "900100200" not in str(out)      # never echoed


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_metro2_records_carry_no_resident_id_and_are_refused_one_by_one(
        client, orgs, profile_name):
    # Metro 2's SSN field holds nine digits: no resident id fits it. Every record is refused
    # with the reason (the file is read record by record, never column-wise, on both DBs)
    status = upload(client, orgs["furnisher"], "bank.m2", metro2_file())
    assert status["status"] == "done" and status["accepted"] == 0
    assert status["rejected"] == status["records"] == 6
    assert {e["field"] for e in status["errors"]} >= {"subject.national_id"}


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_id_and_name_must_agree(client, orgs, bureau, profile_name):
    send(client, orgs, rec(WANG, "C-1"))
    out = send(client, orgs, rec(HONG, "C-2"))
    assert out["accepted"] == 0
    assert [m for _, m in refused(out)][0].startswith("held for identity review"), out
    (hold,) = held(bureau)
    assert hold.reason.startswith("id matches, name does not")
    assert len(hold.candidates) == 1
    # the same person, the name written surname-first or given-first: the same file
    out = send(client, orgs, rec({**WANG, "name": "XIAOMING WANG"}, "C-3"),
               rec({**WANG, "name": "WANG, XIAOMING"}, "C-4"))
    assert out["accepted"] == 2
    assert file_of(bureau, "C-1") == file_of(bureau, "C-3") == file_of(bureau, "C-4")

    # the lender's look-up: the id with the file's name finds it, with another name finds none
    consent = {"consent_ref": None}
    r = client.post("/v1/member/consents", headers=auth(orgs["member"]), json={
        "subject": WANG, "purpose": "credit_application", "scope": ["report"],
        "obtained_at": "2026-10-31T09:00:00+00:00", "expires_at": "2027-10-31T09:00:00+00:00",
        "evidence_kind": "signed_form", "evidence_sha256": "ab" * 32})
    assert r.status_code == 201, r.text
    consent["consent_ref"] = r.json()["consent_ref"]
    found = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": {**WANG, "name": "Xiaoming Wang"}, "purpose": "credit_application",
        **consent})
    assert found.status_code == 201, found.text
    report = found.json()["report"]
    assert report["identity_verification"] == {"status": "review", "pending": 1}
    assert sorted(a["account_ref"] for a in report["accounts"]) == ["C-1", "C-3", "C-4"]
    other = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": HONG, "purpose": "court_order"})
    assert other.status_code == 404, other.text
    bad = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": {**WANG, "national_id": "900100200"}, "purpose": "credit_application",
        **consent})
    assert bad.status_code == 422 and "900100200" not in bad.text
    assert any(e["field"] == "subject.national_id" for e in bad.json()["errors"])


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_verification_agrees_when_nothing_waits(client, orgs, bureau, profile_name):
    send(client, orgs, rec(WANG, "C-1"))
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": WANG, "purpose": "court_order"})
    assert r.status_code == 201, r.text
    assert r.json()["report"]["identity_verification"] == {"status": "agrees", "pending": 0}


def test_other_profiles_report_no_verification_status(client, orgs):
    send(client, orgs, rec({**WANG, "national_id": "900100200"}, "C-1"))
    r = pull(client, orgs, {**WANG, "national_id": "900100200"})
    assert r.status_code == 201 and r.json()["report"]["identity_verification"] is None


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_cn_cri_court_listing_checks_the_resident_id_and_finds_the_file(
        client, orgs, bureau, profile_name):
    send(client, orgs, rec(WANG, "C-1"))
    body = {"case_number": "(2026) Jing 0105 Zhi 77", "amount": 100_000, "currency": "CNY",
            "judgment_date": "2026-06-01", "ground": "evades_enforcement",
            "legal_basis": "SPC Provisions (2017), art. 1",
            "restrictions": [{"category": "air_travel"}]}
    bad = client.post("/v1/court/judgments", headers=auth(orgs["court"]),
                      json={**body, "debtor": {**WANG, "national_id": WANG["national_id"][:17]
                                               + ("1" if WANG["national_id"][17] != "1"
                                                  else "2")}})
    assert bad.status_code == 422, bad.text
    assert any("check digit" in e["message"] for e in bad.json()["errors"])
    ok = client.post("/v1/court/judgments", headers=auth(orgs["court"]),
                     json={**body, "debtor": {**WANG, "name": "WANG, XIAOMING"}})
    assert ok.status_code == 201, ok.text
    with bureau.uow() as uow:
        listed_on = uow.execute(select(public_records.c.subject_id)).scalar_one()
        assert uow.execute(select(func.count()).select_from(public_records)).scalar_one() == 1
    assert listed_on == file_of(bureau, "C-1")       # the file the records are on


@pytest.mark.parametrize("profile_name", ["eu-gdpr"])
def test_eu_gdpr_places_and_finds_people_without_national_ids(client, orgs, bureau,
                                                                profile_name):
    address = {"line1": "Hauptstrasse 5", "city": "Berlin", "postal_code": "10115"}
    anna = {"name": "Anna Maria Schmidt", "date_of_birth": "1979-03-04", "address": address}
    sister = {**anna, "name": "Berta Schmidt", "date_of_birth": "1982-07-01"}
    out = send(client, orgs, rec(anna, "K-1"), rec({**anna, "name": "Anna Schmidt"}, "K-2"),
               rec(sister, "K-3"))
    assert out["accepted"] == 3 and out["rejected"] == []
    assert file_of(bureau, "K-1") == file_of(bureau, "K-2") != file_of(bureau, "K-3")
    r = pull(client, orgs, {**anna, "name": "Schmidt, Anna"})
    assert r.status_code == 201, r.text
    assert sorted(a["account_ref"] for a in r.json()["report"]["accounts"]) == ["K-1", "K-2"]
