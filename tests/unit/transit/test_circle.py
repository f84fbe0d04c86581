"""The N-hour circle: journeys a traveller takes, changing stations within a city, targets without data,
the road column, GeoJSON, scenario diffs and the commands."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.unit.transit.test_scenario import HEAD
from xietong import region
from xietong.cli import app
from xietong.errors import InputError
from xietong.transit.circle import CircleReport, circle_report, isochrone
from xietong.transit.feed import Feed, write_feed
from xietong.transit.road import road_time_min
from xietong.transit.scenario import load_scenario
from xietong.transit.service import feed_service_date, scenario_diff
from xietong.transit.timetable import TimetableBuilder

DAY = date(2026, 6, 17)

#: station → (name, city code, offset from the city point [deg lat]); 辛集南 is a county town 60 km out
STATIONS = {
    "SJP": ("石家庄", "130100", 0.0),
    "IJP": ("辛集南", "130100", 0.55),
    "BXP": ("北京西", "110000", 0.0),
    "VNP": ("北京南", "110000", 0.02),
    "TJP": ("天津", "120000", 0.0),
    "HDP": ("邯郸东", "130400", 0.0),
}


def toy_feed() -> Feed:
    """Real city points, toy trains on one service day (2026-06-17)."""
    b = (
        TimetableBuilder()
        .trip("SJP 08:00", "BXP 09:05", trip_id="G1")
        .trip("SJP 08:30", "BXP 09:40", trip_id="G3")  # dominated: G5 leaves later and arrives as early
        .trip("SJP 09:00", "BXP 09:40", trip_id="G5")
        .trip("IJP 08:50", "HDP 09:10", trip_id="G7")  # from a county town: not a journey from the city
        .trip("SJP 10:00", "HDP 10:40", trip_id="G9")
        .trip("VNP 10:30", "TJP 11:00", trip_id="C11")
    )
    feed = b.feed()
    pts = {sid: region.get(code) for sid, (_, code, _) in STATIONS.items()}
    stops = feed.stops.assign(
        stop_name=[STATIONS[s][0] for s in feed.stops["stop_id"]],
        stop_lat=[pts[s].lat + STATIONS[s][2] for s in feed.stops["stop_id"]],
        stop_lon=[pts[s].lon for s in feed.stops["stop_id"]],
        city_code=[STATIONS[s][1] for s in feed.stops["stop_id"]],
        location_source="coordinates",
    )
    trips = feed.trips.assign(service_id="D", trip_short_name=feed.trips["trip_id"])
    dates = pd.DataFrame({"service_id": ["D"], "date": ["20260617"], "exception_type": [1]})
    return feed.with_tables(stops=stops, trips=trips, calendar_dates=dates)


def row(report: CircleReport, city: str) -> dict[str, object]:
    return next(r.as_dict() for r in report.rows if r.city == city)


def test_rail_times_count_only_the_journeys_a_traveller_takes() -> None:
    report = circle_report(toy_feed(), service_date=DAY, targets=("110000",), window_s=(0, 86_400))
    bj = row(report, "北京")
    # G1 08:00→09:05 (65 min) and G5 09:00→09:40 (40 min); G3 (08:30→09:40) is dominated by G5
    assert (bj["rail_min"], bj["rail_typical_min"], bj["rail_journeys"]) == (40.0, 52.5, 2)
    assert bj["rail_departures_within"] == "08:00 09:00"
    assert bj["rail_best_trains"] == "G5 石家庄 09:00→北京西 09:40"
    assert bj["rail_within"] is True and bj["within"] is True


def test_the_window_filters_departures_but_journeys_may_wait_for_a_later_train() -> None:
    report = circle_report(toy_feed(), service_date=DAY, targets=("110000",), window_s=(8 * 3600 + 600, 9 * 3600))
    bj = row(report, "北京")
    assert (bj["rail_min"], bj["rail_journeys"]) == (40.0, 1)  # only G5 leaves in 08:10–09:00


def test_changing_stations_within_a_city_costs_the_assumed_transfer_time() -> None:
    report = circle_report(toy_feed(), service_date=DAY, targets=("120000",), window_s=(0, 86_400))
    tj = row(report, "天津")
    # G5 to 北京西 09:40, change to 北京南 (45 min) 10:25, C11 10:30 → 天津 11:00: 120 min from 09:00
    assert tj["rail_min"] == 120.0
    assert tj["rail_best_trains"] == "G5 石家庄 09:00→北京西 09:40; change 北京西→北京南; C11 北京南 10:30→天津 11:00"
    faster = circle_report(
        toy_feed(), service_date=DAY, targets=("120000",), window_s=(0, 86_400), city_transfer_s=15 * 60
    )
    assert row(faster, "天津")["rail_min"] == 120.0  # still waits for C11 at 10:30


def test_a_county_town_station_is_not_the_city_unless_asked() -> None:
    urban = circle_report(toy_feed(), service_date=DAY, targets=("130400",), window_s=(0, 86_400))
    assert row(urban, "邯郸")["rail_min"] == 40.0  # G9 from 石家庄, not G7 from 辛集南 (60 km out)
    prefecture = circle_report(
        toy_feed(), service_date=DAY, targets=("130400",), window_s=(0, 86_400), station_radius_km=None
    )
    assert row(prefecture, "邯郸")["rail_min"] == 20.0


def test_targets_without_data_are_listed_with_a_note_never_dropped() -> None:
    report = circle_report(toy_feed(), service_date=DAY)
    cities = [r.city for r in report.rows]
    assert len(cities) == 15 and "石家庄" not in cities  # Beijing, Tianjin, 10 Hebei cities, 3 capitals
    jinan = row(report, "济南")
    assert math.isnan(float(jinan["rail_min"] or math.nan)) and jinan["within"] is False
    assert "no station of 济南" in str(jinan["note"]) and "no road data" in str(jinan["note"])
    tangshan = row(report, "唐山")
    assert "no station of 唐山" in str(tangshan["note"])
    # the road column is the modelled table's value, marked as such in the assumptions
    assert tangshan["road_min"] == round(road_time_min("130100", "130200")[0], 1)
    assert "modelled" in report.assumptions["road"]


def test_road_alone_can_put_a_city_within_the_circle() -> None:
    report = circle_report(toy_feed(), service_date=DAY, targets=("130500",), minutes=90)
    xingtai = row(report, "邢台")
    road_min = road_time_min("130100", "130500")[0]
    assert road_min <= 90 and xingtai["road_within"] is True and xingtai["within"] is True
    assert xingtai["rail_within"] is False


def test_geojson_is_map_ready() -> None:
    gj = circle_report(toy_feed(), service_date=DAY, targets=("110000", "370100")).geojson()
    kinds = [f["geometry"]["type"] for f in gj["features"]]
    assert kinds == ["Point", "Point", "LineString", "Point", "LineString"]
    assert gj["features"][0]["properties"]["role"] == "centre"
    jinan = gj["features"][3]["properties"]
    assert jinan["city"] == "济南" and jinan["rail_min"] is None and jinan["note"]
    json.dumps(gj)  # plain JSON types only


def test_bad_requests_say_what_to_do() -> None:
    with pytest.raises(InputError, match="positive threshold"):
        circle_report(toy_feed(), minutes=0)
    with pytest.raises(InputError, match="no station of the centre city"):
        circle_report(toy_feed(), centre="唐山", service_date=DAY)
    with pytest.raises(InputError, match="carry no city"):
        circle_report(toy_feed().with_tables(stops=toy_feed().stops.drop(columns="city_code")))


#: a toy 石家庄–天津 line in the scenario format of test_scenario.py: 70 min, hourly 07:00–09:00, both ways
SCENARIO = (
    HEAD.format(headway=60, first="07:00", last="09:00", directions="both")
    + """
[[station]]
name = "石家庄"

[[station]]
name = "天津"
run_min = 70
"""
)


def test_a_planned_line_changes_the_circle(tmp_path: Path) -> None:
    plan = tmp_path / "tianjin.toml"
    plan.write_text(SCENARIO, encoding="utf-8")
    feed = toy_feed()
    assert feed_service_date(feed) == DAY
    diff = scenario_diff(feed, load_scenario(plan), service_date=None, window_s=(0, 86_400)).to_frame()
    tj = diff.set_index("city").loc["天津"]
    assert (tj["rail_min_before"], tj["rail_min_after"], tj["rail_change_min"]) == (120.0, 70.0, -50.0)
    assert not tj["within_before"] and tj["within_after"] and tj["changed"]
    assert tj["journeys_within_after"] == 3  # 07:00, 08:00, 09:00
    assert not diff.set_index("city").loc["北京", "changed"]


def test_the_circle_and_scenario_commands(tmp_path: Path) -> None:
    gtfs = write_feed(toy_feed(), tmp_path / "toy.zip")
    out = tmp_path / "circle.geojson"
    args = ["transit", "circle", "--centre", "石家庄", "--minutes", "90", "--gtfs", str(gtfs)]
    result = CliRunner().invoke(app, [*args, "--format", "csv", "--geojson", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"city", "rail_min", "road_min", "within", "note"} <= set(rows[0])
    by_city = {r["city"]: r for r in rows}
    assert len(rows) == 15 and by_city["北京"]["within"] == "True" and by_city["济南"]["note"]
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    table = CliRunner().invoke(app, [*args, "--geojson", str(out)])
    assert table.exit_code == 0 and "90-minute circle from 石家庄" in table.stdout
    plan = tmp_path / "tianjin.toml"
    plan.write_text(SCENARIO, encoding="utf-8")
    diff = CliRunner().invoke(app, ["transit", "scenario", str(plan), "--gtfs", str(gtfs), "--format", "csv"])
    assert diff.exit_code == 0, diff.output
    changed = [r["city"] for r in csv.DictReader(io.StringIO(diff.stdout)) if r["changed"] == "True"]
    assert changed == ["天津"]
    bad = CliRunner().invoke(app, [*args, "--from-time", "25h"])
    assert bad.exit_code == 2 and "HH:MM" in bad.output


def test_the_circle_writes_no_file_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`transit circle --format csv` prints the table; without --geojson nothing is written to the cwd."""
    gtfs = write_feed(toy_feed(), tmp_path / "toy.zip")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for fmt in ("csv", "table", "json"):
        result = CliRunner().invoke(app, ["transit", "circle", "--gtfs", str(gtfs), "--format", fmt])
        assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []


def test_a_corridor_covered_one_way_only_is_flagged() -> None:
    """A source with only one direction (the Jingguang plan is southbound only) must not pass silently."""
    feed = toy_feed()
    st = feed.stop_times[feed.stop_times["trip_id"] != "G9"]
    back = pd.DataFrame(
        {
            "trip_id": ["G10", "G10"],
            "arrival_time": pd.array([11 * 3600, 11 * 3600 + 2400], dtype="Int64"),
            "departure_time": pd.array([11 * 3600, 11 * 3600 + 2400], dtype="Int64"),
            "stop_id": ["HDP", "SJP"],
            "stop_sequence": [1, 2],
        }
    )
    trips = pd.concat([feed.trips[feed.trips["trip_id"] != "G9"], feed.trips.iloc[[0]].assign(trip_id="G10")])
    one_way = feed.with_tables(stop_times=pd.concat([st, back], ignore_index=True), trips=trips)
    handan = row(circle_report(one_way, service_date=DAY, targets=("130400",)), "邯郸")
    assert "1 direct trains 邯郸→石家庄 but none 石家庄→邯郸" in str(handan["note"])
    assert "no rail journey" in str(handan["note"])
    both_ways = row(circle_report(toy_feed(), service_date=DAY, targets=("130400",)), "邯郸")
    assert "direct trains" not in str(both_ways["note"])


def test_isochrones_follow_the_circle_rules_for_every_station() -> None:
    iso = isochrone(toy_feed(), service_date=DAY, bands_min=(30, 60, 90), window_s=(0, 86_400))
    by_stop = iso.stations.set_index("stop_id")
    assert by_stop.loc["SJP", "rail_min"] == 0.0
    assert (by_stop.loc["BXP", "rail_min"], by_stop.loc["BXP", "journeys"], by_stop.loc["BXP", "band_min"]) == (
        40.0, 2, 60.0,
    )  # fmt: skip
    assert by_stop.loc["TJP", "rail_min"] == 120.0 and math.isnan(by_stop.loc["TJP", "band_min"])  # beyond 90
    # 辛集南 is Shijiazhuang's prefecture but not the city's own station: no journey starts there
    assert not by_stop.loc["IJP", "city_station"] and math.isnan(by_stop.loc["IJP", "rail_min"])
    cities = iso.cities().set_index("city")
    circle = circle_report(toy_feed(), service_date=DAY, window_s=(0, 86_400), targets=("110000", "120000", "130400"))
    for r in circle.rows:
        assert cities.loc[r.city, "rail_min"] == r.rail_min
    gj = iso.geojson()
    assert {f["properties"]["stop_id"] for f in gj["features"]} == set(STATIONS)
    json.dumps(gj)
    with pytest.raises(InputError, match="positive minutes"):
        isochrone(toy_feed(), bands_min=(0, 30))


def test_the_isochrone_command_and_the_city_matrix(tmp_path: Path) -> None:
    gtfs = write_feed(toy_feed(), tmp_path / "toy.zip")
    iso = CliRunner().invoke(app, ["transit", "isochrone", "--gtfs", str(gtfs), "--bands", "30,60", "--format", "csv"])
    assert iso.exit_code == 0, iso.output
    rows = {r["city"]: r for r in csv.DictReader(io.StringIO(iso.stdout))}
    assert rows["北京"]["rail_min"] == "40.0" and rows["北京"]["band_min"] == "60.0"
    bad = CliRunner().invoke(app, ["transit", "isochrone", "--gtfs", str(gtfs), "--bands", "half an hour"])
    assert bad.exit_code == 2 and "comma-separated" in bad.output
    out = tmp_path / "cities.csv"
    args = ["transit", "matrix", "--gtfs", str(gtfs), "--date", "2026-06-17", "--from-time", "08:00"]
    m = CliRunner().invoke(app, [*args, "--to-time", "09:00", "--step-min", "30", "--by-city", "--out", str(out)])
    assert m.exit_code == 0, m.output
    cities = pd.read_csv(out, dtype={"from_city": str, "to_city": str}).set_index(["from_city", "to_city"])
    # leaving 石家庄 at 08:00, 08:30, 09:00 → 北京西 09:05, 09:40, 09:40: 65, 70, 40 min
    assert tuple(cities.loc[("130100", "110000"), ["p10_min", "p50_min", "p90_min"]]) == (40.0, 65.0, 70.0)
