"""A furnisher's accounts as the bureau holds them, back as AccountRecords (for Metro 2/CSV)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, select

from openbureau.adapters.tables import account_months, accounts, organisations, subjects
from openbureau.bootstrap import Bureau
from openbureau.domain.errors import NotFound
from openbureau.domain.records import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    DeleteCode,
    Ecoa,
    SubjectIdentity,
)


def furnisher_id(bureau: Bureau, name: str) -> int:
    with bureau.uow() as uow:
        row = uow.execute(select(organisations.c.id, organisations.c.role)
                          .where(organisations.c.name == name)).first()
    if row is None or row.role != "furnisher":
        raise NotFound(f"no furnisher named {name!r}")
    return int(row.id)


def latest_records(bureau: Bureau, furnisher: int, batch: int = 5000,
                   all_months: bool = False) -> Iterator[AccountRecord]:
    """Each account's newest month (or every month), streamed in account order."""
    after = 0
    while True:
        with bureau.uow() as uow:
            join = account_months.c.account_id == accounts.c.id
            if not all_months:
                join = and_(join, account_months.c.as_of == accounts.c.latest_as_of)
            ids = select(accounts.c.id).where(accounts.c.furnisher_id == furnisher,
                                              accounts.c.id > after
                                              ).order_by(accounts.c.id).limit(batch)
            id_list = list(uow.execute(ids).scalars())
            if not id_list:
                return
            rows = uow.execute(
                select(accounts, account_months.c.as_of, account_months.c.status,
                       account_months.c.balance, account_months.c.amount_past_due,
                       account_months.c.credit_limit.label("month_limit"),
                       account_months.c.scheduled_payment, account_months.c.monthly_income,
                       account_months.c.consent_ref, account_months.c.payment_history,
                       subjects.c.id_ciphertext,
                       subjects.c.name.label("subject_name"), subjects.c.date_of_birth)
                .join(account_months, join)
                .join(subjects, subjects.c.id == accounts.c.subject_id)
                .where(accounts.c.id.in_(id_list))
                .order_by(accounts.c.id, account_months.c.as_of)).all()
        for r in rows:
            yield AccountRecord(
                subject=SubjectIdentity(bureau.vault.decrypt(r.id_ciphertext), r.subject_name,
                                        r.date_of_birth),
                account_ref=r.account_ref, as_of=r.as_of, kind=AccountKind(r.kind),
                opened_on=r.opened_on, balance=r.balance, amount_past_due=r.amount_past_due,
                status=AccountStatus(r.status), ecoa=Ecoa(r.ecoa), currency=r.currency,
                closed_on=r.closed_on,
                credit_limit=r.month_limit if r.month_limit is not None else r.credit_limit,
                original_amount=r.original_amount, scheduled_payment=r.scheduled_payment,
                date_of_first_delinquency=r.date_of_first_delinquency,
                monthly_income=r.monthly_income, consent_ref=r.consent_ref,
                compliance_code=r.compliance_code,
                delete_code=DeleteCode(r.delete_code) if r.delete_code else None,
                payment_history=r.payment_history)
        after = id_list[-1]
