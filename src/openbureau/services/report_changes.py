"""What changed since the person's last report: new accounts, accounts whose status changed, new
inquiries and public records, and the score's change -- from what the bureau already keeps (the
audit log's record of each report read, the month records' furnishing times, the score history).

"Your last report" is the newest report you read *before today* (UTC): reading the page again
the same day does not make the day's changes vanish. The first report has nothing to compare.
Runs inside ``reports.build_report``'s unit of work, before that read is itself recorded.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from openbureau.domain import wording
from openbureau.domain.letters import ENGLISH, Language
from openbureau.domain.report_summary import status_words
from openbureau.services.ports import UnitOfWork

READ_ACTION = "report.read"


def last_read(uow: UnitOfWork, subject_ref: str, actor: str, now: datetime) -> datetime | None:
    """When ``actor`` last read this file's report before today."""
    today = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return uow.report.last_read(subject_ref, actor, READ_ACTION, today)


def since_last(uow: UnitOfWork, subject: Any, actor: str, report: dict[str, Any],
               now: datetime, language: Language = ENGLISH) -> dict[str, Any]:
    """``{since, items: [{kind, text, item_ref?}], score: {before, after, change}?}``; ``since``
    None for the first report (nothing to compare). The texts in ``language``."""
    _ = language.gettext
    day = language.long_date
    since = last_read(uow, subject.item_ref, actor, now)
    if since is None:
        return {"since": None, "items": [], "score": None,
                "text": _("This is your first report: the next time you look, on another day, "
                          "what changed since this one is listed here.")}
    shown = {a["item_ref"]: a for a in report["accounts"]}
    before: dict[str, Any] = {}
    latest: dict[str, Any] = {}
    for m in uow.report.furnished_months(subject.id):
        if m.item_ref not in shown:
            continue
        if m.furnished_at <= since and (m.item_ref not in before
                                        or m.as_of > before[m.item_ref].as_of):
            before[m.item_ref] = m
        if m.item_ref not in latest or m.as_of > latest[m.item_ref].as_of:
            latest[m.item_ref] = m
    items: list[dict[str, Any]] = []
    for ref, a in shown.items():
        then, now_m = before.get(ref), latest.get(ref)
        if now_m is None:
            continue
        if then is None:
            items.append({"kind": "new_account", "item_ref": ref,
                          "text": _("New account: %(name)s, opened %(date)s.") % {
                              "name": a["name"], "date": day(a["opened_on"])}})
        elif then.status != now_m.status:
            items.append({"kind": "status_change", "item_ref": ref,
                          "text": _("%(name)s: %(before)s in %(then)s, now %(after)s "
                                    "(%(now)s).") % {
                              "name": a["name"], "before": status_words(then.status, language),
                              "then": language.month(then.as_of),
                              "after": status_words(now_m.status, language),
                              "now": language.month(now_m.as_of)}})
    for q in report["inquiries"]:
        if q["when"] > since:
            what = (_("%(who)s checked a court restriction on %(date)s.")
                    if q["kind"] == "restriction_check" else
                    _("%(who)s looked at your file (%(purpose)s) on %(date)s."))
            items.append({"kind": "new_inquiry", "item_ref": q["item_ref"],
                          "text": what % {"who": q["who"], "date": day(q["when"]),
                                          "purpose": _(wording.words(q["purpose"]))}})
    for p in report["public_records"]:
        if p["listed_at"] > since:
            items.append({"kind": "new_public_record", "item_ref": p["item_ref"],
                          "text": _("New public record: %(court)s, case %(case)s.") % {
                              "court": p["court"], "case": p["case_number"]}})
    score = _score_change(uow, subject.id, since, report.get("score"), language)
    if score is not None:
        items.append({"kind": "score_change", "item_ref": None, "text": score["text"]})
    text = (language.ngettext("Since your last report (%(date)s): %(n)s change.",
                              "Since your last report (%(date)s): %(n)s changes.", len(items))
            % {"date": day(since), "n": len(items)} if items else
            _("Nothing changed since your last report (%(date)s).") % {"date": day(since)})
    return {"since": since, "items": items, "score": score, "text": text}


def _score_change(uow: UnitOfWork, subject_id: int, since: datetime,
                  current: dict[str, Any] | None, language: Language = ENGLISH
                  ) -> dict[str, Any] | None:
    if not current:
        return None
    then = uow.report.score_at(subject_id, since)
    if then is None or then == current["value"]:
        return None
    change = int(current["value"]) - int(then)
    text = (language.gettext("Your score went up %(n)s points, from %(before)s to %(after)s.")
            if change > 0 else
            language.gettext("Your score went down %(n)s points, from %(before)s to "
                             "%(after)s."))
    return {"before": then, "after": current["value"], "change": change,
            "text": text % {"n": abs(change), "before": then, "after": current["value"]}}
