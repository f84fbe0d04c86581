"""Siting in the store: the README example ranked and explained criterion by criterion, every value read
through the platform's indicators and checked here against an independent reading of the same real data
(the malin84 road table, the bundled SpTe2M daily PM2.5, the CNEMC water file's published classes); hard
constraints remove parks and say why.

The enterprise, the land figures and the weights' use are written for the tests; the parks are the seeded
ones, the values real (sources in tests/data/NOTICE.md and NOTICE)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from importlib import resources

import pandas as pd
import pytest

from tests.conftest import DATA
from xietong.exchange.bootstrap import operator
from xietong.industry import placement, siting
from xietong.industry.enums import EmissionCategory
from xietong.store.session import Store
from xietong.transit.road import road_time
from xietong.water import service as water

pytestmark = pytest.mark.integration
WATER = DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv"
PARKS = ("ZIYA", "SXTT", "CFDZ", "BNAE", "BZSP")
#: the README example: a metal-scrap processor (GB/T 4754 class 4210) leaving Beijing, needing 50 ha
README = placement.SiteRequest(
    enterprise=siting.Enterprise("4210", "北京", EmissionCategory.SIMPLIFIED, land_ha=50),
    on=dt.date(2025, 12, 1),
    year=2015,
    parks=PARKS,
    available_land_ha={"BZSP": 30},
)
ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6}


@pytest.fixture
def ranked(store: Store) -> dict[str, object]:
    op = operator(store)
    water.ingest_samples(store, op, WATER)
    return placement.rank(store, op, README)


def _spte2m_annual(city: str, year: int) -> float:
    with resources.files("xietong.data").joinpath("spte2m_pm25_daily_jjj_2014_2016.csv.gz").open("rb") as fh:
        raw = pd.read_csv(fh, compression="gzip")
    names = {"120000": "Tianjin", "130400": "Handan", "130200": "Tangshan", "131000": "Langfang"}
    sel = raw[(raw["city"] == names[city]) & (raw["date"].astype(str).str.startswith(str(year)))]
    return float(sel.loc[sel["pm25"] != 0, "pm25"].mean())


def _published_worst_latest(province: str, city: str | None) -> int:
    f = pd.read_csv(WATER).dropna(subset=["water_class"])
    sel = f[(f["province"] == province) & ((f["city"] == city) if city else True)]
    latest = sel.sort_values("obs_time_local").groupby("section").tail(1)
    return max(ROMAN[c] for c in latest["water_class"])


def test_the_readme_example_ranks_and_explains_each_criterion(ranked: dict[str, object]) -> None:
    ranking = ranked["ranking"]
    assert isinstance(ranking, list)
    assert [r["park"] for r in ranking] == ["ZIYA", "SXTT", "BNAE", "CFDZ"]
    rows = {r["park"]: r for r in ranking}
    # each value is the owning domain's real data, read through the indicators
    for park, city in (("ZIYA", "120000"), ("SXTT", "130400"), ("CFDZ", "130200"), ("BNAE", "131000")):
        r = rows[park]
        assert r["time_to_beijing_min"] == round(road_time(city, "110000", 2024).road_min, 1)
        assert r["time_to_origin_min"] == r["time_to_beijing_min"]  # the origin is Beijing
        assert r["pm25_annual_ug_m3"] == round(_spte2m_annual(city, 2015), 1)
        assert "road (modelled, 2024 network)" in r["sources"]["time_to_beijing_min"]
        assert "SpTe2M" in r["sources"]["warning_days"]
    assert rows["ZIYA"]["water_class"] == _published_worst_latest("天津市", None) == 4
    assert rows["BNAE"]["water_class"] == _published_worst_latest("河北省", "廊坊市") == 5
    assert rows["SXTT"]["water_class"] == _published_worst_latest("河北省", "邯郸市") == 2
    # Tangshan's worst section, 涧河口 on the 陡河, has no class published: Xietong classifies its values
    assert rows["CFDZ"]["water_class"] == 3 and "HE10" in rows["CFDZ"]["sources"]["water_class"]
    # the scores follow the documented rule: min–max over the parks left, weights of DEFAULT_WEIGHTS
    fit = {"ZIYA": 1.0, "SXTT": 1.0, "CFDZ": 0.0, "BNAE": 0.0}
    for park, r in rows.items():
        total = fit[park] * siting.DEFAULT_WEIGHTS["industry_fit"]
        for crit in siting.LOWER_IS_BETTER:
            values = [float(q[crit]) for q in rows.values()]
            total += (max(values) - float(r[crit])) / (max(values) - min(values)) * siting.DEFAULT_WEIGHTS[crit]
        total += (6 - r["water_class"]) / 5 * siting.DEFAULT_WEIGHTS["water_class"]
        assert math.isclose(r["score"], total, rel_tol=1e-12), park
        assert r["why"].count("→") == len(siting.DEFAULT_WEIGHTS)  # one clause per criterion
    assert "industry_fit leading 42 → 1.00 × 0.30 = 0.300" in rows["ZIYA"]["why"]


def test_a_hard_constraint_removes_a_park_and_says_why(ranked: dict[str, object], store: Store) -> None:
    assert ranked["removed"] == [
        {
            "park": "BZSP",
            "constraint": "land",
            "reason": "available land 30 ha < needed 50 ha",
            "sources": ranked["removed"][0]["sources"],  # type: ignore[index]
        }
    ]
    steel = placement.SiteRequest(
        enterprise=siting.Enterprise("3120", "北京", EmissionCategory.KEY),
        on=dt.date(2025, 12, 1),
        year=2015,
        parks=("ZIYA", "CFDZ"),
    )
    result = placement.rank(store, operator(store), steel)
    assert result["ranking"] == []
    reasons = {(r["park"], r["constraint"]): r["reason"] for r in result["removed"]}
    assert "banned in the key region" in reasons[("CFDZ", "key_region_capacity")]
    assert (
        "3120" in reasons[("CFDZ", "key_region_capacity")]
        and "key-regions-2021" in reasons[("CFDZ", "key_region_capacity")]
    )
    assert "> 35 µg/m³" in reasons[("ZIYA", "nonattainment_key_emitter")]
    # switching the unconfirmed constraint off leaves only the confirmed one
    softer = dataclasses.replace(steel, constraints=("key_region_capacity",))
    assert {r["constraint"] for r in placement.rank(store, operator(store), softer)["removed"]} == {
        "key_region_capacity"
    }


def test_a_missing_value_scores_zero_and_says_where_it_is_missing(store: Store) -> None:
    # no water samples ingested and a year without bundled PM2.5: those criteria are missing, never invented
    request = placement.SiteRequest(
        enterprise=siting.Enterprise("4210", "北京"), on=dt.date(2025, 12, 1), year=2020, parks=("ZIYA", "SXTT")
    )
    result = placement.rank(store, operator(store), request)
    for r in result["ranking"]:
        assert r["pm25_annual_ug_m3"] is None and r["water_class"] is None
        assert "pm25_annual_ug_m3 missing (scores 0)" in r["why"]
        assert "missing" in r["sources"]["water_class"]
