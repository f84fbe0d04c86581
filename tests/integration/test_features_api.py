"""``/api/v1/features``: OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over every domain's datasets.

The requirement numbers are those of OGC 17-069r4 (OGC API – Features – Part 1: Core, 1.0).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DATA, Actors, bearer
from tests.unit.transit.test_circle import toy_feed
from xietong.air import consultation
from xietong.air import service as air
from xietong.air.domain import AirScope
from xietong.enums import Scope
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.features import CONFORMANCE
from xietong.store.session import Store
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path
from xietong.water import incidents
from xietong.water import service as water

pytestmark = pytest.mark.integration

BASE = "/api/v1/features"
UCI = sorted((DATA / "air" / "uci").glob("*.csv"))  # Dingling 1002A, Dongsi 1003A, Tiantan 1004A, 10–23 Dec 2016
COLLECTIONS = {"jurisdictions", "boundaries", "air-stations", "air-warning-cities", "water-sections", "water-incidents",
               "rail-stations", "transit-circle"}  # fmt: skip


def _rels(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {link["rel"]: link for link in doc["links"]}


def test_landing_page_and_conformance_are_public_and_complete(client: TestClient) -> None:
    landing = client.get(BASE)  # no token: /req/core/root-op is open like /health
    assert landing.status_code == 200 and landing.headers["content-type"].startswith("application/json")
    rels = _rels(landing.json())
    # /req/core/root-success: links to self, the API definition, the conformance declaration and the data
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["data"]["href"].endswith("/api/v1/features/collections")
    descs = [link for link in landing.json()["links"] if link["rel"] == "service-desc"]
    assert {d["type"] for d in descs} == {
        "application/vnd.oai.openapi+json;version=3.0",
        "application/vnd.oai.openapi+json;version=3.1",
    }
    assert client.get(BASE + "/").json() == landing.json()  # OWSLib asks with a trailing slash
    conformance = client.get(BASE + "/conformance").json()
    # /req/core/conformance-success, /req/geojson, /req/oas30
    assert set(conformance["conformsTo"]) == set(CONFORMANCE)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]


def test_the_api_definition_is_openapi_30_with_every_collection(client: TestClient) -> None:
    doc = client.get(BASE + "/api")
    assert doc.headers["content-type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    body = doc.json()
    assert body["openapi"].startswith("3.0")
    for cid in COLLECTIONS:
        params = {p["name"] for p in body["paths"][f"/collections/{cid}/items"]["get"]["parameters"]}
        assert {"bbox", "datetime", "limit", "offset"} <= params
    circle = {p["name"] for p in body["paths"]["/collections/transit-circle/items"]["get"]["parameters"]}
    assert {"centre", "minutes"} <= circle
    # and the application's own OpenAPI 3.1 document declares the routes too
    paths = client.get("/openapi.json").json()["paths"]
    assert {f"{BASE}/collections", f"{BASE}/collections/{{collection_id}}/items"} <= set(paths)


def test_collections_need_read_access_like_the_rest_of_the_api(client: TestClient, actors: Actors) -> None:
    refused = client.get(BASE + "/collections")
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")
    assert client.get(BASE + "/collections", headers=bearer(actors.reader)).status_code == 200
    assert client.get(BASE + "/collections/air-stations/items", headers=bearer(actors.no_read)).status_code == 403


def test_each_collection_has_the_members_of_part_1(client: TestClient, actors: Actors) -> None:
    body = client.get(BASE + "/collections", headers=bearer(actors.reader)).json()
    assert _rels(body)["self"]["href"].endswith("/collections")  # /req/core/fc-md-links
    assert {c["id"] for c in body["collections"]} == COLLECTIONS
    for c in body["collections"]:
        # /req/core/fc-md-items: id, links with rel items (GeoJSON) and self; extent in CRS84
        rels = _rels(c)
        assert rels["items"]["type"] == "application/geo+json" and rels["items"]["href"].endswith(f"/{c['id']}/items")
        assert c["itemType"] == "feature" and c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        bbox = c["extent"]["spatial"]["bbox"][0]
        assert len(bbox) == 4 and bbox[0] <= bbox[2] and bbox[1] <= bbox[3]
        assert c["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        one = client.get(f"{BASE}/collections/{c['id']}", headers=bearer(actors.reader)).json()
        assert one["id"] == c["id"] and _rels(one)["self"]["href"].endswith(f"/collections/{c['id']}")


def test_air_stations_carry_the_aqi_of_the_hour_asked_for(client: TestClient, actors: Actors, store: Store) -> None:
    air.ingest_files(store, operator(store), UCI)
    h = bearer(actors.reader)
    # Dongsi, 2016-12-20 08:00 CST: PM2.5 325 µg/m³ (UCI row 33369) → IAQI 375 on the 250–350 segment of
    # HJ 633-2012 Table 1 (1-h values on the 24-h breakpoints, CNEMC practice since 2014) → level VI
    r = client.get(f"{BASE}/collections/air-stations/items",
                   params={"datetime": "2016-12-20T08:00:00+08:00", "bbox": "116.3,39.85,116.5,40.0"}, headers=h)  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    by_id = {f["id"]: f for f in r.json()["features"]}
    dongsi = by_id["1003A"]["properties"]
    assert (dongsi["aqi"], dongsi["level"], dongsi["category_zh"], dongsi["colour"]) == (375, 6, "严重污染", "#7E0023")
    assert dongsi["time"] == "2016-12-20T08:00:00+08:00" and dongsi["pm25"] == 325
    assert by_id["1001A"]["properties"]["aqi"] is None  # Wanshouxigong: no data in this sample
    # without datetime: each station's latest hour (the sample ends 2016-12-23 23:00)
    latest = client.get(f"{BASE}/collections/air-stations/items/1003A", headers=h).json()
    assert latest["properties"]["time"] == "2016-12-23T23:00:00+08:00" and latest["id"] == "1003A"
    # an interval: the latest hour inside it
    inside = client.get(f"{BASE}/collections/air-stations/items",
                        params={"datetime": "2016-12-21T00:00:00+08:00/2016-12-22T12:00:00+08:00", "limit": 200}, headers=h)  # fmt: skip
    assert {f["id"]: f["properties"]["time"] for f in inside.json()["features"]}["1003A"] == "2016-12-22T12:00:00+08:00"
    collection = client.get(f"{BASE}/collections/air-stations", headers=h).json()
    assert collection["extent"]["temporal"]["interval"] == [["2016-12-09T16:00:00Z", "2016-12-23T15:00:00Z"]]
    hours = client.get("/api/v1/air/hours", headers=h).json()
    assert (hours["count"], hours["runs"]) == (336, [["2016-12-10T00:00:00+08:00", "2016-12-23T23:00:00+08:00"]])
    levels = client.get("/api/v1/air/aqi-levels", params={"on": "2016-12-20"}).json()
    assert levels["edition"] == "2012" and levels["levels"][5]["hex"] == "#7E0023"


def test_paging_links_and_counts(client: TestClient, actors: Actors) -> None:
    h = bearer(actors.reader)
    first = client.get(f"{BASE}/collections/jurisdictions/items", params={"limit": 5}, headers=h).json()
    assert (first["numberMatched"], first["numberReturned"]) == (18, 5)  # 15 jurisdictions + 3 capitals
    assert "timeStamp" in first and "prev" not in _rels(first)
    nxt = client.get(_rels(first)["next"]["href"], headers=h).json()
    assert nxt["features"][0]["id"] == "130300" and _rels(nxt)["prev"]["href"].endswith("offset=0")
    last = client.get(f"{BASE}/collections/jurisdictions/items", params={"limit": 5, "offset": 15}, headers=h).json()
    assert last["numberReturned"] == 3 and "next" not in _rels(last)
    huge = client.get(f"{BASE}/collections/jurisdictions/items", params={"limit": 10**9}, headers=h)
    assert huge.status_code == 200 and huge.json()["numberReturned"] == 18  # lowered to the maximum, no error
    boxed = client.get(f"{BASE}/collections/jurisdictions/items", params={"bbox": "116,39,118,41"}, headers=h).json()
    assert {f["properties"]["name_en"] for f in boxed["features"]} == {"Beijing", "Tianjin", "Langfang", "Chengde"}


@pytest.mark.parametrize(
    "query",
    [{"bbox": "116,39"}, {"datetime": "2016-12-20T08:00"}, {"limit": "0"}, {"limit": "ten"}, {"offset": "-1"},
     {"colour": "red"}, {"f": "html"}],
)  # fmt: skip
def test_bad_or_unknown_parameters_are_400_problems(client: TestClient, actors: Actors, query: dict[str, str]) -> None:
    r = client.get(f"{BASE}/collections/air-stations/items", params=query, headers=bearer(actors.reader))
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"]


def test_unknown_collections_and_features_are_404(client: TestClient, actors: Actors) -> None:
    h = bearer(actors.reader)
    assert client.get(f"{BASE}/collections/parks", headers=h).status_code == 404
    missing = client.get(f"{BASE}/collections/jurisdictions/items/999999", headers=h)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    one = client.get(f"{BASE}/collections/jurisdictions/items/130100", headers=h).json()
    assert one["properties"]["name_en"] == "Shijiazhuang" and _rels(one)["collection"]["href"].endswith("jurisdictions")


def _bureau(store: Store, name: str, jurisdiction: str) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset({AirScope.WARN, Scope.READ})).token
    with store.read() as conn:
        return authenticate(conn, token)


def test_warning_cities_show_the_level_in_force_and_open_proposals(
    client: TestClient, actors: Actors, store: Store
) -> None:
    op = operator(store)
    t0 = datetime(2016, 12, 14, 8, tzinfo=UTC)
    w = consultation.propose(
        store, op, rules="key-regions-2024", cities=["北京", "保定"], level="orange",
        start=t0 + timedelta(days=2), end=t0 + timedelta(days=6), deadline=t0 + timedelta(hours=8),
        reason="written for this test", now=t0,
    )  # fmt: skip
    beijing, baoding = _bureau(store, "beijing-eeb", "110000"), _bureau(store, "baoding-eeb", "130600")
    consultation.respond(store, beijing, w.id, city="北京", answer="accept", now=t0 + timedelta(hours=1))
    h = bearer(actors.reader)

    def at(t: datetime) -> dict[str, dict[str, Any]]:
        r = client.get(f"{BASE}/collections/air-warning-cities/items", params={"datetime": t.isoformat()}, headers=h)
        return {f["id"]: f["properties"] for f in r.json()["features"]}

    open_ = at(t0 + timedelta(hours=2))
    assert len(open_) == 14 and open_["110000"]["level"] == "none"
    assert (open_["130600"]["proposed_level"], open_["130600"]["proposed_warning"]) == ("orange", w.id)
    consultation.respond(store, baoding, w.id, city="保定", answer="counter", level="red", now=t0 + timedelta(hours=3))
    during = at(t0 + timedelta(days=3))
    assert (during["110000"]["level"], during["130600"]["level"], during["120000"]["level"]) == (
        "orange",
        "red",
        "none",
    )
    assert during["110000"]["warning"] == w.id and during["110000"]["proposed_level"] is None
    consultation.lift(store, beijing, w.id, reason="written for this test", cities=["北京"], now=t0 + timedelta(days=4))
    assert at(t0 + timedelta(days=5))["110000"]["level"] == "none"
    assert at(t0 + timedelta(days=7))["130600"]["level"] == "none"  # the period is over


def test_water_sections_are_approximate_points_with_their_latest_class_and_incidents(
    client: TestClient, actors: Actors, store: Store
) -> None:
    op = operator(store)
    water.ingest_samples(store, op, DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv")
    incidents.open_incident(store, op, section="BJ12", started_at=datetime(2025, 11, 18, 8, tzinfo=UTC),
                            pollutant="ammonia", description="written for this test")  # fmt: skip
    h = bearer(actors.reader)
    body = client.get(f"{BASE}/collections/water-sections/items", params={"limit": 1000}, headers=h).json()
    sections = {f["id"]: f for f in body["features"]}
    assert body["numberMatched"] == len(sections) == 139
    bj12 = sections["BJ12"]
    # the bundled list has no coordinates: Beijing's sections sit at Beijing's point, flagged
    assert bj12["geometry"]["coordinates"] == [116.41, 39.9] and bj12["properties"]["approximate"] is True
    assert bj12["properties"]["located_by"] == "jurisdiction point" and bj12["properties"]["incidents"] == [1]
    assert [d["incident"] for d in sections["HE11"]["properties"]["downstream_of"]] == [1]
    unknown = [f for f in sections.values() if f["geometry"] is None]
    assert unknown and all(f["properties"]["located_by"] == "unknown" for f in unknown)
    classified = client.get("/api/v1/water/classify", params={"section": "BJ12"}, headers=h).json()
    assert bj12["properties"]["water_class"] == max(classified, key=lambda c: c["time"])["water_class"]
    incident = client.get(f"{BASE}/collections/water-incidents/items/1", headers=h).json()["properties"]
    assert incident["status"] == "open" and "HE11" in {d["section"] for d in incident["downstream"]}
    before = client.get(f"{BASE}/collections/water-incidents/items", params={"datetime": "../2025-11-01T00:00:00Z"}, headers=h)  # fmt: skip
    assert before.json()["numberMatched"] == 0  # not open yet then


def test_rail_stations_and_the_circle_come_from_the_regional_feed(
    client: TestClient, actors: Actors, store: Store
) -> None:
    h = bearer(actors.reader)
    empty = client.get(f"{BASE}/collections/rail-stations/items", headers=h).json()
    assert empty["numberMatched"] == 0  # no feed yet: an empty collection, not an error
    write_feed(toy_feed(), regional_feed_path(store.settings))
    stations = client.get(f"{BASE}/collections/rail-stations/items", headers=h).json()
    sjp = next(f for f in stations["features"] if f["id"] == "SJP")
    assert sjp["properties"]["city_en"] == "Shijiazhuang" and sjp["properties"]["trains"] > 0
    circle = client.get(f"{BASE}/collections/transit-circle/items", params={"centre": "石家庄", "minutes": 90, "limit": 100}, headers=h).json()  # fmt: skip
    targets = {
        f["properties"]["city_code"]: f["properties"] for f in circle["features"] if f["properties"]["role"] == "target"
    }
    assert len(targets) == 15 and targets["110000"]["rail_min"] == 40.0 and targets["110000"]["within"] is True
    assert {f["geometry"]["type"] for f in circle["features"]} == {"Point", "LineString"}
    bad = client.get(f"{BASE}/collections/transit-circle/items", params={"minutes": "lots"}, headers=h)
    assert bad.status_code == 400
