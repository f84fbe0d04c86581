"""Air-quality indicators that agreement tasks can bind to (registered in ``xietong.agreements.indicators``)."""

from __future__ import annotations

import datetime as dt

from xietong.agreements.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.air import reports
from xietong.air.reports import AqiRequest, Level, ReportKind
from xietong.config import DISPLAY_TZ
from xietong.errors import InputError

#: HJ 633 Table 2 (2012) / Table 1 (2026): levels I and II (AQI ≤ 100) are the "good" days (优良天数)
GOOD_AQI_MAX = 100


def _good_days(ctx: Context) -> Reading:
    """Days on which the city's daily AQI (all pollutants, HJ 633 in force on the date) is at most 100."""
    today = ctx.now.astimezone(DISPLAY_TZ).date()
    first = dt.date.fromisoformat(ctx.params["from"]) if "from" in ctx.params else dt.date(today.year, 1, 1)
    last = dt.date.fromisoformat(ctx.params["to"]) if "to" in ctx.params else today
    request = AqiRequest(Level.CITY, ReportKind.DAILY, first, last, cities=(ctx.params["city"],))
    try:
        table = reports.aqi_table(ctx.store, ctx.principal, request)
    except InputError as exc:
        return Reading(None, None, {"reason": exc.message})
    aqi = table["aqi"].dropna().astype(float)
    if aqi.empty:
        return Reading(None, None, {"days_with_aqi": 0, "first_day": first.isoformat(), "last_day": last.isoformat()})
    good = int((aqi <= GOOD_AQI_MAX).sum())
    return Reading(
        value=float(good),
        as_of=table["time"].max().to_pydatetime(),
        details={
            "days_with_aqi": len(aqi),
            "share_good": good / len(aqi),
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
        },
    )


def indicators() -> list[Indicator]:
    """The air module's indicators."""
    return [
        Indicator(
            key="air.good_days",
            name="Good days (优良天数): city daily AQI at most 100",
            description=(
                "Days on which the city's daily AQI — all six pollutants, site daily values with GB 3095 "
                "validity averaged over the evaluation sites, HJ 633 edition in force on the date — is at "
                "most 100 (levels I and II). Default period: this calendar year to date."
            ),
            unit="days",
            comparator=Comparator.GE,
            target=None,
            compute=_good_days,
            params=(
                Param("city", ParamKind.JURISDICTION, "city code or name (Beijing, Tianjin, a Hebei city)", True),
                Param("from", ParamKind.DAY, "first day counted (China Standard Time); default: 1 January"),
                Param("to", ParamKind.DAY, "last day counted, inclusive; default: today"),
            ),
            module="air",
        )
    ]


__all__ = ["GOOD_AQI_MAX", "indicators"]
