"""What exports read: a furnisher's accounts with the identities it reported, and every credit
file as scoring reads it -- the statements of ``services/export.py``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, select

from openbureau.adapters.report_reads import columns_for
from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import account_months, accounts, identity_observations, subjects
from openbureau.services.stored import ExportedMonth, ReportedValue


class SqlExports(Repository):
    def reported(self, furnisher_id: int, subject_ids: list[int],
                 kinds: Iterable[str]) -> list[ReportedValue]:
        o = identity_observations.c
        return [ReportedValue._make(r) for r in self._run(
            select(o.subject_id, o.kind, o.value_ciphertext)
            .where(o.furnisher_id == furnisher_id, o.subject_id.in_(subject_ids),
                   o.kind.in_(tuple(kinds)))
            .order_by(o.last_seen_on, o.last_at, o.id))]

    def national_ids(self, subject_ids: list[int]) -> dict[int, bytes | None]:
        return dict(self._run(select(subjects.c.id, subjects.c.id_ciphertext)
                              .where(subjects.c.id.in_(subject_ids))).all())

    def account_ids(self, furnisher_id: int, after: int, limit: int) -> list[int]:
        return list(self._run(select(accounts.c.id).where(accounts.c.furnisher_id == furnisher_id,
                                                          accounts.c.id > after)
                              .order_by(accounts.c.id).limit(limit)).scalars())

    def months(self, account_ids: list[int], all_months: bool) -> list[ExportedMonth]:
        join = account_months.c.account_id == accounts.c.id
        if not all_months:
            join = and_(join, account_months.c.as_of == accounts.c.latest_as_of)
        am = account_months.c
        columns = columns_for(ExportedMonth, accounts, as_of=am.as_of, status=am.status,
                              balance=am.balance, amount_past_due=am.amount_past_due,
                              month_limit=am.credit_limit.label("month_limit"),
                              scheduled_payment=am.scheduled_payment,
                              monthly_income=am.monthly_income, consent_ref=am.consent_ref,
                              payment_history=am.payment_history)
        return [ExportedMonth._make(r) for r in self._run(
            select(*columns).join(account_months, join)
            .where(accounts.c.id.in_(account_ids))
            .order_by(accounts.c.id, account_months.c.as_of))]


class SqlCreditFiles(Repository):
    """The credit files as scoring reads them (``scoring_sql.SOURCES``: ids and codes, no
    name, no national id), by ranges of subject ids. Built on a unit of work's ``execute``,
    or on a bare connection's."""

    def count(self) -> int:
        from openbureau.adapters.scoring_sql import SOURCES

        return int(self._run(select(func.count()).select_from(SOURCES["subjects"]))
                   .scalar_one())

    def ids_after(self, after: int, limit: int) -> list[int]:
        from openbureau.adapters.scoring_sql import SOURCES

        s = SOURCES["subjects"]
        return list(self._run(select(s.c.id).where(s.c.id > after).order_by(s.c.id)
                              .limit(limit)).scalars())

    def columns(self, name: str, lo: int, hi: int) -> list[tuple[Any, ...]]:
        """Table ``name``'s values for the subjects above ``lo`` up to ``hi``, column by
        column in ``SOURCES`` order (account months with their account's ``subject_id``
        last); none when there are no rows."""
        from openbureau.adapters.scoring_sql import SOURCES

        if name == "account_months":
            am, acc = SOURCES["account_months"], SOURCES["accounts"]
            q = select(*am.c, acc.c.subject_id).join(acc, acc.c.id == am.c.account_id) \
                .where(acc.c.subject_id > lo, acc.c.subject_id <= hi)
        else:
            t = SOURCES[name]
            q = select(*t.c).where(t.c.subject_id > lo, t.c.subject_id <= hi)
        return list(zip(*self._run(q).all(), strict=True))
