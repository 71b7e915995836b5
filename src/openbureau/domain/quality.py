"""Data-quality rules for furnished records, as data, and the per-file report.

Each ``Rule`` has an id (``Q01`` ...), a description the furnisher reads, the fields it looks at,
a severity and its check. ``reject`` rules refuse the record: they are the cross-field
refusals ``parse_account_record`` makes (one rule in one place: it calls ``reject_errors``);
they look at the record alone. ``warn`` rules keep the record and count it in the file's report.

A check takes the parsed record, the Metro 2 extras (the raw base codes a Metro 2 reader adds,
``None`` for JSON and CSV: rules marked ``metro2`` then do not apply) and the reference date:
the file's activity date for Metro 2, else the day of the ingest. It answers True when the rule
fires. The column path (``adapters.metro2_quality_columns``) sends every record on which a rule
might fire through the record path, so every record is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from openbureau.domain.code_lists import account_type_codes, portfolio_types_of
from openbureau.domain.errors import FieldError
from openbureau.domain.months import month_index
from openbureau.domain.record_types import (
    CLOSED_STATUSES,
    DELINQUENT,
    DEROGATORY,
    AccountKind,
    AccountRecord,
    AccountStatus,
    Ecoa,
)

Severity = Literal["reject", "warn"]
Extras = Mapping[str, str]
Check = Callable[[AccountRecord, Extras | None, date], bool]
SAMPLES = 5

_S = AccountStatus
_LEVEL = {_S.DPD30: 1, _S.DPD60: 2, _S.DPD90: 3, _S.DPD120: 4, _S.DPD150: 5, _S.DPD180: 6}
HISTORY_LEVEL = {"0": 0, "E": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}
# Metro 2 account statuses that take a Payment Rating (and 05/13/65 ... that need one)
RATING_STATUSES = frozenset({"05", "13", "65", "88", "89", "94", "95", "DA", "DF"})
RATING_REQUIRED = RATING_STATUSES - {"DA", "DF"}
CHARGE_OFF_STATUSES = frozenset({"64", "97"})
NEVER_CHARGED_OFF = frozenset({"11", "71", "78", "80", "82", "83", "84"})
CONSUMER_CLOSED = frozenset({"XA", "XD", "XE", "XJ"})
FCBA = frozenset({"XF", "XG", "XJ"})
PAID_COMMENTS = frozenset({"AU", "AX", "BC", "BF", "BJ", "BN", "BP", "C"})
OWING_COMMENTS = frozenset({"AC", "BD", "BG", "BK", "BT", "CJ", "CM", "CP"})
CLOSED_COMMENTS = frozenset({"AH", "AS", "AT", "CI", "M", "O"})
LATE_BEFORE_CURRENT = frozenset("GHJKL")


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    fields: tuple[str, ...]
    severity: Severity
    check: Check
    metro2: bool = False          # needs the Metro 2 extras; does not apply to JSON or CSV
    not_metro2: bool = False      # JSON and CSV only (Metro 2 has its own rule for the same)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "description": self.description, "severity": self.severity,
                "fields": list(self.fields)}


# -- helpers ------------------------------------------------------------------------------------

_M2_DATES: dict[str, date | None] = {}


def m2_date(raw: str | None) -> date | None:
    """A Metro 2 MMDDYYYY date; None for blank, all zeros or not a date."""
    if not raw:
        return None
    try:
        return _M2_DATES[raw]     # a file repeats its dates: parse each once
    except KeyError:
        pass
    value: date | None = None
    if raw.isdecimal() and len(raw) == 8 and raw != "00000000":
        try:
            value = date(int(raw[4:]), int(raw[:2]), int(raw[2:4]))
        except ValueError:
            value = None
    if len(_M2_DATES) < 50_000:
        _M2_DATES[raw] = value
    return value


def _num(m2: Extras, key: str) -> int:
    raw = m2.get(key, "")
    return int(raw) if raw.isdecimal() else 0


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _months(a: date, b: date) -> int:
    """Whole calendar months from ``a`` to ``b``."""
    return month_index(b) - month_index(a)


@cache
def _account_types() -> frozenset[str]:
    return account_type_codes()


def _comment(rec: AccountRecord) -> str | None:
    value = getattr(rec, "special_comment", None)
    return value if isinstance(value, str) and value else None


def _history_prefix(history: str) -> str:
    """The months of a payment history before its first B (no history before this)."""
    i = history.find("B")
    return history if i < 0 else history[:i]


def _owes(rec: AccountRecord) -> bool:
    return rec.balance > 0


def _closed(rec: AccountRecord) -> bool:
    return rec.status in CLOSED_STATUSES


# -- the checks -----------------------------------------------------------------------------------
# Named functions (not lambdas) so a traceback names the rule.

def _q01(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.status is _S.CURRENT and r.amount_past_due > 0


def _q02(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.status in DEROGATORY and r.date_of_first_delinquency is None


def _q03(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.opened_on > r.as_of


def _q04(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.closed_on is not None and r.closed_on < r.opened_on


def _q05(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.date_of_first_delinquency is not None and r.date_of_first_delinquency > r.as_of


def _q06(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return not r.subject.national_id and r.subject.date_of_birth is None


def _q07(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _closed(r) and r.balance > 0


def _q08(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _closed(r) and r.amount_past_due > 0


def _q09(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.amount_past_due > r.balance


def _q10(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.status in DELINQUENT and r.amount_past_due == 0


def _q11(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _closed(r) and r.closed_on is None


def _q12(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.status is _S.CURRENT and r.closed_on is not None and r.balance == 0


def _q13(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.status is _S.CURRENT and r.date_of_first_delinquency is not None


def _q14(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    # a collection account is opened when it is placed, after the original creditor's
    # delinquency: its date of first delinquency comes first by nature
    return (r.kind is not AccountKind.COLLECTION and r.date_of_first_delinquency is not None
            and r.date_of_first_delinquency < r.opened_on)


def _q15(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.closed_on is not None and r.closed_on > r.as_of


def _q16(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    # as_of is kept as its month's last day: compare months, not days
    return m is None and (r.as_of.year, r.as_of.month) > (ref.year, ref.month)


def _q17(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    born = r.subject.date_of_birth
    return born is not None and born > ref


def _q18(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    born = r.subject.date_of_birth
    return (born is not None and r.ecoa is not Ecoa.AUTHORIZED_USER
            and born <= r.opened_on and _age(born, r.opened_on) < 18)


def _q19(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    born = r.subject.date_of_birth
    return born is not None and born <= r.as_of and _age(born, r.as_of) > 120


def _q20(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return not r.subject.national_id


def _q21(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    h = r.payment_history
    return r.status is _S.CURRENT and bool(h) and h is not None and h[0] in LATE_BEFORE_CURRENT


def _q22(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    level = _LEVEL.get(r.status)
    h = r.payment_history
    if level is None or not h:
        return False
    before = HISTORY_LEVEL.get(h[0])
    return before is not None and before < level - 1


def _q23(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    h = r.payment_history
    return bool(h) and h is not None and "B" in h and h[h.index("B"):].strip("B") != ""


def _q24(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    h = r.payment_history
    return bool(h) and h is not None and len(_history_prefix(h)) > _months(r.opened_on, r.as_of)


def _q25(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (r.kind is AccountKind.INSTALLMENT and r.original_amount is not None
            and r.balance > r.original_amount)


def _q26(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (r.kind in (AccountKind.INSTALLMENT, AccountKind.MORTGAGE)
            and bool(r.credit_limit))


def _q27(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.kind is AccountKind.REVOLVING and not r.credit_limit


def _q28(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (r.kind in (AccountKind.INSTALLMENT, AccountKind.MORTGAGE)
            and not r.original_amount)


def _q29(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _closed(r) and (r.scheduled_payment or 0) > r.balance


def _q30(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.kind is AccountKind.COLLECTION and getattr(r, "original_creditor", None) is None


def _q31(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.ecoa is Ecoa.DELETE_CONSUMER and (bool(r.compliance_code) or bool(_comment(r)))


def _q32(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return r.compliance_code in CONSUMER_CLOSED and r.closed_on is None


def _q33(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (r.compliance_code in FCBA
            and r.kind in (AccountKind.INSTALLMENT, AccountKind.MORTGAGE))


def _q34(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _comment(r) in PAID_COMMENTS and (not _closed(r) or _owes(r))


def _q35(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _comment(r) in OWING_COMMENTS and not _owes(r)


def _q36(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _comment(r) in CLOSED_COMMENTS and r.closed_on is None


def _q37(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return _comment(r) == "DE" and (r.balance > 0 or r.amount_past_due > 0)


def _q38(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (m is not None and m.get("account_status", "") in CHARGE_OFF_STATUSES
            and _num(m, "original_charge_off") == 0)


def _q39(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (m is not None and m.get("account_status", "") in NEVER_CHARGED_OFF
            and _num(m, "original_charge_off") > 0)


def _q40(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (m is not None and m.get("payment_rating", "") != ""
            and m.get("account_status", "") not in RATING_STATUSES)


def _q41(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (m is not None and m.get("payment_rating", "") == ""
            and m.get("account_status", "") in RATING_REQUIRED)


def _q42(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    if m is None:
        return False
    allowed = portfolio_types_of(m.get("account_type", ""))
    return bool(allowed) and m.get("portfolio_type", "") not in allowed


def _q43(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return m is not None and m.get("account_type", "") not in _account_types()


def _q44(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    if m is None:
        return False
    portfolio, terms = m.get("portfolio_type", ""), m.get("terms_duration", "")
    return (portfolio == "R" and terms != "REV") or (portfolio == "C" and terms != "LOC")


def _q45(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    if m is None:
        return False
    paid, doai = m2_date(m.get("date_of_last_payment")), m2_date(
        m.get("date_of_account_information"))
    return paid is not None and doai is not None and paid > doai


def _q46(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    if m is None:
        return False
    paid = m2_date(m.get("date_of_last_payment"))
    return paid is not None and paid < r.opened_on


def _q47(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    return (m is not None and _num(m, "actual_payment") > 0
            and m2_date(m.get("date_of_last_payment")) is None)


def _q48(r: AccountRecord, m: Extras | None, ref: date) -> bool:
    if m is None:
        return False
    doai, activity = m2_date(m.get("date_of_account_information")), m2_date(
        m.get("activity_date"))
    return doai is not None and activity is not None and doai > activity


# -- the table ------------------------------------------------------------------------------------

_R: Severity = "reject"
_W: Severity = "warn"
RULES: tuple[Rule, ...] = (
    Rule("Q01", "A current account (status current / 11) shows an amount past due.",
         ("amount_past_due", "status"), _R, _q01),
    Rule("Q02", "A delinquent, charged-off or collection status without a date of first "
         "delinquency.", ("date_of_first_delinquency", "status"), _R, _q02),
    Rule("Q03", "The account was opened after the date of the information (as_of).",
         ("opened_on", "as_of"), _R, _q03),
    Rule("Q04", "The date closed is before the date opened.", ("closed_on", "opened_on"), _R,
         _q04),
    Rule("Q05", "The date of first delinquency is after the date of the information (as_of).",
         ("date_of_first_delinquency", "as_of"), _R, _q05),
    Rule("Q06", "Neither a national id (SSN) nor a date of birth: the consumer cannot be "
         "identified.", ("subject.date_of_birth", "subject.national_id"), _R, _q06),
    Rule("Q07", "A paid or closed account still shows a balance.", ("status", "balance"), _W,
         _q07),
    Rule("Q08", "A paid or closed account shows an amount past due.",
         ("status", "amount_past_due"), _W, _q08),
    Rule("Q09", "The amount past due is greater than the balance.",
         ("amount_past_due", "balance"), _W, _q09),
    Rule("Q10", "A past-due status (30 to 180+ days) with no amount past due.",
         ("status", "amount_past_due"), _W, _q10),
    Rule("Q11", "A paid or closed account without a date closed.", ("status", "closed_on"), _W,
         _q11),
    Rule("Q12", "A date closed on a current account that owes nothing: report it as paid.",
         ("status", "closed_on", "balance"), _W, _q12),
    Rule("Q13", "A date of first delinquency on a current account.",
         ("status", "date_of_first_delinquency"), _W, _q13),
    Rule("Q14", "The date of first delinquency is before the date opened (not a collection "
         "account).",
         ("date_of_first_delinquency", "opened_on"), _W, _q14),
    Rule("Q15", "The date closed is after the date of the information (as_of).",
         ("closed_on", "as_of"), _W, _q15),
    Rule("Q16", "The date of the information (as_of) is in a future month.", ("as_of",), _W,
         _q16, not_metro2=True),
    Rule("Q17", "The consumer's date of birth is in the future.", ("subject.date_of_birth",),
         _W, _q17),
    Rule("Q18", "The consumer was under 18 when the account was opened (and is not an "
         "authorised user).", ("subject.date_of_birth", "opened_on", "ecoa"), _W, _q18),
    Rule("Q19", "The consumer would be over 120 years old.", ("subject.date_of_birth", "as_of"),
         _W, _q19),
    Rule("Q20", "No national id (SSN): the consumer is matched on name, date of birth and "
         "address only.", ("subject.national_id",), _W, _q20),
    Rule("Q21", "A current account whose previous month was collection, charge-off, "
         "foreclosure, surrender or repossession.", ("status", "payment_history"), _W, _q21),
    Rule("Q22", "The past-due status grew by more than 30 days since the previous month of the "
         "payment history.", ("status", "payment_history"), _W, _q22),
    Rule("Q23", "The payment history has months after a B (B means no history before it).",
         ("payment_history",), _W, _q23),
    Rule("Q24", "The payment history covers more months than the account has been open.",
         ("payment_history", "opened_on", "as_of"), _W, _q24),
    Rule("Q25", "An instalment account's balance is above its original amount.",
         ("kind", "balance", "original_amount"), _W, _q25),
    Rule("Q26", "A credit limit on an instalment or mortgage account.", ("kind", "credit_limit"),
         _W, _q26),
    Rule("Q27", "A revolving account without a credit limit.", ("kind", "credit_limit"), _W,
         _q27),
    Rule("Q28", "An instalment or mortgage account without its original amount.",
         ("kind", "original_amount"), _W, _q28),
    Rule("Q29", "A paid or closed account whose scheduled payment is greater than its balance.",
         ("status", "scheduled_payment", "balance"), _W, _q29),
    Rule("Q30", "A collection account that does not name the original creditor (K1).",
         ("kind", "original_creditor"), _W, _q30),
    Rule("Q31", "ECOA Z (remove this consumer) together with a compliance condition or special "
         "comment.", ("ecoa", "compliance_code", "special_comment"), _W, _q31),
    Rule("Q32", "A compliance code saying the consumer closed the account (XA, XD, XE, XJ) "
         "without a date closed.", ("compliance_code", "closed_on"), _W, _q32),
    Rule("Q33", "A Fair Credit Billing Act dispute code (XF, XG, XJ) on an instalment or "
         "mortgage account (the FCBA covers open-end credit).", ("compliance_code", "kind"), _W,
         _q33),
    Rule("Q34", "A special comment saying the account was paid or settled, on an account not "
         "paid or closed, or still owing.", ("special_comment", "status", "balance"), _W,
         _q34),
    Rule("Q35", "A special comment saying money is still owed or being repaid, on an account "
         "that owes nothing.", ("special_comment", "balance"), _W, _q35),
    Rule("Q36", "A special comment saying the account was closed, without a date closed.",
         ("special_comment", "closed_on"), _W, _q36),
    Rule("Q37", "Special comment DE (debt extinguished under state law) with a balance or an "
         "amount past due.", ("special_comment", "balance", "amount_past_due"), _W, _q37),
    Rule("Q38", "A charge-off status (64, 97) without the original charge-off amount.",
         ("account_status", "original_charge_off"), _W, _q38, metro2=True),
    Rule("Q39", "An original charge-off amount on a current or past-due account.",
         ("original_charge_off", "account_status"), _W, _q39, metro2=True),
    Rule("Q40", "A payment rating with an account status that takes none (only 05, 13, 65, 88, "
         "89, 94, 95, DA, DF do).", ("payment_rating", "account_status"), _W, _q40,
         metro2=True),
    Rule("Q41", "No payment rating with an account status that needs one (05, 13, 65, 88, 89, "
         "94, 95).", ("payment_rating", "account_status"), _W, _q41, metro2=True),
    Rule("Q42", "The portfolio type does not match the account type.",
         ("portfolio_type", "account_type"), _W, _q42, metro2=True),
    Rule("Q43", "An account type that is not in the Metro 2 list.", ("account_type",), _W,
         _q43, metro2=True),
    Rule("Q44", "A revolving account without terms REV, or a line of credit without terms LOC.",
         ("portfolio_type", "terms_duration"), _W, _q44, metro2=True),
    Rule("Q45", "The date of last payment is after the date of account information.",
         ("date_of_last_payment", "date_of_account_information"), _W, _q45, metro2=True),
    Rule("Q46", "The date of last payment is before the date opened.",
         ("date_of_last_payment", "date_opened"), _W, _q46, metro2=True),
    Rule("Q47", "An actual payment amount without a date of last payment.",
         ("actual_payment", "date_of_last_payment"), _W, _q47, metro2=True),
    Rule("Q48", "The date of account information is after the file's activity date.",
         ("date_of_account_information", "activity_date"), _W, _q48, metro2=True),
)
BY_ID = {r.id: r for r in RULES}
REJECT_RULES = tuple(r for r in RULES if r.severity == "reject")
WARN_RULES = tuple(r for r in RULES if r.severity == "warn")
_RULE_TAG = re.compile(r"\[rule (Q\d+)[:\]]")


def reference_date(m2: Extras | None, today: date) -> date:
    """What "the future" is measured from: the Metro 2 file's activity date, else today."""
    if m2 is not None:
        activity = m2_date(m2.get("activity_date"))
        if activity is not None:
            return activity
    return today


def rule_error(rule: Rule) -> FieldError:
    """The error a reject rule refuses a record with: it names the rule and its fields (the
    first field is the one at fault)."""
    return FieldError(rule.fields[0], f"{rule.description} [rule {rule.id}: "
                      f"{', '.join(rule.fields)}]")


def reject_errors(rec: AccountRecord) -> list[FieldError]:
    """The errors of the reject rules that fire on ``rec`` (``parse_account_record`` calls this
    with the record as sent, before ``as_of`` is moved to its month's end)."""
    return [rule_error(r) for r in REJECT_RULES if r.check(rec, None, rec.as_of)]


def rules_in(errors: Iterable[FieldError]) -> list[str]:
    """The ids of the rules named in ``errors`` (each once, in order)."""
    out: list[str] = []
    for e in errors:
        found = _RULE_TAG.search(e.message)
        if found and found.group(1) not in out:
            out.append(found.group(1))
    return out


_WARN_NOT_METRO2 = tuple(r for r in WARN_RULES if not r.metro2)


def warnings(rec: AccountRecord, m2: Extras | None, today: date) -> list[Rule]:
    """The warn rules that fire on an accepted record."""
    ref = reference_date(m2, today)
    return [r for r in (WARN_RULES if m2 is not None else _WARN_NOT_METRO2)
            if r.check(rec, m2, ref)]


def fired(rec: AccountRecord, m2: Extras | None, today: date) -> list[Rule]:
    """Every rule, reject or warn, that fires on ``rec``."""
    ref = reference_date(m2, today)
    return [r for r in RULES if (m2 is not None or not r.metro2) and r.check(rec, m2, ref)]


@dataclass
class QualityReport:
    """Counts per rule and up to ``SAMPLES`` sample lines per rule, for one file."""

    records_checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[int]] = field(default_factory=dict)

    def hit(self, rule_id: str, position: int) -> None:
        self.counts[rule_id] = self.counts.get(rule_id, 0) + 1
        lines = self.samples.setdefault(rule_id, [])
        if len(lines) < SAMPLES and position not in lines:
            lines.append(position)

    def stored(self) -> dict[str, Any]:
        """The compact form kept with the file."""
        return {"records_checked": self.records_checked, "counts": dict(self.counts),
                "samples": {k: list(v) for k, v in self.samples.items()}}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None) -> QualityReport:
        if not data:
            return cls()
        return cls(int(data.get("records_checked", 0)), dict(data.get("counts", {})),
                   {k: list(v) for k, v in data.get("samples", {}).items()})

    def rules(self) -> list[dict[str, Any]]:
        """Every rule in rule order with its count and sample lines."""
        return [{**r.as_dict(), "count": self.counts.get(r.id, 0),
                 "sample_lines": list(self.samples.get(r.id, []))} for r in RULES]


DOC_START, DOC_END = "<!-- quality-rules:start -->", "<!-- quality-rules:end -->"


def rules_markdown() -> str:
    """The rule table as Markdown, for ``docs/furnishers.md`` (a test keeps the two equal)."""
    lines = ["| Rule | Severity | Applies to | Fields | What it finds |",
             "|---|---|---|---|---|"]
    for r in RULES:
        scope = "Metro 2" if r.metro2 else "JSON, CSV" if r.not_metro2 else "all"
        fields = ", ".join(f"`{f}`" for f in r.fields)
        lines.append(f"| {r.id} | {r.severity} | {scope} | {fields} | {r.description} |")
    return "\n".join(lines) + "\n"
