"""Identity theft and "not mine" on the consumer's pages, and the furnisher's identity notices
on its own (issue 14 item 7), on SQLite and PostgreSQL, through the pages' forms (CSRF, each
refusal next to its field with nothing lost) and the services the API calls: what was filed
over the web is what ``GET /v1/me/identity-theft-reports`` and ``/v1/me/disputes`` answer."""

from __future__ import annotations

import re

import pytest

from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_reports import _pdf_text
from tests.integration.test_web_pages import (  # noqa: F401 - consumer_file: a fixture
    HTML,
    NID,
    PASSWORD,
    consumer_file,
    csrf_of,
    sign_in_consumer,
    sign_in_org,
)


def _account_refs(report: str) -> list[str]:
    """The item refs of the accounts on the report page ("This account is not mine" links)."""
    return re.findall(r'href="/me/disputes/new\?kind=account&amp;ref=([^&]+)&amp;label=[^"]*'
                      r'&amp;not_mine=1"', report)


@pytest.mark.usefixtures("consumer_file")
def test_an_identity_theft_report_filed_on_the_web(client, orgs, bureau, tmp_path):
    sign_in_consumer(client)
    report = client.get("/me/report", headers=HTML).text
    assert 'href="/me/identity-theft"' in report
    refs = _account_refs(report)
    assert len(refs) == 2, refs
    form = client.get("/me/identity-theft", headers=HTML)
    assert form.status_code == 200
    assert "within 4 business days" in form.text            # us-fcra, FCRA 605B
    assert all(f'value="{ref}"' in form.text for ref in refs)      # each account offered
    loan = refs[0]
    # without the page's CSRF token: refused, nothing filed
    r = client.post("/me/identity-theft", headers=HTML, data={"items": [loan], "confirm": "yes"})
    assert r.status_code == 400
    # not confirmed: refused next to the box, the choice and the statement kept
    r = client.post("/me/identity-theft", headers=HTML, data={
        "items": [loan], "statement": "Police report 77-1", "csrf_token": csrf_of(form.text)})
    assert r.status_code == 422
    assert 'id="it-confirm-error"' in r.text and "Tick the box" in r.text
    assert f'value="{loan}" checked' in r.text and ">Police report 77-1</textarea>" in r.text
    # nothing chosen: the service's refusal, next to the list
    r = client.post("/me/identity-theft", headers=HTML, data={
        "confirm": "yes", "csrf_token": csrf_of(form.text)})
    assert r.status_code == 422 and 'id="theft-items-error"' in r.text
    assert 'name="confirm" value="yes" checked' in r.text          # the confirmation kept
    token = _api_token(bureau)
    assert client.get("/v1/me/identity-theft-reports",
                      headers=auth(token)).json()["items"] == []
    # confirmed: filed through the API's service, and the report says so in words
    r = client.post("/me/identity-theft", headers=HTML, follow_redirects=False, data={
        "items": [loan], "statement": "Police report 77-1", "confirm": "yes",
        "csrf_token": csrf_of(form.text)})
    assert r.status_code == 303 and r.headers["location"].endswith("done=identity-theft-reported")
    [filed] = client.get("/v1/me/identity-theft-reports", headers=auth(token)).json()["items"]
    assert filed["items"] == [loan] and filed["status"] == "blocked"
    assert filed["statement"] == "Police report 77-1"
    page = client.get(r.headers["location"], headers=HTML).text
    assert "Your identity-theft report is filed" in page
    assert re.search(r"Blocked on \d{1,2} \w+ \d{4} \(the deadline was \d{1,2} \w+ \d{4}\)",
                     page)
    assert filed["report_id"] in page and "— blocked</li>" in page
    assert _account_refs(page) == refs[1:]      # off the accounts
    # and the PDF lists it
    pdf = client.get("/v1/me/report?format=pdf", headers=auth(token))
    flat = " ".join(_pdf_text(pdf.content, tmp_path).split())
    assert "Blocked after your identity-theft report" in flat and filed["report_id"] in flat
    # the same account again: refused (already blocked), shown on the form
    r = client.post("/me/identity-theft", headers=HTML, data={
        "items": [loan], "confirm": "yes", "csrf_token": csrf_of(form.text)})
    assert r.status_code == 404 and "no account with this reference" in r.text

    # the furnisher reads it on its own page, in words
    client.post("/signout", headers=HTML, data={"csrf_token": csrf_of(page)})
    sign_in_org(client, orgs["furnisher"])
    notices = client.get("/furnisher/identity-notices", headers=HTML)
    assert notices.status_code == 200
    assert 'href="/furnisher/identity-notices"' in notices.text        # in the navigation
    [row] = re.findall(r'<tr class="notice-blocked">.*?</tr>', notices.text)
    assert "Blocked after an identity-theft report" in row
    assert f"identity-theft report {filed['report_id']}" in row


@pytest.mark.usefixtures("consumer_file")
def test_this_account_is_not_mine_on_the_web(client, orgs, bureau):
    sign_in_consumer(client)
    report = client.get("/me/report", headers=HTML).text
    ref = _account_refs(report)[0]
    form = client.get(f"/me/disputes/new?kind=account&ref={ref}&label=L&not_mine=1",
                      headers=HTML)
    assert form.status_code == 200
    assert "L is not mine" in form.text and "within 30 days" in form.text
    assert "never be linked to your file again" in form.text
    assert 'name="not_mine" value="true"' in form.text and 'name="reason"' not in form.text
    r = client.post("/me/disputes", headers=HTML, data={
        "kind": "account", "ref": ref, "not_mine": "true", "statement": "Not my loan",
        "csrf_token": csrf_of(form.text)})
    assert r.status_code == 200 and "This account is not mine" in r.text
    [d] = client.get("/v1/me/disputes", headers=auth(_api_token(bureau))).json()["items"]
    assert d["reason"] == "not_mine" and d["statement"] == "Not my loan"
    # the same pages in Simplified Chinese
    zh = client.get("/me/disputes?lang=zh-CN", headers=HTML).text
    assert "该账户不是我的" in zh
    zh = client.get("/me/identity-theft", headers=HTML).text
    assert "报告身份盗用" in zh and "4个工作日内" in zh
    assert "Report identity theft" not in zh
    # the furnisher's disputes page says what its answer does
    client.post("/signout", headers=HTML, data={"csrf_token": csrf_of(r.text)})
    sign_in_org(client, orgs["furnisher"])
    page = client.get("/furnisher", headers=HTML).text
    assert "this account is not theirs" in page and "unlinked from their file" in page


def test_the_furnishers_identity_notices_page_when_there_are_none(client, orgs):
    sign_in_org(client, orgs["furnisher"])
    page = client.get("/furnisher/identity-notices", headers=HTML)
    assert page.status_code == 200
    assert "none of our accounts has been blocked or unlinked" in page.text
    # a consumer cannot read it
    assert client.get("/furnisher/identity-notices?after=0", headers={
        **HTML, "Authorization": "Bearer nope"}).status_code in (401, 403)


def _api_token(bureau) -> str:
    return str(access.sign_in(bureau.uow(), bureau.deps, NID, PASSWORD))
