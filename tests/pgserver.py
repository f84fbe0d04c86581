"""A throwaway PostgreSQL server, for the test suite and the benchmarks.

Started from the Debian binaries (``/usr/lib/postgresql/<v>/bin``) on a free port of 127.0.0.1, in a
temporary directory, and removed by :meth:`PostgresServer.stop`. PostgreSQL refuses to run as root, so
as root the server runs as the ``postgres`` user. With ``durable=False`` (tests) ``fsync`` is off; the
benchmarks keep PostgreSQL's default durability. ``make test`` installs the Debian package when missing.
Not for production data.

Test-only code, kept out of the runtime package: ``tests/conftest.py`` starts one per session, and the
benchmarks import it as ``tests.pgserver``; they run as modules from the repository root
(``.venv/bin/python -m bench.bench_ingest``), so no ``sys.path`` change is needed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb``."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary (as ``postgres`` when we are root)."""
        cmd = [str(a) for a in args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    @classmethod
    def start(cls, *, durable: bool = False) -> PostgresServer:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. "
                "Run `make test` (it installs the Debian package postgresql), or set "
                "XIETONG_TEST_DATABASE_URL to a database you own, or XIETONG_TEST_ENGINES=sqlite "
                "to run the SQLite half only."
            )
        root = Path(tempfile.mkdtemp(prefix="xietong-pg-"))
        as_postgres = os.geteuid() == 0
        if as_postgres:
            shutil.chown(root, "postgres")
        server = cls(bindir, root, _free_port(), as_postgres)
        data = root / "data"
        server._run(
            str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        server._run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", server.port)) == 0:
                    return server
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start; log: {(root / 'log').read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


__all__ = ["PostgresServer", "find_bindir"]
