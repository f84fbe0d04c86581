"""Readers of the China Railway timetable formats, on trimmed real samples (tests/data/NOTICE.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from xietong.errors import InputError
from xietong.transit.china_rail.formats import (
    order_board_rows,
    parse_station_alias,
    read_jingguang_wide,
    read_query_train_info_json,
    read_query_train_info_markdown,
    read_routemaster,
    read_station_boards,
)

DATA = Path(__file__).parents[2] / "data" / "transit" / "rail"
Q = DATA / "12306_2026-06-17"
JSON_12306 = Q / "train_detail_C_20260617_record_sample.json"
MD_12306 = Q / "train_detail_G_20260617_region_rows_sample.md"
ROUTEMASTER = DATA / "routemaster_2021-04-13" / "trains_jjj.json"
JINGGUANG = DATA / "jingguang_hsr"
BOARDS = DATA / "station_boards" / "station_boards_jjj_capitals_sample.csv"


def hms(h: int, m: int, day: int = 0) -> int:
    return day * 86_400 + h * 3600 + m * 60


def run_of(frame, code):  # type: ignore[no-untyped-def]
    return frame[frame["train_code"] == code].sort_values("seq")


def test_12306_json_record() -> None:
    src = read_query_train_info_json(JSON_12306)
    assert src.source_date == date(2026, 6, 17)
    run = run_of(src.runs, "C1001")
    assert list(run["station_name"]) == ["长春", "吉林", "蛟河西", "延吉西"]
    assert list(run["arrival_s"]) == [hms(5, 22), hms(6, 2), hms(6, 31), hms(7, 40)]
    assert list(run["departure_s"]) == [hms(5, 22), hms(6, 5), hms(6, 33), hms(7, 40)]
    assert src.runs["train_no"].iloc[0] == "11000C10010F"


def test_12306_json_next_day_arrivals(tmp_path: Path) -> None:
    # the sample record with its last two stations moved past midnight (arrive_day_diff 1, 次日到达)
    record = json.loads(JSON_12306.read_text(encoding="utf-8"))
    record[0]["data"][0]["start_time"] = "22:22"
    record[0]["data"][1].update(arrive_time="23:02", start_time="23:05")
    record[0]["data"][2].update(arrive_time="23:58", start_time="00:03", arrive_day_diff="0")
    record[0]["data"][3].update(arrive_time="01:10", start_time="01:10", arrive_day_diff="1", arrive_day_str="次日到达")
    path = tmp_path / "train_detail_C_20260617.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    run = run_of(read_query_train_info_json(path).runs, "C1001")
    # a departure earlier on the clock than its arrival is on the next day; day diff 1 is the next day
    assert list(run["departure_s"])[2] == hms(0, 3, day=1)
    assert list(run["arrival_s"])[3] == hms(1, 10, day=1) == 90_600


def test_12306_markdown_renumbered_train() -> None:
    src = read_query_train_info_markdown(MD_12306)
    assert src.source_date == date(2026, 6, 17)
    assert sorted(src.runs["train_code"].unique()) == ["G1", "G1013/G1016", "G1025"]
    run = run_of(src.runs, "G1013/G1016")
    assert run["station_name"].iloc[0] == "成都东"
    assert list(run["station_name"].iloc[-2:]) == ["石家庄", "北京西"]
    assert run["arrival_s"].iloc[-2] == hms(17, 51)
    assert run["departure_s"].iloc[-2] == hms(17, 54)
    assert len(run) == 13
    assert run["train_no"].iloc[0] == "76000G101300"


def test_12306_markdown_next_day_label(tmp_path: Path) -> None:
    text = MD_12306.read_text(encoding="utf-8").replace(
        "北京西(19:07 - 19:07 - 10:38 - 当日到达)", "北京西(01:07 - 01:07 - 16:38 - 次日到达)"
    )
    path = tmp_path / "train_detail_G_20260617.md"
    path.write_text(text, encoding="utf-8")
    run = run_of(read_query_train_info_markdown(path).runs, "G1013/G1016")
    assert run["arrival_s"].iloc[-1] == hms(1, 7, day=1)


def test_12306_markdown_bad_entry_names_line_and_field(tmp_path: Path) -> None:
    text = MD_12306.read_text(encoding="utf-8").replace("石家庄(17:51 - 17:54", "石家庄(17:5x - 17:54")
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_query_train_info_markdown(path)
    where = err.value.problem.where
    assert where.source == str(path)
    assert where.field == "站点[12]"
    assert path.read_text(encoding="utf-8").splitlines()[where.row - 1].startswith("| 15 |")
    assert "HH:MM" in str(err.value)


def test_12306_json_bad_day_label(tmp_path: Path) -> None:
    record = json.loads(JSON_12306.read_text(encoding="utf-8"))
    record[0]["data"][2]["arrive_day_diff"] = "tomorrow"
    path = tmp_path / "x.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_query_train_info_json(path)
    assert (err.value.problem.where.row, err.value.problem.where.field) == (1, "data[2].arrive_day_diff")


def test_routemaster_epoch_seconds_and_backward_days() -> None:
    src = read_routemaster(ROUTEMASTER)
    assert src.source_date == date(2021, 4, 13)
    run = run_of(src.runs, "1462")
    # 上海 departs 20:15 (epoch 1618316100 = 12:15 UTC); 0 = no arrival at the origin
    assert run["departure_s"].iloc[0] == hms(20, 15)
    # 南京 00:12 on the next day
    nj = run[run["station_name"] == "南京"].iloc[0]
    assert nj["arrival_s"] == hms(0, 12, day=1)
    # 泰山: the epoch says 09:00 on the 13th (before 邹城 07:52 on the 14th): moved on one day
    ts = run[run["station_name"] == "泰山"].iloc[0]
    assert ts["arrival_s"] == hms(9, 0, day=1)
    assert run["arrival_s"].iloc[-1] == hms(18, 50, day=1)  # 北京
    assert any("went backwards" in n and "1462" in n for n in src.notes)
    assert run["arrival_s"].is_monotonic_increasing


def test_routemaster_bad_epoch_names_record_and_field(tmp_path: Path) -> None:
    records = json.loads(ROUTEMASTER.read_text(encoding="utf-8"))
    records[1]["Path"][2]["DepartureTime"] = "07:20"
    path = tmp_path / "rm.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_routemaster(path)
    assert (err.value.problem.where.row, err.value.problem.where.field) == (2, "Path[2].DepartureTime")


def test_station_alias_with_full_width_commas() -> None:
    text = (JINGGUANG / "station_alias.json").read_text(encoding="utf-8")
    assert "}，" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    nodes = parse_station_alias(JINGGUANG / "station_alias.json")
    assert [n["station_name"] for n in nodes][:3] == ["北京西", "杜家坎线路所", "涿州东"]
    assert len(nodes) == 13


def test_jingguang_wide_passing_and_blank_columns() -> None:
    raw = (JINGGUANG / "plan_timetable.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM
    src = read_jingguang_wide(JINGGUANG)
    # G1215 (row 1) joins the corridor at 徐水东 (blank columns before) and runs to 安阳东
    run = run_of(src.runs, "G1215")
    assert run["station_name"].iloc[0] == "徐水东"
    assert run["arrival_s"].iloc[0] == hms(14, 56)
    stopping = list(run.loc[run["stops"], "station_name"])
    assert stopping == ["徐水东", "保定东", "石家庄", "邢台东", "安阳东"]
    passed = list(run.loc[~run["stops"], "station_name"])
    assert passed == ["定州东", "正定机场", "高邑西", "邯郸东"]  # arrival == departure
    # G1239 leaves the corridor at 石家庄 (blank columns after): 21:01 == 21:01 there is a pass
    g1239 = run_of(src.runs, "G1239")
    assert g1239["station_name"].iloc[-1] == "石家庄"
    assert not g1239["stops"].iloc[-1]
    # the line post 杜家坎线路所 is never a stop; G619 joins the corridor there
    g619 = run_of(src.runs, "G619")
    assert g619["station_name"].iloc[0] == "杜家坎线路所"
    assert not g619["stops"].iloc[0]
    # corridor ends: 北京西 (origin) and 安阳东 are stops even with one time
    g1563 = run_of(src.runs, "G1563")
    assert bool(g1563["stops"].iloc[0]) and bool(g1563["stops"].iloc[-1])
    assert len(src.passing) == int((~src.runs["stops"]).sum())
    assert src.source_date is None


def test_jingguang_one_blank_of_a_pair_is_an_error(tmp_path: Path) -> None:
    for name in ("station_alias.json", "train_id_mapping.csv"):
        (tmp_path / name).write_bytes((JINGGUANG / name).read_bytes())
    text = (JINGGUANG / "plan_timetable.csv").read_text(encoding="utf-8-sig")
    text = text.replace("1,,,,,,,,,14:56,14:59,", "1,,,,,,,,,14:56,,", 1)
    (tmp_path / "plan_timetable.csv").write_text(text, encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_jingguang_wide(tmp_path)
    assert err.value.problem.where.row == 2
    assert err.value.problem.where.field == "station_5_D"
    assert err.value.problem.where.source.endswith("plan_timetable.csv")


def test_boards_joined_with_after_midnight_detection() -> None:
    src = read_station_boards(BOARDS)
    # 2602 秦皇岛 始 17:20 → 天津 21:46/22:11 → 北京 23:48/00:18 → 张家口 03:48/03:54
    run = run_of(src.runs, "2602")
    assert list(run["station_name"]) == ["秦皇岛", "天津", "北京", "张家口"]
    assert list(run["departure_s"]) == [hms(17, 20), hms(22, 11), hms(0, 18, day=1), hms(3, 54, day=1)]
    # K726 has no 始/终 board: 衡水 16:56 → 天津 21:17 → 山海关 01:28 (the longest gap is before 衡水)
    k726 = run_of(src.runs, "K726")
    assert list(k726["station_name"]) == ["衡水", "天津", "山海关"]
    assert k726["arrival_s"].iloc[-1] == hms(1, 28, day=1)
    # a start and an end board
    c2001 = run_of(src.runs, "C2001")
    assert list(c2001["arrival_s"]) == [hms(6, 43), hms(7, 13)]


def test_order_board_rows_end_board_anchors_the_order() -> None:
    # a train that ends at 22:10 after a call at 23:50 the evening before is impossible: the 终 board is last
    out = order_board_rows([("A", "end", 1800, None), ("B", "through", 85_800, 86_100)])
    assert [n for n, _, _ in out] == ["B", "A"]
    assert out[1][1] == 86_400 + 1800


def test_boards_bad_status_names_row_and_field(tmp_path: Path) -> None:
    text = BOARDS.read_text(encoding="utf-8").replace("北京南,北京,城际动车,始,C2001", "北京南,北京,城际动车,开,C2001")
    path = tmp_path / "boards.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_station_boards(path)
    assert (err.value.problem.where.row, err.value.problem.where.field) == (4, "status")


def test_json_sources_that_are_not_lists_of_records_are_refused_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "trains.json"
    broken.write_text('[{"Date": 1618243200,\n "Code": }]', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as err:
        read_routemaster(broken)
    assert err.value.problem.where is not None and err.value.problem.where.row == 2
    scalar = tmp_path / "scalar.json"
    scalar.write_text("42", encoding="utf-8")
    with pytest.raises(InputError, match="not a list of RouteMaster train records"):
        read_routemaster(scalar)
    with pytest.raises(InputError, match="not a list of 12306 queryTrainInfo records"):
        read_query_train_info_json(scalar)
