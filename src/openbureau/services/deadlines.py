"""Deadlines: everything that happens because time passed, applied by ``deadlines run``.

Each rule reads its numbers from the active profile and the time from the clock it is given.
Running it twice at the same instant changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import and_, select, update

from openbureau.adapters.tables import (
    accounts,
    fraud_alerts,
    inquiries,
    public_records,
    restrictions,
)
from openbureau.bootstrap import Bureau
from openbureau.domain.profiles import Purpose
from openbureau.domain.roles import SYSTEM
from openbureau.services import disputes as dispute_service


@dataclass
class DeadlineReport:
    disputes_expired: int = 0
    accounts_past_retention: int = 0
    inquiries_dropped: int = 0
    listings_expired: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def run(bureau: Bureau) -> DeadlineReport:
    profile, report = bureau.profile, DeadlineReport()
    with bureau.uow() as uow:
        now = uow.clock.now()
        today = now.date()
        # the profile's outcome of silence, the consumer's notice and the rescore
        report.disputes_expired = dispute_service.expire_overdue(bureau, uow)

        cutoff = today - timedelta(days=profile.negative_retention_days)
        past = (accounts.c.date_of_first_delinquency.is_not(None),
                accounts.c.date_of_first_delinquency < cutoff, accounts.c.suppressed_at.is_(None))
        touched = set(uow.execute(select(accounts.c.subject_id).where(*past)).scalars())
        res = uow.execute(update(accounts).where(*past).values(
            suppressed_at=now, suppressed_reason="retention"))
        report.accounts_past_retention = res.rowcount or 0
        if touched:   # what left the file leaves the score with it
            from openbureau.services import scoring_hooks

            scoring_hooks.rescore_subjects(bureau, uow, touched)

        shown = profile.inquiry_display_days
        if shown is not None:
            emp = profile.employment_inquiry_display_days or shown
            res = uow.execute(update(inquiries).where(
                inquiries.c.purged_at.is_(None),
                ((inquiries.c.purpose != Purpose.EMPLOYMENT.value)
                 & (inquiries.c.created_at < now - timedelta(days=shown)))
                | ((inquiries.c.purpose == Purpose.EMPLOYMENT.value)
                   & (inquiries.c.created_at < now - timedelta(days=emp)))
            ).values(purged_at=now))
            report.inquiries_dropped = res.rowcount or 0

        res = uow.execute(update(public_records).where(
            public_records.c.status == "active", public_records.c.until.is_not(None),
            public_records.c.until < today).values(status="expired", lifted_at=now,
                                                   lift_reason="term ended"))
        report.listings_expired = res.rowcount or 0
        uow.execute(update(restrictions).where(
            restrictions.c.lifted_at.is_(None),
            and_(restrictions.c.until.is_not(None), restrictions.c.until < today)
        ).values(lifted_at=now))
        uow.execute(fraud_alerts.delete().where(fraud_alerts.c.expires_at <= now))
        if any(report.as_dict().values()):
            uow.audit(SYSTEM.actor, "deadlines.run", None, "deadline", **report.as_dict())
        uow.commit()
    return report
