"""RAPTOR: earliest arrival with at most K transfers, range-RAPTOR over a departure window, journeys.

Follows Delling, Pajor & Werneck (2012), "Round-Based Public Transit Routing", Transportation Science
49(3), Algorithm 1 (RAPTOR) and §4 (rRAPTOR). Round ``k`` finds the earliest arrival at every stop with at
most ``k`` trips: ``labels[k, p]`` (int32 seconds after midnight of the service date, preallocated
``int32[K + 2, n_stops]`` for ``max_transfers = K``). Each round

1. collects the routes serving a stop marked in the previous round, each with its earliest marked
   position (Algorithm 1, lines 8–14);
2. scans every such route once, from that position, hopping on the earliest catchable trip and
   improving the labels it reaches (lines 15–29);
3. relaxes the (transitively closed) footpaths from the stops improved in the round (lines 30–33).

Range-RAPTOR runs the departures of a window from the latest to the earliest and keeps the labels
between runs: a later departure's arrival is an upper bound for an earlier one (§4). The hot loops are
compiled with Numba (``nogil``, so threads and Dask workers run them in parallel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from numba import njit

from xietong.errors import InputError
from xietong.transit.feed import format_gtfs_time
from xietong.transit.timetable import Timetable, TimetableBuilder, as_origins

#: Internal "not reached" label; never returned unmasked (results carry a ``reached`` mask or NaN).
_INF = np.int32(np.iinfo(np.int32).max)
DEFAULT_MAX_TRANSFERS = 8


@njit(cache=True, nogil=True)
def _mark(p: int, marked: np.ndarray, marked_list: np.ndarray, n_marked: int) -> int:
    """Mark stop ``p`` (once) for the next round; returns the new count of marked stops."""
    if not marked[p]:
        marked[p] = True
        marked_list[n_marked] = p
        n_marked += 1
    return n_marked


@njit(cache=True, nogil=True)
def _relax_footpaths(
    k: int,
    n_from: int,
    foot_ptr: np.ndarray,
    foot_to: np.ndarray,
    foot_time_s: np.ndarray,
    labels: np.ndarray,
    best: np.ndarray,
    walk_from: np.ndarray,
    marked: np.ndarray,
    marked_list: np.ndarray,
    n_marked: int,
) -> int:
    """Walk the footpaths from the first ``n_from`` marked stops in round ``k`` (Algorithm 1, lines
    30–33); returns the new count of marked stops."""
    for i in range(n_from):
        p = marked_list[i]
        for j in range(foot_ptr[p], foot_ptr[p + 1]):
            q = foot_to[j]
            t = labels[k, p] + foot_time_s[j]
            if t < labels[k, q]:
                labels[k, q] = t
                walk_from[k, q] = p
                best[q] = min(best[q], t)
                n_marked = _mark(q, marked, marked_list, n_marked)
    return n_marked


@njit(cache=True, nogil=True)
def _queue_routes(
    marked: np.ndarray,
    marked_list: np.ndarray,
    n_marked: int,
    stop_route_ptr: np.ndarray,
    stop_route_route: np.ndarray,
    stop_route_pos: np.ndarray,
    queue_pos: np.ndarray,
    queue: np.ndarray,
) -> int:
    """Queue the routes serving the marked stops, each from its earliest marked position, and unmark the
    stops (Algorithm 1, lines 8–14); returns the number of routes queued."""
    n_queue = 0
    for i in range(n_marked):
        p = marked_list[i]
        marked[p] = False
        for j in range(stop_route_ptr[p], stop_route_ptr[p + 1]):
            r = stop_route_route[j]
            pos = stop_route_pos[j]
            if queue_pos[r] < 0:
                queue_pos[r] = pos
                queue[n_queue] = r
                n_queue += 1
            elif pos < queue_pos[r]:
                queue_pos[r] = pos
    return n_queue


@njit(cache=True, nogil=True)
def _earliest_trip(dep_s: np.ndarray, base: int, n_st: int, i: int, hi: int, ready: int) -> int:
    """The first of the route's trips ``0 … hi - 1`` departing position ``i`` at or after ``ready`` (binary
    search on the FIFO trips); ``hi`` when none does."""
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        if dep_s[base + mid * n_st + i] >= ready:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True)
def _scan_route(
    r: int,
    start: int,
    k: int,
    route_stops_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_trips_ptr: np.ndarray,
    route_st_ptr: np.ndarray,
    arr_s: np.ndarray,
    dep_s: np.ndarray,
    labels: np.ndarray,
    best: np.ndarray,
    board_trip: np.ndarray,
    board_pos: np.ndarray,
    alight_pos: np.ndarray,
    walk_from: np.ndarray,
    marked: np.ndarray,
    marked_list: np.ndarray,
    n_marked: int,
) -> int:
    """Scan route ``r`` once from position ``start`` in round ``k``, riding the earliest catchable trip and
    improving the labels it reaches (Algorithm 1, lines 15–29); returns the new count of marked stops."""
    inf = np.int32(2147483647)
    s0 = route_stops_ptr[r]
    n_st = route_stops_ptr[r + 1] - s0
    t0 = route_trips_ptr[r]
    n_tr = route_trips_ptr[r + 1] - t0
    base = route_st_ptr[r]
    trip = -1
    b_pos = -1
    for i in range(start, n_st):
        p = route_stops[s0 + i]
        if trip >= 0:
            a = arr_s[base + trip * n_st + i]
            if a < labels[k, p]:
                labels[k, p] = a
                board_trip[k, p] = t0 + trip
                board_pos[k, p] = b_pos
                alight_pos[k, p] = i
                walk_from[k, p] = -1
                best[p] = min(best[p], a)
                n_marked = _mark(p, marked, marked_list, n_marked)
        prev = labels[k - 1, p]
        if prev == inf or i == n_st - 1:
            continue
        if trip >= 0 and prev > dep_s[base + trip * n_st + i]:
            continue
        hi = trip if trip >= 0 else n_tr
        lo = _earliest_trip(dep_s, base, n_st, i, hi, prev)
        if lo < hi:
            trip = lo
            b_pos = i
    return n_marked


def _run_impl(
    route_stops_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_trips_ptr: np.ndarray,
    route_st_ptr: np.ndarray,
    arr_s: np.ndarray,
    dep_s: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route_route: np.ndarray,
    stop_route_pos: np.ndarray,
    foot_ptr: np.ndarray,
    foot_to: np.ndarray,
    foot_time_s: np.ndarray,
    origins: np.ndarray,
    origin_times: np.ndarray,
    labels: np.ndarray,
    best: np.ndarray,
    board_trip: np.ndarray,
    board_pos: np.ndarray,
    alight_pos: np.ndarray,
    walk_from: np.ndarray,
    marked: np.ndarray,
    marked_list: np.ndarray,
    queue_pos: np.ndarray,
    queue: np.ndarray,
) -> int:
    """One RAPTOR run on labels that may hold bounds from a later run; returns the last round used."""
    n_rounds = labels.shape[0] - 1
    n_marked = 0
    # round 0: the origins, then walking from them
    for i in range(origins.shape[0]):
        p = origins[i]
        t = origin_times[i]
        if t < labels[0, p]:
            labels[0, p] = t
            walk_from[0, p] = -1
            best[p] = min(best[p], t)
            n_marked = _mark(p, marked, marked_list, n_marked)
    n_marked = _relax_footpaths(
        0, n_marked, foot_ptr, foot_to, foot_time_s, labels, best, walk_from, marked, marked_list, n_marked
    )
    last_round = 0
    for k in range(1, n_rounds + 1):
        if n_marked == 0:
            break
        last_round = k
        for p in range(labels.shape[1]):
            labels[k, p] = min(labels[k, p], labels[k - 1, p])
        # 1. routes serving marked stops, each from its earliest marked position
        n_queue = _queue_routes(
            marked, marked_list, n_marked, stop_route_ptr, stop_route_route, stop_route_pos, queue_pos, queue
        )
        n_marked = 0
        # 2. scan each route once
        for qi in range(n_queue):
            r = queue[qi]
            start = queue_pos[r]
            queue_pos[r] = -1
            n_marked = _scan_route(
                r, start, k, route_stops_ptr, route_stops, route_trips_ptr, route_st_ptr, arr_s, dep_s,
                labels, best, board_trip, board_pos, alight_pos, walk_from, marked, marked_list, n_marked,
            )  # fmt: skip
        # 3. footpaths from the stops improved by a trip in this round
        n_marked = _relax_footpaths(
            k, n_marked, foot_ptr, foot_to, foot_time_s, labels, best, walk_from, marked, marked_list, n_marked
        )
    for i in range(n_marked):
        marked[marked_list[i]] = False
    return last_round


def _range_many_impl(
    route_stops_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_trips_ptr: np.ndarray,
    route_st_ptr: np.ndarray,
    arr_s: np.ndarray,
    dep_s: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route_route: np.ndarray,
    stop_route_pos: np.ndarray,
    foot_ptr: np.ndarray,
    foot_to: np.ndarray,
    foot_time_s: np.ndarray,
    origin_sets: np.ndarray,
    departures: np.ndarray,
    n_rounds: int,
    out: np.ndarray,
) -> None:
    """rRAPTOR for each origin (row of ``origin_sets``, −1 padded): ``out[o, d, p]`` earliest arrival."""
    n = stop_route_ptr.shape[0] - 1
    n_routes = route_stops_ptr.shape[0] - 1
    labels = np.empty((n_rounds + 1, n), dtype=np.int32)
    best = np.empty(n, dtype=np.int32)
    board_trip = np.empty((n_rounds + 1, n), dtype=np.int32)
    board_pos = np.empty((n_rounds + 1, n), dtype=np.int32)
    alight_pos = np.empty((n_rounds + 1, n), dtype=np.int32)
    walk_from = np.empty((n_rounds + 1, n), dtype=np.int32)
    marked = np.zeros(n, dtype=np.bool_)
    marked_list = np.empty(n, dtype=np.int32)
    queue_pos = np.full(n_routes, -1, dtype=np.int32)
    queue = np.empty(max(n_routes, 1), dtype=np.int32)
    for o in range(origin_sets.shape[0]):
        labels[:] = 2147483647
        best[:] = 2147483647
        m = 0
        while m < origin_sets.shape[1] and origin_sets[o, m] >= 0:
            m += 1
        orig = origin_sets[o, :m].copy()
        times = np.empty(m, dtype=np.int32)
        for d in range(departures.shape[0] - 1, -1, -1):
            times[:] = departures[d]
            _run(
                route_stops_ptr, route_stops, route_trips_ptr, route_st_ptr, arr_s, dep_s,
                stop_route_ptr, stop_route_route, stop_route_pos, foot_ptr, foot_to, foot_time_s,
                orig, times, labels, best, board_trip, board_pos, alight_pos, walk_from,
                marked, marked_list, queue_pos, queue,
            )  # fmt: skip
            out[o, d, :] = best


_run: Callable[..., int] = njit(cache=True, nogil=True)(_run_impl)
_range_many: Callable[..., None] = njit(cache=True, nogil=True)(_range_many_impl)


class LegKind(StrEnum):
    """A leg of a journey."""

    TRIP = "trip"
    WALK = "walk"


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg: a trip from ``from_stop_id`` to ``to_stop_id``, or a walk between them [s after midnight]."""

    kind: LegKind
    from_stop_id: str
    to_stop_id: str
    departure_s: int
    arrival_s: int
    trip_id: str | None = None
    route_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "from_stop_id": self.from_stop_id,
            "to_stop_id": self.to_stop_id,
            "departure": format_gtfs_time(self.departure_s),
            "arrival": format_gtfs_time(self.arrival_s),
            "trip_id": self.trip_id,
            "route_id": self.route_id,
        }


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Earliest arrivals from one query: labels per round and the parents to rebuild journeys."""

    timetable: Timetable
    departure_s: int
    labels: np.ndarray  # int32[K + 2, n_stops]; use ``reached`` / ``arrival_s``
    board_trip: np.ndarray
    board_pos: np.ndarray
    alight_pos: np.ndarray
    walk_from: np.ndarray

    @property
    def reached(self) -> np.ndarray:
        """bool[n_stops]: reachable within the transfer limit."""
        return np.asarray(self.labels[-1] < _INF)

    @property
    def arrival_s(self) -> np.ndarray:
        """float64[n_stops]: earliest arrival [s after midnight of the service date], NaN if unreachable."""
        return np.where(self.reached, self.labels[-1].astype(np.float64), np.nan)

    @property
    def trips(self) -> np.ndarray:
        """int[n_stops]: fewest trips achieving the earliest arrival (0 = origin or walk), −1 if unreachable."""
        final = self.labels[-1]
        first = np.argmax(self.labels == final[None, :], axis=0)
        return np.where(self.reached, first, -1)

    @property
    def transfers(self) -> np.ndarray:
        """int[n_stops]: transfers of the fastest journey with fewest trips (trips − 1, at least 0); −1 if unreachable."""
        return np.where(self.reached, np.maximum(self.trips - 1, 0), -1)

    def to_frame(self) -> pd.DataFrame:
        """One row per reachable stop: ``stop_id``, ``arrival_s``, ``arrival`` (HH:MM:SS), ``trips``, ``transfers``."""
        m = self.reached
        arr = self.labels[-1][m].astype(np.int64)
        return pd.DataFrame(
            {
                "stop_id": self.timetable.stop_ids[m],
                "arrival_s": arr,
                "arrival": [format_gtfs_time(int(a)) for a in arr],
                "trips": self.trips[m],
                "transfers": self.transfers[m],
            }
        ).sort_values(["arrival_s", "stop_id"], kind="stable", ignore_index=True)

    def journey(self, to_stop_id: str) -> list[Leg]:
        """The legs of the earliest, then fewest-trip, journey to ``to_stop_id`` ([] if it is an origin)."""
        tt = self.timetable
        p = tt.stop_index(to_stop_id)
        if not self.reached[p]:
            raise InputError(
                "the stop is not reachable",
                expected="a stop reachable from the origin within the transfer limit",
                given=repr(to_stop_id),
                hint="allow more transfers (--max-transfers) or a later departure",
            )
        k = int(self.trips[p])
        legs: list[Leg] = []
        while True:
            while k > 0 and self.labels[k - 1, p] == self.labels[k, p]:
                k -= 1
            w = int(self.walk_from[k, p])
            if w >= 0:
                legs.append(
                    Leg(
                        LegKind.WALK,
                        str(tt.stop_ids[w]),
                        str(tt.stop_ids[p]),
                        int(self.labels[k, w]),
                        int(self.labels[k, p]),
                    )
                )
                p = w
            if k == 0:
                break
            trip = int(self.board_trip[k, p])
            r = tt.route_of_trip(trip)
            s0 = int(tt.route_stops_ptr[r])
            n_st = int(tt.route_stops_ptr[r + 1]) - s0
            base = int(tt.route_st_ptr[r]) + (trip - int(tt.route_trips_ptr[r])) * n_st
            bp, ap = int(self.board_pos[k, p]), int(self.alight_pos[k, p])
            b = int(tt.route_stops[s0 + bp])
            legs.append(
                Leg(
                    LegKind.TRIP,
                    str(tt.stop_ids[b]),
                    str(tt.stop_ids[p]),
                    int(tt.departure_s[base + bp]),
                    int(tt.arrival_s[base + ap]),
                    str(tt.trip_ids[trip]),
                    str(tt.trip_route_ids[trip]),
                )
            )
            p = b
            k -= 1
        return legs[::-1]


def _check_transfers(max_transfers: int) -> int:
    if max_transfers < 0:
        raise InputError("max_transfers must not be negative", expected="an integer >= 0", given=str(max_transfers))
    return max_transfers + 1


def earliest_arrival(
    tt: Timetable,
    origins: str | Iterable[str] | Mapping[str, int],
    departure_s: int,
    *,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
) -> Arrivals:
    """Earliest arrival at every stop leaving ``origins`` at ``departure_s`` [s after midnight].

    ``origins`` is a stop id, several stop ids, or stop id → access time [s] (reached at
    ``departure_s + access``). At most ``max_transfers`` transfers (``max_transfers + 1`` trips).
    """
    n_rounds = _check_transfers(max_transfers)
    idx, off = as_origins(tt, origins)
    n = tt.n_stops
    shape = (n_rounds + 1, n)
    labels = np.full(shape, _INF, dtype=np.int32)
    best = np.full(n, _INF, dtype=np.int32)
    board_trip = np.full(shape, -1, dtype=np.int32)
    board_pos = np.full(shape, -1, dtype=np.int32)
    alight_pos = np.full(shape, -1, dtype=np.int32)
    walk_from = np.full(shape, -1, dtype=np.int32)
    _run(
        *tt.kernel_arrays(),
        idx,
        (off + np.int32(departure_s)).astype(np.int32),
        labels,
        best,
        board_trip,
        board_pos,
        alight_pos,
        walk_from,
        np.zeros(n, dtype=np.bool_),
        np.empty(n, dtype=np.int32),
        np.full(tt.n_routes, -1, dtype=np.int32),
        np.empty(max(tt.n_routes, 1), dtype=np.int32),
    )
    # rounds after the last one used hold the final labels too
    np.minimum.accumulate(labels, axis=0, out=labels)
    return Arrivals(tt, int(departure_s), labels, board_trip, board_pos, alight_pos, walk_from)


@dataclass(frozen=True, eq=False)
class RangeArrivals:
    """Range-RAPTOR result: earliest arrival per departure and stop."""

    timetable: Timetable
    departures_s: np.ndarray  # int32[n_departures]
    arrivals: np.ndarray  # int32[n_departures, n_stops]; masked by ``reached``

    @property
    def reached(self) -> np.ndarray:
        return np.asarray(self.arrivals < _INF)

    @property
    def travel_time_s(self) -> np.ndarray:
        """float64[n_departures, n_stops]: arrival − departure [s], NaN where unreachable."""
        tt = self.arrivals.astype(np.float64) - self.departures_s[:, None]
        return np.where(self.reached, tt, np.nan)


def departure_grid(start_s: int, end_s: int, step_s: int) -> np.ndarray:
    """Departures ``start_s, start_s + step_s, …`` up to and including ``end_s`` [s]."""
    if step_s <= 0 or end_s < start_s:
        raise InputError(
            "bad departure window",
            expected="start <= end and a positive step",
            given=f"start {start_s} s, end {end_s} s, step {step_s} s",
        )
    return np.arange(start_s, end_s + 1, step_s, dtype=np.int32)


def origin_departures(tt: Timetable, origins: np.ndarray, start_s: int, end_s: int) -> np.ndarray:
    """Every distinct trip departure from the ``origins`` stops within [start_s, end_s] [s]."""
    out: list[np.ndarray] = []
    for p in origins:
        for j in range(tt.stop_route_ptr[p], tt.stop_route_ptr[p + 1]):
            r, pos = tt.stop_route_route[j], tt.stop_route_pos[j]
            s0 = tt.route_stops_ptr[r]
            n_st = tt.route_stops_ptr[r + 1] - s0
            n_tr = tt.route_trips_ptr[r + 1] - tt.route_trips_ptr[r]
            base = tt.route_st_ptr[r]
            out.append(tt.departure_s[base + pos + np.arange(n_tr) * n_st])
    deps = np.unique(np.concatenate(out)) if out else np.zeros(0, dtype=np.int32)
    return deps[(deps >= start_s) & (deps <= end_s)].astype(np.int32)


def range_query(
    tt: Timetable,
    origins: str | Iterable[str],
    start_s: int,
    end_s: int,
    *,
    step_s: int | None = None,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
) -> RangeArrivals:
    """Range-RAPTOR: the earliest arrival at every stop for every departure in ``[start_s, end_s]`` [s].

    Departures are every ``step_s`` seconds, or (``step_s=None``) every trip departure at the origins.
    """
    n_rounds = _check_transfers(max_transfers)
    idx, _ = as_origins(tt, origins)
    deps = departure_grid(start_s, end_s, step_s) if step_s else origin_departures(tt, idx, start_s, end_s)
    out = np.empty((1, len(deps), tt.n_stops), dtype=np.int32)
    _range_many(*tt.kernel_arrays(), idx[None, :], deps, n_rounds, out)
    return RangeArrivals(tt, deps, out[0])


def range_many(
    tt: Timetable, origin_indexes: np.ndarray, departures_s: np.ndarray, *, max_transfers: int
) -> np.ndarray:
    """int32[n_origins, n_departures, n_stops] earliest arrivals, one origin stop index per row (raw kernel;
    unreachable is ``np.iinfo(np.int32).max``)."""
    n_rounds = _check_transfers(max_transfers)
    sets = np.asarray(origin_indexes, dtype=np.int32).reshape(-1, 1)
    out = np.empty((len(sets), len(departures_s), tt.n_stops), dtype=np.int32)
    _range_many(*tt.kernel_arrays(), sets, np.asarray(departures_s, dtype=np.int32), n_rounds, out)
    return out


UNREACHED = int(_INF)


def warm_up() -> None:
    """Compile the Numba kernels now (a few seconds the first time on a machine; then from the on-disk
    cache) on a two-stop toy timetable, so the first real query does not pay for it. Servers call this
    in a background thread at start."""
    tt = TimetableBuilder().trip("A 08:00", "B 08:30").build()
    earliest_arrival(tt, "A", 8 * 3600)
    range_query(tt, ["A"], 0, 86_400)


__all__ = [
    "DEFAULT_MAX_TRANSFERS",
    "UNREACHED",
    "Arrivals",
    "Leg",
    "LegKind",
    "RangeArrivals",
    "departure_grid",
    "earliest_arrival",
    "origin_departures",
    "range_many",
    "range_query",
    "warm_up",
]
