"""Street router: SciPy Dijkstra vs a pure-Python Dijkstra on the same graph, oneways, snapping."""

from __future__ import annotations

import heapq
import itertools
import math
from pathlib import Path

import numpy as np
import osmium
import pytest

from xietong.errors import InputError
from xietong.transit.streets import StreetNetwork, TravelMode, haversine_m, parse_maxspeed_kmh

PBF = Path(__file__).parents[2] / "data" / "transit" / "road" / "pyrosm_test.osm.pbf"


@pytest.fixture(scope="module")
def car() -> StreetNetwork:
    return StreetNetwork.from_pbf(PBF, TravelMode.CAR)


@pytest.fixture(scope="module")
def walk() -> StreetNetwork:
    return StreetNetwork.from_pbf(PBF, TravelMode.WALK)


def brute_dijkstra(net: StreetNetwork, source: int) -> list[float]:
    """Textbook Dijkstra with a binary heap over the CSR arrays."""
    dist = [math.inf] * net.n_nodes
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for k in range(int(net.indptr[u]), int(net.indptr[u + 1])):
            v, nd = int(net.indices[k]), d + float(net.edge_time_s[k])
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def edges(net: StreetNetwork) -> set[tuple[int, int]]:
    out = set()
    for u in range(net.n_nodes):
        for k in range(int(net.indptr[u]), int(net.indptr[u + 1])):
            out.add((int(net.node_id[u]), int(net.node_id[net.indices[k]])))
    return out


@pytest.mark.parametrize("mode", list(TravelMode))
def test_scipy_equals_brute_force_dijkstra(mode: TravelMode) -> None:
    net = StreetNetwork.from_pbf(PBF, mode)
    rng = np.random.default_rng(6)
    sources = rng.choice(net.n_nodes, size=15, replace=False)
    got = net.node_travel_time_s(sources)
    assert got.shape == (15, net.n_nodes)
    for row, s in zip(got, sources, strict=True):
        want = np.array(brute_dijkstra(net, int(s)))
        reach = np.isfinite(want)
        assert np.array_equal(np.isnan(row), ~reach)
        np.testing.assert_allclose(row[reach], want[reach], rtol=1e-12, atol=1e-9)
    # many-to-many picks the same columns
    targets = rng.choice(net.n_nodes, size=7, replace=False)
    np.testing.assert_array_equal(net.node_travel_time_s(sources, targets), got[:, targets])


def test_graph_matches_the_extract(car: StreetNetwork, walk: StreetNetwork) -> None:
    assert car.n_nodes == 880 and car.n_edges == 1651
    assert walk.n_nodes > car.n_nodes  # footways, paths and cycleway-with-foot are walkable
    # edge weights: length at the way's speed
    k = 0
    u = int(np.searchsorted(walk.indptr, k, side="right") - 1)
    v = int(walk.indices[k])
    d = haversine_m(walk.lon[u], walk.lat[u], walk.lon[v], walk.lat[v])
    assert walk.edge_length_m[k] == pytest.approx(float(d))
    assert walk.edge_time_s[k] == pytest.approx(float(d) / (5.0 / 3.6))


def test_oneway_secondary_is_one_direction_for_cars_only(car: StreetNetwork, walk: StreetNetwork) -> None:
    # way 5184588: highway=secondary, oneway=yes, 8 nodes, all in the extract
    found = [
        (dict(w.tags), [n.ref for n in w.nodes])
        for w in osmium.FileProcessor(str(PBF), osmium.osm.WAY)
        if isinstance(w, osmium.osm.Way) and w.id == 5184588
    ]
    tags, refs = found[0]
    assert tags["oneway"] == "yes" and tags["highway"] == "secondary" and len(refs) == 8
    pairs = list(itertools.pairwise(refs))
    car_edges, walk_edges = edges(car), edges(walk)
    for a, b in pairs:
        assert (a, b) in car_edges
        assert (b, a) not in car_edges
        assert (a, b) in walk_edges and (b, a) in walk_edges


def test_toy_osm_tags(tmp_path: Path) -> None:
    """oneway=-1, motorway implied oneway, roundabout, maxspeed, access=private, foot=no."""
    nodes = "".join(f'<node id="{i}" version="1" lat="{60 + i * 0.001}" lon="25.0"/>' for i in range(1, 12))

    def way(wid: int, a: int, b: int, **tags: str) -> str:
        t = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        return f'<way id="{wid}" version="1"><nd ref="{a}"/><nd ref="{b}"/>{t}</way>'

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">'
        + nodes
        + way(1, 1, 2, highway="residential", oneway="-1")
        + way(2, 2, 3, highway="motorway")
        + way(3, 3, 4, highway="primary", junction="roundabout")
        + way(4, 4, 5, highway="primary", maxspeed="36")
        + way(5, 5, 6, highway="residential", access="private")
        + way(6, 6, 7, highway="footway", foot="no")
        + way(7, 7, 8, highway="motorway", oneway="no")
        + way(8, 8, 9, highway="tertiary", maxspeed="30 mph")
        + "</osm>"
    )
    path = tmp_path / "toy.osm"
    path.write_text(xml)
    car = StreetNetwork.from_pbf(path, "car")
    e = edges(car)
    assert (2, 1) in e and (1, 2) not in e
    assert (2, 3) in e and (3, 2) not in e
    assert (3, 4) in e and (4, 3) not in e
    assert (4, 5) in e and (5, 4) in e
    assert (5, 6) not in e and (6, 7) not in e
    assert (7, 8) in e and (8, 7) in e
    idx = {int(n): i for i, n in enumerate(car.node_id)}
    t45 = car.node_travel_time_s([idx[4]], [idx[5]])[0, 0]
    d45 = float(haversine_m(25.0, 60.004, 25.0, 60.005))
    assert t45 == pytest.approx(d45 / 10.0)  # 36 km/h = 10 m/s
    t89 = car.node_travel_time_s([idx[8]], [idx[9]])[0, 0]
    assert t89 == pytest.approx(d45 / (30 * 1.609344 / 3.6))
    # the reverse of a oneway chain is unreachable: NaN, not a sentinel
    assert np.isnan(car.node_travel_time_s([idx[3]], [idx[2]])[0, 0])
    walk_e = edges(StreetNetwork.from_pbf(path, "walk"))
    assert (1, 2) in walk_e and (2, 3) not in walk_e and (6, 7) not in walk_e and (5, 6) not in walk_e


def test_parse_maxspeed() -> None:
    assert parse_maxspeed_kmh("50") == 50
    assert parse_maxspeed_kmh("20 mph") == pytest.approx(32.18688)
    assert parse_maxspeed_kmh("walk") == 5
    assert (
        parse_maxspeed_kmh("none") is None
        and parse_maxspeed_kmh("RU:urban") is None
        and parse_maxspeed_kmh(None) is None
    )


def test_snapping_is_the_nearest_node_of_the_main_component(car: StreetNetwork) -> None:
    rng = np.random.default_rng(1)
    pts = np.column_stack(
        [rng.uniform(car.lon.min(), car.lon.max(), 40), rng.uniform(car.lat.min(), car.lat.max(), 40)]
    )
    nodes, dist = car.snap(pts)
    cand = np.flatnonzero(car.snappable)
    for (lon, lat), n, d in zip(pts, nodes, dist, strict=True):
        brute = haversine_m(lon, lat, car.lon[cand], car.lat[cand])
        assert car.snappable[n]
        assert float(haversine_m(lon, lat, car.lon[n], car.lat[n])) <= brute.min() + 0.5
        assert d == pytest.approx(brute.min(), abs=0.5)
    # a node's own position snaps to it
    n0 = int(cand[10])
    got, d0 = car.snap([car.lon[n0], car.lat[n0]])
    assert got[0] == n0 and d0[0] < 1e-6


def test_point_to_point_equals_node_to_node(car: StreetNetwork) -> None:
    a, b = [26.94, 60.525], [26.96, 60.535]
    nodes, _ = car.snap([a, b])
    t = car.travel_time_s([a], [b])
    assert t.shape == (1, 1)
    assert t[0, 0] == pytest.approx(brute_dijkstra(car, int(nodes[0]))[int(nodes[1])])
    assert car.travel_time_from(a)[nodes[1]] == pytest.approx(t[0, 0])


def test_errors(tmp_path: Path, car: StreetNetwork) -> None:
    with pytest.raises(InputError, match="not found"):
        StreetNetwork.from_pbf(tmp_path / "missing.osm.pbf")
    with pytest.raises(InputError, match="shape"):
        car.snap([[1.0, 2.0, 3.0]])
