"""RAPTOR benchmark on the full Porto Alegre rail + bus feeds (issue 6), with pyraptor in the same run.

Run: ``.venv/bin/python bench/bench_raptor.py`` (creates ``bench/.peer-venv`` with ``pip install pyraptor``
on first use). Reads ``../shared/data/transport/gtfs/``; prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from xietong.transit.gtfs import interpolate_stop_times, merge_feeds, read_feed, trips_on
from xietong.transit.matrix import travel_time_matrix
from xietong.transit.raptor import earliest_arrival, range_query
from xietong.transit.timetable import compile_timetable

ROOT = Path(__file__).resolve().parent
GTFS = ROOT.parent.parent / "shared" / "data" / "transport" / "gtfs"
PEER = ROOT / ".peer-venv"
WORK = ROOT / ".peer-work"
DAY = date(2019, 5, 6)
MAX_TRANSFERS = 4  # 5 rounds, for both routers
N_QUERIES = int(os.environ.get("BENCH_QUERIES", "20"))
#: pyraptor takes about 11 s per one-to-all query here, so it runs the first few queries only
N_PEER = int(os.environ.get("BENCH_PEER_QUERIES", "5"))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def peer_python() -> Path:
    py = PEER / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "pyraptor", "numpy<2", "attrs"], check=True
        )  # pandas 1.5 wheels need numpy 1; pyraptor imports attr without declaring it
    return py


def main() -> None:
    t = time.perf_counter()
    feed = merge_feeds(read_feed(GTFS / "poa_trensurb.zip"), read_feed(GTFS / "poa_eptc.zip"))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    tt = compile_timetable(feed, DAY, include_previous_day=False)
    compile_s = time.perf_counter() - t
    rng = np.random.default_rng(6)
    served = np.flatnonzero(np.diff(tt.stop_route_ptr) > 0)
    origins = [str(s) for s in tt.stop_ids[rng.choice(served, N_QUERIES, replace=False)]]
    dep_s = 8 * 3600
    earliest_arrival(tt, origins[0], dep_s)  # compile the kernels (cached on disk)
    range_query(tt, origins[0], dep_s, dep_s + 600)
    one, ours = [], {}
    for o in origins:
        t = time.perf_counter()
        res = earliest_arrival(tt, o, dep_s, max_transfers=MAX_TRANSFERS)
        one.append(time.perf_counter() - t)
        ours[o] = res
    rng_t, n_deps = [], []
    for o in origins:
        t = time.perf_counter()
        r = range_query(tt, o, 7 * 3600, 9 * 3600, step_s=60, max_transfers=MAX_TRANSFERS)
        rng_t.append(time.perf_counter() - t)
        n_deps.append(len(r.departures_s))
    log(f"one-to-all median {np.median(one) * 1000:.2f} ms, range median {np.median(rng_t) * 1000:.1f} ms")
    t = time.perf_counter()
    full = travel_time_matrix(tt, [dep_s], max_transfers=MAX_TRANSFERS)
    matrix_s = time.perf_counter() - t

    log(f"full matrix {matrix_s:.1f} s ({np.isfinite(full.p50_s).mean():.2f} of pairs reachable)")
    # Dask: 1 worker vs 2 workers (processes, one thread each) on every origin, for two departure grids:
    # every 10 min (13 departures) and every minute (121, R5's default), 07:00-09:00; in-process for reference
    sub = [str(s) for s in tt.stop_ids]
    dask_s: dict[tuple[int, int], float] = {}
    inproc_s: dict[int, float] = {}
    for step in (600, 60):
        deps = np.arange(7 * 3600, 9 * 3600 + 1, step)
        t = time.perf_counter()
        reference = travel_time_matrix(tt, deps, origins=sub)
        inproc_s[step] = time.perf_counter() - t
        log(f"in-process, {len(deps)} departures: {inproc_s[step]:.2f} s")
        for workers in (1, 2):
            with (
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as c,
                Client(c) as client,
            ):
                travel_time_matrix(tt, deps, origins=sub[:8], cluster=client, chunk_size=4)  # warm the workers
                t = time.perf_counter()
                got = travel_time_matrix(tt, deps, origins=sub, cluster=client)
                dask_s[step, workers] = time.perf_counter() - t
                assert np.array_equal(got.p50_s, reference.p50_s, equal_nan=True)
                log(f"dask {workers} worker(s), {len(deps)} departures: {dask_s[step, workers]:.2f} s")

    # pyraptor on the same queries (peer venv subprocess)
    WORK.mkdir(exist_ok=True)
    today = trips_on(feed, DAY)
    st = interpolate_stop_times(today)
    st[["trip_id", "stop_sequence", "stop_id", "arrival_time", "departure_time"]].to_csv(
        WORK / "stop_times.csv", index=False
    )
    trips = today.trips[["trip_id"]].assign(trip_short_name=range(len(today.trips)), trip_long_name="")
    trips.to_csv(WORK / "trips.csv", index=False)
    pd.DataFrame(
        {"stop_id": tt.stop_ids, "stop_name": tt.stop_ids, "parent_station": tt.stop_ids, "platform_code": "?"}
    ).to_csv(WORK / "stops.csv", index=False)
    pd.DataFrame({"origin": origins[:N_PEER], "departure_s": dep_s}).to_csv(WORK / "queries.csv", index=False)
    out = subprocess.run(
        [str(peer_python()), str(ROOT / "_pyraptor_peer.py"), str(WORK), str(MAX_TRANSFERS + 1)],
        check=True,
        capture_output=True,
        text=True,
    )
    log("pyraptor done")
    peer = json.loads(out.stdout.strip().splitlines()[-1])
    peer_arr = json.loads((WORK / "pyraptor_arrivals.json").read_text())
    agree = total = 0
    for o in origins[:N_PEER]:
        res = ours[o]
        mine = {str(s): int(a) for s, a, r in zip(tt.stop_ids, res.labels[-1], res.reached, strict=True) if r}
        total += len(set(mine) | set(peer_arr[o]))
        agree += sum(1 for s, a in peer_arr[o].items() if mine.get(s) == a)

    one_ms = 1000 * float(np.median(one))
    # the ratio on the same queries: the first N_PEER origins, each side warmed up by one unrecorded query
    same_ms = 1000 * float(np.median(one[:N_PEER]))
    peer_ms = 1000 * float(np.median(peer["query_s"]))
    lines = [
        "## Transit RAPTOR (issue 6)\n",
        f"Command: `.venv/bin/python bench/bench_raptor.py`, {date.today().isoformat()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Full Porto Alegre feeds (TRENSURB rail + EPTC bus), "
        f"service date {DAY}: {tt.n_stops} stops, {tt.n_routes} routes (FIFO patterns), {tt.n_trips} trips; "
        f"read {read_s:.2f} s, compile {compile_s:.2f} s. Max {MAX_TRANSFERS} transfers (5 rounds) for both routers; "
        f"{N_QUERIES} random served origins (pyraptor: the first {N_PEER}), departure 08:00.\n",
        "| measure | Xietong | pyraptor 1.3.10 | ratio |",
        "|---|---|---|---|",
        f"| one-to-all query, median of the same {N_PEER} origins (one warm-up query each side) | {same_ms:.2f} ms "
        f"| {peer_ms:.0f} ms | {peer_ms / same_ms:.0f}x |",
        f"| one-to-all query, median of all {N_QUERIES} origins | {one_ms:.2f} ms | – | |",
        f"| 2-hour range query 07:00–09:00, every minute ({n_deps[0]} departures), median | {1000 * float(np.median(rng_t)):.1f} ms | – | |",
        f"| full stop×stop matrix, one departure, one core ({tt.n_stops}×{tt.n_stops}) | {matrix_s:.1f} s | – | |",
        *[
            f"| all {tt.n_stops} origins × {n} departures 07:00–09:00: in-process / Dask 1 worker / 2 workers | "
            f"{inproc_s[step]:.2f} s / {dask_s[step, 1]:.2f} s / {dask_s[step, 2]:.2f} s | | "
            f"2 workers at {dask_s[step, 2] / (dask_s[step, 1] / 2):.2f}x of ideal |"
            for step, n in ((600, 13), (60, 121))
        ],
        "",
        f"Same earliest arrival as pyraptor at {agree} of {total} (origin, reached stop) pairs; pyraptor build of its "
        f"timetable {peer['build_s']:.1f} s.\n",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
