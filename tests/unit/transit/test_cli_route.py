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
