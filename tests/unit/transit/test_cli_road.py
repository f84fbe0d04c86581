"""``xietong transit road-times | streets | scenario-check`` end to end (no store needed)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from xietong.cli import app

ROOT = Path(__file__).parents[3]
PBF = ROOT / "tests" / "data" / "transit" / "road" / "pyrosm_test.osm.pbf"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_road_times_csv_says_modelled_and_keeps_cities_without_data() -> None:
    code, out = invoke("transit", "road-times", "--from", "石家庄", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("origin_code,destination_code")
    assert all("modelled" in line for line in lines[1:])
    jinan = next(line for line in lines if ",济南," in line)
    assert "no road data" in jinan
    assert any(",北京," in line for line in lines)


def test_road_times_json() -> None:
    code, out = invoke("transit", "road-times", "--year", "1994", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["modelled"] is True and len(doc["rows"]) == 178


def test_streets_json_and_refusal() -> None:
    code, out = invoke(
        "transit", "streets", "--osm", str(PBF), "--from", "26.94,60.525", "--to", "26.96,60.535", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["mode"] == "car" and doc["travel_time_s"] > 0
    code, out = invoke("transit", "streets", "--osm", str(PBF), "--from", "60.525,26.94", "--to", "26.96,60.535")
    assert code == 2 and "too far" in out


def test_scenario_check_lists_trips_and_assumptions() -> None:
    code, out = invoke("transit", "scenario-check", str(ROOT / "scenarios" / "shijiazhuang-xiongan.toml"))
    assert code == 0
    assert "ASSUMED" in out and "30 synthetic trips" in out
    code, out = invoke(
        "transit", "scenario-check", str(ROOT / "scenarios" / "shijiazhuang-xiongan.toml"), "--format", "csv"
    )
    assert out.splitlines()[1].split(",")[1:5] == ["石家庄", "雄安", "07:00:00", "08:26:00"]
