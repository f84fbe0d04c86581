"""Geographic datasets as OGC API – Features collections: the ``features`` part of the domain contract.

A domain declares ``features = "package.module:function"`` in its :class:`xietong.domains.Domain`; the
function returns the domain's :class:`FeatureCollection` objects. The platform serves every installed
domain's collections (and its own: the jurisdictions) under ``/api/v1/features`` following OGC API –
Features – Part 1: Core (OGC 17-069r4) with GeoJSON (RFC 7946), and the dashboard's region map draws them::

    # src/xietong/water/features.py
    from xietong.features import FeatureCollection, ItemsPage, ItemsQuery, page_of, point_feature

    def _sections(query: ItemsQuery) -> ItemsPage:
        features = [point_feature(code, lon, lat, {...}) for ...]
        return page_of(features, query)

    def collections() -> list[FeatureCollection]:
        return [FeatureCollection(id="water-sections", title_zh="断面", title_en="Water-quality sections",
                                  description="...", items=_sections)]

An items function gets one :class:`ItemsQuery` (store, settings, who asks, ``bbox``, the ``datetime`` interval,
``limit``, ``offset`` and the collection's own parameters) and returns an :class:`ItemsPage`: the GeoJSON
features of the page and the number matched. What ``datetime`` selects is the collection's to say
(:attr:`FeatureCollection.datetime_meaning`); coordinates are WGS-84 longitude/latitude (CRS84) [degrees].
:func:`page_of` does the bbox filter and the paging for collections that build all their features in memory
(the region's datasets are small: hundreds of features).

The module imports no domain (``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from xietong import domains, region
from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, NotFoundError, XietongError

if TYPE_CHECKING:  # pragma: no cover - types only
    from xietong.config import Settings
    from xietong.exchange.principals import Principal
    from xietong.store.session import Store

#: OGC API – Features Part 1 conformance classes this implementation declares (OGC 17-069r4 §7–§10)
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)
#: WGS-84 longitude/latitude, the only CRS of Part 1 (§7.15.4)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: temporal reference system of extents (§7.15.4)
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
#: Beijing, Tianjin and Hebei, rounded outward to 0.1° [lon min, lat min, lon max, lat max]
REGION_BBOX = (113.2, 36.0, 119.9, 42.7)
#: the largest page a client may ask for; a larger ``limit`` is lowered to it (§7.15.3, not an error)
MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100

_ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class FeaturesError(XietongError, RuntimeError):
    """A domain's feature provider does not keep the contract (bad id, two collections with one id)."""


# ------------------------------------------------------------------------------------------ query values
@dataclass(frozen=True, slots=True)
class BBox:
    """A bounding box in CRS84 [degrees]; ``min_lon > max_lon`` crosses the antimeridian (§7.15.3)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside the box or on its edge."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.min_lon <= self.max_lon:
            return self.min_lon <= lon <= self.max_lon
        return lon >= self.min_lon or lon <= self.max_lon

    def as_list(self) -> list[float]:
        return [self.min_lon, self.min_lat, self.max_lon, self.max_lat]


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed time interval of aware UTC datetimes; ``None`` is an open end (``..``). An instant has
    ``start == end``."""

    start: datetime | None
    end: datetime | None

    @property
    def instant(self) -> datetime | None:
        """The instant, when the interval is one."""
        return self.start if self.start is not None and self.start == self.end else None

    def contains(self, t: datetime) -> bool:
        return (self.start is None or t >= self.start) and (self.end is None or t <= self.end)

    def overlaps(self, start: datetime | None, end: datetime | None) -> bool:
        """Whether ``[start, end]`` (``None`` = open) meets this interval."""
        return (self.end is None or start is None or start <= self.end) and (
            self.start is None or end is None or end >= self.start
        )


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter of one collection's items besides the standard ones (declared in OpenAPI)."""

    name: str
    description: str
    default: str | None = None
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True, slots=True)
class ItemsQuery:
    """What an items function gets: where to read, who asks, and the client's filters.

    ``limit`` is already bounded to ``1 .. MAX_LIMIT``; ``params`` holds the collection's own parameters
    (defaults filled in).
    """

    store: Store
    settings: Settings
    principal: Principal
    bbox: BBox | None = None
    interval: Interval | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemsPage:
    """One page of features (GeoJSON ``Feature`` objects, each with an ``id``) and how many matched in
    all (``None`` when unknown)."""

    features: list[dict[str, Any]]
    number_matched: int | None


@dataclass(frozen=True, slots=True)
class Extent:
    """Spatial extent [CRS84 degrees] and temporal extent (aware datetimes, ``None`` = open or unknown)."""

    bbox: tuple[float, float, float, float] = REGION_BBOX
    start: datetime | None = None
    end: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"spatial": {"bbox": [list(self.bbox)], "crs": CRS84}}
        if self.start is not None or self.end is not None:
            out["temporal"] = {"interval": [[iso_utc(self.start), iso_utc(self.end)]], "trs": GREGORIAN}
        return out


Items = Callable[[ItemsQuery], ItemsPage]
ExtentOf = Callable[[ItemsQuery], Extent]


@dataclass(frozen=True, slots=True)
class FeatureCollection:
    """A geographic dataset served as one OGC API – Features collection.

    Parameters
    ----------
    id:
        Lower case, digits and ``-``, unique over all installed domains (``air-stations``).
    title_zh, title_en, description:
        For people (and for GIS software's layer lists).
    items:
        ``(ItemsQuery) -> ItemsPage``; reads the store, never writes.
    extent:
        ``(ItemsQuery) -> Extent`` from the data (the query carries no filters then), or ``None`` for the
        region's box without a temporal extent.
    item:
        ``(ItemsQuery, feature_id) -> feature | None`` for ``/items/{featureId}``; by default the items
        function is paged through until the id is found.
    datetime_meaning:
        What the ``datetime`` parameter (:attr:`ItemsQuery.interval`) selects in this collection (shown in the collection document).
    params:
        The collection's own query parameters (e.g. the circle's centre and minutes).
    properties:
        Property name → description (what each GeoJSON property means, with its unit).
    attribution:
        Where the data come from and under which terms.
    """

    id: str
    title_zh: str
    title_en: str
    description: str
    items: Items
    extent: ExtentOf | None = None
    item: Callable[[ItemsQuery, str], dict[str, Any] | None] | None = None
    datetime_meaning: str = ""
    params: tuple[Param, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    attribution: str = ""
    keywords: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------ helpers
def iso_utc(t: datetime | None) -> str | None:
    """An aware datetime as RFC 3339 in UTC (``2016-12-20T00:00:00Z``)."""
    if t is None:
        return None
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_cst(t: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in China Standard Time (``2016-12-20T08:00:00+08:00``)."""
    return None if t is None else t.astimezone(DISPLAY_TZ).isoformat()


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return iso_cst(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return _clean(value.item())
    return value


def point_feature(
    feature_id: str, lon: float | None, lat: float | None, properties: Mapping[str, Any]
) -> dict[str, Any]:
    """A GeoJSON point feature; without coordinates the geometry is ``null`` (RFC 7946 §3.2). Property
    values are made JSON-safe (NaN → null, NumPy scalars → Python, datetimes → CST ISO 8601)."""
    has_point = lon is not None and lat is not None and math.isfinite(lon) and math.isfinite(lat)
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]} if has_point else None,  # type: ignore[arg-type]
        "properties": {str(k): _clean(v) for k, v in properties.items()},
    }


def _positions(coords: Any) -> Iterable[tuple[float, float]]:
    """Every position of a GeoJSON coordinates array, at any nesting depth."""
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        yield float(coords[0]), float(coords[1])
    elif isinstance(coords, list | tuple):
        for c in coords:
            yield from _positions(c)


def geometry_bbox(geometry: Mapping[str, Any] | None) -> tuple[float, float, float, float] | None:
    """The bounding box [lon min, lat min, lon max, lat max] of any GeoJSON geometry; ``None`` without one."""
    if not geometry:
        return None
    parts = geometry.get("geometries") if geometry.get("type") == "GeometryCollection" else [geometry]
    points = [p for g in parts or () for p in _positions(g.get("coordinates"))]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def in_bbox(feature: Mapping[str, Any], bbox: BBox) -> bool:
    """Whether the feature's geometry meets ``bbox`` (exact for points; by the geometry's own bounding box for
    lines and polygons, as OGC servers commonly do); no geometry → no."""
    box = geometry_bbox(feature.get("geometry"))
    if box is None:
        return False
    lo_lon, lo_lat, hi_lon, hi_lat = box
    if hi_lat < bbox.min_lat or lo_lat > bbox.max_lat:
        return False
    if bbox.min_lon <= bbox.max_lon:
        return not (hi_lon < bbox.min_lon or lo_lon > bbox.max_lon)
    return hi_lon >= bbox.min_lon or lo_lon <= bbox.max_lon


def page_of(features: Sequence[dict[str, Any]], query: ItemsQuery) -> ItemsPage:
    """The bbox filter and the page ``offset .. offset + limit`` of features built in memory."""
    matched = [f for f in features if in_bbox(f, query.bbox)] if query.bbox is not None else list(features)
    return ItemsPage(matched[query.offset : query.offset + query.limit], len(matched))


def hour_label(t: datetime) -> datetime:
    """The hour label (end of the averaging hour) of the hour containing ``t``: ``t`` itself when it is on
    the hour, else the next full hour (UTC)."""
    t = t.astimezone(UTC)
    floor = t.replace(minute=0, second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(hours=1)


# ------------------------------------------------------------------------------------------ parsing
def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"bbox: {what} is not a number", expected="four numbers lon,lat,lon,lat", given=repr(text))
    return value


def parse_bbox(text: str) -> BBox:
    """``minLon,minLat,maxLon,maxLat`` (or six numbers with heights, which are ignored) in CRS84 (§7.15.3)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in {4, 6}:
        raise InputError(
            "bbox: wrong number of values",
            expected="4 numbers minLon,minLat,maxLon,maxLat (or 6 with heights) in WGS-84 degrees",
            given=repr(text),
        )
    values = [_number(p, f"value {i + 1}") for i, p in enumerate(parts)]
    lo_lon, lo_lat, hi_lon, hi_lat = (values[0], values[1], values[3], values[4]) if len(values) == 6 else values
    if not (-180 <= lo_lon <= 180 and -180 <= hi_lon <= 180 and -90 <= lo_lat <= hi_lat <= 90):
        raise InputError(
            "bbox: outside WGS-84 or upside down",
            expected="longitudes in -180..180, latitudes in -90..90 with the lower one first",
            given=repr(text),
        )
    return BBox(lo_lon, lo_lat, hi_lon, hi_lat)


def _instant(text: str, *, end: bool) -> datetime:
    """An RFC 3339 date-time with offset, or a date (the CST day: its first or last hour label)."""
    raw = text.strip()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None:
        local = datetime.combine(day, time(0), DISPLAY_TZ)
        return (local + (timedelta(days=1) if end else timedelta(hours=1))).astimezone(UTC)
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise InputError(
            "datetime: not an RFC 3339 date-time",
            expected="e.g. 2016-12-20T08:00:00+08:00 or 2016-12-20T00:00:00Z, a date 2016-12-20, or an "
            "interval start/end with .. for an open end",
            given=repr(text),
            hint="a time needs its offset (Z or +08:00)",
        )
    return value.astimezone(UTC)


def parse_datetime(text: str) -> Interval:
    """An instant, a date (its CST day) or an interval ``start/end`` with ``..`` or nothing for an open
    end (§7.15.4)."""
    raw = text.strip()
    if "/" not in raw:
        if len(raw) == 10:  # a date: the whole CST day
            return Interval(_instant(raw, end=False), _instant(raw, end=True))
        t = _instant(raw, end=False)
        return Interval(t, t)
    first, _, last = raw.partition("/")
    start = None if first.strip() in {"", ".."} else _instant(first, end=False)
    end = None if last.strip() in {"", ".."} else _instant(last, end=True)
    if start is None and end is None:
        raise InputError("datetime: both ends are open", expected="at least one end", given=repr(text))
    if start is not None and end is not None and end < start:
        raise InputError("datetime: the interval ends before it starts", given=repr(text))
    return Interval(start, end)


def parse_int(text: str, name: str, *, minimum: int) -> int:
    """A whole number of at least ``minimum`` (query parameters ``limit``, ``offset``)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{name}: not a whole number", expected=f"an integer >= {minimum}", given=repr(text)) from None
    if value < minimum:
        raise InputError(f"{name}: too small", expected=f"an integer >= {minimum}", given=repr(text))
    return value


# ------------------------------------------------------------------------------------------ registry
def _jurisdiction_items(query: ItemsQuery) -> ItemsPage:
    features = [
        point_feature(
            r.code,
            r.lon,
            r.lat,
            {
                "code": r.code,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "level": r.level.value,
                "parent": r.parent,
                "jurisdiction": r.jurisdiction,
            },
        )
        for r in region.places()
    ]
    return page_of(features, query)


def _boundary_items(query: ItemsQuery) -> ItemsPage:
    """The features of the operator's boundary file (``XIETONG_BOUNDARIES``); none is bundled."""
    path = query.settings.boundaries_file
    if path is None or not path.is_file():
        return ItemsPage([], 0)
    doc = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for i, f in enumerate(doc.get("features", []) if isinstance(doc, dict) else []):
        props = dict(f.get("properties") or {})
        fid = str(props.get("adcode") or props.get("code") or f.get("id") or i)
        features.append({"type": "Feature", "id": fid, "geometry": f.get("geometry"), "properties": props})
    return page_of(features, query)


def platform_collections() -> list[FeatureCollection]:
    """The platform's own collections: the places of the reference data (``xietong.region``) and the
    boundaries of the file the operator configured (empty when none: no boundary file is bundled)."""
    return [
        FeatureCollection(
            id="jurisdictions",
            title_zh="行政区",
            title_en="Jurisdictions",
            description=(
                "The 15 jurisdictions of the exchange (Beijing, Tianjin, Hebei, its 11 cities, Xiong'an) and "
                "the neighbouring provincial capitals, as representative points (the government seat, ±1 km). "
                "Boundaries are not served: the public boundary files the project knows have unclear licences."
            ),
            items=_jurisdiction_items,
            properties={
                "code": "GB/T 2260 code",
                "name_zh": "Chinese name",
                "name_en": "English name",
                "level": "province, city or new_area",
                "parent": "code of the parent jurisdiction",
                "jurisdiction": "true for the 15 members of the exchange, false for neighbouring capitals",
            },
            attribution="Xietong reference data (xietong/data/regions.toml), Apache-2.0",
            keywords=("region", "jurisdictions"),
        ),
        FeatureCollection(
            id="boundaries",
            title_zh="行政区边界",
            title_en="Boundaries",
            description=(
                "The boundaries of the GeoJSON file this server's operator configured (XIETONG_BOUNDARIES), for "
                "maps; empty when none is. Xietong bundles no boundary file: the public ones it knows have unclear "
                "licences, so the operator answers for the file and its terms."
            ),
            items=_boundary_items,
            attribution="the operator's boundary file (see its own terms)",
            keywords=("region", "boundaries"),
        ),
    ]


@cache
def registry() -> dict[str, tuple[str, FeatureCollection]]:
    """Every collection: ``id -> (provider name, collection)``, the platform's first, then each domain's
    in domain order."""
    found: dict[str, tuple[str, FeatureCollection]] = {}
    providers: list[tuple[str, Callable[[], Sequence[Any]]]] = [("platform", platform_collections)]
    providers += domains.feature_providers()
    for name, provider in providers:
        for coll in provider():
            if not isinstance(coll, FeatureCollection):
                raise FeaturesError(
                    f"the features provider of {name!r} returned a {type(coll).__name__}",
                    expected="xietong.features.FeatureCollection objects",
                    given=repr(coll)[:80],
                )
            if not _ID_RE.match(coll.id):
                raise FeaturesError(
                    f"collection id {coll.id!r} of {name!r} is malformed",
                    expected="lower case letters, digits and '-', starting with a letter",
                    given=repr(coll.id),
                )
            if coll.id in found:
                raise FeaturesError(
                    f"two collections are called {coll.id!r}",
                    expected="one id per collection over all installed domains",
                    given=f"{found[coll.id][0]} and {name}",
                )
            found[coll.id] = (name, coll)
    return found


def get(collection_id: str) -> FeatureCollection:
    """The collection with this id, or a :class:`NotFoundError` listing the ids."""
    found = registry().get(collection_id)
    if found is None:
        raise NotFoundError(
            f"no feature collection {collection_id!r}",
            expected="one of " + ", ".join(registry()),
            given=repr(collection_id),
            hint="list them at /api/v1/features/collections",
        )
    return found[1]


def find_item(coll: FeatureCollection, query: ItemsQuery, feature_id: str) -> dict[str, Any]:
    """One feature by id (the collection's own lookup, or paging through its items)."""
    feature: dict[str, Any] | None = None
    if coll.item is not None:
        feature = coll.item(query, feature_id)
    else:
        offset = 0
        while feature is None:
            page = coll.items(
                ItemsQuery(query.store, query.settings, query.principal, limit=MAX_LIMIT, offset=offset,
                           params=query.params)
            )  # fmt: skip
            feature = next((f for f in page.features if str(f.get("id")) == feature_id), None)
            offset += MAX_LIMIT
            if len(page.features) < MAX_LIMIT:
                break
    if feature is None:
        raise NotFoundError(
            f"no feature {feature_id!r} in collection {coll.id!r}",
            hint=f"list the ids at /api/v1/features/collections/{coll.id}/items",
        )
    return feature


__all__ = [
    "CONFORMANCE",
    "CRS84",
    "DEFAULT_LIMIT",
    "GREGORIAN",
    "MAX_LIMIT",
    "REGION_BBOX",
    "BBox",
    "Extent",
    "FeatureCollection",
    "FeaturesError",
    "Interval",
    "ItemsPage",
    "ItemsQuery",
    "Param",
    "find_item",
    "geometry_bbox",
    "get",
    "hour_label",
    "in_bbox",
    "iso_cst",
    "iso_utc",
    "page_of",
    "parse_bbox",
    "parse_datetime",
    "parse_int",
    "platform_collections",
    "point_feature",
    "registry",
]
