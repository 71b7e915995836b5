"""Calendar months: the month-end a record is reported at, and moving a date by whole months.

Every part of the bureau counts months this way (records, reports, the attributes, the
simulator, the synthetic population); a vectorised copy for Metro 2 columns is tested to agree.
"""

from __future__ import annotations

import calendar
from datetime import date


def month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def month_index(d: date) -> int:
    """Months since year 0 (``year * 12 + month - 1``): month arithmetic on integers."""
    return d.year * 12 + d.month - 1


def add_months(d: date, n: int) -> date:
    """The same day ``n`` months after ``d`` (before, when ``n`` is negative), clamped to the
    length of that month: 2026-03-31 minus one month is 2026-02-28."""
    index = month_index(d) + n
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
