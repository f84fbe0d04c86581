"""Stop × stop travel-time matrices over a departure window, in-process or on a Dask cluster.

For each origin stop, range-RAPTOR gives the earliest arrival at every stop for every departure of the
window; the travel time (arrival − departure, waiting at the origin included, as in R5) is summarised
per destination by its 10th, 50th and 90th percentiles (the observed value at that rank, "inverted
CDF"; unreachable departures count as infinitely long) and the share of departures within a threshold.

Origins are processed in chunks: in this process by default, or on a Dask cluster when given a
scheduler address (``tcp://…``) or a ``distributed.Client`` (the optional extra ``xietong[cluster]``).
Both give identical results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xietong.errors import InputError, require_extra
from xietong.transit.raptor import DEFAULT_MAX_TRANSFERS, UNREACHED, range_many
from xietong.transit.timetable import Timetable

DEFAULT_THRESHOLD_S = 90 * 60
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True, eq=False)
class TravelTimeMatrix:
    """Percentiles of travel time [s] (float32, NaN = unreachable at that rank) per origin × destination."""

    origin_ids: np.ndarray  # object[n_origins]
    destination_ids: np.ndarray  # object[n_stops]
    departures_s: np.ndarray  # int32[n_departures]
    p10_s: np.ndarray  # float32[n_origins, n_stops]
    p50_s: np.ndarray
    p90_s: np.ndarray
    share_within: np.ndarray  # float32[n_origins, n_stops]: share of departures with travel time <= threshold
    threshold_s: int

    def to_frame(self, *, reachable_only: bool = True) -> pd.DataFrame:
        """Long form: ``from_stop_id``, ``to_stop_id``, ``p10_min``, ``p50_min``, ``p90_min``, ``share_within``."""
        n_o, n_d = self.p50_s.shape
        frame = pd.DataFrame(
            {
                "from_stop_id": np.repeat(self.origin_ids, n_d),
                "to_stop_id": np.tile(self.destination_ids, n_o),
                "p10_min": (self.p10_s / 60.0).ravel(),
                "p50_min": (self.p50_s / 60.0).ravel(),
                "p90_min": (self.p90_s / 60.0).ravel(),
                "share_within": self.share_within.ravel(),
            }
        )
        if reachable_only:
            frame = frame[np.isfinite(self.p10_s.ravel())].reset_index(drop=True)
        return frame


def rank_indexes(n_departures: int) -> np.ndarray:
    """0-based order statistics of :data:`PERCENTILES` among ``n_departures`` values, "inverted CDF"
    (Hyndman & Fan definition 1, NumPy ``method="inverted_cdf"``): the smallest value whose empirical CDF
    reaches p, i.e. rank ⌈p·n/100⌉ (at least 1)."""
    ranks = [max(-(-p * n_departures // 100), 1) for p in PERCENTILES]
    return np.array(ranks, dtype=np.int64) - 1


def _chunk_stats(
    tt: Timetable, origins: np.ndarray, departures_s: np.ndarray, max_transfers: int, threshold_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """(float32[3, o, n] percentiles [s], float32[o, n] share within) for a chunk of origin indexes."""
    arr = range_many(tt, origins, departures_s, max_transfers=max_transfers)
    # travel times in whole seconds; unreachable stays UNREACHED, larger than any real travel time
    travel = np.where(arr == UNREACHED, UNREACHED, arr - departures_s[None, :, None].astype(np.int32))
    share = (travel <= threshold_s).mean(axis=1, dtype=np.float32)
    travel.sort(axis=1)  # a partial order would do; sorting 13–121 values per pair is already cheap
    picked = travel[:, rank_indexes(len(departures_s)), :]  # [o, 3, n]
    q = np.where(picked == UNREACHED, np.nan, picked.astype(np.float32)).transpose(1, 0, 2)
    return np.ascontiguousarray(q, dtype=np.float32), share


#: uint16 code of "unreachable at this rank" in the packed form (larger than any packed travel time).
_PACKED_NA = np.iinfo(np.uint16).max


def _chunk_stats_packed(
    tt: Timetable, origins: np.ndarray, departures_s: np.ndarray, max_transfers: int, threshold_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_chunk_stats` in a compact form for the trip back from a Dask worker: percentiles as uint16
    seconds when every finite one is below 65,535 s (else float32 unchanged), the share as the count of
    departures within (uint8/uint16). Moving the results is the serial part of a distributed matrix;
    this cuts it from 16 to 7 bytes per pair. :func:`_unpack` restores identical values."""
    q, share = _chunk_stats(tt, origins, departures_s, max_transfers, threshold_s)
    finite = np.isfinite(q)
    if not finite.any() or float(q[finite].max()) < _PACKED_NA:
        q = np.where(finite, q, _PACKED_NA).astype(np.uint16)
    n = len(departures_s)
    counts = np.rint(share * n).astype(np.uint8 if n <= np.iinfo(np.uint8).max else np.uint16)
    return q, counts


def _unpack(q: np.ndarray, counts: np.ndarray, *, n_departures: int) -> tuple[np.ndarray, np.ndarray]:
    if q.dtype == np.uint16:
        q = np.where(q == _PACKED_NA, np.float32(np.nan), q.astype(np.float32))
    return q, (counts.astype(np.float32) / np.float32(n_departures)).astype(np.float32)


def _distributed() -> Any:
    """The optional ``distributed`` package (only needed for scale-out: the extra ``xietong[cluster]``)."""
    return require_extra(
        "distributed", extra="cluster", feature="a travel-time matrix on a cluster", package="dask[distributed]"
    )


def _client(cluster: Any) -> tuple[Any, bool]:
    distributed = _distributed()
    if isinstance(cluster, distributed.Client):
        return cluster, False
    return distributed.Client(cluster), True


def travel_time_matrix(
    tt: Timetable,
    departures_s: Sequence[int] | np.ndarray,
    *,
    origins: Sequence[str] | None = None,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    threshold_s: int = DEFAULT_THRESHOLD_S,
    cluster: Any = None,
    chunk_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> TravelTimeMatrix:
    """Origin stop × every stop travel-time matrix over the departures ``departures_s`` [s].

    Parameters
    ----------
    origins:
        Origin stop ids (default: every stop of the timetable).
    threshold_s:
        Travel time counted as "within" for ``share_within`` [s] (default 90 min).
    cluster:
        ``None`` (this process), a Dask scheduler address ``"tcp://host:port"`` or a ``distributed.Client``.
    progress:
        Called with (origins done, origins total) after each chunk.
    """
    deps = np.asarray(departures_s, dtype=np.int32)
    origin_idx = (
        np.arange(tt.n_stops, dtype=np.int32)
        if origins is None
        else np.array([tt.stop_index(o) for o in origins], dtype=np.int32)
    )
    chunks = [origin_idx[i : i + chunk_size] for i in range(0, len(origin_idx), chunk_size)]
    n_o, n = len(origin_idx), tt.n_stops
    q = np.empty((3, n_o, n), dtype=np.float32)
    share = np.empty((n_o, n), dtype=np.float32)
    starts = np.cumsum([0] + [len(c) for c in chunks])
    done = 0
    if cluster is None:
        for i, chunk in enumerate(chunks):
            q[:, starts[i] : starts[i + 1]], share[starts[i] : starts[i + 1]] = _chunk_stats(
                tt, chunk, deps, max_transfers, threshold_s
            )
            done += len(chunk)
            if progress:
                progress(done, n_o)
    else:
        as_completed = _distributed().as_completed
        client, owned = _client(cluster)
        try:
            # hash=False: a fresh key per call, so a finished call releasing its copy cannot cancel this one
            tt_future = client.scatter(tt, broadcast=True, hash=False)
            futures = {
                client.submit(_chunk_stats_packed, tt_future, chunk, deps, max_transfers, threshold_s, pure=False): i
                for i, chunk in enumerate(chunks)
            }
            # with_results: results are fetched in the background as tasks finish, not one round trip each
            for fut, packed in as_completed(futures, with_results=True):
                i = futures[fut]
                q[:, starts[i] : starts[i + 1]], share[starts[i] : starts[i + 1]] = _unpack(
                    *packed, n_departures=len(deps)
                )
                done += len(chunks[i])
                if progress:
                    progress(done, n_o)
        finally:
            if owned:
                client.close()
    return TravelTimeMatrix(
        origin_ids=tt.stop_ids[origin_idx],
        destination_ids=tt.stop_ids,
        departures_s=deps,
        p10_s=q[0],
        p50_s=q[1],
        p90_s=q[2],
        share_within=share,
        threshold_s=int(threshold_s),
    )


def group_matrix(
    matrix: pd.DataFrame, groups: Mapping[str, str] | pd.Series, *, value: str = "p50_min"
) -> pd.DataFrame:
    """Group × group minimum of ``value`` over member stops (e.g. city × city from stop → ``city_code``).

    ``matrix`` is the long form of :meth:`TravelTimeMatrix.to_frame`; stops without a group are left out.
    Returns a square DataFrame (index = origin group, columns = destination group), NaN where no pair.
    """
    g = pd.Series(groups) if not isinstance(groups, pd.Series) else groups
    frame = matrix.assign(from_group=matrix["from_stop_id"].map(g), to_group=matrix["to_stop_id"].map(g))
    frame = frame.dropna(subset=["from_group", "to_group"])
    table = frame.groupby(["from_group", "to_group"])[value].min().unstack("to_group")
    labels = sorted(set(g.dropna()))
    return table.reindex(index=labels, columns=labels)


def city_matrix(matrix: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    """City × city from the stop × stop long form: per city pair the best member-stop pair's percentiles
    (minimum over member stops of each) and its highest share within, ``stop_pairs`` counted.

    ``stops`` needs ``stop_id`` and ``city_code``; stops without a city are left out.
    """
    if "city_code" not in stops.columns:
        raise InputError(
            "the stops carry no city",
            expected="a city_code column in stops.txt (as written by `xietong transit build-gtfs`)",
            given=", ".join(map(str, stops.columns)),
        )
    code = stops.drop_duplicates("stop_id").set_index("stop_id")["city_code"].astype("string")
    code = code.str.replace(r"\.0$", "", regex=True)
    frame = matrix.assign(from_city=matrix["from_stop_id"].map(code), to_city=matrix["to_stop_id"].map(code)).dropna(
        subset=["from_city", "to_city"]
    )
    frame = frame[(frame["from_city"] != "") & (frame["to_city"] != "")]
    return (
        frame.groupby(["from_city", "to_city"])
        .agg(
            p10_min=("p10_min", "min"),
            p50_min=("p50_min", "min"),
            p90_min=("p90_min", "min"),
            share_within=("share_within", "max"),
            stop_pairs=("p50_min", "size"),
        )
        .reset_index()
    )


__all__ = [
    "DEFAULT_THRESHOLD_S",
    "PERCENTILES",
    "TravelTimeMatrix",
    "city_matrix",
    "group_matrix",
    "rank_indexes",
    "travel_time_matrix",
]
