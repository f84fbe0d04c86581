"""Real processes for the fault tests: ``xietong serve`` on 127.0.0.1, and a probe of the store's write lock."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

HEADER = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def big_uci_file(path: Path, years: range, station: str = "Dongsi") -> int:
    """A UCI-format file with one row per hour over ``years``: the real layout, values written for the test
    (a station-hour counter modulo plausible ranges). Returns the number of station-hours."""
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


class Server:
    """``xietong serve`` in its own process (so it can be SIGKILLed), logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = os.environ | {"XIETONG_WEBHOOK_POLL_S": "0"} | env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        args = [sys.executable, "-m", "xietong", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([*args, "--log-level", "warning"], env=self.env, stdout=out, stderr=out)
        wait_for(self._listening, 60, f"the server to listen (log: {self.log})")
        return self

    def _listening(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the server exited: {self.log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def kill(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def writer_holds_the_lock(url: str) -> bool:
    """Whether some transaction holds the store's write lock now: SQLite's RESERVED lock (``BEGIN IMMEDIATE``
    fails at once), or on PostgreSQL the audit chain head's row lock that every write takes first."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        con = sqlite3.connect(str(parsed.database), timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            con.close()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE NOWAIT").all()
        return False
    except sa.exc.OperationalError:
        return True
    finally:
        engine.dispose()
