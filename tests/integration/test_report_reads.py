"""The read path of a report and a score, as the load benchmark drives it: the stored score is
the answer (nothing computed), a change to the file shows in the next report, the active model
is the one the database says (a process's cache is not trusted for it), the payment grid keeps
its meaning, and the audit chain's first event survives two writers."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from openbureau.adapters import audit
from openbureau.adapters.tables import audit_head, scores
from openbureau.bootstrap import bootstrap
from openbureau.domain.roles import SYSTEM
from openbureau.services import models, reports
from tests.conftest import auth
from tests.integration.test_reports import ADA, furnish, record, subject_id

SCORING_SQL = "inquiries_6m"       # an attribute every compiled scoring statement computes


def pull(client, orgs):
    r = client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                    json={"subject": dict(ADA), "purpose": "credit_application"})
    assert r.status_code == 201, r.text
    return r.json()


def stored_scores(bureau) -> list[tuple[str, int]]:
    sid = subject_id(bureau)
    with bureau.uow() as uow:
        return [(r.model_version, r.value) for r in uow.execute(
            select(scores.c.model_version, scores.c.value)
            .where(scores.c.subject_id == sid).order_by(scores.c.id))]


class Statements:
    """The SQL statements the engine runs while the block is open."""

    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, *args) -> None:
        self.seen.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_the_report_gives_the_stored_score_and_computes_nothing(client, orgs, bureau, clock):
    furnish(client, orgs, record())        # furnishing rescores online: one stored score
    (version, value), = stored_scores(bureau)
    clock.advance(days=3)                  # a score computed now would say so
    with Statements(bureau.engine) as sql:
        body = pull(client, orgs)
    assert body["score"]["value"] == value
    assert body["score"]["model_version"] == version
    assert body["score"]["computed_at"].startswith(
        (clock.now() - timedelta(days=3)).date().isoformat())
    assert body["report"]["score"] == body["score"]
    # one look-up of the stored score; the scoring SQL (attributes, then points) never runs
    assert sum("FROM scores" in s for s in sql.seen) == 1
    assert not any(SCORING_SQL in s for s in sql.seen)


def test_a_change_to_the_file_shows_in_the_next_report(client, orgs, bureau, clock):
    furnish(client, orgs, record())
    before = pull(client, orgs)["score"]
    clock.advance(days=31)
    furnish(client, orgs, record(as_of="2026-11-30", status="dpd90", amount_past_due=90000,
                                 date_of_first_delinquency="2026-08-31"))
    after = pull(client, orgs)["score"]
    assert [v for _, v in stored_scores(bureau)] == [before["value"], after["value"]]
    assert after["value"] < before["value"]
    assert after["computed_at"].startswith(clock.now().date().isoformat())


def test_a_model_activated_by_another_process_is_the_one_reports_use(client, orgs, bureau):
    furnish(client, orgs, record())
    first = pull(client, orgs)["score"]     # this process has now cached the active model
    # another server process (its own cache, the same database) registers and activates a
    # second version of the card
    other = bootstrap(bureau.settings, engine=bureau.engine,
                      session_factory=bureau.session_factory, clock=bureau.clock)
    spec = {**models.active_spec(other.uow(), other.deps), "version": "gmsc-test-2"}
    models.register(other.uow(), other.deps, SYSTEM, spec)
    models.activate(other.uow(), other.deps, SYSTEM, "gmsc-test-2")
    with Statements(bureau.engine) as sql:
        second = pull(client, orgs)["score"]
    assert any(SCORING_SQL in s for s in sql.seen)
    assert first["model_version"] != "gmsc-test-2"
    assert second["model_version"] == "gmsc-test-2"      # computed now: none stored yet
    assert second["value"] == first["value"]               # the same card under a new name
    # online rescoring in this process stores scores of the newly active model too
    furnish(client, orgs, record(balance=1000))
    assert stored_scores(bureau)[-1][0] == "gmsc-test-2"


def test_the_first_audit_event_of_two_writers_starts_one_chain(bureau):
    with bureau.uow() as uow:
        for _ in range(2):     # the second writer's insert finds the row and does nothing
            uow.execute(audit._insert_ignoring_conflict(uow.session)
                        .values(id=1, seq=0, hash=audit.GENESIS))
        assert uow.execute(select(func.count()).select_from(audit_head)).scalar_one() == 1
        uow.audit("system", "test.event")
        uow.commit()
        assert audit.verify(uow.session, bureau.audit_key).ok


# -- the payment grid against a plain date-by-date reading of its contract ----------------------

def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _back(d: date, n: int) -> date:
    i = d.year * 12 + d.month - 1 - n
    return _month_end(date(i // 12, i % 12 + 1, 1))


def reference_grid(end: date, months: list) -> list[tuple[str, str, str]]:
    reported = {_month_end(m.as_of): m.status for m in months}
    profile: dict[date, str] = {}
    with_history = [m for m in months if m.payment_history]
    if with_history:
        newest = max(with_history, key=lambda m: m.as_of)
        for i, char in enumerate(newest.payment_history[:24]):
            profile[_back(newest.as_of, i + 1)] = char
    out = []
    for back in range(23, -1, -1):
        month = _back(_month_end(end), back)
        if month in reported:
            code = reports._CODE_OF_STATUS.get(reported[month], "-")
            source = "reported"
        elif profile.get(month, "B") not in "BD":
            code, source = profile[month], "payment_history"
        else:
            code, source = "-", "none"
        out.append((month.strftime("%Y-%m"), code, source))
    return out


_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
_month = st.builds(SimpleNamespace, as_of=_dates,
                   status=st.sampled_from(["current", "dpd30", "dpd90", "paid", "closed",
                                           "collection", "unknown", None]),
                   payment_history=st.one_of(st.none(), st.text("0123456EGHJKLBD", max_size=30)))


@settings(max_examples=300, deadline=None)
@given(end=_dates, months=st.lists(_month, max_size=12))
def test_the_payment_grid_reads_as_its_contract_says(end, months):
    grid = reports.payment_grid(end, months)
    assert [(c["month"], c["code"], c["source"]) for c in grid] == reference_grid(end, months)
    assert all((c["status"], c["label"]) == reports.GRID_CODES[c["code"]] for c in grid)
