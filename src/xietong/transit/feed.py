"""The in-memory GTFS feed every transit module exchanges: one pandas DataFrame per GTFS table.

This is the contract between the readers (:mod:`xietong.transit.gtfs` for GTFS zips, the China
Railway importers for 12306-style timetables), the scenario builder (which appends synthetic trips)
and the router (which compiles a :class:`Feed` into compact arrays).

Conventions
-----------
- Columns are the GTFS column names (GTFS Schedule reference, "Dataset Files"); all ids are strings.
- ``stop_times.arrival_time`` and ``departure_time`` are integer **seconds after midnight of the
  service day** (``Int64``; may exceed 86,400 for trips running past midnight; ``<NA>`` where GTFS
  leaves an intermediate time empty). Every other column keeps its GTFS text form (dates as
  ``YYYYMMDD`` strings), except ``stop_lat``/``stop_lon`` (float degrees, WGS-84),
  ``stop_sequence``, ``route_type``, ``transfer_type``, ``min_transfer_time`` and the calendar
  weekday flags (integers).
- A table the feed does not have is an empty DataFrame with the required columns.
- ``notices``: the validation notices found when the feed was read (:mod:`xietong.transit.notices`);
  empty for feeds built in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

import pandas as pd

from xietong.transit.notices import Notice

#: Required columns of each table Xietong reads and writes (GTFS Schedule reference).
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_id", "agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes": ("route_id", "agency_id", "route_short_name", "route_long_name", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers": ("from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"),
}

#: Columns holding times as seconds after midnight, written back as ``HH:MM:SS``.
TIME_COLUMNS: frozenset[str] = frozenset({"arrival_time", "departure_time", "start_time", "end_time"})


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[table]})


def format_gtfs_time(seconds: int) -> str:
    """``HH:MM:SS`` for seconds after midnight of the service day (hours may pass 24) [s]."""
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


@dataclass(frozen=True)
class Feed:
    """A GTFS feed as DataFrames (see the module docstring for the column conventions)."""

    agency: pd.DataFrame = field(default_factory=lambda: _empty("agency"))
    stops: pd.DataFrame = field(default_factory=lambda: _empty("stops"))
    routes: pd.DataFrame = field(default_factory=lambda: _empty("routes"))
    trips: pd.DataFrame = field(default_factory=lambda: _empty("trips"))
    stop_times: pd.DataFrame = field(default_factory=lambda: _empty("stop_times"))
    calendar: pd.DataFrame = field(default_factory=lambda: _empty("calendar"))
    calendar_dates: pd.DataFrame = field(default_factory=lambda: _empty("calendar_dates"))
    frequencies: pd.DataFrame = field(default_factory=lambda: _empty("frequencies"))
    transfers: pd.DataFrame = field(default_factory=lambda: _empty("transfers"))
    #: validation notices of the file the feed was read from (not a table)
    notices: tuple[Notice, ...] = field(default=(), compare=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name → DataFrame, in GTFS file order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in COLUMNS}

    def with_tables(self, **tables: pd.DataFrame) -> Feed:
        """A copy with some tables replaced (the notices are kept)."""
        return replace(self, **cast(dict[str, Any], tables))


def write_feed(feed: Feed, path: Path) -> Path:
    """Write ``feed`` as a GTFS zip at ``path`` (empty optional tables are left out); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, df in feed.tables().items():
            if df.empty and name not in {"agency", "stops", "routes", "trips", "stop_times"}:
                continue
            out = df.copy()
            for col in TIME_COLUMNS & set(out.columns):
                out[col] = [("" if pd.isna(v) else format_gtfs_time(int(v))) for v in out[col]]
            buf = io.StringIO()
            out.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            zf.writestr(f"{name}.txt", buf.getvalue())
    return path


__all__ = ["COLUMNS", "TIME_COLUMNS", "Feed", "format_gtfs_time", "write_feed"]
