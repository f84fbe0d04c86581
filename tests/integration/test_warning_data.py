"""Forecasts, recommendations, graded measures and the backtest, through the store, the CLI and the API."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import DATA, Actors, Engine, bearer
from xietong.air import consultation, forecasts, service
from xietong.air.domain import AirScope
from xietong.air.tables import air_forecast, air_forecast_history
from xietong.cli import app
from xietong.enums import Scope
from xietong.errors import DuplicateRecordError, InputError, PermissionDeniedError, UnknownJurisdictionError
from xietong.exchange import admin, audit, enterprises
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import authenticate
from xietong.store.session import Store

pytestmark = pytest.mark.integration
UCI = sorted((DATA / "air" / "uci").glob("*.csv"))

FORECAST = """city,issued_at,date,aqi_low,aqi_high,primary
北京,2016-12-14T16:00+08:00,2016-12-16,160,210,PM2.5
北京,2016-12-14T16:00+08:00,2016-12-17,230,290,PM2.5
北京,2016-12-14T16:00+08:00,2016-12-18,260,320,PM2.5
北京,2016-12-14T16:00+08:00,2016-12-19,120,140,PM2.5
保定,2016-12-14T16:00+08:00,2016-12-16,120,160,PM2.5
保定,2016-12-14T16:00+08:00,2016-12-17,140,170,PM2.5
"""


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_forecasts_are_idempotent_and_revised(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    frame = forecasts.read_forecast_file(_write(tmp_path, "f.csv", FORECAST))
    first = forecasts.ingest_forecasts(store, op, frame, source="f.csv")
    assert (first.written, first.unchanged) == (6, 0)
    again = forecasts.ingest_forecasts(store, op, frame, source="f.csv")
    assert (again.written, again.unchanged) == (0, 6)
    changed = forecasts.read_forecast_file(_write(tmp_path, "g.csv", FORECAST.replace("260,320", "260,330")))
    third = forecasts.ingest_forecasts(store, op, changed, source="g.csv")
    assert (third.written, third.revised) == (1, 1)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(air_forecast)).scalar_one() == 6
        old = conn.execute(sa.select(air_forecast_history.c.aqi_high)).scalars().all()
    assert old == [320]
    latest = forecasts.latest_forecasts(store, op, cities=["北京"])
    assert latest["aqi_high"].tolist() == [210, 290, 330, 140]


@pytest.mark.parametrize(
    ("line", "error", "text"),
    [
        ("Gotham,2016-12-14T16:00+08:00,2016-12-16,100,200,PM2.5", UnknownJurisdictionError, "unknown city"),
        ("北京,2016-12-14T16:00,2016-12-16,100,200,PM2.5", InputError, "without a time zone"),
        ("北京,2016-12-14T16:00+08:00,2016-12-16,220,200,PM2.5", InputError, "reversed"),
        ("北京,2016-12-14T16:00+08:00,2016-12-16,160,999,PM2.5", DuplicateRecordError, "contradictory"),
    ],
)
def test_bad_forecasts_are_refused_and_nothing_is_written(
    store: Store, tmp_path: Path, line: str, error: type[Exception], text: str
) -> None:
    path = _write(tmp_path, "bad.csv", FORECAST + line + "\n")
    with pytest.raises(error, match=text):
        forecasts.read_forecast_file(path)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(air_forecast)).scalar_one() == 0


def test_a_jurisdiction_publishes_only_its_own_forecasts(store: Store, actors: Actors, tmp_path: Path) -> None:
    with store.read() as conn:
        tianjin = authenticate(conn, actors.tianjin)
    frame = forecasts.read_forecast_file(_write(tmp_path, "f.csv", FORECAST))
    with pytest.raises(PermissionDeniedError, match="forecasts"):
        forecasts.ingest_forecasts(store, tianjin, frame, source="f.csv")
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(air_forecast)).scalar_one() == 0


def test_recommendation_from_stored_forecasts_cli_and_api(
    engine: Engine, store: Store, client: TestClient, actors: Actors, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = _write(tmp_path, "f.csv", FORECAST)
    assert runner.invoke(app, ["warn", "forecasts", "ingest", str(path)], env=engine.env).exit_code == 0
    result = runner.invoke(app, ["warn", "recommend", "--rules", "key-regions-2024", "--format", "csv"], env=engine.env)
    assert result.exit_code == 0, result.stderr
    rec = pd.read_csv(io.StringIO(result.stdout)).set_index("city")
    # Beijing: upper bounds 210, 290, 330 -> > 200 for 72 h and > 300 for 24 h: red (clause red)
    assert rec.loc[110000, "level"] == "red"
    assert rec.loc[110000, "clause"].startswith("key-regions-2024/red")
    # Baoding: 160, 170 -> > 150 for 48 h: yellow
    assert rec.loc[130600, "level"] == "yellow"
    api = client.get(
        "/api/v1/warnings/recommendation", params={"rules": "national-2018"}, headers=bearer(actors.reader)
    ).json()
    by_city = {r["city"]: r["level"] for r in api}
    assert by_city["110000"] == "orange"  # national-2018: > 200 for 72 h (orange); red needs 96 h
    assert by_city["130600"] == "none"


ENTERPRISES = """name,city,industry,grade,so2_t_per_day,nox_t_per_day,pm_t_per_day,vocs_t_per_day
Capital Steel Works,北京,steel,A,2.0,3.0,1.0,0.5
Fengtai Coking,北京,coking,C,1.5,2.0,1.2,0.8
Daxing Paints,北京,coatings,B,0.1,0.2,0.1,3.0
Baoding Cement,保定,cement,D,0.8,1.6,0.9,0.1
"""


def test_measures_of_an_issued_warning_are_graded_and_audited(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    frame = enterprises.parse_enterprises(_write(tmp_path, "e.csv", ENTERPRISES))
    assert enterprises.import_enterprises(store, op, frame, source="e.csv")["written"] == 4
    bureaus = {}
    for name, j in (("bj", "110000"), ("bd", "130600")):
        admin.create_principal(store, op, name, j)
        token = admin.issue_token(store, op, name, frozenset({AirScope.WARN, Scope.READ})).token
        with store.read() as conn:
            bureaus[name] = authenticate(conn, token)
    now = datetime.now(UTC)
    w = consultation.propose(
        store, op, rules="key-regions-2024", cities=["北京", "保定"], level="orange",
        start=now, end=now + timedelta(days=2), deadline=now + timedelta(hours=2), reason="test",
    )  # fmt: skip
    consultation.respond(store, bureaus["bj"], w.id, city="北京", answer="accept")
    consultation.respond(store, bureaus["bd"], w.id, city="保定", answer="counter", level="red")
    result = consultation.measures_for(store, op, w.id)
    assert result["levels"] == {"110000": "orange", "130600": "red"}
    by_name = {e["name"]: e for e in result["enterprises"]}
    assert by_name["Capital Steel Works"]["ratio"] == 0  # grade A decides its own reductions
    assert by_name["Fengtai Coking"]["ratio"] > by_name["Daxing Paints"]["ratio"] > 0
    assert by_name["Baoding Cement"]["level"] == "red"
    cities = {c["city"]: c for c in result["cities"]}
    assert set(cities) == {"110000", "130600"}
    assert cities["110000"]["falls_short"] == ("110000" in result["short_cities"])
    with store.read() as conn:
        reads = [e for e in audit.entries(conn, limit=10_000) if e.action == "enterprise.read"]
    assert reads[-1].detail["purpose"] == f"graded measures of warning {w.id}"


def test_backtest_shows_beijings_december_2016_episode(engine: Engine, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)  # Beijing's sites in the store (two weeks of Dec 2016)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "warn",
            "backtest",
            "--rules",
            "key-regions-2024",
            "--from",
            "2016-12-12",
            "--to",
            "2016-12-23",
            "--format",
            "csv",
        ],
        env=engine.env,
    )
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype={"city_code": str})
    assert {"city", "date", "level"} <= set(frame.columns)
    assert set(frame["level"]) <= {"none", "blue", "yellow", "orange", "red"}
    beijing = frame[frame["city"] == "北京"].set_index("date")
    assert beijing["source"].iloc[0].startswith("store")
    assert (beijing.loc["2016-12-17":"2016-12-21", "level"] == "red").all()
    assert beijing.loc["2016-12-23", "level"] == "none"
    others = frame[frame["city"] != "北京"]
    assert others["city"].nunique() == 12
    assert others["source"].str.startswith("SpTe2M").all()
    printed = runner.invoke(
        app, ["warn", "backtest", "--rules", "jjj-2016", "--from", "2016-12-12", "--to", "2016-12-23"], env=engine.env
    )
    assert "Episodes" in printed.stdout
    assert "北京" in printed.stdout


def test_backtest_outside_the_data_says_so(engine: Engine) -> None:
    result = CliRunner().invoke(app, ["warn", "backtest", "--from", "2020-01-01", "--to", "2020-01-31"], env=engine.env)
    assert result.exit_code == 2
    assert "no daily AQI for the period" in result.stderr


def test_api_backtest_csv(client: TestClient, actors: Actors) -> None:
    r = client.get(
        "/api/v1/warnings/backtest",
        params={"from": "2016-12-01", "to": "2016-12-10", "rules": ["key-regions-2024"], "format": "csv"},
        headers=bearer(actors.reader),
    )
    assert r.status_code == 200
    frame = pd.read_csv(io.StringIO(r.text))
    assert len(frame) == 13 * 10
    assert json.loads(json.dumps(frame.iloc[0].to_dict(), default=str))["rules"] == "key-regions-2024"
