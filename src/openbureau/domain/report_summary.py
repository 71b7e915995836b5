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

# grid codes that are payments made on time (current, zero balance, paid, closed)
ON_TIME_CODES = frozenset("0EPC")
NO_DATA = "-"
CLOSED = frozenset(("closed", "paid"))
PAST_DUE = frozenset(("dpd30", "dpd60", "dpd90", "dpd120", "dpd150", "dpd180", "collection",
                      "charged_off"))
# a hard inquiry: a lender's pull for a credit application (what the scorecard counts)
HARD_PURPOSES = frozenset(("credit_application",))
HARD_WINDOW = timedelta(days=365)
STATUS_WORDS = {"current": "current", "dpd30": "30 days past due", "dpd60": "60 days past due",
                "dpd90": "90 days past due", "dpd120": "120 days past due",
                "dpd150": "150 days past due", "dpd180": "180 days or more past due",
                "charged_off": "charged off", "collection": "in collection", "paid": "paid",
                "closed": "closed"}


def status_words(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", (status or "no status").replace("_", " "))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def history(grid: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An account's 24-month grid in numbers and one sentence: months with data, on time, and
    each kind of late or adverse month counted ("21 of 22 months with data on time; 1 month
    30 days past due; 2 months no data")."""
    reported = [c for c in grid if c["code"] != NO_DATA]
    on_time = sum(c["code"] in ON_TIME_CODES for c in reported)
    late = Counter(c["label"] for c in reported if c["code"] not in ON_TIME_CODES)
    if not reported:
        text = f"No payment data for the last {len(grid)} months."
    else:
        text = f"{on_time} of {_plural(len(reported), 'month')} with data on time"
        for label, n in late.most_common():
            text += f"; {_plural(n, 'month')} {label.lower()}"
        if len(reported) < len(grid):
            text += f"; {_plural(len(grid) - len(reported), 'month')} without data"
        text += "."
    return {"months_reported": len(reported), "on_time": on_time,
            "late": [{"label": label, "months": n} for label, n in late.most_common()],
            "text": text}


def _percent(part: float, whole: float) -> int | None:
    return round(100 * part / whole) if whole else None


def _share(part: int, whole: int) -> int:
    """A share in whole percent, rounded down: 293 of 294 months on time is 99 %, never
    100 % while a late month is on the file."""
    return 100 * part // whole


def _age(oldest: date | None, today: date) -> dict[str, Any] | None:
    if oldest is None:
        return None
    months = (today.year - oldest.year) * 12 + today.month - oldest.month
    months -= today.day < oldest.day
    months = max(months, 0)
    years, rest = divmod(months, 12)
    text = ", ".join(p for p in (_plural(years, "year") if years else "",
                                 _plural(rest, "month") if rest or not years else "") if p)
    return {"months": months, "text": text, "since": oldest}


def tiles(report: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The summary tiles of a report (``services.reports.build_report``'s dict)."""
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
    cells = [c for a in accounts for c in a["payment_history"] if c["code"] != NO_DATA]
    on_time = sum(c["code"] in ON_TIME_CODES for c in cells)
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
        "on_time": {"percent": _share(on_time, len(cells)), "months": len(cells),
                    "on_time_months": on_time} if cells else None,
        "hard_inquiries": len(hard),
        "age_of_credit": _age(min((a["opened_on"] for a in accounts), default=None),
                              now.date()),
        "attention": attention(report, open_accounts),
    }


def attention(report: Mapping[str, Any], open_accounts: Iterable[Mapping[str, Any]]
              ) -> list[dict[str, Any]]:
    """What needs the person's attention, each with a count and a sentence; empty: nothing."""
    out: list[dict[str, Any]] = []

    def add(kind: str, n: int, text: str) -> None:
        if n:
            out.append({"kind": kind, "count": n, "text": text})

    past_due = [a for a in open_accounts if a["status"] in PAST_DUE or (a["amount_past_due"]
                                                                         or 0) > 0]
    add("past_due", len(past_due), f"{_plural(len(past_due), 'account')} past due")
    disputes = [d for d in report["disputes"] if d["status"] in ("open", "unconfirmed")]
    add("disputes", len(disputes), f"{_plural(len(disputes), 'dispute')} open")
    records = report["public_records"]
    add("public_records", len(records), f"{_plural(len(records), 'public record')} on your file")
    alerts = report["fraud_alerts"]
    add("fraud_alerts", len(alerts), f"{_plural(len(alerts), 'fraud alert')} in place")
    add("frozen", int(bool(report["frozen"])), "your file is frozen")
    return out
