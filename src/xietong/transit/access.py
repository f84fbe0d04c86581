"""Door-to-door journeys: street access and egress legs around the RAPTOR router.

A traveller leaves a point (an address, a city centre), walks (or drives) on the street network to the
stops within reach, rides, and walks from a stop to the destination point. :func:`access_times` gives the
street legs (from :class:`~xietong.transit.streets.StreetNetwork`), :func:`door_to_door` runs RAPTOR from
every reachable stop at once with its access time as the offset and adds the egress time at the other end;
a direct walk wins when it is faster.

Snapping: a point or stop reaches the network at its nearest node; the straight-line distance to that
node is walked at :data:`~xietong.transit.streets.WALK_SPEED_KMH`, and a stop farther than
``max_snap_m`` from the network (outside the extract) is left out rather than given a made-up time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xietong.errors import InputError
from xietong.transit.raptor import DEFAULT_MAX_TRANSFERS, Leg, earliest_arrival
from xietong.transit.streets import WALK_SPEED_KMH, StreetNetwork
from xietong.transit.timetable import Timetable

#: Default farthest a stop may lie from the street network and still be reached through it [m].
DEFAULT_MAX_SNAP_M = 300.0
_WALK_M_S = WALK_SPEED_KMH / 3.6


def _stops_in(tt: Timetable, stops: pd.DataFrame) -> pd.DataFrame:
    located = stops.dropna(subset=["stop_lat", "stop_lon"]).drop_duplicates("stop_id")
    return located[located["stop_id"].isin(set(map(str, tt.stop_ids)))].reset_index(drop=True)


def street_times_s(
    network: StreetNetwork,
    point: tuple[float, float],
    stops: pd.DataFrame,
    *,
    to_point: bool = False,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.Series:
    """Street travel time [s] between ``point`` (lon, lat) and each stop (``stop_id``, ``stop_lat``,
    ``stop_lon``): from the point to the stops, or from the stops to the point when ``to_point``.

    Includes the walks between each end and its snapped node. NaN for stops farther than ``max_snap_m``
    from the network or not connected to the point.
    """
    p_node, p_snap_m = network.snap([point])
    if p_snap_m[0] > max_snap_m:
        raise InputError(
            "the point is off the street network",
            expected=f"a point within {max_snap_m:g} m of a street of the extract",
            given=f"{point[0]:.5f},{point[1]:.5f} ({p_snap_m[0]:.0f} m from the nearest node)",
            hint="check lon,lat order and that the extract covers the point",
        )
    s_nodes, s_snap_m = network.snap(stops[["stop_lon", "stop_lat"]].to_numpy(dtype=float))
    if to_point:
        net_s = network.node_travel_time_s(s_nodes, p_node)[:, 0]
    else:
        net_s = network.node_travel_time_s(p_node, s_nodes)[0]
    total = net_s + (p_snap_m[0] + s_snap_m) / _WALK_M_S
    total[s_snap_m > max_snap_m] = np.nan
    return pd.Series(total, index=stops["stop_id"].astype(str).to_numpy(), name="street_time_s")


@dataclass(frozen=True, slots=True)
class DoorToDoor:
    """The fastest door-to-door journey [s after midnight]; ``legs`` is empty for a direct street trip."""

    departure_s: int
    arrival_s: float
    access_stop: str | None
    access_s: float
    egress_stop: str | None
    egress_s: float
    direct_s: float
    legs: tuple[Leg, ...]

    @property
    def travel_time_s(self) -> float:
        return self.arrival_s - self.departure_s


def door_to_door(
    tt: Timetable,
    stops: pd.DataFrame,
    network: StreetNetwork,
    origin: tuple[float, float],
    destination: tuple[float, float],
    departure_s: int,
    *,
    max_access_s: float = 15 * 60,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> DoorToDoor:
    """Fastest journey from ``origin`` to ``destination`` (lon, lat) leaving at ``departure_s``.

    Every stop within ``max_access_s`` of the origin on the street network is an origin of one RAPTOR
    query (offset by its access time); the arrival at the destination is the minimum over stops within
    ``max_access_s`` of it of arrival + egress time, compared with going the whole way on the street.
    """
    located = _stops_in(tt, stops)
    access = street_times_s(network, origin, located, max_snap_m=max_snap_m)
    egress = street_times_s(network, destination, located, to_point=True, max_snap_m=max_snap_m)
    direct = street_times_s(
        network, origin, pd.DataFrame({"stop_id": ["·"], "stop_lon": [destination[0]], "stop_lat": [destination[1]]}),
        max_snap_m=max_snap_m,
    ).iloc[0]  # fmt: skip
    access = access[access <= max_access_s]
    egress = egress[egress <= max_access_s]
    best = DoorToDoor(departure_s, departure_s + direct, None, math.nan, None, math.nan, direct, ())
    if access.empty or egress.empty:
        return best
    offsets = {str(s): math.ceil(t) for s, t in access.items()}
    result = earliest_arrival(tt, offsets, departure_s, max_transfers=max_transfers)
    arr = pd.Series(result.arrival_s, index=list(map(str, tt.stop_ids)))[egress.index]
    total = arr + egress
    if total.notna().any() and not total.min() >= best.arrival_s:
        stop = str(total.idxmin())
        legs = tuple(result.journey(stop))
        first = legs[0].from_stop_id if legs else stop
        return DoorToDoor(
            departure_s, float(total.min()), first, float(access[first]), stop, float(egress[stop]), direct, legs
        )
    return best


def journey_table(d2d: DoorToDoor, names: dict[str, str] | None = None) -> Sequence[dict[str, object]]:
    """The legs for people: access walk, rides and changes, egress walk, with clock times [HH:MM:SS]."""
    from xietong.transit.feed import format_gtfs_time  # noqa: PLC0415 - keep the import graph flat

    def n(stop: str | None) -> str:
        return "" if stop is None else (names or {}).get(stop, stop)

    if not d2d.legs:
        return [{"leg": "street", "from": "origin", "to": "destination", "depart": format_gtfs_time(d2d.departure_s),
                 "arrive": format_gtfs_time(round(d2d.arrival_s)), "trip": ""}]  # fmt: skip
    rows: list[dict[str, object]] = [
        {
            "leg": "access",
            "from": "origin",
            "to": n(d2d.access_stop),
            "depart": format_gtfs_time(d2d.departure_s),
            "arrive": format_gtfs_time(round(d2d.departure_s + d2d.access_s)),
            "trip": "",
        }
    ]
    for leg in d2d.legs:
        rows.append(
            {
                "leg": str(leg.kind),
                "from": n(leg.from_stop_id),
                "to": n(leg.to_stop_id),
                "depart": format_gtfs_time(leg.departure_s),
                "arrive": format_gtfs_time(leg.arrival_s),
                "trip": leg.trip_id or "",
            }
        )
    last = d2d.legs[-1].arrival_s
    rows.append(
        {
            "leg": "egress",
            "from": n(d2d.egress_stop),
            "to": "destination",
            "depart": format_gtfs_time(last),
            "arrive": format_gtfs_time(round(d2d.arrival_s)),
            "trip": "",
        }
    )
    return rows


__all__ = ["DEFAULT_MAX_SNAP_M", "DoorToDoor", "door_to_door", "journey_table", "street_times_s"]
