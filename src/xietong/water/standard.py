"""GB 3838-2002 Table 1 and the 2011 evaluation method, loaded from their TOML files as exact tables.

Limits are decimal strings in ``standards/gb3838_2002.toml``. They are turned into integers on a per-item
grid of ``10**-scale`` units (``scale`` = the most decimals among the item's limits + 6), and measured
values are put on the same grid with :func:`to_grid` before any comparison. A value that *is* a limit
(``0.2`` mg/L TP, or the mean of 0.1, 0.2 and 0.3 that binary floating point holds as
``0.20000000000000004``) then compares equal to it, while every difference a laboratory can report
(six more decimals than the limits carry) is kept.

:func:`round_half_even` implements the GB/T 8170-2008 §3.3 rounding rule (四舍六入五成双) on float arrays
for the rounded-value comparison (§4.3) [R], exact for inputs with at most ``decimals + 6`` decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from xietong import standards
from xietong.errors import InputError
from xietong.water.enums import (
    GB3838_ITEMS,
    HeavyRule,
    QualityGrade,
    Waterbody,
    WaterClass,
    WaterItem,
)

FloatArray = npt.NDArray[np.float64]
#: extra decimals of the comparison grid beyond those of an item's limits
GRID_EXTRA_DECIMALS = 6
Kind = Literal["max", "min", "range", "narrative"]


@dataclass(frozen=True, slots=True)
class ItemLimits:
    """One row of GB 3838-2002 Table 1.

    ``river`` and ``lake`` hold the class Ⅰ..Ⅴ limits on the item's grid (integers stored as float64;
    ``None`` where Table 1 gives no limits for that water body). For ``range`` items they hold
    ``(low, high)``. ``limits_text`` keeps the decimal strings as printed in the table.
    """

    item: WaterItem
    row: int
    name_zh: str
    name_en: str
    unit: str
    kind: Kind
    scale: int
    river: FloatArray | None
    lake: FloatArray | None
    limits_text: tuple[str, ...]
    limits_lake_text: tuple[str, ...]
    heavy_metal: bool

    def grid(self, waterbody: Waterbody) -> FloatArray | None:
        """The limits on the grid for a water body (``None`` if the item has none there)."""
        return self.lake if waterbody is Waterbody.LAKE else self.river

    def limit(self, water_class: WaterClass, waterbody: Waterbody = Waterbody.RIVER) -> float | None:
        """The class limit as a float [item unit], ``None`` for 劣Ⅴ, ``range``/``narrative`` items, or an
        item without limits for this water body."""
        grid = self.grid(waterbody)
        if grid is None or self.kind in ("range", "narrative") or water_class is WaterClass.WORSE_THAN_V:
            return None
        return float(grid[water_class.rank - 1]) / 10.0**self.scale


@dataclass(frozen=True, slots=True)
class Method:
    """Parameters of the 2011 evaluation method (``standards/water_eval_2011.toml``)."""

    evaluated: tuple[WaterItem, ...]
    reference_river: tuple[WaterItem, ...]
    reference_lake: tuple[WaterItem, ...]
    grade_by_class: Mapping[WaterClass, QualityGrade]
    no_multiple: frozenset[WaterItem]
    reference_class: WaterClass
    main_count: int
    main_worse_than: WaterClass
    priority: tuple[WaterItem, ...]
    min_sections: int
    excellent_min_i_iii: int
    good_min_i_iii: int
    moderate_min_worse_v: int
    heavy_min_worse_v: int
    heavy_variant_max_i_iii: int
    river_main_count: int
    some_change_pct: int
    marked_change_pct: int
    some_change_grades: int
    marked_change_grades: int
    cnemc_decimals: Mapping[WaterItem, int]
    cnemc_required: tuple[WaterItem, ...]

    def heavy_max_i_iii(self, rule: HeavyRule) -> int:
        """Upper bound (exclusive, percent) of the Ⅰ–Ⅲ share in the 重度污染 row under ``rule``."""
        return self.good_min_i_iii if rule is HeavyRule.WORSE_V_ONLY else self.heavy_variant_max_i_iii


def _decimals(text: str) -> int:
    exponent = Decimal(text).as_tuple().exponent
    return max(0, -int(exponent))


def _on_grid(texts: list[str], scale: int) -> FloatArray:
    return np.array([float(Decimal(t).scaleb(scale)) for t in texts], dtype="float64")


@cache
def table(edition: str = "2002") -> dict[WaterItem, ItemLimits]:
    """GB 3838 Table 1 of an edition, by item, in table order (only ``"2002"`` exists)."""
    raw = standards.load("gb3838", edition)
    out: dict[WaterItem, ItemLimits] = {}
    for code, spec in raw["item"].items():
        item = WaterItem(code)
        kind: Kind = spec["kind"]
        texts = [str(t) for t in spec.get("range", spec.get("limits", []))]
        lake_texts = [str(t) for t in spec.get("limits_lake", [])]
        scale = max((_decimals(t) for t in texts + lake_texts), default=0) + GRID_EXTRA_DECIMALS
        grid = _on_grid(texts, scale) if texts else None
        lake_grid = _on_grid(lake_texts, scale) if lake_texts else grid
        applies = spec.get("waterbody", "any")
        out[item] = ItemLimits(
            item=item,
            row=int(spec["row"]),
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            unit=spec["unit"],
            kind=kind,
            scale=scale,
            river=None if applies == "lake" else grid,
            lake=lake_grid,
            limits_text=tuple(texts),
            limits_lake_text=tuple(lake_texts) or tuple(texts),
            heavy_metal=bool(spec.get("heavy_metal", False)),
        )
    missing = [i.value for i in GB3838_ITEMS if i not in out]
    if missing:  # pragma: no cover - guards the data file
        raise InputError(f"gb3838_{edition}.toml lacks items {missing}")
    return dict(sorted(out.items(), key=lambda kv: kv[1].row))


def _method_raw() -> dict[str, Any]:
    return standards.load("water_eval", "2011")


@cache
def method() -> Method:
    """The 2011 evaluation method's parameters."""
    raw = _method_raw()
    ind, grade, exc, main, prop, trend = (
        raw["indicators"],
        raw["grade"],
        raw["exceedance"],
        raw["main_pollutants"],
        raw["proportion"],
        raw["trend"],
    )
    grade_by_class = {
        c: QualityGrade(grade["worse_than_V" if c is WaterClass.WORSE_THAN_V else c.value]) for c in WaterClass
    }
    return Method(
        evaluated=tuple(WaterItem(i) for i in ind["evaluated"]),
        reference_river=tuple(WaterItem(i) for i in ind["reference_river"]),
        reference_lake=tuple(WaterItem(i) for i in ind["reference_lake"]),
        grade_by_class=grade_by_class,
        no_multiple=frozenset(WaterItem(i) for i in exc["not_for"]),
        reference_class=WaterClass(exc["reference_class"]),
        main_count=int(main["count"]),
        main_worse_than=WaterClass(main["only_worse_than"]),
        priority=tuple(WaterItem(i) for i in main["priority"]),
        min_sections=int(prop["min_sections"]),
        excellent_min_i_iii=int(prop["excellent_min_i_iii"]),
        good_min_i_iii=int(prop["good_min_i_iii"]),
        moderate_min_worse_v=int(prop["moderate_min_worse_v"]),
        heavy_min_worse_v=int(prop["heavy_min_worse_v"]),
        heavy_variant_max_i_iii=int(prop["heavy_variant_max_i_iii"]),
        river_main_count=int(prop["main_pollutants"]),
        some_change_pct=int(trend["some_change_pct"]),
        marked_change_pct=int(trend["marked_change_pct"]),
        some_change_grades=int(trend["some_change_grades"]),
        marked_change_grades=int(trend["marked_change_grades"]),
        cnemc_decimals={WaterItem(k): int(v) for k, v in raw["practice"]["cnemc_realtime"]["decimals"].items()},
        cnemc_required=tuple(WaterItem(i) for i in raw["practice"]["cnemc_realtime"]["required"]),
    )


def cnemc_decimals() -> dict[WaterItem, int]:
    """Reporting decimals of the CNEMC real-time system (Nov 2025 pages) [D]: pH 0, DO 1, CODMn 1,
    NH3-N 2, TP 3, TN 2, water temperature 1. Use with ``comparison="rounded"``."""
    return dict(method().cnemc_decimals)


def cnemc_required() -> tuple[WaterItem, ...]:
    """The evaluated items every CNEMC automatic station measures (pH, DO, CODMn, NH3-N, TP) [D]: a
    sample lacking some of them is classified on the items it has and flagged ``partial``."""
    return method().cnemc_required


def to_grid(values: npt.ArrayLike, scale: int) -> FloatArray:
    """Values [item unit] as integers (float64) on the grid of ``10**-scale`` units; NaN stays NaN."""
    x = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore", over="ignore"):
        return np.rint(x * 10.0**scale)


def round_half_even(values: npt.ArrayLike, decimals: int) -> FloatArray:
    """Round to ``decimals`` places, ties to even (GB/T 8170-2008 §3.3, 四舍六入五成双) [R].

    Vectorised and exact for inputs written with at most ``decimals + 6`` decimals (the float is first
    snapped to a grid 10⁶ times finer than the result, so ``0.025`` → ``0.02`` although the binary
    double of 0.025 is slightly above it). NaN stays NaN. Magnitudes above ~9·10⁹·10⁻ᵈᵉᶜⁱᵐᵃˡˢ fall
    back to :func:`numpy.rint` (also ties-to-even) without the snap.
    """
    x = np.asarray(values, dtype="float64")
    factor = 10.0**decimals
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.abs(x) * factor
        micro = np.rint(scaled * 1e6)
        rest = np.fmod(micro, 1e6)  # exact for integers held in float64
        whole = (micro - rest) / 1e6  # an exact multiple of 1e6 divides exactly
        up = (rest > 5e5) | ((rest == 5e5) & (np.fmod(whole, 2.0) == 1.0))
        rounded = whole + up
        big = scaled >= 9e9
        rounded = np.where(big, np.rint(scaled), rounded)
        out: FloatArray = np.copysign(rounded / factor, x)
        return out


__all__ = [
    "GRID_EXTRA_DECIMALS",
    "ItemLimits",
    "Method",
    "cnemc_decimals",
    "cnemc_required",
    "method",
    "round_half_even",
    "table",
    "to_grid",
]
