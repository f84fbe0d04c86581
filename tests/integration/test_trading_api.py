"""``/api/v1/trading/…``: a transfer between jurisdictions through the API, problem+json for every refusal,
idempotency keys, bounded limits, the OpenAPI document and the dashboard page.

Accounts, unit types and quantities are written for the test.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store
from xietong.trading.domain import TradingScope

pytestmark = pytest.mark.integration
YEAR = date.today().year
BEA = f"BEA-{YEAR}"
OFFSET = f"HB-FOREST-CHENGDE-{YEAR}"
SCOPES = frozenset({"read", *(s.value for s in TradingScope)})


@pytest.fixture
def tokens(store: Store) -> dict[str, dict[str, str]]:
    op = operator(store)
    out = {}
    for name, j in (("bj", "北京"), ("hb", "河北"), ("cd", "承德"), ("tj", "天津")):
        admin.create_principal(store, op, f"{name}-registry", j)
        out[name] = bearer(admin.issue_token(store, op, f"{name}-registry", SCOPES).token)
    return out


def post(client: TestClient, path: str, body: dict[str, object], headers: dict[str, str]) -> dict[str, object]:
    r = client.post(f"/api/v1/trading{path}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def test_a_transfer_between_jurisdictions_through_the_api(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    bj, hb, cd = tokens["bj"], tokens["hb"], tokens["cd"]
    post(client, "/unit-types", {"code": OFFSET, "kind": "offset_credit", "market": "hebei_forestry", "jurisdiction": "130000",
                                 "origin": "hebei-chengde", "project_type": "forestry", "vintage": YEAR}, hb)  # fmt: skip
    post(client, "/accounts", {"code": "CD-1", "kind": "trading", "name": "chengde", "jurisdiction": "130800"}, cd)
    post(
        client,
        "/accounts",
        {"code": "BJ-1", "kind": "operator_holding", "name": "op", "jurisdiction": "110000", "market": "beijing_pilot"},
        bj,
    )
    post(client, "/issue", {"unit_type": OFFSET, "quantity": 1000, "to_account": "CD-1"}, hb)
    t = post(
        client, "/transfers", {"unit_type": OFFSET, "quantity": 300, "from_account": "CD-1", "to_account": "BJ-1"}, cd
    )
    assert t["state"] == "initiated"
    pending = client.get("/api/v1/trading/transfers/pending", params={"jurisdiction": "北京"}, headers=bj).json()
    assert [p["id"] for p in pending] == [t["id"]]
    assert post(client, f"/transfers/{t['id']}/accept", {}, bj)["state"] == "awaiting_approval"
    r = client.post(f"/api/v1/trading/transfers/{t['id']}/approve", json={"market": "beijing_pilot"}, headers=hb)
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert "no approval to give" in r.json()["detail"]
    post(client, f"/transfers/{t['id']}/approve", {}, hb)
    done = post(client, f"/transfers/{t['id']}/approve", {"expected_version": 3}, bj)
    assert done["state"] == "completed" and [s["step"] for s in done["steps"]] == [
        "initiate",
        "accept",
        "approve",
        "approve",
        "complete",
    ]  # type: ignore[union-attr,index]
    statement = client.get("/api/v1/trading/accounts/BJ-1", headers=bj).json()
    assert statement["holdings"] == [
        {"unit_type": OFFSET, "held": 300, "reserved": 0, "surrendered": 0, "retired": 0, "cancelled": 0}
    ]
    history = client.get(f"/api/v1/trading/serials/{OFFSET}/1", headers=bj).json()
    assert [h["kind"] for h in history] == ["issue", "transfer"]
    assert client.get("/api/v1/trading/jurisdictions/河北", headers=hb).json()["holdings"][0]["held"] == 700


def test_refusals_are_problems_and_keys_are_idempotent(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    bj, tj = tokens["bj"], tokens["tj"]
    post(
        client,
        "/unit-types",
        {"code": BEA, "kind": "allowance", "market": "beijing_pilot", "jurisdiction": "110000", "standard": "BEA"},
        bj,
    )
    post(client, "/accounts", {"code": "BJ-2", "kind": "trading", "name": "trader", "jurisdiction": "110000"}, bj)
    key = {**bj, "Idempotency-Key": "bj-issue-1"}
    first = post(client, "/issue", {"unit_type": BEA, "quantity": 100, "to_account": "GOV-110000"}, key)
    # the platform answers a retry with the first answer kept beside the key (Idempotent-Replayed: true);
    # the trading ledger's own client key would answer it too: either way the units are issued once
    again = client.post(
        "/api/v1/trading/issue", json={"unit_type": BEA, "quantity": 100, "to_account": "GOV-110000"}, headers=key
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    held = client.get("/api/v1/trading/holdings", params={"account": "GOV-110000"}, headers=bj).json()
    assert sum(int(h["held"]) for h in held) == 100
    cases = [
        (
            "/issue",
            {"unit_type": BEA, "quantity": 101, "to_account": "GOV-110000"},
            key,
            409,
            "used for another request",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "quantity": 101, "from_account": "GOV-110000", "to_account": "BJ-2"},
            bj,
            400,
            "fewer than the 101",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "quantity": 2.5, "from_account": "GOV-110000", "to_account": "BJ-2"},
            bj,
            400,
            "not a whole number",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "quantity": -1, "from_account": "GOV-110000", "to_account": "BJ-2"},
            bj,
            400,
            "must be positive",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "serials": [[90, 120]], "from_account": "GOV-110000", "to_account": "BJ-2"},
            bj,
            400,
            "not all held",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "quantity": 1, "from_account": "GOV-110000", "to_account": "BJ-2"},
            tj,
            403,
            "belongs to 北京",
        ),
        (
            "/transfers",
            {"unit_type": BEA, "quantity": 1, "from_account": "NOPE", "to_account": "BJ-2"},
            bj,
            404,
            "no account 'NOPE'",
        ),
    ]
    for path, body, headers, status, text in cases:
        r = client.post(f"/api/v1/trading{path}", json=body, headers=headers)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", (path, body, r.text)
        assert text in r.json()["detail"]
    h = client.get("/api/v1/trading/holdings", params={"account": "GOV-110000"}, headers=bj).json()
    assert h[0]["held"] == 100  # nothing moved
    assert client.get("/api/v1/trading/operations", params={"limit": 5000}, headers=bj).status_code == 422


def test_openapi_and_the_dashboard_page(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for p in ("/api/v1/trading/transfers", "/api/v1/trading/transfers/{operation_id}/{step}", "/api/v1/trading/surrender",
              "/api/v1/trading/compliance", "/api/v1/trading/series", "/api/v1/trading/serials/{unit_type}/{serial}"):  # fmt: skip
        assert p in paths
    step = paths["/api/v1/trading/transfers/{operation_id}/{step}"]["post"]["parameters"]
    ref = next(x for x in step if x["name"] == "step")["schema"]["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][ref]["enum"] == ["accept", "approve", "reject", "cancel"]
    assert "/static/domains/trading/trading.js" in client.get("/").text
    assert 'registerPage("trading"' in client.get("/static/domains/trading/trading.js").text
    events = client.get("/api/v1/domains").json()["events"]
    assert {"trading.transfer.awaiting_approval", "trading.deadline.approaching"} <= set(events)


def test_a_batch_of_transfers_through_the_api_answers_each_on_its_own(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """`POST /transfers/batch`: one transaction, each transfer checked alone; refused ones carry their problem
    and move nothing; an Idempotency-Key replays the whole batch's answer."""
    hb, cd, tj = tokens["hb"], tokens["cd"], tokens["tj"]
    post(client, "/unit-types", {"code": OFFSET, "kind": "offset_credit", "market": "hebei_forestry", "jurisdiction": "130000",
                                 "origin": "hebei-chengde", "project_type": "forestry", "vintage": YEAR}, hb)  # fmt: skip
    for code in ("CD-1", "CD-2"):
        post(client, "/accounts", {"code": code, "kind": "trading", "name": code, "jurisdiction": "130800"}, cd)
    post(client, "/issue", {"unit_type": OFFSET, "quantity": 1000, "to_account": "CD-1"}, hb)
    move = {"unit_type": OFFSET, "from_account": "CD-1", "to_account": "CD-2"}
    body = {
        "transfers": [
            {**move, "quantity": 100},
            {**move, "quantity": 10_000},  # more than held
            {**move, "to_account": "CD-1", "quantity": 5},  # the same account
            {**move, "quantity": 50},
        ]
    }
    r = client.post("/api/v1/trading/transfers/batch", json=body, headers={**cd, "Idempotency-Key": "batch-1"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["applied"], out["refused"]) == (2, 2)
    assert [x["status"] for x in out["results"]] == [201, 400, 400, 201]
    assert [x["transfer"]["state"] for x in out["results"] if x["status"] == 201] == ["completed", "completed"]
    assert "more units than" in out["results"][1]["problem"]["detail"]

    def held(account: str) -> int:
        holdings = client.get(f"/api/v1/trading/accounts/{account}", headers=cd).json()["holdings"]
        return int(sum(h["held"] for h in holdings))

    assert (held("CD-1"), held("CD-2")) == (850, 150)
    again = client.post("/api/v1/trading/transfers/batch", json=body, headers={**cd, "Idempotency-Key": "batch-1"})
    assert again.status_code == 200 and again.json() == out
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (held("CD-1"), held("CD-2")) == (850, 150)  # applied once
    other = client.post("/api/v1/trading/transfers/batch", json={"transfers": [{**move, "quantity": 1}]}, headers=tj)
    assert other.status_code == 200 and other.json()["results"][0]["status"] == 403  # Tianjin acts for Chengde: no
    empty = client.post("/api/v1/trading/transfers/batch", json={"transfers": []}, headers=cd)
    assert empty.status_code in (400, 422) and empty.headers["content-type"] == "application/problem+json"
