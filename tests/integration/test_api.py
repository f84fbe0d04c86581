"""The HTTP API: authentication, ownership, problem+json errors, pagination, formats."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import DATA, Actors, bearer
from xietong.air.tables import air_observation
from xietong.enums import Scope
from xietong.exchange import audit
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import issue_token
from xietong.store.session import Store

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
CANONICAL = "station,time,pollutant,value,unit\n"


def _count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(air_observation)).scalar_one())


def _denials(store: Store) -> list[audit.AuditEntry]:
    with store.read() as conn:
        return [e for e in audit.entries(conn, limit=10_000) if e.outcome == "denied"]


def test_jurisdictions_are_public_and_fifteen(client: TestClient) -> None:
    response = client.get("/api/v1/region/jurisdictions")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 15
    assert {"code": "130100", "name_zh": "石家庄市", "name_en": "Shijiazhuang"}.items() <= body[3].items()
    assert client.get("/api/v1/region/jurisdictions/Xiongan").json()["code"] == "133100"


def test_docs_and_openapi_render_from_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn." not in page.text
    bundle = client.get("/swagger/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert len(bundle.content) > 500_000
    spec = client.get("/openapi.json").json()
    assert "/api/v1/air/observations" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_publish_and_read_back_with_a_token(client: TestClient, actors: Actors) -> None:
    body = CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n1001A,2016-12-16T08:00+08:00,CO,3.1,mg/m³\n"
    response = client.post(
        "/api/v1/air/observations", content=body.encode(), headers=bearer(actors.beijing) | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["written"] == 2
    again = client.post(
        "/api/v1/air/observations", content=body.encode(), headers=bearer(actors.beijing) | {"Content-Type": "text/csv"}
    )
    assert again.json()["written"] == 0
    read = client.get(
        "/api/v1/air/observations",
        params={"station": "1001A", "from": "2016-12-16", "to": "2016-12-16"},
        headers=bearer(actors.reader),
    )
    assert read.status_code == 200
    [row] = read.json()["data"]
    assert row["time"] == "2016-12-16T08:00:00+08:00"
    assert (row["pm25"], row["co"]) == (250.0, 3.1)


def test_tianjin_token_cannot_publish_for_a_beijing_station(client: TestClient, actors: Actors, store: Store) -> None:
    body = CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n"
    response = client.post("/api/v1/air/observations", content=body.encode(), headers=bearer(actors.tianjin))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 403
    assert "1001A" in problem["detail"]
    assert "北京" in problem["detail"]
    assert _count(store) == 0
    denial = _denials(store)[-1]
    assert denial.actor == "tianjin-feed"
    assert denial.action == "air.ingest"
    assert len(_denials(store)) == 1, "a refusal is recorded once"


def test_token_problems_are_401_and_audited(client: TestClient, actors: Actors, store: Store) -> None:
    url = "/api/v1/air/stations"
    missing = client.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "needs an API token" in missing.json()["detail"]
    malformed = client.get(url, headers=bearer("not-a-token"))
    assert malformed.status_code == 401
    assert "malformed" in malformed.json()["detail"]
    with store.write() as conn:
        expired = issue_token(conn, "analyst", frozenset({Scope.READ}), expires_in=timedelta(seconds=-1))
    late = client.get(url, headers=bearer(expired.token))
    assert late.status_code == 401
    assert "expired" in late.json()["detail"]
    assert len(_denials(store)) == 3


def test_revoked_token_stops_working(client: TestClient, actors: Actors) -> None:
    token_id = actors.reader.split("_")[1]
    assert client.get("/api/v1/air/stations", headers=bearer(actors.reader)).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(actors.admin)).status_code == 204
    response = client.get("/api/v1/air/stations", headers=bearer(actors.reader))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_without_read_scope_is_forbidden(client: TestClient, actors: Actors) -> None:
    response = client.get("/api/v1/air/stations", headers=bearer(actors.no_read))
    assert response.status_code == 403
    assert response.json()["expected"] == "a token with scope 'read'"


@pytest.mark.parametrize(
    ("line", "status", "field"),
    [
        ("9999Z,2016-12-16T08:00+08:00,PM2.5,250,µg/m³", 422, "station"),
        ("1001A,2016-12-16T08:00,PM2.5,250,µg/m³", 400, "time"),
        ("1001A,2016-12-16T08:00+08:00,PM2.5,-5,µg/m³", 400, "PM2.5"),
        ("1001A,2016-12-16T08:00+08:00,CO,900,mg/m³", 400, "CO"),
        ("1001A,2016-12-16T08:00+08:00,PM2.5,abc,µg/m³", 400, "value"),
    ],
)
def test_bad_input_is_a_problem_naming_row_and_field(
    client: TestClient, actors: Actors, store: Store, line: str, status: int, field: str
) -> None:
    body = CANONICAL + "1002A,2016-12-16T08:00+08:00,PM2.5,200,µg/m³\n" + line + "\n"
    response = client.post(
        "/api/v1/air/observations",
        content=body.encode(),
        headers=bearer(actors.beijing),
        params={"filename": "feed.csv"},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["row"] == 3
    assert problem["field"] == field
    assert problem["source"] == "feed.csv"
    assert "nothing was written" in problem["detail"]
    assert _count(store) == 0


def test_duplicate_rows_with_different_values_are_refused(client: TestClient, actors: Actors, store: Store) -> None:
    body = CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n1001A,2016-12-16T08:00+08:00,PM2.5,260,µg/m³\n"
    response = client.post("/api/v1/air/observations", content=body.encode(), headers=bearer(actors.beijing))
    assert response.status_code == 400
    assert response.json()["type"].endswith("duplicate-record")
    assert _count(store) == 0


def test_a_body_over_the_limit_is_413(engine, store: Store, actors: Actors) -> None:  # type: ignore[no-untyped-def]
    from xietong.api.app import create_app
    from xietong.config import Settings

    small = Settings(data_dir=engine.settings.data_dir, database_url=engine.settings.database_url, max_body_bytes=1000)
    with TestClient(create_app(small, store=store)) as c:
        body = (CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n" * 100).encode()
        response = c.post("/api/v1/air/observations", content=body, headers=bearer(actors.beijing))
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert "at most 1000 bytes" in response.json()["detail"]
        chunked = c.post(
            "/api/v1/air/observations", content=iter([body[:600], body[600:]]), headers=bearer(actors.beijing)
        )
        assert chunked.status_code == 413
    assert _count(store) == 0


def test_pagination_csv_json_and_geojson(client: TestClient, actors: Actors) -> None:
    upload = (DATA / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv").read_bytes()
    op_headers = bearer(actors.beijing) | {"Content-Type": "text/csv"}
    assert client.post("/api/v1/air/observations", content=upload, headers=op_headers).status_code == 200
    seen = []
    params: dict[str, str | int] = {"station": "1003A", "limit": 100}
    while True:
        page = client.get("/api/v1/air/observations", params=params, headers=bearer(actors.reader)).json()
        seen.extend(row["time"] for row in page["data"])
        if page["meta"]["next_cursor"] is None:
            break
        params["cursor"] = page["meta"]["next_cursor"]
    assert len(seen) == 14 * 24 == len(set(seen))
    assert seen == sorted(seen)
    csv = client.get(
        "/api/v1/air/observations",
        params={"station": "1003A", "format": "csv", "limit": 10},
        headers=bearer(actors.reader),
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("station,time,so2,no2,o3,co,pm10,pm25")
    assert 'rel="next"' in csv.headers["link"]
    long = client.get(
        "/api/v1/air/observations",
        params={"station": "1003A", "shape": "long", "limit": 1},
        headers=bearer(actors.reader),
    ).json()
    assert {row["pollutant"] for row in long["data"]} == {"SO2", "NO2", "O3", "CO", "PM10", "PM2.5"}
    geo = client.get(
        "/api/v1/air/stations", params={"format": "geojson", "jurisdiction": "北京"}, headers=bearer(actors.reader)
    )
    assert geo.headers["content-type"] == "application/geo+json"
    features = json.loads(geo.text)["features"]
    assert len(features) == 24
    assert all(f["properties"]["jurisdiction_code"] == "110000" for f in features)


def test_bad_cursor_and_bad_time_are_problems(client: TestClient, actors: Actors) -> None:
    r = client.get("/api/v1/air/observations", params={"cursor": "!!"}, headers=bearer(actors.reader))
    assert r.status_code == 400 and r.json()["title"] == "Invalid input"
    r = client.get("/api/v1/air/observations", params={"from": "2016-12-16T08:00"}, headers=bearer(actors.reader))
    assert r.status_code == 400
    assert "without a time zone" in r.json()["detail"]


def test_as_of_reads_the_earlier_revision(client: TestClient, actors: Actors) -> None:
    headers = bearer(actors.beijing)
    client.post(
        "/api/v1/air/observations",
        content=(CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n").encode(),
        headers=headers,
    )
    revisions = client.get(
        "/api/v1/air/observations/revisions",
        params={"station": "1001A", "time": "2016-12-16T08:00+08:00"},
        headers=bearer(actors.reader),
    ).json()
    first_recorded = revisions[0]["recorded_at"]
    client.post(
        "/api/v1/air/observations",
        content=(CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,255,µg/m³\n").encode(),
        headers=headers,
    )
    now = client.get("/api/v1/air/observations", params={"station": "1001A"}, headers=bearer(actors.reader)).json()[
        "data"
    ]
    then = client.get(
        "/api/v1/air/observations", params={"station": "1001A", "as_of": first_recorded}, headers=bearer(actors.reader)
    ).json()["data"]
    assert (now[0]["pm25"], now[0]["revision"]) == (255.0, 2)
    assert (then[0]["pm25"], then[0]["revision"]) == (250.0, 1)


def test_admin_manages_principals_and_audit(client: TestClient, actors: Actors) -> None:
    created = client.post(
        "/api/v1/principals", json={"name": "langfang-feed", "jurisdiction": "廊坊"}, headers=bearer(actors.admin)
    )
    assert created.status_code == 201
    token = client.post(
        "/api/v1/tokens",
        json={"principal": "langfang-feed", "scopes": ["read", "publish:air"]},
        headers=bearer(actors.admin),
    )
    assert token.status_code == 201
    assert token.json()["token"].startswith("xt_")
    entries = client.get("/api/v1/audit", headers=bearer(actors.admin)).json()
    assert [e["action"] for e in entries][-2:] == ["principal.create", "token.create"]
    assert "token" not in json.dumps(entries[-1]["detail"]).replace("token_id", "")
    assert client.get("/api/v1/audit/verify", headers=bearer(actors.admin)).json()["ok"] is True
    assert client.get("/api/v1/audit", headers=bearer(actors.beijing)).status_code == 403


def test_a_jurisdiction_admin_cannot_create_principals_elsewhere(client: TestClient, store: Store) -> None:
    from xietong.exchange import admin

    op = operator(store)
    admin.create_principal(store, op, "tianjin-admin", "120000")
    token = admin.issue_token(store, op, "tianjin-admin", frozenset({Scope.ADMIN})).token
    r = client.post("/api/v1/principals", json={"name": "x", "jurisdiction": "110000"}, headers=bearer(token))
    assert r.status_code == 403
    ok = client.post("/api/v1/principals", json={"name": "tj-feed", "jurisdiction": "120000"}, headers=bearer(token))
    assert ok.status_code == 201


def test_reads_of_a_restricted_station_are_audited(client: TestClient, actors: Actors, store: Store) -> None:
    from xietong.air.tables import air_station

    with store.write() as conn:
        conn.execute(air_station.update().where(air_station.c.code == "1003A").values(restricted=True))
    upload = (DATA / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv").read_bytes()
    client.post("/api/v1/air/observations", content=upload, headers=bearer(actors.beijing))
    client.get("/api/v1/air/observations", params={"station": "1003A", "limit": 5}, headers=bearer(actors.reader))
    with store.read() as conn:
        reads = [e for e in audit.entries(conn, limit=10_000) if e.action == "air.read_restricted"]
    assert len(reads) == 1
    assert reads[0].actor == "analyst"
    assert reads[0].detail["stations"] == ["1003A"]


def test_anonymous_read_only_when_enabled(engine, store: Store) -> None:  # type: ignore[no-untyped-def]
    from xietong.api.app import create_app
    from xietong.config import Settings

    open_settings = Settings(
        data_dir=engine.settings.data_dir, database_url=engine.settings.database_url, anonymous_read=True
    )
    with TestClient(create_app(open_settings, store=store)) as c:
        assert c.get("/api/v1/air/stations").status_code == 200
        refused = c.post(
            "/api/v1/air/observations", content=(CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,1,µg/m³\n").encode()
        )
        assert refused.status_code == 403
