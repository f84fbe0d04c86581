"""Individual air quality index (IAQI) and AQI under HJ 633-2012 and HJ 633-2026, vectorised and exact.

The tables live in ``xietong/standards/hj633_<edition>.toml``; this module only interprets them.

Exactness
---------
A concentration is read as a **decimal at a resolution of 10⁻⁶ of its unit** ([µg/m³], CO [mg/m³]):
``2.6`` is 2.6, not the binary float 2.600000000000000088…. The IAQI formula (HJ 633-2012 §4.2 eq. 1,
HJ 633-2026 §4.2.4 eq. 1) is then evaluated in exact integer arithmetic on that decimal and rounded **up**
(HJ 633-2012 §6.2, HJ 633-2026 §4.2.6), so floating point never moves a ceiling: an exact IAQI of 100 is
100, never 101. Means of up to 24 hourly values of integer (CO: one-decimal) data are reproduced exactly
at that resolution (docs/air.md, "Exactness").

HJ 633-2026 §4.2.2–4.2.3 rounds concentrations before interpolation (integers, CO to 0.1 mg/m³) per
GB/T 8170, i.e. round half to even on the decimal value; this is done exactly on the decimal as well.

What is returned where the standard defines no IAQI
---------------------------------------------------
:func:`iaqi` returns a Python ``int`` for a scalar and an ``int64`` :class:`numpy.ma.MaskedArray` for an
array (a :class:`pandas.Series` of nullable ``Int16`` for a Series). It is **masked** (``numpy.ma.masked``
for a scalar, ``<NA>`` in a Series) where the input is NaN, and where HJ 633-2012 says "do not compute"
(SO2 1-h > 800 µg/m³, Table 1 note 2; O3 8-h > 800 µg/m³, note 3). Above the last row of Table 1 (e.g.
PM2.5 > 500 µg/m³) the standard defines no IAQI either; HJ 633-2026 §4.1.1 bounds the index to 1–500, so
the default ``above_table="cap"`` reports 500 and the frame functions flag the row (``beyond_table``);
``above_table="na"`` masks it instead. Nothing is clipped silently.

Options (every one is a :class:`~enum.StrEnum`, the single source of the allowed values)
----------------------------------------------------------------------------------------
``edition``: :class:`AqiEdition`; ``pm_realtime``: :class:`PmRealtime`; ``missing_rule``:
:class:`MissingRule`; ``not_monitored``: :class:`NotMonitored`; ``above_table``: :class:`AboveTable`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, cast, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong import standards
from xietong.air import _kernel
from xietong.enums import POLLUTANTS, Averaging, Pollutant
from xietong.errors import InputError

#: concentrations are read as decimals with this many steps per unit (10⁻⁶ µg/m³, 10⁻⁶ mg/m³ for CO)
SCALE = 1_000_000
#: values above this [unit] are treated as "above every table" before scaling (no int64 overflow)
_HUGE = 1.0e9
#: rows per block in the vectorised paths (keeps temporaries in cache and memory bounded)
BLOCK_ROWS = 1 << 14


class AqiEdition(StrEnum):
    """Edition of HJ 633. ``auto`` picks the edition in force on each row's date in China Standard Time."""

    AUTO = "auto"
    HJ633_2012 = "2012"
    HJ633_2026 = "2026"


class Report(StrEnum):
    """HJ 633 report type: real-time (hourly, §5.1.3 / §4.2.3) or daily (§5.1.2 / §4.2.2)."""

    HOURLY = "hourly"
    DAILY = "daily"


class PmRealtime(StrEnum):
    """PM concentration in the HJ 633-2012 real-time AQI.

    ``1h``: the current 1-h mean on the 24-h breakpoints (CNEMC practice from 2014-01-01, STANDARDS.md
    §1.6, S7). ``24h_moving``: the 24-h moving mean (HJ 633-2012 §5.1.3 indicator list; CNEMC until 2013).
    HJ 633-2026 always uses the 1-h mean (§4.2.4), whatever this switch says.
    """

    H1 = "1h"
    MOVING_24H = "24h_moving"


class MissingRule(StrEnum):
    """What the AQI is when a pollutant of the report is missing or invalid.

    ``na_unless_above_100``: HJ 633-2026 §5.3.1: AQI, level and primary pollutant from the remaining
    pollutants, published only when that AQI > 100, else NA. CNEMC published HJ 633-2012 real-time AQIs
    the same way (observed 2022–2025, tests/unit/air/test_cnemc_published.py). The default for both.
    ``from_available``: always the AQI of the remaining pollutants (HJ 633-2012 text has no rule).
    ``na``: NA whenever a pollutant is missing.
    ``cnemc``: CNEMC's publication practice for the real-time AQI: ``na_unless_above_100``, except that a
    missing 1-h PM10 does not count as missing (the AQI of the rest is published, ≤ 100 included). Observed
    on 51 of the 52 such rows of the national hour 2026-03-10 09:00 and on all 5 of 2025-12-31 14:00
    (docs/air.md, scripts/cnemc_national_practice.py); the daily report keeps ``na_unless_above_100``.
    """

    NA_UNLESS_ABOVE_100 = "na_unless_above_100"
    FROM_AVAILABLE = "from_available"
    NA = "na"
    CNEMC = "cnemc"


class NotMonitored(StrEnum):
    """A pollutant outside the station's monitoring programme (CNEMC ``/``, flag ``not_monitored``).

    ``exempt``: it does not count as missing (HJ 633-2026 §5.3.2; the caller vouches for the 3-year
    never-primary condition). ``missing``: treat it like a missing value.
    """

    EXEMPT = "exempt"
    MISSING = "missing"


class AboveTable(StrEnum):
    """A concentration above the last row of HJ 633 Table 1/3 (IAQI 500), which defines no IAQI.

    ``cap``: IAQI 500, the top of the AQI range (HJ 633-2026 §4.1.1 "1～500"), and ``beyond_table`` is set.
    ``na``: no IAQI (masked / NA).
    """

    CAP = "cap"
    NA = "na"


#: the slots that enter an AQI: the five pollutants with one indicator each and O3 with two
#: (HJ 633-2012 daily report: O3 max 1-h and MDA8; real-time: 1-h, optionally the 8-h moving mean)
SLOTS: tuple[str, ...] = ("SO2", "NO2", "O3_1h", "O3_8h", "CO", "PM10", "PM2.5")
_SLOT_POLLUTANT: tuple[Pollutant, ...] = (
    Pollutant.SO2,
    Pollutant.NO2,
    Pollutant.O3,
    Pollutant.O3,
    Pollutant.CO,
    Pollutant.PM10,
    Pollutant.PM25,
)
_POLLUTANT_BIT: dict[Pollutant, int] = {p: 1 << i for i, p in enumerate(POLLUTANTS)}

CST_OFFSET_S = 8 * 3600
DAY_S = 86_400

#: the IAQI engine: "numba" (compiled kernel, when installed) or "numpy" (the reference); tests switch it
_ENGINE: dict[str, str] = {"name": "numba" if _kernel.KERNEL is not None else "numpy"}

#: IAQI codes inside the int16 arrays of the vectorised core
NO_VALUE = -1  # input missing (NaN)
UNDEFINED = -2  # the standard says "do not compute" (HJ 633-2012 Table 1 notes 2 and 3) or above the table


# --------------------------------------------------------------------------------------------------------
# tables


@dataclass(frozen=True, slots=True)
class _Table:
    """One column of HJ 633 Table 1 (2012) / Table 3 (2026), scaled to integers."""

    key: str  # e.g. "PM2.5_24h"
    bp: npt.NDArray[np.int64]  # concentration breakpoints x SCALE
    iq: npt.NDArray[np.int64]  # IAQI at each breakpoint
    unit_steps: int  # 1, or 10 for CO (the grid of the lookup table: 1 µg/m³, 0.1 mg/m³)
    rounding_decimals: int | None  # HJ 633-2026 §4.2.2-4.2.3; None in 2012
    special_rule: str | None  # "use_24h", "use_1h", "fixed" (Table notes 2, 3)
    special_iaqi: int  # for "fixed"
    lut: npt.NDArray[np.int16]  # IAQI of every grid step 0 … top, then one NO_VALUE entry

    @property
    def top_steps(self) -> int:
        return len(self.lut) - 2


@dataclass(frozen=True, slots=True)
class EditionTables:
    """The parsed HJ 633 edition: tables, levels and rules."""

    edition: str
    tables: dict[str, _Table]
    aqi_min: int
    aqi_max: int
    primary_above: int
    exceedance_above: int | None
    missing_publish_above: int
    levels: tuple[dict[str, Any], ...]
    names_zh: dict[str, str]
    sensitive_groups: dict[str, str]
    daily: tuple[str, ...]
    realtime: tuple[str, ...]
    level_lut: npt.NDArray[np.int8] = field(repr=False)


def _exact_iaqi_scaled(
    cs: npt.NDArray[np.int64], bp: npt.NDArray[np.int64], iq: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """HJ 633 eq. (1) with ceiling, exact, for scaled concentrations inside ``[0, bp[-1]]``."""
    hi = np.clip(np.searchsorted(bp, cs, side="right"), 1, len(bp) - 1)
    lo = hi - 1
    num = (iq[hi] - iq[lo]) * (cs - bp[lo])
    den = bp[hi] - bp[lo]
    out: npt.NDArray[np.int64] = iq[lo] + (num + den - 1) // den  # ceil(num / den) for num >= 0, den > 0
    return out


def _round_half_even_scaled(cs: npt.NDArray[np.int64], decimals: int) -> npt.NDArray[np.int64]:
    """GB/T 8170 rounding (round half to even) of scaled decimals to ``decimals`` places, exactly."""
    unit = SCALE // 10**decimals
    q, r = np.divmod(cs, unit)
    half = unit // 2
    up = (r > half) | ((r == half) & (q % 2 == 1))
    out: npt.NDArray[np.int64] = (q + up) * unit
    return out


def _to_scaled(c: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Decimal value of concentrations at 10⁻⁶ of the unit (NaN must be removed before)."""
    out: npt.NDArray[np.int64] = np.rint(np.minimum(c, _HUGE) * SCALE).astype(np.int64)
    return out


@cache
def edition_tables(edition: str) -> EditionTables:
    """The HJ 633 tables of ``edition`` ("2012" or "2026"), scaled and with lookup tables (cached)."""
    std = standards.load("hj633", standards.check_edition("hj633", edition))
    iaqi_steps = [int(v) for v in std["breakpoints"]["iaqi"]]
    rounding = std["concentration_rounding"]
    tables: dict[str, _Table] = {}
    for key, values in std["breakpoints"].items():
        if key == "iaqi":
            continue
        pollutant = key.split("_")[0]
        unit_steps = 10 if pollutant == "CO" else 1
        bp = np.array([round(float(v) * SCALE) for v in values], dtype=np.int64)
        iq = np.array(iaqi_steps[: len(values)], dtype=np.int64)
        special = std.get("special", {}).get(key, {})
        decimals = int(rounding["decimals"][pollutant]) if rounding.get("enabled") else None
        top_steps = int(bp[-1] // (SCALE // unit_steps))
        grid = np.arange(top_steps + 1, dtype=np.int64) * (SCALE // unit_steps)
        lut = np.empty(top_steps + 2, dtype=np.int16)
        lut[:-1] = _exact_iaqi_scaled(grid, bp, iq)
        lut[-1] = NO_VALUE
        tables[key] = _Table(
            key=key,
            bp=bp,
            iq=iq,
            unit_steps=unit_steps,
            rounding_decimals=decimals,
            special_rule=special.get("rule"),
            special_iaqi=int(special.get("iaqi", 0)),
            lut=lut,
        )
    levels = tuple(sorted(std["levels"], key=lambda lv: int(lv["level"])))
    level_lut = np.zeros(int(std["aqi"]["max"]) + 2, dtype=np.int8)  # index aqi+1; aqi = -1 → 0 (NA)
    for lv in levels:
        level_lut[int(lv["aqi_min"]) + 1 : int(lv["aqi_max"]) + 2] = int(lv["level"])
    level_lut[1] = int(levels[0]["level"])  # AQI 0 (possible in 2012 only) is level I
    return EditionTables(
        edition=edition,
        tables=tables,
        aqi_min=int(std["aqi"]["min"]),
        aqi_max=int(std["aqi"]["max"]),
        primary_above=int(std["primary"]["above"]),
        exceedance_above=(int(std["primary"]["exceedance_above"]) if "exceedance_above" in std["primary"] else None),
        missing_publish_above=int(std.get("missing", {}).get("publish_above", 100)),
        levels=levels,
        names_zh=dict(std["names_zh"]),
        sensitive_groups=dict(std.get("sensitive_groups", {})),
        daily=tuple(std["reports"]["daily"]),
        realtime=tuple(std["reports"]["realtime"]),
        level_lut=level_lut,
    )


# --------------------------------------------------------------------------------------------------------
# the vectorised IAQI core


@dataclass(slots=True)
class IaqiBlock:
    """IAQI of one indicator over an array: int16 codes (>= 0 an IAQI, NO_VALUE, UNDEFINED) and masks."""

    iaqi: npt.NDArray[np.int16]
    beyond: npt.NDArray[np.bool_]  # above the last row of the table (capped to 500 or UNDEFINED)
    special: npt.NDArray[np.bool_]  # above the Table-note threshold (SO2 1 h, O3 8 h > 800)


def _check_nonnegative(c: npt.NDArray[np.float64], what: str) -> None:
    bad = c < 0
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"negative concentration for {what}",
            expected="concentrations >= 0 (µg/m³; CO in mg/m³), NaN for missing",
            given=f"{c[first]!r} at position {first} ({int(bad.sum())} negative value(s))",
            hint="drop or flag the faulty values before computing the AQI",
        )


def iaqi_block(c: npt.NDArray[np.float64], table: _Table, above_table: AboveTable = AboveTable.CAP) -> IaqiBlock:
    """IAQI codes of ``c`` [µg/m³; CO mg/m³] on one table; values must be >= 0 or NaN.

    Fast path: values on the table's grid (1 µg/m³, 0.1 mg/m³) — or, in 2026, values that are not a
    rounding tie — take the precomputed exact IAQI from a lookup table. Everything else (ties, finer
    decimals, values above the table) takes the exact integer path. Both give identical results.
    """
    n = c.shape[0]
    if _kernel.KERNEL is not None and _ENGINE["name"] == "numba":
        out = np.empty(n, dtype=np.int16)
        beyond = np.zeros(n, dtype=np.bool_)
        special = np.zeros(n, dtype=np.bool_)
        kind = {None: 0, "fixed": 1}.get(table.special_rule, 2)
        decimals = -1 if table.rounding_decimals is None else table.rounding_decimals
        negative = _kernel.KERNEL(
            np.ascontiguousarray(c, dtype=np.float64), table.bp, table.iq, table.lut, table.unit_steps, decimals,
            kind, table.special_iaqi, above_table is AboveTable.CAP, out, beyond, special,
        )  # fmt: skip
        if negative:
            _check_nonnegative(c, table.key)
        return IaqiBlock(out, beyond, special)
    steps = table.unit_steps
    x = c * steps if steps != 1 else c
    xr = np.rint(x)
    dist = np.abs(x - xr)  # distance to the grid (NaN stays NaN → every comparison False)
    # 2012: on the grid; 2026: not a rounding tie (both within the 10⁻⁶ decimal resolution)
    tolerance_ok = dist <= 0.4e-6 * steps if table.rounding_decimals is None else dist < 0.5 - 2e-6 * steps
    fast = tolerance_ok
    np.minimum(xr, table.top_steps + 1, out=xr)  # above the table → the NO_VALUE slot → exact path
    idx = np.where(fast, xr, table.top_steps + 1).astype(np.intp)
    out = table.lut.take(idx)
    beyond = np.zeros(n, dtype=np.bool_)
    special = np.zeros(n, dtype=np.bool_)
    slow = np.flatnonzero(out == NO_VALUE)
    if slow.size:
        slow = slow[~np.isnan(c[slow])]
    if slow.size:
        cs = _to_scaled(c[slow])
        if table.rounding_decimals is not None:
            cs = _round_half_even_scaled(cs, table.rounding_decimals)
        top = int(table.bp[-1])
        above = cs > top
        res = _exact_iaqi_scaled(np.minimum(cs, top), table.bp, table.iq)
        if table.special_rule is not None:
            special[slow] = above
            res = np.where(above, table.special_iaqi if table.special_rule == "fixed" else UNDEFINED, res)
        else:
            beyond[slow] = above
            capped = int(table.iq[-1]) if above_table is AboveTable.CAP else UNDEFINED
            res = np.where(above, capped, res)
        out[slow] = res.astype(np.int16)
    return IaqiBlock(out, beyond, special)


def _table_for(pollutant: Pollutant, averaging: Averaging, edition: str) -> _Table:
    tabs = edition_tables(edition).tables
    if pollutant in (Pollutant.PM10, Pollutant.PM25) and averaging in (Averaging.H1, Averaging.H24):
        # HJ 633-2026 §4.2.4: 1-h PM on the daily breakpoints; HJ 633-2012 has only 24-h PM limits and
        # CNEMC applied them to 1-h PM from 2014-01-01 (STANDARDS.md §1.6).
        return tabs[f"{pollutant.value}_24h"]
    key = f"{pollutant.value}_{averaging.value}"
    if key not in tabs:
        allowed = sorted(k for k in tabs if k.startswith(pollutant.value + "_"))
        raise InputError(
            f"HJ 633 has no {averaging.value} IAQI for {pollutant.value}",
            expected="averaging " + " or ".join(a.split("_", 1)[1] for a in allowed) + f" for {pollutant.value}",
            given=repr(averaging.value),
            hint="O3 has 1h and 8h limits; SO2, NO2, CO have 1h and 24h; PM10 and PM2.5 use the 24h limits",
        )
    return tabs[key]


def _parse_pollutant(pollutant: str | Pollutant) -> Pollutant:
    if isinstance(pollutant, Pollutant):
        return pollutant
    try:
        return Pollutant.parse(str(pollutant))
    except ValueError:
        raise InputError(
            "unknown pollutant", expected="one of " + ", ".join(p.value for p in POLLUTANTS), given=repr(pollutant)
        ) from None


_E = TypeVar("_E", bound=StrEnum)


def _parse_enum(cls: type[_E], value: str | _E, what: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise InputError(
            f"unknown {what}", expected="one of " + ", ".join(repr(m.value) for m in cls), given=repr(value)
        ) from None


def _fixed_edition(edition: str | AqiEdition) -> str:
    ed = _parse_enum(AqiEdition, edition, "edition")
    if ed is AqiEdition.AUTO:
        raise InputError(
            "iaqi() needs an explicit edition",
            expected="edition='2012' or '2026'",
            given="'auto'",
            hint="a bare concentration has no date; the frame functions (hourly_aqi, daily_aqi) accept 'auto'",
        )
    return ed.value


@overload
def iaqi(
    concentration: float,
    pollutant: str | Pollutant,
    averaging: str | Averaging,
    *,
    edition: str | AqiEdition,
    above_table: str | AboveTable = ...,
) -> Any: ...
@overload
def iaqi(
    concentration: pd.Series,
    pollutant: str | Pollutant,
    averaging: str | Averaging,
    *,
    edition: str | AqiEdition,
    above_table: str | AboveTable = ...,
) -> pd.Series: ...
@overload
def iaqi(
    concentration: npt.ArrayLike,
    pollutant: str | Pollutant,
    averaging: str | Averaging,
    *,
    edition: str | AqiEdition,
    above_table: str | AboveTable = ...,
) -> Any: ...
def iaqi(
    concentration: Any,
    pollutant: str | Pollutant,
    averaging: str | Averaging,
    *,
    edition: str | AqiEdition,
    above_table: str | AboveTable = AboveTable.CAP,
) -> Any:
    """Individual AQI of one pollutant (HJ 633-2012 §4.2, HJ 633-2026 §4.2.4 eq. 1, rounded up).

    Parameters
    ----------
    concentration:
        Scalar, NumPy array or pandas Series [µg/m³; CO in mg/m³]. NaN = missing.
    pollutant:
        ``"SO2" "NO2" "PM10" "PM2.5" "CO" "O3"`` or a :class:`~xietong.enums.Pollutant`.
    averaging:
        ``"1h" "8h" "24h"``: the averaging time of the concentration. PM 1-h values use the 24-h
        breakpoints (HJ 633-2026 §4.2.4; CNEMC practice under 2012). O3 has 1h and 8h only.
    edition:
        ``"2012"`` or ``"2026"``.
    above_table:
        See :class:`AboveTable`.

    Returns
    -------
    ``int`` for a scalar (``numpy.ma.masked`` where undefined), an ``int64`` masked array for an array,
    a nullable ``Int16`` Series for a Series. Undefined: NaN input, HJ 633-2012 SO2 1-h / O3 8-h > 800
    (notes 2 and 3: report the 24-h resp. 1-h IAQI instead), and above the table with ``above_table="na"``.
    HJ 633-2026 gives SO2 1-h > 800 the IAQI 200 and O3 8-h > 800 the IAQI 300 (Table 3 notes 2 and 3).

    >>> iaqi(36, "PM2.5", "24h", edition="2012")
    52
    >>> iaqi(61, "PM2.5", "24h", edition="2026")
    101
    """
    p = _parse_pollutant(pollutant)
    avg = _parse_enum(Averaging, averaging, "averaging time")
    ed = _fixed_edition(edition)
    at = _parse_enum(AboveTable, above_table, "above_table option")
    table = _table_for(p, avg, ed)
    is_series = isinstance(concentration, pd.Series)
    arr = np.asarray(concentration.to_numpy(dtype="float64", na_value=np.nan) if is_series else concentration)
    scalar = arr.ndim == 0
    try:
        c = np.atleast_1d(arr).astype(np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(
            "concentration is not numeric", expected="a number or an array of numbers", given=repr(concentration)
        ) from None
    _check_nonnegative(c, f"{p.value} {avg.value}")
    codes = np.concatenate([iaqi_block(c[i : i + BLOCK_ROWS], table, at).iaqi for i in range(0, len(c), BLOCK_ROWS)])
    mask = codes < 0
    if scalar:
        return np.ma.masked if mask[0] else int(codes[0])
    if is_series:
        return pd.Series(pd.arrays.IntegerArray(codes.astype(np.int16), mask), index=concentration.index, name="iaqi")
    return np.ma.MaskedArray(codes.astype(np.int64).reshape(arr.shape), mask=mask.reshape(arr.shape))


# --------------------------------------------------------------------------------------------------------
# combining indicators into the AQI


@dataclass(slots=True)
class AqiArrays:
    """Result of :func:`aqi_arrays`: one entry per row. Codes: -1 = NA.

    ``iaqi[slot]`` int16 (slots: :data:`SLOTS`; NO_VALUE where missing or not used); ``aqi`` int16 (after
    the missing-data rule); ``aqi_available`` int16 (from the available indicators, before the rule);
    ``primary`` uint8 bitmask over :data:`SLOTS`; ``exceedance`` uint8 bitmask over :data:`SLOTS`
    (HJ 633-2012 only); ``level`` int8 (1–6, 0 = NA); ``incomplete`` (a required pollutant missing);
    ``beyond_table`` (an indicator above the last table row).
    """

    iaqi: dict[str, npt.NDArray[np.int16]]
    aqi: npt.NDArray[np.int16]
    aqi_available: npt.NDArray[np.int16]
    primary: npt.NDArray[np.uint8]
    exceedance: npt.NDArray[np.uint8]
    level: npt.NDArray[np.int8]
    incomplete: npt.NDArray[np.bool_]
    beyond_table: npt.NDArray[np.bool_]


def _combine(
    et: EditionTables,
    slot_iaqi: Mapping[str, npt.NDArray[np.int16]],
    missing: npt.NDArray[np.bool_],
    missing_rule: MissingRule,
) -> tuple[
    npt.NDArray[np.int16], npt.NDArray[np.int16], npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.int8]
]:
    """AQI = max IAQI (HJ 633-2012 §4.4.1, HJ 633-2026 eq. 2), the missing-data rule, primary, level."""
    values = list(slot_iaqi.values())
    if _kernel.COMBINE is not None and _ENGINE["name"] == "numba":
        n = len(values[0])
        stack = np.stack(values)
        bits = np.array([1 << SLOTS.index(s) for s in slot_iaqi], dtype=np.uint8)
        rule_code = {MissingRule.FROM_AVAILABLE: 0, MissingRule.NA: 1, MissingRule.NA_UNLESS_ABOVE_100: 2}[missing_rule]
        out_aqi = np.empty(n, dtype=np.int16)
        out_avail = np.empty(n, dtype=np.int16)
        out_primary = np.empty(n, dtype=np.uint8)
        out_exceed = np.empty(n, dtype=np.uint8)
        out_level = np.empty(n, dtype=np.int8)
        _kernel.COMBINE(
            stack, bits, missing, et.aqi_min, rule_code, et.missing_publish_above, et.primary_above,
            -1 if et.exceedance_above is None else et.exceedance_above, et.level_lut,
            out_aqi, out_avail, out_primary, out_exceed, out_level,
        )  # fmt: skip
        return out_aqi, out_avail, out_primary, out_exceed, out_level
    avail = values[0].copy()
    for v in values[1:]:
        np.maximum(avail, v, out=avail)
    avail[avail < 0] = NO_VALUE
    if et.aqi_min > 0:  # HJ 633-2026 §4.1.1: range 1–500
        avail[avail == 0] = et.aqi_min
    if missing_rule is MissingRule.FROM_AVAILABLE:
        aqi = avail
    elif missing_rule is MissingRule.NA:
        aqi = np.where(missing, NO_VALUE, avail).astype(np.int16)
    else:  # HJ 633-2026 §5.3.1
        aqi = np.where(missing & (avail <= et.missing_publish_above), NO_VALUE, avail).astype(np.int16)
    primary = np.zeros(aqi.shape, dtype=np.uint8)
    exceed = np.zeros(aqi.shape, dtype=np.uint8)
    for slot, v in slot_iaqi.items():
        bit = np.uint8(SLOTS.index(slot))
        primary |= (v == aqi).view(np.uint8) << bit
        if et.exceedance_above is not None:
            exceed |= (v > et.exceedance_above).view(np.uint8) << bit
    primary *= (aqi > et.primary_above).view(np.uint8)  # §4.4.2 / §4.3.1: only when AQI > 50
    if et.exceedance_above is not None:
        exceed *= (aqi >= 0).view(np.uint8)
    level = et.level_lut.take(aqi.astype(np.intp) + 1)
    return aqi, avail, primary, exceed, level


def aqi_arrays(
    indicators: Mapping[str, npt.ArrayLike],
    *,
    edition: str | AqiEdition,
    report: str | Report = Report.HOURLY,
    not_monitored: Mapping[str, npt.ArrayLike] | None = None,
    missing_rule: str | MissingRule = MissingRule.NA_UNLESS_ABOVE_100,
    above_table: str | AboveTable = AboveTable.CAP,
) -> AqiArrays:
    """AQI of prepared indicator arrays for one edition: the pure array core used by the frame functions.

    ``indicators`` maps indicator keys to concentration arrays of one length [µg/m³; CO mg/m³]:

    - hourly (real-time): ``SO2_1h NO2_1h O3_1h CO_1h PM10_1h PM2.5_1h`` (2012 optionally ``PM10_24h
      PM2.5_24h`` instead of the 1-h PM — the 24-h moving means —, ``O3_8h`` and ``SO2_24h``, the 24-h
      moving mean used when SO2 1-h > 800, Table 1 note 2);
    - daily: ``SO2_24h NO2_24h CO_24h PM10_24h PM2.5_24h O3_8h`` (MDA8) and, in 2012, ``O3_1h`` (the daily
      max 1-h mean), HJ 633-2012 §5.1.2 / HJ 633-2026 §4.2.2.

    A key left out of ``indicators`` is not part of the report. NaN = missing (counts for the missing-data
    rule). ``not_monitored`` maps pollutant codes (``"CO"``…) to boolean arrays of values outside the
    monitoring programme, which never count as missing (HJ 633-2026 §5.3.2).
    """
    ed = _fixed_edition(edition)
    rep = _parse_enum(Report, report, "report")
    rule = _parse_enum(MissingRule, missing_rule, "missing_rule")
    at = _parse_enum(AboveTable, above_table, "above_table option")
    et = edition_tables(ed)
    arrays = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in indicators.items()}
    lengths = {len(v) for v in arrays.values()}
    if len(lengths) != 1:
        raise InputError(
            "indicator arrays of different lengths",
            expected="one length",
            given=", ".join(f"{k}: {len(v)}" for k, v in arrays.items()),
        )
    n = lengths.pop()
    nm = {k: np.asarray(v, dtype=np.bool_).ravel() for k, v in (not_monitored or {}).items()}
    result: AqiArrays | None = None
    for start in range(0, max(n, 1), BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        block = {k: v[start:stop] for k, v in arrays.items()}
        block_nm = {k: v[start:stop] for k, v in nm.items()}
        part = _aqi_block(et, rep, block, block_nm, rule, at)
        if stop - start == n:
            return part
        if result is None:  # preallocate once the slots are known; fill block by block
            result = AqiArrays(
                iaqi={s: np.empty(n, dtype=np.int16) for s in part.iaqi},
                aqi=np.empty(n, dtype=np.int16),
                aqi_available=np.empty(n, dtype=np.int16),
                primary=np.empty(n, dtype=np.uint8),
                exceedance=np.empty(n, dtype=np.uint8),
                level=np.empty(n, dtype=np.int8),
                incomplete=np.empty(n, dtype=np.bool_),
                beyond_table=np.empty(n, dtype=np.bool_),
            )
        for s, v in part.iaqi.items():
            result.iaqi[s][start:stop] = v
        result.aqi[start:stop] = part.aqi
        result.aqi_available[start:stop] = part.aqi_available
        result.primary[start:stop] = part.primary
        result.exceedance[start:stop] = part.exceedance
        result.level[start:stop] = part.level
        result.incomplete[start:stop] = part.incomplete
        result.beyond_table[start:stop] = part.beyond_table
    assert result is not None  # n > BLOCK_ROWS here
    return result


_PM_SLOTS = {"PM10": Pollutant.PM10, "PM2.5": Pollutant.PM25}


def _aqi_block(
    et: EditionTables,
    report: Report,
    ind: Mapping[str, npt.NDArray[np.float64]],
    nm: Mapping[str, npt.NDArray[np.bool_]],
    rule: MissingRule,
    at: AboveTable,
) -> AqiArrays:
    n = len(next(iter(ind.values()))) if ind else 0
    if _ENGINE["name"] != "numba":  # the compiled kernel checks while it computes
        for key, v in ind.items():
            _check_nonnegative(v, key)
    tabs = et.tables
    slot_iaqi: dict[str, npt.NDArray[np.int16]] = {}
    missing = np.zeros(n, dtype=np.bool_)
    beyond = np.zeros(n, dtype=np.bool_)

    def run(key: str, table_key: str) -> IaqiBlock:
        blk = iaqi_block(ind[key], tabs[table_key], at)
        beyond[:] |= blk.beyond
        return blk

    hourly = report is Report.HOURLY
    # CNEMC practice (MissingRule.CNEMC): a missing 1-h PM10 makes the row incomplete, not unpublishable
    gap = np.zeros(n, dtype=np.bool_)
    tolerated = {"PM10"} if rule is MissingRule.CNEMC and hourly and "PM10_1h" in ind else set()

    def mark_missing(codes: npt.NDArray[np.int16], pollutant: str) -> None:
        miss = codes == NO_VALUE  # NaN input (the only source of NO_VALUE in a fresh block)
        if pollutant in nm:
            miss &= ~nm[pollutant]
        (gap if pollutant in tolerated else missing)[:] |= miss

    # SO2 (Table note 2: 1-h > 800 → 2012: the 24-h IAQI; 2026: 200)
    if hourly and "SO2_1h" in ind:
        blk = run("SO2_1h", "SO2_1h")
        so2 = blk.iaqi
        if blk.special.any() and et.tables["SO2_1h"].special_rule == "use_24h":
            if "SO2_24h" in ind:
                alt = run("SO2_24h", "SO2_24h").iaqi
                so2 = np.where(blk.special, alt, so2).astype(np.int16)
            else:
                so2 = np.where(blk.special, np.int16(NO_VALUE), so2).astype(np.int16)
            missing |= blk.special & (so2 < 0)
        slot_iaqi["SO2"] = so2
        mark_missing(blk.iaqi, "SO2")
    elif not hourly and "SO2_24h" in ind:
        slot_iaqi["SO2"] = run("SO2_24h", "SO2_24h").iaqi
        mark_missing(slot_iaqi["SO2"], "SO2")
    for code in ("NO2", "CO"):
        key = f"{code}_1h" if hourly else f"{code}_24h"
        if key in ind:
            slot_iaqi[code] = run(key, key).iaqi
            mark_missing(slot_iaqi[code], code)
    if "O3_1h" in ind:
        slot_iaqi["O3_1h"] = run("O3_1h", "O3_1h").iaqi
        mark_missing(slot_iaqi["O3_1h"], "O3")
    if "O3_8h" in ind:
        blk = run("O3_8h", "O3_8h")
        # Table note 3: 2012 → the 1-h IAQI is reported (the O3_1h slot carries it); 2026 → 300
        slot_iaqi["O3_8h"] = np.where(blk.iaqi == UNDEFINED, np.int16(NO_VALUE), blk.iaqi).astype(np.int16)
        miss8 = blk.iaqi == NO_VALUE
        if blk.special.any() and et.tables["O3_8h"].special_rule == "use_1h":
            one_hour_missing = np.isnan(ind["O3_1h"]) if "O3_1h" in ind else np.ones(n, dtype=np.bool_)
            miss8 |= blk.special & one_hour_missing
        if "O3" in nm:
            miss8 &= ~nm["O3"]
        missing |= miss8
    for slot in _PM_SLOTS:
        for key in (f"{slot}_1h", f"{slot}_24h"):
            if key in ind:
                slot_iaqi[slot] = run(key, f"{slot}_24h").iaqi
                mark_missing(slot_iaqi[slot], slot)
                break
    for slot, codes in slot_iaqi.items():  # UNDEFINED (above table with above_table="na") → no value
        if (codes == UNDEFINED).any():
            slot_iaqi[slot] = np.where(codes == UNDEFINED, np.int16(NO_VALUE), codes).astype(np.int16)
    ordered = {s: slot_iaqi[s] for s in SLOTS if s in slot_iaqi}
    if not ordered:
        raise InputError(
            "no indicator for the AQI",
            expected="at least one of " + ", ".join(et.realtime if hourly else et.daily),
            given="none",
        )
    combine_rule = MissingRule.NA_UNLESS_ABOVE_100 if rule is MissingRule.CNEMC else rule
    aqi, avail, primary, exceed, level = _combine(et, ordered, missing, combine_rule)
    return AqiArrays(ordered, aqi, avail, primary, exceed, level, missing | gap, beyond)


# --------------------------------------------------------------------------------------------------------
# labels (primary pollutant, level, category, colour) as categoricals


@cache
def _slot_mask_labels(edition: str, zh: bool) -> tuple[str, ...]:
    """Label of every 7-bit slot mask: ``"PM10,PM2.5"`` (pollutant codes) or the CNEMC names."""
    et = edition_tables(edition)
    out = []
    for mask in range(1 << len(SLOTS)):
        names: list[str] = []
        for i, slot in enumerate(SLOTS):
            if mask & (1 << i):
                name = et.names_zh[slot] if zh else _SLOT_POLLUTANT[i].value
                if name not in names:
                    names.append(name)
        out.append(",".join(names))
    return tuple(out)


def mask_labels(masks: npt.NDArray[np.uint8], edition: str, *, zh: bool = False) -> pd.Categorical[str]:
    """Slot bitmasks (``AqiArrays.primary`` / ``exceedance``) as a categorical; 0 → NA."""
    labels = _slot_mask_labels(edition, zh)
    uniq = sorted(set(labels[1:]))
    index = {lab: i for i, lab in enumerate(uniq)}
    code_of_mask = np.array([-1] + [index[lab] for lab in labels[1:]], dtype=np.int16)
    codes = code_of_mask.take(masks)
    return cast("pd.Categorical[str]", pd.Categorical.from_codes(codes, dtype=_dtype(tuple(uniq)), validate=False))


def level_labels(level: npt.NDArray[np.int8], edition: str, field_name: str) -> pd.Categorical[str]:
    """A level attribute (``category_zh``, ``category_en``, ``hex``, ``roman`` …) per row; level 0 → NA."""
    levels = edition_tables(edition).levels
    cats = [str(lv[field_name]) for lv in levels]
    codes = level.astype(np.int8) - np.int8(1)
    return cast("pd.Categorical[str]", pd.Categorical.from_codes(codes, dtype=_dtype(tuple(cats)), validate=False))


@cache
def _dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(list(categories)))


def level_info(edition: str) -> pd.DataFrame:
    """HJ 633 Table 1/2 and Appendix A of ``edition`` as a frame (level, range, category, colour, text)."""
    return pd.DataFrame(list(edition_tables(_fixed_edition(edition)).levels))


def sensitive_groups(pollutant: str | Pollutant) -> str:
    """HJ 633-2026 Table 2: the sensitive groups for a pollutant whose IAQI exceeds 100."""
    p = _parse_pollutant(pollutant)
    return edition_tables("2026").sensitive_groups[p.value]


def pollutants_of_mask(mask: int) -> tuple[Pollutant, ...]:
    """The pollutants in a slot bitmask (O3's two slots count once)."""
    out: list[Pollutant] = []
    for i, p in enumerate(_SLOT_POLLUTANT):
        if mask & (1 << i) and p not in out:
            out.append(p)
    return tuple(out)


def result_columns(res: AqiArrays, edition: str, *, slots: Sequence[str] | None = None) -> dict[str, Any]:
    """Frame columns of an :class:`AqiArrays` (nullable ints and categoricals, no per-row Python work)."""
    cols: dict[str, Any] = {}
    for slot in slots or SLOTS:
        v = res.iaqi.get(slot)
        name = "iaqi_" + slot.lower().replace(".", "")
        if v is None:
            cols[name] = pd.arrays.IntegerArray(
                np.zeros(len(res.aqi), dtype=np.int16), np.ones(len(res.aqi), dtype=np.bool_)
            )
        else:
            cols[name] = pd.arrays.IntegerArray(np.maximum(v, 0), v < 0)
    cols["aqi"] = pd.arrays.IntegerArray(np.maximum(res.aqi, 0), res.aqi < 0)
    cols["aqi_available"] = pd.arrays.IntegerArray(np.maximum(res.aqi_available, 0), res.aqi_available < 0)
    cols["level"] = pd.arrays.IntegerArray(res.level, res.level == 0)
    cols["level_roman"] = level_labels(res.level, edition, "roman")
    cols["category_zh"] = level_labels(res.level, edition, "category_zh")
    cols["category_en"] = level_labels(res.level, edition, "category_en")
    cols["colour"] = level_labels(res.level, edition, "hex")
    cols["primary"] = mask_labels(res.primary, edition)
    cols["primary_zh"] = mask_labels(res.primary, edition, zh=True)
    cols["exceedance"] = mask_labels(res.exceedance, edition)
    cols["incomplete"] = res.incomplete
    cols["beyond_table"] = res.beyond_table
    return cols


# --------------------------------------------------------------------------------------------------------
# frames: hourly (real-time) and daily reports

#: HJ 633-2026 applies from this CST day (standards/index.toml); earlier days use HJ 633-2012
_PM_1H_FROM_DAY = np.datetime64("2014-01-01", "D")


def _cst_days(t_s: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return ((t_s + CST_OFFSET_S) // DAY_S).astype("datetime64[D]")


def editions_for_days(days: npt.NDArray[np.datetime64], edition: str | AqiEdition) -> npt.NDArray[np.object_]:
    """Edition id per CST day: ``auto`` → the HJ 633 edition in force that day (2012 up to 2026-02-28)."""
    ed = _parse_enum(AqiEdition, edition, "edition")
    if ed is AqiEdition.AUTO:
        return standards.in_force_array("hj633", days)
    return np.full(len(days), ed.value, dtype=object)


def _scatter(n: int, parts: Sequence[tuple[npt.NDArray[np.intp], AqiArrays]]) -> AqiArrays:
    if len(parts) == 1 and len(parts[0][0]) == n:
        return parts[0][1]
    slots = [s for s in SLOTS if any(s in p.iaqi for _, p in parts)]
    out = AqiArrays(
        iaqi={s: np.full(n, NO_VALUE, dtype=np.int16) for s in slots},
        aqi=np.full(n, NO_VALUE, dtype=np.int16),
        aqi_available=np.full(n, NO_VALUE, dtype=np.int16),
        primary=np.zeros(n, dtype=np.uint8),
        exceedance=np.zeros(n, dtype=np.uint8),
        level=np.zeros(n, dtype=np.int8),
        incomplete=np.zeros(n, dtype=np.bool_),
        beyond_table=np.zeros(n, dtype=np.bool_),
    )
    for idx, part in parts:
        for s, v in part.iaqi.items():
            out.iaqi[s][idx] = v
        out.aqi[idx] = part.aqi
        out.aqi_available[idx] = part.aqi_available
        out.primary[idx] = part.primary
        out.exceedance[idx] = part.exceedance
        out.level[idx] = part.level
        out.incomplete[idx] = part.incomplete
        out.beyond_table[idx] = part.beyond_table
    return out


def _nm_by_code(nm: Mapping[str, npt.NDArray[np.bool_]], rule: NotMonitored) -> dict[str, npt.NDArray[np.bool_]]:
    if rule is NotMonitored.MISSING:
        return {}
    return {p.value: nm[p.column] for p in POLLUTANTS if p.column in nm}


def hourly_aqi(
    frame: pd.DataFrame,
    *,
    edition: str | AqiEdition = AqiEdition.AUTO,
    pm_realtime: str | PmRealtime | None = None,
    o3_8h_realtime: bool = False,
    missing_rule: str | MissingRule = MissingRule.NA_UNLESS_ABOVE_100,
    not_monitored: str | NotMonitored = NotMonitored.EXEMPT,
    above_table: str | AboveTable = AboveTable.CAP,
) -> pd.DataFrame:
    """Real-time (hourly) AQI of every row of a store frame (station or city values).

    Parameters
    ----------
    frame:
        ``station`` (or ``city``), ``time`` (tz-aware, end of the averaging hour), ``so2 no2 o3 co pm10
        pm25`` [µg/m³; CO mg/m³], optional ``flag_bits``. One row per series and hour.
    edition:
        ``auto`` (default): HJ 633-2012 for hour labels up to 2026-02-28 23:00 CST, HJ 633-2026 from the
        label 2026-03-01 00:00 CST (the first hour published with the new standard in force).
    pm_realtime:
        HJ 633-2012 only (:class:`PmRealtime`). ``None``: ``1h`` for labels from 2014-01-01 CST (CNEMC
        practice), ``24h_moving`` before.
    o3_8h_realtime:
        HJ 633-2012 only: include the O3 8-h moving mean in the real-time AQI as §5.1.3 lists it.
        Default False: CNEMC's published real-time AQIs do not (observed 2022, tests).
    missing_rule, not_monitored, above_table:
        :class:`MissingRule`, :class:`NotMonitored`, :class:`AboveTable`.

    Returns
    -------
    One row per input row, sorted by series and time: ``station``/``city``, ``time`` (UTC), ``edition``,
    the 1-h concentrations used (``so2 … pm25``, invalid values removed), the auxiliary moving means when
    used (``so2_24h``, ``pm10_24h``, ``pm25_24h``, ``o3_8h``), ``iaqi_so2 iaqi_no2 iaqi_o3_1h iaqi_o3_8h
    iaqi_co iaqi_pm10 iaqi_pm25`` (nullable Int16), ``aqi``, ``aqi_available``, ``level`` (1–6),
    ``level_roman`` (I–VI), ``category_zh``,
    ``category_en``, ``colour``, ``primary`` (``"PM10,PM2.5"`` for a tie), ``primary_zh`` (CNEMC names),
    ``exceedance`` (HJ 633-2012 only), ``incomplete``, ``beyond_table``.
    """
    from xietong.air import averaging  # noqa: PLC0415 - averaging imports nothing from here

    pm_mode = None if pm_realtime is None else _parse_enum(PmRealtime, pm_realtime, "pm_realtime")
    rule = _parse_enum(MissingRule, missing_rule, "missing_rule")
    nm_rule = _parse_enum(NotMonitored, not_monitored, "not_monitored")
    at = _parse_enum(AboveTable, above_table, "above_table option")
    idc = averaging.id_column(frame)
    t_all = averaging.time_seconds(frame)
    codes = pd.factorize(frame[idc], sort=True)[0]
    ordered = bool(np.all(np.diff(codes) >= 0)) and bool(np.all((np.diff(codes) > 0) | (np.diff(t_all) > 0)))
    if not ordered:
        order = np.lexsort((t_all, codes))
        frame = frame.iloc[order].reset_index(drop=True)
        t_all = t_all[order]
    n = len(frame)
    values, nm = averaging.decode_flags(frame)
    days = _cst_days(t_all)
    eds = editions_for_days(days, edition)
    is_2012 = eds == "2012"
    extra: dict[str, npt.NDArray[np.float64]] = {}
    use_moving_pm = np.zeros(n, dtype=np.bool_)
    if is_2012.any():
        if pm_mode is None:
            use_moving_pm = is_2012 & (days < _PM_1H_FROM_DAY)
        elif pm_mode is PmRealtime.MOVING_24H:
            use_moving_pm = is_2012
        need24 = ["pm10", "pm25"] if use_moving_pm.any() else []
        with np.errstate(invalid="ignore"):
            if (is_2012 & (values["so2"] > 800)).any():  # Table 1 note 2 needs the 24-h SO2
                need24.append("so2")
        if need24:
            for col, v in averaging.moving_means(frame, need24, 24).items():
                extra[f"{col}_24h"] = v
        if o3_8h_realtime:
            extra["o3_8h"] = averaging.moving_means(frame, ["o3"], 8)["o3"]
    parts: list[tuple[npt.NDArray[np.intp], AqiArrays]] = []
    for ed in ("2012", "2026"):
        for moving in (False, True):
            sel = (eds == ed) & (use_moving_pm == moving)
            if not sel.any():
                continue
            idx = np.flatnonzero(sel) if not sel.all() else np.arange(n)
            whole = len(idx) == n

            def pick(v: npt.NDArray[Any], idx: npt.NDArray[np.intp] = idx, whole: bool = whole) -> npt.NDArray[Any]:
                return v if whole else v[idx]

            ind = {
                "SO2_1h": pick(values["so2"]),
                "NO2_1h": pick(values["no2"]),
                "O3_1h": pick(values["o3"]),
                "CO_1h": pick(values["co"]),
            }
            if moving:
                ind["PM10_24h"] = pick(extra["pm10_24h"])
                ind["PM2.5_24h"] = pick(extra["pm25_24h"])
            else:
                ind["PM10_1h"] = pick(values["pm10"])
                ind["PM2.5_1h"] = pick(values["pm25"])
            if ed == "2012":
                if "so2_24h" in extra:
                    ind["SO2_24h"] = pick(extra["so2_24h"])
                if "o3_8h" in extra:
                    ind["O3_8h"] = pick(extra["o3_8h"])
            nm_codes = {k: pick(v) for k, v in _nm_by_code(nm, nm_rule).items()}
            res = aqi_arrays(
                ind, edition=ed, report=Report.HOURLY, not_monitored=nm_codes, missing_rule=rule, above_table=at
            )
            parts.append((idx, res))
    res = _scatter(n, parts) if parts else aqi_arrays({"SO2_1h": np.zeros(0)}, edition="2026")
    label_edition = "2012" if is_2012.all() and n else "2026"
    out = pd.DataFrame({idc: frame[idc].to_numpy(dtype=object), "time": frame["time"].dt.tz_convert("UTC")})
    out["edition"] = pd.Categorical(eds, categories=["2012", "2026"])
    for col in averaging.VALUE_COLUMNS:
        out[col] = values[col]
    for col, v in extra.items():
        out[col] = v
    slots = [s for s in SLOTS if s in res.iaqi] if n else list(SLOTS)
    for name, col in result_columns(res, label_edition, slots=slots).items():
        out[name] = col
    return out


def daily_aqi(
    daily: pd.DataFrame,
    *,
    edition: str | AqiEdition = AqiEdition.AUTO,
    missing_rule: str | MissingRule = MissingRule.NA_UNLESS_ABOVE_100,
    not_monitored: str | NotMonitored = NotMonitored.EXEMPT,
    above_table: str | AboveTable = AboveTable.CAP,
) -> pd.DataFrame:
    """Daily AQI (HJ 633-2012 §5.1.2: 7 indicators; HJ 633-2026 §4.2.2: 6) of daily values.

    ``daily``: the output of :func:`xietong.air.averaging.daily_values` (or of
    :func:`~xietong.air.averaging.city_values` on it): ``station``/``city``, ``date`` (CST day), ``so2 no2
    co pm10 pm25`` (24-h means), ``o3_1h_max``, ``o3_mda8`` [µg/m³; CO mg/m³], optional ``flag_bits``.
    ``edition="auto"`` picks by ``date`` (2012 up to 2026-02-28, 2026 from 2026-03-01).

    Returns the input columns plus ``edition``, ``iaqi_*``, ``aqi``, ``aqi_available``, ``level``,
    ``category_zh``, ``category_en``, ``colour``, ``primary``, ``primary_zh``, ``exceedance``, ``incomplete``,
    ``beyond_table``. In 2012 the O3 IAQI is the larger of the max-1-h and the MDA8 IAQI (both are daily
    indicators); MDA8 > 800 µg/m³ leaves only the 1-h IAQI (Table 1 note 3).
    """
    from xietong.air import averaging  # noqa: PLC0415

    rule = _parse_enum(MissingRule, missing_rule, "missing_rule")
    nm_rule = _parse_enum(NotMonitored, not_monitored, "not_monitored")
    at = _parse_enum(AboveTable, above_table, "above_table option")
    averaging.id_column(daily)
    if "date" not in daily.columns:
        raise InputError(
            "daily frame has no 'date' column",
            expected="the output of xietong.air.daily_values (one row per series and CST day)",
            given=", ".join(map(str, daily.columns[:12])),
        )
    n = len(daily)
    days = pd.DatetimeIndex(daily["date"]).to_numpy(dtype="datetime64[D]")
    eds = editions_for_days(days, edition)
    col = {c: daily[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in averaging.DAILY_VALUE_COLUMNS if c in daily}
    for c in averaging.DAILY_VALUE_COLUMNS:
        col.setdefault(c, np.full(n, np.nan))
    bits = daily["flag_bits"].to_numpy(np.int64) if "flag_bits" in daily.columns else np.zeros(n, np.int64)
    nm = {p.column: ((bits >> (2 * i)) & 3) == 2 for i, p in enumerate(POLLUTANTS)}
    parts: list[tuple[npt.NDArray[np.intp], AqiArrays]] = []
    for ed in ("2012", "2026"):
        sel = eds == ed
        if not sel.any():
            continue
        idx = np.flatnonzero(sel)
        ind = {
            "SO2_24h": col["so2"][idx],
            "NO2_24h": col["no2"][idx],
            "CO_24h": col["co"][idx],
            "PM10_24h": col["pm10"][idx],
            "PM2.5_24h": col["pm25"][idx],
            "O3_8h": col["o3_mda8"][idx],
        }
        if ed == "2012":
            ind["O3_1h"] = col["o3_1h_max"][idx]
        nm_codes = {k: v[idx] for k, v in _nm_by_code(nm, nm_rule).items()}
        res = aqi_arrays(
            ind, edition=ed, report=Report.DAILY, not_monitored=nm_codes, missing_rule=rule, above_table=at
        )
        parts.append((idx, res))
    out = daily.copy()
    out["edition"] = pd.Categorical(eds, categories=["2012", "2026"])
    if parts:
        res = _scatter(n, parts)
        slots = [s for s in SLOTS if s in res.iaqi]
    else:  # no rows: the same columns, empty
        res = aqi_arrays({"SO2_24h": np.zeros(0)}, edition="2026", report=Report.DAILY)
        slots = list(SLOTS)
    for name, c in result_columns(res, "2012" if (eds == "2012").all() else "2026", slots=slots).items():
        out[name] = c
    return out


__all__ = [
    "BLOCK_ROWS",
    "SCALE",
    "SLOTS",
    "AboveTable",
    "AqiArrays",
    "AqiEdition",
    "EditionTables",
    "MissingRule",
    "NotMonitored",
    "PmRealtime",
    "Report",
    "aqi_arrays",
    "daily_aqi",
    "edition_tables",
    "editions_for_days",
    "hourly_aqi",
    "iaqi",
    "level_info",
    "level_labels",
    "mask_labels",
    "pollutants_of_mask",
    "result_columns",
    "sensitive_groups",
]
