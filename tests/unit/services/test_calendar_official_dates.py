"""Due dates around the 2025 and 2026 Spring Festival and National Day holidays.

Every expected date is written from the State Council General Office's notices, not from the code:

- 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12; text at
  https://m.gmw.cn/2024-11/12/content_1303894933.htm): Spring Festival 1月28日(周二) to 2月4日(周二) off,
  1月26日(周日) and 2月8日(周六) working days; National Day and Mid-Autumn 10月1日(周三) to 8日(周三) off,
  9月28日(周日) and 10月11日(周六) working days.
- 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04; text at
  https://politics.gmw.cn/2025-11/04/content_38391083.htm): New Year 1月1日 to 3日 off, 1月4日(周日) working;
  Spring Festival 2月15日(周日) to 23日(周一) off, 2月14日(周六) and 2月28日(周六) working; Mid-Autumn 9月25日
  to 27日 off; National Day 10月1日(周四) to 7日(周三) off, 9月20日(周日) and 10月10日(周六) working.

A step that starts on day S and must end within N working days is due on the N-th working day after S.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.services import calendar as wd
from xietong.services.errors import CalendarRangeError

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 26), True),  # Sunday made a working day (2025 notice, 二)
        (D(2025, 1, 27), True),  # ordinary Monday before the holiday
        (D(2025, 1, 28), False),  # 除夕, first day off
        (D(2025, 2, 4), False),  # last day off
        (D(2025, 2, 8), True),  # Saturday made a working day
        (D(2025, 2, 9), False),  # ordinary Sunday
        (D(2025, 9, 28), True),  # Sunday made a working day (2025 notice, 六)
        (D(2025, 10, 8), False),  # last day of the National Day holiday
        (D(2025, 10, 11), True),  # Saturday made a working day
        (D(2026, 1, 4), True),  # Sunday made a working day (2026 notice, 一)
        (D(2026, 2, 14), True),  # Saturday made a working day (2026 notice, 二)
        (D(2026, 2, 23), False),  # Monday, last day of the Spring Festival holiday
        (D(2026, 2, 28), True),  # Saturday made a working day
        (D(2026, 9, 20), True),  # Sunday made a working day (2026 notice, 七)
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn Festival (2026 notice, 六)
        (D(2026, 10, 10), True),  # Saturday made a working day
    ],
)
def test_working_days_follow_the_state_council_notices(day: dt.date, working: bool) -> None:
    assert wd.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 2025 Spring Festival
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Friday + 1: the working Sunday
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # the day before 除夕 + 1: first day after the holiday
        (D(2025, 1, 27), 4, D(2025, 2, 8)),  # 2/5, 2/6, 2/7, then the working Saturday
        (D(2025, 1, 24), 5, D(2025, 2, 7)),  # 1/26, 1/27, 2/5, 2/6, 2/7
        # 2025 National Day and Mid-Autumn
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday + 1: the working Sunday
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # 10/9, 10/10, the working Saturday
        (D(2025, 9, 26), 15, D(2025, 10, 23)),  # 9/28 9/29 9/30 10/9 10/10 10/11 10/13..10/17 10/20..10/23
        # 2026 New Year and Spring Festival
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # New Year 1/1-1/3 off, the working Sunday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday + 1: the working Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # first day after 2/15-2/23
        (D(2026, 2, 13), 10, D(2026, 3, 5)),  # 2/14 2/24 2/25 2/26 2/27 2/28(Sat) 3/2 3/3 3/4 3/5
        # 2026 Mid-Autumn and National Day
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday + 1: the working Sunday
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # 9/25-27 off
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # 10/1-7 off
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 10/8, 10/9, the working Saturday
        # zero working days: the start day itself
        (D(2026, 10, 3), 0, D(2026, 10, 3)),
    ],
)
def test_due_dates_around_the_holidays(start: dt.date, n: int, due: dt.date) -> None:
    assert wd.due_date(start, n) == due
    assert wd.working_days_between(start, due) == n


def test_counting_back_over_the_2026_national_day() -> None:
    assert wd.back_date(D(2026, 10, 8), 1) == D(2026, 9, 30)
    assert wd.back_date(D(2026, 10, 12), 3) == D(2026, 10, 8)  # 10/10 (Sat, working), 10/9, 10/8


def test_a_suspension_over_the_2025_national_day_moves_the_deadline_by_its_working_days() -> None:
    # suspended from Monday 9/29 to Monday 10/13: 9/29, 9/30, 10/9, 10/10, 10/11 (working Saturday) = 5
    assert wd.suspended_working_days(D(2025, 9, 29), D(2025, 10, 13)) == 5
    assert wd.extend_for_suspensions(D(2025, 10, 23), D(2025, 9, 29), D(2025, 10, 13)) == D(2025, 10, 30)


def test_arrays_and_series_give_the_same_dates_as_scalars() -> None:
    starts = [D(2025, 1, 27), D(2026, 2, 13), D(2026, 9, 30)]
    ns = [4, 10, 3]
    expected = [wd.due_date(s, n) for s, n in zip(starts, ns, strict=True)]
    arr = wd.due_date(np.array(starts, dtype="datetime64[D]"), np.array(ns))
    assert [d.astype(object) for d in arr] == expected
    ser = wd.due_date(pd.Series(starts, index=[10, 20, 30]), pd.Series(ns, index=[10, 20, 30]))
    assert list(ser.index) == [10, 20, 30]
    assert [t.date() for t in ser] == expected


def test_a_date_beyond_the_known_years_is_refused_with_the_years_known() -> None:
    cal = wd.official_calendar()
    with pytest.raises(CalendarRangeError) as err:
        wd.due_date(D(cal.last_year + 1, 1, 5), 3)
    text = str(err.value)
    assert f"known for {cal.first_year}–{cal.last_year}" in text
    assert f"{cal.last_year + 1}-01-05 lies beyond it: update chinesecalendar" in text


def test_a_due_date_that_would_fall_beyond_the_known_years_is_refused() -> None:
    cal = wd.official_calendar()
    with pytest.raises(CalendarRangeError, match="lies beyond it: update chinesecalendar"):
        wd.due_date(D(cal.last_year, 12, 28), 10)


def test_bad_inputs_are_input_errors_naming_the_field() -> None:
    with pytest.raises(InputError, match="start: not a date"):
        wd.due_date("2025-13-40", 1)
    with pytest.raises(InputError, match="negative number of working days"):
        wd.due_date(D(2025, 3, 3), -1)
    with pytest.raises(InputError, match="suspension ends before it starts"):
        wd.suspended_working_days(D(2025, 3, 5), D(2025, 3, 3))
