"""Readers of the EUTL tables, the UK ETS compliance report and the pilot quotes (real trimmed samples in
``tests/data/trading``, see ``tests/data/NOTICE.md``; broken copies are made in ``tmp_path`` for the tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATA
from xietong.errors import InputError
from xietong.trading import read_eutl, read_pilot_quotes, read_uk_ets
from xietong.trading.enums import PilotMarket
from xietong.trading.market import market_series, volume_traded

TRADING = DATA / "trading"
EUTL = TRADING / "eutl_AT_IE_20"
UK = TRADING / "uk_ets_compliance_report_30.xlsx"
QUOTES = TRADING / "pilot_quotes_50.csv"


def test_eutl_tables_become_installation_years() -> None:
    t = read_eutl(EUTL)
    assert t.problems == []
    assert t.installations["account_id"].nunique() == 20
    y = t.installation_years.set_index(["installation", "year"])
    # 101604 in 2005: verified 8473, surrendered 8518, code A* (verbatim in the published tables)
    assert y.loc[(101604, 2005), ["verified_t", "surrendered_t", "published_code"]].tolist() == [8473.0, 8518.0, "A*"]
    # the EUTL's own 'Not Reported' vs an empty cell
    assert y.loc[(101644, 2010), "emissions_state"] == "not_reported"
    assert y.loc[(101644, 2007), "emissions_state"] == "absent"
    assert y.loc[(101603, 2006), "emissions_state"] == "reported"
    # phase-3 allocation cells that show two figures and asterisks ('117055  1296  *****')
    assert y.loc[(93880, 2013), ["allocated_t", "allocated_second_t"]].tolist() == [117055.0, 1296.0]


def test_eutl_bad_cells_become_problems_naming_file_row_and_year(tmp_path: Path) -> None:
    shutil.copytree(EUTL, tmp_path / "eutl")
    path = tmp_path / "eutl" / "verified_emissions.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace(",12442,", ",12 442 t,", 1)  # written for the test: a malformed cell
    path.write_text("\n".join(lines) + "\n", "utf-8")
    codes = tmp_path / "eutl" / "compliance_code.csv"
    codes.write_text(codes.read_text("utf-8").replace("A*,", "Z,", 1), "utf-8")
    t = read_eutl(tmp_path / "eutl")
    where = {(p.where.source, p.where.row, p.where.field, p.message) for p in t.problems}
    assert ("verified_emissions.csv", 2, "2005", "not a quantity") in where
    assert any(p.message == "unknown compliance code" for p in t.problems)


def test_eutl_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(EUTL, tmp_path / "eutl")
    (tmp_path / "eutl" / "units_surrendered.csv").unlink()
    with pytest.raises(InputError, match="EUTL table missing"):
        read_eutl(tmp_path / "eutl")


def test_uk_report_blank_is_not_reported_except_after_the_last_year() -> None:
    t = read_uk_ets(UK)
    assert t.problems == []
    assert len(t.installations) == 30
    y = t.installation_years
    states = set(y["emissions_state"])
    assert {"reported", "excluded", "not_reported"} <= states
    closed = t.installations.loc[t.installations["last_year"].notna(), "installation"]
    after = y.loc[
        y["installation"].isin(closed)
        & (y["year"] > y["installation"].map(t.installations.set_index("installation")["last_year"]))
    ]
    assert (after["emissions_state"] == "absent").all() and len(after) > 0
    # cumulative emissions equal the sum of the yearly figures on every row of the sample
    summed = y.groupby("installation")["verified_t"].sum()
    assert np.allclose(
        summed.reindex(t.installations["installation"]).to_numpy(), t.installations["cumulative_emissions_t"].to_numpy()
    )


def test_uk_report_missing_columns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "report.csv"
    bad.write_text("Operator ID,Recorded emissions 2024\n1,5\n", "utf-8")  # written for the test
    with pytest.raises(InputError, match="lacks required columns"):
        read_uk_ets(bad)


def test_pilot_quotes_quirks() -> None:
    q, problems = read_pilot_quotes(QUOTES)
    beijing = q.loc[q["market"] == "beijing"]
    assert set(beijing["exchange_published"]) == {"北京环境交易所", "北京绿色交易所"}
    assert set(beijing["exchange"]) == {"北京绿色交易所"}
    # '10000 t' read as 10000 t
    assert 10000.0 in q["volume_t"].tolist()
    # '-' = no trade: NaN prices, traded False when no volume
    no_trade = q.loc[q["volume_t"].isna()]
    assert not no_trade["traded"].any()
    messages = {p.message for p in problems}
    assert "no valid trading date" in messages
    assert "product of no Chinese pilot market" in messages  # EU futures rows in the file
    assert "product and exchange belong to different markets" in messages
    assert all(p.where.source == QUOTES.name and p.where.row for p in problems if p.where.row is not None)
    assert q.duplicated(["date", "product"]).sum() == 0


def test_uk_report_as_csv_with_a_bad_cell_names_row_and_column(tmp_path: Path) -> None:
    frame = pd.read_excel(UK, sheet_name="Data", dtype=object)
    frame.loc[0, "Recorded emissions 2022"] = "n/a"  # written for the test
    path = tmp_path / "report.csv"
    frame.to_csv(path, index=False)
    t = read_uk_ets(path)
    found = [(p.message, p.where.row, p.where.field) for p in t.problems]
    assert found[0] == ("not a quantity", 2, "Recorded emissions 2022")
    # without that year the account's cumulative emissions no longer add up: said, not hidden
    assert found[1:] == [
        ("cumulative emissions differ from the sum of the yearly recorded emissions", 2, "Cumulative emissions")
    ]
    assert len(t.installations) == 30  # the account and its other years are kept


def test_market_series_weights_prices_by_volume_and_sums_volumes() -> None:
    q, _ = read_pilot_quotes(QUOTES)
    series = market_series(q, freq="year")
    assert set(series["market"]) <= {m.value for m in PilotMarket}
    for market, year in series[["market", "period"]].itertuples(index=False):
        assert series.loc[
            (series["market"] == market) & (series["period"] == year), "volume_t"
        ].item() == volume_traded(q, market, year.year)
    rows = q.loc[(q["volume_t"] > 0) & q["avg_price_cny_t"].notna()]
    one = rows.iloc[0]
    same = rows.loc[(rows["market"] == one["market"]) & (rows["date"].dt.year == one["date"].year)]
    expected = (same["avg_price_cny_t"] * same["volume_t"]).sum() / same["volume_t"].sum()
    got = series.loc[
        (series["market"] == one["market"]) & (series["period"].dt.year == one["date"].year), "price_cny_t"
    ].item()
    assert got == pytest.approx(expected)
    with pytest.raises(InputError, match="unknown frequency"):
        market_series(q, freq="fortnight")
