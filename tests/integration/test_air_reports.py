"""AQI from the store: station and city values, revisions, the edition switch, published numbers, CLI and API."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import DATA, Actors, Engine, bearer
from xietong import air
from xietong.air import reports, service
from xietong.air.formats import O3Column
from xietong.air.reports import AqiRequest, Level, ReportKind
from xietong.air.service import ObservationQuery, UnknownStations
from xietong.cli import app
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store

pytestmark = pytest.mark.integration
UCI = sorted((DATA / "air" / "uci").glob("*.csv"))


def _ingest_uci(store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)


def test_city_daily_aqi_is_the_engine_on_the_evaluation_sites(store: Store) -> None:
    _ingest_uci(store)
    op = operator(store)
    got = reports.aqi_table(
        store, op, AqiRequest(Level.CITY, ReportKind.DAILY, date(2016, 12, 11), date(2016, 12, 22), cities=("北京",))
    )
    assert got["city"].unique().tolist() == ["110000"]
    assert len(got) == 12
    # the same computation by hand: Dongsi and Tiantan (Dingling 1002A is the background site)
    obs = service.read_observations_frame(store, op, ObservationQuery(stations=("1003A", "1004A")))
    daily = air.daily_values(obs[["station", "time", "so2", "no2", "o3", "co", "pm10", "pm25", "flag_bits"]])
    by_hand = daily.groupby("date")[["pm25", "pm10", "so2", "no2", "co", "o3_mda8", "o3_1h_max"]].mean().reset_index()
    by_hand.insert(0, "city", "110000")
    expected = air.daily_aqi(by_hand)
    expected = expected[(expected["date"] >= "2016-12-11") & (expected["date"] <= "2016-12-22")]
    assert got["aqi"].astype(int).tolist() == expected["aqi"].astype(int).tolist()
    # the red-alert episode of 2016-12-16..21 is there
    local = reports.as_local(got, ReportKind.DAILY)
    levels = dict(zip(local["time"], got["level"].astype(int), strict=True))
    assert min(levels[f"2016-12-{d}"] for d in (18, 19, 20, 21)) >= 5


def test_a_revision_is_reflected_at_once(store: Store, tmp_path: Path) -> None:
    _ingest_uci(store)
    op = operator(store)
    request = AqiRequest(Level.STATION, ReportKind.HOURLY, date(2016, 12, 12), date(2016, 12, 12), stations=("1003A",))
    before = reports.aqi_table(store, op, request)
    first = before.iloc[0]
    corrected = tmp_path / "fix.csv"
    corrected.write_text(
        "station,time,pollutant,value,unit\n1003A,2016-12-12T01:00+08:00,PM2.5,480,µg/m³\n", encoding="utf-8"
    )
    service.ingest_files(store, op, [corrected])
    after = reports.aqi_table(store, op, request).iloc[0]
    assert after["time"] == first["time"]
    assert int(after["aqi"]) == int(air.iaqi(480, "PM2.5", "24h", edition="2012")) != int(first["aqi"])


def _canonical(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    lines = ["station,time,pollutant,value,unit"] + [f"1001A,{t},{p},{v},µg/m³" for t, p, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_auto_edition_switches_on_2026_03_01(store: Store, tmp_path: Path) -> None:
    """PM2.5 70 µg/m³: IAQI 94 under HJ 633-2012 (75 → 100), 110 under HJ 633-2026 (60 → 100)."""
    hours = [f"2026-02-28T{h:02d}:00+08:00" for h in range(1, 24)] + ["2026-03-01T00:00+08:00"]
    hours += [f"2026-03-01T{h:02d}:00+08:00" for h in range(1, 24)] + ["2026-03-02T00:00+08:00"]
    service.ingest_files(store, operator(store), [_canonical(tmp_path / "f.csv", [(t, "PM2.5", 70) for t in hours])])
    op = operator(store)
    daily = reports.aqi_table(
        store, op, AqiRequest(Level.STATION, ReportKind.DAILY, date(2026, 2, 28), date(2026, 3, 1), stations=("1001A",))
    )
    assert daily["edition"].tolist() == ["2012", "2026"]
    assert daily["iaqi_pm25"].astype(int).tolist() == [94, 110]
    hourly = reports.as_local(
        reports.aqi_table(
            store,
            op,
            AqiRequest(Level.STATION, ReportKind.HOURLY, date(2026, 2, 28), date(2026, 3, 1), stations=("1001A",)),
        ),
        ReportKind.HOURLY,
    )
    by_time = dict(
        zip(hourly["time"], zip(hourly["edition"], hourly["iaqi_pm25"].astype(int), strict=True), strict=True)
    )
    assert by_time["2026-02-28T23:00:00+08:00"] == ("2012", 94)
    assert by_time["2026-03-01T00:00:00+08:00"] == ("2026", 110)  # first label published under HJ 633-2026
    for edition, expected in (("2012", 94), ("2026", 110)):
        fixed = reports.aqi_table(
            store, op,
            AqiRequest(Level.STATION, ReportKind.DAILY, date(2026, 2, 28), date(2026, 3, 1), stations=("1001A",), edition=edition),  # type: ignore[arg-type]
        )  # fmt: skip
        assert fixed["iaqi_pm25"].astype(int).tolist() == [expected, expected]


def test_editions_differ_exactly_where_the_pm_tables_differ(store: Store) -> None:
    """HJ 633-2026 changed only the PM10/PM2.5 IAQI-100 breakpoints (Table 3) and added the rounding of
    concentrations (§4.2.2). With both applied, the 2012 and 2026 daily IAQIs of the same days differ
    exactly for PM values inside the changed segments."""
    _ingest_uci(store)
    op = operator(store)
    tables = {}
    for ed in ("2012", "2026"):
        request = AqiRequest(
            Level.STATION,
            ReportKind.DAILY,
            date(2016, 12, 10),
            date(2016, 12, 23),
            edition=air.AqiEdition(ed),
            jurisdiction="北京",
        )
        tables[ed] = reports.aqi_table(store, op, request)
    a, b = tables["2012"], tables["2026"]
    assert a[["station", "time"]].equals(b[["station", "time"]])
    for col, pollutant, segment in (("pm25", "PM2.5", (35, 115)), ("pm10", "PM10", (50, 250))):
        conc = a[col].to_numpy(dtype=float)
        ok = ~np.isnan(conc)
        rounded = np.round(conc[ok])  # GB/T 8170 to integers (ties are rare in means; the engine handles them)
        under_2026 = np.asarray(air.iaqi(rounded, pollutant, "24h", edition="2026"), dtype=float)
        under_2012 = np.asarray(air.iaqi(rounded, pollutant, "24h", edition="2012"), dtype=float)
        np.testing.assert_array_equal(b[f"iaqi_{col}"].to_numpy(dtype=float)[ok], under_2026)
        differs = under_2026 != under_2012
        assert differs.any(), f"the sample has {pollutant} values in the changed segment"
        inside = (rounded > segment[0]) & (rounded < segment[1])
        assert not (differs & ~inside).any(), "outside the changed segment both editions agree"
        assert differs[inside].mean() > 0.8  # inside, nearly every value moves (a few ceilings coincide)
    # the AQI changes only through the PM IAQIs or the rounding of the other concentrations
    assert (a["aqi"] != b["aqi"]).any()


def test_published_aqi_is_reproduced_from_the_store(store: Store) -> None:
    """A real CNEMC hour of 2022 (HJ 633-2012 real-time, 1-h PM): Xietong's AQI from the stored observations
    equals the AQI CNEMC published, kept beside it in the store."""
    src = DATA / "air" / "cnemc_hourly_2022-01-01T14_jjj.csv"
    op = operator(store)
    service.ingest_files(store, op, [src], unknown_stations=UnknownStations.SKIP, o3_column=O3Column.O3_24H)
    ours = reports.aqi_table(
        store,
        op,
        AqiRequest(Level.STATION, ReportKind.HOURLY, date(2022, 1, 1), date(2022, 1, 1), jurisdiction="110000"),
    )
    ours = ours[ours["time"] == pd.Timestamp("2022-01-01T06:00Z")]
    published = service.published_frame(store, op, ObservationQuery(jurisdiction="110000"))
    published = published[published["variable"] == "AQI"].set_index("station")["value"]
    compared = ours.set_index("station").join(published.rename("published"), how="inner")
    assert len(compared) >= 10
    assert (compared["aqi"].astype(float) == compared["published"]).all(), compared[["aqi", "published"]]


def test_cli_aqi_csv_and_report(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["air", "ingest", *map(str, UCI)], env=engine.env).exit_code == 0
    result = runner.invoke(
        app,
        [
            "air",
            "aqi",
            "--level",
            "city",
            "--report",
            "daily",
            "--from",
            "2016-12-16",
            "--to",
            "2016-12-21",
            "--city",
            "北京",
            "--format",
            "csv",
        ],
        env=engine.env,
    )
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert {"city", "time", "aqi", "level", "primary"} <= set(frame.columns)
    assert frame["time"].tolist() == [f"2016-12-{d}" for d in range(16, 22)]
    hourly = runner.invoke(
        app,
        [
            "air",
            "aqi",
            "--level",
            "station",
            "--report",
            "hourly",
            "--from",
            "2016-12-16",
            "--to",
            "2016-12-16",
            "--station",
            "1003A",
            "--format",
            "csv",
        ],
        env=engine.env,
    )
    rows = pd.read_csv(io.StringIO(hourly.stdout))
    assert rows["time"].iloc[0] == "2016-12-16T01:00:00+08:00"
    assert rows["time"].iloc[-1] == "2016-12-17T00:00:00+08:00"
    assert len(rows) == 24
    report = runner.invoke(app, ["air", "report", "--year", "2016", "--city", "北京", "--json"], env=engine.env)
    assert report.exit_code == 0, report.stderr
    doc = json.loads(report.stdout)
    assert sum(doc["days_per_level"].values()) == doc["days_with_aqi"] == 14
    printed = runner.invoke(app, ["air", "report", "--year", "2016", "--city", "北京"], env=engine.env)
    assert "Days per level" in printed.stdout
    assert "PM2.5 annual mean" in printed.stdout
    bad = runner.invoke(app, ["air", "aqi", "--from", "2016-12-16", "--to", "yesterday"], env=engine.env)
    assert bad.exit_code == 2
    assert "not a date" in bad.stderr


def test_cli_years_beyond_the_accepted_range_are_input_errors(engine: Engine) -> None:
    runner = CliRunner()
    far = runner.invoke(app, ["air", "aqi", "--from", "0001-01-01", "--to", "9999-12-31"], env=engine.env)
    assert far.exit_code == 2 and "year out of range" in far.stderr, far.output
    for year in ("0", "99999"):
        report = runner.invoke(app, ["air", "report", "--year", year, "--city", "北京"], env=engine.env)
        assert report.exit_code == 2 and "year: year out of range" in report.stderr, report.output


def test_api_aqi(client: TestClient, actors: Actors, store: Store) -> None:
    _ingest_uci(store)
    params = {"level": "city", "report": "daily", "from": "2016-12-16", "to": "2016-12-21", "city": "北京"}
    rows = client.get("/api/v1/air/aqi", params=params, headers=bearer(actors.reader)).json()
    assert [r["time"] for r in rows] == [f"2016-12-{d}" for d in range(16, 22)]
    assert all(r["category_en"] for r in rows)
    csv = client.get("/api/v1/air/aqi", params=params | {"format": "csv"}, headers=bearer(actors.reader))
    assert csv.text.splitlines()[0].startswith("city,city_name,time,edition,aqi,level")
    report = client.get(
        "/api/v1/air/report", params={"city": "北京", "year": 2016}, headers=bearer(actors.reader)
    ).json()
    assert report["days_with_aqi"] == 14
    bad = client.get("/api/v1/air/aqi", params=params | {"edition": "2020"}, headers=bearer(actors.reader))
    assert bad.status_code == 422
