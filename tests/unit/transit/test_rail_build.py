"""The regional feed from the trimmed samples: merge, dedup, coverage, GTFS round trip, the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from xietong.cli import app
from xietong.errors import InputError
from xietong.transit.china_rail import build_regional_feed, find_sources, read_source
from xietong.transit.china_rail.runs import RailFormat
from xietong.transit.feed import write_feed

DATA = Path(__file__).parents[2] / "data" / "transit" / "rail"


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    found = find_sources([DATA])
    sources = [read_source(fmt, path) for fmt, path in found.timetables]
    return build_regional_feed(sources, found.registry())


def test_all_formats_detected() -> None:
    found = find_sources([DATA])
    assert sorted(f.value for f, _ in found.timetables) == sorted(f.value for f in RailFormat)
    assert found.stations_csv is not None and found.stations_csv.name.startswith("12306_stations")
    assert [p.name for p in found.coords_csv] == ["station_coords_heywhale_2021_sample.csv"]


def test_feed_tables_follow_the_contract(built) -> None:  # type: ignore[no-untyped-def]
    feed, report = built
    assert feed.agency["agency_name"].iloc[0].startswith("China Railway")
    assert set(feed.routes["route_type"]) == {2}
    assert feed.trips["trip_id"].is_unique
    assert feed.stop_times["arrival_time"].dtype == "Int64"
    assert feed.stops["stop_id"].is_unique
    assert {"city_code", "city_name", "location_source"} <= set(feed.stops.columns)
    # every stop of a stop_time exists; every trip has a service on the representative day
    assert set(feed.stop_times["stop_id"]) <= set(feed.stops["stop_id"])
    assert set(feed.trips["service_id"]) <= set(feed.calendar_dates["service_id"])
    assert set(feed.calendar_dates["date"]) == {"20260617"}
    assert report.service_date == date(2026, 6, 17)


def test_renumbered_train_keeps_both_numbers(built) -> None:  # type: ignore[no-untyped-def]
    feed, _ = built
    trip = feed.trips[feed.trips["trip_short_name"] == "G1013/G1016"]
    assert len(trip) == 1
    st = feed.stop_times[feed.stop_times["trip_id"] == trip["trip_id"].iloc[0]]
    assert list(st["stop_id"].iloc[-2:]) == ["SJP", "BXP"]


def test_passing_stations_are_not_stop_times(built) -> None:  # type: ignore[no-untyped-def]
    feed, report = built
    trip = feed.trips[feed.trips["trip_short_name"] == "G1215"]["trip_id"].iloc[0]
    names = feed.stop_times[feed.stop_times["trip_id"] == trip].merge(feed.stops, on="stop_id")["stop_name"]
    assert "定州东" not in set(names) and "石家庄" in set(names)
    assert ((report.passing["train_code"] == "G1215") & (report.passing["station_name"] == "定州东")).any()


def test_next_day_times_survive_into_the_feed(built) -> None:  # type: ignore[no-untyped-def]
    feed, _ = built
    trip = feed.trips[feed.trips["trip_short_name"] == "2602"]["trip_id"].iloc[0]
    st = feed.stop_times[feed.stop_times["trip_id"] == trip]
    assert st["departure_time"].iloc[-1] == 86_400 + 3 * 3600 + 54 * 60


def test_same_train_in_several_sources_keeps_one_and_says_so(built) -> None:  # type: ignore[no-untyped-def]
    feed, report = built
    # G1 is in the 2026 12306 markdown, the 2021 RouteMaster file and the c2020 boards: whole runs
    # first, then more stops, then the newest timetable
    g1 = feed.trips[feed.trips["trip_short_name"] == "G1"]
    assert len(g1) == 1
    assert g1["source"].iloc[0] == "12306-markdown"
    dup = report.duplicates.set_index("train_code").loc["G1"]
    assert "routemaster" in dup["dropped"] and "station-boards" in dup["dropped"]


def test_coverage_report_numbers(built) -> None:  # type: ignore[no-untyped-def]
    _, report = built
    data = report.as_dict()
    json.dumps(data, ensure_ascii=False)  # JSON-ready
    pairs = report.city_pairs.set_index(["from_city", "to_city"])
    # G6701 北京西 10:38 → 石家庄 11:58 (boards); the 12306 G1013/G1016 runs 石家庄 → 北京西 in 73 min
    assert pairs.loc[("北京", "石家庄"), "trips"] >= 1
    assert pairs.loc[("石家庄", "北京"), "fastest_min"] == 73
    assert data["stations"]["not_in_12306_list"] == 1  # 徐水东
    gaps = data["gaps"]
    assert any(
        g["stop_name"] == "保定东" and g["location_source"] == "city_point"
        for g in gaps["stations_without_coordinates"]
    )
    missing = {t["city"] for t in gaps["targets_without_station"]}
    assert {"唐山", "承德"} <= missing
    assert "石家庄" not in missing
    one_way = set(zip(report.one_direction["from_city"], report.one_direction["to_city"], strict=True))
    assert ("保定", "石家庄") in one_way  # the Jingguang plan is southbound only


def test_round_trip_through_write_feed(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed, _ = built
    path = write_feed(feed, tmp_path / "regional.zip")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar_dates.txt"} <= names
        stops = pd.read_csv(io.BytesIO(zf.read("stops.txt")), dtype=str, keep_default_na=False)
        st = pd.read_csv(io.BytesIO(zf.read("stop_times.txt")), dtype=str, keep_default_na=False)
        trips = pd.read_csv(io.BytesIO(zf.read("trips.txt")), dtype=str, keep_default_na=False)
    assert len(stops) == len(feed.stops) and len(st) == len(feed.stop_times)
    assert stops.set_index("stop_id").loc["SJP", "city_code"] == "130100"
    trip = trips[trips["trip_short_name"] == "2602"]["trip_id"].iloc[0]
    assert st[st["trip_id"] == trip]["departure_time"].iloc[-1] == "27:54:00"


def test_undated_sources_need_a_service_date() -> None:
    found = find_sources([DATA / "station_boards"])
    boards = read_source(*found.timetables[0])
    reg = find_sources([DATA / "stations"]).registry()
    with pytest.raises(InputError, match="service date"):
        build_regional_feed([boards], reg)
    feed, _ = build_regional_feed([boards], reg, service_date=date(2020, 12, 1))
    assert set(feed.calendar_dates["date"]) == {"20201201"}


def test_cli_build_gtfs(tmp_path: Path) -> None:
    out = tmp_path / "regional.zip"
    result = CliRunner().invoke(app, ["transit", "build-gtfs", str(DATA), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["out"] == str(out)
    assert data["trains"] == sum(s["runs_kept"] for s in data["sources"]) > 0
    assert out.is_file()
    table = CliRunner().invoke(app, ["transit", "build-gtfs", str(DATA), "--out", str(out)])
    assert table.exit_code == 0
    assert "Direct service between the target cities" in table.stdout


def test_cli_bad_source_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["transit", "build-gtfs", str(tmp_path / "nowhere"), "--out", "x.zip"])
    assert result.exit_code == 2
    assert "source path does not exist" in result.stderr
