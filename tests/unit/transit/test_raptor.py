"""RAPTOR on readable toy timetables: transfers, footpaths, K limits, journeys, range queries, overtaking."""

from __future__ import annotations

import numpy as np
import pytest

from xietong.transit.gtfs import UnknownStopError
from xietong.transit.raptor import LegKind, earliest_arrival, range_query
from xietong.transit.timetable import TimetableBuilder, footpaths_from_groups, parse_clock


def at(text: str) -> int:
    return parse_clock(text)


def arrival(result, stop: str) -> float:  # type: ignore[no-untyped-def]
    return float(result.arrival_s[result.timetable.stop_index(stop)])


@pytest.fixture
def network() -> TimetableBuilder:
    return (
        TimetableBuilder()
        .trip("A 08:00", "B 08:30", "C 09:00", route="slow")
        .trip("B 08:35", "D 09:00", route="feeder")
        .trip("A 08:10", "D 09:30", route="direct")
        .footpath("C", "E", 300)
    )


def test_transfer_beats_direct_and_k_limits_it(network: TimetableBuilder) -> None:
    tt = network.build()
    res = earliest_arrival(tt, "A", at("07:55"))
    assert arrival(res, "D") == at("09:00")
    assert res.transfers[tt.stop_index("D")] == 1
    direct = earliest_arrival(tt, "A", at("07:55"), max_transfers=0)
    assert arrival(direct, "D") == at("09:30")
    assert arrival(res, "E") == at("09:05")  # walk after the trip, no transfer counted
    assert res.transfers[tt.stop_index("E")] == 0


def test_journey_legs(network: TimetableBuilder) -> None:
    res = earliest_arrival(network.build(), "A", at("07:55"))
    legs = res.journey("D")
    assert [(leg.kind, leg.from_stop_id, leg.to_stop_id, leg.route_id) for leg in legs] == [
        (LegKind.TRIP, "A", "B", "slow"),
        (LegKind.TRIP, "B", "D", "feeder"),
    ]
    assert legs[0].departure_s == at("08:00") and legs[1].arrival_s == at("09:00")
    walk = res.journey("E")
    assert walk[-1].kind is LegKind.WALK and walk[-1].arrival_s == at("09:05")


def test_missed_connection_and_unknown_stop(network: TimetableBuilder) -> None:
    tt = network.build()
    late = earliest_arrival(tt, "A", at("08:05"))
    assert arrival(late, "D") == at("09:30")
    assert np.isnan(arrival(late, "C"))
    with pytest.raises(UnknownStopError, match="'Z'"):
        earliest_arrival(tt, "Z", at("08:00"))


def test_times_past_midnight() -> None:
    tt = TimetableBuilder().trip("A 23:50", "B 24:20", "C 25:05").build()
    res = earliest_arrival(tt, "A", at("23:00"))
    assert res.to_frame().set_index("stop_id").loc["C", "arrival"] == "25:05:00"


def test_overtaking_trips_are_split_into_fifo_routes() -> None:
    # the express leaves later and arrives earlier on the same stop pattern
    tt = TimetableBuilder().trip("A 08:00", "B 09:00").trip("A 08:10", "B 08:30").build()
    assert tt.n_routes == 2
    assert arrival(earliest_arrival(tt, "A", at("08:05")), "B") == at("08:30")


def test_range_query_gives_the_distribution() -> None:
    b = TimetableBuilder()
    for h in (8, 9, 10):
        b.trip(f"A {h:02d}:00", f"B {h:02d}:40")
    res = range_query(b.build(), "A", at("07:30"), at("10:00"), step_s=1800)
    b_idx = res.timetable.stop_index("B")
    assert res.departures_s.tolist() == [at(t) for t in ("07:30", "08:00", "08:30", "09:00", "09:30", "10:00")]
    assert (res.travel_time_s[:, b_idx] / 60).tolist() == [70, 40, 70, 40, 70, 40]
    every = range_query(b.build(), "A", at("07:30"), at("10:00"))
    assert every.departures_s.tolist() == [at("08:00"), at("09:00"), at("10:00")]


def test_several_origins_with_access_times_and_group_footpaths() -> None:
    b = TimetableBuilder().trip("A 08:00", "C 08:30").trip("B 08:05", "C 08:20")
    tt = b.build()
    res = earliest_arrival(tt, {"A": 0, "B": 600}, at("07:58"))
    assert arrival(res, "C") == at("08:30")  # B reached at 08:08 misses the 08:05
    feed = b.feed()
    stops = feed.stops.assign(city=feed.stops["stop_id"].map({"A": "x", "B": "y", "C": "x"}))
    fp = footpaths_from_groups(stops, "city", 120)
    assert set(zip(fp["from_stop_id"], fp["to_stop_id"], strict=True)) == {("A", "C"), ("C", "A")}
