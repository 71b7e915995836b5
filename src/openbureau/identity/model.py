"""The in-process scorer: splink's model JSON read once, each pair scored in Python.

A pair's match weight is splink's: log2 of the prior odds (``probability_two_random_records_
match``) plus, per comparison, log2(m/u) of the level the pair falls in (0 for a null level),
plus on exact name levels the term-frequency adjustment log2(u_exact) - log2(max(tf_l, tf_r,
minimum)) where both frequencies are known. ``tests/unit/test_identity_model.py`` checks these
weights equal splink's own predictions for the same pairs.

A *file* is compared field-group by field-group against each of its observed values (names
with their middle name and generation code together, addresses with their ZIP together; ids,
birth dates and phones each): the best-agreeing value counts, as an examiner would read a file
with several names on it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from openbureau.identity.comparisons import BY_NAME, COMPARISONS, Comparison
from openbureau.identity.features import Features

VERSION = "idm-2026-12.3"
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("first", "middle", "surname", "gen"), ("addr",), ("nid",), ("dob",), ("phone",))


@dataclass(frozen=True, slots=True)
class Part:
    comparison: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class Match:
    weight: float
    parts: tuple[Part, ...]

    @property
    def probability(self) -> float:
        return float(1.0 / (1.0 + 2.0 ** -self.weight))

    def level(self, comparison: str) -> str:
        return next(p.level for p in self.parts if p.comparison == comparison)

    def explain(self) -> list[dict[str, Any]]:
        """Each comparison's level and weight (what agreed, what did not, how much it told)."""
        return [{"field": p.comparison, "level": p.level, "weight": round(p.weight, 2)}
                for p in self.parts]


@dataclass
class FileIdentity:
    """What a credit file holds of its person: every observed value, grouped as compared."""

    names: list[Features] = field(default_factory=list)
    addresses: list[Features] = field(default_factory=list)
    nids: list[Features] = field(default_factory=list)
    dobs: list[Features] = field(default_factory=list)
    phones: list[Features] = field(default_factory=list)

    def groups(self) -> tuple[list[Features], ...]:
        return self.names, self.addresses, self.nids, self.dobs, self.phones

    def add(self, f: Features) -> None:
        """Every value of a record's features (a file built from records)."""
        if f.first or f.surname:
            self.names.append(f)
        if f.addr or f.zip:
            self.addresses.append(f)
        if f.nid:
            self.nids.append(f)
        if f.dob:
            self.dobs.append(f)
        if f.phone:
            self.phones.append(f)


@dataclass(frozen=True, slots=True)
class Thresholds:
    link: float        # at or above: the same person
    review: float      # at or above (and below link): held for review / ambiguous


class MatchModel:
    """Match weights from a splink model JSON."""

    def __init__(self, settings: dict[str, Any], tf: dict[str, dict[str, float]],
                 thresholds: Thresholds, version: str = VERSION) -> None:
        self.version = version
        self.thresholds = thresholds
        self.settings = settings
        p = float(settings["probability_two_random_records_match"])
        self.prior = math.log2(p / (1 - p))
        self.tf = tf
        self._weights: dict[str, list[float]] = {}
        self._labels: dict[str, list[str]] = {}
        self._tf_adjust: dict[str, dict[int, tuple[str, float, float]]] = {}
        trained = {c["output_column_name"]: c for c in settings["comparisons"]}
        for comparison in COMPARISONS:
            levels = trained[comparison.name]["comparison_levels"]
            if [lv["label_for_charts"] for lv in levels] != [lv.label for lv in comparison.levels]:
                raise ValueError(f"model JSON's levels of {comparison.name} differ from the code's")
            weights: list[float] = []
            exact_u = next((lv["u_probability"] for lv in levels
                            if lv["label_for_charts"] == "exact"), None)
            for i, lv in enumerate(levels):
                if lv.get("is_null_level"):
                    weights.append(0.0)
                    continue
                weights.append(math.log2(lv["m_probability"] / lv["u_probability"]))
                if lv.get("tf_adjustment_column") and exact_u is not None:
                    self._tf_adjust.setdefault(comparison.name, {})[i] = (
                        lv["tf_adjustment_column"], math.log2(exact_u),
                        float(lv.get("tf_minimum_u_value", 0.0)))
            self._weights[comparison.name] = weights
            # a null level says nothing, whichever it is: reported as "null"
            self._labels[comparison.name] = ["null" if lv.null else lv.label
                                             for lv in comparison.levels]

    # -- pairs -------------------------------------------------------------------------

    def _part(self, comparison: Comparison, a: Features, b: Features) -> Part:
        i = comparison.level_of(a, b)
        w = self._weights[comparison.name][i]
        adjust = self._tf_adjust.get(comparison.name, {}).get(i)
        if adjust is not None:
            column, log2_u, minimum = adjust
            table = self.tf.get(column, {})
            ta, tb = table.get(getattr(a, column) or ""), table.get(getattr(b, column) or "")
            if ta is not None or tb is not None:
                w += log2_u - math.log2(max(ta or 0.0, tb or 0.0, minimum))
        return Part(comparison.name, self._labels[comparison.name][i], w)

    def score(self, a: Features, b: Features) -> Match:
        parts = tuple(self._part(c, a, b) for c in COMPARISONS)
        return Match(self.prior + sum(p.weight for p in parts), parts)

    def agreeing(self, first: str | None, surname: str | None, middle: bool, gen: bool,
                 dob: bool) -> Match:
        """The match of an identity with national id, names and birth date exactly the same
        (as ``score`` of those fields against themselves: address and phone not compared):
        what a record placed by its keys is known to agree on. Each part depends only on its
        value's frequency or on the field being present: computed once per value."""
        values = {"nid": "1", "first": first or None, "middle": "m" if middle else None,
                  "surname": surname or None, "gen": "g" if gen else None,
                  "dob": "1" if dob else None}
        parts = tuple(self._exact_part(c.name, values[c.name]) for c in COMPARISONS
                      if c.name in values)
        return Match(self.prior + sum(p.weight for p in parts), parts)

    @lru_cache(maxsize=65536)  # noqa: B019 - one shipped model per process, kept for good
    def _exact_part(self, comparison: str, value: str | None) -> Part:
        f = _NOTHING
        if value is not None:
            given: dict[str, Any] = {comparison: date(2000, 1, 1) if comparison == "dob"
                                     else value}
            f = dataclasses.replace(_NOTHING, **given)
        return self._part(BY_NAME[comparison], f, f)

    # -- files -------------------------------------------------------------------------

    def score_file(self, a: Features, file: FileIdentity) -> Match:
        parts: list[Part] = []
        for names, values in zip(_GROUPS, file.groups(), strict=True):
            comparisons = [BY_NAME[n] for n in names]
            best: list[Part] | None = None
            for v in values or (_NOTHING,):
                cand = [self._part(c, a, v) for c in comparisons]
                if best is None or sum(p.weight for p in cand) > sum(p.weight for p in best):
                    best = cand
            assert best is not None
            parts.extend(best)
        order = {c.name: i for i, c in enumerate(COMPARISONS)}
        parts.sort(key=lambda p: order[p.comparison])
        return Match(self.prior + sum(p.weight for p in parts), tuple(parts))


_NOTHING = Features(None, (), None, None, None, None, None, None, None, None, None)


def _model_dir(version: str) -> Path:
    return Path(str(files("openbureau.identity") / "models" / version))


def load(path: Path | None = None) -> MatchModel:
    """A model from its directory (``model.json`` splink's, ``tf.json`` the name frequencies,
    ``meta.json`` version and thresholds); the shipped one by default."""
    if path is None:
        return _shipped()
    settings = json.loads((path / "model.json").read_text())
    tf = json.loads((path / "tf.json").read_text())
    meta = json.loads((path / "meta.json").read_text())
    return MatchModel(settings, tf, Thresholds(**meta["thresholds"]), meta["version"])


@lru_cache(maxsize=1)
def _shipped() -> MatchModel:
    return load(_model_dir(VERSION))


def best_two(scored: Iterable[tuple[int, Match]]) -> Sequence[tuple[int, Match]]:
    """The two highest-weighted candidates, best first (ties: the lower id first)."""
    return sorted(scored, key=lambda item: (-item[1].weight, item[0]))[:2]
