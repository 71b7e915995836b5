"""The keyed audit chain (security finding 8): with write access to the database but not the
audit key, deleting an event and re-chaining (plain SHA-256, or HMAC under another key) is
found; with the key too, a checkpoint published before is what finds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from openbureau.adapters import audit
from openbureau.adapters.audit_checkpoints import CheckpointFileError
from openbureau.adapters.tables import audit_events, audit_head
from openbureau.services import audit_log
from tests.conftest import NOW

WRONG_KEY = audit.ChainKey(b"w" * 32)


def _events(bureau, n: int = 6) -> None:
    with bureau.uow() as uow:
        for i in range(n):
            uow.audit("operator:1:test", "test.event", f"sub_{i}", "testing", n=i)
        uow.commit()


def _last(bureau) -> int:
    with bureau.uow() as uow:
        return uow.execute(select(audit_events.c.seq).order_by(audit_events.c.seq.desc())
                           ).scalars().first() or 0


def _fields(row, prev: str) -> tuple:
    return (row.seq, row.at, row.actor, row.action, row.subject_ref, row.purpose, row.detail,
            prev)


def unkeyed(row, prev: str) -> tuple[str, str | None]:
    return audit.event_hash(*_fields(row, prev)), None


def wrong_key(row, prev: str) -> tuple[str, str | None]:
    return audit.event_mac(WRONG_KEY, *_fields(row, prev)), audit.KEYED


def the_key(bureau):
    def compute(row, prev: str) -> tuple[str, str | None]:
        return audit.event_mac(bureau.audit_key, *_fields(row, prev)), audit.KEYED
    return compute


def delete_and_rechain(bureau, target: int, compute, *, renumber: bool = True) -> None:
    """What someone with write access to the database does to hide event ``target``: delete
    it, close the gap, recompute every chain value after it with ``compute`` and move the
    head, so that a plain hash chain verifies again."""
    with bureau.uow() as uow:
        uow.execute(delete(audit_events).where(audit_events.c.seq == target))
        if renumber:
            later = uow.execute(select(audit_events.c.seq).where(audit_events.c.seq > target)
                                .order_by(audit_events.c.seq)).scalars().all()
            for seq in later:
                uow.execute(update(audit_events).where(audit_events.c.seq == seq)
                            .values(seq=seq - 1))
        rechain(uow, target if renumber else 1, compute)
        uow.session.commit()


def rechain(uow, start: int, compute) -> None:
    prev = audit.GENESIS if start == 1 else uow.execute(
        select(audit_events.c.hash).where(audit_events.c.seq == start - 1)).scalar_one()
    rows = uow.execute(select(audit_events).where(audit_events.c.seq >= start)
                       .order_by(audit_events.c.seq)).all()
    seq = start - 1
    for row in rows:
        value, alg = compute(row, prev)
        uow.execute(update(audit_events).where(audit_events.c.seq == row.seq)
                    .values(prev_hash=prev, hash=value, hash_alg=alg))
        prev, seq = value, row.seq
    uow.execute(update(audit_head).values(seq=seq, hash=prev))


# -- the chain is keyed ------------------------------------------------------------------------

def test_events_are_chained_with_the_audit_key(bureau):
    _events(bureau)
    with bureau.uow() as uow:
        rows = uow.execute(select(audit_events).order_by(audit_events.c.seq)).all()
    for row in rows[-6:]:
        assert row.hash_alg == audit.KEYED
        assert row.hash == audit.event_mac(bureau.audit_key, *_fields(row, row.prev_hash))
        assert row.hash != audit.event_hash(*_fields(row, row.prev_hash))
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert result.ok and result.unkeyed_events == 0


@pytest.mark.parametrize("compute", [unkeyed, wrong_key], ids=["plain-sha256", "wrong-key"])
def test_deleted_event_rechained_without_the_key_is_found(bureau, compute):
    _events(bureau)
    target = _last(bureau) - 3
    delete_and_rechain(bureau, target, compute)
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == target, result
    expected = "unkeyed but follows keyed" if compute is unkeyed else "MAC does not verify"
    assert expected in result.problem


def test_whole_log_rewritten_without_the_key_is_found(bureau):
    _events(bureau)
    delete_and_rechain(bureau, _last(bureau) - 3, unkeyed)
    with bureau.uow() as uow:      # every event, from the first, as plain SHA-256
        rechain(uow, 1, unkeyed)
        uow.session.commit()
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == 1
    assert "no event of the" in result.problem and "keyed" in result.problem


def test_wrong_audit_key_is_named(bureau):
    _events(bureau)
    bureau.audit_key = WRONG_KEY
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and "OPENBUREAU_AUDIT_KEY" in result.problem


def test_head_moved_back_over_stored_events_is_found(bureau):
    _events(bureau)
    last = _last(bureau)
    with bureau.uow() as uow:
        prev = uow.execute(select(audit_events.c.hash)
                           .where(audit_events.c.seq == last - 1)).scalar_one()
        uow.execute(update(audit_head).values(seq=last - 1, hash=prev))
        uow.session.commit()
    result = audit_log.verify(bureau.uow(), bureau.deps)
    assert not result.ok and result.first_bad_event == last and "moved back" in result.problem


def test_database_computes_the_same_mac(bureau):
    """PostgreSQL appends a commit's single event in one statement (``_in_place``), computing
    the HMAC itself from the pads it is sent: the value must be Python's."""
    if bureau.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement append is PostgreSQL's")
    _events(bureau, 1)
    ev = audit.PendingEvent(NOW, "member:7:x", "test.in_place", "sub_x", "testing",
                            {"n": 1, "text": "Łukasz 王", "nested": {"b": [1, 2]}})
    with bureau.uow() as uow:
        uow.execute(*audit._in_place(ev, bureau.audit_key))
        uow.commit()
    with bureau.uow() as uow:
        row = uow.execute(select(audit_events).order_by(audit_events.c.seq.desc())).first()
    assert row.action == "test.in_place" and row.hash_alg == audit.KEYED
    assert row.hash == audit.event_mac(bureau.audit_key, *_fields(row, row.prev_hash))
    assert audit_log.verify(bureau.uow(), bureau.deps).ok


# -- checkpoints outside the database ----------------------------------------------------------

def test_checkpoint_catches_rechaining_with_the_key(bureau, tmp_path: Path):
    _events(bureau)
    log = tmp_path / "checkpoints.jsonl"
    result, line = audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    assert result.ok and line is not None
    assert (line["seq"], line["hash"], line["taken_at"]) == (
        _last(bureau), result.head_hash, NOW.isoformat())
    assert audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log).ok
    _events(bureau, 2)                             # the chain goes on after the checkpoint
    assert audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log).checkpoints == 1

    target = line["seq"] - 2
    delete_and_rechain(bureau, target, the_key(bureau))   # an insider with the key
    # the chain alone cannot tell
    assert audit_log.verify(bureau.uow(), bureau.deps).ok
    caught = audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log)
    assert not caught.ok and caught.first_bad_event == line["seq"]
    assert "checkpoint on line 1" in caught.problem and "re-computed" in caught.problem


def test_checkpoint_catches_a_deleted_tail(bureau, tmp_path: Path):
    _events(bureau)
    log = tmp_path / "checkpoints.jsonl"
    _, line = audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    assert line is not None
    with bureau.uow() as uow:
        uow.execute(delete(audit_events).where(audit_events.c.seq > line["seq"] - 2))
        rechain(uow, line["seq"] - 2, the_key(bureau))      # moves the head back
        uow.session.commit()
    assert audit_log.verify(bureau.uow(), bureau.deps).ok
    caught = audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log)
    assert not caught.ok and "events were deleted" in caught.problem
    assert caught.first_bad_event == line["seq"] - 1       # the first event deleted


def test_edited_checkpoint_is_not_genuine(bureau, tmp_path: Path):
    _events(bureau)
    log = tmp_path / "checkpoints.jsonl"
    audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    _events(bureau, 1)
    audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    first, second = log.read_text().splitlines()
    forged = {**json.loads(second), "seq": json.loads(second)["seq"] - 1}
    log.write_text(first + "\n" + json.dumps(forged) + "\n")
    result = audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log)
    assert not result.ok and "line 2" in result.problem and "not genuine" in result.problem


def test_no_checkpoint_of_a_broken_chain(bureau, tmp_path: Path):
    _events(bureau)
    log = tmp_path / "checkpoints.jsonl"
    audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    before = log.read_text()
    target = _last(bureau) - 1
    with bureau.uow() as uow:
        uow.execute(update(audit_events).where(audit_events.c.seq == target)
                    .values(detail={"n": 99}))
        uow.session.commit()
    result, line = audit_log.checkpoint(bureau.uow(), bureau.deps, log)
    assert line is None and not result.ok and "modified" in result.problem
    assert log.read_text() == before


@pytest.mark.parametrize(("content", "message"), [
    (None, "no checkpoint file"),
    ("not json\n", "not JSON"),
    ('{"v": 1, "seq": -1}\n', "seq must be"),
    ('{"v": 2}\n', '"v": 1'),
])
def test_unreadable_checkpoint_file_is_an_error(bureau, tmp_path: Path, content, message):
    log = tmp_path / "checkpoints.jsonl"
    if content is not None:
        log.write_text(content)
    with pytest.raises(CheckpointFileError, match=message):
        audit_log.verify(bureau.uow(), bureau.deps, checkpoints=log)
