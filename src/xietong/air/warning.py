"""Heavy-pollution warning recommendation: rule sets as data, a pure engine, and a backtest timeline.

The grading rules of the Jing-Jin-Ji and national heavy-pollution warnings (STANDARDS.md §7.1) live in
``xietong/standards/warning_<rule set>.toml``, one file per rule set, registered as editions of the
standard ``warning``:

========================  ===========================================================  ==================
rule set                  levels and clauses (forecast daily AQI, upper bound)          in force from
========================  ===========================================================  ==================
``jjj-2016``              blue > 200 (24 h); yellow > 200 for 48 h; orange > 200 for    2016-02-05 [R]
                          72 h and > 300 for 24 h; red > 200 for 96 h and > 300 for
                          48 h, or ≥ 500                                                [C:S12][C:S13]
``national-2018``         yellow > 200 for 48 h; orange 72 h; red 96 h and > 300 for    2018-07-01 [R]
                          48 h, or ≥ 500                                                [C:S15]
``key-regions-2019``      = key-regions-2024 (recalled)                                 2019-07-01 [R]
``key-regions-2024``      yellow > 200, or > 150 for 48 h; orange > 200 for 48 h, or    2024-01-23
                          > 150 for 72 h; red > 200 for 72 h and > 300 for 24 h         [C:S16]
========================  ===========================================================  ==================

How the engine reads a rule (``docs/warning.md`` has the full account):

* The input is a set of forecast **windows** per city: 24-h means of the AQI, each with a range
  ``[aqi_low, aqi_high]``. The level follows the **upper bound** of the range (``aqi_high``) [C:S12].
  A window may start at any hour ("daily AQI = any 24 consecutive hours" [C:S13]) and windows may overlap;
  ``jjj-2016`` takes natural days only (the rolling day came in 2017 [C:S13]).
* A condition "AQI > 200 for 72 h" holds over a **chain** of windows that overlap or touch and all meet
  ``AQI > 200``; its duration is the time the chain covers (two touching day windows = 48 h; windows
  00:00–24:00 and 23:00–23:00 = 47 h). Missing windows break a chain.
* A clause fires over the time its chain covers; an ``and`` condition ("and > 300 for 24 h") is measured
  inside that chain (``run = "consecutive"``: the longest chain; ``"total"``: the sum).
* Firings of all clauses are merged into **episodes** when the gap between them is at most
  ``merge_gap_hours`` (36 h by default [R]); an episode is warned at its strictest level [C:S13].
* **Lift**: an episode's warning may be lifted at its end when the forecast shows no firing for more than
  ``quiet_hours`` (36 h [C:S19]) after it; :func:`recommend` reports the forecast quiet time and whether the
  lift is confirmed by the forecast.

The public functions are pure: DataFrames in, DataFrames out, no I/O and no database.

>>> import pandas as pd
>>> days = pd.DataFrame({"city": "Beijing", "date": pd.date_range("2016-12-15", periods=8).date,
...                      "aqi": [120, 160, 230, 320, 310, 260, 180, 90]})
>>> tl = episodes(days, "key-regions-2024")
>>> "".join(tl["level"].map({"none": ".", "yellow": "Y", "orange": "O", "red": "R"}))
'.RRRRRR.'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.air import aqi as aqi_engine
from xietong.air.warning_input import (
    DAILY_COLUMNS,
    FORECAST_COLUMNS,
    Windows,
    daily_frame,
    given_repr,
    validate_forecasts,
)
from xietong.air.warning_rulesets import (
    DAY_S,
    DEFAULT_RULE_SET,
    HOUR_S,
    LEVEL_DTYPE,
    STANDARD,
    WINDOW_HOURS,
    Clause,
    Comparison,
    Condition,
    RuleSet,
    RunMeasure,
    load_rules,
    rule_sets,
    rules_in_force,
)
from xietong.config import DISPLAY_TZ
from xietong.enums import Pollutant, WarningLevel
from xietong.errors import InputError

# --------------------------------------------------------------------------------------------- engine


def _chains(
    start_s: npt.NDArray[np.int64], end_s: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]
) -> list[tuple[int, int, npt.NDArray[np.intp]]]:
    """Chains of overlapping or touching windows among those where ``mask`` holds.

    Windows are sorted by start. Returns ``(chain start, chain end, window indices)`` per chain [s].
    """
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    s, e = start_s[idx], end_s[idx]
    reach = np.maximum.accumulate(e)
    breaks = np.flatnonzero(s[1:] > reach[:-1]) + 1
    bounds = np.concatenate([[0], breaks, [idx.size]])
    return [(int(s[a]), int(reach[b - 1]), idx[a:b]) for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True, slots=True)
class _Firing:
    clause: Clause
    order: int  # position of the clause in the rule-set file
    start_s: int
    end_s: int
    windows: npt.NDArray[np.intp]  # the chain meeting `when`
    and_windows: npt.NDArray[np.intp]  # windows of the chain meeting `and` (empty without `and`)
    and_hours: float


@dataclass(slots=True)
class _Episode:
    start_s: int
    end_s: int
    firings: list[_Firing] = field(default_factory=list)
    quiet_hours: float = 0.0
    _top: _Firing | None = None

    @property
    def top(self) -> _Firing:
        """The firing that sets the level: strictest level, then file order of the clause, then earliest."""
        if self._top is None:
            self._top = min(self.firings, key=lambda f: (-f.clause.level.rank, f.order, f.start_s))
        return self._top

    @property
    def level(self) -> WarningLevel:
        return self.top.clause.level


def _firings(
    start_s: npt.NDArray[np.int64], end_s: npt.NDArray[np.int64], high: npt.NDArray[np.float64], rules: RuleSet
) -> list[_Firing]:
    out: list[_Firing] = []
    empty = np.zeros(0, dtype=np.intp)
    for order, clause in enumerate(rules.clauses):
        need_s = clause.when.hours * HOUR_S
        for cs, ce, idx in _chains(start_s, end_s, clause.when.met(high)):
            if ce - cs < need_s:
                continue
            if clause.and_ is None:
                out.append(_Firing(clause, order, cs, ce, idx, empty, 0.0))
                continue
            inside = np.zeros(len(high), dtype=bool)
            inside[idx] = True
            sub = _chains(start_s, end_s, clause.and_.met(high) & inside)
            lengths = [b - a for a, b, _ in sub]
            measure = (max(lengths) if clause.and_.run is RunMeasure.CONSECUTIVE else sum(lengths)) if sub else 0
            if measure >= clause.and_.hours * HOUR_S:
                and_idx = np.concatenate([i for _, _, i in sub])
                out.append(_Firing(clause, order, cs, ce, idx, and_idx, measure / HOUR_S))
    return out


def _episodes_of(
    start_s: npt.NDArray[np.int64], end_s: npt.NDArray[np.int64], high: npt.NDArray[np.float64], rules: RuleSet
) -> list[_Episode]:
    """Episodes of one city's windows (sorted by start), with the forecast quiet time after each."""
    firings = sorted(_firings(start_s, end_s, high, rules), key=lambda f: (f.start_s, f.end_s))
    gap_s = rules.merge_gap_hours * HOUR_S
    episodes: list[_Episode] = []
    for f in firings:
        if episodes and f.start_s - episodes[-1].end_s <= gap_s:
            ep = episodes[-1]
            ep.end_s = max(ep.end_s, f.end_s)
            ep.firings.append(f)
        else:
            episodes.append(_Episode(f.start_s, f.end_s, [f]))
    # quiet time after each episode: covered by valid windows and free of firings
    coverage = _chains(start_s, end_s, ~np.isnan(high))
    for k, ep in enumerate(episodes):
        covered_to = next((ce for cs, ce, _ in coverage if cs <= ep.end_s <= ce), ep.end_s)
        if k + 1 < len(episodes):
            covered_to = min(covered_to, episodes[k + 1].start_s)
        ep.quiet_hours = (covered_to - ep.end_s) / HOUR_S
    return episodes


# --------------------------------------------------------------------------------------------- recommend


def _ts(seconds: int) -> pd.Timestamp:
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def _local(seconds: int) -> str:
    return _ts(seconds).tz_convert(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


def _evidence(ep: _Episode, w: Windows, offset: int) -> tuple[dict[str, Any], ...]:
    top = ep.top
    and_set = {int(i) for i in top.and_windows}
    rows = []
    for i in top.windows:
        j = offset + int(i)
        meets = [top.clause.when.describe().split(" for ")[0]]
        if int(i) in and_set and top.clause.and_ is not None:
            meets.append(top.clause.and_.describe().split(" for ")[0])
        rows.append(
            {
                "start": _ts(int(w.start_s[j])),
                "end": _ts(int(w.end_s[j])),
                "aqi_low": float(w.low[j]),
                "aqi_high": float(w.high[j]),
                "primary": w.primary[j],
                "meets": " and ".join(meets),
            }
        )
    return tuple(rows)


def _reason(ep: _Episode) -> str:
    top = ep.top
    c = top.clause
    text = (
        f"{c.id} ({c.text}) [{c.tag}]: upper-bound AQI {c.when.op.value} {c.when.aqi:g} for "
        f"{(top.end_s - top.start_s) / HOUR_S:g} h, {_local(top.start_s)} to {_local(top.end_s)} (+08:00)"
    )
    if c.and_ is not None:
        text += f", and {c.and_.op.value} {c.and_.aqi:g} for {top.and_hours:g} h"
    others = sorted({f.clause.id for f in ep.firings} - {c.id})
    if others:
        text += "; also fired: " + ", ".join(others)
    return text


def recommend(
    forecasts: pd.DataFrame,
    rules: str | RuleSet = DEFAULT_RULE_SET,
    *,
    as_of: datetime | pd.Timestamp | None = None,
    source: str = "forecasts",
) -> pd.DataFrame:
    """Recommended warnings per city from a forecast frame.

    Parameters
    ----------
    forecasts:
        One row per city, issue and 24-h forecast window:

        ============  ==========================================================================
        ``city``      GB/T 2260 code (``"110000"``) or a name known to :mod:`xietong.region`
        ``issued_at`` when the forecast was issued; aware (UTC or with an offset)
        ``start``     start of the 24-h window; aware. Any hour (rolling day), except under
                      ``jjj-2016``, which takes natural days (00:00 China Standard Time)
        ``end``       ``start`` + 24 h; aware
        ``aqi_low``   lower bound of the forecast daily AQI [AQI, dimensionless]; may be empty
        ``aqi_high``  upper bound [AQI]: **the level follows it** [C:S12]; empty = no forecast
        ``primary``   optional: expected primary pollutant (copied into the evidence)
        ============  ==========================================================================

        Windows of one issue may overlap (hourly rolling 24-h means). Per city only the latest issue
        (at or before ``as_of``) is used: a newer forecast replaces an older one.
    rules:
        Rule-set id (``"key-regions-2024"``; see :func:`rule_sets`) or a :class:`RuleSet`.
    as_of:
        Ignore issues after this time (aware). Default: use every issue.
    source:
        Name of the input in error messages.

    Returns
    -------
    DataFrame
        One row per city and warning episode, ordered by city and start; a city with no episode gets one
        row with level ``none``. Columns:

        ================  ======================================================================
        ``city``          GB/T 2260 code
        ``rules``         rule-set id
        ``issued_at``     issue time of the forecast used [UTC]
        ``level``         :data:`LEVEL_DTYPE` (``none`` … ``red``)
        ``start``         first hour of the episode [UTC]; NaT for none
        ``end``           end of the episode (exclusive) [UTC]; NaT for none
        ``clause``        id of the clause that set the level (``key-regions-2024/red/a``)
        ``clauses``       tuple of every clause id that fired in the episode
        ``reason``        one sentence naming clause, thresholds, durations and times
        ``evidence``      tuple of dicts, one per window of the deciding chain: ``start``, ``end``,
                          ``aqi_low``, ``aqi_high``, ``primary``, ``meets``
        ``max_aqi_high``  highest upper-bound AQI inside the episode (the whole forecast for none)
        ``quiet_hours``   forecast hours after ``end`` below every clause [h]
        ``lift_confirmed`` ``quiet_hours`` > the rule set's ``quiet_hours`` (36 h): the forecast
                          already shows that the warning can be lifted at ``end`` [C:S19]
        ================  ======================================================================

    Raises
    ------
    InputError
        Missing columns, naive times, windows not 24 h long, ``aqi_low > aqi_high``, negative AQI,
        non-midnight windows under a natural-day rule set.
    DuplicateRecordError
        The same city, issue and window twice with different values.
    UnknownJurisdictionError
        A city that :mod:`xietong.region` does not know.
    """
    ruleset = load_rules(rules)
    w = validate_forecasts(forecasts, ruleset, source)
    if as_of is not None:
        cutoff = pd.Timestamp(as_of)
        if cutoff.tzinfo is None:
            raise InputError("as_of has no time zone", expected="an aware time", given=repr(as_of))
        w = w.take(w.issued_s <= int(cutoff.tz_convert("UTC").timestamp()))
    rows: list[dict[str, Any]] = []
    if len(w.city) == 0:
        return _recommendation_frame(rows)
    bounds = np.flatnonzero(np.r_[True, w.city[1:] != w.city[:-1], True])
    for a, b in itertools.pairwise(bounds):
        rows += _city_recommendations(w, int(a), int(b), ruleset)
    return _recommendation_frame(rows)


def _city_recommendations(w: Windows, a: int, b: int, ruleset: RuleSet) -> list[dict[str, Any]]:
    """The rows of :func:`recommend` for the city of windows ``a:b``, from its latest issue."""
    latest = w.issued_s[a:b].max()
    sel = np.flatnonzero(w.issued_s[a:b] == latest)
    a2, b2 = a + int(sel[0]), a + int(sel[-1]) + 1
    start_s, end_s, high = w.start_s[a2:b2], w.end_s[a2:b2], w.high[a2:b2]
    base = {"city": str(w.city[a]), "rules": ruleset.id, "issued_at": _ts(int(latest))}
    eps = _episodes_of(start_s, end_s, high, ruleset)
    if not eps:
        return [
            base
            | {
                "level": WarningLevel.NONE.value,
                "start": pd.NaT,
                "end": pd.NaT,
                "clause": None,
                "clauses": (),
                "reason": f"no clause of {ruleset.id} fires in the forecast issued {_local(int(latest))} (+08:00)",
                "evidence": (),
                "max_aqi_high": float(np.nanmax(high)) if np.isfinite(high).any() else np.nan,
                "quiet_hours": np.nan,
                "lift_confirmed": pd.NA,
            }
        ]
    rows = []
    for ep in eps:
        inside = (start_s >= ep.start_s) & (end_s <= ep.end_s)
        rows.append(
            base
            | {
                "level": ep.level.value,
                "start": _ts(ep.start_s),
                "end": _ts(ep.end_s),
                "clause": ep.top.clause.id,
                "clauses": tuple(sorted({f.clause.id for f in ep.firings})),
                "reason": _reason(ep),
                "evidence": _evidence(ep, w, a2),
                "max_aqi_high": float(np.nanmax(high[inside])),
                "quiet_hours": ep.quiet_hours,
                "lift_confirmed": ep.quiet_hours > ruleset.quiet_hours,
            }
        )
    return rows


_RECOMMEND_COLUMNS = (
    "city",
    "rules",
    "issued_at",
    "level",
    "start",
    "end",
    "clause",
    "clauses",
    "reason",
    "evidence",
    "max_aqi_high",
    "quiet_hours",
    "lift_confirmed",
)


def _recommendation_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(_RECOMMEND_COLUMNS))
    frame["level"] = frame["level"].astype(LEVEL_DTYPE)
    for col in ("issued_at", "start", "end"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["clause"] = frame["clause"].astype(object)
    frame["clauses"] = frame["clauses"].astype(object)
    frame["evidence"] = frame["evidence"].astype(object)
    frame["lift_confirmed"] = frame["lift_confirmed"].astype("boolean")
    frame["max_aqi_high"] = frame["max_aqi_high"].astype(float)
    frame["quiet_hours"] = frame["quiet_hours"].astype(float)
    return frame


# --------------------------------------------------------------------------------------------- daily / backtest


def daily_windows(daily: pd.DataFrame, *, source: str = "daily") -> pd.DataFrame:
    """A daily AQI frame as a perfect forecast: one 24-h window per natural day (00:00–24:00 +08:00).

    ``issued_at`` is the start of each city's first day, ``aqi_low = aqi_high = aqi``. Days with a missing
    AQI are kept with empty bounds (they break chains).
    """
    d = daily_frame(daily, source)
    start = d["date"].dt.tz_localize(DISPLAY_TZ).dt.tz_convert("UTC")
    issued = start.groupby(d["city"]).transform("min")
    return pd.DataFrame(
        {
            "city": d["city"],
            "issued_at": issued,
            "start": start,
            "end": start + pd.Timedelta(hours=WINDOW_HOURS),
            "aqi_low": d["aqi"],
            "aqi_high": d["aqi"],
        }
    )


def episodes(daily: pd.DataFrame, rules: str | RuleSet = DEFAULT_RULE_SET, *, source: str = "daily") -> pd.DataFrame:
    """Timeline of recommended levels per city and day, using observed daily AQI as a perfect forecast.

    Parameters
    ----------
    daily:
        ``city`` (code or name), ``date`` (calendar day in China Standard Time, ``YYYY-MM-DD``, date or
        naive midnight timestamp), ``aqi`` (daily AQI [AQI]; NaN = missing, which breaks a chain).
    rules:
        Rule-set id or :class:`RuleSet`.

    Returns
    -------
    DataFrame
        One row per input day, ordered by city and date: ``city`` (code), ``date`` (datetime64, the local
        day), ``aqi``, ``level`` (:data:`LEVEL_DTYPE`: the level of the episode covering the day, merged
        gaps included), ``clause`` (id that set the episode's level, or NA), ``episode`` (``Int64``,
        1, 2 … per city; NA outside episodes), ``rules``.
    """
    ruleset = load_rules(rules)
    d = daily_frame(daily, source)
    day_s = (d["date"].astype("int64").to_numpy() - 8 * HOUR_S).astype(np.int64)  # local midnight → UTC s
    high = d["aqi"].to_numpy(dtype=float)
    city = d["city"].to_numpy(dtype=object)
    level = np.full(len(d), WarningLevel.NONE.value, dtype=object)
    clause = np.full(len(d), None, dtype=object)
    episode = np.zeros(len(d), dtype=np.int64)
    bounds = np.flatnonzero(np.r_[True, city[1:] != city[:-1], True]) if len(d) else np.zeros(0, dtype=np.intp)
    for a, b in itertools.pairwise(bounds):
        s = day_s[a:b]
        eps = _episodes_of(s, s + DAY_S, high[a:b], ruleset)
        if not eps:
            continue
        # episodes are disjoint and sorted: each day falls in the last episode starting at or before it
        starts = np.array([ep.start_s for ep in eps], dtype=np.int64)
        ends = np.array([ep.end_s for ep in eps], dtype=np.int64)
        k = np.searchsorted(starts, s, side="right") - 1
        hit = (k >= 0) & (s < ends[np.maximum(k, 0)])
        rows, which = a + np.flatnonzero(hit), k[hit]
        level[rows] = np.array([ep.level.value for ep in eps], dtype=object)[which]
        clause[rows] = np.array([ep.top.clause.id for ep in eps], dtype=object)[which]
        episode[rows] = which + 1
    return pd.DataFrame(
        {
            "city": d["city"],
            "date": d["date"],
            "aqi": d["aqi"],
            "level": pd.Series(level, dtype=LEVEL_DTYPE),
            "clause": pd.Series(clause, dtype=object),
            "episode": pd.Series(episode, dtype="Int64").mask(episode == 0),
            "rules": ruleset.id,
        }
    )


def backtest(
    daily: pd.DataFrame,
    rules: Iterable[str | RuleSet] | None = None,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    source: str = "daily",
) -> pd.DataFrame:
    """:func:`episodes` under several rule sets, stacked, clipped to ``start``…``end`` (inclusive days).

    The episodes are found on the whole input (so an episode that began before ``start`` keeps its
    level); only the output is clipped. ``rules`` defaults to every registered rule set.
    """
    chosen = list(rules) if rules is not None else list(rule_sets())
    frames = [episodes(daily, r, source=source) for r in chosen]
    out = pd.concat(frames, ignore_index=True)
    if start is not None:
        out = out[out["date"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["date"] <= pd.Timestamp(end)]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------- AQI proxy

#: HJ 633-2012 Table 1, PM2.5 24-h average breakpoints [µg/m³] and their IAQI [C:S1]
PM25_24H_BREAKPOINTS_UG_M3: tuple[float, ...] = (0, 35, 75, 115, 150, 250, 350, 500)
IAQI_BREAKPOINTS: tuple[float, ...] = (0, 50, 100, 150, 200, 300, 400, 500)


@overload
def pm25_aqi_proxy(pm25_ug_m3: float) -> float: ...
@overload
def pm25_aqi_proxy(pm25_ug_m3: pd.Series) -> pd.Series: ...
@overload
def pm25_aqi_proxy(pm25_ug_m3: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
def pm25_aqi_proxy(pm25_ug_m3: Any) -> Any:
    """Daily AQI **proxy from PM2.5 alone**: the PM2.5 24-h IAQI of HJ 633-2012.

    IAQI = linear interpolation between the Table 1 breakpoints (HJ 633-2012 §4.2, [C:S1]), rounded
    **up** to an integer (§6.2 "进位取整数"). It is not the AQI: the AQI is the maximum IAQI over all
    pollutants (§4.4.1), so this proxy is a lower bound of the real daily AQI. It suits PM2.5-driven winter
    episodes, which is what the backtest uses it for. Computed by the platform's exact AQI engine
    (:func:`xietong.air.aqi.iaqi`).

    Parameters
    ----------
    pm25_ug_m3:
        Daily mean PM2.5 concentration [µg/m³]; scalar, array or Series. NaN stays NaN.

    Returns
    -------
    The IAQI [dimensionless], same shape and kind as the input. Above the top breakpoint
    (500 µg/m³) HJ 633 defines nothing; the AQI range ends at 500 (HJ 633-2026 §4.1.1), so 500 is
    returned. Negative concentrations raise :class:`~xietong.errors.InputError`.
    """
    values = (
        pm25_ug_m3.to_numpy(dtype=float) if isinstance(pm25_ug_m3, pd.Series) else np.asarray(pm25_ug_m3, dtype=float)
    )
    if np.any(values < 0):
        raise InputError(
            "negative PM2.5 concentration",
            expected="a daily mean ≥ 0 µg/m³",
            given=repr(float(values[values < 0].flat[0])),
            hint="missing values must be NaN, not negative sentinels",
        )
    # the air engine's exact IAQI (scaled-integer arithmetic, ceiling), HJ 633-2012 24-h table
    masked = aqi_engine.iaqi(np.atleast_1d(values), Pollutant.PM25, "24h", edition="2012")
    out = np.ma.filled(np.ma.asarray(masked).astype(float), np.nan).reshape(np.shape(values))
    if isinstance(pm25_ug_m3, pd.Series):
        return pd.Series(out, index=pm25_ug_m3.index, name=pm25_ug_m3.name)
    if np.ndim(out) == 0:
        return float(out)
    return cast(npt.NDArray[np.float64], out)


__all__ = [
    "DAILY_COLUMNS",
    "DEFAULT_RULE_SET",
    "FORECAST_COLUMNS",
    "IAQI_BREAKPOINTS",
    "LEVEL_DTYPE",
    "PM25_24H_BREAKPOINTS_UG_M3",
    "STANDARD",
    "WINDOW_HOURS",
    "Clause",
    "Comparison",
    "Condition",
    "RuleSet",
    "RunMeasure",
    "WarningLevel",
    "backtest",
    "daily_windows",
    "episodes",
    "given_repr",
    "load_rules",
    "pm25_aqi_proxy",
    "recommend",
    "rule_sets",
    "rules_in_force",
]
