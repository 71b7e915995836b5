"""Deadlines: everything that happens because time passed, applied by ``deadlines run``.

Each rule reads its numbers from the active profile and the time from the clock it is given.
Running it twice at the same instant changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from openbureau.domain.roles import SYSTEM
from openbureau.services import disputes as dispute_service
from openbureau.services.ports import Deps, UnitOfWork, rescore


@dataclass
class DeadlineReport:
    disputes_expired: int = 0
    accounts_past_retention: int = 0
    inquiries_dropped: int = 0
    listings_expired: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def run(uow: UnitOfWork, deps: Deps) -> DeadlineReport:
    profile, report = deps.profile, DeadlineReport()
    with uow:
        now = uow.clock.now()
        today = now.date()
        # the profile's outcome of silence, the consumer's notice and the rescore
        report.disputes_expired = dispute_service.expire_overdue(uow, deps)

        cutoff = today - timedelta(days=profile.negative_retention_days)
        report.accounts_past_retention, touched = \
            uow.accounts.suppress_delinquent_before(cutoff, now)
        rescore(deps, uow, touched)     # what left the file leaves the score with it

        shown = profile.inquiry_display_days
        if shown is not None:
            emp = profile.employment_inquiry_display_days or shown
            report.inquiries_dropped = uow.inquiries.drop_shown_before(
                now, now - timedelta(days=shown), now - timedelta(days=emp))

        report.listings_expired = uow.listings.expire_ended(today, now)
        uow.listings.lift_ended_restrictions(today, now)
        uow.fraud_alerts.drop_expired(now)
        if any(report.as_dict().values()):
            uow.audit(SYSTEM.actor, "deadlines.run", None, "deadline", **report.as_dict())
        uow.commit()
    return report
