"""The report as a PDF: a Jinja2 template rendered by WeasyPrint.

The template takes the dict ``services.reports.build_report`` returns, nothing else, so the PDF
shows exactly what the JSON report shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from openbureau.domain.money import format_money

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
    env.filters.update(money=format_money, day=day, words=words)
    return env


def render_html(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]]) -> str:
    """``legend``: grid code -> (status, label), as in ``services.reports.GRID_CODES``."""
    return _environment().get_template("report.html").render(
        r=report, legend=[(code, status, label) for code, (status, label) in legend.items()])


def render_report(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]]) -> bytes:
    """PDF bytes of a report."""
    import weasyprint

    html = weasyprint.HTML(string=render_html(report, legend), base_url=str(TEMPLATES))
    pdf: bytes = html.write_pdf()
    return pdf
