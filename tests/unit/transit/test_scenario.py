"""Planned-line scenarios: loading, synthetic trips on a small feed, midnight, errors, shipped files."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from xietong.errors import InputError, UnknownStationError
from xietong.transit.feed import Feed, write_feed
from xietong.transit.scenario import Directions, ScenarioStatus, apply_scenario, load_scenario

SCENARIOS = Path(__file__).parents[3] / "scenarios"

HEAD = """
name = "测试线 test line"
status = "planned"
source = "written for this test"

[running_time]
assumed = true
note = "test"

[dwell]
minutes = 2
assumed = true
note = "test"

[headway]
minutes = {headway}
assumed = true
note = "test"

[service]
first_departure = "{first}"
last_departure = "{last}"
directions = "{directions}"
"""

STATIONS = """
[[station]]
name = "石家庄"

[[station]]
name = "无极"
lon = 114.98
lat = 38.19
city_code = "130100"
run_min = 20

[[station]]
name = "保定东"
run_min = 30
dwell_min = 5

[[station]]
name = "北京西"
run_min = 40
"""


def small_feed() -> Feed:
    stops = pd.DataFrame(
        {
            "stop_id": ["SJP", "BMP", "BXP"],
            "stop_name": ["石家庄", "保定东", "北京西"],
            "stop_lat": [38.009798, 38.863534, 39.894],
            "stop_lon": [114.478375, 115.595701, 116.321],
            "city_code": ["130100", "130600", "110000"],
            "city_name": ["石家庄", "保定", "北京"],
            "location_source": ["coords", "coords", "coords"],
        }
    )
    trips = pd.DataFrame({"route_id": ["R1"], "service_id": ["S1"], "trip_id": ["G1"]})
    stop_times = pd.DataFrame(
        {
            "trip_id": ["G1", "G1"],
            "arrival_time": pd.array([8 * 3600, 9 * 3600], dtype="Int64"),
            "departure_time": pd.array([8 * 3600, 9 * 3600], dtype="Int64"),
            "stop_id": ["SJP", "BXP"],
            "stop_sequence": [1, 2],
        }
    )
    return Feed(stops=stops, trips=trips, stop_times=stop_times)


def write(
    tmp_path: Path,
    *,
    headway: int = 60,
    first: str = "07:00",
    last: str = "09:00",
    directions: str = "both",
    stations: str = STATIONS,
    name: str = "test-line.toml",
) -> Path:
    path = tmp_path / name
    path.write_text(HEAD.format(headway=headway, first=first, last=last, directions=directions) + stations)
    return path


def test_apply_adds_trips_with_expected_times_both_directions(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path))
    feed = small_feed()
    out = apply_scenario(feed, scenario, date(2026, 6, 17))
    # 07:00, 08:00, 09:00 from each end
    new_trips = out.trips[out.trips["route_id"] == "scn:test-line"]
    assert len(new_trips) == 6
    assert set(new_trips["direction_id"]) == {0, 1}
    assert (new_trips["service_id"] == "scn:test-line:20260617").all()
    assert out.calendar_dates.to_dict("records") == [
        {"service_id": "scn:test-line:20260617", "date": "20260617", "exception_type": 1}
    ]
    st = out.stop_times
    f0700 = st[st["trip_id"] == "scn:test-line:f:0700"].sort_values("stop_sequence")
    h = 3600
    # 石家庄 07:00 → 无极 07:20 (dwell 2) → 保定东 07:52 (dwell 5) → 北京西 08:37
    assert f0700["stop_id"].tolist() == ["SJP", "scn:test-line:无极", "BMP", "BXP"]
    assert f0700["arrival_time"].tolist() == [7 * h, 7 * h + 20 * 60, 7 * h + 52 * 60, 8 * h + 37 * 60]
    assert f0700["departure_time"].tolist() == [7 * h, 7 * h + 22 * 60, 7 * h + 57 * 60, 8 * h + 37 * 60]
    b0800 = st[st["trip_id"] == "scn:test-line:b:0800"].sort_values("stop_sequence")
    # 北京西 08:00 → 保定东 08:40 (dwell 5) → 无极 09:15 (dwell 2) → 石家庄 09:37
    assert b0800["stop_id"].tolist() == ["BXP", "BMP", "scn:test-line:无极", "SJP"]
    assert b0800["arrival_time"].tolist() == [8 * h, 8 * h + 40 * 60, 9 * h + 15 * 60, 9 * h + 37 * 60]
    assert str(st["arrival_time"].dtype) == "Int64"
    # the new station is appended once, with its city; existing tables keep their rows
    new_stop = out.stops[out.stops["stop_id"] == "scn:test-line:无极"].iloc[0]
    assert (new_stop["city_code"], new_stop["city_name"], new_stop["stop_lon"]) == ("130100", "石家庄", 114.98)
    assert new_stop["location_source"] == "scenario test-line"
    assert len(out.stops) == 4 and len(out.stop_times) == 2 + 6 * 4
    assert out.routes.iloc[-1]["route_type"] == 2
    # the input feed is unchanged
    assert len(feed.trips) == 1 and len(feed.stops) == 3


def test_feed_station_wins_over_scenario_coordinates(tmp_path: Path) -> None:
    feed = small_feed()
    feed = feed.with_tables(
        stops=pd.concat(
            [feed.stops, pd.DataFrame([{"stop_id": "WJ", "stop_name": "无极", "stop_lat": 38.2, "stop_lon": 115.0}])]
        )
    )
    out = apply_scenario(feed, load_scenario(write(tmp_path)), date(2026, 6, 17))
    assert len(out.stops) == 4
    assert "WJ" in set(out.stop_times["stop_id"])


def test_trips_past_midnight_stay_on_the_service_day(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, headway=30, first="23:00", last="00:30", directions="forward"))
    assert scenario.directions is Directions.FORWARD
    assert scenario.departures_s() == [23 * 3600, 23 * 3600 + 1800, 24 * 3600, 24 * 3600 + 1800]
    out = apply_scenario(small_feed(), scenario, date(2026, 6, 17))
    st = out.stop_times[out.stop_times["trip_id"].str.startswith("scn:")]
    assert st["trip_id"].nunique() == 4
    last = st[st["trip_id"] == "scn:test-line:f:2430"].sort_values("stop_sequence")
    assert last["arrival_time"].iloc[-1] == 24 * 3600 + 1800 + 97 * 60  # 02:07 next morning = 26:07:00
    first = st[st["trip_id"] == "scn:test-line:f:2300"].sort_values("stop_sequence")
    assert first["arrival_time"].iloc[-1] == 23 * 3600 + 97 * 60  # 24:37:00
    # GTFS text form passes 24:00
    zpath = write_feed(out, tmp_path / "feed.zip")
    with zipfile.ZipFile(zpath) as zf:
        text = zf.read("stop_times.txt").decode()
    assert "26:07:00" in text and "24:37:00" in text


def test_unknown_station_names_the_file_and_close_names(tmp_path: Path) -> None:
    stations = STATIONS.replace('name = "北京西"', 'name = "北京西站"')
    path = write(tmp_path, stations=stations)
    with pytest.raises(UnknownStationError) as err:
        apply_scenario(small_feed(), load_scenario(path), date(2026, 6, 17))
    msg = str(err.value)
    assert "北京西站" in msg and str(path) in msg and "station[3].name" in msg and "北京西" in msg


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('note = "test"\n\n[dwell]', 'note = ""\n\n[dwell]', "running_time.note"),
        ('status = "planned"', 'status = "dreamt"', "status"),
        ("run_min = 30", "run_min = -3", "station[2].run_min"),
        ("run_min = 30", 'run_min = "half an hour"', "station[2].run_min"),
        ('city_code = "130100"', 'city_code = "999999"', "station[1].city_code"),
        ("lat = 38.19\n", "", "station[1].lon"),
    ],
)
def test_load_errors_name_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = write(tmp_path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert key in str(err.value) and str(path) in str(err.value)


def test_bad_time_and_too_few_stations(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"service\.first_departure"):
        load_scenario(write(tmp_path, first="7 am"))
    one = '\n[[station]]\nname = "石家庄"\n'
    with pytest.raises(InputError, match="at least two"):
        load_scenario(write(tmp_path, stations=one))


@pytest.mark.parametrize(
    "name", ["tianjin-shijiazhuang", "beijing-tianjin-second-hsr", "shijiazhuang-xiongan", "beijing-tangshan"]
)
def test_shipped_scenarios_load_mark_assumptions_and_apply_to_an_empty_feed(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.status in set(ScenarioStatus)
    assert all(a.assumed and a.note for a in scenario.assumptions)
    assert {a.key for a in scenario.assumptions} == {"running_time", "dwell", "headway", "service"}
    assert all(s.has_location and s.city_code for s in scenario.stations)
    out = apply_scenario(Feed(), scenario, date(2026, 6, 17))
    n_trips = len(scenario.departures_s()) * 2
    assert len(out.trips) == n_trips
    assert len(out.stop_times) == n_trips * len(scenario.stations)
    assert len(out.stops) == len(scenario.stations)
    durations = (
        out.stop_times.groupby("trip_id")["arrival_time"].max()
        - out.stop_times.groupby("trip_id")["departure_time"].min()
    )
    assert durations.nunique() == 1  # same pattern each way
