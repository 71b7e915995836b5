"""Notices read as letters on the page, in the PDF and in the JSON; the PDF carries what the page
does (score on its scale, key factors, disputes naming the account), tagged, with a Chinese name
set in an embedded CJK font."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth, require_or_skip
from tests.integration.test_reports import _pdf_text, furnish, record

WANG = {"national_id": "110101199003074578", "name": "王小明", "date_of_birth": "1990-03-07"}
PASSWORD = "a long enough password"


def _fonts_or_skip() -> None:
    """The CJK and Arabic fonts (`make fonts`; CI installs them and sets REQUIRE_FONTS=1)."""
    have = subprocess.run(["fc-list"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if "Noto Sans CJK SC" not in have or "Noto Naskh Arabic" not in have:
        require_or_skip("REQUIRE_FONTS", "the PDF's CJK and Arabic fonts are not installed "
                        "(make fonts)")
    if shutil.which("pdffonts") is None:
        require_or_skip("REQUIRE_FONTS", "pdffonts (poppler-utils) is not installed")


REPR = re.compile(r"\bNone\b|\{'|\['|\d{4}-\d\d-\d\dT\d\d")


@pytest.fixture
def wang(client, orgs, bureau) -> str:
    furnish(client, orgs,
            record(subject=dict(WANG), account_ref="4111000011112222", balance=480000,
                   credit_limit=500000),
            record(subject=dict(WANG), account_ref="LOAN-0042", kind="installment",
                   credit_limit=None, original_amount=900000, balance=400000, status="dpd30",
                   amount_past_due=15000, date_of_first_delinquency="2026-09-30"))
    code = access.invite_consumer(bureau.uow(), bureau.deps,
                                  SYSTEM, WANG["national_id"])["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, WANG["national_id"], date(1990, 3, 7), code, PASSWORD)
    return access.sign_in(bureau.uow(), bureau.deps, WANG["national_id"], PASSWORD)


def _declined(client, orgs) -> dict:
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": dict(WANG), "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    assert r.json()["score"]["reasons"], "the test needs a score with key factors"
    d = client.post("/v1/member/decisions", headers=auth(orgs["member"]),
                    json={"inquiry_id": r.json()["inquiry_id"], "decision": "declined"})
    assert d.status_code == 201, d.text
    return d.json()["notice"]


def _listed(client, orgs) -> None:
    r = client.post("/v1/court/judgments", headers=auth(orgs["court"]), json={
        "case_number": "(2026) Civ 9", "debtor": dict(WANG), "amount": 250000,
        "currency": "CNY", "judgment_date": "2026-10-01", "ground": "refuses_to_perform",
        "legal_basis": "Civil Procedure Law art. 262",
        "restrictions": [{"category": "air_travel"}]})
    assert r.status_code == 201, r.text


def _disputed_and_deleted(client, orgs, token) -> str:
    rep = client.get("/v1/me/report", headers=auth(token)).json()
    loan = next(a for a in rep["accounts"] if a["account_ref"] == "LOAN-0042")
    r = client.post("/v1/me/disputes", headers=auth(token),
                    json={"item": {"kind": "account", "ref": loan["item_ref"]},
                          "reason": "I paid on time"})
    assert r.status_code == 201, r.text
    a = client.post(f"/v1/furnisher/disputes/{r.json()['dispute_id']}/response",
                    headers=auth(orgs["furnisher"]),
                    json={"outcome": "deleted", "note": "reported in error"})
    assert a.status_code == 200, a.text
    return str(loan["name"])


def test_notices_read_as_letters_everywhere(client, orgs, bureau, wang, tmp_path):
    notice = _declined(client, orgs)
    _listed(client, orgs)
    loan = _disputed_and_deleted(client, orgs, wang)
    assert loan == "Test furnisher loan ending 0042"

    items = client.get("/v1/me/notices", headers=auth(wang)).json()["items"]
    by_kind = {n["kind"]: n for n in items}
    assert {"adverse_action", "listing", "dispute_result"} <= set(by_kind)
    for n in items:                        # structured fields kept, and a letter with no reprs
        assert isinstance(n["body"], dict) and n["text"].startswith(n["title"])
        assert not REPR.search(n["text"]), n["text"]
    adverse = by_kind["adverse_action"]["text"]
    assert adverse == notice["text"]
    assert "Test member declined your application (credit application)." in adverse
    assert "on a scale from 350 to 950" in adverse
    factor = notice["body"]["key_factors"][0]
    assert f"- {factor['text']} (costs {factor['points_lost']} points)" in adverse
    listing = by_kind["listing"]["text"]
    assert "is for 2,500.00 CNY" in listing and "until you perform the judgment" in listing
    assert "- air travel, from" in listing
    result = by_kind["dispute_result"]["text"]
    assert f"Your dispute about {loan} was closed on" in result and "deleted" in result

    # the page: the same letters, laid out
    from tests.integration.test_web_pages import HTML, csrf_of
    page = client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML, data={
        "national_id": WANG["national_id"], "password": PASSWORD,
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    html = r.text
    notices_html = html[html.index('id="not-h"'):]
    assert "Test member declined your application (credit application)." in notices_html
    assert f"<li>{factor['text']} (costs {factor['points_lost']} points)</li>" in notices_html
    assert f"Your dispute about {loan} was closed on" in notices_html
    assert not REPR.search(re.sub(r'datetime="[^"]+"', "", notices_html))

    # the PDF: everything the page has
    pdf = client.get("/me/report.pdf")
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content, tmp_path)
    flat = " ".join(text.split())
    assert "Credit report of" in flat
    assert "on a scale from 350 to 950" in flat
    for f in notice["body"]["key_factors"]:
        assert f"{f['text']} (costs {f['points_lost']} points)" in flat
    assert "Test member declined your application (credit application)." in flat
    assert "is for 2,500.00 CNY" in flat
    assert f"Your dispute about {loan} was closed on" in flat
    assert "\ufffd" not in text and "None" not in flat


def test_pdf_is_tagged_titled_and_embeds_a_cjk_font(client, wang, tmp_path):
    _fonts_or_skip()
    r = client.get("/v1/me/report?format=pdf", headers=auth(wang))
    assert r.status_code == 200
    path = tmp_path / "r.pdf"
    path.write_bytes(r.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(r"^Title:\s+Credit report of 王小明", info, re.M), info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk, "\n".join(fonts)
    # name, type, encoding, emb, sub, uni, object: every CJK font embedded (emb = yes)
    assert all(line.split()[-5] == "yes" for line in cjk), "\n".join(fonts)
    assert "王小明" in _pdf_text(r.content, tmp_path)


def test_arabic_text_gets_an_arabic_font(tmp_path):
    _fonts_or_skip()
    from openbureau.adapters import pdf
    from openbureau.domain import report_summary
    from openbureau.services.reports import GRID_CODES

    report = {"profile": "us-fcra", "generated_at": date(2026, 12, 1), "subject_ref": "sub_1",
              "identity": {"name": "محمد علي", "date_of_birth": None, "national_id": None,
                           "national_id_masked": "****1234", "item_ref": "id_1"},
              "personal_information": [], "score": None, "accounts": [], "public_records": [],
              "inquiries": [], "disputes": [], "statements": [], "notices": [],
              "fraud_alerts": [], "frozen": False,
              "bureau": {"name": "Bureau", "contact": "help@example.org"}, "changes": None,
              "identity_verification": None, "blocked_items": None}
    report["summary"] = report_summary.tiles(report, datetime(2026, 12, 1, tzinfo=UTC))
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf.render_report(report, GRID_CODES))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    naskh = [line for line in fonts.splitlines() if "Naskh-Arabic" in line]
    assert naskh and all(line.split()[-5] == "yes" for line in naskh), fonts
    assert "DejaVu-Sans" in fonts        # the Latin text stays in the Latin font
