"""The demo's credentials and look-ups (``services/demo_logins.py``, ``demo.py``,
``demo_showcase.py``) against the in-memory ports (no database); seeding and staging
themselves furnish through every service and are run on both databases by
tests/integration/test_demo_seed.py and test_demo_showcase.py."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import Conflict, NotFound, Unauthenticated
from openbureau.domain.roles import ORG_ROLES, Role
from openbureau.services import access, demo, demo_logins, demo_showcase
from openbureau.services.stored import ListingDetail
from openbureau.synthetic.population import FURNISHERS
from tests.fakes import FakeBureau, FakeIdentityVault, FakeStore, FakeUnitOfWork, fake_deps

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store():
    s = FakeStore()
    s.add_file(1, id_hmac="h:123456789", date_of_birth=date(1985, 12, 10))
    return s


@pytest.fixture
def bureau(store):
    """For the ``access`` use cases the demo calls, which still take it."""
    return FakeBureau(store, FixedClock(NOW))


@pytest.fixture
def uow(store):
    return FakeUnitOfWork(store, FixedClock(NOW))


@pytest.fixture
def deps():
    return fake_deps(FixedClock(NOW), vault=FakeIdentityVault())


def test_demo_credentials_work_and_a_second_issue_replaces_them(uow, deps, bureau, store):
    first = demo_logins.issue(uow, deps)
    assert [c["role"] for c in first] == [r.value for r in ORG_ROLES] + ["consumer"]
    for c in first[:-1]:
        assert access.authenticate_key(bureau.uow(), bureau.deps,
                                       c["credential"]).role.value == c["role"]
    assert first[-1]["credential"] == ("national_id=123456789 password="
                                       + demo_logins.DEMO_PASSWORD)
    assert store.logins.passwords.keys() == {1}
    assert demo_showcase.enrolled_consumer(uow, deps).item_ref == "sub_1"
    again = demo_logins.issue(uow, deps)
    assert len(store.organisations) == len(ORG_ROLES)            # rotated, not re-created
    for old, new in zip(first[:-1], again[:-1], strict=True):
        assert old["credential"] != new["credential"]
        with pytest.raises(Unauthenticated):
            access.authenticate_key(bureau.uow(), bureau.deps, old["credential"])
    assert store.actions().count("consumer.enrol") == 1       # enrolled once, reset after


def test_demo_credentials_need_a_file_and_are_refused_in_production(uow, deps, bureau, store):
    store.files.clear()
    with pytest.raises(NotFound):
        demo_logins.issue(uow, deps)
    production = dataclasses.replace(
        deps, settings=deps.settings.model_copy(update={"environment": "production"}))
    with pytest.raises(Conflict):
        demo_logins.issue(uow, production)


def test_demo_furnishers_are_created_once(uow, deps, bureau, store):
    first, created = demo.demo_furnishers(uow, deps)
    assert created == len(FURNISHERS)
    assert {p.role for p in first.values()} == {Role.FURNISHER}
    again, created = demo.demo_furnishers(uow, deps)
    assert created == 0 and again == first


def test_the_showcase_is_staged_once_its_first_listing_exists(uow, deps, bureau, store):
    assert not demo_showcase.staged(uow, deps)
    store.listing_details[1] = ListingDetail(1, "pr_1", 1, 30, "Demo Court",
                                             f"{demo_showcase.CASE_PREFIX} 1", "active", 100,
                                             None, None, None)
    assert demo_showcase.staged(uow, deps)
    assert demo_showcase.enrolled_consumer(uow, deps) is None


def test_seeding_furnishes_the_population_and_again_changes_nothing(uow, deps, bureau, store):
    store.files.clear()
    first = demo.seed(uow, deps, 3, seed=7)
    assert first["people"] == 3 and first["accepted"] == first["records"] > 0
    assert first["rejected"] == 0 and first["changed_subjects"] == len(store.files) == 3
    assert first["furnishers_created"] == len(FURNISHERS)
    assert first["consents_recorded"] == len(store.consents) > 0
    again = demo.seed(uow, deps, 3, seed=7)
    assert (again["accepted"], again["changed_subjects"], again["furnishers_created"],
            again["consents_recorded"]) == (first["accepted"], 0, 0, 0)
