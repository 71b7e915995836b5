"""The scorecard compiled to arrays: the batch engines.

Each numeric attribute becomes a sorted edge array and one points table laid out as
``[bin 0 .. bin k-1, missing, special 1 .. special m]``. Two engines apply them:

- ``"compiled"`` (the default when numba is installed): one kernel (``_kernel.py``) bins every
  numeric attribute of a chunk of rows, adds the points and clips, in one pass over the columns;
- ``"numpy"``: per attribute, one ``searchsorted`` (or a table look-up for count attributes), a
  few masks and one gather, accumulated in place into the total; also what ``points`` uses.

Pair rows (2-D bins) are added after the attribute rows, by NumPy in both engines: each axis
is binned with one ``searchsorted`` and the cell's points gathered from the flat grid (a missing
value on either axis gives the row's missing points); the total is clipped after them.

Results are identical to the reference scorer's (``reference.score_attributes``), out-of-domain
values and unseen categories included: they raise ``OutOfDomain`` rather than being scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from openbureau.scoring import _kernel
from openbureau.scoring.reference import OutOfDomain
from openbureau.scoring.spec import AttributeCard, PairCard, Scorecard


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
        points: np.ndarray = self.table[idx]
        return points

    def kernel_args(self) -> _kernel.Attribute:
        """This attribute as ``_kernel.plan`` takes it."""
        n_bins = len(self.edges) + 1
        low, high = self.low, self.attr.domain_max
        return (self.edges, self.table[:n_bins], int(self.table[n_bins]),
                [(v, int(self.table[n_bins + 1 + j])) for j, v in enumerate(self.specials)],
                -np.inf if low is None else low, np.inf if high is None else high)

    @property
    def low(self) -> float | None:
        """The lowest value scored by a bin: the domain's minimum or the first bin's bound."""
        a = self.attr
        return a.domain_min if self.lowest is None else (
            self.lowest if a.domain_min is None else max(a.domain_min, self.lowest))

    def _check_domain(self, x: np.ndarray, special: np.ndarray | None) -> None:
        a = self.attr
        bad = np.isinf(x)
        lo = self.low
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
    """A scorecard compiled once, then applied to columns of any length.

    ``engine`` is how :meth:`score` runs: ``"compiled"``, ``"numpy"`` (see the module docstring)
    or ``"auto"``, compiled when numba is installed. Both give the reference's scores and refusals.
    """

    def __init__(self, card: Scorecard, engine: str = "auto") -> None:
        if engine not in ("auto", "compiled", "numpy"):
            raise ValueError(f"engine must be 'auto', 'compiled' or 'numpy', got {engine!r}")
        kernel = None if engine == "numpy" else _kernel.compiled()
        if engine == "compiled" and kernel is None:
            raise RuntimeError("the compiled engine needs numba, which is not installed")
        self.card = card
        self.engine = "numpy" if kernel is None else "compiled"
        self._kernel = kernel
        self._numeric: dict[str, _Numeric] = {}
        self._plans: dict[tuple[str, ...], tuple[np.ndarray, ...]] = {}
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

    def pair_points(self, pair: PairCard, x: np.ndarray | None, y: np.ndarray | None,
                    n: int) -> np.ndarray:
        """A pair row's points; an absent column is missing."""
        if x is None or y is None:
            return np.full(n, pair.missing_points, dtype=np.int32)
        xs, ys = _floats(pair.x, x), _floats(pair.y, y)
        i = np.searchsorted(np.asarray(pair.x_edges, dtype=np.float64), xs, side="right")
        j = np.searchsorted(np.asarray(pair.y_edges, dtype=np.float64), ys, side="right")
        grid = np.asarray(pair.points, dtype=np.int32).ravel()
        cells = np.minimum(i * (len(pair.y_edges) + 1) + j, len(grid) - 1)   # NaN: set below
        out: np.ndarray = grid[cells]
        out[np.isnan(xs) | np.isnan(ys)] = pair.missing_points
        return out

    def _pairs_total(self, columns: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        total = np.zeros(n, dtype=np.int32)
        for pair in self.card.pairs:
            total += self.pair_points(pair, columns.get(pair.x), columns.get(pair.y), n)
        return total

    def points(self, name: str, column: np.ndarray | None, n: int) -> np.ndarray:
        attr = next(a for a in self.card.attributes if a.name == name)
        if column is None:
            return np.full(n, attr.missing_points, dtype=np.int32)
        compiled = self._numeric.get(name)
        if compiled is not None:
            return compiled.points(_floats(name, column))
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
        present = [a for a in self.card.attributes
                   if a.name in self._numeric and columns.get(a.name) is not None]
        if self.engine == "numpy" or not present:
            total = np.full(n, self.card.intercept_points, dtype=np.int32)
            for a in self.card.attributes:
                total += self.points(a.name, columns.get(a.name), n)
            if self.card.pairs:
                total += self._pairs_total(columns, n)
            np.clip(total, self.card.scaling.min, self.card.scaling.max, out=total)
            return total
        return self._score_compiled(columns, n, present)

    def _score_compiled(self, columns: Mapping[str, np.ndarray], n: int,
                        present: list[AttributeCard]) -> np.ndarray:
        cols = {}
        for a in present:
            x = np.ascontiguousarray(_floats(a.name, columns[a.name]))
            if len(x) != n:
                raise ValueError(f"{a.name}: {len(x)} values for {n} rows")
            x = x.view()
            x.flags.writeable = False   # all alike (pandas hands out read-only views): one type
            cols[a.name] = x
        plan = self._plan(tuple(cols))
        others = [a for a in self.card.attributes if a.name not in cols]
        base = self.card.intercept_points + sum(
            a.missing_points for a in others if columns.get(a.name) is None)
        categorical = {a.name for a in others if columns.get(a.name) is not None}
        s = self.card.scaling
        late = bool(categorical) or bool(self.card.pairs)    # rows added after the kernel
        lo, hi = (np.iinfo(np.int32).min, np.iinfo(np.int32).max) if late else (s.min, s.max)
        total = np.empty(n, dtype=np.int32)
        bad = np.zeros(len(present), dtype=np.int64)
        assert self._kernel is not None
        self._kernel(tuple(cols.values()), n, base, lo, hi, *plan, total, bad)
        # refuse in the card's order, naming the first row, as the NumPy engine does
        refused = {name for name, count in zip(cols, bad, strict=True) if count}
        for a in self.card.attributes:
            if a.name in refused:
                self._numeric[a.name].points(cols[a.name])      # raises OutOfDomain
                raise RuntimeError(f"{a.name}: the kernel and NumPy disagree on the domain")
            if a.name in categorical:
                total += self.points(a.name, columns[a.name], n)
        if self.card.pairs:
            total += self._pairs_total(columns, n)
        if late:
            np.clip(total, s.min, s.max, out=total)
        return total

    def _plan(self, names: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        """The named numeric attributes as the kernel's arrays (see ``_kernel.plan``)."""
        if names not in self._plans:
            self._plans[names] = _kernel.plan([self._numeric[name].kernel_args() for name in names])
        return self._plans[names]


def _floats(name: str, column: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise OutOfDomain(name, str(exc)) from exc
