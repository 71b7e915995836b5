"""The words a person reads for the file's values: dates, months, account names, payment-grid
codes, listing grounds and restriction categories. One source for the pages, the PDF and the
notices' rendered text, so the three never disagree ("OK" on the page and "0" in the PDF)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue (``make messages``) where it is written; it is
    translated where it is read (``adapters.i18n``)."""
    return message


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# short visible text for each payment-grid code (colour is never the only signal)
GRID_SHORT = {"0": "OK", "1": "30", "2": "60", "3": "90", "4": "120", "5": "150", "6": "180",
              "E": "OK", "G": "COL", "H": "FC", "J": "VS", "K": "REP", "L": "CO", "P": "PD",
              "C": "CL", "-": "–"}

ACCOUNT_KINDS = {"revolving": N_("credit card or credit line"), "installment": N_("loan"),
                 "mortgage": N_("mortgage"), "open": N_("open account"),
                 "collection": N_("collection account")}

GROUNDS = {
    "refuses_to_perform": N_("you have the means to perform the judgment but have not "
                             "performed it"),
    "obstructs_enforcement": N_("you obstructed or resisted enforcement"),
    "evades_enforcement": N_("you evaded enforcement"),
    "false_asset_report": N_("you made a false report of your assets"),
    "breaches_consumption_restriction": N_("you breached a restriction on spending"),
    "breaches_settlement": N_("you breached a settlement agreement without good reason"),
}

RESTRICTIONS = {
    "air_travel": N_("air travel"),
    "first_class_rail": N_("first-class and high-speed rail travel"),
    "star_hotels": N_("stays in star-rated hotels"), "property_purchase": N_("buying property"),
    "luxury_rental": N_("renting luxury premises"),
    "vehicle_purchase": N_("buying non-essential vehicles"),
    "leisure_travel": N_("leisure travel"), "high_premium_insurance": N_("high-premium insurance"),
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


def _same(message: str) -> str:
    return message


def account_name(furnisher: str, kind: str | None, account_ref: str,
                 gettext: Callable[[str], str] = _same) -> str:
    """"Demo First Bank loan ending 0010": who, what kind, and the last four characters of the
    furnisher's account number (never the whole number: it may be a card number); in the
    language of ``gettext``."""
    what = gettext(ACCOUNT_KINDS.get(kind or "", words(kind) if kind else N_("account")))
    return str(gettext(N_("%(furnisher)s %(kind)s ending %(digits)s")) % {
        "furnisher": furnisher, "kind": what, "digits": _last_digits(account_ref)})


def record_name(court: str, case_number: str, gettext: Callable[[str], str] = _same) -> str:
    return str(gettext(N_("%(court)s, case %(case)s")) % {"court": court, "case": case_number})


def ground(value: str | None) -> str:
    return GROUNDS.get(value or "", words(value))


def restriction(value: str | None) -> str:
    return RESTRICTIONS.get(value or "", words(value))


# The codes a person reads in words ("credit_application" as "credit application"): marked
# here for the catalogue, translated where they are shown (``adapters.i18n.Language.words``).
CODE_WORDS = (
    # purposes
    N_("credit application"), N_("account review"), N_("collection"),
    N_("tenancy application"), N_("insurance underwriting"), N_("employment"),
    N_("court order"), N_("consumer request"),
    # disputes and their results; decisions
    N_("open"), N_("verified"), N_("corrected"), N_("deleted"), N_("expired"),
    N_("unconfirmed"), N_("restricted"), N_("approved"), N_("declined"), N_("counteroffer"),
    N_("account"), N_("public record"), N_("identity"),
    # listings, their lifting and objections to them
    N_("active"), N_("satisfied"), N_("settled"), N_("terminated"), N_("vacated"),
    N_("removed"), N_("performance"), N_("settlement"), N_("termination"), N_("correction"),
    N_("reconsideration"), N_("upheld"), N_("rejected"), N_("correct"), N_("remove"),
    # consents
    N_("in force"), N_("not yet in force"), N_("revoked"), N_("report"), N_("income"),
    N_("signed form"), N_("electronic signature"), N_("recorded call"), N_("in app"),
    # fraud alerts
    N_("initial"), N_("extended"),
    # listing grounds and restriction categories, as short labels
    N_("refuses to perform"), N_("obstructs enforcement"), N_("evades enforcement"),
    N_("false asset report"), N_("breaches consumption restriction"),
    N_("breaches settlement"), N_("first class rail"), N_("star hotels"),
    N_("property purchase"), N_("luxury rental"), N_("vehicle purchase"),
    N_("high premium insurance"), N_("judgment"), N_("inquiry"), N_("restriction check"),
    # roles (the demo's sign-ins, the forbidden page)
    N_("consumer"), N_("furnisher"), N_("member"), N_("court"), N_("operator"), N_("auditor"),
    # whose account it is (Metro 2's ECOA code)
    N_("individual"), N_("joint"), N_("authorized user"), N_("co maker"), N_("maker"),
    N_("terminated"), N_("business"), N_("deceased"), N_("delete consumer"),
    # the fields a refusal on a consumer's or a visitor's form names ("date of birth: ...")
    N_("national id"), N_("date of birth"), N_("code"), N_("password"), N_("password again"),
    N_("reason"), N_("text"), N_("expires at"), N_("obtained at"), N_("purpose"), N_("scope"),
    N_("name"), N_("id suffix"), N_("ref"), N_("items"), N_("kind"), N_("changes"),
)
