"""Income furnished under a consent: the one rule both stores apply to every furnished record.

A record may carry ``monthly_income`` only with a ``consent_ref`` (``parse_account_record``);
once the chunk's subjects are resolved, that ref must name a consent recorded here that this
furnisher obtained (``POST /v1/furnisher/consents``), for the file the record is attached to,
covering ``income``, in force now (``domain.consents.income_refusal``). Organisations have one
role each, so a member's consent is never a furnisher's: a lender that pulls files and reports
accounts is two organisations, and records the income consent as the furnisher.

When the consent fails, the record is kept without its income (and without the ref that did
not allow it) and the furnisher is told on that line (``domain.consents.income_not_stored``,
the reason first). The store (``bulk_store.store``, both databases) calls ``check`` once per
chunk -- one query for the chunk's distinct refs -- and
``events`` for the audit: per chunk, not per record, one ``consent.used`` (the consents under
which income was stored or changed, and how many records) and one ``consent.refused`` (how many
records, by reason, and the refs that named someone else's or a lapsed consent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from openbureau.adapters.audit import PendingEvent
from openbureau.domain import consents as rules
from openbureau.domain.records import AccountRecord
from openbureau.domain.roles import Principal
from openbureau.services import consents
from openbureau.services.ports import UnitOfWork

K = TypeVar("K")


def check(uow: UnitOfWork, furnisher_id: int,
          wanted: Mapping[K, tuple[str, int]]) -> dict[K, str]:
    """For records carrying income, by any key: (consent_ref, subject id) -> the reason the
    income may not be stored, for those it may not (the others are absent)."""
    if not wanted:
        return {}
    now = uow.clock.now()
    found = consents.load(uow, (ref for ref, _ in wanted.values()))
    out: dict[K, str] = {}
    for key, (ref, subject_id) in wanted.items():
        reason = rules.income_refusal(found.get(ref), now, subject_id=subject_id,
                                      furnisher_id=furnisher_id)
        if reason is not None:
            out[key] = reason
    return out


def without_income(rec: AccountRecord) -> AccountRecord:
    return replace(rec, monthly_income=None, consent_ref=None)


def events(now: datetime, furnisher: Principal, file_id: int | None, used: Iterable[str],
           refused: Iterable[tuple[str, str]]) -> list[PendingEvent]:
    """The chunk's consent events: ``used``, the consent_ref of each month stored (or changed)
    with income; ``refused``, (consent_ref, reason) of each record whose income was dropped. A
    ref that names no consent is not logged (it is whatever the furnisher typed)."""
    out = []
    used = list(used)
    if used:
        out.append(PendingEvent(now, furnisher.actor, "consent.used", None, "furnishing", {
            "scope": rules.Scope.INCOME.value, "file_id": file_id, "records": len(used),
            "consent_refs": sorted(set(used))}))
    refused = list(refused)
    if refused:
        out.append(PendingEvent(now, furnisher.actor, "consent.refused", None, "furnishing", {
            "scope": rules.Scope.INCOME.value, "file_id": file_id, "records": len(refused),
            "reasons": dict(sorted(Counter(reason for _, reason in refused).items())),
            "consent_refs": sorted({ref for ref, reason in refused
                                    if reason != rules.NO_SUCH_CONSENT})}))
    return out
