"""Reading, sealing and checkpointing the audit log against the in-memory ports; the chain's
MACs and the SQL walk are tests/integration/test_audit_chain.py and test_audit_keyed.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openbureau.adapters.audit import PendingEvent
from openbureau.clock import FixedClock
from openbureau.domain.roles import Principal, Role
from openbureau.services import audit_log
from tests.fakes import FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
AUDITOR = Principal(Role.AUDITOR, 50, "Regulator")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store():
    return FakeStore(events=[PendingEvent(NOW, "x", f"a.{n}", "sub_1" if n % 2 else None,
                                          None, {}) for n in range(1, 6)])


def test_events_page_in_chain_order_and_the_read_is_audited(store, clock):
    deps = fake_deps(clock)
    page = audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 1, 2, None)
    assert [e["seq"] for e in page["items"]] == [2, 3] and page["next_after"] == 3
    assert page["items"][0]["at"] == NOW.isoformat()
    mine = audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 0, 10, "sub_1",
                                 order="oldest")
    assert [e["action"] for e in mine["items"]] == ["a.1", "a.3", "a.5"]
    assert mine["next_after"] is None
    assert store.actions()[-2:] == ["audit.read", "audit.read"]


def test_events_newest_first_by_default_with_filters_and_a_before_cursor(store, clock):
    deps = fake_deps(clock)
    page = audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 0, 2, None)
    assert page["order"] == "newest" and [e["seq"] for e in page["items"]] == [5, 4]
    assert page["next_before"] == 4 and page["next_after"] is None
    older = audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 0, 2, None,
                                  before=page["next_before"])
    assert [e["seq"] for e in older["items"]] == [3, 2]
    mine = audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 0, 10, "sub_1",
                                 actor="x", action="a.")
    assert [e["action"] for e in mine["items"]] == ["a.5", "a.3", "a.1"]
    assert mine["next_before"] is None
    assert audit_log.list_events(FakeUnitOfWork(store, clock), deps, AUDITOR, 0, 10, None,
                                 actor="nobody")["items"] == []
    assert store.events[-1].detail["order"] == "newest"


def test_an_unkeyed_chain_is_sealed_once(store, clock):
    deps = fake_deps(clock)
    store.unkeyed_events = 5
    assert audit_log.seal_unkeyed(FakeUnitOfWork(store, clock), deps) == 5
    assert store.events[-1].action == "audit.chain_keyed"
    assert store.events[-1].detail == {"sealed_through": 5}
    assert audit_log.seal_unkeyed(FakeUnitOfWork(store, clock), deps) == 0
    assert len(store.events) == 6


def test_a_checkpoint_records_the_head_and_later_verifications_check_it(store, clock,
                                                                        tmp_path):
    deps = fake_deps(clock)
    log = tmp_path / "checkpoints.jsonl"
    result, line = audit_log.checkpoint(FakeUnitOfWork(store, clock), deps, log)
    assert result.ok and line is not None and line["seq"] == 5
    assert json.loads(log.read_text().splitlines()[0])["seq"] == 5
    assert audit_log.verify(FakeUnitOfWork(store, clock), deps, checkpoints=log).checkpoints == 1
    del store.events[4]                    # the head the checkpoint recorded is gone
    caught = audit_log.verify(FakeUnitOfWork(store, clock), deps, checkpoints=log)
    assert not caught.ok and caught.first_bad_event == 5
