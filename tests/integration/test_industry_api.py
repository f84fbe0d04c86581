"""``/api/v1/industry``: every route declared in OpenAPI, bounded lists, problem+json for bad input, and the
same numbers as the CLI (the services are shared). Bodies with amounts are written for the tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DATA, bearer
from tests.integration.industry_helpers import token
from xietong.store.session import Store

pytestmark = pytest.mark.integration
PANEL = DATA / "industry" / "jjj_city_panel_extract_2013_2019_2020.csv"
CONTRACTS = DATA / "industry" / "tech_contracts_written_for_tests.csv"


def test_the_routes_are_declared_and_lists_are_bounded(client: TestClient, store: Store) -> None:
    spec = client.get("/openapi.json").json()
    ops = {op["operationId"] for path, item in spec["paths"].items() if "/industry/" in path for op in item.values()}
    assert {"listIndustryParks", "createIndustryProject", "advanceIndustryProject", "industrySiting", "industrySharing",
            "industryStructure", "industrySimilarity", "importTechContracts", "industryTaskLinks"} <= ops  # fmt: skip
    reader = token(store, "reader-industry", "130100", frozenset({"read"}))
    parks = client.get("/api/v1/industry/parks?limit=3", headers=bearer(reader))
    assert parks.status_code == 200 and len(parks.json()) == 3
    too_many = client.get("/api/v1/industry/parks?limit=100000", headers=bearer(reader))
    assert too_many.status_code == 422 and too_many.headers["content-type"] == "application/problem+json"
    geo = client.get("/api/v1/industry/parks.geojson", headers=bearer(reader)).json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"


def test_structure_import_and_reads(client: TestClient, store: Store) -> None:
    admin = token(store, "office-industry", None, frozenset({"admin"}))
    text = PANEL.read_text("utf-8")
    imported = client.post("/api/v1/industry/structure?year=2019&filename=extract.csv", content=text.encode(),
                           headers={**bearer(admin), "content-type": "text/csv"})  # fmt: skip
    assert imported.status_code == 200, imported.text
    rows = client.get("/api/v1/industry/structure?year=2019", headers=bearer(admin)).json()
    assert len(rows) == 39 and {"city", "sector", "share", "lq"} <= set(rows[0])
    missing = client.get("/api/v1/industry/similarity?year=2013", headers=bearer(admin))
    assert missing.status_code == 400 and "no structure table stored for 2013" in missing.json()["detail"]
    bad = text.replace("2019,3", "2019,x", 1)
    refused = client.post("/api/v1/industry/structure?year=2019&filename=bad.csv", content=bad.encode(),
                          headers={**bearer(admin), "content-type": "text/csv"})  # fmt: skip
    assert refused.status_code == 400 and "bad.csv" in refused.json()["detail"]
    tianjin = token(store, "tianjin-stats", "120000")
    denied = client.post("/api/v1/industry/structure?year=2019", content=text.encode(),
                         headers={**bearer(tianjin), "content-type": "text/csv"})  # fmt: skip
    assert denied.status_code == 403


def test_sharing_siting_and_contracts(client: TestClient, store: Store) -> None:
    admin = token(store, "office-industry", None, frozenset({"admin"}))
    body = {
        "enterprises": [{"enterprise": "E1", "origin": "110000", "destination": "130200", "start_year": 2017,
                         "pre_move_local_cny": 9e7, "government_led": True}],
        "taxes": [{"enterprise": "E1", "year": y, "tax": "vat", "paid_cny": 8e7} for y in range(2017, 2021)],
    }  # fmt: skip
    shared = client.post("/api/v1/industry/sharing", json=body, headers=bearer(admin)).json()
    origin = [r for r in shared["statement"] if r["side"] == "origin"]
    assert [r["total_cny"] for r in origin] == [2e7, 2e7, 2e7, 2e7]  # VAT local 50 % of 80 M, half to Beijing
    body["taxes"][1]["year"] = "twenty"
    refused = client.post("/api/v1/industry/sharing", json=body, headers=bearer(admin))
    assert refused.status_code == 400 and "row 2, field 'year'" in refused.json()["detail"]
    site = client.post("/api/v1/industry/siting", headers=bearer(admin), json={
        "industry_code": "4210", "origin": "北京", "year": 2015, "on": "2025-12-01", "parks": ["ZIYA", "SXTT"],
    }).json()  # fmt: skip
    assert [r["park"] for r in site["ranking"]] == ["ZIYA", "SXTT"] and "industry_fit" in site["ranking"][0]["why"]
    unknown = client.post("/api/v1/industry/siting", headers=bearer(admin), json={
        "industry_code": "9999", "origin": "北京", "year": 2015, "parks": ["ZIYA"]})  # fmt: skip
    assert unknown.status_code == 400 and "unknown GB/T 4754-2017 industry code" in unknown.json()["detail"]
    posted = client.post("/api/v1/industry/transfer/contracts?filename=c.csv", content=CONTRACTS.read_bytes(),
                         headers={**bearer(admin), "content-type": "text/csv"})  # fmt: skip
    assert posted.status_code == 200 and posted.json()["new"] == 7
    beijing = client.get("/api/v1/industry/transfer/beijing", headers=bearer(admin)).json()
    assert [(r["year"], r["value_cny"]) for r in beijing] == [(2023, 22.5e6), (2024, 6e5)]


def test_parks_posted_as_records(client: TestClient, store: Store) -> None:
    tianjin = token(store, "tianjin-parks", "120000")
    park = {"code": "TJT1", "name_zh": "测试园", "name_en": "Test park (written for the test)",
            "jurisdiction": "120000", "level": "municipal", "kind": "industrial_park", "leading_industries": ["27"]}  # fmt: skip
    bad = client.post("/api/v1/industry/parks", json={"records": [park, {**park, "code": "TJT2",
                      "leading_industries": ["C99"]}]}, headers=bearer(tianjin))  # fmt: skip
    assert bad.status_code == 400 and "request body, row 2, field 'leading_industries'" in bad.json()["detail"]
    ok = client.post("/api/v1/industry/parks", json={"records": [park]}, headers=bearer(tianjin))
    assert ok.status_code == 200 and ok.json()["new"] == 1
    other = client.post("/api/v1/industry/parks", json={"records": [{**park, "code": "HB1", "jurisdiction": "130100"}]},
                        headers=bearer(tianjin))  # fmt: skip
    assert other.status_code == 403
    assert client.get("/api/v1/industry/parks/TJT1/history", headers=bearer(tianjin)).json()[0]["revision"] == 1
