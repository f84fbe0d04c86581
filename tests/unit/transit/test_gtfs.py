"""GTFS reader, validator, findings, calendars, frequencies and namespaced merging."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import DATA
from xietong.errors import DuplicateRecordError
from xietong.transit.gtfs import (
    FindingKind,
    GtfsError,
    UnknownStopError,
    active_services,
    check_feed,
    expand_frequencies,
    merge_feeds,
    read_feed,
)
from xietong.transit.timetable import compile_timetable

T = DATA / "transit"


def write(tmp: Path, **files: str) -> Path:
    base = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nB,b,0,0.1\nC,c,0,0.2\n",
        "routes.txt": "route_id,route_type\nR,3\n",
        "trips.txt": "route_id,service_id,trip_id\nR,S,T1\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,23:50:00,23:50:00,A,1\nT1,,,B,2\nT1,25:10:00,25:10:00,C,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "S,1,1,1,1,1,0,0,20240101,20241231\n",
    }
    base.update({k.replace("_txt", ".txt"): v for k, v in files.items()})
    for name, text in base.items():
        (tmp / name).write_text(text, encoding="utf-8")
    return tmp


def test_trensurb_header_quirks_and_porto_alegre_empty_times() -> None:
    feed = read_feed(T / "poa_trensurb.zip")
    assert "agency_name" in feed.agency.columns  # header " agency_name" with a leading space
    assert len(feed.stops) == 24 and len(feed.stop_times) == 14855
    eptc = read_feed(T / "poa_eptc_subset.zip")
    assert eptc.stop_times["arrival_time"].isna().sum() > 1000  # empty intermediate times stay <NA>


def test_times_past_midnight_and_interpolated_intermediate(tmp_path: Path) -> None:
    feed = read_feed(write(tmp_path))
    assert feed.stop_times["arrival_time"].tolist()[2] == 25 * 3600 + 600
    tt = compile_timetable(feed, date(2024, 5, 6))  # a Monday
    # B halfway (in distance) between 23:50 and 25:10
    assert sorted(tt.arrival_s.tolist()) == [23 * 3600 + 50 * 60, 24 * 3600 + 30 * 60, 25 * 3600 + 600]
    # Tuesday 00:30 sees Monday's trip shifted by one day
    tue = compile_timetable(feed, date(2024, 5, 7))
    assert 1 * 3600 + 600 in tue.arrival_s.tolist() and list(tue.trip_day_offset).count(-1) == 1


@pytest.mark.parametrize(
    ("files", "fragment", "error"),
    [
        ({"stops_txt": "stop_id,stop_name,stop_lat\nA,a,0\n"}, "stops.txt, field 'stop_lon'", GtfsError),
        (
            {"stop_times_txt": "trip_id,arrival_time,stop_id,stop_sequence\nT1,08:00:00,A,1\n"},
            "field 'departure_time'",
            GtfsError,
        ),
        (
            {
                "stop_times_txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,Z,2\n"
            },
            "stop_times.txt, row 2, field 'stop_id'",
            UnknownStopError,
        ),
        (
            {
                "stop_times_txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,8h10,08:10:00,B,2\n"
            },
            "stop_times.txt, row 2, field 'arrival_time'",
            GtfsError,
        ),
        (
            {
                "stop_times_txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,07:50:00,07:50:00,B,2\n"
            },
            "stop_times.txt, row 2, field 'arrival_time'",
            GtfsError,
        ),
    ],
    ids=["missing-column", "missing-time-column", "unknown-stop", "unparsable-time", "backwards"],
)
def test_hard_errors_name_file_row_field(tmp_path: Path, files: dict[str, str], fragment: str, error: type) -> None:
    with pytest.raises(error) as info:
        read_feed(write(tmp_path, **files))
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_findings_zero_time_and_too_fast(tmp_path: Path) -> None:
    st = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,A,1\nT1,08:00:00,08:00:00,B,2\nT1,08:01:00,08:01:00,C,3\n"
    )
    findings = check_feed(read_feed(write(tmp_path, stop_times_txt=st)))
    kinds = {(f.kind, f.where.row) for f in findings}
    # A→B is 11 km in 0 s; B→C 11 km in 60 s = 667 km/h
    assert kinds == {(FindingKind.ZERO_TIME_DISTANT, 2), (FindingKind.TOO_FAST, 3)}
    assert check_feed(read_feed(T / "poa_trensurb.zip")) == []


def test_calendar_exceptions_from_cairns() -> None:
    feed = read_feed(T / "cairns_subset.zip")
    weekday = "CNS2014-CNS_MUL-Weekday-00"
    assert weekday in active_services(feed, date(2014, 6, 2))
    assert weekday not in active_services(feed, date(2014, 6, 9))  # calendar_dates: removed (holiday)
    assert weekday not in active_services(feed, date(2014, 6, 7))  # Saturday


def test_frequencies_expand_to_trips(tmp_path: Path) -> None:
    feed = read_feed(
        write(tmp_path, frequencies_txt="trip_id,start_time,end_time,headway_secs\nT1,06:00:00,07:00:00,1200\n")
    )
    out = expand_frequencies(feed)
    assert sorted(out.trips["trip_id"]) == ["T1@06:00:00", "T1@06:20:00", "T1@06:40:00"]
    first = out.stop_times[out.stop_times["trip_id"] == "T1@06:20:00"]
    assert first["arrival_time"].tolist()[0] == 6 * 3600 + 1200
    assert first["arrival_time"].tolist()[2] == 6 * 3600 + 1200 + 80 * 60


def test_merge_namespaces_keeps_extra_columns() -> None:
    a = read_feed(T / "poa_trensurb.zip")
    a = a.with_tables(stops=a.stops.assign(city_code="4314902"))
    b = read_feed(T / "cairns_subset.zip", namespace="cns")
    merged = merge_feeds(a, b, namespaces=["poa", "x"])
    assert "poa:MR" in set(merged.stops["stop_id"]) and "x:cns:750000" in set(merged.stops["stop_id"])
    assert set(merged.stop_times["stop_id"]) <= set(merged.stops["stop_id"])
    assert merged.stops.loc[merged.stops["stop_id"] == "poa:MR", "city_code"].item() == "4314902"
    with pytest.raises(DuplicateRecordError, match="namespace"):
        merge_feeds(a, a)


def test_not_a_feed(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a\n")
    with pytest.raises(GtfsError, match="zip file or a directory"):
        read_feed(tmp_path / "x.csv")


def test_a_stop_without_coordinates_is_read_and_reported(tmp_path: Path) -> None:
    """Station lists lack the position of some new stations: the reader keeps such a stop (NaN) so trains
    still route through it, and ``check_feed`` names its row."""
    stops = "stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nB,b,,\nC,c,0,0.2\n"
    times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\n"
    times += "T1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"
    feed = read_feed(write(tmp_path, stops_txt=stops, stop_times_txt=times))
    assert feed.stops.set_index("stop_id").loc["B", ["stop_lat", "stop_lon"]].isna().all()
    found = [f for f in check_feed(feed) if f.kind is FindingKind.NO_LOCATION]
    assert [(f.where.source, f.where.row) for f in found] == [("stops.txt", 2)]
    with pytest.raises(GtfsError, match="not a number"):
        read_feed(write(tmp_path, stops_txt=stops.replace("B,b,,", "B,b,north,")))
