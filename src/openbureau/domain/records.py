"""The furnished record: the closed schema every channel (JSON, CSV, Metro 2) is parsed into.

``parse_account_record`` is the one gate. It accepts JSON-typed values or the strings a CSV or a
Metro 2 reader produces, and returns an ``AccountRecord`` or raises ``ValidationFailed`` naming
every bad field. A field outside the schema is refused; one in a prohibited category is refused
with that category (see ``prohibited.py``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from openbureau.domain.errors import FieldError, ProhibitedData, ValidationFailed
from openbureau.domain.prohibited import category_of


class AccountKind(StrEnum):
    REVOLVING = "revolving"
    INSTALLMENT = "installment"
    MORTGAGE = "mortgage"
    OPEN = "open"
    COLLECTION = "collection"


class AccountStatus(StrEnum):
    CURRENT = "current"
    DPD30 = "dpd30"
    DPD60 = "dpd60"
    DPD90 = "dpd90"
    DPD120 = "dpd120"
    DPD150 = "dpd150"
    DPD180 = "dpd180"
    CHARGED_OFF = "charged_off"
    COLLECTION = "collection"
    PAID = "paid"
    CLOSED = "closed"


DELINQUENT = frozenset({AccountStatus.DPD30, AccountStatus.DPD60, AccountStatus.DPD90,
                        AccountStatus.DPD120, AccountStatus.DPD150, AccountStatus.DPD180})
DEROGATORY = DELINQUENT | {AccountStatus.CHARGED_OFF, AccountStatus.COLLECTION}
CLOSED_STATUSES = frozenset({AccountStatus.PAID, AccountStatus.CLOSED})


class Ecoa(StrEnum):
    INDIVIDUAL = "individual"
    JOINT = "joint"
    AUTHORIZED_USER = "authorized_user"
    CO_MAKER = "co_maker"
    MAKER = "maker"
    TERMINATED = "terminated"
    BUSINESS = "business"
    DECEASED = "deceased"
    DELETE_CONSUMER = "delete_consumer"


class DeleteCode(StrEnum):
    DA = "DA"   # delete the account (not fraud)
    DF = "DF"   # delete: confirmed identity fraud


# Metro 2 compliance condition codes; XR removes a previously reported one.
COMPLIANCE_CODES = frozenset({"XA", "XB", "XC", "XD", "XE", "XF", "XG", "XH", "XJ", "XR"})
DISPUTE_COMPLIANCE_CODES = frozenset({"XB", "XC", "XF", "XG", "XH"})
_HISTORY = re.compile(r"^[0-6BDEGHJKL]{1,24}$")
_NATIONAL_ID = re.compile(r"^[A-Z0-9]{6,20}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REF = re.compile(r"^[A-Za-z0-9._/-]{1,30}$")


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    national_id: str
    name: str
    date_of_birth: date | None

    def masked(self) -> str:
        return mask_national_id(self.national_id)


@dataclass(frozen=True, slots=True)
class AccountRecord:
    subject: SubjectIdentity
    account_ref: str
    as_of: date                   # normalised to the month's last day
    kind: AccountKind
    opened_on: date
    balance: int                  # minor units
    amount_past_due: int
    status: AccountStatus
    ecoa: Ecoa
    currency: str
    closed_on: date | None = None
    credit_limit: int | None = None
    original_amount: int | None = None
    scheduled_payment: int | None = None
    date_of_first_delinquency: date | None = None
    monthly_income: int | None = None
    consent_ref: str | None = None
    compliance_code: str | None = None
    delete_code: DeleteCode | None = None
    payment_history: str | None = None   # Metro 2 profile, most recent prior month first


SUBJECT_FIELDS = ("national_id", "name", "date_of_birth")
RECORD_FIELDS = ("subject", "account_ref", "as_of", "kind", "opened_on", "closed_on",
                 "credit_limit", "original_amount", "scheduled_payment", "balance",
                 "amount_past_due", "status", "date_of_first_delinquency", "ecoa",
                 "monthly_income", "consent_ref", "currency", "compliance_code", "delete_code",
                 "payment_history")
_REQUIRED = ("subject", "account_ref", "as_of", "kind", "opened_on", "balance",
             "amount_past_due", "status", "ecoa", "currency")


def normalise_national_id(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw).upper()


def mask_national_id(national_id: str) -> str:
    return "*" * max(len(national_id) - 4, 0) + national_id[-4:]


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def check_fields(raw: Mapping[str, Any], allowed: tuple[str, ...],
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


class _Reader:
    """Collects field errors while converting loosely typed values."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[FieldError] = []

    def _get(self, name: str, required: bool) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                self.errors.append(FieldError(name, "is required"))
            return None
        return value

    def text(self, name: str, required: bool = False, pattern: re.Pattern[str] | None = None,
             what: str = "") -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors.append(FieldError(name, "must be a string"))
            return None
        value = value.strip()
        if pattern is not None and not pattern.match(value):
            self.errors.append(FieldError(name, f"must be {what}"))
            return None
        return value

    def money(self, name: str, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.errors.append(FieldError(name, "must be an integer amount in minor units"))
            return None
        if isinstance(value, str):
            s = value.strip()
            if not (s.isascii() and s.isdigit()):     # "²".isdigit(), yet int("²") fails
                self.errors.append(FieldError(name, f"must be a non-negative integer amount in "
                                              f"minor units, got {s[:20]!r}"))
                return None
            value = int(s)
        if not isinstance(value, int):
            self.errors.append(FieldError(name, "must be an integer amount in minor units"))
            return None
        if value < 0 or value > 10**15:
            self.errors.append(FieldError(name, "must be between 0 and 10^15"))
            return None
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            self.errors.append(FieldError(name, "must be an ISO 8601 date (YYYY-MM-DD)"))
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            self.errors.append(FieldError(name, f"must be an ISO 8601 date (YYYY-MM-DD), "
                                          f"got {value.strip()[:20]!r}"))
            return None

    def choice(self, name: str, enum: type[StrEnum], required: bool = False) -> Any:
        value = self._get(name, required)
        if value is None:
            return None
        try:
            return enum(value.strip() if isinstance(value, str) else value)
        except ValueError:
            allowed = "|".join(m.value for m in enum)
            self.errors.append(FieldError(name, f"must be one of {allowed}"))
            return None


def parse_subject(raw: Any, prefix: str = "subject.") -> tuple[SubjectIdentity | None,
                                                                list[FieldError]]:
    if not isinstance(raw, Mapping):
        return None, [FieldError(prefix.rstrip("."), "must be an object with national_id, name, "
                                 "date_of_birth")]
    errors = check_fields(raw, SUBJECT_FIELDS, prefix)
    r = _Reader(raw)
    nid = r.text("national_id", required=True)
    name = r.text("name", required=True)
    dob = r.day("date_of_birth")
    if nid is not None:
        nid = normalise_national_id(nid)
        if not _NATIONAL_ID.match(nid):
            # never echo the identifier itself
            r.errors.append(FieldError("national_id", "must be 6 to 20 letters or digits"))
            nid = None
    if name is not None and not (1 <= len(name) <= 120):
        r.errors.append(FieldError("name", "must be 1 to 120 characters"))
    errors += [FieldError(prefix + e.field, e.message) for e in r.errors]
    if errors or nid is None or name is None:
        return None, errors
    return SubjectIdentity(nid, name, dob), []


def parse_account_record(raw: Mapping[str, Any]) -> AccountRecord:
    """Validate one furnished record against the closed schema."""
    if type(raw) is dict:
        rec = _parse_plain(raw)
        if rec is not None:
            return rec
    if not isinstance(raw, Mapping):
        raise ValidationFailed([FieldError("record", "must be an object")])
    errors = check_fields(raw, RECORD_FIELDS)
    subject, subject_errors = parse_subject(raw.get("subject"))
    if raw.get("subject") is None:
        subject_errors = [FieldError("subject", "is required")]
    errors += subject_errors
    r = _Reader(raw)
    account_ref = r.text("account_ref", True, _REF, "1 to 30 letters, digits or . _ / -")
    as_of = r.day("as_of", True)
    kind = r.choice("kind", AccountKind, True)
    opened_on = r.day("opened_on", True)
    closed_on = r.day("closed_on")
    credit_limit = r.money("credit_limit")
    original_amount = r.money("original_amount")
    scheduled_payment = r.money("scheduled_payment")
    balance = r.money("balance", True)
    past_due = r.money("amount_past_due", True)
    status = r.choice("status", AccountStatus, True)
    dofd = r.day("date_of_first_delinquency")
    ecoa = r.choice("ecoa", Ecoa, True)
    income = r.money("monthly_income")
    consent_ref = r.text("consent_ref")
    currency = r.text("currency", True, _CURRENCY, "an ISO 4217 code such as USD")
    compliance = r.text("compliance_code")
    delete_code = r.choice("delete_code", DeleteCode)
    history = r.text("payment_history", pattern=_HISTORY,
                     what="up to 24 Metro 2 payment history codes (0-6 B D E G H J K L)")
    if compliance is not None and compliance not in COMPLIANCE_CODES:
        r.errors.append(FieldError("compliance_code",
                                   f"must be one of {'|'.join(sorted(COMPLIANCE_CODES))}"))
    if as_of is not None and opened_on is not None and opened_on > as_of:
        r.errors.append(FieldError("opened_on", "is after as_of"))
    if closed_on is not None and opened_on is not None and closed_on < opened_on:
        r.errors.append(FieldError("closed_on", "is before opened_on"))
    if status is not None and past_due is not None:
        if status is AccountStatus.CURRENT and past_due > 0:
            r.errors.append(FieldError("amount_past_due", "must be 0 when status is current"))
        if status in DEROGATORY and dofd is None:
            r.errors.append(FieldError("date_of_first_delinquency",
                                       f"is required when status is {status.value}"))
    if dofd is not None and as_of is not None and dofd > as_of:
        r.errors.append(FieldError("date_of_first_delinquency", "is after as_of"))
    if income is not None and consent_ref is None:
        r.errors.append(FieldError("monthly_income", "may be reported only with the consumer's "
                                   "recorded consent (consent_ref)"))
    errors += r.errors
    if errors:
        if any(e.category for e in errors):
            raise ProhibitedData(errors)
        raise ValidationFailed(errors)
    assert subject is not None and account_ref is not None and as_of is not None
    assert kind is not None and opened_on is not None and balance is not None
    assert past_due is not None and status is not None and ecoa is not None
    assert currency is not None
    return AccountRecord(
        subject=subject, account_ref=account_ref, as_of=month_end(as_of), kind=kind,
        opened_on=opened_on, balance=balance, amount_past_due=past_due, status=status,
        ecoa=ecoa, currency=currency, closed_on=closed_on, credit_limit=credit_limit,
        original_amount=original_amount, scheduled_payment=scheduled_payment,
        date_of_first_delinquency=dofd, monthly_income=income, consent_ref=consent_ref,
        compliance_code=compliance, delete_code=delete_code, payment_history=history)


# ---------------------------------------------------------------------------- the fast path
#
# Most records are well formed. ``_parse_plain`` accepts a subset of the records the checks above
# accept -- plain values, nothing to strip or normalise beyond what those checks do, no field in
# doubt -- and gives the very same AccountRecord; for anything else it answers None and the checks
# above run (they alone word the errors). Each test below is the condition under which the
# corresponding check above passes.

_RECORD_KEYS = frozenset(RECORD_FIELDS)
_SUBJECT_KEYS = frozenset(SUBJECT_FIELDS)
_FAIL: Any = object()
_PLAIN_NATIONAL_ID = re.compile(r"[A-Z0-9]{6,20}")
_KINDS = {m.value: m for m in AccountKind}
_STATUSES = {m.value: m for m in AccountStatus}
_ECOAS = {m.value: m for m in Ecoa}
_DELETE_CODES = {m.value: m for m in DeleteCode}
_MONTH_ENDS: dict[date, date] = {}


def _plain_day(value: Any) -> Any:
    if value is None or value == "":
        return None
    if type(value) is str:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return _FAIL
    return value if isinstance(value, date) else _FAIL


def _plain_money(value: Any) -> Any:
    if value is None or value == "":
        return None
    if type(value) is str:
        s = value.strip()
        if not (s.isascii() and s.isdigit()):
            return _FAIL
        value = int(s)
    elif type(value) is not int:
        return _FAIL
    return value if 0 <= value <= 10**15 else _FAIL


def _plain_text(value: Any, pattern: re.Pattern[str] | None = None) -> Any:
    if value is None or value == "":
        return None
    if type(value) is not str:
        return _FAIL
    value = value.strip()
    if pattern is not None and not pattern.match(value):
        return _FAIL
    return value


def _plain_choice(value: Any, members: dict[str, Any]) -> Any:
    if value is None or value == "":
        return None
    if type(value) is not str:
        return _FAIL
    return members.get(value.strip(), _FAIL)


def _parse_plain(raw: dict[str, Any]) -> AccountRecord | None:
    subject = raw.get("subject")
    if not (raw.keys() <= _RECORD_KEYS and type(subject) is dict
            and subject.keys() <= _SUBJECT_KEYS):
        return None
    nid, name = subject.get("national_id"), subject.get("name")
    if type(nid) is not str or not _PLAIN_NATIONAL_ID.fullmatch(nid) or type(name) is not str:
        return None
    name = name.strip()
    dob = _plain_day(subject.get("date_of_birth"))
    get = raw.get
    account_ref = _plain_text(get("account_ref"), _REF)
    as_of = _plain_day(get("as_of"))
    kind = _plain_choice(get("kind"), _KINDS)
    opened_on = _plain_day(get("opened_on"))
    closed_on = _plain_day(get("closed_on"))
    credit_limit = _plain_money(get("credit_limit"))
    original_amount = _plain_money(get("original_amount"))
    scheduled_payment = _plain_money(get("scheduled_payment"))
    balance = _plain_money(get("balance"))
    past_due = _plain_money(get("amount_past_due"))
    status = _plain_choice(get("status"), _STATUSES)
    dofd = _plain_day(get("date_of_first_delinquency"))
    ecoa = _plain_choice(get("ecoa"), _ECOAS)
    income = _plain_money(get("monthly_income"))
    consent_ref = _plain_text(get("consent_ref"))
    currency = _plain_text(get("currency"), _CURRENCY)
    compliance = _plain_text(get("compliance_code"))
    delete_code = _plain_choice(get("delete_code"), _DELETE_CODES)
    history = _plain_text(get("payment_history"), _HISTORY)
    values = (dob, account_ref, as_of, kind, opened_on, closed_on, credit_limit, original_amount,
              scheduled_payment, balance, past_due, status, dofd, ecoa, income, consent_ref,
              currency, compliance, delete_code, history)
    if (_FAIL in values or not 1 <= len(name) <= 120 or account_ref is None or as_of is None
            or kind is None or opened_on is None or balance is None or past_due is None
            or status is None or ecoa is None or currency is None
            or (compliance is not None and compliance not in COMPLIANCE_CODES)
            or opened_on > as_of or (closed_on is not None and closed_on < opened_on)
            or (status is AccountStatus.CURRENT and past_due > 0)
            or (status in DEROGATORY and dofd is None)
            or (dofd is not None and dofd > as_of)
            or (income is not None and consent_ref is None)):
        return None
    end = _MONTH_ENDS.get(as_of)
    if end is None:
        end = month_end(as_of)
        if len(_MONTH_ENDS) < 50_000:
            _MONTH_ENDS[as_of] = end
    return AccountRecord(
        subject=SubjectIdentity(nid, name, dob), account_ref=account_ref, as_of=end, kind=kind,
        opened_on=opened_on, balance=balance, amount_past_due=past_due, status=status,
        ecoa=ecoa, currency=currency, closed_on=closed_on, credit_limit=credit_limit,
        original_amount=original_amount, scheduled_payment=scheduled_payment,
        date_of_first_delinquency=dofd, monthly_income=income, consent_ref=consent_ref,
        compliance_code=compliance, delete_code=delete_code, payment_history=history)


def record_to_dict(rec: AccountRecord) -> dict[str, Any]:
    """The JSON shape of a record (inverse of ``parse_account_record``)."""
    out: dict[str, Any] = {
        "subject": {"national_id": rec.subject.national_id, "name": rec.subject.name,
                    "date_of_birth": rec.subject.date_of_birth.isoformat()
                    if rec.subject.date_of_birth else None},
    }
    for name in RECORD_FIELDS[1:]:
        value = getattr(rec, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, StrEnum):
            value = value.value
        out[name] = value
    return out
