"""Siting: hard constraints remove parks and say which rule did it; soft criteria rank the rest, and each
score is explained criterion by criterion. Candidate values are written for these tests (the platform's
indicators will supply real ones)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.industry import siting
from xietong.industry.enums import EmissionCategory

ON = date(2024, 6, 1)


def candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park": ["BZSP", "CFDZ", "ZJK1"],
            "city": ["120000", "130200", "130700"],  # Tianjin, Tangshan (key region), Zhangjiakou (not)
            "leading_industries": ["73;75;36", "31;30", "38"],
            "time_to_beijing_min": [60, 120, 180],
            "time_to_origin_min": [60, 120, 180],
            "pm25_annual_ug_m3": [41.0, 43.0, 22.0],
            "warning_days": [8, 14, 2],
            "water_class": ["IV", "V", "II"],
            "available_land_ha": [30, 300, 120],
        }
    )


def test_a_steel_plant_is_removed_from_key_region_parks_and_the_reason_names_the_rule() -> None:
    r = siting.rank_parks(siting.Enterprise("3120", "110000", EmissionCategory.KEY), candidates(), on=ON)
    by_park = r.removed.groupby("park")["constraint"].apply(set).to_dict()
    assert by_park["BZSP"] >= {"key_region_capacity", "nonattainment_key_emitter"}
    assert by_park["CFDZ"] >= {"key_region_capacity"}
    assert "ZJK1" not in by_park  # Zhangjiakou is outside the key region and under the PM2.5 limit
    assert list(r.ranking["park"]) == ["ZJK1"]
    assert r.edition == "key-regions-2021"
    assert "removed by key_region_capacity" in r.explain("CFDZ")
    assert "key-regions-2021" in r.explain("CFDZ")
    assert "43 > 35 µg/m³" in r.explain("CFDZ")


def test_switching_a_constraint_off_keeps_the_park() -> None:
    e = siting.Enterprise("3670", "110000", EmissionCategory.KEY)
    strict = siting.rank_parks(e, candidates(), on=ON)
    assert set(strict.removed["park"]) == {"BZSP", "CFDZ"}  # both cities over 35 µg/m³
    relaxed = siting.rank_parks(e, candidates(), on=ON, constraints=["key_region_capacity", "land"])
    assert relaxed.removed.empty
    assert len(relaxed.ranking) == 3


def test_strict_refuses_a_constraint_resting_on_unconfirmed_rows() -> None:
    e = siting.Enterprise("3670", "110000", EmissionCategory.KEY)
    with pytest.raises(InputError, match="unconfirmed"):
        siting.rank_parks(e, candidates(), on=ON, strict=True)


def test_the_ranking_is_explained_criterion_by_criterion() -> None:
    # a car-parts maker (3670) with simplified permit management needing 50 ha
    r = siting.rank_parks(
        siting.Enterprise("3670", "110000", EmissionCategory.SIMPLIFIED, land_ha=50), candidates(), on=ON
    )
    assert list(r.removed["park"]) == ["BZSP"]
    assert "available land 30 ha < needed 50 ha" in r.explain("BZSP")
    top = r.ranking.iloc[0]
    weights = siting.DEFAULT_WEIGHTS
    assert top["score"] == pytest.approx(sum(top[f"{c}_score"] * w for c, w in weights.items()))
    for criterion in weights:
        assert criterion in top["why"]
    # ZJK1: fit 0.5 (same section C), worst times (0), best air and water → 0.15 + 0.15 + 0.10 + 0.08
    zjk = r.ranking.set_index("park").loc["ZJK1"]
    assert zjk["score"] == pytest.approx(0.5 * 0.30 + 0 + 0 + 1 * 0.15 + 1 * 0.10 + 0.8 * 0.10)
    assert r.ranking["rank"].tolist() == [1, 2]


def test_industry_fit_scores_division_section_and_nothing() -> None:
    assert siting.industry_fit("3670", ["36"]) == 1.0
    assert siting.industry_fit("36", ["3670"]) == 1.0
    assert siting.industry_fit("3670", ["38"]) == 0.5
    assert siting.industry_fit("3670", ["72"]) == 0.0


def test_bad_inputs_are_refused_clearly() -> None:
    with pytest.raises(InputError, match="unknown GB/T 4754-2017 industry code"):
        siting.rank_parks(siting.Enterprise("99", "110000"), candidates(), on=ON)
    bad = candidates().assign(leading_industries=["73", "98", "38"])
    with pytest.raises(InputError, match="unknown GB/T 4754-2017") as err:
        siting.rank_parks(siting.Enterprise("3670", "110000"), bad, on=ON, source="parks.csv")
    assert "row 3" in str(err.value)
    with pytest.raises(InputError, match="weights"):
        siting.rank_parks(siting.Enterprise("3670", "110000"), candidates(), on=ON, weights={"industry_fit": 0.5})
    with pytest.raises(InputError, match="unknown hard constraint"):
        siting.rank_parks(siting.Enterprise("3670", "110000"), candidates(), on=ON, constraints=["zoning"])


def test_missing_values_score_zero_and_say_so() -> None:
    c = candidates().assign(warning_days=[None, 14, 2])
    r = siting.rank_parks(siting.Enterprise("3670", "110000"), c, on=ON)
    assert "warning_days missing (scores 0)" in r.explain("BZSP")
