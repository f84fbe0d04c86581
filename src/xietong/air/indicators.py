"""Air-quality and warning indicators that agreement tasks and the dashboard bind to (published through the
air domain's contract, ``xietong.air.domain``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from xietong.air import backtest, reports, service
from xietong.air import warning as warning_rules
from xietong.air.reports import AqiRequest, Level, ReportKind
from xietong.air.tables import air_station, warning, warning_city, warning_event
from xietong.config import DISPLAY_TZ
from xietong.enums import FLAG_CODE, POLLUTANTS, Pollutant, QualityFlag, WarningStatus
from xietong.errors import InputError
from xietong.indicators import PERIOD_PARAMS, Comparator, Context, Indicator, Param, ParamKind, Reading, day_bounds

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


def _warnings_issued(ctx: Context) -> Reading:
    """Warnings that reached issue through the consultation (an ``issued`` event), by first issue time."""
    start, end = day_bounds(ctx.params)
    e = warning_event.c
    first_issue = (
        sa.select(e.warning_id, sa.func.min(e.at).label("issued_at"))
        .where(e.kind == "issued")
        .group_by(e.warning_id)
        .subquery()
    )
    q = (
        sa.select(warning.c.id, first_issue.c.issued_at)
        .join(first_issue, first_issue.c.warning_id == warning.c.id)
        .where(warning.c.status.in_([WarningStatus.ISSUED.value, WarningStatus.CLOSED.value]))
        .order_by(warning.c.id)
    )
    city = ctx.params.get("city")
    with ctx.store.read() as conn:
        rows = [(int(r.id), r.issued_at) for r in conn.execute(q)]
        if city is not None:
            in_city = {
                int(r[0])
                for r in conn.execute(sa.select(e.warning_id).where(e.kind == "issued", e.city_code == city).distinct())
            }
            rows = [r for r in rows if r[0] in in_city]
        last_event = conn.execute(sa.select(sa.func.max(e.at))).scalar_one_or_none()
        cities: dict[str, int] = {}
        ids = [i for i, at in rows if (start is None or at >= start) and (end is None or at < end)]
        if ids:
            for code, n in conn.execute(
                sa.select(warning_city.c.city_code, sa.func.count())
                .where(warning_city.c.warning_id.in_(ids), warning_city.c.status.in_(["issued", "lifted"]))
                .group_by(warning_city.c.city_code)
                .order_by(warning_city.c.city_code)
            ):
                cities[str(code)] = int(n)
    return Reading(
        value=float(len(ids)),
        as_of=last_event,
        details={"warnings": ids, "issued_in_cities": cities, "period": dict(ctx.params)},
    )


#: GB 3095-2012 Table 1, grade II, PM2.5 24-h limit [µg/m³]
PM25_24H_GRADE_II_UG_M3 = 75
#: GB 3095-2012 and -2026 Table 4: a daily mean needs at least 20 hourly values
MIN_HOURS_PER_DAY = 20


def _city_daily_pm25(
    ctx: Context, city: str, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[pd.Series, list[str], dt.datetime | None, list[str]]:
    """The city's PM2.5 daily means from the store: ``(means by day, stations, newest hour, stations with means)``.

    Per non-background station, a day (China Standard Time; hour labels 01:00 … 24:00) has a daily mean
    when at least 20 valid hourly values exist (GB 3095 Table 4); the city's daily mean is the arithmetic
    mean of its stations' daily means (the site mean, STANDARDS.md §3.3).
    """
    with ctx.store.read() as conn:
        codes = [
            str(r[0])
            for r in conn.execute(
                sa.select(air_station.c.code)
                .where(air_station.c.city_code == city, air_station.c.background.is_(False))
                .order_by(air_station.c.code)
            )
        ]
    if not codes:
        return pd.Series(dtype="float64"), codes, None, []
    query = service.ObservationQuery(
        stations=tuple(codes), start=start + dt.timedelta(hours=1) if start else None, end=end
    )
    frame = service.read_observations_frame(ctx.store, ctx.principal, query)
    shift = 2 * POLLUTANTS.index(Pollutant.PM25)
    flags = (frame["flag_bits"].to_numpy(dtype="int64") >> shift) & 3
    valid = frame["pm25"].notna().to_numpy() & (flags == FLAG_CODE[QualityFlag.VALID])
    frame = frame[valid]
    if frame.empty:
        return pd.Series(dtype="float64"), codes, None, []
    day = (frame["time"].dt.tz_convert(DISPLAY_TZ) - pd.Timedelta(hours=1)).dt.date
    per_station = frame.assign(day=day).groupby(["station", "day"])["pm25"].agg(["mean", "count"])
    per_station = per_station[per_station["count"] >= MIN_HOURS_PER_DAY]
    with_means = sorted({str(k[0]) for k in per_station.index})
    return per_station.groupby(level="day")["mean"].mean(), codes, frame["time"].max().to_pydatetime(), with_means


def _pm25_days(ctx: Context) -> Reading:
    """Days on which the city's PM2.5 daily mean (:func:`_city_daily_pm25`) is at or below the limit;
    means are compared unrounded."""
    city = ctx.params["city"]
    limit = float(ctx.params["limit_ug_m3"])
    start, end = day_bounds(ctx.params)
    city_daily, codes, newest, with_means = _city_daily_pm25(ctx, city, start, end)
    if not codes:
        return Reading(None, None, {"stations_in_city": 0, "reason": f"no monitoring station in {city}"})
    if newest is None:
        return Reading(None, None, {"stations_in_city": len(codes), "days_valid": 0, "limit_ug_m3": limit})
    at_or_below = int((city_daily <= limit).sum())
    days = len(city_daily)
    return Reading(
        value=float(at_or_below),
        as_of=newest,
        details={
            "stations_in_city": len(codes),
            "stations_with_daily_means": with_means,
            "limit_ug_m3": limit,
            "days_valid": days,
            "days_above": days - at_or_below,
            "share_at_or_below": at_or_below / days if days else None,
            "first_day": min(city_daily.index).isoformat() if days else None,
            "last_day": max(city_daily.index).isoformat() if days else None,
        },
    )


#: GB 3095-2012 Table 4: an annual mean needs at least 324 daily means in the year
MIN_DAYS_PER_YEAR = 324


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime.combine(dt.date(year, 1, 1), dt.time(0), DISPLAY_TZ).astimezone(dt.UTC)
    return first, dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time(0), DISPLAY_TZ).astimezone(dt.UTC)


def _pm25_annual(ctx: Context) -> Reading:
    """Annual mean of the city's PM2.5 daily means [µg/m³]; ``None`` with fewer than 324 daily means.

    Daily means come from the store's observations (:func:`_city_daily_pm25`); when the store holds none
    for the city and year, from the bundled SpTe2M daily city means (2014–2016; zeros are missing), as the
    warning backtest does. The details name the source.
    """
    city, year = ctx.params["city"], int(ctx.params["year"])
    start, end = _year_bounds(year)
    daily, _codes, newest, _with = _city_daily_pm25(ctx, city, start, end)
    source = "store: city daily means of the non-background stations"
    if daily.empty:
        bundled = backtest.spte2m_daily()
        bundled = bundled[(bundled["city"] == city) & (bundled["date"].dt.year == year)]
        daily = bundled.set_index(bundled["date"].dt.date)["pm25"].dropna()
        source, newest = backtest.SOURCE_SPTE2M.replace("(PM2.5-only AQI)", "city daily means (bundled)"), None
    details = {"year": year, "daily_means": len(daily), "min_daily_means": MIN_DAYS_PER_YEAR, "source": source}
    if len(daily) < MIN_DAYS_PER_YEAR:
        reason = f"{len(daily)} daily means in {year}: GB 3095 Table 4 needs {MIN_DAYS_PER_YEAR} for an annual mean"
        return Reading(None, newest, {**details, "reason": reason})
    return Reading(float(daily.mean()), newest, details)


def _recommended_days(ctx: Context) -> Reading:
    """Days of the year on which the warning rules recommend a warning for the city (the backtest: observed
    daily AQI as a perfect forecast; the store's AQI, else the bundled SpTe2M PM2.5-only AQI)."""
    city, year = ctx.params["city"], int(ctx.params["year"])
    rules = ctx.params.get("rules") or warning_rules.rules_in_force(dt.date(year, 12, 31)).id
    try:
        timeline = backtest.backtest_timeline(
            ctx.store, ctx.principal, rules=[rules], start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
        )
    except InputError as exc:
        return Reading(None, None, {"year": year, "rules": rules, "reason": exc.message})
    mine = timeline[timeline["city_code"] == city]
    if mine.empty:
        return Reading(None, None, {"year": year, "rules": rules, "reason": f"no daily AQI of {city} in {year}"})
    levels = mine["level"].value_counts().to_dict()
    days = int((mine["level"] != "none").sum())
    return Reading(
        float(days),
        None,
        {
            "year": year,
            "rules": rules,
            "days_with_aqi": len(mine),
            "by_level": {str(k): int(v) for k, v in levels.items() if k != "none"},
            "source": str(mine["source"].iloc[0]),
        },
    )


def _warning_and_pm25_indicators() -> list[Indicator]:
    """The consultation and PM2.5 indicators (moved here from the agreements domain with the contract)."""
    return [
        Indicator(
            key="warnings.issued_through_consultation",
            name="Regional warnings issued through consultation",
            description=(
                "Heavy-pollution warnings that reached issue through the regional consultation (proposed, "
                "answered by the named jurisdictions, issued in at least one city), counted by the time of "
                "their first issue; closed warnings count, warnings issued nowhere do not."
            ),
            unit="warnings",
            comparator=Comparator.GE,
            target=1,
            compute=_warnings_issued,
            params=(*PERIOD_PARAMS, Param("city", ParamKind.JURISDICTION, "count only warnings issued in this city")),
            module="warnings",
        ),
        Indicator(
            key="air.pm25_days_at_or_below",
            name="Days with city PM2.5 at or below a limit",
            description=(
                "Days on which the city's PM2.5 daily mean (mean of its non-background stations' daily "
                "means, each from at least 20 valid hours) is at or below the limit; default limit "
                "75 µg/m³, the GB 3095-2012 grade II 24-h limit."
            ),
            unit="days",
            comparator=Comparator.GE,
            target=None,
            compute=_pm25_days,
            params=(
                Param("city", ParamKind.JURISDICTION, "city code or name (Beijing, Tianjin, a Hebei city)", True),
                Param(
                    "limit_ug_m3", ParamKind.NUMBER, "daily-mean limit [µg/m³]", default=str(PM25_24H_GRADE_II_UG_M3)
                ),
                *PERIOD_PARAMS,
            ),
            module="air",
        ),
    ]


def _siting_indicators() -> list[Indicator]:
    """Annual PM2.5 and recommended warning days of a city (read by the industry siting, among others)."""
    year = Param("year", ParamKind.NUMBER, "calendar year", True)
    city = Param("city", ParamKind.JURISDICTION, "city code or name (Beijing, Tianjin, a Hebei city)", True)
    return [
        Indicator(
            key="air.pm25_annual_mean_ug_m3",
            name="Annual mean PM2.5 of a city",
            description=(
                "Mean of the city's PM2.5 daily means over the calendar year (daily means of the non-background "
                "stations with at least 20 valid hours, averaged over the stations); no value with fewer than "
                "324 daily means (GB 3095 Table 4). Without observations in the store for the city and year, the "
                "bundled SpTe2M daily city means (2014–2016) are used. Compare with 35 µg/m³ (GB 3095 grade II)."
            ),
            unit="µg/m³",
            comparator=Comparator.LE,
            target=35,
            compute=_pm25_annual,
            params=(city, year),
            module="air",
        ),
        Indicator(
            key="warnings.recommended_days",
            name="Days a heavy-pollution warning is recommended in a city",
            description=(
                "Days of the calendar year on which the regional warning rules recommend a warning (any level) "
                "for the city, replaying the observed daily AQI as a perfect forecast (the warning backtest): "
                "the store's daily city AQI, else the bundled SpTe2M PM2.5-only AQI (2014–2016). Default rules: "
                "the rule set in force at the end of the year."
            ),
            unit="days",
            comparator=Comparator.LE,
            target=None,
            compute=_recommended_days,
            params=(city, year, Param("rules", ParamKind.TEXT, "warning rule set id (xietong warn rules)")),
            module="warnings",
        ),
    ]


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
        ),
        *_warning_and_pm25_indicators(),
        *_siting_indicators(),
    ]


__all__ = ["GOOD_AQI_MAX", "MIN_DAYS_PER_YEAR", "MIN_HOURS_PER_DAY", "PM25_24H_GRADE_II_UG_M3", "indicators"]
