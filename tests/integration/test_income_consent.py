"""Income furnished for real: a record's ``monthly_income`` is stored only under a consent this
furnisher recorded for that file, covering income, in force when furnished. Otherwise the
account is stored without the income and the furnisher told, on that line, why. The JSON batch
and uploads, through the one store on both databases, all apply the one rule
(services/income_consents.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from openbureau.adapters.csv_io import write_csv
from openbureau.adapters.tables import account_months, accounts, audit_events, consents
from openbureau.domain import consents as rules
from openbureau.domain.records import parse_account_record
from openbureau.domain.roles import SYSTEM, Principal, Role
from openbureau.services import access, bulk_store, furnishing
from tests.conftest import NOW, auth
from tests.integration.test_consents import GRACE, consent_for
from tests.integration.test_reports import (
    ADA,
    consumer_token,
    furnish,
    income_consent,
    record,
    subject_id,
)
from tests.integration.test_web_pages import HTML, sign_in_org

INCOME = 400_000


def batch(client, key: str, *records: dict) -> dict:
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(key),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    return r.json()


def months(bureau) -> dict:
    """(account_ref, as_of) -> (balance, monthly_income, consent_ref), as stored."""
    with bureau.uow() as uow:
        return {(r.account_ref, r.as_of.isoformat()): (r.balance, r.monthly_income, r.consent_ref)
                for r in uow.execute(
                    select(accounts.c.account_ref, account_months.c.as_of,
                           account_months.c.balance, account_months.c.monthly_income,
                           account_months.c.consent_ref)
                    .join(accounts, accounts.c.id == account_months.c.account_id))}


def consent_events(bureau) -> list[tuple[str, dict]]:
    with bureau.uow() as uow:
        return [(r.action, r.detail) for r in uow.execute(
            select(audit_events.c.action, audit_events.c.detail)
            .where(audit_events.c.action.in_(["consent.used", "consent.refused"]))
            .order_by(audit_events.c.seq))]


@pytest.fixture
def ada(client, orgs) -> None:
    """Ada's file exists (a consent is recorded for a file the bureau holds)."""
    furnish(client, orgs, record())


def with_income(ref: str | None, **over) -> dict:
    return record(**{"account_ref": "LOAN-1", "kind": "installment", "credit_limit": None,
                     "original_amount": 1_000_000, "balance": 600_000,
                     "monthly_income": INCOME, "consent_ref": ref, **over})


# -- kept under the furnisher's consent --------------------------------------------------------

def test_income_under_the_furnishers_consent_is_stored_and_scored(client, orgs, bureau, ada):
    ref = income_consent(client, orgs)
    body = batch(client, orgs["furnisher"], with_income(ref))
    assert (body["accepted"], body["rejected"], body["warnings"]) == (1, [], [])
    assert months(bureau)[("LOAN-1", "2026-10-31")] == (600_000, INCOME, ref)
    score = client.get("/v1/me/score", headers=auth(consumer_token(bureau))).json()["score"]
    assert score["attributes"]["monthly_income"] == INCOME / 100
    [(action, detail)] = consent_events(bureau)
    assert action == "consent.used"
    assert (detail["scope"], detail["records"], detail["consent_refs"]) == ("income", 1, [ref])
    batch(client, orgs["furnisher"], with_income(ref))      # the same again: nothing used
    assert len(consent_events(bureau)) == 1


def test_a_furnisher_records_income_consents_only(client, orgs, bureau, ada):
    r = client.post("/v1/furnisher/consents", headers=auth(orgs["furnisher"]), json={
        "subject": ADA, "purpose": "credit_application", "scope": ["income"],
        "obtained_at": (NOW - timedelta(days=1)).isoformat(),
        "expires_at": (NOW + timedelta(days=30)).isoformat(),
        "evidence_kind": "signed_form", "evidence_sha256": "ab" * 32})
    assert r.status_code == 201, r.text
    assert (r.json()["source"], r.json()["scope"], r.json()["member"]) == (
        "furnisher", ["income"], "Test furnisher")
    for scope in (["report"], ["income", "report"]):
        r = client.post("/v1/furnisher/consents", headers=auth(orgs["furnisher"]), json={
            "subject": ADA, "purpose": "credit_application", "scope": scope,
            "obtained_at": NOW.isoformat(), "expires_at": (NOW + timedelta(days=30)).isoformat(),
            "evidence_kind": "signed_form", "evidence_sha256": "ab" * 32})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scope", r.text
    assert "covers income only" in r.text or "at most 1" in r.text
    mine = client.get("/v1/me/consents", headers=auth(consumer_token(bureau))).json()["items"]
    assert [c["source"] for c in mine] == ["furnisher"]      # the consumer sees it, can revoke


# -- dropped, the account kept, the line told why ----------------------------------------------

def _another_subjects(client, orgs, bureau, clock) -> str:
    furnish(client, orgs, record(subject=GRACE, account_ref="G-1"))
    return income_consent(client, orgs, GRACE)


def _expired(client, orgs, bureau, clock) -> str:
    ref = income_consent(client, orgs, expires_at=(NOW + timedelta(days=10)).isoformat())
    clock.advance(days=11)
    return ref


def _revoked(client, orgs, bureau, clock) -> str:
    ref = income_consent(client, orgs)
    token = consumer_token(bureau)
    assert client.delete(f"/v1/me/consents/{ref}", headers=auth(token)).status_code == 200
    return ref


def _not_yet(client, orgs, bureau, clock) -> str:
    ref = income_consent(client, orgs, obtained_at=(NOW - timedelta(hours=1)).isoformat())
    clock.advance(hours=-2)      # the record is furnished before the consent was obtained
    return ref


def _report_only(client, orgs, bureau, clock) -> str:
    """A consent of this furnisher that does not cover income (the API no longer records one;
    a row written otherwise, or before this rule)."""
    ref = "cns_" + "7" * 32
    sid, org = subject_id(bureau), _org_id(bureau, "Test furnisher")
    with bureau.uow() as uow:
        uow.execute(insert(consents).values(
            subject_id=sid, organisation_id=org,
            purpose="credit_application", reference=ref, granted_at=NOW - timedelta(days=1),
            expires_at=NOW + timedelta(days=30), scope="report", source="furnisher",
            evidence_kind="signed_form", evidence_sha256="ab" * 32, recorded_at=NOW))
        uow.commit()
    return ref


def _a_members(client, orgs, bureau, clock) -> str:
    """The member's consent (a member's covers pulling the file only: recording one with
    income is refused): the member is another organisation."""
    return consent_for(client, orgs, purpose="credit_application", scope=["report"])


def _another_furnishers(client, orgs, bureau, clock) -> str:
    key = access.create_organisation(bureau.uow(), bureau.deps,
                                     SYSTEM, "Other furnisher", "furnisher").key
    return income_consent(client, orgs, key=key)


def _org_id(bureau, name: str) -> int:
    from openbureau.adapters.tables import organisations

    with bureau.uow() as uow:
        return int(uow.execute(select(organisations.c.id)
                               .where(organisations.c.name == name)).scalar_one())


CASES = {
    "made-up ref": (lambda *a: "signed-form-2026-10-30", rules.NO_SUCH_CONSENT),
    "another subject's": (_another_subjects, rules.OTHER_SUBJECT),
    "expired": (_expired, rules.EXPIRED),
    "revoked": (_revoked, rules.REVOKED),
    "not yet in force": (_not_yet, rules.NOT_YET),
    "report only": (_report_only, rules.OTHER_SCOPE),
    "a member's": (_a_members, rules.OTHER_ORGANISATION),
    "another furnisher's": (_another_furnishers, rules.OTHER_ORGANISATION),
}


@pytest.mark.parametrize("case", list(CASES))
def test_income_without_a_consent_in_force_is_dropped_and_the_account_kept(
        client, orgs, bureau, clock, ada, case):
    make, reason = CASES[case]
    ref = make(client, orgs, bureau, clock)
    body = batch(client, orgs["furnisher"], record(balance=1), with_income(ref))
    assert (body["accepted"], body["rejected"]) == (2, [])
    [w] = body["warnings"]
    assert (w["index"], w["field"]) == (1, "monthly_income")
    assert w["message"].startswith(reason + ": the monthly income was not stored"), w
    assert "the rest of the record was" in w["message"]
    stored = months(bureau)
    assert stored[("LOAN-1", "2026-10-31")] == (600_000, None, None)   # the account, not income
    assert stored[("CARD-1", "2026-10-31")][0] == 1
    [(action, detail)] = consent_events(bureau)
    assert (action, detail["records"], detail["reasons"]) == ("consent.refused", 1, {reason: 1})
    named = [] if reason == rules.NO_SUCH_CONSENT else [ref]
    assert detail["consent_refs"] == named       # a made-up ref is not logged


def test_a_consent_later_in_force_lets_the_resent_income_in(client, orgs, bureau, ada):
    body = batch(client, orgs["furnisher"], with_income("not-yet-recorded"))
    assert body["warnings"][0]["message"].startswith(rules.NO_SUCH_CONSENT)
    ref = income_consent(client, orgs)
    assert batch(client, orgs["furnisher"], with_income(ref))["warnings"] == []
    assert months(bureau)[("LOAN-1", "2026-10-31")] == (600_000, INCOME, ref)


# -- uploads -----------------------------------------------------------------------------------

def test_a_csv_upload_names_the_line_whose_income_was_dropped(client, orgs, bureau, ada):
    good = income_consent(client, orgs)
    out = io.BytesIO()
    write_csv([parse_account_record(with_income(good)),
               parse_account_record(with_income("made-up", account_ref="LOAN-2"))], out)
    key = orgs["furnisher"]
    r = client.post("/v1/furnisher/files", headers=auth(key),
                    files={"file": ("income.csv", out.getvalue())})
    assert r.status_code == 202, r.text
    status = client.get(f"/v1/furnisher/files/{r.json()['file_id']}", headers=auth(key)).json()
    assert (status["accepted"], status["rejected"], status["errors"]) == (2, 0, [])
    assert (status["warnings_total"], status["warnings_truncated"]) == (1, False)
    [w] = status["warnings"]
    assert (w["line"], w["field"]) == (3, "monthly_income")    # the header is line 1
    assert w["message"].startswith(rules.NO_SUCH_CONSENT + ":")
    stored = months(bureau)
    assert stored[("LOAN-1", "2026-10-31")][1:] == (INCOME, good)
    assert stored[("LOAN-2", "2026-10-31")][1:] == (None, None)
    sign_in_org(client, key)
    page = client.get("/furnisher/files", headers=HTML).text
    assert "Income not stored" in page and "<td>1</td><td><a href" in page


# -- the two stores agree ----------------------------------------------------------------------

def test_furnishing_and_the_store_agree(bureau, client, orgs, clock, ada):
    """The same records through ``furnishing.furnish`` (records read one by one) and straight
    into ``bulk_store.store``, for two furnishers each holding a consent for Ada: the same
    incomes kept, the same warnings, the same consent events."""
    furnish(client, orgs, record(subject=GRACE, account_ref="G-1"))
    who = {}
    refs = {}
    for name in ("Record Bank", "Bulk Bank"):
        org = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, name, "furnisher")
        who[name] = Principal(Role.FURNISHER, org.id, name)
        refs[name] = (income_consent(client, orgs, key=org.key),
                      income_consent(client, orgs, GRACE, key=org.key),
                      income_consent(client, orgs, key=org.key,
                                     expires_at=(NOW + timedelta(days=3)).isoformat()))
    clock.advance(days=4)

    def records(own: tuple[str, str, str], other: tuple[str, str, str]) -> list:
        ada_ref, grace_ref, expiring = own
        return [r for r in (
            with_income(ada_ref),                                   # kept
            with_income(grace_ref, account_ref="L2"),               # another subject's
            with_income(other[0], account_ref="L3"),                # another furnisher's
            with_income(expiring, account_ref="L4"),                # expired
            with_income("made-up", account_ref="L5"),               # none
            with_income(ada_ref, account_ref="L6", as_of="2026-09-30"),   # kept
            record(account_ref="L7"))]

    a, b = refs["Record Bank"], refs["Bulk Bank"]
    by_record = furnishing.furnish(bureau.uow(), bureau.deps, who["Record Bank"],
                                   furnishing.candidates_from_json(records(a, b)))
    rows = bulk_store.Rows()
    for i, rec in enumerate(map(parse_account_record, records(b, a))):
        rows.add_record(i, rec, i * 16, bureau.vault.lookup_hash(rec.subject.national_id))
    stored, _, refused, warned = bulk_store.store(bureau.uow(), bureau.deps, who["Bulk Bank"],
                                                  rows, None, None)
    assert (by_record.accepted, by_record.rejected) == (stored, []) == (7, [])
    assert [(w.position, w.errors) for w in by_record.warned] == warned
    assert [w[0] for w in warned] == [1, 2, 3, 4]
    assert [e[1][0].message.split(":")[0] for e in warned] == [
        rules.OTHER_SUBJECT, rules.OTHER_ORGANISATION, rules.EXPIRED, rules.NO_SUCH_CONSENT]

    def kept(furnisher: Principal, own: tuple[str, str, str]) -> dict:
        with bureau.uow() as uow:
            rows = uow.execute(
                select(accounts.c.account_ref, account_months.c.as_of,
                       account_months.c.monthly_income, account_months.c.consent_ref)
                .join(accounts, accounts.c.id == account_months.c.account_id)
                .where(accounts.c.furnisher_id == furnisher.id)).all()
        names = {own[0]: "ada", own[1]: "grace", own[2]: "expiring"}
        return {(r.account_ref, r.as_of): (r.monthly_income, names.get(r.consent_ref))
                for r in rows}

    assert kept(who["Record Bank"], a) == kept(who["Bulk Bank"], b)
    by_actor: dict[str, list] = {}
    with bureau.uow() as uow:
        for r in uow.execute(select(audit_events.c.actor, audit_events.c.action,
                                    audit_events.c.detail)
                             .where(audit_events.c.action.in_(["consent.used",
                                                               "consent.refused"]))
                             .order_by(audit_events.c.seq)):
            by_actor.setdefault(r.actor.split(":")[-1], []).append(
                (r.action, r.detail["records"], r.detail.get("reasons")))
    assert by_actor["Record Bank"] == by_actor["Bulk Bank"] == [
        ("consent.used", 2, None),
        ("consent.refused", 4, {rules.EXPIRED: 1, rules.NO_SUCH_CONSENT: 1,
                                rules.OTHER_ORGANISATION: 1, rules.OTHER_SUBJECT: 1})]
