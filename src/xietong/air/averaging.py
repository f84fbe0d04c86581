"""Averages with GB 3095 data validity: moving means, daily values, O3 MDA8, city values, annual statistics.

Hour labels and days
--------------------
The store labels every hourly value with the **end** of its averaging hour (CNEMC practice: the value
labelled 16:00 is the mean of 15:00–16:00), as a UTC timestamp. A **natural day D** in China Standard
Time (UTC+8) therefore holds the 24 labels ``D 01:00 … D+1 00:00`` CST (GB 3095-2026 §3: the daily mean
is the mean of the 24 hourly values of a natural day; HJ 633-2012 §5.1.2: "当日零点前24小时"). An 8-h
moving mean labelled ``t`` is the mean of the labels ``t−7h … t`` (HJ 663 practice [R]; CNEMC: "当前小时前
8小时"); the O3 daily maximum 8-h mean (MDA8) of day D is the maximum of the 8-h means labelled D 08:00 …
D+1 00:00, i.e. the 17 windows that lie inside the day (HJ 663-2013 [R]).

Validity (GB 3095-2012/2026 Table 4, read from ``standards/gb3095_<edition>.toml``): a daily mean needs
>= 20 valid hourly means; an 8-h mean >= 6; MDA8 >= 14 valid 8-h means, or fewer when the maximum still
exceeds the grade-II limit (HJ 663-2013, [R]: switch ``mda8_valid_if_exceeds``); an annual statistic
>= 324 daily values in the year and >= 27 in every month (February >= 25).

Input frame (from the store): ``station`` (or ``city``), ``time`` (tz-aware, end of hour), ``so2 no2 o3 co
pm10 pm25`` [µg/m³; CO mg/m³] (NaN = missing) and optionally ``flag_bits`` (two bits per pollutant in
:data:`~xietong.enums.POLLUTANTS` order: 0 valid, 1 invalid → excluded, 2 not monitored).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong import standards
from xietong.enums import FLAG_CODE, POLLUTANTS, Pollutant, QualityFlag
from xietong.errors import InputError

HOUR_S = 3600
DAY_S = 86_400
#: China Standard Time offset [s]; no daylight saving since 1991
CST_OFFSET_S = 8 * HOUR_S
VALUE_COLUMNS: tuple[str, ...] = tuple(p.column for p in POLLUTANTS)
#: columns of a daily frame (:func:`daily_values`) that hold concentrations
DAILY_VALUE_COLUMNS: tuple[str, ...] = ("so2", "no2", "co", "pm10", "pm25", "o3_1h_max", "o3_mda8")
_INVALID = FLAG_CODE[QualityFlag.INVALID]
_SCALE = 1_000_000  # decimal resolution of concentrations, as xietong.air.aqi.SCALE
_NOT_MONITORED = FLAG_CODE[QualityFlag.NOT_MONITORED]


@dataclass(frozen=True, slots=True)
class ValidityRules:
    """GB 3095 Table 4 and the HJ 663 statistics rules of one edition (see the module docstring)."""

    daily_min_hours: int
    eight_hour_min_hours: int
    annual_min_days: int
    monthly_min_days: int
    february_min_days: int
    mda8_window_end_first: int
    mda8_window_end_last: int
    mda8_min_windows: int
    mda8_valid_if_exceeds: bool
    o3_1h_max_min_hours: int
    mda8_limit_ug_m3: float
    percentiles: dict[str, float]

    @classmethod
    @cache
    def from_standard(cls, edition: str = "2026") -> ValidityRules:
        """Rules of GB 3095-``edition`` (the 2012 and 2026 tables agree; tests check it)."""
        std = standards.load("gb3095", standards.check_edition("gb3095", edition))
        v, s = std["validity"], std["statistics"]
        return cls(
            daily_min_hours=int(v["daily_min_hours"]),
            eight_hour_min_hours=int(v["eight_hour_min_hours"]),
            annual_min_days=int(v["annual_min_days"]),
            monthly_min_days=int(v["monthly_min_days"]),
            february_min_days=int(v["february_min_days"]),
            mda8_window_end_first=int(s["mda8_window_end_first"]),
            mda8_window_end_last=int(s["mda8_window_end_last"]),
            mda8_min_windows=int(s["mda8_min_windows"]),
            mda8_valid_if_exceeds=bool(s["mda8_valid_if_exceeds"]),
            o3_1h_max_min_hours=int(s["o3_1h_max_min_hours"]),
            mda8_limit_ug_m3=float(std["limits"]["O3_mda8"][1]),
            percentiles={k: float(p) for k, p in s["percentiles"].items()},
        )


# --------------------------------------------------------------------------------------------------------
# input handling


def id_column(frame: pd.DataFrame) -> str:
    """``station`` or ``city``: the column naming the series of a frame."""
    for name in ("station", "city"):
        if name in frame.columns:
            return name
    raise InputError(
        "frame has no station or city column",
        expected="a column 'station' (or 'city' for city values)",
        given=", ".join(map(str, frame.columns[:12])),
    )


def time_seconds(frame: pd.DataFrame, column: str = "time") -> npt.NDArray[np.int64]:
    """UTC epoch seconds of a tz-aware time column (the end of the averaging hour)."""
    if column not in frame.columns:
        raise InputError(f"frame has no {column!r} column", expected=f"a tz-aware {column!r} column (UTC)")
    t = frame[column]
    if not isinstance(t.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"column {column!r} has no time zone",
            expected="tz-aware timestamps (the store gives UTC)",
            given=str(t.dtype),
            hint="localize it, e.g. frame['time'].dt.tz_localize('Asia/Shanghai') for CNEMC local times",
        )
    out: npt.NDArray[np.int64] = t.dt.tz_convert("UTC").to_numpy(dtype="datetime64[s]").astype(np.int64)
    return out


def decode_flags(frame: pd.DataFrame) -> tuple[dict[str, npt.NDArray[np.float64]], dict[str, npt.NDArray[np.bool_]]]:
    """Concentrations with invalid values removed, and the not-monitored masks, per pollutant column.

    Columns that are absent count as missing. ``flag_bits`` code 1 (invalid) → NaN; code 2 (not monitored)
    → NaN and True in the mask.
    """
    n = len(frame)
    bits = frame["flag_bits"].to_numpy(dtype=np.int64) if "flag_bits" in frame.columns else np.zeros(n, np.int64)
    values: dict[str, npt.NDArray[np.float64]] = {}
    nm: dict[str, npt.NDArray[np.bool_]] = {}
    for i, col in enumerate(VALUE_COLUMNS):
        v = (
            frame[col].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            if col in frame.columns
            else np.full(n, np.nan)
        )
        code = (bits >> (2 * i)) & 3
        v[code != 0] = np.nan
        values[col] = v
        nm[col] = code == _NOT_MONITORED
    return values, nm


def encode_not_monitored(nm: dict[str, npt.NDArray[np.bool_]], n: int) -> npt.NDArray[np.int64]:
    """``flag_bits`` holding code 2 (not monitored) where the masks say so."""
    bits = np.zeros(n, dtype=np.int64)
    for i, col in enumerate(VALUE_COLUMNS):
        if col in nm:
            bits |= nm[col].astype(np.int64) * (_NOT_MONITORED << (2 * i))
    return bits


@dataclass(frozen=True, slots=True)
class HourGrid:
    """A dense (series × hour) grid for a long frame: rows map to ``(row_id, row_col)`` cells.

    With ``days=True`` the first column is a ``D 01:00`` CST label, so ``reshape(n_ids, n_days, 24)`` gives
    natural days.
    """

    ids: npt.NDArray[np.object_]
    start_s: int
    n_hours: int
    row_id: npt.NDArray[np.intp]
    row_col: npt.NDArray[np.intp]

    @property
    def n_days(self) -> int:
        return self.n_hours // 24

    def grid(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out = np.full((len(self.ids), self.n_hours), np.nan)
        out[self.row_id, self.row_col] = values
        return out

    def take(self, grid: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return grid[self.row_id, self.row_col]


def hour_grid(frame: pd.DataFrame, *, days: bool = False) -> HourGrid:
    """Build the grid of ``frame``; one row per (series, hour) is required."""
    idc = id_column(frame)
    t = time_seconds(frame)
    if len(t) and (t % HOUR_S != 0).any():
        first = int(np.flatnonzero(t % HOUR_S != 0)[0])
        raise InputError(
            "time is not on the hour",
            expected="hour labels (the end of the averaging hour)",
            given=str(frame["time"].iloc[first]),
            hint=f"row {first} of the frame",
        )
    codes, ids = pd.factorize(frame[idc].astype(str), sort=True)
    if len(t) == 0:
        return HourGrid(
            np.asarray(ids, dtype=object), 0, 24 if days else 0, codes.astype(np.intp), codes.astype(np.intp)
        )
    lo, hi = int(t.min()), int(t.max())
    if days:  # first column: the D 01:00 CST label of the first day
        lo = ((lo + CST_OFFSET_S - HOUR_S) // DAY_S) * DAY_S - CST_OFFSET_S + HOUR_S
        n_hours = math.ceil((hi - lo) / HOUR_S + 1)
        n_hours = ((n_hours + 23) // 24) * 24
    else:
        n_hours = (hi - lo) // HOUR_S + 1
    col = ((t - lo) // HOUR_S).astype(np.intp)
    key = codes.astype(np.int64) * n_hours + col
    sorted_key = np.sort(key)
    if (sorted_key[1:] == sorted_key[:-1]).any():
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
        first = int(np.flatnonzero(dup)[0])
        raise InputError(
            "the same series and hour appear twice",
            expected=f"one row per {idc} and hour",
            given=f"{frame[idc].iloc[first]} at {frame['time'].iloc[first]}",
            hint="keep one revision per station-hour (the store's current values)",
        )
    return HourGrid(np.asarray(ids, dtype=object), lo, n_hours, codes.astype(np.intp), col)


# --------------------------------------------------------------------------------------------------------
# moving means


def moving_mean_grid(grid: npt.NDArray[np.float64], hours: int, min_valid: int) -> npt.NDArray[np.float64]:
    """Moving mean over ``hours`` labels ending at each column (NaN = missing; < ``min_valid`` → NaN).

    Hours before the first column are unknown and count as missing. Sums are exact: values are taken as
    decimals at 10⁻⁶ of the unit (as in :mod:`xietong.air.aqi`) and summed as integers.
    """
    n_ids, n = grid.shape
    valid = ~np.isnan(grid)
    scaled = np.where(valid, np.rint(np.where(valid, grid, 0.0) * _SCALE), 0.0).astype(np.int64)
    sums = np.zeros((n_ids, n + 1), dtype=np.int64)
    np.cumsum(scaled, axis=1, out=sums[:, 1:])
    counts = np.zeros((n_ids, n + 1), dtype=np.int64)
    np.cumsum(valid, axis=1, out=counts[:, 1:])
    lo = np.maximum(np.arange(1, n + 1) - hours, 0)
    window_sum = sums[:, 1:] - sums[:, lo]
    window_count = counts[:, 1:] - counts[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = window_sum / (window_count * float(_SCALE))
    out: npt.NDArray[np.float64] = np.where(window_count >= min_valid, mean, np.nan)
    return out


def moving_means(
    frame: pd.DataFrame, columns: Sequence[str], hours: int, min_valid: int | None = None
) -> dict[str, npt.NDArray[np.float64]]:
    """Per-row moving means of ``columns`` (invalid flags excluded), labelled at the window's last hour.

    ``min_valid`` defaults to GB 3095 Table 4: 6 for 8 h, 20 for 24 h.
    """
    rules = ValidityRules.from_standard()
    if min_valid is None:
        min_valid = rules.eight_hour_min_hours if hours == 8 else rules.daily_min_hours
    values, _ = decode_flags(frame)
    g = hour_grid(frame)
    return {c: g.take(moving_mean_grid(g.grid(values[c]), hours, min_valid)) for c in columns}


# --------------------------------------------------------------------------------------------------------
# daily values


def _o3_daily(
    cube: npt.NDArray[np.float64],
    valid: npt.NDArray[np.bool_],
    count: npt.NDArray[np.int64],
    r: ValidityRules,
    *,
    keep_if_exceeds: bool,
) -> dict[str, npt.NDArray[np.float64] | npt.NDArray[np.int64]]:
    """O3 of each series and day from its (series, day, 24 h) cube [µg/m³]: ``o3_1h_max`` (the daily maximum
    1-h mean, with enough valid hours), ``o3_mda8`` (the daily maximum 8-h moving mean, GB 3095 validity)
    and ``o3_8h_windows`` (valid 8-h means of the day)."""
    with np.errstate(invalid="ignore"):
        mx = np.where(valid, cube, -np.inf).max(axis=2)
    o3_1h_max = np.where(count >= r.o3_1h_max_min_hours, mx, np.nan)
    # MDA8: 8-h means labelled 08:00 … 24:00 inside the day (windows of columns j−7 … j)
    windows = np.lib.stride_tricks.sliding_window_view(cube, 8, axis=2)
    first = r.mda8_window_end_first - 8
    last = r.mda8_window_end_last - 8
    windows = windows[:, :, first : last + 1, :]
    wv = ~np.isnan(windows)
    wc = wv.sum(axis=3)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(wc >= r.eight_hour_min_hours, np.where(wv, windows, 0.0).sum(axis=3) / wc, np.nan)
    n_windows = (~np.isnan(means)).sum(axis=2)
    with np.errstate(invalid="ignore"):
        mda8 = np.where(n_windows > 0, np.where(np.isnan(means), -np.inf, means).max(axis=2), np.nan)
    ok = n_windows >= r.mda8_min_windows
    if keep_if_exceeds:  # HJ 663-2013 [R]: fewer windows but above the limit → still valid
        ok |= (n_windows > 0) & (mda8 > r.mda8_limit_ug_m3)
    return {"o3_1h_max": o3_1h_max, "o3_mda8": np.where(ok, mda8, np.nan), "o3_8h_windows": n_windows}


def daily_values(
    frame: pd.DataFrame,
    *,
    rules: ValidityRules | None = None,
    mda8_valid_if_exceeds: bool | None = None,
) -> pd.DataFrame:
    """Daily values per series and natural day (CST) with GB 3095 validity.

    Returns one row per series and day that has at least one hourly row: ``station``/``city``, ``date``
    (the CST calendar day, midnight, tz-naive), ``time`` (D 00:00 CST in UTC), ``so2 no2 co pm10 pm25``
    (24-h means, NaN when fewer than 20 valid hours) [µg/m³; CO mg/m³], ``o3_1h_max`` (the daily maximum
    1-h mean), ``o3_mda8`` (the daily maximum 8-h moving mean), ``hours_<col>`` (valid hours per
    pollutant), ``o3_8h_windows`` (valid 8-h means of the day) and ``flag_bits`` (code 2 where a pollutant
    was not monitored on any hour of the day).
    """
    r = rules or ValidityRules.from_standard()
    keep_if_exceeds = r.mda8_valid_if_exceeds if mda8_valid_if_exceeds is None else mda8_valid_if_exceeds
    idc = id_column(frame)
    g = hour_grid(frame, days=True)
    values, nm = decode_flags(frame)
    n_ids, n_days = len(g.ids), g.n_days
    present = np.zeros((n_ids, g.n_hours), dtype=np.bool_)
    present[g.row_id, g.row_col] = True
    has_row = present.reshape(n_ids, n_days, 24).any(axis=2)
    out: dict[str, npt.NDArray[np.float64] | npt.NDArray[np.int64]] = {}
    nm_day: dict[str, npt.NDArray[np.bool_]] = {}
    for col in VALUE_COLUMNS:
        cube = g.grid(values[col]).reshape(n_ids, n_days, 24)
        valid = ~np.isnan(cube)
        count = valid.sum(axis=2)
        total = np.where(valid, cube, 0.0).sum(axis=2)
        nm_cube = np.zeros((n_ids, g.n_hours), dtype=np.bool_)
        nm_cube[g.row_id, g.row_col] = nm[col]
        nm_day[col] = nm_cube.reshape(n_ids, n_days, 24).any(axis=2) & (count == 0)
        out[f"hours_{col}"] = count
        if col == "o3":
            out.update(_o3_daily(cube, valid, count, r, keep_if_exceeds=keep_if_exceeds))
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out[col] = np.where(count >= r.daily_min_hours, total / count, np.nan)
    sel = has_row.ravel()
    id_idx, day_idx = np.divmod(np.flatnonzero(sel), n_days)
    day0 = (g.start_s + CST_OFFSET_S - HOUR_S) // DAY_S  # CST day number of column 0
    day_num = day0 + day_idx
    result = pd.DataFrame(
        {
            idc: g.ids[id_idx],
            "date": pd.to_datetime(day_num * DAY_S, unit="s"),
            "time": pd.to_datetime(day_num * DAY_S - CST_OFFSET_S, unit="s", utc=True),
        }
    )
    for col in ("so2", "no2", "co", "pm10", "pm25", "o3_1h_max", "o3_mda8"):
        result[col] = out[col].ravel()[sel]
    for col in VALUE_COLUMNS:
        result[f"hours_{col}"] = out[f"hours_{col}"].ravel()[sel].astype(np.int16)
    result["o3_8h_windows"] = out["o3_8h_windows"].ravel()[sel].astype(np.int16)
    result["flag_bits"] = encode_not_monitored({c: v.ravel()[sel] for c, v in nm_day.items()}, len(result))
    return result


# --------------------------------------------------------------------------------------------------------
# city values


def city_values(frame: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """City concentrations: the mean of the city's evaluation sites, background sites excluded.

    ``frame``: hourly (``station, time, so2 … pm25, flag_bits``) or daily (:func:`daily_values`) values.
    ``stations``: ``code`` (or ``station``), ``city`` and ``background`` (bool, or ``Y``/``N`` as in the
    CNEMC list). Invalid values are excluded; a city value is the arithmetic mean of the sites with a
    value at that time (HJ 663 [R]); a pollutant no site of the city monitors keeps code 2 in
    ``flag_bits``. Returns the same columns with ``city`` in place of ``station`` (plus ``n_sites``).
    """
    code_col = "code" if "code" in stations.columns else "station"
    missing = {code_col, "city"} - set(stations.columns)
    if missing:
        raise InputError(
            "station table lacks columns",
            expected="code (or station), city, background",
            given=", ".join(map(str, stations.columns)),
        )
    bg = stations["background"] if "background" in stations.columns else pd.Series(False, index=stations.index)
    bg_bool = bg.map(lambda v: str(v).strip().upper() in {"Y", "YES", "TRUE", "1", "是"}) if bg.dtype != bool else bg
    evaluation = stations.loc[~bg_bool.to_numpy(dtype=bool), [code_col, "city"]]
    city_of = dict(zip(evaluation[code_col].astype(str), evaluation["city"].astype(str), strict=True))
    if "station" not in frame.columns:
        raise InputError("frame has no station column", expected="site values with a 'station' column")
    city = frame["station"].astype(str).map(city_of)
    daily = "date" in frame.columns
    columns = [c for c in (DAILY_VALUE_COLUMNS if daily else VALUE_COLUMNS) if c in frame.columns]
    if daily:
        vals = {c: frame[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in columns}
        bits = frame["flag_bits"].to_numpy(np.int64) if "flag_bits" in frame.columns else np.zeros(len(frame), np.int64)
        nm = {col: ((bits >> (2 * i)) & 3) == _NOT_MONITORED for i, col in enumerate(VALUE_COLUMNS)}
    else:
        vals, nm = decode_flags(frame)
        vals = {c: vals[c] for c in columns}
    keys = ["city", "date", "time"] if daily else ["city", "time"]
    work = pd.DataFrame({"city": city, **{k: frame[k] for k in keys[1:]}, **vals})
    for col in VALUE_COLUMNS:
        work[f"_nm_{col}"] = nm[col]
    work["_site"] = 1
    work = work[work["city"].notna()]
    grouped = work.groupby(keys, sort=True)
    out = grouped[columns].mean()
    monitored = grouped[[f"_nm_{c}" for c in VALUE_COLUMNS]].min()  # all sites not monitoring → True
    out["n_sites"] = grouped["_site"].sum().astype(np.int16)
    out = out.reset_index()
    nm_city = {c: monitored[f"_nm_{c}"].to_numpy(dtype=bool) for c in VALUE_COLUMNS}
    out["flag_bits"] = encode_not_monitored(nm_city, len(out))
    return out


# --------------------------------------------------------------------------------------------------------
# annual statistics (HJ 663)


def hj663_percentile(values: npt.ArrayLike, p: float) -> float:
    """The p-th percentile by HJ 663: sort ascending; k = 1 + (n − 1)·p/100; s = ⌊k⌋;
    X_p = X_s + (X_{s+1} − X_s)(k − s), with 1-based X (HJ 663-2013 §A, [R→C:S25]). NaN are ignored."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return float("nan")
    k = 1 + (n - 1) * p / 100.0
    s = math.floor(k)
    lo = x[s - 1]
    hi = x[min(s, n - 1)]
    return float(lo + (hi - lo) * (k - s))


_ANNUAL: tuple[tuple[str, str, str], ...] = (
    # (daily column, pollutant key of the percentile table, output prefix)
    ("so2", "SO2", "so2"),
    ("no2", "NO2", "no2"),
    ("pm10", "PM10", "pm10"),
    ("pm25", "PM2.5", "pm25"),
    ("co", "CO", "co"),
    ("o3_mda8", "O3", "o3_mda8"),
)


def annual_statistics(daily: pd.DataFrame, *, rules: ValidityRules | None = None) -> pd.DataFrame:
    """Annual statistics per series and calendar year (CST) from :func:`daily_values` output.

    Columns: ``year``; ``<p>_mean`` for SO2, NO2, PM10, PM2.5 (mean of valid daily means); ``so2_p98``,
    ``no2_p98``, ``pm10_p95``, ``pm25_p95``, ``co_p95``, ``o3_mda8_p90`` (HJ 663 percentiles of daily values,
    percentile ranks from ``gb3095_*.toml``); ``days_<p>`` (valid days) and ``valid_<p>`` (>= 324 days and
    >= 27 per month, February >= 25, GB 3095 Table 4; applied to the percentiles too [R]). Statistics are
    given even when not valid; ``valid_<p>`` says whether they may be used for assessment.
    """
    r = rules or ValidityRules.from_standard()
    idc = id_column(daily)
    dates = pd.DatetimeIndex(daily["date"])
    base = pd.DataFrame({idc: daily[idc].to_numpy(), "year": dates.year, "month": dates.month})
    rows: list[dict[str, object]] = []
    for (ident, year), part in base.groupby([idc, "year"], sort=True):
        rec: dict[str, object] = {idc: ident, "year": int(str(year))}
        idx = part.index
        for col, key, prefix in _ANNUAL:
            v = daily.loc[idx, col].to_numpy(dtype=np.float64, na_value=np.nan)
            ok = ~np.isnan(v)
            months = part["month"].to_numpy()[ok]
            per_month = np.bincount(months, minlength=13)[1:]
            need = np.array([r.february_min_days if m == 2 else r.monthly_min_days for m in range(1, 13)])
            rec[f"days_{prefix}"] = int(ok.sum())
            rec[f"valid_{prefix}"] = bool(ok.sum() >= r.annual_min_days and (per_month >= need).all())
            if key in ("SO2", "NO2", "PM10", "PM2.5"):
                rec[f"{prefix}_mean"] = float(v[ok].mean()) if ok.any() else float("nan")
            pct = r.percentiles[key]
            rec[f"{prefix}_p{int(pct)}"] = hj663_percentile(v, pct)
        rows.append(rec)
    return pd.DataFrame(rows)


def pollutant_of_column(column: str) -> Pollutant:
    """The pollutant of a frame column (``pm25`` → PM2.5, ``o3_mda8`` → O3)."""
    base = column.split("_", maxsplit=1)[0]
    for p in POLLUTANTS:
        if p.column == base:
            return p
    raise InputError("not a pollutant column", expected=", ".join(VALUE_COLUMNS), given=repr(column))


__all__ = [
    "CST_OFFSET_S",
    "DAILY_VALUE_COLUMNS",
    "VALUE_COLUMNS",
    "HourGrid",
    "ValidityRules",
    "annual_statistics",
    "city_values",
    "daily_values",
    "decode_flags",
    "hj663_percentile",
    "hour_grid",
    "id_column",
    "moving_mean_grid",
    "moving_means",
    "pollutant_of_column",
    "time_seconds",
]
