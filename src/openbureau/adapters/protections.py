"""Identity protections: cannot-links, identity-theft reports and their blocks, what furnishers
are told of them, and the freezes and fraud alerts of a look-up's near files -- the statements
of ``services/protections.py`` and of identity resolution."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)

from openbureau.adapters.consents import among, among_param
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import (
    account_months,
    accounts,
    fraud_alerts,
    freezes,
    furnisher_identity_notices,
    identity_blocks,
    identity_cannot_link,
    identity_observations,
    identity_theft_reports,
    organisations,
)
from openbureau.services.stored import AccountOnFile, Block, FurnisherNotice, TheftReport


@functools.cache
def _frozen_and_alerts(dialect: str) -> Any:
    """Built once per dialect: one row per fraud alert in force on any of ``:ids`` (one row of
    NULLs when there is none), each saying whether any of them is frozen."""
    f = fraud_alerts.c
    frozen = exists().where(among_param(dialect, freezes.c.subject_id, "ids"),
                            freezes.c.lifted_at.is_(None))
    one = select(literal(1).label("one")).subquery("one")
    return (select(frozen.label("frozen"), f.kind, f.placed_at, f.expires_at)
            .select_from(one.outerjoin(fraud_alerts, and_(
                among_param(dialect, f.subject_id, "ids"), f.expires_at > bindparam("now"))))
            .order_by(f.placed_at, f.id))


class SqlProtections(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    # -- cannot-links and blocks, by (furnisher, keyed hash of the account number) ------------

    def _files_by_account(self, table: Table, furnisher_id: int,
                          hashes: list[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        if hashes:
            for r in self._run(select(table.c.account_ref_hmac, table.c.subject_id).where(
                    table.c.furnisher_id == furnisher_id,
                    among(self._dialect, table.c.account_ref_hmac, sorted(set(hashes))))):
                out.setdefault(r.account_ref_hmac, set()).add(int(r.subject_id))
        return out

    def any_for(self, furnisher_id: int) -> tuple[bool, bool]:
        """Whether the furnisher has any cannot-link, and any block, at all (one statement; a
        chunk of its records skips hashing its account numbers when it has neither)."""
        def some(table: Table) -> Any:
            return exists().where(table.c.furnisher_id == furnisher_id)
        r = self._run(select(some(identity_cannot_link), some(identity_blocks))).one()
        return bool(r[0]), bool(r[1])

    def cannot_links(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]:
        """The files each of the furnisher's account numbers (by keyed hash) may not join."""
        return self._files_by_account(identity_cannot_link, furnisher_id, hashes)

    def add_cannot_link(self, subject_id: int, furnisher_id: int, account_ref_hmac: str,
                        reason: str, source: str, now: datetime) -> None:
        self._run(insert(identity_cannot_link).values(
            subject_id=subject_id, furnisher_id=furnisher_id, account_ref_hmac=account_ref_hmac,
            reason=reason[:200], source=source[:40], created_at=now))

    def blocked(self, furnisher_id: int, hashes: list[str]) -> dict[str, set[int]]:
        """The files on which each of the furnisher's account numbers is blocked."""
        return self._files_by_account(identity_blocks, furnisher_id, hashes)

    # -- accounts ------------------------------------------------------------------------------

    def account(self, subject_id: int, item_ref: str) -> AccountOnFile | None:
        """An account on this file (shown or not), with how it came there."""
        a = accounts.c
        r = self._run(select(a.id, a.item_ref, a.furnisher_id, a.account_ref, a.kind, a.link,
                             a.suppressed_reason, organisations.c.name)
                      .join(organisations, organisations.c.id == a.furnisher_id)
                      .where(a.subject_id == subject_id, a.item_ref == item_ref)).first()
        if r is None:
            return None
        return AccountOnFile(id=int(r.id), item_ref=r.item_ref, furnisher_id=int(r.furnisher_id),
                             furnisher=r.name, account_ref=r.account_ref, kind=r.kind,
                             link=r.link, suppressed_reason=r.suppressed_reason)

    def unlink(self, account_id: int) -> int:
        """Take the account and its months off its file; how many months it had."""
        months = self._run(delete(account_months)
                           .where(account_months.c.account_id == account_id)).rowcount
        self._run(delete(accounts).where(accounts.c.id == account_id))
        return int(months or 0)

    # -- identity-theft reports and blocks -----------------------------------------------------

    def add_report(self, ref: str, subject_id: int, statement: str | None, filed_at: datetime,
                   due_at: datetime) -> int:
        return int(self._run(insert(identity_theft_reports).values(
            ref=ref, subject_id=subject_id, statement=statement, filed_at=filed_at,
            due_at=due_at).returning(identity_theft_reports.c.id)).scalar_one())

    def mark_blocked(self, report_id: int, now: datetime) -> None:
        self._run(update(identity_theft_reports).where(identity_theft_reports.c.id == report_id)
                  .values(blocked_at=now))

    def add_block(self, report_id: int, subject_id: int, item_ref: str, furnisher_id: int,
                  account_ref_hmac: str, now: datetime) -> None:
        self._run(insert(identity_blocks).values(
            report_id=report_id, subject_id=subject_id, item_ref=item_ref,
            furnisher_id=furnisher_id, account_ref_hmac=account_ref_hmac, blocked_at=now))

    def reports_of(self, subject_id: int) -> list[TheftReport]:
        """The file's identity-theft reports, newest first, with their blocked items."""
        t, b = identity_theft_reports.c, identity_blocks.c
        items: dict[int, list[str]] = {}
        for r in self._run(select(b.report_id, b.item_ref).where(b.subject_id == subject_id)
                           .order_by(b.id)):
            items.setdefault(int(r.report_id), []).append(r.item_ref)
        return [TheftReport(ref=r.ref, statement=r.statement, filed_at=r.filed_at,
                            due_at=r.due_at, blocked_at=r.blocked_at,
                            items=tuple(items.get(int(r.id), ())))
                for r in self._run(select(identity_theft_reports).where(
                    t.subject_id == subject_id).order_by(t.filed_at.desc(), t.id.desc()))]

    def blocks_of(self, subject_id: int) -> list[Block]:
        """The file's blocked items, oldest first, named as the report names accounts."""
        b, t = identity_blocks.c, identity_theft_reports.c
        return [Block(item_ref=r.item_ref, report_ref=r.ref, blocked_at=r.blocked_at,
                      furnisher=r.furnisher, kind=r.kind, account_ref=r.account_ref)
                for r in self._run(
                    select(b.item_ref, b.blocked_at, t.ref, organisations.c.name.label(
                        "furnisher"), accounts.c.kind, accounts.c.account_ref)
                    .join(identity_theft_reports, t.id == b.report_id)
                    .join(organisations, organisations.c.id == b.furnisher_id)
                    .outerjoin(accounts, accounts.c.item_ref == b.item_ref)
                    .where(b.subject_id == subject_id).order_by(b.id))]

    # -- what furnishers are told --------------------------------------------------------------

    def tell_furnisher(self, furnisher_id: int, kind: str, account_ref: str, item_ref: str,
                       source: str, reason: str, now: datetime) -> None:
        self._run(insert(furnisher_identity_notices).values(
            furnisher_id=furnisher_id, kind=kind, account_ref=account_ref, item_ref=item_ref,
            source=source, reason=reason[:200], created_at=now))

    def furnisher_notices(self, furnisher_id: int, after: int,
                          limit: int) -> list[FurnisherNotice]:
        n = furnisher_identity_notices.c
        return [FurnisherNotice(id=int(r.id), kind=r.kind, account_ref=r.account_ref,
                                source=r.source, reason=r.reason, created_at=r.created_at)
                for r in self._run(select(furnisher_identity_notices)
                                   .where(n.furnisher_id == furnisher_id, n.id > after)
                                   .order_by(n.id).limit(limit))]

    # -- freezes and fraud alerts of several files ---------------------------------------------

    def frozen_among(self, subject_ids: Iterable[int]) -> bool:
        ids = sorted(set(subject_ids))
        if not ids:
            return False
        return self._run(select(freezes.c.id).where(
            among(self._dialect, freezes.c.subject_id, ids),
            freezes.c.lifted_at.is_(None)).limit(1)).first() is not None

    def alerts_among(self, subject_ids: Iterable[int], now: datetime) -> list[dict[str, Any]]:
        """The fraud alerts in force on any of these files, oldest first."""
        ids = sorted(set(subject_ids))
        if not ids:
            return []
        f = fraud_alerts.c
        return [{"kind": r.kind, "placed_at": r.placed_at, "expires_at": r.expires_at}
                for r in self._run(select(f.kind, f.placed_at, f.expires_at).where(
                    among(self._dialect, f.subject_id, ids), f.expires_at > now)
                    .order_by(f.placed_at, f.id))]

    def frozen_and_alerts_among(self, subject_ids: Iterable[int], now: datetime
                                ) -> tuple[bool, list[dict[str, Any]]]:
        """``frozen_among`` and ``alerts_among`` in one statement (every inquiry asks both)."""
        ids = sorted(set(subject_ids))
        if not ids:
            return False, []
        rows = self._run(_frozen_and_alerts(self._dialect), {"ids": ids, "now": now}).all()
        return bool(rows[0][0]), [{"kind": r[1], "placed_at": r[2], "expires_at": r[3]}
                                  for r in rows if r[1] is not None]

    # -- personal information ------------------------------------------------------------------

    def observation(self, subject_id: int, item_ref: str) -> tuple[str, str] | None:
        """(kind, keyed hash of the value) of an identity element on this file."""
        o = identity_observations.c
        r = self._run(select(o.kind, o.value_hmac).where(o.subject_id == subject_id,
                                                         o.item_ref == item_ref)).first()
        return None if r is None else (r.kind, r.value_hmac)

    def remove_observation(self, subject_id: int, kind: str, value_hmac: str) -> int:
        """Remove the element from the file, whoever reported it; how many reports of it."""
        o = identity_observations.c
        n = self._run(select(func.count()).select_from(identity_observations).where(
            o.subject_id == subject_id, o.kind == kind, o.value_hmac == value_hmac)).scalar_one()
        self._run(delete(identity_observations).where(
            o.subject_id == subject_id, o.kind == kind, o.value_hmac == value_hmac))
        return int(n)
