"""The national network in the exchange: stations anywhere in China registered from a CNEMC hourly file,
external stations written only with ``publish:external``, Dingzhou and Xinji under Hebei, CNEMC's practice
as a named rule. Data: a 25-row real extract of the national hour 2026-03-10 09:00 (tests/data/NOTICE.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import DATA, Actors, bearer
from xietong.air import backtest, reports, service, warning
from xietong.air.domain import AirScope
from xietong.air.formats import AirFormat
from xietong.air.reports import AqiRequest, Level, MissingDataRule, ReportKind
from xietong.air.service import UnknownStations
from xietong.air.tables import air_station, air_station_history
from xietong.enums import Scope
from xietong.errors import PermissionDeniedError, UnknownStationError
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store

NATIONAL = DATA / "air" / "cnemc_hourly_2026-03-10T09_national_extract.csv"
pytestmark = pytest.mark.integration


def _ingest(store: Store, who: Principal, rule: UnknownStations = UnknownStations.REGISTER) -> dict[str, object]:
    return service.ingest_files(store, who, [NATIONAL], fmt=AirFormat.CNEMC_HOURLY, unknown_stations=rule).as_dict()


def _principal(store: Store, name: str, jurisdiction: str | None, scopes: set[str]) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        return authenticate(conn, token)


def test_register_creates_every_station_and_a_second_ingest_writes_nothing(store: Store) -> None:
    op = operator(store)
    first = _ingest(store, op)
    assert first["rows"] == 25
    assert first["stations"]["written"] > 0
    with store.read() as conn:
        rows = {r.code: r for r in conn.execute(sa.select(air_station))}
    assert {"2568A", "4071A", "4063A", "1690A"} <= set(rows)
    aba = rows["2568A"]  # Aba (Sichuan): an external station
    assert (aba.jurisdiction_code, aba.city_code, aba.province_code, aba.division_code) == (
        None, "513200", "510000", "513200",
    )  # fmt: skip
    assert (aba.name_zh, aba.lon, aba.lat) == ("马师校", 102.2503, 31.8896)
    dingzhou, xinji = rows["4071A"], rows["4063A"]
    assert (dingzhou.jurisdiction_code, dingzhou.city_code, dingzhou.division_code) == ("130000", "130600", "130682")
    assert (xinji.jurisdiction_code, xinji.city_code, xinji.division_code) == ("130000", "130100", "130181")
    second = _ingest(store, op)
    assert second["written"] == 0 and second["published"]["written"] == 0
    assert second["stations"]["written"] == 0
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(air_station_history)).scalar_one() == 0


def test_external_stations_need_the_publish_external_scope(store: Store) -> None:
    hebei = _principal(store, "hebei-bureau", "130000", {Scope.READ, AirScope.PUBLISH})
    with pytest.raises(PermissionDeniedError, match="publish:external"):
        _ingest(store, hebei)  # the file has stations of other provinces: nothing is written
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(air_station.c.code == "4071A")).scalar_one() == 0
    feed = _principal(store, "national-feed", None, {Scope.READ, AirScope.PUBLISH, AirScope.PUBLISH_EXTERNAL})
    with pytest.raises(PermissionDeniedError, match=r"Hebei|河北"):
        _ingest(store, feed)  # the feed may not write Hebei's stations (Dingzhou, Xinji, Baoding …)


def test_a_jurisdiction_may_not_publish_a_file_with_stations_it_does_not_own(store: Store) -> None:
    op = operator(store)
    _ingest(store, op)  # everything registered by the operator
    hebei = _principal(store, "hebei-bureau", "130000", {Scope.READ, AirScope.PUBLISH})
    with pytest.raises(PermissionDeniedError):
        _ingest(store, hebei, UnknownStations.ERROR)  # known now, but owned by others or external


def test_unknown_stations_error_still_refuses(store: Store) -> None:
    with pytest.raises(UnknownStationError):
        _ingest(store, operator(store), UnknownStations.ERROR)


def test_hourly_aqi_lists_every_station_with_the_rule_that_produced_it(store: Store) -> None:
    op = operator(store)
    _ingest(store, op)
    day = date(2026, 3, 10)
    tables = {
        rule: reports.aqi_table(
            store,
            op,
            AqiRequest(
                Level.STATION, ReportKind.HOURLY, day, day, edition=reports.AqiEdition.HJ633_2026, missing_rule=rule
            ),
        ).set_index("station")
        for rule in MissingDataRule
    }
    cnemc, standard = tables[MissingDataRule.CNEMC], tables[MissingDataRule.STANDARD]
    with store.read() as conn:
        n_stations = conn.execute(sa.select(sa.func.count()).select_from(air_station)).scalar_one()
    assert len(cnemc) == n_stations  # seeded Jing-Jin-Ji stations without data that hour included (NA)
    assert (cnemc["missing_rule"] == "cnemc").all() and (standard["missing_rule"] == "standard").all()
    assert cnemc.loc["1433A", "aqi"] == 52 and pd.isna(standard.loc["1433A", "aqi"])  # only PM10 missing


def test_city_filter_takes_any_city_of_china(store: Store) -> None:
    op = operator(store)
    _ingest(store, op)
    day = date(2026, 3, 10)
    aba = reports.aqi_table(
        store, op, AqiRequest(Level.CITY, ReportKind.HOURLY, day, day, cities=("阿坝藏族羌族自治州",))
    )
    assert aba["city_name"].tolist() == ["阿坝藏族羌族自治州"]
    dingzhou = reports.aqi_table(store, op, AqiRequest(Level.STATION, ReportKind.HOURLY, day, day, cities=("定州",)))
    assert sorted(dingzhou["station"]) == ["4071A", "4072A"]


def _day_of_relabelled_hours(tmp_path: Path) -> Path:
    """The extract's 09:00 rows repeated for the 24 hour labels of 2026-03-10 CST: written for this test (a
    full day, so that daily city AQIs exist); the concentrations are the real 09:00 ones."""
    lines = NATIONAL.read_text(encoding="utf-8").splitlines()
    body = [line.replace("2026-03-10T0900", f"2026-03-{10 + h // 24:02d}T{h % 24:02d}00") for h in range(1, 25)
            for line in lines[1:]]  # fmt: skip
    out = tmp_path / "cnemc_hourly_2026-03-10_relabelled_for_test.csv"
    out.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    return out


def test_warning_recommendation_and_backtest_read_neighbours(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    service.ingest_files(
        store, op, [_day_of_relabelled_hours(tmp_path)], fmt=AirFormat.CNEMC_HOURLY,
        unknown_stations=UnknownStations.REGISTER,
    )  # fmt: skip
    frame = backtest.observed_forecasts(store, op, "key-regions-2024", date(2026, 3, 10), 1)
    cities = set(frame["city"])
    assert {"370100", "410100", "140100", "130600"} <= cities  # Jinan, Zhengzhou, Taiyuan (Fenwei 2023), Baoding
    assert "513200" not in cities  # Aba (Sichuan): in no key region of the rule set
    rec = warning.recommend(frame, "key-regions-2024")
    assert set(rec["city"]) == cities and (rec["level"].astype(str) == "none").all()
    timeline = backtest.backtest_timeline(
        store, op, rules=["key-regions-2019"], start=date(2026, 3, 10), end=date(2026, 3, 10)
    )
    row = timeline[timeline["city_code"] == "370100"].iloc[0]
    assert (row["city"], bool(row["neighbour"])) == ("济南", True)  # 2+26 city of 2017
    assert not timeline[timeline["city_code"] == "130600"]["neighbour"].any()
    assert "410300" not in set(timeline["city_code"])  # Luoyang: Fenwei 2018 has it, but no station in the extract


def test_the_map_collection_tells_neighbours_from_jurisdictions(
    store: Store, client: TestClient, actors: Actors
) -> None:
    _ingest(store, operator(store))
    page = client.get(
        "/api/v1/features/collections/air-stations/items", params={"limit": 10000}, headers=bearer(actors.reader)
    ).json()
    props = {f["properties"]["code"]: f["properties"] for f in page["features"]}
    jinan = next(p for p in props.values() if p["city"] == "370100")
    assert (jinan["external"], jinan["key_region"], jinan["city_zh"]) == (True, True, "济南市")
    assert (props["2568A"]["external"], props["2568A"]["key_region"]) == (True, False)  # Aba: not a neighbour
    assert (props["4071A"]["external"], props["4071A"]["key_region"]) == (False, True)  # Dingzhou: Hebei's
    assert props["2568A"]["aqi"] == 32
