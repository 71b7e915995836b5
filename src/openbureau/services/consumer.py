"""The consumer's own file: the report (JSON or PDF), who looked at it, and the notices sent.

Every read is recorded in the audit log with the purpose ``consumer_request``.
"""

from __future__ import annotations

from typing import Any

from openbureau.domain.letters import ENGLISH, Language
from openbureau.domain.profiles import Purpose
from openbureau.domain.roles import Principal
from openbureau.services import reports, subjects
from openbureau.services.owner import own_file
from openbureau.services.ports import Deps, UnitOfWork

PURPOSE = Purpose.CONSUMER_REQUEST.value


def my_report(uow: UnitOfWork, deps: Deps, consumer: Principal, *, format: str = "json",
              language: Language = ENGLISH) -> dict[str, Any]:
    """The consumer's report; its notices' letters in ``language``."""
    with uow:
        report = reports.build_report(uow, deps, subjects.own(uow, consumer), consumer,
                                      PURPOSE, format=format, language=language)
        uow.commit()
    return report


def is_frozen(uow: UnitOfWork, deps: Deps, consumer: Principal) -> bool:
    with uow:
        return reports.is_frozen(uow, subjects.own(uow, consumer).id)


def shown_score(uow: UnitOfWork, deps: Deps, consumer: Principal,
                report: dict[str, Any]) -> dict[str, Any] | None:
    """The score the page and the PDF show: the report's; while the scoring service gives none,
    the active model's score of the file as it stands (the simulator with no changes), with its
    key factors; None when neither exists."""
    from openbureau.domain.errors import OpenBureauError
    from openbureau.services import simulation

    score: dict[str, Any] | None = report.get("score")
    if score:
        return score
    try:
        score = simulation.run(uow, deps, consumer, [])["before"]
    except OpenBureauError:
        return None
    return score


def my_report_pdf(uow: UnitOfWork, deps: Deps, consumer: Principal, locale: str = "en") -> bytes:
    """The report as a PDF in ``locale`` (``adapters.i18n.LOCALES``)."""
    from openbureau.adapters import i18n, pdf

    report = my_report(uow, deps, consumer, format="pdf", language=i18n.language(locale))
    score = shown_score(uow, deps, consumer, report)
    return pdf.render_report({**report, "score": score},
                             reports.GRID_CODES, locale)


def my_accesses(uow: UnitOfWork, deps: Deps, consumer: Principal) -> list[dict[str, Any]]:
    """Every inquiry and restriction check on the file, newest first: who, when, why. Unlike the
    report's inquiry section this is not cut to the profile's display window; only what retention
    has purged is gone."""
    with uow:
        subject = own_file(uow, consumer)
        found = uow.inquiries.accesses(subject.id, reports.INQUIRY_KINDS)
        uow.audit(consumer.actor, "accesses.read", subject.item_ref, PURPOSE)
        uow.commit()
    return found


def my_notices(uow: UnitOfWork, deps: Deps, consumer: Principal,
               language: Language = ENGLISH) -> list[dict[str, Any]]:
    """Adverse-action notices, listing notices and dispute results, newest first, their
    letters in ``language``."""
    with uow:
        subject = subjects.own(uow, consumer)
        out = reports.notice_list(uow, deps, subject.id, language=language)
        uow.audit(consumer.actor, "notices.read", subject.item_ref, PURPOSE)
        uow.commit()
    return out
