"""What every engine returns, and the Python reference engine for one credit file.

Every engine (the reference here; the compiled SQL on SQLite, PostgreSQL, DuckDB and Spark in
:mod:`openbureau.adapters.scoring_engines`) returns the same :class:`Scored` rows (ordered by
subject id) and gives identical attributes and integer scores. A value outside the card's domain,
or a category the card has not seen, is never scored: the row comes back with ``out_of_domain``
naming the attribute and ``value is None``; :func:`refuse` (or ``strict=True``) turns that into
:class:`~openbureau.scoring.reference.OutOfDomain`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openbureau.scoring import attributes as A
from openbureau.scoring.reference import OutOfDomain, score_attributes
from openbureau.scoring.spec import Scorecard

ENGINES = ("reference", "sqlite", "postgres", "duckdb", "spark")
FLOAT_ATTRIBUTES = frozenset({"revolving_utilization", "debt_ratio", "monthly_income",
                              "monthly_debt_payments"})


@dataclass(frozen=True)
class Scored:
    subject_id: int
    attributes: dict[str, A.AttributeValue]
    points: dict[str, int] = field(default_factory=dict)
    value: int | None = None
    raw: int | None = None
    out_of_domain: str | None = None


def refuse(rows: Iterable[Scored]) -> list[Scored]:
    """The rows unchanged, or ``OutOfDomain`` for the first one an engine would not score."""
    out = list(rows)
    for r in out:
        if r.out_of_domain is not None:
            raise OutOfDomain(r.out_of_domain, r.attributes.get(r.out_of_domain))
    return out


def _attribute(name: str, value: Any) -> A.AttributeValue:
    if value is None:
        return None
    if name in A.CATEGORICAL:
        return str(value)
    if name in FLOAT_ATTRIBUTES:
        return float(value)
    return int(value)


def from_row(card: Scorecard, row: Mapping[str, Any]) -> Scored:
    """One row of the score query (``subject_id``, the attributes, ``pts_<name>``, ``raw``,
    ``score``, ``out_of_domain``), whichever engine ran it."""
    ood = row["out_of_domain"]
    return Scored(
        subject_id=int(row["subject_id"]),
        attributes={n: _attribute(n, row[n]) for n in A.ATTRIBUTES},
        points={} if ood else {n: int(row[f"pts_{n}"]) for n in card.rows},
        value=None if ood else int(row["score"]),
        raw=None if ood else int(row["raw"]),
        out_of_domain=ood,
    )


def scored_rows(card: Scorecard, table: Any) -> list[Scored]:
    """Arrow rows of the score query as :class:`Scored` rows."""
    return [from_row(card, r) for r in table.to_pylist()]


def score_file(card: Scorecard, file: A.CreditFile, subject_id: int = 0) -> Scored:
    """The reference engine for one credit file."""
    attrs = A.compute(file)
    try:
        result = score_attributes(card, attrs)
    except OutOfDomain as exc:
        return Scored(subject_id, attrs, out_of_domain=exc.attribute)
    return Scored(subject_id, attrs, dict(result.points), result.value, result.raw)


def same_values(a: Sequence[Scored], b: Sequence[Scored]) -> bool:
    """Identical attributes (floats bit for bit), points, scores and flags."""
    def key(r: Scored) -> tuple[Any, ...]:
        attrs = tuple((n, v.hex() if isinstance(v, float) and math.isfinite(v) else v)
                      for n, v in sorted(r.attributes.items()))
        return (r.subject_id, attrs, tuple(sorted(r.points.items())), r.value, r.raw,
                r.out_of_domain)
    return [key(r) for r in a] == [key(r) for r in b]
