"""Fraud alerts on files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import fraud_alerts


class SqlFraudAlerts(Repository):
    def drop_expired(self, now: datetime) -> None:
        self._run(fraud_alerts.delete().where(fraud_alerts.c.expires_at <= now))

    def active_until(self, subject_id: int, kind: str, now: datetime) -> datetime | None:
        until: datetime | None = self._run(select(fraud_alerts.c.expires_at).where(
            fraud_alerts.c.subject_id == subject_id, fraud_alerts.c.kind == kind,
            fraud_alerts.c.expires_at > now)).scalar()
        return until

    def add(self, subject_id: int, kind: str, placed_at: datetime,
            expires_at: datetime) -> None:
        self._run(insert(fraud_alerts).values(subject_id=subject_id, kind=kind,
                                              placed_at=placed_at, expires_at=expires_at))
