"""The peers' side of bench/scoring.py; runs in bench/.peers-venv, never imports openbureau.

    python run_peers.py --card CARD.json --train TRAIN.parquet --rows ROWS.parquet [--rows ...]
                        --out DIR [--sample N] [--only optbinning,toad,scorecardpy]

Each library gets a scorecard with the card's own bins and integer points:

- optbinning: a ``BinningProcess`` fitted on the GMSC attribute rows (TRAIN) with user splits
  equal to the card's edges, all fixed, and the card's special codes; a ``Scorecard`` fitted on
  it, whose points table (bins, Special, Missing per variable) and intercept are then replaced
  by the card's, so ``Scorecard.score`` adds up exactly the card's points.
- toad: ``ScoreCard().load`` of a card dict with the card's edges as ``[a ~ b)`` bins plus a
  ``nan`` bin (missing points); the card's intercept is added to the first attribute's points.
  toad has no special values: 96/98 fall into the last bin (differs by design).
- scorecardpy: a card dict (``basepoints`` + per variable ``[a,b)`` bins, ``missing``, and the
  special values as one ``96%,%98`` bin) applied with ``scorecard_ply``. Its special values
  match only integer columns, so the count columns are cast to int64 first (untimed).

Prints one JSON object: library versions, seconds per (peer, rows), errors; writes each peer's
raw scores for the first ``--sample`` rows of each ROWS file to DIR/<peer>-<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PEERS = ("optbinning", "toad", "scorecardpy")
LABEL = "bad"


def _edges(attr: dict[str, Any]) -> list[float]:
    return [float(b["upper"]) for b in attr["bins"][:-1]]


def _specials(attr: dict[str, Any]) -> list[tuple[list[float], int]]:
    return [([float(v) for v in s["values"]], int(s["points"])) for s in attr.get("special", [])]


# --------------------------------------------------------------------------- optbinning


def build_optbinning(card: dict[str, Any], train: pd.DataFrame) -> Any:
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    attrs = card["attributes"]
    names = [a["name"] for a in attrs]
    params = {}
    for a in attrs:
        edges = _edges(a)
        p: dict[str, Any] = {"user_splits": edges, "user_splits_fixed": [True] * len(edges),
                             "monotonic_trend": None, "min_prebin_size": 1e-6,
                             "min_bin_size": None, "max_pvalue": None}
        codes = [v for values, _ in _specials(a) for v in values]
        if codes:
            p["special_codes"] = codes
        params[a["name"]] = p
    process = BinningProcess(names, binning_fit_params=params)
    sc = Scorecard(process, LogisticRegression(max_iter=1000), scaling_method=None)
    sc.fit(train[names], train[LABEL].to_numpy())
    table = sc._df_scorecard
    points = []
    for a in attrs:
        binned = sc.binning_process_.get_binned_variable(a["name"])
        if [float(s) for s in binned.splits] != _edges(a):
            raise RuntimeError(f"optbinning did not keep the card's splits for {a['name']}")
        specials = _specials(a)
        if len(specials) > 1:
            raise RuntimeError("one special group per attribute only")
        special_points = specials[0][1] if specials else a["missing_points"]
        rows = [b["points"] for b in a["bins"]] + [special_points, a["missing_points"]]
        if int((table.Variable == a["name"]).sum()) != len(rows):
            raise RuntimeError(f"optbinning's table for {a['name']} has another shape")
        points += rows
    sc._df_scorecard = table.assign(Points=np.asarray(points, dtype=float))
    sc.intercept_ = float(card["intercept_points"])
    return lambda X: sc.score(X)


# --------------------------------------------------------------------------- toad


def _toad_bins(attr: dict[str, Any], add: int) -> dict[str, float]:
    bounds = ["-inf", *[repr(e) for e in _edges(attr)], "inf"]
    out = {f"[{bounds[i]} ~ {bounds[i + 1]})": float(b["points"] + add)
           for i, b in enumerate(attr["bins"])}
    out["nan"] = float(attr["missing_points"] + add)
    return out


def build_toad(card: dict[str, Any], train: pd.DataFrame) -> Any:
    import toad

    attrs = card["attributes"]
    rules = {a["name"]: _toad_bins(a, card["intercept_points"] if i == 0 else 0)
             for i, a in enumerate(attrs)}
    sc = toad.ScoreCard()
    sc.load(rules)
    names = [a["name"] for a in attrs]
    return lambda X: sc.predict(X[names])


# --------------------------------------------------------------------------- scorecardpy


def build_scorecardpy(card: dict[str, Any], train: pd.DataFrame) -> Any:
    import scorecardpy as sc

    table: dict[str, pd.DataFrame] = {"basepoints": pd.DataFrame(
        {"variable": ["basepoints"], "bin": [None], "points": [card["intercept_points"]]})}
    for a in card["attributes"]:
        bounds = [-np.inf, *_edges(a), np.inf]
        bins = [f"[{float(bounds[i])},{float(bounds[i + 1])})" for i in range(len(a["bins"]))]
        points = [b["points"] for b in a["bins"]]
        for values, pts in _specials(a):
            bins.append("%,%".join(str(int(v)) if v.is_integer() else str(v) for v in values))
            points.append(pts)
        bins.append("missing")
        points.append(a["missing_points"])
        table[a["name"]] = pd.DataFrame({"variable": a["name"], "bin": bins, "points": points})
    integral = [a["name"] for a in card["attributes"] if a.get("special")]

    def prepare(X: pd.DataFrame) -> pd.DataFrame:
        cast = {c: "int64" for c in integral if not X[c].isna().any()}
        return X.astype(cast)

    def score(X: pd.DataFrame) -> np.ndarray:
        out = sc.scorecard_ply(X, table, only_total_score=True, print_step=0)
        return out["score"].to_numpy()

    score.prepare = prepare  # type: ignore[attr-defined]
    return score


BUILDERS = {"optbinning": build_optbinning, "toad": build_toad, "scorecardpy": build_scorecardpy}


def _version(pkg: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--card", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--rows", action="append", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--only", default=",".join(PEERS))
    parser.add_argument("--budget", type=float, default=120.0,
                        help="skip a peer on a later file if it would take longer (seconds)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    card = json.loads(Path(args.card).read_text())
    train = pd.read_parquet(args.train)
    out_dir = Path(args.out)
    report: dict[str, Any] = {
        "versions": {p: _version(p) for p in (*PEERS, "pandas", "numpy", "scikit-learn")},
        "seconds": {}, "errors": {}, "skipped": {}, "build_seconds": {}}
    peers = [p for p in args.only.split(",") if p]
    scorers: dict[str, Any] = {}
    for peer in peers:
        t = time.perf_counter()
        try:
            scorers[peer] = BUILDERS[peer](card, train)
        except Exception as exc:  # noqa: BLE001 - a peer that cannot be built is reported
            report["errors"][peer] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        report["build_seconds"][peer] = time.perf_counter() - t
    first: dict[str, float] = {}          # rows/s on the first file, to skip hopeless sizes
    for path in args.rows:
        X = pd.read_parquet(path)
        n = len(X)
        repeats = 3 if n <= 1_000_000 else 1
        for peer, fn in scorers.items():
            if peer in first and n / first[peer] > args.budget:
                report["skipped"][f"{peer}@{n}"] = (
                    f"projected {n / first[peer]:.0f} s from the first size")
                continue
            data = fn.prepare(X) if hasattr(fn, "prepare") else X
            try:
                best, scores = float("inf"), None
                for _ in range(repeats):
                    t = time.perf_counter()
                    scores = fn(data)
                    best = min(best, time.perf_counter() - t)
                    if best > 20:
                        break
            except Exception as exc:  # noqa: BLE001
                report["errors"][f"{peer}@{n}"] = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                continue
            report["seconds"].setdefault(peer, {})[str(n)] = best
            first.setdefault(peer, n / best)
            sample = np.asarray(scores, dtype=float)[:args.sample]
            (out_dir / f"{peer}-{n}.json").write_text(json.dumps(
                [None if np.isnan(v) else v for v in sample.tolist()]))
            print(f"peer {peer} on {n:,} rows: {best:.2f} s", flush=True, file=sys.stderr)
            del scores, data
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
