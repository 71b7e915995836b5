"""What the repositories of ``services/ports.py`` return: frozen records, never database rows.

The SQL repositories in ``adapters/`` and the in-memory ones in ``tests/fakes.py`` build the
same records, so a use case cannot tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple


@dataclass(frozen=True)
class FileIdentity:
    """A credit file's identity data (the subject)."""

    id: int
    item_ref: str
    name: str
    date_of_birth: date | None
    id_hmac: str | None
    id_suffix: str | None


@dataclass(frozen=True)
class Dispute:
    id: int
    ref: str
    subject_id: int
    item_kind: str
    item_ref: str
    furnisher_id: int | None
    reason: str
    statement: str | None
    status: str
    opened_at: datetime
    due_at: datetime
    answered_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class DisputeOnFile:
    """A dispute as the party answering it sees it: with whose file it is on, and (an account)
    the furnisher's own reference."""

    dispute: Dispute
    name: str
    id_suffix: str | None
    account_ref: str | None = None


@dataclass(frozen=True)
class OpenDispute:
    """A line of the staff's disputes dashboard (no consumer data)."""

    ref: str
    item_kind: str
    opened_at: datetime
    due_at: datetime
    answerer: str | None


@dataclass(frozen=True)
class AccountKey:
    """What makes an account the one a correction must be about."""

    account_ref: str
    subject_id: int
    id_hmac: str | None


@dataclass(frozen=True)
class Listing:
    id: int
    item_ref: str
    subject_id: int
    court_id: int
    status: str


@dataclass(frozen=True)
class ListingDetail:
    """A listing with what an objection reads and corrects."""

    id: int
    item_ref: str
    subject_id: int
    court_id: int
    court_name: str
    case_number: str
    status: str
    amount: int
    ground: str | None
    legal_basis: str | None
    until: date | None


@dataclass(frozen=True)
class Objection:
    id: int
    public_record_id: int
    subject_id: int
    court_id: int
    kind: str
    reason: str
    status: str
    opened_at: datetime
    due_at: datetime
    decided_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class ObjectionOnFile:
    """An objection as the deciding court lists it."""

    objection: Objection
    listing_ref: str
    case_number: str
    debtor_name: str
    subject_ref: str


@dataclass(frozen=True)
class Holding:
    """An account as its furnisher reconciles it: the account and its latest month."""

    id: int
    account_ref: str
    item_ref: str
    as_of: date
    kind: str
    status: str
    balance: int
    amount_past_due: int
    credit_limit: int | None
    currency: str
    opened_on: date
    closed_on: date | None
    compliance_code: str | None
    deleted: bool


@dataclass(frozen=True)
class FurnishingFile:
    """A furnisher's file as its quality report and its list show it."""

    ref: str
    filename: str
    format: str
    status: str
    records: int
    accepted: int
    rejected: int
    warnings: int
    created_at: datetime
    quality: dict[str, Any] | None


@dataclass(frozen=True)
class MemberInquiry:
    """An inquiry as the member that made it decides on it."""

    id: int
    subject_id: int
    subject_ref: str
    purpose: str
    result: dict[str, Any] | None


@dataclass(frozen=True)
class RescoreJob:
    id: int
    engine: str
    model_version: str
    status: str
    total: int
    done: int
    last_subject_id: int
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ConsentRecord:
    """A stored consent, with the name of the organisation it was given to."""

    id: int
    subject_id: int
    organisation_id: int | None
    organisation: str | None
    purpose: str
    reference: str
    granted_at: datetime
    revoked_at: datetime | None
    expires_at: datetime
    scope: str
    source: str
    evidence_kind: str
    evidence_sha256: str
    recorded_at: datetime


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str


@dataclass(frozen=True)
class Offer:
    id: int
    organisation_id: int
    title: str
    description: str
    min_score: int
    category: str
    created_at: datetime
    member: str | None = None       # the member's name, where a consumer sees the offer


# -- identity protections (services/protections.py) --------------------------------------------

@dataclass(frozen=True)
class AccountOnFile:
    """An account as identity protections see it: whose it is and how it came to the file."""

    id: int
    item_ref: str
    furnisher_id: int
    furnisher: str
    account_ref: str
    kind: str
    link: Any
    suppressed_reason: str | None


@dataclass(frozen=True)
class TheftReport:
    ref: str
    statement: str | None
    filed_at: datetime
    due_at: datetime
    blocked_at: datetime | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """A blocked item as the consumer's report shows it."""

    item_ref: str
    report_ref: str
    blocked_at: datetime
    furnisher: str
    kind: str | None
    account_ref: str | None


@dataclass(frozen=True)
class FurnisherNotice:
    id: int
    kind: str
    account_ref: str
    source: str
    reason: str
    created_at: datetime


# -- files by identity, the court registry, the identity review queue -------------------------

@dataclass(frozen=True, slots=True)
class Subject:
    """A credit file as ``services.subjects`` finds it: every column of the file's row, in
    the table's order (every look-up builds one: ``adapters/subjects.py`` fills it by
    position)."""

    id: int
    id_hmac: str | None
    id_ciphertext: bytes | None
    id_suffix: str | None
    name: str
    date_of_birth: date | None
    kind: str
    created_at: datetime
    item_ref: str
    merged_into_id: int | None = None


@dataclass(frozen=True)
class PublicRecord:
    """A court's listing as stored (``public_records``)."""

    id: int
    subject_id: int
    court_id: int
    kind: str
    case_number: str
    amount: int
    currency: str
    judgment_date: date
    ground: str | None
    legal_basis: str | None
    status: str
    listed_at: datetime
    until: date | None
    lifted_at: datetime | None
    lift_reason: str | None
    item_ref: str
    link: Any = None       # how the court's debtor found the file (0013; ``domain.why``)


@dataclass(frozen=True)
class RestrictionOrder:
    category: str
    ordered_on: date
    until: date | None
    lifted_at: datetime | None


@dataclass(frozen=True)
class ListedJudgment:
    """A listing with its court, its debtor and its restrictions (by category)."""

    record: PublicRecord
    court_name: str
    debtor_name: str
    debtor_kind: str
    id_ciphertext: bytes | None
    restrictions: tuple[RestrictionOrder, ...]


@dataclass(frozen=True)
class OrderOnFile:
    """A restriction of an active listing, as a restriction check reads it."""

    case_number: str
    court: str
    ground: str | None
    category: str
    ordered_on: date
    until: date | None


@dataclass(frozen=True)
class PublicListing:
    """What the public search reads of an active listing."""

    debtor_name: str
    id_ciphertext: bytes | None
    court_name: str
    case_number: str
    amount: int
    currency: str
    ground: str | None
    listed_at: datetime


@dataclass(frozen=True)
class Hold:
    """A record identity resolution held for review (``identity_holds``)."""

    item_ref: str
    furnisher_id: int
    file_id: int | None
    account_ref_hmac: str
    reason: str
    weight: float | None
    record_ciphertext: bytes
    status: str


@dataclass(frozen=True)
class HoldLine:
    """A hold as the review queue lists it: no identity value."""

    item_ref: str
    furnisher: str
    line: int | None
    reason: str
    weight: float | None
    candidates: list[dict[str, Any]]
    status: str
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class ModelVersion:
    version: str
    active: bool
    created_at: datetime
    activated_at: datetime | None
    activated_by: str | None


# -- furnishing: intake files, the record store, identity resolution ---------------------------

@dataclass(frozen=True)
class IntakeFile(FurnishingFile):
    """A furnishing file as its ingest, its status and its resumption read it (``furnisher``:
    the furnisher's name where the look-up joined it, else None; ``warning_messages``: those
    kept, ``warnings`` counting them all)."""

    id: int
    furnisher_id: int
    furnisher: str | None
    errors: list[dict[str, Any]]
    errors_total: int | None
    warning_messages: list[dict[str, Any]] | None
    failure_reason: str | None
    attempts: int


@dataclass(frozen=True)
class KeptObservation:
    """An identity observation already kept (``identity_store``): its row and its dates."""

    id: int
    first_seen_on: date
    last_seen_on: date


# -- credentials (``services/access.py``, ``web/sessions.py``) and the demo --------------------

@dataclass(frozen=True)
class OrganisationRecord:
    """An organisation as the operator administers it."""

    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class StoredKey:
    """An API key found by its prefix, with its organisation."""

    id: int
    key_hash: str
    revoked_at: datetime | None
    org_id: int
    name: str
    role: str
    org_revoked: datetime | None


@dataclass(frozen=True)
class FileHolder:
    """A credit file as enrolment and sign-in see it (the national id still encrypted)."""

    id: int
    item_ref: str
    name: str
    date_of_birth: date | None
    kind: str
    id_ciphertext: bytes | None = None


@dataclass(frozen=True)
class ConsumerLogin:
    subject_id: int
    item_ref: str
    password_hash: str


@dataclass(frozen=True)
class ConsumerSession:
    """A consumer's session found by its token's hash: whose, and until when."""

    subject_id: int
    name: str
    item_ref: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedInOrganisation:
    """The organisation of a live web session."""

    id: int
    name: str
    role: str


# -- what a credit report reads (``services/reports.py``) --------------------------------------
# Named tuples rather than dataclasses: every report builds dozens of them (an account's
# months above all) and a tuple is built at a tenth of a frozen dataclass's cost; they are
# as immutable, and as blind to the database, as the records above.

class ReportAccount(NamedTuple):
    """An account on the file with its newest month (``status``, ``balance``,
    ``amount_past_due``, ``month_limit``, ``month_comment``: None without one)."""

    id: int
    item_ref: str
    account_ref: str
    furnisher_name: str
    kind: str
    ecoa: str
    currency: str
    opened_on: date
    closed_on: date | None
    credit_limit: int | None
    original_amount: int | None
    date_of_first_delinquency: date | None
    compliance_code: str | None
    latest_as_of: date
    original_creditor: str | None
    creditor_classification: str | None
    purchase_indicator: str | None
    purchase_name: str | None
    mortgage: Any
    specialised_payment: Any
    link: Any
    status: str | None
    balance: int | None
    amount_past_due: int | None
    month_limit: int | None
    month_comment: str | None


class ReportMonth(NamedTuple):
    account_id: int
    as_of: date
    status: str
    payment_history: str | None


class FurnishedMonth(NamedTuple):
    """A month of an account on the file, and when the furnisher sent it."""

    item_ref: str
    as_of: date
    status: str
    furnished_at: datetime


class ReportRecord(NamedTuple):
    """An active public record on the file, with its court's name."""

    id: int
    item_ref: str
    kind: str
    court_name: str
    case_number: str
    amount: int | None
    currency: str | None
    judgment_date: date
    ground: str | None
    legal_basis: str | None
    status: str
    listed_at: datetime
    until: date | None
    link: Any


class ReportRestriction(NamedTuple):
    public_record_id: int
    category: str
    ordered_on: date | None
    until: date | None


#: the kinds of access a report lists as inquiries (and the consumer's accesses page)
INQUIRY_KINDS = ("inquiry", "restriction_check")


class ReportInquiry(NamedTuple):
    item_ref: str
    kind: str
    purpose: str
    category: str | None
    created_at: datetime
    organisation: str
    link: Any


class ReportStatement(NamedTuple):
    item_ref: str | None
    text: str
    created_at: datetime


class ReportAlert(NamedTuple):
    kind: str
    placed_at: datetime
    expires_at: datetime


class ReportNotice(NamedTuple):
    kind: str
    title: str
    body: dict[str, Any]
    created_at: datetime


class ReportObservation(NamedTuple):
    """An identity element a furnisher reported for the file (its value encrypted)."""

    id: int
    kind: str
    value_hmac: str
    value_ciphertext: bytes
    item_ref: str
    first_seen_on: date
    last_seen_on: date
    furnisher: str


class ItemName(NamedTuple):
    """What names an account (``number``: its account reference) or a public record
    (``number``: its case number) in words, with its furnisher's or court's name."""

    item_ref: str
    kind: str | None
    number: str
    name: str


# -- what exports read (``services/export.py``) ------------------------------------------------

class ExportedMonth(NamedTuple):
    """One month of a furnisher's account as the bureau holds it (``month_limit``: the
    month's credit limit, ``credit_limit`` the account's)."""

    id: int
    subject_id: int
    account_ref: str
    kind: str
    ecoa: str
    currency: str
    opened_on: date
    closed_on: date | None
    credit_limit: int | None
    original_amount: int | None
    date_of_first_delinquency: date | None
    compliance_code: str | None
    delete_code: str | None
    as_of: date
    status: str
    balance: int
    amount_past_due: int
    month_limit: int | None
    scheduled_payment: int | None
    monthly_income: int | None
    consent_ref: str | None
    payment_history: str | None


class ReportedValue(NamedTuple):
    """An identity element a furnisher reported for a file (its value encrypted)."""

    subject_id: int
    kind: str
    value_ciphertext: bytes
