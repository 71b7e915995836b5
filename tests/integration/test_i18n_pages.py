"""The consumer's pages, notices and PDF in Simplified Chinese: chosen by Accept-Language, by the
person's setting (``?lang=`` kept in the ``lang`` cookie) or by the cn-cri profile's default; in
Chinese words with Babel's dates and money; English unchanged; organisations' pages English."""

from __future__ import annotations

import re
import subprocess

import pytest

from openbureau.domain.roles import SYSTEM
from tests.conftest import auth
from tests.integration.test_notice_letters import (
    PASSWORD,
    WANG,
    _declined,
    _fonts_or_skip,
    _listed,
    wang,  # noqa: F401 - the fixture
)
from tests.integration.test_reports import _pdf_text
from tests.integration.test_web_pages import HTML, csrf_of

ZH = {**HTML, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {**HTML, "Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _sign_in(client, headers) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/signin", headers=headers)
    r = client.post("/signin/consumer", headers=headers, follow_redirects=False, data={
        "national_id": WANG["national_id"], "password": PASSWORD,
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    return page.text


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html)[1]  # type: ignore[index]


def test_the_sign_in_page_follows_accept_language(client):
    zh = client.get("/signin", headers=ZH)
    assert _lang(zh.text) == "zh-CN" and zh.headers["content-language"] == "zh-CN"
    assert "<h1>登录</h1>" in zh.text and "身份证件号码" in zh.text and "忘记密码？" in zh.text
    assert "跳到主要内容" in zh.text
    en = client.get("/signin", headers=EN)
    assert _lang(en.text) == "en" and "<h1>Sign in</h1>" in en.text and not HAN.search(
        en.text.replace("简体中文", ""))                 # the switcher names Chinese in Chinese
    # no header, no setting: the profile's language (us-fcra: English)
    assert _lang(client.get("/signin", headers=HTML).text) == "en"


def test_enrol_and_reset_pages_in_chinese(client):
    for path, heading in (("/enrol", "2. 注册"), ("/reset", "2. 设置新密码")):
        r = client.get(path, headers=ZH)
        assert r.status_code == 200 and heading in r.text and "信函中的验证码" in r.text


def test_the_report_and_its_notices_in_chinese_by_accept_language(client, orgs, wang):  # noqa: F811
    notice = _declined(client, orgs)
    _listed(client, orgs)
    _sign_in(client, ZH)
    html = client.get("/me/report", headers=ZH).text
    assert _lang(html) == "zh-CN"
    assert "我的信用报告" in html and "我的争议" in html and "评分模拟器" in html   # the chrome
    # the notices as letters in Chinese, with Babel's dates and money
    assert "您的申请已被Test member拒绝" in html
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日，Test member拒绝了您的申请（信贷申请）。", html)
    assert re.search(r"您的信用评分为\d{3}分（评分范围350至950分）", html)
    for f in notice["body"]["key_factors"]:
        assert f"（扣减{f['points_lost']}分）" in html
    assert "已将您列入失信被执行人名单" in html
    assert "金额为¥2,500.00" in html and "乘坐飞机" in html
    assert untranslated(html) == []        # tiles, history, why, changes: all in Chinese
    # the JSON API stays in English unless asked
    for item in client.get("/v1/me/notices", headers=auth(wang)).json()["items"]:
        assert not HAN.search(item["text"]), item["text"]


def test_the_api_notices_follow_accept_language(client, orgs, wang):  # noqa: F811
    _declined(client, orgs)
    r = client.get("/v1/me/notices", headers={**auth(wang), "Accept-Language": "zh-CN"})
    assert r.headers["content-language"] == "zh-CN"
    item = r.json()["items"][0]
    assert item["kind"] == "adverse_action" and item["body"]["decision"] == "declined"   # codes
    assert item["title"] == "您的申请已被Test member拒绝"
    assert item["text"].startswith(item["title"] + "\n\n") and "信贷申请" in item["text"]
    en = client.get("/v1/me/notices", headers=auth(wang))
    assert en.headers["content-language"] == "en"
    assert en.json()["items"][0]["title"] == "Your application was declined by Test member"


def test_the_setting_beats_the_browser_and_is_kept(client, wang):  # noqa: F811
    _sign_in(client, EN)
    r = client.get("/me/disputes?lang=zh-CN", headers=EN)
    assert _lang(r.text) == "zh-CN" and "<h1>我的争议</h1>" in r.text
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("lang=")]
    assert cookie and "zh-CN" in cookie[0] and "httponly" in cookie[0].lower()
    # the next page, without ?lang=, keeps the choice over Accept-Language: en
    r = client.get("/me/offers", headers=EN)
    assert _lang(r.text) == "zh-CN" and "信用良好者的优惠" in r.text
    # and switching back
    r = client.get("/me/offers?lang=en", headers=ZH)
    assert _lang(r.text) == "en" and "Offers for good standing" in r.text
    assert _lang(client.get("/me/freeze", headers=ZH).text) == "en"
    # an unsupported ?lang= is ignored
    assert _lang(client.get("/me/freeze?lang=fr", headers=ZH).text) == "en"


def test_the_switcher_links_each_language(client):
    html = client.get("/signin", headers=ZH).text
    nav = html[html.index('<nav class="lang"'):]
    nav = nav[:nav.index("</nav>")]
    assert 'href="/signin?lang=en" lang="en" hreflang="en"' in nav and "English" in nav
    assert 'lang="zh-CN" hreflang="zh-CN" aria-current="true">简体中文' in nav


def test_consumer_pages_in_chinese(client, wang):  # noqa: F811
    _sign_in(client, ZH)
    expected = {"/me/disputes": "您没有任何争议", "/me/freeze": "冻结我的档案",
                "/me/offers": "信用良好者的优惠", "/me/consents": "我的授权",
                "/me/simulator": "将循环账户余额降至"}
    for path, words in expected.items():
        r = client.get(path, headers=ZH)
        assert r.status_code == 200 and words in r.text, path
        assert _lang(r.text) == "zh-CN"
    sim = client.get("/me/simulator", headers=ZH).text
    assert "额度的50%" in sim and "24个月后" in sim           # Babel's percent, in Chinese


def test_an_error_page_in_chinese(client):
    r = client.get("/me/report", headers=ZH)
    assert r.status_code == 401 and _lang(r.text) == "zh-CN"
    assert "请<a class=\"button\" href=\"/signin\">登录</a>后查看此页面。" in r.text


def test_organisation_pages_stay_in_english(client, orgs):
    from tests.integration.test_web_pages import sign_in_org

    sign_in_org(client, orgs["member"])
    r = client.get("/member", headers=ZH)
    assert r.status_code == 200 and _lang(r.text) == "en" and 'class="lang"' not in r.text


def test_the_pdf_in_chinese(client, orgs, wang, tmp_path):  # noqa: F811
    _fonts_or_skip()
    notice = _declined(client, orgs)
    _sign_in(client, ZH)
    r = client.get("/me/report.pdf", headers=ZH)
    assert r.status_code == 200 and r.headers["content-language"] == "zh-CN"
    text = _pdf_text(r.content, tmp_path)
    flat = "".join(text.split())          # pdftotext -layout spaces CJK out; compare unspaced
    assert "您的申请已被Testmember拒绝" in flat                      # the notice's title
    assert "Testmember拒绝了您的申请（信贷申请）。" in flat
    for f in notice["body"]["key_factors"]:
        assert f"（扣减{f['points_lost']}分）" in flat
    assert "王小明" in flat and "\ufffd" not in text                 # a Chinese name, no boxes
    path = tmp_path / "zh.pdf"
    path.write_bytes(r.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), "\n".join(fonts)


# under cn-cri a record names a person by a valid resident identity number (check character)
WANG_CN = {**WANG, "national_id": "110101199003074573"}


@pytest.fixture
def wang_cn(client, orgs, bureau) -> str:  # type: ignore[no-untyped-def]
    from datetime import date

    from openbureau.services import access
    from tests.integration.test_reports import furnish, record

    furnish(client, orgs, record(subject=dict(WANG_CN), account_ref="4111000011112222",
                                 balance=480000, credit_limit=500000))
    code = access.invite_consumer(bureau.uow(), bureau.deps,
                                  SYSTEM, WANG_CN["national_id"])["enrolment_code"]
    access.enrol(bureau.uow(), bureau.deps,
                 WANG_CN["national_id"], date(1990, 3, 7), code, PASSWORD)
    return access.sign_in(bureau.uow(), bureau.deps, WANG_CN["national_id"], PASSWORD)


@pytest.mark.parametrize("profile_name", ["cn-cri"])
def test_the_cn_cri_profile_defaults_to_chinese(client, orgs, wang_cn, profile_name):
    assert _lang(client.get("/signin", headers=HTML).text) == "zh-CN"
    # a browser asking for English still gets English
    assert _lang(client.get("/signin", headers=EN).text) == "en"
    # cn-cri: a member pulls a file only with the person's consent (given here in the app)
    assert orgs["member"]
    r = client.post("/v1/me/consents", headers=auth(wang_cn), json={
        "member": "Test member", "purpose": "credit_application",
        "expires_at": "2027-06-01T00:00:00+00:00"})
    assert r.status_code == 201, r.text
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": dict(WANG_CN), "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    d = client.post("/v1/member/decisions", headers=auth(orgs["member"]),
                    json={"inquiry_id": r.json()["inquiry_id"], "decision": "declined"})
    assert d.status_code == 201, d.text
    page = client.get("/signin", headers=HTML)
    r = client.post("/signin/consumer", headers=HTML, follow_redirects=False, data={
        "national_id": WANG_CN["national_id"], "password": PASSWORD,
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    html = client.get("/me/report", headers=HTML).text
    assert _lang(html) == "zh-CN" and "您的申请已被Test member拒绝" in html
    # cn-cri's rights: two free reports a year, 20 days to resolve a dispute
    assert "每年可免费获取2次" in html and "征信机构必须在20日内处理完毕" in html
    assert untranslated(html) == []


def test_landing_and_a_refused_sign_in_in_chinese(client):
    landing = client.get("/", headers=ZH).text
    assert "内置正当程序的征信机构" in landing and "使用身份证件号码登录" in landing
    page = client.get("/signin", headers=ZH)
    r = client.post("/signin/consumer", headers=ZH, data={
        "national_id": "000", "password": "wrong password!", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401 and "登录被拒绝：证件号码或密码错误" in r.text


# words that are data or names, not the page's own text
_DATA = re.compile(r"Test (member|furnisher|court)|openbureau( demo)?|English|API|UTC|"
                   r"Civil Procedure Law art\. \d+|"
                   r"openbureau org create|openbureau demo credentials|[\w.+-]+@[\w.-]+")
_ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")


def _visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return _DATA.sub(" ", text)


def untranslated(html: str) -> list[str]:
    """Runs of three or more English words left in a page's visible text."""
    return _ENGLISH_RUN.findall(_visible_text(html))


def test_no_english_left_on_the_consumer_pages_in_chinese(client, wang):  # noqa: F811
    for path in ("/", "/signin", "/enrol", "/reset"):
        assert untranslated(client.get(path, headers=ZH).text) == [], path
    _sign_in(client, ZH)
    for path in ("/me/disputes", "/me/freeze", "/me/offers", "/me/consents", "/me/simulator"):
        r = client.get(path, headers=ZH)
        assert untranslated(r.text) == [], path


# -- refusals with words in them; items named, not referenced -------------------------------------

REFS = re.compile(r"\b(?:acc|sub|dsp|idn|pr|cns)_[0-9a-f]{16}\b")


def test_a_refusal_with_words_in_it_in_chinese(client, orgs, wang):  # noqa: F811
    """A consumer's refusal whose sentence carries a word (a purpose, an organisation's name),
    on the consents page and in the API's problem document, in Chinese when asked; the API
    stays English for a client that does not ask."""
    orgs["member"]                                                # a member to consent to
    _sign_in(client, ZH)
    page = client.get("/me/consents", headers=ZH).text
    r = client.post("/me/consents", headers=ZH, data={
        "member": "Testmember", "purpose": "gossip", "expires_on": "2027-01-31",
        "csrf_token": csrf_of(page)})
    assert r.status_code == 422
    assert "用途：在us-fcra规则下不是合法目的" in r.text and "permissible" not in r.text

    body = {"member": "No Such Bank", "purpose": "credit_application",
            "expires_at": "2027-01-31T00:00:00Z"}
    zh = client.post("/v1/me/consents", headers={**auth(wang), "Accept-Language": "zh-CN"},
                     json=body)
    assert zh.status_code == 404 and zh.headers["content-language"] == "zh-CN"
    assert zh.json()["detail"] == "没有名为No Such Bank的会员机构"
    en = client.post("/v1/me/consents", headers=auth(wang), json=body)
    assert en.json()["detail"] == "no member organisation No Such Bank"
    # an organisation's path answers in English whatever the client asks
    member = client.post("/v1/member/inquiries",
                         headers={**auth(orgs["member"]), "Accept-Language": "zh-CN"},
                         json={"subject": dict(WANG), "purpose": "gossip"})
    assert member.status_code == 422 and not HAN.search(member.text)


def test_the_pdf_names_each_item_as_the_page_does(client, orgs, wang, tmp_path):  # noqa: F811
    """A disputed account and a disputed element of personal information are named in the PDF
    (English and Chinese) and on the disputes page as the report page names them: no item
    reference where the file has a name."""
    _fonts_or_skip()
    zh_report = client.get("/v1/me/report", headers={**auth(wang), "Accept-Language": "zh-CN"})
    account = zh_report.json()["accounts"][0]
    element = zh_report.json()["personal_information"][0]
    en_name = next(a["name"] for a in client.get("/v1/me/report", headers=auth(wang)).json()[
        "accounts"] if a["item_ref"] == account["item_ref"])
    for kind, ref in (("account", account["item_ref"]),
                      ("identity", element["reported_by"][0]["item_ref"])):
        r = client.post("/v1/me/disputes", headers=auth(wang),
                        json={"item": {"kind": kind, "ref": ref}, "reason": "wrong"})
        assert r.status_code == 201, r.text
    # the report's JSON names them too (what its notices name them by)
    named = {d["item_kind"]: d["item_name"] for d in client.get(
        "/v1/me/report", headers={**auth(wang), "Accept-Language": "zh-CN"}).json()["disputes"]}
    assert named == {"account": account["name"], "identity": f"姓名：{WANG['name']}"}
    _sign_in(client, ZH)
    for headers, name, who in ((EN, en_name, f"Name: {WANG['name']}"),
                               (ZH, account["name"], f"姓名：{WANG['name']}")):
        pdf = client.get("/me/report.pdf", headers=headers)
        text = _pdf_text(pdf.content, tmp_path)
        flat = "".join(text.split())
        assert REFS.findall(text) == [], REFS.findall(text)
        assert "".join(name.split()) in flat and "".join(who.split()) in flat
        page = client.get("/me/disputes", headers=headers).text
        assert name in page and who in page and not REFS.search(page)
    assert "尾号" in account["name"]                     # the Chinese name is Chinese


def test_the_search_limit_in_chinese(client, bureau):
    """The public search's rate limit, a refusal with a count, a thing and a span in it: in
    Chinese on the page and in the API when asked, in English otherwise."""
    bureau.settings.public_search_per_minute = 2
    for _ in range(2):
        assert client.get("/v1/public/defaulters?name=Zhang").status_code == 200
    api = client.get("/v1/public/defaulters?name=Zhang", headers={"Accept-Language": "zh-CN"})
    assert api.status_code == 429 and api.headers["content-language"] == "zh-CN"
    assert re.fullmatch(r"每分钟最多2次搜索，请在\d+秒后重试", api.json()["detail"]), api.text
    assert api.json()["title"] == "请求过于频繁"
    page = client.get("/public/defaulters?name=Zhang", headers=ZH)
    assert re.search(r"<p>每分钟最多2次搜索，请在\d+秒后重试</p>", page.text), page.text
    en = client.get("/v1/public/defaulters?name=Zhang")
    assert re.fullmatch(r"at most 2 searches per minute; try again in \d+ seconds",
                        en.json()["detail"])


def test_an_objection_already_open_in_chinese(client, orgs, wang):  # noqa: F811
    """Objecting twice to one listing: the second is refused in Chinese on the error page."""
    _listed(client, orgs)
    listing = client.get("/v1/me/report", headers=auth(wang)).json()["public_records"][0]
    _sign_in(client, ZH)
    csrf = csrf_of(client.get("/me/report", headers=ZH).text)
    for status in (303, 409):
        r = client.post("/me/objections", headers=ZH, follow_redirects=False, data={
            "listing_id": listing["item_ref"], "reason": "这不是我的案件", "csrf_token": csrf})
        assert r.status_code == status, r.text
    assert "对该名单记录的异议正在处理中" in r.text and "already open" not in r.text
