"""The audit chain finds a modified, deleted or re-ordered event and names the first bad one."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from openbureau.adapters.tables import audit_events
from openbureau.services import audit_log
from tests.conftest import auth


def _events(bureau, n: int = 6) -> None:
    with bureau.uow() as uow:
        for i in range(n):
            uow.audit("operator:1:test", "test.event", f"sub_{i}", "testing", n=i)
        uow.commit()


def _tamper(bureau, stmt) -> None:
    with bureau.uow() as uow:
        uow.execute(stmt)
        uow.session.commit()


def _base(bureau) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(audit_events.c.seq).order_by(audit_events.c.seq.desc())
                           ).scalars().first() or 0


def test_intact_chain_verifies(bureau):
    _events(bureau)
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert result.ok and result.events >= 6 and result.first_bad_event is None


def test_modified_event_is_named(bureau):
    _events(bureau)
    target = _base(bureau) - 2
    _tamper(bureau, update(audit_events).where(audit_events.c.seq == target)
            .values(detail={"n": 99}))
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == target
    assert "modified" in result.problem


def test_deleted_event_is_named(bureau):
    _events(bureau)
    target = _base(bureau) - 3
    _tamper(bureau, delete(audit_events).where(audit_events.c.seq == target))
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == target
    assert "missing" in result.problem


def test_deleted_tail_is_found(bureau):
    _events(bureau)
    last = _base(bureau)
    _tamper(bureau, delete(audit_events).where(audit_events.c.seq == last))
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == last


def test_reordered_events_are_named(bureau):
    _events(bureau)
    a = _base(bureau) - 4
    b = a + 1
    with bureau.uow() as uow:
        ra = uow.execute(select(audit_events).where(audit_events.c.seq == a)).first()
        rb = uow.execute(select(audit_events).where(audit_events.c.seq == b)).first()
    cols = ["at", "actor", "action", "subject_ref", "purpose", "detail", "prev_hash", "hash"]
    _tamper(bureau, update(audit_events).where(audit_events.c.seq == a)
            .values(**{c: getattr(rb, c) for c in cols}))
    _tamper(bureau, update(audit_events).where(audit_events.c.seq == b)
            .values(**{c: getattr(ra, c) for c in cols}))
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == a


def test_verify_endpoint_reports_tampering(client, orgs, bureau):
    _events(bureau)
    ok = client.get("/v1/admin/audit/verify", headers=auth(orgs["auditor"])).json()
    assert ok["ok"] is True
    target = _base(bureau) - 1
    _tamper(bureau, update(audit_events).where(audit_events.c.seq == target)
            .values(actor="someone else"))
    bad = client.get("/v1/admin/audit/verify", headers=auth(orgs["auditor"])).json()
    assert bad["ok"] is False and bad["first_bad_event"] == target


def test_furnishing_writes_are_audited(client, orgs, bureau):
    from tests.integration.test_furnishing_api import record

    client.post("/v1/furnisher/accounts:batch", headers=auth(orgs["furnisher"]),
                json={"records": [record()]})
    with bureau.uow() as uow:
        actions = uow.execute(select(audit_events.c.action, audit_events.c.actor,
                                     audit_events.c.purpose)
                              .where(audit_events.c.action == "furnish.account")).all()
    assert len(actions) == 1
    assert actions[0].actor.startswith("furnisher:") and actions[0].purpose == "furnishing"
