"""Checks of the warning engine's inputs: forecast windows and daily AQI frames validated into arrays, every
refusal naming the input, row and field (pure: frames in, arrays out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong import region
from xietong.air.warning_rulesets import DAY_S, HOUR_S, WINDOW_HOURS, RuleSet
from xietong.config import DISPLAY_TZ
from xietong.errors import DuplicateRecordError, InputError, Location, Problem, UnknownJurisdictionError

FORECAST_COLUMNS: tuple[str, ...] = ("city", "issued_at", "start", "end", "aqi_low", "aqi_high")
"""Required columns of a forecast frame (``primary`` is optional); see :func:`recommend`."""

DAILY_COLUMNS: tuple[str, ...] = ("city", "date", "aqi")
"""Required columns of a daily AQI frame; see :func:`episodes`."""


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) " + ", ".join(missing),
            expected="columns " + ", ".join(columns),
            given="columns " + ", ".join(map(str, frame.columns)),
            where=Location(source=source),
        )


def _city_codes(values: pd.Series, source: str) -> npt.NDArray[np.object_]:
    """Normalise city names or codes to GB/T 2260 codes; unknown ones are refused, all of them listed."""
    uniques = pd.unique(values.astype(str).to_numpy())
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for key in uniques:
        found = region.find(str(key)) or region.locate(str(key))  # any city of China (key-region neighbours)
        if found is None:
            unknown.append(str(key))
        else:
            mapping[str(key)] = found.code
    if unknown:
        rows = values.astype(str).reset_index(drop=True)
        problems = [
            Problem(
                "unknown city",
                Location(source=source, row=int(rows[rows == u].index[0]) + 1, field="city"),
                expected="a GB/T 2260 code or a name known to xietong.region",
                given=repr(u),
                hint="run `xietong region list` to see the codes",
            )
            for u in unknown
        ]
        if len(problems) == 1:
            p = problems[0]
            raise UnknownJurisdictionError(
                p.message + " in " + source, expected=p.expected, given=p.given, where=p.where, hint=p.hint
            )
        raise UnknownJurisdictionError(f"{len(unknown)} unknown cities in {source}", problems=problems)
    return np.asarray(values.astype(str).map(mapping).to_numpy(dtype=object), dtype=object)


def _aware_utc(values: pd.Series, name: str, source: str) -> pd.Series:
    """Timestamps that carry a time zone, converted to UTC; naive or unparseable ones are refused."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return cast(pd.Series, values.dt.tz_convert("UTC"))
    where = Location(source=source, field=name)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        raise InputError(
            f"{source}: {name} has no time zone",
            expected="aware timestamps (UTC or with an offset)",
            given=f"naive {values.dtype}",
            where=where,
            hint="localise them: .dt.tz_localize('Asia/Shanghai') for China Standard Time",
        )
    out: list[pd.Timestamp] = []
    for i, v in enumerate(values.tolist()):
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError):
            ts = None
        if ts is None or pd.isna(ts):
            raise InputError(
                f"{source}: {name} is not a time",
                expected="an ISO 8601 time with an offset",
                given=repr(v),
                where=Location(source=source, row=i + 1, field=name),
            )
        if ts.tzinfo is None:
            raise InputError(
                f"{source}: {name} has no time zone",
                expected="an offset, e.g. 2016-12-16T00:00+08:00",
                given=repr(v),
                where=Location(source=source, row=i + 1, field=name),
                hint="add +08:00 for China Standard Time",
            )
        out.append(ts.tz_convert("UTC"))
    return pd.Series(pd.DatetimeIndex(out), index=values.index)


def _epoch_s(values: pd.Series) -> npt.NDArray[np.int64]:
    """Aware timestamps → integer seconds since 1970-01-01 UTC."""
    return np.asarray(values.dt.as_unit("s").astype("int64").to_numpy(), dtype=np.int64)


def given_repr(value: object) -> str:
    """``repr`` of an input value, without NumPy's wrappers (``-1``, not ``np.int64(-1)``)."""
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def _numbers(values: pd.Series, name: str, source: str) -> npt.NDArray[np.float64]:
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(out) & values.notna().to_numpy())
    if bad.size:
        raise InputError(
            f"{source}: {name} is not a number",
            expected="an AQI (a number ≥ 0) or empty for missing",
            given=given_repr(values.iloc[bad[0]]),
            where=Location(source=source, row=int(bad[0]) + 1, field=name),
        )
    neg = np.flatnonzero(out < 0)
    if neg.size:
        raise InputError(
            f"{source}: negative {name}",
            expected="an AQI ≥ 0",
            given=given_repr(values.iloc[neg[0]]),
            where=Location(source=source, row=int(neg[0]) + 1, field=name),
        )
    return np.asarray(out, dtype=np.float64)


@dataclass(slots=True)
class Windows:
    """Validated forecast windows, all cities, sorted by (city, issued_at, start)."""

    city: npt.NDArray[np.object_]
    issued_s: npt.NDArray[np.int64]
    start_s: npt.NDArray[np.int64]
    end_s: npt.NDArray[np.int64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    primary: npt.NDArray[np.object_]

    def take(self, rows: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> Windows:
        """The windows selected by a mask or an index array, in that order."""
        return Windows(
            self.city[rows],
            self.issued_s[rows],
            self.start_s[rows],
            self.end_s[rows],
            self.low[rows],
            self.high[rows],
            self.primary[rows],
        )


def validate_forecasts(forecasts: pd.DataFrame, rules: RuleSet, source: str) -> Windows:
    """The forecast frame of :func:`xietong.air.warning.recommend` as sorted, checked windows; exact
    duplicates are dropped, contradictory ones refused."""
    _require_columns(forecasts, FORECAST_COLUMNS, source)
    frame = forecasts.reset_index(drop=True)
    primary = (
        frame["primary"].astype(object).where(frame["primary"].notna(), None).to_numpy(dtype=object)
        if "primary" in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    w = Windows(
        city=_city_codes(frame["city"], source),
        issued_s=_epoch_s(_aware_utc(frame["issued_at"], "issued_at", source)),
        start_s=_epoch_s(_aware_utc(frame["start"], "start", source)),
        end_s=_epoch_s(_aware_utc(frame["end"], "end", source)),
        low=_numbers(frame["aqi_low"], "aqi_low", source),
        high=_numbers(frame["aqi_high"], "aqi_high", source),
        primary=primary,
    )
    _check_windows(w, rules, source)
    order = np.lexsort((w.start_s, w.issued_s, w.city.astype(str)))
    return _without_duplicates(w.take(order), order, source)


def _check_windows(w: Windows, rules: RuleSet, source: str) -> None:
    """Refuse windows not 24 h long, upside-down ranges, and (natural-day rule sets) windows not starting at
    00:00 China Standard Time; rows are those of the input (``w`` is not sorted yet)."""
    length = w.end_s - w.start_s
    bad = np.flatnonzero(length != WINDOW_HOURS * HOUR_S)
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{source}: a forecast window is not 24 h long",
            expected="end − start = 24 h (a daily AQI is a 24-h mean; it may start at any hour)",
            given=f"{length[i] / HOUR_S:g} h",
            where=Location(source=source, row=i + 1, field="end"),
            hint="give one row per 24-h window; split longer forecasts into days",
        )
    with np.errstate(invalid="ignore"):
        inverted = np.flatnonzero(w.low > w.high)
    if inverted.size:
        i = int(inverted[0])
        raise InputError(
            f"{source}: forecast range upside down",
            expected="aqi_low ≤ aqi_high",
            given=f"aqi_low {w.low[i]:g}, aqi_high {w.high[i]:g}",
            where=Location(source=source, row=i + 1, field="aqi_low"),
            hint="swap the two bounds",
        )
    if not rules.rolling_windows:
        local_offset_s = 8 * HOUR_S  # China Standard Time, UTC+8, no daylight saving
        unaligned = np.flatnonzero((w.start_s + local_offset_s) % DAY_S != 0)
        if unaligned.size:
            i = int(unaligned[0])
            raise InputError(
                f"{source}: rule set {rules.id} grades natural days",
                expected="windows starting at 00:00 China Standard Time",
                given=pd.Timestamp(int(w.start_s[i]), unit="s", tz="UTC").tz_convert(DISPLAY_TZ).isoformat(),
                where=Location(source=source, row=i + 1, field="start"),
                hint="the rolling 24-h day came in 2017 [S13]: use a later rule set for rolling windows",
            )


def _without_duplicates(w: Windows, order: npt.NDArray[np.intp], source: str) -> Windows:
    """Sorted windows without repeats of the same city, issue and window; contradictory duplicates (the same
    window with different values) are refused, each named by its input row (``order`` maps back to it)."""
    same = (w.city[1:] == w.city[:-1]) & (w.issued_s[1:] == w.issued_s[:-1]) & (w.start_s[1:] == w.start_s[:-1])
    if not same.any():
        return w
    differs = same & ~(
        (np.isclose(w.high[1:], w.high[:-1]) | (np.isnan(w.high[1:]) & np.isnan(w.high[:-1])))
        & (np.isclose(w.low[1:], w.low[:-1]) | (np.isnan(w.low[1:]) & np.isnan(w.low[:-1])))
    )
    if differs.any():
        problems = []
        for k in np.flatnonzero(differs)[:50]:
            row = int(order[k + 1]) + 1
            problems.append(
                Problem(
                    "the same forecast window twice with different values",
                    Location(source=source, row=row, field="aqi_high"),
                    expected=f"one AQI range per city, issue time and window start (row {int(order[k]) + 1})",
                    given=f"{w.low[k]:g}–{w.high[k]:g} and {w.low[k + 1]:g}–{w.high[k + 1]:g}",
                    kind=DuplicateRecordError,
                )
            )
        raise DuplicateRecordError.refuse(
            problems,
            summary=f"{source}: {len(problems)} contradictory duplicate forecast windows",
            hint="keep one row per window, or give the later forecast a later issued_at",
        )
    return w.take(np.concatenate([[True], ~same]))


def daily_frame(daily: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validated daily frame: city code, day (datetime64[s], local calendar day), aqi (float, NaN = missing)."""
    _require_columns(daily, DAILY_COLUMNS, source)
    frame = daily.reset_index(drop=True)
    city = _city_codes(frame["city"], source)
    try:
        day = pd.to_datetime(frame["date"].astype(str), format="ISO8601")
    except (ValueError, TypeError):
        raise InputError(
            f"{source}: date is not a day",
            expected="YYYY-MM-DD (a calendar day in China Standard Time)",
            given=repr(frame["date"].iloc[0]),
            where=Location(source=source, field="date"),
        ) from None
    if day.dt.tz is not None or (day != day.dt.normalize()).any():
        raise InputError(
            f"{source}: date must be a calendar day",
            expected="YYYY-MM-DD without a time or time zone (the day in China Standard Time)",
            given=repr(frame["date"].iloc[0]),
            where=Location(source=source, field="date"),
        )
    aqi = _numbers(frame["aqi"], "aqi", source)
    out = pd.DataFrame({"city": city, "date": day.dt.as_unit("s"), "aqi": aqi})
    out = out.sort_values(["city", "date"], kind="stable").reset_index(drop=True)
    same = (out["city"].to_numpy()[1:] == out["city"].to_numpy()[:-1]) & (
        out["date"].to_numpy()[1:] == out["date"].to_numpy()[:-1]
    )
    if same.any():
        v = out["aqi"].to_numpy()
        differs = same & ~((v[1:] == v[:-1]) | (np.isnan(v[1:]) & np.isnan(v[:-1])))
        if differs.any():
            k = int(np.flatnonzero(differs)[0])
            raise DuplicateRecordError(
                f"{source}: the same city and day twice with different AQI",
                expected="one AQI per city and day",
                given=f"city {out['city'].iloc[k]}, {out['date'].iloc[k].date()}: AQI {v[k]:g} and {v[k + 1]:g}",
                where=Location(source=source, field="aqi"),
            )
        out = out.drop_duplicates(["city", "date"]).reset_index(drop=True)
    return out


__all__ = [
    "DAILY_COLUMNS",
    "FORECAST_COLUMNS",
    "Windows",
    "daily_frame",
    "given_repr",
    "validate_forecasts",
]
