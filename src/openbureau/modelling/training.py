"""Training: optbinning bins + logistic regression on WoE -> an integer-points scorecard spec.

``ScorecardTrainer`` follows scikit-learn's estimator contract (parameters only in ``__init__``,
``fit`` returns ``self``, learned state ends in ``_``) and turns its fit into a
:class:`~openbureau.scoring.spec.Scorecard` with ``to_spec``. ``train_main`` is what
``openbureau model train`` runs on the Give Me Some Credit data.

Scaling: log-odds are turned into points with ``factor = pdo / ln 2`` and
``offset = base_score - factor * ln(base_odds)``, so a subject whose predicted good:bad odds are
``base_odds`` scores ``base_score`` and every ``pdo`` points doubles the odds. Each bin's points
are ``round(-factor * coef * woe)``; the intercept carries ``round(offset - factor * intercept)``.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from openbureau.modelling.pairs import CANDIDATES as PAIR_CANDIDATES
from openbureau.scoring.spec import (
    PROHIBITED_INPUTS,
    SCORE_MAX,
    SCORE_MIN,
    AttributeCard,
    Bin,
    Scaling,
    Scorecard,
    SpecError,
    SpecialValue,
    validate,
)

LABEL = "SeriousDlqin2yrs"

#: GMSC column -> openbureau attribute (the derived ones are documented in gmsc_to_attributes).
GMSC_COLUMNS: dict[str, str] = {
    "RevolvingUtilizationOfUnsecuredLines": "revolving_utilization",
    "NumberOfTime30-59DaysPastDueNotWorse": "dpd_30_59_24m",
    "NumberOfTime60-89DaysPastDueNotWorse": "dpd_60_89_24m",
    "NumberOfTimes90DaysLate": "dpd_90_plus_24m",
    "NumberOfOpenCreditLinesAndLoans": "open_trades",
    "NumberRealEstateLoansOrLines": "real_estate_trades",
    "DebtRatio": "debt_ratio",
    "MonthlyIncome": "monthly_income",
}
#: Columns of GMSC that are never model inputs (DESIGN.md, "The line it does not cross").
EXCLUDED_INPUTS: tuple[str, ...] = ("age", "NumberOfDependents")

DPD_ATTRIBUTES = ("dpd_30_59_24m", "dpd_60_89_24m", "dpd_90_plus_24m")
COUNT_ATTRIBUTES = (*DPD_ATTRIBUTES, "open_trades", "real_estate_trades")
MODEL_ATTRIBUTES: tuple[str, ...] = (
    "revolving_utilization", *DPD_ATTRIBUTES, "open_trades", "real_estate_trades",
    "debt_ratio", "monthly_income", "monthly_debt_payments",
)

# Risk shapes a consumer can act on, checked against the data: late payments, debt payments,
# the debt ratio and the number of real-estate loans only ever cost points as they grow, income
# only ever gains; light revolving use scores better than none and than heavy use, and a few
# trades better than none or very many (both valleys are in the data and are explained in the
# model card; each side has its own reason). No mortgage is not penalised (the data says one is
# a little better than none: a home-ownership proxy, which also tracks age).
DEFAULT_TRENDS: dict[str, str] = {
    "revolving_utilization": "valley",
    "dpd_30_59_24m": "ascending",
    "dpd_60_89_24m": "ascending",
    "dpd_90_plus_24m": "ascending",
    "open_trades": "valley",
    "real_estate_trades": "ascending",
    "debt_ratio": "ascending",
    "monthly_income": "descending",
    "monthly_debt_payments": "ascending",
}

#: Stable reason codes per attribute and per side of its best bin: ``high`` (the value is above
#: the best bin), ``low`` (below it), ``missing`` (no value). The text says what is true of the
#: file and what would improve the score. No ``missing`` reason for income or the debt ratio:
#: what reporting an income does depends on the income.
SIDE_REASONS: dict[str, dict[str, tuple[str, str]]] = {
    "revolving_utilization": {
        "high": ("R01", "Balances on revolving accounts (such as credit cards) are a larger "
                        "share of their credit limits than in the best-scoring files. Paying "
                        "balances down helps."),
        "low": ("R10", "Revolving accounts (such as credit cards) show little or no use: "
                       "balances are a smaller share of their limits than in the best-scoring "
                       "files. Using one for some purchases and paying it on time helps."),
        "missing": ("R11", "No open revolving account (such as a credit card) with a credit "
                           "limit. A revolving account used lightly and paid on time helps."),
    },
    "dpd_30_59_24m": {"high": (
        "R02", "Payments 30 to 59 days late in the last 24 months. Paying every account on time "
               "helps; late payments stop counting here after 24 months.")},
    "dpd_60_89_24m": {"high": (
        "R03", "Payments 60 to 89 days late in the last 24 months. Paying every account on time "
               "helps; late payments stop counting here after 24 months.")},
    "dpd_90_plus_24m": {"high": (
        "R04", "Payments 90 or more days late, or accounts in collection, in the last 24 "
               "months. Bringing accounts up to date and paying on time helps; late payments "
               "stop counting here after 24 months.")},
    "open_trades": {
        "low": ("R05", "Fewer open accounts and loans than in the best-scoring files. "
                       "Accounts kept in good standing over time help."),
        "high": ("R12", "More open accounts and loans than in the best-scoring files. Opening "
                        "no more than you need, and closing accounts you have paid off, "
                        "helps."),
    },
    "real_estate_trades": {"high": (
        "R06", "More mortgages or real-estate loans at the same time than in the "
               "best-scoring files. Paying one off helps.")},
    "debt_ratio": {"high": (
        "R07", "Monthly debt payments are a larger share of monthly income than in the "
               "best-scoring files. Reducing monthly payments helps.")},
    "monthly_income": {"low": (
        "R08", "Reported monthly income is lower than in the best-scoring files. When your "
               "income rises, having the current amount reported helps.")},
    "monthly_debt_payments": {"high": (
        "R09", "Monthly debt payments are higher than in the best-scoring files. Reducing "
               "the amount owed each month helps.")},
}

#: The attribute-level reason (PMML's Characteristic reason code; cards without per-bin
#: reasons): the attribute's main side.
REASONS: dict[str, tuple[str, str]] = {
    name: sides.get("high") or sides["low"] for name, sides in SIDE_REASONS.items()}


def bin_sides(points: Sequence[int]) -> list[str | None]:
    """For each bin, ``low`` / ``high`` when it scores below the best bins and lies before /
    after them, None for a best bin. Raises SpecError when the points are not single-peaked
    (then moving towards the best bin could cost points on the way, and no side is true)."""
    top = max(points)
    first = points.index(top)
    last = len(points) - 1 - points[::-1].index(top)
    rising = all(a <= b for a, b in zip(points[:first], points[1:first + 1], strict=True))
    falling = all(a >= b for a, b in zip(points[last:], points[last + 1:], strict=False))
    if not (rising and falling and all(p == top for p in points[first:last + 1])):
        raise SpecError(f"points {list(points)} are not single-peaked; no reason side is true")
    return ["low" if i < first else "high" if i > last else None for i in range(len(points))]


def gmsc_to_attributes(df: pd.DataFrame) -> pd.DataFrame:
    """Map a frame in the GMSC column format to openbureau attributes (one row per input row).

    - The eight direct columns are renamed per ``GMSC_COLUMNS`` (values unchanged, 96/98
      sentinel codes in the past-due counts kept as they are: the scorecard treats them as
      special values).
    - In GMSC, when ``MonthlyIncome`` is missing, ``DebtRatio`` holds the monthly debt amount, not
      a ratio. So ``debt_ratio`` = DebtRatio only where income is present (else missing), and the
      derived ``monthly_debt_payments`` = DebtRatio * MonthlyIncome where income is present,
      = DebtRatio where it is missing.
    - ``age`` and ``NumberOfDependents`` are dropped: never model inputs.
    """
    missing = [c for c in GMSC_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"not in the GMSC format, missing columns: {missing}")
    income = pd.to_numeric(df["MonthlyIncome"], errors="coerce").astype(float)
    ratio = pd.to_numeric(df["DebtRatio"], errors="coerce").astype(float)
    has_income = income.notna()
    out = pd.DataFrame(
        {attr: pd.to_numeric(df[col], errors="coerce").astype(float)
         for col, attr in GMSC_COLUMNS.items()},
        index=df.index,
    )
    out["debt_ratio"] = ratio.where(has_income)
    out["monthly_debt_payments"] = (ratio * income).where(has_income, ratio)
    return out[list(MODEL_ATTRIBUTES)]


def _gmsc_personal(df: pd.DataFrame) -> pd.DataFrame:
    """Age and dependants, only to *measure* what leaving them out costs. Never shipped."""
    return pd.DataFrame({"age": df["age"].astype(float),
                         "dependants": df["NumberOfDependents"].astype(float)}, index=df.index)


def load_gmsc(path: str | os.PathLike[str]) -> pd.DataFrame:
    return pd.read_csv(path, index_col=0)


# scikit-learn ships no type hints: BaseEstimator is Any to mypy
class ScorecardTrainer(BaseEstimator):  # type: ignore[misc]
    """Bin each attribute with optbinning, fit a logistic regression on the WoE, scale to points.

    ``y`` is 1 for a bad outcome (default). Higher scores mean lower risk.
    """

    def __init__(
        self,
        attributes: Sequence[str] = MODEL_ATTRIBUTES,
        monotonic_trends: Mapping[str, str] | None = None,
        count_attributes: Sequence[str] = COUNT_ATTRIBUTES,
        special_attributes: Sequence[str] = DPD_ATTRIBUTES,
        special_codes: Sequence[float] = (96, 98),
        max_n_prebins: int = 50,
        min_prebin_size: float = 0.02,
        count_min_prebin_size: float = 0.002,
        split_digits: int = 4,
        time_limit: float = 30,
        C: float = 1.0,
        base_score: int = 650,
        base_odds: float = 30.0,
        pdo: int = 40,
        score_min: int = SCORE_MIN,
        score_max: int = SCORE_MAX,
        pairs: int = 0,
        pair_C: float = 0.1,
        pair_inner_size: float = 0.3,
        pair_random_state: int = 7,
    ) -> None:
        self.attributes = attributes
        self.monotonic_trends = monotonic_trends
        self.count_attributes = count_attributes
        self.special_attributes = special_attributes
        self.special_codes = special_codes
        self.max_n_prebins = max_n_prebins
        self.min_prebin_size = min_prebin_size
        self.count_min_prebin_size = count_min_prebin_size
        self.split_digits = split_digits
        self.time_limit = time_limit
        self.C = C
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.score_min = score_min
        self.score_max = score_max
        self.pairs = pairs
        self.pair_C = pair_C
        self.pair_inner_size = pair_inner_size
        self.pair_random_state = pair_random_state

    # ------------------------------------------------------------------------------------ fit

    def _binning(self, name: str) -> Any:
        from optbinning import OptimalBinning

        trends = {**DEFAULT_TRENDS, **(self.monotonic_trends or {})}
        is_count = name in self.count_attributes
        return OptimalBinning(
            name=name, dtype="numerical",
            monotonic_trend=trends.get(name, "auto_heuristic"),
            max_n_prebins=self.max_n_prebins,
            min_prebin_size=self.count_min_prebin_size if is_count else self.min_prebin_size,
            special_codes=list(self.special_codes) if name in self.special_attributes else None,
            split_digits=self.split_digits, time_limit=self.time_limit,
        )

    def fit(self, X: pd.DataFrame, y: Sequence[int] | np.ndarray) -> ScorecardTrainer:
        from sklearn.linear_model import LogisticRegression

        attributes = list(self.attributes)
        absent = [a for a in attributes if a not in X.columns]
        if absent:
            raise ValueError(f"X lacks the attributes {absent}")
        target = np.asarray(y)
        if target.shape[0] != len(X) or not np.isin(target, (0, 1)).all():
            raise ValueError("y must be 0/1 (1 = bad), one label per row of X")
        if target.min() == target.max():
            raise ValueError("y needs both outcomes")
        self.binnings_: dict[str, Any] = {}
        for name in attributes:
            x = X[name].to_numpy(dtype=float)
            if np.isinf(x).any():
                raise ValueError(f"{name}: infinite values")
            self.binnings_[name] = self._binning(name).fit(x, target)
        woe = self._woe(X)
        model = LogisticRegression(C=self.C, max_iter=1000).fit(woe, target)
        self.attributes_ = attributes
        self.coef_ = model.coef_.ravel().copy()
        self.intercept_ = float(model.intercept_[0])
        self.n_features_in_ = len(attributes)
        self.positive_rate_ = float(target.mean())
        self.pair_fits_: list[Any] = []
        self.pair_intercept_ = 0.0
        if self.pairs > 0:
            self.pair_fits_, self.pair_intercept_ = self._fit_pairs(X, target, woe)
        return self

    def _fit_pairs(self, X: pd.DataFrame, target: np.ndarray, woe: np.ndarray
                   ) -> tuple[list[Any], float]:
        """Pair rows by :mod:`openbureau.modelling.pairs`'s rule, on top of the attribute rows;
        then one round of backfitting: the attribute rows' coefficients refitted with the pairs
        fixed, and the pairs refitted with them (the chosen pairs stay)."""
        from openbureau.modelling.pairs import CANDIDATES, choose, fit_chosen, refit_attributes

        def cards() -> dict[str, AttributeCard]:
            return {n: self._attribute_card(n, -self.factor_ * c)
                    for n, c in zip(self.attributes_, self.coef_, strict=True)
                    if n in CANDIDATES}

        columns = {n: X[n].to_numpy(dtype=float) for n in self.attributes_}
        logit = woe @ self.coef_ + self.intercept_
        chosen = choose(cards(), columns, target, logit, k=self.pairs, C=self.pair_C,
                        inner_size=self.pair_inner_size, random_state=self.pair_random_state)
        if not chosen:
            return [], 0.0
        fits, shift, pairs = fit_chosen(cards(), columns, target, logit, chosen, self.pair_C)
        self.coef_, self.intercept_ = refit_attributes(woe, target, pairs, self.C)
        logit = woe @ self.coef_ + self.intercept_
        fits, shift, _ = fit_chosen(cards(), columns, target, logit, chosen, self.pair_C)
        return fits, shift

    def _woe(self, X: pd.DataFrame) -> np.ndarray:
        cols = [
            self.binnings_[name].transform(
                X[name].to_numpy(dtype=float), metric="woe",
                metric_special="empirical", metric_missing="empirical",
            )
            for name in self.binnings_
        ]
        return np.column_stack(cols)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of a bad outcome (unrounded; the spec's integer score is the shipped one)."""
        from openbureau.modelling.pairs import cell_index, grid_edges

        out = np.asarray(self._woe(X) @ self.coef_ + self.intercept_
                         + getattr(self, "pair_intercept_", 0.0))
        for fit in getattr(self, "pair_fits_", []):
            cards = {n: self._attribute_card(n, 1.0) for n in (fit.x, fit.y)}
            i = cell_index(grid_edges(cards[fit.x]), X[fit.x].to_numpy(dtype=float))
            j = cell_index(grid_edges(cards[fit.y]), X[fit.y].to_numpy(dtype=float))
            out = out + fit.logodds[i, j]
        return out

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    # ------------------------------------------------------------------------------------ spec

    @property
    def factor_(self) -> float:
        return self.pdo / math.log(2)

    def to_spec(self, version: str, created_at: str | None = None,
                training: Mapping[str, Any] | None = None) -> Scorecard:
        """The fitted model as a validated integer-points spec. Raises SpecError if it uses a
        personal characteristic (such a model may be fitted to measure its cost, never shipped)."""
        for name in self.attributes_:
            if name.lower() in PROHIBITED_INPUTS:
                raise SpecError(f"{name}: a personal characteristic is never a score input")
            if name not in REASONS:
                raise SpecError(f"{name}: no reason code is defined for this attribute")
        from openbureau.modelling.pairs import reason_codes, to_pair_card

        factor = self.factor_
        offset = self.base_score - factor * math.log(self.base_odds)
        cards = [
            self._attribute_card(name, -factor * coef)
            for name, coef in zip(self.attributes_, self.coef_, strict=True)
        ]
        by_name = {c.name: c for c in cards}
        used = [code for c in cards for _, _, code, _ in c.slots() if code] + \
            [c.reason_code for c in cards]
        fresh = reason_codes(used)
        offset -= factor * getattr(self, "pair_intercept_", 0.0)
        pair_rows = []
        for fit in getattr(self, "pair_fits_", []):
            row, shift = to_pair_card(fit, by_name, factor, fresh)
            pair_rows.append(row)
            offset += shift
        card = Scorecard(
            version=version,
            created_at=created_at or datetime.now(UTC).replace(microsecond=0).isoformat(),
            scaling=Scaling(base_score=self.base_score, base_odds=float(self.base_odds),
                            pdo=self.pdo, min=self.score_min, max=self.score_max),
            intercept_points=round(offset - factor * self.intercept_),
            attributes=tuple(cards),
            training=dict(training or {}),
            pairs=tuple(pair_rows),
        )
        return validate(card)

    def _attribute_card(self, name: str, scale: float) -> AttributeCard:
        ob = self.binnings_[name]
        splits = [float(s) for s in ob.splits]
        if name in self.count_attributes:
            # counts are integers: an edge at 1.5 means "2 or more"
            splits = sorted({float(math.ceil(s)) for s in splits})

        def pts(values: Sequence[float]) -> list[int]:
            woe = ob.transform(np.asarray(values, dtype=float), metric="woe",
                               metric_special="empirical", metric_missing="empirical")
            return [round(scale * float(w)) for w in woe]

        edges: list[float | None] = [None, *splits, None]
        probes = [s - 1.0 for s in splits[:1]] + splits if splits else [0.0]
        bins = tuple(
            Bin(lower=edges[i], upper=edges[i + 1], points=p)
            for i, p in enumerate(pts(probes))
        )
        special: tuple[SpecialValue, ...] = ()
        if name in self.special_attributes and self.special_codes:
            codes = [int(c) if float(c).is_integer() else float(c) for c in self.special_codes]
            special_points = pts(codes)
            if len(set(special_points)) == 1:
                special = (SpecialValue(values=tuple(codes), points=special_points[0]),)
            else:
                special = tuple(SpecialValue(values=(c,), points=p)
                                for c, p in zip(codes, special_points, strict=True))
        code, text = REASONS[name]
        sides = SIDE_REASONS.get(name, {})

        def side(which: str | None) -> tuple[str | None, str | None]:
            found = sides.get(which) if which is not None else None
            return found if found is not None else (None, None)

        bins = tuple(replace(b, reason_code=side(w)[0], reason_text=side(w)[1])
                     for b, w in zip(bins, bin_sides([b.points for b in bins]), strict=True))
        top = max(b.points for b in bins)
        # a sentinel code (GMSC's 96/98: "too many to count") is the worst of late payments
        special = tuple(replace(sv, reason_code=side("high")[0], reason_text=side("high")[1])
                        if sv.points < top else sv for sv in special)
        missing_code, missing_text = side("missing")
        return AttributeCard(
            name=name, kind="numeric", reason_code=code, reason_text=text,
            missing_points=pts([math.nan])[0], bins=bins, special=special,
            domain_min=0.0, domain_max=None, per_bin_reasons=True,
            missing_reason_code=missing_code, missing_reason_text=missing_text,
        )


# ---------------------------------------------------------------------------------- train_main

TEST_SIZE = 0.3
RANDOM_STATE = 42
CV_FOLDS = 5


def _spec_auc(trainer: ScorecardTrainer, X_test: pd.DataFrame, y_test: np.ndarray) -> float:
    from openbureau.modelling.evaluate import auc, score_frame

    return auc(y_test, score_frame(trainer.to_spec("cv"), X_test))


def cross_validated_auc(trainer: ScorecardTrainer, X: pd.DataFrame, y: np.ndarray,
                        n_splits: int = CV_FOLDS, random_state: int = RANDOM_STATE) -> list[float]:
    """AUC of the integer-point spec on each held-out fold (stratified, shuffled)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    out = []
    for fit_idx, test_idx in folds.split(X, y):
        fold = clone(trainer).fit(X.iloc[fit_idx], y[fit_idx])
        out.append(_spec_auc(fold, X.iloc[test_idx], y[test_idx]))
    return out


def optbinning_baseline_auc(df_train: pd.DataFrame, y_train: np.ndarray,
                            df_test: pd.DataFrame, y_test: np.ndarray) -> float:
    """optbinning's default BinningProcess + Scorecard on the raw GMSC columns, age and
    dependants left out: the yardstick the careful binning is measured against."""
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptbScorecard
    from sklearn.linear_model import LogisticRegression

    from openbureau.modelling.evaluate import auc

    columns = list(GMSC_COLUMNS)
    with warnings.catch_warnings():
        # optbinning's binning tables trip pandas' dtype-upcast deprecation; not ours to fix
        warnings.filterwarnings("ignore", module="optbinning")
        warnings.filterwarnings("ignore", message=".*incompatible dtype.*")
        sc = OptbScorecard(BinningProcess(columns), LogisticRegression(max_iter=1000),
                           scaling_method="min_max",
                           scaling_method_params={"min": SCORE_MIN, "max": SCORE_MAX})
        sc.fit(df_train[columns], y_train)
        p_bad = sc.predict_proba(df_test[columns])[:, 1]
    return auc(y_test, -p_bad)


def record_training_shares(card: Scorecard, X_train: pd.DataFrame) -> Scorecard:
    """The card with the share of training rows in each bin and the training score deciles
    (drift baselines, see :mod:`openbureau.scoring.drift`); bins and points unchanged."""
    from openbureau.modelling.evaluate import score_frame
    from openbureau.scoring.drift import with_training_shares

    frame = X_train.astype(object).where(X_train.notna(), None)
    rows = frame.to_dict(orient="records")
    return with_training_shares(card, rows, [int(s) for s in score_frame(card, X_train)])


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("optbinning", "scikit-learn", "pandas", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def train_main(data_path: str | os.PathLike[str], out_spec_path: str | os.PathLike[str],
               docs_dir: str | os.PathLike[str] | None, version: str,
               trainer: ScorecardTrainer | None = None, cv_folds: int = CV_FOLDS,
               compare: bool = True) -> Scorecard:
    """``openbureau model train``: fit on a 70 % stratified split of a GMSC-format CSV, measure
    on the other 30 % and by cross-validation, write the spec (and the model card if
    ``docs_dir``). The shipped spec is the one fitted on the 70 %, so its test figures are its own.
    """
    from sklearn.model_selection import train_test_split

    from openbureau.modelling.evaluate import auc, metrics, score_frame
    from openbureau.scoring.spec import dump_spec

    trainer = trainer if trainer is not None else ScorecardTrainer()
    df = load_gmsc(data_path)
    y = df[LABEL].to_numpy().astype(int)
    X = gmsc_to_attributes(df)
    print(f"data {data_path}: {len(df):,} rows, bad rate {y.mean():.4f}")
    idx_train, idx_test = train_test_split(np.arange(len(df)), test_size=TEST_SIZE, stratify=y,
                                           random_state=RANDOM_STATE)
    X_train, X_test = X.iloc[idx_train], X.iloc[idx_test]
    y_train, y_test = y[idx_train], y[idx_test]

    print(f"fitting on {len(idx_train):,} rows ...")
    trainer.fit(X_train, y_train)
    card = trainer.to_spec(version)
    test_scores = score_frame(card, X_test)
    test = metrics(y_test, test_scores)
    print(f"test ({len(idx_test):,} rows): AUC {test['auc']:.4f}  KS {test['ks']:.4f}  "
          f"Gini {test['gini']:.4f}")

    cv: list[float] = []
    if cv_folds > 1:
        print(f"{cv_folds}-fold cross-validation on all rows ...")
        cv = cross_validated_auc(trainer, X, y, n_splits=cv_folds)
        print(f"CV AUC {np.mean(cv):.4f} ± {np.std(cv):.4f}")

    comparison: dict[str, Any] = {}
    if compare:
        unrounded = auc(y_test, -trainer.decision_function(X_test))
        base = optbinning_baseline_auc(df.iloc[idx_train], y_train, df.iloc[idx_test], y_test)
        print(f"optbinning default scorecard (no age/dependants): test AUC {base:.4f}")
        personal = _gmsc_personal(df)
        with_personal = ScorecardTrainer(**{**trainer.get_params(),
                                            "attributes": (*trainer.attributes_, "age",
                                                           "dependants")})
        X_personal = X.join(personal)
        with_personal.fit(X_personal.iloc[idx_train], y_train)
        with_auc = auc(y_test, -with_personal.decision_function(X_personal.iloc[idx_test]))
        print(f"same pipeline WITH age and dependants (measured, never shipped): test AUC "
              f"{with_auc:.4f} vs {unrounded:.4f} without (both before rounding to points)")
        from openbureau.modelling.evaluate import boosting_auc

        gbm = boosting_auc(X_train, y_train, X_test, y_test)
        print(f"gradient boosting on the same attributes, same split: test AUC {gbm:.4f}; the "
              f"card is {gbm - test['auc']:+.4f} behind")
        comparison = {"boosting_test_auc": round(gbm, 4),
                      "optbinning_default_test_auc": round(base, 4),
                      "with_age_and_dependants_test_auc": round(with_auc, 4),
                      "without_age_and_dependants_test_auc_unrounded": round(unrounded, 4)}

    training = {
        "dataset": os.path.basename(os.fspath(data_path)),
        "rows": len(df),
        "positive_rate": round(float(y.mean()), 5),
        "train_rows": len(idx_train),
        "test_rows": len(idx_test),
        "test_auc": round(test["auc"], 4),
        "test_ks": round(test["ks"], 4),
        "test_gini": round(test["gini"], 4),
        "cv_auc_mean": round(float(np.mean(cv)), 4) if cv else None,
        "cv_auc_std": round(float(np.std(cv)), 4) if cv else None,
        "cv_folds": cv_folds if cv else 0,
        **comparison,
        "excluded_inputs": list(EXCLUDED_INPUTS),
        "monotonic_trends": {name: {**DEFAULT_TRENDS, **(trainer.monotonic_trends or {})}.get(
            name, "auto_heuristic") for name in trainer.attributes_},
        "column_mapping": {**GMSC_COLUMNS,
                           "DebtRatio*MonthlyIncome (DebtRatio if income missing)":
                               "monthly_debt_payments"},
        "split": f"stratified {int((1 - TEST_SIZE) * 100)}/{int(TEST_SIZE * 100)} train/test "
                 f"(sklearn train_test_split); CV: StratifiedKFold({cv_folds}, shuffle) "
                 "on all rows",
        "random_state": RANDOM_STATE,
        **({"pairs": {"k": trainer.pairs, "C": trainer.pair_C,
                      "inner_size": trainer.pair_inner_size,
                      "random_state": trainer.pair_random_state,
                      "candidates": list(PAIR_CANDIDATES),
                      "gains": {f"{f.x}_with_{f.y}": round(f.gain, 4)
                                for f in trainer.pair_fits_}}}
           if trainer.pair_fits_ else {}),
        "estimator": {k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in trainer.get_params().items()},
        "library_versions": _library_versions(),
    }
    card = trainer.to_spec(version, created_at=card.created_at, training=training)
    card = record_training_shares(card, X_train)
    dump_spec(card, out_spec_path)
    print(f"spec written to {out_spec_path}")
    if docs_dir is not None:
        from openbureau.modelling.fairness_report import fairness_main
        from openbureau.modelling.modelcard import write_model_card

        fairness = fairness_main(card, data_path, os.path.join(docs_dir, "fairness.md"))
        path = write_model_card(docs_dir, card, X_test, y_test, test_scores,
                                personal_test=_gmsc_personal(df).iloc[idx_test],
                                fairness=fairness)
        print(f"model card and fairness report written to {path.parent}")
    return card
