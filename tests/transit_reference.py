"""A brute-force time-dependent Dijkstra on a Feed: the reference the RAPTOR tests compare with.

Independent of the Timetable compiler (no route grouping, no FIFO split, no footpath closure): stops are
nodes, a trip can be boarded at any stop where it departs at or after the stop's label and ridden to every
later stop; footpaths from ``transfers.txt`` are walked as given (chains allowed). Unlimited transfers.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

import numpy as np

from xietong.transit.feed import Feed
from xietong.transit.gtfs import interpolate_stop_times


def dijkstra_earliest(feed: Feed, origin: str, departure_s: int) -> dict[str, float]:
    st = interpolate_stop_times(feed)
    trips: dict[str, tuple[list[str], list[int], list[int]]] = {}
    for tid, g in st.groupby("trip_id", sort=False):
        trips[str(tid)] = (
            list(g["stop_id"]),
            [int(x) for x in g["arrival_time"]],
            [int(x) for x in g["departure_time"]],
        )
    at_stop: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for tid, (stops, _, _) in trips.items():
        for i, s in enumerate(stops):
            at_stop[s].append((tid, i))
    walks: dict[str, list[tuple[str, int]]] = defaultdict(list)
    tr = feed.transfers
    for a, b, typ, d in zip(
        tr["from_stop_id"], tr["to_stop_id"], tr["transfer_type"], tr["min_transfer_time"], strict=True
    ):
        if a != b and (typ is None or typ != 3):
            walks[a].append((b, 0 if d is None or d != d else int(d)))
    best: dict[str, float] = defaultdict(lambda: math.inf)
    best[origin] = departure_s
    heap = [(departure_s, origin)]
    boarded: dict[str, int] = {}  # trip → earliest position it was boarded at
    while heap:
        t, p = heapq.heappop(heap)
        if t > best[p]:
            continue
        for tid, i in at_stop[p]:
            stops, arr, dep = trips[tid]
            stop_at = boarded.get(tid, len(stops))
            if i >= stop_at or dep[i] < t:
                continue
            # the stops from an earlier boarding position on were relaxed already, with the same times
            boarded[tid] = i
            for j in range(i + 1, stop_at):
                if arr[j] < best[stops[j]]:
                    best[stops[j]] = arr[j]
                    heapq.heappush(heap, (arr[j], stops[j]))
        for q, d in walks[p]:
            if t + d < best[q]:
                best[q] = t + d
                heapq.heappush(heap, (t + d, q))
    return dict(best)


def as_array(best: dict[str, float], stop_ids: np.ndarray) -> np.ndarray:
    return np.array([best.get(str(s), math.inf) for s in stop_ids], dtype=float)
