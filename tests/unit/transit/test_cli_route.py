"""``xietong transit route`` / ``matrix``: the interface the acceptance checks use."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import DATA
from xietong.cli import app

FEED = str(DATA / "transit" / "poa_trensurb.zip")
runner = CliRunner()


def test_route_csv_one_row_per_reachable_stop() -> None:
    res = runner.invoke(
        app,
        [
            "transit",
            "route",
            "--gtfs",
            FEED,
            "--from",
            "MR",
            "--date",
            "2019-05-06",
            "--at",
            "08:00:00",
            "--max-transfers",
            "1",
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == ["stop_id", "stop_name", "arrival", "transfers"]  # the station's name beside its code
    by_stop = {r["stop_id"]: r for r in rows}
    assert all(r["stop_name"] for r in rows)
    assert by_stop["MR"]["arrival"] == "08:00:00" and by_stop["RD"]["transfers"] == "0"
    assert len(rows) == len(by_stop) > 15


def test_route_journey_and_errors(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "transit",
            "route",
            "--gtfs",
            f"poa={FEED}",
            "--from",
            "poa:MR",
            "--date",
            "2019-05-06",
            "--at",
            "08:00:00",
            "--to",
            "poa:NH",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert '"kind": "trip"' in res.stdout and '"to_stop_id": "poa:NH"' in res.stdout
    assert '"to_stop_name": "' in res.stdout and '"to_stop_name": ""' not in res.stdout
    bad = runner.invoke(
        app, ["transit", "route", "--gtfs", FEED, "--from", "XX", "--date", "2019-05-06", "--at", "08:00:00"]
    )
    assert bad.exit_code == 2 and "unknown stop" in bad.output
    out = tmp_path / "m.csv"
    mat = runner.invoke(
        app,
        [
            "transit",
            "matrix",
            "--gtfs",
            FEED,
            "--date",
            "2019-05-06",
            "--from-time",
            "07:00",
            "--to-time",
            "08:00",
            "--step-min",
            "30",
            "--out",
            str(out),
        ],
    )
    assert mat.exit_code == 0, mat.output
    assert out.read_text().startswith("from_stop_id,to_stop_id,p10_min,p50_min,p90_min,share_within")


def _route(*extra: str, date: str = "2019-05-06") -> list[str]:
    return ["transit", "route", "--gtfs", FEED, "--from", "MR", "--date", date, "--at", "08:00:00", *extra]


def test_a_date_outside_the_feeds_calendar_is_refused_with_the_calendar_not_a_traceback() -> None:
    res = runner.invoke(app, _route(date="2030-01-01"))
    assert res.exit_code == 2, res.output
    assert "no trip of the feed runs on 2030-01-01" in res.output and "2019-03-01 … 2019-12-31" in res.output


def test_a_date_at_the_edge_of_the_calendar_types_is_refused_by_its_option() -> None:
    for day in ("9999-12-31", "0001-01-01"):
        res = runner.invoke(app, _route(date=day))
        assert res.exit_code == 2 and "--date: year out of range" in res.output, res.output


def test_an_empty_service_day_compiles_to_an_empty_timetable() -> None:
    from datetime import date

    from xietong.transit.gtfs import read_feed
    from xietong.transit.timetable import compile_timetable

    tt = compile_timetable(read_feed(Path(FEED)), date(2030, 1, 1))
    assert len(tt.trip_ids) == 0


def test_a_footpaths_file_with_bad_cells_names_file_row_and_field(tmp_path: Path) -> None:
    # written for the test: footpath files a user might give
    bad = tmp_path / "footpaths.csv"
    bad.write_text("from_stop_id,to_stop_id,duration_s\nMR,RD,five minutes\n")
    res = runner.invoke(app, _route("--footpaths", str(bad)))
    assert res.exit_code == 2 and "footpaths.csv, row 2, field 'duration_s'" in res.output, res.output
    bad.write_text("from,to\nMR,RD\n")
    res = runner.invoke(app, _route("--footpaths", str(bad)))
    assert res.exit_code == 2 and "from_stop_id,to_stop_id,duration_s" in res.output, res.output
    res = runner.invoke(app, _route("--footpaths", str(tmp_path)))
    assert res.exit_code == 2 and "is a directory" in res.output, res.output
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"\xef\xbb\xbffrom_stop_id,to_stop_id,duration_s\r\nMR,RD,300\r\n\r\n")
    assert runner.invoke(app, _route("--footpaths", str(crlf))).exit_code == 0
