"""The audit log read newest first by default, paged and filtered (API and the auditor's
event browser)."""

from __future__ import annotations

from tests.conftest import auth
from tests.integration.test_reports import furnish, record
from tests.integration.test_web_pages import HTML, sign_in_org


def test_newest_first_by_default_and_paged_back(client, orgs):
    furnish(client, orgs, record())
    furnish(client, orgs, record(account_ref="CARD-2"))
    key = auth(orgs["auditor"])
    every = client.get("/v1/admin/audit?order=oldest&limit=1000", headers=key).json()["items"]
    seqs = [e["seq"] for e in every]
    assert seqs == sorted(seqs) and len(seqs) >= 4

    page = client.get("/v1/admin/audit?limit=3", headers=key).json()
    assert page["order"] == "newest"
    newest = [e["seq"] for e in page["items"]]
    assert newest == sorted(newest, reverse=True)
    assert newest[0] > seqs[-1] - 1          # the newest (reading the log adds events)
    older = client.get(f"/v1/admin/audit?limit=3&before={page['next_before']}",
                       headers=key).json()
    assert [e["seq"] for e in older["items"]] == [s - 3 for s in newest]
    # the oldest-first cursor still works as it did
    first = client.get("/v1/admin/audit?after=0&order=oldest&limit=2", headers=key).json()
    assert [e["seq"] for e in first["items"]] == seqs[:2] and first["next_after"] == seqs[1]
    assert client.get("/v1/admin/audit?after=1&limit=1", headers=key).json()["order"] == "oldest"


def test_filters_by_actor_and_action(client, orgs):
    furnish(client, orgs, record())
    key = auth(orgs["auditor"])
    items = client.get("/v1/admin/audit?action=furnish&limit=1000", headers=key).json()["items"]
    assert items and all(e["action"].startswith("furnish") for e in items)
    items = client.get("/v1/admin/audit?actor=furnisher:&limit=1000", headers=key).json()["items"]
    assert items and all("furnisher:" in e["actor"] for e in items)
    # a wildcard is a character, not a pattern
    assert client.get("/v1/admin/audit?actor=%25", headers=key).json()["items"] == []


def test_the_event_browser(client, orgs):
    furnish(client, orgs, record())
    sign_in_org(client, orgs["auditor"])
    page = client.get("/admin/audit?action=furnish", headers=HTML)
    assert page.status_code == 200
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") >= 1 and "furnish" in rows and "audit.read" not in rows
    assert 'value="furnish"' in page.text


def test_the_model_card_has_no_inline_styles(client, orgs):
    """The pages' CSP refuses style attributes: the card's table alignment comes as classes."""
    sign_in_org(client, orgs["operator"])
    page = client.get("/admin/model", headers=HTML)
    assert page.status_code == 200 and "<table>" in page.text
    assert 'style="' not in page.text
    assert 'class="align-right"' in page.text or 'class="align-center"' in page.text
