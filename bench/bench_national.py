"""National scale (issue 17): a day of national hourly files through the exchange, a year of the network
through the AQI engine.

Run from the repository root (reads ``../shared/data``, as bench scripts may)::

    NUMBA_NUM_THREADS=1 .venv/bin/python -m bench.bench_national [--engines sqlite postgresql] [--year-days 365]

Data. The only real national file is one hour (2026-03-10 09:00, 1,601 stations). **The other 23 hours of
the day and every hour of the year are synthesised** by resampling whole real rows of that hour (the six
concentrations of a randomly drawn station row, so the pollutants keep their joint distribution and the
missing/``/`` pattern of real rows) under each station's own code, name, city and coordinates, as
``bench/bench_aqi.py`` resamples the UCI rows. Nothing here is presented as a real observation.

1. **Day**: 24 CNEMC hourly files written to a temporary folder; into a fresh store (SQLite file, and a
   throwaway PostgreSQL server with fsync on, partitioned by month) the first hour is ingested with
   ``--unknown-stations register`` (1,513 stations registered besides the 136 seeded), then the other 23, one
   batch per file, as ``xietong air ingest`` does; then ``reports.aqi_table`` computes the day's hourly AQI of
   every station from the store (``--missing-rule cnemc``), and a re-ingest of one hour writes nothing.
   Targets: an hour file in < 1 s, the day in < 15 s.
2. **Year**: ``1,601 × 24 × --year-days`` station-hours (14.0 M for 365 days) as arrays, single thread:
   the real-time AQI core (``aqi_arrays``, HJ 633-2026, primary pollutant, level), the labelled frame
   (``hourly_aqi``) for one month, daily values (GB 3095 validity, MDA8) and the daily AQI of the year.
   Target: the year's hourly AQI in < 5 s on one core.
3. **Query plans** (PostgreSQL): ``EXPLAIN`` of the main read (one day of every station) after the day's
   ingest, to show partition pruning.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "air" / "cnemc_hourly_2026-03-10T09_national.csv"
VALUE_COLUMNS = ["pm10", "pm2_5", "o3", "no2", "so2", "co"]
STATION_COLUMNS = ["stationcode", "longitude", "latitude", "area", "positionname"]


def read_hour() -> pd.DataFrame:
    if not NATIONAL.is_file():
        sys.exit(f"national hour not found: {NATIONAL}")
    return pd.read_csv(NATIONAL, dtype=str, keep_default_na=False)


def synthetic_hour(real: pd.DataFrame, hour: int, rng: np.random.Generator) -> pd.DataFrame:
    """Hour ``hour`` of 2026-03-10: the real file at 09, otherwise each station gets a resampled real row."""
    if hour == 9:
        return real
    out = real.copy()
    pick = rng.integers(0, len(real), len(real))
    value_cols = [c for c in real.columns if c not in {"timepoint", *STATION_COLUMNS}]
    out[value_cols] = real[value_cols].to_numpy()[pick]  # published AQI etc. travel with their row
    out["timepoint"] = f"2026-03-{10 + hour // 24:02d}T{hour % 24:02d}00"
    return out


def write_day(folder: Path, seed: int = 17) -> list[Path]:
    real = read_hour()
    rng = np.random.default_rng(seed)
    paths = []
    for hour in range(1, 25):  # hour labels 01:00 … 24:00 (= 03-11 00:00) make one CST day
        path = folder / f"cnemc_hourly_2026-03-10_h{hour:02d}_{'real' if hour == 9 else 'resampled'}.csv"
        synthetic_hour(real, hour, rng).to_csv(path, index=False)
        paths.append(path)
    # the real hour first, so registration happens on real station rows
    return sorted(paths, key=lambda p: "real" not in p.name)


CHILD = r"""
import json, resource, sys, tempfile, time
from datetime import date
from pathlib import Path
from xietong.air import reports, service
from xietong.air.formats import AirFormat
from xietong.air.reports import AqiRequest, Level, MissingDataRule, ReportKind
from xietong.air.aqi import AqiEdition
from xietong.air.service import UnknownStations
from xietong.config import Settings
from xietong.exchange.bootstrap import initialise, operator
from xietong.store.session import Store

url, files = sys.argv[1] or None, [Path(p) for p in sys.argv[2].split(",")]
store = Store(Settings.from_env(data_dir=tempfile.mkdtemp(prefix="xt-national-"), database_url=url))
initialise(store)
op = operator(store)
hours = []
for path in files:
    t = time.perf_counter()
    s = service.ingest_files(store, op, [path], fmt=AirFormat.CNEMC_HOURLY,
                             unknown_stations=UnknownStations.REGISTER).as_dict()
    hours.append({"file": path.name, "seconds": time.perf_counter() - t, "values": s["read"],
                  "written": s["written"], "published": s["published"]["written"],
                  "stations": s["stations"]["written"]})
t = time.perf_counter()
again = service.ingest_files(store, op, [files[1]], fmt=AirFormat.CNEMC_HOURLY,
                             unknown_stations=UnknownStations.REGISTER).as_dict()
reingest = {"seconds": time.perf_counter() - t, "written": again["written"]}
day = date(2026, 3, 10)
t = time.perf_counter()
table = reports.aqi_table(store, op, AqiRequest(Level.STATION, ReportKind.HOURLY, day, day,
                          edition=AqiEdition.HJ633_2026, missing_rule=MissingDataRule.CNEMC))
aqi_s = time.perf_counter() - t
plan = ""
if store.dialect == "postgresql":
    from datetime import UTC, datetime
    from xietong.air.service import ObservationQuery, _observation_select
    from xietong.air.tables import air_observation
    with store.read() as conn:
        codes = [r[0] for r in conn.exec_driver_sql("SELECT code FROM air_station")]
        stmt = _observation_select(air_observation, "postgresql", codes, ObservationQuery(
            start=datetime(2026, 3, 9, 17, tzinfo=UTC), end=datetime(2026, 3, 10, 16, tzinfo=UTC)))
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql))
print(json.dumps({"hours": hours, "reingest": reingest, "aqi_s": aqi_s, "aqi_rows": len(table),
                  "aqi_with_value": int(table["aqi"].notna().sum()), "plan": plan,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_day(engine: str, files: list[Path]) -> dict[str, object]:
    url = ""
    server = None
    if engine == "postgresql":
        try:
            from tests.pgserver import PostgresServer  # noqa: PLC0415 - after the refactor
        except ImportError:
            from xietong.store.throwaway import PostgresServer  # type: ignore[no-redef]  # noqa: PLC0415
        server = PostgresServer.start(durable=True)
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bench_national")
        admin.dispose()
        url = server.url.rsplit("/", 1)[0] + "/bench_national"
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, url, ",".join(map(str, files))], check=True, capture_output=True, text=True
        )
    finally:
        if server is not None:
            server.stop()
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_year(days: int, seed: int = 23) -> dict[str, float]:
    from xietong.air import aqi as engine  # noqa: PLC0415
    from xietong.air import averaging  # noqa: PLC0415
    from xietong.air.formats import SourceInfo, read_cnemc_hourly  # noqa: PLC0415

    chunk = next(read_cnemc_hourly(NATIONAL, SourceInfo(NATIONAL.name, None)))
    real = chunk.values
    n_st, n_h = len(real), 24 * days
    n = n_st * n_h
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, n_st, n)
    cols = ["so2", "no2", "o3", "co", "pm10", "pm25"]
    arrays = {c: real[c].to_numpy(dtype=np.float64)[pick] for c in cols}
    flags = real["flag_bits"].to_numpy(dtype=np.int64)[pick]
    keys = {"SO2_1h": "so2", "NO2_1h": "no2", "O3_1h": "o3", "CO_1h": "co", "PM10_1h": "pm10", "PM2.5_1h": "pm25"}
    ind = {k: arrays[c] for k, c in keys.items()}
    nm = {p: ((flags >> (2 * i)) & 3) == 2 for i, p in enumerate(["SO2", "NO2", "O3", "CO", "PM10", "PM2.5"])}
    out: dict[str, float] = {"station_hours": float(n)}
    engine.aqi_arrays({k: v[:1000] for k, v in ind.items()}, edition="2026")  # compile / warm
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        res = engine.aqi_arrays(ind, edition="2026", not_monitored=nm, missing_rule="cnemc")
        best = min(best, time.perf_counter() - t)
    out["hourly_core_s"] = best
    t = time.perf_counter()
    engine.result_columns(res, "2026")
    out["hourly_labels_s"] = time.perf_counter() - t
    del res
    # station × hour frame (station-major), 2026-01-01 01:00 CST onwards
    start = pd.Timestamp("2026-01-01 01:00", tz="Asia/Shanghai").tz_convert("UTC")
    times = start + pd.to_timedelta(np.arange(n_h), unit="h")
    frame = pd.DataFrame(
        {
            "station": np.repeat(real["station"].to_numpy(dtype=object), n_h),
            "time": np.tile(times.to_numpy(), n_st),
            **arrays,
            "flag_bits": flags,
        }
    )
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    month = frame[frame["time"] < start + pd.Timedelta(days=31)]
    t = time.perf_counter()
    engine.hourly_aqi(month, edition="2026", missing_rule="cnemc")
    out["hourly_frame_one_month_s"] = time.perf_counter() - t
    out["one_month_rows"] = float(len(month))
    del month
    t = time.perf_counter()
    daily = averaging.daily_values(frame)
    out["daily_values_s"] = time.perf_counter() - t
    t = time.perf_counter()
    engine.daily_aqi(daily, edition="2026")
    out["daily_aqi_s"] = time.perf_counter() - t
    out["daily_rows"] = float(len(daily))
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--year-days", type=int, default=365)
    parser.add_argument("--skip-year", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'unset')}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="xt-national-day-") as folder:
        files = write_day(Path(folder))
        for engine in args.engines:
            r = run_day(engine, files)
            hours = r["hours"]
            assert isinstance(hours, list)
            first, rest = hours[0], hours[1:]
            rest_s = [h["seconds"] for h in rest]
            print(
                f"\n{engine}: first (real) hour with registration {first['seconds']:.2f} s "
                f"({first['stations']} stations registered, {first['values']} values, {first['published']} published); "
                f"other 23 hours: median {np.median(rest_s):.2f} s, max {max(rest_s):.2f} s; "
                f"whole day {sum(h['seconds'] for h in hours):.2f} s; re-ingest of one hour "
                f"{r['reingest']['seconds']:.2f} s, written {r['reingest']['written']}; "  # type: ignore[index]
                f"day's hourly AQI from the store {r['aqi_s']:.2f} s ({r['aqi_rows']} rows, {r['aqi_with_value']} "
                f"with an AQI); peak RSS {r['max_rss_mb']:.0f} MB"
            )
            if r["plan"]:
                print("EXPLAIN of one day of every station (air_observation):")
                for line in str(r["plan"]).splitlines():
                    print(line if len(line) <= 160 else line[:157] + "...")
    if not args.skip_year:
        y = bench_year(args.year_days)
        print(f"\nyear ({args.year_days} days): " + ", ".join(f"{k} {v:.2f}" for k, v in y.items()))


if __name__ == "__main__":
    main()
