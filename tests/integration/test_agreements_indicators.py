"""Tasks bound to indicators: the value shown changes after the indicator's module recomputes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.unit.transit.test_circle import toy_feed  # a toy rail feed with real city points
from xietong.agreements import service
from xietong.air import consultation
from xietong.air.domain import AirScope
from xietong.air.indicators import indicators as air_indicators
from xietong.air.service import ingest_files
from xietong.enums import Scope
from xietong.errors import InputError, NotFoundError, PermissionDeniedError
from xietong.exchange import admin, audit
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import ANONYMOUS, Principal, authenticate
from xietong.indicators import (
    Comparator,
    Context,
    Indicator,
    Param,
    ParamKind,
    Reading,
    Registry,
)
from xietong.store.session import Store
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path

pytestmark = pytest.mark.integration
T0 = dt.datetime(2016, 12, 14, 8, tzinfo=dt.UTC)
SMALL = """Cooperation Agreement between Beijing and Tianjin on Ecology

1. Air
(1) The two sides will establish a regional heavy-pollution warning consultation mechanism.
(2) Beijing will reduce the number of heavily polluted days.
"""
WARN_TASK, DAYS_TASK = "t-9d389a732e", "t-c2bcfca9ff"
WARNINGS = "warnings.issued_through_consultation"
PM25_DAYS = "air.pm25_days_at_or_below"


def _principal(store: Store, name: str, jurisdiction: str | None, *scopes: Scope) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        return authenticate(conn, token)


@pytest.fixture
def agreement_id(store: Store) -> int:
    result = service.import_agreement(store, operator(store), SMALL.encode(), name="ecology.txt")
    assert [t["id"] for t in result.document["tasks"]] == [WARN_TASK, DAYS_TASK]
    return result.agreement.id


def _propose(store: Store, who: Principal, cities: list[str]) -> consultation.WarningView:
    return consultation.propose(
        store, who, rules="key-regions-2024", cities=cities, level="orange", start=T0 + dt.timedelta(days=2),
        end=T0 + dt.timedelta(days=5), deadline=T0 + dt.timedelta(hours=6), reason="AQI > 200 for 48 h", now=T0,
    )  # fmt: skip


def test_a_bound_task_shows_the_value_after_the_warning_module_recomputes(store: Store, agreement_id: int) -> None:
    region_centre = _principal(store, "regional-centre", None, AirScope.WARN, Scope.READ)
    beijing = _principal(store, "beijing-eeb", "110000", AirScope.WARN, Scope.READ)
    baoding = _principal(store, "baoding-eeb", "130600", AirScope.WARN, Scope.READ)
    office = _principal(store, "office", None, Scope.ADMIN, Scope.READ)
    task = service.bind_indicator(store, beijing, agreement_id, WARN_TASK, WARNINGS, target=1)
    [binding] = task.indicators
    assert (binding.indicator, binding.comparator, binding.target, binding.value, binding.met) == (
        WARNINGS, "ge", 1.0, None, None,
    )  # fmt: skip
    [series] = service.refresh_indicators(store, office)
    assert (series.indicator, series.value, series.tasks) == (WARNINGS, 0.0, 1)
    assert service.get_task(store, office, agreement_id, WARN_TASK).indicators[0].met is False

    # a consultation that ends with no city issuing does not count; one that issues does
    declined = _propose(store, region_centre, ["保定"])
    consultation.respond(store, baoding, declined.id, city="保定", answer="decline", reason="local forecast below 150",
                         now=T0 + dt.timedelta(hours=1))  # fmt: skip
    w = _propose(store, region_centre, ["北京", "保定"])
    consultation.respond(store, beijing, w.id, city="北京", answer="accept", now=T0 + dt.timedelta(hours=1))
    issued = consultation.respond(store, baoding, w.id, city="保定", answer="counter", level="red",
                                  now=T0 + dt.timedelta(hours=2))  # fmt: skip
    assert issued.status == "issued"
    # the stored value is what was last computed, until the indicator is recomputed
    assert service.get_task(store, office, agreement_id, WARN_TASK).indicators[0].value == 0.0
    [series] = service.refresh_indicators(store, beijing, indicators=[WARNINGS])
    assert series.value == 1.0
    assert series.details == {"warnings": [w.id], "issued_in_cities": {"110000": 1, "130600": 1}, "period": {}}
    shown = service.get_task(store, office, agreement_id, WARN_TASK).indicators[0]
    assert (shown.value, shown.met, shown.as_of) == (1.0, True, T0 + dt.timedelta(hours=2))
    # every computation is kept, newest first
    assert [v.value for v in service.indicator_values(store, office, WARNINGS)] == [1.0, 0.0]
    # a per-period series and a per-city series are series of their own
    service.bind_indicator(store, office, agreement_id, WARN_TASK, WARNINGS, params={"from": "2017-01-01"}, target=1)
    service.bind_indicator(store, office, agreement_id, WARN_TASK, WARNINGS, params={"city": "Langfang"}, target=1)
    values = {tuple(sorted(s.params.items())): s.value for s in service.refresh_indicators(store, office)}
    assert values == {(): 1.0, (("from", "2017-01-01"),): 0.0, (("city", "131000"),): 0.0}
    history = service.task_history(store, office, agreement_id, WARN_TASK)
    assert [(h.action, h.changed) for h in history] == [
        ("import", ["created"]), ("bind", ["indicators"]), ("bind", ["indicators"]), ("bind", ["indicators"]),
    ]  # fmt: skip
    assert [b["params"] for b in history[-1].state["indicators"]] == [{}, {"from": "2017-01-01"}, {"city": "131000"}]
    with store.read() as conn:
        refreshes = [e for e in audit.entries(conn, limit=1000) if e.action == "agreements.indicators.refresh"]
    assert [(e.actor, e.detail["stored"]) for e in refreshes] == [("office", 1), ("beijing-eeb", 1), ("office", 3)]
    listed = {i["key"]: i for i in service.list_indicators(store, office)}
    assert {s["params"].get("city", "") + s["params"].get("from", ""): s["value"] for s in listed[WARNINGS]["series"]} == {
        "": 1.0, "2017-01-01": 0.0, "131000": 0.0,
    }  # fmt: skip


def _write_hours(path: Path, station: str, day: dt.date, hours: int, value: float) -> None:
    """``hours`` hourly PM2.5 values of one CST day (labels 01:00 …), appended to a canonical CSV."""
    with path.open("a", encoding="utf-8") as f:
        start = dt.datetime.combine(day, dt.time(0), dt.timezone(dt.timedelta(hours=8)))
        for h in range(1, hours + 1):
            f.write(f"{station},{(start + dt.timedelta(hours=h)).isoformat()},PM2.5,{value},µg/m³\n")


def test_pm25_days_at_or_below_the_limit(store: Store, agreement_id: int, tmp_path: Path) -> None:
    op = operator(store)
    feed = tmp_path / "beijing.csv"
    feed.write_text("station,time,pollutant,value,unit\n", encoding="utf-8")
    d1, d2, d3 = dt.date(2016, 12, 16), dt.date(2016, 12, 17), dt.date(2016, 12, 18)
    _write_hours(feed, "1001A", d1, 24, 50)  # day 1: (50 + 90) / 2 = 70 <= 75
    _write_hours(feed, "1003A", d1, 24, 90)
    _write_hours(feed, "1001A", d2, 24, 100)  # day 2: 1003A has 19 hours (no daily mean): 100 > 75
    _write_hours(feed, "1003A", d2, 19, 10)
    _write_hours(feed, "1001A", d3, 10, 10)  # day 3: no station has a daily mean
    _write_hours(feed, "1002A", d1, 24, 500)  # Dingling is a background site: not in the city mean
    ingest_files(store, op, [feed])
    service.bind_indicator(store, op, agreement_id, DAYS_TASK, PM25_DAYS, params={"city": "北京"}, target=1)
    service.bind_indicator(
        store, op, agreement_id, DAYS_TASK, PM25_DAYS, params={"city": "110000", "limit_ug_m3": 100}, target=2
    )
    service.bind_indicator(
        store, op, agreement_id, DAYS_TASK, PM25_DAYS, params={"city": "北京", "from": "2016-12-17"}, target=1,
        comparator="ge",
    )  # fmt: skip
    results = {
        s.params.get("limit_ug_m3", "") + s.params.get("from", ""): s for s in service.refresh_indicators(store, op)
    }
    default = results["75"]
    assert default.value == 1.0
    assert default.details["days_valid"] == 2 and default.details["days_above"] == 1
    assert (default.details["first_day"], default.details["last_day"]) == ("2016-12-16", "2016-12-17")
    assert default.as_of == dt.datetime(2016, 12, 18, 2, tzinfo=dt.UTC)  # 10:00 CST on day 3
    assert default.details["stations_with_daily_means"] == ["1001A", "1003A"]
    assert results["100"].value == 2.0
    assert results["752016-12-17"].value == 0.0
    task = service.get_task(store, op, agreement_id, DAYS_TASK)
    assert [(b.value, b.target, b.met) for b in task.indicators] == [
        (1.0, 1.0, True),
        (2.0, 2.0, True),
        (0.0, 1.0, False),
    ]
    with pytest.raises(InputError, match="needs the parameter 'city'"):
        service.bind_indicator(store, op, agreement_id, DAYS_TASK, PM25_DAYS, target=10)
    with pytest.raises(InputError, match="has no default target"):
        service.bind_indicator(store, op, agreement_id, DAYS_TASK, PM25_DAYS, params={"city": "北京"})


def _failing(ctx: Context) -> Reading:
    raise InputError("the timetable is missing", expected="a GTFS feed", given="none")


def test_a_failing_indicator_does_not_stop_the_others(store: Store, agreement_id: int) -> None:
    op = operator(store)
    transit = Indicator(
        key="transit.rail_travel_time", name="Fastest rail trip", description="…", unit="min",
        comparator=Comparator.LE, target=90, compute=_failing, module="transit",
        params=(Param("origin", ParamKind.JURISDICTION, "origin", True),),
    )  # fmt: skip
    registry = Registry([*air_indicators(), transit])
    task = service.bind_indicator(
        store, op, agreement_id, DAYS_TASK, transit.key, params={"origin": "Shijiazhuang"}, registry=registry
    )
    assert task.indicators[0].comparator == "le" and task.indicators[0].target == 90
    service.bind_indicator(store, op, agreement_id, WARN_TASK, WARNINGS, target=1)
    by_key = {s.indicator: s for s in service.refresh_indicators(store, op, registry=registry)}
    assert by_key[WARNINGS].value == 0.0 and by_key[WARNINGS].error is None
    assert by_key[transit.key].error is not None and "the timetable is missing" in by_key[transit.key].error
    assert service.indicator_values(store, op, transit.key, params={"origin": "130100"}, registry=registry) == []
    # an installation without that module reports the binding instead of failing
    assert "not registered" in (
        {s.indicator: s for s in service.refresh_indicators(store, op)}[transit.key].error or ""
    )
    shown = service.get_task(store, op, agreement_id, DAYS_TASK).indicators[0]
    assert shown.name == "transit.rail_travel_time (not registered here)" and shown.met is None


def test_who_may_bind_and_recompute(store: Store, agreement_id: int) -> None:
    hebei = _principal(store, "hebei-eeb", "130000", AirScope.WARN, Scope.READ)
    reader = _principal(store, "reader", "110000", Scope.READ)
    with pytest.raises(PermissionDeniedError, match="lead or partner jurisdiction"):
        service.bind_indicator(store, hebei, agreement_id, WARN_TASK, WARNINGS, target=1)
    with pytest.raises(PermissionDeniedError, match="anonymous requests may not recompute"):
        service.refresh_indicators(store, ANONYMOUS)
    assert service.refresh_indicators(store, reader) == []
    with pytest.raises(NotFoundError, match=r"no indicator 'water\.sections'"):
        service.bind_indicator(store, operator(store), agreement_id, WARN_TASK, "water.sections", target=1)
    task = service.bind_indicator(store, operator(store), agreement_id, WARN_TASK, WARNINGS, target=2)
    again = service.bind_indicator(store, operator(store), agreement_id, WARN_TASK, WARNINGS, target=2)
    assert again.version == task.version  # the same binding again changes nothing
    changed = service.bind_indicator(store, operator(store), agreement_id, WARN_TASK, WARNINGS, target=3)
    assert [b.target for b in changed.indicators] == [3.0] and changed.version == task.version + 1
    removed = service.unbind_indicator(store, operator(store), agreement_id, WARN_TASK, changed.indicators[0].id)
    assert removed.indicators == ()
    with pytest.raises(NotFoundError, match="has no indicator binding"):
        service.unbind_indicator(store, operator(store), agreement_id, WARN_TASK, 999)


def test_good_days_count_the_city_daily_aqi_at_most_100(store: Store, agreement_id: int, tmp_path: Path) -> None:
    """air.good_days: the AQI engine's daily city AQI (all pollutants), levels I and II."""
    op = operator(store)
    feed = tmp_path / "beijing.csv"
    feed.write_text("station,time,pollutant,value,unit\n", encoding="utf-8")
    days = [dt.date(2016, 12, 16), dt.date(2016, 12, 17), dt.date(2016, 12, 18)]
    # PM2.5 daily means 70 (AQI 94), 80 (AQI 105) and 75 (AQI 100, still good) at the two evaluation sites;
    # the other five pollutants low, so that no day is withheld by the missing-data rule (HJ 633-2026 §5.3)
    start = dt.datetime.combine(days[0], dt.time(0), dt.timezone(dt.timedelta(hours=8)))
    with feed.open("a", encoding="utf-8") as f:
        for d, pm25 in enumerate((70, 80, 75)):
            for h in range(1, 25):
                t = (start + dt.timedelta(days=d, hours=h)).isoformat()
                for station in ("1001A", "1003A"):
                    for pollutant, value, unit in (
                        ("PM2.5", pm25, "µg/m³"), ("PM10", 60, "µg/m³"), ("SO2", 5, "µg/m³"),
                        ("NO2", 20, "µg/m³"), ("O3", 30, "µg/m³"), ("CO", 0.5, "mg/m³"),
                    ):  # fmt: skip
                        f.write(f"{station},{t},{pollutant},{value},{unit}\n")
    ingest_files(store, op, [feed])
    service.bind_indicator(
        store, op, agreement_id, DAYS_TASK, "air.good_days",
        params={"city": "北京", "from": "2016-12-16", "to": "2016-12-18"}, target=3,
    )  # fmt: skip
    [series] = [s for s in service.refresh_indicators(store, op) if s.indicator == "air.good_days"]
    assert series.value == 2.0
    assert series.details["days_with_aqi"] == 3
    task = service.get_task(store, op, agreement_id, DAYS_TASK)
    assert [(b.value, b.met) for b in task.indicators] == [(2.0, False)]


RAIL = "transit.rail_travel_time_min"


def test_a_task_bound_to_the_rail_time_follows_the_regional_feed(store: Store, agreement_id: int) -> None:
    beijing = _principal(store, "beijing-eeb", "110000", AirScope.WARN, Scope.READ)
    office = _principal(store, "office", None, Scope.ADMIN, Scope.READ)
    task = service.bind_indicator(
        store, beijing, agreement_id, DAYS_TASK, RAIL, params={"origin": "石家庄", "destination": "Beijing"}
    )
    assert (task.indicators[0].comparator, task.indicators[0].target) == ("le", 90.0)
    # no feed yet: no value (never a sentinel), and the reason says what to run
    [series] = [s for s in service.refresh_indicators(store, office) if s.indicator == RAIL]
    assert series.value is None
    path = regional_feed_path(store.settings)
    feed = toy_feed()
    write_feed(feed, path)
    [series] = [s for s in service.refresh_indicators(store, office) if s.indicator == RAIL]
    assert series.value == 40.0  # G5 石家庄 09:00 → 北京西 09:40
    assert service.get_task(store, office, agreement_id, DAYS_TASK).indicators[0].met is True
    # the timetable changes (G5 withdrawn): the task shows the new value once the indicators refresh
    slower = feed.with_tables(stop_times=feed.stop_times[feed.stop_times["trip_id"] != "G5"])
    write_feed(slower.with_tables(trips=feed.trips[feed.trips["trip_id"] != "G5"]), path)
    [series] = [s for s in service.refresh_indicators(store, office) if s.indicator == RAIL]
    assert series.value == 65.0  # G1 08:00 → 09:05
    assert service.get_task(store, office, agreement_id, DAYS_TASK).indicators[0].value == 65.0
