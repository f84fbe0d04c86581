"""``/api/v1/features``: every installed domain's geographic datasets as OGC API – Features (Part 1: Core).

Resources (OGC 17-069r4 §7): the landing page, ``/conformance``, ``/collections``, ``/collections/{id}``,
``/collections/{id}/items`` (``bbox``, ``datetime``, ``limit``, ``offset`` and the collection's own
parameters; ``next``/``prev`` links, ``numberMatched``, ``numberReturned``, ``timeStamp``) and
``/collections/{id}/items/{featureId}``. Features are ``application/geo+json``; errors are
``application/problem+json`` with status 400 for a bad or unknown query parameter (§7.15.2) and 404 for an
unknown collection or feature. The landing page and the conformance declaration are public; collections and
features are read like the rest of the API (a token, or anonymous reading when the server allows it).

The collections come from :func:`xietong.features.registry` (the platform's and every domain's provider), so
this router imports no domain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from xietong import features
from xietong.api.deps import PrincipalDep, SettingsDep, StoreDep
from xietong.api.features_openapi import PARAMETERS, features_openapi
from xietong.enums import Scope
from xietong.errors import InputError
from xietong.exchange.principals import Principal
from xietong.features import FeatureCollection, ItemsQuery

router = APIRouter(prefix="/features", tags=["features (OGC API)"])

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
OPENAPI_31 = "application/vnd.oai.openapi+json;version=3.1"
#: query parameters every items request may carry (``f`` selects the only encoding there is)
STANDARD_PARAMS = frozenset({"bbox", "datetime", "limit", "offset", "f"})


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/")  # includes the ASGI root_path


def _base(request: Request) -> str:
    return _root(request) + "/api/v1/features"


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _check_format(request: Request) -> None:
    f = request.query_params.get("f")
    if f is not None and f not in {"json", "geojson"}:
        raise InputError("f: unknown encoding", expected="json (or geojson for features)", given=repr(f))


def _refuse_unknown(request: Request, allowed: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise InputError(
            f"unknown query parameter {', '.join(unknown)}",
            expected=", ".join(sorted(allowed)) or "no query parameters",
            given=", ".join(unknown),
            hint="OGC API – Features answers 400 to parameters it does not declare (see the API definition)",
        )


@router.get("", operation_id="featuresLandingPage", summary="Landing page of the OGC API – Features")
def landing(request: Request) -> dict[str, Any]:
    """Links to the API definition, the conformance declaration and the collections (§7.2)."""
    _refuse_unknown(request, {"f"})
    _check_format(request)
    base = _base(request)
    root = _root(request)
    return {
        "title": "Xietong features 协同地理要素",
        "description": (
            "Geographic datasets of the Beijing–Tianjin–Hebei coordination platform (air stations with their "
            "AQI, warning cities, water sections with their class, rail stations, the N-hour circle, "
            "jurisdictions) as OGC API – Features collections with GeoJSON."
        ),
        "links": [
            _link(base, "self", JSON, "this document"),
            _link(f"{base}/api", "service-desc", OPENAPI_30, "the API definition of these resources (OpenAPI 3.0)"),
            _link(f"{root}/openapi.json", "service-desc", OPENAPI_31, "the whole Xietong API (OpenAPI 3.1)"),
            _link(f"{root}/docs", "service-doc", "text/html", "the API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "OGC API conformance classes implemented"),
            _link(f"{base}/collections", "data", JSON, "the feature collections"),
        ],
    }


@router.get("/", include_in_schema=False)
def landing_slash(request: Request) -> dict[str, Any]:
    """The landing page also at the path with a trailing slash (clients such as OWSLib ask for it)."""
    return landing(request)


@router.get(
    "/api",
    operation_id="featuresApiDefinition",
    summary="The API definition of the features (OpenAPI 3.0)",
    responses={200: {"content": {OPENAPI_30: {}}}},
)
def api_definition(request: Request) -> JSONResponse:
    """An OpenAPI 3.0 document of the features resources and every collection (conformance class oas30)."""
    _refuse_unknown(request, {"f"})
    return JSONResponse(features_openapi(_base(request)), media_type=OPENAPI_30)


@router.get("/conformance", operation_id="featuresConformance", summary="Conformance classes")
def conformance(request: Request) -> dict[str, Any]:
    """OGC API – Features Part 1: Core, GeoJSON and OpenAPI 3.0 (§7.4)."""
    _refuse_unknown(request, {"f"})
    _check_format(request)
    return {"conformsTo": list(features.CONFORMANCE)}


def _extent(coll: FeatureCollection, query: ItemsQuery) -> dict[str, Any]:
    return (coll.extent(query) if coll.extent is not None else features.Extent()).as_dict()


def _collection_doc(coll: FeatureCollection, base: str, query: ItemsQuery) -> dict[str, Any]:
    href = f"{base}/collections/{coll.id}"
    doc: dict[str, Any] = {
        "id": coll.id,
        "title": coll.title_en,
        "title_zh": coll.title_zh,
        "description": coll.description,
        "keywords": list(coll.keywords),
        "itemType": "feature",
        "crs": [features.CRS84],
        "extent": _extent(coll, query),
        "links": [
            _link(href, "self", JSON, f"{coll.title_en} (this document)"),
            _link(f"{href}/items", "items", GEOJSON, f"{coll.title_en} as GeoJSON features"),
        ],
    }
    if coll.attribution:
        doc["attribution"] = coll.attribution
    if coll.datetime_meaning:
        doc["datetimeMeaning"] = coll.datetime_meaning
    if coll.properties:
        doc["propertyDescriptions"] = dict(coll.properties)
    if coll.params:
        doc["parameters"] = [{"name": p.name, "description": p.description, "default": p.default} for p in coll.params]
    return doc


def _query(store: StoreDep, settings: SettingsDep, principal: Principal, **kw: Any) -> ItemsQuery:
    return ItemsQuery(store=store, settings=settings, principal=principal, **kw)


@router.get("/collections", operation_id="featuresCollections", summary="The feature collections")
def collections(request: Request, store: StoreDep, settings: SettingsDep, principal: PrincipalDep) -> dict[str, Any]:
    """Every collection with its extent and links (§7.13)."""
    principal.require(Scope.READ, "read feature collections")
    _refuse_unknown(request, {"f"})
    _check_format(request)
    base = _base(request)
    query = _query(store, settings, principal)
    return {
        "links": [_link(f"{base}/collections", "self", JSON, "the feature collections")],
        "collections": [_collection_doc(coll, base, query) for _, coll in features.registry().values()],
    }


@router.get("/collections/{collection_id}", operation_id="featuresCollection", summary="One feature collection")
def collection(
    collection_id: str, request: Request, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    """A collection's description, extent and links (§7.14)."""
    principal.require(Scope.READ, "read feature collections")
    coll = features.get(collection_id)
    _refuse_unknown(request, {"f"})
    _check_format(request)
    return _collection_doc(coll, _base(request), _query(store, settings, principal))


def _items_query(
    coll: FeatureCollection, request: Request, store: StoreDep, settings: SettingsDep, principal: Principal
) -> ItemsQuery:
    qp = request.query_params
    _refuse_unknown(request, STANDARD_PARAMS | {p.name for p in coll.params})
    _check_format(request)
    limit = features.parse_int(qp["limit"], "limit", minimum=1) if "limit" in qp else features.DEFAULT_LIMIT
    params = {p.name: qp.get(p.name, p.default) for p in coll.params}
    return _query(
        store, settings, principal,
        bbox=features.parse_bbox(qp["bbox"]) if "bbox" in qp else None,
        interval=features.parse_datetime(qp["datetime"]) if "datetime" in qp else None,
        limit=min(limit, features.MAX_LIMIT),
        offset=features.parse_int(qp["offset"], "offset", minimum=0) if "offset" in qp else 0,
        params={k: v for k, v in params.items() if v is not None},
    )  # fmt: skip


def _page_link(request: Request, href: str, rel: str, offset: int, limit: int) -> dict[str, str]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in {"offset", "limit"}]
    params += [("limit", str(limit)), ("offset", str(offset))]
    title = {"self": "this page", "next": "the next page", "prev": "the previous page"}[rel]
    return _link(f"{href}?{urlencode(params)}", rel, GEOJSON, title)


@router.get(
    "/collections/{collection_id}/items",
    operation_id="featuresItems",
    summary="Features of a collection (GeoJSON)",
    openapi_extra={"parameters": [PARAMETERS[n] for n in ("bbox", "datetime", "limit", "offset")]},
    responses={200: {"content": {GEOJSON: {}}}},
)
def items(
    collection_id: str, request: Request, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """One page of features, with ``next``/``prev`` links when there are more (§7.15). Some collections take
    parameters of their own (the circle's ``centre`` and ``minutes``): see the collection document."""
    principal.require(Scope.READ, "read feature collections")
    coll = features.get(collection_id)
    query = _items_query(coll, request, store, settings, principal)
    page = coll.items(query)
    href = f"{_base(request)}/collections/{coll.id}/items"
    links = [
        _page_link(request, href, "self", query.offset, query.limit),
        _link(f"{_base(request)}/collections/{coll.id}", "collection", JSON, coll.title_en),
    ]
    returned = len(page.features)
    more = page.number_matched is None and returned == query.limit
    if more or (page.number_matched is not None and query.offset + returned < page.number_matched):
        links.append(_page_link(request, href, "next", query.offset + returned, query.limit))
    if query.offset > 0:
        links.append(_page_link(request, href, "prev", max(0, query.offset - query.limit), query.limit))
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": page.features,
        "links": links,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "numberReturned": returned,
    }
    if page.number_matched is not None:
        body["numberMatched"] = page.number_matched
    return JSONResponse(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    operation_id="featuresItem",
    summary="One feature (GeoJSON)",
    responses={200: {"content": {GEOJSON: {}}}},
)
def item(
    collection_id: str,
    feature_id: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """The feature with this id, with links to itself and its collection (§7.16)."""
    principal.require(Scope.READ, "read feature collections")
    coll = features.get(collection_id)
    _refuse_unknown(request, {"f", *(p.name for p in coll.params)})
    _check_format(request)
    params = {p.name: request.query_params.get(p.name, p.default) for p in coll.params}
    query = _query(store, settings, principal, params={k: v for k, v in params.items() if v is not None})
    feature = dict(features.find_item(coll, query, feature_id))
    href = f"{_base(request)}/collections/{coll.id}"
    feature["links"] = [
        _link(f"{href}/items/{quote(feature_id, safe='')}", "self", GEOJSON, "this feature"),
        _link(href, "collection", JSON, coll.title_en),
    ]
    return JSONResponse(feature, media_type=GEOJSON)


__all__ = ["router"]
