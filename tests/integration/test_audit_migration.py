"""Migration 0007 on a database whose audit chain was written before the key (SQLite and
PostgreSQL): the old events still verify, under the keyed event that seals them, and cannot be
re-chained either."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, insert, select, update

from openbureau.adapters import audit
from openbureau.adapters.database import alembic_config
from openbureau.adapters.tables import audit_events, audit_head
from openbureau.bootstrap import bootstrap
from openbureau.services import audit_log
from tests.conftest import NOW, make_settings

LEGACY = 5


def migrate(engine: Engine, revision: str, down: bool = False) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def write_unkeyed_chain(engine: Engine, n: int) -> None:
    """Events as the code before 0007 wrote them: plain SHA-256, no ``hash_alg``."""
    prev = audit.GENESIS
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            ev = {"seq": seq, "at": NOW + timedelta(seconds=seq), "actor": "system",
                  "action": "old.event", "subject_ref": f"sub_{seq}", "purpose": "testing",
                  "detail": {"n": seq}}
            value = audit.event_hash(seq, ev["at"], ev["actor"], ev["action"],
                                     ev["subject_ref"], ev["purpose"], ev["detail"], prev)
            conn.execute(insert(audit_events).values(**ev, prev_hash=prev, hash=value))
            prev = value
        conn.execute(insert(audit_head).values(id=1, seq=n, hash=prev))


def test_events_from_before_the_key_verify_once_sealed(empty_engine, tmp_path: Path):
    migrate(empty_engine, "0006")
    write_unkeyed_chain(empty_engine, LEGACY)
    migrate(empty_engine, "head")
    bureau = bootstrap(make_settings(tmp_path / "var"), engine=empty_engine)

    unsealed = audit_log.verify(bureau.uow(), bureau.deps)
    assert not unsealed.ok and "never sealed" in unsealed.problem

    assert audit_log.seal_unkeyed(bureau.uow(), bureau.deps) == LEGACY
    assert audit_log.seal_unkeyed(bureau.uow(), bureau.deps) == 0                    # once
    with bureau.uow() as uow:
        uow.audit("system", "new.event", None, "testing")
        uow.commit()
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert result.ok and result.events == LEGACY + 2 and result.unkeyed_events == LEGACY
    with bureau.uow() as uow:
        algs = uow.execute(select(audit_events.c.action, audit_events.c.hash_alg)
                           .order_by(audit_events.c.seq)).all()
    assert algs[LEGACY:] == [("audit.chain_keyed", audit.KEYED), ("new.event", audit.KEYED)]
    assert {a for _, a in algs[:LEGACY]} == {None}

    # an old event changed and the old part re-chained with plain SHA-256: the keyed event
    # after it no longer follows, and cannot be re-MACed without the key
    with empty_engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 2)
                     .values(detail={"n": 99}))
        rows = conn.execute(select(audit_events).where(audit_events.c.seq <= LEGACY + 1)
                            .order_by(audit_events.c.seq)).all()
        prev = rows[0].hash
        for row in rows[1:LEGACY]:
            value = audit.event_hash(row.seq, row.at, row.actor, row.action, row.subject_ref,
                                     row.purpose, row.detail, prev)
            conn.execute(update(audit_events).where(audit_events.c.seq == row.seq)
                         .values(prev_hash=prev, hash=value))
            prev = value
        conn.execute(update(audit_events).where(audit_events.c.seq == LEGACY + 1)
                     .values(prev_hash=prev))
    broken = audit_log.verify(bureau.uow(), bureau.deps)
    assert not broken.ok and broken.first_bad_event == LEGACY + 1
    assert "MAC does not verify" in broken.problem


def test_migration_goes_down_and_up_again(empty_engine, tmp_path: Path):
    migrate(empty_engine, "head")
    bureau = bootstrap(make_settings(tmp_path / "var"), engine=empty_engine)
    with bureau.uow() as uow:
        uow.audit("system", "new.event", None, "testing")
        uow.commit()
    migrate(empty_engine, "0006", down=True)
    migrate(empty_engine, "head")
    # the values were kept; the algorithm marker was not (a downgrade loses the means to verify
    # keyed events as such, and says so in the migration)
    with empty_engine.connect() as conn:
        assert conn.execute(select(audit_events.c.hash_alg)).scalars().all() == [None]
