"""Parsing and showing times: stored in UTC, shown in China Standard Time (Asia/Shanghai).

Hour labels are the END of the averaging hour, as CNEMC publishes them: the value labelled 14:00
covers 13:00–14:00. A natural day D therefore holds the labels D 01:00 … D+1 00:00 (= D 24:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from xietong.config import DISPLAY_TZ
from xietong.errors import InputError

#: the years Xietong accepts in a date or time it is given: well inside what every layer holds (pandas'
#: nanosecond timestamps 1677–2262, PostgreSQL timestamptz, SQLite microseconds since 1970, the CST/UTC shift)
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199


def check_year(year: int, *, option: str, given: str) -> None:
    """Refuse a year outside :data:`EARLIEST_YEAR` … :data:`LATEST_YEAR` (a typo, or a probe for overflow)."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InputError(
            f"{option}: year out of range",
            expected=f"a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
            given=given,
        )


def parse_day(text: str, *, option: str) -> date:
    """A day given by a user (``YYYY-MM-DD``, a CLI option or query parameter), within the accepted years.

    Every layer below holds these days; a year such as 9999 or 0001 would overflow once a day is added or a
    time zone shifted, so it is refused here with the option's name.
    """
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option}: not a date", expected="YYYY-MM-DD (a day in China Standard Time)", given=repr(text)
        ) from None
    check_year(day.year, option=option, given=repr(text))
    return day


def parse_when(text: str, *, end: bool = False, option: str = "from") -> datetime:
    """Parse a date or time given by a user (CLI option or API query parameter).

    ``YYYY-MM-DD`` means a natural day in China Standard Time: as a start, its first hour label
    (01:00); as an end (``end=True``), its last hour label (24:00, i.e. the next day's 00:00). A full
    ISO 8601 time must carry an offset (``…+08:00`` or ``…Z``). Returns an aware UTC datetime.
    """
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        check_year(day.year, option=option, given=repr(text))
        local = datetime.combine(day, time(0), DISPLAY_TZ)
        return (local + (timedelta(days=1) if end else timedelta(hours=1))).astimezone(UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option}: not a date or time",
            expected="YYYY-MM-DD (a day in China Standard Time) or ISO 8601 with an offset",
            given=repr(text),
        ) from None
    if value.tzinfo is None:
        raise InputError(
            f"{option}: time without a time zone",
            expected="an offset, e.g. 2016-12-16T08:00+08:00",
            given=repr(text),
            hint="add +08:00 for China Standard Time",
        )
    check_year(value.year, option=option, given=repr(text))
    return value.astimezone(UTC)


def check_period(
    start: datetime | date | None, end: datetime | date | None, *, options: tuple[str, str] = ("--from", "--to")
) -> None:
    """Refuse a reversed or empty period (``end`` before or at ``start``), naming both options.

    Either bound may be missing (an open period). ``start == end`` is refused for times (an empty period:
    no hour label lies in it) and accepted for days (a one-day period, both bounds inclusive).
    """
    if start is None or end is None:
        return
    empty = end < start if not isinstance(start, datetime) else end <= start
    if empty:
        raise InputError(
            f"{options[0]}/{options[1]}: the period is {'empty' if end == start else 'reversed'}",
            expected=f"{options[1]} after {options[0]}",
            given=f"{options[0]} {_shown(start)}, {options[1]} {_shown(end)}",
            hint="swap the two, or widen the period",
        )


def _shown(value: datetime | date) -> str:
    return local_text(value) if isinstance(value, datetime) else value.isoformat()


def local_text(value: datetime | None) -> str:
    """One time as ISO 8601 in China Standard Time (``2016-12-16T08:00:00+08:00``); '' for ``None``.
    A naive time is taken as UTC (the store's convention)."""
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(DISPLAY_TZ).isoformat()


def local_iso(series: pd.Series) -> pd.Series:
    """UTC timestamps as ISO 8601 strings in China Standard Time (``2016-12-16T08:00:00+08:00``)."""
    local = pd.to_datetime(series, utc=True).dt.tz_convert(DISPLAY_TZ)
    return local.map(lambda t: "" if pd.isna(t) else t.isoformat()).astype(object)


__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "check_period",
    "check_year",
    "local_iso",
    "local_text",
    "parse_day",
    "parse_when",
]
