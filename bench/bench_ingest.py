"""Ingest throughput of the exchange: the full UCI Beijing Multi-Site dataset into SQLite and PostgreSQL.

Reads the 12 UCI files (420,768 station-hours, ~2.45 M values) from ``../shared/data`` (optional data:
benchmarks may read it; tests never do) and ingests them through the same service the CLI uses, each
file one all-or-nothing batch. Every run happens in a fresh child process so that its peak memory
(``ru_maxrss``) is its own; ingesting 1 file and 12 files shows whether memory stays flat in the input
size. PostgreSQL is a throwaway server with default durability (fsync on).

    .venv/bin/python -m bench.bench_ingest            # prints a Markdown table
    .venv/bin/python -m bench.bench_ingest --json

Run it as a module from the repository root: the throwaway PostgreSQL server is test code
(``tests/pgserver.py``), imported as ``tests.pgserver``.

Targets (issue 2): >= 150,000 values/s into SQLite, >= 300,000 values/s into PostgreSQL, memory flat.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from tests.pgserver import PostgresServer

UCI_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "air" / "beijing_multisite_uci"

CHILD = r"""
import json, resource, sys, time, tempfile
from pathlib import Path
from xietong.air import service
from xietong.config import Settings
from xietong.exchange.bootstrap import initialise, operator
from xietong.store.session import Store

url, files, repeat = sys.argv[1] or None, [Path(p) for p in sys.argv[2].split(",")], int(sys.argv[3])
store = Store(Settings.from_env(data_dir=tempfile.mkdtemp(prefix="xt-bench-"), database_url=url))
initialise(store)
op = operator(store)
runs = []
for i in range(repeat):
    t = time.perf_counter()
    summary = service.ingest_files(store, op, files).as_dict()
    runs.append({"seconds": time.perf_counter() - t, "read": summary["read"], "written": summary["written"],
                 "unchanged": summary["unchanged"]})
print(json.dumps({"runs": runs, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(url: str, files: list[Path], repeat: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, ",".join(map(str, files)), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = sorted(UCI_DIR.glob("PRSA_Data_*.csv"))
    if len(files) != 12:
        sys.exit(f"expected the 12 UCI files in {UCI_DIR}; found {len(files)}")

    server = PostgresServer.start(durable=True)
    rows = []
    try:
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        for engine in ("sqlite", "postgresql"):
            for subset in (files[:1], files):
                url = ""
                if engine == "postgresql":
                    name = f"bench_{len(subset)}"
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                        conn.exec_driver_sql(f"CREATE DATABASE {name}")
                    url = server.url.rsplit("/", 1)[0] + f"/{name}"
                result = run_child(url, subset, repeat=2)
                first, second = result["runs"]  # type: ignore[misc]
                rows.append(
                    {
                        "engine": engine,
                        "files": len(subset),
                        "values": first["read"],
                        "first_ingest_s": round(first["seconds"], 2),
                        "values_per_s": round(first["read"] / first["seconds"]),
                        "reingest_s": round(second["seconds"], 2),
                        "reingest_written": second["written"],
                        "max_rss_mb": round(result["max_rss_mb"], 1),  # type: ignore[arg-type]
                    }
                )
        admin.dispose()
    finally:
        server.stop()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
