"""Properties of the working-day arithmetic (Hypothesis), against a slow reference day by day.

The reference asks ``chinese_calendar.is_workday`` for each day (the package's own rule: weekdays
not in the holiday table, plus the adjusted working days of the State Council notices), so the
vectorised arrays are checked against the package one day at a time.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.services import calendar as wd

CAL = wd.official_calendar()
FIRST = dt.date(CAL.first_year, 1, 1)
#: leave room after the start for the largest step drawn, inside the known years
LAST_START = dt.date(CAL.last_year, 6, 30)

starts = st.dates(min_value=FIRST, max_value=LAST_START)
counts = st.integers(min_value=0, max_value=120)


def reference_count(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end], one day at a time."""
    days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(bool(chinese_calendar.is_workday(d)) for d in days)


@settings(max_examples=300, deadline=None)
@given(starts, counts)
def test_adding_n_working_days_then_counting_back_gives_n(start: dt.date, n: int) -> None:
    due = wd.due_date(start, n)
    assert wd.working_days_between(start, due) == n
    assert reference_count(start, due) == n


@settings(max_examples=300, deadline=None)
@given(starts, st.integers(min_value=1, max_value=120))
def test_the_due_date_is_a_working_day_and_nothing_earlier_would_do(start: dt.date, n: int) -> None:
    due = wd.due_date(start, n)
    assert chinese_calendar.is_workday(due)  # weekends and holidays never end a count; adjusted days may
    assert reference_count(start, due - dt.timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=FIRST + dt.timedelta(days=10), max_value=LAST_START), st.integers(min_value=1, max_value=120))
def test_back_date_inverts_due_date_on_working_days(start: dt.date, n: int) -> None:
    due = wd.due_date(start, n)
    back = wd.back_date(due, n)
    assert back <= start
    assert wd.working_days_between(back, due) == n
    if chinese_calendar.is_workday(start):
        assert back == start


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(min_value=0, max_value=90))
def test_weekends_and_holidays_never_count_adjusted_working_days_do(start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    assert wd.working_days_between(start, end) == reference_count(start, end)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(0, 60), st.integers(0, 60), st.integers(1, 60))
def test_suspensions_add_their_working_days_and_split_additively(start: dt.date, a: int, b: int, n: int) -> None:
    s_from = start + dt.timedelta(days=min(a, b))
    s_mid = start + dt.timedelta(days=(a + b) // 2)
    s_to = start + dt.timedelta(days=max(a, b))
    lost = wd.suspended_working_days(s_from, s_to)
    # [from, to) = (from - 1 day, to - 1 day] in the reference's convention
    assert lost == reference_count(s_from - dt.timedelta(days=1), s_to - dt.timedelta(days=1))
    assert lost == wd.suspended_working_days(s_from, s_mid) + wd.suspended_working_days(s_mid, s_to)
    due = wd.due_date(start, n)
    extended = wd.extend_for_suspensions(due, s_from, s_to)
    assert wd.working_days_between(due, extended) == lost


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(starts, counts), min_size=1, max_size=40))
def test_vectorised_equals_scalar(pairs: list[tuple[dt.date, int]]) -> None:
    days = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    ns = np.array([p[1] for p in pairs])
    got = wd.due_date(days, ns)
    assert [g.astype(object) for g in got] == [wd.due_date(d, n) for d, n in pairs]
