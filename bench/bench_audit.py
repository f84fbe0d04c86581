"""How long `xietong audit verify` takes on a large audit log, and what an audited write costs at that size.

Builds a store whose log holds ``--entries`` entries (written for the benchmark: ingest-like entries with
made-up batch numbers, chained, in the Merkle tree and each with its signed tree head, exactly as
``audit.append`` stores them, but inserted in bulk), saves a checkpoint, then times in fresh processes:

* ``xietong audit verify`` (chain, leaves, tree, signed heads);
* ``xietong audit verify --checkpoint FILE`` (also the checkpoint's root and a consistency proof);
* 1,000 audited writes on top (each appends, extends the tree and signs a head).

Usage: ``.venv/bin/python -m bench.bench_audit --entries 1000000 [--engine sqlite|postgresql]`` (from the repository
root, as a module: the throwaway PostgreSQL server is test code, ``tests.pgserver``)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.pgserver import PostgresServer

from xietong.config import Settings
from xietong.exchange import actions, audit, audit_tree, merkle
from xietong.exchange.bootstrap import initialise, operator
from xietong.exchange.checkpoint import TreeHead, sign, timestamp_ms
from xietong.exchange.crypto import note_key_id
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import audit_head, audit_log, audit_tree_head
from xietong.store.tables import audit_tree as audit_tree_table

BATCH = 20_000


def build(store: Store, entries: int) -> float:
    """Append ``entries`` entries in bulk; returns seconds."""
    key = actions.audit_key(store)
    t0 = time.perf_counter()
    with store.write() as conn:
        head = audit_tree.load_head(conn, for_update=True)
        seq, prev, frontier, origin = head.seq, head.hash, head.frontier, head.origin
        key_id = note_key_id(origin, key.public_key).hex()
        start = utcnow() - timedelta(days=30)
        logs: list[dict[str, Any]] = []
        nodes: list[dict[str, Any]] = []
        heads: list[dict[str, Any]] = []
        for i in range(entries):
            seq += 1
            at = start + timedelta(milliseconds=seq)
            detail = audit.canonical_json({"batch": i, "rows": 8760, "sha256": f"{i:064x}"})
            target = f"benchmark file {i}.csv"
            payload = audit.entry_payload(seq, at, "bench-feed", "110000", "air.ingest", "ok", target, detail)
            digest = audit.chain_hash(prev, payload)
            logs.append({"seq": seq, "at": at, "actor": "bench-feed", "jurisdiction_code": "110000",
                         "action": "air.ingest", "outcome": "ok", "target": target, "detail": detail,
                         "prev_hash": prev, "hash": digest})  # fmt: skip
            step = merkle.append(seq - 1, frontier, merkle.leaf_hash(payload.encode("utf-8")))
            nodes.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in step.nodes)
            th = TreeHead(origin, seq, step.root, timestamp_ms(at))
            heads.append({"tree_size": seq, "root_hash": step.root, "timestamp_ms": th.timestamp_ms,
                          "key_id": key_id, "signature": sign(th, key)})  # fmt: skip
            prev, frontier = digest, step.frontier
            if len(logs) >= BATCH:
                _flush(conn, logs, nodes, heads)
        _flush(conn, logs, nodes, heads)
        conn.execute(audit_head.update().values(seq=seq, hash=prev, frontier=b"".join(frontier)))
    return time.perf_counter() - t0


def _flush(
    conn: sa.Connection, logs: list[dict[str, Any]], nodes: list[dict[str, Any]], heads: list[dict[str, Any]]
) -> None:
    for table, rows in ((audit_log, logs), (audit_tree_table, nodes), (audit_tree_head, heads)):
        if rows:
            conn.execute(table.insert(), rows)
            rows.clear()


def timed_cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``xietong ARGS`` in a fresh process: wall seconds, exit code, peak RSS of that process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xietong.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    return {"seconds": round(seconds, 2), "exit": os.waitstatus_to_exitcode(status),
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1), "out": out.strip().splitlines()[:2]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--appends", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xt-bench-audit-") as tmp:
        server = None
        url = None
        if args.engine == "postgresql":
            server = PostgresServer.start()
            url = server.url
        try:
            settings = Settings.from_env({}, data_dir=Path(tmp) / "data", database_url=url)
            store = Store(settings)
            initialise(store)
            build_s = build(store, args.entries)
            size = int(_scalar(store, sa.select(audit_head.c.seq)))
            env = {**os.environ, "XIETONG_DATA_DIR": str(settings.data_dir), "XIETONG_DATABASE_URL": url or ""}
            saved = Path(tmp) / "checkpoint.json"
            checkpoint = timed_cli(env, "audit", "checkpoint", "--save", str(saved))
            verify = timed_cli(env, "audit", "verify")
            verify_cp = timed_cli(env, "audit", "verify", "--checkpoint", str(saved))
            op = operator(store)
            t0 = time.perf_counter()
            for i in range(args.appends):
                actions.record(store, op, "bench.note", f"note {i}", audit.Outcome.OK, {"i": i})
            append_ms = (time.perf_counter() - t0) / max(args.appends, 1) * 1000
            store.dispose()
        finally:
            if server is not None:
                server.stop()
    print(json.dumps({"engine": args.engine, "entries": size, "bulk_build_s": round(build_s, 1),
                      "checkpoint": checkpoint, "verify": verify, "verify_checkpoint": verify_cp,
                      "append_ms_each": round(append_ms, 2)}, indent=2))  # fmt: skip


def _scalar(store: Store, query: sa.Select[Any]) -> Any:
    with store.read() as conn:
        return conn.execute(query).scalar_one()


if __name__ == "__main__":
    main()
