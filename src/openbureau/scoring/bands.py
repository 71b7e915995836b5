"""The score bands of the HTTP contract, defined once: (label, lowest, highest), inclusive."""

from __future__ import annotations

from openbureau.domain.wording import N_
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

# the labels are the contract's codes; pages translate them (N_ marks them for the catalogue)
BANDS: tuple[tuple[str, int, int], ...] = (
    (N_("poor"), SCORE_MIN, 549),
    (N_("fair"), 550, 599),
    (N_("good"), 600, 649),
    (N_("very good"), 650, 699),
    (N_("excellent"), 700, SCORE_MAX),
)


def band(value: int) -> str:
    """The band of a score; values below the scale count as poor, above it as excellent."""
    for label, lo, hi in BANDS:
        if lo <= value <= hi:
            return label
    return "poor" if value < BANDS[0][1] else "excellent"
