"""Online rescoring after a change to a file. Filled in by the scoring engine when present."""

from __future__ import annotations

from openbureau.bootstrap import Bureau
from openbureau.services.furnishing import Rescorer


def rescorer(bureau: Bureau) -> Rescorer | None:
    return None
