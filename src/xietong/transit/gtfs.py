"""Read, validate, merge and expand GTFS feeds into a :class:`~xietong.transit.feed.Feed`.

:func:`read_feed` reads a GTFS zip or directory (UTF-8 with or without BOM, header names with stray
spaces, no final newline, times past 24:00, empty intermediate times) with
:func:`~xietong.transit.validation.validate_gtfs`, attaches the validation notices to the feed
(``feed.notices``, codes and severities of the canonical GTFS validator, :mod:`xietong.transit.notices`)
and refuses the feed when one of them is an ``ERROR`` (:class:`GtfsError`, naming the file, 1-based data
row and field of the first and listing the others): a missing required file or column, an unparsable
time, a ``stop_times.stop_id`` not in ``stops.txt``, times that go backwards within a trip. Rows of
optional files that reference nothing (a ``transfers.txt`` row naming a stop ``stops.txt`` lacks) are
dropped with a ``WARNING``. :func:`check_feed` returns the suspicious-but-legal findings (zero travel time
between stops more than 1 km apart, speeds over 400 km/h, stops without coordinates).

:func:`merge_feeds` joins feeds, optionally prefixing every id with a namespace (``ns:id``);
:func:`active_services` resolves calendar + calendar_dates for a date; :func:`expand_frequencies` turns
``frequencies.txt`` into explicit trips; :func:`interpolate_stop_times` fills empty intermediate times.
Reference: GTFS Schedule reference, https://gtfs.org/documentation/schedule/reference/ .
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.errors import DuplicateRecordError, InputError, Location
from xietong.transit.feed import COLUMNS, Feed, format_gtfs_time
from xietong.transit.notices import Notice, Severity, merge_notices
from xietong.transit.validation import (
    MAX_SPEED_KMH,
    REQUIRED,
    REQUIRED_FILES,
    ZERO_TIME_DISTANCE_KM,
    GtfsError,
    UnknownStopError,
    ValidationReport,
    check_feed_notices,
    consecutive_legs,
    haversine_km,
    parse_gtfs_times,
    validate_gtfs,
)

#: Id columns prefixed by a namespace, per table.
_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_id",),
    "stops": ("stop_id", "parent_station"),
    "routes": ("route_id", "agency_id"),
    "trips": ("route_id", "service_id", "trip_id", "shape_id", "block_id"),
    "stop_times": ("trip_id", "stop_id"),
    "calendar": ("service_id",),
    "calendar_dates": ("service_id",),
    "frequencies": ("trip_id",),
    "transfers": ("from_stop_id", "to_stop_id", "from_trip_id", "to_trip_id", "from_route_id", "to_route_id"),
}
#: Primary keys checked for duplicates when feeds are merged.
_KEYS: dict[str, str] = {"stops": "stop_id", "routes": "route_id", "trips": "trip_id"}


class FindingKind(StrEnum):
    """Suspicious but legal data reported by :func:`check_feed`."""

    ZERO_TIME_DISTANT = "zero-time-distant"
    TOO_FAST = "too-fast"
    NO_LOCATION = "no-location"


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning about a feed: what, where (file, data row, field) and the values."""

    kind: FindingKind
    message: str
    where: Location

    def describe(self) -> str:
        return f"{self.kind}: {self.message} ({self.where})"


# -- reading ------------------------------------------------------------------------------------------


def read_feed(path: Path, *, namespace: str | None = None) -> Feed:
    """Read and validate a GTFS feed (zip or directory); ids prefixed ``namespace:`` when given.

    The feed carries its validation notices (``feed.notices``). An ``ERROR`` notice refuses the feed:
    :class:`GtfsError` (or :class:`UnknownStopError`) naming the file, the 1-based data row and the field
    of the first, listing the others. Unresolved rows of optional files are dropped with a ``WARNING``.
    Extra columns (e.g. ``city_code`` in stops) are kept as text.
    """
    report = validate_gtfs(Path(path))
    if not report.usable or report.feed is None:
        raise report.refusal()
    feed = report.feed
    return namespace_feed(feed, namespace) if namespace else feed


def validate_feed(feed: Feed, *, sources: dict[str, str] | None = None) -> tuple[Notice, ...]:
    """The notices of a feed in memory (keys, references, stop times, usage); raises the refusal when one
    is an ``ERROR``. ``sources`` maps table → file name for the locations."""
    _, notices = check_feed_notices(feed, sources)
    if any(n.severity is Severity.ERROR for n in notices):
        raise ValidationReport("feed", None, notices).refusal()
    return notices


def check_feed(feed: Feed, *, source: str = "stop_times.txt") -> list[Finding]:
    """Warnings for suspicious data between consecutive timed stops of a trip.

    - zero travel time between stops more than ``ZERO_TIME_DISTANCE_KM`` (1 km) apart;
    - a speed over ``MAX_SPEED_KMH`` (400 km/h);
    - a stop without coordinates (rows of ``stops.txt``).

    Rows are 1-based data rows of ``stop_times`` in the feed's order.
    """
    no_xy = (feed.stops["stop_lat"].isna() | feed.stops["stop_lon"].isna()).to_numpy()
    unplaced = feed.stops[no_xy]
    located = [
        Finding(
            FindingKind.NO_LOCATION,
            f"stop {sid!r} ({name}) has no stop_lat/stop_lon: distances and speeds to it are not checked",
            Location("stops.txt", int(i) + 1, "stop_lat"),
        )
        for i, sid, name in zip(
            np.flatnonzero(no_xy),
            unplaced["stop_id"],
            unplaced["stop_name"],
            strict=True,
        )
    ]
    legs = consecutive_legs(feed)
    zero = legs[(legs["dt_s"] == 0) & (legs["distance_km"] > ZERO_TIME_DISTANCE_KM)]
    fast = legs[(legs["dt_s"] > 0) & (legs["speed_kmh"] > MAX_SPEED_KMH)]
    return [
        *located,
        *(
            Finding(
                FindingKind.ZERO_TIME_DISTANT,
                f"trip {r['trip_id']!r}: zero travel time from stop {r['from_stop_id']!r} to {r['to_stop_id']!r}, "
                f"{r['distance_km']:.2f} km apart",
                Location(source, int(r["row"]), "arrival_time"),
            )
            for r in zero.to_dict("records")
        ),
        *(
            Finding(
                FindingKind.TOO_FAST,
                f"trip {r['trip_id']!r}: {r['speed_kmh']:.0f} km/h from stop {r['from_stop_id']!r} to "
                f"{r['to_stop_id']!r} ({r['distance_km']:.2f} km in {r['dt_s']:.0f} s)",
                Location(source, int(r["row"]), "arrival_time"),
            )
            for r in fast.to_dict("records")
        ),
    ]


# -- merging ------------------------------------------------------------------------------------------


def namespace_feed(feed: Feed, namespace: str) -> Feed:
    """A copy with every id (stops, routes, trips, services, agencies, shapes…) prefixed ``namespace:``."""
    out: dict[str, pd.DataFrame] = {}
    for table, original in feed.tables().items():
        df = original.copy()
        for col in _ID_COLUMNS[table]:
            if col in df.columns:
                vals = df[col].astype(str)
                df[col] = np.where(vals.eq("") | df[col].isna(), df[col], namespace + ":" + vals)
        out[table] = df
    return feed.with_tables(**out)


def merge_feeds(*feeds: Feed, namespaces: Sequence[str] | None = None) -> Feed:
    """One feed from several; with ``namespaces`` each feed's ids are prefixed ``ns:`` first.

    Extra columns survive (missing in one feed → empty). Duplicate stop, route or trip ids across feeds
    raise :class:`~xietong.errors.DuplicateRecordError` (use namespaces to keep them apart).
    """
    if namespaces is not None:
        if len(namespaces) != len(feeds):
            raise InputError("one namespace per feed", expected=str(len(feeds)), given=str(len(namespaces)))
        feeds = tuple(namespace_feed(f, ns) for f, ns in zip(feeds, namespaces, strict=True))
    if len(feeds) == 1:
        return feeds[0]
    merged: dict[str, pd.DataFrame] = {}
    for table in COLUMNS:
        parts = [getattr(f, table) for f in feeds]
        nonempty = [p for p in parts if not p.empty]
        df = pd.concat(nonempty, ignore_index=True) if nonempty else parts[0]
        key = _KEYS.get(table)
        if key is not None and df[key].duplicated().any():
            dup = df.loc[df[key].duplicated(), key].iloc[0]
            raise DuplicateRecordError(
                f"{key} {dup!r} is defined by more than one feed",
                expected="ids unique across the merged feeds",
                given=repr(dup),
                where=Location(f"{table}.txt", None, key),
                hint="give each feed a namespace (e.g. --gtfs poa=feed.zip or merge_feeds(..., namespaces=[...]))",
            )
        merged[table] = df
    return Feed(**merged, notices=merge_notices(*(f.notices for f in feeds)))


# -- services and frequencies ---------------------------------------------------------------------------


def active_services(feed: Feed, day: date) -> set[str]:
    """Service ids running on ``day``: calendar (weekday flag and date range) plus calendar_dates
    exceptions (1 = added, 2 = removed)."""
    ymd = day.strftime("%Y%m%d")
    weekday = COLUMNS["calendar"][1 + day.weekday()]
    cal = feed.calendar
    active: set[str] = set()
    if not cal.empty:
        on = (cal[weekday].astype(int) == 1) & (cal["start_date"] <= ymd) & (cal["end_date"] >= ymd)
        active = set(cal.loc[on, "service_id"])
    cd = feed.calendar_dates
    if not cd.empty:
        today = cd[cd["date"] == ymd]
        kind = pd.to_numeric(today["exception_type"], errors="coerce")
        active |= set(today.loc[kind == 1, "service_id"])
        active -= set(today.loc[kind == 2, "service_id"])
    return active


def service_span(feed: Feed) -> tuple[str, str] | None:
    """The first and last day (ISO ``YYYY-MM-DD``) the feed's calendar and calendar_dates name, or ``None``."""
    days: list[str] = []
    if not feed.calendar.empty:
        days += [str(feed.calendar["start_date"].min()), str(feed.calendar["end_date"].max())]
    if not feed.calendar_dates.empty:
        days += [str(feed.calendar_dates["date"].min()), str(feed.calendar_dates["date"].max())]
    if not days:
        return None
    first, last = min(days), max(days)
    return f"{first[:4]}-{first[4:6]}-{first[6:]}", f"{last[:4]}-{last[4:6]}-{last[6:]}"


def trips_on(feed: Feed, day: date) -> Feed:
    """The feed restricted to trips whose service runs on ``day``."""
    services = active_services(feed, day)
    trips = feed.trips[feed.trips["service_id"].isin(services)]
    st = feed.stop_times[feed.stop_times["trip_id"].isin(set(trips["trip_id"]))]
    return feed.with_tables(trips=trips, stop_times=st)


def previous_day(day: date) -> date:
    return day - timedelta(days=1)


def expand_frequencies(feed: Feed) -> Feed:
    """Frequency-based trips as explicit trips: one copy of the template trip per headway.

    For each ``frequencies`` row, departures run from ``start_time`` while before ``end_time`` every
    ``headway_secs`` [s]; the copy keeps the template's running times, is named
    ``<trip_id>@<HH:MM:SS>`` and replaces the template (whose own times only give the running times).
    """
    fr = feed.frequencies
    if fr.empty:
        return feed
    st = feed.stop_times.sort_values(["trip_id", "stop_sequence"], kind="stable")
    first_dep = st.groupby("trip_id")["departure_time"].first()
    new_trips: list[pd.DataFrame] = []
    new_st: list[pd.DataFrame] = []
    trips = feed.trips.set_index("trip_id", drop=False)
    for tid_raw, start_s, end_s, headway_s in zip(
        fr["trip_id"], fr["start_time"], fr["end_time"], fr["headway_secs"], strict=True
    ):
        tid = str(tid_raw)
        if tid not in first_dep.index or int(headway_s) <= 0:
            continue
        tmpl = st[st["trip_id"] == tid]
        base = int(first_dep[tid])
        starts = np.arange(int(start_s), int(end_s), int(headway_s))
        for t0 in starts:
            new_id = f"{tid}@{format_gtfs_time(int(t0))}"
            part = tmpl.copy()
            part["trip_id"] = new_id
            part["arrival_time"] = part["arrival_time"] - base + int(t0)
            part["departure_time"] = part["departure_time"] - base + int(t0)
            new_st.append(part)
            tr = trips.loc[[tid]].copy()
            tr["trip_id"] = new_id
            new_trips.append(tr)
    templates = set(fr["trip_id"])
    trips_df = pd.concat([feed.trips[~feed.trips["trip_id"].isin(templates)], *new_trips], ignore_index=True)
    st_df = pd.concat([feed.stop_times[~feed.stop_times["trip_id"].isin(templates)], *new_st], ignore_index=True)
    return feed.with_tables(trips=trips_df, stop_times=st_df, frequencies=feed.frequencies.iloc[0:0])


def interpolate_stop_times(feed: Feed) -> pd.DataFrame:
    """``stop_times`` sorted by trip and sequence with every arrival and departure filled [s].

    Empty intermediate times are interpolated linearly in the distance along the trip between the
    neighbouring timed stops (in the stop count where stops coincide); an empty arrival or departure
    next to a given one takes its value.
    """
    st = feed.stop_times.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    st["arrival_time"] = st["arrival_time"].fillna(st["departure_time"])
    st["departure_time"] = st["departure_time"].fillna(st["arrival_time"])
    missing = st["arrival_time"].isna().to_numpy()
    if not missing.any():
        return st
    coords = feed.stops.set_index("stop_id")[["stop_lat", "stop_lon"]]
    xy = coords.reindex(st["stop_id"]).to_numpy(dtype="float64")
    trip = st["trip_id"].to_numpy()
    first = np.r_[True, trip[1:] != trip[:-1]]
    step_km = np.r_[0.0, haversine_km(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])]
    step_km = np.where(np.isnan(step_km), 0.0, step_km)
    step_km[first] = 0.0
    trip_no = np.cumsum(first)
    # position along the trip: distance, plus a tiny per-stop epsilon so coinciding stops stay ordered
    pos = pd.Series(step_km + 1e-6).groupby(trip_no).cumsum().to_numpy() + trip_no * 1e7
    arr = st["arrival_time"].to_numpy(dtype="float64", na_value=np.nan)
    dep = st["departure_time"].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(arr)
    filled = np.interp(pos[missing], pos[known], arr[known])
    arr[missing] = np.round(filled)
    dep[missing] = np.round(filled)
    st["arrival_time"] = pd.array(arr.astype("int64"), dtype="Int64")
    st["departure_time"] = pd.array(dep.astype("int64"), dtype="Int64")
    return st


__all__ = [
    "MAX_SPEED_KMH",
    "REQUIRED",
    "REQUIRED_FILES",
    "ZERO_TIME_DISTANCE_KM",
    "Finding",
    "FindingKind",
    "GtfsError",
    "UnknownStopError",
    "active_services",
    "check_feed",
    "expand_frequencies",
    "haversine_km",
    "interpolate_stop_times",
    "merge_feeds",
    "namespace_feed",
    "parse_gtfs_times",
    "read_feed",
    "trips_on",
    "validate_feed",
    "validate_gtfs",
]
