"""River, basin and system evaluation and the change between periods (2011 method §6.3).

The proportion-method table as the method states it [C:S11]:

    Ⅰ–Ⅲ >= 90 %                                  优
    75 % <= Ⅰ–Ⅲ < 90 %                           良好
    Ⅰ–Ⅲ < 75 %,       劣Ⅴ < 20 %                  轻度污染
    Ⅰ–Ⅲ < 75 %, 20 % <= 劣Ⅴ < 40 %               中度污染
    Ⅰ–Ⅲ < 75 %,       劣Ⅴ >= 40 %                 重度污染   ([R] variant: Ⅰ–Ⅲ < 60 %)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.water.enums import Change, EvaluationMethod, QualityGrade, TrendRule, WaterClass, WaterItem
from xietong.water.evaluate import (
    change_by_grade,
    change_by_proportion,
    compare_periods,
    evaluate_river,
    evaluate_rivers,
    period_mean,
    proportion_grade,
)

E, G, L, M, H = (
    QualityGrade.EXCELLENT,
    QualityGrade.GOOD,
    QualityGrade.LIGHT,
    QualityGrade.MODERATE,
    QualityGrade.HEAVY,
)


@pytest.mark.parametrize(
    ("n_i_iii", "n_worse_v", "n", "grade"),
    [
        (9, 0, 10, E),  # exactly 90 %
        (18, 0, 20, E),
        (179, 0, 200, G),  # 89.5 %
        (17, 0, 20, G),  # 85 %
        (15, 0, 20, G),  # exactly 75 %
        (3, 0, 4, G),  # exactly 75 % of 4
        (149, 0, 200, L),  # 74.5 %
        (14, 3, 20, L),  # 劣Ⅴ 15 %
        (14, 0, 20, L),
        (199, 39, 400, L),  # 劣Ⅴ 9.75 %
        (10, 3, 20, L),  # 劣Ⅴ 15 %
        (10, 4, 20, M),  # 劣Ⅴ exactly 20 %
        (10, 7, 20, M),  # 劣Ⅴ 35 %
        (0, 79, 200, M),  # 劣Ⅴ 39.5 %
        (0, 8, 20, H),  # 劣Ⅴ exactly 40 %
        (12, 8, 20, H),  # 60 % Ⅰ–Ⅲ and 40 % 劣Ⅴ: heavy under the confirmed reading
        (11, 8, 20, H),
        (0, 20, 20, H),
    ],
)
def test_proportion_method_boundaries(n_i_iii: int, n_worse_v: int, n: int, grade: QualityGrade) -> None:
    assert proportion_grade(n_i_iii, n_worse_v, n)[0] is grade


@pytest.mark.parametrize(
    ("n_i_iii", "n_worse_v", "n", "grade"),
    [
        (12, 8, 20, M),  # exactly 60 % / 40 %: no row matches, graded 中度污染
        (11, 8, 20, H),  # 55 % Ⅰ–Ⅲ
        (0, 8, 20, H),
        (10, 7, 20, M),
    ],
)
def test_heavy_row_variant_i_iii_below_60(n_i_iii: int, n_worse_v: int, n: int, grade: QualityGrade) -> None:
    assert proportion_grade(n_i_iii, n_worse_v, n, heavy_rule="i_iii_below_60")[0] is grade


def test_proportion_grade_is_vectorised() -> None:
    grades = proportion_grade([9, 8, 7, 3, 2, 0], [0, 0, 1, 2, 4, 0], [10, 10, 10, 10, 10, 0])
    assert grades.tolist() == [E, G, L, M, H, None]


def test_inconsistent_counts() -> None:
    with pytest.raises(InputError, match="inconsistent section counts"):
        proportion_grade(8, 3, 10)


def sections(classes: list[str]) -> pd.DataFrame:
    """One section per class, made of NH3-N values inside that class (river limits)."""
    nh3n = {"I": 0.1, "II": 0.4, "III": 0.9, "IV": 1.4, "V": 1.9, "劣V": 3.0}
    return pd.DataFrame({"section": [f"S{i}" for i in range(len(classes))], "nh3n": [nh3n[c] for c in classes]})


def test_five_sections_use_the_proportion_method() -> None:
    ev = evaluate_river(sections(["I", "II", "III", "IV", "劣V"]))
    assert ev.method is EvaluationMethod.PROPORTION
    assert ev.n_sections == 5
    assert (ev.n_i_iii, ev.n_worse_v) == (3, 1)
    assert ev.share_i_iii_pct == 60.0
    assert ev.grade is M  # Ⅰ–Ⅲ 60 % < 75 % and 劣Ⅴ exactly 20 %
    assert ev.water_class is None


def test_fewer_than_five_sections_average_then_classify() -> None:
    frame = pd.DataFrame({"nh3n": [0.4, 0.9, 1.4, 3.0], "do": [8.0, 8.0, 8.0, 8.0]})
    ev = evaluate_river(frame)
    assert ev.method is EvaluationMethod.MEAN
    assert ev.water_class is WaterClass.IV  # mean NH3-N 1.425 mg/L
    assert ev.grade is L
    assert ev.main_pollutants == (WaterItem.NH3N,)
    assert ev.main_pollutant_values == pytest.approx((0.425,))
    assert ev.class_counts[WaterClass.WORSE_THAN_V] == 1


def test_min_sections_is_a_switch() -> None:
    five = sections(["I", "II", "III", "IV", "劣V"])
    assert evaluate_river(five, min_sections=6).method is EvaluationMethod.MEAN


def test_river_main_pollutants_by_section_exceedance_rate() -> None:
    frame = pd.DataFrame(
        {
            "nh3n": [1.2, 1.2, 1.2, 0.5, 0.5, 0.5],  # 3 of 6 exceed class Ⅲ
            "tp": [0.25, 0.1, 0.1, 0.1, 0.1, 0.1],  # 1 of 6
            "codmn": [7.0, 7.0, 3.0, 3.0, 3.0, 3.0],  # 2 of 6
            "do": [8.0] * 6,
        }
    )
    ev = evaluate_river(frame)
    assert ev.main_pollutants == (WaterItem.NH3N, WaterItem.CODMN, WaterItem.TP)
    assert ev.main_pollutant_values == pytest.approx((50.0, 100 / 3, 100 / 6))


def test_sections_without_values_are_not_counted() -> None:
    frame = sections(["I", "II", "III", "IV", "V"])
    frame.loc[len(frame)] = ["S9", np.nan]
    ev = evaluate_river(frame)
    assert ev.n_sections == 5


def test_lakes_use_lake_limits_in_the_mean() -> None:
    frame = pd.DataFrame({"tp": [0.04, 0.06], "waterbody": ["lake", "lake"]})
    assert evaluate_river(frame).water_class is WaterClass.III  # mean 0.05 = lake class Ⅲ limit


def test_mean_method_refuses_mixed_water_bodies() -> None:
    frame = pd.DataFrame({"tp": [0.04, 0.06], "waterbody": ["lake", "river"]})
    with pytest.raises(InputError, match="one water body type"):
        evaluate_river(frame)


def test_evaluate_rivers_groups() -> None:
    frame = pd.concat(
        [sections(["I", "I", "I", "I", "I"]).assign(river="a"), sections(["IV", "劣V"]).assign(river="b")]
    )
    out = evaluate_rivers(frame, by="river")
    assert out.loc["a", "grade"] is E
    assert out.loc["a", "method"] is EvaluationMethod.PROPORTION
    assert out.loc["b", "method"] is EvaluationMethod.MEAN
    assert out.loc["b", "water_class"] is WaterClass.WORSE_THAN_V  # mean NH3-N (1.4 + 3.0) / 2 = 2.2 > 2.0


def test_period_mean() -> None:
    samples = pd.DataFrame(
        {
            "section": ["A", "A", "A", "B"],
            "nh3n": [0.5, 1.0, 1.5, 0.2],
            "tp": [0.1, np.nan, 0.3, 0.1],
            "waterbody": ["river"] * 4,
        }
    )
    out = period_mean(samples).set_index("section")
    assert out.loc["A", "nh3n"] == 1.0
    assert out.loc["A", "tp"] == pytest.approx(0.2)
    assert out.loc["A", "n_samples"] == 3
    assert out.loc["A", "waterbody"] == "river"
    strict = period_mean(samples, min_samples=2).set_index("section")
    assert np.isnan(strict.loc["B", "nh3n"])
    assert strict.loc["A", "nh3n"] == 1.0


# -- change between periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "change", "score"),
    [
        ((5, 0, 10), (5, 0, 10), Change.NO_OBVIOUS_CHANGE, 0.0),
        ((5, 0, 10), (6, 0, 10), Change.NO_OBVIOUS_CHANGE, 10.0),  # exactly 10: no obvious change
        ((5, 0, 10), (5, 1, 10), Change.NO_OBVIOUS_CHANGE, -10.0),
        ((50, 0, 100), (61, 0, 100), Change.BETTER, 11.0),
        ((5, 1, 10), (6, 0, 10), Change.BETTER, 20.0),  # exactly 20: still "some" change
        ((50, 0, 100), (71, 0, 100), Change.MARKEDLY_BETTER, 21.0),
        ((6, 0, 10), (5, 1, 10), Change.WORSE, -20.0),
        ((7, 0, 10), (5, 1, 10), Change.MARKEDLY_WORSE, -30.0),
        ((6, 1, 20), (4, 1, 10), Change.NO_OBVIOUS_CHANGE, 5.0),  # different section counts
    ],
)
def test_change_by_proportion(
    before: tuple[int, int, int], after: tuple[int, int, int], change: Change, score: float
) -> None:
    got, s = change_by_proportion(*before, *after)
    assert got[0] is change
    assert s[0] == pytest.approx(score)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (E, E, Change.NO_OBVIOUS_CHANGE),
        (G, E, Change.BETTER),
        (L, E, Change.MARKEDLY_BETTER),
        (E, G, Change.WORSE),
        (G, H, Change.MARKEDLY_WORSE),
    ],
)
def test_change_by_grade(before: QualityGrade, after: QualityGrade, change: Change) -> None:
    assert change_by_grade([before], [after])[0] is change


def test_compare_periods_auto_rule() -> None:
    before = evaluate_river(sections(["I", "II", "III", "IV", "劣V"]))  # 60 % / 20 %
    after = evaluate_river(sections(["I", "II", "III", "III", "IV"]))  # 80 % / 0 %
    change = compare_periods(before, after)
    assert change.rule is TrendRule.PROPORTION
    assert change.change is Change.MARKEDLY_BETTER  # ΔG − ΔD = 20 − (−20) = 40
    assert change.score_pct == pytest.approx(40.0)
    small_before = evaluate_river(sections(["IV", "IV"]))
    small_after = evaluate_river(sections(["II", "II"]))
    by_grade = compare_periods(small_before, small_after)
    assert by_grade.rule is TrendRule.GRADE
    assert by_grade.grade_steps == -2
    assert by_grade.change is Change.MARKEDLY_BETTER
    # the same periods by grade: 中度污染 → 良好 is two grades
    assert compare_periods(before, after, rule="grade").change is Change.MARKEDLY_BETTER


def test_change_labels() -> None:
    assert [c.label_zh for c in Change] == ["明显好转", "有所好转", "无明显变化", "有所变差", "明显变差"]
