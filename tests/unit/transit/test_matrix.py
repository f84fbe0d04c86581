"""Travel-time matrices: statistics, stop → group aggregation, Dask LocalCluster equals in-process."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.conftest import DATA
from xietong.transit.gtfs import read_feed
from xietong.transit.matrix import (
    PERCENTILES,
    _chunk_stats,
    _chunk_stats_packed,
    _unpack,
    group_matrix,
    rank_indexes,
    travel_time_matrix,
)
from xietong.transit.raptor import departure_grid
from xietong.transit.timetable import TimetableBuilder, parse_clock


def test_percentiles_and_share_within() -> None:
    b = TimetableBuilder()
    for h in (8, 9, 10):
        b.trip(f"A {h:02d}:00", f"B {h:02d}:40")
    tt = b.build()
    m = travel_time_matrix(tt, departure_grid(parse_clock("07:30"), parse_clock("10:00"), 1800), threshold_s=3600)
    a, bb = tt.stop_index("A"), tt.stop_index("B")
    # travel times 70, 40, 70, 40, 70, 40 min
    assert (m.p10_s[a, bb], m.p50_s[a, bb], m.p90_s[a, bb]) == (2400, 2400, 4200)
    assert m.share_within[a, bb] == pytest.approx(0.5)
    assert np.isnan(m.p50_s[bb, a])  # no trip back
    frame = m.to_frame()
    assert set(zip(frame["from_stop_id"], frame["to_stop_id"], strict=True)) == {("A", "A"), ("A", "B"), ("B", "B")}
    cities = group_matrix(frame, {"A": "x", "B": "y"})
    assert cities.loc["x", "y"] == 40 and np.isnan(cities.loc["y", "x"])


@pytest.mark.slow
def test_dask_local_cluster_equals_in_process() -> None:
    from distributed import Client, LocalCluster

    feed = read_feed(DATA / "transit" / "poa_trensurb.zip")
    from xietong.transit.timetable import compile_timetable

    tt = compile_timetable(feed, date(2019, 5, 6))
    deps = departure_grid(parse_clock("07:00"), parse_clock("08:00"), 600)
    local = travel_time_matrix(tt, deps, chunk_size=5)
    seen: list[int] = []
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        travel_time_matrix(tt, deps, origins=["MR"], cluster=client)  # a finished call must not disturb the next
        remote = travel_time_matrix(tt, deps, chunk_size=5, cluster=client, progress=lambda d, _t: seen.append(d))
    assert seen[-1] == tt.n_stops
    for name in ("p10_s", "p50_s", "p90_s", "share_within"):
        np.testing.assert_array_equal(getattr(local, name), getattr(remote, name))
    assert np.isfinite(local.p50_s).sum() > 200


@pytest.mark.parametrize("n_departures", [1, 2, 3, 9, 10, 11, 13, 20, 121])
def test_rank_indexes_are_numpys_inverted_cdf_percentiles(n_departures: int) -> None:
    """The matrix picks order statistics instead of calling np.percentile (3× faster on the chunk); they are
    the same numbers, unreachable (inf) departures included."""
    rng = np.random.default_rng(n_departures)
    x = rng.integers(0, 5_000, size=(n_departures, 50)).astype(float)
    x[rng.random(x.shape) < 0.3] = np.inf
    expected = np.percentile(x, PERCENTILES, axis=0, method="inverted_cdf")
    assert np.array_equal(np.sort(x, axis=0)[rank_indexes(n_departures)], expected)


def test_the_packed_form_sent_back_by_dask_workers_restores_identical_values() -> None:
    """Workers send uint16 seconds and departure counts; a travel time past 65,535 s (18.2 h) keeps float32."""
    short = TimetableBuilder().trip("A 08:00", "B 08:30").trip("A 08:20", "B 09:10").build()
    long = TimetableBuilder().trip("A 08:00", "B 28:30").build()  # 20.5 h
    for tt, dtype in ((short, np.uint16), (long, np.float32)):
        deps = departure_grid(parse_clock("07:50"), parse_clock("08:30"), 600)
        idx = np.array([tt.stop_index("A"), tt.stop_index("B")], dtype=np.int32)
        packed = _chunk_stats_packed(tt, idx, deps, 2, 3600)
        assert packed[0].dtype == dtype and packed[1].dtype == np.uint8
        q, share = _chunk_stats(tt, idx, deps, 2, 3600)
        q2, share2 = _unpack(*packed, n_departures=len(deps))
        assert np.array_equal(q, q2, equal_nan=True) and np.array_equal(share, share2)
