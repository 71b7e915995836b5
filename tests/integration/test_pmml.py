"""The PMML 4.4 export, scored by an independent engine (pypmml, on the JVM), agrees with the
reference scorer on every score and every reason code."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from openbureau.domain.profiles import PROFILES
from openbureau.modelling.pmml import to_pmml
from openbureau.scoring.reasons import key_factors, points_lost
from openbureau.scoring.reference import score_attributes
from openbureau.scoring.spec import Scorecard, load_spec, spec_to_dict

pypmml = pytest.importorskip("pypmml")
if shutil.which("java") is None:  # pragma: no cover
    pytest.skip("pypmml needs Java", allow_module_level=True)

SHIPPED = (Path(__file__).parents[2] / "src" / "openbureau" / "scoring" / "models"
           / "gmsc-2026.11.1.json")
US = PROFILES["us-fcra"]


def _rows(card: Scorecard, n: int, seed: int) -> list[dict[str, float | None]]:
    """Random rows that hit every bin, every bin edge, special values and missing values."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        row: dict[str, float | None] = {}
        for attr in card.attributes:
            u = rng.random()
            if u < 0.12:
                row[attr.name] = None
            elif u < 0.2 and attr.special:
                sv = attr.special[rng.integers(len(attr.special))]
                row[attr.name] = float(sv.values[rng.integers(len(sv.values))])
            else:
                b = attr.bins[rng.integers(len(attr.bins))]
                lo = b.lower if b.lower is not None else (attr.domain_min or 0.0)
                hi = b.upper if b.upper is not None else lo * 3 + 10
                if rng.random() < 0.3:
                    row[attr.name] = float(lo)      # exactly on an edge
                else:
                    row[attr.name] = float(lo + (hi - lo) * rng.random())
                if attr.name in ("dpd_30_59_24m", "dpd_60_89_24m", "dpd_90_plus_24m",
                                 "open_trades", "real_estate_trades"):
                    row[attr.name] = float(math.floor(row[attr.name] or 0.0))
        rows.append(row)
    return rows


def _compare(card: Scorecard, rows: list[dict[str, float | None]]) -> dict[str, int]:
    model = pypmml.Model.fromString(to_pmml(card))
    counts = {"rows": 0, "scores": 0, "raw": 0, "reason_codes": 0, "clipped": 0}
    for row in rows:
        ref = score_attributes(card, row)
        out = model.predict({k: (math.nan if v is None else v) for k, v in row.items()})
        counts["rows"] += 1
        assert out["raw_score"] == ref.raw, (row, out, ref)
        counts["raw"] += 1
        assert out["score"] == ref.value, (row, out, ref)
        counts["scores"] += 1
        counts["clipped"] += any(f.startswith("clipped") for f in ref.flags)
        ours = [f["code"] for f in key_factors(card, ref.points, US, row)]
        theirs = [out[f"reason_{i}"] for i in range(1, len(ours) + 1)]
        assert theirs == ours, (row, out, ref.points)
        counts["reason_codes"] += len(ours)
        # beyond our list, PMML's next code lost nothing (we never list a zero loss)
        if len(ours) < US.key_factors:
            nxt = out.get(f"reason_{len(ours) + 1}")
            if nxt is not None:
                lost = points_lost(card, ref.points, row)
                assert all(lost[a.name] == 0 for a in card.attributes
                           if nxt == a.reason_code or any(c == nxt for _, _, c, _ in a.slots()))
    return counts


def test_shipped_card_matches_reference_on_every_row():
    card = load_spec(SHIPPED)
    counts = _compare(card, _rows(card, 400, seed=7))
    assert counts["scores"] == counts["raw"] == 400
    assert counts["clipped"] >= 1          # the worst rows fall below 350
    assert counts["reason_codes"] > 1000
    print(f"PMML vs reference: {counts}")


def test_newest_card_per_bin_reason_codes_match_key_factors():
    """The newest card gives reasons per bin: PMML carries each bin's code and ranks them as key
    factors do. A missing income gives no key factor but has a loss in PMML (PMML cannot say
    "no reason"), so the rows here report every attribute whose missing slot gives none."""
    newest = load_spec(sorted(SHIPPED.parent.glob("*.json"))[-1])
    assert any(a.per_bin_reasons for a in newest.attributes)
    rows = _rows(newest, 400, seed=5)
    for row in rows:
        for attr in newest.attributes:
            if row[attr.name] is None and attr.missing_reason_code is None:
                row[attr.name] = float(attr.bins[0].upper or 1.0) / 2
    counts = _compare(newest, rows)
    assert counts["scores"] == 400 and counts["reason_codes"] > 800
    codes = {c for a in newest.attributes for _, _, c, _ in a.slots() if c}
    assert {"R10", "R11", "R12"} <= codes


def test_clipping_at_the_top_too():
    card = load_spec(SHIPPED)
    high = replace(card, intercept_points=card.intercept_points + 400)
    counts = _compare(high, _rows(card, 150, seed=11))
    assert counts["clipped"] >= 1


def test_cli_export_pmml(tmp_path: Path):
    from typer.testing import CliRunner

    from openbureau.cli import app

    out = tmp_path / "model.pmml"
    result = CliRunner().invoke(app, ["model", "export-pmml", "--out", str(out),
                                      "--version", "gmsc-2026.11.1"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 'version="4.4"' in text and "<Scorecard" in text
    pypmml.Model.fromString(text)
    bad = CliRunner().invoke(app, ["model", "export-pmml", "--out", str(out),
                                   "--version", "no-such-model"])
    assert bad.exit_code == 2


def _with_pairs(card: Scorecard) -> Scorecard:
    """``card`` with two pair rows on its late-payment counts (every cell that loses points
    gives a reason: PMML cannot say "no reason", see ``modelling/pmml.py``)."""
    data = spec_to_dict(card)
    data["version"] = "test-pairs"
    data["pairs"] = [
        {"name": "late_30_with_late_90", "x": "dpd_30_59_24m", "y": "dpd_90_plus_24m",
         "x_edges": [1.0, 3.0], "y_edges": [1.0, 2.0],
         "points": [[0, -9, -14], [-5, -12, -20], [-8, -15, -31]], "missing_points": 0,
         "reasons": [[None, "R40", "R40"], ["R41", "R42", "R42"], ["R41", "R42", "R42"]],
         "reason_texts": {"R40": "Payments 90 or more days late, more so with these others.",
                          "R41": "Payments 30 to 59 days late, more so with these others.",
                          "R42": "Late payments of both kinds together."}},
        {"name": "late_60_with_late_90", "x": "dpd_60_89_24m", "y": "dpd_90_plus_24m",
         "x_edges": [1.0], "y_edges": [1.0],
         "points": [[0, -6], [-3, -17]], "missing_points": 0,
         "reasons": [[None, "R43"], ["R44", "R44"]],
         "reason_texts": {"R43": "Payments 90 or more days late, more so with 60-89 ones.",
                          "R44": "Payments 60 to 89 days late, more so with 90+ ones."}},
    ]
    return load_spec(data)


def test_pair_rows_in_pmml_score_and_rank_as_the_reference():
    """Pair rows are Characteristics whose Attributes are the cells (``and`` of both fields'
    bounds): pypmml gives the reference's raw score, clipped score and key factors."""
    newest = load_spec(sorted(SHIPPED.parent.glob("*.json"))[-1])
    card = _with_pairs(replace(newest, pairs=()))
    rows = _rows(card, 400, seed=13)
    for row in rows:                       # as above: no slot without a reason is missing
        for attr in card.attributes:
            if row[attr.name] is None and (attr.missing_reason_code is None
                                           or attr.name.startswith("dpd")):
                row[attr.name] = float(attr.bins[0].upper or 1.0) / 2
                if attr.name.startswith("dpd"):
                    row[attr.name] = 0.0
    counts = _compare(card, rows)
    assert counts["scores"] == 400
    text = to_pmml(card)
    assert 'name="late_30_with_late_90_points"' in text and 'reasonCode="R42"' in text
    shown = set()
    for row in rows:
        ref = score_attributes(card, row)
        shown |= {f["code"] for f in key_factors(card, ref.points, US, row)}
    assert {"R40", "R41", "R42"} & shown
