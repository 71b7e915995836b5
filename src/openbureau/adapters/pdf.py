"""The report as a PDF: a Jinja2 template rendered by WeasyPrint.

The template takes the dict ``services.reports.build_report`` returns, nothing else, so the PDF
shows exactly what the JSON report shows, in the words the pages use (``domain.wording``,
``domain.letters``). The PDF is tagged for screen readers (PDF/UA-1, as far as WeasyPrint
goes) and names its fonts for Latin, CJK and Arabic text in its stylesheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from openbureau.domain import why, wording
from openbureau.domain.letters import Letter
from openbureau.domain.money import format_money
from openbureau.domain.profiles import PROFILES
from openbureau.scoring.bands import BANDS
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

TEMPLATES = Path(__file__).parent / "templates"


def day(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def words(value: str | None) -> str:
    return "—" if not value else value.replace("_", " ")


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=format_money, day=day, words=words, long_date=wording.long_date,
                       month_label=wording.month_label)
    env.globals.update(letter_of=Letter.from_text, month_short=wording.month_short,
                       grid_short=wording.grid_short, bands=BANDS, score_min=SCORE_MIN,
                       score_max=SCORE_MAX, why_level=why.level_words)
    return env


def render_html(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]]) -> str:
    """``legend``: grid code -> (status, label), as in ``services.reports.GRID_CODES``."""
    profile = PROFILES.get(report["profile"])
    names = {a["item_ref"]: a["name"] for a in report["accounts"]}
    names.update((d["item_ref"], d["item_name"]) for d in report["disputes"] if d["item_name"])
    return _environment().get_template("report.html").render(
        r=report, legend=[(code, status, label) for code, (status, label) in legend.items()],
        profile_title=profile.title if profile else report["profile"], names=names)


def render_report(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]]) -> bytes:
    """PDF bytes of a report, tagged (PDF/UA-1)."""
    import weasyprint

    html = weasyprint.HTML(string=render_html(report, legend), base_url=str(TEMPLATES))
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
