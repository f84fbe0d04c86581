"""``/api/v1/agreements``: import, tasks, updates, history, progress, CSV, evidence files, indicators."""

from __future__ import annotations

import io

import docx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Actors, bearer
from xietong.exchange import audit
from xietong.store.session import Store

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
A = "/api/v1/agreements"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SMALL = """Cooperation Agreement between Beijing and Tianjin on Transport and Ecology

1. Transport
(1) The two sides will jointly build the second Beijing-Tianjin intercity railway.
(2) Tianjin will open a bus line to Beijing Capital International Airport.
(3) Tianjin supports Langfang to build a cold-chain logistics park.

2. Ecology
(1) The two sides will establish a data sharing mechanism for air-quality monitoring.
(2) Beijing and Tianjin will jointly carry out the treatment of the Chaobai River.
"""
RAIL, BUS, AIR = "t-43628d0c2b", "t-822e5eb9b8", "t-0376b55090"
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def _import(client: TestClient, actors: Actors) -> int:
    response = client.post(
        A, params={"filename": "small.txt"}, content=SMALL.encode(), headers=bearer(actors.admin) | TEXT
    )
    assert response.status_code in (200, 201), response.text
    return int(response.json()["agreement_id"])


def test_import_twice_list_and_show(client: TestClient, actors: Actors) -> None:
    first = client.post(
        A, params={"filename": "small.txt"}, content=SMALL.encode(), headers=bearer(actors.admin) | TEXT
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["format"] == "xietong.agreement/1" and body["created"] and body["revision"] == 1
    assert [(t["id"], t["area"], t["lead"], t["section"]) for t in body["tasks"]][:2] == [
        (RAIL, "transport", ["110000", "120000"], "Transport"),
        (BUS, "transport", ["120000"], "Transport"),
    ]
    again = client.post(
        A, params={"filename": "again.txt"}, content=SMALL.encode(), headers=bearer(actors.admin) | TEXT
    )
    assert again.status_code == 200 and again.json()["unchanged"]
    listed = client.get(A, headers=bearer(actors.reader)).json()
    assert [(a["id"], a["title"], a["progress"]["tasks"]) for a in listed] == [
        (body["agreement_id"], "Cooperation Agreement between Beijing and Tianjin on Transport and Ecology", 5)
    ]
    shown = client.get(f"{A}/{body['agreement_id']}", headers=bearer(actors.reader)).json()
    assert [t["id"] for t in shown["tasks"]][:2] == [RAIL, BUS]
    assert shown["tasks"][1]["lead_names"] == ["Tianjin"] and shown["tasks"][1]["status"] == "not_started"
    assert [s["heading"] for s in shown["sections"]] == ["Transport", "Ecology"]
    missing = client.get(f"{A}/999", headers=bearer(actors.reader))
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_a_docx_upload_imports(client: TestClient, actors: Actors) -> None:
    document = docx.Document()
    document.add_heading("Memorandum between Beijing and Hebei on Ecology", level=0)
    document.add_heading("1. Water", level=1)
    document.add_paragraph("(1) The two sides will jointly build a monitoring network for the Yongding River.")
    buf = io.BytesIO()
    document.save(buf)
    response = client.post(
        A,
        params={"filename": "memo.docx"},
        content=buf.getvalue(),
        headers=bearer(actors.admin) | {"Content-Type": DOCX},
    )
    assert response.status_code == 201, response.text
    [task] = response.json()["tasks"]
    assert (task["area"], task["lead"]) == ("ecology/water", ["110000", "130000"])


def test_import_needs_admin_and_a_refusal_writes_nothing(client: TestClient, actors: Actors, store: Store) -> None:
    refused = client.post(A, content=SMALL.encode(), headers=bearer(actors.tianjin) | TEXT)
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    assert refused.json()["expected"] == "a token with scope 'admin'"
    assert client.get(A, headers=bearer(actors.reader)).json() == []
    with store.read() as conn:
        denied = [e for e in audit.entries(conn, limit=1000) if e.outcome == "denied"]
    assert [(e.actor, e.action) for e in denied] == [("tianjin-feed", "agreements.import")]
    empty = client.post(A, params={"filename": "empty.txt"}, content=b"  \n", headers=bearer(actors.admin) | TEXT)
    assert empty.status_code == 400 and empty.json()["source"] == "empty.txt"


def test_update_history_and_permissions(client: TestClient, actors: Actors) -> None:
    aid = _import(client, actors)
    url = f"{A}/{aid}/tasks/{BUS}"
    body = {
        "progress_pct": 40,
        "due": "2026-12-31",
        "milestones": [{"title": "route approved", "done": True}],
        "add_evidence": [{"kind": "link", "url": "https://jtys.tj.gov.cn/n/42", "title": "notice"}],
        "note": "route approved",
    }
    ok = client.patch(url, json=body, headers=bearer(actors.tianjin))
    assert ok.status_code == 200, ok.text
    task = ok.json()
    assert (task["status"], task["progress_pct"], task["due"], task["version"]) == (
        "in_progress",
        40.0,
        "2026-12-31",
        2,
    )
    assert task["evidence"][0]["id"] == "e1" and task["milestones"] == [
        {"title": "route approved", "due": None, "done": True}
    ]
    refused = client.patch(url, json={"progress_pct": 90}, headers=bearer(actors.hebei))
    assert refused.status_code == 403
    assert "a principal of a lead or partner jurisdiction (120000 Tianjin)" in refused.json()["expected"]
    read_only = client.patch(url, json={"progress_pct": 90}, headers=bearer(actors.reader))
    assert (
        read_only.status_code == 403 and "track, admin or a jurisdiction's write scope" in read_only.json()["expected"]
    )
    bad = client.patch(url, json={"status": "done", "progress_pct": 50}, headers=bearer(actors.tianjin))
    assert bad.status_code == 400
    assert bad.json()["expected"] == "progress 100 with status done" and bad.json()["hint"]
    out_of_range = client.patch(url, json={"progress_pct": 140}, headers=bearer(actors.tianjin))
    assert out_of_range.status_code == 400 and out_of_range.json()["expected"] == "a number from 0 to 100 [%]"
    stale = client.patch(url, json={"progress_pct": 50, "expected_version": 1}, headers=bearer(actors.tianjin))
    assert stale.status_code == 409
    cleared = client.patch(url, json={"due": None, "note": None}, headers=bearer(actors.tianjin)).json()
    assert (cleared["due"], cleared["note"], cleared["version"]) == (None, None, 3)
    history = client.get(f"{url}/history", headers=bearer(actors.reader)).json()
    assert [(h["version"], h["actor"], h["action"], h["changed"]) for h in history] == [
        (1, "office-admin", "import", ["created"]),
        (2, "tianjin-feed", "update", ["status", "progress_pct", "due", "milestones", "evidence", "note"]),
        (3, "tianjin-feed", "update", ["due", "note"]),
    ]
    assert client.get(url, headers=bearer(actors.reader)).json()["version"] == 3
    # the region corrects the lead; a jurisdiction may not
    assert client.patch(url, json={"lead": ["北京"]}, headers=bearer(actors.tianjin)).status_code == 403
    fixed = client.patch(url, json={"lead": ["北京"], "partners": ["天津"]}, headers=bearer(actors.admin)).json()
    assert (fixed["lead"], fixed["partners"], fixed["corrected"]) == (["110000"], ["120000"], True)


def test_progress_csv_round_trip_and_bad_csv(client: TestClient, actors: Actors) -> None:
    aid = _import(client, actors)
    client.patch(f"{A}/{aid}/tasks/{RAIL}", json={"progress_pct": 50, "weight": 2}, headers=bearer(actors.beijing))
    client.patch(f"{A}/{aid}/tasks/{BUS}", json={"status": "done"}, headers=bearer(actors.tianjin))
    by_area = client.get(f"{A}/progress", params={"by": "area", "tasks": "true"}, headers=bearer(actors.reader)).json()
    transport = by_area["groups"][0]
    assert (transport["key"], transport["tasks"], transport["progress_pct"]) == ("transport", 2, pytest.approx(200 / 3))
    assert len(by_area["tasks"]) == 5 and by_area["tasks"][0]["lead_names"] == ["Beijing", "Tianjin"]
    by_lead = client.get(f"{A}/progress", params={"by": "jurisdiction"}, headers=bearer(actors.reader)).json()
    assert [g["key"] for g in by_lead["groups"]] == ["110000", "120000", "131000"]
    sections = client.get(f"{A}/progress", params={"by": "section", "agreement": aid}, headers=bearer(actors.reader))
    assert [g["label"] for g in sections.json()["groups"]] == ["Transport", "Ecology"]
    assert client.get(f"{A}/progress", params={"by": "section"}, headers=bearer(actors.reader)).status_code == 400
    exported = client.get(f"{A}/tracking", params={"agreement": aid}, headers=bearer(actors.reader))
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0] == "agreement,task,number,area,lead,status,progress_pct,due,weight,note,text"
    back = client.post(
        f"{A}/tracking",
        params={"filename": "t.csv"},
        content=exported.content,
        headers=bearer(actors.admin) | {"Content-Type": "text/csv"},
    )
    assert back.json() == {"rows": 5, "updated": 0, "unchanged": 5}
    bad = f"task,status,progress_pct\n{RAIL},finished,\n{AIR},,abc\n"
    refused = client.post(f"{A}/tracking", params={"filename": "bad.csv", "agreement": aid}, content=bad.encode(),
                          headers=bearer(actors.admin) | {"Content-Type": "text/csv"})  # fmt: skip
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["error_count"] == 2
    assert [(e["source"], e["row"], e["field"]) for e in problem["errors"]] == [
        ("bad.csv", 2, "status"),
        ("bad.csv", 3, "progress_pct"),
    ]


def test_files_and_indicators(client: TestClient, actors: Actors) -> None:
    aid = _import(client, actors)
    pdf = b"%PDF-1.4 joint meeting minutes"
    attached = client.post(
        f"{A}/{aid}/tasks/{AIR}/files", params={"filename": "minutes.pdf", "title": "Minutes"}, content=pdf,
        headers=bearer(actors.beijing) | {"Content-Type": "application/pdf"},
    )  # fmt: skip
    assert attached.status_code == 200, attached.text
    [item] = attached.json()["evidence"]
    file = client.get(f"{A}/files/{item['sha256']}", headers=bearer(actors.reader))
    assert (file.content, file.headers["content-type"]) == (pdf, "application/pdf")
    assert file.headers["content-disposition"].startswith('attachment; filename="minutes.pdf"')
    assert file.headers["x-content-type-options"] == "nosniff"
    bound = client.post(
        f"{A}/{aid}/tasks/{AIR}/indicators", json={"indicator": "warnings.issued_through_consultation", "target": 2},
        headers=bearer(actors.beijing),
    )  # fmt: skip
    assert bound.status_code == 200, bound.text
    [binding] = bound.json()["indicators"]
    assert (binding["comparator"], binding["target"], binding["value"], binding["met"]) == ("ge", 2.0, None, None)
    unknown = client.post(
        f"{A}/{aid}/tasks/{AIR}/indicators", json={"indicator": "water.x"}, headers=bearer(actors.beijing)
    )
    assert unknown.status_code == 404 and "warnings.issued_through_consultation" in unknown.json()["expected"]
    refreshed = client.post(f"{A}/indicators/refresh", headers=bearer(actors.reader))
    assert refreshed.status_code == 200 and [s["value"] for s in refreshed.json()] == [0.0]
    shown = client.get(f"{A}/{aid}/tasks/{AIR}", headers=bearer(actors.reader)).json()["indicators"][0]
    assert (shown["value"], shown["met"]) == (0.0, False)
    listed = {i["key"]: i for i in client.get(f"{A}/indicators", headers=bearer(actors.reader)).json()}
    assert listed["warnings.issued_through_consultation"]["series"][0]["tasks"] == 1
    assert listed["air.pm25_days_at_or_below"]["params"][0]["name"] == "city"
    values = client.get(f"{A}/indicators/warnings.issued_through_consultation/values", headers=bearer(actors.reader))
    assert [v["value"] for v in values.json()] == [0.0]
    gone = client.delete(f"{A}/{aid}/tasks/{AIR}/indicators/{binding['id']}", headers=bearer(actors.beijing))
    assert gone.status_code == 200 and gone.json()["indicators"] == []


def test_openapi_documents_the_agreement_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {op["operationId"] for path, item in spec["paths"].items() if path.startswith(A) for op in item.values()}
    assert ops == {
        "listAgreements", "importAgreement", "agreementProgress", "exportTracking", "importTracking",
        "listIndicators", "refreshIndicators", "indicatorValues", "getEvidenceFile", "getAgreement",
        "getAgreementTask", "updateAgreementTask", "agreementTaskHistory", "attachEvidenceFile", "bindIndicator",
        "unbindIndicator",
    }  # fmt: skip
    task = spec["components"]["schemas"]["TaskOut"]["properties"]
    status = spec["components"]["schemas"]["Status"]["enum"]
    assert status == ["not_started", "in_progress", "done", "blocked", "dropped"]
    assert {"status", "progress_pct", "lead", "indicators", "evidence"} <= set(task)
    assert "text/markdown" in spec["paths"][A]["post"]["requestBody"]["content"]
