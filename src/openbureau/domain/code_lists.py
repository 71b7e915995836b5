"""Metro 2 code lists, as data, with plain-language wording for the consumer's report.

The lists live in ``data/metro2_codes.json`` (where they come from is said there: the CRRG is the
authority; the codes were read from moov-io/metro2 and the CFPB's evaluator, the wording is ours).
Every list is loaded once, on first use, and never changes at run time.

``*_codes()`` answer the set of valid codes (validation), ``*_text(code)`` the wording shown on a
report (``None`` for a code not in the list, so a caller can fall back to showing the code).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

_FILE = "metro2_codes.json"


@cache
def _data() -> dict[str, Any]:
    text = resources.files("openbureau.domain").joinpath("data", _FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _table(name: str) -> dict[str, str]:
    raw = _data()[name]
    if name == "account_type":
        return {code: str(entry["text"]) for code, entry in raw.items()}
    return {str(k): str(v) for k, v in raw.items()}


def source_note() -> str:
    """Where the lists come from (shown in the documentation)."""
    return str(_data()["_source"])


def codes(name: str) -> frozenset[str]:
    """The codes of list ``name`` (e.g. ``"special_comment"``)."""
    return frozenset(_table(name))


def text(name: str, code: str | None) -> str | None:
    """The wording of ``code`` in list ``name``; None when absent or not in the list."""
    if code is None:
        return None
    return _table(name).get(code.strip())


def list_names() -> tuple[str, ...]:
    return tuple(k for k in _data() if not k.startswith("_") and k != "payment_rating_statuses")


# -- the lists by name -------------------------------------------------------------------------

def special_comment_codes() -> frozenset[str]:
    return codes("special_comment")


def special_comment_text(code: str | None) -> str | None:
    return text("special_comment", code)


def compliance_condition_codes() -> frozenset[str]:
    return codes("compliance_condition")


def compliance_condition_text(code: str | None) -> str | None:
    return text("compliance_condition", code)


def creditor_classification_codes() -> frozenset[str]:
    return codes("creditor_classification")


def creditor_classification_text(code: str | None) -> str | None:
    return text("creditor_classification", code)


def account_type_codes() -> frozenset[str]:
    return codes("account_type")


def account_type_text(code: str | None) -> str | None:
    return text("account_type", code)


@cache
def portfolio_types_of(account_type: str) -> frozenset[str]:
    """The portfolio types an account type is normally reported with (empty if unknown)."""
    entry = _data()["account_type"].get(account_type)
    return frozenset(entry["portfolio_types"]) if entry else frozenset()


def account_status_codes() -> frozenset[str]:
    return codes("account_status")


def payment_rating_codes() -> frozenset[str]:
    return codes("payment_rating")


@cache
def payment_rating_statuses() -> frozenset[str]:
    """Account statuses that carry a Payment Rating (blank with every other status)."""
    return frozenset(_data()["payment_rating_statuses"])


def payment_history_text(code: str | None) -> str | None:
    return text("payment_history", code)


def ecoa_codes() -> frozenset[str]:
    return codes("ecoa")


def address_indicator_codes() -> frozenset[str]:
    return codes("address_indicator")


def address_indicator_text(code: str | None) -> str | None:
    return text("address_indicator", code)


def residence_code_text(code: str | None) -> str | None:
    return text("residence_code", code)


def consumer_information_indicator_codes() -> frozenset[str]:
    return codes("consumer_information_indicator")


def terms_frequency_text(code: str | None) -> str | None:
    return text("terms_frequency", code)


def interest_type_text(code: str | None) -> str | None:
    return text("interest_type", code)


def generation_code_text(code: str | None) -> str | None:
    return text("generation_code", code)
