"""``/api/v1/transit``: the circle, routing, road times and scenarios over the regional feed of the data dir."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Actors, bearer
from tests.unit.transit.test_circle import toy_feed
from xietong.store.session import Store
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path

pytestmark = pytest.mark.integration


def test_without_a_feed_the_api_says_how_to_build_one(client: TestClient, actors: Actors) -> None:
    r = client.get("/api/v1/transit/circle", headers=bearer(actors.reader))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert "xietong transit build-gtfs" in r.json()["hint"]


def test_circle_route_and_road_times(client: TestClient, actors: Actors, store: Store) -> None:
    write_feed(toy_feed(), regional_feed_path(store.settings))
    h = bearer(actors.reader)
    summary = client.get("/api/v1/transit/feed", headers=h).json()
    assert (summary["service_date"], summary["trips"]) == ("2026-06-17", 6)

    body = client.get("/api/v1/transit/circle", params={"centre": "Shijiazhuang", "minutes": 90}, headers=h).json()
    rows = {r["city"]: r for r in body["rows"]}
    assert len(rows) == 15 and body["centre"] == "石家庄"
    assert rows["北京"]["rail_min"] == 40.0 and rows["北京"]["within"] is True
    assert rows["济南"]["rail_min"] is None and "no road data" in rows["济南"]["note"]
    as_csv = client.get("/api/v1/transit/circle", params={"format": "csv"}, headers=h)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert {"city", "rail_min", "road_min", "within", "note"} <= set(next(csv.DictReader(io.StringIO(as_csv.text))))
    gj = client.get("/api/v1/transit/circle", params={"format": "geojson"}, headers=h)
    assert gj.headers["content-type"].startswith("application/geo+json") and gj.json()["type"] == "FeatureCollection"

    route = client.get("/api/v1/transit/route", params={"from": "SJP", "at": "08:45", "to": "BXP"}, headers=h).json()
    assert {a["stop_id"]: a["arrival"] for a in route["arrivals"]}["BXP"] == "09:40:00"
    assert [leg["trip_id"] for leg in route["journey"]] == ["G5"]
    bad = client.get("/api/v1/transit/route", params={"from": "SJP", "at": "8 o'clock"}, headers=h)
    assert bad.status_code == 422

    iso = client.get("/api/v1/transit/isochrone", params={"bands": [30, 60]}, headers=h).json()
    assert {r["city"]: r["band_min"] for r in iso["rows"]}["北京"] == 60.0 and iso["bands_min"] == [30, 60]
    stations = client.get("/api/v1/transit/isochrone", params={"format": "geojson"}, headers=h).json()
    assert stations["type"] == "FeatureCollection" and len(stations["features"]) == 6

    road = client.get("/api/v1/transit/road-times", params={"origin": "石家庄"}, headers=h).json()
    assert "modelled" in road["source"] and all(r["origin_code"] == "130100" for r in road["rows"])


def test_shipped_scenarios_are_listed_with_their_assumptions(client: TestClient, actors: Actors, store: Store) -> None:
    listed = client.get("/api/v1/transit/scenarios", headers=bearer(actors.reader)).json()
    ids = {s["id"] for s in listed}
    assert {"tianjin-shijiazhuang", "beijing-tianjin-second-hsr", "shijiazhuang-xiongan", "beijing-tangshan"} <= ids
    assert all(s["assumptions"] for s in listed)
    missing = client.get("/api/v1/transit/scenarios/nowhere/diff", headers=bearer(actors.reader))
    assert missing.status_code == 404 and "tianjin-shijiazhuang" in missing.json()["expected"]

    # the shipped Tianjin–Shijiazhuang line on the toy feed: its new 天津西 stop is in Tianjin
    write_feed(toy_feed(), regional_feed_path(store.settings))
    diff = client.get("/api/v1/transit/scenarios/tianjin-shijiazhuang/diff", headers=bearer(actors.reader)).json()
    tianjin = {r["city"]: r for r in diff["rows"]}["天津"]
    assert tianjin["changed"] is True and tianjin["rail_min_after"] < tianjin["rail_min_before"] == 120.0
