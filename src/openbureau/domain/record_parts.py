"""The nested parts of a furnished record: a subject's address and employer, and the account's
original creditor, purchase/sale, mortgage identifiers, specialised payment and number change.

Each part is a frozen dataclass with a ``parse_*`` function (raw mapping -> part or None, plus
field errors named ``prefix + field``) and ``part_to_dict`` for the inverse. An object whose
fields are all absent parses to None (absent), so ``parse(part_to_dict(x)) == x`` holds for
every part ``x`` the parsers return. Bounds are those of the JSON schema; Metro 2 is narrower
(32-character address lines, 20-character identification numbers ...) and its writer refuses
what does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any

from openbureau.domain.errors import FieldError
from openbureau.domain.fields import FieldReader, check_fields

# Metro 2 address indicator (C confirmed, Y known, N not confirmed, M military, S secondary,
# B business, U undeliverable, D furnisher default, P bill-payer service) and residence code
ADDRESS_INDICATORS = frozenset("CYNMSBUDP")
RESIDENCE_CODES = frozenset("OR")
CREDITOR_CLASSIFICATIONS = frozenset(f"{i:02d}" for i in range(1, 16))
POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
REF = re.compile(r"^[A-Za-z0-9._/-]{1,30}$")
REF_WHAT = "1 to 30 letters, digits or . _ / -"
LINE_MAX, CITY_MAX, STATE_MAX, NAME_MAX, OCCUPATION_MAX = 100, 60, 40, 100, 60
IDENT_MAX = 20      # identification numbers (Metro 2 base field 5)
MORTGAGE_ID_MAX = 30


class PurchaseIndicator(StrEnum):
    PURCHASED_FROM = "purchased_from"     # Metro 2 K2 code 1
    SOLD_TO = "sold_to"                   # 2
    REMOVE = "remove"                     # 9: remove a previously reported K2


class MortgageAgency(StrEnum):
    FANNIE_MAE = "fannie_mae"             # Metro 2 K3 code 01 (00: none)
    FREDDIE_MAC = "freddie_mac"           # 02


class SpecialisedPaymentKind(StrEnum):
    BALLOON = "balloon"                   # Metro 2 K4 code 01
    DEFERRED = "deferred"                 # 02


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None            # ISO 3166 alpha-2 (Metro 2 country code)
    indicator: str | None = None          # Metro 2 address indicator
    residence: str | None = None          # O owns, R rents


@dataclass(frozen=True, slots=True)
class Employer:
    name: str
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    occupation: str | None = None


@dataclass(frozen=True, slots=True)
class OriginalCreditor:
    name: str
    classification: str                   # "01".."15" (Metro 2 creditor classification)


@dataclass(frozen=True, slots=True)
class Purchase:
    indicator: PurchaseIndicator
    name: str | None = None


@dataclass(frozen=True, slots=True)
class MortgageIds:
    agency: MortgageAgency | None = None
    agency_account: str | None = None
    mers_min: str | None = None


@dataclass(frozen=True, slots=True)
class SpecialisedPayment:
    indicator: SpecialisedPaymentKind
    deferred_start: date | None = None
    balloon_due: date | None = None
    balloon_amount: int | None = None     # minor units


@dataclass(frozen=True, slots=True)
class AccountChange:
    """Metro 2 L1: the account's new number and/or new identification number."""

    new_account_ref: str | None = None
    new_identification_number: str | None = None


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


ADDRESS_FIELDS = _names(Address)
EMPLOYER_FIELDS = _names(Employer)
ORIGINAL_CREDITOR_FIELDS = _names(OriginalCreditor)
PURCHASE_FIELDS = _names(Purchase)
MORTGAGE_FIELDS = _names(MortgageIds)
SPECIALISED_PAYMENT_FIELDS = _names(SpecialisedPayment)
ACCOUNT_CHANGE_FIELDS = _names(AccountChange)


def _empty(raw: Mapping[str, Any]) -> bool:
    return all(v is None or v == "" for v in raw.values())


def _address_parts(r: FieldReader) -> dict[str, Any]:
    return {
        "line1": r.text("line1", max_len=LINE_MAX), "line2": r.text("line2", max_len=LINE_MAX),
        "city": r.text("city", max_len=CITY_MAX), "state": r.text("state", max_len=STATE_MAX),
        "postal_code": r.text("postal_code", pattern=POSTAL_CODE,
                              what="1 to 12 letters, digits, blanks or hyphens"),
    }


def parse_address(raw: Mapping[str, Any], prefix: str) -> tuple[Address | None, list[FieldError]]:
    errors = check_fields(raw, ADDRESS_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    parts = _address_parts(r)
    country = r.text("country", pattern=COUNTRY, what="an ISO 3166 two-letter country code")
    indicator = r.code("indicator", ADDRESS_INDICATORS, "a Metro 2 address indicator "
                       "(C Y N M S B U D P)")
    residence = r.code("residence", RESIDENCE_CODES, "O (owns) or R (rents)")
    errors += r.errors
    if errors:
        return None, errors
    return Address(**parts, country=country, indicator=indicator, residence=residence), []


def parse_employer(raw: Mapping[str, Any], prefix: str) -> tuple[Employer | None,
                                                                  list[FieldError]]:
    errors = check_fields(raw, EMPLOYER_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    name = r.text("name", required=True, max_len=NAME_MAX)
    parts = _address_parts(r)
    occupation = r.text("occupation", max_len=OCCUPATION_MAX)
    errors += r.errors
    if errors or name is None:
        return None, errors
    return Employer(name, **parts, occupation=occupation), []


def parse_original_creditor(raw: Mapping[str, Any], prefix: str) -> tuple[
        OriginalCreditor | None, list[FieldError]]:
    errors = check_fields(raw, ORIGINAL_CREDITOR_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    name = r.text("name", required=True, max_len=NAME_MAX)
    classification = r.code("classification", CREDITOR_CLASSIFICATIONS,
                            "a Metro 2 creditor classification 01 to 15", required=True)
    errors += r.errors
    if errors or name is None or classification is None:
        return None, errors
    return OriginalCreditor(name, classification), []


def parse_purchase(raw: Mapping[str, Any], prefix: str) -> tuple[Purchase | None,
                                                                  list[FieldError]]:
    errors = check_fields(raw, PURCHASE_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    indicator = r.choice("indicator", PurchaseIndicator, required=True)
    name = r.text("name", max_len=NAME_MAX)
    errors += r.errors
    if errors or indicator is None:
        return None, errors
    return Purchase(indicator, name), []


def parse_mortgage(raw: Mapping[str, Any], prefix: str) -> tuple[MortgageIds | None,
                                                                  list[FieldError]]:
    errors = check_fields(raw, MORTGAGE_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    agency = r.choice("agency", MortgageAgency)
    account = r.text("agency_account", max_len=MORTGAGE_ID_MAX)
    mers_min = r.text("mers_min", max_len=MORTGAGE_ID_MAX)
    errors += r.errors
    if errors:
        return None, errors
    return MortgageIds(agency, account, mers_min), []


def parse_specialised_payment(raw: Mapping[str, Any], prefix: str) -> tuple[
        SpecialisedPayment | None, list[FieldError]]:
    errors = check_fields(raw, SPECIALISED_PAYMENT_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    indicator = r.choice("indicator", SpecialisedPaymentKind, required=True)
    start = r.day("deferred_start")
    due = r.day("balloon_due")
    amount = r.money("balloon_amount")
    errors += r.errors
    if errors or indicator is None:
        return None, errors
    return SpecialisedPayment(indicator, start, due, amount), []


def parse_account_change(raw: Mapping[str, Any], prefix: str) -> tuple[AccountChange | None,
                                                                        list[FieldError]]:
    errors = check_fields(raw, ACCOUNT_CHANGE_FIELDS, prefix)
    if _empty(raw):
        return None, errors
    r = FieldReader(raw, prefix)
    ref = r.text("new_account_ref", pattern=REF, what=REF_WHAT)
    ident = r.text("new_identification_number", max_len=IDENT_MAX)
    errors += r.errors
    if errors:
        return None, errors
    return AccountChange(ref, ident), []


def part_to_dict(part: Any) -> dict[str, Any] | None:
    """The JSON shape of a part (every field, absent ones as None); None for None."""
    if part is None:
        return None
    out: dict[str, Any] = {}
    for name in part.__slots__:
        value = getattr(part, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, StrEnum):
            value = value.value
        out[name] = value
    return out
