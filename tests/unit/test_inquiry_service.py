"""A member's report pull against the in-memory ports (tests/fakes.py), as far as it goes
without a file: a malformed request is refused before the unit of work opens. The rest
(identity resolution, the report) runs on the SQL unit and is tested by
tests/integration/test_inquiries.py on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openbureau.clock import FixedClock
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import SubjectIdentity
from openbureau.domain.roles import Principal, Role
from openbureau.services import inquiries
from tests.fakes import FakeBureau, FakeStore

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MEMBER = Principal(Role.MEMBER, 30, "Lender")
ADA = SubjectIdentity(national_id="123456789", name="Ada Lovelace",
                      date_of_birth=date(1990, 1, 2))


@pytest.fixture
def bureau() -> FakeBureau:
    return FakeBureau(FakeStore(), FixedClock(NOW))


def test_a_malformed_identity_or_consent_ref_is_refused_storing_nothing(bureau):
    unborn = SubjectIdentity(national_id="123456789", name="Ada Lovelace",
                             date_of_birth=date(2027, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        inquiries.pull_report(bureau, MEMBER, unborn, "credit_application", None)
    assert "subject.date_of_birth" in {e.field for e in refused.value.errors}
    with pytest.raises(ValidationFailed) as refused:
        inquiries.pull_report(bureau, MEMBER, ADA, "credit_application", "c" * 65)
    assert [e.field for e in refused.value.errors] == ["consent_ref"]
    assert bureau.store.inquiries == [] and bureau.store.events == []
    assert bureau.metrics.inquiries._value.get() == 0
