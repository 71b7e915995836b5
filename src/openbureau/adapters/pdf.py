"""The report as a PDF: a Jinja2 template rendered by WeasyPrint.

The template takes the dict ``services.reports.build_report`` returns, nothing else, so the PDF
shows exactly what the JSON report shows, in the words the pages use (``domain.wording``,
``domain.letters``) and the same formats (``adapters.i18n``), in English or Simplified Chinese.
The PDF is tagged for screen readers (PDF/UA-1, as far as WeasyPrint goes) and names its fonts
for Latin, CJK and Arabic text in its stylesheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from openbureau.adapters import i18n
from openbureau.domain import report_summary, why, wording
from openbureau.domain.letters import Letter
from openbureau.domain.profiles import PROFILES
from openbureau.scoring.bands import BANDS
from openbureau.scoring.spec import SCORE_MAX, SCORE_MIN

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment(locale: str = i18n.DEFAULT) -> Environment:
    lang = i18n.language(locale)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(lang.filters())
    env.globals.update(letter_of=Letter.from_text, month_short=lang.month_short,
                       grid_short=wording.grid_short, bands=BANDS, score_min=SCORE_MIN,
                       score_max=SCORE_MAX, locale=lang.code,
                       why_level=partial(why.level_words, language=lang))
    return env


def render_html(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]],
                locale: str = i18n.DEFAULT) -> str:
    """``legend``: grid code -> (status, label), as in ``services.reports.GRID_CODES``;
    ``locale``: one of ``i18n.LOCALES``."""
    profile = PROFILES.get(report["profile"])
    locale = i18n.supported(locale) or i18n.DEFAULT
    return _environment(locale).get_template("report.html").render(
        r=report, legend=[(code, status, label) for code, (status, label) in legend.items()],
        profile_title=profile.title if profile else report["profile"],
        names=report_summary.item_names(report, i18n.language(locale)))


def render_report(report: Mapping[str, Any], legend: Mapping[str, tuple[str, str]],
                  locale: str = i18n.DEFAULT) -> bytes:
    """PDF bytes of a report in ``locale``, tagged (PDF/UA-1)."""
    import weasyprint

    html = weasyprint.HTML(string=render_html(report, legend, locale), base_url=str(TEMPLATES))
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
