"""Section, river and basin evaluation, and the change between two periods (2011 evaluation method).

* :func:`period_mean`: arithmetic mean of each item over a period, per section (2011 method §6.1 [R]:
  one sample may stand for a week, ten days or a month; several are averaged).
* :func:`evaluate_river`: a river, basin or water system from its sections' (period-mean) values
  (§6.3): fewer than 5 sections → average each item over the sections, then the single-factor method
  [C:S11]; 5 or more → the section-class proportion method [C:S11] (:func:`proportion_grade`).
* :func:`compare_periods`: the change between two periods [R]: by ΔG − ΔD of the class shares, or by
  the number of grades moved (:class:`~xietong.water.enums.TrendRule`).

Proportions are compared exactly: shares are never floats, the rules are evaluated on the integer
counts (``100 * n_i_iii >= 90 * n``), so 9 of 10 sections is exactly 90 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError
from xietong.water.classify import Classification, WaterbodyLike, classify, item_columns, waterbody_mask
from xietong.water.enums import (
    WATER_CLASSES,
    Change,
    Comparison,
    EvaluationMethod,
    HeavyRule,
    QualityGrade,
    TrendRule,
    Waterbody,
    WaterClass,
    WaterItem,
)
from xietong.water.standard import method

IntLike = int | npt.ArrayLike


def period_mean(
    samples: pd.DataFrame,
    by: str | list[str] = "section",
    *,
    min_samples: int = 1,
) -> pd.DataFrame:
    """Mean of each item column per group (a section over a period).

    Parameters
    ----------
    samples:
        Wide frame of samples (item columns [item unit]) with the ``by`` column(s).
    by:
        Grouping column(s), e.g. ``"section"`` or ``["section", "month"]``.
    min_samples:
        Groups with fewer samples of an item get NaN for that item. The 2011 method asks for >= 2
        samples a quarter and >= 8 a year [R]; the default 1 accepts a single sample (week, ten days,
        month).

    Returns
    -------
    One row per group: the ``by`` columns, the item means and ``n_samples`` (rows in the group).
    A ``waterbody`` column, when present and constant within each group, is carried along.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in samples.columns]
    if missing:
        raise InputError(
            "samples lack the grouping column(s)",
            expected=", ".join(keys),
            given=", ".join(map(str, samples.columns[:20])),
        )
    cols = [i.value for i in item_columns(samples)]
    grouped = samples.groupby(keys, sort=True, dropna=False)
    means = grouped[cols].mean()
    if min_samples > 1:
        counts = grouped[cols].count()
        means = means.mask(counts < min_samples)
    means["n_samples"] = grouped.size()
    if "waterbody" in samples.columns:
        kinds = grouped["waterbody"].nunique(dropna=False)
        if (kinds > 1).any():
            raise InputError(
                "a group mixes water body types",
                expected="one waterbody per section",
                given=", ".join(map(str, kinds[kinds > 1].index[:5])),
            )
        means["waterbody"] = grouped["waterbody"].first()
    return means.reset_index()


def proportion_grade(
    n_i_iii: IntLike,
    n_worse_v: IntLike,
    n_sections: IntLike,
    *,
    heavy_rule: HeavyRule | str = HeavyRule.WORSE_V_ONLY,
) -> npt.NDArray[Any]:
    """Grade of rivers/basins by the section-class proportion method (2011 method §6.3) [C:S11].

    ``Ⅰ–Ⅲ >= 90 %`` 优; ``75 % <= Ⅰ–Ⅲ < 90 %`` 良好; ``Ⅰ–Ⅲ < 75 %`` and ``劣Ⅴ < 20 %`` 轻度污染;
    ``Ⅰ–Ⅲ < 75 %`` and ``20 % <= 劣Ⅴ < 40 %`` 中度污染; ``劣Ⅴ >= 40 %`` (and ``Ⅰ–Ⅲ < 75 %``, or
    ``< 60 %`` under ``heavy_rule="i_iii_below_60"`` [R]) 重度污染. With the [R] variant, exactly 60 %
    Ⅰ–Ⅲ and 40 % 劣Ⅴ matches no row of the table and is graded 中度污染.

    Parameters
    ----------
    n_i_iii, n_worse_v, n_sections:
        Counts of sections of class Ⅰ–Ⅲ, of class 劣Ⅴ, and of all evaluated sections (arrays or ints).

    Returns
    -------
    Object array of :class:`QualityGrade` (``None`` where ``n_sections`` is 0).
    """
    m = method()
    rule = HeavyRule(heavy_rule)
    a = np.atleast_1d(np.asarray(n_i_iii, dtype=np.int64))
    d = np.atleast_1d(np.asarray(n_worse_v, dtype=np.int64))
    n = np.atleast_1d(np.asarray(n_sections, dtype=np.int64))
    if np.any((a < 0) | (d < 0) | (a + d > n)):
        raise InputError(
            "inconsistent section counts",
            expected="0 <= n_i_iii, 0 <= n_worse_v, n_i_iii + n_worse_v <= n_sections",
            given=f"n_i_iii={a.tolist()[:5]}, n_worse_v={d.tolist()[:5]}, n_sections={n.tolist()[:5]}",
        )
    pa, pd_ = 100 * a, 100 * d
    excellent = pa >= m.excellent_min_i_iii * n
    good = ~excellent & (pa >= m.good_min_i_iii * n)
    below = pa < m.good_min_i_iii * n
    heavy = below & (pd_ >= m.heavy_min_worse_v * n) & (pa < m.heavy_max_i_iii(rule) * n)
    moderate = below & ~heavy & (pd_ >= m.moderate_min_worse_v * n)
    light = below & (pd_ < m.moderate_min_worse_v * n)
    out = _filled(a.shape, None)
    for mask, grade in (
        (excellent, QualityGrade.EXCELLENT),
        (good, QualityGrade.GOOD),
        (light, QualityGrade.LIGHT),
        (moderate, QualityGrade.MODERATE),
        (heavy, QualityGrade.HEAVY),
    ):
        out[mask & (n > 0)] = grade
    return out


@dataclass(frozen=True, slots=True)
class RiverEvaluation:
    """Evaluation of a river, basin or water system (2011 method §6.3).

    ``water_class``: the class of the averaged sample (``mean`` method only, else ``None``).
    ``share_i_iii_pct``, ``share_worse_v_pct``: shares of the evaluated sections [%] (for display; the
    grade is computed from the integer counts). ``main_pollutants``: ``mean`` method, the averaged
    sample's main pollutants (``main_pollutant_values`` = their multiples over class Ⅲ); ``proportion``
    method, the items exceeding class Ⅲ ranked by section exceedance rate [R]
    (``main_pollutant_values`` = the rates [%]). ``sections``: per-section ``water_class``, ``grade``,
    ``deciding_items``. ``classification``: the full result for the sections.
    """

    method: EvaluationMethod
    n_sections: int
    grade: QualityGrade | None
    water_class: WaterClass | None
    n_i_iii: int
    n_worse_v: int
    class_counts: Mapping[WaterClass, int]
    share_i_iii_pct: float
    share_worse_v_pct: float
    main_pollutants: tuple[WaterItem, ...]
    main_pollutant_values: tuple[float, ...]
    sections: pd.DataFrame = field(repr=False)
    classification: Classification = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no frames)."""
        return {
            "method": self.method.value,
            "n_sections": self.n_sections,
            "grade": None if self.grade is None else self.grade.value,
            "water_class": None if self.water_class is None else self.water_class.value,
            "n_i_iii": self.n_i_iii,
            "n_worse_v": self.n_worse_v,
            "class_counts": {c.value: n for c, n in self.class_counts.items()},
            "share_i_iii_pct": self.share_i_iii_pct,
            "share_worse_v_pct": self.share_worse_v_pct,
            "main_pollutants": [i.value for i in self.main_pollutants],
            "main_pollutant_values": list(self.main_pollutant_values),
        }


def evaluate_river(
    sections: pd.DataFrame,
    *,
    waterbody: WaterbodyLike | None = None,
    min_sections: int | None = None,
    heavy_rule: HeavyRule | str = HeavyRule.WORSE_V_ONLY,
    comparison: Comparison | str = Comparison.FULL,
    decimals: Mapping[WaterItem, int] | None = None,
    items: Iterable[WaterItem | str] | None = None,
) -> RiverEvaluation:
    """Evaluate one river, basin or water system from one row per section (period means).

    Parameters
    ----------
    sections:
        Wide frame, one row per section, item columns [item unit] (e.g. from :func:`period_mean`).
    waterbody:
        ``"river"``/``"lake"`` or one per section; default: the ``waterbody`` column if present, else
        ``"river"``. The mean method needs one type for all sections.
    min_sections:
        Sections needed for the proportion method (default 5, "5 个（含 5 个）以上" [R]; pass 6 for
        the "大于5" reading).
    heavy_rule, comparison, decimals, items:
        As in :func:`proportion_grade` and :func:`~xietong.water.classify.classify`.

    Sections without any evaluated value are left out of the counts.
    """
    m = method()
    threshold = m.min_sections if min_sections is None else int(min_sections)
    if waterbody is None:
        waterbody = sections["waterbody"] if "waterbody" in sections.columns else Waterbody.RIVER.value
    kwargs: dict[str, Any] = {"comparison": comparison, "decimals": decimals, "items": items}
    counts = _SectionCounts.of(classify(sections, waterbody, **kwargs))
    if counts.n >= threshold:
        return _by_proportion(counts, heavy_rule)
    return _by_mean(sections, waterbody, counts, kwargs)


@dataclass(frozen=True, slots=True)
class _SectionCounts:
    """The sections' classes and the counts both methods report (sections with a class only)."""

    classification: Classification
    valid: npt.NDArray[np.bool_]
    n: int
    counts: dict[WaterClass, int]
    n_i_iii: int
    n_worse_v: int

    @classmethod
    def of(cls, per_section: Classification) -> _SectionCounts:
        ranks = per_section.samples["class_rank"]
        valid = ranks.notna().to_numpy()
        rank_values = ranks[valid].astype("int64").to_numpy()
        counts = {c: int((rank_values == c.rank).sum()) for c in WATER_CLASSES}
        return cls(
            classification=per_section,
            valid=valid,
            n=int(valid.sum()),
            counts=counts,
            n_i_iii=int((rank_values <= WaterClass.III.rank).sum()),
            n_worse_v=counts[WaterClass.WORSE_THAN_V],
        )

    def evaluation(
        self,
        method_used: EvaluationMethod,
        grade: QualityGrade | None,
        water_class: WaterClass | None,
        main: tuple[tuple[WaterItem, ...], tuple[float, ...]],
    ) -> RiverEvaluation:
        n = self.n
        return RiverEvaluation(
            method=method_used,
            n_sections=n,
            grade=grade,
            water_class=water_class,
            n_i_iii=self.n_i_iii,
            n_worse_v=self.n_worse_v,
            class_counts=self.counts,
            share_i_iii_pct=100.0 * self.n_i_iii / n if n else float("nan"),
            share_worse_v_pct=100.0 * self.n_worse_v / n if n else float("nan"),
            main_pollutants=main[0],
            main_pollutant_values=main[1],
            sections=self.classification.samples[["water_class", "grade", "deciding_items"]],
            classification=self.classification,
        )


def _by_proportion(counts: _SectionCounts, heavy_rule: HeavyRule | str) -> RiverEvaluation:
    """The section-class proportion method (2011 method §6.3 [C:S11]); main pollutants: the items
    exceeding class Ⅲ ranked by section exceedance rate [%], top 3 [R]."""
    m = method()
    n, per_section = counts.n, counts.classification
    grade = proportion_grade(counts.n_i_iii, counts.n_worse_v, n, heavy_rule=heavy_rule)[0]
    exceed = per_section.item_classes[counts.valid] > m.reference_class.rank
    evaluated_cols = [i.value for i in per_section.evaluated]
    rates = exceed[evaluated_cols].fillna(False).astype(bool).sum(axis=0) * 100.0 / n
    order = sorted(
        (c for c in evaluated_cols if rates[c] > 0),
        key=lambda c: (-rates[c], evaluated_cols.index(c)),
    )[: m.river_main_count]
    main = (tuple(WaterItem(c) for c in order), tuple(float(rates[c]) for c in order))
    return counts.evaluation(EvaluationMethod.PROPORTION, grade, None, main)


def _by_mean(
    sections: pd.DataFrame, waterbody: WaterbodyLike, counts: _SectionCounts, kwargs: dict[str, Any]
) -> RiverEvaluation:
    """Fewer sections than the threshold: average each item over the sections, then the single-factor
    method (2011 method §6.3 [C:S11]); one water body type for all sections."""
    is_lake = waterbody_mask(waterbody, len(sections))[counts.valid]
    if is_lake.any() and not is_lake.all():
        raise InputError(
            "the mean method needs one water body type for all sections",
            expected="only rivers or only lakes/reservoirs",
            given=f"{int(is_lake.sum())} lake and {int((~is_lake).sum())} river sections",
            hint="evaluate rivers and lakes separately",
        )
    cols = [i.value for i in item_columns(sections)]
    mean = sections.loc[counts.valid, cols].astype("float64").mean(axis=0).to_frame().T
    averaged = classify(mean, "lake" if counts.n and is_lake.all() else "river", **kwargs).samples.iloc[0]
    main = (tuple(averaged["main_pollutants"]), tuple(averaged["main_pollutant_multiples"]))
    return counts.evaluation(EvaluationMethod.MEAN, averaged["grade"], averaged["water_class"], main)


def evaluate_rivers(sections: pd.DataFrame, by: str = "river", **kwargs: Any) -> pd.DataFrame:
    """:func:`evaluate_river` for every group of ``by`` (river, basin …); one row per group with the
    columns of :meth:`RiverEvaluation.as_dict` (``grade`` and ``water_class`` as enum members)."""
    if by not in sections.columns:
        raise InputError("sections lack the grouping column", expected=by, given=", ".join(map(str, sections.columns)))
    rows = []
    for key, group in sections.groupby(by, sort=True):
        ev = evaluate_river(group, **kwargs)
        row = ev.as_dict()
        row.update({by: key, "grade": ev.grade, "water_class": ev.water_class, "method": ev.method})
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("grade", "water_class", "method", by):  # keep enum members (pandas would make them text)
        out[col] = pd.Series([r[col] for r in rows], dtype=object)
    return out.set_index(by)


# -- change between periods ------------------------------------------------------------------------


def _filled(shape: tuple[int, ...], value: object) -> npt.NDArray[Any]:
    """An object array holding ``value`` itself (``np.full`` would turn a str enum into plain text)."""
    out = np.empty(shape, dtype=object)
    out.fill(value)
    return out


def change_by_proportion(
    before_i_iii: IntLike,
    before_worse_v: IntLike,
    before_n: IntLike,
    after_i_iii: IntLike,
    after_worse_v: IntLike,
    after_n: IntLike,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    """Change judged from S = ΔG − ΔD [percentage points] [R].

    G = Ⅰ–Ⅲ share, D = 劣Ⅴ share; ``|S| <= 10`` no obvious change, ``10 < |S| <= 20`` some change,
    ``|S| > 20`` marked change; S > 0 better. Judged on integer counts (exact at 10 and 20).

    Returns
    -------
    (object array of :class:`Change`, S as float64 for display)
    """
    m = method()
    a0, d0, n0, a1, d1, n1 = (
        np.atleast_1d(np.asarray(x, dtype=np.int64))
        for x in (before_i_iii, before_worse_v, before_n, after_i_iii, after_worse_v, after_n)
    )
    if np.any((n0 <= 0) | (n1 <= 0)):
        raise InputError(
            "both periods need at least one evaluated section", given=f"n={n0.tolist()[:5]}, {n1.tolist()[:5]}"
        )
    num = 100 * ((a1 - d1) * n0 - (a0 - d0) * n1)
    den = n0 * n1
    mag = np.abs(num)
    some = mag > m.some_change_pct * den
    marked = mag > m.marked_change_pct * den
    out = _filled(num.shape, Change.NO_OBVIOUS_CHANGE)
    out[some & (num > 0)] = Change.BETTER
    out[some & (num < 0)] = Change.WORSE
    out[marked & (num > 0)] = Change.MARKEDLY_BETTER
    out[marked & (num < 0)] = Change.MARKEDLY_WORSE
    return out, num / den


def change_by_grade(before: Iterable[QualityGrade | str], after: Iterable[QualityGrade | str]) -> npt.NDArray[Any]:
    """Change judged from the grades [R]: same grade no obvious change; one grade some change; two or
    more marked change (优 < 良好 < 轻度 < 中度 < 重度污染)."""
    m = method()
    b = np.array([QualityGrade(g).rank for g in before], dtype=np.int64)
    a = np.array([QualityGrade(g).rank for g in after], dtype=np.int64)
    if a.shape != b.shape:
        raise InputError("before and after differ in length", given=f"{b.shape[0]} and {a.shape[0]}")
    steps = a - b  # positive = worse
    out = _filled(steps.shape, Change.NO_OBVIOUS_CHANGE)
    some = np.abs(steps) >= m.some_change_grades
    marked = np.abs(steps) >= m.marked_change_grades
    out[some & (steps < 0)] = Change.BETTER
    out[some & (steps > 0)] = Change.WORSE
    out[marked & (steps < 0)] = Change.MARKEDLY_BETTER
    out[marked & (steps > 0)] = Change.MARKEDLY_WORSE
    return out


@dataclass(frozen=True, slots=True)
class PeriodChange:
    """Result of :func:`compare_periods`: the change, the rule applied and its measure
    (``score_pct`` = ΔG − ΔD [percentage points] for the proportion rule, ``grade_steps`` = grades
    moved, positive = worse, for the grade rule)."""

    change: Change
    rule: TrendRule
    score_pct: float | None
    grade_steps: int | None


def compare_periods(
    before: RiverEvaluation, after: RiverEvaluation, *, rule: TrendRule | str = TrendRule.AUTO
) -> PeriodChange:
    """Change of a river/basin between two periods [R].

    ``rule="auto"`` uses the proportion rule when both periods were evaluated with the class-proportion
    method, the grade rule otherwise.
    """
    chosen = TrendRule(rule)
    if chosen is TrendRule.AUTO:
        both = before.method is EvaluationMethod.PROPORTION and after.method is EvaluationMethod.PROPORTION
        chosen = TrendRule.PROPORTION if both else TrendRule.GRADE
    if chosen is TrendRule.PROPORTION:
        change, score = change_by_proportion(
            before.n_i_iii, before.n_worse_v, before.n_sections, after.n_i_iii, after.n_worse_v, after.n_sections
        )
        return PeriodChange(change[0], chosen, float(score[0]), None)
    if before.grade is None or after.grade is None:
        raise InputError("a period without a grade cannot be compared", hint="check that both periods have values")
    steps = after.grade.rank - before.grade.rank
    return PeriodChange(change_by_grade([before.grade], [after.grade])[0], chosen, None, steps)


__all__ = [
    "PeriodChange",
    "RiverEvaluation",
    "change_by_grade",
    "change_by_proportion",
    "compare_periods",
    "evaluate_river",
    "evaluate_rivers",
    "period_mean",
    "proportion_grade",
]
