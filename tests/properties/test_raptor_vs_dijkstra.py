"""RAPTOR against a brute-force time-dependent Dijkstra: random toy timetables and real feeds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from tests.transit_reference import as_array, dijkstra_earliest
from xietong.transit.gtfs import merge_feeds, read_feed, trips_on
from xietong.transit.raptor import earliest_arrival, range_query
from xietong.transit.timetable import TimetableBuilder, compile_timetable

STOPS = "ABCDEF"


@st.composite
def toy_networks(draw: st.DrawFn) -> tuple[TimetableBuilder, str, int]:
    n_stops = draw(st.integers(2, len(STOPS)))
    stops = list(STOPS[:n_stops])
    b = TimetableBuilder().stop(*stops)
    for _ in range(draw(st.integers(1, 8))):
        path = draw(st.lists(st.sampled_from(stops), min_size=2, max_size=min(5, n_stops), unique=True))
        t = draw(st.integers(0, 120)) * 60
        times = []
        for k, s in enumerate(path):
            if k:
                t += draw(st.integers(0, 30)) * 60
            dwell = draw(st.integers(0, 3)) * 60
            times.append(
                f"{s} {t // 3600:02d}:{t % 3600 // 60:02d}/{(t + dwell) // 3600:02d}:{(t + dwell) % 3600 // 60:02d}"
            )
            t += dwell
        b.trip(*times)
    for _ in range(draw(st.integers(0, 3))):
        a, c = draw(st.lists(st.sampled_from(stops), min_size=2, max_size=2, unique=True))
        b.footpath(a, c, draw(st.integers(0, 20)) * 60, both_ways=draw(st.booleans()))
    return b, draw(st.sampled_from(stops)), draw(st.integers(0, 150)) * 60


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_networks())
def test_random_toy_timetables_match_dijkstra(case: tuple[TimetableBuilder, str, int]) -> None:
    builder, origin, t0 = case
    feed = builder.feed()
    tt = builder.build()
    unlimited = earliest_arrival(tt, origin, t0, max_transfers=len(feed.trips) + 1)
    expected = as_array(dijkstra_earliest(feed, origin, t0), tt.stop_ids)
    got = np.where(unlimited.reached, unlimited.labels[-1], np.inf)
    np.testing.assert_array_equal(got, expected)
    # labels per round never get worse with more trips, and a K-limited query is never better
    assert (np.diff(unlimited.labels.astype(np.int64), axis=0) <= 0).all()
    for k in range(3):
        limited = earliest_arrival(tt, origin, t0, max_transfers=k)
        np.testing.assert_array_equal(limited.labels[-1], unlimited.labels[k + 1])
    # range-RAPTOR (labels reused from later departures) equals one query per departure
    window = range_query(tt, origin, t0, t0 + 3600, step_s=600, max_transfers=2)
    for d, dep in enumerate(window.departures_s):
        single = earliest_arrival(tt, origin, int(dep), max_transfers=2)
        np.testing.assert_array_equal(window.arrivals[d], single.labels[-1])
    # every reachable stop has a journey that ends at its label
    for stop in tt.stop_ids[unlimited.reached]:
        legs = unlimited.journey(str(stop))
        if legs:
            assert legs[-1].arrival_s == unlimited.labels[-1][tt.stop_index(str(stop))]
            assert legs[0].departure_s >= t0


REAL = [
    pytest.param(("poa_trensurb.zip", "poa_eptc_subset.zip"), date(2019, 5, 6), id="porto-alegre"),
    pytest.param(("cairns_subset.zip",), date(2014, 6, 2), id="cairns"),
    # the Cairns subset with a transfers.txt written for the tests, 30 of its 34 rows dangling (dropped)
    pytest.param(("cairns_subset_with_test_transfers.zip",), date(2014, 6, 2), id="cairns-dangling-transfers"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("files", "day"), REAL)
def test_real_feeds_match_dijkstra(files: tuple[str, ...], day: date) -> None:
    feed = merge_feeds(*(read_feed(DATA / "transit" / f) for f in files))
    tt = compile_timetable(feed, day, include_previous_day=False)
    today = trips_on(feed, day)
    rng = np.random.default_rng(20190506)
    served = np.flatnonzero(np.diff(tt.stop_route_ptr) > 0)
    for _ in range(150):
        origin = str(tt.stop_ids[rng.choice(served)])
        t0 = int(rng.integers(5 * 3600, 22 * 3600))
        got = earliest_arrival(tt, origin, t0, max_transfers=30)
        expected = as_array(dijkstra_earliest(today, origin, t0), tt.stop_ids)
        np.testing.assert_array_equal(
            np.where(got.reached, got.labels[-1], np.inf), expected, err_msg=f"{origin} at {t0}"
        )
