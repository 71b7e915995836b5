"""The statements behind "what changed since your last report" (``services.report_changes``):
the person's previous report reads (the audit log), the month records' furnishing times, the
score as it stood then. Built once; the service runs them with its parameters."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from openbureau.adapters.tables import account_months, accounts, audit_events, scores

# params: ref (the file's public ref), actor, action, before (a UTC datetime)
LAST_READ = (select(audit_events.c.at)
             .where(audit_events.c.subject_ref == bindparam("ref"),
                    audit_events.c.action == bindparam("action"),
                    audit_events.c.actor == bindparam("actor"),
                    audit_events.c.at < bindparam("before"))
             .order_by(audit_events.c.seq.desc()).limit(1))
# params: subject_id -> (item_ref, as_of, status, furnished_at) of every month of its accounts
MONTH_TIMES = (select(accounts.c.item_ref, account_months.c.as_of, account_months.c.status,
                      account_months.c.furnished_at)
               .join(account_months, account_months.c.account_id == accounts.c.id)
               .where(accounts.c.subject_id == bindparam("subject_id")))
# params: subject_id, at -> the newest score computed at or before ``at``
SCORE_AT = (select(scores.c.value).where(scores.c.subject_id == bindparam("subject_id"),
                                         scores.c.computed_at <= bindparam("at"))
            .order_by(scores.c.computed_at.desc(), scores.c.id.desc()).limit(1))
