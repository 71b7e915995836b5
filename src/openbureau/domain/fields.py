"""Field-level checks shared by the furnished-record schema (``records``, ``record_parts``).

``check_fields`` refuses keys outside a closed set (naming a prohibited category when the key
belongs to one); ``FieldReader`` converts loosely typed values (JSON values or the strings a
CSV or Metro 2 reader yields) and collects a ``FieldError`` per bad field instead of raising.
Every text value is stripped; one holding a control character or an unpaired surrogate is a
field error, never an exception further down (a database or an encoder would raise on it).
Names follow ``bounds.name_error`` and dates lie between ``bounds.EARLIEST`` and
``bounds.LATEST`` (1900 to 2100).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from openbureau.domain import bounds
from openbureau.domain.errors import FieldError
from openbureau.domain.prohibited import category_of

# C0 and C1 control characters, DEL, and surrogates (only unpaired ones can be in a str)
BAD_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
BAD_TEXT_MESSAGE = "must not contain control characters or unpaired surrogates"


def check_fields(raw: Mapping[str, Any], allowed: tuple[str, ...] | frozenset[str],
                 prefix: str = "") -> list[FieldError]:
    """Errors for every key outside ``allowed``; prohibited categories are named."""
    errors = []
    for key in raw:
        if key in allowed:
            continue
        cat = category_of(str(key))
        if cat is not None:
            errors.append(FieldError(f"{prefix}{key}", f"prohibited data: {cat.label} ({cat.why})",
                                     category=cat.key))
        else:
            errors.append(FieldError(f"{prefix}{key}", "unknown field; not part of the "
                                     "credit-reporting schema"))
    return errors


class FieldReader:
    """Collects field errors (named ``prefix + name``) while converting loosely typed values."""

    def __init__(self, raw: Mapping[str, Any], prefix: str = "") -> None:
        self.raw = raw
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def error(self, name: str, message: str) -> None:
        self.errors.append(FieldError(self.prefix + name, message))

    def _get(self, name: str, required: bool) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                self.error(name, "is required")
            return None
        return value

    def text(self, name: str, required: bool = False, pattern: re.Pattern[str] | None = None,
             what: str = "", max_len: int | None = None) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(name, "must be a string")
            return None
        value = value.strip()
        if BAD_TEXT.search(value):
            self.error(name, BAD_TEXT_MESSAGE)
            return None
        if pattern is not None and not pattern.match(value):
            self.error(name, f"must be {what}")
            return None
        if max_len is not None and not 1 <= len(value) <= max_len:
            self.error(name, f"must be 1 to {max_len} characters")
            return None
        return value

    def name(self, name: str, required: bool = False, max_len: int = bounds.NAME_MAX,
             part: bool = False) -> str | None:
        """A person's name (``bounds.name_error``), or with ``part`` one of its parts (a
        surname, a first name...), which need no letter but hold nothing invisible either."""
        value = self.text(name, required, max_len=max_len)
        if value is None:
            return None
        problem = bounds.invisible_error(value) if part else bounds.name_error(value)
        if problem is not None:
            self.error(name, problem)
            return None
        return value

    def code(self, name: str, codes: frozenset[str] | tuple[str, ...], what: str,
             required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is not None and value not in codes:
            self.error(name, f"must be {what}")
            return None
        return value

    def money(self, name: str, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.error(name, "must be an integer amount in minor units")
            return None
        if isinstance(value, str):
            s = value.strip()
            if not (s.isascii() and s.isdigit()):     # "²".isdigit(), yet int("²") fails
                shown = s[:20] if not BAD_TEXT.search(s) else "(control characters)"
                self.error(name, f"must be a non-negative integer amount in minor units, got "
                                 f"{shown!r}")
                return None
            value = int(s)
        if not isinstance(value, int):
            self.error(name, "must be an integer amount in minor units")
            return None
        if value < 0 or value > bounds.MONEY_MAX:
            self.error(name, "must be between 0 and 10^15")
            return None
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, date):
            if not isinstance(value, str):
                self.error(name, "must be an ISO 8601 date (YYYY-MM-DD)")
                return None
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                shown = (value.strip()[:20] if not BAD_TEXT.search(value)
                         else "(control characters)")
                self.error(name, f"must be an ISO 8601 date (YYYY-MM-DD), got {shown!r}")
                return None
        problem = bounds.day_error(value)
        if problem is not None:
            self.error(name, problem)
            return None
        return value

    def choice(self, name: str, enum: type[StrEnum], required: bool = False) -> Any:
        value = self._get(name, required)
        if value is None:
            return None
        try:
            return enum(value.strip() if isinstance(value, str) else value)
        except ValueError:
            allowed = "|".join(m.value for m in enum)
            self.error(name, f"must be one of {allowed}")
            return None

    def nested(self, name: str) -> Mapping[str, Any] | None:
        """The object under ``name``, or None when absent; an error when it is not an object."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.error(name, "must be an object")
            return None
        return value
