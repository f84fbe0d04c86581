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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.air import _kernel, averaging
from xietong.air.aqi_labels import (
    level_info,
    level_labels,
    mask_labels,
    pollutants_of_mask,
    result_columns,
    sensitive_groups,
)
from xietong.air.aqi_tables import (
    _ENGINE,
    BLOCK_ROWS,
    CST_OFFSET_S,
    DAY_S,
    NO_VALUE,
    SCALE,
    SLOTS,
    UNDEFINED,
    AboveTable,
    AqiArrays,
    AqiEdition,
    EditionTables,
    IaqiBlock,
    MissingRule,
    NotMonitored,
    PmRealtime,
    Report,
    check_nonnegative,
    cst_days,
    edition_tables,
    editions_for_days,
    fixed_edition,
    iaqi,
    iaqi_block,
    parse_enum,
)
from xietong.enums import POLLUTANTS, Pollutant
from xietong.errors import InputError

# --------------------------------------------------------------------------------------------------------
# combining indicators into the AQI


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
    ed = fixed_edition(edition)
    rep = parse_enum(Report, report, "report")
    rule = parse_enum(MissingRule, missing_rule, "missing_rule")
    at = parse_enum(AboveTable, above_table, "above_table option")
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


@dataclass(slots=True)
class _BlockSlots:
    """The IAQI slots of one block as they are filled: the rows missing a value the report needs
    (``missing``) and the rows above the last row of a table (``beyond``) accumulate as indicators run."""

    et: EditionTables
    ind: Mapping[str, npt.NDArray[np.float64]]
    nm: Mapping[str, npt.NDArray[np.bool_]]
    at: AboveTable
    iaqi: dict[str, npt.NDArray[np.int16]]
    missing: npt.NDArray[np.bool_]
    beyond: npt.NDArray[np.bool_]
    #: pollutants whose missing value makes a row incomplete without withholding its AQI (``gap``):
    #: the 1-h PM10 under MissingRule.CNEMC
    tolerated: frozenset[str] = frozenset()
    gap: npt.NDArray[np.bool_] | None = None

    def run(self, key: str, table_key: str) -> IaqiBlock:
        blk = iaqi_block(self.ind[key], self.et.tables[table_key], self.at)
        self.beyond |= blk.beyond
        return blk

    def mark_missing(self, codes: npt.NDArray[np.int16], pollutant: str) -> None:
        miss = codes == NO_VALUE  # NaN input (the only source of NO_VALUE in a fresh block)
        if pollutant in self.nm:
            miss &= ~self.nm[pollutant]
        if pollutant in self.tolerated and self.gap is not None:
            self.gap |= miss
        else:
            self.missing |= miss

    def put(self, slot: str, key: str, pollutant: str, table_key: str | None = None) -> None:
        """The slot's IAQI from the indicator ``key`` (on the table ``table_key``, default ``key``)."""
        self.iaqi[slot] = self.run(key, table_key or key).iaqi
        self.mark_missing(self.iaqi[slot], pollutant)


def _so2_slot(s: _BlockSlots, hourly: bool) -> None:
    """SO2: HJ 633 Table note 2, 1-h > 800 µg/m³ → 2012: the 24-h IAQI; 2026: 200."""
    if hourly and "SO2_1h" in s.ind:
        blk = s.run("SO2_1h", "SO2_1h")
        so2 = blk.iaqi
        if blk.special.any() and s.et.tables["SO2_1h"].special_rule == "use_24h":
            if "SO2_24h" in s.ind:
                alt = s.run("SO2_24h", "SO2_24h").iaqi
                so2 = np.where(blk.special, alt, so2).astype(np.int16)
            else:
                so2 = np.where(blk.special, np.int16(NO_VALUE), so2).astype(np.int16)
            s.missing |= blk.special & (so2 < 0)
        s.iaqi["SO2"] = so2
        s.mark_missing(blk.iaqi, "SO2")
    elif not hourly and "SO2_24h" in s.ind:
        s.put("SO2", "SO2_24h", "SO2")


def _o3_8h_slot(s: _BlockSlots, n: int) -> None:
    """O3 8-h: HJ 633 Table note 3, > 800 µg/m³ → 2012: the 1-h IAQI is reported (the O3_1h slot carries
    it, so the row misses a value only when the 1-h value is missing too); 2026: 300."""
    blk = s.run("O3_8h", "O3_8h")
    s.iaqi["O3_8h"] = np.where(blk.iaqi == UNDEFINED, np.int16(NO_VALUE), blk.iaqi).astype(np.int16)
    miss8 = blk.iaqi == NO_VALUE
    if blk.special.any() and s.et.tables["O3_8h"].special_rule == "use_1h":
        one_hour_missing = np.isnan(s.ind["O3_1h"]) if "O3_1h" in s.ind else np.ones(n, dtype=np.bool_)
        miss8 |= blk.special & one_hour_missing
    if "O3" in s.nm:
        miss8 &= ~s.nm["O3"]
    s.missing |= miss8


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
            check_nonnegative(v, key)
    hourly = report is Report.HOURLY
    s = _BlockSlots(et, ind, nm, at, {}, np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_))
    if rule is MissingRule.CNEMC and hourly and "PM10_1h" in ind:  # CNEMC practice: docs/air.md
        s.tolerated, s.gap = frozenset({"PM10"}), np.zeros(n, dtype=np.bool_)
    _so2_slot(s, hourly)
    for code in ("NO2", "CO"):
        key = f"{code}_1h" if hourly else f"{code}_24h"
        if key in ind:
            s.put(code, key, code)
    if "O3_1h" in ind:
        s.put("O3_1h", "O3_1h", "O3")
    if "O3_8h" in ind:
        _o3_8h_slot(s, n)
    for slot in _PM_SLOTS:  # 1-h PM on the 24-h breakpoints (HJ 633-2026 §4.2.4)
        pm_key = next((k for k in (f"{slot}_1h", f"{slot}_24h") if k in ind), None)
        if pm_key is not None:
            s.put(slot, pm_key, slot, f"{slot}_24h")
    ordered = {slot: _no_undefined(s.iaqi[slot]) for slot in SLOTS if slot in s.iaqi}
    if not ordered:
        raise InputError(
            "no indicator for the AQI",
            expected="at least one of " + ", ".join(et.realtime if hourly else et.daily),
            given="none",
        )
    combine_rule = MissingRule.NA_UNLESS_ABOVE_100 if rule is MissingRule.CNEMC else rule
    aqi, avail, primary, exceed, level = _combine(et, ordered, s.missing, combine_rule)
    incomplete = s.missing if s.gap is None else s.missing | s.gap
    return AqiArrays(ordered, aqi, avail, primary, exceed, level, incomplete, s.beyond)


def _no_undefined(codes: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """UNDEFINED (above the table with ``above_table="na"``) → no value."""
    if (codes == UNDEFINED).any():
        return np.where(codes == UNDEFINED, np.int16(NO_VALUE), codes).astype(np.int16)
    return codes


# --------------------------------------------------------------------------------------------------------
# frames: hourly (real-time) and daily reports

#: HJ 633-2026 applies from this CST day (standards/index.toml); earlier days use HJ 633-2012
_PM_1H_FROM_DAY = np.datetime64("2014-01-01", "D")


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
    pm_mode = None if pm_realtime is None else parse_enum(PmRealtime, pm_realtime, "pm_realtime")
    rule = parse_enum(MissingRule, missing_rule, "missing_rule")
    nm_rule = parse_enum(NotMonitored, not_monitored, "not_monitored")
    at = parse_enum(AboveTable, above_table, "above_table option")
    frame, t_all = _by_series_and_time(frame)
    n = len(frame)
    values, nm = averaging.decode_flags(frame)
    days = cst_days(t_all)
    eds = editions_for_days(days, edition)
    is_2012 = eds == "2012"
    use_moving_pm, extra = _moving_means_2012(frame, values, days, is_2012, pm_mode, o3_8h_realtime=o3_8h_realtime)
    nm_by_code = _nm_by_code(nm, nm_rule)
    parts: list[tuple[npt.NDArray[np.intp], AqiArrays]] = []
    for ed in ("2012", "2026"):
        for moving in (False, True):
            sel = (eds == ed) & (use_moving_pm == moving)
            if not sel.any():
                continue
            whole = bool(sel.all())
            idx = np.arange(n) if whole else np.flatnonzero(sel)
            ind = {k: v if whole else v[idx] for k, v in _hourly_indicators(values, extra, ed, moving=moving).items()}
            nm_codes = {k: v if whole else v[idx] for k, v in nm_by_code.items()}
            res = aqi_arrays(
                ind, edition=ed, report=Report.HOURLY, not_monitored=nm_codes, missing_rule=rule, above_table=at
            )
            parts.append((idx, res))
    res = _scatter(n, parts) if parts else aqi_arrays({"SO2_1h": np.zeros(0)}, edition="2026")
    idc = averaging.id_column(frame)
    out = pd.DataFrame({idc: frame[idc].to_numpy(dtype=object), "time": frame["time"].dt.tz_convert("UTC")})
    out["edition"] = pd.Categorical(eds, categories=["2012", "2026"])
    for col in averaging.VALUE_COLUMNS:
        out[col] = values[col]
    for col, v in extra.items():
        out[col] = v
    slots = [s for s in SLOTS if s in res.iaqi] if n else list(SLOTS)
    label_edition = "2012" if is_2012.all() and n else "2026"
    for name, col in result_columns(res, label_edition, slots=slots).items():
        out[name] = col
    return out


def _by_series_and_time(frame: pd.DataFrame) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """``frame`` sorted by series and time (unchanged when it already is) and its times [s since the epoch]."""
    idc = averaging.id_column(frame)
    t_all = averaging.time_seconds(frame)
    codes = pd.factorize(frame[idc], sort=True)[0]
    ordered = bool(np.all(np.diff(codes) >= 0)) and bool(np.all((np.diff(codes) > 0) | (np.diff(t_all) > 0)))
    if ordered:
        return frame, t_all
    order = np.lexsort((t_all, codes))
    return frame.iloc[order].reset_index(drop=True), t_all[order]


def _moving_means_2012(
    frame: pd.DataFrame,
    values: Mapping[str, npt.NDArray[np.float64]],
    days: npt.NDArray[np.datetime64],
    is_2012: npt.NDArray[np.bool_],
    pm_mode: PmRealtime | None,
    *,
    o3_8h_realtime: bool,
) -> tuple[npt.NDArray[np.bool_], dict[str, npt.NDArray[np.float64]]]:
    """The rows whose real-time PM is the 24-h moving mean (HJ 633-2012 only) and the moving means the
    2012 rows need: 24-h PM for those rows, 24-h SO2 when a 1-h SO2 exceeds 800 µg/m³ (Table 1 note 2),
    the O3 8-h mean when asked for (§5.1.3)."""
    extra: dict[str, npt.NDArray[np.float64]] = {}
    use_moving_pm = np.zeros(len(frame), dtype=np.bool_)
    if not is_2012.any():
        return use_moving_pm, extra
    if pm_mode is None:
        use_moving_pm = is_2012 & (days < _PM_1H_FROM_DAY)
    elif pm_mode is PmRealtime.MOVING_24H:
        use_moving_pm = is_2012
    need24 = ["pm10", "pm25"] if use_moving_pm.any() else []
    with np.errstate(invalid="ignore"):
        if (is_2012 & (values["so2"] > 800)).any():
            need24.append("so2")
    if need24:
        for col, v in averaging.moving_means(frame, need24, 24).items():
            extra[f"{col}_24h"] = v
    if o3_8h_realtime:
        extra["o3_8h"] = averaging.moving_means(frame, ["o3"], 8)["o3"]
    return use_moving_pm, extra


def _hourly_indicators(
    values: Mapping[str, npt.NDArray[np.float64]],
    extra: Mapping[str, npt.NDArray[np.float64]],
    edition: str,
    *,
    moving: bool,
) -> dict[str, npt.NDArray[np.float64]]:
    """The indicators of a real-time AQI (HJ 633-2012 §5.1.3, HJ 633-2026 §4.2.3) for every row."""
    ind = {"SO2_1h": values["so2"], "NO2_1h": values["no2"], "O3_1h": values["o3"], "CO_1h": values["co"]}
    if moving:
        ind["PM10_24h"] = extra["pm10_24h"]
        ind["PM2.5_24h"] = extra["pm25_24h"]
    else:
        ind["PM10_1h"] = values["pm10"]
        ind["PM2.5_1h"] = values["pm25"]
    if edition == "2012":
        if "so2_24h" in extra:
            ind["SO2_24h"] = extra["so2_24h"]
        if "o3_8h" in extra:
            ind["O3_8h"] = extra["o3_8h"]
    return ind


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
    rule = parse_enum(MissingRule, missing_rule, "missing_rule")
    nm_rule = parse_enum(NotMonitored, not_monitored, "not_monitored")
    at = parse_enum(AboveTable, above_table, "above_table option")
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
    "CST_OFFSET_S",
    "DAY_S",
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
