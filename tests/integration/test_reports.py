"""The consumer's report: accounts with the 24-month grid, public records, inquiries, PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from openbureau.adapters.tables import (
    audit_events,
    disputes,
    freezes,
    inquiries,
    notices,
    organisations,
    public_records,
    restrictions,
    subjects,
)
from openbureau.domain import wording
from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import NOW, auth

ADA = {"national_id": "900100200", "name": "Ada Lovelace", "date_of_birth": "1985-12-10"}


def record(**over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "subject": dict(ADA), "account_ref": "CARD-1", "as_of": "2026-10-31",
        "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
        "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
        "currency": "USD"}
    rec.update(over)
    return rec


def furnish(client, orgs, *records: dict[str, object]) -> None:
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    assert r.json()["rejected"] == [], r.text


def income_consent(client, orgs, subject=None, key=None, **over: object) -> str:
    """A consent to report the subject's income, recorded by the furnisher (``orgs["furnisher"]``
    unless ``key``); its consent_ref. The subject's file must exist (furnish a record first)."""
    body = {"subject": dict(subject or ADA), "purpose": "credit_application",
            "obtained_at": (NOW - timedelta(days=2)).isoformat(),
            "expires_at": (NOW + timedelta(days=365)).isoformat(),
            "evidence_kind": "signed_form", "evidence_sha256": "5f" * 32, **over}
    r = client.post("/v1/furnisher/consents", headers=auth(key or orgs["furnisher"]), json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["consent_ref"])


def consumer_token(bureau, national_id: str | None = None,
                   dob: date = date(1985, 12, 10)) -> str:
    national_id = national_id or ADA["national_id"]
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, national_id)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, national_id, dob, code, "correct horse battery")
    return access.sign_in(bureau.uow(), bureau.deps, national_id, "correct horse battery")


def subject_id(bureau, national_id: str | None = None) -> int:
    national_id = national_id or ADA["national_id"]
    with bureau.uow() as uow:
        return int(uow.execute(select(subjects.c.id).where(
            subjects.c.id_hmac == bureau.vault.lookup_hash(national_id))).scalar_one())


def org_id(bureau, name: str) -> int:
    with bureau.uow() as uow:
        return int(uow.execute(select(organisations.c.id)
                               .where(organisations.c.name == name)).scalar_one())


def add_rows(bureau, table, *rows: dict[str, object]) -> None:
    with bureau.uow() as uow:
        for row in rows:
            uow.execute(insert(table).values(**row))
        uow.commit()


def file_with_history(client, orgs) -> None:
    """CARD-1: a month record for 2026-10 carrying a Metro 2 profile, an older month record for
    2026-08 (which wins over the profile), and a deleted CARD-2."""
    furnish(client, orgs,
            record(as_of="2026-08-31", status="dpd60", amount_past_due=5000,
                   date_of_first_delinquency="2026-06-30"),
            record(payment_history="0012EDGB"),
            record(account_ref="CARD-2", balance=1000))
    furnish(client, orgs, record(account_ref="CARD-2", as_of="2026-11-30", balance=1000,
                                 delete_code="DA"))


# The last 9 of 24 cells, 2026-02 .. 2026-10, for file_with_history.
EXPECTED_TAIL = [("2026-02", "-"), ("2026-03", "G"), ("2026-04", "-"), ("2026-05", "E"),
                 ("2026-06", "2"), ("2026-07", "1"), ("2026-08", "2"), ("2026-09", "0"),
                 ("2026-10", "0")]


def test_consumer_report_has_the_grid_and_full_identity(client, orgs, bureau):
    file_with_history(client, orgs)
    token = consumer_token(bureau)
    r = client.get("/v1/me/report", headers=auth(token))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["identity"]["national_id"] == "900100200"
    assert rep["identity"]["national_id_masked"] == "*****0200"
    assert rep["score"]["model_version"] and rep["frozen"] is False
    assert rep["bureau"]["contact"] == bureau.settings.bureau_contact
    assert [a["account_ref"] for a in rep["accounts"]] == ["CARD-1"]   # CARD-2 was deleted
    acc = rep["accounts"][0]
    assert acc["furnisher"] == "Test furnisher"
    assert acc["item_ref"].startswith("acc_")
    assert (acc["status"], acc["balance"], acc["credit_limit"]) == ("current", 120000, 500000)
    assert acc["disputed"] is False
    grid = acc["payment_history"]
    assert len(grid) == 24
    assert grid[0]["month"] == "2024-11"
    assert [(c["month"], c["code"]) for c in grid[-9:]] == EXPECTED_TAIL
    assert all(c["code"] == "-" and c["status"] == "no_data" for c in grid[:15])
    assert grid[-3]["source"] == "reported" and grid[-3]["status"] == "dpd60"
    assert grid[-4]["source"] == "payment_history" and grid[-4]["label"] == "30 days past due"
    assert grid[-8]["status"] == "collection"
    assert rep["notices"] == []
    with bureau.uow() as uow:
        ev = uow.execute(select(audit_events).where(audit_events.c.action == "report.read")
                         ).one()
    assert (ev.subject_ref, ev.purpose) == (rep["subject_ref"], "consumer_request")
    assert ev.actor == f"consumer:{rep['subject_ref']}"


def test_disputed_by_compliance_code_or_open_dispute(client, orgs, bureau):
    furnish(client, orgs, record(compliance_code="XB"),
            record(account_ref="LOAN-1", kind="installment", credit_limit=None,
                   opened_on="2020-01-01"),
            record(account_ref="LOAN-2", kind="installment", credit_limit=None,
                   opened_on="2018-01-01"))
    token = consumer_token(bureau)
    refs = {a["account_ref"]: a["item_ref"] for a in
            client.get("/v1/me/report", headers=auth(token)).json()["accounts"]}
    sid = subject_id(bureau)
    base = {"subject_id": sid, "item_kind": "account", "reason": "not mine",
            "opened_at": NOW, "due_at": NOW + timedelta(days=30)}
    add_rows(bureau, disputes,
             {**base, "item_ref": refs["LOAN-1"], "status": "open", "ref": "dsp_1"},
             {**base, "item_ref": refs["LOAN-2"], "status": "verified", "ref": "dsp_2"})
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    flags = {a["account_ref"]: a["disputed"] for a in rep["accounts"]}
    assert flags == {"CARD-1": True, "LOAN-1": True, "LOAN-2": False}
    assert [a["account_ref"] for a in rep["accounts"]] == ["LOAN-1", "CARD-1", "LOAN-2"]
    assert {d["status"] for d in rep["disputes"]} == {"open", "verified"}
    assert rep["disputes"][0]["reason"] == "not mine"     # the consumer sees their reasons


def test_public_records_inquiry_window_notices_and_freeze(client, orgs, bureau):
    furnish(client, orgs, record())
    token = consumer_token(bureau)
    orgs["court"], orgs["member"]   # created on first use
    sid, court, member = subject_id(bureau), org_id(bureau, "Test court"), org_id(bureau,
                                                                                   "Test member")
    listing = {"subject_id": sid, "court_id": court, "kind": "judgment", "amount": 250000,
               "currency": "USD", "judgment_date": date(2026, 3, 1),
               "ground": "refuses_to_perform", "listed_at": NOW - timedelta(days=200)}
    add_rows(bureau, public_records,
             {**listing, "case_number": "C-1", "status": "active", "item_ref": "pr_active"},
             {**listing, "case_number": "C-2", "status": "satisfied", "item_ref": "pr_done"})
    with bureau.uow() as uow:
        pr_id = uow.execute(select(public_records.c.id)
                            .where(public_records.c.item_ref == "pr_active")).scalar_one()
    order = {"public_record_id": pr_id, "ordered_on": date(2026, 3, 1)}
    add_rows(bureau, restrictions, {**order, "category": "air_travel"},
             {**order, "category": "star_hotels", "lifted_at": NOW},
             {**order, "category": "luxury_rental", "until": date(2026, 6, 30)})
    inq = {"subject_id": sid, "organisation_id": member, "kind": "inquiry"}
    add_rows(bureau, inquiries,
             {**inq, "purpose": "credit_application", "created_at": NOW - timedelta(days=10),
              "item_ref": "inq_recent"},
             {**inq, "purpose": "credit_application", "created_at": NOW - timedelta(days=400),
              "item_ref": "inq_old"},
             {**inq, "purpose": "employment", "consent_ref": "w-1",
              "created_at": NOW - timedelta(days=401), "item_ref": "inq_job"},
             {**inq, "kind": "restriction_check", "purpose": "restriction_check",
              "category": "air_travel", "created_at": NOW - timedelta(days=1),
              "item_ref": "inq_check"})
    add_rows(bureau, notices, {"subject_id": sid, "kind": "listing", "title": "You were listed",
                               "body": {"case_number": "C-1"}, "created_at": NOW})
    add_rows(bureau, freezes, {"subject_id": sid, "placed_at": NOW})

    rep = client.get("/v1/me/report", headers=auth(token)).json()
    assert [p["item_ref"] for p in rep["public_records"]] == ["pr_active"]
    assert rep["public_records"][0]["court"] == "Test court"
    assert [o["category"] for o in rep["public_records"][0]["restrictions"]] == ["air_travel"]
    # us-fcra: one year for inquiries, two for employment
    assert [i["item_ref"] for i in rep["inquiries"]] == ["inq_check", "inq_recent", "inq_job"]
    assert rep["inquiries"][1]["who"] == "Test member"
    assert rep["frozen"] is True
    assert [n["title"] for n in rep["notices"]] == ["You were listed"]

    accesses = client.get("/v1/me/accesses", headers=auth(token)).json()["items"]
    assert [a["item_ref"] for a in accesses] == ["inq_check", "inq_recent", "inq_old", "inq_job"]
    assert accesses[0]["kind"] == "restriction_check"
    notes = client.get("/v1/me/notices", headers=auth(token)).json()["items"]
    assert notes[0]["body"] == {"case_number": "C-1"}
    with bureau.uow() as uow:
        actions = uow.execute(select(audit_events.c.action)
                              .where(audit_events.c.subject_ref == rep["subject_ref"])
                              ).scalars().all()
    assert {"report.read", "accesses.read", "notices.read"} <= set(actions)


def test_me_endpoints_are_for_consumers_only(client, orgs):
    for path in ("/v1/me/report", "/v1/me/accesses", "/v1/me/notices"):
        assert client.get(path).status_code == 401
        for role in ("member", "furnisher", "operator"):
            r = client.get(path, headers=auth(orgs[role]))
            assert r.status_code == 403, (path, role)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pypdf = pytest.importorskip("pypdf", reason="neither pdftotext nor pypdf is installed")
        import io

        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_report_as_pdf(client, orgs, bureau, tmp_path):
    file_with_history(client, orgs)
    token = consumer_token(bureau)
    acc = client.get("/v1/me/report", headers=auth(token)).json()["accounts"][0]
    ref, codes = acc["item_ref"], [c["code"] for c in acc["payment_history"]]
    r = client.get("/v1/me/report?format=pdf", headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = _pdf_text(r.content, tmp_path)
    flat = " ".join(text.split())
    # the account by its name, as the page shows it; never its reference or its whole number
    assert " ".join(acc["name"].split()) in flat and ref not in flat
    assert "900100200" in flat
    assert " ".join(bureau.settings.bureau_contact.split()) in flat
    assert "CARD-2" not in flat
    # each grid cell carries its code in text, not colour alone: the 24 codes form one line,
    # written as the page writes them ("OK", "60", "COL"; "Mar 26")
    assert codes[-9:] == [code for _, code in EXPECTED_TAIL]
    shown = [wording.grid_short(c) for c in codes]
    assert shown[-9:] == ["–", "COL", "–", "OK", "60", "30", "60", "OK", "OK"]
    assert shown in [line.split() for line in text.splitlines()]
    assert "Mar 26" in flat and "Collection" in flat      # month labels and the legend
    with bureau.uow() as uow:
        detail = uow.execute(select(audit_events.c.detail)
                             .where(audit_events.c.action == "report.read")
                             .order_by(audit_events.c.seq.desc())).scalars().first()
    assert detail["format"] == "pdf"


def test_pdf_format_is_validated(client, orgs, bureau):
    furnish(client, orgs, record())
    r = client.get("/v1/me/report?format=docx", headers=auth(consumer_token(bureau)))
    assert r.status_code == 422
