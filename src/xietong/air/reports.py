"""AQI services: station and city AQI for a period, and the annual report of a city.

Everything is computed from the observations the store holds now (``xietong.air.service``) with the pure
engine (``xietong.air.aqi``, ``xietong.air.averaging``), so a value published or revised in the exchange
is reflected the next time it is asked for; nothing is cached that could go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from xietong import region
from xietong.air import aqi as aqi_engine
from xietong.air import averaging
from xietong.air.aqi import AqiEdition, MissingRule, PmRealtime
from xietong.air.service import ObservationQuery, read_observations_frame
from xietong.air.stations import list_stations
from xietong.config import DISPLAY_TZ
from xietong.errors import InputError
from xietong.exchange.principals import Principal
from xietong.store.session import Store
from xietong.times import check_year


class Level(StrEnum):
    """Spatial level of an AQI report."""

    STATION = "station"
    CITY = "city"


class ReportKind(StrEnum):
    """Real-time (hourly) or daily report (HJ 633 §5.1 / §5.2)."""

    HOURLY = "hourly"
    DAILY = "daily"


class MissingDataRule(StrEnum):
    """Which rule decides an AQI when a pollutant is missing (the ``missing_rule`` column of every row).

    ``standard`` (default): HJ 633-2026 §5.3.1, the AQI of the rest only when it is above 100 (and, for
    HJ 633-2012 hours, the same rule, which CNEMC followed in 2022). It is the default because it is the rule
    the standard writes down. ``cnemc``: CNEMC's observed publication practice for the real-time AQI: a
    missing 1-h PM10 does not withhold the AQI of the rest (docs/air.md); for comparisons with the official
    numbers. Daily reports use the standard rule under both names.
    """

    STANDARD = "standard"
    CNEMC = "cnemc"

    @property
    def engine_rule(self) -> MissingRule:
        return MissingRule.CNEMC if self is MissingDataRule.CNEMC else MissingRule.NA_UNLESS_ABOVE_100


#: columns of an AQI table, in order (more are kept when present)
AQI_COLUMNS = [
    "time", "edition", "aqi", "level", "level_roman", "category_zh", "category_en", "colour", "primary",
    "primary_zh", "exceedance", "iaqi_so2", "iaqi_no2", "iaqi_o3_1h", "iaqi_o3_8h", "iaqi_co", "iaqi_pm10",
    "iaqi_pm25", "so2", "no2", "o3", "co", "pm10", "pm25", "o3_1h_max", "o3_mda8", "incomplete",
    "missing_rule",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AqiRequest:
    """What to compute: level, report, the CST days ``first .. last`` (inclusive), the series, the edition."""

    level: Level
    report: ReportKind
    first: date
    last: date
    stations: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    jurisdiction: str | None = None
    edition: AqiEdition = AqiEdition.AUTO
    pm_realtime: PmRealtime | None = None
    missing_rule: MissingDataRule = MissingDataRule.STANDARD


def _day_bounds(first: date, last: date, *, margin_h: int = 0) -> tuple[datetime, datetime]:
    """Hour labels of the CST days ``first .. last``: D 01:00 … last+1 00:00, widened by ``margin_h`` before."""
    if last < first:
        raise InputError("the period is empty", expected="--from on or before --to", given=f"{first} .. {last}")
    check_year(first.year, option="from", given=first.isoformat())
    check_year(last.year, option="to", given=last.isoformat())
    start = datetime.combine(first, time(1), DISPLAY_TZ) - timedelta(hours=margin_h)
    end = datetime.combine(last + timedelta(days=1), time(0), DISPLAY_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def read_window(request: AqiRequest) -> tuple[datetime, datetime]:
    """The hour labels (UTC) whose observations ``aqi_table`` reads for ``request``."""
    # hourly 2012 reports before 2014 use 24-h moving PM means: read one more day before the period
    return _day_bounds(request.first, request.last, margin_h=24 if request.report is ReportKind.HOURLY else 0)


def select_stations(conn: Connection, request: AqiRequest) -> pd.DataFrame:
    """The stations of ``request`` (codes, cities, jurisdiction) as :func:`list_stations` lists them."""
    stations = list_stations(conn, jurisdiction=request.jurisdiction, codes=request.stations or None)
    if request.cities:
        wanted = {_city_key(c) for c in request.cities}
        stations = stations[stations["city_code"].isin(wanted) | stations["division_code"].isin(wanted)]
    return stations


def _stations_table(store: Store, request: AqiRequest) -> pd.DataFrame:
    with store.read() as conn:
        return select_stations(conn, request)


def aqi_table(store: Store, principal: Principal, request: AqiRequest) -> pd.DataFrame:
    """AQI per station or city and hour or day, as a tidy frame with ``station``/``city`` first.

    Hourly rows are labelled with the end of the averaging hour; daily rows with the CST day (``time`` is
    that day's 00:00 CST). City values are the mean of the city's evaluation sites (background sites
    excluded, HJ 663): hourly from the sites' hourly values, daily from the sites' daily values.
    """
    stations = _stations_table(store, request)
    if stations.empty:
        raise InputError(
            "no station matches the request",
            expected="station codes, cities or a jurisdiction with registered stations",
            given=f"stations={list(request.stations)}, cities={list(request.cities)}, jurisdiction={request.jurisdiction}",
        )
    margin = 24 if request.report is ReportKind.HOURLY else 0
    start, end = read_window(request)
    query = ObservationQuery(stations=tuple(stations["code"]), start=start, end=end)
    obs = read_observations_frame(store, principal, query)
    obs = obs[["station", "time", "so2", "no2", "o3", "co", "pm10", "pm25", "flag_bits"]]
    table = stations.rename(columns={"code": "station", "city_code": "city"})[["station", "city", "background"]]
    if request.report is ReportKind.HOURLY:
        frame = averaging.city_values(obs, table) if request.level is Level.CITY else obs
        out = aqi_engine.hourly_aqi(
            frame,
            edition=request.edition,
            pm_realtime=request.pm_realtime,
            missing_rule=request.missing_rule.engine_rule,
        )
        out = out[out["time"] >= pd.Timestamp(start + timedelta(hours=margin))]
    else:
        daily = averaging.daily_values(obs)
        frame = averaging.city_values(daily, table) if request.level is Level.CITY else daily
        out = aqi_engine.daily_aqi(frame, edition=request.edition)
    if request.level is Level.STATION and request.report is ReportKind.HOURLY:
        out = _every_station(out, stations["code"].tolist())
    out = out.assign(missing_rule=request.missing_rule.value)
    key = "city" if request.level is Level.CITY else "station"
    cols = [key, *[c for c in AQI_COLUMNS if c in out.columns]]
    if request.level is Level.CITY:
        out = out.assign(city_name=out["city"].map(lambda c: region.display_name(str(c))))
        cols.insert(1, "city_name")
    return out[cols].reset_index(drop=True)


def _every_station(out: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per selected station and hour with data: a station without a value that hour gets an NA row
    (as CNEMC publishes one), so every station of the selection is listed."""
    if out.empty:
        return out
    times = pd.Index(out["time"].drop_duplicates().sort_values())
    grid = pd.MultiIndex.from_product([sorted(codes), times], names=["station", "time"])
    if len(grid) == len(out):
        return out
    edition = out.drop_duplicates("time").set_index("time")["edition"]
    full = out.set_index(["station", "time"]).reindex(grid).reset_index()
    full["edition"] = pd.Categorical(full["time"].map(edition).astype(object), categories=out["edition"].cat.categories)
    if "incomplete" in full.columns:
        full["incomplete"] = full["incomplete"].fillna(True).astype(bool)
    return full


def _city_key(city: str) -> str:
    """A jurisdiction's code, or any city's own GB/T 2260 code (定州 130682, 济南 370100)."""
    found = region.find(city)
    if found is not None:
        return found.code
    division = region.locate(city)
    return division.code if division is not None else region.get(city).code  # raises with the known names


def as_local(frame: pd.DataFrame, report: ReportKind) -> pd.DataFrame:
    """Times for people: ISO 8601 in China Standard Time (hourly) or the CST date (daily)."""
    local = pd.to_datetime(frame["time"], utc=True).dt.tz_convert(DISPLAY_TZ)
    shown = local.dt.strftime("%Y-%m-%d") if report is ReportKind.DAILY else local.map(lambda t: t.isoformat())
    return frame.assign(time=shown.astype(object))


@dataclass(frozen=True, slots=True)
class AnnualReport:
    city: str
    year: int
    days_per_level: dict[str, int]
    days_total: int
    days_with_aqi: int
    statistics: dict[str, Any]
    daily: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "city_name": region.get(self.city).name_zh,
            "year": self.year,
            "days_total": self.days_total,
            "days_with_aqi": self.days_with_aqi,
            "days_per_level": self.days_per_level,
            "statistics": self.statistics,
        }


LEVEL_NAMES = {
    1: "I 优 excellent",
    2: "II 良 good",
    3: "III 轻度污染 lightly polluted",
    4: "IV 中度污染 moderately polluted",
    5: "V 重度污染 heavily polluted",
    6: "VI 严重污染 severely polluted",
}


def annual_report(
    store: Store, principal: Principal, *, city: str, year: int, edition: AqiEdition = AqiEdition.AUTO
) -> AnnualReport:
    """Days per AQI level and the GB 3095 / HJ 663 annual statistics of one city and calendar year."""
    check_year(year, option="year", given=str(year))
    code = region.get(city).code
    request = AqiRequest(
        Level.CITY, ReportKind.DAILY, date(year, 1, 1), date(year, 12, 31), cities=(code,), edition=edition
    )
    stations = _stations_table(store, request)
    if stations.empty:
        raise InputError(f"no stations are registered for {region.display_name(code)}", given=code)
    start, end = _day_bounds(request.first, request.last)
    obs = read_observations_frame(
        store, principal, ObservationQuery(stations=tuple(stations["code"]), start=start, end=end)
    )
    if obs.empty:
        raise InputError(
            f"no observations of {region.display_name(code)} in {year}",
            hint="ingest them first, e.g. xietong air ingest ../shared/data/air/beijing_multisite_uci/*.csv",
        )
    table = stations.rename(columns={"code": "station", "city_code": "city"})[["station", "city", "background"]]
    daily = averaging.city_values(
        averaging.daily_values(obs[["station", "time", "so2", "no2", "o3", "co", "pm10", "pm25", "flag_bits"]]), table
    )
    aqi = aqi_engine.daily_aqi(daily, edition=edition)
    levels = aqi["level"].dropna().astype(int)
    per_level = {LEVEL_NAMES[k]: int((levels == k).sum()) for k in range(1, 7)}
    stats = averaging.annual_statistics(daily)
    record = stats.iloc[0].to_dict() if not stats.empty else {}
    clean = {
        str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in record.items() if k not in {"city"}
    }
    days_total = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return AnnualReport(code, year, per_level, days_total, len(levels), clean, aqi)


__all__ = [
    "AQI_COLUMNS",
    "AnnualReport",
    "AqiRequest",
    "Level",
    "MissingDataRule",
    "ReportKind",
    "annual_report",
    "aqi_table",
    "as_local",
    "read_window",
    "select_stations",
]
