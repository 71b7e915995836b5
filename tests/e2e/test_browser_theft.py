"""Identity theft and "not mine" on the web, in a real browser (issue 14 item 7): the consumer
says "this account is not mine" of an account, files an identity-theft report from their report
page and sees the account blocked, in words; reads why an inquiry is on their file; and the
furnisher reads the notice of its blocked account on its own page. axe-core on every new page.
The server is ``test_browser``'s fixture, started for this module with its own seeded demo (the
report blocks an account, which the other journeys must not see).

Skipped without ``/usr/bin/chromium`` or the ``playwright`` package, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_browser import (  # noqa: F401 - fixtures
    audit,
    browser,
    page,
    server,
    shown,
    sign_in_organisation,
)

pytestmark = pytest.mark.browser


def _sign_in_consumer(page: Any, server: dict[str, Any]) -> None:  # noqa: F811
    cred = server["creds"]["consumer"]["credential"]
    page.goto("/signin")
    page.get_by_label("National id").fill(re.search(r"national_id=(\S+)", cred)[1])  # type: ignore[index]
    page.get_by_label("Password").fill(re.search(r"password=(\S+)", cred)[1])  # type: ignore[index]
    page.locator("#si-consumer").locator("..").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me/report")


def test_identity_theft_and_not_mine_on_the_web(page: Any, server: dict[str, Any]) -> None:  # noqa: F811
    _sign_in_consumer(page, server)
    # why an inquiry is on the file: the demo member's pull, matched by the model
    inquiry_why = page.locator("ol.timeline details.why").first
    inquiry_why.locator("summary").click()
    assert "Why is this inquiry on my file?" in inquiry_why.inner_text()
    assert re.search(r"The organisation asked about a person|before the bureau kept",
                     inquiry_why.inner_text()), inquiry_why.inner_text()

    # "this account is not mine" on a Demo First Bank account (the demo furnisher's)
    other = page.locator("article.account").filter(has_text="Demo First Bank").filter(
        has=page.get_by_role("link", name=re.compile("This account is not mine"))).first
    name = other.locator("h3").inner_text().strip()
    other.get_by_role("link", name=re.compile("This account is not mine")).click()
    shown(page.get_by_role("heading", name=f"{name} is not mine"))
    assert "never be linked to your file again" in page.locator("main").inner_text()
    audit(page, "me-not-mine")
    page.get_by_role("button", name="Tell us it is not mine").click()
    page.wait_for_url("**/me/disputes?done=dispute-opened")
    shown(page.get_by_role("cell", name="This account is not mine").first)

    # then an identity-theft report, from the report page
    page.goto("/me/report")
    page.get_by_role("link", name="Report identity theft…").click()
    page.wait_for_url("**/me/identity-theft")
    assert page.get_by_role("heading", name="Report identity theft").is_visible()
    assert "4 business days" in page.locator("main").inner_text()      # us-fcra, FCRA 605B
    audit(page, "me-identity-theft")
    confirm = page.get_by_label(re.compile("^I confirm that I did not open"))
    # confirmed, but no account chosen: refused next to the list, the confirmation kept
    confirm.check()
    page.get_by_role("button", name="Report identity theft and block these accounts").click()
    shown(page.locator("#theft-items-error"))
    assert confirm.is_checked()
    audit(page, "me-identity-theft-no-items")
    choice = page.locator("#theft-items .check").filter(has_text="Demo First Bank").first
    label = choice.locator("label").inner_text()
    account = label.split(" — ")[0].strip()
    choice.locator("input").check()
    page.get_by_label("What happened").fill("Police report 2026-4471.")
    # not confirmed: refused next to the box, nothing lost
    confirm.uncheck()
    page.get_by_role("button", name="Report identity theft and block these accounts").click()
    shown(page.locator("#it-confirm-error"))
    assert choice.locator("input").is_checked()
    assert page.get_by_label("What happened").input_value() == "Police report 2026-4471."
    audit(page, "me-identity-theft-refused")
    confirm.check()
    page.get_by_role("button", name="Report identity theft and block these accounts").click()
    page.wait_for_url("**/me/report?done=identity-theft-reported")
    shown(page.get_by_text("Your identity-theft report is filed"))
    theft = page.locator("article.theft-report").first
    assert re.search(r"Blocked on \d{1,2} \w+ \d{4} \(the deadline was \d{1,2} \w+ \d{4}\)",
                     theft.inner_text()), theft.inner_text()
    assert f"{account} — blocked" in theft.inner_text()
    assert "Police report 2026-4471." in theft.inner_text()
    # the account is off the accounts list, which the consumer can no longer dispute
    assert page.locator("article.account h3", has_text=account).count() == 0
    audit(page, "me-report-theft")

    # the furnisher reads the notice of its blocked account on its own page
    page.get_by_role("button", name=re.compile("Sign out")).click()
    sign_in_organisation(page, server["creds"]["furnisher"]["credential"])
    page.wait_for_url("**/furnisher")
    # the consumer's "not mine" dispute, said in words on the disputes to answer
    shown(page.get_by_text("this account is not theirs").first)
    page.get_by_role("navigation", name="Main").get_by_role("link",
                                                            name="Identity notices").click()
    page.wait_for_url("**/furnisher/identity-notices")
    row = page.locator("tr.notice-blocked").first
    shown(row)
    assert "Blocked after an identity-theft report" in row.inner_text()
    assert "identity-theft report itr_" in row.inner_text()
    last4 = account.rsplit(" ", 1)[-1]       # the account's name ends with its last four
    assert re.sub(r"\W", "", row.locator("td").nth(1).inner_text()).endswith(last4)
    audit(page, "furnisher-identity-notices")
