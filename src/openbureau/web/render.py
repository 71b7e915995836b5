"""Rendering: the Jinja2 environment, the page response, and server-side SVG charts.

Charts are plain SVG strings built here (no JavaScript); each has a title and a text
equivalent next to it on the page, so nothing is told by colour or shape alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from openbureau.adapters import i18n  # one set of formats for pages and PDF
from openbureau.domain import why, wording
from openbureau.domain.letters import Letter
from openbureau.domain.roles import Role
from openbureau.scoring.bands import BANDS, band
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN
from openbureau.web import sessions

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
BAND_COLOURS = {"poor": "#b3261e", "fair": "#c75b00", "good": "#8a6d00",
                "very good": "#4d7c0f", "excellent": "#1b6e3a"}
GRID_SHORT = wording.GRID_SHORT   # the PDF shows the same codes


def environment(locale: str = i18n.DEFAULT) -> Environment:
    """The pages' templates in ``locale``: its catalogue (jinja2.ext.i18n, ``{% trans %}`` and
    ``_()``) and its formats (``i18n.Language.filters``)."""
    lang = i18n.language(locale)
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(lang.filters())
    env.filters["words"] = partial(lang.words, none="")
    env.globals.update(gauge=partial(gauge, language=lang), GRID_SHORT=GRID_SHORT,
                       band_of=band_of, BANDS=BANDS, SCORE_MIN=SCORE_MIN, SCORE_MAX=SCORE_MAX,
                       letter_of=Letter.from_text, month_short=lang.month_short,
                       locale=lang.code, LANGUAGES=i18n.NAMES,
                       why_level=partial(why.level_words, language=lang))
    return env


band_of = band


def locale_of(request: Request) -> str:
    """The language of this page: organisations' pages are in English; a consumer's or a
    visitor's follow ``?lang=``, else their ``lang`` cookie (their setting), else their
    browser's ``Accept-Language``, else the profile's language (``i18n.negotiate``)."""
    who = getattr(request.state, "web_principal", None)
    if who is not None and who.role is not Role.CONSUMER:
        return i18n.DEFAULT
    setting = (i18n.supported(request.query_params.get("lang"))
               or request.cookies.get(i18n.COOKIE))
    return i18n.negotiate(setting, request.headers.get("accept-language"),
                          request.app.state.bureau.profile.language)


def remember_locale(request: Request, response: Response) -> None:
    """Keep a ``?lang=`` choice as the person's setting (the ``lang`` cookie, a year)."""
    chosen = i18n.supported(request.query_params.get("lang"))
    if chosen is not None and chosen != request.cookies.get(i18n.COOKIE):
        sessions.set_cookie(request, response, i18n.COOKIE, chosen, 365 * 24 * 3600)


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page, with the principal, this session's CSRF token and the demo flag in context.

    A visitor without any cookie gets a pre-session cookie so sign-in forms carry a token."""
    locale = locale_of(request)
    env: Environment = request.app.state.web_templates[locale]
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
    response.headers["Content-Language"] = locale
    remember_locale(request, response)
    if new_anchor is not None:
        sessions.set_cookie(request, response, sessions.PRE_COOKIE, new_anchor, None)
    return response


# -- charts --------------------------------------------------------------------------------------

def _point(value: float, r: float, cx: float = 150, cy: float = 150) -> tuple[float, float]:
    theta = math.pi * (1 - (value - SCORE_MIN) / (SCORE_MAX - SCORE_MIN))
    return cx + r * math.cos(theta), cy - r * math.sin(theta)


def gauge(value: int | None, band: str | None = None, label: str = "Score",
          language: i18n.Language | None = None) -> Markup:
    """A half-circle gauge over the score scale with the bands and a needle at ``value``; its
    title in ``language`` (``label`` is translated by the caller)."""
    lang = language or i18n.language(i18n.DEFAULT)
    r = 120
    arcs = []
    for name, lo, hi in BANDS:
        x1, y1 = _point(lo, r)
        x2, y2 = _point(hi + (1 if hi < SCORE_MAX else 0), r)
        arcs.append(f'<path d="M{x1:.1f},{y1:.1f} A{r},{r} 0 0 1 {x2:.1f},{y2:.1f}" '
                    f'stroke="{BAND_COLOURS[name]}" stroke-width="22" fill="none"/>')
    needle = ""
    text = lang.gettext("No score")
    if value is not None:
        nx, ny = _point(max(SCORE_MIN, min(SCORE_MAX, value)), r - 25)
        needle = (f'<line x1="150" y1="150" x2="{nx:.1f}" y2="{ny:.1f}" stroke="#111" '
                  f'stroke-width="5" stroke-linecap="round"/><circle cx="150" cy="150" r="8" '
                  'fill="#111"/>')
        band = band or band_of(value)
        text = f"{value} ({lang.gettext(band)})"
    desc = escape(lang.gettext("%(label)s: %(score)s on a scale from %(min)s to %(max)s")
                  % {"label": label, "score": text, "min": SCORE_MIN, "max": SCORE_MAX})
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
