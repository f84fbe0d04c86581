r"""Economic structure of a set of cities: shares, location quotients, specialisation and similarity.

Every function works on a **sector matrix**: a frame indexed by city (GB/T 2260 code) with one column
per sector and the sector's value (value added [CNY], employment [persons] …) in the cells, as
:func:`sector_matrix` builds it from a long table (:mod:`xietong.industry.panel`). Notation: city
:math:`i`, sector :math:`j`, value :math:`x_{ij}`, city total :math:`x_{i\cdot}`, sector total over the
cities :math:`x_{\cdot j}`, grand total :math:`x_{\cdot\cdot}`, share :math:`s_{ij} = x_{ij}/x_{i\cdot}`.

- Share [%]: :math:`100\,s_{ij}` (per cent of the sum of the city's sector values).
- Location quotient [1] (Isard 1960, ch. 7; identical to Balassa's 1965 revealed comparative
  advantage): :math:`LQ_{ij} = s_{ij} / (x_{\cdot j}/x_{\cdot\cdot})`, against the sum of the cities, or
  against a given reference :math:`r_j`: :math:`s_{ij} / (r_j / \sum_k r_k)`.
- Krugman specialisation index [0–2] (Krugman 1991, *Geography and Trade*, app. D; Midelfart-Knarvik
  et al. 2000, eq. 1): :math:`K_i = \sum_j |s_{ij} - \bar s_{ij}|`, where :math:`\bar s_{ij}` is the
  share of sector :math:`j` in all the other cities together (or in a given reference).
- Krugman dissimilarity index [0–2] between two cities: :math:`K_{ab} = \sum_j |s_{aj} - s_{bj}|`.
- Structural similarity coefficient [0–1] (UNIDO 1979; in Chinese regional studies 产业结构相似系数):
  the cosine of the two cities' share vectors,
  :math:`S_{ab} = \sum_j s_{aj}s_{bj} / \sqrt{\sum_j s_{aj}^2 \sum_j s_{bj}^2}`.
- Shift-share (Dunn 1960; Stevens & Moore 1980): between a base and an end year, city :math:`i`'s change
  in sector :math:`j`, :math:`x^1_{ij} - x^0_{ij}`, is the sum of the *national (regional) share*
  :math:`x^0_{ij} G`, the *industry mix* :math:`x^0_{ij}(g_j - G)` and the *competitive effect*
  :math:`x^0_{ij}(r_{ij} - g_j)`, with :math:`G` the reference's total growth rate, :math:`g_j` its growth
  in sector :math:`j` and :math:`r_{ij}` the city's. The reference is the sum of the cities unless given.

All functions are vectorised over the whole matrix (NumPy broadcasting); none reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xietong.errors import InputError
from xietong.industry.enums import BroadSector
from xietong.industry.panel import PERCENT, TOTAL, require_year

BROAD_ORDER = [s.value for s in BroadSector]


@dataclass(frozen=True, slots=True)
class SectorMatrix:
    """City × sector values of one year and indicator, and the cities left out for missing sectors."""

    values: pd.DataFrame
    year: int
    indicator: str
    unit: str
    incomplete: tuple[str, ...]


def sector_matrix(
    frame: pd.DataFrame, *, year: int, indicator: str = "value_added", source: str | None = None
) -> SectorMatrix:
    """The city × sector matrix of ``year`` and ``indicator`` from a long frame (shares and totals left out).

    Cities that lack a sector present elsewhere are left out and listed in ``incomplete``: a share or a
    quotient of an incomplete row would be wrong, not just less precise.
    """
    require_year(frame, year, source=source)
    sel = frame[
        (frame["year"] == year)
        & (frame["indicator"] == indicator)
        & (frame["unit"] != PERCENT)
        & (frame["sector"] != TOTAL)
    ]
    if sel.empty:
        known = sorted(frame.loc[frame["year"] == year, "indicator"].unique())
        raise InputError(
            f"no sector values of {indicator!r} in {year}",
            expected="one of " + ", ".join(known) if known else "sector values",
            given=repr(indicator),
        )
    units = sorted(sel["unit"].unique())
    if len(units) > 1:
        raise InputError(f"{indicator!r} is given in several units in {year}", expected="one unit", given=str(units))
    wide = sel.pivot_table(index="city", columns="sector", values="value", aggfunc="sum")
    order = [s for s in BROAD_ORDER if s in wide.columns] + sorted(c for c in wide.columns if c not in BROAD_ORDER)
    wide = wide[order]
    incomplete = tuple(str(c) for c in wide.index[wide.isna().any(axis=1)])
    wide = wide.dropna(how="any").sort_index()
    wide.columns.name = "sector"
    return SectorMatrix(wide.astype("float64"), year, indicator, units[0], incomplete)


def _matrix(values: pd.DataFrame | SectorMatrix) -> pd.DataFrame:
    m = values.values if isinstance(values, SectorMatrix) else values
    if m.empty:
        raise InputError("no city has a value for every sector", expected="at least one complete city", given="none")
    return m


def shares(values: pd.DataFrame | SectorMatrix) -> pd.DataFrame:
    """Sector shares [%] of each city: 100 × value / sum of the city's sector values."""
    m = _matrix(values)
    arr = m.to_numpy()
    return pd.DataFrame(100.0 * arr / arr.sum(axis=1, keepdims=True), index=m.index, columns=m.columns)


def _reference_shares(m: pd.DataFrame, reference: pd.Series | None) -> np.ndarray:
    if reference is None:
        totals = m.to_numpy().sum(axis=0)
        return np.asarray(totals / totals.sum())
    missing = [c for c in m.columns if c not in reference.index]
    if missing:
        raise InputError(
            "the reference lacks sectors of the table", expected=", ".join(map(str, m.columns)), given=str(missing)
        )
    ref = reference.reindex(m.columns).to_numpy(dtype="float64")
    return np.asarray(ref / ref.sum())


def location_quotients(values: pd.DataFrame | SectorMatrix, reference: pd.Series | None = None) -> pd.DataFrame:
    """Location quotients [1]: the city's share of a sector over the reference's share of it.

    ``reference`` (sector → value, same unit) defaults to the sum of the cities in the matrix.
    """
    m = _matrix(values)
    s = m.to_numpy() / m.to_numpy().sum(axis=1, keepdims=True)
    return pd.DataFrame(s / _reference_shares(m, reference)[np.newaxis, :], index=m.index, columns=m.columns)


def krugman_specialisation(values: pd.DataFrame | SectorMatrix, reference: pd.Series | None = None) -> pd.Series:
    """Krugman specialisation index [0–2] of each city against the other cities (or ``reference``)."""
    m = _matrix(values)
    x = m.to_numpy()
    s = x / x.sum(axis=1, keepdims=True)
    if reference is None:
        rest = x.sum(axis=0)[np.newaxis, :] - x
        rest_sum = rest.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = np.where(rest_sum > 0, rest / rest_sum, np.nan)
    else:
        ref = _reference_shares(m, reference)[np.newaxis, :]
    return pd.Series(np.abs(s - ref).sum(axis=1), index=m.index, name="krugman_specialisation")


def _pairs(index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(len(index), k=1)
    return a, b


def krugman_dissimilarity(values: pd.DataFrame | SectorMatrix) -> pd.DataFrame:
    """Krugman dissimilarity index [0–2] of every unordered pair of cities: ``city_a, city_b, krugman``."""
    m = _matrix(values)
    s = m.to_numpy() / m.to_numpy().sum(axis=1, keepdims=True)
    a, b = _pairs(m.index)
    k = np.abs(s[a] - s[b]).sum(axis=1)
    return pd.DataFrame({"city_a": m.index[a], "city_b": m.index[b], "krugman": k})


def similarity(values: pd.DataFrame | SectorMatrix) -> pd.DataFrame:
    """Structural similarity coefficient [0–1] of every unordered pair: ``city_a, city_b, similarity``."""
    m = _matrix(values)
    s = m.to_numpy() / m.to_numpy().sum(axis=1, keepdims=True)
    unit = s / np.linalg.norm(s, axis=1, keepdims=True)
    gram = unit @ unit.T
    a, b = _pairs(m.index)
    return pd.DataFrame({"city_a": m.index[a], "city_b": m.index[b], "similarity": gram[a, b]})


def structure(values: SectorMatrix, reference: pd.Series | None = None) -> pd.DataFrame:
    """Long table ``city, year, sector, value, unit, share, lq`` (share [%], lq [1])."""
    m = _matrix(values)
    sh = shares(m)
    lq = location_quotients(m, reference)
    return pd.DataFrame(
        {
            "city": np.repeat(m.index.to_numpy(), m.shape[1]),
            "year": values.year,
            "sector": np.tile(m.columns.to_numpy(), m.shape[0]),
            "value": m.to_numpy().ravel(),
            "unit": values.unit,
            "share": sh.to_numpy().ravel(),
            "lq": lq.to_numpy().ravel(),
        }
    )


def shift_share(
    base: SectorMatrix | pd.DataFrame,
    end: SectorMatrix | pd.DataFrame,
    *,
    reference_base: pd.Series | None = None,
    reference_end: pd.Series | None = None,
) -> pd.DataFrame:
    """Shift-share decomposition of each city's change per sector between two matrices.

    Columns: ``city, sector, base_value, end_value, change, national_share, industry_mix, competitive``
    (same unit as the values). ``national_share + industry_mix + competitive == change`` exactly (up to
    rounding). Cities must be present in both years; the reference (sector → value in each year)
    defaults to the sum of those cities.
    """
    mb, me = _matrix(base), _matrix(end)
    cities = mb.index.intersection(me.index)
    sectors = [c for c in mb.columns if c in me.columns]
    if len(cities) == 0 or not sectors:
        raise InputError("the two years share no complete city", expected="common cities", given="none")
    x0 = mb.loc[cities, sectors].to_numpy()
    x1 = me.loc[cities, sectors].to_numpy()
    if (reference_base is None) != (reference_end is None):
        raise InputError("give the reference for both years or for neither", expected="two series", given="one")
    r0 = x0.sum(axis=0) if reference_base is None else reference_base.reindex(sectors).to_numpy(dtype="float64")
    r1 = x1.sum(axis=0) if reference_end is None else reference_end.reindex(sectors).to_numpy(dtype="float64")
    big_g = r1.sum() / r0.sum() - 1.0
    g = r1 / r0 - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(x0 != 0, x1 / x0 - 1.0, np.nan)
    national = x0 * big_g
    mix = x0 * (g - big_g)[np.newaxis, :]
    competitive = (x1 - x0) - national - mix  # = x0 (r - g), and defined where x0 = 0
    n = len(sectors)
    return pd.DataFrame(
        {
            "city": np.repeat(cities.to_numpy(), n),
            "sector": np.tile(np.asarray(sectors), len(cities)),
            "base_value": x0.ravel(),
            "end_value": x1.ravel(),
            "change": (x1 - x0).ravel(),
            "national_share": national.ravel(),
            "industry_mix": mix.ravel(),
            "competitive": competitive.ravel(),
            "city_growth": r.ravel(),
        }
    )


__all__ = [
    "SectorMatrix",
    "krugman_dissimilarity",
    "krugman_specialisation",
    "location_quotients",
    "sector_matrix",
    "shares",
    "shift_share",
    "similarity",
    "structure",
]
