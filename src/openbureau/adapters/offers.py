"""Offers for good standing, who they reach, and consumers' opting in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Subquery, func, insert, select, update

from openbureau.adapters import scores as stored_scores
from openbureau.adapters.repository import Repository
from openbureau.adapters.tables import consumer_logins, offers, organisations
from openbureau.services.stored import Offer


def _offer(r: Any, member: str | None = None) -> Offer:
    return Offer(int(r.id), int(r.organisation_id), r.title, r.description, int(r.min_score),
                 r.category, r.created_at, member)


def opted_in_scores() -> Subquery:
    """``subject_id, value``: the current score (of the active model) of every consumer who
    opted in to offers; none without a score."""
    current = stored_scores.current()
    return (select(current.c.subject_id, current.c.value)
            .join(consumer_logins, consumer_logins.c.subject_id == current.c.subject_id)
            .where(consumer_logins.c.offers_opt_in).subquery())


class SqlOffers(Repository):
    def add(self, member_id: int, title: str, description: str, min_score: int,
            category: str, now: datetime) -> Offer:
        offer_id = int(self._run(insert(offers).values(
            organisation_id=member_id, title=title, description=description,
            min_score=min_score, category=category, created_at=now
        ).returning(offers.c.id)).scalar_one())
        return _offer(self._run(select(offers).where(offers.c.id == offer_id)).one())

    def _mine(self, member_id: int) -> ColumnElement[bool]:
        return (offers.c.organisation_id == member_id) & offers.c.withdrawn_at.is_(None)

    def of_member(self, member_id: int) -> list[Offer]:
        return [_offer(r) for r in self._run(select(offers).where(self._mine(member_id))
                                             .order_by(offers.c.created_at, offers.c.id)).all()]

    def reach(self, member_id: int, offer_id: int | None = None) -> dict[int, int]:
        which = self._mine(member_id) if offer_id is None else offers.c.id == offer_id
        current = opted_in_scores()
        return {int(i): int(n) for i, n in self._run(
            select(offers.c.id, func.count(current.c.subject_id))
            .join(current, current.c.value >= offers.c.min_score)
            .where(which).group_by(offers.c.id))}

    def qualifying(self, score: int) -> list[Offer]:
        return [_offer(r, r.member) for r in self._run(
            select(offers, organisations.c.name.label("member"))
            .join(organisations, organisations.c.id == offers.c.organisation_id)
            .where(offers.c.withdrawn_at.is_(None), offers.c.min_score <= score)
            .order_by(offers.c.min_score.desc(), offers.c.id)).all()]

    def opted_in(self, subject_id: int) -> bool:
        return bool(self._run(select(consumer_logins.c.offers_opt_in)
                              .where(consumer_logins.c.subject_id == subject_id)).scalar())

    def set_opt_in(self, subject_id: int, opt_in: bool) -> None:
        self._run(update(consumer_logins).where(consumer_logins.c.subject_id == subject_id)
                  .values(offers_opt_in=opt_in))
