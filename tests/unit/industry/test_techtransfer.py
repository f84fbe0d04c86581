"""Technology contracts: the flow matrix and the Beijing → Tianjin/Hebei indicator.

The contract file is written for the tests (tests/data/industry/tech_contracts_written_for_tests.csv);
the published figures come from the sourced data file of the package.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from xietong.errors import InputError
from xietong.industry import techtransfer

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "industry" / "tech_contracts_written_for_tests.csv"


def test_contracts_roll_up_to_provinces_and_flow_by_year() -> None:
    contracts, problems = techtransfer.read_contracts(SAMPLE)
    assert problems == []
    assert len(contracts) == 7
    m = techtransfer.flow_matrix(contracts, 2023)
    assert m.loc["110000", "120000"] == 12e6
    assert m.loc["110000", "130000"] == 8e6 + 2.5e6  # Baoding and Tangshan buyers count for Hebei
    assert m.loc["120000", "110000"] == 0.4e6
    assert m.loc["110000", "310000"] == 1e6  # a buyer outside the region keeps its own province


def test_the_indicator_is_beijings_outflow_to_tianjin_and_hebei() -> None:
    contracts, _ = techtransfer.read_contracts(SAMPLE)
    ind = techtransfer.beijing_to_tianjin_hebei(contracts).set_index("year")
    assert ind.loc[2023, "to_tianjin_cny"] == 12e6
    assert ind.loc[2023, "to_hebei_cny"] == 10.5e6
    assert ind.loc[2023, "value_cny"] == 22.5e6
    assert ind.loc[2023, "contracts"] == 3
    assert ind.loc[2024, "value_cny"] == 0.6e6  # the Shijiazhuang → Tangshan contract is not Beijing's


def test_bad_cells_are_problems_with_row_and_field() -> None:
    text = SAMPLE.read_text("utf-8").splitlines()
    text[2] = "C001,Institute A,Atlantis,Company B,120000,donation,-5,2023-13-45"
    contracts, problems = techtransfer.read_contracts(io.StringIO("\n".join(text)), source="contracts.csv")
    assert len(contracts) == 6
    assert sorted(p.where.field for p in problems) == ["date", "seller_jurisdiction", "type", "value_cny"]
    assert {p.where.row for p in problems} == {3}  # the line in the file (line 1 is a comment)


def test_missing_columns_are_refused() -> None:
    with pytest.raises(InputError, match="missing columns"):
        techtransfer.read_contracts(io.StringIO("contract,seller\nC1,A\n"))


def test_published_figures_carry_their_source_and_convert_yi_yuan() -> None:
    pub = techtransfer.published_beijing_outflow()
    annual = pub[pub["kind"] == "annual"].set_index(pub[pub["kind"] == "annual"]["period_end"].dt.year)
    # 2023: 6,758 contracts, 748.7 亿元 (北京市科委 at the ten-year press conference, 北京商报)
    assert annual.loc[2023, "value_cny"] == pytest.approx(748.7e8)
    assert annual.loc[2023, "contracts"] == 6758
    assert annual.loc[2013, "value_cny"] == pytest.approx(71.2e8)
    assert pub["url"].str.startswith("http").all()
    assert pub["publisher"].str.len().gt(0).all()
