"""GB 3838-2002 classes per item and per sample, read like the standard.

Expected classes are derived here, with decimal arithmetic, from Table 1 as printed
(``TABLE_1`` below, a copy of STANDARDS.md §5): "the best class whose limit is met",
"≤ limit" for every item but DO ("≥ limit") and pH (6–9).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.water.classify import classify, format_main_pollutants, grade_of, item_class
from xietong.water.enums import QualityGrade, Waterbody, WaterClass, WaterItem
from xietong.water.standard import table

# GB 3838-2002 Table 1, classes I..V, copied from STANDARDS.md §5 [C:S10] (mg/L unless noted)
TABLE_1: dict[str, tuple[str, ...]] = {
    "do": ("7.5", "6", "5", "3", "2"),  # >=
    "codmn": ("2", "4", "6", "10", "15"),
    "cod": ("15", "15", "20", "30", "40"),
    "bod5": ("3", "3", "4", "6", "10"),
    "nh3n": ("0.15", "0.5", "1.0", "1.5", "2.0"),
    "tp": ("0.02", "0.1", "0.2", "0.3", "0.4"),
    "tn": ("0.2", "0.5", "1.0", "1.5", "2.0"),  # lakes and reservoirs only
    "cu": ("0.01", "1.0", "1.0", "1.0", "1.0"),
    "zn": ("0.05", "1.0", "1.0", "2.0", "2.0"),
    "fluoride": ("1.0", "1.0", "1.0", "1.5", "1.5"),
    "se": ("0.01", "0.01", "0.01", "0.02", "0.02"),
    "as": ("0.05", "0.05", "0.05", "0.1", "0.1"),
    "hg": ("0.00005", "0.00005", "0.0001", "0.001", "0.001"),
    "cd": ("0.001", "0.005", "0.005", "0.005", "0.01"),
    "cr6": ("0.01", "0.05", "0.05", "0.05", "0.1"),
    "pb": ("0.01", "0.01", "0.05", "0.05", "0.1"),
    "cyanide": ("0.005", "0.05", "0.2", "0.2", "0.2"),
    "phenol": ("0.002", "0.002", "0.005", "0.01", "0.1"),
    "petroleum": ("0.05", "0.05", "0.05", "0.5", "1.0"),
    "las": ("0.2", "0.2", "0.2", "0.3", "0.3"),
    "sulfide": ("0.05", "0.1", "0.2", "0.5", "1.0"),
    "fecal_coliform": ("200", "2000", "10000", "20000", "40000"),  # 个/L
}
TP_LAKE = ("0.01", "0.025", "0.05", "0.1", "0.2")


@pytest.mark.parametrize("item", list(TABLE_1))
def test_limits_match_table_1(item: str) -> None:
    lim = table()[WaterItem(item)]
    assert lim.limits_text == TABLE_1[item]
    for cls, text in zip(list(WaterClass)[:5], TABLE_1[item], strict=True):
        expected = None if item == "tn" else float(text)
        assert lim.limit(cls, Waterbody.RIVER) == expected
    assert lim.limit(WaterClass.WORSE_THAN_V) is None


def test_special_rows() -> None:
    limits = table()
    assert limits[WaterItem.DO].kind == "min"
    assert limits[WaterItem.PH].kind == "range"
    assert limits[WaterItem.PH].limits_text == ("6", "9")
    assert limits[WaterItem.WATER_TEMP].kind == "narrative"
    assert limits[WaterItem.TP].limits_lake_text == TP_LAKE
    assert [limits[WaterItem.TP].limit(c, Waterbody.LAKE) for c in list(WaterClass)[:5]] == [float(t) for t in TP_LAKE]
    assert limits[WaterItem.TN].river is None
    assert limits[WaterItem.TN].limit(WaterClass.III, Waterbody.LAKE) == 1.0
    assert {i for i, lim in limits.items() if lim.heavy_metal} == {
        WaterItem.CU, WaterItem.ZN, WaterItem.SE, WaterItem.AS, WaterItem.HG, WaterItem.CD, WaterItem.CR6, WaterItem.PB
    }  # fmt: skip


MAX_ITEMS = [i for i in TABLE_1 if i not in {"do", "tn"}]


def best_class_max(value: Decimal, limits: tuple[str, ...]) -> int:
    """Rank of the best class whose "≤" limit the value meets; 6 (劣Ⅴ) when none."""
    return next((k for k, lim in enumerate(limits, start=1) if value <= Decimal(lim)), 6)


def best_class_min(value: Decimal, limits: tuple[str, ...]) -> int:
    """Rank of the best class whose "≥" limit (DO) the value meets; 6 (劣Ⅴ) when none."""
    return next((k for k, lim in enumerate(limits, start=1) if value >= Decimal(lim)), 6)


def step(limit: str) -> Decimal:
    """A reportable step beyond a limit: two more decimals than the limit is printed with."""
    exponent = Decimal(limit).as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(exponent - 2)


def boundary_cases(kind: str) -> list[tuple[str, str, str, int]]:
    """(item, waterbody, value, expected rank) at and just past every limit of every item."""
    cases = []
    tables = [(i, "river", TABLE_1[i]) for i in MAX_ITEMS]
    tables += [(i, "lake", TABLE_1[i]) for i in MAX_ITEMS if i != "tp"]
    tables += [("tp", "lake", TP_LAKE), ("tn", "lake", TABLE_1["tn"])]
    if kind == "min":
        tables = [("do", "river", TABLE_1["do"]), ("do", "lake", TABLE_1["do"])]
    for item, waterbody, limits in tables:
        for text in dict.fromkeys(limits):  # each distinct limit once
            at = Decimal(text)
            past = at - step(text) if kind == "min" else at + step(text)
            rank = best_class_min if kind == "min" else best_class_max
            cases.append((item, waterbody, str(at), rank(at, limits)))
            cases.append((item, waterbody, str(past), rank(past, limits)))
    return cases


@pytest.mark.parametrize(("item", "waterbody", "value", "expected"), boundary_cases("max"))
def test_every_limit_of_every_item(item: str, waterbody: str, value: str, expected: int) -> None:
    assert item_class([float(value)], item, waterbody)[0] == expected


@pytest.mark.parametrize(("item", "waterbody", "value", "expected"), boundary_cases("min"))
def test_dissolved_oxygen_is_at_least(item: str, waterbody: str, value: str, expected: int) -> None:
    assert item_class([float(value)], item, waterbody)[0] == expected


def test_dissolved_oxygen_examples() -> None:
    # 7.5 -> I; 7.49 -> II; 6 -> II; 5 -> III; 3 -> IV; 2 -> V; 1.99 -> 劣V; 0 -> 劣V
    ranks = item_class([7.5, 7.49, 6.0, 5.0, 3.0, 2.0, 1.99, 0.0, 15.0], "do")
    assert ranks.tolist() == [1, 2, 2, 3, 4, 5, 6, 6, 1]


def test_ph_is_six_to_nine_in_every_class() -> None:
    ranks = item_class([6.0, 9.0, 7.3, 5.99, 9.01, 0.0, 14.0], "ph")
    assert ranks.tolist() == [1, 1, 1, 6, 6, 6, 6]
    assert item_class([5.999999], "ph", "lake")[0] == 6


def test_value_exactly_on_a_limit_after_averaging() -> None:
    mean = float(np.mean([0.1, 0.2, 0.3]))  # 0.20000000000000004 in binary
    assert item_class([mean], "tp")[0] == 3  # TP class III limit 0.2 is met
    assert item_class([float(np.mean([1.4, 1.5, 1.6]))], "nh3n")[0] == 4  # NH3-N 1.5 -> IV
    assert item_class([float(np.mean([0.04, 0.05, 0.06]))], "tp", "lake")[0] == 3


def test_total_nitrogen_has_no_river_class() -> None:
    assert item_class([0.1, 5.0], "tn", "river").tolist() == [0, 0]
    assert item_class([0.1, 5.0], "tn", "lake").tolist() == [1, 6]


def test_missing_values_have_no_class() -> None:
    assert item_class([np.nan], "codmn")[0] == 0


def test_rounded_comparison_rounds_half_even_first() -> None:
    # CODMn to 1 decimal: 6.04 -> 6.0 (III), 6.05 -> 6.0 (III, tie to even), 6.15 -> 6.2 (IV), 6.051 -> 6.1 (IV)
    values = [6.04, 6.05, 6.15, 6.051]
    assert item_class(values, "codmn", comparison="rounded").tolist() == [3, 3, 4, 4]
    assert item_class(values, "codmn", comparison="full").tolist() == [4, 4, 4, 4]
    # pH to an integer (CNEMC Nov 2025): 9.4 -> 9 and 5.5 -> 6 (ties to even) are in range; 9.5 -> 10 and
    # 5.49 -> 5 are not
    assert item_class([9.4, 9.5, 5.5, 5.49], "ph", comparison="rounded").tolist() == [1, 6, 1, 6]
    # an item without reporting decimals is compared as given
    assert item_class([0.0501], "pb", comparison="rounded")[0] == 5  # Pb IV limit 0.05, V 0.1


# -- per sample ------------------------------------------------------------------------------------


def samples(**columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_single_factor_worst_evaluated_item_decides() -> None:
    r = classify(samples(ph=[7.5], do=[8.0], codmn=[5.0], nh3n=[1.2], tp=[0.1]))
    row = r.samples.iloc[0]
    assert row["water_class"] is WaterClass.IV
    assert row["class_rank"] == 4
    assert row["deciding_items"] == (WaterItem.NH3N,)
    assert row["grade"] is QualityGrade.LIGHT
    assert row["n_items"] == 5
    assert r.item_classes.iloc[0].tolist() == [1, 1, 3, 4, 2]


def test_all_items_at_the_sample_class_decide() -> None:
    r = classify(samples(do=[5.5], codmn=[5.0], nh3n=[0.9], tp=[0.05]))
    assert r.samples.iloc[0]["water_class"] is WaterClass.III
    assert r.samples.iloc[0]["deciding_items"] == (WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N)


def test_reference_items_are_classified_but_never_decide() -> None:
    frame = samples(codmn=[3.0], tn=[5.0], fecal_coliform=[50000.0], water_temp=[12.0])
    river = classify(frame, "river")
    assert river.samples.iloc[0]["water_class"] is WaterClass.II
    assert river.reference == (WaterItem.TN, WaterItem.FECAL_COLIFORM)
    assert pd.isna(river.item_classes.iloc[0]["tn"])  # no TN limits for rivers
    assert river.item_classes.iloc[0]["fecal_coliform"] == 6
    assert "water_temp" not in river.item_classes.columns
    lake = classify(frame, "lake")
    assert lake.item_classes.iloc[0]["tn"] == 6
    assert lake.samples.iloc[0]["water_class"] is WaterClass.II


def test_evaluated_items_can_be_chosen() -> None:
    frame = samples(codmn=[3.0], tn=[0.4])
    assert classify(frame, "lake", items=["codmn", "tn"]).samples.iloc[0]["water_class"] is WaterClass.II
    assert classify(frame, "lake", items=["tn"]).samples.iloc[0]["deciding_items"] == (WaterItem.TN,)


def test_lake_and_river_per_sample() -> None:
    r = classify(samples(tp=[0.05, 0.05]), ["river", "lake"])
    assert [c.value for c in r.samples["water_class"]] == ["II", "III"]


def test_sample_without_evaluated_values_has_no_class() -> None:
    r = classify(samples(codmn=[np.nan, 3.0], tn=[1.0, 1.0]))
    first = r.samples.iloc[0]
    assert first["water_class"] is None
    assert pd.isna(first["class_rank"])
    assert first["grade"] is None
    assert first["n_items"] == 0
    assert first["deciding_items"] == ()


@pytest.mark.parametrize(
    ("water_class", "grade"),
    [
        ("I", QualityGrade.EXCELLENT),
        ("II", QualityGrade.EXCELLENT),
        ("III", QualityGrade.GOOD),
        ("IV", QualityGrade.LIGHT),
        ("V", QualityGrade.MODERATE),
        ("劣V", QualityGrade.HEAVY),
    ],
)
def test_qualitative_grade(water_class: str, grade: QualityGrade) -> None:
    assert grade_of(water_class) is grade


def test_grade_labels_and_colours() -> None:
    assert [g.label_zh for g in QualityGrade] == ["优", "良好", "轻度污染", "中度污染", "重度污染"]
    assert [g.colour for g in QualityGrade] == ["blue", "green", "yellow", "orange", "red"]


# -- exceedance multiples --------------------------------------------------------------------------


def test_exceedance_multiple_against_class_iii() -> None:
    r = classify(samples(codmn=[9.0], nh3n=[1.5], tp=[0.1], do=[1.0], ph=[10.0]))
    m = r.multiple_iii.iloc[0]
    assert m["codmn"] == 0.5  # (9 - 6) / 6
    assert m["nh3n"] == 0.5  # (1.5 - 1.0) / 1.0
    assert m["tp"] == -0.5  # below the limit: negative
    assert np.isnan(m["do"])
    assert np.isnan(m["ph"])


def test_exceedance_multiple_against_lake_limits() -> None:
    assert classify(samples(tp=[0.1]), "lake").multiple_iii.iloc[0]["tp"] == 1.0  # (0.1 - 0.05) / 0.05


def test_exceedance_against_target_class() -> None:
    frame = samples(codmn=[5.0, 5.0, 5.0], nh3n=[0.4, 0.6, 0.4], do=[8.0, 8.0, 4.0])
    r = classify(frame, target=["II", "III", "III"])
    assert r.multiple_target["codmn"].tolist() == [0.25, pytest.approx(-1 / 6), pytest.approx(-1 / 6)]
    assert r.samples["exceeds_target"].tolist() == [True, False, True]
    assert r.samples["target_exceeding_items"].tolist() == [(WaterItem.CODMN,), (), (WaterItem.DO,)]
    assert [c.value for c in r.samples["target_class"]] == ["II", "III", "III"]


def test_no_target_no_judgement() -> None:
    r = classify(samples(codmn=[5.0]))
    assert pd.isna(r.samples.iloc[0]["exceeds_target"])
    assert r.multiple_target.isna().all().all()


# -- main pollutants -------------------------------------------------------------------------------


def test_no_main_pollutants_at_class_iii_or_better() -> None:
    r = classify(samples(codmn=[6.0], nh3n=[1.0]))
    assert r.samples.iloc[0]["main_pollutants"] == ()


def test_main_pollutants_worst_class_first_then_multiple() -> None:
    # classes: CODMn IV (0.5), NH3-N 劣V (1.5), TP V (0.75), BOD5 IV (0.25), COD IV (0.4)
    r = classify(samples(codmn=[9.0], nh3n=[2.5], tp=[0.35], bod5=[5.0], cod=[28.0]))
    row = r.samples.iloc[0]
    assert row["main_pollutants"] == (WaterItem.NH3N, WaterItem.TP, WaterItem.CODMN)
    assert row["main_pollutant_multiples"] == pytest.approx((1.5, 0.75, 0.5))


def test_main_pollutants_ties_by_exceedance_multiple() -> None:
    # all class IV: multiples CODMn 0.5, COD 0.25, BOD5 0.4, NH3-N 0.3
    r = classify(samples(codmn=[9.0], cod=[25.0], bod5=[5.6], nh3n=[1.3]))
    assert r.samples.iloc[0]["main_pollutants"] == (WaterItem.CODMN, WaterItem.BOD5, WaterItem.NH3N)


def test_equal_multiples_keep_table_order() -> None:
    # CODMn 9 and COD 30 are both class IV with the multiple exactly 0.5
    r = classify(samples(cod=[30.0], codmn=[9.0]))
    assert r.samples.iloc[0]["main_pollutants"] == (WaterItem.CODMN, WaterItem.COD)


def test_cyanide_and_heavy_metals_come_first() -> None:
    # NH3-N 劣V (multiple 2.0) and CODMn 劣V; lead only class V, cyanide above class III: both lead
    frame = samples(nh3n=[3.0], codmn=[16.0], pb=[0.06], cyanide=[0.25])
    r = classify(frame)
    assert r.samples.iloc[0]["main_pollutants"] == (WaterItem.CYANIDE, WaterItem.PB, WaterItem.NH3N)
    plain = classify(frame, priority_first=False)
    assert plain.samples.iloc[0]["main_pollutants"] == (WaterItem.NH3N, WaterItem.CODMN, WaterItem.CYANIDE)


def test_heavy_metals_within_class_iii_are_not_pollutants() -> None:
    r = classify(samples(nh3n=[1.6], pb=[0.05]))
    assert r.samples.iloc[0]["main_pollutants"] == (WaterItem.NH3N,)


def test_dissolved_oxygen_after_items_with_a_multiple() -> None:
    r = classify(samples(do=[2.5], codmn=[11.0]))  # both class V; DO has no multiple
    assert r.samples.iloc[0]["main_pollutants"] == (WaterItem.CODMN, WaterItem.DO)
    assert np.isnan(r.samples.iloc[0]["main_pollutant_multiples"][1])


def test_format_main_pollutants() -> None:
    text = format_main_pollutants([WaterItem.NH3N, WaterItem.DO], [1.5, float("nan")])
    assert text == "氨氮(NH3-N)(1.50)、溶解氧"
    assert format_main_pollutants(["codmn"], [0.25], lang="en") == "permanganate index (CODMn) (0.25)"


def test_index_is_kept() -> None:
    frame = samples(codmn=[3.0, 7.0])
    frame.index = pd.Index(["a", "b"])
    r = classify(frame)
    assert r.samples.index.tolist() == ["a", "b"]
    assert r.item_classes.loc["b", "codmn"] == 4
    repeated = samples(codmn=[3.0, 7.0, 12.0])
    repeated.index = pd.Index([0, 0, 1])  # e.g. concatenated batches
    classes = classify(repeated).samples["water_class"].tolist()
    assert classes == [WaterClass.II, WaterClass.IV, WaterClass.V]


# -- errors ----------------------------------------------------------------------------------------


def test_no_item_column() -> None:
    with pytest.raises(InputError, match="no GB 3838 item column") as err:
        classify(pd.DataFrame({"section": ["x"], "NH3-N": [1.0]}))
    assert "NH3-N" in str(err.value)


def test_negative_value_is_refused() -> None:
    with pytest.raises(InputError, match="negative nh3n value"):
        classify(samples(nh3n=[-0.1]))


def test_text_value_is_refused() -> None:
    with pytest.raises(InputError, match="not numbers"):
        classify(pd.DataFrame({"codmn": ["3.1", "*"]}))


def test_unknown_waterbody() -> None:
    with pytest.raises(InputError, match="unknown water body type"):
        classify(samples(tp=[0.1]), "sea")


def test_target_cannot_be_worse_than_v() -> None:
    with pytest.raises(InputError, match="cannot be 劣V"):
        classify(samples(tp=[0.1]), target="劣V")


def test_water_class_parse() -> None:
    assert WaterClass.parse("Ⅲ") is WaterClass.III
    assert WaterClass.parse("Ⅳ类") is WaterClass.IV
    assert WaterClass.parse("劣Ⅴ") is WaterClass.WORSE_THAN_V
    assert WaterClass.parse("劣V类") is WaterClass.WORSE_THAN_V
    assert WaterClass.parse(2) is WaterClass.II
    assert WaterClass.parse("i") is WaterClass.I
    assert [c.rank for c in WaterClass] == [1, 2, 3, 4, 5, 6]
    assert WaterClass.WORSE_THAN_V.label_zh == "劣Ⅴ类"
    with pytest.raises(ValueError, match="VI"):
        WaterClass.parse("VI")


def test_a_sample_lacking_required_items_gets_the_class_of_the_items_it_has() -> None:
    """CNEMC publication practice (docs/water.md, "Partial rows"): the class of the items measured,
    flagged partial with the missing items named in Table 1 order."""
    samples = pd.DataFrame({"ph": [7.5, np.nan], "do": [9.0, 8.0], "codmn": [np.nan, 5.0], "nh3n": [0.1, 0.1]})
    out = classify(samples).samples
    assert list(out["water_class"]) == [WaterClass.I, WaterClass.III]
    assert list(out["partial"]) == [True, True]
    assert list(out["missing_items"]) == [
        (WaterItem.CODMN, WaterItem.TP),  # tp: no column at all
        (WaterItem.PH, WaterItem.TP),
    ]


def test_required_items_are_a_parameter() -> None:
    samples = pd.DataFrame({"do": [9.0], "codmn": [3.0]})
    out = classify(samples, required=["do", "codmn"]).samples
    assert not out["partial"].iloc[0] and out["missing_items"].iloc[0] == ()
    assert classify(samples, required=[]).samples["partial"].iloc[0] == False  # noqa: E712
