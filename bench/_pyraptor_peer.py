"""Runs inside bench/.peer-venv (pyraptor pins pandas<2): times pyraptor one-to-all queries.

argv: work dir with trips.csv, stop_times.csv, stops.csv, queries.csv; rounds. Prints one JSON line.
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd
from loguru import logger
from pyraptor.gtfs.timetable import GtfsTimetable, gtfs_to_pyraptor_timetable
from pyraptor.model.raptor import RaptorAlgorithm

logger.remove()
work, rounds = Path(sys.argv[1]), int(sys.argv[2])
g = GtfsTimetable()
g.trips = pd.read_csv(work / "trips.csv", dtype={"trip_id": str})
g.stop_times = pd.read_csv(work / "stop_times.csv", dtype={"trip_id": str, "stop_id": str})
g.stops = pd.read_csv(work / "stops.csv", dtype={"stop_id": str, "stop_name": str})
t = time.perf_counter()
tt = gtfs_to_pyraptor_timetable(g)
build_s = time.perf_counter() - t
queries = pd.read_csv(work / "queries.csv", dtype={"origin": str})
# one unrecorded warm-up query, as the Xietong side gets one (bench_raptor.py)
RaptorAlgorithm(tt).run(tt.stations.get(queries["origin"].iloc[0]).stops, int(queries["departure_s"].iloc[0]), rounds)
times, reached, arrivals = [], [], {}
for origin, dep in zip(queries["origin"], queries["departure_s"], strict=True):
    from_stops = tt.stations.get(origin).stops
    t = time.perf_counter()
    bag = RaptorAlgorithm(tt).run(from_stops, int(dep), rounds)
    times.append(time.perf_counter() - t)
    labels = bag[rounds]
    arr = {s.id: lab.earliest_arrival_time for s, lab in labels.items() if lab.earliest_arrival_time < 10**9}
    reached.append(len(arr))
    arrivals[origin] = arr
(work / "pyraptor_arrivals.json").write_text(json.dumps(arrivals))
print(json.dumps({"build_s": build_s, "query_s": times, "reached": reached}))
