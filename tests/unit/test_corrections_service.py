"""A dispute's corrected record stored inside the caller's unit of work
(``services/corrections.py``, ``furnishing.furnish(..., joined=True)``) against the in-memory
ports: nothing is committed until the caller commits, and the caller's rollback keeps nothing.
tests/integration/test_dispute_answers.py answers disputes with corrections on both
databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.roles import Principal, Role
from openbureau.services import corrections
from tests.fakes import FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps
from tests.integration.test_reports import record

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BANK = Principal(Role.FURNISHER, 10, "Bank")


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.add_organisation(BANK.id, BANK.name, "furnisher")
    return s


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault(), store_correction=corrections.store)


def test_a_correction_is_stored_in_the_callers_unit_and_committed_by_it(store, deps):
    uow = FakeUnitOfWork(store, deps.clock)
    with uow:
        errors = deps.store_correction(uow, deps, BANK, record(balance=5000))
        assert errors == []
        assert uow.committed == 0 and store.account_months == {}    # not committed for it
        assert [e.action for e in uow._events] == ["furnish.account"]
        uow.commit()
    assert uow.committed == 1
    ((_, row),) = store.account_months.items()
    assert row["balance"] == 5000
    assert store.actions() == ["furnish.account"]


def test_a_correction_left_uncommitted_by_the_caller_keeps_nothing(store, deps):
    uow = FakeUnitOfWork(store, deps.clock)
    with uow:
        assert corrections.store(uow, deps, BANK, record()) == []
    assert (store.accounts, store.account_months, store.actions()) == ({}, {}, [])


def test_a_refused_correction_names_its_field_errors(store, deps):
    uow = FakeUnitOfWork(store, deps.clock)
    with uow:
        errors = corrections.store(uow, deps, BANK, record(balance=-1))
    assert [e.field for e in errors] == ["balance"]
