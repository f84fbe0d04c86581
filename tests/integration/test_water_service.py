"""Water through the exchange: sections and links, samples with revisions, ownership, incidents, the API.

Every test runs on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import DATA, bearer
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from xietong.exchange import admin, audit, notify
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store
from xietong.store.tables import audit_log, outbox
from xietong.water import incidents, service
from xietong.water.domain import WaterScope
from xietong.water.tables import water_sample

pytestmark = pytest.mark.integration
CNEMC = DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv"
T0 = datetime(2025, 11, 18, 8, tzinfo=UTC)


def _principal(store: Store, name: str, jurisdiction: str | None, *scopes: Scope) -> tuple[Principal, str]:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        return authenticate(conn, token), token


@pytest.fixture
def bureaus(store: Store) -> dict[str, Principal]:
    rw = (Scope.READ, WaterScope.PUBLISH)
    return {
        "langfang": _principal(store, "langfang-water", "131000", *rw)[0],
        "tianjin": _principal(store, "tianjin-water", "120000", *rw)[0],
        "beijing": _principal(store, "beijing-water", "110000", *rw)[0],
        "reader": _principal(store, "reader", "120000", Scope.READ)[0],
    }


def _canonical(path: Path, rows: list[tuple[str, str, str, float]]) -> Path:
    path.write_text(
        "section,time,item,value,unit\n" + "".join(f"{s},{t},{i},{v},mg/L\n" for s, t, i, v in rows), encoding="utf-8"
    )
    return path


def _audit(store: Store, action_prefix: str) -> list[tuple[str, str, str]]:
    with store.read() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.outcome, audit_log.c.actor).order_by(audit_log.c.seq)
        )
        return [(r.action, r.outcome, r.actor) for r in rows if r.action.startswith(action_prefix)]


# -- registry --------------------------------------------------------------------------------------


def test_db_upgrade_seeds_the_haihe_graph(store: Store) -> None:
    op = operator(store)
    sections = service.list_sections(store, op)
    links = service.list_links(store, op)
    assert len(sections) == 139 and len(links) == 67
    he11 = sections.set_index("code").loc["HE11"]
    assert (he11["river"], he11["jurisdiction"], bool(he11["cross_border"])) == ("北运河", "131000", True)
    assert links["approximate"].all()
    assert service.seed_haihe(store, op) == 0  # idempotent


def test_a_section_revision_keeps_the_old_one_readable_as_of(store: Store, bureaus: dict[str, Principal]) -> None:
    op = operator(store)
    before = service.list_sections(store, op).set_index("code").loc["HE11"]
    t_before = datetime.now(UTC)
    record = {c: before[c] for c in service.SECTION_FRAME_COLUMNS if c != "code"} | {"code": "HE11"}
    record |= {"target_class": "III", "target_class_assumed": False}
    result = service.publish_sections(store, bureaus["langfang"], [record])
    assert (result["written"], result["revised"]) == (1, 1)
    assert service.publish_sections(store, bureaus["langfang"], [record])["written"] == 0
    now = service.list_sections(store, op).set_index("code").loc["HE11"]
    then = service.list_sections(store, op, as_of=t_before).set_index("code").loc["HE11"]
    assert (now["target_class"], now["revision"], then["target_class"], then["revision"]) == ("III", 2, "IV", 1)
    assert list(service.section_history(store, op, "HE11")["target_class"]) == ["IV", "III"]
    with pytest.raises(PermissionDeniedError, match="may not publish section HE11"):
        service.publish_sections(store, bureaus["tianjin"], [record | {"target_class": "II"}])
    assert _audit(store, "water.sections.publish")[-1] == ("water.sections.publish", "denied", "tianjin-water")


def test_links_belong_to_the_upstream_owner(store: Store, bureaus: dict[str, Principal]) -> None:
    link = {"from_section": "HE11", "to_section": "TJ03", "river": "北运河", "kind": "river",
            "distance_km": "16", "velocity_m_s": "0.25", "approximate": "false", "estimate": "measured 2025"}  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        service.publish_links(store, bureaus["tianjin"], [link])
    assert service.publish_links(store, bureaus["langfang"], [link])["revised"] == 1
    row = service.list_links(store, bureaus["reader"], section="HE11").set_index("to_section").loc["TJ03"]
    assert (row["distance_km"], row["velocity_m_s"], bool(row["approximate"])) == (16.0, 0.25, False)
    assert row["travel_time_h"] == pytest.approx(16_000 / 0.25 / 3600)


# -- samples ---------------------------------------------------------------------------------------


def test_cnemc_ingest_is_idempotent_revised_and_readable_as_of(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    first = service.ingest_samples(store, op, CNEMC)
    assert (first.rows, first.sections, first.format) == (601, 133, "cnemc-realtime")
    assert first.values.written == first.values.read > 0
    again = service.ingest_samples(store, op, CNEMC)
    assert (again.values.written, again.values.revised, again.values.unchanged) == (0, 0, first.values.read)
    he11 = service.read_samples_stored(store, op, sections=["HE11"])
    row = he11[he11["item"] == "nh3n"].iloc[0]
    t_before = datetime.now(UTC)
    when = row["time"].isoformat()
    fix = _canonical(tmp_path / "fix.csv", [("HE11", when, "nh3n", float(row["value"]) + 1.0)])
    third = service.ingest_samples(store, op, fix)
    assert (third.values.written, third.values.revised) == (1, 1)
    now = service.read_samples_stored(store, op, sections=["HE11"])
    old = service.read_samples_stored(store, op, sections=["HE11"], as_of=t_before)
    pick = (now["item"] == "nh3n") & (now["time"] == row["time"])
    assert now[pick]["value"].iloc[0] == pytest.approx(row["value"] + 1.0) and now[pick]["revision"].iloc[0] == 2
    pick_old = (old["item"] == "nh3n") & (old["time"] == row["time"])
    assert old[pick_old]["value"].iloc[0] == pytest.approx(row["value"])
    classes = service.classify_stored(store, op, sections=["HE11"])
    assert set(classes["section"]) == {"HE11"} and classes["water_class"].notna().all()
    graded = service.evaluate_stored(store, op, rivers=["北运河"])
    assert graded[0]["river"] == "北运河" and graded[0]["n_sections"] == 3


def test_a_batch_is_all_or_nothing_and_only_the_owner_publishes(
    store: Store, bureaus: dict[str, Principal], tmp_path: Path
) -> None:
    mixed = _canonical(
        tmp_path / "mixed.csv",
        [("HE11", "2025-11-18T08:00+08:00", "nh3n", 0.5), ("NOPE", "2025-11-18T08:00+08:00", "nh3n", 0.5)],
    )
    with pytest.raises(NotFoundError, match="not registered: NOPE"):
        service.ingest_samples(store, operator(store), mixed)
    theirs = _canonical(
        tmp_path / "theirs.csv",
        [("TJ03", "2025-11-18T08:00+08:00", "nh3n", 0.5), ("HE11", "2025-11-18T08:00+08:00", "nh3n", 0.5)],
    )
    with pytest.raises(PermissionDeniedError, match="samples of section HE11"):
        service.ingest_samples(store, bureaus["tianjin"], theirs)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(water_sample)).scalar_one() == 0
    assert [o for _, o, _ in _audit(store, "water.ingest")] == ["failed", "denied"]


def test_api_ingest_403_is_problem_json_and_audited(store: Store, client: TestClient, tmp_path: Path) -> None:
    _, tj = _principal(store, "tianjin-api", "120000", Scope.READ, WaterScope.PUBLISH)
    body = "section,time,item,value,unit\nHE11,2025-11-18T08:00+08:00,nh3n,0.5,mg/L\n"
    r = client.post("/api/v1/water/samples", content=body, headers={**bearer(tj), "Content-Type": "text/csv"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert "HE11" in r.json()["detail"]
    assert ("water.ingest", "denied", "tianjin-api") in _audit(store, "water.ingest")
    ok = "section,time,item,value,unit\nTJ03,2025-11-18T08:00+08:00,nh3n,0.5,mg/L\n"
    r = client.post("/api/v1/water/samples", content=ok, headers={**bearer(tj), "Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["written"] == 1
    r = client.get("/api/v1/water/classify", params={"section": "TJ03"}, headers=bearer(tj))
    assert r.status_code == 200 and r.json()[0]["water_class"] == "II"


# -- incidents -------------------------------------------------------------------------------------


def test_north_canal_scenario(store: Store, bureaus: dict[str, Principal]) -> None:
    """A Hebei section on the North Canal: Tianjin notified with ETAs, acknowledges, plan, close, audit."""
    op = operator(store)
    notify.subscribe(store, op, "http://127.0.0.1:9/tj", jurisdiction="120000", allow=["127.0.0.1"], secret="s")
    lf, tj = bureaus["langfang"], bureaus["tianjin"]
    view = incidents.open_incident(
        store, lf, section="HE11", started_at=T0, pollutant="氨氮", amount=2.5, amount_unit="t",
        description="sewage overflow upstream of Yangwa sluice",
    )  # fmt: skip
    assert (view.status, view.jurisdiction, view.river) == ("open", "131000", "北运河")
    assert [d.section for d in view.downstream] == ["TJ03", "TJ04", "TJ05", "TJ11"]
    assert {d.jurisdiction for d in view.downstream} == {"120000"}
    tj03 = view.downstream[0]
    assert tj03.travel_time_h == pytest.approx(15_000 / 0.2 / 3600)  # 15 km at 0.2 m/s in the shipped graph
    assert datetime.fromisoformat(tj03.eta) == T0 + timedelta(hours=tj03.travel_time_h)
    [party] = view.parties
    assert (party.jurisdiction, party.first_section, party.eta, party.acknowledged) == (
        "120000",
        "TJ03",
        tj03.eta,
        False,
    )
    with store.read() as conn:
        [body] = [json.loads(r.body) for r in conn.execute(sa.select(outbox.c.body))]
    assert body["event"] == "water.incident.opened"
    assert [s["section"] for s in body["data"]["notified"][0]["sections"]] == ["TJ03", "TJ04", "TJ05", "TJ11"]

    with pytest.raises(PermissionDeniedError):
        incidents.acknowledge(store, bureaus["beijing"], view.id)
    acked = incidents.acknowledge(store, tj, view.id, note="Wuqing on alert")
    assert acked.party("120000").acknowledged_by == "tianjin-water" and acked.version == 2
    with pytest.raises(ConflictError, match="already acknowledged"):
        incidents.acknowledge(store, tj, view.id)
    with pytest.raises(ConflictError, match="joint monitoring"):
        incidents.close(store, lf, view.id, report="too early")
    with pytest.raises(InputError, match="not on the incident's path"):
        incidents.add_sampling(store, tj, view.id, section="BJ12", items=["nh3n"], every_h=2)
    planned = incidents.add_sampling(store, tj, view.id, section="TJ03", items=["nh3n", "CODMn"], every_h=2)
    assert planned.status == "monitoring" and planned.plan[0].items == ["nh3n", "codmn"]
    assert planned.plan[0].jurisdiction == "120000"
    with pytest.raises(ConflictError, match="changed meanwhile"):
        incidents.close(store, lf, view.id, report="done", expected_version=1)
    closed = incidents.close(store, lf, view.id, report="NH3-N below class IV for 48 h")
    assert (closed.status, closed.report) == ("closed", "NH3-N below class IV for 48 h")
    assert [e.kind for e in closed.events] == ["opened", "notified", "acknowledged", "plan", "closed"]
    steps = [(a, o) for a, o, _ in _audit(store, "water.incident.")]
    assert steps == [
        ("water.incident.open", "ok"),
        ("water.incident.acknowledge", "denied"),
        ("water.incident.acknowledge", "ok"),
        ("water.incident.acknowledge", "failed"),
        ("water.incident.close", "failed"),
        ("water.incident.plan", "failed"),
        ("water.incident.plan", "ok"),
        ("water.incident.close", "failed"),
        ("water.incident.close", "ok"),
    ]
    with store.read() as conn:
        assert audit.verify(conn).ok
        events = [r[0] for r in conn.execute(sa.select(outbox.c.event).order_by(outbox.c.id))]
    assert events == [
        "water.incident.opened", "water.incident.acknowledged", "water.incident.plan", "water.incident.closed",
    ]  # fmt: skip


def test_concurrent_acknowledgements_are_all_kept(store: Store, bureaus: dict[str, Principal]) -> None:
    view = incidents.open_incident(store, bureaus["beijing"], section="BJ12", started_at=T0, pollutant="COD")
    assert {p.jurisdiction for p in view.parties} == {"131000", "120000"}  # Langfang, then Tianjin
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ack(who: str) -> None:
        barrier.wait()
        try:
            incidents.acknowledge(store, bureaus[who], view.id, note=who)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ack, args=(w,)) for w in ("langfang", "tianjin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = incidents.get(store, bureaus["reader"], view.id)
    assert all(p.acknowledged for p in final.parties) and final.version == 3
    assert sorted(p.note or "" for p in final.parties) == ["langfang", "tianjin"]


def test_exceedance_for_n_consecutive_samples_opens_an_incident(
    store: Store, bureaus: dict[str, Principal], tmp_path: Path
) -> None:
    lf = bureaus["langfang"]
    times = [f"2025-11-1{d}T08:00+08:00" for d in range(3, 6)]
    two = _canonical(tmp_path / "two.csv", [("HE11", t, "nh3n", 1.8) for t in times[:2]])
    service.ingest_samples(store, lf, two)
    assert incidents.detect_exceedances(store, lf, consecutive=3) == []
    three = _canonical(tmp_path / "three.csv", [("HE11", times[2], "nh3n", 1.8)])
    service.ingest_samples(store, lf, three)
    [opened] = incidents.detect_exceedances(store, lf, consecutive=3)
    assert (opened.trigger, opened.section, opened.item) == ("exceedance", "HE11", "nh3n")
    assert datetime.fromisoformat(opened.started_at) == datetime.fromisoformat(times[0])
    assert opened.evidence["classes"] == ["V", "V", "V"] and opened.parties[0].jurisdiction == "120000"
    assert incidents.detect_exceedances(store, lf, consecutive=3) == []  # already open
    assert incidents.detect_exceedances(store, bureaus["tianjin"], consecutive=1) == []  # not Tianjin's section


def test_incident_api(store: Store, client: TestClient) -> None:
    _, lf = _principal(store, "langfang-api", "131000", Scope.READ, WaterScope.PUBLISH)
    _, tj = _principal(store, "tianjin-api", "120000", Scope.READ, WaterScope.PUBLISH)
    r = client.post(
        "/api/v1/water/incidents",
        json={"section": "HE11", "started_at": "2025-11-18T16:00+08:00", "pollutant": "氨氮", "amount": 2.5,
              "amount_unit": "t"},
        headers=bearer(lf),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    assert r.json()["parties"][0]["eta"] == "2025-11-19T12:50:00+08:00"
    r = client.post(f"/api/v1/water/incidents/{iid}/close", json={"report": "x"}, headers=bearer(tj))
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post(f"/api/v1/water/incidents/{iid}/acknowledge", json={"expected_version": 7}, headers=bearer(tj))
    assert r.status_code == 409
    r = client.post(f"/api/v1/water/incidents/{iid}/acknowledge", json={"note": "ok"}, headers=bearer(tj))
    assert r.status_code == 200 and r.json()["parties"][0]["acknowledged_by"] == "tianjin-api"
    r = client.post(
        f"/api/v1/water/incidents/{iid}/plan",
        json={"section": "TJ04", "items": ["nh3n"], "every_h": 4},
        headers=bearer(tj),
    )
    assert r.status_code == 200 and r.json()["status"] == "monitoring"
    r = client.post(f"/api/v1/water/incidents/{iid}/close", json={"report": "over"}, headers=bearer(lf))
    assert r.status_code == 200 and r.json()["status"] == "closed"
    listed = client.get("/api/v1/water/incidents", params={"status": "closed"}, headers=bearer(tj)).json()
    assert [i["id"] for i in listed] == [iid]
    down = client.get("/api/v1/water/downstream/HE11", headers=bearer(tj)).json()
    assert [d["section"] for d in down] == ["TJ03", "TJ04", "TJ05", "TJ11"]
    assert client.get("/api/v1/water/sections", params={"river": "北运河"}, headers=bearer(tj)).status_code == 200
    assert client.get("/api/v1/water/incidents/999", headers=bearer(tj)).status_code == 404
