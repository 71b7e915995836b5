"""The score bands of the HTTP contract, defined once: (label, lowest, highest), inclusive."""

from __future__ import annotations

from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

BANDS: tuple[tuple[str, int, int], ...] = (
    ("poor", SCORE_MIN, 549),
    ("fair", 550, 599),
    ("good", 600, 649),
    ("very good", 650, 699),
    ("excellent", 700, SCORE_MAX),
)


def band(value: int) -> str:
    """The band of a score; values below the scale count as poor, above it as excellent."""
    for label, lo, hi in BANDS:
        if lo <= value <= hi:
            return label
    return "poor" if value < BANDS[0][1] else "excellent"
