"""The consumer's report, readable (issues 14 item 7 and 15 item 5), on SQLite and PostgreSQL:
the personal-information section (masked, sourced, dated, disputable; also in the member's view)
and the report at a glance -- summary tiles, each account's payment history in words, and what
changed since the last report -- the same in the JSON, on the page and in the PDF."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from openbureau.domain.roles import SYSTEM
from tests.conftest import auth
from tests.integration.test_reports import _pdf_text, consumer_token
from tests.integration.test_web_pages import HTML, csrf_of, sign_in_org

NID = "900100200"
DOB = date(1985, 12, 10)
ADA = {"national_id": NID, "name": "ADA KING LOVELACE", "surname": "LOVELACE",
       "first_name": "ADA", "middle_name": "KING", "date_of_birth": "1985-12-10",
       "phone": "2025550143",
       "address": {"line1": "12 ST JAMES SQUARE", "city": "LONDON", "state": "NY",
                   "postal_code": "10001"},
       "employer": {"name": "ANALYTICAL ENGINES LTD", "city": "LONDON"}}
# as she writes it on an application
APPLICANT = {"national_id": NID, "name": "Ada Lovelace", "date_of_birth": "1985-12-10"}
# her name after marriage, another address, reported by another lender
MARRIED = {**ADA, "name": "ADA KING BYRON", "surname": "BYRON", "phone": None,
           "employer": None,
           "address": {"line1": "4 OCKHAM PARK", "city": "SURREY", "state": "NY",
                       "postal_code": "10002"}}


def rec(subject: dict[str, object], account_ref: str, **over: object) -> dict[str, object]:
    subject = {k: v for k, v in subject.items() if v is not None}
    out: dict[str, object] = {
        "subject": subject, "account_ref": account_ref, "as_of": "2026-10-31",
        "kind": "revolving", "opened_on": "2019-04-01", "credit_limit": 500000,
        "balance": 120000, "amount_past_due": 0, "status": "current", "ecoa": "individual",
        "currency": "USD"}
    out.update(over)
    return out


def send(client, key, *records) -> None:
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(key),
                    json={"records": list(records)})
    assert r.status_code == 200, r.text
    assert r.json()["rejected"] == [], r.text


@pytest.fixture
def second_lender(bureau) -> str:
    from openbureau.services import access

    return access.create_organisation(bureau.uow(), bureau.deps,
                                      SYSTEM, "Second Lender", "furnisher").key


class Ada:
    def __init__(self, client, bureau) -> None:
        self.client, self.bureau, self._token = client, bureau, None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = consumer_token(self.bureau, NID, DOB)
        return self._token

    def sign_in_again(self) -> None:
        """A new session (the clock moved past the old one's life)."""
        from openbureau.services import access

        self._token = access.sign_in(self.bureau.uow(), self.bureau.deps,
                                     NID, "correct horse battery")

    def report(self) -> dict:
        r = self.client.get("/v1/me/report", headers=auth(self.token))
        assert r.status_code == 200, r.text
        return r.json()

    def page(self) -> str:
        self.token  # noqa: B018 - enrolled before signing in
        signin = self.client.get("/signin", headers=HTML)
        r = self.client.post("/signin/consumer", headers=HTML, follow_redirects=False,
                             data={"national_id": NID, "password": "correct horse battery",
                                   "csrf_token": csrf_of(signin.text)})
        assert r.status_code == 303, r.text
        page = self.client.get("/me/report", headers=HTML)
        assert page.status_code == 200
        return page.text

    def pdf(self, tmp_path) -> str:
        r = self.client.get("/v1/me/report?format=pdf", headers=auth(self.token))
        assert r.status_code == 200
        return " ".join(_pdf_text(r.content, tmp_path).split())


@pytest.fixture
def ada(client, bureau) -> Ada:
    return Ada(client, bureau)


def test_personal_information_masked_sourced_dated_and_disputable(client, orgs, bureau, ada,
                                                                   second_lender, tmp_path):
    send(client, orgs["furnisher"], rec(ADA, "CARD-1", as_of="2026-08-31"),
         rec(ADA, "CARD-1", as_of="2026-10-31"))
    send(client, second_lender, rec(MARRIED, "LOAN-9", as_of="2026-09-30", kind="installment",
                                    credit_limit=None, original_amount=900000))
    rep = ada.report()
    assert {a["account_ref"] for a in rep["accounts"]} == {"CARD-1", "LOAN-9"}
    info = rep["personal_information"]
    names = {e["value"]: e for e in info if e["kind"] == "name"}
    assert names["ADA KING LOVELACE"]["label"] == "Name"
    assert names["ADA KING BYRON"]["label"] == "Also known as"
    [byron_src] = names["ADA KING BYRON"]["reported_by"]
    assert (byron_src["furnisher"], byron_src["first_seen_on"], byron_src["last_seen_on"]) == (
        "Second Lender", "2026-09-30", "2026-09-30")
    [nid] = [e for e in info if e["kind"] == "national_id"]
    assert nid["value"] == "*****0200" and nid["label"] == "National id"
    # one value reported by two lenders: one element, two sources, dates widened
    assert [(s["furnisher"], s["first_seen_on"], s["last_seen_on"])
            for s in nid["reported_by"]] == [("Test furnisher", "2026-08-31", "2026-10-31"),
                                             ("Second Lender", "2026-09-30", "2026-09-30")]
    assert (nid["first_seen_on"], nid["last_seen_on"]) == ("2026-08-31", "2026-10-31")
    refs = [s["item_ref"] for e in info for s in e["reported_by"]]
    assert all(r.startswith("idn_") for r in refs) and len(set(refs)) == len(refs)
    assert all(e["item_ref"] == e["reported_by"][0]["item_ref"] for e in info)
    assert {e["value"] for e in info if e["kind"] == "address"} == {
        "12 ST JAMES SQUARE, LONDON, NY 10001", "4 OCKHAM PARK, SURREY, NY 10002"}
    assert [e["value"] for e in info if e["kind"] == "phone"] == ["******0143"]
    assert not any(e["disputed"] for e in info)
    flat = json.dumps(info)
    assert "2025550143" not in flat and NID not in flat
    # the page: every element, masked, each with its dispute link naming its item_ref
    page = ada.page()
    section = page.split('id="pi-h"')[1].split("</section>")[0]
    for text in ("Also known as", "ADA KING BYRON", "4 OCKHAM PARK", "******0143", "*****0200",
                 "Second Lender", "2026-09-30"):
        assert text in section, text
    assert "2025550143" not in page
    links = re.findall(r'href="/me/disputes/new\?kind=identity&amp;ref=(idn_[^&"]+)', section)
    assert sorted(links) == sorted(e["item_ref"] for e in info)
    form = client.get(f"/me/disputes/new?kind=identity&ref={links[0]}&label=x", headers=HTML)
    assert form.status_code == 200 and 'name="kind" value="identity"' in form.text
    # the PDF: the same section
    text = ada.pdf(tmp_path)
    for t in ("Personal information", "Also known as", "ADA KING BYRON", "******0143",
              "Second Lender"):
        assert t in text, t
    # what it says names an element on paper, as on the page: no reference
    assert "2025550143" not in text and byron_src["item_ref"] not in text


def test_a_member_sees_personal_information_masked(client, orgs, bureau):
    send(client, orgs["furnisher"], rec(ADA, "CARD-1"))
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": APPLICANT, "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    rep = r.json()["report"]
    info = {e["kind"]: e for e in rep["personal_information"]}
    assert info["national_id"]["value"] == "*****0200"
    assert info["phone"]["value"] == "******0143"
    assert info["address"]["reported_by"][0]["furnisher"] == "Test furnisher"
    assert rep["identity"]["national_id"] is None
    assert rep["changes"] is None                  # the person's own, not a lender's
    assert "2025550143" not in r.text and NID not in r.text
    sign_in_org(client, orgs["member"])
    token = csrf_of(client.get("/member", headers=HTML).text)
    page = client.post("/member/inquiries", headers=HTML,
                       data={**APPLICANT, "purpose": "credit_application", "csrf_token": token})
    assert page.status_code == 200, page.text
    section = page.text.split('id="pi-h"')[1].split("</section>")[0]
    assert "12 ST JAMES SQUARE" in section and "******0143" in section
    assert "/me/disputes" not in section           # a lender cannot dispute for her
    assert "2025550143" not in page.text


def test_tiles_history_and_what_changed_follow_a_furnished_change(client, orgs, bureau, ada,
                                                                  clock, tmp_path):
    key = orgs["furnisher"]
    send(client, key, rec(ADA, "CARD-1", as_of="2026-09-30", balance=100000),
         rec(ADA, "CARD-1", as_of="2026-10-31", balance=100000))
    first = ada.report()
    t = first["summary"]
    assert (t["accounts_open"], t["accounts_total"], t["hard_inquiries"]) == (1, 1, 0)
    assert t["balances"] == [{"currency": "USD", "amount": 100000}]
    assert t["utilisation"]["percent"] == 20
    assert t["on_time"] == {"percent": 100, "months": 2, "on_time_months": 2}
    assert t["attention"] == []
    assert t["age_of_credit"]["since"] == "2019-04-01"
    assert first["accounts"][0]["history"]["text"] == (
        "2 of 2 months with data on time; 22 months without data.")
    assert first["changes"]["since"] is None and first["changes"]["items"] == []
    before = first["score"]["value"]
    # a month later: CARD-1 30 days late with a higher balance, a new loan, a lender looks
    clock.advance(days=30)
    ada.sign_in_again()
    send(client, key, rec(ADA, "CARD-1", as_of="2026-11-30", balance=450000, status="dpd30",
                          amount_past_due=20000, date_of_first_delinquency="2026-11-30"),
         rec(ADA, "LOAN-2", as_of="2026-11-30", kind="installment", opened_on="2026-11-02",
             credit_limit=None, original_amount=900000, balance=900000))
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": APPLICANT, "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    rep = ada.report()
    t = rep["summary"]
    assert (t["accounts_open"], t["accounts_total"], t["hard_inquiries"]) == (2, 2, 1)
    assert t["balances"] == [{"currency": "USD", "amount": 1350000}]
    assert t["utilisation"]["percent"] == 90
    assert t["on_time"] == {"percent": 75, "months": 4, "on_time_months": 3}   # LOAN-2: 1
    assert [(x["kind"], x["count"]) for x in t["attention"]] == [("past_due", 1)]
    card = next(a for a in rep["accounts"] if a["account_ref"] == "CARD-1")
    assert card["history"]["text"] == ("2 of 3 months with data on time; 1 month 30 days "
                                       "past due; 21 months without data.")
    changes = rep["changes"]
    assert changes["since"].startswith("2026-11-01T12:00")
    kinds = {c["kind"]: c["text"] for c in changes["items"]}
    assert kinds["new_account"].startswith("New account: Test furnisher loan ending")
    assert kinds["status_change"].endswith(
        "current in October 2026, now 30 days past due (November 2026).")
    assert kinds["new_inquiry"].startswith("Test member looked at your file (credit "
                                           "application)")
    after = rep["score"]["value"]
    assert after != before
    assert changes["score"] == {"before": before, "after": after, "change": after - before,
                                "text": changes["score"]["text"]}
    assert f"from {before} to {after}" in kinds["score_change"]
    # reading it again the same day keeps the same comparison
    assert ada.report()["changes"]["items"] == changes["items"]
    # the page and the PDF show the same tiles and changes
    page = ada.page()
    pdf = ada.pdf(tmp_path)
    for text in ("At a glance", "What changed since your last report", kinds["new_account"],
                 kinds["status_change"], kinds["score_change"], card["history"]["text"],
                 "90%", "75%", "1 account past due", "13,500.00"):
        assert text in page, text
        assert text in pdf, text
    # one report, two media: the same sections in both
    for title in ("At a glance", "What changed since your last report", "Score",
                  "Personal information", "Accounts", "Why", "Public records", "Notices"):
        assert title in page and title in pdf, title
