"""A street-network router over an OpenStreetMap extract (car or walking), for access/egress legs.

:meth:`StreetNetwork.from_pbf` reads the ways with a ``highway`` tag from an ``.osm.pbf`` (or ``.osm``)
file with pyosmium (the optional extra ``xietong[streets]``, imported when an extract is read), turns each pair of consecutive way nodes into one edge (both directions, or one for
car oneways), weighs it by its travel time [s] and keeps the graph as CSR arrays. Shortest travel times
come from :func:`scipy.sparse.csgraph.dijkstra` (one-to-all, many-to-many); points are snapped to the
nearest node of the largest strongly connected component with a :class:`scipy.spatial.cKDTree` on a local
equirectangular projection [m].

Speeds
------
- car: the way's ``maxspeed`` when it is a number (``"50"``, ``"30 mph"``; ``"walk"`` = 5 km/h), else the
  default of its highway class in :data:`CAR_SPEED_KMH` (Xietong's assumption, close to urban free-flow
  speeds; no congestion, no turn costs, no traffic signals). ``oneway=yes|true|1`` keeps the forward
  direction only, ``oneway=-1|reverse`` the backward one; ``highway=motorway`` and ``junction=roundabout``
  are oneway unless tagged ``oneway=no``. ``access``/``motor_vehicle``/``motorcar`` = ``no``/``private``
  exclude the way.
- walk: :data:`WALK_SPEED_KMH` (5 km/h) on every way a pedestrian may use (not motorways, not ways under
  construction, not cycleways unless ``foot`` allows it, not ``foot=no``); oneway tags are ignored.

Travel times are between the snapped nodes; the snapping distance is returned by :meth:`StreetNetwork.snap`
so a caller can add an access walk. Unreachable pairs are NaN (never a sentinel number).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components, dijkstra  # type: ignore[import-untyped]
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from xietong.errors import InputError, Location, require_extra

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: mean Earth radius used for distances and the local projection [m]
EARTH_RADIUS_M = 6_371_009.0
#: walking speed on every walkable way [km/h]
WALK_SPEED_KMH = 5.0

#: default car speed by ``highway`` class when ``maxspeed`` is absent [km/h] (assumed, free flow)
CAR_SPEED_KMH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 60.0,
    "trunk": 90.0,
    "trunk_link": 50.0,
    "primary": 70.0,
    "primary_link": 40.0,
    "secondary": 60.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 30.0,
}

_NOT_WALKABLE = frozenset(
    {"motorway", "motorway_link", "construction", "proposed", "abandoned", "raceway", "bus_guideway", "escape"}
)
_FOOT_OK = frozenset({"yes", "designated", "permissive", "official"})
_DENY = frozenset({"no", "private"})
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?", re.IGNORECASE)


class TravelMode(StrEnum):
    """Street modes: ``car`` (class speeds, ``maxspeed``, oneways) or ``walk`` (5 km/h, both ways)."""

    CAR = "car"
    WALK = "walk"


def parse_maxspeed_kmh(value: str | None) -> float | None:
    """The ``maxspeed`` tag as km/h (``"50"``, ``"30 mph"``, ``"walk"``), or ``None`` when it is not a number."""
    if value is None:
        return None
    text = value.strip().lower()
    if text == "walk":
        return WALK_SPEED_KMH
    m = _MAXSPEED.match(text)
    if m is None:
        return None
    speed = float(m.group(1))
    if m.group(2) == "mph":
        speed *= 1.609344
    return speed if speed > 0 else None


def _way_rule(tags: dict[str, str], mode: TravelMode) -> tuple[float, int] | None:
    """``(speed_kmh, direction)`` for a way, or ``None`` when the mode may not use it.

    ``direction`` is 0 for both ways, 1 forward only, -1 backward only.
    """
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return None
    access = tags.get("access")
    if mode is TravelMode.WALK:
        return (WALK_SPEED_KMH, 0) if _walkable(tags, highway, access) else None
    default = CAR_SPEED_KMH.get(highway)
    if default is None:
        return None
    car_access = tags.get("motorcar", tags.get("motor_vehicle", access))
    if car_access in _DENY:
        return None
    speed = parse_maxspeed_kmh(tags.get("maxspeed")) or default
    return speed, _car_direction(tags, highway)


def _walkable(tags: dict[str, str], highway: str, access: str | None) -> bool:
    """Whether a pedestrian may use the way: not ``foot=no``, and motorways, ways under construction,
    cycleways and ways closed to access only where ``foot`` allows it."""
    foot = tags.get("foot")
    if foot in _DENY:
        return False
    if highway in _NOT_WALKABLE or highway == "cycleway" or access in _DENY:
        return foot in _FOOT_OK
    return True


def _car_direction(tags: dict[str, str], highway: str) -> int:
    """0 both ways, 1 forward only, -1 backward only: the ``oneway`` tag, else motorways and roundabouts
    are one way."""
    oneway = tags.get("oneway")
    if oneway in {"yes", "true", "1"}:
        return 1
    if oneway in {"-1", "reverse"}:
        return -1
    if oneway == "no":
        return 0
    if highway == "motorway" or tags.get("junction") in {"roundabout", "circular"}:
        return 1
    return 0


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> FloatArray:
    """Great-circle distance [m] between points given in degrees (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)), dtype=np.float64)


def _as_points(points: Any, what: str) -> FloatArray:
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(
            f"{what} must be (lon, lat) pairs",
            expected="an array of shape (n, 2) in degrees, longitude first",
            given=f"shape {arr.shape}",
            where=Location(field=what),
        )
    return arr


@dataclass
class _WayEdges:
    """Edges between consecutive nodes of the ways read from an extract, before they become a graph."""

    refs_a: list[int] = field(default_factory=list)
    refs_b: list[int] = field(default_factory=list)
    lon_a: list[float] = field(default_factory=list)
    lat_a: list[float] = field(default_factory=list)
    lon_b: list[float] = field(default_factory=list)
    lat_b: list[float] = field(default_factory=list)
    speed: list[float] = field(default_factory=list)
    direction: list[int] = field(default_factory=list)

    def add_way(self, way: Any, rule: tuple[float, int]) -> None:
        """One edge per pair of consecutive way nodes with a location (a missing node splits the way)."""
        prev: tuple[int, float, float] | None = None
        for nd in way.nodes:
            loc = nd.location
            if not loc.valid():
                prev = None
                continue
            cur = (nd.ref, loc.lon, loc.lat)
            if prev is not None:
                self.refs_a.append(prev[0])
                self.lon_a.append(prev[1])
                self.lat_a.append(prev[2])
                self.refs_b.append(cur[0])
                self.lon_b.append(cur[1])
                self.lat_b.append(cur[2])
                self.speed.append(rule[0])
                self.direction.append(rule[1])
            prev = cur

    def network(self, cls: type[StreetNetwork], mode: TravelMode) -> StreetNetwork:
        """The graph of these edges: nodes numbered by OSM id, travel time = length / speed [s], oneways kept
        in their direction."""
        a = np.asarray(self.refs_a, dtype=np.int64)
        b = np.asarray(self.refs_b, dtype=np.int64)
        node_id, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
        ia, ib = inverse[: len(a)], inverse[len(a) :]
        node_lon = np.empty(len(node_id))
        node_lat = np.empty(len(node_id))
        node_lon[ia], node_lat[ia] = self.lon_a, self.lat_a
        node_lon[ib], node_lat[ib] = self.lon_b, self.lat_b
        lon_a, lat_a = np.asarray(self.lon_a), np.asarray(self.lat_a)
        dist = haversine_m(lon_a, lat_a, np.asarray(self.lon_b), np.asarray(self.lat_b))
        time_s = dist / (np.asarray(self.speed) / 3.6)
        dirs = np.asarray(self.direction, dtype=np.int64)
        fwd, bwd = dirs >= 0, dirs <= 0
        u = np.concatenate([ia[fwd], ib[bwd]])
        v = np.concatenate([ib[fwd], ia[bwd]])
        return cls.from_edges(
            mode,
            node_id,
            node_lon,
            node_lat,
            u,
            v,
            np.concatenate([time_s[fwd], time_s[bwd]]),
            np.concatenate([dist[fwd], dist[bwd]]),
        )


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """A directed street graph as CSR arrays, weighted by travel time.

    Attributes
    ----------
    mode: :class:`TravelMode` the weights are for.
    node_id: OSM node id of each graph node.
    lon, lat: node coordinates [degrees, WGS-84].
    indptr, indices: CSR adjacency (edges leaving node ``i`` are ``indices[indptr[i]:indptr[i+1]]``).
    edge_time_s: edge travel times aligned with ``indices`` [s].
    edge_length_m: edge lengths aligned with ``indices`` [m].
    snappable: nodes of the largest strongly connected component (the only snapping targets).
    """

    mode: TravelMode
    node_id: IntArray
    lon: FloatArray
    lat: FloatArray
    indptr: IntArray
    indices: IntArray
    edge_time_s: FloatArray
    edge_length_m: FloatArray
    snappable: npt.NDArray[np.bool_]
    _tree: cKDTree = field(repr=False)
    _tree_nodes: IntArray = field(repr=False)
    _lat0_rad: float = field(repr=False)

    # -- construction ---------------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        mode: TravelMode,
        node_id: IntArray,
        lon: FloatArray,
        lat: FloatArray,
        u: IntArray,
        v: IntArray,
        travel_time_s: FloatArray,
        distance_m: FloatArray,
    ) -> StreetNetwork:
        """Build from node arrays and directed edges ``u[k] → v[k]`` (node indices).

        Parallel edges keep the fastest one; self-loops are dropped.
        """
        n = len(node_id)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        w = np.asarray(travel_time_s, dtype=np.float64)
        d = np.asarray(distance_m, dtype=np.float64)
        keep = u != v
        u, v, w, d = u[keep], v[keep], w[keep], d[keep]
        order = np.lexsort((w, v, u))
        u, v, w, d = u[order], v[order], w[order], d[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w, d = u[first], v[first], w[first], d[first]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
        lat_arr = np.asarray(lat, dtype=np.float64)
        lon_arr = np.asarray(lon, dtype=np.float64)
        graph = sp.csr_matrix((w, v, indptr), shape=(n, n))
        snappable = np.zeros(n, dtype=bool)
        if n:
            _, labels = connected_components(graph, directed=True, connection="strong")
            snappable = labels == np.bincount(labels).argmax()
        lat0 = float(np.radians(lat_arr.mean())) if n else 0.0
        tree_nodes = np.flatnonzero(snappable).astype(np.int64)
        xy = _project(lon_arr[tree_nodes], lat_arr[tree_nodes], lat0)
        return cls(
            mode=mode,
            node_id=np.asarray(node_id, dtype=np.int64),
            lon=lon_arr,
            lat=lat_arr,
            indptr=indptr,
            indices=v,
            edge_time_s=w,
            edge_length_m=d,
            snappable=snappable,
            _tree=cKDTree(xy),
            _tree_nodes=tree_nodes,
            _lat0_rad=lat0,
        )

    @classmethod
    def from_pbf(cls, path: Path | str, mode: TravelMode | str = TravelMode.CAR) -> StreetNetwork:
        """Read the street graph of ``mode`` from an OSM extract (``.osm.pbf`` or ``.osm``).

        Way nodes missing from the extract (ways clipped at its border) split the way there.
        """
        path = Path(path)
        mode = TravelMode(mode)
        if not path.is_file():
            raise InputError(
                "OSM extract not found",
                expected="an existing .osm.pbf file",
                given=str(path),
                where=Location(source=str(path)),
            )
        osmium = require_extra("osmium", extra="streets", feature="the street router")
        edges = _WayEdges()
        try:
            processor = (
                osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                .with_locations()
                .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                .with_filter(osmium.filter.KeyFilter("highway"))
            )
            for way in processor:
                if not isinstance(way, osmium.osm.Way):
                    continue
                rule = _way_rule(dict(way.tags), mode)
                if rule is not None:
                    edges.add_way(way, rule)
        except RuntimeError as exc:
            raise InputError(
                "could not read the OSM extract",
                expected="an OSM PBF or XML file",
                given=str(exc),
                where=Location(source=str(path)),
            ) from exc
        return edges.network(cls, mode)

    # -- queries --------------------------------------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        return len(self.indices)

    def matrix(self) -> sp.csr_matrix:
        """The graph as a SciPy CSR matrix of travel times [s] (explicit entries are edges, zero included)."""
        return sp.csr_matrix((self.edge_time_s, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes))

    def snap(self, points: Any) -> tuple[IntArray, FloatArray]:
        """Nearest snappable node of each ``(lon, lat)`` point [degrees] and the distance to it [m]."""
        pts = _as_points(points, "points")
        if len(self._tree_nodes) == 0:
            raise InputError(
                "the street network is empty",
                expected="an extract with ways this mode may use",
                given=f"0 nodes for mode {self.mode}",
            )
        dist, pos = self._tree.query(_project(pts[:, 0], pts[:, 1], self._lat0_rad))
        return self._tree_nodes[np.asarray(pos, dtype=np.int64)], np.asarray(dist, dtype=np.float64)

    def node_travel_time_s(self, sources: Any, targets: Any = None, *, chunk: int = 128) -> FloatArray:
        """Shortest travel times [s] from node indices ``sources`` to ``targets`` (all nodes when ``None``).

        Returns an array of shape ``(len(sources), len(targets))``; NaN where a target is unreachable.
        Sources are run through Dijkstra once each (duplicates shared), ``chunk`` at a time.
        """
        src = np.asarray(sources, dtype=np.int64).ravel()
        tgt = None if targets is None else np.asarray(targets, dtype=np.int64).ravel()
        uniq, inv = np.unique(src, return_inverse=True)
        graph = self.matrix()
        width = self.n_nodes if tgt is None else len(tgt)
        out = np.empty((len(uniq), width), dtype=np.float64)
        for start in range(0, len(uniq), chunk):
            block = dijkstra(graph, directed=True, indices=uniq[start : start + chunk])
            out[start : start + chunk] = block if tgt is None else block[:, tgt]
        out[np.isinf(out)] = np.nan
        return out[inv]

    def travel_time_from(self, origin: Any) -> FloatArray:
        """One-to-all: travel time [s] from the node nearest to ``(lon, lat)`` to every node (NaN unreachable)."""
        node, _ = self.snap(origin)
        row: FloatArray = self.node_travel_time_s(node[:1])[0]
        return row

    def travel_time_s(self, origins: Any, destinations: Any) -> FloatArray:
        """Many-to-many travel times [s] between ``(lon, lat)`` points, shape ``(n_origins, n_destinations)``.

        Both ends are snapped to the nearest snappable node; the snapping distance is not included (see
        :meth:`snap`). NaN where a destination cannot be reached.
        """
        o, _ = self.snap(origins)
        d, _ = self.snap(destinations)
        return self.node_travel_time_s(o, d)


def _project(lon: Any, lat: Any, lat0_rad: float) -> FloatArray:
    """Local equirectangular projection [m] around latitude ``lat0_rad`` (good over a city extract)."""
    lon_rad = np.radians(np.atleast_1d(np.asarray(lon, dtype=np.float64)))
    lat_rad = np.radians(np.atleast_1d(np.asarray(lat, dtype=np.float64)))
    out: FloatArray = np.column_stack([lon_rad * math.cos(lat0_rad) * EARTH_RADIUS_M, lat_rad * EARTH_RADIUS_M])
    return out


__all__ = [
    "CAR_SPEED_KMH",
    "EARTH_RADIUS_M",
    "WALK_SPEED_KMH",
    "StreetNetwork",
    "TravelMode",
    "haversine_m",
    "parse_maxspeed_kmh",
]
