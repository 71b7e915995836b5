"""Bounds on what any entry point may send: amounts, currency codes, case numbers, dates, names
and free text.

One rule in one place: the record schema (``fields.FieldReader``, ``records_fast``), the listing
rule (``registry.listing_order``) and the services behind every API route, page and command
call these, so a form or a command cannot store what the API refuses. Each ``*_error`` function
answers the message of the field error, or None when the value is acceptable.

Names: a name must contain a letter, and no character that is invisible or changes how the text
around it is shown -- control characters (NUL ...), format characters (right-to-left and
left-to-right marks, embeddings, overrides and isolates, zero-width space, word joiner, byte order
mark, soft hyphen ...), line and paragraph separators, private-use, unassigned and surrogate code
points. Such a name is refused, never silently cleaned: what is stored is what was sent. The one
exception is the zero-width (non-)joiner between two letters, which Persian and the Indic scripts
write inside words (``docs/security.md``, "One validation for every entry point").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from openbureau.domain.errors import FieldError, ValidationFailed

MONEY_MAX = 10**15                  # minor units: ten trillion in a two-decimal currency
CURRENCY = re.compile(r"[A-Z]{3}\Z")
CURRENCY_MESSAGE = "must be an ISO 4217 code of three capital letters, such as USD"
CASE_NUMBER_MAX = 64
NAME_MAX = 120
# no date the bureau holds is older, or further ahead (a 40-year mortgage's balloon falls due
# well before 2100); a birth date, a judgment date, a term's end have tighter bounds below
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
# a court's "until" (a listing's or a restriction's term) at most this far ahead: the 2013
# provisions run a listing two years, extendable by one to three
UNTIL_HORIZON_YEARS = 10

NO_LETTER = "must contain a letter: a name of only spaces, punctuation or invisible characters " \
            "is no name"
INVISIBLE = ("must not contain control or invisible formatting characters (NUL, right-to-left "
             "or left-to-right marks, bidirectional embeddings or isolates, zero-width "
             "characters)")
FREE_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# categories refused in a name: controls, formats, surrogates, private use, unassigned,
# line and paragraph separators
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_JOINERS = frozenset("\u200c\u200d")
# letters by category that show as blanks (Hangul fillers): they do not make a name
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_ASCII_LETTER = re.compile("[A-Za-z]")


def _joins(c: str) -> bool:
    return unicodedata.category(c)[0] in "LM"


def invisible_error(value: str) -> str | None:
    """``INVISIBLE`` when ``value`` holds a character a name may not hold (module docstring)."""
    if value.isascii():
        return None if value.isprintable() else INVISIBLE
    last = len(value) - 1
    for i, c in enumerate(value):
        if unicodedata.category(c) in _REFUSED and not (
                c in _JOINERS and 0 < i < last and _joins(value[i - 1])
                and _joins(value[i + 1])):
            return INVISIBLE
    return None


def name_error(value: str) -> str | None:
    """Why ``value`` (stripped) is no name -- an invisible character, or no letter -- or None."""
    if value.isascii():
        if not value.isprintable():
            return INVISIBLE
        return None if _ASCII_LETTER.search(value) else NO_LETTER
    problem = invisible_error(value)
    if problem is not None:
        return problem
    if not any(unicodedata.category(c)[0] == "L" and c not in _BLANK_LETTERS for c in value):
        return NO_LETTER
    return None


def amount_error(value: object) -> str | None:
    """An amount is an integer number of minor units, 0 to ``MONEY_MAX``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of minor units (cents), not a fraction or a text"
    if value < 0:
        return "must not be negative"
    if value > MONEY_MAX:
        return f"must be at most {MONEY_MAX:,} minor units"
    return None


def currency_error(value: object) -> str | None:
    if not isinstance(value, str) or not CURRENCY.match(value):
        return CURRENCY_MESSAGE
    return None


def case_number_error(value: str) -> str | None:
    """A case number (stripped): 1 to ``CASE_NUMBER_MAX`` characters, a letter or digit among
    them, nothing invisible."""
    if not value:
        return "is required: the court's case number"
    if len(value) > CASE_NUMBER_MAX:
        return f"must be at most {CASE_NUMBER_MAX} characters"
    if invisible_error(value) is not None:
        return INVISIBLE
    if not any(c.isalnum() for c in value):
        return "must contain a letter or a digit"
    return None


def day_error(value: date, earliest: date = EARLIEST, latest: date = LATEST,
              *, after: str = "", before: str = "") -> str | None:
    """A date between ``earliest`` and ``latest`` (inclusive); ``after``/``before`` name the
    bounds in the message when they are not plain dates ("today")."""
    if isinstance(value, datetime):
        value = value.date()
    if value < earliest:
        return f"must not be before {after or earliest.isoformat()}"
    if value > latest:
        return f"must not be after {before or latest.isoformat()}"
    return None


def birth_date_error(value: date, today: date) -> str | None:
    """A date of birth: not before 1900, not in the future."""
    return day_error(value, EARLIEST, min(today, LATEST), before="today")


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:          # 29 February
        return day.replace(year=day.year + years, day=28)


def until_error(value: date, today: date) -> str | None:
    """The end of a court's term: after today, at most ``UNTIL_HORIZON_YEARS`` ahead."""
    if value <= today:
        return "must be after today"
    return day_error(value, latest=years_after(today, UNTIL_HORIZON_YEARS),
                     before=f"{UNTIL_HORIZON_YEARS} years from today")


def text_error(value: str, most: int) -> str | None:
    """Free text (stripped, not empty): at most ``most`` characters, no control character but
    tab and line breaks (PostgreSQL refuses NUL; a lone surrogate cannot be encoded)."""
    if len(value) > most:
        return f"must be at most {most} characters"
    if FREE_TEXT_CONTROLS.search(value):
        return "must not contain control characters (NUL ...) or unpaired surrogates"
    return None


def check_text(field: str, value: str, most: int) -> None:
    """``text_error`` as a ValidationFailed naming ``field``."""
    problem = text_error(value, most)
    if problem is not None:
        raise ValidationFailed([FieldError(field, problem)])


def check_name(field: str, value: str, most: int = NAME_MAX) -> str:
    """A name, stripped; ValidationFailed naming ``field`` when it is no name."""
    value = value.strip()
    if not value:
        raise ValidationFailed([FieldError(field, "is required")])
    if len(value) > most:
        raise ValidationFailed([FieldError(field, f"must be 1 to {most} characters")])
    problem = name_error(value)
    if problem is not None:
        raise ValidationFailed([FieldError(field, problem)])
    return value
