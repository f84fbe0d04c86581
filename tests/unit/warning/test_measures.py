"""Graded measures: per-enterprise cuts by performance grade, city totals against the required share."""

from __future__ import annotations

import pandas as pd
import pytest

from xietong.air.measures import (
    EMISSION_POLLUTANTS,
    PerformanceGrade,
    load_measures,
    measure_table,
    required_reductions,
)
from xietong.air.warning import WarningLevel
from xietong.errors import InputError, UnitError, UnknownJurisdictionError


def firm(
    name: str, grade: str, t_per_day: float = 1.0, city: str = "Tangshan", industry: str = "steel"
) -> dict[str, object]:
    return {
        "name": name,
        "city": city,
        "industry": industry,
        "grade": grade,
        **{p.column: t_per_day for p in EMISSION_POLLUTANTS},
    }


def firms(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_required_shares_are_10_20_30_percent() -> None:
    shares = load_measures().required_share
    assert shares[WarningLevel.YELLOW] == 0.10
    assert shares[WarningLevel.ORANGE] == 0.20
    assert shares[WarningLevel.RED] == 0.30
    assert shares[WarningLevel.BLUE] == shares[WarningLevel.NONE] == 0.0


@pytest.mark.parametrize("level", ["yellow", "orange", "red"])
def test_a_grade_has_no_mandatory_cut(level: str) -> None:
    r = required_reductions(firms(firm("Clean steel", "A", 5.0)), level)
    row = r.enterprises.iloc[0]
    assert row["ratio"] == 0.0
    assert all(row[f"{p.key}_cut_t_per_day"] == 0.0 for p in EMISSION_POLLUTANTS)
    assert all(row[f"{p.key}_after_t_per_day"] == 5.0 for p in EMISSION_POLLUTANTS)


def test_cuts_grow_from_b_to_d_and_with_the_level() -> None:
    table = load_measures()
    for level in (WarningLevel.YELLOW, WarningLevel.ORANGE, WarningLevel.RED):
        ratios = [table.grade_ratio[(level, g)] for g in PerformanceGrade]
        assert ratios[0] == 0.0 < ratios[1] < ratios[2] <= ratios[3]
    for g in (PerformanceGrade.B, PerformanceGrade.C, PerformanceGrade.D):
        assert (
            table.grade_ratio[(WarningLevel.YELLOW, g)]
            < table.grade_ratio[(WarningLevel.ORANGE, g)]
            < table.grade_ratio[(WarningLevel.RED, g)]
        )


def test_per_enterprise_cut_in_t_per_day() -> None:
    r = required_reductions(firms(firm("Coke C", "C", 2.0)), "orange")
    row = r.enterprises.iloc[0]
    assert row["ratio"] == 0.3 and row["ratio_source"] == "grade table"
    assert row["so2_cut_t_per_day"] == pytest.approx(0.6)
    assert row["so2_after_t_per_day"] == pytest.approx(1.4)
    assert str(row["level"]) == "orange"


def test_no_mandatory_cut_at_blue_or_none() -> None:
    for level in ("none", "blue"):
        r = required_reductions(firms(firm("Dirty D", "D", 3.0)), level)
        assert r.enterprises["ratio"].tolist() == [0.0]
        assert not r.cities["falls_short"].any()


def test_city_whose_list_falls_short_is_flagged() -> None:
    # Tangshan: only A and B plants; B cuts 20 % at red, the city needs 30 %
    tangshan = firms(firm("A1", "A", 4.0), firm("B1", "B", 6.0))
    r = required_reductions(tangshan, "red")
    city = r.cities.iloc[0]
    assert city["city"] == "130200"
    assert city["so2_base_t_per_day"] == 10.0
    assert city["so2_cut_t_per_day"] == pytest.approx(1.8)  # 0.3 × 6
    assert city["so2_required_t_per_day"] == pytest.approx(3.0)
    assert city["so2_share"] == pytest.approx(0.18)
    assert bool(city["falls_short"])
    assert city["short_pollutants"] == "SO2, NOx, PM, VOCs"
    assert r.short_cities == ("130200",)


def test_city_meeting_the_share_is_not_flagged() -> None:
    r = required_reductions(firms(firm("C1", "C", 4.0), firm("D1", "D", 6.0)), "yellow")
    city = r.cities.iloc[0]
    assert city["so2_share"] == pytest.approx((0.2 * 4 + 0.3 * 6) / 10)
    assert not bool(city["falls_short"])
    assert city["short_pollutants"] == ""


def test_inventory_is_the_base_of_the_required_share() -> None:
    # the listed plants cut 30 % of their own emissions but only 3 % of the city's inventory
    listed = firms(firm("B1", "B", 1.0, city="Handan"))
    inventory = pd.DataFrame([{"city": "邯郸", **{p.column: 10.0 for p in EMISSION_POLLUTANTS}}])
    without = required_reductions(listed, "red").cities.iloc[0]
    with_inv = required_reductions(listed, "red", inventory=inventory).cities.iloc[0]
    assert (without["share_base"], bool(without["falls_short"])) == ("listed enterprises", False)
    assert (with_inv["share_base"], bool(with_inv["falls_short"])) == ("inventory", True)
    assert with_inv["so2_required_t_per_day"] == pytest.approx(3.0)


def test_inventory_city_without_any_listed_enterprise_falls_short() -> None:
    inventory = pd.DataFrame([{"city": "Xingtai", **{p.column: 8.0 for p in EMISSION_POLLUTANTS}}])
    r = required_reductions(firms(firm("B1", "B", 1.0)), "yellow", inventory=inventory)
    xingtai = r.cities.set_index("city").loc["130500"]
    assert xingtai["n_enterprises"] == 0
    assert bool(xingtai["falls_short"])


def test_one_plant_one_policy_ratio_overrides_the_table() -> None:
    frame = firms(firm("B own plan", "B", 2.0))
    frame["ratio"] = [0.45]
    row = required_reductions(frame, "orange").enterprises.iloc[0]
    assert (row["ratio"], row["ratio_source"]) == (0.45, "enterprise")
    assert row["nox_cut_t_per_day"] == pytest.approx(0.9)


def test_industry_ratios_replace_grade_ratios_for_that_industry() -> None:
    raw = {
        "required_share": {"none": 0, "blue": 0, "yellow": 0.1, "orange": 0.2, "red": 0.3},
        "grade_ratio": {lvl.value: {"A": 0, "B": 0.1, "C": 0.2, "D": 0.3} for lvl in WarningLevel},
        "industry_ratio": {"Coking": {"red": {"B": 0.5}}},
    }
    table = measure_table(raw)
    r = required_reductions(
        firms(firm("K", "B", 1.0, industry="coking"), firm("S", "B", 1.0, industry="steel")), "red", measures=table
    )
    assert r.enterprises["ratio"].tolist() == [0.5, 0.1]
    assert r.enterprises["ratio_source"].tolist() == ["industry table", "grade table"]


def test_a_grade_cannot_be_given_a_mandatory_ratio() -> None:
    frame = firms(firm("A own", "A"))
    frame["ratio"] = [0.2]
    with pytest.raises(InputError, match="A-grade enterprises decide their own reductions"):
        required_reductions(frame, "red")
    raw = {
        "required_share": {"none": 0, "blue": 0, "yellow": 0.1, "orange": 0.2, "red": 0.3},
        "grade_ratio": {lvl.value: {"A": 0.1, "B": 0.1, "C": 0.2, "D": 0.3} for lvl in WarningLevel},
    }
    with pytest.raises(InputError, match="ratio 0 for grade A"):
        measure_table(raw)


def test_a_plus_counts_as_a() -> None:
    r = required_reductions(firms(firm("Leader", "A+", 3.0)), "red")
    assert r.enterprises["grade"].tolist() == ["A"]
    assert r.enterprises["ratio"].tolist() == [0.0]


def test_t_per_year_is_caught_as_a_unit_error() -> None:
    with pytest.raises(UnitError, match="t/year: divide by 365"):
        required_reductions(firms(firm("Big", "B", 4500.0)), "red")


def test_bad_grade_city_and_columns() -> None:
    with pytest.raises(InputError, match="A, B, C or D"):
        required_reductions(firms(firm("X", "E")), "red")
    with pytest.raises(UnknownJurisdictionError, match="Atlantis"):
        required_reductions(firms(firm("X", "B", city="Atlantis")), "red")
    with pytest.raises(InputError, match="vocs_t_per_day"):
        required_reductions(firms(firm("X", "B")).drop(columns="vocs_t_per_day"), "red")
    with pytest.raises(InputError, match="≥ 0"):
        required_reductions(firms(firm("X", "B", -1.0)), "red")
    with pytest.raises(InputError, match="none, blue, yellow, orange, red, given 'purple'"):
        required_reductions(firms(firm("X", "B")), "purple")
