"""City-to-city road travel times from a **modelled** table (design speeds, no congestion).

The table is ``xietong/data/malin84_road_time_jjj_taiyuan_1994_2024.csv`` from Ma & Tang's
*transportation_networks_of_china* (GPL-3.0 data; cite Ma, L. and Tang, Y. (2024), "The distributional
impacts of transportation networks in China", *Journal of International Economics* 103873). It gives the
fastest road time in hours between prefecture seats over the road network of a year, each road class at its
design speed, with no congestion and no border or toll stops. It covers the 78 pairs among Beijing, Tianjin
and Hebei's 11 prefecture-level cities plus 9 pairs with Taiyuan (Taiyuan–Langfang and Taiyuan–Hengshui are
not in it), in 1994 and 2024. Jinan, Zhengzhou and Xiong'an are not in the table: :func:`road_time_min`
returns NaN with the reason so a report can say "no road data" instead of dropping the city.

The table's admin codes (``1101`` Beijing, ``1201`` Tianjin, ``1301``..``1311`` Hebei cities, ``1401``
Taiyuan) are mapped to :mod:`xietong.region` codes (``110000``, ``120000``, ``130100``..``131100``,
``140100``). Lookups are symmetric: the model's road network is undirected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from xietong import region
from xietong.errors import InputError, Location

#: the ``source`` column of every output: the times are modelled, never observed
ROAD_SOURCE = "malin84 modelled (design speeds, no congestion)"
#: years the table has
ROAD_YEARS: tuple[int, ...] = (1994, 2024)
_FILE = "malin84_road_time_jjj_taiyuan_1994_2024.csv"


def _region_code(admin: int) -> str:
    """``1101`` → ``110000`` (municipalities), ``1301`` → ``130100`` (prefecture-level cities)."""
    text = f"{admin:04d}"
    if text in {"1101", "1201"}:
        return text[:2] + "0000"
    return text + "00"


@cache
def _table() -> pd.DataFrame:
    with resources.files("xietong.data").joinpath(_FILE).open("r", encoding="utf-8") as fh:
        raw = pd.read_csv(fh, dtype={"origin": "int64", "destination": "int64"})
    long = raw.melt(id_vars=["origin", "destination"], var_name="year", value_name="road_h")
    long["year"] = long["year"].str.removeprefix("year_").astype("int64")
    long["origin_code"] = long["origin"].map(_region_code)
    long["destination_code"] = long["destination"].map(_region_code)
    long["road_min"] = long["road_h"] * 60.0
    forward = long[["year", "origin_code", "destination_code", "road_min"]]
    backward = forward.rename(columns={"origin_code": "destination_code", "destination_code": "origin_code"})
    both = pd.concat([forward, backward], ignore_index=True)
    return both.sort_values(["year", "origin_code", "destination_code"], ignore_index=True)


def _check_year(year: int) -> None:
    if year not in ROAD_YEARS:
        raise InputError(
            "no modelled road table for this year",
            expected=f"one of {', '.join(map(str, ROAD_YEARS))}",
            given=str(year),
            where=Location(source=_FILE, field="year"),
            hint="the malin84 table models the road networks of 1994 and 2024 only",
        )


def road_times(year: int = 2024) -> pd.DataFrame:
    """Every modelled city-to-city road time of ``year``, both directions.

    Returns
    -------
    DataFrame with ``origin_code``, ``destination_code`` (:mod:`xietong.region` codes), ``origin_name``,
    ``destination_name`` (Chinese), ``road_min`` [min], ``year`` and ``source`` (always
    :data:`ROAD_SOURCE`: the values are modelled at design speeds without congestion).
    """
    _check_year(year)
    t = _table()
    out = t[t["year"] == year].drop(columns="year").reset_index(drop=True)
    out.insert(2, "origin_name", [region.get(c).short_zh for c in out["origin_code"]])
    out.insert(3, "destination_name", [region.get(c).short_zh for c in out["destination_code"]])
    out["year"] = year
    out["source"] = ROAD_SOURCE
    return out


@dataclass(frozen=True, slots=True)
class RoadTime:
    """One modelled road time, or NaN with the reason there is none.

    Attributes
    ----------
    origin_code, destination_code: :mod:`xietong.region` codes.
    road_min: modelled driving time [min]; NaN when the table has no such pair.
    year: the road network's year.
    source: :data:`ROAD_SOURCE`.
    note: why ``road_min`` is NaN (empty otherwise).
    """

    origin_code: str
    destination_code: str
    road_min: float
    year: int
    source: str
    note: str

    @property
    def available(self) -> bool:
        return not math.isnan(self.road_min)


def road_time(origin: str, destination: str, year: int = 2024) -> RoadTime:
    """The modelled road time between two places given by code or name (order does not matter).

    Unknown names raise :class:`~xietong.errors.UnknownJurisdictionError`; known places the table does not
    cover (Jinan, Zhengzhou, Xiong'an, Taiyuan–Langfang …) give NaN with a ``note``.
    """
    _check_year(year)
    a, b = region.get(origin), region.get(destination)
    if a.code == b.code:
        return RoadTime(a.code, b.code, 0.0, year, ROAD_SOURCE, "")
    t = _table()
    hit = t[(t["year"] == year) & (t["origin_code"] == a.code) & (t["destination_code"] == b.code)]
    if len(hit):
        return RoadTime(a.code, b.code, float(hit["road_min"].iloc[0]), year, ROAD_SOURCE, "")
    covered = set(t["origin_code"])
    missing = [r.short_zh for r in (a, b) if r.code not in covered]
    if missing:
        note = f"no road data: {'、'.join(missing)} not in the malin84 table"
    else:
        note = f"no road data: the malin84 table has no {a.short_zh}–{b.short_zh} pair"
    return RoadTime(a.code, b.code, math.nan, year, ROAD_SOURCE, note)


def road_time_min(origin: str, destination: str, year: int = 2024) -> tuple[float, str]:
    """``(road_min, note)``: the modelled driving time [min] and, when it is NaN, the reason.

    >>> road_time_min("石家庄", "北京")[0] > 0
    True
    >>> road_time_min("石家庄", "济南")[1]
    'no road data: 济南 not in the malin84 table'
    """
    r = road_time(origin, destination, year)
    return r.road_min, r.note


__all__ = ["ROAD_SOURCE", "ROAD_YEARS", "RoadTime", "road_time", "road_time_min", "road_times"]
