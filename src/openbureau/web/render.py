"""Rendering: the Jinja2 environment, the page response, and server-side SVG charts.

Charts are plain SVG strings built here (no JavaScript); each has a title and a text
equivalent next to it on the page, so nothing is told by colour or shape alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from openbureau.adapters.pdf import day  # one date format for pages and PDF
from openbureau.domain import why, wording
from openbureau.domain.letters import Letter
from openbureau.domain.money import format_money  # one money format for pages and PDF
from openbureau.scoring.bands import BANDS, band
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.web import sessions

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
BAND_COLOURS = {"poor": "#b3261e", "fair": "#c75b00", "good": "#8a6d00",
                "very good": "#4d7c0f", "excellent": "#1b6e3a"}
GRID_SHORT = wording.GRID_SHORT   # the PDF shows the same codes


def _words(value: Any) -> str:
    return str(value or "").replace("_", " ")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=format_money, when=day, words=_words, long_date=wording.long_date,
                       month_label=wording.month_label)
    env.globals.update(gauge=gauge, GRID_SHORT=GRID_SHORT, band_of=band_of, BANDS=BANDS,
                       SCORE_MIN=SCORE_MIN, SCORE_MAX=SCORE_MAX, letter_of=Letter.from_text,
                       month_short=wording.month_short, why_level=why.level_words)
    return env


band_of = band


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page, with the principal, this session's CSRF token and the demo flag in context.

    A visitor without any cookie gets a pre-session cookie so sign-in forms carry a token."""
    env: Environment = request.app.state.web_templates
    bureau = request.app.state.bureau
    anchor = sessions.csrf_anchor(request)
    new_anchor = None
    if anchor is None:
        anchor = new_anchor = sessions.new_pre_anchor()
    ctx = {"request": request, "who": getattr(request.state, "web_principal", None),
           "csrf": sessions.csrf_token(bureau, anchor), "demo": bureau.settings.demo,
           "bureau_name": bureau.settings.bureau_name, **context}
    ctx.setdefault("who", None)
    response = HTMLResponse(env.get_template(template).render(**ctx), status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if new_anchor is not None:
        sessions.set_cookie(request, response, sessions.PRE_COOKIE, new_anchor, None)
    return response


# -- charts --------------------------------------------------------------------------------------

def _point(value: float, r: float, cx: float = 150, cy: float = 150) -> tuple[float, float]:
    theta = math.pi * (1 - (value - SCORE_MIN) / (SCORE_MAX - SCORE_MIN))
    return cx + r * math.cos(theta), cy - r * math.sin(theta)


def gauge(value: int | None, band: str | None = None, label: str = "Score") -> Markup:
    """A half-circle gauge over the score scale with the bands and a needle at ``value``."""
    r = 120
    arcs = []
    for name, lo, hi in BANDS:
        x1, y1 = _point(lo, r)
        x2, y2 = _point(hi + (1 if hi < SCORE_MAX else 0), r)
        arcs.append(f'<path d="M{x1:.1f},{y1:.1f} A{r},{r} 0 0 1 {x2:.1f},{y2:.1f}" '
                    f'stroke="{BAND_COLOURS[name]}" stroke-width="22" fill="none"/>')
    needle = ""
    text = "No score"
    if value is not None:
        nx, ny = _point(max(SCORE_MIN, min(SCORE_MAX, value)), r - 25)
        needle = (f'<line x1="150" y1="150" x2="{nx:.1f}" y2="{ny:.1f}" stroke="#111" '
                  f'stroke-width="5" stroke-linecap="round"/><circle cx="150" cy="150" r="8" '
                  'fill="#111"/>')
        band = band or band_of(value)
        text = f"{value} ({band})"
    desc = escape(f"{label}: {text} on a scale from {SCORE_MIN} to {SCORE_MAX}")
    return Markup(  # noqa: S704 - every interpolated value is escaped or numeric  # nosec B704
        f'<svg class="gauge" viewBox="0 0 300 200" role="img" aria-labelledby="gauge-t">'
        f'<title id="gauge-t">{desc}</title>{"".join(arcs)}{needle}'
        f'<text x="30" y="172" font-size="14" fill="#333">{SCORE_MIN}</text>'
        f'<text x="240" y="172" font-size="14" fill="#333">{SCORE_MAX}</text>'
        f'<text x="150" y="194" font-size="30" font-weight="bold" text-anchor="middle" '
        f'fill="#111">{escape(value if value is not None else "—")}</text></svg>')


def bars(pairs: Sequence[tuple[str, float]], title: str, unit: str = "",
         width: int = 560) -> Markup:
    """A horizontal bar chart; labels and values are written next to each bar."""
    row, label_w = 26, 170
    top = max((v for _, v in pairs), default=0) or 1
    h = row * len(pairs) + 10
    out = [f'<svg class="chart" viewBox="0 0 {width} {h}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, v) in enumerate(pairs):
        y = 5 + i * row
        w = (width - label_w - 80) * (v / top)
        out.append(f'<text x="0" y="{y + 16}" font-size="13" fill="#111">{escape(label)}</text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="18" '
                   f'fill="#1f5f99"/><text x="{label_w + w + 6:.1f}" y="{y + 16}" '
                   f'font-size="13" fill="#111">{v:g}{escape(unit)}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - labels escaped, values numeric  # nosec B704
