"""Structure analytics on a real extract of the city panel (China City Statistical Yearbook figures).

Each quantity is checked against an independent, plain computation written here with dicts and loops
(not the library's matrix code), and the location quotients against the Balassa RCA of the
``ecomplexity`` package on the same table.
"""

from __future__ import annotations

import csv
import math
import warnings
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.industry import panel, structure

SECTORS = {"gdp_primind": "primary", "gdp_secind": "secondary", "gdp_terind": "tertiary"}


def plain_values(path: Path, year: int) -> dict[str, dict[str, float]]:
    """city → sector → value [10,000 CNY], straight from the CSV."""
    out: dict[str, dict[str, float]] = {}
    with path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if int(rec["year"]) == year and all(rec[c] for c in SECTORS):
                out[rec["city_id"]] = {s: float(rec[c]) for c, s in SECTORS.items()}
    return out


def test_the_extract_reads_as_13_cities_with_three_sectors_and_no_problems(panel_path: Path) -> None:
    p = panel.read_panel(panel_path)
    assert p.layout == "wide"
    assert p.problems == []
    m = structure.sector_matrix(p.frame, year=2019)
    assert m.values.shape == (13, 3)
    assert list(m.values.columns) == ["primary", "secondary", "tertiary"]
    assert m.unit == "CNY"
    # Beijing's 2019 value added adds up to the published GDP (35,371.3 × 10^8 CNY, shared data README)
    assert m.values.loc["110000"].sum() == pytest.approx(35_371.3e8, rel=1e-4)


@pytest.mark.parametrize("year", [2013, 2019, 2020])
def test_shares_and_location_quotients_equal_a_plain_computation(panel_path: Path, year: int) -> None:
    values = plain_values(panel_path, year)
    region_total = {s: sum(v[s] for v in values.values()) for s in SECTORS.values()}
    grand = sum(region_total.values())
    got = structure.structure(structure.sector_matrix(panel.read_panel(panel_path).frame, year=year))
    assert len(got) == 3 * len(values)
    for rec in got.itertuples():
        city_total = sum(values[rec.city].values())
        share = values[rec.city][rec.sector] / city_total
        assert rec.share == pytest.approx(100 * share, rel=1e-12)
        assert rec.lq == pytest.approx(share / (region_total[rec.sector] / grand), rel=1e-12)


def test_similarity_is_the_cosine_of_share_vectors_for_every_pair(panel_path: Path) -> None:
    values = plain_values(panel_path, 2019)
    got = structure.similarity(structure.sector_matrix(panel.read_panel(panel_path).frame, year=2019))
    assert len(got) == 13 * 12 // 2
    table = {(r.city_a, r.city_b): r.similarity for r in got.itertuples()}
    for a, b in combinations(sorted(values), 2):
        sa = [values[a][s] / sum(values[a].values()) for s in SECTORS.values()]
        sb = [values[b][s] / sum(values[b].values()) for s in SECTORS.values()]
        dot = sum(x * y for x, y in zip(sa, sb, strict=True))
        expected = dot / (math.sqrt(sum(x * x for x in sa)) * math.sqrt(sum(y * y for y in sb)))
        assert table[(a, b)] == pytest.approx(expected, rel=1e-12)
    # Beijing and Tianjin, both service-led, are more alike than Beijing and Tangshan (steel)
    assert table[("110000", "120000")] > table[("110000", "130200")]


def test_krugman_indices_equal_a_plain_computation(panel_path: Path) -> None:
    values = plain_values(panel_path, 2019)
    m = structure.sector_matrix(panel.read_panel(panel_path).frame, year=2019)
    spec = structure.krugman_specialisation(m)
    dis = structure.krugman_dissimilarity(m).set_index(["city_a", "city_b"])["krugman"]
    share = {c: {s: v[s] / sum(v.values()) for s in v} for c, v in values.items()}
    for city in values:
        rest = {s: sum(values[o][s] for o in values if o != city) for s in SECTORS.values()}
        rest_share = {s: rest[s] / sum(rest.values()) for s in rest}
        assert spec[city] == pytest.approx(sum(abs(share[city][s] - rest_share[s]) for s in rest), rel=1e-12)
    for a, b in combinations(sorted(values), 2):
        assert dis[(a, b)] == pytest.approx(sum(abs(share[a][s] - share[b][s]) for s in share[a]), rel=1e-12)


def test_location_quotient_equals_the_balassa_rca_of_ecomplexity(panel_path: Path) -> None:
    from ecomplexity import ecomplexity

    m = structure.sector_matrix(panel.read_panel(panel_path).frame, year=2019)
    long = m.values.stack().rename("val").reset_index().assign(year=2019)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = ecomplexity(long, {"time": "year", "loc": "city", "prod": "sector", "val": "val"})
    rca = peer.set_index(["city", "sector"])["rca"]
    lq = structure.location_quotients(m).stack()
    assert len(lq) == 39
    for key, value in lq.items():
        assert value == pytest.approx(rca[key], rel=1e-9)


def test_a_given_reference_replaces_the_sum_of_the_cities(panel_path: Path) -> None:
    m = structure.sector_matrix(panel.read_panel(panel_path).frame, year=2019)
    # a reference with equal sector sizes: LQ = 3 × the city's share
    lq = structure.location_quotients(m, reference=pd.Series({"primary": 1.0, "secondary": 1.0, "tertiary": 1.0}))
    sh = structure.shares(m)
    assert (lq - 3 * sh / 100).abs().to_numpy().max() < 1e-12
    with pytest.raises(InputError, match="reference lacks sectors"):
        structure.location_quotients(m, reference=pd.Series({"primary": 1.0}))


def test_shift_share_parts_add_up_to_the_change_and_follow_the_formulas(panel_path: Path) -> None:
    frame = panel.read_panel(panel_path).frame
    base, end = (structure.sector_matrix(frame, year=y) for y in (2013, 2019))
    ss = structure.shift_share(base, end)
    parts = ss["national_share"] + ss["industry_mix"] + ss["competitive"]
    assert ((parts - ss["change"]).abs() / ss["end_value"]).max() < 1e-12
    v0, v1 = plain_values(panel_path, 2013), plain_values(panel_path, 2019)
    g_total = sum(sum(v.values()) for v in v1.values()) / sum(sum(v.values()) for v in v0.values()) - 1
    row = ss[(ss["city"] == "130100") & (ss["sector"] == "tertiary")].iloc[0]
    g_ter = sum(v["tertiary"] for v in v1.values()) / sum(v["tertiary"] for v in v0.values()) - 1
    x0 = v0["130100"]["tertiary"] * 1e4
    assert row["national_share"] == pytest.approx(x0 * g_total, rel=1e-9)
    assert row["industry_mix"] == pytest.approx(x0 * (g_ter - g_total), rel=1e-9)


def test_long_and_wide_layouts_give_the_same_structure(panel_path: Path, tmp_path: Path) -> None:
    # a long CSV written for this test from the same extract (values in 万元, as the yearbook gives them)
    long_csv = tmp_path / "long.csv"
    with panel_path.open(encoding="utf-8") as src, long_csv.open("w", encoding="utf-8", newline="") as dst:
        w = csv.writer(dst)
        w.writerow(["city", "year", "sector", "indicator", "value", "unit"])
        for rec in csv.DictReader(src):
            for col, sector in SECTORS.items():
                w.writerow([rec["city"], rec["year"], sector, "value_added", rec[col], "万元"])
    a = structure.structure(structure.sector_matrix(panel.read_panel(long_csv).frame, year=2020))
    b = structure.structure(structure.sector_matrix(panel.read_panel(panel_path).frame, year=2020))
    pd.testing.assert_frame_equal(a, b)


def test_inconsistent_rows_are_reported_with_file_row_and_field_not_repaired(panel_path: Path, tmp_path: Path) -> None:
    # a copy of the extract altered for this test: row 2 shares add to 90, row 3 sectors off the total
    lines = panel_path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    r2 = lines[1].split(",")
    r2[header.index("gdpct04")] = str(float(r2[header.index("gdpct04")]) - 10)
    r3 = lines[2].split(",")
    r3[header.index("gdp_terind")] = str(float(r3[header.index("gdp_terind")]) * 1.5)
    bad = tmp_path / "bad_panel.csv"
    bad.write_text("\n".join([lines[0], ",".join(r2), ",".join(r3), *lines[3:]]) + "\n", "utf-8")
    p = panel.read_panel(bad)
    where = {(pr.where.row, pr.where.field) for pr in p.problems}
    assert (2, "share") in where  # shares of row 2 do not add up to 100 (and differ from the values)
    assert (3, "value") in where  # sector values of row 3 do not add up to GDP
    assert all(pr.where.source == str(bad) for pr in p.problems)
    assert any("do not add up to 100" in pr.message for pr in p.problems)
    with pytest.raises(InputError, match="problems in the structure table"):
        p.require_clean()
    # the values are kept as given
    m = structure.sector_matrix(p.frame, year=2013)
    assert m.values.loc["130900", "tertiary"] == pytest.approx(1.1251248e7 * 1.5 * 1e4)


def test_bad_cells_name_the_row_and_an_unknown_year_names_the_years(tmp_path: Path) -> None:
    f = tmp_path / "long.csv"
    f.write_text(
        "city,year,sector,indicator,value,unit\n"
        "北京,2019,primary,value_added,1,亿元\n"
        "Gotham,2019,primary,value_added,1,亿元\n"
        "天津,2019,Z,value_added,1,亿元\n"
        "天津,2019,C,value_added,abc,亿元\n",
        "utf-8",
    )
    p = panel.read_panel(f)
    assert sorted((pr.where.row, pr.where.field) for pr in p.problems) == [(3, "city"), (4, "sector"), (5, "value")]
    assert len(p.frame) == 1
    with pytest.raises(InputError, match="no data for 2018") as err:
        structure.sector_matrix(p.frame, year=2018)
    assert "2019" in str(err.value)
