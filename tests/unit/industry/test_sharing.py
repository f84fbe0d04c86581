"""The 2015 Jing-Jin-Ji tax-sharing rule on enterprises written for these tests (not real enterprises)."""

from __future__ import annotations

import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.industry import rules, sharing


def enterprises(**over: object) -> pd.DataFrame:
    base = {
        "enterprise": ["E1"],
        "origin": ["110000"],
        "destination": ["130200"],
        "start_year": [2017],
        "pre_move_local_cny": [90e6],
        "government_led": [True],
    }
    base.update({k: [v] for k, v in over.items()})
    return pd.DataFrame(base)


def taxes(years: range, vat: float = 80e6, cit: float = 50e6, ent: str = "E1") -> pd.DataFrame:
    rows = [(ent, y, t, a) for y in years for t, a in (("vat", vat), ("cit", cit))]
    return pd.DataFrame(rows, columns=["enterprise", "year", "tax", "paid_cny"])


def test_shares_are_half_of_the_local_part_in_the_first_years() -> None:
    r = sharing.share_taxes(enterprises(), taxes(range(2017, 2018)))
    vat = r.detail[r.detail["tax"] == "vat"].iloc[0]
    # 2017: VAT local part 50 % (国发〔2016〕26号), split 50:50 (财预〔2015〕92号)
    assert vat["local_cny"] == 40e6
    assert (vat["origin_cny"], vat["destination_cny"]) == (20e6, 20e6)
    cit = r.detail[r.detail["tax"] == "cit"].iloc[0]
    assert cit["local_share"] == 0.40


def test_the_cap_stops_the_origin_in_the_year_it_is_reached() -> None:
    # 30 M a year to the origin; cap 90 M → reached at the end of year 3, nothing afterwards
    r = sharing.share_taxes(enterprises(), taxes(range(2017, 2023)))
    per_year = r.detail.groupby("year")["origin_cny"].sum()
    assert per_year.to_dict() == {2017: 30e6, 2018: 30e6, 2019: 30e6, 2020: 0.0, 2021: 0.0, 2022: 0.0}
    assert (
        r.detail.loc[r.detail["year"] == 2020, "basis"].iloc[0]
        == "not shared: cap reached in the first period, no extension"
    )


def test_sharing_is_extended_two_years_when_the_cap_is_not_reached() -> None:
    r = sharing.share_taxes(enterprises(pre_move_local_cny=200e6), taxes(range(2017, 2024)))
    per_year = r.detail.groupby("year")["origin_cny"].sum()
    assert per_year.to_dict() == {2017: 30e6, 2018: 30e6, 2019: 30e6, 2020: 30e6, 2021: 30e6, 2022: 0.0, 2023: 0.0}
    assert set(r.detail.loc[r.detail["year"] == 2020, "basis"]) == {
        "shared: extension years (cap not reached in the first period)"
    }
    assert set(r.detail.loc[r.detail["year"] == 2022, "basis"]) == {"not shared: sharing period over"}


def test_free_market_moves_and_small_enterprises_are_not_shared() -> None:
    free = sharing.share_taxes(enterprises(government_led=False), taxes(range(2017, 2019)))
    assert free.detail["origin_cny"].sum() == 0
    assert free.detail["destination_cny"].sum() == free.detail["local_cny"].sum()
    # average 三税 before the move 19.9 M < 20 M a year
    small = sharing.share_taxes(enterprises(pre_move_local_cny=59.7e6), taxes(range(2017, 2019)))
    assert small.detail["origin_cny"].sum() == 0
    assert small.detail["basis"].iloc[0].startswith("not shared: average")


def test_vat_local_part_follows_the_edition_in_force_on_the_row_date() -> None:
    t = pd.DataFrame(
        {
            "enterprise": ["E1", "E1"],
            "year": [2016, 2016],
            "tax": ["vat", "vat"],
            "paid_cny": [40e6, 40e6],
            "date": ["2016-04-30", "2016-12-31"],
        }
    )
    r = sharing.share_taxes(enterprises(start_year=2016), t)
    assert list(r.detail["local_share"]) == [0.25, 0.50]
    assert rules.in_force("local_share", pd.Timestamp("2016-05-01").date()) == "2016"


def test_business_tax_after_the_vat_reform_is_a_problem_not_a_share() -> None:
    t = pd.DataFrame({"enterprise": ["E1"], "year": [2017], "tax": ["business_tax"], "paid_cny": [1e6]})
    r = sharing.share_taxes(enterprises(), t)
    assert r.detail.empty
    assert r.problems[0].where.field == "tax"
    assert "did not exist" in r.problems[0].message


def test_unconfirmed_rule_rows_are_listed_and_refused_when_strict() -> None:
    r = sharing.share_taxes(enterprises(), taxes(range(2017, 2018)))
    assert "tax_sharing_jjj-2015.period_counting" in r.unconfirmed
    with pytest.raises(InputError, match="not confirmed"):
        sharing.share_taxes(enterprises(), taxes(range(2017, 2018)), strict=True)


def test_statement_per_jurisdiction_adds_up_to_the_local_taxes() -> None:
    e = pd.concat([enterprises(), enterprises(enterprise="E2", origin="120000", destination="110000")])
    t = pd.concat([taxes(range(2017, 2019)), taxes(range(2017, 2019), ent="E2")])
    r = sharing.share_taxes(e, t)
    st = r.statement()
    assert st["total_cny"].sum() == pytest.approx(r.detail["local_cny"].sum())
    beijing = st[st["jurisdiction"] == "110000"].set_index(["year", "side"])
    assert beijing.loc[(2017, "origin"), "total_cny"] == 30e6
    assert beijing.loc[(2017, "destination"), "total_cny"] == 30e6


def test_bad_rows_name_file_row_and_field() -> None:
    t = pd.DataFrame(
        {"enterprise": ["E1", "E9", "E1"], "year": [2017] * 3, "tax": ["vat", "vat", "stamp"], "paid_cny": [-1, 1, 1]}
    )
    r = sharing.share_taxes(enterprises(), t, source="taxes.csv")
    assert sorted((p.where.row, p.where.field) for p in r.problems) == [(2, "paid_cny"), (3, "enterprise"), (4, "tax")]
    assert all(p.where.source == "taxes.csv" for p in r.problems)


def test_co_built_park_output_is_split_by_agreed_fractions() -> None:
    assert sharing.split_output(100.0, {"110000": 0.4, "130200": 0.6}, location="130200") == {
        "110000": 40.0,
        "130200": 60.0,
    }
    assert sharing.split_output(100.0, {}, location="130200") == {"130200": 100.0}
    with pytest.raises(InputError, match="add up to 1"):
        sharing.split_output(100.0, {"110000": 0.5, "130200": 0.6}, location="130200")
