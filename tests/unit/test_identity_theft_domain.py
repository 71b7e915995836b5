"""Identity theft and "not mine" as data: the block deadline per profile and which dispute
outcomes unlink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openbureau.domain import identity_theft as theft
from openbureau.domain.disputes import DisputeStatus
from openbureau.domain.profiles import get_profile

FRIDAY = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("filed", "due"), [
    (FRIDAY, datetime(2026, 12, 10, 16, 0, tzinfo=UTC)),                  # Fri -> Thu
    (datetime(2026, 12, 7, 9, 0, tzinfo=UTC), datetime(2026, 12, 11, 9, 0, tzinfo=UTC)),
    (datetime(2026, 12, 6, 9, 0, tzinfo=UTC), datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),
])
def test_us_fcra_blocks_within_four_business_days(filed, due):
    assert theft.block_due_at(filed, get_profile("us-fcra")) == due


@pytest.mark.parametrize("name", ["cn-cri", "eu-gdpr"])
def test_profiles_without_a_block_statute_fall_back_to_their_dispute_deadline(name):
    p = get_profile(name)
    assert p.identity_theft_block_business_days is None
    assert theft.block_due_at(FRIDAY, p) == FRIDAY + timedelta(days=p.dispute_days)


def test_only_not_mine_unlinks_and_only_when_not_verified():
    assert theft.unlinks("not_mine", DisputeStatus.DELETED)
    assert theft.unlinks(" Not_Mine ", DisputeStatus.EXPIRED)
    assert theft.unlinks("not_mine", DisputeStatus.RESTRICTED)
    for kept in (DisputeStatus.VERIFIED, DisputeStatus.CORRECTED, DisputeStatus.UNCONFIRMED):
        assert not theft.unlinks("not_mine", kept)
    assert not theft.unlinks("the balance is wrong", DisputeStatus.EXPIRED)
    assert not theft.unlinks("not mine at all", DisputeStatus.DELETED)
