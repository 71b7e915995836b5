"""Request and response bodies of the HTTP contract (api.md). Explicit, never ORM rows."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubjectRef(Closed):
    national_id: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    date_of_birth: date | None = None


class AccountBatch(Closed):
    records: list[dict[str, Any]] = Field(
        description="AccountRecord objects (api.md). Each is checked against the closed schema; "
                    "unknown or prohibited fields are refused naming the field and category. "
                    "At most OPENBUREAU_MAX_BATCH_RECORDS (default 10,000) per batch: a larger "
                    "batch is refused whole with 413.")


class RecordError(BaseModel):
    field: str
    message: str
    category: str | None = None


class RejectedRecord(BaseModel):
    index: int
    errors: list[RecordError]


class RecordWarning(BaseModel):
    index: int
    field: str
    message: str


class BatchResult(BaseModel):
    accepted: int
    rejected: list[RejectedRecord]
    warnings: list[RecordWarning] = Field(
        default_factory=list,
        description="Records accepted in part, one entry per warning: a monthly_income without "
                    "a consent in force was not stored (the message starts with the reason); "
                    "the rest of the record was.")


class FileAccepted(BaseModel):
    file_id: str


class LineErrorOut(BaseModel):
    line: int | None = None
    field: str
    message: str
    category: str | None = None


class FileStatus(BaseModel):
    file_id: str
    filename: str
    format: str
    status: Literal["queued", "running", "done", "failed"]
    records: int
    accepted: int
    rejected: int
    errors: list[LineErrorOut] = Field(
        description="The first errors in file order, at most the bureau's "
                    "OPENBUREAU_MAX_ERRORS_KEPT (default 10,000).")
    errors_total: int = Field(description="Every error found, kept or not.")
    errors_truncated: bool = Field(description="True when errors_total exceeds the errors kept.")
    warnings: list[LineErrorOut] = Field(
        default_factory=list,
        description="Records stored in part, in file order, kept as errors are: a "
                    "monthly_income without a consent in force was not stored (the message "
                    "starts with the reason).")
    warnings_total: int = 0
    warnings_truncated: bool = False
    failure_reason: str | None = Field(
        default=None, description="Why a failed file was given up (e.g. its ingest was "
                                  "interrupted too many times).")


class HeldAccount(BaseModel):
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


class AccountPage(BaseModel):
    total: int
    items: list[HeldAccount]
    next_cursor: str | None


class Enrolment(Closed):
    national_id: str = Field(min_length=1, max_length=40)
    date_of_birth: date
    enrolment_code: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class SignIn(Closed):
    national_id: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class SessionToken(BaseModel):
    token: str
    expires_in: int


class OrganisationIn(Closed):
    name: str = Field(min_length=1, max_length=120)
    role: Literal["furnisher", "member", "court", "operator", "auditor"]


class OrganisationOut(BaseModel):
    id: int
    name: str
    role: str
    key: str | None = None
    revoked: bool = False


class AuditVerify(BaseModel):
    ok: bool
    events: int
    first_bad_event: int | None = None
    problem: str | None = None
    unkeyed_events: int = 0     # written before the chain was keyed (plain SHA-256)
