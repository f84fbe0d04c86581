"""The official working-day calendar of the People's Republic of China, with vectorised day arithmetic.

A working day is a Monday to Friday that is not a public holiday, or a Saturday or Sunday the State
Council declares a working day in exchange for a bridged holiday (调休). The holidays and the adjusted
working days come from the State Council General Office's notice for each year (国务院办公厅关于 YYYY 年
部分节假日安排的通知), as kept by the maintained package ``chinesecalendar`` (MIT licence,
github.com/LKI/chinese-calendar). Time limits of administrative procedures are counted in these
working days (行政许可法 第八十二条: periods "以工作日计算，不含法定节假日").

The calendar is built once per process as NumPy arrays over the years the package knows; every
function below works on scalars, arrays and Series alike:

``due_date(start, n)``
    the n-th working day after ``start``; the start day itself is not counted (a step that starts on
    day ``start`` and must end within ``n`` working days is due that day).
``back_date(end, n)``
    the n-th working day before ``end`` (``end`` not counted).
``working_days_between(start, end)``
    the working days in (start, end]: ``working_days_between(s, due_date(s, n)) == n``.
``suspended_working_days(a, b)`` / ``extend_for_suspensions(due, a, b)``
    a suspension (waiting for the applicant) from day ``a`` to day ``b`` stops the clock on the working
    days in [a, b): the clock stops on the day the applicant is asked and runs again on the day the
    answer arrives; the deadline moves by that many working days.

A date outside the known years raises :class:`~xietong.services.errors.CalendarRangeError`: the
calendar never guesses a year whose holiday notice it has not seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError, Location
from xietong.services.errors import CalendarRangeError

DayArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]

_ONE_DAY = np.timedelta64(1, "D")
_UPDATE_HINT = (
    "the State Council publishes each year's holidays in November or December of the year before; "
    "a chinesecalendar release that knows the year follows"
)


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Working days from 1 January of ``first_year`` to 31 December of ``last_year``.

    Attributes
    ----------
    first_day: the first day covered (``datetime64[D]``).
    is_working: one flag per day from ``first_day``.
    wd_before: ``wd_before[i]`` = number of working days strictly before day ``i``; length days + 1.
    working_index: offsets (days from ``first_day``) of the working days, ascending.
    first_year, last_year: the years covered.
    source: where the holidays came from (package and version).
    """

    first_day: np.datetime64
    is_working: npt.NDArray[np.bool_]
    wd_before: IntArray
    working_index: IntArray
    first_year: int
    last_year: int
    source: str

    @classmethod
    def build(
        cls,
        first_year: int,
        last_year: int,
        holidays: Iterable[dt.date],
        adjusted_working_days: Iterable[dt.date],
        *,
        source: str,
    ) -> WorkingCalendar:
        """A calendar from weekends, the listed holidays and the listed adjusted working days."""
        first = np.datetime64(f"{first_year:04d}-01-01", "D")
        end = np.datetime64(f"{last_year + 1:04d}-01-01", "D")
        n_days = int((end - first) // _ONE_DAY)
        offsets = np.arange(n_days, dtype=np.int64)
        # 1970-01-01 was a Thursday: (days since the epoch + 3) % 7 is 0 on Mondays
        weekday = (offsets + int(first.astype(np.int64)) + 3) % 7
        is_working = weekday < 5
        for days, flag in ((holidays, False), (adjusted_working_days, True)):
            idx = np.array([(np.datetime64(d, "D") - first) // _ONE_DAY for d in days], dtype=np.int64)
            idx = idx[(idx >= 0) & (idx < n_days)]
            is_working[idx] = flag
        wd_before = np.zeros(n_days + 1, dtype=np.int64)
        np.cumsum(is_working, out=wd_before[1:])
        return cls(
            first_day=first,
            is_working=is_working,
            wd_before=wd_before,
            working_index=np.flatnonzero(is_working).astype(np.int64),
            first_year=first_year,
            last_year=last_year,
            source=source,
        )

    @property
    def n_days(self) -> int:
        return int(self.is_working.size)

    @property
    def last_day(self) -> dt.date:
        return _to_date(self.first_day + np.timedelta64(self.n_days - 1, "D"))

    @property
    def known_years(self) -> str:
        return f"{self.first_year}–{self.last_year}"


@cache
def official_calendar() -> WorkingCalendar:
    """The State Council's calendar as known to the installed ``chinesecalendar`` (built once per process)."""
    holidays = chinese_calendar.holidays
    workdays = chinese_calendar.workdays
    first_year = min(holidays).year
    last_year = max(holidays).year
    version = getattr(chinese_calendar, "__version__", "unknown")
    return WorkingCalendar.build(
        first_year,
        last_year,
        holidays.keys(),
        workdays.keys(),
        source=f"chinesecalendar {version} (State Council holiday notices {first_year}–{last_year})",
    )


# --------------------------------------------------------------------------------------------------
# input and output shapes


@dataclass(frozen=True)
class _Shape:
    """How the caller gave the dates, so results come back the same way."""

    scalar: bool
    index: pd.Index | None = None


def _to_date(day: np.datetime64) -> dt.date:
    value = day.astype("datetime64[D]").astype(object)
    assert isinstance(value, dt.date)
    return value


def _parse_days(values: Any, field: str) -> tuple[DayArray, _Shape]:
    """Dates (date, ISO string, datetime64, list, array or Series) as a ``datetime64[D]`` array."""
    if isinstance(values, pd.Series):
        shape = _Shape(scalar=False, index=values.index)
        raw: Any = values.to_numpy()
    elif isinstance(values, (dt.date, str, np.datetime64)):
        shape = _Shape(scalar=True)
        raw = [values]
    else:
        shape = _Shape(scalar=False)
        raw = values
    arr = np.asarray(raw)
    try:
        if arr.dtype.kind == "M":
            days = arr.astype("datetime64[D]")
        elif arr.dtype.kind in "OU":
            days = np.array(
                [v.date() if isinstance(v, dt.datetime) else v for v in arr.ravel()], dtype="datetime64[D]"
            ).reshape(arr.shape)
        else:
            raise TypeError(arr.dtype)
    except (TypeError, ValueError):
        raise InputError(
            f"{field}: not a date",
            expected="dates as YYYY-MM-DD, datetime.date or datetime64",
            given=repr(values)[:40] if shape.scalar else f"values of type {arr.dtype}",
            where=Location(field=field),
        ) from None
    if np.isnat(days).any():
        first = int(np.flatnonzero(np.isnat(days))[0])
        raise InputError(
            f"{field}: missing date",
            expected="a date in every row",
            given="NaT",
            where=Location(row=None if shape.scalar else first + 1, field=field),
        )
    return days.ravel(), shape


def _parse_counts(values: Any, field: str, size: int) -> IntArray:
    """Numbers of working days: non-negative integers, broadcast to ``size``."""
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(np.isfinite(arr) & (arr == np.round(arr)))):
        raise InputError(
            f"{field}: not a whole number of working days",
            expected="an integer >= 0",
            given=repr(values)[:40],
            where=Location(field=field),
        )
    counts = np.broadcast_to(arr.astype(np.int64).ravel() if arr.ndim else arr.astype(np.int64), (size,))
    if (counts < 0).any():
        raise InputError(
            f"{field}: negative number of working days",
            expected="an integer >= 0 (count back with back_date)",
            given=str(int(counts[counts < 0][0])),
            where=Location(field=field),
        )
    return counts


def _offsets(cal: WorkingCalendar, days: DayArray, field: str) -> IntArray:
    offsets = ((days - cal.first_day) // _ONE_DAY).astype(np.int64)
    outside = (offsets < 0) | (offsets >= cal.n_days)
    if outside.any():
        bad = _to_date(days[int(np.flatnonzero(outside)[0])])
        raise beyond_calendar(cal, bad, field=field)
    return offsets


def beyond_calendar(
    cal: WorkingCalendar, day: dt.date, *, field: str | None = None, what: str = ""
) -> CalendarRangeError:
    """The error for a day the official calendar does not cover."""
    side = "beyond" if day.year > cal.last_year else "before"
    remedy = ": update chinesecalendar" if side == "beyond" else ""
    return CalendarRangeError(
        f"the official calendar is known for {cal.known_years}; {what}{day.isoformat()} lies {side} it{remedy}",
        expected=f"a date from {cal.first_year}-01-01 to {cal.last_day.isoformat()}",
        given=day.isoformat(),
        where=Location(field=field) if field else None,
        hint=_UPDATE_HINT if side == "beyond" else "the calendar starts in the first year chinesecalendar covers",
    )


def _out(cal: WorkingCalendar, offsets: IntArray, shape: _Shape) -> Any:
    days = cal.first_day + offsets.astype("timedelta64[D]")
    if shape.scalar:
        return _to_date(days[0])
    if shape.index is not None:
        return pd.Series(days, index=shape.index)
    return days


def _out_counts(counts: IntArray, shape: _Shape) -> Any:
    if shape.scalar:
        return int(counts[0])
    if shape.index is not None:
        return pd.Series(counts, index=shape.index)
    return counts


# --------------------------------------------------------------------------------------------------
# day arithmetic


def is_working_day(days: Any, *, calendar: WorkingCalendar | None = None) -> Any:
    """``True`` on working days (weekdays that are not holidays, and adjusted working days)."""
    cal = calendar or official_calendar()
    parsed, shape = _parse_days(days, "day")
    flags = cal.is_working[_offsets(cal, parsed, "day")]
    if shape.scalar:
        return bool(flags[0])
    return pd.Series(flags, index=shape.index) if shape.index is not None else flags


def due_date(start: Any, working_days: Any, *, calendar: WorkingCalendar | None = None) -> Any:
    """The day by which a step that starts on ``start`` and takes ``working_days`` must end.

    The start day is not counted: the due date is the ``working_days``-th working day after it (with
    0 working days, the start day itself). Scalars give a ``datetime.date``, arrays a ``datetime64[D]``
    array, a Series a Series on the same index.

    Raises :class:`CalendarRangeError` when a start or a due date lies beyond the known years.
    """
    cal = calendar or official_calendar()
    days, shape = _parse_days(start, "start")
    start_off = _offsets(cal, days, "start")
    n = _parse_counts(working_days, "working_days", start_off.size)
    rank = cal.wd_before[start_off + 1] + n - 1  # index in working_index of the n-th working day after
    beyond = rank >= cal.working_index.size
    if beyond.any():
        i = int(np.flatnonzero(beyond)[0])
        raise CalendarRangeError(
            f"the official calendar is known for {cal.known_years}; the due date {int(n[i])} working days after "
            f"{_to_date(days[i]).isoformat()} lies beyond it: update chinesecalendar",
            expected=f"a due date on or before {cal.last_day.isoformat()}",
            given=f"start {_to_date(days[i]).isoformat()}, {int(n[i])} working days",
            where=Location(row=None if shape.scalar else i + 1, field="working_days"),
            hint=_UPDATE_HINT,
        )
    due = np.where(n == 0, start_off, cal.working_index[np.minimum(np.maximum(rank, 0), cal.working_index.size - 1)])
    return _out(cal, due, shape)


def back_date(end: Any, working_days: Any, *, calendar: WorkingCalendar | None = None) -> Any:
    """The ``working_days``-th working day before ``end`` (``end`` not counted; 0 gives ``end``)."""
    cal = calendar or official_calendar()
    days, shape = _parse_days(end, "end")
    end_off = _offsets(cal, days, "end")
    n = _parse_counts(working_days, "working_days", end_off.size)
    rank = cal.wd_before[end_off] - n  # working days strictly before end, minus n
    before = (n > 0) & (rank < 0)
    if before.any():
        i = int(np.flatnonzero(before)[0])
        raise CalendarRangeError(
            f"the official calendar is known for {cal.known_years}; {int(n[i])} working days before "
            f"{_to_date(days[i]).isoformat()} lies before it",
            expected=f"a result on or after {cal.first_year}-01-01",
            given=f"end {_to_date(days[i]).isoformat()}, {int(n[i])} working days",
            where=Location(row=None if shape.scalar else i + 1, field="working_days"),
        )
    back = np.where(n == 0, end_off, cal.working_index[np.clip(rank, 0, cal.working_index.size - 1)])
    return _out(cal, back, shape)


def working_days_between(start: Any, end: Any, *, calendar: WorkingCalendar | None = None) -> Any:
    """Working days in (start, end]: the start day is not counted, the end day is (negative if end < start)."""
    cal = calendar or official_calendar()
    s_days, shape = _parse_days(start, "start")
    e_days, e_shape = _parse_days(end, "end")
    s_off = _offsets(cal, s_days, "start")
    e_off = _offsets(cal, e_days, "end")
    s_off, e_off = np.broadcast_arrays(s_off, e_off)
    counts = cal.wd_before[e_off + 1] - cal.wd_before[s_off + 1]
    return _out_counts(counts, shape if not shape.scalar else e_shape)


def suspended_working_days(from_day: Any, to_day: Any, *, calendar: WorkingCalendar | None = None) -> Any:
    """Working days in [from_day, to_day): those a suspension from ``from_day`` to ``to_day`` takes off the clock."""
    cal = calendar or official_calendar()
    a_days, shape = _parse_days(from_day, "suspended_from")
    b_days, b_shape = _parse_days(to_day, "suspended_to")
    a_off, b_off = np.broadcast_arrays(_offsets(cal, a_days, "suspended_from"), _offsets(cal, b_days, "suspended_to"))
    if (b_off < a_off).any():
        i = int(np.flatnonzero(b_off < a_off)[0])
        raise InputError(
            "a suspension ends before it starts",
            expected="suspended_to on or after suspended_from",
            given=f"{_to_date(a_days[i % a_days.size]).isoformat()} to {_to_date(b_days[i % b_days.size]).isoformat()}",
            where=Location(row=None if shape.scalar and b_shape.scalar else i + 1, field="suspended_to"),
        )
    counts = cal.wd_before[b_off] - cal.wd_before[a_off]
    return _out_counts(counts, shape if not shape.scalar else b_shape)


def extend_for_suspensions(
    due: Any, suspended_from: Any, suspended_to: Any, *, calendar: WorkingCalendar | None = None
) -> Any:
    """The due date moved on by the working days of the suspension [suspended_from, suspended_to)."""
    cal = calendar or official_calendar()
    return due_date(due, suspended_working_days(suspended_from, suspended_to, calendar=cal), calendar=cal)


__all__ = [
    "WorkingCalendar",
    "back_date",
    "beyond_calendar",
    "due_date",
    "extend_for_suspensions",
    "is_working_day",
    "official_calendar",
    "suspended_working_days",
    "working_days_between",
]
