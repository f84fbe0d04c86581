"""``/api/v1/services/…``, ``xietong services …``, the seeded reference data and the indicators, on SQLite
and PostgreSQL. Offices, principals and applicants are constructed (tests/services_world.py); the catalogue,
recognition entries and partnerships are the bundled, sourced data.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Engine
from tests.services_world import APPLICANT_ID, DOCUMENT_TEXT, D, World, make_world, receive_pension_case
from tests.unit.transit.test_circle import toy_feed  # a toy rail feed with real city points
from xietong.cli import app
from xietong.exchange.bootstrap import initialise
from xietong.indicators import Context, default_registry
from xietong.services import calendar as wd
from xietong.services import casework, cooperation, registry
from xietong.store.session import Store
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path

pytestmark = pytest.mark.integration
API = "/api/v1/services"


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**engine.env, "COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_due_date_interface(engine: Engine, client: TestClient, world: World) -> None:
    # National Day 2025: 10/1–10/8 off, Saturday 10/11 a working day (国办发明电〔2024〕12号)
    assert xietong(engine, "services", "due", "--start", "2025-09-30", "--working-days", "5")[:2] == (0, "2025-10-14\n")
    # Spring Festival 2026: 2/15–2/23 off, Saturday 2/14 a working day (2026 notice, 二)
    assert xietong(engine, "services", "due", "--start", "2026-02-13", "--working-days", "1")[1] == "2026-02-14\n"
    assert xietong(engine, "services", "due", "--start", "2026-02-14", "--working-days", "1")[1] == "2026-02-24\n"
    code, out, err = xietong(engine, "services", "due", "--start", "2027-01-05", "--working-days", "3")
    assert code == 2 and out == "" and "known for 2004–2026; 2027-01-05 lies beyond it" in err
    code, _, err = xietong(engine, "services", "due", "--start", "2026-12-30", "--working-days", "5")
    assert code == 2 and "the due date 5 working days after 2026-12-30 lies beyond it" in err
    code, _, err = xietong(engine, "services", "due", "--start", "30/09/2025", "--working-days", "5")
    assert code == 2 and "expected YYYY-MM-DD" in err
    r = client.get(f"{API}/due", params={"start": "2025-09-30", "working_days": 5}, headers=world.tianjin.headers)
    assert r.status_code == 200 and r.json()["due_on"] == "2025-10-14" and "chinesecalendar" in r.json()["calendar"]
    r = client.get(f"{API}/due", params={"start": "2027-01-05", "working_days": 3}, headers=world.tianjin.headers)
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/calendar-year-unknown")


def test_a_case_through_the_api(client: TestClient, world: World) -> None:
    body = {
        "item": "JJJ-PS-001", "receiving_office": world.langfang.office, "competent_offices": [world.beijing.office],
        "received_on": "2025-09-26", "identity_number": APPLICANT_ID, "applicant_name": "测试申请人", "mode": "forwarded",
        "documents": [{"key": "written_application", "content_base64": base64.b64encode(DOCUMENT_TEXT).decode(),
                       "filename": "application.txt", "media_type": "text/plain"}],
    }  # fmt: skip
    r = client.post(f"{API}/cases", json=body, headers=world.langfang.headers)
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    bad = client.post(
        f"{API}/cases", json={**body, "identity_number": APPLICANT_ID[:-1] + "0"}, headers=world.langfang.headers
    )
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-identity-number")
    assert APPLICANT_ID[:-1] not in bad.text
    step = {"kind": "completeness_check", "on": "2025-09-29"}
    assert client.post(f"{API}/cases/{case}/steps", json=step, headers=world.langfang.headers).status_code == 200
    order = client.post(
        f"{API}/cases/{case}/steps", json={"kind": "decided", "on": "2025-09-30", "outcome": "approved"},
        headers=world.beijing.headers,
    )  # fmt: skip
    assert order.status_code == 409 and order.json()["type"].endswith("/step-out-of-order")
    queue = client.get(f"{API}/cases", params={"as_of": "2025-09-30"}, headers=world.langfang.headers).json()
    # 9/30 → 10/23: 10/9, 10/10, Saturday 10/11, 10/13–17, 10/20–23 = 12 working days left
    assert [(q["step"], q["due_on"], q["working_days_left"]) for q in queue] == [("forwarded", "2025-10-23", 12)]
    assert wd.working_days_between(D(2025, 9, 30), D(2025, 10, 23)) == 12
    view = client.get(f"{API}/cases/{case}", headers=world.beijing.headers).json()
    [doc] = view["documents"]
    got = client.get(f"{API}/cases/{case}/documents/{doc['id']}", headers=world.beijing.headers)
    assert got.status_code == 200 and got.content == DOCUMENT_TEXT and got.headers["cache-control"] == "no-store"
    assert client.get(f"{API}/cases", params={"limit": 5000}, headers=world.langfang.headers).status_code == 422
    stats = client.get(f"{API}/stats", params={"as_of": "2025-10-27"}, headers=world.tianjin.headers).json()
    assert stats["cases"] == 1 and {"jurisdiction": "131000", "open": 1, "overdue": 1} in stats["backlog"]


def test_openapi_declares_the_services_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"servicesDueDate", "receiveServiceCase", "getServiceCase", "serviceQueue", "isRecognised",
            "listPartnerships", "listOverdueServiceSteps", "serviceStatistics"} <= ops  # fmt: skip
    limit = next(p for p in spec["paths"][f"{API}/cases"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 1000)
    domains = client.get("/api/v1/domains").json()
    assert "services.step.overdue" in domains["events"] and "services" in {d["name"] for d in domains["domains"]}
    assert "/static/domains/services/services.js" in client.get("/").text
    assert client.get("/static/domains/services/services.js").status_code == 200


def test_the_seed_is_idempotent_and_sourced(store: Store) -> None:
    again = initialise(store)
    assert again.seeded["service items added"] == again.seeded["partnerships added"] == 0
    assert again.seeded["recognition entries added"] == 0
    from xietong.exchange.bootstrap import operator

    items = registry.list_items(store, operator(store), limit=1000)
    assert len(items) == 29 and all(i["source_url"] and i["source_date"] for i in items)


def test_the_recognition_query(client: TestClient, world: World) -> None:
    q = {"catalogue": "jjjl_clinical_tests", "item": "K", "issuer": "a Beijing hospital of the list",
         "issued_in": "北京", "used_in": "130100", "on": "2025-03-01"}  # fmt: skip
    yes = client.get(f"{API}/recognition", params=q, headers=world.tianjin.headers).json()
    assert yes["recognised"] is True and yes["version"] == "2023-2024"
    assert yes["entry"]["source_url"].startswith("https://wjw.beijing.gov.cn/")
    assert "7th batch" in yes["note"]  # a later version is known but not itemised
    before = client.get(f"{API}/recognition", params={**q, "on": "2024-12-31"}, headers=world.tianjin.headers).json()
    assert before["recognised"] is False and "no itemised version" in before["reason"]
    other = client.get(f"{API}/recognition", params={**q, "used_in": "Taiyuan"}, headers=world.tianjin.headers).json()
    assert other["recognised"] is False  # Shanxi is not party to the catalogue


def test_partnerships_read_rail_times_through_the_indicators(store: Store, world: World) -> None:
    rows = cooperation.partnerships(store, world.tianjin.principal, kind="library")
    assert all(r["travel_time_min"] is None and "regional rail feed" in r["travel_time_basis"] for r in rows)
    write_feed(toy_feed(), regional_feed_path(store.settings))  # toy trains between real city points
    rows = cooperation.partnerships(store, world.tianjin.principal, kind="library")
    pairs = {(r["id"], r["origin"], r["destination"]): (r["travel_time_min"], r["travel_time_basis"]) for r in rows}
    assert pairs[("JJJ-PT-022", "110000", "120000")] == (30.0, "a to b")  # C11 北京南 10:30 → 天津 11:00
    assert pairs[("JJJ-PT-022", "110000", "130100")] == (40.0, "b to a (reverse)")  # G5 石家庄 → 北京西
    assert pairs[("JJJ-PT-023", "110000", "133100")][0] is None  # no train to Xiong'an in the toy feed
    # the same value as the indicator the transport domain publishes
    rail = default_registry().get("transit.rail_travel_time_min")
    ctx = Context(store, rail.normalise({"origin": "110000", "destination": "120000"}), world.tianjin.principal,
                  dt.datetime.now(dt.UTC))  # fmt: skip
    assert rail.compute(ctx).value == 30.0


def test_the_indicators_follow_the_cases(store: Store, world: World) -> None:
    reg = default_registry()
    now = dt.datetime(2025, 11, 21, 12, tzinfo=dt.UTC)

    def value(key: str, **params: str) -> float | None:
        ind = reg.get(key)
        return ind.compute(Context(store, ind.normalise(params), world.region.principal, now)).value

    assert value("services.cases_received") == 0 and value("services.forwarded_on_time_rate") is None
    case = receive_pension_case(store, world, documents=(casework.DocumentIn("written_application"),))
    lf, bj = world.langfang.principal, world.beijing.principal
    casework.complete_step(store, lf, case, "completeness_check", on=D(2025, 9, 29))
    # forwarded late: due 10/23, done 10/24
    casework.complete_step(store, lf, case, "forwarded", on=D(2025, 10, 24))
    assert value("services.overdue_steps", day="2025-10-24") == 0
    casework.complete_step(store, bj, case, "accepted", on=D(2025, 10, 27))
    casework.complete_step(store, bj, case, "decided", on=D(2025, 11, 3), outcome="approved")
    casework.complete_step(store, bj, case, "result_returned", on=D(2025, 11, 4))
    assert value("services.overdue_steps", day="2025-12-01", jurisdiction="131000") == 1  # completion due 11/25
    casework.complete_step(store, lf, case, "completed", on=D(2025, 11, 10))
    assert value("services.cases_received", receiving="廊坊", competent="北京") == 1
    assert value("services.cases_received", receiving="天津") == 0
    # 4 steps with due dates, 1 late (forwarding): 75 %
    assert value("services.forwarded_on_time_rate") == 75.0
    assert value("services.forwarded_on_time_rate", jurisdiction="110000") == 100.0
    assert value("services.median_working_days") == wd.working_days_between(D(2025, 9, 26), D(2025, 11, 10))
    assert value("services.overdue_steps") == 0


def test_the_cli_worked_case_commands(engine: Engine, store: Store, world: World, tmp_path: object) -> None:
    case = receive_pension_case(store, world)
    code, out, err = xietong(engine, "services", "case", "show", str(case), "--json", "--token", world.langfang.token)
    assert code == 0, err
    assert json.loads(out)["applicant"]["identity_number"] == APPLICANT_ID
    code, _, err = xietong(engine, "services", "case", "show", str(case), "--token", world.tianjin.token)
    assert code == 2 and "not party to service case" in err
    code, out, _ = xietong(engine, "services", "queue", "--as-of", "2025-09-29", "--token", world.langfang.token)
    assert code == 0 and "131002********1238" in out and APPLICANT_ID not in out
