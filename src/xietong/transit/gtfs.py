"""Read, validate, merge and expand GTFS feeds into a :class:`~xietong.transit.feed.Feed`.

:func:`read_feed` reads a GTFS zip or directory (UTF-8 with or without BOM, header names with stray
spaces, no final newline, times past 24:00, empty intermediate times) and refuses hard errors with the
file, 1-based data row and field (:class:`GtfsError`): a missing required column, an unparsable time, a
``stop_times.stop_id`` not in ``stops.txt``, times that go backwards within a trip. :func:`check_feed`
returns the suspicious-but-legal findings (zero travel time between stops more than 1 km apart, speeds
over 400 km/h) without refusing anything.

:func:`merge_feeds` joins feeds, optionally prefixing every id with a namespace (``ns:id``);
:func:`active_services` resolves calendar + calendar_dates for a date; :func:`expand_frequencies` turns
``frequencies.txt`` into explicit trips; :func:`interpolate_stop_times` fills empty intermediate times.
Reference: GTFS Schedule reference, https://gtfs.org/documentation/schedule/reference/ .
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.errors import DuplicateRecordError, InputError, Location, NotFoundError
from xietong.transit.feed import COLUMNS, TIME_COLUMNS, Feed, format_gtfs_time

#: Columns a file must have to be read (GTFS "Required"); the others in ``COLUMNS`` are filled if absent.
REQUIRED: dict[str, tuple[str, ...]] = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id", "stop_lat", "stop_lon"),  # coordinates: conditionally required in GTFS, needed here
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar": COLUMNS["calendar"],
    "calendar_dates": COLUMNS["calendar_dates"],
    "frequencies": COLUMNS["frequencies"],
    "transfers": ("from_stop_id", "to_stop_id", "transfer_type"),
}
#: Files a feed must contain.
REQUIRED_FILES = ("stops", "routes", "trips", "stop_times")

_INT_COLUMNS = frozenset({"stop_sequence", "route_type", "transfer_type", "headway_secs", *COLUMNS["calendar"][1:8]})
_NULLABLE_INT_COLUMNS = frozenset({"min_transfer_time"})
_FLOAT_COLUMNS = frozenset({"stop_lat", "stop_lon"})
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

EARTH_RADIUS_KM = 6371.0088
#: Findings thresholds.
ZERO_TIME_DISTANCE_KM = 1.0
MAX_SPEED_KMH = 400.0


class GtfsError(InputError):
    """A GTFS feed that cannot be read: the message names file, row and field."""

    problem_type = "invalid-gtfs"
    title = "Invalid GTFS feed"


class UnknownStopError(GtfsError, NotFoundError):
    """A stop id that the feed's ``stops.txt`` does not define."""

    problem_type = "unknown-stop"
    title = "Unknown stop"


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


def _read_tables(path: Path) -> dict[str, tuple[str, bytes]]:
    """File stem → (display name, raw bytes) of every ``.txt`` in a zip or directory."""
    out: dict[str, tuple[str, bytes]] = {}
    if path.is_dir():
        for f in sorted(path.glob("*.txt")):
            out[f.stem] = (str(f), f.read_bytes())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                stem = Path(name).name
                if stem.endswith(".txt"):
                    out[stem[:-4]] = (f"{path.name}:{stem}", zf.read(name))
    else:
        raise GtfsError(
            "cannot open the GTFS feed",
            expected="a .zip file or a directory of .txt files",
            given=str(path),
            hint="pass the path of the feed zip (or of the folder it was unzipped into)",
        )
    return out


def _parse_csv(raw: bytes, source: str) -> pd.DataFrame:
    text = raw.decode("utf-8-sig")
    if not text.strip():
        return pd.DataFrame()
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        raise GtfsError(
            "malformed CSV", expected="comma-separated values", given=str(exc), where=Location(source)
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


def parse_gtfs_times(values: pd.Series, *, source: str, field: str) -> pd.Series:
    """``H:MM:SS`` text (hours may pass 24, empty allowed) → ``Int64`` seconds after midnight [s].

    Raises :class:`GtfsError` naming the first unparsable row (1-based data row) and the field.
    """
    text = values.astype(str).str.strip()
    parts = text.str.extract(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
    empty = text.eq("")
    bad = parts[0].isna() & ~empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise GtfsError(
            "unparsable time",
            expected="HH:MM:SS (hours may pass 24, e.g. 25:10:00)",
            given=repr(text.iloc[i]),
            where=Location(source, i + 1, field),
            hint="fix the value or leave it empty for an intermediate stop",
        )
    seconds = parts[0].astype(float) * 3600 + parts[1].astype(float) * 60 + parts[2].astype(float)
    return seconds.round().astype("Int64")


def _coerce(table: str, df: pd.DataFrame, source: str) -> pd.DataFrame:
    for col in REQUIRED[table]:
        if col not in df.columns:
            raise GtfsError(
                f"missing required column {col!r}",
                expected=f"the columns {', '.join(REQUIRED[table])}",
                given=", ".join(df.columns) or "no header",
                where=Location(source, None, col),
                hint="add the column (see the GTFS Schedule reference)",
            )
    for col in COLUMNS[table]:
        if col not in df.columns:
            df[col] = "" if col not in _INT_COLUMNS | _FLOAT_COLUMNS | _NULLABLE_INT_COLUMNS else pd.NA
    for col in df.columns:
        if col in TIME_COLUMNS:
            df[col] = parse_gtfs_times(df[col], source=source, field=col)
        elif col in _INT_COLUMNS | _FLOAT_COLUMNS | _NULLABLE_INT_COLUMNS:
            raw = df[col].astype("string").str.strip().mask(lambda x: x == "")
            num = pd.to_numeric(raw, errors="coerce")
            bad = num.isna() & raw.notna()
            if col not in _NULLABLE_INT_COLUMNS and col != "transfer_type":
                # an empty stop_lat/stop_lon is read as NaN and reported by check_feed (a station whose
                # position nobody published can still be routed through; only distances need it)
                bad |= raw.isna() & (col in REQUIRED[table] and col not in _FLOAT_COLUMNS)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise GtfsError(
                    "not a number",
                    expected="a number" if col in _FLOAT_COLUMNS else "an integer",
                    given=repr(df[col].iloc[i]),
                    where=Location(source, i + 1, col),
                )
            if col in _FLOAT_COLUMNS:
                df[col] = num.astype(float)
            elif col in _NULLABLE_INT_COLUMNS or col == "transfer_type":
                df[col] = num.round().astype("Int64")
            else:
                df[col] = num.fillna(0).round().astype("int64")
        else:
            df[col] = df[col].astype(str).str.strip()
    return df


def read_feed(path: Path, *, namespace: str | None = None) -> Feed:
    """Read and validate a GTFS feed (zip or directory); ids prefixed ``namespace:`` when given.

    Hard errors raise :class:`GtfsError` (or :class:`UnknownStopError`) naming the file, the 1-based
    data row and the field; suspicious data are reported by :func:`check_feed`. Extra columns (e.g.
    ``city_code`` in stops) are kept as text.
    """
    path = Path(path)
    raw = _read_tables(path)
    missing = [t for t in REQUIRED_FILES if t not in raw]
    if missing:
        raise GtfsError(
            "the feed lacks required files",
            expected=", ".join(f"{t}.txt" for t in REQUIRED_FILES),
            given=", ".join(f"{t}.txt" for t in sorted(raw)) or "no .txt files",
            where=Location(str(path)),
        )
    tables: dict[str, pd.DataFrame] = {}
    for table in COLUMNS:
        if table not in raw:
            continue
        source, data = raw[table]
        df = _parse_csv(data, source)
        if df.empty and len(df.columns) == 0:
            continue
        tables[table] = _coerce(table, df, source)
    feed = Feed(**tables)
    validate_feed(feed, sources={t: raw[t][0] for t in raw})
    if namespace:
        feed = namespace_feed(feed, namespace)
    return feed


def validate_feed(feed: Feed, *, sources: dict[str, str] | None = None) -> None:
    """Refuse hard errors: unknown stop ids, trips without a first/last time, times going backwards.

    ``sources`` maps table → file name for the messages. Rows are 1-based data rows of ``stop_times``
    in its original order.
    """
    src = (sources or {}).get("stop_times", "stop_times.txt")
    st = feed.stop_times
    if st.empty:
        return
    known = set(feed.stops["stop_id"])
    unknown = ~st["stop_id"].isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise UnknownStopError(
            "stop_times refers to a stop that stops.txt does not define",
            expected="a stop_id of stops.txt",
            given=repr(st["stop_id"].iloc[i]),
            where=Location(src, i + 1, "stop_id"),
            hint=f"{int(unknown.sum())} row(s) affected; add the stop or remove the rows",
        )
    unknown_trip = ~st["trip_id"].isin(set(feed.trips["trip_id"]))
    if unknown_trip.any():
        i = int(np.flatnonzero(unknown_trip.to_numpy())[0])
        raise GtfsError(
            "stop_times refers to a trip that trips.txt does not define",
            expected="a trip_id of trips.txt",
            given=repr(st["trip_id"].iloc[i]),
            where=Location(src, i + 1, "trip_id"),
        )
    order = np.lexsort((st["stop_sequence"].to_numpy(), st["trip_id"].to_numpy()))
    s = st.iloc[order]
    rows = order + 1
    trip = s["trip_id"].to_numpy()
    first = np.r_[True, trip[1:] != trip[:-1]]
    last = np.r_[trip[1:] != trip[:-1], True]
    arr = s["arrival_time"].to_numpy(dtype="float64", na_value=np.nan)
    dep = s["departure_time"].to_numpy(dtype="float64", na_value=np.nan)
    for mask, col, what in ((first, "departure_time", "first"), (last, "arrival_time", "last")):
        vals = dep if col == "departure_time" else arr
        other = arr if col == "departure_time" else dep
        bad = mask & np.isnan(vals) & np.isnan(other)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise GtfsError(
                f"the {what} stop of a trip has no time",
                expected="arrival_time and departure_time at the first and last stop of every trip",
                given="empty",
                where=Location(src, int(rows[j]), col),
                hint=f"trip {trip[j]!r}",
            )
    # times must never go backwards: arrival <= departure at a stop, departure <= next known arrival
    arr_f = np.where(np.isnan(arr), dep, arr)
    dep_f = np.where(np.isnan(dep), arr, dep)
    back_here = dep_f < arr_f
    prev_dep = pd.Series(dep_f).groupby(trip).shift(1)
    prev_known = prev_dep.groupby(trip).ffill().to_numpy(dtype="float64", na_value=np.nan)
    back_prev = (arr_f < prev_known) & ~np.isnan(arr_f)
    bad = back_here | back_prev
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        col = "departure_time" if back_here[j] else "arrival_time"
        given = format_gtfs_time(int(dep_f[j] if back_here[j] else arr_f[j]))
        before = format_gtfs_time(int(arr_f[j] if back_here[j] else prev_known[j]))
        raise GtfsError(
            "times go backwards within a trip",
            expected=f"a time at or after {before}",
            given=given,
            where=Location(src, int(rows[j]), col),
            hint=f"trip {trip[j]!r}, stop_sequence {int(s['stop_sequence'].iloc[j])}",
        )


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance between WGS-84 points given in degrees [km]."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


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
    st = feed.stop_times
    if st.empty:
        return located
    coords = feed.stops.set_index("stop_id")[["stop_lat", "stop_lon"]]
    s = st[["trip_id", "stop_sequence", "stop_id", "arrival_time", "departure_time"]].copy()
    s["row"] = np.arange(1, len(s) + 1)
    s = s[s["arrival_time"].notna() | s["departure_time"].notna()]
    s = s.sort_values(["trip_id", "stop_sequence"], kind="stable")
    s = s.join(coords, on="stop_id")
    trip = s["trip_id"].to_numpy()
    same = np.r_[False, trip[1:] == trip[:-1]]
    arr = s["arrival_time"].fillna(s["departure_time"]).to_numpy(dtype="float64")
    dep = s["departure_time"].fillna(s["arrival_time"]).to_numpy(dtype="float64")
    lat = s["stop_lat"].to_numpy(dtype="float64")
    lon = s["stop_lon"].to_numpy(dtype="float64")
    dt_s = arr[1:] - dep[:-1]
    dist_km = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kmh = dist_km / (dt_s / 3600.0)
    ok = same[1:]
    zero = ok & (dt_s == 0) & (dist_km > ZERO_TIME_DISTANCE_KM)
    fast = ok & (dt_s > 0) & (speed_kmh > MAX_SPEED_KMH)
    rows = s["row"].to_numpy()
    stops = s["stop_id"].to_numpy()
    findings = located + [
        Finding(
            FindingKind.ZERO_TIME_DISTANT,
            f"trip {trip[j + 1]!r}: zero travel time from stop {stops[j]!r} to {stops[j + 1]!r}, "
            f"{dist_km[j]:.2f} km apart",
            Location(source, int(rows[j + 1]), "arrival_time"),
        )
        for j in np.flatnonzero(zero)
    ]
    findings += [
        Finding(
            FindingKind.TOO_FAST,
            f"trip {trip[j + 1]!r}: {speed_kmh[j]:.0f} km/h from stop {stops[j]!r} to {stops[j + 1]!r} "
            f"({dist_km[j]:.2f} km in {dt_s[j]:.0f} s)",
            Location(source, int(rows[j + 1]), "arrival_time"),
        )
        for j in np.flatnonzero(fast)
    ]
    return findings


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
    return Feed(**merged)


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
]
