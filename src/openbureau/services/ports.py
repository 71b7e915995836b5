"""What a use case is handed: a unit of work exposing one repository per aggregate, and the
dependencies (``Deps``) that ``bootstrap()`` builds once.

A use case is a function ``(uow, deps, principal, ...)``. It opens the unit (``with uow:``),
asks its repositories by name (``uow.disputes.overdue(now)``), records audit events, and
commits; the unit rolls back whatever was not committed. A use case composed into another
(``disputes.expire_overdue`` inside ``deadlines.run``) takes the unit already open and neither
opens nor commits it.

The SQLAlchemy implementation is ``adapters/unit_of_work.py`` with one repository module per
aggregate in ``adapters/``; ``tests/fakes.py`` implements the same ports with dicts, so a use
case can be tested without a database. Repositories return the frozen records of
``services/stored.py``, never database rows.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from openbureau.clock import Clock
from openbureau.domain.profiles import Profile
from openbureau.services.stored import (
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
    SignedInOrganisation,
    StoredKey,
    Subject,
    TheftReport,
)

if TYPE_CHECKING:
    from openbureau.adapters.audit import ChainKey, PendingEvent, VerifyResult
    from openbureau.adapters.credential_cache import Remembered
    from openbureau.adapters.metrics import Metrics
    from openbureau.config import Settings
    from openbureau.domain.errors import FieldError
    from openbureau.domain.roles import Principal
    from openbureau.scoring.attributes import CreditFile
    from openbureau.scoring.scored import Scored
    from openbureau.scoring.sources import Subjects
    from openbureau.scoring.spec import Scorecard


# -- repositories ------------------------------------------------------------------------------

class Files(Protocol):
    def identity(self, subject_id: int) -> FileIdentity | None: ...
    def item_ref(self, subject_id: int) -> str: ...
    def correct_identity(self, subject_id: int, changes: dict[str, Any]) -> None: ...
    def holds(self, subject_id: int, item_ref: str) -> bool:
        """Whether the item (an account not deleted, a public record, an inquiry, the
        identity) is on this file."""

    def add_statement(self, subject_id: int, item_ref: str | None, text: str,
                      now: datetime) -> None: ...
    def active_freeze(self, subject_id: int) -> tuple[int, datetime] | None:
        """The freeze in force: its id and when it was placed."""

    def place_freeze(self, subject_id: int, now: datetime) -> None: ...
    def lift_freeze(self, freeze_id: int, now: datetime) -> None: ...


class Accounts(Protocol):
    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        """The furnisher of an account shown on this file (not deleted, not suppressed)."""

    def key(self, item_ref: str) -> AccountKey: ...
    def delete(self, item_ref: str, now: datetime) -> None: ...

    def suppress(self, item_ref: str, reason: str, now: datetime) -> None:
        """Take the account off the file (unless it already is)."""

    def suppress_delinquent_before(self, cutoff: date, now: datetime) -> tuple[int, set[int]]:
        """Suppress for retention every shown account first delinquent before ``cutoff``;
        how many, and the files they were on."""

    def ids_by_ref(self, furnisher_id: int, refs: list[str]) -> dict[tuple[str, int], int]:
        """The furnisher's accounts with these account numbers: (number, file) -> id."""

    def renumber(self, new_refs: dict[int, str]) -> None:
        """Give accounts (by id) new account numbers."""

    def count_of(self, furnisher_id: int) -> int: ...
    def holdings(self, furnisher_id: int, after: int, limit: int) -> list[Holding]:
        """The furnisher's accounts with an id above ``after``, in id order, at most
        ``limit``."""


class Disputes(Protocol):
    def add(self, dispute: Dispute) -> None: ...
    def open_on(self, subject_id: int, item_ref: str) -> bool: ...
    def own(self, ref: str, subject_id: int) -> Dispute | None: ...
    def of_file(self, subject_id: int) -> list[Dispute]:
        """Newest first."""

    def to_answer(self, ref: str, item_kind: str, answerer_id: int | None) -> Dispute | None:
        """The dispute, if ``answerer_id`` answers it (None: identity data, the bureau's)."""

    def answered_by(self, item_kind: str, answerer_id: int | None,
                    status: str | None) -> list[DisputeOnFile]:
        """Earliest deadline first; accounts carry the furnisher's account reference."""

    def open_workload(self) -> list[OpenDispute]: ...
    def overdue(self, now: datetime) -> list[Dispute]: ...
    def add_statement(self, dispute_id: int, statement: str, due_at: datetime) -> None: ...
    def close(self, dispute_id: int, status: str, answered_at: datetime,
              note: str | None) -> None: ...


class Listings(Protocol):
    def answerer(self, subject_id: int, item_ref: str) -> int | None:
        """The court of an active listing on this file."""

    def by_ref(self, item_ref: str) -> Listing: ...
    def close(self, listing_id: int, status: str, reason: str, now: datetime) -> None:
        """End the listing and lift its restrictions still in force."""

    def expire_ended(self, today: date, now: datetime) -> int:
        """Listings whose term ended become expired (their restrictions lifted by
        ``lift_ended_restrictions``); how many."""

    def lift_ended_restrictions(self, today: date, now: datetime) -> None: ...
    def detail(self, listing_id: int) -> ListingDetail: ...
    def on_file(self, item_ref: str, subject_id: int) -> ListingDetail | None: ...
    def restrictions_in_force(self, listing_id: int) -> list[tuple[str, date | None]]:
        """(category, until) of the restrictions not lifted, by category."""

    def correct(self, listing_id: int, values: dict[str, Any]) -> None: ...
    def end_restrictions_by(self, listing_id: int, until: date) -> None:
        """No restriction in force outlasts ``until``."""

    def lift_restrictions(self, listing_id: int, categories: list[str], now: datetime) -> None:
        ...


class Objections(Protocol):
    def add(self, objection: Objection) -> int: ...
    def of_listing(self, listing_id: int) -> list[Objection]:
        """Newest first."""

    def of_court(self, court_id: int, status: str | None) -> list[ObjectionOnFile]:
        """Earliest deadline first."""

    def decide(self, objection_id: int, status: str, now: datetime, note: str) -> None: ...


class Consents(Protocol):
    def add(self, *, subject_id: int, organisation_id: int, purpose: str, reference: str,
            granted_at: datetime, expires_at: datetime, scope: str, source: str,
            evidence_kind: str, evidence_sha256: str, recorded_at: datetime) -> ConsentRecord: ...
    def on_file(self, subject_id: int) -> list[ConsentRecord]:
        """Newest recorded first."""

    def own(self, reference: str, subject_id: int) -> ConsentRecord | None: ...
    def revoke(self, consent_id: int, now: datetime) -> ConsentRecord: ...
    def by_ref(self, reference: str) -> ConsentRecord | None: ...
    def by_refs(self, references: list[str]) -> list[ConsentRecord]: ...
    def of_member(self, organisation_id: int, subject_id: int,
                  purpose: str) -> list[ConsentRecord]: ...


class Organisations(Protocol):
    def in_role(self, role: str) -> list[Organisation]:
        """Not revoked, by name."""

    def active(self, key: int | str, role: str) -> Organisation | None:
        """By id or by name, of this role, not revoked."""

    def furnishers_of(self, subject_id: int) -> list[Organisation]:
        """The furnishers (not revoked) reporting an account on this file, by name."""


class Notices(Protocol):
    def add(self, subject_id: int, kind: str, title: str, body: dict[str, Any],
            created_at: datetime) -> int: ...


class Inquiries(Protocol):
    def accesses(self, subject_id: int, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        """Every access of these kinds to the file not purged, newest first: ``item_ref``,
        ``kind``, ``who`` (the organisation's name), ``purpose``, ``category``,
        ``consent_ref``, ``when``."""

    def of_member(self, item_ref: str, member_id: int) -> MemberInquiry | None:
        """A report inquiry (not a restriction check) this member made."""

    def drop_shown_before(self, now: datetime, others_before: datetime,
                          employment_before: datetime) -> int:
        """Stop showing inquiries older than their display period; how many."""

    def add(self, *, subject_id: int, member_id: int, purpose: str, consent_ref: str | None,
            created_at: datetime, item_ref: str, result: dict[str, Any],
            link: dict[str, Any] | None = None) -> None:
        """A member's report inquiry, with what the member was given (``result``)."""


class Decisions(Protocol):
    def on(self, inquiry_id: int) -> bool:
        """Whether a decision on this inquiry is recorded."""

    def add(self, inquiry_id: int, member_id: int, decision: str, created_at: datetime) -> int: ...
    def attach_notice(self, decision_id: int, notice_id: int) -> None: ...


class FurnishingFiles(Protocol):
    def of_furnisher(self, ref: str, furnisher_id: int) -> FurnishingFile | None: ...
    def recent(self, furnisher_id: int, limit: int) -> list[FurnishingFile]:
        """Newest first."""

    # intake (``services/files.py``): received, ingested, resumed
    def add(self, *, ref: str, furnisher_id: int, filename: str, format: str, sha256: str,
            now: datetime) -> int:
        """A received file, ``queued``; its id."""

    def by_ref(self, ref: str, furnisher_id: int | None = None) -> IntakeFile | None:
        """With ``furnisher_id``: only that furnisher's; without it, with the furnisher's
        name."""

    def start(self, file_id: int) -> None:
        """The ingest begins: ``running``, one attempt more."""

    def finish(self, file_id: int, now: datetime, **outcome: Any) -> None:
        """The ingest is over: its status and whichever of the counts, messages
        (``errors``, ``warnings`` and their totals), ``quality`` and ``failure_reason``."""

    def pending(self) -> list[IntakeFile]:
        """Files left ``queued`` or ``running``, oldest first."""

    def statuses(self, file_ids: list[int]) -> dict[int, str]: ...


class FraudAlerts(Protocol):
    def drop_expired(self, now: datetime) -> None: ...
    def active_until(self, subject_id: int, kind: str, now: datetime) -> datetime | None:
        """When the file's alert of this kind in force expires (None: none in force)."""

    def add(self, subject_id: int, kind: str, placed_at: datetime,
            expires_at: datetime) -> None: ...


class Offers(Protocol):
    def add(self, member_id: int, title: str, description: str, min_score: int,
            category: str, now: datetime) -> Offer: ...
    def of_member(self, member_id: int) -> list[Offer]:
        """Not withdrawn, oldest first."""

    def reach(self, member_id: int, offer_id: int | None = None) -> dict[int, int]:
        """Per offer of the member (or just ``offer_id``), not withdrawn: how many opted-in
        consumers' current scores reach its ``min_score`` (offers nobody reaches absent)."""

    def qualifying(self, score: int) -> list[Offer]:
        """Offers not withdrawn that ``score`` reaches, with the member's name; highest
        ``min_score`` first."""

    def opted_in(self, subject_id: int) -> bool: ...
    def set_opt_in(self, subject_id: int, opt_in: bool) -> None: ...


class Scores(Protocol):
    def current(self, subject_id: int) -> dict[str, Any] | None:
        """The file's current score row (``adapters/scores``'s rule), as a mapping."""

    def history(self, subject_id: int, limit: int) -> list[dict[str, Any]]: ...
    def add(self, rows: Sequence[dict[str, Any]]) -> None: ...
    def compute(self, card: Scorecard, as_of: date, subjects: Subjects) -> list[Scored]:
        """Score files with ``card`` where they are stored (every engine gives one answer)."""

    def credit_file(self, subject_id: int, as_of: date) -> CreditFile:
        """The file as every engine scores it at ``as_of`` (the reference engine's reader);
        an empty file for a subject with nothing on it."""


class AuditLog(Protocol):
    def events(self, after: int, limit: int, subject_ref: str | None, *,
               before: int | None = None, oldest: bool = True, actor: str | None = None,
               action: str | None = None) -> list[dict[str, Any]]:
        """A page of events: with ``oldest``, those after ``after`` in chain order; otherwise
        newest first, those before ``before`` (all with None). Filters: the file
        (``subject_ref``), ``actor`` (contains), ``action`` (starts with)."""

    def verify(self) -> VerifyResult: ...
    def last(self) -> tuple[int, bool] | None:
        """The last event's number and whether it is keyed (None: an empty chain)."""

    def hashes(self, seqs: list[int]) -> dict[int, str]: ...


class RescoreJobs(Protocol):
    def running(self) -> list[RescoreJob]:
        """Oldest first."""

    def get(self, job_id: int) -> RescoreJob | None: ...
    def recent(self, limit: int) -> list[RescoreJob]:
        """Newest first."""

    def add(self, engine: str, model_version: str, total: int, started_at: datetime) -> int: ...
    def supersede(self, job_id: int, now: datetime) -> None: ...
    def set_engine(self, job_id: int, engine: str) -> None: ...
    def advance(self, job_id: int, upto: int, count: int) -> None:
        """Move the checkpoint to file ``upto``, ``count`` more files done."""

    def finish(self, job_id: int, now: datetime) -> int:
        """Mark a running job done; how many files it did."""

    def files(self) -> int:
        """How many files the bureau holds."""

    def file_ids_after(self, after: int, limit: int) -> list[int]: ...


class Models(Protocol):
    def active_version(self) -> str | None: ...
    def spec(self, version: str) -> dict[str, Any] | None: ...
    def versions(self) -> set[str]: ...
    def has(self, version: str) -> bool: ...
    def add(self, version: str, spec: dict[str, Any], now: datetime) -> None:
        """Register a version, not active."""

    def activate(self, version: str, now: datetime, by: str) -> None:
        """Make ``version`` the one active model."""

    def active_spec(self) -> dict[str, Any] | None: ...
    def all(self) -> list[ModelVersion]:
        """Oldest registered first."""


class Protections(Protocol):
    """Cannot-links, identity-theft blocks and what furnishers are told of them
    (``services/protections.py``); accounts named by the keyed hash of their number."""

    def any_for(self, furnisher_id: int) -> tuple[bool, bool]: ...
    def cannot_links(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]: ...
    def add_cannot_link(self, subject_id: int, furnisher_id: int, account_ref_hmac: str,
                        reason: str, source: str, now: datetime) -> None: ...
    def blocked(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]: ...
    def account(self, subject_id: int, item_ref: str) -> AccountOnFile | None: ...
    def unlink(self, account_id: int) -> int: ...
    def add_report(self, ref: str, subject_id: int, statement: str | None, filed_at: datetime,
                   due_at: datetime) -> int: ...
    def mark_blocked(self, report_id: int, now: datetime) -> None: ...
    def add_block(self, report_id: int, subject_id: int, item_ref: str, furnisher_id: int,
                  account_ref_hmac: str, now: datetime) -> None: ...
    def reports_of(self, subject_id: int) -> list[TheftReport]: ...
    def blocks_of(self, subject_id: int) -> list[Block]: ...
    def tell_furnisher(self, furnisher_id: int, kind: str, account_ref: str, item_ref: str,
                       source: str, reason: str, now: datetime) -> None: ...
    def furnisher_notices(self, furnisher_id: int, after: int,
                          limit: int) -> list[FurnisherNotice]: ...
    def frozen_among(self, subject_ids: Iterable[int]) -> bool: ...
    def alerts_among(self, subject_ids: Iterable[int], now: datetime) -> list[dict[str, Any]]: ...
    def frozen_and_alerts_among(self, subject_ids: Iterable[int], now: datetime
                                ) -> tuple[bool, list[dict[str, Any]]]: ...
    def observation(self, subject_id: int, item_ref: str) -> tuple[str, str] | None: ...
    def remove_observation(self, subject_id: int, kind: str, value_hmac: str) -> int: ...


class SubjectFiles(Protocol):
    """Credit files by identity (``services/subjects.py``); a look-up by the matching model is
    ``services.resolution``'s."""

    def by_hmac(self, id_hmac: str) -> Subject | None:
        """The file holding this national id (by its keyed hash)."""

    def by_id(self, subject_id: int) -> Subject | None: ...
    def id_by_hmac(self, id_hmac: str) -> int | None: ...
    def id_by_ref(self, item_ref: str) -> int | None:
        """The file a public ref answers for: its own, or the file it was merged into."""

    def open(self, *, id_hmac: str, id_ciphertext: bytes, id_suffix: str, name: str,
             date_of_birth: date | None, kind: str, created_at: datetime,
             item_ref: str) -> int:
        """A new file; its id."""


class Registry(Protocol):
    """The court defaulter registry (``services/registry.py``); closing a listing is
    ``Listings.close``."""

    def listed(self, court_id: int, case_number: str, subject_id: int) -> bool:
        """Whether the court already listed this case against this file."""

    def add(self, *, subject_id: int, court_id: int, case_number: str, amount: int,
            currency: str, judgment_date: date, ground: str, legal_basis: str | None,
            status: str, listed_at: datetime, until: date | None, item_ref: str,
            orders: list[tuple[str, date | None]], link: dict[str, Any] | None = None
            ) -> int:
        """A judgment listed, with its restrictions (category, until) ordered on the day it
        is listed; its id."""

    def of_court_ref(self, court_id: int, item_ref: str) -> PublicRecord | None: ...
    def ids_of_court(self, court_id: int, status: str | None) -> list[int]:
        """The court's listings (of this status), newest listed first."""

    def judgment(self, record_id: int) -> ListedJudgment: ...
    def orders(self, subject_id: int, category: str) -> list[OrderOnFile]:
        """Restrictions of this category not lifted, of the file's active listings; by the
        day ordered, then case number."""

    def add_check(self, *, subject_id: int, member_id: int, purpose: str, category: str,
                  created_at: datetime, item_ref: str, result: dict[str, Any],
                  link: dict[str, Any] | None = None) -> None:
        """A restriction check, recorded as an access the consumer sees."""

    def search(self, today: date, name: str, whole_word: bool, id_suffix: str | None,
               court: str | None, limit: int) -> list[PublicListing]:
        """Active listings in force ``today`` whose debtor's name contains ``name`` (or, with
        ``whole_word``, has it as a word), case-insensitively; of an identifier ending in
        ``id_suffix`` and of the court so named, when given; newest listed first."""


class IdentityHolds(Protocol):
    """The review queue of records identity resolution held (``services/identity_holds.py``)."""

    def of_status(self, status: str, limit: int) -> list[HoldLine]:
        """Oldest first."""

    def pending_candidates(self, reason: str) -> list[list[dict[str, Any]]]:
        """The candidate files of each hold still held for this reason."""

    def by_ref(self, item_ref: str) -> Hold | None: ...
    def move(self, item_ref: str, from_status: str, to_status: str) -> bool:
        """Compare-and-set the hold's status; whether it moved."""

    def decide(self, item_ref: str, status: str, now: datetime, by: str,
               subject_id: int | None) -> None: ...


class ScoreDrift(Protocol):
    """What drift is computed from (``services/model_reports.py``): counts the database makes
    of each file's current score of a model version, never the scores one by one."""

    def latest_at(self, version: str) -> datetime | None:
        """When the newest score of this version was computed."""

    def score_counts(self, version: str, until: datetime | None = None) -> dict[int, int]:
        """How many files have each current score (as it stood ``until``)."""

    def bucket_counts(self, card: Scorecard, attribute: str) -> dict[int, int]:
        """How many files' current scores fall in each bin of the attribute (-1: none)."""


class Health(Protocol):
    def ping(self) -> None:
        """Raise unless the database answers."""


# -- furnishing: the store, identity observations, resolution ------------------------------

#: a month the furnishing store changed: (staging seq, account id, file id, account number,
#: month, delete code)
ChangedMonth = tuple[int, int, int, str, date, "str | None"]


class BulkStore(Protocol):
    """The set-based store of a chunk's staging lines (``services/bulk_store.py`` decides,
    ``adapters/furnish_store.py`` stores; both databases)."""

    def store(self, furnisher_id: int, file_id: int | None, now: datetime, lines: list[bytes],
              subjects: Iterable[tuple[str, int, str | None]],
              phases: MutableMapping[str, float]) -> list[ChangedMonth]:
        """Store the lines (COPY text, ``metro2_columns.STAGE_COLUMNS``) on the files of
        ``subjects`` (subject key, file id, how it came there as JSON or None); the months that
        changed, in staging order. Adds the seconds of its steps to ``phases``."""


class Observations(Protocol):
    """Identity observations and blocking keys (``services/identity_store.py``)."""

    def kept(self, furnisher_id: int,
             subject_ids: list[int]) -> dict[tuple[int, str, str], KeptObservation]:
        """This furnisher's observations of these files, by (file, kind, value hash)."""

    def keep(self, furnisher_id: int, file_id: int | None, now: datetime,
             keys: set[tuple[str, int]], new: list[dict[str, Any]],
             moved: list[dict[str, Any]]) -> None:
        """Insert the keys (key hash, file) and the ``new`` observations, widen the dates of
        the ``moved`` ones (``b_id``, ``b_first``, ``b_last``)."""


class Resolution(Protocol):
    """What identity resolution reads and writes (``services/resolution.py``)."""

    def holders(self, keys: list[str], id_hmac: str | None = None) -> dict[str, set[int]]:
        """The files holding each blocking key; with ``id_hmac``, the file whose public
        national id it is (a merged file: its survivor) holds that key too."""

    def holders_and_owner(self, keys: list[str], id_hmac: str | None
                          ) -> tuple[dict[str, set[int]], Subject | None]:
        """``holders``, and the file whose public national id ``id_hmac`` is (a merged file:
        its survivor), read in the same statement."""

    def opened_with(self, subject_ids: list[int]
                    ) -> list[tuple[int, str | None, date | None, bytes | None]]:
        """(file, name, birth date, encrypted national id) each file was opened with."""

    def observed(self, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[tuple[int, str, bytes]]:
        """(file, kind, encrypted JSON value) of the files' observations of these kinds."""

    def account_files(self, furnisher_id: int, refs: list[str]) -> dict[str, set[int]]:
        """The files each of the furnisher's account numbers (not deleted) is on."""

    def taken_ids(self, id_hmacs: list[str]) -> set[str]:
        """Those national id hashes some file has as its own."""

    def add_files(self, rows: list[dict[str, Any]], now: datetime) -> dict[str, int]:
        """New files of persons (``rows``: id_hmac, id_ciphertext, id_suffix, name,
        date_of_birth, item_ref): item_ref -> id."""

    def refs(self, subject_ids: list[int]) -> dict[int, str]: ...
    def add_hold(self, *, item_ref: str, furnisher_id: int, file_id: int | None,
                 line: int | None, account_ref_hmac: str, reason: str, weight: float | None,
                 candidates: list[dict[str, Any]], record_ciphertext: bytes,
                 created_at: datetime) -> None:
        """Keep a record resolution would not place."""


class Credentials(Protocol):
    """Organisations' API keys and web sessions; consumers' enrolment codes, logins and
    sessions (``services/access.py``, ``web/sessions.py``). Secrets are stored hashed:
    the caller hands in and compares hashes."""

    def changed(self) -> None:
        """Every server process forgets the credentials it remembers once the unit commits
        (``adapters/credential_cache.py``)."""

    def organisation(self, name: str) -> OrganisationRecord | None: ...
    def organisations(self) -> list[OrganisationRecord]:
        """In id order."""

    def add_organisation(self, name: str, role: str, now: datetime) -> int: ...
    def revoke_organisation(self, org_id: int, now: datetime) -> None: ...
    def add_key(self, org_id: int, prefix: str, key_hash: str, now: datetime) -> None: ...
    def revoke_keys(self, org_id: int, now: datetime) -> None:
        """The organisation's keys not yet revoked."""

    def key(self, prefix: str) -> StoredKey | None: ...
    def start_web_session(self, session_hash: str, org_id: int, now: datetime,
                          expires_at: datetime) -> None:
        """Record a web session (and forget the organisation's ended or expired ones)."""

    def web_session(self, session_hash: str, now: datetime) -> SignedInOrganisation | None:
        """The organisation of a web session not ended, not expired, not revoked."""

    def end_web_session(self, session_hash: str, now: datetime) -> None: ...
    def end_web_sessions(self, org_id: int, now: datetime) -> None:
        """Every web session of the organisation still open."""

    def holder(self, id_hmac: str) -> FileHolder | None:
        """The file of a national id (by its look-up hash)."""

    def add_enrolment_code(self, subject_id: int, code_hash: str, now: datetime,
                           expires_at: datetime) -> None: ...
    def enrolment_code(self, subject_id: int, code_hash: str, now: datetime) -> int | None:
        """The id of this file's code, if unused and unexpired."""

    def use_enrolment_code(self, code_id: int, now: datetime) -> None: ...
    def enrolled(self, subject_id: int) -> bool: ...
    def add_login(self, subject_id: int, password_hash: str, now: datetime) -> None: ...
    def set_password(self, subject_id: int, password_hash: str) -> None:
        """And clear failed attempts and any lock."""

    def login(self, id_hmac: str) -> ConsumerLogin | None: ...
    def add_session(self, token_hash: str, subject_id: int, now: datetime,
                    expires_at: datetime) -> None: ...
    def session(self, token_hash: str) -> ConsumerSession | None: ...
    def end_session(self, token_hash: str) -> None: ...
    def end_sessions(self, subject_id: int) -> None:
        """Every session of the file."""


class ReportReads(Protocol):
    """What a credit report reads of a file (``services/reports.py``); each list in the
    order the report shows it."""

    def disputes(self, subject_id: int) -> list[Dispute]:
        """Newest opened first."""

    def statements(self, subject_id: int) -> list[ReportStatement]:
        """Oldest first."""

    def accounts(self, subject_id: int, own: bool) -> list[ReportAccount]:
        """Not deleted, not suppressed (``own``: but those a restriction hides from others),
        newest opened first."""

    def months(self, account_ids: list[int]) -> list[ReportMonth]:
        """Oldest first."""

    def public_records(self, subject_id: int) -> list[ReportRecord]:
        """Active ones, newest judgment first."""

    def restrictions(self, record_ids: list[int]) -> list[ReportRestriction]:
        """Not lifted, by category."""

    def inquiries(self, subject_id: int) -> list[ReportInquiry]:
        """Of ``INQUIRY_KINDS``, not purged, newest first."""

    def fraud_alerts(self, subject_id: int, now: datetime) -> list[ReportAlert]:
        """In force, oldest placed first."""

    def frozen(self, subject_id: int) -> bool: ...
    def notices(self, subject_id: int) -> list[ReportNotice]:
        """Newest first."""

    def item_names(self, subject_id: int) -> list[ItemName]:
        """Every account (deleted and suppressed ones too) and public record of the file."""

    def observations(self, subject_id: int) -> list[ReportObservation]:
        """In the order they were first stored."""

    # what changed since the person's last report (``services/report_changes.py``)
    def last_read(self, subject_ref: str, actor: str, action: str,
                  before: datetime) -> datetime | None:
        """When ``actor`` last did ``action`` (a report read) on this file before ``before``
        (the audit log)."""

    def furnished_months(self, subject_id: int) -> list[FurnishedMonth]:
        """Every month of the file's accounts, with when it was furnished; in no order."""

    def score_at(self, subject_id: int, at: datetime) -> int | None:
        """The newest score of the file computed at or before ``at``."""


class Relinking(Protocol):
    """What a batch re-link reads and, applied, writes (``services/relink.py``;
    ``adapters/relink_store.py`` says what a part is)."""

    def parts(self, vault: Vault) -> Iterator[dict[str, Any]]:
        """Every part of every person's file not merged into another, in (file, furnisher)
        order: ``subject_id``, ``furnisher_id``, ``accounts`` and per kind the newest
        observation's ciphertext (``<kind>_ct``)."""

    def cannot_links(self, vault: Vault
                     ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
        """What must stay apart: (file, furnisher, file barred), and pairs of files."""

    def refs(self, subject_ids: Iterable[int]) -> dict[int, str]: ...
    def live(self, subject_ids: Iterable[int]) -> set[int]:
        """Which of the files exist and are not merged into another."""

    def move_part(self, from_id: int, to_id: int, furnishers: Iterable[int] | None,
                  link: Mapping[str, Any]) -> int:
        """Move ``furnishers``' parts (None: all) to another file; the accounts moved."""

    def merge_rest(self, from_id: int, to_id: int) -> None:
        """Everything else of a merged file follows it to the survivor."""

    def lineage(self, rows: list[dict[str, Any]]) -> None: ...
    def replace_keys(self, subject_ids: Iterable[int], keys: Iterable[tuple[str, int]]) -> None:
        """The files' blocking keys, rebuilt."""

    def add_keys(self, keys: Iterable[tuple[str, int]]) -> int:
        """Add the blocking keys (key, file) not kept yet; how many."""


class DemoData(Protocol):
    """What seeding and staging the demo look up (``services/demo*.py``)."""

    def first_person(self) -> FileHolder | None: ...
    def enrolled_person(self) -> FileHolder | None:
        """The person enrolled first."""

    def holders(self, id_hmacs: set[str]) -> dict[str, FileHolder]:
        """The files of these look-up hashes, by hash."""

    def account_item_ref(self, subject_id: int, account_ref: str) -> str: ...
    def has_case(self, case_number: str) -> bool:
        """Whether a public record of this case number is stored."""


class Exports(Protocol):
    """What a furnisher's export reads (``services/export.py``)."""

    def reported(self, furnisher_id: int, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[ReportedValue]:
        """The identity elements of these kinds the furnisher reported for these files, the
        newest (last seen) last."""

    def national_ids(self, subject_ids: list[int]) -> dict[int, bytes | None]:
        """The files' national ids, encrypted."""

    def account_ids(self, furnisher_id: int, after: int, limit: int) -> list[int]:
        """The furnisher's accounts with an id above ``after``, in id order, at most
        ``limit``."""

    def months(self, account_ids: list[int], all_months: bool) -> list[ExportedMonth]:
        """Each account's newest month (or every month), by account, oldest month first."""


class CreditFiles(Protocol):
    """The credit files as scoring reads them (``scoring.sources.SOURCE_COLUMNS``), by ranges of
    subject ids."""

    def count(self) -> int: ...
    def ids_after(self, after: int, limit: int) -> list[int]: ...
    def columns(self, name: str, lo: int, hi: int) -> list[tuple[Any, ...]]:
        """Table ``name``'s values for the files above ``lo`` up to ``hi``, column by column
        in ``SOURCES`` order (account months with their account's ``subject_id`` last);
        empty when there are no rows."""


class UnitOfWork(Protocol):
    """One transaction; the repositories are there once the unit is entered."""

    @property
    def clock(self) -> Clock: ...
    @property
    def files(self) -> Files: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def disputes(self) -> Disputes: ...
    @property
    def listings(self) -> Listings: ...
    @property
    def notices(self) -> Notices: ...
    @property
    def inquiries(self) -> Inquiries: ...
    @property
    def fraud_alerts(self) -> FraudAlerts: ...
    @property
    def decisions(self) -> Decisions: ...
    @property
    def audit_log(self) -> AuditLog: ...
    @property
    def rescore_jobs(self) -> RescoreJobs: ...
    @property
    def consents(self) -> Consents: ...
    @property
    def offers(self) -> Offers: ...
    @property
    def objections(self) -> Objections: ...
    @property
    def organisations(self) -> Organisations: ...
    @property
    def furnishing_files(self) -> FurnishingFiles: ...
    @property
    def scores(self) -> Scores: ...
    @property
    def models(self) -> Models: ...
    @property
    def protections(self) -> Protections: ...
    @property
    def subjects(self) -> SubjectFiles: ...
    @property
    def registry(self) -> Registry: ...
    @property
    def identity_holds(self) -> IdentityHolds: ...
    @property
    def score_drift(self) -> ScoreDrift: ...
    @property
    def health(self) -> Health: ...
    @property
    def bulk_store(self) -> BulkStore: ...
    @property
    def observations(self) -> Observations: ...
    @property
    def resolution(self) -> Resolution: ...
    @property
    def credentials(self) -> Credentials: ...
    @property
    def report(self) -> ReportReads: ...
    @property
    def demo(self) -> DemoData: ...
    @property
    def exports(self) -> Exports: ...
    @property
    def credit_files(self) -> CreditFiles: ...
    @property
    def relink(self) -> Relinking: ...

    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def audit(self, actor: str, action: str, subject_ref: str | None = None,
              purpose: str | None = None, **detail: Any) -> None: ...
    def audit_many(self, events: list[PendingEvent]) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


# -- dependencies ------------------------------------------------------------------------------

_K = TypeVar("_K", contravariant=True)
_V = TypeVar("_V")

class Scorecards(Protocol):
    """Parsed scorecards by version (``adapters.model_registry.ScorecardCache``)."""

    def get(self, version: str, load: Callable[[], Scorecard]) -> Scorecard: ...


class Vault(Protocol):
    def lookup_hash(self, national_id: str) -> str: ...
    def audit_hash(self, field: str, value: object) -> str | None: ...
    def keyed_hash(self, purpose: str, value: str) -> str: ...
    def encrypt(self, text: str, /) -> bytes: ...
    def decrypt(self, blob: bytes) -> str: ...


class Memory(Protocol[_K, _V]):
    """A process's bounded memory of what it already worked out (``adapters.lru.LruCache``)."""

    def get(self, key: _K) -> _V | None: ...
    def put(self, key: _K, value: _V) -> None: ...
    def clear(self) -> None: ...


class CredentialMemory(Protocol):
    """Verified credentials shared by a server's processes on PostgreSQL, forgotten by all of
    them when one says the credentials changed (``adapters.credential_cache.CredentialCache``)."""

    @property
    def generation(self) -> int: ...
    def get(self, key: Hashable) -> Remembered | None: ...
    def put(self, key: Hashable, value: Remembered, generation: int) -> None: ...
    def forget_all(self) -> None: ...


class Rescorer(Protocol):
    """Rescore these files in the caller's unit of work (after a change to them)."""

    def __call__(self, uow: UnitOfWork, subject_ids: set[int], /) -> None: ...


class SnapshotScoring(Protocol):
    """The engines that score an export folder off the database (DuckDB, Spark:
    ``adapters.scoring_engines.SnapshotScoring``)."""

    def score_folder(self, engine: str, card: Scorecard, as_of: date, source: Path, out: Path,
                     subjects: Subjects, *, master: str = ...) -> Any:
        """Score ``source`` with ``engine``, the scores written to Parquet in ``out``; those
        scores as one Arrow table in subject-id order."""


class RateLimits(Protocol):
    """Limits shared by every worker (``adapters.rate_limit.RateLimits``): each event counted
    in a transaction of its own, so a refused or failed attempt still counts."""

    def bucket_for(self, kind: str, client: str) -> str:
        """The bucket of ``kind`` for one client (an address), keyed so no address is stored
        in clear."""

    def take(self, bucket: str, allowed: int, *, window: timedelta = ...,
             what: str = ...) -> None:
        """Count one event; ``RateLimited`` once more than ``allowed`` fell in the window."""

    def locked_for(self, bucket: str, allowed: int, base: float, cap: float) -> int:
        """Seconds until a lock-out ledger may try again (0: not locked)."""

    def record_failure(self, bucket: str, cap: float) -> int:
        """Count one failure in a lock-out ledger; the failures it now holds."""

    def clear(self, bucket: str) -> None: ...


class StoreCorrection(Protocol):
    """Store a furnisher's corrected account record inside the caller's unit of work, which
    it neither enters nor commits (``services/corrections.py``); the record's field errors
    (none: stored)."""

    def __call__(self, uow: UnitOfWork, deps: Deps, furnisher: Principal, raw: dict[str, Any],
                 /) -> list[FieldError]: ...


@dataclass(frozen=True)
class Deps:
    """What use cases need besides the unit of work, built once by ``bootstrap()``."""

    clock: Clock
    profile: Profile
    vault: Vault
    settings: Settings
    metrics: Metrics
    scorecards: Scorecards
    audit_key: ChainKey
    #: the operational database's dialect: "sqlite" or "postgresql"
    dialect: str = "sqlite"
    rescorer: Rescorer | None = None
    store_correction: StoreCorrection | None = None
    #: export every credit file to Parquet in this folder; the export's manifest
    export_files: Callable[[Path], dict[str, Any]] | None = None
    #: score such an export with DuckDB or Spark (batch rescoring's snapshot engines)
    snapshot_scoring: SnapshotScoring | None = None
    #: API keys this process verified with argon2, key id -> SHA-256 of the whole key
    #: (``services/access.py``); None: remember none
    verified_keys: Memory[int, str] | None = None
    #: registered models' specs by version (a spec never changes once registered; which
    #: version is active is asked of the database); None: remember none
    model_specs: Memory[str, dict[str, Any]] | None = None
    #: credentials remembered across a server's processes (PostgreSQL); None: not running
    credentials: CredentialMemory | None = None
    #: rate limits and sign-in lock-outs shared by every worker (``services/access.py``);
    #: None: not wired, and the use cases that limit refuse to run
    rate_limits: RateLimits | None = None


def rate_limits(deps: Deps) -> RateLimits:
    """The rate limits a use case counts in; an error if none were wired."""
    if deps.rate_limits is None:
        raise RuntimeError("no rate limits wired: deps.rate_limits is None")
    return deps.rate_limits


def rescore(deps: Deps, uow: UnitOfWork, subject_ids: Iterable[int]) -> None:
    """Rescore the files a change touched, when the bureau rescores online."""
    ids = set(subject_ids)
    if ids and deps.rescorer is not None:
        deps.rescorer(uow, ids)
