"""Identity theft and "not mine": the deadlines and outcomes, as data from the profile.

- An **identity-theft report** names items of the consumer's file that resulted from identity
  theft; they are blocked by ``block_due_at`` (us-fcra: 4 business days, FCRA 605B(a); a
  profile without a block statute falls back to its dispute deadline). Business days are Monday
  to Friday; public holidays are not counted out (the deadline only comes earlier).
- A **"not mine" dispute** (reason ``not_mine``) ends with the account unlinked from the file,
  and never linked to it again, unless the furnisher verifies it as the consumer's: when it
  answers deleted, or when silence takes the item off the file (``UNLINKING``); a profile whose
  silence keeps the item, marked unconfirmed (cn-cri), keeps it so.

Pure: no clock, no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from openbureau.domain.disputes import DisputeStatus
from openbureau.domain.profiles import Profile

NOT_MINE = "not_mine"
UNLINKING = frozenset({DisputeStatus.DELETED, DisputeStatus.EXPIRED, DisputeStatus.RESTRICTED})
BLOCKED_REASON = "identity_theft"      # accounts.suppressed_reason of a blocked account


def is_not_mine(reason: str) -> bool:
    return reason.strip().casefold() == NOT_MINE


def unlinks(reason: str, status: DisputeStatus) -> bool:
    """Whether a dispute closing with ``status`` unlinks its account from the file."""
    return is_not_mine(reason) and status in UNLINKING


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` business days (Monday to Friday)."""
    out = start
    left = days
    while left > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            left -= 1
    return out


def block_due_at(filed_at: datetime, profile: Profile) -> datetime:
    """When the items of an identity-theft report filed at ``filed_at`` must be blocked."""
    days = profile.identity_theft_block_business_days
    if days is None:
        return filed_at + timedelta(days=profile.dispute_days)
    return add_business_days(filed_at, days)
