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


def local_iso(series: pd.Series) -> pd.Series:
    """UTC timestamps as ISO 8601 strings in China Standard Time (``2016-12-16T08:00:00+08:00``)."""
    local = pd.to_datetime(series, utc=True).dt.tz_convert(DISPLAY_TZ)
    return local.map(lambda t: "" if pd.isna(t) else t.isoformat()).astype(object)


__all__ = ["EARLIEST_YEAR", "LATEST_YEAR", "check_year", "local_iso", "parse_when"]
