"""The words a person reads for the file's values: dates, months, account names, payment-grid
codes, listing grounds and restriction categories. One source for the pages, the PDF and the
notices' rendered text, so the three never disagree ("OK" on the page and "0" in the PDF)."""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# short visible text for each payment-grid code (colour is never the only signal)
GRID_SHORT = {"0": "OK", "1": "30", "2": "60", "3": "90", "4": "120", "5": "150", "6": "180",
              "E": "OK", "G": "COL", "H": "FC", "J": "VS", "K": "REP", "L": "CO", "P": "PD",
              "C": "CL", "-": "–"}

ACCOUNT_KINDS = {"revolving": "credit card or credit line", "installment": "loan",
                 "mortgage": "mortgage", "open": "open account",
                 "collection": "collection account"}

GROUNDS = {
    "refuses_to_perform": "you have the means to perform the judgment but have not performed it",
    "obstructs_enforcement": "you obstructed or resisted enforcement",
    "evades_enforcement": "you evaded enforcement",
    "false_asset_report": "you made a false report of your assets",
    "breaches_consumption_restriction": "you breached a restriction on spending",
    "breaches_settlement": "you breached a settlement agreement without good reason",
}

RESTRICTIONS = {
    "air_travel": "air travel", "first_class_rail": "first-class and high-speed rail travel",
    "star_hotels": "stays in star-rated hotels", "property_purchase": "buying property",
    "luxury_rental": "renting luxury premises", "vehicle_purchase": "buying non-essential vehicles",
    "leisure_travel": "leisure travel", "high_premium_insurance": "high-premium insurance",
}


def words(value: object) -> str:
    """A code in words: underscores to spaces; "—" for nothing."""
    return "—" if value is None or value == "" else str(value).replace("_", " ")


def as_date(value: date | datetime | str | None) -> date | datetime | None:
    """``value`` as a date (or datetime) when it is one or an ISO 8601 string of one."""
    if value is None or isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def long_date(value: date | datetime | str | None) -> str:
    """"3 December 2026"; "—" for no date; a string that is not a date unchanged."""
    d = as_date(value)
    if d is None:
        return "—" if value is None else str(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_label(month: str) -> str:
    """"2024-11" as "Nov 2024"."""
    year, _, m = month.partition("-")
    return f"{MONTHS[int(m) - 1][:3]} {year}" if m.isdigit() and 1 <= int(m) <= 12 else month


def month_short(month: str) -> tuple[str, str]:
    """"2024-11" as ("Nov", "2024"): a grid cell's two lines."""
    name, _, year = month_label(month).partition(" ")
    return name, year


def grid_short(code: str) -> str:
    return GRID_SHORT.get(code, code)


def _last_digits(account_ref: str) -> str:
    tail = re.sub(r"[^0-9A-Za-z]", "", account_ref)[-4:]
    return tail or account_ref[-4:]


def account_name(furnisher: str, kind: str | None, account_ref: str) -> str:
    """"Demo First Bank loan ending 0010": who, what kind, and the last four characters of the
    furnisher's account number (never the whole number: it may be a card number)."""
    what = ACCOUNT_KINDS.get(kind or "", words(kind) if kind else "account")
    return f"{furnisher} {what} ending {_last_digits(account_ref)}"


def record_name(court: str, case_number: str) -> str:
    return f"{court}, case {case_number}"


def ground(value: str | None) -> str:
    return GROUNDS.get(value or "", words(value))


def restriction(value: str | None) -> str:
    return RESTRICTIONS.get(value or "", words(value))
