"""The OpenAPI 3.0 definition of ``/api/v1/features`` (conformance class *oas30* of OGC API – Features Part 1).

The application's own document (``/openapi.json``) is OpenAPI 3.1, as FastAPI writes it; Part 1 knows only
OpenAPI 3.0 (OGC 17-069r4 §10 "Requirements Class OpenAPI 3.0"), so the features resources are described
again here in 3.0, with one path per collection (as OGC servers such as pygeoapi do) so that each collection's
own parameters are declared. Built from the registry on each request: a domain installed later appears.
"""

from __future__ import annotations

from typing import Any

from xietong import __version__, features

GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"

#: the standard query parameters of ``/items`` (OGC 17-069r4 §7.15.2–§7.15.4, Annex B fragments)
PARAMETERS: dict[str, dict[str, Any]] = {
    "bbox": {
        "name": "bbox",
        "in": "query",
        "required": False,
        "description": "Only features with a point inside minLon,minLat,maxLon,maxLat (WGS-84 degrees, CRS84); "
        "6 numbers with heights are accepted and the heights ignored.",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "style": "form",
        "explode": False,
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "description": "An RFC 3339 instant (2016-12-20T08:00:00+08:00), a date (the China Standard Time day) or "
        "an interval start/end with '..' for an open end. What it selects is said by each collection "
        "(datetimeMeaning): e.g. the hour of the AQI shown.",
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Page size; larger values are lowered to {features.MAX_LIMIT}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": features.MAX_LIMIT, "default": features.DEFAULT_LIMIT},
        "style": "form",
        "explode": False,
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "required": False,
        "description": "Features to skip (the next link carries it).",
        "schema": {"type": "integer", "minimum": 0, "default": 0},
        "style": "form",
        "explode": False,
    },
    "f": {
        "name": "f",
        "in": "query",
        "required": False,
        "description": "Encoding: json (GeoJSON for features), the only one.",
        "schema": {"type": "string", "enum": ["json", "geojson"]},
        "style": "form",
        "explode": False,
    },
}

_SCHEMAS: dict[str, Any] = {
    "link": {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {k: {"type": "string"} for k in ("href", "rel", "type", "title")},
    },
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
        },
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "extent": {"type": "object"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
        },
    },
    "featureGeoJSON": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object", "nullable": True},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
        },
    },
    "featureCollectionGeoJSON": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {k: {"type": "string"} for k in ("type", "title", "detail", "instance")},
    },
}


def _json(schema: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _geojson(schema: str) -> dict[str, Any]:
    return {"description": "OK", "content": {GEOJSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_ERRORS = {
    "400": {"description": "a query parameter is unknown or invalid", "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/problem"}}}},
    "401": {"description": "a token is needed (the server does not allow anonymous reading)"},
    "404": {"description": "no such collection or feature", "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/problem"}}}},
}  # fmt: skip


def _get(operation_id: str, summary: str, ok: dict[str, Any], params: list[dict[str, Any]]) -> dict[str, Any]:
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": params,
                    "responses": {"200": ok, **_ERRORS}, "tags": ["features"]}}  # fmt: skip


def _own(param: features.Param) -> dict[str, Any]:
    schema = dict(param.schema)
    if param.default is not None:
        schema.setdefault("default", param.default)
    return {"name": param.name, "in": "query", "required": False, "description": param.description, "schema": schema}


def features_openapi(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of the features resources served at ``base_url``."""
    f = [PARAMETERS["f"]]
    paths: dict[str, Any] = {
        "/": _get("getLandingPage", "Landing page", _json("landingPage"), f),
        "/conformance": _get("getConformance", "Conformance classes", _json("confClasses"), f),
        "/collections": _get("getCollections", "The feature collections", _json("collections"), f),
    }
    for _, coll in features.registry().values():
        own = [_own(p) for p in coll.params]
        key = f"/collections/{coll.id}"
        title = f"{coll.title_en} {coll.title_zh}"
        paths[key] = _get(f"describe-{coll.id}", f"{title}: description", _json("collection"), f)
        std = [PARAMETERS[n] for n in ("bbox", "datetime", "limit", "offset", "f")]
        paths[f"{key}/items"] = _get(
            f"getItems-{coll.id}", f"{title}: features", _geojson("featureCollectionGeoJSON"), std + own
        )
        fid = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
        paths[f"{key}/items/{{featureId}}"] = _get(
            f"getItem-{coll.id}", f"{title}: one feature", _geojson("featureGeoJSON"), [fid, *f, *own]
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Xietong features (OGC API – Features)",
            "version": __version__,
            "description": "Geographic datasets of the Beijing–Tianjin–Hebei coordination platform.",
            "license": {"name": "Apache-2.0"},
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


__all__ = ["PARAMETERS", "features_openapi"]
