"""Pair rows: interactions of two attributes as 2-D bins in integer points, fitted on top of the
attribute rows.

The rule (its numbers are ``ScorecardTrainer``'s ``pairs``, ``pair_C``, ``pair_inner_size`` and
``pair_random_state``):

- *Candidates*: pairs of count attributes (``CANDIDATES``: late-payment counts, open trades,
  real-estate trades). A count is never missing on a file, so a pair row's missing cell is never
  reached by a file the card scores, and no action can move a file from it.
- *Grid*: the card's own bins on each axis (the 2-D bins are the cells of the two attributes'
  1-D bins: a consumer reads them with the words of the attribute rows).
- *Choice*: every candidate is fitted alone (below, with the attribute rows' log-odds as a
  fixed offset) on an inner stratified split of the training rows (``inner_size`` held out,
  ``random_state``); the ``k`` with the largest held-out AUC gain over the attribute rows alone,
  and a gain above ``min_gain``, are kept.
- *Fit*: the chosen pairs' cells are fitted jointly by maximum likelihood (a logistic regression
  on the cells' indicators, L2-penalised with ``C`` as scikit-learn's: loss summed over rows
  plus ``|w|^2 / (2 C)``) under order constraints: along each axis a cell's log-odds of a bad
  outcome never fall below those of its neighbour one bin nearer that attribute's best bins
  (SLSQP). So moving either value towards its best bins (what every attribute row's reason
  asks) never loses points on a pair row; with the attribute row's own gain, the score rises.
  ``monotone_minorant`` then removes any violation left within the solver's tolerance.
- *Calibrated*: one scale of the pairs' log-odds (in [0.05, 1]) and one intercept refitted on
  every training row, so that the card's implied bad rates stay true to the data (a positive
  scale keeps the order).
- *Backfitting* (``ScorecardTrainer``): the attribute rows' coefficients are refitted once with
  the pairs' log-odds fixed (kept of the sign that keeps every row's trend), then the chosen
  pairs are refitted on top of them.
- *Points*: ``round(-factor * w)`` shifted so the best cell gives 0 (the shift goes to the
  intercept): every other cell is points lost against it.
- *Reasons*: a cell below the best that lies off the best bins on an axis gives that pair's
  reason for which axes do (x, y or both), in the attribute rows' words.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from openbureau.scoring.pair_words import ADVICE, NOUNS, PHRASES
from openbureau.scoring.spec import AttributeCard, PairCard

CANDIDATES: tuple[str, ...] = ("dpd_30_59_24m", "dpd_60_89_24m", "dpd_90_plus_24m",
                               "open_trades", "real_estate_trades")

def grid_edges(attr: AttributeCard) -> tuple[float, ...]:
    """The inner edges of an attribute row's bins: the pair grid's edges on that axis."""
    return tuple(float(b.upper) for b in attr.bins[:-1] if b.upper is not None)


def _peak(attr: AttributeCard) -> tuple[int, int]:
    top = max(b.points for b in attr.bins)
    best = [i for i, b in enumerate(attr.bins) if b.points == top]
    return best[0], best[-1]


def _side(attr: AttributeCard, i: int) -> str | None:
    first, last = _peak(attr)
    return "low" if i < first else "high" if i > last else None


def monotone_minorant(table: np.ndarray, x_peak: tuple[int, int],
                      y_peak: tuple[int, int]) -> np.ndarray:
    """The largest table below ``table`` in which no cell exceeds its neighbour one step nearer
    the peak block ``x_peak`` x ``y_peak`` along either axis."""
    out = np.array(table, dtype=float)
    nx, ny = out.shape

    def inner(i: int, peak: tuple[int, int]) -> int | None:
        return i + 1 if i < peak[0] else i - 1 if i > peak[1] else None

    # every constraint points one step nearer the peak: visiting cells by their distance from
    # the peak block settles each after the cells it depends on
    def distance(cell: tuple[int, int]) -> int:
        i, j = cell
        return (max(x_peak[0] - i, 0, i - x_peak[1]) + max(y_peak[0] - j, 0, j - y_peak[1]))

    for i, j in sorted(itertools.product(range(nx), range(ny)), key=distance):
        ii, jj = inner(i, x_peak), inner(j, y_peak)
        if ii is not None:
            out[i, j] = min(out[i, j], out[ii, j])
        if jj is not None:
            out[i, j] = min(out[i, j], out[i, jj])
    return out


def cell_index(edges: Sequence[float], x: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(edges, dtype=float), x, side="right")


def order_constraints(shape: tuple[int, int], x_peak: tuple[int, int],
                      y_peak: tuple[int, int]) -> list[tuple[int, int]]:
    """(outer, inner) flat cell indices: each cell and its neighbour one step nearer the peak."""
    out = []
    for i in range(shape[0]):
        for j in range(shape[1]):
            ii = i + 1 if i < x_peak[0] else i - 1 if i > x_peak[1] else None
            jj = j + 1 if j < y_peak[0] else j - 1 if j > y_peak[1] else None
            if ii is not None:
                out.append((i * shape[1] + j, ii * shape[1] + j))
            if jj is not None:
                out.append((i * shape[1] + j, i * shape[1] + jj))
    return out


def fit_cells(offset: np.ndarray, y: np.ndarray, cells: Sequence[np.ndarray],
              sizes: Sequence[int], C: float,
              order: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[np.ndarray]:
    """Per pair, a log-odds (of a bad outcome) per cell: a logistic regression on the cells'
    indicators with ``offset`` fixed, L2 penalty ``1 / (2 C)``; by L-BFGS, or with ``order``
    (per pair, (outer, inner) cells whose log-odds must not fall outward) by SLSQP."""
    from scipy.optimize import minimize

    starts = np.cumsum([0, *sizes])
    idx = [c + s for c, s in zip(cells, starts[:-1], strict=True)]
    target = np.asarray(y, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = offset + sum(w[k] for k in idx)
        p = expit(z)
        value = float(np.sum(np.logaddexp(0.0, z) - target * z) + w @ w / (2 * C))
        grad = w / C
        for k in idx:
            grad = grad + np.bincount(k, weights=p - target, minlength=len(w))
        return value, grad

    if order is None:
        result = minimize(loss, np.zeros(int(starts[-1])), jac=True, method="L-BFGS-B",
                          options={"maxiter": 500})
    else:
        rows = [(a + s, b + s) for pairs, s in zip(order, starts[:-1], strict=True)
                for a, b in pairs]
        A = np.zeros((len(rows), int(starts[-1])))
        for r, (outer, inner) in enumerate(rows):
            A[r, outer], A[r, inner] = 1.0, -1.0
        result = minimize(loss, np.zeros(int(starts[-1])), jac=True, method="SLSQP",
                          constraints=[{"type": "ineq", "fun": lambda w: A @ w,
                                        "jac": lambda w: A}],
                          options={"maxiter": 300, "ftol": 1e-9})
    return [result.x[a:b].reshape(-1) for a, b in itertools.pairwise(starts)]


@dataclass(frozen=True)
class PairFit:
    x: str
    y: str
    logodds: np.ndarray        # (len(x bins), len(y bins)), of a bad outcome
    gain: float                # held-out AUC gain when chosen alone


def calibrate(offset: np.ndarray, y: np.ndarray, pairs: np.ndarray) -> tuple[float, float]:
    """The scale ``a`` (kept in [0.05, 1]) of the pairs' summed log-odds and the intercept ``b``
    that fit the outcome best with ``offset`` fixed (maximum likelihood)."""
    from scipy.optimize import minimize

    target = np.asarray(y, dtype=float)

    def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
        z = offset + v[0] * pairs + v[1]
        p = expit(z)
        r = p - target
        return float(np.sum(np.logaddexp(0.0, z) - target * z)), np.array(
            [float(r @ pairs), float(r.sum())])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B",
                      bounds=[(0.05, 1.0), (None, None)])
    return float(result.x[0]), float(result.x[1])


Chosen = tuple[float, str, str]       # (held-out gain alone, x, y)


def _cells(cards: Mapping[str, AttributeCard], X: Mapping[str, np.ndarray], a: str, b: str,
           where: np.ndarray) -> tuple[np.ndarray, int]:
    ex, ey = grid_edges(cards[a]), grid_edges(cards[b])
    i, j = cell_index(ex, X[a][where]), cell_index(ey, X[b][where])
    return i * (len(ey) + 1) + j, (len(ex) + 1) * (len(ey) + 1)


def choose(cards: Mapping[str, AttributeCard], X: Mapping[str, np.ndarray], y: np.ndarray,
           offset: np.ndarray, k: int, C: float, inner_size: float, random_state: int,
           min_gain: float = 0.0, candidates: Sequence[str] = CANDIDATES) -> list[Chosen]:
    """The module's rule: each candidate pair fitted alone on an inner split of the rows and
    measured on the rest; the ``k`` with the largest held-out AUC gain above ``min_gain``.
    ``offset`` is the attribute rows' log-odds of a bad outcome on every row."""
    from sklearn.model_selection import train_test_split

    from openbureau.modelling.evaluate import auc

    names = [n for n in candidates if n in cards]
    fit_rows, val_rows = train_test_split(np.arange(len(y)), test_size=inner_size, stratify=y,
                                          random_state=random_state)
    base_auc = auc(y[val_rows], -offset[val_rows])
    gains = []
    for a, b in itertools.combinations(names, 2):
        c_fit, size = _cells(cards, X, a, b, fit_rows)
        (w,) = fit_cells(offset[fit_rows], y[fit_rows], [c_fit], [size], C)
        c_val, _ = _cells(cards, X, a, b, val_rows)
        gains.append((auc(y[val_rows], -(offset[val_rows] + w[c_val])) - base_auc, a, b))
    gains.sort(key=lambda g: (-g[0], g[1], g[2]))
    return [g for g in gains[:k] if g[0] > min_gain]


def fit_chosen(cards: Mapping[str, AttributeCard], X: Mapping[str, np.ndarray], y: np.ndarray,
               offset: np.ndarray, chosen: Sequence[Chosen], C: float
               ) -> tuple[list[PairFit], float, np.ndarray]:
    """The chosen pairs fitted jointly on every row, monotone towards the best bins, then
    calibrated. Returns the pairs (log-odds of a bad outcome per cell), the intercept (log-odds)
    to add, and the pairs' log-odds on each row (intercept included)."""
    rows = np.arange(len(y))
    built = [_cells(cards, X, a, b, rows) for _, a, b in chosen]
    shapes = [(len(grid_edges(cards[a])) + 1, len(grid_edges(cards[b])) + 1)
              for _, a, b in chosen]
    order = [order_constraints(shape, _peak(cards[a]), _peak(cards[b]))
             for shape, (_, a, b) in zip(shapes, chosen, strict=True)]
    weights = fit_cells(offset, y, [c for c, _ in built], [s for _, s in built], C, order)
    tables = [-monotone_minorant(-w.reshape(shape), _peak(cards[a]), _peak(cards[b]))
              for (_, a, b), w, shape in zip(chosen, weights, shapes, strict=True)]
    summed = sum((t.ravel()[c] for t, (c, _) in zip(tables, built, strict=True)),
                 np.zeros(len(rows)))
    scale, intercept = calibrate(offset, y, summed)
    fits = [PairFit(a, b, scale * t, gain)
            for (gain, a, b), t in zip(chosen, tables, strict=True)]
    return fits, intercept, scale * summed + intercept


def refit_attributes(woe: np.ndarray, y: np.ndarray, offset: np.ndarray, C: float
                     ) -> tuple[np.ndarray, float]:
    """The attribute rows' coefficients (kept <= 0: optbinning's WoE grows as risk falls, so
    every row's points keep their trend) and intercept, refitted with the pairs' log-odds
    ``offset`` fixed: scikit-learn's L2-penalised logistic regression, with an offset."""
    from scipy.optimize import minimize

    target = np.asarray(y, dtype=float)
    n = woe.shape[1]

    def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
        z = offset + woe @ v[:n] + v[n]
        r = expit(z) - target
        value = float(C * np.sum(np.logaddexp(0.0, z) - target * z) + v[:n] @ v[:n] / 2)
        return value, np.append(C * (woe.T @ r) + v[:n], C * r.sum())

    result = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B",
                      bounds=[(None, 0.0)] * n + [(None, None)])
    return result.x[:n].copy(), float(result.x[n])


def _text(fit: PairFit, sx: str | None, sy: str | None) -> str:
    if sx is not None and sy is not None:
        first = PHRASES[fit.x][sx]
        return (f"{first[0].upper()}{first[1:]}, together with {PHRASES[fit.y][sy]}: the "
                f"combination costs points beyond each on its own. {ADVICE[fit.x][sx]}")
    name, side = (fit.x, sx) if sx is not None else (fit.y, sy)
    assert side is not None
    phrase = PHRASES[name][side]
    other = fit.y if sx is not None else fit.x
    return (f"{phrase[0].upper()}{phrase[1:]}. With the file's {NOUNS[other]} as they are, "
            f"this costs more points than on its own. {ADVICE[name][side]}")


def to_pair_card(fit: PairFit, cards: Mapping[str, AttributeCard], factor: float,
                 codes: Callable[[], str]) -> tuple[PairCard, float]:
    """The fitted pair as a row of integer points with its reasons, and the shift (points) that
    goes to the intercept. ``codes()`` hands out the next free reason code."""
    ax, ay = cards[fit.x], cards[fit.y]
    points_f = monotone_minorant(-factor * fit.logodds, _peak(ax), _peak(ay))
    shift = float(points_f.max())
    points = np.rint(points_f - shift).astype(int)
    top = int(points.max())
    by_text: dict[str, str] = {}
    reasons: list[list[str | None]] = []
    for i in range(points.shape[0]):
        row: list[str | None] = []
        for j in range(points.shape[1]):
            sx, sy = _side(ax, i), _side(ay, j)
            if points[i, j] >= top or (sx is None and sy is None):
                row.append(None)
                continue
            text = _text(fit, sx, sy)
            if text not in by_text:
                by_text[text] = codes()
            row.append(by_text[text])
        reasons.append(row)
    texts = {code: text for text, code in by_text.items()}
    card = PairCard(name=f"{fit.x}_with_{fit.y}", x=fit.x, y=fit.y, x_edges=grid_edges(ax),
                    y_edges=grid_edges(ay),
                    points=tuple(tuple(int(p) for p in r) for r in points),
                    missing_points=0, reasons=tuple(tuple(r) for r in reasons),
                    reason_texts=texts)
    return card, shift


def reason_codes(used: Sequence[str], start: int = 20) -> Callable[[], str]:
    """Fresh reason codes from R<start>, skipping ``used``."""
    taken = set(used)
    counter = itertools.count(start)

    def fresh() -> str:
        while True:
            code = f"R{next(counter):02d}"
            if code not in taken:
                taken.add(code)
                return code
    return fresh

