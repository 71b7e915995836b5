"""The base of the SQL repositories: each runs its Core statements through its unit of work
(``adapters/unit_of_work.py``), in the unit's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: ``UnitOfWork.execute``: run a Core statement on the unit's connection
Run = Callable[..., Any]


class Repository:
    def __init__(self, run: Run) -> None:
        self._run = run
