"""Is a park inside its jurisdiction's boundary? Point-in-polygon on GeoJSON geometries (pure).

Xietong bundles no boundary polygons (the public ones have unclear terms, ``../shared/data/README.md``); a
deployment names a GeoJSON file with ``XIETONG_BOUNDARIES`` and the park import then checks each park
point against the feature of its jurisdiction (a feature's ``adcode`` or ``code`` property, GB/T 2260).
Where no feature matches, only the distance check of :mod:`xietong.industry.parks` applies.

The test is the even–odd ray-casting rule on each ring (holes excluded), in the coordinates of the file:
public boundary files of China are often GCJ-02, offset by a few hundred metres from WGS-84, so a point
within :data:`EDGE_TOLERANCE_DEG` of the boundary counts as inside.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xietong.errors import InputError, Location
from xietong.inputs import read_input_text

#: points this close to the boundary [degrees, about 1 km] count as inside (GCJ-02 offsets, digitising)
EDGE_TOLERANCE_DEG = 0.01


def _ring_contains(ring: Sequence[Sequence[float]], lon: float, lat: float) -> bool:
    xy = np.asarray(ring, dtype="float64")[:, :2]
    x0, y0 = xy[:, 0], xy[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > lat) != (y1 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(crosses & (lon < x_at)) % 2)


def _ring_distance_deg(ring: Sequence[Sequence[float]], lon: float, lat: float) -> float:
    """Smallest distance [degrees] from the point to the ring's edges (planar; fine at this scale)."""
    xy = np.asarray(ring, dtype="float64")[:, :2]
    a, b = xy, np.roll(xy, -1, axis=0)
    ab = b - a
    p = np.array([lon, lat])
    length2 = (ab**2).sum(axis=1)
    t = np.clip(np.where(length2 > 0, ((p - a) * ab).sum(axis=1) / np.where(length2 > 0, length2, 1), 0), 0, 1)
    nearest = a + t[:, np.newaxis] * ab
    return float(np.sqrt(((nearest - p) ** 2).sum(axis=1)).min())


def _polygons(geometry: Mapping[str, Any]) -> list[list[Any]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def contains(geometry: Mapping[str, Any], lon: float, lat: float, *, tolerance_deg: float = EDGE_TOLERANCE_DEG) -> bool:
    """Whether the (Multi)Polygon ``geometry`` contains the point, or passes within ``tolerance_deg`` of it."""
    polygons = _polygons(geometry)
    for rings in polygons:
        if rings and _ring_contains(rings[0], lon, lat) and not any(_ring_contains(h, lon, lat) for h in rings[1:]):
            return True
    return any(_ring_distance_deg(ring, lon, lat) <= tolerance_deg for rings in polygons for ring in rings)


def load(path: Path) -> dict[str, dict[str, Any]]:
    """The geometries of a boundary file by GB/T 2260 code (``adcode`` or ``code`` property)."""
    try:
        doc = json.loads(read_input_text(path))
    except (OSError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            "cannot read the boundary file",
            expected="a GeoJSON FeatureCollection (XIETONG_BOUNDARIES)",
            given=str(exc),
            where=Location(str(path)),
        ) from exc
    out: dict[str, dict[str, Any]] = {}
    for feature in doc.get("features", []) if isinstance(doc, dict) else []:
        props = feature.get("properties") or {}
        code = props.get("adcode", props.get("code"))
        geometry = feature.get("geometry")
        if code is not None and isinstance(geometry, dict) and _polygons(geometry):
            out[str(code)] = geometry
    return out


__all__ = ["EDGE_TOLERANCE_DEG", "contains", "load"]
