"""Lenient GTFS reading with validation notices (codes and severities of the canonical GTFS validator).

The fixture ``cairns_subset_with_test_transfers.zip`` is the real Cairns subset with a ``transfers.txt``
written for these tests: 4 walking transfers between stops of the subset and 30 rows naming stops the
subset left out (tests/data/NOTICE.md).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from xietong.cli import app
from xietong.transit.gtfs import GtfsError, UnknownStopError, read_feed
from xietong.transit.notices import CANONICAL_SEVERITY, Notice, NoticeCode, Severity
from xietong.transit.raptor import earliest_arrival
from xietong.transit.timetable import compile_timetable
from xietong.transit.validation import resolve_footpaths, validate_gtfs

T = DATA / "transit"
DANGLING = T / "cairns_subset_with_test_transfers.zip"
DAY = date(2014, 6, 2)
runner = CliRunner()


def codes(notices: tuple[Notice, ...]) -> dict[tuple[str, str], int]:
    return {(n.code.value, n.severity.value): n.count for n in notices}


def write(tmp: Path, **files: str) -> Path:
    base = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nB,b,0,0.1\nC,c,0,0.2\n",
        "routes.txt": "route_id,route_type\nR,3\n",
        "trips.txt": "route_id,service_id,trip_id\nR,S,T1\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "S,1,1,1,1,1,0,0,20240101,20241231\n",
    }
    base.update({k.replace("_txt", ".txt"): v for k, v in files.items()})
    for name, text in base.items():
        (tmp / name).write_text(text, encoding="utf-8")
    return tmp


# -- dangling references in optional files ------------------------------------------------------------


def test_dangling_transfers_are_dropped_with_a_warning_and_a_count() -> None:
    feed = read_feed(DANGLING)
    assert codes(feed.notices) == {("foreign_key_violation", "WARNING"): 30, ("unknown_file", "INFO"): 1}
    assert len(feed.transfers) == 4
    assert set(feed.transfers["from_stop_id"]) | set(feed.transfers["to_stop_id"]) <= set(feed.stops["stop_id"])
    fk = feed.notices[0]
    assert fk.samples[0].where.source == "cairns_subset_with_test_transfers.zip:transfers.txt"
    assert (fk.samples[0].where.row, fk.samples[0].where.field) == (6, "from_stop_id")


def test_router_on_the_dangling_feed_equals_the_router_on_the_resolvable_transfers() -> None:
    """Dropping the 30 unresolvable rows changes nothing else: the answers equal those on the real
    subset with only the 4 resolvable transfers added in memory."""
    dangling = compile_timetable(read_feed(DANGLING), DAY)
    clean = read_feed(T / "cairns_subset.zip")
    resolvable = read_feed(DANGLING).transfers
    reference = compile_timetable(clean.with_tables(transfers=resolvable), DAY)
    without = compile_timetable(clean, DAY)
    rng = np.random.default_rng(2014)
    served = np.flatnonzero(np.diff(reference.stop_route_ptr) > 0)
    for origin in ["750109", "750120", *(str(reference.stop_ids[i]) for i in rng.choice(served, 20))]:
        t0 = int(rng.integers(6 * 3600, 20 * 3600))
        a = earliest_arrival(dangling, origin, t0)
        b = earliest_arrival(reference, origin, t0)
        np.testing.assert_array_equal(np.where(a.reached, a.labels[-1], -1), np.where(b.reached, b.labels[-1], -1))
    walked = earliest_arrival(dangling, "750109", 8 * 3600)
    assert walked.labels[-1][dangling.stop_index("750136")] == 8 * 3600 + 161  # the transfer is used
    assert earliest_arrival(without, "750109", 8 * 3600).labels[-1][without.stop_index("750136")] > 8 * 3600 + 161


def test_transfers_without_a_required_column_are_ignored_with_a_warning(tmp_path: Path) -> None:
    feed = read_feed(write(tmp_path, transfers_txt="from_stop_id,transfer_type\nA,2\n"))
    assert codes(feed.notices) == {("missing_required_column", "WARNING"): 1}
    assert feed.transfers.empty


def test_in_seat_transfers_without_stops_are_legal(tmp_path: Path) -> None:
    text = "from_stop_id,to_stop_id,from_trip_id,to_trip_id,transfer_type\n,,T1,T1,4\nA,,T1,T1,2\nA,B,T9,T1,2\n"
    feed = read_feed(write(tmp_path, transfers_txt=text))
    assert codes(feed.notices) == {
        ("missing_required_field", "WARNING"): 1,  # type 2 needs both stops
        ("foreign_key_violation", "WARNING"): 1,  # trip T9
    }
    assert feed.transfers.empty


def test_pathways_and_frequencies_references_are_checked(tmp_path: Path) -> None:
    feed = read_feed(
        write(
            tmp_path,
            pathways_txt="pathway_id,from_stop_id,to_stop_id,pathway_mode,is_bidirectional\nP1,A,Z,1,1\n",
            frequencies_txt="trip_id,start_time,end_time,headway_secs\nT1,06:00:00,07:00:00,600\nT9,06:00:00,07:00:00,600\n",
        )
    )
    fk = [n for n in feed.notices if n.code is NoticeCode.FOREIGN_KEY_VIOLATION]
    places = {(Path(p.where.source or "").name, p.where.field) for n in fk for p in n.samples}
    assert places == {("frequencies.txt", "trip_id"), ("pathways.txt", "to_stop_id")}
    assert sum(n.count for n in fk) == 2 and all(n.severity is Severity.WARNING for n in fk)
    assert list(feed.frequencies["trip_id"]) == ["T1"]


def test_extra_footpaths_naming_unknown_stops_are_dropped() -> None:
    feed = read_feed(T / "cairns_subset.zip")
    extra = pd.DataFrame(
        {"from_stop_id": ["750109", "nowhere"], "to_stop_id": ["750136", "750109"], "duration_s": [120, 60]}
    )
    kept, notices = resolve_footpaths(feed, extra, "walks.csv")
    assert kept["from_stop_id"].tolist() == ["750109"]
    assert codes(notices) == {("foreign_key_violation", "WARNING"): 1}
    compile_timetable(feed, DAY, footpaths=kept)  # no unknown stop left for the compiler


# -- errors that make the timetable meaningless ------------------------------------------------------


def test_errors_refuse_the_feed_and_list_every_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        trips_txt="route_id,service_id,trip_id\nR,S,T1\nX,S,T2\n",
        stop_times_txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,Z,2\nT2,08:00:00,08:00:00,A,1\nT2,08:05:00,08:05:00,B,2\n",
    )
    report = validate_gtfs(path)  # lists, never raises
    assert not report.usable
    assert codes(report.notices)[("foreign_key_violation", "ERROR")] == 2
    with pytest.raises(UnknownStopError) as info:
        read_feed(path)
    text = str(info.value)
    assert "stop_times.txt, row 2, field 'stop_id'" in text and "trips.txt, row 2, field 'route_id'" in text
    assert "xietong transit validate" in text


@pytest.mark.parametrize(
    ("files", "code"),
    [
        (
            {"stops_txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nA,a2,0,0\nB,b,0,0.1\nC,c,0,0.2\n"},
            "duplicate_key",
        ),
        ({"calendar_txt": None}, "missing_calendar_and_calendar_date_files"),
        (
            {
                "stop_times_txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,,A,1\nT1,08:10:00,08:10:00,B,2\n"
            },
            "missing_trip_edge",
        ),
        (
            {
                "stop_times_txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:05:00,B,2\n"
            },
            "stop_time_with_departure_before_arrival_time",
        ),
        ({"routes_txt": "route_id,route_type\nR,\n"}, "missing_required_field"),
        ({"routes_txt": "route_id,route_type\nR,bus\n"}, "invalid_integer"),
        ({"stops_txt": ""}, "empty_file"),
    ],
    ids=["duplicate-stop", "no-calendar", "trip-edge", "departure-before-arrival", "empty-value", "integer", "empty"],
)
def test_each_error_code_refuses_the_feed(tmp_path: Path, files: dict[str, str | None], code: str) -> None:
    path = write(tmp_path, **{k: v for k, v in files.items() if v is not None})
    for name in (k for k, v in files.items() if v is None):
        (path / name.replace("_txt", ".txt")).unlink()
    report = validate_gtfs(path)
    assert (code, "ERROR") in codes(report.notices), report.notices
    with pytest.raises(GtfsError):
        read_feed(path)


def test_missing_required_file(tmp_path: Path) -> None:
    path = write(tmp_path)
    (path / "routes.txt").unlink()
    assert codes(validate_gtfs(path).notices) == {("missing_required_file", "ERROR"): 1}


def test_usage_warnings_keep_the_feed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        stops_txt="stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nB,b,0,0.1\nC,c,0,0.2\nD,d,,\n",
        trips_txt="route_id,service_id,trip_id\nR,S,T1\nR,S,T2\n",
        stop_times_txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\nT2,09:00:00,09:00:00,A,1\n",
    )
    feed = read_feed(path)
    assert codes(feed.notices) == {
        ("stop_time_with_only_arrival_or_departure_time", "WARNING"): 1,
        ("stop_without_location", "WARNING"): 1,
        ("stop_without_stop_time", "WARNING"): 1,
        ("unusable_trip", "WARNING"): 1,
    }


def test_real_feeds_have_no_errors() -> None:
    for name in ("poa_trensurb.zip", "poa_eptc_subset.zip", "cairns_subset.zip"):
        assert validate_gtfs(T / name).usable, name


def test_every_code_has_a_canonical_severity_or_is_marked_as_xietong_s() -> None:
    assert set(CANONICAL_SEVERITY) == set(NoticeCode)
    own = [c for c, s in CANONICAL_SEVERITY.items() if s is None]
    assert own == [NoticeCode.STOP_TIME_WITH_DEPARTURE_BEFORE_ARRIVAL_TIME]


# -- the command line ----------------------------------------------------------------------------------


def test_validate_json_is_the_acceptance_interface() -> None:
    res = runner.invoke(app, ["transit", "validate", str(DANGLING), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["usable"] is True and doc["feed"] == str(DANGLING)
    assert {k: doc["notices"][0][k] for k in ("code", "severity", "count")} == {
        "code": "foreign_key_violation",
        "severity": "WARNING",
        "count": 30,
    }
    assert doc["notices"][0]["samples"][0]["file"].endswith("transfers.txt")


def test_validate_exits_2_on_errors_and_still_prints_them(tmp_path: Path) -> None:
    path = write(tmp_path, routes_txt="route_id,route_type\nR,bus\n")
    res = runner.invoke(app, ["transit", "validate", str(path), "--json"])
    assert res.exit_code == 2
    assert json.loads(res.stdout)["notices"][0]["code"] == "invalid_integer"


def test_route_reads_the_dangling_feed_and_says_how_many_notices_on_stderr() -> None:
    args = ["transit", "route", "--gtfs", str(DANGLING), "--from", "750109", "--date", "2014-06-02"]
    res = runner.invoke(app, [*args, "--at", "08:00:00", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "31 validation notice(s) (0 ERROR, 30 WARNING, 1 INFO" in res.stderr
    rows = pd.read_csv(io.StringIO(res.stdout), dtype=str)
    assert rows.set_index("stop_id").loc["750136", "arrival"] == "08:02:41"
