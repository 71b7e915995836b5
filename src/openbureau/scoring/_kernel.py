"""The card's numeric attributes scored in one compiled pass (numba): the batch engine's fast path.

One generic kernel for every card, compiled on first use and cached on disk: the card enters as
the flat arrays :func:`plan` builds, the columns as a tuple of float64 arrays. Rows go through in
chunks that stay in the L1 cache; in a chunk each attribute's points are worked out, then added to
the chunk's totals, which are clipped at the end. One thread. The loops have no branch on the data
and index only slices, so LLVM turns them into SIMD code.

An attribute's points are those of its first bin plus, for every edge ``<= x``, the step from the
bin below the edge to the bin above it: one comparison per edge, no search and no look-up (bins
are ``[lower, upper)``, so this is ``searchsorted(edges, x, side="right")``, exactly). Past
``MAX_COMPARE`` edges a branch-free binary search into the points is cheaper and is used instead.
Then a special value's points replace the bin's (one select per special value) and a missing
value (NaN) gets the missing points. A value outside the domain, or infinite, and not special is
counted per attribute; the caller refuses the batch when any is, naming the first such row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

CHUNK = 1024        # rows: a column's chunk, the points and the totals stay in L1
MAX_COMPARE = 48    # edges; an attribute with more is binned by a binary search
COMPARE, SEARCH = 0, 1

# an attribute as plan() takes it: (edges, points of each bin, missing points,
# ((special value, points), ...), lowest value in the domain, highest; -inf/inf if unbounded)
Attribute = tuple[np.ndarray, np.ndarray, int, Sequence[tuple[float, int]], float, float]


def plan(attributes: Sequence[Attribute], max_compare: int = MAX_COMPARE
         ) -> tuple[np.ndarray, ...]:
    """The kernel's arrays for ``attributes``, in the kernel's argument order after ``smax``."""
    iparams: list[tuple[int, ...]] = []
    bounds: list[tuple[float, float]] = []
    edges: list[np.ndarray] = []
    points: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    svalues: list[float] = []
    spoints: list[int] = []
    soutside: list[bool] = []
    at = 0
    for e, p, missing, specials, low, high in attributes:
        kind = COMPARE if len(e) <= max_compare else SEARCH
        iparams.append((kind, at, len(e), missing, len(svalues), len(specials)))
        bounds.append((low, high))
        edges.append(np.append(np.asarray(e, dtype=np.float64), np.inf))  # stops the search
        points.append(np.asarray(p, dtype=np.int32))
        steps.append(np.append(np.diff(np.asarray(p, dtype=np.int32)), 0))
        for value, pts in specials:
            svalues.append(value)
            spoints.append(pts)
            soutside.append(not low <= value <= high)
        at += len(e) + 1
    return (np.asarray(iparams, dtype=np.int64).reshape(-1, 6),
            np.asarray(bounds, dtype=np.float64).reshape(-1, 2),
            np.concatenate(edges), np.concatenate(points).astype(np.int32),
            np.concatenate(steps).astype(np.int32), np.asarray(svalues, dtype=np.float64),
            np.asarray(spoints, dtype=np.int32), np.asarray(soutside, dtype=np.int32))


def _score_rows(cols: Any, n: int, base: int, smin: int, smax: int, iparams: Any, bounds: Any,
                edges: Any, points: Any, steps: Any, svalues: Any, spoints: Any, soutside: Any,
                out: Any, nbad: Any) -> None:  # pragma: no cover - compiled; tested through it
    inf = np.inf
    pts = np.empty(CHUNK, dtype=np.int32)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        m = stop - start
        o = out[start:stop]
        for i in range(m):
            o[i] = base
        for j in range(len(cols)):
            col = cols[j][start:stop]
            kind, at, ne, missing, s0, ns = (iparams[j, 0], iparams[j, 1], iparams[j, 2],
                                             iparams[j, 3], iparams[j, 4], iparams[j, 5])
            low, high = bounds[j, 0], bounds[j, 1]
            if kind == COMPARE:
                p0 = points[at]
                for i in range(m):
                    pts[i] = p0
                for k in range(at, at + ne):
                    edge = edges[k]
                    step = steps[k]
                    for i in range(m):
                        p = pts[i]
                        pts[i] = p + step if col[i] >= edge else p
            else:
                for i in range(m):
                    x = col[i]
                    b = at
                    w = ne
                    while w > 1:        # how many edges are <= x, without a branch on x
                        half = w >> 1
                        b = b + half if edges[b + half] <= x else b
                        w -= half
                    b += edges[b] <= x
                    pts[i] = points[b]
            bad = 0
            for s in range(s0, s0 + ns):
                value = svalues[s]
                sp = spoints[s]
                outside = soutside[s]
                for i in range(m):
                    hit = col[i] == value
                    p = pts[i]
                    pts[i] = sp if hit else p
                    bad -= hit & outside        # a special value is never out of domain
            for i in range(m):
                x = col[i]
                p = pts[i]
                o[i] += missing if x != x else p
                bad += (x < low) | (x > high) | (x == inf) | (x == -inf)
            nbad[j] += bad
        for i in range(m):
            v = o[i]
            v = v if v > smin else smin
            o[i] = v if v < smax else smax


@functools.cache
def compiled() -> Callable[..., None] | None:
    """The kernel, compiled (or loaded from numba's on-disk cache) on first call; None without
    numba. Importing numba is deferred to here: it takes a fraction of a second."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; the NumPy engine remains
        return None
    return numba.njit(cache=True, nogil=True)(_score_rows)
