"""Which reasons a consumer is given: the one key-factor rule.

From reasons ranked by points lost (largest first), the first ``profile.key_factors``; and where
the profile follows Reg B / Dodd-Frank practice (``extra_factor_for_inquiries``, Reg B 1002.9,
Dodd-Frank 1100F), one more when inquiries cost points but none of the chosen is about them.
The scorer applies it to a card's attributes (``scoring.reasons.key_factors``) and a notice to the
reasons stored with a score (``domain.disputes.key_factors``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class KeyFactorProfile(Protocol):
    """The part of a jurisdiction profile that governs key factors."""

    @property
    def key_factors(self) -> int: ...

    @property
    def extra_factor_for_inquiries(self) -> bool: ...


def select(ranked: Sequence[T], profile: KeyFactorProfile,
           is_inquiry: Callable[[T], bool]) -> list[T]:
    """The key factors among ``ranked`` (largest loss first), in that order."""
    chosen = list(ranked[: max(profile.key_factors, 0)])
    if profile.extra_factor_for_inquiries and not any(is_inquiry(r) for r in chosen):
        extra = next((r for r in ranked[len(chosen):] if is_inquiry(r)), None)
        if extra is not None:
            chosen.append(extra)
    return chosen
