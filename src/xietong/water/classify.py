"""GB 3838-2002 water-quality classes per item and per sample, with the 2011 evaluation method.

Pure and vectorised: a wide frame of samples in, frames out. One row is one sample (a section at a time,
or a period mean); item columns are named by :class:`~xietong.water.enums.WaterItem` values
(``ph``, ``do``, ``codmn``, ``nh3n``, ``tp`` …) and hold values in the item's unit
(mg/L; pH dimensionless; water temperature ℃; fecal coliform 个/L). Other columns are ignored.

What is computed (references: ``docs/water.md``; STANDARDS.md §5–§6):

* the class of each item, Ⅰ..Ⅴ or 劣Ⅴ (GB 3838-2002 §4 and Table 1): the best class whose limit the
  value meets, "≤ limit" for every item but dissolved oxygen ("≥ limit") and pH (6–9 in every class, so
  it is class Ⅰ inside the range and 劣Ⅴ outside); total phosphorus uses the lake/reservoir row for lakes;
  total nitrogen has limits for lakes and reservoirs only;
* the sample class by the single-factor method (2011 method §6.2 [C:S11]): the worst class among the
  *evaluated* items (the 21 items: all of Table 1 but water temperature, TN and fecal coliform [R]); the
  reference items (water temperature, fecal coliform; and TN for lakes) are classified but never decide;
* the deciding items (those at the sample's class), the qualitative grade (Ⅰ–Ⅱ 优 … 劣Ⅴ 重度污染);
* exceedance multiples (C − C_limit) / C_limit against class Ⅲ and against a target class (not for
  water temperature, pH and DO) [R];
* the main pollutants of a sample worse than class Ⅲ: the three evaluated items with the worst class,
  ties by exceedance multiple, cyanide and heavy metals first when they exceed class Ⅲ [R].

Exact boundaries: values and limits are compared as integers on a grid finer than any limit
(:mod:`xietong.water.standard`), so a value equal to a limit always meets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError
from xietong.water.enums import (
    WATER_CLASSES,
    Comparison,
    QualityGrade,
    Waterbody,
    WaterClass,
    WaterItem,
)
from xietong.water.standard import (
    FloatArray,
    ItemLimits,
    cnemc_decimals,
    method,
    round_half_even,
    table,
    to_grid,
)

IntArray = npt.NDArray[np.int8]
WaterbodyLike = Waterbody | str | Sequence[str] | pd.Series | npt.NDArray[Any]
TargetLike = WaterClass | str | Sequence[Any] | pd.Series | npt.NDArray[Any] | None

#: rank of "no value" in the integer class arrays (ranks 1..6 are Ⅰ..劣Ⅴ)
MISSING_RANK = 0


@dataclass(frozen=True, slots=True)
class Classification:
    """Result of :func:`classify`; every frame has the index of the input samples.

    ``samples`` columns:
        ``water_class`` (:class:`WaterClass` or ``None`` when no evaluated item has a value),
        ``class_rank`` (Int8, 1..6), ``grade`` (:class:`QualityGrade` or ``None``),
        ``deciding_items`` (tuple of :class:`WaterItem`, table order), ``n_items`` (int: evaluated items
        with a value), ``main_pollutants`` (tuple of :class:`WaterItem`, at most 3, empty unless the
        sample is worse than class Ⅲ), ``main_pollutant_multiples`` (tuple of float, exceedance multiple
        over class Ⅲ of each, NaN for DO and pH), ``target_class`` (:class:`WaterClass` or ``None``),
        ``exceeds_target`` (boolean, NA without a target or a class), ``target_exceeding_items`` (tuple
        of the evaluated items worse than the target class), ``partial`` (bool: some ``required`` item
        has no value; the class rests on the items measured) and ``missing_items`` (tuple of those
        items, Table 1 order).
    ``item_classes``: Int8 class rank 1..6 per item column (NA: no value, or no limits for the water body).
    ``multiple_iii``: exceedance multiple (C − C_Ⅲ) / C_Ⅲ per item [dimensionless], negative when below
        the limit, NaN where not defined.
    ``multiple_target``: (C − C_target) / C_target per item; all NaN without a target.
    ``compared_values``: the values as compared [item unit] (rounded when ``comparison="rounded"``).
    ``evaluated``: item columns that count for the sample class; ``reference``: classified, not counted.
    """

    samples: pd.DataFrame
    item_classes: pd.DataFrame
    multiple_iii: pd.DataFrame
    multiple_target: pd.DataFrame
    compared_values: pd.DataFrame
    evaluated: tuple[WaterItem, ...]
    reference: tuple[WaterItem, ...]


# -- argument handling -----------------------------------------------------------------------------


def waterbody_mask(waterbody: WaterbodyLike, n: int) -> npt.NDArray[np.bool_]:
    """``True`` where the sample is from a lake or reservoir (``waterbody``: one value or ``n``)."""
    if isinstance(waterbody, str):
        return np.full(n, _parse_waterbody(waterbody) is Waterbody.LAKE)
    values = np.asarray(waterbody, dtype=object)
    if values.shape != (n,):
        raise InputError(
            "waterbody must be one value or one per sample",
            expected=f"'river', 'lake' or a sequence of {n} of them",
            given=f"{values.shape[0] if values.ndim == 1 else values.shape} values",
        )
    uniques = {str(v) for v in pd.unique(values)}
    lookup = {u: _parse_waterbody(u) is Waterbody.LAKE for u in uniques}
    return np.array([lookup[str(v)] for v in values], dtype=bool)


def _parse_waterbody(text: str) -> Waterbody:
    try:
        return Waterbody(str(text).strip().lower())
    except ValueError:
        raise InputError(
            "unknown water body type",
            expected="one of " + ", ".join(w.value for w in Waterbody),
            given=repr(text),
            hint="use 'lake' for lakes and reservoirs (湖、库), 'river' otherwise",
        ) from None


def _target_ranks(target: TargetLike, n: int) -> IntArray:
    """Target class rank per sample (0 = no target)."""
    if target is None:
        return np.zeros(n, dtype=np.int8)
    if isinstance(target, str):
        return np.full(n, _parse_target(target).rank, dtype=np.int8)
    values = np.asarray(target, dtype=object)
    if values.shape != (n,):
        raise InputError(
            "target must be one class or one per sample",
            expected=f"a class or a sequence of {n} classes (None for no target)",
            given=f"{values.shape} values",
        )
    out = np.zeros(n, dtype=np.int8)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or str(v).strip() == "":
            continue
        out[i] = _parse_target(v).rank
    return out


def _parse_target(value: object) -> WaterClass:
    try:
        parsed = WaterClass.parse(value if isinstance(value, int) else str(value))
    except ValueError:
        raise InputError(
            "unknown target class",
            expected="one of I, II, III, IV, V (or Ⅰ..Ⅴ)",
            given=repr(value),
        ) from None
    if parsed is WaterClass.WORSE_THAN_V:
        raise InputError("a target class cannot be 劣V", expected="I..V", given=repr(value))
    return parsed


def item_columns(samples: pd.DataFrame) -> tuple[WaterItem, ...]:
    """The GB 3838 item columns of a frame that have class limits, in Table 1 order."""
    limits = table()
    present = set(map(str, samples.columns))
    return tuple(i for i, lim in limits.items() if i.value in present and lim.kind != "narrative")


def _numeric_column(samples: pd.DataFrame, item: WaterItem) -> FloatArray:
    col = samples[item.value]
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = np.flatnonzero(np.isnan(values) & col.notna().to_numpy())
        if bad.size:
            raise InputError(
                f"column {item.value!r} holds values that are not numbers",
                expected=f"numbers [{item.unit}] or missing",
                given=f"{col.iloc[bad[0]]!r} at index {samples.index[bad[0]]!r}",
                hint="parse the file with xietong.water.formats, which turns '*' and '--' into missing",
            )
    with np.errstate(invalid="ignore"):
        negative = np.flatnonzero(values < 0)
    if negative.size:
        raise InputError(
            f"negative {item.value} value",
            expected=f"a value >= 0 [{item.unit}]",
            given=f"{values[negative[0]]!r} at index {samples.index[negative[0]]!r}",
            hint="a concentration cannot be negative: correct or drop the value",
        )
    return values


# -- per item -------------------------------------------------------------------------------------


def _limit_matrix(lim: ItemLimits, is_lake: npt.NDArray[np.bool_]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Per-sample limits on the grid (n × 5, or n × 2 for a range) and a mask of samples that have them."""
    n = is_lake.shape[0]
    width = 2 if lim.kind == "range" else 5
    out = np.full((n, width), np.nan)
    has = np.zeros(n, dtype=bool)
    for grid, rows in ((lim.river, ~is_lake), (lim.lake, is_lake)):
        if grid is not None:
            out[rows] = grid
            has |= rows
    return out, has


def _ranks_on_grid(
    lim: ItemLimits, grid_values: FloatArray, limits: FloatArray, has: npt.NDArray[np.bool_]
) -> IntArray:
    present = ~np.isnan(grid_values) & has
    v = np.where(present, grid_values, 0.0)[:, None]
    if lim.kind == "max":  # best class whose limit is >= value: 1 + number of limits below the value
        ranks = 1 + np.sum(v > limits, axis=1)
    elif lim.kind == "min":  # DO: best class whose limit is <= value
        ranks = 1 + np.sum(v < limits, axis=1)
    elif lim.kind == "range":  # pH: inside [low, high] in every class
        inside = (v[:, 0] >= limits[:, 0]) & (v[:, 0] <= limits[:, 1])
        ranks = np.where(inside, 1, 6)
    else:
        ranks = np.zeros(len(grid_values), dtype=np.int64)
    return np.where(present, ranks, MISSING_RANK).astype(np.int8)


def _compared(
    values: FloatArray, item: WaterItem, comparison: Comparison, decimals: Mapping[WaterItem, int]
) -> FloatArray:
    if comparison is Comparison.ROUNDED and item in decimals:
        return round_half_even(values, decimals[item])
    return values


def item_class(
    values: npt.ArrayLike,
    item: WaterItem | str,
    waterbody: WaterbodyLike = "river",
    *,
    comparison: Comparison | str = Comparison.FULL,
    decimals: Mapping[WaterItem, int] | None = None,
    edition: str = "2002",
) -> IntArray:
    """Class rank 1..6 (Ⅰ..劣Ⅴ) of each value of one item; 0 where the value is NaN or the item has no
    limits for the water body (TN in rivers, water temperature).

    Parameters
    ----------
    values:
        Measured values [item unit: mg/L; pH dimensionless; fecal coliform 个/L].
    item:
        The item (:class:`WaterItem` or its code, e.g. ``"nh3n"``).
    waterbody:
        ``"river"`` or ``"lake"`` (lakes and reservoirs), or one per value.
    comparison, decimals:
        ``"full"`` compares the values as given; ``"rounded"`` rounds them first (half-even) to
        ``decimals[item]`` places (default: :func:`~xietong.water.standard.cnemc_decimals`).
    """
    it = WaterItem.parse(item) if isinstance(item, str) else item
    lim = table(edition)[it]
    arr = np.atleast_1d(np.asarray(values, dtype="float64"))
    is_lake = waterbody_mask(waterbody, arr.shape[0])
    comp = Comparison(comparison)
    dec = cnemc_decimals() if decimals is None else decimals
    limits, has = _limit_matrix(lim, is_lake)
    return _ranks_on_grid(lim, to_grid(_compared(arr, it, comp, dec), lim.scale), limits, has)


# -- per sample ------------------------------------------------------------------------------------


def classify(
    samples: pd.DataFrame,
    waterbody: WaterbodyLike = "river",
    *,
    target: TargetLike = None,
    items: Iterable[WaterItem | str] | None = None,
    required: Iterable[WaterItem | str] | None = None,
    comparison: Comparison | str = Comparison.FULL,
    decimals: Mapping[WaterItem, int] | None = None,
    priority_first: bool = True,
    edition: str = "2002",
) -> Classification:
    """Classify samples by GB 3838-2002 Table 1 and the 2011 evaluation method.

    Parameters
    ----------
    samples:
        Wide frame, one row per sample, item columns named by :class:`WaterItem` values, values in
        the item's unit [mg/L; pH dimensionless; 个/L]. NaN = not measured.
    waterbody:
        ``"river"`` (default) or ``"lake"`` (lakes and reservoirs: TP lake limits, TN classified as a
        reference item), or one value per sample (e.g. ``samples["waterbody"]``).
    target:
        The section's target class (水质目标), one for all or one per sample (``None`` for none): gives
        ``multiple_target``, ``exceeds_target`` and ``target_exceeding_items``.
    items:
        The evaluated items (default: the 21 items of the 2011 method, [R]). Items outside this set
        that have limits are classified as reference items and never decide the class.
    required:
        Items a sample should have (default: pH, DO, CODMn, NH3-N and TP, the evaluated items every
        CNEMC automatic station measures, :func:`~xietong.water.standard.cnemc_required` [D]). A sample
        lacking some of them still gets the class of the evaluated items it has (the CNEMC publication
        practice, docs/water.md) and is flagged ``partial`` with its ``missing_items``.
    comparison:
        ``"full"`` (default; GB/T 8170-2008 §4.3 full-value comparison [R]) or ``"rounded"``
        (round half-even to ``decimals`` first; the CNEMC practice).
    decimals:
        Reporting decimals per item for ``"rounded"`` (default: the CNEMC real-time precision,
        :func:`~xietong.water.standard.cnemc_decimals`).
    priority_first:
        Main pollutants: list cyanide and heavy metals that exceed class Ⅲ first ([R] switch).
    edition:
        GB 3838 edition (only ``"2002"``).

    Raises
    ------
    InputError
        No item column, a non-numeric or negative value, an unknown water body or target class.
    """
    m = method()
    present = _present_items(samples, edition)
    evaluated_set = set(m.evaluated if items is None else (WaterItem.parse(str(i)) for i in items))
    n = len(samples)
    target_rank = _target_ranks(target, n)
    per_item = _per_item(
        samples,
        present,
        waterbody_mask(waterbody, n),
        target_rank,
        Comparison(comparison),
        cnemc_decimals() if decimals is None else decimals,
        edition,
    )
    is_evaluated = np.array([i in evaluated_set for i in present], dtype=bool)
    eval_ranks = np.where(is_evaluated[None, :], per_item.ranks, MISSING_RANK)
    need = m.cnemc_required if required is None else tuple(WaterItem.parse(str(i)) for i in required)
    cols = [i.value for i in present]
    item_frame = pd.DataFrame(per_item.ranks, index=samples.index, columns=cols).astype("Int8")
    frame = _sample_frame(samples.index, present, eval_ranks, per_item, target_rank, priority_first)
    return Classification(
        samples=pd.concat([frame, _missing(samples, need)], axis=1),
        item_classes=item_frame.mask(per_item.ranks == MISSING_RANK),
        multiple_iii=pd.DataFrame(per_item.mult_iii, index=samples.index, columns=cols),
        multiple_target=pd.DataFrame(per_item.mult_target, index=samples.index, columns=cols),
        compared_values=pd.DataFrame(per_item.compared, index=samples.index, columns=cols),
        evaluated=tuple(i for i, e in zip(present, is_evaluated, strict=True) if e),
        reference=tuple(i for i, e in zip(present, is_evaluated, strict=True) if not e),
    )


def _present_items(samples: pd.DataFrame, edition: str) -> tuple[WaterItem, ...]:
    present = item_columns(samples)
    if not present:
        limits = table(edition)
        raise InputError(
            "no GB 3838 item column in the samples",
            expected="columns named by item code: "
            + ", ".join(i.value for i in limits if limits[i].kind != "narrative"),
            given=", ".join(map(str, samples.columns[:20])) or "no columns",
            hint="read files with xietong.water.formats and pivot with to_wide()",
        )
    return present


@dataclass(frozen=True, slots=True)
class _PerItem:
    """n × k arrays, one column per item present: class ranks (0 = none), exceedance multiples over
    class Ⅲ and over the target, and the values as compared [item unit]."""

    ranks: IntArray
    mult_iii: FloatArray
    mult_target: FloatArray
    compared: FloatArray


def _per_item(
    samples: pd.DataFrame,
    present: tuple[WaterItem, ...],
    is_lake: npt.NDArray[np.bool_],
    target_rank: IntArray,
    comp: Comparison,
    dec: Mapping[WaterItem, int],
    edition: str,
) -> _PerItem:
    """Class of each item of each sample (GB 3838-2002 §4, Table 1) and its exceedance multiples [R]."""
    limits = table(edition)
    m = method()
    n, k = len(samples), len(present)
    out = _PerItem(
        ranks=np.zeros((n, k), dtype=np.int8),
        mult_iii=np.full((n, k), np.nan),
        mult_target=np.full((n, k), np.nan),
        compared=np.full((n, k), np.nan),
    )
    ref_col = m.reference_class.rank - 1
    rows = np.arange(n)
    tcol = np.clip(target_rank.astype(np.int64) - 1, 0, 4)
    for j, item in enumerate(present):
        lim = limits[item]
        values = _compared(_numeric_column(samples, item), item, comp, dec)
        out.compared[:, j] = values
        grid_values = to_grid(values, lim.scale)
        lim_matrix, has = _limit_matrix(lim, is_lake)
        out.ranks[:, j] = _ranks_on_grid(lim, grid_values, lim_matrix, has)
        if lim.kind == "max" and item not in m.no_multiple:
            with np.errstate(invalid="ignore", divide="ignore"):
                ref = lim_matrix[:, ref_col]
                out.mult_iii[:, j] = (grid_values - ref) / ref
                tlim = np.where(target_rank > 0, lim_matrix[rows, tcol], np.nan)
                out.mult_target[:, j] = (grid_values - tlim) / tlim
    return out


def _sample_frame(
    index: pd.Index,
    present: tuple[WaterItem, ...],
    eval_ranks: IntArray,
    per_item: _PerItem,
    target_rank: IntArray,
    priority_first: bool,
) -> pd.DataFrame:
    """The per-sample frame: single-factor class (2011 method §6.2 [C:S11]), grade, deciding items,
    main pollutants and the comparison with the target class."""
    m = method()
    n, k = eval_ranks.shape
    sample_rank = eval_ranks.max(axis=1) if k else np.zeros(n, dtype=np.int8)
    deciding = (eval_ranks == sample_rank[:, None]) & (sample_rank[:, None] > 0)
    main, main_mult = _main_pollutants(
        present, eval_ranks, per_item.mult_iii, sample_rank, priority_first=priority_first
    )
    over_target = (eval_ranks > target_rank[:, None]) & (target_rank[:, None] > 0) & (eval_ranks > 0)
    classes = np.array([None, *WATER_CLASSES], dtype=object)
    grades = np.array([None, *(m.grade_by_class[c] for c in WATER_CLASSES)], dtype=object)
    has_class = sample_rank > 0
    judged = has_class & (target_rank > 0)
    return pd.DataFrame(
        {
            "water_class": _objects(classes[sample_rank], index),
            "class_rank": pd.Series(sample_rank, index=index, dtype="Int8").mask(~has_class),
            "grade": _objects(grades[sample_rank], index),
            "deciding_items": _objects(_tuples(present, deciding), index),
            "n_items": (eval_ranks > 0).sum(axis=1).astype("int64"),
            "main_pollutants": _objects(main, index),
            "main_pollutant_multiples": _objects(main_mult, index),
            "target_class": _objects(classes[target_rank], index),
            "exceeds_target": pd.Series(sample_rank > target_rank, index=index, dtype="boolean").mask(~judged),
            "target_exceeding_items": _objects(_tuples(present, over_target), index),
        },
        index=index,
    )


def _missing(samples: pd.DataFrame, required: tuple[WaterItem, ...]) -> pd.DataFrame:
    """``partial`` (bool) and ``missing_items`` (tuple of :class:`WaterItem`, Table 1 order): the
    ``required`` items without a value in each sample (an absent column counts as missing)."""
    wanted = set(required)
    order = [i for i in table() if i in wanted] + sorted(wanted - set(table()))
    absent = np.ones((len(samples), len(order)), dtype=bool)
    for j, item in enumerate(order):
        if item.value in samples.columns:
            absent[:, j] = np.isnan(_numeric_column(samples, item))
    return pd.DataFrame(
        {
            "partial": absent.any(axis=1) if order else np.zeros(len(samples), dtype=bool),
            "missing_items": _objects(_tuples(order, absent), samples.index),
        },
        index=samples.index,
    )


def _objects(values: npt.NDArray[Any], index: pd.Index) -> pd.Series:
    """An object Series: keeps enum members (pandas would turn str-like values into its string dtype)."""
    return pd.Series(values, index=index, dtype=object)


def _tuples(items: Sequence[WaterItem], mask: npt.NDArray[np.bool_]) -> npt.NDArray[Any]:
    """Per row, the tuple of ``items`` where ``mask`` is set (object array).

    Rows share few distinct patterns: each is encoded as a bit mask and its tuple built once.
    """
    n, k = mask.shape
    if k == 0:
        return _object_array([()] * n)
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
    uniq, inverse = np.unique(codes, return_inverse=True)
    lookup = _object_array([tuple(items[i] for i in range(k) if (code >> i) & 1) for code in uniq.tolist()])
    return lookup[inverse.reshape(-1)]


def _object_array(values: Sequence[object]) -> npt.NDArray[Any]:
    """A 1-D object array of arbitrary objects (tuples stay whole)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _empty_tuples(n: int) -> npt.NDArray[Any]:
    out = np.empty(n, dtype=object)
    out.fill(())
    return out


def _main_pollutants(
    present: tuple[WaterItem, ...],
    eval_ranks: IntArray,
    mult_iii: FloatArray,
    sample_rank: IntArray,
    *,
    priority_first: bool,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Main pollutants per sample (2011 method §6.2 [R]).

    Candidates: evaluated items worse than class Ⅲ in samples worse than class Ⅲ. Order: cyanide and
    heavy metals first (``priority_first``), then worse class, then larger multiple (items without a
    multiple, DO, after those with one), then Table 1 order. The first ``count`` are kept.
    Only rows with a candidate are sorted: stable per-row sorts, least significant key first.
    """
    m = method()
    n, k = eval_ranks.shape
    limit_rank = m.main_worse_than.rank
    cand_all = (eval_ranks > limit_rank) & (sample_rank[:, None] > limit_rank)
    items_out = _empty_tuples(n)
    mult_out = _empty_tuples(n)
    rows = np.flatnonzero(cand_all.any(axis=1))
    if rows.size == 0:
        return items_out, mult_out
    cand = cand_all[rows]
    mult = mult_iii[rows]
    prio_set = set(m.priority) if priority_first else set()
    prio = np.array([i in prio_set for i in present], dtype=np.int64)
    keys = (  # most significant last
        np.where(np.isnan(mult), np.inf, -mult),  # larger multiple first, none (DO, pH) last
        -eval_ranks[rows].astype(np.int64),  # worse class first
        -(prio[None, :] * cand),  # cyanide and heavy metals first
        (~cand).astype(np.int64),  # candidates before the rest
    )
    order = np.broadcast_to(np.arange(k, dtype=np.int64), cand.shape)  # start in Table 1 order
    for key in keys:
        ranked = np.take_along_axis(key, order, axis=1)
        order = np.take_along_axis(order, np.argsort(ranked, axis=1, kind="stable"), axis=1)
    top = order[:, : m.main_count]
    count = np.minimum(cand.sum(axis=1), m.main_count)
    chosen = np.arange(top.shape[1])[None, :] < count[:, None]
    items_out[rows] = _tuples_in_order(present, np.where(chosen, top, k))
    top_mult = np.take_along_axis(mult, top, axis=1)
    picked = np.empty(rows.size, dtype=object)
    for c in range(1, m.main_count + 1):
        at = np.flatnonzero(count == c)
        if at.size:
            picked[at] = np.fromiter(map(tuple, top_mult[at, :c].tolist()), dtype=object, count=at.size)
    mult_out[rows] = picked
    return items_out, mult_out


def _tuples_in_order(items: Sequence[WaterItem], picks: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Per row, the items at the column positions in ``picks`` (``len(items)`` = none), in that order."""
    k = len(items)
    base = np.int64(k + 1)
    codes = (picks.astype(np.int64) * base ** np.arange(picks.shape[1], dtype=np.int64)).sum(axis=1)
    uniq, inverse = np.unique(codes, return_inverse=True)
    decoded = []
    for code in uniq.tolist():
        positions = [(code // int(base) ** j) % int(base) for j in range(picks.shape[1])]
        decoded.append(tuple(items[p] for p in positions if p < k))
    return _object_array(decoded)[inverse.reshape(-1)]


def format_main_pollutants(
    items: Sequence[WaterItem | str], multiples: Sequence[float], *, lang: str = "zh", edition: str = "2002"
) -> str:
    """Main pollutants as reported, e.g. ``高锰酸盐指数(0.23)、氨氮(1.10)`` (multiples over class Ⅲ,
    2 decimals; none for DO/pH); ``lang="en"`` gives ``permanganate index (CODMn) (0.23), …``."""
    limits = table(edition)
    parts = []
    for item, mult in zip(items, multiples, strict=True):
        lim = limits[WaterItem.parse(str(item))]
        name = lim.name_zh if lang == "zh" else lim.name_en
        parts.append(name if np.isnan(mult) else f"{name}({mult:.2f})" if lang == "zh" else f"{name} ({mult:.2f})")
    return ("、" if lang == "zh" else ", ").join(parts)


def grade_of(water_class: WaterClass | str) -> QualityGrade:
    """The qualitative grade of a class (2011 method §6.2 Table 1 [C:S11]): Ⅰ–Ⅱ 优 … 劣Ⅴ 重度污染."""
    wc = water_class if isinstance(water_class, WaterClass) else WaterClass.parse(water_class)
    return method().grade_by_class[wc]


__all__ = [
    "MISSING_RANK",
    "Classification",
    "classify",
    "format_main_pollutants",
    "grade_of",
    "item_class",
    "item_columns",
    "waterbody_mask",
]
