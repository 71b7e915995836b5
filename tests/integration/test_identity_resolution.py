"""Identity resolution over HTTP: furnishers' records land on the right person's file, lenders
find applicants under the name they write, and what cannot be placed is held for an operator."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from openbureau.adapters.tables import accounts, audit_events, subjects
from tests.conftest import auth

# us-fcra's full probabilistic path, and eu-gdpr's: the same, national ids optional
# (cn-cri's resident id rules: test_identity_profiles.py)
pytestmark = pytest.mark.parametrize("profile_name", ["us-fcra", "eu-gdpr"])


def rec(subject: dict[str, Any], account_ref: str, **over: Any) -> dict[str, Any]:
    out = {"subject": subject, "account_ref": account_ref, "as_of": "2026-10-31",
           "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
           "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
           "currency": "USD"}
    out.update(over)
    return out


ADDRESS = {"line1": "12 Elm Street", "city": "Springfield", "state": "IL",
           "postal_code": "62701"}
DANIEL = {"national_id": "900500100", "name": "Daniel Quentin Berry",
          "date_of_birth": "1984-06-02", "address": ADDRESS, "phone": "2175550100"}


def send(client, orgs, *records):
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    return r.json()


def pull(client, orgs, subject):
    """A lender's look-up: the identity as an application gives it (no phone)."""
    applicant = {k: v for k, v in subject.items() if k != "phone"}
    return client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                       json={"subject": applicant, "purpose": "credit_application"})


def errors(out):
    return [e for r in out["rejected"] for e in r["errors"]]


def file_of(bureau, account_ref: str) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(accounts.c.subject_id)
                           .where(accounts.c.account_ref == account_ref)).scalar_one()


def test_an_applicant_is_found_under_the_name_they_write(client, orgs):
    send(client, orgs, rec(DANIEL, "CARD-1"))
    for name in ("Daniel Berry", "Dan Berry", "Daniel Q Berry", "BERRY, DANIEL"):
        r = pull(client, orgs, {**DANIEL, "name": name})
        assert r.status_code == 201, (name, r.text)
        assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == ["CARD-1"]
    # without the national id: name, birth date and address
    no_id = {k: v for k, v in DANIEL.items() if k != "national_id"}
    r = pull(client, orgs, {**no_id, "name": "Daniel Berry"})
    assert r.status_code == 201, r.text


def test_twins_with_consecutive_ids_at_one_address_are_never_merged(client, orgs, bureau):
    twin = {**DANIEL, "national_id": "900500101", "name": "Diana Rose Berry"}
    send(client, orgs, rec(DANIEL, "CARD-1"), rec(twin, "CARD-2"))
    assert file_of(bureau, "CARD-1") != file_of(bureau, "CARD-2")
    r = pull(client, orgs, {**twin, "name": "Diana Berry"})
    assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == ["CARD-2"]


def test_jr_and_sr_of_one_name_are_kept_apart(client, orgs, bureau):
    sr = {**DANIEL, "name": "Daniel Quentin Berry Sr", "date_of_birth": "1958-01-20",
          "national_id": "900500200"}
    jr = {**DANIEL, "name": "Daniel Quentin Berry Jr", "national_id": "900500201"}
    send(client, orgs, rec(sr, "LOAN-SR"), rec(jr, "LOAN-JR"))
    assert file_of(bureau, "LOAN-SR") != file_of(bureau, "LOAN-JR")
    # the son's record without his id, suffix written: his file, never his father's
    jr_no_id = {k: v for k, v in jr.items() if k != "national_id"}
    out = send(client, orgs, rec(jr_no_id, "CARD-JR"))
    assert out["accepted"] == 1
    assert file_of(bureau, "CARD-JR") == file_of(bureau, "LOAN-JR")


def test_a_married_name_joins_the_right_file(client, orgs, bureau):
    send(client, orgs, rec(DANIEL, "CARD-1"))
    married = {**DANIEL, "name": "Daniel Quentin Okafor"}
    assert send(client, orgs, rec(married, "AUTO-1"))["accepted"] == 1
    assert file_of(bureau, "AUTO-1") == file_of(bureau, "CARD-1")


def test_a_record_without_ssn_is_placed_by_name_birth_date_and_address(client, orgs, bureau):
    send(client, orgs, rec(DANIEL, "CARD-1"))
    no_id = {k: v for k, v in DANIEL.items() if k != "national_id"}
    out = send(client, orgs, rec({**no_id, "name": "Dan Q Berry"}, "STORE-1"))
    assert (out["accepted"], out["rejected"]) == (1, [])
    assert file_of(bureau, "STORE-1") == file_of(bureau, "CARD-1")


def test_a_mistyped_ssn_lands_on_its_owner_not_on_the_stranger_holding_it(client, orgs,
                                                                          bureau):
    stranger = {"national_id": "900500190", "name": "Maria Gomez",
                "date_of_birth": "1991-02-03",
                "address": {**ADDRESS, "line1": "4 Oak Road"}, "phone": "2175550199"}
    send(client, orgs, rec(DANIEL, "CARD-1"), rec(stranger, "CARD-M"))
    typo = {**DANIEL, "national_id": "900500190"}   # Daniel's id with one digit wrong
    assert send(client, orgs, rec(typo, "LOAN-2"))["accepted"] == 1
    assert file_of(bureau, "LOAN-2") == file_of(bureau, "CARD-1")
    r = pull(client, orgs, stranger)
    assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == ["CARD-M"]


def test_someone_elses_id_with_another_name_and_birth_date_is_held_not_attached(
        client, orgs, bureau):
    send(client, orgs, rec(DANIEL, "CARD-1"))
    with bureau.uow() as uow:
        before = uow.execute(select(accounts.c.account_ref)).scalars().all()
    thief = {"national_id": DANIEL["national_id"], "name": "Zed Ohno",
             "date_of_birth": "2001-09-09"}
    out = send(client, orgs, rec(thief, "CHARGED-OFF-9", status="charged_off",
                                 amount_past_due=120000, date_of_first_delinquency="2026-03-31"))
    assert out["accepted"] == 0
    [error] = errors(out)
    assert error["field"] == "subject" and "held for identity review" in error["message"]
    with bureau.uow() as uow:
        assert uow.execute(select(accounts.c.account_ref)).scalars().all() == before
        held = uow.execute(select(audit_events.c.action)
                           .where(audit_events.c.action == "identity.held")).scalars().all()
    assert held == ["identity.held"]
    # Daniel's report is untouched
    r = pull(client, orgs, DANIEL)
    assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == ["CARD-1"]
    # the operator sees it, without identity values, and decides: a new file
    queue = client.get("/v1/admin/identity/holds", headers=auth(orgs["operator"])).json()["items"]
    assert len(queue) == 1 and "Zed" not in str(queue) and DANIEL["name"] not in str(queue)
    [hold] = queue
    assert hold["candidates"] and hold["candidates"][0]["fields"]
    r = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision",
                    headers=auth(orgs["operator"]), json={"action": "new_file"})
    assert r.status_code == 200, r.text
    assert file_of(bureau, "CHARGED-OFF-9") != file_of(bureau, "CARD-1")
    again = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision",
                        headers=auth(orgs["operator"]), json={"action": "withdraw"})
    assert again.status_code == 409
    decided = client.get("/v1/admin/identity/holds?status=new_file",
                         headers=auth(orgs["operator"])).json()["items"]
    assert [d["hold_ref"] for d in decided] == [hold["hold_ref"]]
    with bureau.uow() as uow:
        assert uow.execute(select(subjects.c.id)).all().__len__() == 2


def test_a_held_record_linked_by_the_operator_is_stored_on_that_file(client, orgs, bureau):
    other = {**DANIEL, "national_id": "900500777"}    # one name and birth date, two ids
    send(client, orgs, rec(DANIEL, "CARD-1"), rec(other, "CARD-2"))
    no_id = {k: v for k, v in DANIEL.items() if k != "national_id"}
    out = send(client, orgs, rec(no_id, "STORE-9"))
    [error] = errors(out)
    assert "several files match" in error["message"]
    [hold] = client.get("/v1/admin/identity/holds",
                        headers=auth(orgs["operator"])).json()["items"]
    card = file_of(bureau, "CARD-1")
    with bureau.uow() as uow:
        ref = uow.execute(select(subjects.c.item_ref)
                          .where(subjects.c.id == card)).scalar_one()
    r = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision",
                    headers=auth(orgs["operator"]), json={"action": "link", "file_ref": ref})
    assert r.status_code == 200 and r.json()["status"] == "linked", r.text
    assert file_of(bureau, "STORE-9") == file_of(bureau, "CARD-1")
    assert client.get("/v1/admin/identity/holds",
                      headers=auth(orgs["operator"])).json()["items"] == []


def test_a_hold_names_a_file_the_same_batch_opened(client, orgs, bureau):
    thief = {"national_id": DANIEL["national_id"], "name": "Zed Ohno",
             "date_of_birth": "2001-09-09"}
    out = send(client, orgs, rec(DANIEL, "CARD-1"), rec(thief, "CARD-9"))
    assert out["accepted"] == 1
    [hold] = client.get("/v1/admin/identity/holds",
                        headers=auth(orgs["operator"])).json()["items"]
    card = file_of(bureau, "CARD-1")
    with bureau.uow() as uow:
        ref = uow.execute(select(subjects.c.item_ref).where(subjects.c.id == card)).scalar_one()
    assert [c["file"] for c in hold["candidates"]] == [ref]


def test_a_metro2_record_held_on_either_store_can_be_placed_by_the_operator(client, orgs,
                                                                           bureau):
    """PostgreSQL reads clean Metro 2 records column-wise; a hold keeps such a row as a whole
    record too, so the operator can link it or open a file for it, as for any other."""
    from tests.integration.test_quality_report import upload
    from tests.unit.test_metro2 import fixed_file, header, record
    from tests.unit.test_metro2 import person_base as base

    send(client, orgs, rec({**DANIEL, "national_id": "666123451"}, "CARD-1"))
    zed = record(base(account_number="M2-ZED", ssn="666123451", surname="OHNO", first="ZED",
                      middle="", dob="09092001"))
    status = upload(client, orgs["furnisher"], "bank.m2",
                    fixed_file([zed]).replace(header(), header(activity="10312026"), 1))
    assert (status["accepted"], status["rejected"]) == (0, 1), status
    assert "held for identity review" in status["errors"][0]["message"]
    [hold] = client.get("/v1/admin/identity/holds", headers=auth(orgs["operator"])).json()["items"]
    r = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision",
                    headers=auth(orgs["operator"]), json={"action": "new_file"})
    assert r.status_code == 200 and r.json()["status"] == "new_file", r.text
    assert file_of(bureau, "M2-ZED") != file_of(bureau, "CARD-1")
    with bureau.uow() as uow:
        balance = uow.execute(select(accounts.c.account_ref, accounts.c.kind)
                              .where(accounts.c.account_ref == "M2-ZED")).one()
    assert balance.kind == "revolving"


def test_a_known_account_stays_on_its_file_when_the_identity_moves_on(client, orgs, bureau):
    """The furnisher's account is on Daniel's file; a later month comes under his new surname,
    a new address and no national id -- too little for a new record to link on, but the
    account is known: it stays on its file (no second file, nothing held)."""
    send(client, orgs, rec(DANIEL, "CARD-1"))
    moved = {"name": "Daniel Quentin Hale", "date_of_birth": DANIEL["date_of_birth"],
             "address": {"line1": "9 Oak Avenue", "city": "Chicago", "state": "IL",
                         "postal_code": "60601"}}
    out = send(client, orgs, rec(moved, "CARD-1", as_of="2026-11-30", balance=90000))
    assert out["accepted"] == 1, out
    with bureau.uow() as uow:
        files = uow.execute(select(accounts.c.subject_id)
                            .where(accounts.c.account_ref == "CARD-1")).scalars().all()
        n_files = len(uow.execute(select(subjects.c.id)).all())
    assert len(files) == 1 and n_files == 1
    # the file learned the new name and address from it: a new account under them joins too
    out = send(client, orgs, rec(moved, "CARD-2", as_of="2026-11-30"))
    assert out["accepted"] == 1 and file_of(bureau, "CARD-2") == files[0]


def test_a_known_account_under_another_persons_identity_is_theirs_too(client, orgs, bureau):
    """A joint account's other holder (Metro 2's J1/J2) shares the account number: an identity
    the rules forbid on the account's file is resolved like any record, onto its own file."""
    send(client, orgs, rec(DANIEL, "CARD-1"))
    spouse = {"national_id": "900500399", "name": "Zoe Ohno", "date_of_birth": "1986-09-09"}
    out = send(client, orgs, rec(spouse, "CARD-1", as_of="2026-11-30", ecoa="joint"))
    assert out["accepted"] == 1, out
    with bureau.uow() as uow:
        files = uow.execute(select(accounts.c.subject_id)
                            .where(accounts.c.account_ref == "CARD-1")).scalars().all()
    assert len(set(files)) == 2


WANG = {"national_id": "900600100", "name": "Xiaoming Wang", "first_name": "Xiaoming",
        "surname": "Wang", "date_of_birth": "1979-03-14",
        "address": {"line1": "88 Harbor Road", "city": "Springfield", "state": "IL",
                    "postal_code": "62702"}}


def test_a_name_written_surname_first_lands_on_its_file(client, orgs, bureau):
    """"Wang Xiaoming" sent (first name Wang, surname Xiaoming) for the file of Xiaoming Wang:
    the model's "names reversed" level, with the birth date and the national id -- or, without
    one, the address -- places it on that file, and a lender finds the file either way."""
    send(client, orgs, rec(WANG, "CARD-W"))
    swapped = {**WANG, "name": "Wang Xiaoming", "first_name": "Wang", "surname": "Xiaoming"}
    out = send(client, orgs, rec({k: v for k, v in swapped.items() if k != "address"},
                                 "LOAN-W"))
    assert (out["accepted"], out["rejected"]) == (1, []), out
    no_id = {k: v for k, v in swapped.items() if k != "national_id"}
    out = send(client, orgs, rec(no_id, "STORE-W"))
    assert (out["accepted"], out["rejected"]) == (1, []), out
    home = file_of(bureau, "CARD-W")
    assert file_of(bureau, "LOAN-W") == home and file_of(bureau, "STORE-W") == home
    with bureau.uow() as uow:
        assert len(uow.execute(select(subjects.c.id)).all()) == 1
    # the link says how: the first name matched as the surname, the swap weighed once
    r = pull(client, orgs, {k: WANG[k] for k in ("national_id", "name", "date_of_birth")})
    whys = {a["account_ref"]: a["why"] for a in r.json()["report"]["accounts"]}
    fields = {f["field"]: f["level"] for f in whys["LOAN-W"]["fields"]}
    assert fields["first"] == "names reversed" and "surname" not in fields
    assert "first name (swapped with the surname)" in whys["LOAN-W"]["text"]
    # a lender's look-up written surname first: with the national id, and with the address
    for applicant in ({"national_id": WANG["national_id"], "name": "Wang Xiaoming",
                       "date_of_birth": WANG["date_of_birth"]},
                      {"name": "Wang Xiaoming", "date_of_birth": WANG["date_of_birth"],
                       "address": WANG["address"]}):
        r = pull(client, orgs, applicant)
        assert r.status_code == 201, (applicant, r.text)
        assert sorted(a["account_ref"] for a in r.json()["report"]["accounts"]) == [
            "CARD-W", "LOAN-W", "STORE-W"]


def test_names_that_merely_share_parts_stay_apart(client, orgs, bureau):
    """"Li Wang" born in 1961 is not "Wang Li" born in 1988, at one address and without a
    national id: a file of its own, not held, not linked; each is found under their own name."""
    address = {"line1": "3 Canal Street", "city": "Springfield", "state": "IL",
               "postal_code": "62703"}
    wang_li = {"national_id": "900600200", "name": "Wang Li", "first_name": "Wang",
               "surname": "Li", "date_of_birth": "1988-07-01", "address": address}
    li_wang = {"name": "Li Wang", "first_name": "Li", "surname": "Wang",
               "date_of_birth": "1961-11-23", "address": address}
    send(client, orgs, rec(wang_li, "CARD-A"))
    out = send(client, orgs, rec(li_wang, "CARD-B"))
    assert (out["accepted"], out["rejected"]) == (1, []), out
    assert file_of(bureau, "CARD-A") != file_of(bureau, "CARD-B")
    for who, account in ((wang_li, "CARD-A"), (li_wang, "CARD-B")):
        r = pull(client, orgs, {k: v for k, v in who.items()
                                if k not in ("first_name", "surname")})
        assert r.status_code == 201, r.text
        assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == [account]


def test_names_written_the_other_way_round_meet_their_file_by_the_either_order_key(
        client, orgs, bureau):
    """"Berry Daniel" (first name Berry, surname Daniel) for Daniel Berry's file: the first
    name and surname in either order with the birth date is a blocking key (keyed hash), so a
    look-up with only the name and birth date finds the file -- scored at the model's "names
    reversed" level -- and so does a furnished record; with a wrong birth date, never."""
    send(client, orgs, rec(DANIEL, "CARD-1"))
    home = file_of(bureau, "CARD-1")
    reversed_ = {"name": "Berry Daniel", "date_of_birth": DANIEL["date_of_birth"]}
    for applicant in ({**reversed_, "national_id": DANIEL["national_id"]}, reversed_):
        r = pull(client, orgs, applicant)
        assert r.status_code == 201, (applicant, r.text)
        assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == ["CARD-1"]
    for applicant in ({**reversed_, "date_of_birth": "1984-09-12"},
                      {**reversed_, "date_of_birth": "1984-09-12",
                       "national_id": DANIEL["national_id"]}):
        r = pull(client, orgs, applicant)
        assert r.status_code == 404, (applicant, r.text)
        assert r.json()["detail"] == "no file matches this identity"
    out = send(client, orgs, rec(reversed_, "STORE-9"))
    assert (out["accepted"], out["rejected"]) == (1, []), out
    assert file_of(bureau, "STORE-9") == home
    with bureau.uow() as uow:
        link = uow.execute(select(accounts.c.link)
                           .where(accounts.c.account_ref == "STORE-9")).scalar_one()
    assert link["fields"]["first"][0] == "names reversed" and "surname" not in link["fields"]


def test_a_name_written_the_other_way_round_and_misspelt_lands_on_its_file(client, orgs,
                                                                            bureau):
    """"Bery Daniel" and "Berry Danial" (first name and surname swapped, one of them
    misspelt) for Daniel Berry's file: with the national id and birth date -- no address, no
    phone -- the model's "names reversed and similar" level places them there, weighed once;
    a lender's look-up so written finds the file with the id, or with the address."""
    send(client, orgs, rec(DANIEL, "CARD-1"))
    home = file_of(bureau, "CARD-1")
    for written, account in (("Bery Daniel", "LOAN-7"), ("Berry Danial", "LOAN-8")):
        out = send(client, orgs, rec({"national_id": DANIEL["national_id"], "name": written,
                                      "date_of_birth": DANIEL["date_of_birth"]}, account))
        assert (out["accepted"], out["rejected"]) == (1, []), out
        assert file_of(bureau, account) == home, written
    with bureau.uow() as uow:
        assert len(uow.execute(select(subjects.c.id)).all()) == 1
    r = pull(client, orgs, DANIEL)
    whys = {a["account_ref"]: a["why"] for a in r.json()["report"]["accounts"]}
    for account in ("LOAN-7", "LOAN-8"):
        fields = {f["field"]: f["level"] for f in whys[account]["fields"]}
        assert fields["first"] == "names reversed and similar" and "surname" not in fields
    assert ("first name (swapped with the surname, spelled nearly the same)"
            in whys["LOAN-7"]["text"])
    for applicant in ({"national_id": DANIEL["national_id"], "name": "Bery Daniel",
                       "date_of_birth": DANIEL["date_of_birth"]},
                      {"name": "Berry Danial", "date_of_birth": DANIEL["date_of_birth"],
                       "address": ADDRESS}):
        r = pull(client, orgs, applicant)
        assert r.status_code == 201, (applicant, r.text)
        assert sorted(a["account_ref"] for a in r.json()["report"]["accounts"]) == [
            "CARD-1", "LOAN-7", "LOAN-8"]


def test_a_reversed_misspelt_name_with_another_birth_date_is_another_person(client, orgs,
                                                                          bureau):
    """"Bery Daniel" born in 1961, without a national id, at Daniel Berry's address and
    phone: not Daniel Berry (born 1984) -- a file of its own, not linked, not held -- and a
    look-up of that identity finds that file, never his."""
    send(client, orgs, rec(DANIEL, "CARD-1"))
    other = {"name": "Bery Daniel", "date_of_birth": "1961-11-23", "address": ADDRESS,
             "phone": DANIEL["phone"]}
    out = send(client, orgs, rec(other, "CARD-2"))
    assert (out["accepted"], out["rejected"]) == (1, []), out
    assert file_of(bureau, "CARD-2") != file_of(bureau, "CARD-1")
    for who, account in ((other, "CARD-2"), (DANIEL, "CARD-1")):
        r = pull(client, orgs, who)
        assert r.status_code == 201, r.text
        assert [a["account_ref"] for a in r.json()["report"]["accounts"]] == [account]
