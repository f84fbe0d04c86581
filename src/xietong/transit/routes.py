"""``/api/v1/transit``: the regional rail feed, routing, the N-hour circle, road times and scenarios.

Reads only: the feed is the one ``xietong transit build-gtfs`` keeps in the data directory. Every route
calls the same service and core functions as the ``xietong transit …`` commands.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from xietong import region
from xietong.api.deps import PrincipalDep, SettingsDep, requires
from xietong.config import Settings
from xietong.enums import Scope
from xietong.errors import NotFoundError
from xietong.transit.circle import (
    DEFAULT_BANDS_MIN,
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MINUTES,
    DEFAULT_STATION_RADIUS_KM,
    isochrone,
)
from xietong.transit.feed import Feed
from xietong.transit.raptor import earliest_arrival
from xietong.transit.road import ROAD_SOURCE, ROAD_YEARS, road_times
from xietong.transit.scenario import load_scenario
from xietong.transit.service import (
    existing_regional_feed_path,
    feed_service_date,
    read_feed_cached,
    regional_circle,
    regional_feed_path,
    scenario_diff,
    scenario_files,
)
from xietong.transit.timetable import compile_timetable, parse_clock

router = APIRouter(prefix="/transit", tags=["transit"], dependencies=[requires(Scope.READ, "read transport data")])
CSV = "text/csv; charset=utf-8"
Clock = Annotated[str, Query(pattern=r"^\d{1,2}:\d{2}(:\d{2})?$", description="HH:MM, China Standard Time")]


def _feed(settings: Settings) -> Feed:
    return read_feed_cached(existing_regional_feed_path(settings))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict("records")]


@router.get("/feed", operation_id="transitFeed", summary="The regional rail feed: size and service day")
def feed_summary(settings: SettingsDep, principal: PrincipalDep) -> dict[str, Any]:  # noqa: ARG001 - read access
    feed = _feed(settings)
    path = regional_feed_path(settings)
    day = feed_service_date(feed)
    cities = feed.stops["city_code"].dropna().astype(str) if "city_code" in feed.stops.columns else pd.Series()
    return {
        "service_date": day.isoformat() if day else None,
        "trips": len(feed.trips),
        "stops": len(feed.stops),
        "stop_times": len(feed.stop_times),
        "cities": int(cities[cities != ""].nunique()),
        "built_at": dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).isoformat(),
    }


@router.get(
    "/circle",
    operation_id="transitCircle",
    summary="The N-hour circle from a centre city (rail and modelled road)",
    responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}},
)
def circle(
    settings: SettingsDep,
    principal: PrincipalDep,  # noqa: ARG001 - read access
    centre: Annotated[str, Query(description="centre city, code or name")] = "石家庄",
    minutes: Annotated[int, Query(ge=1, le=24 * 60)] = DEFAULT_MINUTES,
    from_time: Clock = "06:00",
    to_time: Clock = "22:00",
    max_transfers: Annotated[int, Query(ge=0, le=8)] = DEFAULT_MAX_TRANSFERS,
    station_radius_km: Annotated[float, Query(ge=0, description="0 = every station of the prefecture")] = (
        DEFAULT_STATION_RADIUS_KM
    ),
    format: Annotated[str, Query(pattern="^(json|csv|geojson)$")] = "json",
) -> Any:
    """Per target city: best and typical rail time over the departure window, the trains of the best journey,
    the modelled road time, ``within`` and a ``note`` when data are missing (targets are never dropped)."""
    report = regional_circle(
        settings,
        centre=centre,
        minutes=minutes,
        window_s=(parse_clock(from_time), parse_clock(to_time)),
        max_transfers=max_transfers,
        station_radius_km=station_radius_km or None,
    )
    if format == "geojson":
        return JSONResponse(report.geojson(), media_type="application/geo+json")
    frame = report.to_frame()
    if format == "csv":
        return Response(frame.to_csv(index=False), media_type=CSV)
    return {
        "centre": report.centre,
        "centre_code": report.centre_code,
        "minutes": report.minutes,
        "service_date": report.service_date.isoformat() if report.service_date else None,
        "assumptions": report.assumptions,
        "rows": _records(frame),
    }


@router.get(
    "/isochrone",
    operation_id="transitIsochrone",
    summary="Rail isochrones from a city: best time to every station or city, in bands",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def isochrone_route(
    settings: SettingsDep,
    principal: PrincipalDep,  # noqa: ARG001 - read access
    centre: Annotated[str, Query(description="centre city, code or name")] = "石家庄",
    bands: Annotated[list[int] | None, Query(description="band limits [min]; repeat the parameter")] = None,
    from_time: Clock = "06:00",
    to_time: Clock = "22:00",
    by: Annotated[str, Query(pattern="^(city|station)$")] = "city",
    format: Annotated[str, Query(pattern="^(json|geojson)$")] = "json",
) -> Any:
    """Stations, not areas: the land between a line's stations is not reached, so no polygon is drawn."""
    feed = _feed(settings)
    iso = isochrone(
        feed,
        centre=region.get(centre).code,
        bands_min=tuple(bands) if bands else DEFAULT_BANDS_MIN,
        service_date=feed_service_date(feed),
        window_s=(parse_clock(from_time), parse_clock(to_time)),
    )
    if format == "geojson":
        return JSONResponse(iso.geojson(), media_type="application/geo+json")
    frame = iso.cities() if by == "city" else iso.stations
    return {"centre": iso.centre, "bands_min": list(iso.bands_min), "rows": _records(frame)}


@router.get("/route", operation_id="transitRoute", summary="Earliest arrivals from a station (RAPTOR)")
def route(
    settings: SettingsDep,
    principal: PrincipalDep,  # noqa: ARG001 - read access
    from_stop: Annotated[str, Query(alias="from", description="stop_id (12306 telegraph code, e.g. SJP)")],
    at: Clock,
    to: Annotated[str | None, Query(description="a stop_id: also return the journey's legs")] = None,
    max_transfers: Annotated[int, Query(ge=0, le=8)] = DEFAULT_MAX_TRANSFERS,
) -> dict[str, Any]:
    """One row per reachable stop (arrival HH:MM:SS, may pass 24:00; transfers), on the feed's service day."""
    feed = _feed(settings)
    tt = compile_timetable(feed, feed_service_date(feed))
    result = earliest_arrival(tt, from_stop, parse_clock(at), max_transfers=max_transfers)
    names = dict(zip(feed.stops["stop_id"].astype(str), feed.stops["stop_name"].astype(str), strict=True))
    frame = result.to_frame()[["stop_id", "arrival", "transfers"]]
    frame.insert(1, "stop_name", frame["stop_id"].map(names))
    out: dict[str, Any] = {"from": from_stop, "at": at, "arrivals": _records(frame)}
    if to is not None:
        out["journey"] = [leg.as_dict() for leg in result.journey(to)]
    return out


@router.get("/road-times", operation_id="transitRoadTimes", summary="Modelled city-to-city driving times")
def road(
    principal: PrincipalDep,  # noqa: ARG001 - read access
    year: Annotated[int, Query(description=f"one of {', '.join(map(str, ROAD_YEARS))}")] = 2024,
    origin: Annotated[str | None, Query(description="only pairs from this city (code or name)")] = None,
) -> dict[str, Any]:
    """The malin84 model (design speeds, no congestion): modelled, not measured."""
    frame = road_times(year)
    if origin is not None:
        frame = frame[frame["origin_code"] == region.get(origin).code]
    return {"source": ROAD_SOURCE, "year": year, "rows": _records(frame)}


@router.get("/scenarios", operation_id="transitScenarios", summary="The planned lines shipped as scenarios")
def scenarios(principal: PrincipalDep) -> list[dict[str, Any]]:  # noqa: ARG001 - read access
    out = []
    for sid, path in scenario_files().items():
        s = load_scenario(path)
        out.append(
            {
                "id": sid,
                "name": s.name,
                "status": str(s.status),
                "stations": [st.name for st in s.stations],
                "headway_min": s.headway_min,
                "assumptions": [a.note for a in s.assumptions],
            }
        )
    return out


@router.get(
    "/scenarios/{scenario_id}/diff",
    operation_id="transitScenarioDiff",
    summary="The circle report before and after a planned line",
)
def scenario(
    settings: SettingsDep,
    principal: PrincipalDep,  # noqa: ARG001 - read access
    scenario_id: str,
    centre: str = "石家庄",
    minutes: Annotated[int, Query(ge=1, le=24 * 60)] = DEFAULT_MINUTES,
) -> dict[str, Any]:
    files = scenario_files()
    if scenario_id not in files:
        raise NotFoundError(
            "no such scenario", expected=", ".join(files) or "a scenario file in scenarios/", given=repr(scenario_id)
        )
    plan = load_scenario(files[scenario_id])
    diff = scenario_diff(
        _feed(settings), plan, service_date=None, centre=region.get(centre).code, minutes=minutes
    ).to_frame()
    return {"scenario": scenario_id, "name": plan.name, "centre": centre, "minutes": minutes, "rows": _records(diff)}
