"""The scorecard compiled to arrays: the NumPy batch engine.

Each numeric attribute becomes a sorted edge array and one points table laid out as
``[bin 0 .. bin k-1, missing, special 1 .. special m]``; a column is scored by one
``searchsorted``, a few masks and one gather, accumulated in place into the total. Results are
identical to the reference scorer's (``reference.score_attributes``), out-of-domain values and
unseen categories included: they raise ``OutOfDomain`` rather than being scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from openbureau.scoring.reference import OutOfDomain
from openbureau.scoring.spec import AttributeCard, Scorecard


@dataclass(frozen=True)
class _Numeric:
    attr: AttributeCard
    edges: np.ndarray          # upper edges of all bins but the last
    table: np.ndarray          # points: bins, then missing, then each special value
    specials: tuple[float, ...]
    lowest: float | None       # the first bin's lower bound, if bounded
    lookup: np.ndarray | None = None   # bin index by floor(x), for integer edges from 0

    def points(self, x: np.ndarray) -> np.ndarray:
        n_bins = len(self.edges) + 1
        nan = np.isnan(x)
        if self.lookup is not None:
            # integer edges from 0: the bin of x is the bin of floor(x), one table look-up
            top = len(self.lookup) - 1
            whole = np.minimum(np.where(nan, top, x), top)
            np.maximum(whole, 0, out=whole)          # below 0 is refused by the domain check
            idx = self.lookup[whole.astype(np.intp)]
        else:
            idx = np.searchsorted(self.edges, x, side="right")
        if nan.any():
            idx[nan] = n_bins
        special = None
        for j, value in enumerate(self.specials):
            hit = x == value
            if hit.any():
                idx[hit] = n_bins + 1 + j
                special = hit if special is None else special | hit
        self._check_domain(x, special)
        return self.table[idx]

    def _check_domain(self, x: np.ndarray, special: np.ndarray | None) -> None:
        a = self.attr
        bad = np.isinf(x)
        lo = a.domain_min if self.lowest is None else (
            self.lowest if a.domain_min is None else max(a.domain_min, self.lowest))
        if lo is not None:
            bad |= x < lo
        if a.domain_max is not None:
            bad |= x > a.domain_max
        if special is not None:
            bad &= ~special
        if bad.any():
            raise OutOfDomain(a.name, float(x[np.argmax(bad)]))


def _lookup(attr: AttributeCard, edges: np.ndarray) -> np.ndarray | None:
    """For a count-like attribute (domain from 0, integer edges, few of them) the bin index of
    every whole value up to the last edge; values above it share the last bin."""
    if (attr.domain_min is None or attr.domain_min < 0 or not len(edges)
            or edges[-1] > 4096 or np.any(edges != np.floor(edges)) or edges[0] < 0):
        return None
    whole = np.arange(int(edges[-1]) + 1, dtype=np.float64)
    return np.searchsorted(edges, whole, side="right").astype(np.intp)


class VectorCard:
    """A scorecard compiled once, then applied to columns of any length."""

    def __init__(self, card: Scorecard) -> None:
        self.card = card
        self._numeric: dict[str, _Numeric] = {}
        for a in card.attributes:
            if a.kind != "numeric":
                continue
            table = [b.points for b in a.bins] + [a.missing_points] + \
                [s.points for s in a.special for _ in s.values]
            specials = tuple(float(v) for s in a.special for v in s.values)
            edges = np.asarray([b.upper for b in a.bins[:-1]], dtype=np.float64)
            self._numeric[a.name] = _Numeric(
                a, edges, np.asarray(table, dtype=np.int32), specials, a.bins[0].lower,
                _lookup(a, edges))

    def points(self, name: str, column: np.ndarray | None, n: int) -> np.ndarray:
        attr = next(a for a in self.card.attributes if a.name == name)
        if column is None:
            return np.full(n, attr.missing_points, dtype=np.int32)
        compiled = self._numeric.get(name)
        if compiled is not None:
            try:
                values = np.asarray(column, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise OutOfDomain(name, str(exc)) from exc
            return compiled.points(values)
        lookup = {v: c.points for c in attr.categories for v in c.values}
        out = np.empty(n, dtype=np.int32)
        for i, v in enumerate(column):
            if v is None or (isinstance(v, float) and v != v):
                out[i] = attr.missing_points
            elif v in lookup:
                out[i] = lookup[v]
            else:
                raise OutOfDomain(attr.name, v)
        return out

    def score(self, columns: Mapping[str, np.ndarray], n: int | None = None) -> np.ndarray:
        """Integer scores clipped to the scale; an attribute absent from ``columns`` is missing."""
        if n is None:
            n = len(next(iter(columns.values())))
        total = np.full(n, self.card.intercept_points, dtype=np.int32)
        for a in self.card.attributes:
            total += self.points(a.name, columns.get(a.name), n)
        np.clip(total, self.card.scaling.min, self.card.scaling.max, out=total)
        return total
