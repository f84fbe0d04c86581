"""The water domain's geographic datasets (domain contract ``features``): sections with their latest class,
and pollution incidents with the sections downstream.

Locations are honest: the bundled Haihe section list (``xietong/data/water_sections_haihe.csv``, from the
CNEMC publishing system) has **no coordinates**, so a section without its own ``lon``/``lat`` is placed at
the representative point of its jurisdiction (``xietong.region``) and flagged ``approximate = true``,
``located_by = "jurisdiction point"``; a section of a jurisdiction the reference data do not know (cities of
Shanxi, Shandong, Henan other than their capitals) gets a null geometry (``located_by = "unknown"``). A
jurisdiction that publishes its sections' coordinates replaces the approximation.

``water-sections``
    One feature per section: river, jurisdiction, target class and the GB 3838-2002 class of its latest
    sample (by default the latest stored; ``datetime`` an instant → the latest up to it; an interval → the
    latest inside it), plus the open incidents at the section and those whose pollution reaches it.
``water-incidents``
    One feature per incident at its section, with its status and the downstream sections and their ETAs.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pandas as pd

from xietong import region
from xietong.enums import Scope
from xietong.features import Extent, FeatureCollection, ItemsPage, ItemsQuery, page_of, point_feature
from xietong.water import incidents
from xietong.water.incidents import IncidentStatus, IncidentView
from xietong.water.service import classify_stored, sections_frame

LOCATED_BY_SECTION = "section"
LOCATED_BY_JURISDICTION = "jurisdiction point"
LOCATED_BY_UNKNOWN = "unknown"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def locate(lon: Any, lat: Any, jurisdiction: str) -> tuple[float | None, float | None, str]:
    """A section's point: its own coordinates, else its jurisdiction's point (approximate), else none."""
    x, y = _number(lon), _number(lat)
    if x is not None and y is not None:
        return x, y, LOCATED_BY_SECTION
    place = region.find(str(jurisdiction))
    if place is not None:
        return place.lon, place.lat, LOCATED_BY_JURISDICTION
    return None, None, LOCATED_BY_UNKNOWN


def _latest_classes(query: ItemsQuery) -> pd.DataFrame:
    """The classified latest sample per section under the query's ``datetime``, indexed by section."""
    interval = query.interval
    start = end = None
    if interval is not None:
        end = interval.end
        start = None if interval.instant is not None else interval.start
    classes = classify_stored(query.store, query.principal, start=start, end=end)
    if classes.empty:
        return classes
    return classes.sort_values(["section", "time"]).groupby("section").tail(1).set_index("section")


def _open_incidents(query: ItemsQuery) -> list[IncidentView]:
    return [
        v for v in incidents.list_incidents(query.store, query.principal) if v.status != IncidentStatus.CLOSED.value
    ]


def _sections_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read water-quality sections")
    with query.store.read() as conn:
        sections = sections_frame(conn)
    latest = _latest_classes(query)
    open_ = _open_incidents(query)
    at_section: dict[str, list[int]] = {}
    reached: dict[str, list[dict[str, Any]]] = {}
    for v in open_:
        at_section.setdefault(v.section, []).append(v.id)
        for d in v.downstream:
            reached.setdefault(d.section, []).append({"incident": v.id, "eta": d.eta, "travel_time_h": d.travel_time_h})
    features = []
    for s in sections.to_dict("records"):
        code = str(s["code"])
        lon, lat, located_by = locate(s["lon"], s["lat"], str(s["jurisdiction"]))
        c = latest.loc[code] if code in latest.index else None
        place = region.find(str(s["jurisdiction"]))
        props = {
            "code": code, "name": s["name"], "river": s["river"], "basin": s["basin"], "province": s["province"],
            "city": s["city"], "jurisdiction": s["jurisdiction"],
            "jurisdiction_zh": place.name_zh if place else None, "jurisdiction_en": place.name_en if place else None,
            "waterbody": s["waterbody"], "cross_border": bool(s["cross_border"]),
            "target_class": s["target_class"], "target_class_assumed": bool(s["target_class_assumed"]),
            "approximate": located_by != LOCATED_BY_SECTION, "located_by": located_by,
            "time": None if c is None else c["time"], "water_class": None if c is None else c["water_class"],
            "main_pollutants": None if c is None else (c["main_pollutants"] or None),
            "exceeds_target": None if c is None else c["exceeds_target"],
            "incidents": at_section.get(code, []), "downstream_of": reached.get(code, []),
        }  # fmt: skip
        features.append(point_feature(code, lon, lat, props))
    return page_of(features, query)


def _incident_feature(v: IncidentView, points: dict[str, tuple[float | None, float | None, str]]) -> dict[str, Any]:
    lon, lat, located_by = points.get(v.section, (None, None, LOCATED_BY_UNKNOWN))
    props = {
        "id": v.id, "status": v.status, "trigger": v.trigger, "section": v.section, "section_name": v.section_name,
        "river": v.river, "jurisdiction": v.jurisdiction, "started_at": v.started_at, "item": v.item,
        "pollutant": v.pollutant, "description": v.description,
        "approximate": located_by != LOCATED_BY_SECTION, "located_by": located_by,
        "downstream": [{"section": d.section, "name": d.name, "jurisdiction": d.jurisdiction,
                        "distance_km": d.distance_km, "travel_time_h": d.travel_time_h, "eta": d.eta,
                        "approximate": d.approximate} for d in v.downstream],
    }  # fmt: skip
    return point_feature(str(v.id), lon, lat, props)


def _incidents_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read water incidents")
    with query.store.read() as conn:
        sections = sections_frame(conn)
    points = {str(s["code"]): locate(s["lon"], s["lat"], str(s["jurisdiction"])) for s in sections.to_dict("records")}
    views = incidents.list_incidents(query.store, query.principal)
    interval = query.interval
    if interval is not None:  # incidents that were open at some time in the interval
        views = [v for v in views if interval.overlaps(datetime.fromisoformat(v.started_at), _closed(v))]
    return page_of([_incident_feature(v, points) for v in views], query)


def _closed(v: IncidentView) -> datetime | None:
    return datetime.fromisoformat(v.closed_at) if v.closed_at else None


def _samples_extent(query: ItemsQuery) -> Extent:
    classes = classify_stored(query.store, query.principal)
    if classes.empty:
        return Extent()
    times = pd.to_datetime(classes["time"], utc=True)
    return Extent(start=times.min().to_pydatetime(), end=times.max().to_pydatetime())


def collections() -> list[FeatureCollection]:
    """The water domain's collections (declared in :mod:`xietong.water.domain`)."""
    located = (
        "Sections without published coordinates are placed at their jurisdiction's representative point "
        "(approximate = true); sections of places the reference data do not know have a null geometry."
    )
    return [
        FeatureCollection(
            id="water-sections",
            title_zh="地表水监测断面",
            title_en="Surface-water sections",
            description="Monitoring sections of the Haihe basin and Beijing–Tianjin–Hebei with the GB 3838-2002 "
            "class of their latest sample and the open pollution incidents that concern them. " + located,
            items=_sections_items,
            extent=_samples_extent,
            datetime_meaning="an instant: each section's latest sample up to it; an interval: the latest inside it",
            properties={
                "code": "section code",
                "name": "section name",
                "river": "river",
                "jurisdiction": "GB/T 2260 code of the owner",
                "target_class": "target class (GB 3838-2002)",
                "target_class_assumed": "target not published with the section",
                "approximate": "true when the point is not the section's own",
                "located_by": "section, jurisdiction point or unknown",
                "time": "time of the latest sample (China Standard Time)",
                "water_class": "GB 3838-2002 class I–V or 劣V",
                "main_pollutants": "items worse than class III (2011 evaluation method)",
                "exceeds_target": "worse than the target class",
                "incidents": "ids of open incidents at this section",
                "downstream_of": "open incidents reaching this section, with ETA",
            },
            attribution="sections and samples: CNEMC national surface-water automatic monitoring (public releases)",
            keywords=("water quality", "GB 3838", "Haihe"),
        ),
        FeatureCollection(
            id="water-incidents",
            title_zh="水污染事件",
            title_en="Water-pollution incidents",
            description="Pollution incidents (reported accidents and detected exceedances) at their section, with "
            "the sections downstream and the estimated arrival times. " + located,
            items=_incidents_items,
            datetime_meaning="an instant or interval: the incidents open at some time in it",
            properties={
                "status": "open, acknowledged, monitoring or closed",
                "trigger": "accident or exceedance",
                "section": "section code",
                "started_at": "when the pollution passed the section",
                "downstream": "sections downstream: distance [km], travel time [h], ETA",
            },
            attribution="the water-pollution incident workflow of this exchange",
            keywords=("water", "incident"),
        ),
    ]


__all__ = ["collections", "locate"]
