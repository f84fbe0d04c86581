"""The transport domain's geographic datasets (domain contract ``features``): the stations of the regional
rail feed, and the N-hour circle.

``rail-stations``
    Every stop of the regional feed (``xietong transit build-gtfs``) with its city and the number of trains
    calling on the service day. A station without coordinates of its own sits at its city's point and is
    flagged ``approximate`` (``location_source = city_point``); with neither, the geometry is null.
``transit-circle``
    The circle report from a centre city (parameters ``centre`` and ``minutes``; default Shijiazhuang and 90
    minutes, the "1.5-hour traffic circle"): the centre, each target city with its best and typical rail
    time and the modelled road time, and a centre→target line, at the cities' representative points.

Without a regional feed both collections are empty (the collection documents still describe them).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pandas as pd

from xietong import region
from xietong.config import DISPLAY_TZ
from xietong.enums import Scope
from xietong.errors import InputError, NotFoundError, UnknownJurisdictionError
from xietong.features import (
    Extent,
    FeatureCollection,
    ItemsPage,
    ItemsQuery,
    Param,
    page_of,
    parse_int,
    point_feature,
)
from xietong.transit.circle import DEFAULT_MAX_TRANSFERS, DEFAULT_MINUTES, DEFAULT_STATION_RADIUS_KM, DEFAULT_WINDOW_S
from xietong.transit.feed import Feed
from xietong.transit.service import existing_regional_feed_path, feed_service_date, read_feed_cached, regional_circle
from xietong.transit.stations import LocationSource

DEFAULT_CENTRE_NAME = "石家庄"
MAX_MINUTES = 24 * 60


def _feed(query: ItemsQuery) -> Feed | None:
    try:
        return read_feed_cached(existing_regional_feed_path(query.settings))
    except NotFoundError:
        return None


def _stations_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read the regional rail feed")
    feed = _feed(query)
    if feed is None:
        return ItemsPage([], 0)
    calls = feed.stop_times.groupby("stop_id")["trip_id"].nunique() if len(feed.stop_times) else pd.Series(dtype=int)
    features = []
    for s in feed.stops.to_dict("records"):
        code = str(s.get("city_code") or "")
        place = region.find(code) if code else None
        source = str(s.get("location_source", LocationSource.COORDINATES.value) or "")
        props = {
            "stop_id": s["stop_id"], "name": s["stop_name"], "city": code or None,
            "city_zh": place.name_zh if place else None, "city_en": place.name_en if place else None,
            "trains": int(calls.get(s["stop_id"], 0)), "location_source": source or None,
            "approximate": source != LocationSource.COORDINATES.value,
        }  # fmt: skip
        features.append(point_feature(str(s["stop_id"]), _float(s["stop_lon"]), _float(s["stop_lat"]), props))
    return page_of(features, query)


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _service_extent(query: ItemsQuery) -> Extent:
    feed = _feed(query)
    day = feed_service_date(feed) if feed is not None else None
    if day is None:
        return Extent()
    start = datetime.combine(day, time(0), DISPLAY_TZ)
    return Extent(start=start, end=start + timedelta(days=1))


def _circle_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read the regional rail feed")
    if _feed(query) is None:
        return ItemsPage([], 0)
    try:
        centre = region.get(query.params.get("centre", DEFAULT_CENTRE_NAME))
    except UnknownJurisdictionError as exc:
        raise InputError(f"centre: {exc.message}", expected=exc.problem.expected, given=exc.problem.given) from None
    minutes = parse_int(query.params.get("minutes", str(DEFAULT_MINUTES)), "minutes", minimum=1)
    if minutes > MAX_MINUTES:
        raise InputError("minutes: too large", expected=f"at most {MAX_MINUTES} (one day)", given=str(minutes))
    report = regional_circle(
        query.settings, centre=centre.code, minutes=minutes, window_s=DEFAULT_WINDOW_S,
        max_transfers=DEFAULT_MAX_TRANSFERS, station_radius_km=DEFAULT_STATION_RADIUS_KM,
    )  # fmt: skip
    features = [
        point_feature(f"centre-{centre.code}", centre.lon, centre.lat, {
            "role": "centre", "city_code": centre.code, "city": centre.name_zh, "city_en": centre.name_en,
            "minutes": minutes,
        })
    ]  # fmt: skip
    for row in report.rows:
        props = {
            "role": "target",
            "minutes": minutes,
            **{k: v for k, v in row.as_dict().items() if k not in {"lon", "lat"}},
        }
        features.append(point_feature(f"target-{row.city_code}", row.lon, row.lat, props))
        line = {
            "type": "Feature",
            "id": f"link-{row.city_code}",
            "geometry": {"type": "LineString", "coordinates": [[centre.lon, centre.lat], [row.lon, row.lat]]},
            "properties": {**point_feature("", None, None, props)["properties"], "role": "link"},
        }
        features.append(line)
    return page_of(features, query)


def collections() -> list[FeatureCollection]:
    """The transport domain's collections (declared in :mod:`xietong.transit.domain`)."""
    return [
        FeatureCollection(
            id="rail-stations",
            title_zh="铁路车站",
            title_en="Rail stations",
            description="The stations of the regional rail feed built from China Railway timetables, with the "
            "trains calling on the feed's service day. Stations without coordinates of their own are placed at "
            "their city's point (approximate = true).",
            items=_stations_items,
            extent=_service_extent,
            datetime_meaning="not used: the feed is one service day (the temporal extent)",
            properties={
                "stop_id": "GTFS stop_id (12306 telegraph code)",
                "name": "station name",
                "city": "GB/T 2260 code",
                "trains": "trains calling on the service day",
                "location_source": "coordinates, city_point or none",
                "approximate": "true when the point is the city's, not the station's",
            },
            attribution="timetables: China Railway (12306) as gathered in public repositories (see NOTICE)",
            keywords=("rail", "GTFS", "stations"),
        ),
        FeatureCollection(
            id="transit-circle",
            title_zh="交通圈",
            title_en="N-hour traffic circle",
            description="The N-hour circle from a centre city over the regional rail feed: per target city the "
            "best and typical rail time (departures 06:00–22:00, at most 2 transfers) and the modelled road time "
            "(malin84, design speeds: modelled, not measured), at the cities' representative points, with a "
            "centre→target line.",
            items=_circle_items,
            extent=_service_extent,
            datetime_meaning="not used: the circle is computed on the feed's service day",
            params=(
                Param("centre", "centre city (code or name)", DEFAULT_CENTRE_NAME),
                Param(
                    "minutes",
                    "the circle's size [min]",
                    str(DEFAULT_MINUTES),
                    {"type": "integer", "minimum": 1, "maximum": 1440},
                ),
            ),
            properties={
                "role": "centre, target or link",
                "rail_min": "best rail time [min]",
                "rail_typical_min": "typical rail time [min]",
                "road_min": "modelled road time [min]",
                "within": "reached within the circle's minutes",
                "note": "why a value is missing",
            },
            attribution="rail: the regional feed; road: malin84/transportation_networks_of_china (GPL-3.0), modelled",
            keywords=("transport", "accessibility", "circle"),
        ),
    ]


__all__ = ["collections"]
