"""In-memory implementations of the service layer's ports (``services/ports.py``): a use case
runs against them without a database.

``FakeStore`` is the committed state. A ``FakeUnitOfWork`` works on a copy taken when it is
entered; ``commit()`` makes the copy the store's state, anything else leaves the store as it
was — the same "rolled back unless committed" as the SQL unit of work.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace, TracebackType
from typing import Any

from openbureau.adapters.audit import ChainKey, PendingEvent, VerifyResult
from openbureau.adapters.furnish_store import stage_values
from openbureau.adapters.lru import LruCache
from openbureau.adapters.metrics import Metrics
from openbureau.adapters.metro2_columns import STAGE_COLUMNS
from openbureau.adapters.model_registry import ScorecardCache
from openbureau.adapters.rate_limit import DAY, RateLimits
from openbureau.clock import Clock
from openbureau.config import Settings
from openbureau.domain.profiles import Profile, get_profile
from openbureau.scoring.attributes import CreditFile
from openbureau.scoring.drift import bucket_of
from openbureau.scoring.scored import Scored
from openbureau.scoring.sources import Subjects
from openbureau.scoring.spec import Scorecard
from openbureau.services.ports import Deps, Rescorer, StoreCorrection
from openbureau.services.stored import (
    INQUIRY_KINDS,
    AccountKey,
    AccountOnFile,
    Block,
    ConsentRecord,
    ConsumerLogin,
    ConsumerSession,
    Dispute,
    DisputeOnFile,
    ExportedMonth,
    FileHolder,
    FileIdentity,
    FurnishedMonth,
    FurnisherNotice,
    FurnishingFile,
    Hold,
    Holding,
    HoldLine,
    IntakeFile,
    ItemName,
    KeptObservation,
    ListedJudgment,
    Listing,
    ListingDetail,
    MemberInquiry,
    ModelVersion,
    Objection,
    ObjectionOnFile,
    Offer,
    OpenDispute,
    OrderOnFile,
    Organisation,
    OrganisationRecord,
    PublicListing,
    PublicRecord,
    ReportAccount,
    ReportAlert,
    ReportedValue,
    ReportInquiry,
    ReportMonth,
    ReportNotice,
    ReportObservation,
    ReportRecord,
    ReportRestriction,
    ReportStatement,
    RescoreJob,
    RestrictionOrder,
    SignedInOrganisation,
    StoredKey,
    Subject,
    TheftReport,
)


@dataclass
class Account:
    item_ref: str
    subject_id: int
    furnisher_id: int
    account_ref: str
    date_of_first_delinquency: date | None = None
    deleted_at: datetime | None = None
    suppressed_at: datetime | None = None
    suppressed_reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.deleted_at is None and self.suppressed_at is None


@dataclass
class Inquiry:
    subject_id: int
    purpose: str
    created_at: datetime
    purged_at: datetime | None = None
    item_ref: str = ""
    organisation_id: int = 0
    kind: str = "inquiry"
    result: dict[str, Any] | None = None


@dataclass
class FraudAlert:
    subject_id: int
    kind: str
    placed_at: datetime
    expires_at: datetime


@dataclass
class Restriction:
    listing_id: int
    until: date | None = None
    lifted_at: datetime | None = None
    category: str = "flights"


@dataclass
class FakeStore:
    """The committed state of the fake bureau."""

    files: dict[int, FileIdentity] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    disputes: dict[int, Dispute] = field(default_factory=dict)
    listings: dict[int, Listing] = field(default_factory=dict)
    listing_until: dict[int, date | None] = field(default_factory=dict)
    # what an objection reads of a listing (its status is ``listings``')
    listing_details: dict[int, ListingDetail] = field(default_factory=dict)
    objections: dict[int, Objection] = field(default_factory=dict)
    restrictions: list[Restriction] = field(default_factory=list)
    organisations: dict[int, str] = field(default_factory=dict)
    # organisation id -> (role, revoked)
    organisation_roles: dict[int, tuple[str, bool]] = field(default_factory=dict)
    consents: dict[int, ConsentRecord] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    # each account's latest month, as ``accounts.holdings`` shows it
    holdings: list[Holding] = field(default_factory=list)
    # furnishing files by furnisher id, oldest first
    furnishing_files: dict[int, list[FurnishingFile]] = field(default_factory=dict)
    fraud_alerts: list[FraudAlert] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    # freezes: [subject id, placed at, lifted at]
    freezes: list[list[Any]] = field(default_factory=list)
    offers: dict[int, Offer] = field(default_factory=dict)
    opted_in: set[int] = field(default_factory=set)
    scores: list[dict[str, Any]] = field(default_factory=list)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    active_model: str | None = None
    # what the scoring engine gives each file (``scores.compute``)
    engine_scores: dict[int, Scored] = field(default_factory=dict)
    # each file as the engines read it (``scores.credit_file``)
    credit_files: dict[int, CreditFile] = field(default_factory=dict)
    events: list[PendingEvent] = field(default_factory=list)
    rescore_jobs: dict[int, RescoreJob] = field(default_factory=dict)
    # the first this many events predate the audit key (a chain from before it was keyed)
    unkeyed_events: int = 0
    # identity protections: (file, furnisher, account hash, source); blocks as
    # (report id, file, item_ref, furnisher, account hash, at); what furnishers were told
    cannot_links: list[tuple[int, int, str, str]] = field(default_factory=list)
    theft_reports: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[tuple[int, int, str, int, str, datetime]] = field(default_factory=list)
    furnisher_notices: list[FurnisherNotice] = field(default_factory=list)
    # identity elements on files: (file, item_ref) -> (kind, value hash)
    observations: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    # files by identity (``subjects``), the court registry's listings as stored (each one
    # also in ``listings``, its restrictions in ``restrictions``), the identity review queue
    # (rows as ``identity_holds`` columns, with the furnisher's name), when each model version
    # was registered and activated
    subjects: dict[int, Subject] = field(default_factory=dict)
    public_records: dict[int, PublicRecord] = field(default_factory=dict)
    holds: list[dict[str, Any]] = field(default_factory=list)
    model_versions: dict[str, ModelVersion] = field(default_factory=dict)

    def add_subject(self, subject_id: int, name: str = "Ada Lovelace", *,
                    kind: str = "person", id_hmac: str | None = None,
                    id_ciphertext: bytes | None = None, id_suffix: str | None = "6789",
                    date_of_birth: date | None = date(1990, 1, 2),
                    merged_into_id: int | None = None) -> Subject:
        """A file by identity, also among ``files``."""
        f = self.add_file(subject_id, name, date_of_birth=date_of_birth, id_hmac=id_hmac,
                          id_suffix=id_suffix)
        s = Subject(id=subject_id, item_ref=f.item_ref, name=name, date_of_birth=date_of_birth,
                    kind=kind, id_hmac=id_hmac, id_ciphertext=id_ciphertext,
                    id_suffix=id_suffix, created_at=datetime(2026, 1, 1),
                    merged_into_id=merged_into_id)
        self.subjects[subject_id] = s
        return s
    # credentials (``FakeCredentials``) and what only a report reads (``FakeReportReads``)
    logins: CredentialState = field(default_factory=lambda: CredentialState())
    report: ReportState = field(default_factory=lambda: ReportState())
    exports: ExportState = field(default_factory=lambda: ExportState())
    # furnishing: intake files by id; the record store's account state (by account id, the
    # ``accounts`` row's other columns) and months ((account id, as-of) -> fields); identity
    # observations ((file, kind, value hash, furnisher) -> row), blocking keys, each file's
    # encrypted national id, held records
    intake_files: dict[int, IntakeFile] = field(default_factory=dict)
    account_states: dict[int, dict[str, Any]] = field(default_factory=dict)
    account_months: dict[tuple[int, date], dict[str, Any]] = field(default_factory=dict)
    identity_observations: dict[tuple[int, str, str, int], dict[str, Any]] = field(
        default_factory=dict)
    identity_keys: set[tuple[str, int]] = field(default_factory=set)
    id_ciphertexts: dict[int, bytes] = field(default_factory=dict)
    identity_holds: list[dict[str, Any]] = field(default_factory=list)
    relink: RelinkState = field(default_factory=lambda: RelinkState())

    def add_file(self, subject_id: int, name: str = "Ada Lovelace", *,
                 date_of_birth: date | None = date(1990, 1, 2), id_hmac: str | None = None,
                 id_suffix: str | None = "6789") -> FileIdentity:
        f = FileIdentity(subject_id, f"sub_{subject_id}", name, date_of_birth, id_hmac,
                         id_suffix)
        self.files[subject_id] = f
        return f

    def add_organisation(self, org_id: int, name: str, role: str,
                         revoked: bool = False) -> None:
        self.organisations[org_id] = name
        self.organisation_roles[org_id] = (role, revoked)

    def actions(self) -> list[str]:
        return [e.action for e in self.events]



@dataclass(frozen=True)
class AccountState:
    """What the fake store keeps of an account that existed before a furnished month: its
    newest month and the fields that persist from month to month
    (``account_changes.SEGMENT_FIELDS``; in SQL, ``adapters/furnish_store.py``)."""

    id: int
    account_ref: str
    subject_id: int
    latest_as_of: date
    compliance_code: str | None
    identification_number: str | None
    original_creditor: str | None
    creditor_classification: str | None
    purchase_indicator: str | None
    purchase_name: str | None
    mortgage: Any
    specialised_payment: Any


class _Repo:
    def __init__(self, state: FakeStore) -> None:
        self._s = state


class FakeFiles(_Repo):
    def identity(self, subject_id: int) -> FileIdentity | None:
        return self._s.files.get(subject_id)

    def item_ref(self, subject_id: int) -> str:
        return self._s.files[subject_id].item_ref

    def correct_identity(self, subject_id: int, changes: dict[str, Any]) -> None:
        self._s.files[subject_id] = dataclasses.replace(self._s.files[subject_id], **changes)

    def holds(self, subject_id: int, item_ref: str) -> bool:
        a = self._s.accounts.get(item_ref)
        return (a is not None and a.subject_id == subject_id and a.deleted_at is None) or any(
            x.item_ref == item_ref and x.subject_id == subject_id
            for x in self._s.listings.values()) or any(
            q.item_ref == item_ref and q.subject_id == subject_id for q in self._s.inquiries) \
            or self._s.files[subject_id].item_ref == item_ref

    def add_statement(self, subject_id: int, item_ref: str | None, text: str,
                      now: datetime) -> None:
        self._s.statements.append({"subject_id": subject_id, "item_ref": item_ref,
                                   "text": text, "created_at": now})

    def active_freeze(self, subject_id: int) -> tuple[int, datetime] | None:
        return next(((i, f[1]) for i, f in enumerate(self._s.freezes)
                     if f[0] == subject_id and f[2] is None), None)

    def place_freeze(self, subject_id: int, now: datetime) -> None:
        self._s.freezes.append([subject_id, now, None])

    def lift_freeze(self, freeze_id: int, now: datetime) -> None:
        self._s.freezes[freeze_id][2] = now


class FakeAccounts(_Repo):
    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        a = self._s.accounts.get(item_ref)
        return a.furnisher_id if a is not None and a.subject_id == subject_id and a.shown \
            else None

    def key(self, item_ref: str) -> AccountKey:
        a = self._s.accounts[item_ref]
        return AccountKey(a.account_ref, a.subject_id, self._s.files[a.subject_id].id_hmac)

    def delete(self, item_ref: str, now: datetime) -> None:
        self._s.accounts[item_ref].deleted_at = now

    def suppress(self, item_ref: str, reason: str, now: datetime) -> None:
        a = self._s.accounts[item_ref]
        if a.suppressed_at is None:
            a.suppressed_at, a.suppressed_reason = now, reason

    def suppress_delinquent_before(self, cutoff: date, now: datetime) -> tuple[int, set[int]]:
        past = [a for a in self._s.accounts.values() if a.suppressed_at is None
                and a.date_of_first_delinquency is not None
                and a.date_of_first_delinquency < cutoff]
        for a in past:
            a.suppressed_at, a.suppressed_reason = now, "retention"
        return len(past), {a.subject_id for a in past}

    def ids_by_ref(self, furnisher_id: int, refs: list[str]) -> dict[tuple[str, int], int]:
        return {(a.account_ref, a.subject_id): self._id(a) for a in self._s.accounts.values()
                if a.furnisher_id == furnisher_id and a.account_ref in refs}

    def renumber(self, new_refs: dict[int, str]) -> None:
        for a in self._s.accounts.values():
            if self._id(a) in new_refs:
                a.account_ref = new_refs[self._id(a)]

    def _id(self, a: Account) -> int:
        return list(self._s.accounts).index(a.item_ref) + 1

    def count_of(self, furnisher_id: int) -> int:
        return sum(1 for a in self._s.accounts.values() if a.furnisher_id == furnisher_id)

    def holdings(self, furnisher_id: int, after: int, limit: int) -> list[Holding]:
        mine = {a.item_ref for a in self._s.accounts.values() if a.furnisher_id == furnisher_id}
        return sorted((h for h in self._s.holdings if h.item_ref in mine and h.id > after),
                      key=lambda h: h.id)[:limit]


class FakeDisputes(_Repo):
    def add(self, dispute: Dispute) -> None:
        new_id = max(self._s.disputes, default=0) + 1
        self._s.disputes[new_id] = dataclasses.replace(dispute, id=new_id)

    def open_on(self, subject_id: int, item_ref: str) -> bool:
        return any(d.subject_id == subject_id and d.item_ref == item_ref and d.status == "open"
                   for d in self._s.disputes.values())

    def own(self, ref: str, subject_id: int) -> Dispute | None:
        return next((d for d in self._s.disputes.values()
                     if d.ref == ref and d.subject_id == subject_id), None)

    def of_file(self, subject_id: int) -> list[Dispute]:
        return sorted((d for d in self._s.disputes.values() if d.subject_id == subject_id),
                      key=lambda d: (d.opened_at, d.id), reverse=True)

    def to_answer(self, ref: str, item_kind: str, answerer_id: int | None) -> Dispute | None:
        return next((d for d in self._s.disputes.values()
                     if d.ref == ref and d.item_kind == item_kind
                     and (answerer_id is None or d.furnisher_id == answerer_id)), None)

    def answered_by(self, item_kind: str, answerer_id: int | None,
                    status: str | None) -> list[DisputeOnFile]:
        out = []
        for d in sorted(self._s.disputes.values(), key=lambda d: (d.due_at, d.id)):
            if d.item_kind != item_kind or (status and d.status != status) or (
                    answerer_id is not None and d.furnisher_id != answerer_id):
                continue
            f = self._s.files[d.subject_id]
            acc = self._s.accounts.get(d.item_ref) if item_kind == "account" else None
            if item_kind == "account" and acc is None:
                continue
            out.append(DisputeOnFile(d, f.name, f.id_suffix,
                                     acc.account_ref if acc is not None else None))
        return out

    def open_workload(self) -> list[OpenDispute]:
        return [OpenDispute(d.ref, d.item_kind, d.opened_at, d.due_at,
                            self._s.organisations.get(d.furnisher_id or 0))
                for d in sorted(self._s.disputes.values(), key=lambda d: (d.due_at, d.id))
                if d.status == "open"]

    def overdue(self, now: datetime) -> list[Dispute]:
        return sorted((d for d in self._s.disputes.values()
                       if d.status == "open" and d.due_at <= now),
                      key=lambda d: (d.due_at, d.id))

    def add_statement(self, dispute_id: int, statement: str, due_at: datetime) -> None:
        d = self._s.disputes[dispute_id]
        self._s.disputes[dispute_id] = dataclasses.replace(d, statement=statement, due_at=due_at)

    def close(self, dispute_id: int, status: str, answered_at: datetime,
              note: str | None) -> None:
        d = self._s.disputes[dispute_id]
        self._s.disputes[dispute_id] = dataclasses.replace(d, status=status,
                                                           answered_at=answered_at, note=note)


class FakeListings(_Repo):
    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        return next((x.court_id for x in self._s.listings.values()
                     if x.item_ref == item_ref and x.subject_id == subject_id
                     and x.status == "active"), None)

    def by_ref(self, item_ref: str) -> Listing:
        return next(x for x in self._s.listings.values() if x.item_ref == item_ref)

    def close(self, listing_id: int, status: str, reason: str, now: datetime) -> None:
        self._s.listings[listing_id] = dataclasses.replace(self._s.listings[listing_id],
                                                           status=status)
        for r in self._s.restrictions:
            if r.listing_id == listing_id and r.lifted_at is None:
                r.lifted_at = now

    def expire_ended(self, today: date, now: datetime) -> int:
        ended = [x for x in self._s.listings.values() if x.status == "active"
                 and (until := self._s.listing_until.get(x.id)) is not None and until < today]
        for x in ended:
            self._s.listings[x.id] = dataclasses.replace(x, status="expired")
        return len(ended)

    def lift_ended_restrictions(self, today: date, now: datetime) -> None:
        for r in self._s.restrictions:
            if r.lifted_at is None and r.until is not None and r.until < today:
                r.lifted_at = now

    def detail(self, listing_id: int) -> ListingDetail:
        return dataclasses.replace(self._s.listing_details[listing_id],
                                   status=self._s.listings[listing_id].status)

    def on_file(self, item_ref: str, subject_id: int) -> ListingDetail | None:
        return next((self.detail(x.id) for x in self._s.listings.values()
                     if x.item_ref == item_ref and x.subject_id == subject_id), None)

    def restrictions_in_force(self, listing_id: int) -> list[tuple[str, date | None]]:
        return sorted((r.category, r.until) for r in self._s.restrictions
                      if r.listing_id == listing_id and r.lifted_at is None)

    def correct(self, listing_id: int, values: dict[str, Any]) -> None:
        self._s.listing_details[listing_id] = dataclasses.replace(
            self._s.listing_details[listing_id], **values)

    def end_restrictions_by(self, listing_id: int, until: date) -> None:
        for r in self._s.restrictions:
            if r.listing_id == listing_id and r.lifted_at is None and (
                    r.until is None or r.until > until):
                r.until = until

    def lift_restrictions(self, listing_id: int, categories: list[str], now: datetime) -> None:
        for r in self._s.restrictions:
            if r.listing_id == listing_id and r.category in categories and r.lifted_at is None:
                r.lifted_at = now


class FakeObjections(_Repo):
    def add(self, objection: Objection) -> int:
        new_id = max(self._s.objections, default=0) + 1
        self._s.objections[new_id] = dataclasses.replace(objection, id=new_id)
        return new_id

    def of_listing(self, listing_id: int) -> list[Objection]:
        return sorted((o for o in self._s.objections.values()
                       if o.public_record_id == listing_id),
                      key=lambda o: (o.opened_at, o.id), reverse=True)

    def of_court(self, court_id: int, status: str | None) -> list[ObjectionOnFile]:
        out = []
        for o in sorted(self._s.objections.values(), key=lambda o: (o.due_at, o.id)):
            if o.court_id != court_id or (status and o.status != status):
                continue
            x, f = self._s.listings[o.public_record_id], self._s.files[o.subject_id]
            out.append(ObjectionOnFile(o, x.item_ref,
                                       self._s.listing_details[x.id].case_number, f.name,
                                       f.item_ref))
        return out

    def decide(self, objection_id: int, status: str, now: datetime, note: str) -> None:
        self._s.objections[objection_id] = dataclasses.replace(
            self._s.objections[objection_id], status=status, decided_at=now, note=note)


class FakeNotices(_Repo):
    def add(self, subject_id: int, kind: str, title: str, body: dict[str, Any],
            created_at: datetime) -> int:
        self._s.notices.append({"subject_id": subject_id, "kind": kind, "title": title,
                                "body": body, "created_at": created_at})
        return len(self._s.notices)


class FakeInquiries(_Repo):
    def accesses(self, subject_id: int, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        mine = [(q.created_at, i, q) for i, q in enumerate(self._s.inquiries)
                if q.subject_id == subject_id and q.kind in kinds and q.purged_at is None]
        return [{"item_ref": q.item_ref, "kind": q.kind,
                 "who": self._s.organisations.get(q.organisation_id), "purpose": q.purpose,
                 "category": None, "consent_ref": None, "when": q.created_at}
                for _, _, q in sorted(mine, key=lambda t: (t[0], t[1]), reverse=True)]

    def of_member(self, item_ref: str, member_id: int) -> MemberInquiry | None:
        for i, q in enumerate(self._s.inquiries, 1):
            if q.item_ref == item_ref and q.organisation_id == member_id and q.kind == "inquiry":
                return MemberInquiry(i, q.subject_id, self._s.files[q.subject_id].item_ref,
                                     q.purpose, q.result)
        return None

    def drop_shown_before(self, now: datetime, others_before: datetime,
                          employment_before: datetime) -> int:
        n = 0
        for q in self._s.inquiries:
            limit = employment_before if q.purpose == "employment" else others_before
            if q.purged_at is None and q.created_at < limit:
                q.purged_at, n = now, n + 1
        return n

    def add(self, *, subject_id: int, member_id: int, purpose: str, consent_ref: str | None,
            created_at: datetime, item_ref: str, result: dict[str, Any],
            link: dict[str, Any] | None = None) -> None:
        self._s.inquiries.append(Inquiry(subject_id, purpose, created_at, item_ref=item_ref,
                                         organisation_id=member_id, result=result))


class FakeDecisions(_Repo):
    def on(self, inquiry_id: int) -> bool:
        return any(d["inquiry_id"] == inquiry_id for d in self._s.decisions)

    def add(self, inquiry_id: int, member_id: int, decision: str, created_at: datetime) -> int:
        self._s.decisions.append({"inquiry_id": inquiry_id, "organisation_id": member_id,
                                  "decision": decision, "created_at": created_at,
                                  "notice_id": None})
        return len(self._s.decisions)

    def attach_notice(self, decision_id: int, notice_id: int) -> None:
        self._s.decisions[decision_id - 1]["notice_id"] = notice_id


class FakeFurnishingFiles(_Repo):
    def of_furnisher(self, ref: str, furnisher_id: int) -> FurnishingFile | None:
        return next((f for f in self._s.furnishing_files.get(furnisher_id, [])
                     if f.ref == ref), None)

    def recent(self, furnisher_id: int, limit: int) -> list[FurnishingFile]:
        return list(reversed(self._s.furnishing_files.get(furnisher_id, [])))[:limit]

    def add(self, *, ref: str, furnisher_id: int, filename: str, format: str, sha256: str,
            now: datetime) -> int:
        file_id = len(self._s.intake_files) + 1
        self._s.intake_files[file_id] = IntakeFile(
            ref=ref, filename=filename, format=format, status="queued", records=0, accepted=0,
            rejected=0, warnings=0, created_at=now, quality=None, id=file_id,
            furnisher_id=furnisher_id, furnisher=None, errors=[], errors_total=0,
            warning_messages=None, failure_reason=None, attempts=0)
        return file_id

    def by_ref(self, ref: str, furnisher_id: int | None = None) -> IntakeFile | None:
        f = next((f for f in self._s.intake_files.values() if f.ref == ref), None)
        if f is None or furnisher_id is not None and f.furnisher_id != furnisher_id:
            return None
        name = self._s.organisations[f.furnisher_id] if furnisher_id is None else None
        return dataclasses.replace(f, furnisher=name)

    def start(self, file_id: int) -> None:
        f = self._s.intake_files[file_id]
        self._s.intake_files[file_id] = dataclasses.replace(f, status="running",
                                                            attempts=f.attempts + 1)

    def finish(self, file_id: int, now: datetime, **outcome: Any) -> None:
        # the table's columns by the record's names
        names = {"warnings": "warning_messages", "warnings_total": "warnings"}
        self._s.intake_files[file_id] = dataclasses.replace(
            self._s.intake_files[file_id], **{names.get(k, k): v for k, v in outcome.items()})

    def pending(self) -> list[IntakeFile]:
        return [f for _, f in sorted(self._s.intake_files.items())
                if f.status in ("queued", "running")]

    def statuses(self, file_ids: list[int]) -> dict[int, str]:
        return {i: self._s.intake_files[i].status for i in file_ids
                if i in self._s.intake_files}


class FakeAuditLog(_Repo):
    """The committed events in order, numbered from 1; ``verify`` says the chain holds
    (hash-chaining is the SQL adapter's, tested on both databases)."""

    def events(self, after: int, limit: int, subject_ref: str | None, *,
               before: int | None = None, oldest: bool = True, actor: str | None = None,
               action: str | None = None) -> list[dict[str, Any]]:
        out = [{"seq": n, "at": e.at, "actor": e.actor, "action": e.action,
                "subject_ref": e.subject_ref, "purpose": e.purpose, "detail": e.detail,
                "hash": f"hash{n}"} for n, e in enumerate(self._s.events, 1)
               if (n > after if oldest else before is None or n < before)
               and (not subject_ref or e.subject_ref == subject_ref)
               and (not actor or actor in e.actor)
               and (not action or e.action.startswith(action))]
        return (out if oldest else out[::-1])[:limit]

    def verify(self) -> VerifyResult:
        return VerifyResult(ok=True, events=len(self._s.events))

    def last(self) -> tuple[int, bool] | None:
        n = len(self._s.events)
        return (n, n > self._s.unkeyed_events) if n else None

    def hashes(self, seqs: list[int]) -> dict[int, str]:
        return {n: f"hash{n}" for n in seqs if 0 < n <= len(self._s.events)}


class FakeRescoreJobs(_Repo):
    def running(self) -> list[RescoreJob]:
        return [j for _, j in sorted(self._s.rescore_jobs.items()) if j.status == "running"]

    def get(self, job_id: int) -> RescoreJob | None:
        return self._s.rescore_jobs.get(job_id)

    def recent(self, limit: int) -> list[RescoreJob]:
        return [j for _, j in sorted(self._s.rescore_jobs.items(), reverse=True)][:limit]

    def add(self, engine: str, model_version: str, total: int, started_at: datetime) -> int:
        job_id = max(self._s.rescore_jobs, default=0) + 1
        self._s.rescore_jobs[job_id] = RescoreJob(job_id, engine, model_version, "running",
                                                  total, 0, 0, started_at, None)
        return job_id

    def _set(self, job_id: int, **changes: Any) -> None:
        self._s.rescore_jobs[job_id] = dataclasses.replace(self._s.rescore_jobs[job_id],
                                                           **changes)

    def supersede(self, job_id: int, now: datetime) -> None:
        self._set(job_id, status="superseded", finished_at=now)

    def set_engine(self, job_id: int, engine: str) -> None:
        self._set(job_id, engine=engine)

    def advance(self, job_id: int, upto: int, count: int) -> None:
        self._set(job_id, last_subject_id=upto, done=self._s.rescore_jobs[job_id].done + count)

    def finish(self, job_id: int, now: datetime) -> int:
        job = self._s.rescore_jobs[job_id]
        if job.status == "running":
            self._set(job_id, status="done", finished_at=now, total=job.done)
        return job.done

    def files(self) -> int:
        return len(self._s.files)

    def file_ids_after(self, after: int, limit: int) -> list[int]:
        return sorted(i for i in self._s.files if i > after)[:limit]


class FakeConsents(_Repo):
    def _named(self, c: ConsentRecord) -> ConsentRecord:
        return dataclasses.replace(c, organisation=self._s.organisations.get(
            c.organisation_id or 0))

    def add(self, **values: Any) -> ConsentRecord:
        if any(c.reference == values["reference"] for c in self._s.consents.values()):
            raise ValueError("consents.reference is unique")
        new_id = max(self._s.consents, default=0) + 1
        self._s.consents[new_id] = ConsentRecord(id=new_id, organisation=None, revoked_at=None,
                                                 **values)
        return self._named(self._s.consents[new_id])

    def on_file(self, subject_id: int) -> list[ConsentRecord]:
        return [self._named(c) for c in sorted(self._s.consents.values(),
                                               key=lambda c: (c.recorded_at, c.id), reverse=True)
                if c.subject_id == subject_id]

    def own(self, reference: str, subject_id: int) -> ConsentRecord | None:
        return next((self._named(c) for c in self._s.consents.values()
                     if c.reference == reference and c.subject_id == subject_id), None)

    def revoke(self, consent_id: int, now: datetime) -> ConsentRecord:
        c = self._s.consents[consent_id] = dataclasses.replace(self._s.consents[consent_id],
                                                               revoked_at=now)
        return self._named(c)

    def by_ref(self, reference: str) -> ConsentRecord | None:
        return next((self._named(c) for c in self._s.consents.values()
                     if c.reference == reference), None)

    def by_refs(self, references: list[str]) -> list[ConsentRecord]:
        return [self._named(c) for c in self._s.consents.values() if c.reference in references]

    def of_member(self, organisation_id: int, subject_id: int,
                  purpose: str) -> list[ConsentRecord]:
        return [self._named(c) for c in self._s.consents.values()
                if (c.organisation_id, c.subject_id, c.purpose)
                == (organisation_id, subject_id, purpose)]


class FakeOrganisations(_Repo):
    def _usable(self, role: str) -> list[Organisation]:
        return sorted((Organisation(i, self._s.organisations[i])
                       for i, (r, revoked) in self._s.organisation_roles.items()
                       if r == role and not revoked), key=lambda o: o.name)

    def in_role(self, role: str) -> list[Organisation]:
        return self._usable(role)

    def active(self, key: int | str, role: str) -> Organisation | None:
        return next((o for o in self._usable(role) if key in (o.id, o.name)), None)

    def furnishers_of(self, subject_id: int) -> list[Organisation]:
        mine = {a.furnisher_id for a in self._s.accounts.values() if a.subject_id == subject_id}
        return [o for o in self._usable("furnisher") if o.id in mine]


class FakeFraudAlerts(_Repo):
    def drop_expired(self, now: datetime) -> None:
        self._s.fraud_alerts[:] = [a for a in self._s.fraud_alerts if a.expires_at > now]

    def active_until(self, subject_id: int, kind: str, now: datetime) -> datetime | None:
        return next((a.expires_at for a in self._s.fraud_alerts
                     if (a.subject_id, a.kind) == (subject_id, kind) and a.expires_at > now),
                    None)

    def add(self, subject_id: int, kind: str, placed_at: datetime,
            expires_at: datetime) -> None:
        self._s.fraud_alerts.append(FraudAlert(subject_id, kind, placed_at, expires_at))


class FakeOffers(_Repo):
    """Offers; reach counts the opted-in files whose current score reaches ``min_score``."""

    def add(self, member_id: int, title: str, description: str, min_score: int,
            category: str, now: datetime) -> Offer:
        offer_id = max(self._s.offers, default=0) + 1
        self._s.offers[offer_id] = Offer(offer_id, member_id, title, description, min_score,
                                         category, now)
        return self._s.offers[offer_id]

    def of_member(self, member_id: int) -> list[Offer]:
        return sorted((o for o in self._s.offers.values() if o.organisation_id == member_id),
                      key=lambda o: (o.created_at, o.id))

    def reach(self, member_id: int, offer_id: int | None = None) -> dict[int, int]:
        scores = FakeScores(self._s)
        values = [row["value"] for sid in self._s.opted_in
                  if (row := scores.current(sid)) is not None]
        which = self.of_member(member_id) if offer_id is None else [self._s.offers[offer_id]]
        counts = {o.id: sum(1 for v in values if v >= o.min_score) for o in which}
        return {i: n for i, n in counts.items() if n}

    def qualifying(self, score: int) -> list[Offer]:
        return [dataclasses.replace(o, member=self._s.organisations.get(o.organisation_id))
                for o in sorted(self._s.offers.values(), key=lambda o: (-o.min_score, o.id))
                if o.min_score <= score]

    def opted_in(self, subject_id: int) -> bool:
        return subject_id in self._s.opted_in

    def set_opt_in(self, subject_id: int, opt_in: bool) -> None:
        if opt_in:
            self._s.opted_in.add(subject_id)
        else:
            self._s.opted_in.discard(subject_id)


class FakeScores(_Repo):
    """Stored scores; ``compute`` answers from the store's ``engine_scores`` (what a test says
    the engine gives), for the files of ``subjects.ids`` only."""

    def current(self, subject_id: int) -> dict[str, Any] | None:
        mine = [(r["computed_at"], i, r) for i, r in enumerate(self._s.scores)
                if r["subject_id"] == subject_id
                and r["model_version"] == self._s.active_model]
        return dict(max(mine, key=lambda t: (t[0], t[1]))[2]) if mine else None

    def history(self, subject_id: int, limit: int) -> list[dict[str, Any]]:
        mine = [(r["computed_at"], i, r) for i, r in enumerate(self._s.scores)
                if r["subject_id"] == subject_id]
        return [dict(r) for _, _, r in sorted(mine, key=lambda t: (t[0], t[1]),
                                              reverse=True)[:limit]]

    def add(self, rows: Any) -> None:
        self._s.scores.extend(dict(r) for r in rows)

    def compute(self, card: Scorecard, as_of: date, subjects: Subjects) -> list[Scored]:
        if subjects.ids is not None:
            wanted = set(subjects.ids)
        else:
            wanted = {i for i in self._s.engine_scores if i > (subjects.after or 0)
                      and (subjects.upto is None or i <= subjects.upto)}
        return [self._s.engine_scores[i] for i in sorted(wanted)
                if i in self._s.engine_scores]

    def credit_file(self, subject_id: int, as_of: date) -> CreditFile:
        return self._s.credit_files.get(subject_id, CreditFile(as_of=as_of))


class FakeModels(_Repo):
    def active_version(self) -> str | None:
        return self._s.active_model

    def spec(self, version: str) -> dict[str, Any] | None:
        return self._s.models.get(version)

    def versions(self) -> set[str]:
        return set(self._s.models)

    def has(self, version: str) -> bool:
        return version in self._s.models

    def add(self, version: str, spec: dict[str, Any], now: datetime) -> None:
        self._s.models[version] = spec
        self._s.model_versions[version] = ModelVersion(version, False, now, None, None)

    def activate(self, version: str, now: datetime, by: str) -> None:
        self._s.active_model = version
        self._s.model_versions[version] = dataclasses.replace(
            self._s.model_versions[version], activated_at=now, activated_by=by)

    def active_spec(self) -> dict[str, Any] | None:
        return None if self._s.active_model is None else self._s.models[self._s.active_model]

    def all(self) -> list[ModelVersion]:
        return sorted((dataclasses.replace(m, active=v == self._s.active_model)
                       for v, m in self._s.model_versions.items()),
                      key=lambda m: m.created_at)


class FakeProtections(_Repo):
    def _by_account(self, rows: list[tuple[int, int, str]], furnisher_id: int,
                    hashes: list[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for sid, fid, h in rows:
            if fid == furnisher_id and h in hashes:
                out.setdefault(h, set()).add(sid)
        return out

    def any_for(self, furnisher_id: int) -> tuple[bool, bool]:
        return (any(f == furnisher_id for _, f, _, _ in self._s.cannot_links),
                any(b[3] == furnisher_id for b in self._s.blocks))

    def cannot_links(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]:
        return self._by_account([(s, f, h) for s, f, h, _ in self._s.cannot_links],
                                furnisher_id, hashes)

    def add_cannot_link(self, subject_id: int, furnisher_id: int, account_ref_hmac: str,
                        reason: str, source: str, now: datetime) -> None:
        self._s.cannot_links.append((subject_id, furnisher_id, account_ref_hmac, source))

    def blocked(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]:
        return self._by_account([(b[1], b[3], b[4]) for b in self._s.blocks], furnisher_id,
                                hashes)

    def account(self, subject_id: int, item_ref: str) -> AccountOnFile | None:
        a = self._s.accounts.get(item_ref)
        if a is None or a.subject_id != subject_id:
            return None
        return AccountOnFile(list(self._s.accounts).index(item_ref) + 1, a.item_ref,
                             a.furnisher_id, self._s.organisations.get(a.furnisher_id, ""),
                             a.account_ref, "revolving", None, a.suppressed_reason)

    def unlink(self, account_id: int) -> int:
        del self._s.accounts[list(self._s.accounts)[account_id - 1]]
        return 0        # the fake keeps no months

    def add_report(self, ref: str, subject_id: int, statement: str | None, filed_at: datetime,
                   due_at: datetime) -> int:
        self._s.theft_reports.append({"ref": ref, "subject_id": subject_id,
                                      "statement": statement, "filed_at": filed_at,
                                      "due_at": due_at, "blocked_at": None})
        return len(self._s.theft_reports)

    def mark_blocked(self, report_id: int, now: datetime) -> None:
        self._s.theft_reports[report_id - 1]["blocked_at"] = now

    def add_block(self, report_id: int, subject_id: int, item_ref: str, furnisher_id: int,
                  account_ref_hmac: str, now: datetime) -> None:
        self._s.blocks.append((report_id, subject_id, item_ref, furnisher_id, account_ref_hmac,
                               now))

    def reports_of(self, subject_id: int) -> list[TheftReport]:
        return [TheftReport(r["ref"], r["statement"], r["filed_at"], r["due_at"],
                            r["blocked_at"], tuple(b[2] for b in self._s.blocks
                                                   if b[0] == i + 1))
                for i, r in reversed(list(enumerate(self._s.theft_reports)))
                if r["subject_id"] == subject_id]

    def blocks_of(self, subject_id: int) -> list[Block]:
        out = []
        for report_id, sid, item_ref, fid, _, at in self._s.blocks:
            if sid == subject_id:
                a = self._s.accounts.get(item_ref)
                out.append(Block(item_ref, self._s.theft_reports[report_id - 1]["ref"], at,
                                 self._s.organisations.get(fid, ""), "revolving",
                                 a.account_ref if a else None))
        return out

    def tell_furnisher(self, furnisher_id: int, kind: str, account_ref: str, item_ref: str,
                       source: str, reason: str, now: datetime) -> None:
        n = len(self._s.furnisher_notices) + 1
        self._s.furnisher_notices.append(FurnisherNotice(n, kind, account_ref, source, reason,
                                                         now))

    def furnisher_notices(self, furnisher_id: int, after: int,
                          limit: int) -> list[FurnisherNotice]:
        return [n for n in self._s.furnisher_notices if n.id > after][:limit]

    def frozen_among(self, subject_ids: Iterable[int]) -> bool:
        ids = set(subject_ids)
        return any(f[0] in ids and f[2] is None for f in self._s.freezes)

    def alerts_among(self, subject_ids: Iterable[int], now: datetime) -> list[dict[str, Any]]:
        ids = set(subject_ids)
        return [{"kind": a.kind, "placed_at": a.placed_at, "expires_at": a.expires_at}
                for a in self._s.fraud_alerts if a.subject_id in ids and a.expires_at > now]

    def frozen_and_alerts_among(self, subject_ids: Iterable[int], now: datetime
                                ) -> tuple[bool, list[dict[str, Any]]]:
        ids = list(subject_ids)
        return self.frozen_among(ids), self.alerts_among(ids, now)

    def observation(self, subject_id: int, item_ref: str) -> tuple[str, str] | None:
        return self._s.observations.get((subject_id, item_ref))

    def remove_observation(self, subject_id: int, kind: str, value_hmac: str) -> int:
        gone = [k for k, v in self._s.observations.items()
                if k[0] == subject_id and v == (kind, value_hmac)]
        for k in gone:
            del self._s.observations[k]
        return len(gone)


class FakeSubjects(_Repo):
    def by_hmac(self, id_hmac: str) -> Subject | None:
        return next((x for x in self._s.subjects.values() if x.id_hmac == id_hmac), None)

    def by_id(self, subject_id: int) -> Subject | None:
        return self._s.subjects.get(subject_id)

    def id_by_hmac(self, id_hmac: str) -> int | None:
        found = self.by_hmac(id_hmac)
        return None if found is None else found.id

    def id_by_ref(self, item_ref: str) -> int | None:
        return next((x.merged_into_id or x.id for x in self._s.subjects.values()
                     if x.item_ref == item_ref), None)

    def open(self, *, id_hmac: str, id_ciphertext: bytes, id_suffix: str, name: str,
             date_of_birth: date | None, kind: str, created_at: datetime,
             item_ref: str) -> int:
        if self.by_hmac(id_hmac) is not None:
            raise ValueError("subjects.id_hmac is unique")
        new_id = max(self._s.subjects, default=0) + 1
        self._s.files[new_id] = FileIdentity(new_id, item_ref, name, date_of_birth, id_hmac,
                                             id_suffix)
        self._s.subjects[new_id] = Subject(
            id=new_id, item_ref=item_ref, name=name, date_of_birth=date_of_birth, kind=kind,
            id_hmac=id_hmac, id_ciphertext=id_ciphertext, id_suffix=id_suffix,
            created_at=created_at)
        return new_id


class FakeRegistry(_Repo):
    """Listings kept as ``public_records``; their status is ``listings``' and their
    restrictions ``restrictions``', which ``FakeListings`` changes."""

    def _stored(self, record_id: int) -> PublicRecord:
        return dataclasses.replace(self._s.public_records[record_id],
                                   status=self._s.listings[record_id].status)

    def listed(self, court_id: int, case_number: str, subject_id: int) -> bool:
        return any((r.court_id, r.case_number, r.subject_id) == (court_id, case_number,
                                                                 subject_id)
                   for r in self._s.public_records.values())

    def add(self, *, subject_id: int, court_id: int, case_number: str, amount: int,
            currency: str, judgment_date: date, ground: str, legal_basis: str | None,
            status: str, listed_at: datetime, until: date | None, item_ref: str,
            orders: list[tuple[str, date | None]], link: dict[str, Any] | None = None
            ) -> int:
        new_id = max([*self._s.public_records, *self._s.listings], default=0) + 1
        self._s.public_records[new_id] = PublicRecord(
            new_id, subject_id, court_id, "judgment", case_number, amount, currency,
            judgment_date, ground, legal_basis, status, listed_at, until, None, None, item_ref)
        self._s.listings[new_id] = Listing(new_id, item_ref, subject_id, court_id, status)
        self._s.listing_until[new_id] = until
        self._s.restrictions.extend(Restriction(new_id, ends, None, category)
                                    for category, ends in orders)
        return new_id

    def of_court_ref(self, court_id: int, item_ref: str) -> PublicRecord | None:
        return next((self._stored(i) for i, r in self._s.public_records.items()
                     if (r.court_id, r.item_ref) == (court_id, item_ref)), None)

    def ids_of_court(self, court_id: int, status: str | None) -> list[int]:
        mine = [self._stored(i) for i, r in self._s.public_records.items()
                if r.court_id == court_id]
        return [r.id for r in sorted(mine, key=lambda r: (r.listed_at, r.id), reverse=True)
                if not status or r.status == status]

    def judgment(self, record_id: int) -> ListedJudgment:
        r = self._stored(record_id)
        debtor = self._s.subjects[r.subject_id]
        orders = sorted((x for x in self._s.restrictions if x.listing_id == record_id),
                        key=lambda x: x.category)
        return ListedJudgment(r, self._s.organisations[r.court_id], debtor.name, debtor.kind,
                              debtor.id_ciphertext,
                              tuple(RestrictionOrder(x.category, r.listed_at.date(), x.until,
                                                     x.lifted_at) for x in orders))

    def orders(self, subject_id: int, category: str) -> list[OrderOnFile]:
        out = []
        for i in self._s.public_records:
            r = self._stored(i)
            if r.subject_id != subject_id or r.status != "active":
                continue
            out += [OrderOnFile(r.case_number, self._s.organisations[r.court_id], r.ground,
                                x.category, r.listed_at.date(), x.until)
                    for x in self._s.restrictions if x.listing_id == i
                    and x.category == category and x.lifted_at is None]
        return sorted(out, key=lambda o: (o.ordered_on, o.case_number))

    def add_check(self, *, subject_id: int, member_id: int, purpose: str, category: str,
                  created_at: datetime, item_ref: str, result: dict[str, Any],
                  link: dict[str, Any] | None = None) -> None:
        self._s.inquiries.append(Inquiry(subject_id, purpose, created_at, item_ref=item_ref,
                                         organisation_id=member_id, kind="restriction_check",
                                         result=result))

    def search(self, today: date, name: str, whole_word: bool, id_suffix: str | None,
               court: str | None, limit: int) -> list[PublicListing]:
        found = []
        for i in self._s.public_records:
            r, debtor = self._stored(i), self._s.subjects[self._s.public_records[i].subject_id]
            court_name = self._s.organisations[r.court_id]
            named = (name.lower() in debtor.name.lower().split() if whole_word
                     else name.lower() in debtor.name.lower())
            if (r.status == "active" and (r.until is None or r.until >= today) and named
                    and (id_suffix is None or (debtor.id_suffix or "").endswith(id_suffix.upper()))
                    and (court is None or court_name.lower() == court.lower())):
                found.append((r, PublicListing(debtor.name, debtor.id_ciphertext, court_name,
                                               r.case_number, r.amount, r.currency, r.ground,
                                               r.listed_at)))
        found.sort(key=lambda t: (-t[0].listed_at.timestamp(), t[0].id))
        return [p for _, p in found[:limit]]


class FakeIdentityHolds(_Repo):
    """Holds as rows of ``identity_holds`` columns (``furnisher_id`` named through the store's
    organisations)."""

    def _row(self, item_ref: str) -> dict[str, Any] | None:
        return next((h for h in self._s.holds if h["item_ref"] == item_ref), None)

    def of_status(self, status: str, limit: int) -> list[HoldLine]:
        return [HoldLine(h["item_ref"], self._s.organisations[h["furnisher_id"]], h.get("line"),
                         h["reason"], h.get("weight"), h["candidates"], h["status"],
                         h["created_at"], h.get("decided_at"))
                for h in self._s.holds if h["status"] == status][:limit]

    def pending_candidates(self, reason: str) -> list[list[dict[str, Any]]]:
        return [h["candidates"] for h in self._s.holds
                if h["status"] == "held" and h["reason"] == reason]

    def by_ref(self, item_ref: str) -> Hold | None:
        h = self._row(item_ref)
        return None if h is None else Hold(
            h["item_ref"], h["furnisher_id"], h.get("file_id"), h["account_ref_hmac"],
            h["reason"], h.get("weight"), h["record_ciphertext"], h["status"])

    def move(self, item_ref: str, from_status: str, to_status: str) -> bool:
        h = self._row(item_ref)
        if h is None or h["status"] != from_status:
            return False
        h["status"] = to_status
        return True

    def decide(self, item_ref: str, status: str, now: datetime, by: str,
               subject_id: int | None) -> None:
        h = self._row(item_ref)
        assert h is not None
        h.update(status=status, decided_at=now, decided_by=by, subject_id=subject_id)


class FakeScoreDrift(_Repo):
    """Counts over the store's ``scores`` rows (``value``, ``attributes``), each file's
    newest of the version."""

    def _current(self, version: str, until: datetime | None) -> list[dict[str, Any]]:
        newest: dict[int, tuple[datetime, int, dict[str, Any]]] = {}
        for i, r in enumerate(self._s.scores):
            if r["model_version"] != version or (until is not None
                                                 and r["computed_at"] > until):
                continue
            key = (r["computed_at"], i, r)
            if r["subject_id"] not in newest or key[:2] > newest[r["subject_id"]][:2]:
                newest[r["subject_id"]] = key
        return [r for _, _, r in newest.values()]

    def latest_at(self, version: str) -> datetime | None:
        return max((r["computed_at"] for r in self._s.scores
                    if r["model_version"] == version), default=None)

    def score_counts(self, version: str, until: datetime | None = None) -> dict[int, int]:
        counts: dict[int, int] = {}
        for r in self._current(version, until):
            counts[r["value"]] = counts.get(r["value"], 0) + 1
        return counts

    def bucket_counts(self, card: Scorecard, attribute: str) -> dict[int, int]:
        attr = next(a for a in card.attributes if a.name == attribute)
        counts: dict[int, int] = {}
        for r in self._current(card.version, None):
            b = bucket_of(attr, (r.get("attributes") or {}).get(attribute))
            counts[b] = counts.get(b, 0) + 1
        return counts


class FakeHealth(_Repo):
    def ping(self) -> None:
        pass


# -- furnishing: the record store, identity observations, resolution ------------------------

_MONTH_FIELDS = ("status", "balance", "amount_past_due", "credit_limit", "scheduled_payment",
                 "monthly_income", "consent_ref", "payment_history", "special_comment")


class FakeAccountStore(_Repo):
    """What ``FakeBulkStore`` does to accounts and months, a step at a time: accounts are
    ``FakeStore.accounts`` (ids as ``FakeAccounts`` gives them), their other columns
    ``account_states``."""

    def _ids(self) -> dict[str, int]:
        return {ref: i + 1 for i, ref in enumerate(self._s.accounts)}

    def states(self, furnisher_id: int, refs: list[str]) -> list[AccountState]:
        ids = self._ids()
        out = []
        for a in self._s.accounts.values():
            if a.furnisher_id == furnisher_id and a.account_ref in refs:
                st = self._s.account_states[ids[a.item_ref]]
                out.append(AccountState(
                    ids[a.item_ref], a.account_ref, a.subject_id, st["latest_as_of"],
                    st["compliance_code"], *(st[f] for f in (
                        "identification_number", "original_creditor",
                        "creditor_classification", "purchase_indicator", "purchase_name",
                        "mortgage", "specialised_payment"))))
        return out

    def add(self, furnisher_id: int, rows: list[dict[str, Any]],
            now: datetime) -> dict[tuple[str, int], int]:
        out = {}
        for row in rows:
            self._s.accounts[row["item_ref"]] = Account(
                row["item_ref"], row["subject_id"], furnisher_id, row["account_ref"],
                row["date_of_first_delinquency"], row["deleted_at"])
            acc_id = self._ids()[row["item_ref"]]
            self._s.account_states[acc_id] = {**row, "updated_at": now}
            out[(row["account_ref"], row["subject_id"])] = acc_id
        return out

    def upsert_months(self, rows: list[dict[str, Any]], file_id: int | None, now: datetime,
                      only_if_different: bool) -> set[tuple[int, date]]:
        changed = set()
        for row in rows:
            key = (row["account_id"], row["as_of"])
            had = self._s.account_months.get(key)
            if had is not None and only_if_different and all(
                    had[f] == row[f] for f in _MONTH_FIELDS):
                continue
            self._s.account_months[key] = {**row, "file_id": file_id, "furnished_at": now}
            changed.add(key)
        return changed

    def follow(self, states: dict[int, dict[str, Any]]) -> None:
        by_id = {i + 1: a for i, a in enumerate(self._s.accounts.values())}
        for acc_id, state in states.items():
            self._s.account_states[acc_id].update(state)
            by_id[acc_id].deleted_at = state["deleted_at"]
            by_id[acc_id].date_of_first_delinquency = state["date_of_first_delinquency"]


_STAGE_NAMES = tuple(name for name, _ in STAGE_COLUMNS)
_STAGE_DATES = frozenset(name for name, kind in STAGE_COLUMNS if kind == "date")
_JSON_SEGMENTS = ("mortgage", "specialised_payment")


def _staged(line: bytes) -> dict[str, Any]:
    row = dict(zip(_STAGE_NAMES, stage_values(line), strict=True))
    for name in _STAGE_DATES:
        if row[name] is not None:
            row[name] = date.fromisoformat(row[name])
    for name in _JSON_SEGMENTS:
        if row[name] is not None:
            row[name] = json.loads(row[name])
    return row


def _account_state(row: dict[str, Any], cur: AccountState | None,
                   now: datetime) -> dict[str, Any]:
    """The account's fields as its newest month's staged ``row`` sets them (``cur``: the
    account before, None for a new one), as ``adapters/furnish_store.py`` sets them."""
    compliance = cur.compliance_code if cur is not None else None
    if row["compliance_code"] == "XR":
        compliance = None
    elif row["compliance_code"] is not None:
        compliance = row["compliance_code"]
    segments = {f: row[f] if row[f] is not None or cur is None else getattr(cur, f)
                for f in ("identification_number", "original_creditor",
                          "creditor_classification", "purchase_indicator", "purchase_name",
                          "mortgage", "specialised_payment")}
    if row["purchase_indicator"] == "remove":
        segments["purchase_indicator"] = segments["purchase_name"] = None
    return {"kind": row["kind"], "ecoa": row["ecoa"], "currency": row["currency"],
            "opened_on": row["opened_on"], "closed_on": row["closed_on"],
            "credit_limit": row["credit_limit"], "original_amount": row["original_amount"],
            "date_of_first_delinquency": row["dofd"], "compliance_code": compliance,
            "latest_as_of": row["month"], "deleted_at": now if row["delete_code"] else None,
            "delete_code": row["delete_code"], **segments}


class FakeBulkStore(_Repo):
    """The furnishing store in memory: the staged lines decoded, then the rules of
    ``adapters/furnish_store.py`` in Python, through ``FakeAccountStore``'s steps."""

    def store(self, furnisher_id: int, file_id: int | None, now: datetime, lines: list[bytes],
              subjects: Iterable[tuple[str, int, str | None]],
              phases: MutableMapping[str, float]) -> list[tuple[Any, ...]]:
        steps = FakeAccountStore(self._s)
        placed = {h: (sid, json.loads(link) if link is not None else None)
                  for h, sid, link in subjects}
        rows = sorted((_staged(line) for line in lines), key=lambda r: r["seq"])
        for r in rows:
            r["sid"], r["link"] = placed[r["hm"]]
        # each account's newest row (the latest month, the latest row of a month)
        newest: dict[tuple[str, int], dict[str, Any]] = {}
        for r in rows:
            key = (r["account_ref"], r["sid"])
            if key not in newest or r["month"] >= newest[key]["month"]:
                newest[key] = r
        found = {(a.account_ref, a.subject_id): a
                 for a in steps.states(furnisher_id, sorted({k[0] for k in newest}))}
        ids = {k: a.id for k, a in found.items()}
        missing = [k for k in newest if k not in found]
        ids.update(steps.add(furnisher_id, [
            {"account_ref": k[0], "subject_id": k[1], "item_ref": newest[k]["item_ref"],
             "link": newest[k]["link"], **_account_state(newest[k], None, now)}
            for k in missing], now))
        # each (account, month)'s latest row
        months: dict[tuple[int, date], dict[str, Any]] = {}
        for r in rows:
            months[(ids[(r["account_ref"], r["sid"])], r["month"])] = r
        changed: set[tuple[int, date]] = set()
        for deleting in (False, True):
            part = [{"account_id": k[0], "as_of": k[1], **{f: r[f] for f in _MONTH_FIELDS}}
                    for k, r in months.items() if (r["delete_code"] is not None) == deleting]
            if part:
                changed |= steps.upsert_months(part, file_id, now, not deleting)
        out = sorted((r["seq"], k[0], r["sid"], r["account_ref"], k[1], r["delete_code"])
                     for k, r in months.items() if k in changed)
        follow: dict[int, dict[str, Any]] = {}
        for _, acc_id, sid, ref, month, _ in out:
            cur = found.get((ref, sid))
            if cur is not None and month >= cur.latest_as_of and (
                    acc_id not in follow or month >= follow[acc_id]["latest_as_of"]):
                follow[acc_id] = {**_account_state(months[(acc_id, month)], cur, now),
                                  "updated_at": now}
        steps.follow(follow)
        return out


class FakeObservations(_Repo):
    def kept(self, furnisher_id: int,
             subject_ids: list[int]) -> dict[tuple[int, str, str], KeptObservation]:
        return {(sid, kind, h): KeptObservation(o["id"], o["first_seen_on"], o["last_seen_on"])
                for (sid, kind, h, fid), o in self._s.identity_observations.items()
                if fid == furnisher_id and sid in subject_ids}

    def keep(self, furnisher_id: int, file_id: int | None, now: datetime,
             keys: set[tuple[str, int]], new: list[dict[str, Any]],
             moved: list[dict[str, Any]]) -> None:
        obs = self._s.identity_observations
        self._s.identity_keys |= keys
        for row in new:
            key = (row["subject_id"], row["kind"], row["value_hmac"], furnisher_id)
            had = obs.get(key)
            if had is None:
                obs[key] = {**row, "id": len(obs) + 1, "file_id": file_id}
            else:
                had["first_seen_on"] = min(had["first_seen_on"], row["first_seen_on"])
                had["last_seen_on"] = max(had["last_seen_on"], row["last_seen_on"])
        by_id = {o["id"]: o for o in obs.values()}
        for m in moved:
            by_id[m["b_id"]].update(first_seen_on=m["b_first"], last_seen_on=m["b_last"])


class FakeResolution(_Repo):
    def holders(self, keys: list[str], id_hmac: str | None = None) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for k, sid in self._s.identity_keys:
            if k in keys:
                out.setdefault(k, set()).add(sid)
        for f in self._s.files.values():
            if id_hmac is not None and f.id_hmac == id_hmac:
                out.setdefault(id_hmac, set()).add(f.id)
        return out

    def holders_and_owner(self, keys: list[str], id_hmac: str | None
                          ) -> tuple[dict[str, set[int]], Subject | None]:
        owner = next((x for x in self._s.subjects.values()
                      if id_hmac is not None and x.id_hmac == id_hmac), None)
        if owner is not None and owner.merged_into_id is not None:
            owner = self._s.subjects.get(owner.merged_into_id)
        f = next((f for f in self._s.files.values()
                  if id_hmac is not None and f.id_hmac == id_hmac), None)
        if owner is None and f is not None:       # a file opened by ``add_files``
            owner = Subject(id=f.id, id_hmac=f.id_hmac,
                            id_ciphertext=self._s.id_ciphertexts.get(f.id),
                            id_suffix=f.id_suffix, name=f.name, date_of_birth=f.date_of_birth,
                            kind="person", created_at=datetime(2026, 1, 1), item_ref=f.item_ref)
        return self.holders(keys, id_hmac), owner

    def opened_with(self, subject_ids: list[int]
                    ) -> list[tuple[int, str | None, date | None, bytes | None]]:
        return [(f.id, f.name, f.date_of_birth, self._s.id_ciphertexts.get(f.id))
                for f in self._s.files.values() if f.id in subject_ids]

    def observed(self, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[tuple[int, str, bytes]]:
        wanted = set(kinds)
        return [(sid, kind, o["value_ciphertext"])
                for (sid, kind, _, _), o in self._s.identity_observations.items()
                if sid in subject_ids and kind in wanted]

    def account_files(self, furnisher_id: int, refs: list[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for a in self._s.accounts.values():
            if a.furnisher_id == furnisher_id and a.deleted_at is None \
                    and a.account_ref in refs:
                out.setdefault(a.account_ref, set()).add(a.subject_id)
        return out

    def taken_ids(self, id_hmacs: list[str]) -> set[str]:
        return {f.id_hmac for f in self._s.files.values() if f.id_hmac in id_hmacs}

    def add_files(self, rows: list[dict[str, Any]], now: datetime) -> dict[str, int]:
        out = {}
        for row in rows:
            sid = max(self._s.files, default=0) + 1
            self._s.files[sid] = FileIdentity(sid, row["item_ref"], row["name"],
                                              row["date_of_birth"], row["id_hmac"],
                                              row["id_suffix"])
            if row["id_ciphertext"] is not None:
                self._s.id_ciphertexts[sid] = row["id_ciphertext"]
            out[row["item_ref"]] = sid
        return out

    def refs(self, subject_ids: list[int]) -> dict[int, str]:
        return {sid: self._s.files[sid].item_ref for sid in subject_ids if sid in self._s.files}

    def add_hold(self, **hold: Any) -> None:
        self._s.identity_holds.append({**hold, "status": "held"})


# -- credentials, the report's reads, the demo's look-ups --------------------------------------

@dataclass
class CredentialState:
    """Organisations' keys and web sessions, consumers' codes, logins and sessions. The
    organisations themselves are the store's (``organisations``, ``organisation_roles``)."""

    created: dict[int, datetime] = field(default_factory=dict)
    revoked: dict[int, datetime] = field(default_factory=dict)
    # prefix -> key id, organisation id, key hash, revoked at
    keys: dict[str, list[Any]] = field(default_factory=dict)
    # session hash -> organisation id, expires at, ended at
    web_sessions: dict[str, list[Any]] = field(default_factory=dict)
    # code id -> subject id, code hash, expires at, used at
    codes: dict[int, list[Any]] = field(default_factory=dict)
    passwords: dict[int, str] = field(default_factory=dict)
    # token hash -> subject id, expires at
    sessions: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    # how many times a unit said credentials changed
    changes: int = 0


@dataclass
class ReportState:
    """What a report reads that no other fake keeps: accounts as reported (shown unless the
    store's ``accounts`` says otherwise), their months, public records with their
    restrictions, identity elements (``(file, observation)``)."""

    accounts: dict[int, list[ReportAccount]] = field(default_factory=dict)
    months: list[ReportMonth] = field(default_factory=list)
    records: dict[int, list[ReportRecord]] = field(default_factory=dict)
    restrictions: list[ReportRestriction] = field(default_factory=list)
    observations: list[tuple[int, ReportObservation]] = field(default_factory=list)
    # (file, month) of the months ``furnished_months`` reads
    furnished: list[tuple[int, FurnishedMonth]] = field(default_factory=list)


@dataclass
class ExportState:
    """What exports read: identity elements as furnishers reported them (by furnisher, the
    newest last), accounts' months (by furnisher; ``latest``: the account's newest), and the
    credit files as scoring reads them (rows by table, as ``export.parquet_schemas`` names
    their columns)."""

    reported: list[tuple[int, ReportedValue]] = field(default_factory=list)
    months: list[tuple[int, ExportedMonth, bool]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def national_id_of(id_hmac: str | None) -> bytes | None:
    """What the fake stores as a file's encrypted national id: ``FakeVault.lookup_hash``
    undone (``FakeBureau``'s vault decrypts it back)."""
    return id_hmac[2:].encode() if id_hmac and id_hmac.startswith("h:") else None


class FakeCredentials(_Repo):
    @property
    def _c(self) -> CredentialState:
        return self._s.logins

    def changed(self) -> None:
        self._c.changes += 1

    def _record(self, org_id: int) -> OrganisationRecord:
        role, _ = self._s.organisation_roles[org_id]
        return OrganisationRecord(org_id, self._s.organisations[org_id], role,
                                  self._c.created.get(org_id, datetime.min),
                                  self._c.revoked.get(org_id))

    def organisation(self, name: str) -> OrganisationRecord | None:
        return next((self._record(i) for i, n in self._s.organisations.items() if n == name),
                    None)

    def organisations(self) -> list[OrganisationRecord]:
        return [self._record(i) for i in sorted(self._s.organisation_roles)]

    def add_organisation(self, name: str, role: str, now: datetime) -> int:
        org_id = max(self._s.organisations, default=0) + 1
        self._s.add_organisation(org_id, name, role)
        self._c.created[org_id] = now
        return org_id

    def revoke_organisation(self, org_id: int, now: datetime) -> None:
        self._s.organisation_roles[org_id] = (self._s.organisation_roles[org_id][0], True)
        self._c.revoked[org_id] = now

    def add_key(self, org_id: int, prefix: str, key_hash: str, now: datetime) -> None:
        self._c.keys[prefix] = [len(self._c.keys) + 1, org_id, key_hash, None]

    def revoke_keys(self, org_id: int, now: datetime) -> None:
        for k in self._c.keys.values():
            if k[1] == org_id and k[3] is None:
                k[3] = now

    def key(self, prefix: str) -> StoredKey | None:
        k = self._c.keys.get(prefix)
        if k is None:
            return None
        org = self._record(k[1])
        return StoredKey(k[0], k[2], k[3], org.id, org.name, org.role, org.revoked_at)

    def start_web_session(self, session_hash: str, org_id: int, now: datetime,
                          expires_at: datetime) -> None:
        self._c.web_sessions = {h: w for h, w in self._c.web_sessions.items()
                                if w[0] != org_id or (w[1] >= now and w[2] is None)}
        self._c.web_sessions[session_hash] = [org_id, expires_at, None]

    def web_session(self, session_hash: str, now: datetime) -> SignedInOrganisation | None:
        w = self._c.web_sessions.get(session_hash)
        if w is None or w[2] is not None or w[1] <= now:
            return None
        org = self._record(w[0])
        return None if org.revoked_at else SignedInOrganisation(org.id, org.name, org.role)

    def end_web_session(self, session_hash: str, now: datetime) -> None:
        self._c.web_sessions[session_hash][2] = now

    def end_web_sessions(self, org_id: int, now: datetime) -> None:
        for w in self._c.web_sessions.values():
            if w[0] == org_id and w[2] is None:
                w[2] = now

    def holder(self, id_hmac: str) -> FileHolder | None:
        return next((FileHolder(f.id, f.item_ref, f.name, f.date_of_birth, "person",
                                national_id_of(f.id_hmac))
                     for f in self._s.files.values() if f.id_hmac == id_hmac), None)

    def add_enrolment_code(self, subject_id: int, code_hash: str, now: datetime,
                           expires_at: datetime) -> None:
        self._c.codes[len(self._c.codes) + 1] = [subject_id, code_hash, expires_at, None]

    def enrolment_code(self, subject_id: int, code_hash: str, now: datetime) -> int | None:
        return next((i for i, c in self._c.codes.items()
                     if c[:2] == [subject_id, code_hash] and c[3] is None and c[2] > now), None)

    def use_enrolment_code(self, code_id: int, now: datetime) -> None:
        self._c.codes[code_id][3] = now

    def enrolled(self, subject_id: int) -> bool:
        return subject_id in self._c.passwords

    def add_login(self, subject_id: int, password_hash: str, now: datetime) -> None:
        if subject_id in self._c.passwords:
            raise ValueError("consumer_logins.subject_id is the primary key")
        self._c.passwords[subject_id] = password_hash

    def set_password(self, subject_id: int, password_hash: str) -> None:
        if subject_id in self._c.passwords:
            self._c.passwords[subject_id] = password_hash

    def login(self, id_hmac: str) -> ConsumerLogin | None:
        f = self.holder(id_hmac)
        return None if f is None or f.id not in self._c.passwords else ConsumerLogin(
            f.id, f.item_ref, self._c.passwords[f.id])

    def add_session(self, token_hash: str, subject_id: int, now: datetime,
                    expires_at: datetime) -> None:
        self._c.sessions[token_hash] = (subject_id, expires_at)

    def session(self, token_hash: str) -> ConsumerSession | None:
        found = self._c.sessions.get(token_hash)
        if found is None:
            return None
        f = self._s.files[found[0]]
        return ConsumerSession(f.id, f.name, f.item_ref, found[1])

    def end_session(self, token_hash: str) -> None:
        self._c.sessions.pop(token_hash, None)

    def end_sessions(self, subject_id: int) -> None:
        self._c.sessions = {t: s for t, s in self._c.sessions.items() if s[0] != subject_id}


class FakeReportReads(_Repo):
    def disputes(self, subject_id: int) -> list[Dispute]:
        mine = sorted((d for d in self._s.disputes.values() if d.subject_id == subject_id),
                      key=lambda d: d.id)
        return sorted(mine, key=lambda d: d.opened_at, reverse=True)

    def statements(self, subject_id: int) -> list[ReportStatement]:
        return sorted((ReportStatement(s["item_ref"], s["text"], s["created_at"])
                       for s in self._s.statements if s["subject_id"] == subject_id),
                      key=lambda s: s.created_at)

    def accounts(self, subject_id: int, own: bool) -> list[ReportAccount]:
        def shown(a: ReportAccount) -> bool:
            stored = self._s.accounts.get(a.item_ref)
            return stored is None or stored.deleted_at is None and (
                stored.suppressed_at is None
                or own and stored.suppressed_reason == "dispute_restricted")

        mine = sorted(filter(shown, self._s.report.accounts.get(subject_id, [])),
                      key=lambda a: a.id)
        return sorted(mine, key=lambda a: a.opened_on, reverse=True)

    def months(self, account_ids: list[int]) -> list[ReportMonth]:
        return sorted((m for m in self._s.report.months if m.account_id in account_ids),
                      key=lambda m: m.as_of)

    def public_records(self, subject_id: int) -> list[ReportRecord]:
        mine = sorted((r for r in self._s.report.records.get(subject_id, [])
                       if r.status == "active"), key=lambda r: r.id)
        return sorted(mine, key=lambda r: r.judgment_date, reverse=True)

    def restrictions(self, record_ids: list[int]) -> list[ReportRestriction]:
        return sorted((r for r in self._s.report.restrictions
                       if r.public_record_id in record_ids), key=lambda r: r.category)

    def inquiries(self, subject_id: int) -> list[ReportInquiry]:
        mine = [(q.created_at, i, q) for i, q in enumerate(self._s.inquiries)
                if q.subject_id == subject_id and q.kind in INQUIRY_KINDS
                and q.purged_at is None]
        return [ReportInquiry(q.item_ref, q.kind, q.purpose, None, q.created_at,
                              self._s.organisations.get(q.organisation_id, ""),
                              getattr(q, "link", None))
                for _, _, q in sorted(mine, key=lambda t: (t[0], t[1]), reverse=True)]

    def fraud_alerts(self, subject_id: int, now: datetime) -> list[ReportAlert]:
        return sorted((ReportAlert(a.kind, a.placed_at, a.expires_at)
                       for a in self._s.fraud_alerts
                       if a.subject_id == subject_id and a.expires_at > now),
                      key=lambda a: a.placed_at)

    def frozen(self, subject_id: int) -> bool:
        return any(f[0] == subject_id and f[2] is None for f in self._s.freezes)

    def notices(self, subject_id: int) -> list[ReportNotice]:
        mine = [(n["created_at"], i, n) for i, n in enumerate(self._s.notices)
                if n["subject_id"] == subject_id]
        return [ReportNotice(n["kind"], n["title"], n["body"], n["created_at"])
                for _, _, n in sorted(mine, key=lambda t: (t[0], t[1]), reverse=True)]

    def item_names(self, subject_id: int) -> list[ItemName]:
        out = [ItemName(a.item_ref, "revolving", a.account_ref,
                        self._s.organisations.get(a.furnisher_id, ""))
               for a in self._s.accounts.values() if a.subject_id == subject_id]
        out.extend(ItemName(x.item_ref, None, x.case_number, x.court_name)
                   for x in self._s.listing_details.values() if x.subject_id == subject_id)
        return out

    def observations(self, subject_id: int) -> list[ReportObservation]:
        return sorted((o for sid, o in self._s.report.observations if sid == subject_id),
                      key=lambda o: o.id)

    def last_read(self, subject_ref: str, actor: str, action: str,
                  before: datetime) -> datetime | None:
        return next((e.at for e in reversed(self._s.events)
                     if (e.subject_ref, e.actor, e.action) == (subject_ref, actor, action)
                     and e.at < before), None)

    def furnished_months(self, subject_id: int) -> list[FurnishedMonth]:
        return [m for sid, m in self._s.report.furnished if sid == subject_id]

    def score_at(self, subject_id: int, at: datetime) -> int | None:
        mine = [(r["computed_at"], i, r["value"]) for i, r in enumerate(self._s.scores)
                if r["subject_id"] == subject_id and r["computed_at"] <= at]
        return max(mine)[2] if mine else None


@dataclass
class RelinkState:
    """What a batch re-link reads (its parts, as ``adapters/relink_store.parts`` gives them;
    what must stay apart) and, applied, what it was asked to write (``moved``: (from, to,
    furnishers) per part moved, ``merged``: (from, to), ``lineage`` rows, ``keys``: each
    file's blocking keys as last replaced or added)."""

    parts: list[dict[str, Any]] = field(default_factory=list)
    barred: list[tuple[int, int, int]] = field(default_factory=list)
    apart: list[tuple[int, int]] = field(default_factory=list)
    moved: list[tuple[int, int, set[int] | None]] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    lineage: list[dict[str, Any]] = field(default_factory=list)
    keys: set[tuple[str, int]] = field(default_factory=set)


class FakeRelinking(_Repo):
    """Files are ``files`` (a merged one leaves it); a part moved counts its accounts."""

    def parts(self, vault: Any) -> Iterable[dict[str, Any]]:
        live = self.live(p["subject_id"] for p in self._s.relink.parts)
        return iter([dict(p) for p in self._s.relink.parts if p["subject_id"] in live])

    def cannot_links(self, vault: Any
                     ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
        return sorted(self._s.relink.barred), sorted(self._s.relink.apart)

    def refs(self, subject_ids: Iterable[int]) -> dict[int, str]:
        return {i: self._s.files[i].item_ref for i in subject_ids if i in self._s.files}

    def live(self, subject_ids: Iterable[int]) -> set[int]:
        return {i for i in subject_ids if i in self._s.files}

    def move_part(self, from_id: int, to_id: int, furnishers: Iterable[int] | None,
                  link: Any) -> int:
        fids = None if furnishers is None else set(furnishers)
        self._s.relink.moved.append((from_id, to_id, fids))
        moved = 0
        for p in self._s.relink.parts:
            if p["subject_id"] == from_id and (fids is None or p["furnisher_id"] in fids):
                p["subject_id"] = to_id
                moved += p.get("accounts", 0)
        return moved

    def merge_rest(self, from_id: int, to_id: int) -> None:
        self._s.relink.merged.append((from_id, to_id))
        del self._s.files[from_id]

    def lineage(self, rows: list[dict[str, Any]]) -> None:
        self._s.relink.lineage.extend(rows)

    def replace_keys(self, subject_ids: Iterable[int], keys: Iterable[tuple[str, int]]) -> None:
        ids = set(subject_ids)
        self._s.relink.keys = {k for k in self._s.relink.keys if k[1] not in ids} | set(keys)

    def add_keys(self, keys: Iterable[tuple[str, int]]) -> int:
        new = set(keys) - self._s.relink.keys
        self._s.relink.keys |= new
        return len(new)


class FakeDemoData(_Repo):
    def _holder(self, f: FileIdentity) -> FileHolder:
        return FileHolder(f.id, f.item_ref, f.name, f.date_of_birth, "person",
                          national_id_of(f.id_hmac))

    def first_person(self) -> FileHolder | None:
        return next((self._holder(self._s.files[i]) for i in sorted(self._s.files)), None)

    def enrolled_person(self) -> FileHolder | None:
        # enrolment order is the order logins were added
        return next((self._holder(self._s.files[i]) for i in self._s.logins.passwords), None)

    def holders(self, id_hmacs: set[str]) -> dict[str, FileHolder]:
        return {f.id_hmac: self._holder(f) for f in self._s.files.values()
                if f.id_hmac in id_hmacs}

    def account_item_ref(self, subject_id: int, account_ref: str) -> str:
        (found,) = [a.item_ref for a in self._s.accounts.values()
                    if (a.subject_id, a.account_ref) == (subject_id, account_ref)]
        return found

    def has_case(self, case_number: str) -> bool:
        return any(x.case_number == case_number for x in self._s.listing_details.values())


class FakeExports(_Repo):
    def reported(self, furnisher_id: int, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[ReportedValue]:
        wanted = set(kinds)
        return [r for f, r in self._s.exports.reported
                if f == furnisher_id and r.subject_id in subject_ids and r.kind in wanted]

    def national_ids(self, subject_ids: list[int]) -> dict[int, bytes | None]:
        return {i: national_id_of(self._s.files[i].id_hmac) for i in subject_ids
                if i in self._s.files}

    def account_ids(self, furnisher_id: int, after: int, limit: int) -> list[int]:
        return sorted({m.id for f, m, _ in self._s.exports.months
                       if f == furnisher_id and m.id > after})[:limit]

    def months(self, account_ids: list[int], all_months: bool) -> list[ExportedMonth]:
        return sorted((m for _, m, latest in self._s.exports.months
                       if m.id in account_ids and (all_months or latest)),
                      key=lambda m: (m.id, m.as_of))


class FakeCreditFiles(_Repo):
    def count(self) -> int:
        return len(self._s.exports.tables.get("subjects", []))

    def ids_after(self, after: int, limit: int) -> list[int]:
        return sorted(r["id"] for r in self._s.exports.tables.get("subjects", [])
                      if r["id"] > after)[:limit]

    def columns(self, name: str, lo: int, hi: int) -> list[tuple[Any, ...]]:
        from openbureau.services.export import parquet_schemas

        names = parquet_schemas()[name].names
        rows = [tuple(r[c] for c in names) for r in self._s.exports.tables.get(name, [])
                if lo < r["subject_id"] <= hi]
        return list(zip(*rows, strict=True))


class FakeUnitOfWork:
    def __init__(self, store: FakeStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.committed = 0
        self._work: FakeStore | None = None
        self._events: list[PendingEvent] = []

    def __enter__(self) -> FakeUnitOfWork:
        self._work = copy.deepcopy(self.store)
        self._events = []
        w = self._work
        self.files, self.accounts = FakeFiles(w), FakeAccounts(w)
        self.disputes, self.listings = FakeDisputes(w), FakeListings(w)
        self.notices, self.inquiries = FakeNotices(w), FakeInquiries(w)
        self.fraud_alerts, self.scores = FakeFraudAlerts(w), FakeScores(w)
        self.models = FakeModels(w)
        self.decisions, self.furnishing_files = FakeDecisions(w), FakeFurnishingFiles(w)
        self.audit_log, self.rescore_jobs = FakeAuditLog(w), FakeRescoreJobs(w)
        self.consents, self.organisations = FakeConsents(w), FakeOrganisations(w)
        self.offers, self.objections = FakeOffers(w), FakeObjections(w)
        self.protections = FakeProtections(w)
        self.subjects, self.registry = FakeSubjects(w), FakeRegistry(w)
        self.identity_holds, self.score_drift = FakeIdentityHolds(w), FakeScoreDrift(w)
        self.health = FakeHealth(w)
        self.credentials, self.report = FakeCredentials(w), FakeReportReads(w)
        self.demo = FakeDemoData(w)
        self.exports, self.credit_files = FakeExports(w), FakeCreditFiles(w)
        self.bulk_store, self.observations = FakeBulkStore(w), FakeObservations(w)
        self.resolution = FakeResolution(w)
        self.relink = FakeRelinking(w)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._work = None

    def audit(self, actor: str, action: str, subject_ref: str | None = None,
              purpose: str | None = None, **detail: Any) -> None:
        self._events.append(PendingEvent(self.clock.now(), actor, action, subject_ref,
                                         purpose, detail))

    def audit_many(self, events: list[PendingEvent]) -> None:
        self._events.extend(events)

    def commit(self) -> None:
        assert self._work is not None, "commit outside the unit"
        self._work.events.extend(self._events)
        self._events = []
        for f in dataclasses.fields(FakeStore):
            setattr(self.store, f.name, copy.deepcopy(getattr(self._work, f.name)))
        self.committed += 1

    def rollback(self) -> None:
        self._events = []
        self._work = copy.deepcopy(self.store)
        self.__enter__()


class RecordingRescorer:
    """A rescorer that remembers which files it was asked to rescore."""

    def __init__(self) -> None:
        self.calls: list[set[int]] = []

    def __call__(self, uow: Any, subject_ids: set[int], /) -> None:
        self.calls.append(set(subject_ids))


class FakeRateLimits(RateLimits):
    """``adapters.rate_limit.RateLimits`` with its table in a dict: bucket -> (window start or
    last failure, count), each event "committed" at once, as there."""

    def __init__(self, clock: Clock, vault: Any = None, metrics: Metrics | None = None) -> None:
        super().__init__(lambda: None,  # type: ignore[arg-type,return-value]
                         vault if vault is not None else FakeVault(), metrics or Metrics())
        self.clock = clock
        self.rows: dict[str, tuple[datetime, int]] = {}

    def _count(self, bucket: str, window: timedelta) -> tuple[datetime, datetime, int]:
        now = self.clock.now()
        start, count = self.rows.get(bucket, (now, 0))
        if count and start <= now - window:
            start, count = now, 0
        self.rows[bucket] = (start, count + 1)
        return now, start, count + 1

    def _ledger(self, bucket: str) -> tuple[datetime, tuple[datetime, int] | None]:
        return self.clock.now(), self.rows.get(bucket)

    def _fail(self, bucket: str, cap: float) -> int:
        now = self.clock.now()
        last, count = self.rows.get(bucket, (now, 0))
        if count and last <= now - timedelta(seconds=cap) - DAY:
            count = 0           # forgotten: this failure counts as the first
        self.rows[bucket] = (now, count + 1)
        return count + 1

    def _clear(self, bucket: str) -> None:
        self.rows.pop(bucket, None)


def fake_deps(clock: Clock, profile: Profile | str = "us-fcra", *,
              rescorer: Rescorer | None = None,
              store_correction: StoreCorrection | None = None,
              settings: Settings | None = None, vault: Any = None, dialect: str = "sqlite",
              model_specs: LruCache[str, dict[str, Any]] | None = None,
              verified_keys: LruCache[int, str] | None = None,
              rate_limits: RateLimits | None = None, metrics: Metrics | None = None) -> Deps:
    """The deps a use case is handed, over fakes; ``rate_limits`` by default a
    ``FakeRateLimits`` on ``clock``."""
    vault = vault if vault is not None else FakeVault()
    metrics = metrics or Metrics()
    return Deps(clock=clock, profile=get_profile(profile) if isinstance(profile, str) else profile,
                vault=vault, settings=settings or Settings(environment="test"), metrics=metrics,
                scorecards=ScorecardCache(), audit_key=ChainKey(b"a" * 32), dialect=dialect,
                rescorer=rescorer, store_correction=store_correction, model_specs=model_specs,
                verified_keys=verified_keys,
                rate_limits=rate_limits or FakeRateLimits(clock, vault, metrics))


class FakeBureau:
    """``bootstrap.Bureau`` for the entry points' tests (the web sessions) and the tests that
    drive several use cases as an entry point would: ``uow()`` a fresh ``FakeUnitOfWork`` on
    ``store``, ``deps`` as ``Bureau.deps`` builds them: no
    process cache of credentials (as on SQLite); by default a vault that also decrypts what the
    fakes "encrypt" (``vault=`` a real one where a test needs real ciphertext); ``dialect``
    picks the store."""

    def __init__(self, store: FakeStore, clock: Clock, *, profile: Profile | str = "us-fcra",
                 settings: Settings | None = None, vault: Any = None,
                 dialect: str = "sqlite") -> None:
        self.store, self.clock, self.dialect = store, clock, dialect
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self.settings = settings or Settings(environment="test")
        self.vault = vault if vault is not None else FakeIdentityVault()
        self.metrics = Metrics()
        self.credentials = None
        self.verified_keys: LruCache[int, str] = LruCache(100)
        self.rate_limits = FakeRateLimits(clock, self.vault, self.metrics)
        self.cache: dict[str, Any] = {}

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, self.clock)

    @property
    def deps(self) -> Deps:
        """What the converted use cases this one calls are handed, as the bureau holds it."""
        return fake_deps(self.clock, self.profile, settings=self.settings, vault=self.vault,
                         dialect=self.dialect, metrics=self.metrics,
                         verified_keys=self.verified_keys, rate_limits=self.rate_limits,
                         rescorer=getattr(self, "rescorer", None))

    @property
    def engine(self) -> Any:
        return SimpleNamespace(dialect=SimpleNamespace(name=self.dialect))


class FakeVault:
    def lookup_hash(self, national_id: str) -> str:
        return f"h:{national_id}"

    def audit_hash(self, field: str, value: object) -> str | None:
        return None if value is None else f"a:{field}:{value}"

    def keyed_hash(self, purpose: str, value: str) -> str:
        return hashlib.sha256(f"{purpose}\0{value}".encode()).hexdigest()

    # identity values kept encrypted (resolution, observations): a visible wrapping
    def encrypt(self, text: str) -> bytes:
        return b"enc:" + text.encode()

    def decrypt(self, blob: bytes) -> str:
        assert blob.startswith(b"enc:"), "not encrypted by this vault"
        return blob[4:].decode()


class FakeIdentityVault(FakeVault):
    """``FakeVault``, also decrypting what the fakes store unwrapped (``national_id_of``)."""

    def decrypt(self, blob: bytes) -> str:
        return blob[4:].decode() if blob.startswith(b"enc:") else blob.decode()
