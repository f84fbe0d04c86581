"""HJ 633 editions as exact integer tables, and the vectorised IAQI (the base of :mod:`xietong.air.aqi`).

The option enums, the tables of ``xietong/standards/hj633_<edition>.toml`` scaled to integers with their
lookup tables, and :func:`iaqi` / :func:`iaqi_block`; the AQI of several indicators, labels and frames are
built on these in :mod:`xietong.air.aqi` and :mod:`xietong.air.aqi_labels`. The module docstring of
:mod:`xietong.air.aqi` explains the exactness and what is returned where the standard defines no IAQI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, overload

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
SLOT_POLLUTANT: tuple[Pollutant, ...] = (
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


def check_nonnegative(c: npt.NDArray[np.float64], what: str) -> None:
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
            check_nonnegative(c, table.key)
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


def parse_pollutant(pollutant: str | Pollutant) -> Pollutant:
    if isinstance(pollutant, Pollutant):
        return pollutant
    try:
        return Pollutant.parse(str(pollutant))
    except ValueError:
        raise InputError(
            "unknown pollutant", expected="one of " + ", ".join(p.value for p in POLLUTANTS), given=repr(pollutant)
        ) from None


_E = TypeVar("_E", bound=StrEnum)


def parse_enum(cls: type[_E], value: str | _E, what: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise InputError(
            f"unknown {what}", expected="one of " + ", ".join(repr(m.value) for m in cls), given=repr(value)
        ) from None


def fixed_edition(edition: str | AqiEdition) -> str:
    ed = parse_enum(AqiEdition, edition, "edition")
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
    p = parse_pollutant(pollutant)
    avg = parse_enum(Averaging, averaging, "averaging time")
    ed = fixed_edition(edition)
    at = parse_enum(AboveTable, above_table, "above_table option")
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
    check_nonnegative(c, f"{p.value} {avg.value}")
    codes = np.concatenate([iaqi_block(c[i : i + BLOCK_ROWS], table, at).iaqi for i in range(0, len(c), BLOCK_ROWS)])
    mask = codes < 0
    if scalar:
        return np.ma.masked if mask[0] else int(codes[0])
    if is_series:
        return pd.Series(pd.arrays.IntegerArray(codes.astype(np.int16), mask), index=concentration.index, name="iaqi")
    return np.ma.MaskedArray(codes.astype(np.int64).reshape(arr.shape), mask=mask.reshape(arr.shape))


# --------------------------------------------------------------------------------------------------------
# the result of an AQI over arrays, and the edition of each day


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


def cst_days(t_s: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return ((t_s + CST_OFFSET_S) // DAY_S).astype("datetime64[D]")


def editions_for_days(days: npt.NDArray[np.datetime64], edition: str | AqiEdition) -> npt.NDArray[np.object_]:
    """Edition id per CST day: ``auto`` → the HJ 633 edition in force that day (2012 up to 2026-02-28)."""
    ed = parse_enum(AqiEdition, edition, "edition")
    if ed is AqiEdition.AUTO:
        return standards.in_force_array("hj633", days)
    return np.full(len(days), ed.value, dtype=object)


__all__ = [
    "BLOCK_ROWS",
    "CST_OFFSET_S",
    "DAY_S",
    "NO_VALUE",
    "SCALE",
    "SLOTS",
    "SLOT_POLLUTANT",
    "UNDEFINED",
    "AboveTable",
    "AqiArrays",
    "AqiEdition",
    "EditionTables",
    "IaqiBlock",
    "MissingRule",
    "NotMonitored",
    "PmRealtime",
    "Report",
    "check_nonnegative",
    "cst_days",
    "edition_tables",
    "editions_for_days",
    "fixed_edition",
    "iaqi",
    "iaqi_block",
    "parse_enum",
    "parse_pollutant",
]
