"""A furnisher on the web: sends a file (its page shows the status, rejected lines and the
data-quality report) and answers a dispute; the same services as the API."""

from __future__ import annotations

import pytest

from openbureau.services import access
from tests.conftest import auth
from tests.integration.test_reports import ADA
from tests.integration.test_web_pages import HTML, consumer_file, csrf_of, sign_in_org  # noqa: F401

CSV = ("subject_national_id,subject_name,subject_date_of_birth,account_ref,as_of,kind,"
       "opened_on,balance,amount_past_due,status,ecoa,currency\n"
       f"{ADA['national_id']},{ADA['name']},{ADA['date_of_birth']},WEB-1,2026-10-31,"
       "installment,2025-03-01,900000,0,current,individual,USD\n"
       f"{ADA['national_id']},{ADA['name']},{ADA['date_of_birth']},WEB-2,2026-10-31,"
       "installment,2025-03-01,12.5,0,current,individual,USD\n")


@pytest.mark.usefixtures("consumer_file")
def test_upload_a_file_on_the_web(client, orgs):
    sign_in_org(client, orgs["furnisher"])
    page = client.get("/furnisher/files", headers=HTML)
    assert page.status_code == 200 and 'type="file"' in page.text
    token = csrf_of(page.text)
    # the streamed upload carries its CSRF token in the action URL (or htmx's header)
    refused = client.post("/furnisher/files", headers=HTML,
                          files={"file": ("web.csv", CSV.encode(), "text/csv")})
    assert refused.status_code == 400
    r = client.post(f"/furnisher/files?csrf_token={token}", headers=HTML,
                    files={"file": ("web.csv", CSV.encode(), "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    target = r.headers["location"]
    assert target.startswith("/furnisher/files/")
    # the test client runs the background ingest before answering: the file is read
    shown = client.get(target, headers=HTML)
    assert shown.status_code == 200
    assert "Status: done" in shown.text and "hx-trigger" not in shown.text
    assert "<td>3</td><td>balance</td>" in shown.text            # the bad line, by field
    assert "Data quality: every rule checked" in shown.text
    status = client.get(f"/v1/furnisher/files/{target.rsplit('/', 1)[1]}",
                        headers=auth(orgs["furnisher"])).json()
    assert (status["accepted"], status["rejected"]) == (1, 1)
    # htmx: the same upload answers with a redirect header for the page to follow
    hx = client.post("/furnisher/files", files={"file": ("again.csv", CSV.encode())},
                     headers={**HTML, "HX-Request": "true", "X-CSRF-Token": token})
    assert hx.status_code == 204 and hx.headers["HX-Redirect"].startswith("/furnisher/files/")


@pytest.mark.usefixtures("consumer_file")
def test_answer_a_dispute_on_the_web(client, orgs, bureau):
    me = access.sign_in(bureau.uow(), bureau.deps, ADA["national_id"], "a long enough password")
    rep = client.get("/v1/me/report", headers=auth(me)).json()
    loan = next(a for a in rep["accounts"] if a["account_ref"] == "LOAN-7")
    opened = client.post("/v1/me/disputes", headers=auth(me), json={
        "item": {"kind": "account", "ref": loan["item_ref"]}, "reason": "I was never late"})
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["dispute_id"]

    sign_in_org(client, orgs["furnisher"])
    page = client.get("/furnisher", headers=HTML)
    assert "I was never late" in page.text and f"/furnisher/disputes/{dispute_id}/response" \
        in page.text
    r = client.post(f"/furnisher/disputes/{dispute_id}/response", headers=HTML,
                    data={"outcome": "deleted", "note": "Reported in error; removed.",
                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "Answer recorded" in r.text
    assert "I was never late" not in r.text
    notes = client.get("/v1/me/notices", headers=auth(me)).json()["items"]
    result = next(n for n in notes if n["kind"] == "dispute_result")
    assert "Reported in error; removed." in result["text"]
    assert "Test furnisher loan ending OAN7" in result["text"]
