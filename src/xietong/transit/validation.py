"""Read a GTFS feed leniently and report what is wrong with it as validation notices.

:func:`validate_gtfs` reads a zip or directory into a :class:`~xietong.transit.feed.Feed` and lists its
:class:`~xietong.transit.notices.Notice` s (codes and severities of the canonical GTFS validator, see
:mod:`xietong.transit.notices`). It never raises for what it finds; it raises :class:`GtfsError` only when
the path is not a feed at all. :func:`~xietong.transit.gtfs.read_feed` refuses the feed when a notice is an
``ERROR``.

The checks, in order (a later stage runs only when the earlier ones found no ``ERROR``):

1. files and types: required files (``missing_required_file``, ``empty_file``), CSV structure
   (``csv_parsing_failed``), required columns and values (``missing_required_column``,
   ``missing_required_field``), times, integers and floats (``invalid_time``, ``invalid_integer``,
   ``invalid_float``); non-GTFS files (``unknown_file``, INFO);
2. keys and references: ``duplicate_key`` (stops, routes, trips, stop_times, calendar, calendar_dates),
   ``foreign_key_violation`` (stop_times → stops and trips, trips → routes: ERROR; transfers → stops,
   trips, routes, frequencies → trips, pathways → stops: WARNING, the rows are dropped),
   ``missing_calendar_and_calendar_date_files``;
3. stop times: ``missing_trip_edge``, ``stop_time_with_arrival_before_previous_departure_time``,
   ``stop_time_with_departure_before_arrival_time`` (Xietong), ``stop_time_with_only_arrival_or_departure_time``
   (WARNING here: the given time is used for both);
4. usage and plausibility (WARNING): ``unusable_trip``, ``unused_trip``, ``stop_without_stop_time``,
   ``stop_without_location``, ``fast_travel_between_consecutive_stops``.

Rows in notices are 1-based data rows of the file as read (header not counted).
Stage 1 is :mod:`xietong.transit.gtfs_tables`.
Reference: GTFS Schedule reference, https://gtfs.org/documentation/schedule/reference/ ; MobilityData
gtfs-validator notice catalogue, https://gtfs-validator.mobilitydata.org/rules.html .
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import Location, Problem
from xietong.transit.feed import COLUMNS, Feed
from xietong.transit.gtfs_tables import (
    OPTIONAL_FOR_ROUTING,
    REQUIRED,
    REQUIRED_FILES,
    GtfsError,
    UnknownStopError,
    load_tables,
    parse_csv,
    parse_gtfs_times,
    read_tables,
)
from xietong.transit.notices import Notice, NoticeCode, NoticeLog, Severity, count_by_severity

#: Primary keys checked for ``duplicate_key``.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id",),
    "routes": ("route_id",),
    "trips": ("trip_id",),
    "stop_times": ("trip_id", "stop_sequence"),
    "calendar": ("service_id",),
    "calendar_dates": ("service_id", "date"),
}
EARTH_RADIUS_KM = 6371.0088
#: plausibility thresholds of ``fast_travel_between_consecutive_stops`` (Xietong's; the canonical
#: validator uses per-route-type speeds)
ZERO_TIME_DISTANCE_KM = 1.0
MAX_SPEED_KMH = 400.0

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
C = NoticeCode


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What :func:`validate_gtfs` found: the feed (``None`` when files or types are broken) and the notices."""

    source: str
    feed: Feed | None
    notices: tuple[Notice, ...]

    @property
    def usable(self) -> bool:
        """No ``ERROR``: :func:`~xietong.transit.gtfs.read_feed` accepts the feed."""
        return self.feed is not None and not any(n.severity is ERROR for n in self.notices)

    def as_dict(self) -> dict[str, Any]:
        """``{feed, usable, counts: {ERROR, WARNING, INFO}, notices: [{code, severity, count, samples}]}``."""
        return {
            "feed": self.source,
            "usable": self.usable,
            "counts": {s.value: n for s, n in count_by_severity(self.notices).items()},
            "notices": [n.as_dict() for n in self.notices],
        }

    def refusal(self) -> GtfsError:
        """The error :func:`~xietong.transit.gtfs.read_feed` raises: the first ``ERROR`` in full, every
        ``ERROR`` notice listed below it."""
        errors = [n for n in self.notices if n.severity is ERROR]
        first = errors[0].samples[0] if errors and errors[0].samples else Problem("the feed has errors")
        cls = (
            UnknownStopError
            if errors and errors[0].code is C.FOREIGN_KEY_VIOLATION and first.where.field == "stop_id"
            else GtfsError
        )
        listed = [Problem(f"{n.code}: {p.message}", p.where, p.expected, p.given) for n in errors for p in n.samples]
        total = sum(n.count for n in errors)
        counts = ", ".join(f"{n.code} ×{n.count}" for n in errors)
        hint = f"{total} ERROR(s) in all ({counts}); `xietong transit validate FEED` lists every notice"
        return cls(
            first.message,
            expected=first.expected,
            given=first.given,
            where=first.where,
            hint=f"{first.hint}; {hint}" if first.hint else hint,
            problems=listed if total > 1 else None,
        )


# -- keys, references, stop times --------------------------------------------------------------------------


def _duplicates(feed: Feed, src: dict[str, str], log: NoticeLog) -> None:
    for table, key in PRIMARY_KEYS.items():
        df = getattr(feed, table)
        if df.empty:
            continue
        dup = df.duplicated(list(key), keep="first").to_numpy()
        at = np.flatnonzero(dup)
        if at.size:
            givens = [" / ".join(str(df[k].iloc[i]) for k in key) for i in at[:5]]
            log.add_rows(
                C.DUPLICATE_KEY,
                f"{'+'.join(key)} given twice",
                src[table],
                (at + 1).tolist(),
                key[-1],
                givens,
                expected="a unique key",
            )


def _missing_refs(values: pd.Series, known: set[str], *, optional: bool = False) -> npt.NDArray[np.bool_]:
    text = values.astype(str)
    absent = ~text.isin(known)
    if optional:
        absent &= text.ne("") & values.notna()
    return np.asarray(absent.to_numpy(), dtype=bool)


def _core_references(feed: Feed, src: dict[str, str], log: NoticeLog) -> None:
    """References in the files the timetable is made of: an ``ERROR`` each."""
    stops, trips, routes = set(feed.stops["stop_id"]), set(feed.trips["trip_id"]), set(feed.routes["route_id"])
    for table, col, known, target in (
        ("stop_times", "stop_id", stops, "stops.txt"),
        ("stop_times", "trip_id", trips, "trips.txt"),
        ("trips", "route_id", routes, "routes.txt"),
    ):
        df = getattr(feed, table)
        at = np.flatnonzero(_missing_refs(df[col], known))
        if at.size:
            log.add_rows(
                C.FOREIGN_KEY_VIOLATION,
                f"{table} refers to a {col.removesuffix('_id')} that {target} does not define",
                src[table],
                (at + 1).tolist(),
                col,
                [df[col].iloc[i] for i in at[:5]],
                expected=f"a {col} of {target}",
                hint=f"{at.size} row(s) affected; add the {col.removesuffix('_id')} or remove the rows",
            )
    if feed.calendar.empty and feed.calendar_dates.empty:
        log.add(
            C.MISSING_CALENDAR_AND_CALENDAR_DATE_FILES,
            "the feed has neither calendar.txt nor calendar_dates.txt: no trip runs on any day",
            Location(src.get("trips", "trips.txt"), None, "service_id"),
            expected="calendar.txt or calendar_dates.txt with the trips' service_id",
        )


def _optional_references(feed: Feed, src: dict[str, str], log: NoticeLog) -> Feed:
    """References in optional files: unresolved rows dropped, one ``WARNING`` per column with the count."""
    known = {
        "stop": set(feed.stops["stop_id"]),
        "trip": set(feed.trips["trip_id"]),
        "route": set(feed.routes["route_id"]),
    }
    out: dict[str, pd.DataFrame] = {}
    tr = feed.transfers
    if not tr.empty:
        drop = np.zeros(len(tr), dtype=bool)
        in_seat = tr["transfer_type"].isin([4, 5]).to_numpy(dtype=bool)
        for end in ("from", "to"):
            col = f"{end}_stop_id"
            empty = tr[col].astype(str).eq("").to_numpy()
            _drop_rows(log, C.MISSING_REQUIRED_FIELD, src["transfers"], tr, col, empty & ~in_seat, "a stop_id")
            drop |= empty  # in-seat transfers without stops (types 4, 5) carry no footpath
        for kind in ("stop", "trip", "route"):
            for end in ("from", "to"):
                col = f"{end}_{kind}_id"
                if col not in tr.columns:
                    continue
                bad = _missing_refs(tr[col], known[kind], optional=True) & ~drop
                _drop_rows(log, C.FOREIGN_KEY_VIOLATION, src["transfers"], tr, col, bad, f"a {kind}_id of {kind}s.txt")
                drop |= bad
        out["transfers"] = tr[~drop].reset_index(drop=True)
    fr = feed.frequencies
    if not fr.empty:
        bad = _missing_refs(fr["trip_id"], known["trip"])
        _drop_rows(log, C.FOREIGN_KEY_VIOLATION, src["frequencies"], fr, "trip_id", bad, "a trip_id of trips.txt")
        out["frequencies"] = fr[~bad].reset_index(drop=True)
    return feed.with_tables(**out) if out else feed


def _drop_rows(
    log: NoticeLog, code: NoticeCode, source: str, df: pd.DataFrame, col: str, mask: npt.NDArray[np.bool_], what: str
) -> None:
    at = np.flatnonzero(mask)
    if at.size:
        log.add_rows(
            code,
            f"{col} names no {what.removeprefix('a ')}; the row is dropped"
            if code is C.FOREIGN_KEY_VIOLATION
            else f"{col} is empty; the row is dropped",
            source,
            (at + 1).tolist(),
            col,
            [df[col].iloc[i] for i in at[:5]],
            severity=WARNING,
            expected=what,
            hint=f"{at.size} row(s) of {Path(source.rsplit(':', maxsplit=1)[-1]).name} dropped",
        )


def check_pathways(raw: dict[str, tuple[str, bytes]], stops: set[str], log: NoticeLog) -> None:
    """``pathways.txt`` is not used for routing; its stop references are still checked (``WARNING``)."""
    if "pathways" not in raw:
        return
    name, data = raw["pathways"]
    quiet = NoticeLog()
    df = parse_csv(data, name, "transfers", quiet)  # an unreadable file is a WARNING, like transfers.txt
    if df is None:
        log.extend(quiet.notices())
        return
    for col in ("from_stop_id", "to_stop_id"):
        if col in df.columns:
            bad = _missing_refs(df[col].str.strip(), stops)
            _drop_rows(log, C.FOREIGN_KEY_VIOLATION, name, df, col, bad, "a stop_id of stops.txt")


def resolve_footpaths(feed: Feed, footpaths: pd.DataFrame, source: str) -> tuple[pd.DataFrame, tuple[Notice, ...]]:
    """Extra walking links (``from_stop_id, to_stop_id, duration_s``) without the rows naming a stop the
    feed lacks; each dropped row counted in a ``foreign_key_violation`` WARNING."""
    log = NoticeLog()
    known = set(feed.stops["stop_id"])
    drop = np.zeros(len(footpaths), dtype=bool)
    for col in ("from_stop_id", "to_stop_id"):
        if col in footpaths.columns:
            bad = _missing_refs(footpaths[col].astype(str).str.strip(), known) & ~drop
            _drop_rows(log, C.FOREIGN_KEY_VIOLATION, source, footpaths, col, bad, "a stop_id of the feed")
            drop |= bad
    return footpaths[~drop].reset_index(drop=True), log.notices()


def _ordered_stop_times(feed: Feed) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """stop_times sorted by trip and sequence, and each row's 1-based data row in the file."""
    st = feed.stop_times
    order = np.lexsort((st["stop_sequence"].to_numpy(), st["trip_id"].astype(str).to_numpy()))
    return st.iloc[order].reset_index(drop=True), order.astype(np.int64) + 1


def _stop_time_order(feed: Feed, src: str, log: NoticeLog) -> None:
    """Trip edges timed, times never going backwards (Xietong fills a lone arrival or departure)."""
    s, rows = _ordered_stop_times(feed)
    if s.empty:
        return
    trip = s["trip_id"].astype(str).to_numpy()
    first = np.r_[True, trip[1:] != trip[:-1]]
    last = np.r_[trip[1:] != trip[:-1], True]
    arr = s["arrival_time"].to_numpy(dtype="float64", na_value=np.nan)
    dep = s["departure_time"].to_numpy(dtype="float64", na_value=np.nan)
    none = np.isnan(arr) & np.isnan(dep)
    edge = (first | last) & none
    lone = np.isnan(arr) != np.isnan(dep)
    arr_f = np.where(np.isnan(arr), dep, arr)
    dep_f = np.where(np.isnan(dep), arr, dep)
    prev_known = pd.Series(dep_f).groupby(trip).shift(1).groupby(trip).ffill().to_numpy(dtype="float64")
    backwards = (arr_f < prev_known) & ~np.isnan(arr_f)
    for code, mask, col, severity, message in (
        (C.MISSING_TRIP_EDGE, edge, "arrival_time", ERROR, "the first or last stop of a trip has no time"),
        (C.STOP_TIME_WITH_ONLY_ARRIVAL_OR_DEPARTURE_TIME, lone, "arrival_time", WARNING, "only one of "
         "arrival_time and departure_time is given; it is used for both"),
        (C.STOP_TIME_WITH_ARRIVAL_BEFORE_PREVIOUS_DEPARTURE_TIME, backwards, "arrival_time", ERROR,
         "times go backwards within a trip: arrival before the previous departure"),
        (C.STOP_TIME_WITH_DEPARTURE_BEFORE_ARRIVAL_TIME, dep_f < arr_f, "departure_time", ERROR,
         "times go backwards within a trip: departure before the arrival at the same stop"),
    ):  # fmt: skip
        at = np.flatnonzero(mask)
        if at.size:
            log.add_rows(
                code,
                message,
                src,
                rows[at].tolist(),
                col,
                [f"trip {trip[j]}, stop_sequence {int(s['stop_sequence'].iloc[j])}" for j in at[:5]],
                severity=severity,
            )


# -- usage and plausibility ----------------------------------------------------------------------------------


def _usage(feed: Feed, src: dict[str, str], log: NoticeLog) -> None:
    per_trip = feed.stop_times.groupby("trip_id").size()
    n = feed.trips["trip_id"].map(per_trip).fillna(0).to_numpy()
    for code, mask, message in (
        (C.UNUSED_TRIP, n == 0, "a trip without stop times"),
        (C.UNUSABLE_TRIP, n <= 1, "a trip must visit more than one stop to be usable"),
    ):
        at = np.flatnonzero(mask)
        if at.size:
            log.add_rows(
                code, message, src["trips"], (at + 1).tolist(), "trip_id", feed.trips["trip_id"].iloc[at[:5]].tolist()
            )
    stops = feed.stops
    kind = stops["location_type"].astype(str).str.strip() if "location_type" in stops.columns else None
    is_stop = kind.isin(["", "0", "nan", "<NA>"]).to_numpy() if kind is not None else np.ones(len(stops), dtype=bool)
    unused = is_stop & ~stops["stop_id"].isin(set(feed.stop_times["stop_id"])).to_numpy()
    no_xy = is_stop & (stops["stop_lat"].isna() | stops["stop_lon"].isna()).to_numpy()
    for code, mask, message in (
        (C.STOP_WITHOUT_STOP_TIME, unused, "a stop no trip serves"),
        (C.STOP_WITHOUT_LOCATION, no_xy, "a stop without stop_lat/stop_lon: kept and routed through; distances "
         "and speeds to it are not checked"),
    ):  # fmt: skip
        at = np.flatnonzero(mask)
        if at.size:
            field = "stop_id" if code is C.STOP_WITHOUT_STOP_TIME else "stop_lat"
            log.add_rows(code, message, src["stops"], (at + 1).tolist(), field, stops["stop_id"].iloc[at[:5]].tolist(),
                         severity=WARNING)  # fmt: skip


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance between WGS-84 points given in degrees [km]."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def consecutive_legs(feed: Feed) -> pd.DataFrame:
    """Consecutive timed stops of each trip: ``trip_id, from_stop_id, to_stop_id, row`` (1-based data row
    of the arrival), ``dt_s`` [s], ``distance_km`` [km], ``speed_kmh`` [km/h] (inf for zero time)."""
    st = feed.stop_times
    coords = feed.stops.drop_duplicates("stop_id").set_index("stop_id")[["stop_lat", "stop_lon"]]
    s = st[["trip_id", "stop_sequence", "stop_id", "arrival_time", "departure_time"]].copy()
    s["row"] = np.arange(1, len(s) + 1)
    s = s[s["arrival_time"].notna() | s["departure_time"].notna()]
    s = s.sort_values(["trip_id", "stop_sequence"], kind="stable").join(coords, on="stop_id")
    trip = s["trip_id"].to_numpy()
    same = np.r_[False, trip[1:] == trip[:-1]] if len(s) else np.zeros(0, dtype=bool)
    arr = s["arrival_time"].fillna(s["departure_time"]).to_numpy(dtype="float64")
    dep = s["departure_time"].fillna(s["arrival_time"]).to_numpy(dtype="float64")
    lat, lon = s["stop_lat"].to_numpy(dtype="float64"), s["stop_lon"].to_numpy(dtype="float64")
    dt_s = arr[1:] - dep[:-1]
    dist_km = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt_s > 0, dist_km / (dt_s / 3600.0), np.where(dist_km > 0, np.inf, 0.0))
    ok = same[1:]
    stops = s["stop_id"].to_numpy()
    return pd.DataFrame(
        {
            "trip_id": trip[1:][ok],
            "from_stop_id": stops[:-1][ok],
            "to_stop_id": stops[1:][ok],
            "row": s["row"].to_numpy()[1:][ok],
            "dt_s": dt_s[ok],
            "distance_km": dist_km[ok],
            "speed_kmh": speed[ok],
        }
    )


def _speeds(feed: Feed, src: str, log: NoticeLog) -> None:
    legs = consecutive_legs(feed)
    fast = (legs["dt_s"].eq(0) & legs["distance_km"].gt(ZERO_TIME_DISTANCE_KM)) | (
        legs["dt_s"].gt(0) & legs["speed_kmh"].gt(MAX_SPEED_KMH)
    )
    hit = legs[fast.to_numpy()]
    log.add_rows(
        C.FAST_TRAVEL_BETWEEN_CONSECUTIVE_STOPS,
        f"faster than {MAX_SPEED_KMH:.0f} km/h (or no time for more than {ZERO_TIME_DISTANCE_KM:g} km) between "
        "consecutive stops",
        src,
        hit["row"].tolist(),
        "arrival_time",
        [
            f"trip {r.trip_id}: {r.from_stop_id} → {r.to_stop_id}, {r.distance_km:.2f} km in {r.dt_s:.0f} s"
            for r in hit.head(5).itertuples()
        ],
        severity=WARNING,
    )


# -- the whole check -------------------------------------------------------------------------------------------


def check_feed_notices(feed: Feed, sources: dict[str, str] | None = None) -> tuple[Feed, tuple[Notice, ...]]:
    """Stages 2–4 on a feed already in memory: the feed with unresolved optional rows dropped, and the
    notices. ``sources`` maps table → file name for the locations."""
    src = {t: f"{t}.txt" for t in COLUMNS} | (sources or {})
    log = NoticeLog()
    _duplicates(feed, src, log)
    _core_references(feed, src, log)
    feed = _optional_references(feed, src, log)
    if not log.has(ERROR):
        _stop_time_order(feed, src["stop_times"], log)
    if not log.has(ERROR):
        _usage(feed, src, log)
        _speeds(feed, src["stop_times"], log)
    return feed, log.notices()


def validate_gtfs(path: Path) -> ValidationReport:
    """Read a GTFS zip or directory and list its notices; the feed is ``None`` when stage 1 (files and
    types) found an ``ERROR``. Raises :class:`GtfsError` only when ``path`` is not a zip or directory."""
    path = Path(path)
    raw = read_tables(path)
    log = NoticeLog()
    tables = load_tables(raw, str(path), log)
    if log.has(ERROR):
        return ValidationReport(str(path), None, log.notices())
    feed, found = check_feed_notices(Feed(**cast(dict[str, Any], tables)), {t: raw[t][0] for t in raw})
    log.extend(found)
    check_pathways(raw, set(feed.stops["stop_id"]), log)
    notices = log.notices()
    return ValidationReport(str(path), replace(feed, notices=notices), notices)


__all__ = [
    "MAX_SPEED_KMH",
    "OPTIONAL_FOR_ROUTING",
    "REQUIRED",
    "REQUIRED_FILES",
    "ZERO_TIME_DISTANCE_KM",
    "GtfsError",
    "UnknownStopError",
    "ValidationReport",
    "check_feed_notices",
    "check_pathways",
    "consecutive_legs",
    "haversine_km",
    "parse_gtfs_times",
    "read_tables",
    "resolve_footpaths",
    "validate_gtfs",
]
