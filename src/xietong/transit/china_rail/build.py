"""Merge China Railway sources into one regional GTFS :class:`~xietong.transit.feed.Feed`, with a coverage report.

:func:`build_regional_feed` takes the runs of several sources (:mod:`.formats`) and a station registry
(:mod:`xietong.transit.stations`) and

1. drops runs with fewer than two stops (a train that only passes through the corridor);
2. keeps one run per train number: a train whose number (any part of ``G1013/G1016``) appears in several
   sources keeps the run of the source that lists the whole train, then the one with more stops, then
   the most recent timetable; the others are listed in the report;
3. resolves station names to the registry (``北京西站`` and ``北京西`` are one stop), a name the 12306
   list lacks gets a name-derived id and no coordinates;
4. writes one trip and one route per train (``route_type`` 2, agency China Railway), a service per
   source, and places every service on **one representative day** (``service_date``, by default the
   newest timetable date among the sources) so that the router sees all trains on one date; each trip
   keeps its timetable's date in ``trips.source_date``.

Extra columns (allowed by GTFS, kept by :func:`~xietong.transit.feed.write_feed`): ``stops.city_code``,
``city_name``, ``location_source``; ``trips.trip_short_name`` (train number), ``source``,
``source_date``, ``partial`` (``1`` when the run lists only part of the train).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from xietong import region
from xietong.errors import InputError
from xietong.transit.china_rail.runs import RailFormat, SourceRuns
from xietong.transit.feed import COLUMNS, Feed
from xietong.transit.stations import TARGET_CITY_CODES, LocationSource, StationRegistry, normalise_name

AGENCY_ID = "CR"
AGENCY_NAME = "China Railway (中国铁路)"
AGENCY_URL = "https://www.12306.cn"
AGENCY_TIMEZONE = "Asia/Shanghai"
#: GTFS route_type of rail
ROUTE_TYPE_RAIL = 2


@dataclass(frozen=True)
class CoverageReport:
    """What a regional feed covers and where it has gaps.

    Attributes
    ----------
    service_date: the representative day every service runs on.
    sources: per source: format, path, timetable date and how it was found, runs read, runs with fewer
        than two stops, runs kept, runs dropped as duplicates, stop_times, stations passed without
        stopping, the reader's notes.
    duplicates: ``train_code``, ``kept`` (format and path of the run kept), ``dropped`` (the others).
    stations: the feed's stops with ``city_code``, ``city_name``, ``location_source``,
        ``location_note``, ``known`` (in the 12306 list) and ``trips`` (trips stopping there).
    city_pairs: direct service between the 16 target cities: ``from_code``, ``from_city``, ``to_code``,
        ``to_city``, ``trips`` (trips stopping at both, in that order), ``fastest_min`` (shortest time
        from departure to arrival [min]).
    one_direction: the rows of ``city_pairs`` whose reverse direction has no direct trip.
    targets_without_station: the target cities (code, name) at which no trip of the feed stops.
    passing: stations passed without stopping: ``source``, ``train_code``, ``station_name``, ``time_s``
        [s after midnight]; not stop_times of the feed.
    """

    service_date: date
    sources: tuple[dict[str, Any], ...]
    duplicates: pd.DataFrame
    stations: pd.DataFrame
    city_pairs: pd.DataFrame
    one_direction: pd.DataFrame
    targets_without_station: tuple[tuple[str, str], ...]
    passing: pd.DataFrame

    @property
    def station_counts(self) -> dict[str, int]:
        """Stops in the feed: total and by location source, and those unknown to the 12306 list."""
        counts = self.stations["location_source"].value_counts()
        return {
            "total": len(self.stations),
            "with_coordinates": int(counts.get(LocationSource.COORDINATES.value, 0)),
            "city_point_fallback": int(counts.get(LocationSource.CITY_POINT.value, 0)),
            "without_location": int(counts.get(LocationSource.NONE.value, 0)),
            "not_in_12306_list": int((~self.stations["known"]).sum()),
            "in_target_cities": int(self.stations["city_code"].isin(TARGET_CITY_CODES).sum()),
        }

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole report."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.astype(object).where(frame.notna(), None)
            return [{str(k): v for k, v in r.items()} for r in out.to_dict(orient="records")]

        fallbacks = self.stations[self.stations["location_source"] != LocationSource.COORDINATES.value]
        return {
            "service_date": self.service_date.isoformat(),
            "sources": [dict(s) for s in self.sources],
            "trains": int(sum(s["runs_kept"] for s in self.sources)),
            "stations": self.station_counts,
            "duplicates": records(self.duplicates),
            "city_pairs": records(self.city_pairs),
            "gaps": {
                "stations_without_coordinates": records(
                    fallbacks[["stop_id", "stop_name", "city_name", "city_code", "location_source", "location_note"]]
                ),
                "one_direction_only": records(self.one_direction),
                "targets_without_station": [{"code": c, "city": n} for c, n in self.targets_without_station],
            },
            "passing_without_stopping": records(self.passing),
        }


def _rank(source: SourceRuns, n_stops: int) -> tuple[int, int, date]:
    return (int(source.format.complete_runs), n_stops, source.source_date or date.min)


def _service_id(source: SourceRuns) -> str:
    return f"{source.format.value}_{source.source_date.strftime('%Y%m%d') if source.source_date else 'undated'}"


def build_regional_feed(
    sources: Sequence[SourceRuns],
    registry: StationRegistry,
    *,
    service_date: date | None = None,
) -> tuple[Feed, CoverageReport]:
    """Merge the sources into one GTFS feed on one representative day, and report its coverage.

    Parameters
    ----------
    sources:
        Runs from the readers of :mod:`xietong.transit.china_rail.formats`.
    registry:
        Stations with cities and coordinates.
    service_date:
        The day every service runs on in the feed; default the newest timetable date of the sources.

    Raises
    ------
    InputError
        No sources, or no dated source and no ``service_date``.
    """
    if not sources:
        raise InputError(
            "no timetable sources",
            expected="at least one source read by xietong.transit.china_rail.formats",
            given="none",
            hint="pass the directories holding the timetable files",
        )
    service_date = _service_date(sources, service_date)
    sel = _select_runs(sources)
    # 3: stations
    stop_rows = pd.concat([g.loc[g["stops"]] for _, _, g in sel.kept], ignore_index=True) if sel.kept else None
    names = stop_rows["station_name"] if stop_rows is not None else pd.Series([], dtype=str)
    stations = registry.resolve(names)
    name_to_id = dict(zip(stations["stop_name"], stations["stop_id"], strict=True))
    # 4: tables
    routes, trips, stop_times = _trip_tables(sources, sel.kept, name_to_id)
    feed = Feed(
        agency=pd.DataFrame(
            [
                {
                    "agency_id": AGENCY_ID,
                    "agency_name": AGENCY_NAME,
                    "agency_url": AGENCY_URL,
                    "agency_timezone": AGENCY_TIMEZONE,
                    "agency_lang": "zh",
                }
            ]
        ),
        stops=stations[
            ["stop_id", "stop_name", "stop_lat", "stop_lon", "city_code", "city_name", "location_source"]
        ].reset_index(drop=True),
        routes=routes,
        trips=trips,
        stop_times=stop_times,
        calendar_dates=pd.DataFrame(
            {
                "service_id": sorted({_service_id(s) for s in sources}),
                "date": service_date.strftime("%Y%m%d"),
                "exception_type": 1,
            },
            columns=list(COLUMNS["calendar_dates"]),
        ),
    )
    return feed, _coverage(feed, sources, stations, service_date, sel)


def _service_date(sources: Sequence[SourceRuns], given: date | None) -> date:
    """``given``, else the newest timetable date of the sources (refused when none is dated)."""
    if given is not None:
        return given
    dated = [s.source_date for s in sources if s.source_date is not None]
    if not dated:
        raise InputError(
            "no source has a date and no service date was given",
            expected="a service date (YYYY-MM-DD) for the representative day",
            given="undated sources only",
            hint="pass service_date (CLI: --service-date)",
        )
    return max(dated)


@dataclass(frozen=True)
class _Selection:
    """The runs kept (source index, run id, rows), one per train number, and what was left out per source."""

    kept: list[tuple[int, str, pd.DataFrame]]
    short: dict[int, int]  # runs with fewer than two stops
    dropped: dict[tuple[int, str], list[str]]  # kept run → the duplicates dropped for it
    dropped_count: dict[int, int]


def _select_runs(sources: Sequence[SourceRuns]) -> _Selection:
    """Steps 1–2: drop runs with fewer than two stops, then keep one run per train number (any part of
    ``G1013/G1016``), the best ranked (:func:`_rank`)."""
    candidates: list[tuple[tuple[int, int, date], int, str, pd.DataFrame]] = []
    short: dict[int, int] = {}
    for i, src in enumerate(sources):
        short[i] = 0
        for run_id, grp in src.runs.groupby("run_id", sort=False):
            n_stops = int(grp["stops"].sum())
            if n_stops < 2:
                short[i] += 1
                continue
            candidates.append((_rank(src, n_stops), i, str(run_id), grp))
    candidates.sort(key=lambda c: c[0], reverse=True)
    owner: dict[str, tuple[int, str]] = {}
    sel = _Selection([], short, {}, dict.fromkeys(range(len(sources)), 0))
    for _rank_key, i, run_id, grp in candidates:
        code = str(grp["train_code"].iloc[0])
        tokens = [t.strip() for t in code.split("/") if t.strip()]
        holder = next((owner[t] for t in tokens if t in owner), None)
        if holder is not None:
            sel.dropped.setdefault(holder, []).append(f"{sources[i].format.value} {sources[i].path} ({code})")
            sel.dropped_count[i] += 1
            continue
        for t in tokens:
            owner[t] = (i, run_id)
        sel.kept.append((i, run_id, grp))
    return sel


def _trip_tables(
    sources: Sequence[SourceRuns], kept: list[tuple[int, str, pd.DataFrame]], name_to_id: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Step 4: ``routes``, ``trips`` and ``stop_times`` of the kept runs, one route and one trip a train."""
    trips: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    stop_times: list[pd.DataFrame] = []
    trip_ids: set[str] = set()
    for i, _run_id, grp in kept:
        src = sources[i]
        code = str(grp["train_code"].iloc[0])
        service_id = _service_id(src)
        trip_id = f"{code}_{service_id}"
        n = 2
        while trip_id in trip_ids:
            trip_id = f"{code}_{service_id}_{n}"
            n += 1
        trip_ids.add(trip_id)
        st = grp.loc[grp["stops"]]
        routes.append(
            {
                "route_id": code,
                "agency_id": AGENCY_ID,
                "route_short_name": code,
                "route_long_name": f"{normalise_name(st['station_name'].iloc[0])}–"
                f"{normalise_name(st['station_name'].iloc[-1])}",
                "route_type": ROUTE_TYPE_RAIL,
            }
        )
        trips.append(
            {
                "route_id": code,
                "service_id": service_id,
                "trip_id": trip_id,
                "trip_short_name": code,
                "source": src.format.value,
                "source_date": src.source_date.isoformat() if src.source_date else "",
                "partial": "0" if src.format.complete_runs else "1",
            }
        )
        stop_times.append(
            pd.DataFrame(
                {
                    "trip_id": trip_id,
                    "arrival_time": st["arrival_s"].to_numpy(),
                    "departure_time": st["departure_s"].to_numpy(),
                    "stop_id": [name_to_id[normalise_name(nm)] for nm in st["station_name"]],
                    "stop_sequence": range(1, len(st) + 1),
                }
            )
        )
    st_frame = (
        pd.concat(stop_times, ignore_index=True) if stop_times else pd.DataFrame({c: [] for c in COLUMNS["stop_times"]})
    )
    st_frame["arrival_time"] = st_frame["arrival_time"].astype("Int64")
    st_frame["departure_time"] = st_frame["departure_time"].astype("Int64")
    st_frame["stop_sequence"] = st_frame["stop_sequence"].astype("int64")
    trips_frame = pd.DataFrame(
        trips, columns=[*COLUMNS["trips"], "trip_short_name", "source", "source_date", "partial"]
    )
    return pd.DataFrame(routes, columns=list(COLUMNS["routes"])), trips_frame, st_frame


def _coverage(
    feed: Feed, sources: Sequence[SourceRuns], stations: pd.DataFrame, service_date: date, sel: _Selection
) -> CoverageReport:
    kept_count = dict.fromkeys(range(len(sources)), 0)
    for i, _r, _g in sel.kept:
        kept_count[i] += 1
    source_rows = [
        {
            "format": src.format.value,
            "path": src.path,
            "source_date": src.source_date.isoformat() if src.source_date else None,
            "date_note": src.date_note,
            "runs_read": src.n_runs,
            "runs_under_two_stops": sel.short[i],
            "runs_kept": kept_count[i],
            "runs_dropped_duplicate": sel.dropped_count[i],
            "passing_without_stopping": len(src.passing),
            "notes": list(src.notes),
        }
        for i, src in enumerate(sources)
    ]
    dup_rows = []
    for (i, run_id), others in sel.dropped.items():
        grp = next(g for k, r, g in sel.kept if k == i and r == run_id)
        dup_rows.append(
            {
                "train_code": str(grp["train_code"].iloc[0]),
                "kept": f"{sources[i].format.value} {sources[i].path}",
                "dropped": "; ".join(others),
            }
        )
    st = feed.stop_times.merge(feed.trips[["trip_id", "source"]], on="trip_id")
    trips_per_stop = st.groupby("stop_id")["trip_id"].nunique()
    stations = stations.copy()
    stations["trips"] = stations["stop_id"].map(trips_per_stop).fillna(0).astype(int)
    pairs, one_dir = _city_pairs(feed, stations)
    served = set(stations.loc[stations["trips"] > 0, "city_code"])
    passing = pd.concat(
        [s.passing.assign(source=s.format.value) for s in sources if len(s.passing)]
        or [pd.DataFrame({"source": [], "train_code": [], "station_name": [], "time_s": []})],
        ignore_index=True,
    )[["source", "train_code", "station_name", "time_s"]]
    return CoverageReport(
        service_date=service_date,
        sources=tuple(source_rows),
        duplicates=pd.DataFrame(dup_rows, columns=["train_code", "kept", "dropped"]),
        stations=stations.reset_index(drop=True),
        city_pairs=pairs,
        one_direction=one_dir,
        targets_without_station=tuple((c, region.get(c).short_zh) for c in TARGET_CITY_CODES if c not in served),
        passing=passing,
    )


def _city_pairs(feed: Feed, stations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Direct service between the target cities (trips stopping at both, in that order; the fastest [min]),
    and the pairs whose reverse direction has no direct trip."""
    city_of = dict(zip(stations["stop_id"], stations["city_code"], strict=True))
    target = set(TARGET_CITY_CODES)
    best: dict[tuple[str, str], dict[str, int]] = {}
    for _trip_id, grp in feed.stop_times.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id", sort=False):
        seq = [
            (city_of.get(s, ""), int(a), int(d))
            for s, a, d in zip(grp["stop_id"], grp["arrival_time"], grp["departure_time"], strict=True)
        ]
        for key, t in _fastest_between_cities(seq, target).items():
            entry = best.setdefault(key, {"trips": 0, "fastest_s": t})
            entry["trips"] += 1
            entry["fastest_s"] = min(entry["fastest_s"], t)
    pairs = pd.DataFrame(
        [
            {
                "from_code": a,
                "from_city": region.get(a).short_zh,
                "to_code": b,
                "to_city": region.get(b).short_zh,
                "trips": v["trips"],
                "fastest_min": round(v["fastest_s"] / 60),
            }
            for (a, b), v in sorted(best.items())
        ],
        columns=["from_code", "from_city", "to_code", "to_city", "trips", "fastest_min"],
    )
    reverse = {(b, a) for a, b in best}
    one_dir = pairs[[(a, b) not in reverse for a, b in zip(pairs["from_code"], pairs["to_code"], strict=True)]]
    return pairs, one_dir.reset_index(drop=True)


def _fastest_between_cities(seq: list[tuple[str, int, int]], target: set[str]) -> dict[tuple[str, str], int]:
    """For one trip's stops (city code, arrival [s], departure [s]) in order: the shortest time [s] from a
    departure in one target city to a later arrival in another."""
    pair_time: dict[tuple[str, str], int] = {}
    for x in range(len(seq)):
        cx, _ax, dx = seq[x]
        if cx not in target:
            continue
        for y in range(x + 1, len(seq)):
            cy, ay, _dy = seq[y]
            if cy not in target or cy == cx:
                continue
            t = ay - dx
            key = (cx, cy)
            if key not in pair_time or t < pair_time[key]:
                pair_time[key] = t
    return pair_time


__all__ = [
    "AGENCY_ID",
    "AGENCY_NAME",
    "ROUTE_TYPE_RAIL",
    "CoverageReport",
    "RailFormat",
    "build_regional_feed",
]
