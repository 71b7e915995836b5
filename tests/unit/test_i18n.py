"""Two languages: the negotiation (setting, Accept-Language with q-values, profile), the formats
per locale (English exactly as before), the letters in Chinese, and the catalogue itself: every
marked string translated, placeholders kept, the committed .mo compiled from the committed .po."""

from __future__ import annotations

import gettext
import io
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from openbureau.adapters import i18n
from openbureau.domain import wording
from openbureau.domain.letters import Context, letter
from openbureau.domain.money import format_money
from openbureau.domain.profiles import PROFILES
from tests.conftest import REPO
from tests.unit.test_letters import ADVERSE, LISTING

PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
ZH = i18n.language("zh-CN")
EN = i18n.language("en")
HAN = re.compile(r"[\u4e00-\u9fff]")


# -- negotiation ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "locale"), [
    ("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans", "zh-CN"), ("zh_hans_cn", "zh-CN"),
    ("ZH-cn", "zh-CN"), ("zh-SG", "zh-CN"), ("en", "en"), ("en-GB", "en"), ("en_US", "en"),
    ("zh-TW", None), ("zh-Hant", None), ("zh-HK", None), ("fr", None), ("*", None), ("", None),
    (None, None)])
def test_a_tag_asks_for_a_supported_locale_or_none(tag, locale):
    assert i18n.supported(tag) == locale


@pytest.mark.parametrize(("header", "ranked"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", ["zh-CN", "en"]),
    ("en;q=0.5, zh-CN;q=0.9", ["zh-CN", "en"]),          # q-values, not order
    ("en, zh-CN", ["en", "zh-CN"]),                       # ties keep the header's order
    ("fr-FR, zh;q=0.3, en;q=0.2", ["zh-CN", "en"]),       # unsupported ones skipped
    ("zh-CN;q=0, en", ["en"]),                            # q=0: not acceptable
    ("zh-TW, en;q=0.1", ["en"]),                          # traditional script is not zh-CN
    ("zh-CN;q=abc", []),                                  # a broken q counts as 0
    ("*", []), ("", []), (None, []),
])
def test_accept_language_is_ranked_by_q_values(header, ranked):
    assert i18n.accepted(header) == ranked


def test_the_setting_wins_then_the_browser_then_the_profile():
    assert i18n.negotiate("en", "zh-CN", "zh-CN") == "en"
    assert i18n.negotiate("zh-CN", "en", "en") == "zh-CN"
    assert i18n.negotiate(None, "zh-CN;q=0.8, en;q=0.9", "zh-CN") == "en"
    assert i18n.negotiate("fr", "de, zh;q=0.5", "en") == "zh-CN"    # unsupported setting
    assert i18n.negotiate(None, "de", "zh-CN") == "zh-CN"           # nothing from the browser
    assert i18n.negotiate(None, None, None) == "en"


def test_the_profiles_name_their_language():
    assert PROFILES["cn-cri"].language == "zh-CN"
    assert PROFILES["us-fcra"].language == PROFILES["eu-gdpr"].language == "en"
    assert all(i18n.supported(p.language) == p.language for p in PROFILES.values())


# -- formats --------------------------------------------------------------------------------------

DAY = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 20, 3, 38, tzinfo=UTC)


def test_english_formats_are_the_ones_the_pages_always_had():
    for amount, currency in [(123450, "USD"), (-5, "USD"), (1234, "JPY"), (1234567, "BHD"),
                             (10**22 + 7, "CNY"), (99, None), (0, "EUR")]:
        assert EN.money(amount, currency) == format_money(amount, currency)
    assert EN.money(None, "USD") == "—"
    for value in [DAY, AT, "2026-12-03", "2026-12-03T20:03:38+00:00", "not a date", None]:
        assert EN.long_date(value) == wording.long_date(value)
    assert EN.day(AT) == "2026-12-03 20:03 UTC" and EN.day(DAY) == "2026-12-03"
    assert EN.day(None) == "—" and EN.day("soon") == "soon"
    for month in ["2024-11", "2024-01", "junk", "2024-13"]:
        assert EN.month_label(month) == wording.month_label(month)
        assert EN.month_short(month) == wording.month_short(month)


def test_chinese_formats_by_babel():
    assert ZH.long_date(DAY) == "2026年12月3日"
    assert ZH.long_date("2026-12-03T20:03:38+00:00") == "2026年12月3日"
    assert ZH.day(AT) == "2026年12月3日 20:03 UTC"
    assert ZH.month_label("2024-11") == "2024年11月"
    assert ZH.month_short("2024-11") == ("11月", "2024")
    assert ZH.money(250000, "CNY") == "¥2,500.00"
    assert ZH.money(123450, "USD") == "US$1,234.50"
    assert ZH.money(1234, "JPY") == "JP¥1,234"             # ISO 4217 digits: yen have none
    assert ZH.money(10**22 + 7, "CNY") == "¥100,000,000,000,000,000,000.07"   # exact
    assert ZH.number(1234567) == "1,234,567" and ZH.percent(0.5) == "50%"


def test_a_datetime_in_another_zone_is_shown_as_given():
    east = datetime(2026, 12, 3, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert EN.day(east) == east.strftime("%Y-%m-%d %H:%M UTC")


# -- letters --------------------------------------------------------------------------------------

def test_the_adverse_action_notice_in_chinese():
    ctx = Context("openbureau demo", "disputes@example.org", None, ZH)
    text = letter("adverse_action", "Your application was declined by Acme Lending",
                  ADVERSE, ctx).text()
    assert text.startswith("您的申请已被Acme Lending拒绝\n\n")
    assert "2026年12月3日，Acme Lending拒绝了您的申请（信贷申请）。" in text
    assert ("您的信用评分为575分（评分范围350至950分），计算日期为2026年11月1日，所用模型为"
            "gmsc-2026.11.1。") in text
    # factors not in the catalogue keep their words, with the points in Chinese
    assert "- Balances are high compared with limits.（扣减40分）" in text
    # the rights written anew from the profile (us-fcra: 52 reports a year, 30 + 15 days)
    assert "每年可免费获取52次" in text
    assert "30日内处理完毕（如您在处理期间补充信息，则为45日）" in text
    assert "openbureau demo并未作出该决定" in text
    assert text.endswith("联系方式：openbureau demo，disputes@example.org。")
    assert "None" not in text and "{" not in text


def test_a_scorecard_reason_is_translated_in_the_key_factors():
    reason = ("Payments 30 to 59 days late in the last 24 months. Paying every account on time "
              "helps; late payments stop counting here after 24 months.")
    body = {**ADVERSE, "key_factors": [{"code": "R02", "text": reason, "points_lost": 26}]}
    text = letter("adverse_action", "t", body, Context(language=ZH)).text()
    assert "- 近24个月内有逾期30至59天的还款。" in text and "（扣减26分）" in text


def test_the_listing_notice_in_chinese():
    text = letter("listing", "Demo District Court has listed you as a judgment debtor "
                  "(case (2026) Civ 2)", {**LISTING, "currency": "CNY"},
                  Context(language=ZH)).text()
    assert text.startswith("Demo District Court已将您列入失信被执行人名单（案号：(2026) Civ 2）")
    assert "金额为¥2,500.00" in text and "有履行能力而拒不履行" in text
    assert "- 乘坐飞机，自2026年10月5日起，至移出名单时止" in text
    # stored in English with its number
    assert "您可以对本次列入名单提出异议，法院将在15日内作出决定。" in text


@pytest.mark.parametrize("kind", ["dispute_result", "freeze_placed", "freeze_lifted",
                                  "fraud_alert_placed", "objection", "objection_decision",
                                  "listing_lifted"])
def test_every_letter_reads_in_chinese(kind):
    body = {"result": "deleted", "answered_at": "2026-12-01T10:00:00+00:00",
            "item_kind": "account", "item_ref": "acc_1", "placed_at": "2026-12-01",
            "lifted_at": "2026-12-02", "kind": "initial", "expires_at": "2027-12-01",
            "court": "Demo District Court", "case_number": "(2026) Civ 2", "outcome": "upheld",
            "opened_at": "2026-12-01", "due_at": "2026-12-16", "status": "satisfied",
            "explanation": "The furnisher deleted the item; it is no longer on your file."}
    text = letter(kind, "English title", body, Context(language=ZH)).text()
    assert "English title" not in text and HAN.search(text.split("\n\n")[0]), text
    for block in text.split("\n\n"):
        assert HAN.search(block), block       # no paragraph left in English


# -- the catalogue --------------------------------------------------------------------------------

def _extracted() -> set[str]:
    """Every msgid ``make messages`` extracts (babel.cfg): the same extraction, in process."""
    with (REPO / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {msg if isinstance(msg, str) else msg[0]      # a plural: its singular
            for _, _, msg, *_ in extract_from_dir(str(REPO), method_map, options_map)}


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every translated entry; a plural's forms each against its msgid."""
    out = []
    for m in read_po(PO.open("rb")):
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        out += [(i, s) for i in ids for s in strings if s]
    return out


def test_every_marked_string_has_a_chinese_translation():
    translated = {msgid for msgid, _ in _entries()}
    missing = sorted(_extracted() - translated)
    assert missing == [], f"untranslated (run `make messages`, translate the .po): {missing}"


def test_translations_keep_their_placeholders():
    for msgid, msgstr in _entries():
        ids = set(re.findall(r"%\(\w+\)s", msgid))
        assert set(re.findall(r"%\(\w+\)s", msgstr)) == ids, msgid
        assert "%" not in re.sub(r"%\(\w+\)s|%%|\d+%", "", msgstr), msgstr


def test_the_committed_mo_is_compiled_from_the_committed_po():
    catalogue = read_po(PO.open("rb"))
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    def entries(mo: io.BufferedIOBase) -> dict[object, object]:
        def key(v: object) -> object:                     # a plural's forms come as lists
            return tuple(v) if isinstance(v, list) else v
        return {key(m.id): key(m.string) for m in read_mo(mo) if m.id}

    fresh = entries(io.BytesIO(compiled.getvalue()))
    committed = entries(MO.open("rb"))
    assert committed == fresh, "run `make messages` (or pybabel compile) and commit the .mo"
    # and the app reads it
    assert gettext.GNUTranslations(MO.open("rb")).gettext("My report") == "我的信用报告"


def test_account_and_record_names_in_each_language():
    assert wording.account_name("Demo First Bank", "installment", "LN-0010") == \
        "Demo First Bank loan ending 0010"
    assert wording.account_name("Demo First Bank", "installment", "LN-0010", ZH.gettext) == \
        "Demo First Bank贷款（尾号0010）"
    assert wording.account_name("招商银行", "revolving", "4111000011112222", ZH.gettext) == \
        "招商银行信用卡或授信额度（尾号2222）"
    assert wording.record_name("Demo District Court", "(2026) Civ 1", ZH.gettext) == \
        "Demo District Court，案号(2026) Civ 1"


def test_a_month_in_words_and_counts_in_each_language():
    from openbureau.domain.letters import ENGLISH

    assert EN.month(DAY) == ENGLISH.month(DAY) == "December 2026"
    assert ZH.month(DAY) == "2026年12月"
    assert ENGLISH.ngettext("%(n)s month", "%(n)s months", 1) == "%(n)s month"
    assert EN.ngettext("%(n)s month", "%(n)s months", 2) == "%(n)s months"


def test_a_refusal_in_chinese():
    """What a form refuses, as a person reads it on a Chinese page: the sentence from the
    catalogue, its numbers and its date as placeholders, its field in words; English and a
    sentence the catalogue lacks unchanged."""
    zh, en = i18n.language("zh-CN"), i18n.language("en")
    assert zh.message("must not be empty") == "不能为空"
    assert zh.message("text: must not be empty") == "内容：不能为空"
    assert zh.message("password: must be at least 10 characters") == "密码：至少需要10个字符"
    assert zh.message("changes[0].reason: must not be empty") == "理由：不能为空"
    assert zh.message("name: a name of fewer than 6 letters must be searched with the last 4 "
                      "characters of the identifier or the court") == \
        "姓名：姓名少于6个字时，须同时提供证件号码后4位或法院"
    assert zh.message("text: must not be empty; reason: must say what is wrong with the item") \
        == "内容：不能为空；理由：必须说明该项目哪里有误"
    assert zh.message("Not Found") == "未找到该页面"
    assert zh.message("no such thing: 12 of them") == "no such thing: 12 of them"
    assert en.message("text: must not be empty") == "text: must not be empty"


def test_the_consumers_conflicts_in_chinese():
    """The refusals a consumer meets on the rights pages and at sign-in, as the services raise
    them, read in Chinese: the lock-out's seconds and the alert's date carried over."""
    from openbureau.domain.errors import NO_ITEM
    from openbureau.services import access, protections, rights

    zh = i18n.language("zh-CN")
    assert zh.message(NO_ITEM) == "您的档案中没有此编号的项目"
    assert zh.message(f"items[0]: {protections.NO_ITEM}") == "项目：您的档案中没有此编号的账户"
    assert zh.message("your file is not frozen") == "您的档案未被冻结"
    locked = access.SIGNIN_LOCKED % {"n": 42}
    assert locked.endswith("try again in 42 seconds")
    assert zh.message(locked) == "该证件号码从此地址登录失败次数过多，请在42秒后重试"
    active = rights.ALERT_ACTIVE["initial"] % {"date": "2027-03-07"}
    assert active == "an initial fraud alert is already active until 2027-03-07"
    assert zh.message(active) == "初始欺诈警报已生效，有效期至2027年3月7日"


def test_refusals_with_words_in_them_in_chinese():
    """A refusal whose template carries words, not only numbers ("must be one of %(choices)s",
    "at most %(n)s %(what)s per %(span)s"), as the services raise it, is found again in the
    catalogue and read in Chinese: codes kept, words and dates in Chinese."""
    from datetime import timedelta

    from openbureau.adapters import rate_limit
    from openbureau.domain import consents as consent_rules
    from openbureau.domain import disputes as dispute_rules
    from openbureau.domain.errors import ONE_OF
    from openbureau.scoring import simulator
    from openbureau.services import consents, objections, rights

    zh = i18n.language("zh-CN")
    one_of = ONE_OF % {"choices": "account|public_record|identity"}
    assert zh.message(f"item.kind: {one_of}") == \
        "类型：必须是以下之一：account|public_record|identity"
    limited = rate_limit.LIMITED % {"n": 5, "what": "searches",
                                    "span": rate_limit._span(rate_limit.MINUTE), "seconds": 30}
    assert limited == "at most 5 searches per minute; try again in 30 seconds"
    assert zh.message(limited) == "每分钟最多5次搜索，请在30秒后重试"
    daily = rate_limit.LIMITED % {"n": 3, "what": "sign-in attempts",
                                  "span": rate_limit._span(timedelta(seconds=90)), "seconds": 7}
    assert zh.message(daily) == "每90秒最多3次登录尝试，请在7秒后重试"
    assert zh.message(objections.NOT_ACTIVE % {"status": "satisfied"}) == \
        "该名单记录状态为已履行；只能对有效的名单记录提出异议"
    assert zh.message(dispute_rules.CLOSED % {"status": "verified"}) == \
        "该争议已结束（状态：已核实）；可以就该项目提出新的争议"
    revoke = consents.NOT_REVOCABLE % {"profile": "cn-cri", "title": "China: Credit Reporting "
                                       "Industry Regulation (2013)", "date": "2027-01-02"}
    assert zh.message(revoke) == \
        "中国：《征信业管理条例》（2013年）（cn-cri）规则下不能撤回授权；该授权于2027年1月2日到期"
    assert zh.message(consents.NOT_ORGANISATION[consents.Role.MEMBER] % {"name": "Acme"}) == \
        "没有名为Acme的会员机构"
    purpose = consent_rules.NOT_PERMISSIBLE % {"profile": "us-fcra"}
    assert zh.message(f"purpose: {purpose}; scope: {consent_rules.NO_SCOPE}") == \
        "用途：在us-fcra规则下不是合法目的；范围：请至少指明一个范围（信用报告、收入）"
    assert zh.message(rights.NO_FREEZE % {"profile": "cn-cri", "title": "x"}).startswith(
        "x（cn-cri）规则下不提供安全冻结")
    unknown = simulator.UNKNOWN_KIND % {"kind": "'nope'", "choices": "pay_down, pay_off"}
    assert zh.message(f"changes[0].kind: {unknown}") == \
        "类型：未知的变化类型'nope'；应为以下之一：pay_down, pay_off"
    assert zh.message(simulator.BETWEEN % {"n": 1, "n2": 120, "n3": 500}) == \
        "必须在1到120之间，收到的是500"
    # two refusals joined: a template's value stops at the next one
    assert zh.message(f"item.kind: {one_of}; reason: must say what is wrong with the item") == \
        "类型：必须是以下之一：account|public_record|identity；理由：必须说明该项目哪里有误"
    # "field: problem" is read as such, not as some template ending in the problem's words
    assert zh.message("items[0]: no account with this reference on your file") == \
        "项目：您的档案中没有此编号的账户"
    # pydantic's list of choices: its "or" in the language, the codes as written
    assert zh.message("kind: Input should be 'initial', 'extended' or 'active_duty'") == \
        zh.gettext("%(field)s: %(value)s") % {
            "field": zh.words("kind"),
            "value": zh.gettext("Input should be %(expected)s") % {
                "expected": "'initial'、'extended'或'active_duty'"}}
    # English stays as written; a sentence the catalogue lacks too
    en = i18n.language("en")
    assert en.message("kind: Input should be 'a' or 'b'") == "kind: Input should be 'a' or 'b'"
    assert en.message(limited) == limited
    assert zh.message("at most 5 gremlins per fortnight") == "at most 5 gremlins per fortnight"


def test_a_date_in_a_stored_sentence_is_written_in_the_language():
    from openbureau.domain.letters import in_language

    class Catalogue:
        code = "zh-CN"

        def gettext(self, message: str) -> str:
            return {"must not be before %(date)s": "不得早于%(date)s"}.get(message, message)

        def long_date(self, value: object) -> str:
            return i18n.language("zh-CN").long_date(value)  # type: ignore[arg-type]

    catalogue: Any = Catalogue()
    assert in_language(catalogue, "must not be before 2026-12-07") == "不得早于2026年12月7日"
    assert in_language(catalogue, "must not be after 2026-12-07") == \
        "must not be after 2026-12-07"


def test_each_pair_row_is_named_in_chinese():
    """The simulator names a pair row whose points moved (``scoring.pair_words.pair_text``): the
    shipped models' pair rows are in the catalogue."""
    import json

    from openbureau.scoring.pair_words import pair_words

    zh = i18n.language("zh-CN")
    pairs = [p for path in sorted((REPO / "src/openbureau/scoring/models").glob("*.json"))
             for p in json.loads(path.read_text()).get("pairs", [])]
    assert pairs
    for p in pairs:
        words = pair_words(p["x"], p["y"])
        assert re.search(r"[\u4e00-\u9fff]", zh.gettext(words)) and \
            not re.search(r"[A-Za-z]", zh.gettext(words)), words
