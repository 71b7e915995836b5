"""The scorecard as data: the ``openbureau.scorecard/1`` JSON spec.

Every engine (the Python reference, the compiled SQL) is built from a :class:`Scorecard`.
``load_spec`` parses and validates; a spec that loads is one every engine can run:

- integer points everywhere, ``scaling.min < scaling.max``;
- numeric bins are half-open intervals ``[lower, upper)``, contiguous, ordered, and covering the
  attribute's domain (``None`` means unbounded);
- special values (sentinel codes, which may lie outside the domain) and categories are unique
  within an attribute;
- attribute names and reason codes are unique: a code names one attribute (a bin, special
  value, category or the missing bin may carry its own code and text, for the direction of the
  shortfall it stands for; one code has one text);
- no attribute is a personal characteristic the score must never use (age, sex, dependants...);
- a pair row (an interaction of two numeric attributes of the card, ``pairs``) is a grid of
  2-D bins: strictly increasing inner edges on each axis (bins ``[e_i, e_i+1)``, unbounded at
  both ends, so every value the card's attribute rows accept lands in one cell), integer points
  per cell, a ``missing_points`` for a file missing either value, and per cell an optional
  reason code whose text is in the row's ``reason_texts``; its codes are its own.

Any violation raises :class:`SpecError` naming the attribute and the rule.
Stdlib only, so that engines and the API can load a spec without the training extras.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FORMAT = "openbureau.scorecard/1"

# DESIGN.md, "The line it does not cross": never model inputs, even where a dataset has them.
PROHIBITED_INPUTS: frozenset[str] = frozenset({
    "age", "age_years", "date_of_birth", "birth_year",
    "sex", "gender",
    "marital_status", "married",
    "dependants", "dependents", "number_of_dependents", "number_of_dependants",
    "numberofdependents",
    "nationality", "citizenship", "ethnicity", "race", "religion",
})

_REASON_CODE = re.compile(r"^R\d{2,3}$")

Number = float | int
SpecialKey = float | int | str
Kind = Literal["numeric", "categorical"]


#: The bureau's score scale (DESIGN.md: 350–950): every card's clip unless its spec says
#: otherwise, the bands' ends, the offers' minimum score, the gauge and the notices.
SCORE_MIN, SCORE_MAX = 350, 950


class SpecError(ValueError):
    """The scorecard spec is malformed; the message names the attribute and the broken rule."""


@dataclass(frozen=True)
class Scaling:
    """Score = base_score at good:bad odds base_odds; every ``pdo`` points doubles the odds."""

    base_score: int
    base_odds: float
    pdo: int
    min: int = SCORE_MIN
    max: int = SCORE_MAX


@dataclass(frozen=True)
class Bin:
    """Half-open interval ``[lower, upper)``; ``None`` is unbounded."""

    lower: float | None
    upper: float | None
    points: int
    training_share: float | None = None    # share of the training rows in this bin (drift)
    reason_code: str | None = None         # this bin's own reason (see AttributeCard.reason)
    reason_text: str | None = None

    def contains(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value < self.upper
        )


@dataclass(frozen=True)
class SpecialValue:
    """Exact values (sentinel codes) that get their own points, ahead of the bins."""

    values: tuple[SpecialKey, ...]
    points: int
    training_share: float | None = None
    reason_code: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True)
class Category:
    values: tuple[str, ...]
    points: int
    training_share: float | None = None
    reason_code: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True)
class AttributeCard:
    name: str
    kind: Kind
    reason_code: str
    reason_text: str
    missing_points: int
    bins: tuple[Bin, ...] = ()
    special: tuple[SpecialValue, ...] = ()
    categories: tuple[Category, ...] = ()
    domain_min: float | None = None
    domain_max: float | None = None
    missing_training_share: float | None = None
    #: True when bins carry their own reasons: then a bin without one is never a key factor,
    #: and the missing bin's reason is ``missing_reason_code``/``_text`` (None: never a reason)
    per_bin_reasons: bool = False
    missing_reason_code: str | None = None
    missing_reason_text: str | None = None

    def slots(self) -> list[tuple[str, int, str | None, str | None]]:
        """Every place a value can land: (slot kind, points, reason code, reason text), the
        kind one of ``bin``, ``special``, ``category``, ``missing``."""
        out: list[tuple[str, int, str | None, str | None]] = [
            ("bin", b.points, b.reason_code, b.reason_text) for b in self.bins]
        out += [("special", s.points, s.reason_code, s.reason_text) for s in self.special]
        out += [("category", c.points, c.reason_code, c.reason_text) for c in self.categories]
        out.append(("missing", self.missing_points, self.missing_reason_code,
                    self.missing_reason_text))
        return out

    def reason(self, code: str | None, text: str | None) -> tuple[str, str] | None:
        """The reason a slot carrying (``code``, ``text``) gives: its own when the card has
        per-bin reasons (None: never a reason), else the attribute's."""
        if not self.per_bin_reasons:
            return self.reason_code, self.reason_text
        return None if code is None or text is None else (code, text)

    def in_domain(self, value: float) -> bool:
        return (self.domain_min is None or value >= self.domain_min) and (
            self.domain_max is None or value <= self.domain_max
        )


@dataclass(frozen=True)
class PairCard:
    """An interaction row: points for the cell of the grid ``x_edges`` x ``y_edges`` in which a
    file's two values fall (``points[i][j]``: x in its bin ``i``, y in its bin ``j``; bin ``i``
    is ``[x_edges[i-1], x_edges[i])``, the outer bins unbounded). A special value is binned by
    its number like any other; either value missing gives ``missing_points``."""

    name: str
    x: str
    y: str
    x_edges: tuple[float, ...]
    y_edges: tuple[float, ...]
    points: tuple[tuple[int, ...], ...]
    missing_points: int = 0
    #: per cell, the reason code it gives (None: never a reason), same shape as ``points``
    reasons: tuple[tuple[str | None, ...], ...] = ()
    reason_texts: Mapping[str, str] = field(default_factory=dict)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """The cell ``(i, j)`` holding ``(x, y)`` (neither missing)."""
        return (sum(1 for e in self.x_edges if x >= e), sum(1 for e in self.y_edges if y >= e))

    def reason_at(self, i: int, j: int) -> tuple[str, str] | None:
        code = self.reasons[i][j] if self.reasons else None
        return None if code is None else (code, self.reason_texts[code])

    def reference_points(self) -> int:
        """The most points a cell gives: what the file's reasons on this row are measured
        against (the missing cell is never the reference)."""
        return max(max(row) for row in self.points)


@dataclass(frozen=True)
class Scorecard:
    version: str
    created_at: str
    scaling: Scaling
    intercept_points: int
    attributes: tuple[AttributeCard, ...]
    training: Mapping[str, Any] = field(default_factory=dict)
    format: str = FORMAT
    #: interaction rows, scored after the attribute rows (a card without them is unchanged)
    pairs: tuple[PairCard, ...] = ()

    def attribute(self, name: str) -> AttributeCard:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes)

    @property
    def rows(self) -> tuple[str, ...]:
        """Every row's name: the attributes', then the pairs' (the keys of ``points``)."""
        return (*self.names, *(p.name for p in self.pairs))


# ---------------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _points(where: str, value: object) -> int:
    if not _is_int(value):
        raise SpecError(f"{where}: points must be an integer, got {value!r}")
    assert isinstance(value, int)
    return value


def validate(card: Scorecard) -> Scorecard:
    """Check every rule in the module docstring; return ``card`` unchanged or raise SpecError."""
    if card.format != FORMAT:
        raise SpecError(f"format must be {FORMAT!r}, got {card.format!r}")
    if not isinstance(card.version, str) or not card.version:
        raise SpecError("version must be a non-empty string")
    s = card.scaling
    for key in ("base_score", "pdo", "min", "max"):
        if not _is_int(getattr(s, key)):
            raise SpecError(f"scaling.{key} must be an integer, got {getattr(s, key)!r}")
    if s.min >= s.max:
        raise SpecError(f"scaling.min ({s.min}) must be below scaling.max ({s.max})")
    if s.pdo <= 0:
        raise SpecError(f"scaling.pdo must be positive, got {s.pdo}")
    if not _is_number(s.base_odds) or s.base_odds <= 0:
        raise SpecError(f"scaling.base_odds must be a positive number, got {s.base_odds!r}")
    _points("intercept_points", card.intercept_points)
    if not card.attributes:
        raise SpecError("a scorecard needs at least one attribute")
    names: set[str] = set()
    codes: set[str] = set()
    for attr in card.attributes:
        if attr.name in names:
            raise SpecError(f"attribute {attr.name!r} appears twice")
        names.add(attr.name)
        if attr.reason_code in codes:
            raise SpecError(f"{attr.name}: reason code {attr.reason_code!r} is already used")
        codes.add(attr.reason_code)
        _validate_attribute(attr)
    owner: dict[str, tuple[str, str]] = {a.reason_code: (a.name, a.reason_text)
                                         for a in card.attributes}
    for attr in card.attributes:
        if not attr.per_bin_reasons:
            continue
        for _, _, code, text in attr.slots():
            if code is None and text is None:
                continue
            if not isinstance(code, str) or not _REASON_CODE.match(code):
                raise SpecError(f"{attr.name}: a bin's reason_code must look like R01, got "
                                f"{code!r}")
            if not isinstance(text, str) or not text.strip():
                raise SpecError(f"{attr.name}: reason {code} needs plain text")
            name, known = owner.setdefault(code, (attr.name, text))
            if name != attr.name:
                raise SpecError(f"{attr.name}: reason code {code!r} is already {name}'s")
            if known != text:
                raise SpecError(f"{attr.name}: reason code {code!r} has two texts")
    for pair in card.pairs:
        _validate_pair(card, pair, names, owner)
        names.add(pair.name)
    return card


def _validate_pair(card: Scorecard, pair: PairCard, names: set[str],
                   owner: dict[str, tuple[str, str]]) -> None:
    where = pair.name or "<unnamed pair>"
    if not isinstance(pair.name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", pair.name):
        raise SpecError(f"{where}: row names are lower_snake_case identifiers")
    if pair.name in names:
        raise SpecError(f"{where}: the name of a row appears twice")
    for axis in (pair.x, pair.y):
        if axis not in card.names or card.attribute(axis).kind != "numeric":
            raise SpecError(f"{where}: {axis!r} is not a numeric attribute row of the card")
    if pair.x == pair.y:
        raise SpecError(f"{where}: a pair needs two different attributes")
    for label, edges in (("x_edges", pair.x_edges), ("y_edges", pair.y_edges)):
        if not all(_is_number(e) for e in edges):
            raise SpecError(f"{where}: {label} must be finite numbers")
        if any(a >= b for a, b in zip(edges, edges[1:], strict=False)):
            raise SpecError(f"{where}: {label} must be strictly increasing")
    shape = (len(pair.x_edges) + 1, len(pair.y_edges) + 1)
    if len(pair.points) != shape[0] or any(len(r) != shape[1] for r in pair.points):
        raise SpecError(f"{where}: points must be {shape[0]} rows of {shape[1]} cells")
    for i, row in enumerate(pair.points):
        for j, value in enumerate(row):
            _points(f"{where}.points[{i}][{j}]", value)
    _points(f"{where}.missing_points", pair.missing_points)
    if not pair.reasons:
        if pair.reason_texts:
            raise SpecError(f"{where}: reason_texts without reasons")
        return
    if len(pair.reasons) != shape[0] or any(len(r) != shape[1] for r in pair.reasons):
        raise SpecError(f"{where}: reasons must have the shape of points")
    used = {c for row in pair.reasons for c in row if c is not None}
    if used != set(pair.reason_texts):
        raise SpecError(f"{where}: every reason code used needs its text, and no other")
    for code in sorted(used):
        text = pair.reason_texts[code]
        if not isinstance(code, str) or not _REASON_CODE.match(code):
            raise SpecError(f"{where}: a cell's reason_code must look like R01, got {code!r}")
        if not isinstance(text, str) or not text.strip():
            raise SpecError(f"{where}: reason {code} needs plain text")
        name, _ = owner.setdefault(code, (pair.name, text))
        if name != pair.name:
            raise SpecError(f"{where}: reason code {code!r} is already {name}'s")


def _validate_attribute(attr: AttributeCard) -> None:
    where = attr.name or "<unnamed>"
    if not isinstance(attr.name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", attr.name):
        raise SpecError(f"{where}: attribute names are lower_snake_case identifiers")
    if attr.name.lower() in PROHIBITED_INPUTS:
        raise SpecError(f"{where}: a personal characteristic is never a score input")
    if not isinstance(attr.reason_code, str) or not _REASON_CODE.match(attr.reason_code):
        raise SpecError(f"{where}: reason_code must look like R01, got {attr.reason_code!r}")
    if not isinstance(attr.reason_text, str) or not attr.reason_text.strip():
        raise SpecError(f"{where}: reason_text must be plain text a consumer understands")
    _points(f"{where}.missing_points", attr.missing_points)
    shares = [attr.missing_training_share, *(b.training_share for b in attr.bins),
              *(sv.training_share for sv in attr.special),
              *(c.training_share for c in attr.categories)]
    for share in shares:
        if share is not None and not (_is_number(share) and 0 <= share <= 1):
            raise SpecError(f"{where}: training_share must be a number in [0, 1], got {share!r}")
    if attr.kind == "numeric":
        _validate_numeric(where, attr)
    elif attr.kind == "categorical":
        _validate_categorical(where, attr)
    else:
        raise SpecError(f"{where}: kind must be 'numeric' or 'categorical', got {attr.kind!r}")


def _validate_numeric(where: str, attr: AttributeCard) -> None:
    if attr.categories:
        raise SpecError(f"{where}: a numeric attribute has bins, not categories")
    for key in ("domain_min", "domain_max"):
        bound = getattr(attr, key)
        if bound is not None and not _is_number(bound):
            raise SpecError(f"{where}: domain {key[7:]} must be a finite number or null")
    lo, hi = attr.domain_min, attr.domain_max
    if lo is not None and hi is not None and lo > hi:
        raise SpecError(f"{where}: domain min ({lo}) is above domain max ({hi})")
    bins = attr.bins
    if not bins:
        raise SpecError(f"{where}: a numeric attribute needs at least one bin")
    for i, b in enumerate(bins):
        _points(f"{where}.bins[{i}]", b.points)
        for edge in (b.lower, b.upper):
            if edge is not None and not _is_number(edge):
                raise SpecError(f"{where}.bins[{i}]: edges must be finite numbers or null")
        if i > 0 and b.lower is None:
            raise SpecError(f"{where}.bins[{i}]: only the first bin may be unbounded below")
        if i < len(bins) - 1 and b.upper is None:
            raise SpecError(f"{where}.bins[{i}]: only the last bin may be unbounded above")
        if b.lower is not None and b.upper is not None and not b.lower < b.upper:
            raise SpecError(f"{where}.bins[{i}]: lower ({b.lower}) must be below upper ({b.upper})")
        if i > 0 and bins[i - 1].upper != b.lower:
            raise SpecError(
                f"{where}.bins[{i}]: bins must be contiguous; previous upper is "
                f"{bins[i - 1].upper}, this lower is {b.lower}"
            )
    first, last = bins[0].lower, bins[-1].upper
    if first is not None and (lo is None or first > lo):
        raise SpecError(f"{where}: bins start at {first} but the domain starts at {lo}")
    if last is not None and (hi is None or last <= hi):
        raise SpecError(f"{where}: bins end at {last} but the domain reaches {hi}")
    seen: set[SpecialKey] = set()
    for j, sv in enumerate(attr.special):
        _points(f"{where}.special[{j}]", sv.points)
        if not sv.values:
            raise SpecError(f"{where}.special[{j}]: needs at least one value")
        for v in sv.values:
            if not _is_number(v):
                raise SpecError(f"{where}.special[{j}]: value {v!r} is not a finite number")
            if v in seen:
                raise SpecError(f"{where}: special value {v!r} listed twice")
            seen.add(v)


def _validate_categorical(where: str, attr: AttributeCard) -> None:
    if attr.bins or attr.special:
        raise SpecError(f"{where}: a categorical attribute has categories, not bins")
    if not attr.categories:
        raise SpecError(f"{where}: a categorical attribute needs at least one category")
    seen: set[str] = set()
    for j, cat in enumerate(attr.categories):
        _points(f"{where}.categories[{j}]", cat.points)
        if not cat.values:
            raise SpecError(f"{where}.categories[{j}]: needs at least one value")
        for v in cat.values:
            if not isinstance(v, str):
                raise SpecError(f"{where}.categories[{j}]: value {v!r} is not a string")
            if v in seen:
                raise SpecError(f"{where}: category value {v!r} listed twice")
            seen.add(v)


# ---------------------------------------------------------------------------------- (de)serialise


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: expected an object, got {type(data).__name__}")
    if key not in data:
        raise SpecError(f"{where}: missing key {key!r}")
    return data[key]


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise SpecError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _attribute_from_dict(data: Mapping[str, Any], i: int) -> AttributeCard:
    where = f"attributes[{i}]"
    name = _req(data, "name", where)
    where = str(name)
    kind = _req(data, "kind", where)
    domain = data.get("domain") or {}
    if not isinstance(domain, Mapping):
        raise SpecError(f"{where}: domain must be an object")
    bins = tuple(
        Bin(lower=_req(b, "lower", f"{where}.bins[{j}]"),
            upper=_req(b, "upper", f"{where}.bins[{j}]"),
            points=_req(b, "points", f"{where}.bins[{j}]"),
            training_share=b.get("training_share"),
            reason_code=b.get("reason_code"), reason_text=b.get("reason_text"))
        for j, b in enumerate(_list(data.get("bins", []), f"{where}.bins"))
    )
    special = tuple(
        SpecialValue(values=tuple(_list(_req(s, "values", f"{where}.special[{j}]"), where)),
                     points=_req(s, "points", f"{where}.special[{j}]"),
                     training_share=s.get("training_share"),
                     reason_code=s.get("reason_code"), reason_text=s.get("reason_text"))
        for j, s in enumerate(_list(data.get("special", []), f"{where}.special"))
    )
    categories = tuple(
        Category(values=tuple(_list(_req(c, "values", f"{where}.categories[{j}]"), where)),
                 points=_req(c, "points", f"{where}.categories[{j}]"),
                 training_share=c.get("training_share"),
                 reason_code=c.get("reason_code"), reason_text=c.get("reason_text"))
        for j, c in enumerate(_list(data.get("categories", []), f"{where}.categories"))
    )
    return AttributeCard(
        name=name, kind=kind, reason_code=_req(data, "reason_code", where),
        reason_text=_req(data, "reason_text", where),
        missing_points=_req(data, "missing_points", where),
        bins=bins, special=special, categories=categories,
        domain_min=domain.get("min"), domain_max=domain.get("max"),
        missing_training_share=data.get("missing_training_share"),
        per_bin_reasons=data.get("per_bin_reasons", False) is True,
        missing_reason_code=data.get("missing_reason_code"),
        missing_reason_text=data.get("missing_reason_text"),
    )


def spec_from_dict(data: Mapping[str, Any]) -> Scorecard:
    scaling = _req(data, "scaling", "spec")
    card = Scorecard(
        format=_req(data, "format", "spec"),
        version=_req(data, "version", "spec"),
        created_at=_req(data, "created_at", "spec"),
        scaling=Scaling(
            base_score=_req(scaling, "base_score", "scaling"),
            base_odds=_req(scaling, "base_odds", "scaling"),
            pdo=_req(scaling, "pdo", "scaling"),
            min=_req(scaling, "min", "scaling"),
            max=_req(scaling, "max", "scaling"),
        ),
        intercept_points=_req(data, "intercept_points", "spec"),
        attributes=tuple(
            _attribute_from_dict(a, i)
            for i, a in enumerate(_list(_req(data, "attributes", "spec"), "attributes"))
        ),
        training=dict(data.get("training") or {}),
        pairs=tuple(_pair_from_dict(p, i)
                    for i, p in enumerate(_list(data.get("pairs", []), "pairs"))),
    )
    return validate(card)


def _pair_from_dict(data: Mapping[str, Any], i: int) -> PairCard:
    where = str(_req(data, "name", f"pairs[{i}]"))
    grid = _list(_req(data, "points", where), f"{where}.points")
    reasons = _list(data.get("reasons", []), f"{where}.reasons")
    texts = data.get("reason_texts") or {}
    if not isinstance(texts, Mapping):
        raise SpecError(f"{where}: reason_texts must be an object")
    return PairCard(
        name=_req(data, "name", where), x=_req(data, "x", where), y=_req(data, "y", where),
        x_edges=tuple(_list(_req(data, "x_edges", where), f"{where}.x_edges")),
        y_edges=tuple(_list(_req(data, "y_edges", where), f"{where}.y_edges")),
        points=tuple(tuple(_list(r, f"{where}.points")) for r in grid),
        missing_points=_req(data, "missing_points", where),
        reasons=tuple(tuple(_list(r, f"{where}.reasons")) for r in reasons),
        reason_texts=dict(texts))


def _share(out: dict[str, Any], share: float | None,
           slot: Bin | SpecialValue | Category | None = None) -> dict[str, Any]:
    """Training shares and per-bin reasons are optional; a spec without them stays as it was."""
    if share is not None:
        out["training_share"] = share
    if slot is not None and slot.reason_code is not None:
        out["reason_code"] = slot.reason_code
        out["reason_text"] = slot.reason_text
    return out


def spec_to_dict(card: Scorecard) -> dict[str, Any]:
    attributes: list[dict[str, Any]] = []
    for a in card.attributes:
        out: dict[str, Any] = {
            "name": a.name, "kind": a.kind,
            "reason_code": a.reason_code, "reason_text": a.reason_text,
        }
        if a.kind == "numeric":
            out["domain"] = {"min": a.domain_min, "max": a.domain_max}
            out["bins"] = [_share({"lower": b.lower, "upper": b.upper, "points": b.points},
                                  b.training_share, b) for b in a.bins]
            if a.special:
                out["special"] = [_share({"values": list(s.values), "points": s.points},
                                         s.training_share, s) for s in a.special]
        else:
            out["categories"] = [_share({"values": list(c.values), "points": c.points},
                                        c.training_share, c) for c in a.categories]
        out["missing_points"] = a.missing_points
        if a.per_bin_reasons:
            out["per_bin_reasons"] = True
            if a.missing_reason_code is not None:
                out["missing_reason_code"] = a.missing_reason_code
                out["missing_reason_text"] = a.missing_reason_text
        if a.missing_training_share is not None:
            out["missing_training_share"] = a.missing_training_share
        attributes.append(out)
    s = card.scaling
    out_pairs = [{"name": p.name, "x": p.x, "y": p.y, "x_edges": list(p.x_edges),
                  "y_edges": list(p.y_edges), "points": [list(r) for r in p.points],
                  "missing_points": p.missing_points,
                  **({"reasons": [list(r) for r in p.reasons],
                      "reason_texts": dict(p.reason_texts)} if p.reasons else {})}
                 for p in card.pairs]
    return {
        "format": card.format,
        "version": card.version,
        "created_at": card.created_at,
        "scaling": {"base_score": s.base_score, "base_odds": s.base_odds, "pdo": s.pdo,
                    "min": s.min, "max": s.max},
        "intercept_points": card.intercept_points,
        "attributes": attributes,
        **({"pairs": out_pairs} if out_pairs else {}),
        "training": dict(card.training),
    }


# an object or list holding only scalars (a bin, a domain, a list of special values)
_FLAT_OBJECT = re.compile(r"(\{|\[)\n(?:[ ]*[^\s{}\[\]][^\n{}\[\]]*\n)+?[ ]*(\}|\])")


def _one_line(match: re.Match[str]) -> str:
    """Keep bins one per line, so that a retrain reads as a short diff."""
    return json.dumps(json.loads(match.group(0)), ensure_ascii=False)


def load_spec(source: str | os.PathLike[str] | Mapping[str, Any]) -> Scorecard:
    """Load and validate a spec from a JSON file path or an already-parsed mapping."""
    if isinstance(source, Mapping):
        return spec_from_dict(source)
    try:
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SpecError(f"{source}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{source}: the spec must be a JSON object")
    return spec_from_dict(data)


def dump_spec(card: Scorecard, path: str | os.PathLike[str] | None = None) -> str:
    """Validate and serialise ``card`` as JSON text; also write it to ``path`` when given."""
    validate(card)
    text = json.dumps(spec_to_dict(card), indent=2, ensure_ascii=False, allow_nan=False)
    text = _FLAT_OBJECT.sub(_one_line, text) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
