"""A small builder for toy forecasts, so that each test reads like the rule it checks.

``days(201, 201, 301)`` is three touching natural-day windows (00:00–24:00 +08:00) from 2016-12-16 with those
upper-bound AQIs; ``windows((0, 151), (23, 151))`` places 24-h windows at hour offsets of your choice
(overlapping rolling days). ``level(frame, rules)`` is the strictest recommended level.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from xietong.air.warning import RuleSet, WarningLevel, recommend

T0 = pd.Timestamp("2016-12-16T00:00+08:00")
ISSUED = pd.Timestamp("2016-12-15T17:00+08:00")


def windows(
    *items: tuple[float, float] | tuple[float, float, float],
    city: str = "110000",
    t0: pd.Timestamp = T0,
    issued: pd.Timestamp = ISSUED,
) -> pd.DataFrame:
    """24-h windows ``(offset_h, aqi_high)`` or ``(offset_h, aqi_high, aqi_low)`` from ``t0``."""
    rows = []
    for item in items:
        offset_h, high = item[0], item[1]
        low = item[2] if len(item) == 3 else high
        start = t0 + pd.Timedelta(hours=offset_h)
        rows.append(
            {
                "city": city,
                "issued_at": issued,
                "start": start,
                "end": start + pd.Timedelta(hours=24),
                "aqi_low": low,
                "aqi_high": high,
            }
        )
    return pd.DataFrame(rows)


def days(*highs: float, city: str = "110000", t0: pd.Timestamp = T0) -> pd.DataFrame:
    """Touching natural-day windows with these upper-bound AQIs."""
    return windows(*((24 * k, h) for k, h in enumerate(highs)), city=city, t0=t0)


def level(frame: pd.DataFrame, rules: str | RuleSet) -> WarningLevel:
    """The strictest recommended level over all cities and episodes."""
    return WarningLevel(str(recommend(frame, rules)["level"].max()))


def clause(frame: pd.DataFrame, rules: str | RuleSet) -> str | None:
    """The clause that set the strictest level (``None`` when nothing fires)."""
    rec = recommend(frame, rules)
    top = rec.loc[rec["level"] == rec["level"].max()].iloc[0]
    return None if pd.isna(top["clause"]) else str(top["clause"])


def levels(frame: pd.DataFrame, rules: str | RuleSet) -> list[str]:
    """Levels of every recommended row, in order."""
    return [str(v) for v in recommend(frame, rules)["level"]]


def hours(*offsets: float, aqi: float) -> Sequence[tuple[float, float]]:
    """Windows at these hour offsets, all with the same AQI."""
    return [(o, aqi) for o in offsets]
