"""The furnished record: the closed schema every channel (JSON, CSV, Metro 2) is parsed into.

``parse_account_record`` is the one gate. It accepts JSON-typed values or the strings a CSV or a
Metro 2 reader produces, and returns an ``AccountRecord`` or raises ``ValidationFailed`` naming
every bad field. A field outside the schema is refused; one in a prohibited category is refused
with that category (see ``prohibited.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Any

from openbureau.domain import bounds, national_ids
from openbureau.domain.errors import FieldError, ProhibitedData, ValidationFailed
from openbureau.domain.fields import FieldReader, check_fields
from openbureau.domain.months import month_end
from openbureau.domain.profiles import Profile
from openbureau.domain.quality import REJECT_RULES, reject_errors, rule_error
from openbureau.domain.record_parts import (
    IDENT_MAX,
    REF_WHAT,
    AccountChange,
    Address,
    Employer,
    MortgageIds,
    OriginalCreditor,
    Purchase,
    SpecialisedPayment,
    parse_account_change,
    parse_address,
    parse_employer,
    parse_mortgage,
    parse_original_creditor,
    parse_purchase,
    parse_specialised_payment,
    part_to_dict,
)
from openbureau.domain.record_types import (
    _CURRENCY,
    _HISTORY,
    _NATIONAL_ID,
    _PHONE,
    _PHONE_SEPARATORS,
    _REF,
    CLOSED_STATUSES,
    COMPLIANCE_CODES,
    DELINQUENT,
    DEROGATORY,
    DISPUTE_COMPLIANCE_CODES,
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
    mask_national_id,
    normalise_national_id,
    special_comment_codes,
)
from openbureau.domain.records_fast import parse_plain as _parse_plain

__all__ = [
    "CLOSED_STATUSES", "COMPLIANCE_CODES", "DELINQUENT", "DEROGATORY", "DISPUTE_COMPLIANCE_CODES",
    "GENERATION_CODES", "RECORD_FIELDS", "SUBJECT_FIELDS", "AccountChange", "AccountKind",
    "AccountRecord", "AccountStatus", "Address", "DeleteCode", "Ecoa", "Employer", "MortgageIds",
    "OriginalCreditor", "Purchase", "SpecialisedPayment", "SubjectIdentity", "check_fields",
    "lookup_errors", "mask_national_id", "normalise_national_id",
    "parse_account_record", "parse_subject", "record_to_dict", "special_comment_codes",
    "subject_to_dict"]


# the nested objects of a record and their parsers (the subject's are in parse_subject)
_PARTS: dict[str, Callable[[Mapping[str, Any], str], tuple[Any, list[FieldError]]]] = {
    "original_creditor": parse_original_creditor, "purchase": parse_purchase,
    "mortgage": parse_mortgage, "specialised_payment": parse_specialised_payment,
    "account_change": parse_account_change}
assert tuple(_PARTS) == PART_FIELDS


_NO_ID_NOR_BIRTH = "is required when no national_id is given"
_Q06 = rule_error(next(r for r in REJECT_RULES if r.id == "Q06"))


def parse_subject(raw: Any, prefix: str = "subject.", *, require_national_id: bool = False
                  ) -> tuple[SubjectIdentity | None, list[FieldError]]:
    """The subject of a record. Without a national id the date of birth is required (Metro 2:
    a zero- or nine-filled SSN); ``require_national_id`` makes the national id itself required
    (a look-up or a judgment names the person by it)."""
    if not isinstance(raw, Mapping):
        return None, [FieldError(prefix.rstrip("."), "must be an object with national_id, name, "
                                 "date_of_birth")]
    errors = check_fields(raw, SUBJECT_FIELDS, prefix)
    r = FieldReader(raw, prefix)
    nid = r.text("national_id", required=require_national_id)
    name = r.name("name", required=True)
    dob = r.day("date_of_birth")
    surname = r.name("surname", max_len=NAME_PART_MAX, part=True)
    first_name = r.name("first_name", max_len=NAME_PART_MAX, part=True)
    middle_name = r.name("middle_name", max_len=NAME_PART_MAX, part=True)
    generation = r.code("generation_code", GENERATION_CODES,
                        "a Metro 2 generation code: J, S or 2 to 9")
    phone = _phone(r)
    if nid is not None:
        nid = normalise_national_id(nid)
        if not _NATIONAL_ID.match(nid):
            # never echo the identifier itself
            r.error("national_id", "must be 6 to 20 letters or digits")
            nid = None
    elif raw.get("national_id") in (None, "") and raw.get("date_of_birth") in (None, ""):
        r.error("date_of_birth", _NO_ID_NOR_BIRTH)
    address = employer = None
    if (raw_address := r.nested("address")) is not None:
        address, more = parse_address(raw_address, prefix + "address.")
        errors += more
    if (raw_employer := r.nested("employer")) is not None:
        employer, more = parse_employer(raw_employer, prefix + "employer.")
        errors += more
    errors += r.errors
    if errors or name is None:
        return None, errors
    return SubjectIdentity(nid, name, dob, surname, first_name, middle_name, generation, phone,
                           address, employer), []


def lookup_errors(identity: SubjectIdentity, today: date, prefix: str = "subject.",
                  *, require_national_id: bool = False, profile: Profile | None = None
                  ) -> list[FieldError]:
    """What a look-up (an inquiry, a restriction check, a consent a member records) may not name
    a person by: neither a national id nor a birth date (or no national id where the caller
    or the ``profile`` needs one; a national id the profile's scheme refuses,
    ``national_ids.errors``), a name that is no name (``bounds.name_error``), a birth date
    before 1900 or in the future. A look-up that passes and matches no file with confidence is
    "no file"."""
    errors = []
    if profile is not None:
        require_national_id = require_national_id or profile.national_id_required
        if identity.national_id:
            errors += national_ids.errors(profile.national_id_scheme, False,
                                          normalise_national_id(identity.national_id),
                                          identity.date_of_birth, prefix + "national_id")
    if not identity.national_id:
        if require_national_id:
            errors.append(FieldError(prefix + "national_id", "is required"))
        elif identity.date_of_birth is None:
            errors.append(FieldError(prefix + "date_of_birth", _NO_ID_NOR_BIRTH))
    name = identity.name.strip()
    problem = ("is required" if not name else f"must be 1 to {bounds.NAME_MAX} characters"
               if len(name) > bounds.NAME_MAX else bounds.name_error(name))
    if problem is not None:
        errors.append(FieldError(prefix + "name", problem))
    if identity.date_of_birth is not None:
        problem = bounds.birth_date_error(identity.date_of_birth, today)
        if problem is not None:
            errors.append(FieldError(prefix + "date_of_birth", problem))
    return errors


def _phone(r: FieldReader) -> str | None:
    phone = r.text("phone")
    if phone is None:
        return None
    phone = _PHONE_SEPARATORS.sub("", phone)
    if not (_PHONE.match(phone) and phone.isascii()):
        r.error("phone", "must be 7 to 15 digits (blanks, dots, hyphens, brackets and a "
                         "leading + are ignored)")
        return None
    return phone


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
    # neither a national id nor a date of birth is the reject rule Q06: the refusal names the
    # rule (on the same field), so that the file's data-quality report counts it
    subject_errors = [_Q06 if (e.field, e.message) == ("subject.date_of_birth", _NO_ID_NOR_BIRTH)
                      else e for e in subject_errors]
    if raw.get("subject") is None:
        subject_errors = [FieldError("subject", "is required")]
    errors += subject_errors
    r = FieldReader(raw)
    account_ref = r.text("account_ref", True, _REF, REF_WHAT)
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
    ident = r.text("identification_number", max_len=IDENT_MAX)
    comment = r.code("special_comment", special_comment_codes(),
                     "a Metro 2 special comment code")
    parts: dict[str, Any] = {}
    for name, parse in _PARTS.items():
        if (value := r.nested(name)) is not None:
            parts[name], more = parse(value, name + ".")
            errors += more
    if compliance is not None and compliance not in COMPLIANCE_CODES:
        r.error("compliance_code", f"must be one of {'|'.join(sorted(COMPLIANCE_CODES))}")
    if income is not None and consent_ref is None:
        r.error("monthly_income", "may be reported only with the consumer's recorded consent "
                                  "(consent_ref)")
    errors += r.errors
    if errors:
        if any(e.category for e in errors):
            raise ProhibitedData(errors)
        raise ValidationFailed(errors)
    assert subject is not None and account_ref is not None and as_of is not None
    assert kind is not None and opened_on is not None and balance is not None
    assert past_due is not None and status is not None and ecoa is not None
    assert currency is not None
    rec = AccountRecord(
        subject=subject, account_ref=account_ref, as_of=as_of, kind=kind,
        opened_on=opened_on, balance=balance, amount_past_due=past_due, status=status,
        ecoa=ecoa, currency=currency, closed_on=closed_on, credit_limit=credit_limit,
        original_amount=original_amount, scheduled_payment=scheduled_payment,
        date_of_first_delinquency=dofd, monthly_income=income, consent_ref=consent_ref,
        compliance_code=compliance, delete_code=delete_code, payment_history=history,
        identification_number=ident, special_comment=comment, **parts)
    # the cross-field checks are the data-quality reject rules (one table, domain/quality.py)
    if errors := reject_errors(rec):
        raise ValidationFailed(errors)
    return replace(rec, as_of=month_end(as_of))


def subject_to_dict(subject: SubjectIdentity) -> dict[str, Any]:
    """The JSON shape of a subject (every field; absent ones as None)."""
    return {"national_id": subject.national_id, "name": subject.name,
            "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth
            else None,
            "surname": subject.surname, "first_name": subject.first_name,
            "middle_name": subject.middle_name, "generation_code": subject.generation_code,
            "phone": subject.phone, "address": part_to_dict(subject.address),
            "employer": part_to_dict(subject.employer)}


def record_to_dict(rec: AccountRecord) -> dict[str, Any]:
    """The JSON shape of a record (inverse of ``parse_account_record``)."""
    out: dict[str, Any] = {"subject": subject_to_dict(rec.subject)}
    for name in RECORD_FIELDS[1:]:
        value = getattr(rec, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, StrEnum):
            value = value.value
        elif name in _PARTS:
            value = part_to_dict(value)
        out[name] = value
    return out
