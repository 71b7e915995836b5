"""The languages a person reads: English and Simplified Chinese.

One negotiation (:func:`negotiate`: the person's setting, else their browser's
``Accept-Language`` with its q-values, else the profile's language) and one set of formats
(:class:`Language`: dates, months, money, numbers by Babel, and the gettext catalogue of
``openbureau/locale``), shared by the pages, the PDF and the notices' letters.

English is the source language: its catalogue is empty and its formats are the ones the pages
always had ("3 December 2026", "1,234.50 USD"). Catalogues are edited as ``.po`` files and
committed with the ``.mo`` Babel compiles from them (``make messages``; docs/translations.md).
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from openbureau.domain import wording
from openbureau.domain.letters import in_language
from openbureau.domain.money import digits

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = "messages"
DEFAULT = "en"
LOCALES = ("en", "zh-CN")      # BCP 47 tags, as in <html lang> and Accept-Language
COOKIE = "lang"                # the person's setting on the web (docs/translations.md)
NAMES = {"en": "English", "zh-CN": "简体中文"}   # each in its own language, for the switcher
_FIELD = re.compile(r"[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*")   # "restrictions[0].until"


def supported(tag: str | None) -> str | None:
    """The supported locale a language tag asks for, or None: "zh", "zh-CN", "zh-Hans",
    "zh_hans_cn" ask for Simplified Chinese; "zh-TW", "zh-HK" and "zh-Hant" (traditional
    script) do not; "en", "en-GB" ask for English."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        rest = set(parts[1:])
        if rest & {"hant", "tw", "hk", "mo"}:
            return None
        return "zh-CN"
    return None


def accepted(header: str | None) -> list[str]:
    """The supported locales an ``Accept-Language`` header accepts, most preferred first
    (q-values honoured, ties in header order, ``q=0`` refused, "*" ignored)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        locale = supported(tag)
        if locale is not None and q > 0:
            ranked.append((-q, i, locale))
    out: list[str] = []
    for _, _, locale in sorted(ranked):
        if locale not in out:
            out.append(locale)
    return out


def negotiate(setting: str | None, accept_language: str | None, default: str | None) -> str:
    """The locale to answer in: the person's ``setting`` if supported, else the first of
    ``Accept-Language`` supported, else ``default`` (the profile's language), else English."""
    for choice in (supported(setting), *accepted(accept_language), supported(default)):
        if choice is not None:
            return choice
    return DEFAULT


# -- formats and catalogue -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Patterns:
    long_date: str           # 3 December 2026
    date: str                # 2026-12-03 (a table's date)
    datetime: str            # 2026-12-03 20:03 UTC
    month: str               # Nov 2024
    month_long: str          # November 2024
    month_name: str          # Nov (a payment grid's cell)
    money: str               # "#,##0 ¤¤"; the fraction digits are the currency's (ISO 4217)
    separator: str           # between two refusals in one message: "; "


_PATTERNS = {
    "en": _Patterns("d MMMM y", "yyyy-MM-dd", "yyyy-MM-dd HH:mm 'UTC'", "MMM y", "MMMM y",
                    "MMM", "#,##0 ¤¤", "; "),
    "zh-CN": _Patterns("y年M月d日", "y年M月d日", "y年M月d日 HH:mm 'UTC'", "y年M月", "y年M月",
                       "M月", "¤#,##0", "；"),
}


@dataclass(frozen=True)
class Language:
    """A locale's words and formats. Implements ``domain.letters.Language``."""

    code: str
    translations: gettext.NullTranslations = field(repr=False)

    @property
    def babel(self) -> str:
        return self.code.replace("-", "_")

    @property
    def patterns(self) -> _Patterns:
        return _PATTERNS[self.code]

    def gettext(self, message: str) -> str:
        # gettext("") is the catalogue's header, never a translation of nothing
        return self.translations.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def words(self, code: object, none: str = "—") -> str:
        """A code in words ("in_force" as "in force"), translated when the catalogue has it;
        ``none`` for no code."""
        return self.gettext(str(code).replace("_", " ")) if code else none

    def long_date(self, value: date | datetime | str | None) -> str:
        """"3 December 2026", "2026年12月3日"; "—" for none; a non-date string unchanged."""
        d = wording.as_date(value)
        if d is None:
            return "—" if value is None else str(value)
        return format_date(d, self.patterns.long_date, locale=self.babel)

    def day(self, value: date | datetime | str | None) -> str:
        """A table's date or time: "2026-12-03", "2026-12-03 20:03 UTC"."""
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return format_datetime(value, self.patterns.datetime, locale=self.babel)
        if isinstance(value, date):
            return format_date(value, self.patterns.date, locale=self.babel)
        return str(value)

    def month_label(self, month: str) -> str:
        """"2024-11" as "Nov 2024", "2024年11月"."""
        year, _, m = month.partition("-")
        if not (year.isdigit() and m.isdigit() and 1 <= int(m) <= 12):
            return month
        return format_date(date(int(year), int(m), 1), self.patterns.month, locale=self.babel)

    def month(self, value: date | datetime) -> str:
        """The month of a date: "October 2026", "2026年10月"."""
        return format_date(value, self.patterns.month_long, locale=self.babel)

    def month_short(self, month: str) -> tuple[str, str]:
        """"2024-11" as ("Nov", "2024"): a grid cell's two lines."""
        year, _, m = month.partition("-")
        if not (year.isdigit() and m.isdigit() and 1 <= int(m) <= 12):
            return wording.month_short(month)
        return (format_date(date(int(year), int(m), 1), self.patterns.month_name,
                            locale=self.babel), year)

    def money(self, amount: int | None, currency: str | None) -> str:
        """Integer minor units in major units with the currency: "1,234.50 USD" in English,
        "US$1,234.50" / "¥1,234.50" in Chinese; exact (Decimal); "—" for no amount."""
        if amount is None:
            return "—"
        n = digits(currency)
        value = Decimal(amount).scaleb(-n)
        if not currency:
            return self.number(value, n)
        frac = "." + "0" * n if n else ""
        pattern = self.patterns.money.replace("#,##0", "#,##0" + frac)
        return format_currency(value, currency.strip().upper(), format=pattern,
                               locale=self.babel, currency_digits=False)

    def number(self, value: int | float | Decimal | None, fraction: int | None = None) -> str:
        """A number with the locale's grouping ("12,345"); ``fraction`` fixed decimals."""
        if value is None:
            return "—"
        if fraction is None:
            return format_decimal(value, locale=self.babel)
        pattern = "#,##0" + ("." + "0" * fraction if fraction else "")
        return format_decimal(value, format=pattern, locale=self.babel)

    def percent(self, ratio: float | None, fraction: int = 0) -> str:
        """A ratio as a percentage: 0.345 as "35%" (or "34.5%" with one decimal)."""
        if ratio is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * fraction if fraction else "") + "%"
        return format_percent(ratio, format=pattern, locale=self.babel)

    def message(self, text: object) -> str:
        """A refusal a person reads on a page ("date_of_birth: is required", several joined by
        "; ") in this language: each sentence found in the catalogue as ``letters.in_language``
        finds it, a field named in words; a sentence the catalogue lacks stays as written."""
        text = str(text)
        if self.code == DEFAULT:
            return text
        whole = self._sentence(text)
        if whole != text:
            return whole
        field, colon, problem = text.partition(": ")
        if colon and _FIELD.fullmatch(field) and self._sentence(problem) != problem:
            return self._refusal(text)     # one refusal whose own words hold a "; "
        return self.patterns.separator.join(self._refusal(part) for part in text.split("; "))

    def _sentence(self, text: str) -> str:
        """One sentence as ``letters.in_language`` finds it, else as an instance of one of the
        catalogue's templates with named placeholders ("must be one of %(choices)s": "must be
        one of account|identity"), each value itself in this language (a date, a word the
        catalogue has, a number) or as written (a code)."""
        found = in_language(self, text)
        field, colon, _ = text.partition(": ")
        if found != text or (colon and _FIELD.fullmatch(field)):
            return found         # "field: problem" is read as such (``_refusal``)
        for pattern, msgid in _templates(self.code):
            match = pattern.fullmatch(text)
            if match is not None:
                values = {k: self._value(v) for k, v in match.groupdict().items()}
                return str(self.gettext(msgid) % values)
        return text

    def _value(self, value: str) -> str:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return self.long_date(value)
        if _CHOICES.fullmatch(value):     # pydantic's "'a', 'b' or 'c'": the codes as written
            return format_list([f"'{c}'" for c in re.findall(r"'([^']*)'", value)],
                               style="or", locale=self.babel)
        return in_language(self, value)

    def _refusal(self, text: str) -> str:
        whole = self._sentence(text)
        field, colon, problem = text.partition(": ")
        if whole != text or not colon or not _FIELD.fullmatch(field):
            return whole
        name = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
        return self.gettext("%(field)s: %(value)s") % {"field": self.words(name),
                                                         "value": self._refusal(problem)}

    def filters(self) -> Mapping[str, object]:
        """The Jinja filters every template uses for this locale (pages and PDF alike)."""
        return {"money": self.money, "when": self.day, "day": self.day,
                "long_date": self.long_date, "month_label": self.month_label,
                "number": self.number, "percent": self.percent, "words": self.words,
                "translate": self.gettext, "message": self.message}


# a list of choices as pydantic writes it ("'a', 'b' or 'c'")
_CHOICES = re.compile(r"'[^']*'(?:, '[^']*')* or '[^']*'")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# a placeholder's value: anything short of the next refusal of a joined list ("; field: ...")
_VALUE = r"(?:(?!; [a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*: ).)+?"
# too general to be read back from a sentence (it would match any "x: y")
_NOT_TEMPLATES = frozenset({"%(field)s: %(value)s"})


@cache
def _templates(code: str) -> list[tuple[re.Pattern[str], str]]:
    """The catalogue's sentences with named placeholders and some words of their own, as
    patterns that read one back from its English (the most specific first): a refusal raised
    as ``N_("at most %(n)s %(what)s per %(span)s") % {...}`` is found again where it is shown.
    """
    catalogue: Mapping[object, str] = getattr(language(code).translations, "_catalog", {})
    out: list[tuple[int, re.Pattern[str], str]] = []
    for msgid in catalogue:
        if not isinstance(msgid, str) or msgid in _NOT_TEMPLATES or "%(" not in msgid:
            continue
        parts = _PLACEHOLDER.split(msgid)
        literal = "".join(parts[0::2]).replace("%%", "%")
        if len(literal.strip()) < 6:
            continue
        regex, seen = "", set()
        for i, part in enumerate(parts):
            if i % 2 == 0:
                regex += re.escape(part.replace("%%", "%"))
            elif part in seen:
                regex += f"(?P={part})"
            else:
                seen.add(part)
                regex += f"(?P<{part}>{_VALUE})"
        out.append((len(literal), re.compile(regex, re.DOTALL), msgid))
    out.sort(key=lambda t: -t[0])
    return [(pattern, msgid) for _, pattern, msgid in out]


@cache
def language(code: str) -> Language:
    """The :class:`Language` of a supported locale (English for anything else)."""
    code = supported(code) or DEFAULT
    if code == DEFAULT:
        return Language(code, gettext.NullTranslations())
    translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code.replace("-", "_")])
    return Language(code, translations)


# -- extraction (``make messages``) ---------------------------------------------------------------

def extract_reasons(fileobj: IO[bytes], keywords: object, comment_tags: object,
                    options: object) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor for a scorecard spec (babel.cfg): each reason's plain-language text (an
    attribute row's ``reason_text``, a pair row's ``reason_texts``), which the key factors of a
    notice, the page and the PDF show; and each pair row's name in words
    (``scoring.pair_words.pair_words``), which the simulator shows when a pair row's points move."""
    from openbureau.scoring.pair_words import pair_words

    raw = fileobj.read().decode("utf-8")
    seen: set[str] = set()

    def texts(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("reason_text") and isinstance(value, str):
                    yield value
                elif key == "reason_texts" and isinstance(value, dict):   # a pair row's
                    yield from (v for v in value.values() if isinstance(v, str))
                else:
                    yield from texts(value)
        elif isinstance(node, list):
            for value in node:
                yield from texts(value)

    for text in texts(json.loads(raw)):
        if text not in seen:
            seen.add(text)
            line = raw[:max(raw.find(json.dumps(text)[1:-1]), 0)].count("\n") + 1
            yield line, None, text, ["a scorecard reason: the key factor's words"]
    spec = json.loads(raw)
    for pair in spec.get("pairs", []) if isinstance(spec, dict) else []:
        text = pair_words(str(pair.get("x")), str(pair.get("y")))
        if text not in seen:
            seen.add(text)
            line = raw[:max(raw.find(f'"{pair.get("name")}"'), 0)].count("\n") + 1
            yield line, None, text, ["a pair row of the scorecard: a factor that moved"]
