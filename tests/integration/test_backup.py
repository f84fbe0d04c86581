"""Backup and restore: a backup taken while a writer publishes restores into a fresh store with nothing missing.

The writer publishes the twelve bundled UCI files (real data, one batch each) and one revision batch (values
changed for the test, so that the backup also holds superseded revisions). ``xietong db backup`` runs in its
own process while the writer is busy; ``xietong db restore`` puts it into a fresh data directory (SQLite) or
a fresh database (PostgreSQL), where ``xietong audit verify --checkpoint`` must pass against a signed head saved
just before the backup, and every batch the restored audit log records must be there whole: the same
observation rows, current and superseded, as in the live store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import DATA, Engine
from xietong.air import service
from xietong.config import Settings
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store

pytestmark = pytest.mark.integration

UCI = sorted((DATA / "air" / "uci").glob("PRSA_Data_*.csv"))


def _xietong(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xietong", *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _revision_batch(path: Path) -> Path:
    """Canonical CSV revising PM2.5 of the first file's first station-hours (values written for the test)."""
    lines = ["station,time,pollutant,value,unit"]
    lines += [f"1002A,2016-12-10T{h:02d}:00+08:00,PM2.5,{900 + h},µg/m³" for h in range(1, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _batch_rows(engine: sa.Engine) -> dict[int, int]:
    """Observation rows (current and superseded) per ingest batch."""
    sql = (
        "SELECT batch_id, count(*) FROM (SELECT batch_id FROM air_observation "
        "UNION ALL SELECT batch_id FROM air_observation_history) AS r GROUP BY batch_id"
    )
    with engine.connect() as conn:
        return {int(b): int(n) for b, n in conn.exec_driver_sql(sql).all()}


def _audit(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(int(s), str(h)) for s, h in conn.exec_driver_sql("SELECT seq, hash FROM audit_log ORDER BY seq")]


def _fresh_target(engine: Engine, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment of an empty store of the same engine."""
    data_dir = tmp_path / "restored"
    if engine.name == "sqlite":
        return {"XIETONG_DATA_DIR": str(data_dir), "XIETONG_DATABASE_URL": ""}
    server: str = request.getfixturevalue("postgres_server_url")
    name = f"xt_restored_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    return {"XIETONG_DATA_DIR": str(data_dir), "XIETONG_DATABASE_URL": url}


def test_a_backup_taken_while_a_writer_publishes_restores_with_nothing_missing(
    engine: Engine, store: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    op = operator(store)
    revision = _revision_batch(tmp_path / "revision.csv")
    busy = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i, path in enumerate([UCI[0], revision, *UCI[1:]]):
                service.ingest_file(store, op, path)
                if i == 1:  # a first batch and its revision are in: take the backup from here on
                    busy.set()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            busy.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert busy.wait(300)
    checkpoint = tmp_path / "checkpoint.json"  # a jurisdiction keeps a signed head of the log
    saved = _xietong(engine.env, "audit", "checkpoint", "--save", str(checkpoint))
    assert saved.returncode == 0, saved.stderr
    committed_before = len(_audit(store.engine))
    backup_file = tmp_path / "store.backup"
    taken = _xietong(engine.env, "db", "backup", str(backup_file))
    committed_after = len(_audit(store.engine))
    thread.join(600)
    assert not errors, errors
    assert taken.returncode == 0, taken.stderr
    assert committed_after > committed_before or thread.is_alive() is False  # the writer went on meanwhile

    target = _fresh_target(engine, tmp_path, request)
    restored_run = _xietong(target, "db", "restore", str(backup_file))
    assert restored_run.returncode == 0, restored_run.stderr
    verified = _xietong(target, "audit", "verify", "--checkpoint", str(checkpoint))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "consistent with the checkpoint" in verified.stdout

    restored = Store(
        Settings.from_env({}, data_dir=target["XIETONG_DATA_DIR"], database_url=target["XIETONG_DATABASE_URL"] or None)
    )
    try:
        entries = _audit(restored.engine)
        rows = _batch_rows(restored.engine)
        with restored.engine.connect() as conn:
            revised = conn.exec_driver_sql("SELECT count(*) FROM air_observation WHERE revision = 2").scalar_one()
    finally:
        restored.dispose()
    live_entries = _audit(store.engine)
    # every entry committed before the backup began is there, in the same chain as the live store
    assert committed_before <= len(entries) <= committed_after
    assert entries == live_entries[: len(entries)]
    # every batch the restored store records is there whole: the same rows, current and superseded
    live_rows = _batch_rows(store.engine)
    assert rows, "the restored store holds observations"
    assert all(rows[batch] == live_rows[batch] for batch in rows)
    with store.read() as conn:
        recorded = [
            int(b) for (b,) in conn.exec_driver_sql("SELECT id FROM ingest_batch WHERE dataset = 'air.observations'")
        ]
    assert {b for b in recorded if b in rows} == set(rows)
    assert revised == 12  # the revision batch went in before the backup: its revisions are restored
