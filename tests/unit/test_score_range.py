"""The score scale is one constant, scoring.spec's SCORE_MIN / SCORE_MAX: the shipped card, the
bands, offers' bounds, the gauge and the pages read it; no other source file writes 350 or 950."""

from __future__ import annotations

import re
from pathlib import Path

from openbureau.api.schemas_rights import OfferIn
from openbureau.scoring.bands import BANDS
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN, Scaling, load_spec
from openbureau.services.models import shipped_specs
from openbureau.web import render

SRC = Path(__file__).parents[2] / "src" / "openbureau"


def test_no_other_source_writes_the_scale():
    found = [f"{p.relative_to(SRC)}:{n}" for p in sorted(SRC.rglob("*"))
             if p.suffix in (".py", ".html") and "migrations" not in p.parts
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"(?<![\d.])(350|950)(?![\d.])", line)]
    assert [f.split(":")[0] for f in found] == ["scoring/spec.py", "scoring/spec.py"], found


def test_everything_reads_the_one_scale():
    assert (SCORE_MIN, SCORE_MAX) == (350, 950)
    assert (Scaling(650, 30.0, 40).min, Scaling(650, 30.0, 40).max) == (SCORE_MIN, SCORE_MAX)
    for spec in shipped_specs():
        card = load_spec(spec)
        assert (card.scaling.min, card.scaling.max) == (SCORE_MIN, SCORE_MAX), card.version
    assert (BANDS[0][1], BANDS[-1][2]) == (SCORE_MIN, SCORE_MAX)
    bounds = OfferIn.model_json_schema()["properties"]["min_score"]
    assert (bounds["minimum"], bounds["maximum"]) == (SCORE_MIN, SCORE_MAX)
    assert f"from {SCORE_MIN} to {SCORE_MAX}" in render.gauge(600)
    page = render.environment().from_string("{{ SCORE_MIN }}–{{ SCORE_MAX }}").render()
    assert page == f"{SCORE_MIN}–{SCORE_MAX}"
