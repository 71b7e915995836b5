"""The report at a glance, from what the report already holds: summary tiles (score and band,
accounts open, balances, revolving utilisation, on-time payment share, hard inquiries, age of
credit, what needs attention) and each account's payment history in one sentence. Pure: the
report's own values in, words and numbers out; the page, the PDF and the JSON show the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from openbureau.domain.letters import ENGLISH, Language
from openbureau.domain.wording import N_, record_name

# grid codes that are payments made on time (current, zero balance, paid, closed)
ON_TIME_CODES = frozenset("0EPC")
NO_DATA = "-"
CLOSED = frozenset(("closed", "paid"))
PAST_DUE = frozenset(("dpd30", "dpd60", "dpd90", "dpd120", "dpd150", "dpd180", "collection",
                      "charged_off"))
# a hard inquiry: a lender's pull for a credit application (what the scorecard counts)
HARD_PURPOSES = frozenset(("credit_application",))
HARD_WINDOW = timedelta(days=365)
STATUS_WORDS = {"current": N_("current"), "dpd30": N_("30 days past due"),
                "dpd60": N_("60 days past due"), "dpd90": N_("90 days past due"),
                "dpd120": N_("120 days past due"), "dpd150": N_("150 days past due"),
                "dpd180": N_("180 days or more past due"), "charged_off": N_("charged off"),
                "collection": N_("in collection"), "paid": N_("paid"), "closed": N_("closed")}


def status_words(status: str | None, language: Language = ENGLISH) -> str:
    return language.gettext(STATUS_WORDS.get(status or "",
                                             (status or "no status").replace("_", " ")))


def _count(message: str, n: int, **values: Any) -> str:
    """``message`` (``language.ngettext``'s answer for ``n``) with ``n`` and ``values`` filled:
    "1 month", "3 months"; "3个月"."""
    return str(message % {"n": n, **values})


def history(grid: Sequence[Mapping[str, Any]], language: Language = ENGLISH) -> dict[str, Any]:
    """An account's 24-month grid in numbers and one sentence: months with data, on time, and
    each kind of late or adverse month counted ("21 of 22 months with data on time; 1 month
    30 days past due; 2 months no data")."""
    _ = language.gettext
    reported = [c for c in grid if c["code"] != NO_DATA]
    on_time = sum(c["code"] in ON_TIME_CODES for c in reported)
    late = Counter(c["label"] for c in reported if c["code"] not in ON_TIME_CODES)
    if not reported:
        n = len(grid)
        text = _count(language.ngettext("No payment data for the last %(n)s month.",
                                        "No payment data for the last %(n)s months.", n), n)
    else:
        n = len(reported)
        text = _count(language.ngettext("%(on_time)s of %(n)s month with data on time",
                                        "%(on_time)s of %(n)s months with data on time", n),
                      n, on_time=on_time)
        for label, n in late.most_common():
            text += _count(language.ngettext("; %(n)s month %(label)s",
                                             "; %(n)s months %(label)s", n),
                           n, label=_(label).lower())
        if len(reported) < len(grid):
            n = len(grid) - len(reported)
            text += _count(language.ngettext("; %(n)s month without data",
                                             "; %(n)s months without data", n), n)
        text += _(".")
    return {"months_reported": len(reported), "on_time": on_time,
            "late": [{"label": label, "months": n} for label, n in late.most_common()],
            "text": text}


def _grid_counts(grid: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """``history``'s months with data and months on time, alone."""
    codes = [c["code"] for c in grid if c["code"] != NO_DATA]
    return {"months_reported": len(codes),
            "on_time": sum(code in ON_TIME_CODES for code in codes)}


def _percent(part: float, whole: float) -> int | None:
    return round(100 * part / whole) if whole else None


def _share(part: int, whole: int) -> int:
    """A share in whole percent, rounded down: 293 of 294 months on time is 99 %, never
    100 % while a late month is on the file."""
    return 100 * part // whole


def _age(oldest: date | None, today: date, language: Language = ENGLISH
         ) -> dict[str, Any] | None:
    if oldest is None:
        return None
    months = (today.year - oldest.year) * 12 + today.month - oldest.month
    months -= today.day < oldest.day
    months = max(months, 0)
    years, rest = divmod(months, 12)
    parts = (_count(language.ngettext("%(n)s year", "%(n)s years", years), years)
             if years else "",
             _count(language.ngettext("%(n)s month", "%(n)s months", rest), rest)
             if rest or not years else "")
    text = language.gettext(", ").join(p for p in parts if p)
    return {"months": months, "text": text, "since": oldest}


def tiles(report: Mapping[str, Any], now: datetime, language: Language = ENGLISH
          ) -> dict[str, Any]:
    """The summary tiles of a report (``services.reports.build_report``'s dict), their words
    in ``language``."""
    accounts: list[Mapping[str, Any]] = report["accounts"]
    open_accounts = [a for a in accounts if a["status"] not in CLOSED and not a["closed_on"]]
    balances: Counter[str] = Counter()
    for a in accounts:
        balances[a["currency"]] += a["balance"] or 0
    main = Counter(a["currency"] for a in accounts).most_common(1)
    currency = main[0][0] if main else None
    revolving = [a for a in open_accounts if a["kind"] == "revolving" and a["credit_limit"]
                 and a["currency"] == currency]
    used = sum(a["balance"] or 0 for a in revolving)
    limits = sum(a["credit_limit"] for a in revolving)
    months = on_time = 0
    for a in accounts:      # each account's history has counted its grid already
        h = a.get("history") or _grid_counts(a["payment_history"])
        months += h["months_reported"]
        on_time += h["on_time"]
    hard = [q for q in report["inquiries"] if q["kind"] == "inquiry"
            and q["purpose"] in HARD_PURPOSES and now - q["when"] <= HARD_WINDOW]
    score = report.get("score")
    return {
        "score": {"value": score["value"], "band": score["band"]} if score else None,
        "accounts_open": len(open_accounts),
        "accounts_total": len(accounts),
        "balances": [{"currency": c, "amount": v} for c, v in sorted(balances.items())],
        "utilisation": {"percent": _percent(used, limits), "balance": used, "limit": limits,
                        "currency": currency} if limits else None,
        "on_time": {"percent": _share(on_time, months), "months": months,
                    "on_time_months": on_time} if months else None,
        "hard_inquiries": len(hard),
        "age_of_credit": _age(min((a["opened_on"] for a in accounts), default=None),
                              now.date(), language),
        "attention": attention(report, open_accounts, language),
    }


def attention(report: Mapping[str, Any], open_accounts: Iterable[Mapping[str, Any]],
              language: Language = ENGLISH) -> list[dict[str, Any]]:
    """What needs the person's attention, each with a count and a sentence; empty: nothing."""
    out: list[dict[str, Any]] = []

    def add(kind: str, n: int, text: str) -> None:
        if n:
            out.append({"kind": kind, "count": n, "text": text})

    past_due = [a for a in open_accounts if a["status"] in PAST_DUE or (a["amount_past_due"]
                                                                         or 0) > 0]
    n = len(past_due)
    add("past_due", n, _count(language.ngettext("%(n)s account past due",
                                                "%(n)s accounts past due", n), n))
    n = len([d for d in report["disputes"] if d["status"] in ("open", "unconfirmed")])
    add("disputes", n, _count(language.ngettext("%(n)s dispute open", "%(n)s disputes open", n),
                              n))
    n = len(report["public_records"])
    add("public_records", n, _count(language.ngettext("%(n)s public record on your file",
                                                      "%(n)s public records on your file", n),
                                    n))
    n = len(report["fraud_alerts"])
    add("fraud_alerts", n, _count(language.ngettext("%(n)s fraud alert in place",
                                                    "%(n)s fraud alerts in place", n), n))
    add("frozen", int(bool(report["frozen"])), language.gettext("your file is frozen"))
    return out


def item_names(report: Mapping[str, Any], language: Language = ENGLISH) -> dict[str, str]:
    """The name a person reads for each item the report holds or names, by ``item_ref``: an
    account ("Demo First Bank credit card ending 0012"), one blocked after an identity-theft
    report, a public record ("Demo Court, case (2026) Civ 1"), an element of personal
    information ("name: Ada Lovelace") and whatever a dispute names. The page and the PDF both
    name items through it, so neither shows a reference where the file has a name."""
    _ = language.gettext
    out: dict[str, str] = {}
    for d in report.get("disputes") or ():
        if d.get("item_name"):
            out[d["item_ref"]] = d["item_name"]
    for e in report.get("personal_information") or ():
        value = (language.long_date(e["value"]) if e.get("kind") == "date_of_birth"
                 else str(e["value"]))
        name = _("%(field)s: %(value)s") % {"field": _(e["label"]), "value": value}
        # a dispute names the element by one of its records (the one it disputes)
        for ref in (e["item_ref"], *(s["item_ref"] for s in e.get("reported_by") or ())):
            out[ref] = name
    for p in report.get("public_records") or ():
        out[p["item_ref"]] = record_name(p["court"], p["case_number"], _)
    for b in report.get("blocked_items") or ():
        out[b["item_ref"]] = b["name"]
    for a in report.get("accounts") or ():
        out[a["item_ref"]] = a["name"]
    return out
