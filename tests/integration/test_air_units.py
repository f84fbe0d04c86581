"""A canonical air file names its units by a ``unit`` column or ``--unit`` (API ``?unit=``); a value left
without a unit is refused (exit 2, 4xx problem+json) and nothing is written.

``canonical_dongsi_2016-12-16_no_unit.csv`` is 18 real UCI values of Dongsi (1003A), 2016-12-16 08–10 h,
reshaped to the canonical long form without a unit column (CO in µg/m³ as UCI publishes it;
``tests/data/NOTICE.md``); the one-row bodies below are written for the tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import DATA, Actors, Engine, bearer
from xietong.air.tables import air_observation
from xietong.cli import app
from xietong.store.session import Store

pytestmark = pytest.mark.integration
NO_UNIT = DATA / "air" / "canonical_dongsi_2016-12-16_no_unit.csv"
UCI_DONGSI = DATA / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv"
HOURS = ("2016-12-16T08:00:00+08:00", "2016-12-16T09:00:00+08:00", "2016-12-16T10:00:00+08:00")


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=engine.env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _observations(engine: Engine) -> list[dict[str, object]]:
    code, out, _ = xietong(engine, "air", "observations", "--station", "1003A", "--from", "2016-12-16",
                           "--to", "2016-12-16", "--format", "json")  # fmt: skip
    assert code == 0
    return [r for r in json.loads(out) if r["time"] in HOURS]


def test_cli_refuses_a_file_without_units_and_stores_it_with_unit_named(engine: Engine, tmp_path: Path) -> None:
    code, _, err = xietong(engine, "air", "ingest", str(NO_UNIT))
    assert code == 2
    assert "names no units" in err and "--unit" in err and "canonical_dongsi_2016-12-16_no_unit.csv" in err
    assert _observations(engine) == []
    code, _, err = xietong(engine, "air", "ingest", str(NO_UNIT), "--unit", "CO=mg/m3")  # covers CO only
    assert code == 2 and "no unit for this value" in err and "row 2, field 'unit'" in err and "--unit" in err
    assert _observations(engine) == []
    code, out, _ = xietong(engine, "air", "ingest", str(NO_UNIT), "--unit", "ug/m3", "--json")
    assert code == 0, out
    assert json.loads(out)["written"] == 18
    stored = _observations(engine)
    assert [r["co"] for r in stored] == [1.9, 1.5, 1.6]  # 1900, 1500, 1600 µg/m³
    assert [r["pm25"] for r in stored] == [22.0, 24.0, 40.0]
    uci = tmp_path / UCI_DONGSI.name  # the same real values in their own format: nothing changes
    shutil.copy(UCI_DONGSI, uci)
    code, out, _ = xietong(engine, "air", "ingest", str(uci), "--json")
    assert code == 0 and json.loads(out)["revised"] == 0


def test_cli_bad_unit_options_exit_2_before_anything_is_read(engine: Engine) -> None:
    code, _, err = xietong(engine, "air", "ingest", str(NO_UNIT), "--unit", "ppb")
    assert code == 2 and "--unit names no known unit" in err and "'ppb'" in err and "ug/m3" in err
    code, _, err = xietong(engine, "air", "ingest", str(UCI_DONGSI), "--unit", "ug/m3")
    assert code == 2 and "canonical files only" in err and "uci" in err
    assert _observations(engine) == []


def _count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(air_observation)).scalar_one())


def test_api_refuses_a_blank_unit_as_problem_json_and_takes_the_unit_parameter(
    client: TestClient, actors: Actors, store: Store
) -> None:
    body = b"station,time,pollutant,value,unit\n1001A,2016-12-16T08:00+08:00,CO,1200,\n"
    headers = bearer(actors.beijing) | {"Content-Type": "text/csv"}
    refused = client.post("/api/v1/air/observations", content=body, headers=headers)
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json"
    assert "no unit for this value" in refused.json()["detail"] and "unit=" in refused.json()["detail"]
    assert _count(store) == 0
    bad = client.post("/api/v1/air/observations", params={"unit": "CO=ppm"}, content=body, headers=headers)
    assert bad.status_code == 400 and "unit names no known unit" in bad.json()["detail"]
    taken = client.post("/api/v1/air/observations", params={"unit": ["CO=ug/m3"]}, content=body, headers=headers)
    assert taken.status_code == 200, taken.text
    read = client.get(
        "/api/v1/air/observations",
        params={"station": "1001A", "from": "2016-12-16", "to": "2016-12-16"},
        headers=bearer(actors.reader),
    )
    assert [r["co"] for r in read.json()["data"]] == [1.2]
