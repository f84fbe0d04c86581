"""Readers of water sample files: the CNEMC real-time format and the canonical long form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xietong.errors import FormatDetectionError, InputError
from xietong.water.enums import WaterClass, WaterFormat, WaterItem
from xietong.water.formats import (
    CST,
    collect,
    detect_format,
    display_decimals,
    infer_year,
    load_cnemc_realtime,
    read_canonical,
    read_cnemc_realtime,
    read_samples,
    to_canonical,
    to_wide,
)

DATA = Path(__file__).parents[2] / "data" / "water"
CNEMC = DATA / "cnemc_surface_water_haihe_2025-11.csv"
CNEMC_FEB = DATA / "cnemc_surface_water_haihe_2026-02.csv"

HEADER = (
    "province,basin,city,river,section,obs_time_local,water_class,pH,pH_raw,DO_mg_L,DO_mg_L_raw,"
    "CODMn_mg_L,CODMn_mg_L_raw,NH3N_mg_L,NH3N_mg_L_raw,TP_mg_L,TP_mg_L_raw,status,first_seen_snapshot\n"
)
ROW = (
    "河北省,海河流域,廊坊市,北运河,杨洼闸（王家摆）,{time},{cls},8,{ph},7.9,{do},4.5,{codmn},"
    "0.52,0.5151,0.113,0.1131,正常,{snap}\n"
)


def cnemc_file(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "cnemc.csv"
    defaults = {
        "time": "2025-11-18T16:00",
        "cls": "Ⅳ",
        "ph": "7.92",
        "do": "7.93",
        "codmn": "4.51",
        "snap": "20251118T173847",
    }
    path.write_text(HEADER + "".join(ROW.format(**(defaults | r)) for r in rows), encoding="utf-8")
    return path


# -- the real file ---------------------------------------------------------------------------------


def test_reads_the_real_file_without_problems() -> None:
    got = collect(read_cnemc_realtime(CNEMC, chunk_rows=100))
    assert got.rows_read == 601
    assert got.problems == []
    assert len(got.published) == 601
    assert got.published["section"].notna().all()  # every CNEMC section is in the sections table
    assert got.samples["time"].dt.tz is not None
    assert set(got.samples["item"]) >= {WaterItem.PH, WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N, WaterItem.TP}


def test_uses_the_unrounded_values() -> None:
    got = collect(read_cnemc_realtime(CNEMC))
    first = got.samples[got.samples["row"] == 2].set_index("item")["value"]
    # row 2: 鼓楼外大街, pH displayed 8 (raw 7.964), DO 10.8 (raw 10.754), NH3-N 0.08 (raw 0.0809)
    assert first[WaterItem.PH] == 7.964
    assert first[WaterItem.DO] == 10.754
    assert first[WaterItem.NH3N] == 0.0809
    assert WaterItem.CHLA not in first.index  # "*" = missing


def test_published_values_are_kept() -> None:
    got = collect(read_cnemc_realtime(CNEMC))
    row = got.published.iloc[0]
    assert row["section"] == "BJ01"
    assert row["section_name"] == "鼓楼外大街"
    assert row["published_class"] is WaterClass.I
    assert row["status"] == "正常"
    assert row["time"] == pd.Timestamp("2025-11-18T16:00+08:00")
    assert row["snapshot"] == pd.Timestamp("2025-11-18T17:38:47+08:00")
    assert got.published["published_class"].isna().sum() == 32


def test_load_as_one_wide_frame() -> None:
    frame = load_cnemc_realtime(CNEMC)
    assert len(frame) == 601
    assert {"section", "time", "published_class", "waterbody", "target_class", "ph", "do", "tp"} <= set(frame.columns)
    assert set(frame.loc[frame["section_name"] == "烧车淀", "waterbody"]) == {"lake"}


# -- CNEMC details ---------------------------------------------------------------------------------


def test_missing_tokens(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {"ph": "*", "do": "--", "codmn": ""})
    got = collect(read_cnemc_realtime(path))
    assert got.problems == []
    assert set(got.samples["item"]) == {WaterItem.NH3N, WaterItem.TP}


def test_year_is_inferred_from_the_snapshot(tmp_path: Path) -> None:
    path = cnemc_file(
        tmp_path,
        {"time": "11-18 16:00", "snap": "20251118T173847"},
        {"time": "12-31 20:00", "snap": "20260101T003000"},  # across the new year
    )
    got = collect(read_cnemc_realtime(path))
    assert got.problems == []
    assert got.published["time"].tolist() == [
        pd.Timestamp("2025-11-18T16:00+08:00"),
        pd.Timestamp("2025-12-31T20:00+08:00"),
    ]


def test_infer_year() -> None:
    assert infer_year("01-01 00:00", pd.Timestamp("2026-01-01 00:10")) == pd.Timestamp("2026-01-01 00:00")
    assert infer_year("02-29 08:00", pd.Timestamp("2025-03-01 09:00")) == pd.Timestamp("2024-02-29 08:00")
    with pytest.raises(InputError, match="MM-DD HH:MM"):
        infer_year("2025-11-18", pd.Timestamp("2025-11-18"))


def test_a_time_after_the_snapshot_is_a_wrong_year(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {"time": "2026-11-18T16:00"})
    got = collect(read_cnemc_realtime(path))
    assert got.samples.empty
    assert got.published.empty
    (problem,) = got.problems
    assert "after the page was saved" in problem.message
    assert (problem.where.source, problem.where.row, problem.where.field) == (str(path), 2, "obs_time_local")


def test_a_time_without_year_needs_a_snapshot(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {"time": "11-18 16:00", "snap": ""})
    got = collect(read_cnemc_realtime(path))
    assert [p.where.field for p in got.problems] == ["first_seen_snapshot"]


def test_unknown_section(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {})
    text = path.read_text(encoding="utf-8").replace("杨洼闸（王家摆）", "无名闸")
    path.write_text(text, encoding="utf-8")
    got = collect(read_cnemc_realtime(path))
    (problem,) = got.problems
    assert problem.message == "unknown section"
    assert (problem.where.row, problem.where.field) == (2, "section")
    assert "无名闸" in (problem.given or "")
    assert got.samples.empty


def test_bad_values_name_row_and_field(tmp_path: Path) -> None:
    path = cnemc_file(
        tmp_path, {}, {"time": "2025-11-18T12:00", "do": "abc", "codmn": "-1.0", "ph": "15.2", "cls": "Ⅶ"}
    )
    got = collect(read_cnemc_realtime(path))
    found = {(p.where.row, p.where.field, p.message) for p in got.problems}
    assert found == {
        (3, "DO_mg_L_raw", "not a number"),
        (3, "CODMn_mg_L_raw", "impossible codmn value"),
        (3, "pH_raw", "impossible ph value"),
        (3, "water_class", "unknown water class"),
    }
    row3 = got.samples[got.samples["row"] == 3]
    assert set(row3["item"]) == {WaterItem.NH3N, WaterItem.TP}  # the rest of the row is kept
    assert got.rejected_values == 2
    assert "expected" in got.problems[0].describe()


def test_same_section_and_time_twice(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {}, {"do": "8.5"})
    got = collect(read_cnemc_realtime(path))
    messages = [p.message for p in got.problems]
    assert any("given twice with different values" in m for m in messages)
    assert any("given in several rows" in m for m in messages)


def test_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("province,river,section,obs_time_local,water_class,pH\n", encoding="utf-8")
    with pytest.raises(InputError, match="_raw"):
        collect(read_cnemc_realtime(path))
    path.write_text("province,section,pH_raw\n河北省,x,7\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        collect(read_cnemc_realtime(path))


def test_strict_load_raises_with_every_problem(tmp_path: Path) -> None:
    path = cnemc_file(tmp_path, {"do": "abc"})
    with pytest.raises(InputError) as err:
        load_cnemc_realtime(path)
    assert "DO_mg_L_raw" in str(err.value)
    assert len(load_cnemc_realtime(path, strict=False)) == 1


# -- canonical -------------------------------------------------------------------------------------


def test_canonical_csv(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text(
        "section,time,item,value,unit\n"
        "HE11,2025-11-18T16:00+08:00,NH3-N,1.2,mg/L\n"
        "HE11,2025-11-18T16:00+08:00,pb,12,µg/L\n"
        "HE11,2025-11-18T00:00:00Z,溶解氧,6.1,\n"
        "HE11,2025-11-18T16:00+08:00,ph,7.8,无量纲\n"
        "HE11,2025-11-18T16:00+08:00,tp,*,mg/L\n",
        encoding="utf-8",
    )
    got = collect(read_canonical(path))
    assert got.problems == []
    wide = to_wide(got.samples).set_index("time")
    at16 = wide.loc[pd.Timestamp("2025-11-18T16:00+08:00")]
    assert at16["nh3n"] == 1.2
    assert at16["pb"] == pytest.approx(0.012)  # µg/L -> mg/L
    assert at16["ph"] == 7.8
    assert np.isnan(at16["do"])
    assert at16["section"] == "HE11"
    assert str(wide.index[0].tz) == str(CST)
    assert wide.loc[pd.Timestamp("2025-11-18T08:00+08:00"), "do"] == 6.1  # 00:00Z


def test_canonical_problems(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text(
        "section,time,item,value,unit\n"
        "HE11,2025-11-18T16:00,nh3n,1.2,mg/L\n"  # no offset
        "HE11,2025-11-18T16:00+08:00,lead-ish,1,mg/L\n"  # unknown item
        "HE11,2025-11-18T16:00+08:00,tp,0.1,g/L\n"  # unknown unit
        "HE11,2025-11-18T16:00+08:00,do,-3,mg/L\n"  # impossible
        ",2025-11-18T16:00+08:00,do,3,mg/L\n"  # no section
        "HE11,2025-11-18T16:00+08:00,codmn,4,mg/L\n"
        "HE11,2025-11-18T16:00+08:00,codmn,4,mg/L\n"  # exact duplicate: dropped silently
        "HE11,2025-11-18T16:00+08:00,cod,20,mg/L\n"
        "HE11,2025-11-18T16:00+08:00,cod,21,mg/L\n",  # contradiction
        encoding="utf-8",
    )
    got = collect(read_canonical(path))
    found = {(p.where.row, p.where.field) for p in got.problems}
    assert {(2, "time"), (3, "item"), (4, "unit"), (5, "value"), (6, "section"), (9, "cod")} <= found
    assert got.samples["item"].tolist() == [WaterItem.CODMN]


def test_canonical_json_forms(tmp_path: Path) -> None:
    record = {"section": "TJ03", "time": "2025-11-18T16:00+08:00", "item": "tp", "value": 0.21, "unit": "mg/L"}
    doc = tmp_path / "a.json"
    doc.write_text(json.dumps({"samples": [record]}), encoding="utf-8")
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps(record) + "\n" + json.dumps(record | {"item": "do", "value": 5}) + "\n")
    assert collect(read_canonical(doc)).samples["value"].tolist() == [0.21]
    assert len(collect(read_canonical(lines)).samples) == 2
    one = tmp_path / "d.jsonl"
    one.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert len(collect(read_canonical(one)).samples) == 1
    bad = tmp_path / "c.json"
    bad.write_text('{"samples": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="unexpected JSON shape"):
        collect(read_canonical(bad))


def test_cnemc_to_canonical_round_trip(tmp_path: Path) -> None:
    got = collect(read_cnemc_realtime(CNEMC))
    path = tmp_path / "canonical.csv"
    to_canonical(got.samples).to_csv(path, index=False)
    again = collect(read_samples(path))
    assert again.problems == []
    left = to_wide(got.samples).set_index(["section", "time"]).sort_index()
    right = to_wide(again.samples).set_index(["section", "time"]).sort_index()
    pd.testing.assert_frame_equal(left, right, check_index_type=False)


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(CNEMC) is WaterFormat.CNEMC_REALTIME
    canonical = tmp_path / "c.csv"
    canonical.write_text("section,time,item,value,unit\n", encoding="utf-8")
    assert detect_format(canonical) is WaterFormat.CANONICAL
    assert detect_format(tmp_path / "x.json") is WaterFormat.CANONICAL
    other = tmp_path / "o.csv"
    other.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(FormatDetectionError, match="--format"):
        detect_format(other)


def test_not_utf8_and_empty_files(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("section,time,item,value,unit\n杨洼闸,2025-11-18T16:00+08:00,tp,0.1,mg/L\n".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8") as err:
        collect(read_canonical(gbk))
    assert "iconv" in str(err.value)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="file is empty"):
        collect(read_canonical(empty))


def test_display_decimals_are_read_from_the_displayed_columns() -> None:
    """Nov 2025 pages display pH as an integer, DO and CODMn with 1 decimal (the precision CNEMC rounds
    to before classing, [practice.cnemc_realtime]); Feb 2026 pages show more decimals."""
    nov, feb = display_decimals(CNEMC), display_decimals(CNEMC_FEB)
    assert {i.value: nov[i] for i in (WaterItem.PH, WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N, WaterItem.TP)} == {
        "ph": 0, "do": 1, "codmn": 1, "nh3n": 2, "tp": 3,
    }  # fmt: skip
    assert {i.value: feb[i] for i in (WaterItem.PH, WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N, WaterItem.TP)} == {
        "ph": 2, "do": 2, "codmn": 2, "nh3n": 3, "tp": 3,
    }  # fmt: skip
    assert load_cnemc_realtime(CNEMC_FEB).attrs["display_decimals"] == feb


def test_reads_the_feb_2026_pages_without_status_or_tooltip_columns() -> None:
    frame = load_cnemc_realtime(CNEMC_FEB)
    assert len(frame) == 127 and frame["section"].notna().all()
    assert frame["published_class"].notna().sum() == 124
