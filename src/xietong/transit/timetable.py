"""Compile a :class:`~xietong.transit.feed.Feed` and a service date into compact integer arrays.

A :class:`Timetable` is what RAPTOR reads (Delling, Pajor & Werneck 2012, "Round-Based Public Transit
Routing", §3.1 data structures):

- **routes** are trips grouped by identical stop pattern, split further so that no trip overtakes
  another (RAPTOR scans a route's trips in departure order, which needs FIFO trips);
- ``route_stops[route_stops_ptr[r]:route_stops_ptr[r+1]]`` are the stop indexes of route ``r``;
- the stop times of route ``r`` are a trips × stops block starting at ``route_st_ptr[r]``, trips sorted
  by departure, ``arrival_s``/``departure_s`` int32 seconds after midnight of the service date [s];
- ``stop_route_*`` lists, for each stop, the routes serving it and the stop's position in each;
- ``foot_*`` are walking transfers (``transfers.txt`` between different stops with their
  ``min_transfer_time``, plus footpaths passed in), transitively closed so that one hop is enough.

Trips of the previous service day that run past midnight are included, shifted by −24 h, so a query at
00:30 sees the night trains that left the day before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import dijkstra  # type: ignore[import-untyped]

from xietong.errors import InputError, Location
from xietong.transit.feed import Feed
from xietong.transit.gtfs import (
    UnknownStopError,
    expand_frequencies,
    interpolate_stop_times,
    trips_on,
)

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, eq=False)
class Timetable:
    """Compact arrays of one service day (see the module docstring); build with :func:`compile_timetable`."""

    stop_ids: np.ndarray  # object[n_stops]
    route_stops_ptr: np.ndarray  # int32[n_routes + 1]
    route_stops: np.ndarray  # int32[sum of pattern lengths]
    route_trips_ptr: np.ndarray  # int32[n_routes + 1] → global trip index
    route_st_ptr: np.ndarray  # int64[n_routes + 1] → offset in arrival_s / departure_s
    arrival_s: np.ndarray  # int32
    departure_s: np.ndarray  # int32
    trip_ids: np.ndarray  # object[n_trips]
    trip_route_ids: np.ndarray  # object[n_trips]: the GTFS route_id
    trip_day_offset: np.ndarray  # int8[n_trips]: 0 = service date, -1 = previous day's trip
    stop_route_ptr: np.ndarray  # int32[n_stops + 1]
    stop_route_route: np.ndarray  # int32
    stop_route_pos: np.ndarray  # int32
    foot_ptr: np.ndarray  # int32[n_stops + 1]
    foot_to: np.ndarray  # int32
    foot_time_s: np.ndarray  # int32 [s]
    service_date: date | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def n_stops(self) -> int:
        return len(self.stop_ids)

    @property
    def n_routes(self) -> int:
        return len(self.route_stops_ptr) - 1

    @property
    def n_trips(self) -> int:
        return len(self.trip_ids)

    def stop_index(self, stop_id: str) -> int:
        """The array index of ``stop_id``; :class:`~xietong.transit.gtfs.UnknownStopError` if absent."""
        if not self._index:
            self._index.update({s: i for i, s in enumerate(self.stop_ids)})
        try:
            return self._index[stop_id]
        except KeyError:
            close = [s for s in self.stop_ids if str(stop_id).lower() in str(s).lower()][:5]
            raise UnknownStopError(
                "unknown stop",
                expected="a stop_id of the feed (namespaced feeds use ns:stop_id)",
                given=repr(stop_id),
                where=Location("stops.txt", None, "stop_id"),
                hint=f"similar ids: {', '.join(close)}" if close else "list the stops with the feed's stops.txt",
            ) from None

    def route_of_trip(self, trip: int) -> int:
        return int(np.searchsorted(self.route_trips_ptr, trip, side="right") - 1)

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays the compiled RAPTOR kernels take, in their order."""
        return (
            self.route_stops_ptr,
            self.route_stops,
            self.route_trips_ptr,
            self.route_st_ptr,
            self.arrival_s,
            self.departure_s,
            self.stop_route_ptr,
            self.stop_route_route,
            self.stop_route_pos,
            self.foot_ptr,
            self.foot_to,
            self.foot_time_s,
        )


def _csr(n: int, keys: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=n)
    ptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=ptr[1:])
    return (ptr, *(np.ascontiguousarray(v[order], dtype=np.int32) for v in values))


def _footpaths(feed: Feed, index: pd.Index, extra: pd.DataFrame | None) -> pd.DataFrame:
    parts = []
    tr = feed.transfers
    if not tr.empty:
        t = tr[(tr["from_stop_id"] != tr["to_stop_id"])]
        t = t[t["transfer_type"].fillna(0).astype(int) != 3]
        parts.append(
            pd.DataFrame(
                {
                    "from_stop_id": t["from_stop_id"],
                    "to_stop_id": t["to_stop_id"],
                    "duration_s": t["min_transfer_time"].fillna(0).astype("int64"),
                }
            )
        )
    if extra is not None and not extra.empty:
        missing = {"from_stop_id", "to_stop_id", "duration_s"} - set(extra.columns)
        if missing:
            raise InputError(
                "footpaths lack columns",
                expected="from_stop_id, to_stop_id, duration_s [s]",
                given=", ".join(map(str, extra.columns)),
                where=Location("footpaths", None, sorted(missing)[0]),
            )
        parts.append(extra[["from_stop_id", "to_stop_id", "duration_s"]])
    if not parts:
        return pd.DataFrame({"from": [], "to": [], "duration_s": []})
    fp = pd.concat(parts, ignore_index=True)
    fr = index.get_indexer(pd.Index(fp["from_stop_id"]))
    to = index.get_indexer(pd.Index(fp["to_stop_id"]))
    bad = (fr < 0) | (to < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        col = "from_stop_id" if fr[i] < 0 else "to_stop_id"
        raise UnknownStopError(
            "a transfer or footpath names a stop the feed does not define",
            expected="a stop_id of stops.txt",
            given=repr(fp[col].iloc[i]),
            where=Location("transfers.txt", i + 1, col),
        )
    return pd.DataFrame({"from": fr, "to": to, "duration_s": fp["duration_s"].to_numpy(dtype="int64")})


def _close_footpaths(n: int, fp: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transitive closure of the footpath graph (shortest walking time between every connected pair)."""
    if fp.empty:
        return np.zeros(n + 1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    nodes = np.unique(np.r_[fp["from"].to_numpy(), fp["to"].to_numpy()]).astype(np.int64)
    local = {int(s): i for i, s in enumerate(nodes)}
    fr = np.array([local[int(s)] for s in fp["from"]], dtype=np.int64)
    to = np.array([local[int(s)] for s in fp["to"]], dtype=np.int64)
    # zero-length walks are kept by adding 1 ms to every edge (scipy drops explicit zeros), floored after
    dd = pd.DataFrame({"f": fr, "t": to, "d": fp["duration_s"].to_numpy(dtype=float) + 1e-3})
    edges = dd.groupby(["f", "t"])["d"].min()
    g = csr_matrix(
        (edges.to_numpy(), (edges.index.get_level_values(0), edges.index.get_level_values(1))),
        shape=(len(nodes), len(nodes)),
    )
    sources = np.unique(fr)
    dist = dijkstra(g, directed=True, indices=sources)
    si, ti = np.nonzero(np.isfinite(dist))
    keep = sources[si] != ti
    si, ti = si[keep], ti[keep]
    d_s = np.floor(dist[si, ti]).astype(np.int64)
    ptr, to_arr, time_arr = _csr(n, nodes[sources[si]], nodes[ti], d_s)
    return ptr, to_arr, time_arr


def _fifo_groups(dep: np.ndarray, arr: np.ndarray) -> list[list[int]]:
    """Split trips (rows, sorted by first departure) into groups in which no trip overtakes another."""
    groups: list[list[int]] = []
    last: list[int] = []
    for i in range(dep.shape[0]):
        for g, j in enumerate(last):
            if (dep[i] >= dep[j]).all() and (arr[i] >= arr[j]).all():
                groups[g].append(i)
                last[g] = i
                break
        else:
            groups.append([i])
            last.append(i)
    return groups


def compile_timetable(
    feed: Feed,
    service_date: date | None = None,
    *,
    footpaths: pd.DataFrame | None = None,
    include_previous_day: bool = True,
) -> Timetable:
    """Compile the trips running on ``service_date`` (all trips when ``None``) into a :class:`Timetable`.

    Parameters
    ----------
    feed:
        A validated feed (e.g. from :func:`~xietong.transit.gtfs.read_feed`, possibly with synthetic trips
        appended by :func:`~xietong.transit.feed.append_trips`).
    service_date:
        The day whose services run (calendar + calendar_dates); times are relative to its midnight.
    footpaths:
        Extra walking links: columns ``from_stop_id``, ``to_stop_id``, ``duration_s`` [s] (directed).
    include_previous_day:
        Add the previous day's trips that run past midnight, shifted by −24 h.
    """
    feed = expand_frequencies(feed)
    day_feeds = _day_feeds(feed, service_date, include_previous_day=include_previous_day)
    stop_ids = feed.stops["stop_id"].astype(str).to_numpy(dtype=object)
    index = pd.Index(stop_ids)
    st = _stop_time_rows(day_feeds, index)
    route_of_trip: pd.Series = pd.concat([f.trips.set_index("trip_id")["route_id"] for f, _ in day_feeds])
    route_of_trip = route_of_trip[~route_of_trip.index.duplicated()]
    keys = st["key"].to_numpy()
    # no trip on the day (a date outside the calendar): no trip starts, an empty timetable
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    routes = _fifo_routes(st, starts)
    lengths = np.array([len(p) for p in routes.stops], dtype=np.int64)
    route_stops_ptr, route_trips_ptr, route_st_ptr = _route_pointers(lengths, routes.n_trips)
    flat_stops = np.concatenate(routes.stops) if routes.stops else np.zeros(0, dtype=np.int32)
    n_routes = len(routes.stops)
    route_idx = np.repeat(np.arange(n_routes, dtype=np.int32), lengths)
    pos_idx = np.concatenate([np.arange(x, dtype=np.int32) for x in lengths]) if n_routes else np.zeros(0, np.int32)
    stop_route_ptr, stop_route_route, stop_route_pos = _csr(
        len(stop_ids), flat_stops.astype(np.int64), route_idx, pos_idx
    )
    first_rows = starts[np.array(routes.trips, dtype=np.int64)]
    trip_keys = keys[first_rows] if routes.trips else np.zeros(0, dtype=object)
    offsets = st["offset"].to_numpy()[first_rows] if routes.trips else np.zeros(0)
    trip_ids = np.array([k[:-4] if o == -1 else k for k, o in zip(trip_keys, offsets, strict=True)], dtype=object)
    foot_ptr, foot_to, foot_time_s = _close_footpaths(len(stop_ids), _footpaths(feed, index, footpaths))
    return Timetable(
        stop_ids=stop_ids,
        route_stops_ptr=route_stops_ptr,
        route_stops=flat_stops.astype(np.int32),
        route_trips_ptr=route_trips_ptr,
        route_st_ptr=route_st_ptr,
        arrival_s=np.concatenate(routes.arrival_s).astype(np.int32) if routes.arrival_s else np.zeros(0, np.int32),
        departure_s=np.concatenate(routes.departure_s).astype(np.int32)
        if routes.departure_s
        else np.zeros(0, np.int32),
        trip_ids=trip_ids,
        trip_route_ids=route_of_trip.reindex(trip_ids).astype(object).to_numpy(),
        trip_day_offset=offsets.astype(np.int8),
        stop_route_ptr=stop_route_ptr,
        stop_route_route=stop_route_route,
        stop_route_pos=stop_route_pos,
        foot_ptr=foot_ptr,
        foot_to=foot_to,
        foot_time_s=foot_time_s,
        service_date=service_date,
    )


def _day_feeds(feed: Feed, service_date: date | None, *, include_previous_day: bool) -> list[tuple[Feed, int]]:
    """The feeds whose trips enter the timetable, each with its day offset: the service day's trips (all
    trips when ``service_date`` is ``None``) and the previous day's trips that run past midnight (−1)."""
    if service_date is None:
        return [(feed, 0)]
    day_feeds = [(trips_on(feed, service_date), 0)]
    if include_previous_day:
        prev = trips_on(feed, service_date - timedelta(days=1))
        late = prev.stop_times.groupby("trip_id")["arrival_time"].max()
        late_ids = set(late[late > SECONDS_PER_DAY].index)
        if late_ids:
            trips = prev.trips[prev.trips["trip_id"].isin(late_ids)]
            stop_times = prev.stop_times[prev.stop_times["trip_id"].isin(late_ids)]
            day_feeds.append((prev.with_tables(trips=trips, stop_times=stop_times), -1))
    return day_feeds


def _stop_time_rows(day_feeds: list[tuple[Feed, int]], index: pd.Index) -> pd.DataFrame:
    """The stop times of every trip, times shifted by the day offset [s after the service day's midnight],
    with ``key`` (the trip id, ``@-1d`` for the previous day's) and ``stop`` (the stop's index)."""
    sts = []
    for f, offset in day_feeds:
        st = interpolate_stop_times(f)
        st = st[["trip_id", "stop_id", "arrival_time", "departure_time"]].copy()
        st["offset"] = offset
        st["key"] = st["trip_id"].astype(str) + ("" if offset == 0 else "@-1d")
        shift = offset * SECONDS_PER_DAY
        st["arrival_time"] = st["arrival_time"].astype("int64") + shift
        st["departure_time"] = st["departure_time"].astype("int64") + shift
        sts.append(st)
    st = pd.concat(sts, ignore_index=True)
    st["stop"] = index.get_indexer(pd.Index(st["stop_id"]))
    return st


@dataclass
class _Routes:
    """RAPTOR routes: trips of one stop pattern, sorted and cut into FIFO groups (no trip overtakes another)."""

    stops: list[np.ndarray] = field(default_factory=list)  # the stop pattern of each route
    arrival_s: list[np.ndarray] = field(default_factory=list)  # each route's trips x stops, row-major
    departure_s: list[np.ndarray] = field(default_factory=list)
    trips: list[int] = field(default_factory=list)  # trip numbers (in ``starts``), route by route
    n_trips: list[int] = field(default_factory=list)


def _fifo_routes(st: pd.DataFrame, starts: np.ndarray) -> _Routes:
    """Group the trips (rows ``starts[t]`` … of ``st``) by stop pattern, sort each group by departure and cut
    it into FIFO routes."""
    if len(starts) == 0:
        return _Routes()
    ends = np.r_[starts[1:], len(st)]
    stop_arr = st["stop"].to_numpy(dtype=np.int32)
    arr_all = st["arrival_time"].to_numpy(dtype=np.int64)
    dep_all = st["departure_time"].to_numpy(dtype=np.int64)
    patterns: dict[bytes, list[int]] = {}
    for t, (a, b) in enumerate(zip(starts, ends, strict=True)):
        patterns.setdefault(stop_arr[a:b].tobytes(), []).append(t)
    out = _Routes()
    for trips in patterns.values():
        a0 = starts[trips[0]]
        length = ends[trips[0]] - a0
        pat = stop_arr[a0 : a0 + length]
        rows = np.array([starts[t] for t in trips])
        idx = rows[:, None] + np.arange(length)[None, :]
        arr = arr_all[idx]
        dep = dep_all[idx]
        order = np.lexsort(tuple(dep[:, j] for j in range(length - 1, -1, -1)))
        arr, dep = arr[order], dep[order]
        tlist = [trips[i] for i in order]
        for g in _fifo_groups(dep, arr):
            out.stops.append(pat)
            out.arrival_s.append(arr[g].ravel())
            out.departure_s.append(dep[g].ravel())
            out.trips.extend(tlist[i] for i in g)
            out.n_trips.append(len(g))
    return out


def _route_pointers(lengths: np.ndarray, n_trips: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR offsets of the routes: into the route stops, the trips, and the stop-time blocks."""
    n_routes = len(lengths)
    route_stops_ptr = np.zeros(n_routes + 1, dtype=np.int32)
    np.cumsum(lengths, out=route_stops_ptr[1:])
    route_trips_ptr = np.zeros(n_routes + 1, dtype=np.int32)
    np.cumsum(n_trips, out=route_trips_ptr[1:])
    route_st_ptr = np.zeros(n_routes + 1, dtype=np.int64)
    np.cumsum(lengths * np.array(n_trips, dtype=np.int64), out=route_st_ptr[1:])
    return route_stops_ptr, route_trips_ptr, route_st_ptr


# -- the toy-timetable builder -------------------------------------------------------------------------

_STOP_TIME = re.compile(r"^\s*(\S+)\s+(\d{1,3}:\d{2}(?::\d{2})?)(?:\s*[-/]\s*(\d{1,3}:\d{2}(?::\d{2})?))?\s*$")


_CLOCK = re.compile(r"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")


def parse_clock(text: str) -> int:
    """``HH:MM`` or ``HH:MM:SS`` (hours may pass 24) → seconds after midnight [s]."""
    m = _CLOCK.match(text.strip())
    if m is None or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
        raise InputError("not a time of day", expected="HH:MM or HH:MM:SS (hours may pass 24)", given=repr(text))
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


@dataclass
class TimetableBuilder:
    """Readable toy timetables for tests::

        tt = (TimetableBuilder()
              .trip("A 08:00", "B 08:30", "C 09:00")
              .trip("B 08:40/08:42", "D 09:10", route="R2")
              .footpath("C", "D", 120)
              .build())

    A stop time is ``"STOP HH:MM[:SS]"`` (arrival = departure) or ``"STOP ARR/DEP"``.
    """

    _stops: dict[str, None] = field(default_factory=dict)
    _trips: list[tuple[str, str]] = field(default_factory=list)
    _stop_times: list[tuple[str, int, int, str, int]] = field(default_factory=list)
    _footpaths: list[tuple[str, str, int]] = field(default_factory=list)

    def trip(self, *stop_times: str, route: str | None = None, trip_id: str | None = None) -> TimetableBuilder:
        tid = trip_id or f"t{len(self._trips) + 1}"
        self._trips.append((route or "R-" + "-".join(s.split()[0] for s in stop_times), tid))
        for seq, text in enumerate(stop_times, start=1):
            m = _STOP_TIME.match(text)
            if m is None:
                raise InputError(
                    "cannot read a toy stop time",
                    expected="'STOP HH:MM' or 'STOP HH:MM/HH:MM'",
                    given=repr(text),
                )
            stop, a, d = m.group(1), parse_clock(m.group(2)), parse_clock(m.group(3) or m.group(2))
            self._stops.setdefault(stop)
            self._stop_times.append((tid, a, d, stop, seq))
        return self

    def stop(self, *stop_ids: str) -> TimetableBuilder:
        for s in stop_ids:
            self._stops.setdefault(s)
        return self

    def footpath(self, a: str, b: str, duration_s: int, *, both_ways: bool = True) -> TimetableBuilder:
        self._stops.setdefault(a)
        self._stops.setdefault(b)
        self._footpaths.append((a, b, duration_s))
        if both_ways:
            self._footpaths.append((b, a, duration_s))
        return self

    def feed(self) -> Feed:
        """The toy timetable as a :class:`Feed` (one service ``ALL``; footpaths as transfers)."""
        stops = pd.DataFrame(
            {"stop_id": list(self._stops), "stop_name": list(self._stops), "stop_lat": 0.0, "stop_lon": 0.0}
        )
        routes = sorted({r for r, _ in self._trips})
        return Feed(
            stops=stops,
            routes=pd.DataFrame(
                {
                    "route_id": routes,
                    "agency_id": "",
                    "route_short_name": routes,
                    "route_long_name": "",
                    "route_type": 3,
                }
            ),
            trips=pd.DataFrame(
                {"route_id": [r for r, _ in self._trips], "service_id": "ALL", "trip_id": [t for _, t in self._trips]}
            ),
            stop_times=pd.DataFrame(
                {
                    "trip_id": [x[0] for x in self._stop_times],
                    "arrival_time": pd.array([x[1] for x in self._stop_times], dtype="Int64"),
                    "departure_time": pd.array([x[2] for x in self._stop_times], dtype="Int64"),
                    "stop_id": [x[3] for x in self._stop_times],
                    "stop_sequence": [x[4] for x in self._stop_times],
                }
            ),
            transfers=pd.DataFrame(
                {
                    "from_stop_id": [a for a, _, _ in self._footpaths],
                    "to_stop_id": [b for _, b, _ in self._footpaths],
                    "transfer_type": pd.array([2] * len(self._footpaths), dtype="Int64"),
                    "min_transfer_time": pd.array([d for _, _, d in self._footpaths], dtype="Int64"),
                }
            ),
        )

    def build(self) -> Timetable:
        return compile_timetable(self.feed())


def footpaths_from_groups(
    stops: pd.DataFrame, column: str, duration_s: int, *, stop_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Footpaths (both ways, ``duration_s`` [s]) between every two stops sharing ``column`` (e.g. ``city_code``)."""
    s = stops[["stop_id", column]]
    s = s[s[column].notna() & (s[column].astype(str) != "")]
    if stop_ids is not None:
        s = s[s["stop_id"].isin(set(stop_ids))]
    pairs = s.merge(s, on=column, suffixes=("_a", "_b"))
    pairs = pairs[pairs["stop_id_a"] != pairs["stop_id_b"]]
    return pd.DataFrame(
        {"from_stop_id": pairs["stop_id_a"], "to_stop_id": pairs["stop_id_b"], "duration_s": int(duration_s)}
    ).reset_index(drop=True)


def as_origins(tt: Timetable, origins: str | Iterable[str] | Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Origin stop ids (or stop id → walk/access time [s]) → (stop indexes int32, offsets int32 [s])."""
    if isinstance(origins, str):
        origins = [origins]
    items = list(origins.items()) if isinstance(origins, Mapping) else [(o, 0) for o in origins]
    idx = np.array([tt.stop_index(str(o)) for o, _ in items], dtype=np.int32)
    off = np.array([int(d) for _, d in items], dtype=np.int32)
    return idx, off


__all__ = [
    "SECONDS_PER_DAY",
    "Timetable",
    "TimetableBuilder",
    "as_origins",
    "compile_timetable",
    "footpaths_from_groups",
    "parse_clock",
]
