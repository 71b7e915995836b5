"""Opaque, stable references for items in a report (never internal ids)."""

from __future__ import annotations

import secrets


def new_ref(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
