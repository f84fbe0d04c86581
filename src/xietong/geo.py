"""GeoJSON helpers shared by the CLI, the API and the dashboard."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def points_geojson(
    frame: pd.DataFrame, *, lon: str = "lon", lat: str = "lat", id_column: str | None = None
) -> dict[str, Any]:
    """A FeatureCollection of points; rows without coordinates get a ``null`` geometry (RFC 7946 §3.2)."""
    features = []
    for rec in frame.to_dict("records"):
        x, y = rec.get(lon), rec.get(lat)
        has_point = x is not None and y is not None and not (pd.isna(x) or pd.isna(y))
        point = [float(x), float(y)] if has_point else None  # type: ignore[arg-type]
        props = {k: _clean(v) for k, v in rec.items() if k not in {lon, lat}}
        feature: dict[str, Any] = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": point} if point else None,
            "properties": props,
        }
        if id_column is not None:
            feature["id"] = _clean(rec[id_column])
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def stations_geojson(frame: pd.DataFrame) -> dict[str, Any]:
    """Stations (as from :func:`xietong.air.stations.list_stations`) as GeoJSON points."""
    return points_geojson(frame, id_column="code")


__all__ = ["points_geojson", "stations_geojson"]
