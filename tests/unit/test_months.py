"""One month rule (domain/months.py) for records, reports, attributes, the simulator and the
synthetic population; the vectorised month-end of the Metro 2 columns agrees with it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from openbureau.adapters.metro2_quality_columns import _month_end as columns_month_end
from openbureau.domain.months import add_months, month_end, month_index
from openbureau.synthetic.population import MONTHS, _month_ends

DATES = st.dates(date(1900, 1, 1), date(2200, 12, 31))


@given(DATES)
def test_month_end_is_the_last_day_of_the_month(d):
    end = month_end(d)
    assert (end.year, end.month) == (d.year, d.month) and end >= d
    assert (end + timedelta(days=1)).day == 1


@given(DATES, st.integers(-1200, 1200))
def test_add_months_moves_whole_months_and_clamps(d, n):
    moved = add_months(d, n)
    assert month_index(moved) == month_index(d) + n
    assert moved.day == min(d.day, month_end(moved).day)
    if d.day <= 28:
        assert add_months(moved, -n) == d


@given(DATES, st.integers(-600, 600), st.integers(-600, 600))
def test_add_months_composes_on_month_ends(d, a, b):
    assert month_end(add_months(month_end(add_months(d, a)), b)) == month_end(add_months(d, a + b))


@given(st.lists(DATES, min_size=1, max_size=50))
def test_the_vectorised_month_end_agrees(days):
    ymd = np.array([d.year * 10000 + d.month * 100 + d.day for d in days])
    expected = [int(month_end(d).strftime("%Y%m%d")) for d in days]
    assert columns_month_end(ymd).tolist() == expected


@given(DATES)
def test_the_population_reports_consecutive_month_ends(as_of):
    ends = _month_ends(as_of)
    assert len(ends) == MONTHS and ends[-1] == month_end(as_of)
    assert all(e == month_end(e) for e in ends)
    assert [month_index(e) for e in ends] == list(range(month_index(as_of) - MONTHS + 1,
                                                         month_index(as_of) + 1))


def test_examples():
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 1), -24) == date(2024, 11, 1)
    assert month_end(date(2100, 2, 3)) == date(2100, 2, 28)
