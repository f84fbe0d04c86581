"""Every input gets a 4xx naming the field, never a 500; every error is problem+json (issue 11, item 2).

Each case here is one that schemathesis or a manual try once turned into a 500 (or into a stored infinity).
Values marked "written for the test" are not real measurements.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import DATA, Actors, Engine, bearer
from xietong.air.tables import air_observation
from xietong.api.app import create_app
from xietong.cli import app as cli
from xietong.config import Settings
from xietong.errors import InputError
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store
from xietong.store.tables import ingest_batch
from xietong.water import service as water_service

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
CANONICAL = "station,time,pollutant,value,unit\n"


def _count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(air_observation)).scalar_one())


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    return body


# -- non-finite numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e309"])
def test_a_non_finite_json_number_is_refused_naming_its_path(
    client: TestClient, actors: Actors, store: Store, value: str
) -> None:
    body = f'[{{"station":"1001A","time":"2016-12-16T08:00+08:00","pollutant":"pm25","value":{value},"unit":"ug/m3"}}]'
    response = client.post(
        "/api/v1/air/observations",
        content=body.encode(),
        headers=bearer(actors.beijing) | {"Content-Type": "application/json"},
    )
    problem = _problem(response, 400)
    assert problem["field"] == "$[0].value"
    assert problem["given"] == value
    assert _count(store) == 0


@pytest.mark.parametrize("value", ["inf", "-inf", "1e309", "Infinity"])
def test_a_non_finite_csv_cell_is_refused_naming_row_and_field(
    client: TestClient, actors: Actors, store: Store, value: str
) -> None:
    body = CANONICAL + f"1001A,2016-12-16T08:00+08:00,PM2.5,{value},µg/m³\n"
    response = client.post(
        "/api/v1/air/observations",
        content=body.encode(),
        headers=bearer(actors.beijing) | {"Content-Type": "text/csv"},
    )
    problem = _problem(response, 400)
    assert (problem["row"], problem["field"]) == (2, "value")
    assert _count(store) == 0


def test_the_cli_refuses_a_non_finite_cell_too(engine: Engine, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "inf.csv"  # written for the test
    path.write_text(CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,1e309,µg/m³\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["air", "ingest", str(path)], env=engine.env)
    assert result.exit_code == 2
    assert "finite" in result.output
    assert _count(store) == 0


def test_a_water_sample_of_infinity_is_refused(store: Store, tmp_path: Path) -> None:
    real = (DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv").read_text(encoding="utf-8").splitlines()
    header, row = real[0], real[1].split(",")
    row[header.split(",").index("DO_mg_L_raw")] = "inf"  # one cell changed for the test
    path = tmp_path / "water.csv"
    path.write_text(header + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="finite"):
        water_service.ingest_samples(store, operator(store), path)


def test_an_infinity_already_in_the_store_is_read_as_missing(client: TestClient, actors: Actors, store: Store) -> None:
    """A store written before the boundaries refused infinities still answers every read (as null)."""
    client.post(
        "/api/v1/air/observations",
        content=(CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,80,µg/m³\n").encode(),
        headers=bearer(actors.beijing) | {"Content-Type": "text/csv"},
    ).raise_for_status()
    with store.write() as conn:  # what an older Xietong let through
        conn.execute(air_observation.update().values(pm25=float("inf")))
    read = client.get(
        "/api/v1/air/observations?station=1001A&from=2016-12-16&to=2016-12-16", headers=bearer(actors.reader)
    )
    assert read.status_code == 200
    assert read.json()["data"][0]["pm25"] is None
    aqi = client.get("/api/v1/air/aqi?station=1001A&from=2016-12-16&to=2016-12-16", headers=bearer(actors.reader))
    assert aqi.status_code == 200


# -- ids, limits, years and times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/audit?after=9223372036854775808", "query.after"),
        ("/api/v1/audit?limit=0", "query.limit"),
        ("/api/v1/webhooks/deliveries?limit=-1", "query.limit"),
        ("/api/v1/webhooks/deliveries?limit=9223372036854775807", "query.limit"),
        ("/api/v1/air/report?city=110000&year=-1", "query.year"),
        ("/api/v1/air/report?city=110000&year=9999", "query.year"),
        ("/api/v1/air/aqi?from=0001-01-01&to=0001-01-02", "query.from"),
        ("/api/v1/air/aqi?from=9999-12-30&to=9999-12-31", "query.from"),
        ("/api/v1/air/stations?city=%00", "query.city"),
    ],
)
def test_out_of_range_parameters_are_refused_naming_them(
    client: TestClient, actors: Actors, url: str, field: str
) -> None:
    problem = _problem(client.get(url, headers=bearer(actors.admin)), 422)
    assert problem["errors"][0]["field"] == field  # type: ignore[index]


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31", "0001-01-01T00:00+08:00"])
def test_times_outside_the_supported_years_are_refused(client: TestClient, actors: Actors, when: str) -> None:
    response = client.get("/api/v1/air/observations", params={"from": when}, headers=bearer(actors.reader))
    problem = _problem(response, 400)
    assert "year" in str(problem["detail"])


# -- bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"\xff\xfe[]", "application/json", "UTF-8"),
        (b"[" * 100_000, "application/json", "nested"),
        (b"", "text/csv", "empty"),
        (b"code,name\n\x00,x\n", "text/csv", "NUL"),
    ],
)
def test_bad_bodies_get_a_problem_naming_the_body(
    client: TestClient, actors: Actors, store: Store, body: bytes, content_type: str, words: str
) -> None:
    url = "/api/v1/air/stations" if content_type == "text/csv" else "/api/v1/air/observations"
    response = client.post(url, content=body, headers=bearer(actors.beijing) | {"Content-Type": content_type})
    problem = _problem(response, 400)
    assert problem["field"] == "body"
    assert words in str(problem["detail"])
    assert _count(store) == 0


def test_a_tracking_csv_with_cr_line_endings_is_read(client: TestClient, actors: Actors) -> None:
    response = client.post(
        "/api/v1/agreements/tracking",
        content=b"agreement,task,status\r1,1,done\r",
        headers=bearer(actors.admin) | {"Content-Type": "text/csv"},
    )
    assert response.status_code < 500
    assert response.headers["content-type"].startswith(("application/json", PROBLEM))


# -- unexpected failures and outages -----------------------------------------------------------------------


def test_an_unexpected_exception_is_a_500_problem_with_a_correlation_id(
    engine: Engine, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(engine.settings, store=store, start_dispatcher=False)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug, raised on purpose by this test")

    with caplog.at_level(logging.ERROR, logger="xietong.api"), TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    problem = _problem(response, 500)
    correlation = str(problem["correlation_id"])
    assert response.headers["X-Correlation-Id"] == correlation
    assert "on purpose" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if correlation in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the server log, under the id


def test_a_database_that_does_not_answer_is_a_503_with_retry_after(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings.from_env(
        {}, data_dir=tmp_path, database_url=f"postgresql+psycopg://nobody@127.0.0.1:{port}/xietong", anonymous_read=True
    )
    store = Store(settings)
    with TestClient(create_app(settings, store=store, start_dispatcher=False)) as c:
        response = c.get("/api/v1/air/stations")
    problem = _problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert str(problem["type"]).endswith("/store-unavailable")


# -- the OpenAPI document -----------------------------------------------------------------------------------


def test_every_operation_declares_its_problem_answers(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            needed = {"400", "404", "422", "500", "503"} | ({"409", "413"} if method != "get" else set())
            assert needed <= set(responses), (method, path)
            for status in needed:
                assert "application/problem+json" in responses[status]["content"], (method, path, status)


# -- idempotency keys ------------------------------------------------------------------------------------


def test_a_write_retried_with_its_idempotency_key_is_applied_once(
    client: TestClient, actors: Actors, store: Store
) -> None:
    body = (CANONICAL + "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³\n").encode()
    headers = bearer(actors.beijing) | {"Content-Type": "text/csv", "Idempotency-Key": "retry-me-1"}
    first = client.post("/api/v1/air/observations", content=body, headers=headers)
    second = client.post("/api/v1/air/observations", content=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    with store.read() as conn:
        batches = conn.execute(
            sa.select(sa.func.count()).select_from(ingest_batch).where(ingest_batch.c.dataset == "air.observations")
        ).scalar_one()
    assert batches == 1
    other = client.post("/api/v1/air/observations", content=body.replace(b"250", b"251"), headers=headers)
    assert _problem(other, 409)["title"] == "Conflict"
