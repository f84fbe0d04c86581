"""Fault tests with real processes: a killed server, a restarted database, a receiver that is down, a full disk.

Each runs ``xietong serve`` (or the CLI) in its own process on 127.0.0.1 and breaks something real: SIGKILL,
``pg_ctl restart``, a webhook port with nobody listening, a small tmpfs under the SQLite store. Bounded in
time: every wait has a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import Actors, Engine, bearer
from tests.faults.servers import Server, big_uci_file, free_port, wait_for, writer_holds_the_lock
from tests.pgserver import PostgresServer
from tests.receiver import Receiver
from xietong.air.domain import AirScope
from xietong.air.tables import air_observation
from xietong.config import Settings
from xietong.domains import events
from xietong.enums import Scope
from xietong.exchange import admin, audit, notify
from xietong.exchange.bootstrap import initialise, operator
from xietong.store.session import Store
from xietong.store.tables import ingest_batch, outbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PROBLEM = "application/problem+json"


def _observations(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(air_observation)).scalar_one())


def _air_batches(store: Store) -> int:
    with store.read() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(ingest_batch).where(ingest_batch.c.dataset == "air.observations")
            ).scalar_one()
        )


def _publish_in_background(url: str, body: bytes, headers: dict[str, str]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["response"] = httpx.post(url, content=body, headers=headers, timeout=600)
        except httpx.HTTPError as exc:  # the server went away under the request
            outcome["error"] = exc

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def test_a_server_killed_during_a_large_publish_leaves_the_batch_whole_or_absent_and_a_retry_applies_it_once(
    engine: Engine, store: Store, actors: Actors, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    hours = big_uci_file(big, range(2000, 2004))  # Dongsi (1003A, Beijing): 32,256 station-hours
    body = big.read_bytes()
    headers = bearer(actors.beijing) | {"Content-Type": "text/csv", "Idempotency-Key": f"batch-{uuid.uuid4()}"}
    server = Server(engine.env, tmp_path / "server.log").start()
    url = f"{server.base}/api/v1/air/observations?filename=big.csv"
    try:
        thread, _ = _publish_in_background(url, body, headers)
        wait_for(lambda: writer_holds_the_lock(engine.settings.url), 300, "the publish to open its transaction")
        time.sleep(0.3)
        server.kill(signal.SIGKILL)
        thread.join(60)
    finally:
        server.stop()
    # wholly absent (killed inside the transaction) or wholly present (it had committed): never a part
    after_kill = _observations(store)
    assert after_kill in (0, hours)
    with store.read() as conn:
        assert audit.verify(conn).ok
    server = Server(engine.env, tmp_path / "server.log", port=server.port).start()  # the same address again
    try:
        retry = httpx.post(url, content=body, headers=headers, timeout=600)
        again = httpx.post(url, content=body, headers=headers, timeout=600)
    finally:
        server.stop()
    if after_kill == 0:  # the retry applies the batch, and the second retry replays its answer
        assert retry.status_code == 200, retry.text
        assert retry.json()["written"] == hours * 6
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == retry.json()
    else:  # it had committed before the kill: the retries write nothing
        assert retry.status_code in (200, 409), retry.text
    assert _observations(store) == hours
    assert _air_batches(store) == 1  # exactly once
    with store.read() as conn:
        assert audit.verify(conn).ok


@pytest.fixture
def own_postgres(tmp_path: Path) -> Any:
    """A PostgreSQL server of this test only (it gets restarted), with a migrated and seeded database."""
    server = PostgresServer.start()
    try:
        admin_engine = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE xt_restart")
        admin_engine.dispose()
        url = make_url(server.url).set(database="xt_restart").render_as_string(hide_password=False)
        yield server, url
    finally:
        server.stop()


def test_postgresql_restarted_during_a_publish_gives_a_503_writes_nothing_and_the_next_request_succeeds(
    own_postgres: Any, tmp_path: Path
) -> None:
    pg, url = own_postgres
    settings = Settings.from_env({}, data_dir=tmp_path, database_url=url)
    store = Store(settings)
    initialise(store)
    op = operator(store)
    admin.create_principal(store, op, "beijing-feed", "110000")
    token = admin.issue_token(store, op, "beijing-feed", frozenset({Scope.READ, AirScope.PUBLISH})).token
    big = tmp_path / "big.csv"
    hours = big_uci_file(big, range(2000, 2004))
    body = big.read_bytes()
    headers = bearer(token) | {"Content-Type": "text/csv", "Idempotency-Key": f"batch-{uuid.uuid4()}"}
    server = Server({"XIETONG_DATA_DIR": str(tmp_path), "XIETONG_DATABASE_URL": url}, tmp_path / "server.log")
    server.start()
    try:
        publish = f"{server.base}/api/v1/air/observations?filename=big.csv"
        thread, outcome = _publish_in_background(publish, body, headers)
        wait_for(lambda: writer_holds_the_lock(url), 300, "the publish to open its transaction")
        data, log = str(pg.root / "data"), str(pg.root / "log")
        pg._run(str(pg.bindir / "pg_ctl"), "-D", data, "-l", log, "-m", "fast", "-w", "restart")
        thread.join(120)
        refused = outcome["response"]
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["type"].endswith("/store-unavailable")
        assert _observations(store) == 0  # nothing half-written
        # the same server process serves again: the next request succeeds
        stations = httpx.get(f"{server.base}/api/v1/air/stations", headers=bearer(token), timeout=60)
        assert stations.status_code == 200, stations.text
        retry = httpx.post(publish, content=body, headers=headers, timeout=600)
        assert retry.status_code == 200, retry.text
        assert retry.json()["written"] == hours * 6
    finally:
        server.stop()
    assert _observations(store) == hours
    assert _air_batches(store) == 1
    with store.read() as conn:
        assert audit.verify(conn).ok
    store.dispose()


def test_a_webhook_receiver_down_for_several_retry_rounds_gets_every_event_with_its_id(
    engine: Engine, store: Store, tmp_path: Path
) -> None:
    op = operator(store)
    port = free_port()  # nobody listens here yet: every attempt is refused
    secret = "written-for-the-test"
    notify.subscribe(store, op, f"http://127.0.0.1:{port}/hook", jurisdiction=None, allow=["127.0.0.1"], secret=secret)
    event = sorted(events())[0]
    with store.write() as conn:
        for n in range(5):
            notify.enqueue(conn, event, {"n": n, "note": "written for the test"}, ["110000"])
    with store.read() as conn:
        queued = {row.delivery_id for row in conn.execute(sa.select(outbox.c.delivery_id))}
    assert len(queued) == 5
    env = engine.env | {
        "XIETONG_WEBHOOK_POLL_S": "0.1",
        "XIETONG_WEBHOOK_RETRY_S": "0.1",
        "XIETONG_WEBHOOK_TIMEOUT_S": "1",
    }
    server = Server(env, tmp_path / "server.log").start()
    receiver = Receiver(secret=secret, port=port)
    try:

        def retried(times: int) -> bool:
            with store.read() as conn:
                return all(int(a) >= times for (a,) in conn.execute(sa.select(outbox.c.attempts)))

        wait_for(lambda: retried(3), 120, "three failed rounds while the receiver is down")
        receiver.start()

        def all_delivered() -> bool:
            with store.read() as conn:
                return {s for (s,) in conn.execute(sa.select(outbox.c.status))} == {"delivered"}

        wait_for(all_delivered, 120, "every delivery once the receiver is back", every=0.2)
    finally:
        server.stop()
        receiver.stop()
    got = receiver.requests
    assert all(r.signature_ok for r in got)
    ids = [r.headers["X-Xietong-Delivery"] for r in got]
    assert set(ids) == queued  # every event, each with its id (a receiver drops repeats by it)
    assert all(json.loads(r.body)["delivery_id"] == r.headers["X-Xietong-Delivery"] for r in got)


def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (
        "the full-disk test mounts a small tmpfs and needs root (as `make test` and CI run here): " + done.stderr
    )


def test_a_full_disk_under_the_sqlite_store_is_a_clear_error_and_the_store_still_opens(
    sqlite_template: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "small-disk"
    _mount_tmpfs(disk, "3m")
    try:
        data = disk / "data"
        data.mkdir()
        (data / "xietong.db").write_bytes(sqlite_template.read_bytes())
        env = os.environ | {"XIETONG_DATA_DIR": str(data), "XIETONG_DATABASE_URL": ""}
        big = tmp_path / "big.csv"  # on the large disk
        big_uci_file(big, range(2000, 2012))  # 96,768 station-hours: more than the 3 MB disk holds

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "xietong", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )

        full = cli("air", "ingest", str(big))
        assert full.returncode == 2, full.stdout + full.stderr
        assert "the store is full" in full.stderr
        assert "Traceback" not in full.stderr
        # the store opens, its audit chain verifies, nothing of the batch is there, and small writes go on
        verified = cli("audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        store = Store(Settings.from_env({}, data_dir=data))
        try:
            assert _observations(store) == 0
        finally:
            store.dispose()
        small = tmp_path / "small.csv"
        small.write_text("station,time,pollutant,value,unit\n1003A,2016-12-16T08:00+08:00,PM2.5,80,µg/m³\n")
        assert cli("air", "ingest", str(small)).returncode == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
