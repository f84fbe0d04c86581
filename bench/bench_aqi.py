"""Air quality engine benchmark: hourly AQI (with primary pollutant and level) and daily values.

Run from the repository root (reads the UCI data from ../shared, as bench scripts may)::

    .venv/bin/python bench/bench_aqi.py [--rows 10000000] [--peer-rows 100000]

1. 10 million station-hours resampled (whole rows, so the pollutants keep their joint distribution) from
   the UCI Beijing multi-site data (Zhang et al. 2017, CC BY 4.0): ``xietong.air.aqi_arrays`` real-time
   AQI + primary pollutant + level, HJ 633-2026 and HJ 633-2012, then the labelled columns
   (category, colour, primary as text) for the same rows. Station-hours per second, single thread.
2. The same first ``--peer-rows`` rows through aqi-hub 0.3.3 (``cal_aqi_cn`` + ``cal_primary_pollutant``
   + ``get_aqi_level``) and python-aqi 0.6.1 (``to_aqi``, MEP algorithm, hourly items), timed in this run
   against Xietong's ``aqi_arrays`` on the same rows; every side gets the same warm-up (one call on the first
   1,000 rows) and the same repeats (best of ``--peer-repeat``, 3).
3. Peak memory of step 1 (tracemalloc, NumPy allocations) against the size of the six input arrays.
4. Daily values (GB 3095 validity, O3 MDA8) and daily AQI for the whole UCI dataset (420,768 rows).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.air import aqi as aqi_module
from xietong.air import aqi_arrays, daily_aqi, daily_values, hourly_aqi
from xietong.air.aqi import result_columns

UCI = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "air" / "beijing_multisite_uci"
KEYS = {"SO2_1h": "SO2", "NO2_1h": "NO2", "O3_1h": "O3", "CO_1h": "CO", "PM10_1h": "PM10", "PM2.5_1h": "PM2.5"}


def load_uci() -> pd.DataFrame:
    frames = [pd.read_csv(p) for p in sorted(UCI.glob("PRSA_Data_*_20130301-20170228.csv"))]
    if not frames:
        raise SystemExit(f"UCI files not found under {UCI}")
    raw = pd.concat(frames, ignore_index=True)
    raw["CO"] = raw["CO"] / 1000.0  # the UCI files give CO in µg/m³
    return raw


def synthetic(raw: pd.DataFrame, n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(raw), n)
    return {k: raw[col].to_numpy(dtype=np.float64)[rows] for k, col in KEYS.items()}


def time_best(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_xietong(ind: dict[str, np.ndarray]) -> dict[str, float]:
    n = len(next(iter(ind.values())))
    out: dict[str, float] = {}
    for edition in ("2026", "2012"):
        t = time_best(lambda edition=edition: aqi_arrays(ind, edition=edition))
        out[f"core_{edition}_s"] = t
        out[f"core_{edition}_rate"] = n / t
    res = aqi_arrays(ind, edition="2026")
    t = time_best(lambda: result_columns(res, "2026"), repeat=2)
    out["labels_s"] = t
    out["core_plus_labels_rate"] = n / (out["core_2026_s"] + t)
    tracemalloc.start()
    tracemalloc.reset_peak()
    aqi_arrays(ind, edition="2026")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["peak_bytes"] = float(peak)
    out["input_bytes"] = float(sum(v.nbytes for v in ind.values()))
    return out


def bench_peers(ind: dict[str, np.ndarray], m: int, repeat: int) -> dict[str, float]:
    import aqi as python_aqi  # noqa: PLC0415 - optional dev dependency
    from aqi.constants import POLLUTANT_CO_1H  # noqa: PLC0415
    from aqi_hub.aqi_cn.aqi import cal_aqi_cn, cal_primary_pollutant, get_aqi_level  # noqa: PLC0415

    cols = {k: v[:m].tolist() for k, v in ind.items()}
    rows = list(zip(*(cols[k] for k in KEYS), strict=True))

    def clean(x: float) -> float | None:
        return None if x != x else x  # NaN → None (missing)

    def hub(rows: list[tuple[float, ...]]) -> None:
        for so2, no2, o3, co, pm10, pm25 in rows:
            value, iaqi = cal_aqi_cn(clean(pm25), clean(pm10), clean(so2), clean(no2), clean(co), clean(o3))
            cal_primary_pollutant(iaqi)
            get_aqi_level(value)

    items = (
        python_aqi.POLLUTANT_SO2_1H,
        python_aqi.POLLUTANT_NO2_1H,
        python_aqi.POLLUTANT_O3_1H,
        POLLUTANT_CO_1H,
        python_aqi.POLLUTANT_PM10,
        python_aqi.POLLUTANT_PM25,
    )

    def pyaqi(rows: list[tuple[float, ...]]) -> None:
        for row in rows:
            given = [(e, str(x)) for e, x in zip(items, row, strict=True) if x == x and x <= 800]
            with contextlib.suppress(IndexError, TypeError, ValueError):  # P4/P5 crashes, empty rows
                python_aqi.to_aqi(given, algo=python_aqi.ALGO_MEP)

    sub = {k: v[:m] for k, v in ind.items()}
    warm = {k: v[:1000] for k, v in ind.items()}

    def ours() -> None:
        aqi_arrays(sub, edition="2026")

    # the same treatment for every side: one warm-up call on the first 1,000 rows, then best of ``repeat``
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hub(rows[:1000])
        pyaqi(rows[:1000])
        aqi_arrays(warm, edition="2026")
        t_hub = time_best(lambda: hub(rows), repeat=repeat)
        t_py = time_best(lambda: pyaqi(rows), repeat=repeat)
        t_ours = time_best(ours, repeat=repeat)
    return {"hub_s": t_hub, "pyaqi_s": t_py, "ours_s": t_ours, "rows": float(m), "repeat": float(repeat)}


def uci_frame(raw: pd.DataFrame) -> pd.DataFrame:
    local = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    # the same convention as the store's UCI reader (xietong.air.formats.read_uci): hour h is the label h
    time_utc = local.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "station": raw["station"].to_numpy(),
            "time": time_utc,
            "so2": raw["SO2"],
            "no2": raw["NO2"],
            "o3": raw["O3"],
            "co": raw["CO"],
            "pm10": raw["PM10"],
            "pm25": raw["PM2.5"],
            "flag_bits": 0,
        }
    )


def bench_daily(frame: pd.DataFrame) -> dict[str, float]:
    t0 = time.perf_counter()
    daily = daily_values(frame)
    t1 = time.perf_counter()
    out = daily_aqi(daily)
    t2 = time.perf_counter()
    t3 = time.perf_counter()
    hourly_aqi(frame)
    t4 = time.perf_counter()
    return {
        "rows": float(len(frame)),
        "days": float(len(out)),
        "values_s": t1 - t0,
        "aqi_s": t2 - t1,
        "hourly_frame_s": t4 - t3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--peer-rows", type=int, default=100_000)
    parser.add_argument("--peer-repeat", type=int, default=3, help="best of N for Xietong and each peer alike")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"engine {aqi_module._ENGINE['name']}")  # fmt: skip
    raw = load_uci()
    ind = synthetic(raw, args.rows)
    x = bench_xietong(ind)
    n = args.rows
    print(f"\n[1] hourly AQI + primary + level, {n:,} station-hours (best of 3)")
    for ed in ("2026", "2012"):
        print(f"    HJ 633-{ed}: {x[f'core_{ed}_s']:.3f} s = {x[f'core_{ed}_rate'] / 1e6:.2f} M station-hours/s")
    print(f"    + labelled columns (category zh/en, colour, primary text): {x['labels_s']:.3f} s")
    print(f"    core + labels (2026): {x['core_plus_labels_rate'] / 1e6:.2f} M station-hours/s")
    print("\n[3] memory")
    print(f"    input arrays {x['input_bytes'] / 2**20:.0f} MiB, peak allocated during the call "
          f"{x['peak_bytes'] / 2**20:.0f} MiB = {x['peak_bytes'] / x['input_bytes']:.2f}x input")  # fmt: skip
    p = bench_peers(ind, args.peer_rows, args.peer_repeat)
    m = int(p["rows"])
    print(f"\n[2] same first {m:,} rows, this run, each side warmed up on 1,000 rows then best of {args.peer_repeat}")
    print(f"    xietong   {p['ours_s']:.4f} s")
    print(f"    aqi-hub   {p['hub_s']:.3f} s  → xietong is {p['hub_s'] / p['ours_s']:.0f}x faster")
    print(f"    python-aqi {p['pyaqi_s']:.3f} s  → xietong is {p['pyaqi_s'] / p['ours_s']:.0f}x faster")
    d = bench_daily(uci_frame(raw))
    print(f"\n[4] daily values + daily AQI, whole UCI dataset ({int(d['rows']):,} station-hours → "
          f"{int(d['days']):,} station-days): {d['values_s']:.3f} s + {d['aqi_s']:.3f} s = "
          f"{d['values_s'] + d['aqi_s']:.3f} s")  # fmt: skip
    print(f"    hourly_aqi frame (sorting, edition per row, labelled columns) on the same data: "
          f"{d['hourly_frame_s']:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
