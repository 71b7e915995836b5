"""The consumer's protections against someone else's data, over HTTP on SQLite and PostgreSQL:
"this account is not mine" ends in an unlink that every later record respects; an identity-theft
report blocks its items (FCRA 605B) and refuses them when re-furnished; a freeze or fraud alert on
any file a look-up nearly matches applies; a disputed identity element is removed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from openbureau.adapters.tables import (
    accounts,
    audit_events,
    identity_blocks,
    identity_cannot_link,
    subjects,
)
from openbureau.services import deadlines
from tests.conftest import NOW, auth
from tests.integration.test_reports import ADA, consumer_token

CARD = {"subject": dict(ADA), "account_ref": "CARD-1", "as_of": "2026-10-31",
        "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
        "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
        "currency": "USD"}
# an account someone else opened in Ada's name: charged off
FRAUD = {**CARD, "account_ref": "FRAUD-9", "kind": "installment", "opened_on": "2025-01-15",
         "credit_limit": None, "original_amount": 900000, "balance": 880000,
         "amount_past_due": 300000, "status": "charged_off",
         "date_of_first_delinquency": "2026-03-31"}


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def send(client, orgs, *records: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    return r.json()


def later(rec: dict[str, Any], **over: Any) -> dict[str, Any]:
    """The same account's next month."""
    return {**rec, "as_of": "2026-11-30", **over}


def report(client, token: str) -> dict[str, Any]:
    r = client.get("/v1/me/report", headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()


def refs_on(rep: dict[str, Any]) -> list[str]:
    return sorted(a["account_ref"] for a in rep["accounts"])


def ref_of(rep: dict[str, Any], account_ref: str) -> str:
    return next(a["item_ref"] for a in rep["accounts"] if a["account_ref"] == account_ref)


def files_of(bureau, account_ref: str) -> list[int]:
    with bureau.uow() as uow:
        return sorted(uow.execute(select(accounts.c.subject_id)
                                  .where(accounts.c.account_ref == account_ref)).scalars())


def ada_file(bureau) -> int:
    with bureau.uow() as uow:
        return int(uow.execute(select(subjects.c.id).where(
            subjects.c.id_hmac == bureau.vault.lookup_hash(ADA["national_id"]))).scalar_one())


def events(bureau, action: str) -> list[dict[str, Any]]:
    with bureau.uow() as uow:
        rows = uow.execute(select(audit_events.c.subject_ref, audit_events.c.detail)
                           .where(audit_events.c.action == action)
                           .order_by(audit_events.c.seq)).all()
    return [{"subject_ref": r.subject_ref, **(r.detail or {})} for r in rows]


def not_mine(client, token: str, ref: str) -> dict[str, Any]:
    r = client.post("/v1/me/disputes", headers=auth(token), json={
        "item": {"kind": "account", "ref": ref}, "reason": "not_mine",
        "statement": "I never opened this loan."})
    assert r.status_code == 201, r.text
    return r.json()


def notices_for(client, orgs) -> list[dict[str, Any]]:
    r = client.get("/v1/furnisher/identity-notices", headers=auth(orgs["furnisher"]))
    assert r.status_code == 200, r.text
    return r.json()["items"]


# -- "this account is not mine" ----------------------------------------------------------------

def test_not_mine_unverified_by_the_deadline_is_unlinked_and_never_returns(
        client, orgs, bureau, clock):
    assert send(client, orgs, CARD)["accepted"] == 1
    assert send(client, orgs, FRAUD)["accepted"] == 1       # linked to Ada's file by a match
    token = consumer_token(bureau)
    sid = ada_file(bureau)
    assert files_of(bureau, "FRAUD-9") == [sid]
    fraud_ref = ref_of(report(client, token), "FRAUD-9")
    opened = not_mine(client, token, fraud_ref)
    assert when(opened["due_at"]) == NOW + timedelta(days=30)     # the profile's deadline

    # still there while the furnisher may answer, marked disputed
    clock.advance(days=29)
    deadlines.run(bureau.uow(), bureau.deps)
    assert files_of(bureau, "FRAUD-9") == [sid]
    clock.advance(days=1, seconds=1)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 1

    # unlinked: off the file, not merely hidden
    assert files_of(bureau, "FRAUD-9") == []
    token = _sign_in(bureau)         # a fresh session: a month has passed
    rep = report(client, token)
    assert refs_on(rep) == ["CARD-1"]
    # the cannot-link is kept, the account number by keyed hash only
    with bureau.uow() as uow:
        [bar] = uow.execute(select(identity_cannot_link)).all()
    assert (bar.subject_id, bar.source) == (sid, opened["dispute_id"])
    assert bar.account_ref_hmac and "FRAUD" not in bar.account_ref_hmac
    # the consumer is told, in the dispute's result
    [result] = [n for n in rep["notices"] if n["kind"] == "dispute_result"]
    assert result["body"]["result"] == "expired" and result["body"]["unlinked"] is True
    assert "will not be linked to your file again" in result["text"]
    # the furnisher is told: in its identity notices and its disputes
    [told] = notices_for(client, orgs)
    assert (told["kind"], told["account_ref"], told["source"]) == (
        "unlinked", "FRAUD-9", opened["dispute_id"])
    [listed] = client.get("/v1/furnisher/disputes?status=expired",
                          headers=auth(orgs["furnisher"])).json()["items"]
    assert (listed["dispute_id"], listed["account_ref"]) == (opened["dispute_id"], "FRAUD-9")
    # audited with how it had been linked, no identity value and no account number
    [unlinked] = events(bureau, "identity.unlinked")
    assert unlinked["dispute_id"] == opened["dispute_id"] and unlinked["months"] == 1
    # how it had been linked: the match, its weight and each field's level and weight
    assert unlinked["how"] == "match" and unlinked["weight"] >= 12
    assert unlinked["fields"]["nid"][0] == "exact"
    assert "FRAUD-9" not in str(unlinked) and ADA["name"] not in str(unlinked)
    assert ADA["national_id"] not in str(unlinked)

    # re-furnished under Ada's identity: held for review, never on her file again
    out = send(client, orgs, later(FRAUD), later(CARD))
    assert out["accepted"] == 1
    [rejected] = out["rejected"]
    assert rejected["index"] == 0
    assert "held for identity review" in rejected["errors"][0]["message"]
    assert "not theirs" in rejected["errors"][0]["message"]
    assert sid not in files_of(bureau, "FRAUD-9")
    assert refs_on(report(client, token)) == ["CARD-1"]
    # her own card is not barred
    assert files_of(bureau, "CARD-1") == [sid]
    # re-furnished under the identity of the person it belongs to: that person's (new) file
    other = {"national_id": "900700800", "name": "Zed Ohno", "date_of_birth": "2001-09-09"}
    out = send(client, orgs, later(FRAUD, subject=other, as_of="2026-12-31"))
    assert out["accepted"] == 1, out
    [elsewhere] = files_of(bureau, "FRAUD-9")
    assert elsewhere != sid


def _sign_in(bureau) -> str:
    from openbureau.services import access
    return access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], "correct horse battery")


def test_not_mine_the_furnisher_verifies_stays_and_deleted_is_unlinked(client, orgs, bureau):
    send(client, orgs, CARD, FRAUD)
    token = consumer_token(bureau)
    rep = report(client, token)
    card_ref, fraud_ref = ref_of(rep, "CARD-1"), ref_of(rep, "FRAUD-9")
    kept = not_mine(client, token, card_ref)
    gone = not_mine(client, token, fraud_ref)
    furnisher = auth(orgs["furnisher"])
    for dispute, outcome in ((kept, "verified"), (gone, "deleted")):
        r = client.post(f"/v1/furnisher/disputes/{dispute['dispute_id']}/response",
                        headers=furnisher, json={"outcome": outcome, "note": "checked"})
        assert r.status_code == 200, r.text
    assert refs_on(report(client, token)) == ["CARD-1"]
    assert files_of(bureau, "FRAUD-9") == []
    with bureau.uow() as uow:
        assert len(uow.execute(select(identity_cannot_link)).all()) == 1
    assert [n["account_ref"] for n in notices_for(client, orgs)] == ["FRAUD-9"]
    # the verified card takes its next month as before
    assert send(client, orgs, later(CARD))["accepted"] == 1


def test_an_ordinary_dispute_closing_unverified_does_not_unlink(client, orgs, bureau, clock):
    send(client, orgs, CARD, FRAUD)
    token = consumer_token(bureau)
    r = client.post("/v1/me/disputes", headers=auth(token), json={
        "item": {"kind": "account", "ref": ref_of(report(client, token), "FRAUD-9")},
        "reason": "The balance is wrong"})
    assert r.status_code == 201, r.text
    clock.advance(days=31)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 1
    assert files_of(bureau, "FRAUD-9") == [ada_file(bureau)]       # suppressed, still linked
    with bureau.uow() as uow:
        assert uow.execute(select(identity_cannot_link)).all() == []


# -- identity theft (FCRA 605B) ----------------------------------------------------------------

def test_identity_theft_blocks_within_the_deadline_and_refuses_refurnishing(client, orgs, bureau):
    bob = {"national_id": "900300400", "name": "Bob Babbage", "date_of_birth": "1970-01-01"}
    send(client, orgs, CARD, FRAUD, {**CARD, "subject": bob, "account_ref": "BOB-CARD"})
    token = consumer_token(bureau)
    before = client.get("/v1/me/score", headers=auth(token)).json()["score"]["value"]
    bob_score = client.get("/v1/me/score", headers=auth(consumer_token(
        bureau, bob["national_id"], datetime(1970, 1, 1).date()))).json()["score"]["value"]
    assert before < bob_score          # the charged-off loan costs Ada points
    fraud_ref = ref_of(report(client, token), "FRAUD-9")

    bad = client.post("/v1/me/identity-theft-reports", headers=auth(token),
                      json={"items": [fraud_ref, "acc_notonthisfile0"], "statement": "x"})
    assert bad.status_code == 404, bad.text
    with bureau.uow() as uow:
        assert uow.execute(select(identity_blocks)).all() == []

    r = client.post("/v1/me/identity-theft-reports", headers=auth(token), json={
        "items": [fraud_ref], "statement": "My wallet was stolen in March."})
    assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["status"] == "blocked" and filed["items"] == [fraud_ref]
    # NOW is a Sunday: four business days is the Thursday after
    assert when(filed["due_at"]) == NOW + timedelta(days=4)
    assert when(filed["blocked_at"]) <= when(filed["due_at"])

    # blocked: shown to Ada as blocked, gone from what members see, out of the score
    rep = report(client, token)
    assert refs_on(rep) == ["CARD-1"]
    assert [(b["item_ref"], b["status"], b["report_id"]) for b in rep["blocked_items"]] == [
        (fraud_ref, "blocked", filed["report_id"])]
    after = client.get("/v1/me/score", headers=auth(token)).json()["score"]["value"]
    assert after == bob_score          # the same file as Bob's: one current card
    member = client.post("/v1/member/inquiries", headers=auth(orgs["member"]), json={
        "subject": dict(ADA), "purpose": "credit_application"})
    assert member.status_code == 201, member.text
    assert refs_on(member.json()["report"]) == ["CARD-1"]
    assert member.json()["report"]["blocked_items"] is None

    # the furnisher is told
    [told] = notices_for(client, orgs)
    assert (told["kind"], told["account_ref"], told["source"]) == (
        "blocked", "FRAUD-9", filed["report_id"])
    # re-furnished to her file: that record refused with its own error, the rest kept
    out = send(client, orgs, later(CARD), later(FRAUD), later(CARD, account_ref="BOB-CARD",
                                                              subject=bob))
    assert out["accepted"] == 2
    [refused] = out["rejected"]
    assert refused["index"] == 1
    assert refused["errors"][0]["field"] == "account_ref"
    assert "identity theft" in refused["errors"][0]["message"]
    assert refs_on(report(client, token)) == ["CARD-1"]
    assert client.get("/v1/me/score", headers=auth(token)).json()["score"]["value"] == after
    # audited without the account number
    [blocked] = events(bureau, "identity.blocked")
    assert blocked["report_id"] == filed["report_id"] and "FRAUD-9" not in str(blocked)
    mine = client.get("/v1/me/identity-theft-reports", headers=auth(token)).json()["items"]
    assert [m["report_id"] for m in mine] == [filed["report_id"]]
    # a blocked item cannot be reported twice
    again = client.post("/v1/me/identity-theft-reports", headers=auth(token),
                        json={"items": [fraud_ref]})
    assert again.status_code == 404


# -- freezes and fraud alerts on near files ----------------------------------------------------

VARIANT = {"national_id": "900100299", "name": "Ada Lovelace", "date_of_birth": "1985-12-10"}


def test_a_freeze_on_a_near_file_blocks_an_inquiry_with_a_variant_identity(client, orgs,
                                                                           bureau):
    # Ada's file, and a fragment opened by a record under another number in her name
    send(client, orgs, CARD, {**CARD, "subject": VARIANT, "account_ref": "STORE-2"})
    sid = ada_file(bureau)
    [fragment] = files_of(bureau, "STORE-2")
    assert fragment != sid
    member = auth(orgs["member"])
    body = {"subject": VARIANT, "purpose": "credit_application"}
    r = client.post("/v1/member/inquiries", headers=member, json=body)
    assert r.status_code == 201, r.text          # unfrozen: the fragment is found
    assert refs_on(r.json()["report"]) == ["STORE-2"]

    token = consumer_token(bureau)
    assert client.put("/v1/me/freeze", headers=auth(token)).status_code == 200
    r = client.post("/v1/member/inquiries", headers=member, json=body)
    assert r.status_code == 403, r.text
    assert "frozen" in r.json()["detail"]
    # a purpose a freeze does not stop still gets the fragment's report
    r = client.post("/v1/member/inquiries", headers=member,
                    json={**body, "purpose": "account_review"})
    assert r.status_code == 201, r.text
    # someone else altogether is not touched by Ada's freeze
    bob = {"national_id": "900300400", "name": "Bob Babbage", "date_of_birth": "1970-01-01"}
    send(client, orgs, {**CARD, "subject": bob, "account_ref": "BOB-CARD"})
    r = client.post("/v1/member/inquiries", headers=member,
                    json={"subject": bob, "purpose": "credit_application"})
    assert r.status_code == 201, r.text


def test_a_fraud_alert_on_a_near_file_reaches_the_variants_report(client, orgs, bureau):
    send(client, orgs, CARD, {**CARD, "subject": VARIANT, "account_ref": "STORE-2"})
    token = consumer_token(bureau)
    r = client.post("/v1/me/fraud-alerts", headers=auth(token), json={"kind": "initial"})
    assert r.status_code == 201, r.text
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": VARIANT, "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    assert refs_on(r.json()["report"]) == ["STORE-2"]
    assert [a["kind"] for a in r.json()["report"]["fraud_alerts"]] == ["initial"]


# -- disputes of personal information ----------------------------------------------------------

def _elements(rep: dict[str, Any], kind: str) -> dict[str, str]:
    return {e["value"]: e["item_ref"] for e in rep["personal_information"] if e["kind"] == kind}


def test_a_disputed_address_is_removed_or_kept_as_the_bureau_finds(client, orgs, bureau, clock):
    home = {"line1": "12 Elm Street", "city": "Springfield", "state": "IL",
            "postal_code": "62701"}
    wrong = {"line1": "9 Dock Road", "city": "Shelbyville", "state": "IL",
             "postal_code": "62565"}
    other = {"line1": "3 Oak Lane", "city": "Capital City", "state": "IL",
             "postal_code": "62702"}
    send(client, orgs, {**CARD, "subject": {**ADA, "address": home}},
         {**FRAUD, "subject": {**ADA, "address": wrong}},
         {**CARD, "account_ref": "CARD-2", "subject": {**ADA, "address": other}})
    token = consumer_token(bureau)
    addresses = _elements(report(client, token), "address")
    assert len(addresses) == 3
    [wrong_ref] = [ref for text, ref in addresses.items() if "Dock Road" in text]
    [other_ref] = [ref for text, ref in addresses.items() if "Oak Lane" in text]
    [home_ref] = [ref for text, ref in addresses.items() if "Elm Street" in text]

    def dispute(ref: str) -> str:
        r = client.post("/v1/me/disputes", headers=auth(token), json={
            "item": {"kind": "identity", "ref": ref}, "reason": "I never lived there"})
        assert r.status_code == 201, r.text
        return str(r.json()["dispute_id"])

    operator = auth(orgs["operator"])
    removed, verified, silent = dispute(wrong_ref), dispute(home_ref), dispute(other_ref)
    for dispute_id, outcome in ((removed, "deleted"), (verified, "verified")):
        r = client.post(f"/v1/admin/disputes/{dispute_id}/response", headers=operator,
                        json={"outcome": outcome})
        assert r.status_code == 200, r.text
    r = client.post(f"/v1/admin/disputes/{silent}/response", headers=operator,
                    json={"outcome": "corrected"})
    assert r.status_code == 422, r.text
    clock.advance(days=31)
    assert deadlines.run(bureau.uow(), bureau.deps).disputes_expired == 1
    left = _elements(report(client, _sign_in(bureau)), "address")
    assert list(left.values()) == [home_ref]
    assert {e["item_ref"] for e in events(bureau, "identity.element_removed")} == {
        wrong_ref, other_ref}
    assert "Dock Road" not in str(events(bureau, "identity.element_removed"))


# -- Metro 2 files (on PostgreSQL, clean records take the column-wise path) ---------------------

def test_a_metro2_file_respects_unlinks_and_blocks(client, orgs, bureau):
    from datetime import date

    from tests.integration.test_furnishing_files import upload
    from tests.unit.test_metro2 import fixed_file, record
    from tests.unit.test_metro2 import person_base as base

    data = fixed_file([record(base(account_number=f"ACC-{n}", ssn="111223333"))
                       for n in (1, 2, 3)])
    first = upload(client, orgs["furnisher"], "bank.m2", data)
    assert (first["accepted"], first["rejected"]) == (3, 0), first
    token = consumer_token(bureau, "111223333", date(1980, 2, 28))
    rep = report(client, token)
    assert refs_on(rep) == ["ACC-1", "ACC-2", "ACC-3"]
    gone = not_mine(client, token, ref_of(rep, "ACC-1"))
    r = client.post(f"/v1/furnisher/disputes/{gone['dispute_id']}/response",
                    headers=auth(orgs["furnisher"]), json={"outcome": "deleted"})
    assert r.status_code == 200, r.text
    r = client.post("/v1/me/identity-theft-reports", headers=auth(token),
                    json={"items": [ref_of(rep, "ACC-2")]})
    assert r.status_code == 201, r.text
    assert refs_on(report(client, token)) == ["ACC-3"]

    again = upload(client, orgs["furnisher"], "bank-again.m2", data)
    assert (again["accepted"], again["rejected"]) == (1, 2), again
    by_line = {e["line"]: e["message"] for e in again["errors"]}
    assert "held for identity review" in by_line[2]          # ACC-1: barred from the file
    assert "identity theft" in by_line[3]                    # ACC-2: blocked there
    assert refs_on(report(client, token)) == ["ACC-3"]
    assert files_of(bureau, "ACC-1") == []


def test_an_operator_cannot_link_a_held_record_to_the_file_it_was_unlinked_from(
        client, orgs, bureau):
    send(client, orgs, CARD, FRAUD)
    token = consumer_token(bureau)
    gone = not_mine(client, token, ref_of(report(client, token), "FRAUD-9"))
    r = client.post(f"/v1/furnisher/disputes/{gone['dispute_id']}/response",
                    headers=auth(orgs["furnisher"]), json={"outcome": "deleted"})
    assert r.status_code == 200, r.text
    assert send(client, orgs, later(FRAUD))["accepted"] == 0          # held
    operator = auth(orgs["operator"])
    [hold] = client.get("/v1/admin/identity/holds", headers=operator).json()["items"]
    assert hold["reason"].startswith("matches a file this account may not join")
    file_ref = report(client, token)["subject_ref"]
    r = client.post(f"/v1/admin/identity/holds/{hold['hold_ref']}/decision", headers=operator,
                    json={"action": "link", "file_ref": file_ref})
    assert r.status_code == 409, r.text
    assert files_of(bureau, "FRAUD-9") == []
    [still] = client.get("/v1/admin/identity/holds", headers=operator).json()["items"]
    assert still["hold_ref"] == hold["hold_ref"]
