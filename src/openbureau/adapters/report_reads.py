"""What a credit report reads of a file: the statements of ``services/reports.py``.

The statements are built once: every report runs them all, and building a statement (and its
cache key) cost about as much CPU as running it. Each selects exactly the fields of the record
it returns (``services/stored.py``), in their order, so a row becomes its record as a tuple.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, or_, select

from openbureau.adapters.consents import among_param
from openbureau.adapters.report_history import LAST_READ, MONTH_TIMES, SCORE_AT
from openbureau.adapters.repository import Repository, Run
from openbureau.adapters.tables import (
    account_months,
    accounts,
    disputes,
    fraud_alerts,
    freezes,
    identity_observations,
    inquiries,
    notices,
    organisations,
    public_records,
    restrictions,
    statements,
)
from openbureau.services.stored import (
    INQUIRY_KINDS,
    Dispute,
    FurnishedMonth,
    ItemName,
    ReportAccount,
    ReportAlert,
    ReportInquiry,
    ReportMonth,
    ReportNotice,
    ReportObservation,
    ReportRecord,
    ReportRestriction,
    ReportStatement,
)

_SUBJECT: BindParameter[int] = bindparam("subject_id")


def columns_for(record: type[Any], table: Any, **named: Any) -> list[Any]:
    """The columns of a named tuple ``record``'s fields, in order: ``named`` ones, else
    ``table``'s of the field's name."""
    return [named[f] if f in named else table.c[f] for f in record._fields]


_DISPUTE_COLUMNS = tuple(c.name for c in disputes.c)
_DISPUTES = (select(disputes).where(disputes.c.subject_id == _SUBJECT)
             .order_by(disputes.c.opened_at.desc(), disputes.c.id))
_STATEMENTS = (select(*columns_for(ReportStatement, statements))
               .where(statements.c.subject_id == _SUBJECT)
               .order_by(statements.c.created_at, statements.c.id))
_FRAUD_ALERTS = (select(*columns_for(ReportAlert, fraud_alerts))
                 .where(fraud_alerts.c.subject_id == _SUBJECT,
                        fraud_alerts.c.expires_at > bindparam("now"))
                 .order_by(fraud_alerts.c.placed_at))
_FROZEN = select(freezes.c.id).where(freezes.c.subject_id == _SUBJECT,
                                     freezes.c.lifted_at.is_(None))
_NOTICES = (select(*columns_for(ReportNotice, notices)).where(notices.c.subject_id == _SUBJECT)
            .order_by(notices.c.created_at.desc(), notices.c.id.desc()))
# every item a dispute or a notice may name, deleted and suppressed ones too (a notice says
# "the furnisher deleted <this account>")
_ACCOUNT_NAMES = (select(accounts.c.item_ref, accounts.c.kind, accounts.c.account_ref,
                         organisations.c.name)
                  .join(organisations, organisations.c.id == accounts.c.furnisher_id)
                  .where(accounts.c.subject_id == _SUBJECT))
_RECORD_NAMES = (select(public_records.c.item_ref, public_records.c.case_number,
                        organisations.c.name)
                 .join(organisations, organisations.c.id == public_records.c.court_id)
                 .where(public_records.c.subject_id == _SUBJECT))


def _accounts_statement(own: bool) -> Any:
    latest = account_months.alias("latest")
    visible: Any = accounts.c.suppressed_at.is_(None)
    if own:   # a restriction (GDPR art. 18) hides the item from others, not from the person
        visible = or_(visible, accounts.c.suppressed_reason == "dispute_restricted")
    columns = columns_for(ReportAccount, accounts,
                      furnisher_name=organisations.c.name.label("furnisher_name"),
                      status=latest.c.status, balance=latest.c.balance,
                      amount_past_due=latest.c.amount_past_due,
                      month_limit=latest.c.credit_limit.label("month_limit"),
                      month_comment=latest.c.special_comment.label("month_comment"))
    return (select(*columns)
            .join(organisations, organisations.c.id == accounts.c.furnisher_id)
            .outerjoin(latest, and_(latest.c.account_id == accounts.c.id,
                                    latest.c.as_of == accounts.c.latest_as_of))
            .where(accounts.c.subject_id == _SUBJECT, accounts.c.deleted_at.is_(None), visible)
            .order_by(accounts.c.opened_on.desc(), accounts.c.id))


_ACCOUNTS = {own: _accounts_statement(own) for own in (False, True)}   # by "the person's own"


@functools.cache
def _months(dialect: str) -> Any:
    # the account ids as one parameter (PostgreSQL: an array), not one each: the same text
    # for every file, whatever its number of accounts
    return (select(*columns_for(ReportMonth, account_months))
            .where(among_param(dialect, account_months.c.account_id, "ids"))
            .order_by(account_months.c.as_of))


_PUBLIC_RECORDS = (select(*columns_for(ReportRecord, public_records,
                                   court_name=organisations.c.name.label("court_name")))
                   .join(organisations, organisations.c.id == public_records.c.court_id)
                   .where(public_records.c.subject_id == _SUBJECT,
                          public_records.c.status == "active")
                   .order_by(public_records.c.judgment_date.desc(), public_records.c.id))


@functools.cache
def _restrictions(dialect: str) -> Any:
    return (select(*columns_for(ReportRestriction, restrictions))
            .where(among_param(dialect, restrictions.c.public_record_id, "ids"),
                   restrictions.c.lifted_at.is_(None))
            .order_by(restrictions.c.category))


_INQUIRIES = (select(*columns_for(ReportInquiry, inquiries,
                              organisation=organisations.c.name.label("organisation")))
              .join(organisations, organisations.c.id == inquiries.c.organisation_id)
              .where(inquiries.c.subject_id == _SUBJECT, inquiries.c.kind.in_(INQUIRY_KINDS),
                     inquiries.c.purged_at.is_(None))
              .order_by(inquiries.c.created_at.desc(), inquiries.c.id.desc()))
_OBSERVATIONS = (select(*columns_for(ReportObservation, identity_observations,
                                 furnisher=organisations.c.name.label("furnisher")))
                 .join(organisations, organisations.c.id == identity_observations.c.furnisher_id)
                 .where(identity_observations.c.subject_id == _SUBJECT)
                 .order_by(identity_observations.c.id))


class SqlReportReads(Repository):
    def __init__(self, run: Run, dialect: str) -> None:
        super().__init__(run)
        self._dialect = dialect

    def disputes(self, subject_id: int) -> list[Dispute]:
        return [Dispute(**{c: m[c] for c in _DISPUTE_COLUMNS})
                for m in self._run(_DISPUTES, {"subject_id": subject_id}).mappings()]

    def statements(self, subject_id: int) -> list[ReportStatement]:
        return [ReportStatement._make(r)
                for r in self._run(_STATEMENTS, {"subject_id": subject_id})]

    def accounts(self, subject_id: int, own: bool) -> list[ReportAccount]:
        return [ReportAccount._make(r)
                for r in self._run(_ACCOUNTS[own], {"subject_id": subject_id})]

    def months(self, account_ids: list[int]) -> list[ReportMonth]:
        return [ReportMonth._make(r)
                for r in self._run(_months(self._dialect), {"ids": account_ids})]

    def public_records(self, subject_id: int) -> list[ReportRecord]:
        return [ReportRecord._make(r)
                for r in self._run(_PUBLIC_RECORDS, {"subject_id": subject_id})]

    def restrictions(self, record_ids: list[int]) -> list[ReportRestriction]:
        return [ReportRestriction._make(r)
                for r in self._run(_restrictions(self._dialect), {"ids": record_ids})]

    def inquiries(self, subject_id: int) -> list[ReportInquiry]:
        return [ReportInquiry._make(r)
                for r in self._run(_INQUIRIES, {"subject_id": subject_id})]

    def fraud_alerts(self, subject_id: int, now: datetime) -> list[ReportAlert]:
        return [ReportAlert._make(r)
                for r in self._run(_FRAUD_ALERTS, {"subject_id": subject_id, "now": now})]

    def frozen(self, subject_id: int) -> bool:
        return self._run(_FROZEN, {"subject_id": subject_id}).first() is not None

    def notices(self, subject_id: int) -> list[ReportNotice]:
        return [ReportNotice._make(r)
                for r in self._run(_NOTICES, {"subject_id": subject_id})]

    def item_names(self, subject_id: int) -> list[ItemName]:
        params = {"subject_id": subject_id}
        out = [ItemName(r.item_ref, r.kind, r.account_ref, r.name)
               for r in self._run(_ACCOUNT_NAMES, params)]
        out.extend(ItemName(r.item_ref, None, r.case_number, r.name)
                   for r in self._run(_RECORD_NAMES, params))
        return out

    def observations(self, subject_id: int) -> list[ReportObservation]:
        return [ReportObservation._make(r)
                for r in self._run(_OBSERVATIONS, {"subject_id": subject_id})]

    def last_read(self, subject_ref: str, actor: str, action: str,
                  before: datetime) -> datetime | None:
        at: datetime | None = self._run(LAST_READ, {"ref": subject_ref, "actor": actor,
                                                    "action": action,
                                                    "before": before}).scalar()
        return at

    def furnished_months(self, subject_id: int) -> list[FurnishedMonth]:
        return [FurnishedMonth._make(r)
                for r in self._run(MONTH_TIMES, {"subject_id": subject_id})]

    def score_at(self, subject_id: int, at: datetime) -> int | None:
        value = self._run(SCORE_AT, {"subject_id": subject_id, "at": at}).scalar()
        return None if value is None else int(value)
