"""Server-rendered pages (Jinja2 + htmx) for every role, served by the API's own app.

Pages call the same service functions as the API routers and use the same ``require(...)``
role check; see :mod:`openbureau.web.sessions` for cookies and CSRF.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the pages to ``app`` (after ``problems.install``): routers, templates and HTML error
    pages for browsers (API clients keep their problem documents)."""
    from openbureau.adapters.i18n import LOCALES
    from openbureau.web import (
        errors,
        pages_admin,
        pages_consents,
        pages_enrol,
        pages_furnisher,
        pages_me,
        pages_orgs,
        pages_public,
    )
    from openbureau.web.render import environment

    app.state.web_templates = {locale: environment(locale) for locale in LOCALES}
    for module in (pages_public, pages_enrol, pages_me, pages_consents, pages_orgs,
                   pages_furnisher, pages_admin):
        app.include_router(module.router)
    errors.install(app)
