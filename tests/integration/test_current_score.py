"""A subject's current score is one rule (adapters/scores.py): the newest row of the active
model, and of two rows computed at the same instant the one stored last. The report's score,
the consumer's offers, an offer's reach and drift all read it; offer reach used to take the
higher value of a tie."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from openbureau.adapters import offers as offers_repository
from openbureau.adapters import scores as stored_scores
from openbureau.adapters.tables import models, scores
from openbureau.services import model_reports, rights, scoring_hooks
from tests.conftest import NOW
from tests.integration.test_offer_reach import opted_in
from tests.integration.test_reports import subject_id
from tests.integration.test_rights import give_score, no_rescoring  # noqa: F401

NID = "900700001"


@pytest.fixture
def tied(no_rescoring, bureau) -> int:  # noqa: F811
    """An opted-in consumer with an older high score and two scores computed at one instant:
    720 stored first, 610 stored last (the current one)."""
    opted_in(bureau, NID, 900)
    with bureau.uow() as uow:    # opted_in stored 900 at NOW; move it a day back
        uow.execute(update(scores).values(computed_at=NOW - timedelta(days=1)))
        uow.commit()
    give_score(bureau, NID, 720)
    give_score(bureau, NID, 610)
    return subject_id(bureau, NID)


def test_every_reader_breaks_a_tie_alike(tied, bureau, monkeypatch):
    with bureau.uow() as uow:
        assert uow.execute(select(stored_scores.current().c.value)).scalars().all() == [610]
        assert uow.execute(select(stored_scores.current(subject_id=tied).c.value)) \
            .scalar_one() == 610
        assert scoring_hooks.current_score(bureau.deps, uow, tied)["value"] == 610
        assert rights.current_score(uow, tied) == 610
        assert uow.execute(select(offers_repository.opted_in_scores().c.value)) \
            .scalars().all() == [610]
        version = uow.execute(select(models.c.version).where(models.c.active)).scalar_one()
    seen: list[dict[int, int]] = []
    real = model_reports.drift_from_counts

    def spy(card, n, buckets, outside, score_counts):  # type: ignore[no-untyped-def]
        seen.append(dict(score_counts))
        return real(card, n, buckets, outside, score_counts)

    monkeypatch.setattr(model_reports, "drift_from_counts", spy)
    model_reports.drift(bureau.uow(), bureau.deps, version)
    assert seen[0] == {610: 1}


def test_another_models_scores_are_not_current(tied, bureau):
    with bureau.uow() as uow:
        assert uow.execute(select(stored_scores.current(version="no-such-model").c.value)) \
            .first() is None
