"""The fast path of ``records.parse_account_record``.

Most records are well formed. ``parse_plain`` accepts a subset of the records the full checks
(``records.parse_account_record``, ``records.parse_subject``, ``record_parts``) accept -- plain
values, nothing to strip or normalise beyond what those checks do, no field in doubt -- and gives
the very same AccountRecord; for anything else it answers None and the full checks run (they
alone word the errors). Each test below is the condition under which the corresponding full
check passes; ``tests/unit/test_records.py`` checks the equivalence on generated records.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from openbureau.domain.bounds import (
    EARLIEST,
    LATEST,
    MONEY_MAX,
    invisible_error,
    name_error,
)
from openbureau.domain.bounds import NAME_MAX as SUBJECT_NAME_MAX
from openbureau.domain.fields import BAD_TEXT
from openbureau.domain.months import month_end
from openbureau.domain.record_parts import (
    ADDRESS_FIELDS,
    ADDRESS_INDICATORS,
    CITY_MAX,
    COUNTRY,
    CREDITOR_CLASSIFICATIONS,
    IDENT_MAX,
    LINE_MAX,
    NAME_MAX,
    ORIGINAL_CREDITOR_FIELDS,
    POSTAL_CODE,
    RESIDENCE_CODES,
    STATE_MAX,
    Address,
    OriginalCreditor,
)
from openbureau.domain.record_types import (
    _CURRENCY,
    _HISTORY,
    _REF,
    COMPLIANCE_CODES,
    DEROGATORY,
    GENERATION_CODES,
    NAME_PART_MAX,
    PART_FIELDS,
    RECORD_FIELDS,
    SUBJECT_FIELDS,
    AccountKind,
    AccountRecord,
    AccountStatus,
    DeleteCode,
    Ecoa,
    SubjectIdentity,
    special_comment_codes,
)

_RECORD_KEYS = frozenset(RECORD_FIELDS)
_SUBJECT_KEYS = frozenset(SUBJECT_FIELDS)
_OLD_SUBJECT_KEYS = frozenset(SUBJECT_FIELDS[:3])
_PART_KEYS = frozenset(PART_FIELDS)
_PART_FIELDS_BUT_CREDITOR = tuple(f for f in PART_FIELDS if f != "original_creditor")
_NEW_SUBJECT_FIELDS = SUBJECT_FIELDS[3:]
_CREDITOR_KEYS = frozenset(ORIGINAL_CREDITOR_FIELDS)
# per address field: its longest length, its code set or its pattern (as parse_address checks)
_ADDRESS_CHECKS: dict[str, Any] = {
    "line1": LINE_MAX, "line2": LINE_MAX, "city": CITY_MAX, "state": STATE_MAX,
    "postal_code": POSTAL_CODE, "country": COUNTRY, "indicator": ADDRESS_INDICATORS,
    "residence": RESIDENCE_CODES}
assert set(_ADDRESS_CHECKS) == set(ADDRESS_FIELDS)
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
            value = date.fromisoformat(value.strip())
        except ValueError:
            return _FAIL
    elif type(value) is not date:
        return _FAIL
    return value if EARLIEST <= value <= LATEST else _FAIL


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
    return value if 0 <= value <= MONEY_MAX else _FAIL


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


def _plain_bounded(value: Any, most: int) -> Any:
    if value is None or value == "":
        return None
    if type(value) is not str:
        return _FAIL
    value = value.strip()
    if not 1 <= len(value) <= most or BAD_TEXT.search(value):
        return _FAIL
    return value


def _plain_part(value: Any) -> Any:
    """A part of a name (``FieldReader.name(..., part=True)``)."""
    value = _plain_bounded(value, NAME_PART_MAX)
    if value is None or value is _FAIL or invisible_error(value) is None:
        return value
    return _FAIL


def _plain_code(value: Any, codes: frozenset[str]) -> Any:
    if value is None or value == "":
        return None
    if type(value) is not str:
        return _FAIL
    value = value.strip()
    return value if value in codes else _FAIL


def _plain_address(raw: Any) -> Any:
    if raw is None:
        return None
    if type(raw) is not dict:
        return _FAIL
    out = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if type(value) is not str:
            return _FAIL
        value = value.strip()
        check = _ADDRESS_CHECKS.get(key)
        if check is None:
            return _FAIL
        if check.__class__ is int:
            if not 1 <= len(value) <= check:
                return _FAIL
        elif check.__class__ is frozenset:
            if value not in check:
                return _FAIL
        elif not check.match(value):
            return _FAIL
        out[key] = value
    if not out:
        return None
    if BAD_TEXT.search("".join(out.values())):
        return _FAIL
    return Address(**out)


def _plain_creditor(raw: Any) -> Any:
    if raw is None:
        return None
    if type(raw) is not dict or not raw.keys() <= _CREDITOR_KEYS:
        return _FAIL
    name = _plain_bounded(raw.get("name"), NAME_MAX)
    classification = _plain_code(raw.get("classification"), CREDITOR_CLASSIFICATIONS)
    if name is None and classification is None:
        return None if all(v is None or v == "" for v in raw.values()) else _FAIL
    if name is None or classification is None or name is _FAIL or classification is _FAIL:
        return _FAIL
    return OriginalCreditor(name, classification)


def _plain_subject(subject: dict[str, Any]) -> Any:
    get = subject.get
    nid, name = get("national_id"), get("name")
    if type(name) is not str:
        return _FAIL
    name = name.strip()
    if (not 1 <= len(name) <= SUBJECT_NAME_MAX or BAD_TEXT.search(name)
            or name_error(name)):
        return _FAIL
    dob = _plain_day(get("date_of_birth"))
    if nid is None or nid == "":
        if dob is None:
            return _FAIL
        nid = None
    elif type(nid) is not str or not _PLAIN_NATIONAL_ID.fullmatch(nid):
        return _FAIL
    if subject.keys() <= _OLD_SUBJECT_KEYS or list(map(get, _NEW_SUBJECT_FIELDS)).count(
            None) == len(_NEW_SUBJECT_FIELDS):     # record_to_dict's shape: all of them None
        return _FAIL if dob is _FAIL else SubjectIdentity(nid, name, dob)
    phone = get("phone")
    if phone is not None and phone != "" and not (
            type(phone) is str and phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 15):
        return _FAIL
    if get("employer") is not None:
        return _FAIL
    values = (dob, _plain_part(get("surname")), _plain_part(get("first_name")),
              _plain_part(get("middle_name")),
              _plain_code(get("generation_code"), GENERATION_CODES),
              _plain_address(get("address")))
    if _FAIL in values:
        return _FAIL
    dob, surname, first, middle, generation, address = values
    return SubjectIdentity(nid, name, dob, surname, first, middle, generation, phone or None,
                           address)


def parse_plain(raw: dict[str, Any]) -> AccountRecord | None:
    subject = raw.get("subject")
    if not (raw.keys() <= _RECORD_KEYS and type(subject) is dict
            and subject.keys() <= _SUBJECT_KEYS):
        return None
    who = _plain_subject(subject)
    if who is _FAIL:
        return None
    get = raw.get
    creditor = None
    if not _PART_KEYS.isdisjoint(raw):
        parts = list(map(get, _PART_FIELDS_BUT_CREDITOR))
        if parts.count(None) != len(parts):
            return None     # the nested account objects but K1: the full checks only
        creditor = _plain_creditor(get("original_creditor"))
        if creditor is _FAIL:
            return None
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
    ident = get("identification_number")
    if ident is not None:
        ident = _plain_bounded(ident, IDENT_MAX)
    comment = get("special_comment")
    if comment is not None and comment != "":
        comment = _plain_code(comment, special_comment_codes())
    values = (account_ref, as_of, kind, opened_on, closed_on, credit_limit, original_amount,
              scheduled_payment, balance, past_due, status, dofd, ecoa, income, consent_ref,
              currency, compliance, delete_code, history, ident, comment)
    if (_FAIL in values or account_ref is None or as_of is None
            or kind is None or opened_on is None or balance is None or past_due is None
            or status is None or ecoa is None or currency is None
            or (compliance is not None and compliance not in COMPLIANCE_CODES)
            or (consent_ref is not None and BAD_TEXT.search(consent_ref))
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
        subject=who, account_ref=account_ref, as_of=end, kind=kind,
        opened_on=opened_on, balance=balance, amount_past_due=past_due, status=status,
        ecoa=ecoa, currency=currency, closed_on=closed_on, credit_limit=credit_limit,
        original_amount=original_amount, scheduled_payment=scheduled_payment,
        date_of_first_delinquency=dofd, monthly_income=income, consent_ref=consent_ref,
        compliance_code=compliance, delete_code=delete_code, payment_history=history,
        identification_number=ident, special_comment=comment or None,
        original_creditor=creditor)
