"""Export a scorecard spec as a PMML 4.4 ``Scorecard`` model, for any PMML scoring engine.

The mapping, per attribute of the spec (a ``Characteristic`` in PMML; the first matching
``Attribute`` wins, so the order is the reference scorer's):

1. missing        -> ``SimplePredicate isMissing``, the spec's ``missing_points``;
2. special values -> ``SimpleSetPredicate isIn`` (numeric) with that value's points;
3. numeric bins   -> ``lower <= x < upper`` (a ``CompoundPredicate``; an unbounded side is left
   out); categorical -> ``SimpleSetPredicate isIn`` over the category's strings.

``initialScore`` is the intercept; ``useReasonCodes`` with ``reasonCodeAlgorithm="pointsBelow"``
and each characteristic's ``baselineScore`` set to its best points (the maximum over every bin,
special value, category and missing), so PMML's reason-code ranking is the same "points lost
against the best bin" that :mod:`openbureau.scoring.reasons` ranks by. Key factors break ties by
reason code; PMML says nothing about ties and engines differ (pypmml does not keep the document
order), so each baseline carries a tie-break below one point: ``best + (n - k) / (n + 1)`` for
the attribute whose reason code ranks ``k``-th of ``n``. Points are integers, so this orders equal
losses by reason code and changes nothing else; it never touches the score. (A zero loss then shows
as a fraction of a point in PMML's lower ranks; key factors never list it.)

A card with per-bin reasons (:mod:`openbureau.scoring.reasons`) gives each ``Attribute`` its own
``reasonCode`` and each baseline its ``reference_points`` (the best bin; never the missing bin
or a sentinel code), so PMML ranks the same per-bin key factors, ties broken by the attribute's
own reason code as key factors break them. One thing PMML cannot say: a slot that gives no
reason (a missing income) still has a loss in PMML and can be ranked there, under the
attribute's code; key factors never list it.

A pair row (2-D bins) is one more ``Characteristic``, named ``<pair>_points``: first the missing
cell (``CompoundPredicate or`` of ``isMissing`` on either field), then one ``Attribute`` per cell
of the grid, whose predicate is the ``and`` of the cell's bounds on both fields; each cell carries
its own reason code, the baseline is the row's best cell. PMML says all of it. The same limit as
above: a cell that gives no reason (the best cell's neighbours where nothing lies off its best
bins) still has its loss ranked in PMML, under the row's ``reasonCode`` (its smallest cell code;
a pair row without reasons uses its name); key factors never list it.

Clipping: a PMML Scorecard has no clipping of its own. The model's predicted value is the
unclipped ``raw`` score (output ``raw_score``); the output field ``score`` applies the spec's range
with ``max(min(raw_score, max), min)`` as a ``transformedValue`` -- so a consumer gets both, and the
clipped one equals the reference scorer's ``value``. Values outside an attribute's domain match no
Attribute; PMML leaves that to the engine (the reference scorer refuses them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from openbureau.scoring.reasons import best_points, reference_points, row_order
from openbureau.scoring.spec import AttributeCard, PairCard, Scorecard

NS = "http://www.dmg.org/PMML-4_4"
TARGET = "raw_score"


def _num(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(int(value)) if abs(value) < 2**53 else repr(value)
    return repr(value)


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, attrs)


def _array(parent: ET.Element, values: Sequence[object], kind: str) -> None:
    arr = _sub(parent, "Array", n=str(len(values)), type=kind)
    if kind == "string":
        arr.text = " ".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
                            for v in values)
    else:
        # kind says the values are numbers; the one signature serves both kinds
        arr.text = " ".join(_num(v) for v in values)  # type: ignore[arg-type]


def _attribute(ch: ET.Element, attr: AttributeCard, points: int, code: str | None) -> ET.Element:
    """An ``Attribute`` with the slot's own reason code when the card gives reasons per bin."""
    if attr.per_bin_reasons and code is not None:
        return _sub(ch, "Attribute", partialScore=str(points), reasonCode=code)
    return _sub(ch, "Attribute", partialScore=str(points))


def _characteristic(parent: ET.Element, attr: AttributeCard, tie_break: float) -> None:
    base = reference_points(attr) if attr.per_bin_reasons else best_points(attr)
    ch = _sub(parent, "Characteristic", name=f"{attr.name}_points", reasonCode=attr.reason_code,
              baselineScore=repr(base + tie_break))
    missing = _attribute(ch, attr, attr.missing_points, attr.missing_reason_code)
    _sub(missing, "SimplePredicate", field=attr.name, operator="isMissing")
    for sv in attr.special:
        a = _attribute(ch, attr, sv.points, sv.reason_code)
        _array(_sub(a, "SimpleSetPredicate", field=attr.name, booleanOperator="isIn"),
                sv.values, "real")
    for cat in attr.categories:
        a = _attribute(ch, attr, cat.points, cat.reason_code)
        _array(_sub(a, "SimpleSetPredicate", field=attr.name, booleanOperator="isIn"),
               cat.values, "string")
    for b in attr.bins:
        a = _attribute(ch, attr, b.points, b.reason_code)
        parts = []
        if b.lower is not None:
            parts.append(("greaterOrEqual", b.lower))
        if b.upper is not None:
            parts.append(("lessThan", b.upper))
        if not parts:
            _sub(a, "True")
            continue
        holder = a if len(parts) == 1 else _sub(a, "CompoundPredicate", booleanOperator="and")
        for op, edge in parts:
            _sub(holder, "SimplePredicate", field=attr.name, operator=op, value=_num(edge))


def _bounds(field: str, edges: Sequence[float], i: int) -> list[tuple[str, str, float]]:
    out = []
    if i > 0:
        out.append((field, "greaterOrEqual", edges[i - 1]))
    if i < len(edges):
        out.append((field, "lessThan", edges[i]))
    return out


def _pair_characteristic(parent: ET.Element, pair: PairCard, code: str,
                         tie_break: float) -> None:
    ch = _sub(parent, "Characteristic", name=f"{pair.name}_points", reasonCode=code,
              baselineScore=repr(pair.reference_points() + tie_break))
    missing = _sub(ch, "Attribute", partialScore=str(pair.missing_points))
    either = _sub(missing, "CompoundPredicate", booleanOperator="or")
    for name in (pair.x, pair.y):
        _sub(either, "SimplePredicate", field=name, operator="isMissing")
    for i, row in enumerate(pair.points):
        for j, points in enumerate(row):
            reason = pair.reason_at(i, j)
            a = (_sub(ch, "Attribute", partialScore=str(points), reasonCode=reason[0])
                 if reason is not None else _sub(ch, "Attribute", partialScore=str(points)))
            parts = _bounds(pair.x, pair.x_edges, i) + _bounds(pair.y, pair.y_edges, j)
            if not parts:
                _sub(a, "True")
                continue
            holder = a if len(parts) == 1 else _sub(a, "CompoundPredicate",
                                                    booleanOperator="and")
            for name, op, edge in parts:
                _sub(holder, "SimplePredicate", field=name, operator=op, value=_num(edge))


def to_pmml(card: Scorecard, n_reasons: int | None = None) -> str:
    """The spec as PMML 4.4 XML text. ``n_reasons`` reason-code outputs (default: one per
    attribute), named ``reason_1``... in rank order."""
    ET.register_namespace("", NS)
    root = ET.Element("PMML", {"version": "4.4", "xmlns": NS})
    header = _sub(root, "Header", copyright="openbureau contributors, Apache-2.0",
                  description=f"openbureau scorecard {card.version} ({card.format})")
    _sub(header, "Application", name="openbureau", version=card.version)
    _sub(header, "Timestamp").text = card.created_at

    dd = _sub(root, "DataDictionary", numberOfFields=str(len(card.attributes) + 1))
    for attr in card.attributes:
        if attr.kind == "categorical":
            f = _sub(dd, "DataField", name=attr.name, optype="categorical", dataType="string")
            for cat in attr.categories:
                for v in cat.values:
                    _sub(f, "Value", value=v)
        else:
            _sub(dd, "DataField", name=attr.name, optype="continuous", dataType="double")
    _sub(dd, "DataField", name=TARGET, optype="continuous", dataType="double")

    model = _sub(root, "Scorecard", modelName=card.version, functionName="regression",
                 useReasonCodes="true", reasonCodeAlgorithm="pointsBelow",
                 initialScore=str(card.intercept_points), baselineMethod="max")
    schema = _sub(model, "MiningSchema")
    for attr in card.attributes:
        _sub(schema, "MiningField", name=attr.name, usageType="active",
             missingValueTreatment="asIs", invalidValueTreatment="asIs")
    _sub(schema, "MiningField", name=TARGET, usageType="target")

    output = _sub(model, "Output")
    _sub(output, "OutputField", name=TARGET, optype="continuous", dataType="double",
         feature="predictedValue")
    clipped = _sub(output, "OutputField", name="score", optype="continuous", dataType="double",
                   feature="transformedValue")
    upper = _sub(clipped, "Apply", function="max")
    lower = _sub(upper, "Apply", function="min")
    _sub(lower, "FieldRef", field=TARGET)
    _sub(lower, "Constant", dataType="double").text = str(card.scaling.max)
    _sub(upper, "Constant", dataType="double").text = str(card.scaling.min)
    for rank in range(1, (n_reasons or len(card.rows)) + 1):
        _sub(output, "OutputField", name=f"reason_{rank}", optype="categorical",
             dataType="string", feature="reasonCode", rank=str(rank))

    chars = _sub(model, "Characteristics")
    order = row_order(card)
    order |= {p.name: p.name for p in card.pairs if not p.reason_texts}
    codes = sorted(order.values())
    n = len(codes)
    for attr in card.attributes:
        _characteristic(chars, attr, (n - codes.index(attr.reason_code)) / (n + 1))
    for pair in card.pairs:
        code = order[pair.name]
        _pair_characteristic(chars, pair, code, (n - codes.index(code)) / (n + 1))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
