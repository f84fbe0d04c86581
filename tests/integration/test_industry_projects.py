"""Relocation projects: the destination registers and updates them, the origin confirms, every stage is dated
with evidence and announced by webhook in the same transaction; a stage that goes backwards, a park of
another jurisdiction or an unknown code is refused with nothing written (service, CLI exit 2, API 4xx).

The projects, enterprises and amounts are written for the tests; the parks are the seeded ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Engine, bearer
from tests.integration.industry_helpers import principal, token, write
from xietong.cli import app
from xietong.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from xietong.exchange import enterprises, notify
from xietong.exchange.bootstrap import operator
from xietong.industry import pipeline, service
from xietong.industry.domain import IndustryEvent
from xietong.industry.tables import industry_project, industry_project_history, industry_project_stage
from xietong.store.session import Store
from xietong.store.tables import outbox

pytestmark = pytest.mark.integration
DAY = dt.date(2025, 3, 1)


def _project(**changes: object) -> pipeline.ProjectIn:
    base: dict[str, object] = {
        "name": "Car-parts plant (written for the test)", "enterprise": "Test Auto Parts Co.", "origin": "110000",
        "destination": "130200", "industry_code": "3670", "date": DAY, "park": "CFDZ", "investment_cny": 5e8,
        "jobs": 800, "evidence": [{"kind": "link", "url": "https://example.org/signing", "title": "signing"}],
    }  # fmt: skip
    return pipeline.ProjectIn(**{**base, **changes})  # type: ignore[arg-type]


def _rows(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.fixture
def sides(store: Store) -> dict[str, object]:
    op = operator(store)
    notify.subscribe(
        store,
        op,
        "https://hooks.example.org/beijing",
        jurisdiction="110000",
        events=["industry.*"],
        allow=["*.example.org"],
    )
    notify.subscribe(
        store,
        op,
        "https://hooks.example.org/tangshan",
        jurisdiction="130200",
        events=["industry.*"],
        allow=["*.example.org"],
    )
    return {
        "tangshan": principal(store, "tangshan-industry", "130200"),
        "beijing": principal(store, "beijing-industry", "110000"),
        "tianjin": principal(store, "tianjin-industry", "120000"),
    }


def test_the_destination_registers_and_advances_the_origin_confirms(store: Store, sides: dict[str, object]) -> None:
    tangshan, beijing = sides["tangshan"], sides["beijing"]
    view = pipeline.create_project(store, tangshan, _project())  # type: ignore[arg-type]
    pid = view["id"]
    assert (view["stage"], view["version"], view["park"]) == ("signed", 1, "CFDZ")
    view = pipeline.advance(store, tangshan, pid, "construction", dt.date(2025, 6, 1),  # type: ignore[arg-type]
                            evidence=[{"kind": "note", "text": "ground broken"}], jobs=900)  # fmt: skip
    view = pipeline.confirm(store, beijing, pid, note="registration moved")  # type: ignore[arg-type]
    view = pipeline.advance(store, tangshan, pid, "operating", dt.date(2025, 11, 1))  # type: ignore[arg-type]
    assert [(s["stage"], s["date"]) for s in view["stages"]] == [
        ("signed", "2025-03-01"), ("construction", "2025-06-01"), ("operating", "2025-11-01"),
    ]  # fmt: skip
    assert view["stages"][1]["evidence"] == [{"kind": "note", "text": "ground broken"}]
    assert view["origin_confirmed"] and view["jobs"] == 900 and view["version"] == 4
    assert _rows(store, industry_project_history) == 3  # every earlier version kept
    with store.read() as conn:
        events = [
            (r.event, json.loads(r.body)["data"]["stage"])
            for r in conn.execute(sa.select(outbox).order_by(outbox.c.created_at))
        ]
    # each change reaches both sides' subscriptions
    assert events.count((IndustryEvent.PROJECT_CREATED.value, "signed")) == 2
    assert events.count((IndustryEvent.PROJECT_STAGE.value, "construction")) == 2
    assert events.count((IndustryEvent.PROJECT_CONFIRMED.value, "construction")) == 2
    assert events.count((IndustryEvent.PROJECT_STAGE.value, "operating")) == 2
    assert pipeline.pipeline(store, tangshan)[2] == {  # type: ignore[arg-type]
        "stage": "operating", "projects": 1, "investment_cny": 5e8, "jobs": 900,
    }  # fmt: skip


def test_refusals_write_nothing(store: Store, sides: dict[str, object], tmp_path: Path) -> None:
    tangshan, beijing, tianjin = sides["tangshan"], sides["beijing"], sides["tianjin"]
    pid = pipeline.create_project(store, tangshan, _project())["id"]  # type: ignore[arg-type]
    pipeline.advance(store, tangshan, pid, "construction", dt.date(2025, 6, 1))  # type: ignore[arg-type]
    counts = (_rows(store, industry_project_history), _rows(store, industry_project_stage), _rows(store, outbox))
    with pytest.raises(ConflictError, match="cannot go from construction back to signed"):
        pipeline.advance(store, tangshan, pid, "signed", dt.date(2025, 7, 1))  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="dated before"):
        pipeline.advance(store, tangshan, pid, "operating", dt.date(2025, 5, 1))  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError, match="may not update project"):
        pipeline.advance(store, tianjin, pid, "operating", dt.date(2025, 8, 1))  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError, match="may not confirm"):
        pipeline.confirm(store, tangshan, pid)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="changed since"):
        pipeline.advance(store, tangshan, pid, "operating", dt.date(2025, 8, 1), expected_version=1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="in the future"):
        pipeline.advance(store, tangshan, pid, "operating", dt.date.today() + dt.timedelta(days=30))  # type: ignore[arg-type]
    assert (
        _rows(store, industry_project_history),
        _rows(store, industry_project_stage),
        _rows(store, outbox),
    ) == counts
    # the destination park moved to another jurisdiction (a revision by the region): Tangshan may no longer update
    moved = write(tmp_path / "moved.csv", "code,name_zh,name_en,jurisdiction,level,kind,partner\n"
                  "CFDZ,曹妃甸协同发展示范区,Caofeidian (moved for the test),120000,co_built,demonstration_zone,110000\n")  # fmt: skip
    service.import_parks(store, operator(store), service.read_parks_file(moved), source=moved.name)
    with pytest.raises(
        PermissionDeniedError, match="destination park CFDZ belongs to 120000 Tianjin, not to the jurisdiction"
    ):
        pipeline.advance(store, tangshan, pid, "operating", dt.date(2025, 8, 1))  # type: ignore[arg-type]
    assert (
        _rows(store, industry_project_history),
        _rows(store, industry_project_stage),
        _rows(store, outbox),
    ) == counts
    pipeline.confirm(store, beijing, pid)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="already confirmed"):
        pipeline.confirm(store, beijing, pid)  # type: ignore[arg-type]


def test_registration_refuses_bad_input(store: Store, sides: dict[str, object]) -> None:
    tangshan, tianjin = sides["tangshan"], sides["tianjin"]
    with pytest.raises(InputError, match=r"park BZSP belongs to 120000 Tianjin, not to the destination.*field 'park'"):
        pipeline.create_project(store, tangshan, _project(park="BZSP"))  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError, match="whose destination is 130200"):
        pipeline.create_project(store, tianjin, _project())  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"unknown GB/T 4754-2017 industry code.*'9999'.*field 'industry_code'"):
        pipeline.create_project(store, tangshan, _project(industry_code="9999"))  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="no park 'NOPE'"):
        pipeline.create_project(store, tangshan, _project(park="NOPE"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="same jurisdiction"):
        pipeline.create_project(store, tangshan, _project(origin="唐山"))  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="enterprise registry holds no"):
        pipeline.create_project(store, tangshan, _project(enterprise_city="110000"))  # type: ignore[arg-type]
    assert _rows(store, industry_project) == 0


def test_a_project_of_a_registered_enterprise(store: Store, sides: dict[str, object], tmp_path: Path) -> None:
    csv = write(tmp_path / "enterprises.csv", "name,city,industry,grade,so2_t_per_day,nox_t_per_day,pm_t_per_day,"
                "vocs_t_per_day\nTest Auto Parts Co.,北京,auto parts (written for the test),B,0.1,0.2,0.05,0.3\n")  # fmt: skip
    op = operator(store)
    enterprises.import_enterprises(store, op, enterprises.parse_enterprises(csv), source=csv.name)
    view = pipeline.create_project(store, sides["tangshan"], _project(enterprise_city="北京"))  # type: ignore[arg-type]
    assert view["enterprise_city"] == "110000"


def test_cli_and_api_refuse_a_backward_stage(engine: Engine, store: Store, client: TestClient) -> None:
    ts = token(store, "tangshan-api", "130200")
    body = {"name": "Plant (written for the test)", "enterprise": "Test Co.", "origin": "北京", "destination": "唐山",
            "industry_code": "C36", "date": "2025-03-01", "park": "CFDZ", "investment_cny": 1e8, "jobs": 10}  # fmt: skip
    created = client.post("/api/v1/industry/projects", json=body, headers=bearer(ts))
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    ok = client.post(f"/api/v1/industry/projects/{pid}/stages", json={"stage": "construction", "date": "2025-04-01"},
                     headers=bearer(ts))  # fmt: skip
    assert ok.status_code == 200 and ok.json()["stage"] == "construction"
    back = client.post(f"/api/v1/industry/projects/{pid}/stages", json={"stage": "signed", "date": "2025-05-01"},
                       headers=bearer(ts))  # fmt: skip
    assert back.status_code == 409 and back.headers["content-type"] == "application/problem+json"
    assert "back to signed" in back.json()["detail"]
    wrong = client.post("/api/v1/industry/projects", json={**body, "park": "BZSP"}, headers=bearer(ts))
    assert wrong.status_code == 400 and "belongs to 120000" in wrong.json()["detail"]
    result = CliRunner().invoke(
        app, ["industry", "projects", "stage", str(pid), "signed", "--date", "2025-05-01", "--token", ts],
        env=engine.env, catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2 and "back to signed" in result.stderr
    listed = client.get("/api/v1/industry/projects?limit=5", headers=bearer(ts)).json()
    assert [(p["id"], p["stage"]) for p in listed] == [(pid, "construction")]
