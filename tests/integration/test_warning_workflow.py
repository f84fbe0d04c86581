"""The regional warning consultation: propose, answer, issue per city, change, lift; webhooks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import Actors, Engine, bearer
from tests.receiver import Receiver
from xietong.air import consultation
from xietong.air.domain import AirScope
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, PermissionDeniedError
from xietong.exchange import admin, audit, notify
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store
from xietong.store.tables import outbox, webhook_subscription

pytestmark = pytest.mark.integration
T0 = datetime(2016, 12, 14, 8, tzinfo=UTC)


def _principal(store: Store, name: str, jurisdiction: str | None, *scopes: Scope) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        return authenticate(conn, token)


@pytest.fixture
def bureaus(store: Store) -> dict[str, Principal]:
    return {
        "region": _principal(store, "regional-centre", None, AirScope.WARN, Scope.READ),
        "beijing": _principal(store, "beijing-eeb", "110000", AirScope.WARN, Scope.READ),
        "baoding": _principal(store, "baoding-eeb", "130600", AirScope.WARN, Scope.READ),
        "langfang": _principal(store, "langfang-eeb", "131000", AirScope.WARN, Scope.READ),
        "tianjin": _principal(store, "tianjin-eeb", "120000", AirScope.WARN, Scope.READ),
        "reader": _principal(store, "reader", "120000", Scope.READ),
    }


def _propose(store: Store, who: Principal, **kw: object) -> consultation.WarningView:
    args: dict[str, object] = {
        "rules": "key-regions-2024",
        "cities": ["北京", "保定", "廊坊"],
        "level": "orange",
        "start": T0 + timedelta(days=2),
        "end": T0 + timedelta(days=5),
        "deadline": T0 + timedelta(hours=6),
        "reason": "regional forecast: AQI > 200 for 48 h from 12-16",
        "evidence": {"forecast_issued": "2016-12-14T16:00+08:00"},
        "now": T0,
    }
    args.update(kw)
    return consultation.propose(store, who, **args)  # type: ignore[arg-type]


def test_full_workflow_issue_per_city_and_lift(store: Store, bureaus: dict[str, Principal]) -> None:
    w = _propose(store, bureaus["region"])
    assert w.status == "proposed"
    assert [c.city for c in w.cities] == ["110000", "130600", "131000"]
    at = T0 + timedelta(hours=1)
    consultation.respond(store, bureaus["beijing"], w.id, city="北京", answer="accept", now=at)
    consultation.respond(store, bureaus["baoding"], w.id, city="保定", answer="counter", level="red", now=at)
    issued = consultation.respond(
        store, bureaus["langfang"], w.id, city="廊坊", answer="decline", reason="local forecast below 150", now=at
    )
    assert issued.status == "issued"
    assert {c.city: (c.status, c.level) for c in issued.cities} == {
        "110000": ("issued", "orange"),
        "130600": ("issued", "red"),
        "131000": ("declined", None),
    }
    assert issued.city("131000").answer_reason == "local forecast below 150"
    changed = consultation.change(
        store, bureaus["beijing"], w.id, city="北京", level="red", reason="forecast raised", now=at + timedelta(days=1)
    )
    assert changed.city("110000").level == "red"
    assert changed.events[-1].kind == "upgraded"
    partly = consultation.lift(
        store, bureaus["baoding"], w.id, cities=["保定"], reason="cold front", now=at + timedelta(days=3)
    )
    assert partly.status == "issued"
    closed = consultation.lift(store, bureaus["region"], w.id, reason="episode over", now=at + timedelta(days=4))
    assert closed.status == "closed"
    assert [e.kind for e in closed.events] == [
        "proposed", "answered", "answered", "answered", "issued", "issued", "upgraded", "lifted", "lifted", "closed",
    ]  # fmt: skip
    with pytest.raises(ConflictError, match="already closed"):
        consultation.lift(store, bureaus["region"], w.id, reason="again")
    with store.read() as conn:
        actions = [e.action for e in audit.entries(conn, limit=10_000) if e.action.startswith("warning.")]
        assert audit.verify(conn).ok
    assert actions == [
        "warning.propose", "warning.respond", "warning.respond", "warning.respond", "warning.change",
        "warning.lift", "warning.lift", "warning.lift",
    ]  # fmt: skip


def test_answers_are_refused_from_outsiders_late_or_twice(store: Store, bureaus: dict[str, Principal]) -> None:
    w = _propose(store, bureaus["region"])
    with pytest.raises(PermissionDeniedError, match="named jurisdiction"):
        consultation.respond(store, bureaus["tianjin"], w.id, city="天津", answer="accept", now=T0)
    with pytest.raises(PermissionDeniedError):
        consultation.respond(store, bureaus["tianjin"], w.id, city="北京", answer="accept", now=T0)
    with pytest.raises(PermissionDeniedError, match="warn"):
        consultation.respond(store, bureaus["reader"], w.id, city="北京", answer="accept", now=T0)
    with pytest.raises(ConflictError, match="deadline"):
        consultation.respond(store, bureaus["beijing"], w.id, city="北京", answer="accept", now=T0 + timedelta(hours=7))
    consultation.respond(store, bureaus["beijing"], w.id, city="北京", answer="accept", now=T0)
    with pytest.raises(ConflictError, match="already answered"):
        consultation.respond(store, bureaus["beijing"], w.id, city="北京", answer="decline", reason="x", now=T0)
    with pytest.raises(InputError, match="reason"):
        consultation.respond(store, bureaus["baoding"], w.id, city="保定", answer="decline", now=T0)
    view = consultation.get(store, bureaus["reader"], w.id)
    assert [c.answer for c in view.cities] == ["accept", "pending", "pending"]


def test_issue_after_the_deadline_records_no_answer(store: Store, bureaus: dict[str, Principal]) -> None:
    w = _propose(store, bureaus["beijing"], cities=["北京", "廊坊"])
    consultation.respond(store, bureaus["beijing"], w.id, city="北京", answer="accept", now=T0)
    with pytest.raises(ConflictError, match="open until"):
        consultation.issue(store, bureaus["beijing"], w.id, now=T0 + timedelta(hours=1))
    with pytest.raises(PermissionDeniedError, match="proposer"):
        consultation.issue(store, bureaus["langfang"], w.id, now=T0 + timedelta(hours=7))
    issued = consultation.issue(store, bureaus["beijing"], w.id, now=T0 + timedelta(hours=7))
    assert {c.city: (c.answer, c.status) for c in issued.cities} == {
        "110000": ("accept", "issued"),
        "131000": ("no_answer", "not_issued"),
    }


def test_proposals_are_validated(store: Store, bureaus: dict[str, Principal]) -> None:
    with pytest.raises(InputError, match="blue"):
        _propose(store, bureaus["region"], level="blue")
    with pytest.raises(InputError, match="unknown rule set"):
        _propose(store, bureaus["region"], rules="gotham-2020")
    with pytest.raises(InputError, match="deadline is in the past"):
        _propose(store, bureaus["region"], deadline=T0 - timedelta(hours=1))
    with pytest.raises(PermissionDeniedError, match="warn"):
        _propose(store, bureaus["reader"])
    assert consultation.list_warnings(store, bureaus["reader"]) == []
    blue = _propose(store, bureaus["region"], rules="jjj-2016", level="blue")
    assert blue.level == "blue"


def test_concurrent_answers_are_all_kept(store: Store, bureaus: dict[str, Principal]) -> None:
    w = _propose(store, bureaus["region"], deadline=datetime.now(UTC) + timedelta(hours=1), now=None)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def answer(who: str, city: str) -> None:
        try:
            barrier.wait()
            consultation.respond(store, bureaus[who], w.id, city=city, answer="accept")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=answer, args=a)
        for a in [("beijing", "北京"), ("baoding", "保定"), ("langfang", "廊坊")]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    view = consultation.get(store, bureaus["reader"], w.id)
    assert [c.answer for c in view.cities] == ["accept"] * 3
    assert view.status == "issued"
    assert sum(1 for e in view.events if e.kind == "answered") == 3


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(secret="tianjin-shared-secret", fail_first=2).start()
    yield r
    r.stop()


def test_webhooks_are_signed_retried_and_logged(
    store: Store, bureaus: dict[str, Principal], receiver: Receiver
) -> None:
    op = operator(store)
    notify.subscribe(store, op, receiver.url, jurisdiction="北京", allow=["127.0.0.1"], secret=receiver.secret)
    w = _propose(store, bureaus["region"])
    policy = notify.RetryPolicy(base_delay_s=0.05, max_attempts=5)
    deadline = time.monotonic() + 20
    while not receiver.delivered() and time.monotonic() < deadline:
        notify.deliver_due(store, policy=policy)
        time.sleep(0.05)
    assert len(receiver.requests) == 3  # two failures, then success
    ids = {r.headers["X-Xietong-Delivery"] for r in receiver.requests}
    assert len(ids) == 1, "a retry carries the same delivery id"
    assert all(r.signature_ok for r in receiver.requests)
    body = json.loads(receiver.delivered()[0].body)
    assert body["event"] == "warning.proposed"
    assert body["data"]["warning"]["id"] == w.id
    with store.read() as conn:
        [entry] = notify.delivery_log(conn)
    assert entry["status"] == "delivered"
    assert [a["status_code"] for a in entry["log"]] == [500, 500, 204]


def test_a_tampered_body_fails_the_signature_check() -> None:
    body = b'{"event":"warning.issued"}'
    header = notify.sign("k", body)
    assert notify.verify_signature("k", body, header)
    assert not notify.verify_signature("k", body.replace(b"issued", b"lifted"), header)
    assert not notify.verify_signature("other", body, header)


def test_webhook_urls_outside_the_allow_list_are_refused(store: Store) -> None:
    op = operator(store)
    with pytest.raises(InputError, match="allow-list"):
        notify.subscribe(store, op, "https://evil.example.com/x", jurisdiction="北京", allow=["127.0.0.1", "*.gov.cn"])
    sub = notify.subscribe(store, op, "https://eeb.beijing.gov.cn/x", jurisdiction="北京", allow=["*.gov.cn"])
    assert sub.secret


def test_events_reach_only_the_jurisdictions_involved(store: Store, bureaus: dict[str, Principal]) -> None:
    op = operator(store)
    allow = ["127.0.0.1"]
    notify.subscribe(store, op, "http://127.0.0.1:9/tj", jurisdiction="天津", allow=allow)
    notify.subscribe(store, op, "http://127.0.0.1:9/hebei", jurisdiction="河北", allow=allow)
    notify.subscribe(store, op, "http://127.0.0.1:9/region", jurisdiction=None, allow=allow)
    _propose(store, bureaus["region"], cities=["保定"])
    with store.read() as conn:
        urls = [r.url for r in conn.execute(sa.select(webhook_subscription.c.url).join(outbox))]
    assert sorted(urls) == ["http://127.0.0.1:9/hebei", "http://127.0.0.1:9/region"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(engine: Engine, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    env = (
        os.environ
        | engine.env
        | {
            "XIETONG_WEBHOOK_RETRY_S": "0.2",
            "XIETONG_WEBHOOK_POLL_S": "0.1",
            "XIETONG_WEBHOOK_TIMEOUT_S": "1",  # a delivery claimed by the killed server is free again after 6 s
        }
    )
    log = (tmp / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xietong.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.1)
    proc.kill()
    raise AssertionError((tmp / f"server-{port}.log").read_text())


def test_the_outbox_survives_a_server_restart(
    engine: Engine, store: Store, bureaus: dict[str, Principal], tmp_path: Path
) -> None:
    """A proposal made while the receiver is down is delivered by the next server process."""
    op = operator(store)
    receiver = Receiver(secret="s3cret", fail_first=1_000_000).start()  # refuses everything at first
    try:
        notify.subscribe(store, op, receiver.url, jurisdiction="北京", allow=["127.0.0.1"], secret=receiver.secret)
        port = _free_port()
        server = _serve(engine, port, tmp_path)
        try:
            w = _propose(store, bureaus["region"])
            deadline = time.monotonic() + 20
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert receiver.requests, "the running server tried to deliver"
        finally:
            server.kill()  # the server dies with the delivery still pending
            server.wait()
        with store.read() as conn:
            [row] = conn.execute(sa.select(outbox.c.status, outbox.c.attempts)).all()
        assert row.status == "pending"
        receiver.fail_first = len(receiver.requests)  # the receiver is back
        server = _serve(engine, _free_port(), tmp_path)
        try:
            deadline = time.monotonic() + 30
            while not receiver.delivered() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait()
        [ok] = receiver.delivered()
        assert ok.signature_ok
        assert json.loads(ok.body)["data"]["warning"]["id"] == w.id
        with store.read() as conn:
            assert conn.execute(sa.select(outbox.c.status)).scalar_one() == "delivered"
    finally:
        receiver.stop()


def test_api_workflow_and_scopes(
    client: TestClient, store: Store, actors: Actors, bureaus: dict[str, Principal]
) -> None:
    op = operator(store)
    tokens = {}
    for name in ("regional-centre", "beijing-eeb", "langfang-eeb"):
        tokens[name] = admin.issue_token(store, op, name, frozenset({AirScope.WARN, Scope.READ})).token
    deadline = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    body = {
        "rules": "key-regions-2024",
        "cities": ["北京", "廊坊"],
        "level": "orange",
        "start": "2016-12-16T00:00+08:00",
        "end": "2016-12-19T00:00+08:00",
        "deadline": deadline,
        "reason": "regional forecast",
    }
    refused = client.post("/api/v1/warnings", json=body, headers=bearer(actors.reader))
    assert refused.status_code == 403
    assert refused.json()["expected"] == "a token with scope 'warn'"
    created = client.post("/api/v1/warnings", json=body, headers=bearer(tokens["regional-centre"]))
    assert created.status_code == 201, created.text
    wid = created.json()["id"]
    not_named = client.post(
        f"/api/v1/warnings/{wid}/responses", json={"city": "天津", "answer": "accept"}, headers=bearer(actors.tianjin)
    )
    assert not_named.status_code == 403
    ok = client.post(
        f"/api/v1/warnings/{wid}/responses",
        json={"city": "北京", "answer": "accept"},
        headers=bearer(tokens["beijing-eeb"]),
    )
    assert ok.status_code == 200
    last = client.post(
        f"/api/v1/warnings/{wid}/responses",
        json={"city": "廊坊", "answer": "counter", "level": "yellow"},
        headers=bearer(tokens["langfang-eeb"]),
    )
    assert last.json()["status"] == "issued"
    listed = client.get("/api/v1/warnings", params={"status": "issued"}, headers=bearer(actors.reader)).json()
    assert [w["id"] for w in listed] == [wid]
    lift = client.post(
        f"/api/v1/warnings/{wid}/lift", json={"reason": "over"}, headers=bearer(tokens["regional-centre"])
    )
    assert lift.json()["status"] == "closed"
    again = client.post(
        f"/api/v1/warnings/{wid}/lift", json={"reason": "over"}, headers=bearer(tokens["regional-centre"])
    )
    assert again.status_code == 409
    spec = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/warnings", "/api/v1/warnings/{warning_id}/responses"} <= set(spec)
