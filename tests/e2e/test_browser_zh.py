"""The consumer's journeys again in Simplified Chinese, in a real browser whose language is zh-CN
(Playwright's ``locale`` sends ``Accept-Language: zh-CN``): the same steps found by their Chinese
names, the notices read as Chinese letters, ``<html lang="zh-CN">``, and axe-core on every page
(no serious or critical violation). The server and the seeded demo are ``test_browser``'s.

Skipped without ``/usr/bin/chromium`` or the ``playwright`` package, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_browser import (  # noqa: F401 - fixtures
    DESKTOP,
    _letter_code,
    audit,
    browser,
    server,
)

pytestmark = pytest.mark.browser
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(base_url=server["base"], viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors: list[str] = []

    def console(m: Any) -> None:
        document = m.text.startswith("Failed to load resource") and \
            m.location.get("url") == pg.url
        if m.type == "error" and not document:
            errors.append(f"{pg.url}: {m.text} ({m.location.get('url')})")

    pg.on("console", console)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    yield pg
    context.close()
    assert errors == [], errors


def _chinese(page: Any) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert HAN.search(page.locator("h1").first.inner_text()), page.locator("h1").first.inner_text()


def test_zh_public_pages_and_the_switcher(page: Any, server: dict[str, Any]) -> None:  # noqa: F811
    page.goto("/")
    _chinese(page)
    assert page.get_by_role("heading", name="演示账号").is_visible()
    audit(page, "zh-landing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.goto("/signin")
    _chinese(page)
    audit(page, "zh-signin")
    response = page.goto("/me/report")
    assert response.status == 401
    _chinese(page)
    assert page.get_by_role("link", name="登录").first.is_visible()
    audit(page, "zh-error-401")
    # the switcher: English, kept for the next page, and back
    page.goto("/signin")
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/enrol")
    assert page.locator("html").get_attribute("lang") == "en"   # the setting beats the browser
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    _chinese(page)


def test_zh_consumer_enrols_and_resets_a_password(page: Any,
                                                  server: dict[str, Any]) -> None:  # noqa: F811
    """The newcomer of ``test_browser`` (a fresh server per module): enrol, sign out, reset."""
    who = server["newcomer"]
    page.goto("/signin")
    page.get_by_role("link", name="注册", exact=True).click()
    _chinese(page)
    page.locator("#c-nid").fill(who["national_id"])
    page.locator("#c-dob").fill(who["date_of_birth"])
    page.get_by_role("button", name="给我发送验证码").click()
    assert page.get_by_text("载有验证码的信函正在寄往档案中的地址").is_visible()
    audit(page, "zh-enrol")
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("信函中的验证码").fill(_letter_code(server["outbox"]))
    page.get_by_label("密码", exact=True).fill("my first password")
    page.get_by_label("再次输入密码").fill("my first password")
    page.get_by_role("button", name="注册并登录").click()
    page.wait_for_url("**/me/report")
    _chinese(page)
    page.get_by_role("button", name=re.compile("退出登录")).click()

    page.goto("/signin")
    page.get_by_role("link", name="忘记密码？").click()
    page.locator("#c-nid").fill(who["national_id"])
    page.locator("#c-dob").fill(who["date_of_birth"])
    page.get_by_role("button", name="给我发送验证码").click()
    audit(page, "zh-reset")
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("信函中的验证码").fill(_letter_code(server["outbox"]))
    page.get_by_label("新密码", exact=True).fill("my second password")
    page.get_by_label("再次输入密码").fill("my second password")
    page.get_by_role("button", name="设置密码并登录").click()
    page.wait_for_url("**/me/report")
    # their listing notice reads as a Chinese letter: money by Babel, the open end
    listing = page.locator("details.notice").filter(has_text="失信被执行人名单").first
    listing.locator("summary").click()
    text = listing.locator(".letter").inner_text()
    assert re.search(r"金额为(US\$|¥)[\d,]+\.\d\d", text), text
    assert "直至您履行判决" in text and "None" not in text, text
