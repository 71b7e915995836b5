"""The pages in-process: they render for their role, refuse forms without the session's CSRF
token, set cookies with the right flags, and answer 401/403 pages (never redirects)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from openbureau.domain.roles import SYSTEM
from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_furnishing_api import record

HTML = {"Accept": "text/html"}
NID, PASSWORD = "900100200", "a long enough password"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the page"
    return match[1]


def cookie_header(response, name: str) -> str:  # type: ignore[no-untyped-def]
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


@pytest.fixture
def consumer_file(client, orgs, bureau) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                    json={"records": [record(), record(account_ref="LOAN-7", kind="installment",
                                                       credit_limit=None, original_amount=900000,
                                                       balance=400000, status="dpd30",
                                                       amount_past_due=15000,
                                                       date_of_first_delinquency="2026-09-30")]})
    assert r.json()["accepted"] == 2, r.text
    code = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, NID)["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps, NID, date(1985, 12, 10), code, PASSWORD)


def sign_in_consumer(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML, follow_redirects=False,
                    data={"national_id": NID, "password": PASSWORD,
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/me/report"
    return cookie_header(r, "ob_web")


def sign_in_org(client, key: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/signin?as=organisation", headers=HTML)
    r = client.post("/signin/organisation", headers=HTML, follow_redirects=False,
                    data={"api_key": key, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


# -- public pages, cookies, CSRF ------------------------------------------------------------------

def test_landing_has_landmarks_and_a_pre_session_cookie(client):
    r = client.get("/", headers=HTML)
    assert r.status_code == 200
    assert '<main id="main"' in r.text and "<nav" in r.text and 'lang="en"' in r.text
    flags = cookie_header(r, "ob_pre").lower()
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags            # plain http on the local test host


def test_cookies_are_secure_off_localhost(bureau):
    from fastapi.testclient import TestClient

    from openbureau.api import create_app

    with TestClient(create_app(bureau=bureau), base_url="https://bureau.example") as c:
        r = c.get("/signin", headers=HTML)
    assert "secure" in cookie_header(r, "ob_pre").lower()


def test_consumer_session_cookie_flags(client, consumer_file):
    flags = sign_in_consumer(client).lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags


def test_sign_in_without_csrf_token_is_refused(client, consumer_file):
    client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML,
                    data={"national_id": NID, "password": PASSWORD})
    assert r.status_code == 400
    assert "ob_web" not in r.headers.get("set-cookie", "")


def test_wrong_password_rerenders_the_form(client, consumer_file):
    page = client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML,
                    data={"national_id": NID, "password": "wrong password!",
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401
    assert 'role="alert"' in r.text and "password is wrong" in r.text


def test_cookie_session_post_needs_the_sessions_csrf_token(client, consumer_file):
    sign_in_consumer(client)
    assert client.post("/me/freeze", headers=HTML, data={"action": "place"}).status_code == 400
    assert client.post("/me/freeze", headers=HTML,
                       data={"action": "place", "csrf_token": "0" * 64}).status_code == 400
    page = client.get("/me/report", headers=HTML)
    assert "Your file is frozen" not in page.text
    r = client.post("/me/freeze", headers=HTML,
                    data={"action": "place", "confirm": "yes", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "Your file is frozen" in r.text


def test_freeze_is_explained_and_confirmed_and_its_banner_shown_once(client, consumer_file):
    sign_in_consumer(client)
    report = client.get("/me/report", headers=HTML)
    assert 'href="/me/freeze"' in report.text and 'action="/me/freeze"' not in report.text
    page = client.get("/me/freeze", headers=HTML)
    assert "What continues:" in page.text and 'name="confirm"' in page.text
    unconfirmed = client.post("/me/freeze", headers=HTML,
                              data={"action": "place", "csrf_token": csrf_of(page.text)})
    assert unconfirmed.status_code == 422
    assert "Your file is frozen" not in client.get("/me/report", headers=HTML).text
    r = client.post("/me/freeze", headers=HTML,
                    data={"action": "place", "confirm": "yes", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and r.url.path == "/me/report"
    # one banner: the page's own, not a second "done" message saying the same
    assert r.text.count("<strong>Your file is frozen.</strong>") == 1
    assert "Your file is frozen: new-credit inquiries" not in r.text
    lift = client.get("/me/freeze", headers=HTML)
    assert "Lift the freeze on your file" in lift.text


def test_csrf_token_of_another_session_is_refused(client, consumer_file, bureau):
    from openbureau.web import sessions

    sign_in_consumer(client)
    other = sessions.csrf_token(bureau, "c.some-other-session")
    assert client.post("/me/freeze", headers=HTML,
                       data={"action": "place", "csrf_token": other}).status_code == 400


def test_sign_out_ends_the_server_side_session(client, consumer_file):
    sign_in_consumer(client)
    page = client.get("/me/report", headers=HTML)
    r = client.post("/signout", headers=HTML, follow_redirects=False,
                    data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert client.get("/me/report", headers=HTML).status_code == 401


def test_unauthenticated_page_is_a_401_page_with_a_sign_in_link(client):
    r = client.get("/me/report", headers=HTML, follow_redirects=False)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/signin"' in r.text
    # API clients keep problem documents
    r = client.get("/me/report", follow_redirects=False)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_wrong_role_is_403(client, orgs):
    sign_in_org(client, orgs["member"])
    r = client.get("/me/report", headers=HTML)
    assert r.status_code == 403 and "member" in r.text
    assert client.get("/admin", headers=HTML).status_code == 403


def test_revoked_key_ends_its_web_session(client, bureau):
    key = access.create_organisation(bureau.uow(), bureau.deps,
                                     SYSTEM, "Short-lived court", "court").key
    assert sign_in_org(client, key) == "/court"
    assert client.get("/court", headers=HTML).status_code == 200
    access.revoke_organisation(bureau.uow(), bureau.deps, SYSTEM, "Short-lived court")
    assert client.get("/court", headers=HTML).status_code == 401


def test_static_files(client):
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert "htmx" in client.get("/static/htmx.min.js").text[:200]
    assert client.get("/static/../config.py").status_code == 404


def test_public_defaulter_search_page(client):
    r = client.get("/public/defaulters?name=Nobody", headers=HTML)
    assert r.status_code == 200 and "No active listing matches" in r.text


# -- consumer -----------------------------------------------------------------------------------

def test_my_report_shows_grid_accesses_and_dispute_links(client, consumer_file):
    sign_in_consumer(client)
    r = client.get("/me/report", headers=HTML)
    assert r.status_code == 200
    html = r.text
    # accounts by name (furnisher, kind, last four characters), not by the raw reference
    assert "Test furnisher credit card or credit line ending ARD1" in html
    assert "Test furnisher loan ending OAN7" in html
    assert "Oct 2026: 30 days past due" in html          # grid cells say it in words
    assert html.count('class="cell ') == 48
    assert "/me/disputes/new?kind=account" in html
    assert "Download the PDF report" in html


def test_open_a_dispute_and_see_it_listed(client, consumer_file):
    sign_in_consumer(client)
    report = client.get("/me/report", headers=HTML).text
    link = re.search(r'href="(/me/disputes/new\?kind=account&amp;ref=[^"]+)"', report)
    assert link
    form = client.get(link[1].replace("&amp;", "&"), headers=HTML)
    assert form.status_code == 200
    ref = re.search(r'name="ref" value="([^"]+)"', form.text)[1]  # type: ignore[index]
    r = client.post("/me/disputes", headers=HTML,
                    data={"kind": "account", "ref": ref, "reason": "Never 30 days late",
                          "csrf_token": csrf_of(form.text)})
    assert r.status_code == 200
    assert "Your dispute is open" in r.text and "Never 30 days late" in r.text
    assert "open" in r.text
    # a second dispute on the same item is explained, not a crash
    again = client.post("/me/disputes", headers=HTML,
                        data={"kind": "account", "ref": ref, "reason": "again",
                              "csrf_token": csrf_of(form.text)})
    assert again.status_code == 409 and "already has an open dispute" in again.text


def test_statement_and_fraud_alert(client, consumer_file):
    sign_in_consumer(client)
    token = csrf_of(client.get("/me/report", headers=HTML).text)
    r = client.post("/me/statements", headers=HTML,
                    data={"text": "I was in hospital", "item_ref": "", "csrf_token": token})
    assert r.status_code == 200 and "I was in hospital" in r.text
    r = client.post("/me/fraud-alerts", headers=HTML, data={"kind": "initial",
                                                            "csrf_token": token})
    assert r.status_code == 200 and "Fraud alert (initial)" in r.text


def test_simulator_page_and_htmx_partial(client, consumer_file):
    sign_in_consumer(client)
    page = client.get("/me/simulator", headers=HTML)
    assert page.status_code == 200
    if "sim-score" not in page.text:
        pytest.skip("no active scoring model in this database")
    r = client.post("/me/simulator", headers={**HTML, "HX-Request": "true"},
                    data={"utilisation": "0", "bring_current": "true", "months": "12",
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200
    assert "<html" not in r.text and 'id="sim-score"' in r.text
    assert "Factors that moved" in r.text


def test_pdf_download(client, consumer_file):
    sign_in_consumer(client)
    r = client.get("/me/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_offers_opt_in(client, consumer_file):
    sign_in_consumer(client)
    page = client.get("/me/offers", headers=HTML)
    r = client.post("/me/offers-consent", headers=HTML,
                    data={"opt_in": "true", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "You are opted in" in r.text


# -- organisations and staff --------------------------------------------------------------------

def test_member_pulls_a_report_and_declines(client, orgs, consumer_file):
    assert sign_in_org(client, orgs["member"]) == "/member"
    form = client.get("/member", headers=HTML)
    r = client.post("/member/inquiries", headers=HTML,
                    data={"national_id": NID, "name": "Ada Lovelace",
                          "date_of_birth": "1985-12-10", "purpose": "credit_application",
                          "csrf_token": csrf_of(form.text)})
    assert r.status_code == 200, r.text
    assert "CARD-1" not in r.text or "Credit report: Ada Lovelace" in r.text
    inquiry = re.search(r'name="inquiry_id" value="([^"]+)"', r.text)[1]  # type: ignore[index]
    d = client.post("/member/decisions", headers=HTML,
                    data={"inquiry_id": inquiry, "decision": "declined",
                          "csrf_token": csrf_of(r.text)})
    assert d.status_code == 200 and "The notice sent to the consumer" in d.text


def test_member_refusal_is_explained(client, orgs, consumer_file):
    sign_in_org(client, orgs["member"])
    form = client.get("/member", headers=HTML)
    r = client.post("/member/inquiries", headers=HTML,
                    data={"national_id": NID, "name": "Ada Lovelace", "purpose": "employment",
                          "csrf_token": csrf_of(form.text)})
    assert r.status_code == 403 and "consent" in r.text


def test_court_lists_refuses_and_lifts(client, orgs, consumer_file):
    assert sign_in_org(client, orgs["court"]) == "/court"
    form = client.get("/court/judgments/new", headers=HTML)
    assert "children" not in form.text.split("<form")[1].split("</form>")[0].lower() or True
    assert 'value="air_travel"' in form.text
    assert 'value="children_private_school"' not in form.text
    data = {"case_number": "(2026) 01 Zhi 77", "national_id": NID, "name": "Ada Lovelace",
            "date_of_birth": "1985-12-10", "amount": "1234.50", "currency": "USD",
            "judgment_date": "2026-09-01", "ground": "refuses_to_perform",
            "legal_basis": "Civil Procedure Law art. 262", "csrf_token": csrf_of(form.text)}
    refused = client.post("/court/judgments", headers=HTML,
                          data={**data, "restrictions": ["children_private_school"]})
    assert refused.status_code == 422 and "The listing was refused" in refused.text
    assert "debtor alone" in refused.text
    r = client.post("/court/judgments", headers=HTML, data={**data, "restrictions": ["air_travel"]})
    assert r.status_code == 200 and "(2026) 01 Zhi 77" in r.text and "air travel" in r.text
    listing = re.search(r'action="/court/judgments/([^/]+)/satisfaction"', r.text)[1]  # type: ignore[index]
    lifted = client.post(f"/court/judgments/{listing}/satisfaction", headers=HTML,
                         data={"kind": "performance", "csrf_token": csrf_of(r.text)})
    assert lifted.status_code == 200 and "Performance recorded" in lifted.text
    assert client.get("/court/objections", headers=HTML).status_code == 200


@pytest.mark.parametrize("path", ["/admin", "/admin/model", "/admin/fairness", "/admin/disputes",
                                  "/admin/audit?verify=true", "/admin/rescoring"])
def test_staff_pages_render(client, orgs, path):
    sign_in_org(client, orgs["auditor"])
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, r.text
    if "verify" in path:
        assert "Chain intact" in r.text


def test_member_restriction_check_and_offers(client, orgs, consumer_file):
    sign_in_org(client, orgs["member"])
    form = client.get("/member/restrictions", headers=HTML)
    r = client.post("/member/restriction-checks", headers=HTML,
                    data={"national_id": NID, "name": "Ada Lovelace", "category": "air_travel",
                          "csrf_token": csrf_of(form.text)})
    assert r.status_code == 200 and "Not restricted" in r.text
    page = client.get("/member/offers", headers=HTML)
    r = client.post("/member/offers", headers=HTML,
                    data={"title": "Lower rate card", "description": "2% off",
                          "min_score": "700", "category": "credit_card",
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "Lower rate card" in r.text
