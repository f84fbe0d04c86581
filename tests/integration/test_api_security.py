"""Service-grade access: security headers on every response, CORS only when configured, audit entries for the
jurisdiction they concern, 'read' for every /transit read, every limit bounded, webhook secrets never stored
in plain text, and the signed head and proofs of the audit log (issue 11, Build item 4)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import Actors, Engine, bearer
from xietong.air.domain import AirScope
from xietong.api.app import create_app
from xietong.enums import Scope
from xietong.exchange import admin, merkle
from xietong.exchange.bootstrap import operator
from xietong.exchange.checkpoint import read_checkpoint
from xietong.store.session import Store
from xietong.store.tables import webhook_subscription

pytestmark = pytest.mark.integration


def _token(store: Store, name: str, jurisdiction: str | None, *scopes: str) -> str:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    return admin.issue_token(store, op, name, frozenset(scopes)).token


def test_every_response_carries_the_security_headers(client: TestClient, actors: Actors) -> None:
    responses = [
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/api/v1/health"),
        client.get("/api/v1/air/stations"),  # 401 problem
        client.get("/api/v1/no-such-thing"),  # 404 problem
        client.get("/api/v1/region/jurisdictions", headers=bearer(actors.reader)),
    ]
    for r in responses:
        assert r.headers["X-Content-Type-Options"] == "nosniff", r.url
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "script-src 'self';" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "access-control-allow-origin" not in r.headers
    docs = client.get("/docs")
    assert "script-src 'self' 'sha256-" in docs.headers["Content-Security-Policy"]  # Swagger UI's start-up script


def test_credentialed_and_token_responses_are_never_cached(client: TestClient, actors: Actors) -> None:
    assert client.get("/api/v1/region/jurisdictions", headers=bearer(actors.reader)).headers["Cache-Control"] == (
        "no-store"
    )
    assert "Cache-Control" not in client.get("/static/app.css").headers
    issued = client.post(
        "/api/v1/tokens", json={"principal": "analyst", "scopes": ["read"]}, headers=bearer(actors.admin)
    )
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"


@pytest.fixture
def cors_client(engine: Engine, store: Store) -> Iterator[TestClient]:
    settings = engine.settings.model_copy(update={"cors_origins": ("https://dashboard.tj.example",)})
    with TestClient(create_app(settings, store=store, start_dispatcher=False)) as c:
        yield c


def test_cors_is_off_unless_origins_are_configured(client: TestClient, cors_client: TestClient) -> None:
    origin = {"Origin": "https://dashboard.tj.example"}
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers=origin).headers
    allowed = cors_client.get("/api/v1/health", headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://dashboard.tj.example"
    preflight = cors_client.options(
        "/api/v1/air/stations",
        headers={**origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.status_code == 200
    other = cors_client.get("/api/v1/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_audit_entries_are_visible_to_the_admins_of_their_jurisdiction(
    client: TestClient, store: Store, actors: Actors
) -> None:
    tianjin = _token(store, "tianjin-admin", "120000", Scope.ADMIN)
    hebei = _token(store, "hebei-admin", "130000", Scope.ADMIN)
    # refusals are audited under the actor's jurisdiction: Beijing, Tianjin and Shijiazhuang (Hebei) each get one
    for token in (actors.beijing, actors.tianjin, actors.no_read):
        client.get("/api/v1/audit", headers=bearer(token))

    def seen(token: str) -> set[str | None]:
        r = client.get("/api/v1/audit", params={"limit": 10_000}, headers=bearer(token))
        assert r.status_code == 200
        return {e["jurisdiction"] for e in r.json()}

    assert seen(tianjin) == {"120000"}
    assert seen(hebei) == {"130100"}  # Hebei's administrator reads its cities' entries
    assert {None, "110000", "120000", "130100"} <= seen(actors.admin)  # the region's administrator reads all


def test_every_transit_read_needs_the_read_scope(client: TestClient, store: Store, actors: Actors) -> None:
    publish_only = _token(store, "air-uploader", "110000", AirScope.PUBLISH)
    for path in ["/api/v1/transit/road-times", "/api/v1/transit/scenarios", "/api/v1/transit/feed",
                 "/api/v1/transit/circle", "/api/v1/transit/route?from=SJP&at=08:00"]:  # fmt: skip
        r = client.get(path, headers=bearer(publish_only))
        assert r.status_code == 403, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "scope 'read'" in r.json()["expected"]
    assert client.get("/api/v1/transit/road-times", headers=bearer(actors.reader)).status_code == 200
    assert client.get("/api/v1/transit/scenarios", headers=bearer(actors.reader)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/webhooks/deliveries?limit=-1",
        "/api/v1/webhooks/deliveries?limit=0",
        "/api/v1/webhooks/deliveries?limit=10001",
        "/api/v1/audit?limit=-1",
        "/api/v1/audit?after=-5",
        "/api/v1/audit/proof?entry=0",
        "/api/v1/audit/consistency?first=-1",
    ],
)
def test_out_of_range_limits_and_sizes_are_problems(client: TestClient, actors: Actors, path: str) -> None:
    r = client.get(path, headers=bearer(actors.admin))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_webhook_secrets_are_not_in_the_store(client: TestClient, engine: Engine, store: Store, actors: Actors) -> None:
    secret = "shared-with-tianjin-receiver-0042"
    r = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "jurisdiction": "120000", "secret": secret},
        headers=bearer(actors.admin),
    )
    assert r.status_code == 201 and r.json()["secret"] == secret and r.headers["Cache-Control"] == "no-store"
    generated = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h2"}, headers=bearer(actors.admin))
    with store.read() as conn:
        stored = [row.secret for row in conn.execute(sa.select(webhook_subscription))]
    assert all(s.startswith("v1:") for s in stored)
    assert not {secret, generated.json()["secret"]} & set(stored)
    if store.dialect == "sqlite":
        raw = b"".join(p.read_bytes() for p in engine.settings.data_dir.glob("xietong.db*"))
        assert secret.encode() not in raw and generated.json()["secret"].encode() not in raw
    too_long = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h3", "secret": "x" * 65}, headers=bearer(actors.admin)
    )
    assert too_long.status_code == 422


def test_the_signed_head_and_its_proofs_verify(client: TestClient, actors: Actors) -> None:
    first = client.get("/api/v1/audit/head", headers=bearer(actors.reader))
    assert first.status_code == 200
    cp = read_checkpoint(first.text)  # the published document is a checkpoint file as `audit checkpoint` saves
    client.get("/api/v1/audit", headers=bearer(actors.beijing))  # a refusal: one more entry
    head = client.get("/api/v1/audit/head", headers=bearer(actors.reader)).json()
    assert head["tree_size"] == cp.head.size + 1 == head["log_size"]
    b64 = base64.b64decode
    proof = client.get("/api/v1/audit/proof", params={"entry": 3}, headers=bearer(actors.reader)).json()
    assert merkle.verify_inclusion(
        2, head["tree_size"], b64(proof["leaf_hash"]), [b64(p) for p in proof["proof"]], b64(head["root_hash"])
    )
    consistency = client.get(
        "/api/v1/audit/consistency", params={"first": cp.head.size}, headers=bearer(actors.reader)
    ).json()
    assert merkle.verify_consistency(
        cp.head.size, head["tree_size"], cp.head.root, b64(head["root_hash"]), [b64(p) for p in consistency["proof"]]
    )
    beyond = client.get("/api/v1/audit/proof", params={"entry": head["tree_size"] + 5}, headers=bearer(actors.reader))
    assert beyond.status_code == 400
    assert client.get("/api/v1/audit/head", headers=bearer(actors.no_read)).status_code == 403
