"""The operational schema: one SQLAlchemy Core metadata for SQLite and PostgreSQL.

Money is integer minor units; times are UTC (stored naive, returned aware); national
identifiers appear only as ``id_hmac`` (look-up) and ``id_ciphertext`` (AES-GCM).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


Id = BigInteger().with_variant(Integer, "sqlite")


def _pk() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


organisations = Table(
    "organisations", metadata,
    _pk(),
    Column("name", String(120), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

api_keys = Table(
    "api_keys", metadata,
    _pk(),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

subjects = Table(
    "subjects", metadata,
    _pk(),
    # all three NULL for a file opened from a record without a national id (0004)
    Column("id_hmac", String(64), unique=True),
    Column("id_ciphertext", LargeBinary),
    Column("id_suffix", String(4)),
    Column("name", String(120), nullable=False),
    Column("date_of_birth", Date),
    Column("kind", String(12), nullable=False, default="person"),   # person | organisation
    Column("created_at", UTCDateTime, nullable=False),
    Column("item_ref", String(24), nullable=False, unique=True),
    # a file merged into another (0011): its ref then answers for that file
    Column("merged_into_id", Id),
)

consumer_logins = Table(
    "consumer_logins", metadata,
    Column("subject_id", ForeignKey("subjects.id"), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("offers_opt_in", Boolean, nullable=False, default=False),
)

enrolment_codes = Table(
    "enrolment_codes", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

consumer_sessions = Table(
    "consumer_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

organisation_sessions = Table(
    "organisation_sessions", metadata,
    Column("session_hash", String(64), primary_key=True),   # SHA-256 of the cookie's session id
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),     # sign-out, key rotation or revocation
)

accounts = Table(
    "accounts", metadata,
    _pk(),
    Column("furnisher_id", Id, nullable=False),   # references organisations (no FK: 0002)
    Column("account_ref", String(30), nullable=False),
    Column("subject_id", Id, nullable=False, index=True),   # references subjects (no FK: 0002)
    Column("item_ref", String(24), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("ecoa", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("credit_limit", BigInteger),
    Column("original_amount", BigInteger),
    Column("date_of_first_delinquency", Date),
    Column("compliance_code", String(2)),
    Column("latest_as_of", Date, nullable=False),
    Column("deleted_at", UTCDateTime),
    Column("delete_code", String(2)),
    Column("suppressed_at", UTCDateTime),          # due process: unverified dispute, retention
    Column("suppressed_reason", String(40)),
    Column("updated_at", UTCDateTime, nullable=False),
    # Metro 2 account identification and segments (0004); business data, not personal
    Column("identification_number", String(20)),
    Column("original_creditor", String(120)),          # K1 creditor name
    Column("creditor_classification", String(2)),      # K1 code 01..15
    Column("purchase_indicator", String(16)),          # K2: purchased_from | sold_to
    Column("purchase_name", String(120)),
    Column("mortgage", JSON),                          # K3 {agency, agency_account, mers_min}
    Column("specialised_payment", JSON),               # K4
    # how the account came to this file (0011): {how, weight, fields, model, at}
    Column("link", JSON),
    UniqueConstraint("furnisher_id", "account_ref", "subject_id",
                     name="uq_accounts_furnisher_ref_subject"),
)

account_months = Table(
    "account_months", metadata,
    Column("account_id", Id, primary_key=True),   # references accounts (no FK: 0002)
    Column("as_of", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("amount_past_due", BigInteger, nullable=False),
    Column("credit_limit", BigInteger),
    Column("scheduled_payment", BigInteger),
    Column("monthly_income", BigInteger),
    Column("consent_ref", String(64)),
    Column("payment_history", String(24)),
    Column("special_comment", String(2)),          # Metro 2 special comment code (0004)
    Column("file_id", BigInteger),
    Column("furnished_at", UTCDateTime, nullable=False),
)

# What each furnished record said about its subject, kept dated and sourced (0004). The value is
# AES-GCM encrypted JSON; ``value_hmac`` is the keyed hash of its normalised form (one row per
# subject, kind, value and furnisher). The source is the record that first reported it.
identity_observations = Table(
    "identity_observations", metadata,
    _pk(),
    Column("subject_id", Id, nullable=False),      # references subjects (no FK, as accounts)
    Column("kind", String(16), nullable=False),    # name | national_id | date_of_birth | ...
    Column("value_ciphertext", LargeBinary, nullable=False),
    Column("value_hmac", String(64), nullable=False),
    Column("furnisher_id", Id, nullable=False),
    Column("file_id", BigInteger),
    Column("line", BigInteger),
    Column("first_seen_on", Date, nullable=False),   # the as-of of the records
    Column("last_seen_on", Date, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),  # when stored
    Column("last_at", UTCDateTime, nullable=False),
    Column("item_ref", String(24), nullable=False, unique=True),
    UniqueConstraint("subject_id", "kind", "value_hmac", "furnisher_id",
                     name="uq_identity_observations_subject_kind_value_furnisher"),
)

# Keyed-hash blocking keys (normalised name + birth date, surname + birth date, national id,
# phone, address line + ZIP): candidates for identity resolution, never plaintext (0004).
identity_keys = Table(
    "identity_keys", metadata,
    Column("key_hmac", String(64), primary_key=True),
    Column("subject_id", Id, primary_key=True),
)

# Records identity resolution could not place with confidence, waiting for an operator (0010):
# never dropped, never attached by guess. The record and its identity are kept encrypted; the
# candidates by their files' public refs with their match weights.
identity_holds = Table(
    "identity_holds", metadata,
    _pk(),
    Column("item_ref", String(24), nullable=False, unique=True),
    Column("furnisher_id", Id, nullable=False),
    Column("file_id", BigInteger),
    Column("line", BigInteger),
    Column("account_ref_hmac", String(64), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("weight", Float),
    Column("candidates", JSON, nullable=False),       # [{file, weight, fields}]
    Column("record_ciphertext", LargeBinary, nullable=False),
    Column("status", String(12), nullable=False),     # held | linked | new_file | withdrawn
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(80)),
    Column("subject_id", Id),                         # where it went, once decided
    Index("ix_identity_holds_status", "status", "id"),
)

# Every merge and split of files (0011), both ways: the merged file "merged_into" the survivor,
# a split-off file "split_from" its origin; with the match weight and the run that decided it.
file_lineage = Table(
    "file_lineage", metadata,
    _pk(),
    Column("subject_id", Id, nullable=False, index=True),
    Column("kind", String(12), nullable=False),       # merged_into | split_from
    Column("other_id", Id, nullable=False, index=True),
    Column("weight", Float),
    Column("reason", String(200), nullable=False),
    Column("run", String(40), nullable=False),        # a relink run's id, or "operator"
    Column("at", UTCDateTime, nullable=False),
)

# What must never be linked again (0011): an account a consumer said is not theirs (furnisher +
# keyed hash of the account number) or two files kept apart (other_subject_id).
identity_cannot_link = Table(
    "identity_cannot_link", metadata,
    _pk(),
    Column("subject_id", Id, nullable=False, index=True),
    Column("furnisher_id", Id),
    Column("account_ref_hmac", String(64)),
    Column("other_subject_id", Id),
    Column("reason", String(200), nullable=False),
    Column("source", String(40), nullable=False),     # a dispute's ref, a relink run, "operator"
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_identity_cannot_link_account", "furnisher_id", "account_ref_hmac"),
)

# A consumer's identity-theft report (0012): the items it names are blocked within the
# profile's deadline (``due_at``; us-fcra: 4 business days, FCRA 605B).
identity_theft_reports = Table(
    "identity_theft_reports", metadata,
    _pk(),
    Column("ref", String(24), nullable=False, unique=True),
    Column("subject_id", Id, nullable=False, index=True),
    Column("statement", Text),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("blocked_at", UTCDateTime),
)

# Each blocked item (0012): the account on this file, its furnisher and the keyed hash of its
# account number; a re-furnished record of it to this file is refused.
identity_blocks = Table(
    "identity_blocks", metadata,
    _pk(),
    Column("report_id", Id, nullable=False),
    Column("subject_id", Id, nullable=False, index=True),
    Column("item_ref", String(24), nullable=False),
    Column("furnisher_id", Id, nullable=False),
    Column("account_ref_hmac", String(64), nullable=False),
    Column("blocked_at", UTCDateTime, nullable=False),
    Index("ix_identity_blocks_account", "furnisher_id", "account_ref_hmac"),
)

# What a furnisher is told of its accounts (0012): blocked after an identity-theft report, or
# unlinked from a file after a "not mine" dispute. The furnisher's own account number, never the
# consumer's identity; ``source`` is the report's or the dispute's ref.
furnisher_identity_notices = Table(
    "furnisher_identity_notices", metadata,
    _pk(),
    Column("furnisher_id", Id, nullable=False),
    Column("kind", String(12), nullable=False),        # blocked | unlinked
    Column("account_ref", String(30), nullable=False),
    Column("item_ref", String(24), nullable=False),
    Column("source", String(24), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_furnisher_identity_notices_furnisher", "furnisher_id", "id"),
)

inquiries = Table(
    "inquiries", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(20), nullable=False),      # inquiry | restriction_check | consumer
    Column("purpose", String(40), nullable=False),
    Column("consent_ref", String(64)),
    Column("category", String(40)),
    Column("result", JSON),
    Column("created_at", UTCDateTime, nullable=False),
    Column("item_ref", String(24), nullable=False, unique=True),
    Column("purged_at", UTCDateTime),
    Column("link", JSON),            # how the asker's identity found the file (0013)
)

decisions = Table(
    "decisions", metadata,
    _pk(),
    Column("inquiry_id", ForeignKey("inquiries.id"), nullable=False, unique=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("notice_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
)

public_records = Table(
    "public_records", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("court_id", ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(20), nullable=False),      # judgment | bankruptcy
    Column("case_number", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("judgment_date", Date, nullable=False),
    Column("ground", String(40)),
    Column("legal_basis", Text),
    Column("status", String(20), nullable=False),    # active | satisfied | settled | ...
    Column("listed_at", UTCDateTime, nullable=False),
    Column("until", Date),
    Column("lifted_at", UTCDateTime),
    Column("lift_reason", Text),
    Column("item_ref", String(24), nullable=False, unique=True),
    Column("link", JSON),            # how the court's debtor found the file (0013)
    UniqueConstraint("court_id", "case_number", "subject_id",
                     name="uq_public_records_court_case_subject"),
)

restrictions = Table(
    "restrictions", metadata,
    _pk(),
    Column("public_record_id", ForeignKey("public_records.id"), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("ordered_on", Date, nullable=False),
    Column("until", Date),
    Column("lifted_at", UTCDateTime),
)

objections = Table(
    "objections", metadata,
    _pk(),
    Column("public_record_id", ForeignKey("public_records.id"), nullable=False, index=True),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False),
    Column("court_id", ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(20), nullable=False),      # correction | reconsideration
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("note", Text),
)

disputes = Table(
    "disputes", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("item_kind", String(20), nullable=False),  # account | public_record | identity
    Column("item_ref", String(24), nullable=False),
    Column("furnisher_id", ForeignKey("organisations.id")),
    Column("reason", Text, nullable=False),
    Column("statement", Text),
    Column("status", String(20), nullable=False),  # open, verified, corrected, deleted, expired
    Column("opened_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime),
    Column("note", Text),
    Column("ref", String(24), nullable=False, unique=True, index=True),   # what clients see (0007)
)
Index("ix_disputes_status_due", disputes.c.status, disputes.c.due_at)

statements = Table(
    "statements", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("item_ref", String(24)),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A consent of one subject to one organisation for one purpose (domain/consents.py; 0005).
# ``reference`` is the opaque consent_ref; ``granted_at`` is when it was obtained.
consents = Table(
    "consents", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("organisation_id", ForeignKey("organisations.id")),
    Column("purpose", String(40), nullable=False),
    Column("reference", String(64), nullable=False, unique=True),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("scope", String(40), nullable=False),          # comma-separated: income,report
    Column("source", String(12), nullable=False),         # member | consumer
    Column("evidence_kind", String(24), nullable=False),
    Column("evidence_sha256", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_consents_organisation_subject_purpose", "organisation_id", "subject_id",
          "purpose"),
)

freezes = Table(
    "freezes", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("lifted_at", UTCDateTime),
)

fraud_alerts = Table(
    "fraud_alerts", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

notices = Table(
    "notices", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

offers = Table(
    "offers", metadata,
    _pk(),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("min_score", Integer, nullable=False),
    Column("category", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("withdrawn_at", UTCDateTime),
)

models = Table(
    "models", metadata,
    Column("version", String(64), primary_key=True),
    Column("spec", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("activated_at", UTCDateTime),
    Column("activated_by", String(120)),
)

scores = Table(
    "scores", metadata,
    _pk(),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("value", Integer, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("job_id", BigInteger),
)
Index("ix_scores_subject_computed", scores.c.subject_id, scores.c.computed_at)

rescore_jobs = Table(
    "rescore_jobs", metadata,
    _pk(),
    Column("engine", String(20), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("total", BigInteger, nullable=False, default=0),
    Column("done", BigInteger, nullable=False, default=0),
    Column("last_subject_id", BigInteger, nullable=False, default=0),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
)

furnishing_files = Table(
    "furnishing_files", metadata,
    _pk(),
    Column("furnisher_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("format", String(10), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(10), nullable=False),    # queued | running | done | failed
    Column("records", BigInteger, nullable=False, default=0),
    Column("accepted", BigInteger, nullable=False, default=0),
    Column("rejected", BigInteger, nullable=False, default=0),
    Column("errors", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("quality", JSON),                          # the data-quality report (0003)
    Column("errors_total", BigInteger, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),   # ingest starts
    Column("failure_reason", Text),
    Column("ref", String(24), nullable=False, unique=True, index=True),   # what clients see (0007)
    # records stored with a warning (income dropped for want of consent), as ``errors`` (0009)
    Column("warnings", JSON),
    Column("warnings_total", BigInteger, nullable=False, server_default="0"),
)

audit_events = Table(
    "audit_events", metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject_ref", String(24)),
    Column("purpose", String(60)),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # "hmac-sha256" (keyed); NULL: plain SHA-256, written before the chain was keyed
    Column("hash_alg", String(16)),
)
Index("ix_audit_events_subject_ref", audit_events.c.subject_ref)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(120), primary_key=True),
    Column("window_start", UTCDateTime, nullable=False),
    Column("count", Integer, nullable=False),
)
