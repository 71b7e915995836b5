"""Bodies of the report endpoints: ``POST /v1/member/inquiries`` and ``/v1/me/*`` (api.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from openbureau.api.schemas import Closed
from openbureau.domain.profiles import Purpose


class AddressRef(Closed):
    line1: str = Field(min_length=1, max_length=120)
    line2: str | None = Field(default=None, max_length=120)
    city: str | None = Field(default=None, max_length=60)
    state: str | None = Field(default=None, max_length=40)
    postal_code: str | None = Field(default=None, max_length=20)


class Applicant(Closed):
    """The identity as the application gives it (api.md): a national id when there is one; a
    middle name, an initial or none; the address helps when the id is missing."""

    national_id: str | None = Field(default=None, min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    date_of_birth: date | None = None
    address: AddressRef | None = None


class InquiryIn(Closed):
    subject: Applicant
    purpose: Purpose
    consent_ref: str | None = Field(default=None, min_length=1, max_length=64)


class Identity(BaseModel):
    item_ref: str
    name: str
    date_of_birth: date | None
    national_id: str | None = Field(description="the full identifier; only in your own report")
    national_id_masked: str | None = Field(description="null for a file opened from records "
                                                       "without a national id")


class IdentitySource(BaseModel):
    furnisher: str = Field(description="who reported it")
    first_seen_on: date = Field(description="as-of date of the first record that said it")
    last_seen_on: date = Field(description="as-of date of the latest record that said it")
    item_ref: str = Field(description="this source's observation; a dispute names it as "
                                      "{kind: identity, ref}")


class IdentityElement(BaseModel):
    item_ref: str
    kind: str = Field(description="name | national_id | date_of_birth | address | phone | "
                                  "employer")
    label: str = Field(description="what it is in words: Name (the file's), Also known as "
                                   "(every other name), National id, Birth date, Address, ...")
    value: str = Field(description="in words; national ids and phones masked to the last 4")
    fields: dict[str, Any] = Field(description="the element's parts (masked likewise)")
    first_seen_on: date
    last_seen_on: date
    reported_by: list[IdentitySource]
    disputed: bool = Field(description="under an open dispute")


class GridCell(BaseModel):
    month: str = Field(description="YYYY-MM")
    code: str = Field(description="Metro 2 payment-history code (0-6 E G H J K L), P paid, "
                                  "C closed, '-' no data")
    status: str
    label: str
    source: str = Field(description="reported | payment_history | none")


class Statement(BaseModel):
    item_ref: str | None
    text: str
    created_at: datetime


class OriginalCreditor(BaseModel):
    name: str
    classification: str | None
    classification_text: str | None


class Purchase(BaseModel):
    indicator: str = Field(description="purchased_from | sold_to")
    name: str | None
    text: str


class WhyField(BaseModel):
    field: str = Field(description="the comparison: nid, first, middle, surname, gen, dob, "
                                   "addr, phone")
    label: str = Field(description="the field in words")
    level: str = Field(description="how it compared: exact, nickname, one digit off, ...")
    weight: float = Field(description="its match weight (bits; negative: it spoke against)")
    agreed: bool


class GivenIdentity(BaseModel):
    """The identity a court or a member gave when it named this file's person."""

    name: str | None
    date_of_birth: str | None
    national_id_masked: str | None = Field(description="its last four characters only")
    address: str | None


class Why(BaseModel):
    """Why an item is on this file: how identity resolution placed it (an account when it was
    furnished; a public record or an inquiry by a look-up of the court's or member's
    identity)."""

    how: str = Field(description="match | known_account | new_file | operator | identifier "
                                 "(a court's identifier, name agreeing) | unrecorded (placed "
                                 "before the bureau kept this)")
    text: str = Field(description="the same in plain words")
    linked_on: date | None
    weight: float | None = Field(description="the match weight of a scored link")
    threshold: float | None = Field(description="the weight at or above which it links")
    model_version: str | None = Field(description="the identity-matching model's version")
    fields: list[WhyField] = Field(description="each field compared, strongest first")
    given: GivenIdentity | None = Field(
        None, description="a public record's or inquiry's: the identity the court or member "
                          "gave (in the person's own report only)")


class LateMonths(BaseModel):
    label: str
    months: int


class HistorySummary(BaseModel):
    months_reported: int = Field(description="months of the 24 with data")
    on_time: int = Field(description="of those, months paid on time")
    late: list[LateMonths] = Field(description="the other months with data, by status")
    text: str = Field(description="the same in one sentence")


class Account(BaseModel):
    item_ref: str
    account_ref: str
    furnisher: str
    name: str = Field(description="the account in words: furnisher, kind and the last four "
                      "characters of the account number")
    kind: str
    ecoa: str
    status: str | None
    currency: str
    balance: int | None
    credit_limit: int | None
    original_amount: int | None
    amount_past_due: int | None
    opened_on: date
    closed_on: date | None
    as_of: date
    date_of_first_delinquency: date | None
    compliance_code: str | None
    compliance_condition_text: str | None = Field(description="the compliance condition in "
                                                              "words")
    special_comment: str | None = Field(description="Metro 2 special comment code of the "
                                                    "newest month")
    special_comment_text: str | None
    original_creditor: OriginalCreditor | None = Field(
        description="K1: the creditor a collection account was originally owed to")
    purchase: Purchase | None = Field(description="K2: purchased from / sold to")
    mortgage: dict[str, Any] | None = Field(description="K3: agency, agency account, MERS MIN")
    specialised_payment: dict[str, Any] | None = Field(
        description="K4: balloon or deferred payment")
    disputed: bool
    payment_history: list[GridCell] = Field(description="24 months, oldest first")
    statements: list[Statement]
    why: Why = Field(description="why this account is on this file")
    history: HistorySummary = Field(description="the payment history in numbers and words")


class RestrictionOrder(BaseModel):
    category: str
    ordered_on: date
    until: date | None


class PublicRecord(BaseModel):
    item_ref: str
    kind: str
    court: str
    case_number: str
    amount: int
    currency: str
    judgment_date: date
    ground: str | None
    legal_basis: str | None
    status: str
    listed_at: datetime
    until: date | None
    disputed: bool
    restrictions: list[RestrictionOrder]
    why: Why = Field(description="why this listing is on this file: how the court's debtor "
                                 "was found to be this file's person")


class Looked(BaseModel):
    """Who looked at the file: an inquiry or a restriction check."""

    item_ref: str
    kind: str = Field(description="inquiry | restriction_check")
    who: str = Field(description="the organisation's name")
    when: datetime
    purpose: str
    category: str | None = Field(description="for a restriction check, the category asked")


class Inquiry(Looked):
    why: Why = Field(description="why this inquiry is on this file: how the identity the "
                                 "organisation gave found it")


class Dispute(BaseModel):
    item_kind: str
    item_ref: str
    item_name: str | None = Field(None, description="the disputed item in words (an account's "
                                  "name, a public record's court and case)")
    status: str
    opened_at: datetime
    due_at: datetime
    answered_at: datetime | None
    statement: str | None
    reason: str | None = None
    note: str | None = None


class Notice(BaseModel):
    kind: str
    title: str
    body: Any = Field(description="the notice's structured fields (kind-specific)")
    created_at: datetime
    text: str = Field(description="the notice as the letter the consumer reads: the title, "
                      "then paragraphs separated by a blank line, list items as \"- \" lines")


class FraudAlert(BaseModel):
    kind: str
    placed_at: datetime
    expires_at: datetime


class BlockedItem(BaseModel):
    item_ref: str
    name: str
    status: str = Field(description="blocked")
    report_id: str = Field(description="the identity-theft report that blocked it")
    blocked_at: datetime


class BureauContact(BaseModel):
    name: str
    contact: str


class IdentityVerification(BaseModel):
    status: str = Field(description="agrees: every record sent under the file's national id "
                        "carried one of its names; review: records sent under it with another "
                        "name wait in the review queue")
    pending: int = Field(description="how many such records wait (their names are not shown)")
class Money(BaseModel):
    currency: str
    amount: int


class Utilisation(BaseModel):
    percent: int | None
    balance: int
    limit: int
    currency: str | None


class OnTime(BaseModel):
    percent: int = Field(description="rounded down: 100 only when every month was on time")
    months: int = Field(description="account-months with data in the 24-month grids")
    on_time_months: int


class AgeOfCredit(BaseModel):
    months: int
    text: str
    since: date = Field(description="when the oldest account was opened")


class Attention(BaseModel):
    kind: str = Field(description="past_due | disputes | public_records | fraud_alerts | frozen")
    count: int
    text: str


class ScoreTile(BaseModel):
    value: int
    band: str


class Summary(BaseModel):
    """The report at a glance (the page's and the PDF's tiles)."""

    score: ScoreTile | None
    accounts_open: int
    accounts_total: int
    balances: list[Money] = Field(description="total balance of the accounts, per currency")
    utilisation: Utilisation | None = Field(description="open revolving accounts' balances "
                                                        "over their limits")
    on_time: OnTime | None = Field(description="share of months with data paid on time")
    hard_inquiries: int = Field(description="credit-application inquiries, last 12 months")
    age_of_credit: AgeOfCredit | None
    attention: list[Attention] = Field(description="what needs attention; empty: nothing")


class Change(BaseModel):
    kind: str = Field(description="new_account | status_change | new_inquiry | "
                                  "new_public_record | score_change")
    item_ref: str | None
    text: str


class ScoreChange(BaseModel):
    before: int
    after: int
    change: int
    text: str


class Changes(BaseModel):
    """What changed since the newest report you read before today."""

    since: datetime | None = Field(description="that report's time; null: your first report")
    items: list[Change]
    score: ScoreChange | None
    text: str


class Report(BaseModel):
    generated_at: datetime
    profile: str
    subject_ref: str
    identity: Identity
    personal_information: list[IdentityElement] = Field(
        description="every identity element furnishers reported, with who and when")
    identity_verification: IdentityVerification | None = Field(
        default=None, description="whether the national id and the name agree, under a "
        "profile that asks for it (cn-cri); null elsewhere")
    accounts: list[Account]
    public_records: list[PublicRecord]
    inquiries: list[Inquiry]
    disputes: list[Dispute]
    statements: list[Statement]
    notices: list[Notice] | None = Field(description="only in your own report")
    score: dict[str, Any] | None = Field(description="api.md's score object; null until scored")
    fraud_alerts: list[FraudAlert]
    frozen: bool
    bureau: BureauContact
    summary: Summary = Field(description="the report at a glance")
    changes: Changes | None = Field(description="what changed since your last report; only "
                                                "in your own report")
    blocked_items: list[BlockedItem] | None = Field(
        default=None, description="only in your own report: accounts blocked after your "
                                  "identity-theft report (not shown to members, not scored)")


class InquiryOut(BaseModel):
    inquiry_id: str = Field(description="the inquiry's opaque reference, for /v1/member/decisions")
    report: Report
    score: dict[str, Any] | None


class Access(Looked):
    consent_ref: str | None


class AccessList(BaseModel):
    items: list[Access]


class NoticeList(BaseModel):
    items: list[Notice]
