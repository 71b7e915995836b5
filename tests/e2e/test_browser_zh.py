"""The consumer's journeys again in Simplified Chinese, in a real browser whose language is zh-CN
(Playwright's ``locale`` sends ``Accept-Language: zh-CN``): the same steps found by their Chinese
names, the notices read as Chinese letters, ``<html lang="zh-CN">``, and axe-core on every page
(no serious or critical violation). The server and the seeded demo are ``test_browser``'s.

Skipped without ``/usr/bin/chromium`` or the ``playwright`` package, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_browser import (  # noqa: F401 - fixtures
    DESKTOP,
    _letter_code,
    audit,
    browser,
    server,
    shown,
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


def _sign_in(page: Any, server: dict[str, Any],  # noqa: F811
             password: str | None = None) -> None:
    cred = server["creds"]["consumer"]["credential"]
    nid = re.search(r"national_id=(\S+)", cred)[1]  # type: ignore[index]
    page.goto("/signin")
    page.get_by_label("身份证件号码").fill(nid)
    page.get_by_label("密码").fill(
        password or re.search(r"password=(\S+)", cred)[1])  # type: ignore[index]
    page.locator("#si-consumer").locator("..").get_by_role("button", name="登录").click()


# -- no English left ------------------------------------------------------------------------------

# What a Chinese page may write in Latin letters: the data on the file and in the demo (people's
# and organisations' names, a court's case number and legal basis, the bureau's name and contact,
# which the bureau's operator configures), and codes a person reads as codes (the payment grid's
# legend, model versions, currencies, PDF, API, UTC). Text marked up as code (``<code>``) or as
# another language (``lang="en"``: the switcher's "English") is left out before the check.
DATA = ("Demo First Bank", "Demo Savings and Loan", "Demo Home Mortgage", "Demo Member",
        "Demo Court", "Demo Operator", "Demo Auditor", "Civil Procedure Law art.",
        "openbureau consumer office, disputes@openbureau.example", "openbureau")
CODES = re.compile(r"(?<![A-Za-z])(?:OK|COL|CO|PD|CL|FC|REP|VS|PDF|API|UTC|US|USD|CNY|EUR)"
                   r"(?![A-Za-z])|(?:gmsc|idm)-[\d.-]+\d|\(\d{4}\) Demo Enf\. \d+"
                   r"|\b[a-z]{2,4}_[0-9a-f]{16}\b|\b[A-Z]{2}(?:-\d+){3}\b"
                   r"|\b[0-9A-F]{6}(?:-[0-9A-F]{6}){2}\b")
LATIN = re.compile(r"[A-Za-z]+")
# an item's reference (an account's, a file's, a dispute's, an identity element's ...), which
# neither the pages nor the PDF show where the item has a name
RAW_REF = re.compile(r"(?<![A-Za-z0-9])(?:acc|sub|dsp|idn|pr)_[0-9a-f]{16}(?![0-9a-f])")
_TEXT = """() => {
    const b = document.body.cloneNode(true);
    b.querySelectorAll('script, style, noscript, code, kbd, samp, [lang]:not([lang="zh-CN"])')
     .forEach(e => e.remove());
    b.querySelectorAll('details').forEach(d => d.open = true);
    return document.title + '\\n' + b.textContent; }"""


def english_left(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """The runs of Latin letters in ``text`` once the data and the codes are taken out."""
    for known in sorted((*DATA, *names), key=len, reverse=True):
        text = text.replace(known, " ")
    return LATIN.findall(CODES.sub(" ", text))


def no_english(page: Any, names: tuple[str, ...], found: list[str]) -> None:
    """Appends to ``found`` each line of the page with English left in it."""
    _chinese(page)
    text = page.evaluate(_TEXT)
    found.extend(f"{page.url}: {line.strip()}" for line in text.splitlines()
                 if english_left(line, names))


def _refuse(page: Any, form: str) -> None:
    """Submit ``form`` past the browser's own checks (``novalidate``): the server's refusal
    is what the person reads."""
    page.locator(form).evaluate("f => { f.noValidate = true; }")


def _refused(page: Any, words: str) -> None:
    """The page after a form was sent shows the refusal, in these words."""
    shown(page.locator("[role=alert]", has_text=words))


def test_zh_no_english_left(page: Any, server: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    """Every page a consumer or a visitor meets, every refusal a form can give there, and the
    PDF: in Chinese, no English sentence or word left (only data and codes)."""
    names = (server["creds"]["consumer"]["who"], server["newcomer"]["name"])
    found: list[str] = []
    for path in ("/", "/signin", "/enrol", "/reset", "/public/defaulters"):
        page.goto(path)
        no_english(page, names, found)
    page.get_by_label("姓名").fill("Zhang")
    page.get_by_role("button", name="搜索").click()
    shown(page.get_by_role("heading", name="搜索结果"))
    no_english(page, names, found)
    page.get_by_label("证件号码后4位").fill("1")
    _refuse(page, "form[role=search]")
    page.get_by_role("button", name="搜索").click()
    _refused(page, "证件号码后4位：必须是证件号码的最后4位字母或数字")
    no_english(page, names, found)
    # errors: a page for a role unsigned, a page that is not there
    for path, status, words in (("/me/report", 401, "请登录后查看此页面。"),
                                ("/me/nothing-here", 404, "未找到该页面")):
        assert page.goto(path).status == status
        assert words in page.locator("main").inner_text()
        no_english(page, names, found)
    # refusals on the enrolment form
    who = server["newcomer"]
    page.goto("/enrol")
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("信函中的验证码").fill("000000")
    page.get_by_label("密码", exact=True).fill("short")
    page.get_by_label("再次输入密码").fill("different")
    _refuse(page, "form:has(#u-nid)")
    page.get_by_role("button", name="注册并登录").click()
    _refused(page, "再次输入密码：两次输入的密码不一致")
    no_english(page, names, found)
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("信函中的验证码").fill("000000")
    page.get_by_label("密码", exact=True).fill("a long enough password")
    page.get_by_label("再次输入密码").fill("a long enough password")
    page.get_by_role("button", name="注册并登录").click()
    _refused(page, "注册被拒绝：身份信息或验证码不符")
    no_english(page, names, found)
    _sign_in(page, server, password="not the password")
    _refused(page, "登录被拒绝：证件号码或密码错误")
    no_english(page, names, found)

    _sign_in(page, server)
    page.wait_for_url("**/me/report")
    for path in ("/me/report", "/me/disputes", "/me/freeze", "/me/simulator", "/me/offers",
                 "/me/consents", "/me/nothing-here", "/public/defaulters"):
        page.goto(path)
        no_english(page, names, found)
    assert page.goto("/member").status == 403     # another role's page: the role in words
    assert "（个人）" in page.locator("main").inner_text()
    no_english(page, names, found)
    page.goto("/me/report")                      # dates in words, the date of birth too
    assert not re.search(r"\d{4}-\d\d-\d\d", page.locator("table.personal").inner_text())
    assert page.goto("/me/disputes/new").status == 422       # no item named
    assert "项目编号：此项为必填项" in page.locator("[role=alert]").inner_text()
    no_english(page, names, found)
    # refusals on the consumer's forms: a dispute and a statement that say nothing
    page.goto("/me/report")
    page.locator("article.account").first.get_by_role(
        "link", name=re.compile("对该账户提出争议")).click()
    page.get_by_label("哪里有误").fill("   ")
    page.get_by_role("button", name="提出争议").click()
    _refused(page, "理由：必须说明该项目哪里有误")
    no_english(page, names, found)
    page.goto("/me/report")
    page.get_by_label("在您的档案中添加声明（每份信用报告都会显示）").fill("   ")
    page.get_by_role("button", name="添加声明").click()
    _refused(page, "内容：不能为空")
    no_english(page, names, found)
    page.goto("/me/consents")
    page.locator("#expires_on").fill("2000-01-01")
    page.locator("#expires_on").locator("xpath=ancestor::form").get_by_role("button").click()
    _refused(page, "到期时间：必须晚于取得授权的时间")
    no_english(page, names, found)
    # the simulator's factors that moved, a pair row's among them
    page.goto("/me/simulator")
    page.get_by_label("时间").select_option("24")
    page.get_by_label("将所有逾期账户恢复正常").check()
    page.get_by_label("将循环账户余额降至").select_option("0")
    shown(page.get_by_role("heading", name="发生变化的因素"))
    # a pair row's points moved too (the late payments with the 90-day ones), named in Chinese
    assert "逾期30至59天的还款与逾期90天及以上的还款的组合" in page.locator("ul.moved").inner_text()
    no_english(page, names, found)

    # the PDF
    with page.expect_download() as download:
        page.goto("/me/report")
        page.get_by_role("link", name="下载 PDF 信用报告").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert HAN.search(text) and "\ufffd" not in text
    assert RAW_REF.findall(text) == [], RAW_REF.findall(text)      # items by name, not by ref
    found.extend(f"PDF: {line.strip()}" for line in text.splitlines()
                 if english_left(line, names))
    assert found == [], "\n".join(found)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), "\n".join(fonts)


def test_zh_public_pages_and_the_switcher(page: Any, server: dict[str, Any]) -> None:  # noqa: F811
    page.goto("/")
    _chinese(page)
    shown(page.get_by_role("heading", name="演示账号"))
    audit(page, "zh-landing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.goto("/signin")
    _chinese(page)
    audit(page, "zh-signin")
    response = page.goto("/me/report")
    assert response.status == 401
    _chinese(page)
    shown(page.get_by_role("link", name="登录").first)
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
    shown(page.get_by_text("载有验证码的信函正在寄往档案中的地址"))
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


def test_zh_consumer_journey(page: Any, server: dict[str, Any],  # noqa: F811
                            tmp_path: Path) -> None:
    """test_browser's consumer journey, in Chinese: the decline read as a Chinese letter, the
    late payment disputed, a statement, freeze and unfreeze, a fraud alert, the simulator,
    offers and the PDF."""
    cred = server["creds"]["consumer"]["credential"]
    nid = re.search(r"national_id=(\S+)", cred)[1]  # type: ignore[index]
    password = re.search(r"password=(\S+)", cred)[1]  # type: ignore[index]
    page.goto("/signin")
    page.get_by_label("身份证件号码").fill(nid)
    page.get_by_label("密码").fill(password)
    page.locator("#si-consumer").locator("..").get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/report")
    shown(page.get_by_role("heading", name="我的信用报告"))
    _chinese(page)
    assert page.locator("ol.grid li").first.get_attribute("title")
    notice = page.locator("details.notice").filter(has_text="您的申请已被Demo Member拒绝")
    assert notice.get_attribute("open") is not None
    letter = notice.locator(".letter").inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日，Demo Member拒绝了您的申请（信贷申请）。",
                     letter), letter
    assert re.search(r"您的信用评分为\d{3}分（评分范围350至950分）", letter), letter
    assert notice.locator(".letter li").count() >= 1 and "分）" in letter
    assert "联系方式：" in letter and "并未作出该决定" in letter
    assert not re.search(r"None|\{'|\['|\bR\d\d\b", letter), letter
    audit(page, "zh-me-report")

    late = page.locator("article.account").filter(has=page.locator("li.s-dpd30")).first
    late.get_by_role("link", name=re.compile("对该账户提出争议")).click()
    _chinese(page)
    page.get_by_label("哪里有误").fill("我从未逾期还款。")
    audit(page, "zh-me-dispute-form")
    page.get_by_role("button", name="提出争议").click()
    page.wait_for_url("**/me/disputes?done=dispute-opened")
    shown(page.get_by_text("您的争议已提出。"))
    row = page.locator("tbody tr").first
    assert "我从未逾期还款" in row.inner_text() and "处理中" in row.inner_text()
    audit(page, "zh-me-disputes")

    page.goto("/me/report")
    page.get_by_label("在您的档案中添加声明（每份信用报告都会显示）").fill("我的身份在2025年被盗用。")
    page.get_by_role("button", name="添加声明").click()
    shown(page.get_by_text("我的身份在2025年被盗用。").first)
    page.get_by_role("link", name="冻结我的档案…").click()
    shown(page.get_by_text("不受影响的："))
    audit(page, "zh-me-freeze")
    page.get_by_label("我已了解，冻结我的档案").check()
    page.get_by_role("button", name="冻结我的档案").click()
    page.wait_for_url("**/me/report?done=frozen")
    assert page.locator("p.warn", has_text="您的档案已冻结").count() == 1
    page.get_by_role("link", name="解除冻结…").click()
    page.get_by_label("我要解除冻结").check()
    page.get_by_role("button", name="解除冻结").click()
    shown(page.get_by_role("link", name="冻结我的档案…"))
    page.get_by_role("button", name="设置欺诈警报").click()
    shown(page.get_by_text("欺诈警报（初始）"))

    page.get_by_role("link", name="评分模拟器", exact=True).click()
    score = page.locator("#sim-score")
    before = score.inner_text()
    page.get_by_label("时间").select_option("24")
    page.get_by_label("将所有逾期账户恢复正常").check()
    page.get_by_label("将循环账户余额降至").select_option("0")
    from playwright.sync_api import expect

    expect(score).not_to_have_text(before)
    shown(page.get_by_role("heading", name="发生变化的因素"))
    assert page.url.endswith("/me/simulator")
    audit(page, "zh-me-simulator")

    page.get_by_role("link", name="优惠", exact=True).click()
    page.get_by_role("button", name="选择接收优惠").click()
    shown(page.get_by_text("您已选择接收优惠"))
    audit(page, "zh-me-offers")
    page.get_by_role("link", name="授权", exact=True).click()
    _chinese(page)
    audit(page, "zh-me-consents")
    # a consent given here: its purpose and scope in words; a purpose the profile does not
    # permit (sent past the form's own list) refused in Chinese, the profile named as a code
    given = page.locator("#purpose").locator("xpath=ancestor::form")
    page.locator("#purpose").select_option(label="贷后管理")
    page.locator("#expires_on").fill("2027-06-30")
    given.get_by_role("button").click()
    shown(page.get_by_text("已给予授权", exact=False))
    row = page.locator("tbody tr", has_text="贷后管理").first
    assert "信用报告" in row.inner_text() and "account" not in row.inner_text().lower()
    page.locator("#purpose").evaluate(
        "s => { s.options[0].value = 'gossip'; s.selectedIndex = 0; }")
    page.locator("#expires_on").fill("2027-06-30")
    given.get_by_role("button").click()
    _refused(page, "用途：在us-fcra规则下不是合法目的")

    # the dispute names the account as the report does, on the page and in the PDF
    page.goto("/me/disputes")
    item = page.locator("tbody tr", has_text="我从未逾期还款").locator("td").nth(1).inner_text()
    assert "尾号" in item and not RAW_REF.search(item), item
    with page.expect_download() as download:
        page.goto("/me/report")
        page.get_by_role("link", name="下载 PDF 信用报告").click()
    assert download.value.suggested_filename == "credit-report.pdf"
    path = tmp_path / "journey.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert RAW_REF.findall(text) == [], RAW_REF.findall(text)
    assert "".join(item.split()) in "".join(text.split())     # the disputed account, by name
