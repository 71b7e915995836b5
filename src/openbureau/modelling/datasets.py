"""The public credit datasets the scoring pipeline is trained and audited on, and the protected
attributes each records (used to measure scores, never as inputs).

=================  =========================  ==============================================
dataset            protected attributes       groups (the reference group of each, named)
=================  =========================  ==============================================
GMSC               age                        under 30, 30–44, **45–61**, 62–69, 70 and over
German credit      sex, age                   female / **male**; under 25 / **25 and over**
Taiwan default     sex, age, marital status   female / **male**; under 30 / **30 and over**;
                                              single / others / **married**
=================  =========================  ==============================================

The age reference is a prime-age group, not the oldest: Reg B lets a creditor favour applicants
aged 62 or over, so they are measured against the reference like everyone else. German credit
codes sex only together with marital status (A92 and A95 female).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Protected:
    """A protected attribute: its groups per row, and the group every other is compared with."""

    name: str
    groups: pd.Series
    reference: str
    order: tuple[str, ...] = ()      # how reports list the groups (others follow, sorted)


def age_groups(age: pd.Series, edges: tuple[int, ...], labels: tuple[str, ...]) -> pd.Series:
    """``labels[i]`` for ``edges[i] <= age < edges[i+1]``."""
    cut = pd.cut(age.astype(float), bins=[*edges, np.inf], right=False, labels=list(labels))
    return cut.astype(str)


GMSC_AGE = ((0, 30, 45, 62, 70), ("under 30", "30–44", "45–61", "62–69", "70 and over"), "45–61")


def gmsc_protected(df: pd.DataFrame) -> list[Protected]:
    edges, labels, ref = GMSC_AGE
    return [Protected("age", age_groups(df["age"], edges, labels).rename("age"), ref, labels)]


# ---------------------------------------------------------------------------------- German credit

GERMAN_LABEL = "creditability"             # 1 good, 2 bad
GERMAN_SEX = "personal_status_and_sex"
GERMAN_AGE = "age_in_years"
#: Never inputs: sex and marital status, age, nationality, dependants.
GERMAN_EXCLUDED = (GERMAN_SEX, GERMAN_AGE, "foreign_worker",
                   "number_of_people_being_liable_to_provide_maintenance_for")
GERMAN_NUMERIC = ("duration_in_month", "credit_amount",
                  "installment_rate_in_percentage_of_disposable_income", "present_residence_since",
                  "number_of_existing_credits_at_this_bank")
_FEMALE = frozenset({"A92", "A95"})


def german_features(df: pd.DataFrame) -> pd.DataFrame:
    """Model inputs: the numeric columns as they are; each coded column (``A11``...) as the
    number of its code. The excluded columns are dropped."""
    out = {}
    for col in df.columns:
        if col == GERMAN_LABEL or col in GERMAN_EXCLUDED:
            continue
        if col in GERMAN_NUMERIC:
            out[col] = pd.to_numeric(df[col]).astype(float)
        else:
            out[col] = df[col].astype(str).str.lstrip("A").astype(float)
    return pd.DataFrame(out, index=df.index)


def german_protected(df: pd.DataFrame) -> list[Protected]:
    sex = df[GERMAN_SEX].map(lambda c: "female" if c in _FEMALE else "male").rename("sex")
    age = age_groups(df[GERMAN_AGE], (0, 25), ("under 25", "25 and over")).rename("age")
    return [Protected("sex", sex, "male"),
            Protected("age", age, "25 and over", ("under 25", "25 and over"))]


# ---------------------------------------------------------------------------------- Taiwan

TAIWAN_LABEL = "default.payment.next.month"
TAIWAN_EXCLUDED = ("ID", "SEX", "AGE", "MARRIAGE", "EDUCATION")


def taiwan_features(df: pd.DataFrame) -> pd.DataFrame:
    """Every column but the label, the id and the personal ones (sex, age, marital status;
    education is left out too, as a proxy the bureau does not hold)."""
    cols = [c for c in df.columns if c not in (TAIWAN_LABEL, *TAIWAN_EXCLUDED)]
    return df[cols].astype(float)


def taiwan_protected(df: pd.DataFrame) -> list[Protected]:
    sex = df["SEX"].map({1: "male", 2: "female"}).rename("sex")
    age = age_groups(df["AGE"], (0, 30), ("under 30", "30 and over")).rename("age")
    marital = df["MARRIAGE"].map(lambda m: {1: "married", 2: "single"}.get(m, "others"))
    return [Protected("sex", sex, "male"),
            Protected("age", age, "30 and over", ("under 30", "30 and over")),
            Protected("marital status", marital.rename("marital status"), "married")]


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    label: Callable[[pd.DataFrame], np.ndarray]     # 1 = bad
    features: Callable[[pd.DataFrame], pd.DataFrame]
    protected: Callable[[pd.DataFrame], list[Protected]]
    reader: Callable[[str | os.PathLike[str]], pd.DataFrame] = pd.read_csv


def _gmsc_features(df: pd.DataFrame) -> pd.DataFrame:
    from openbureau.modelling.training import gmsc_to_attributes

    return gmsc_to_attributes(df)


def _gmsc_read(path: str | os.PathLike[str]) -> pd.DataFrame:
    return pd.read_csv(path, index_col=0)


DATASETS: dict[str, Dataset] = {
    "gmsc": Dataset("gmsc", "gmsc.csv.gz",
                    lambda df: df["SeriousDlqin2yrs"].to_numpy().astype(int),
                    _gmsc_features, gmsc_protected, _gmsc_read),
    "german": Dataset("german", "german_credit.csv.gz",
                      lambda df: (df[GERMAN_LABEL] == 2).to_numpy().astype(int),
                      german_features, german_protected),
    "taiwan": Dataset("taiwan", "taiwan_default.csv.gz",
                      lambda df: df[TAIWAN_LABEL].to_numpy().astype(int),
                      taiwan_features, taiwan_protected),
}
