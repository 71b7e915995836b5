"""The furnished record's types: the closed schema's enums, code sets and dataclasses.

``records`` parses into them (``parse_account_record``) and re-exports everything here; import
from ``records``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from openbureau.domain import code_lists
from openbureau.domain.record_parts import (
    REF,
    AccountChange,
    Address,
    Employer,
    MortgageIds,
    OriginalCreditor,
    Purchase,
    SpecialisedPayment,
)


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
GENERATION_CODES = frozenset("JS23456789")   # Metro 2: J junior, S senior, 2-9 = II to IX
_HISTORY = re.compile(r"^[0-6BDEGHJKL]{1,24}$")
_NATIONAL_ID = re.compile(r"^[A-Z0-9]{6,20}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REF = REF
_PHONE = re.compile(r"^[0-9]{7,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s().+-]")
NAME_PART_MAX = 60


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    national_id: str | None       # None: none given (then date_of_birth is required)
    name: str                     # "FIRST MIDDLE SURNAME" as furnished
    date_of_birth: date | None
    surname: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    generation_code: str | None = None   # J, S, 2-9
    phone: str | None = None             # digits only
    address: Address | None = None
    employer: Employer | None = None

    def masked(self) -> str:
        return mask_national_id(self.national_id) if self.national_id else ""


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
    identification_number: str | None = None   # Metro 2 base field 5 (furnisher's branch id)
    special_comment: str | None = None         # Metro 2 special comment code
    original_creditor: OriginalCreditor | None = None   # K1
    purchase: Purchase | None = None                     # K2
    mortgage: MortgageIds | None = None                  # K3
    specialised_payment: SpecialisedPayment | None = None   # K4
    account_change: AccountChange | None = None          # L1


SUBJECT_FIELDS = ("national_id", "name", "date_of_birth", "surname", "first_name", "middle_name",
                  "generation_code", "phone", "address", "employer")
RECORD_FIELDS = ("subject", "account_ref", "as_of", "kind", "opened_on", "closed_on",
                 "credit_limit", "original_amount", "scheduled_payment", "balance",
                 "amount_past_due", "status", "date_of_first_delinquency", "ecoa",
                 "monthly_income", "consent_ref", "currency", "compliance_code", "delete_code",
                 "payment_history", "identification_number", "special_comment",
                 "original_creditor", "purchase", "mortgage", "specialised_payment",
                 "account_change")
# the nested account objects (their parsers: records._PARTS)
PART_FIELDS = ("original_creditor", "purchase", "mortgage", "specialised_payment",
               "account_change")


@cache
def special_comment_codes() -> frozenset[str]:
    """The valid special comment codes (the code list is data; read once)."""
    return code_lists.special_comment_codes()


def normalise_national_id(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw).upper()


def mask_national_id(national_id: str) -> str:
    return "*" * max(len(national_id) - 4, 0) + national_id[-4:]


