"""A batch is all-or-nothing, even when the writer is killed; concurrent writers keep every update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import Engine
from xietong.air import service
from xietong.air.tables import air_observation
from xietong.exchange import audit
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store
from xietong.store.tables import ingest_batch

pytestmark = pytest.mark.integration

HEADER = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"'


def _big_uci_file(path: Path, years: range, station: str = "Dongsi") -> int:
    """A UCI-format file with one row per hour over ``years`` (synthetic values, real layout)."""
    rows = [HEADER]
    n = 0
    for year in years:
        for month in range(1, 13):
            for day in range(1, 29):
                for hour in range(24):
                    n += 1
                    rows.append(
                        f'{n},{year},{month},{day},{hour},{n % 300},{n % 400},{n % 50},{n % 90},{500 + n % 900},{n % 200},1,1000,1,0,"N",1,"{station}"'
                    )
    path.write_text("\n".join(rows) + "\n")
    return n


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from xietong.air import service
    from xietong.config import Settings
    from xietong.exchange.bootstrap import open_store, operator

    settings = Settings.from_env()
    store = open_store(settings)
    chunks = 0

    def progress(name, done, total):
        global chunks
        chunks += 1
        print(f"chunk {chunks}", flush=True)

    service.ingest_file(store, operator(store), Path(sys.argv[1]), progress=progress, chunk_rows=5000)
    print("committed", flush=True)
    """
)


def _count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(air_observation)).scalar_one())


def test_sigkill_in_the_middle_of_a_batch_leaves_nothing(engine: Engine, store: Store, tmp_path: Path) -> None:
    with store.read() as conn:
        seeded = conn.execute(sa.select(sa.func.count()).select_from(ingest_batch)).scalar_one()
    big = tmp_path / "big.csv"
    hours = _big_uci_file(big, range(2000, 2004))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = os.environ | engine.env
    proc = subprocess.Popen([sys.executable, str(script), str(big)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line.strip())
        if line.startswith("chunk 3"):  # three chunks written inside the open transaction
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert "committed" not in seen
    assert _count(store) == 0
    with store.read() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(ingest_batch)).scalar_one() == seeded
        )  # the domains' seeds only
        assert audit.verify(conn).ok
    # the store is usable afterwards, and the whole batch goes in
    result = service.ingest_file(store, operator(store), big)
    assert result.observations.written == hours * 6
    assert _count(store) == hours


def test_a_writer_that_finishes_commits_everything(engine: Engine, store: Store, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    hours = _big_uci_file(big, range(2000, 2001))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    out = subprocess.run(
        [sys.executable, str(script), str(big)],
        capture_output=True,
        text=True,
        env=os.environ | engine.env,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip().endswith("committed")
    assert _count(store) == hours


def test_concurrent_writers_keep_every_batch_and_one_chain(store: Store, tmp_path: Path) -> None:
    files = []
    for i, station in enumerate(["Dongsi", "Tiantan", "Guanyuan", "Wanliu"]):
        path = tmp_path / f"{station}.csv"
        _big_uci_file(path, range(2001 + i, 2002 + i), station)
        files.append(path)
    op = operator(store)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(files))

    def write(path: Path) -> None:
        try:
            barrier.wait()
            service.ingest_file(store, op, path, chunk_rows=2000)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _count(store) == 4 * 12 * 28 * 24
    with store.read() as conn:
        result = audit.verify(conn)
        ingests = [e for e in audit.entries(conn, limit=1000) if e.action == "air.ingest"]
    assert result.ok
    assert len(ingests) == 4


def test_concurrent_corrections_of_one_hour_become_successive_revisions(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    paths = []
    for i in range(4):
        p = tmp_path / f"v{i}.csv"
        p.write_text(
            f"station,time,pollutant,value,unit\n1001A,2016-12-16T08:00+08:00,PM2.5,{200 + i},µg/m³\n", encoding="utf-8"
        )
        paths.append(p)
    barrier = threading.Barrier(len(paths))

    def write(p: Path) -> None:
        barrier.wait()
        service.ingest_file(store, op, p)

    threads = [threading.Thread(target=write, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from datetime import UTC, datetime

    revisions = service.revisions_of(store, op, "1001A", datetime(2016, 12, 16, 0, tzinfo=UTC))
    assert revisions["revision"].tolist() == [1, 2, 3, 4]
    assert sorted(revisions["pm25"].tolist()) == [200.0, 201.0, 202.0, 203.0]
