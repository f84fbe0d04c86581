"""The overdue query over 1 million open service cases on PostgreSQL (part of ``bench_services.py``).

Run from the repository root, as a module::

    .venv/bin/python -m bench.bench_services --overdue [--cases 1000000] [--repeat 20]

The cases are SYNTHETIC, written for the benchmark (see ``bench_services.py``): no personal data, 200
offices "BENCH-…" spread over the 15 jurisdictions, random days (seed 16).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from tests.pgserver import PostgresServer  # the throwaway server the tests use

from xietong import region
from xietong.config import Settings
from xietong.services.deadlines import overdue_count, overdue_query, unannounced_query
from xietong.store.session import Store

AS_OF = dt.date(2026, 6, 1)
OFFICES = 200


def _copy(store: Store, table: str, frame: pd.DataFrame, *, text: tuple[str, ...] = ()) -> None:
    """COPY ``frame`` into ``table`` (CSV; empty cells are NULL except in the ``text`` columns)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, na_rep="")
    columns = ", ".join(frame.columns)
    raw = store.engine.raw_connection()
    try:
        keep = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
        sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{keep})"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]
            copy.write(buf.getvalue())
        raw.commit()
    finally:
        raw.close()


def _frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(16)
    codes = [r.code for r in region.jurisdictions()]
    office_j = np.array([codes[i % len(codes)] for i in range(OFFICES)])
    office_code = np.array([f"BENCH-{i:03d}" for i in range(OFFICES)])
    recv = rng.integers(0, OFFICES, n)
    comp = (recv + rng.integers(1, OFFICES, n)) % OFFICES
    received = np.datetime64(AS_OF, "D") - rng.integers(5, 60, n).astype("timedelta64[D]")
    ids = np.arange(1, n + 1)
    now = "2026-06-01 00:00:00+00"
    cases = pd.DataFrame(
        {
            "id": ids, "item_code": "JJJ-PS-001", "item_version": 1, "mode": "forwarded",
            "receiving_office": office_code[recv], "receiving_jurisdiction": office_j[recv],
            "competent_offices": office_code[comp], "received_on": received, "status": "open", "retention_years": 10,
            "created_by": "bench", "created_at": now, "updated_at": now, "version": 1,
        }
    )  # fmt: skip
    due = np.datetime64(AS_OF, "D") + rng.integers(-3, 41, n).astype("timedelta64[D]")
    common = {"case_id": ids, "time_limit_wd": None, "counted_from": None, "basis": "", "suspended_wd": 0}
    steps = pd.concat(
        [
            pd.DataFrame({**common, "seq": 1, "kind": "received", "office_code": office_code[recv],
                          "jurisdiction_code": office_j[recv], "depends_on": "", "status": "done",
                          "opened_on": received, "due_on": pd.NaT, "done_on": received}),
            pd.DataFrame({**common, "seq": 2, "kind": "forwarded", "office_code": office_code[recv],
                          "jurisdiction_code": office_j[recv], "depends_on": "1", "status": "open",
                          "opened_on": received, "due_on": due, "done_on": pd.NaT, "time_limit_wd": 15}),
            pd.DataFrame({**common, "seq": 3, "kind": "accepted", "office_code": office_code[comp],
                          "jurisdiction_code": office_j[comp], "depends_on": "2", "status": "pending",
                          "opened_on": pd.NaT, "due_on": pd.NaT, "done_on": pd.NaT}),
        ],
        ignore_index=True,
    )  # fmt: skip
    return cases, steps


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def _queries(store: Store, repeat: int) -> dict[str, tuple[float, Any]]:
    scan_q = unannounced_query(AS_OF, limit=10_000)
    with store.engine.connect() as conn:
        return {
            "first page (200, earliest due)": _best(lambda: conn.execute(overdue_query(AS_OF)).all(), repeat),
            "count": _best(lambda: overdue_count(conn, AS_OF), repeat),
            "one office's page": _best(lambda: conn.execute(overdue_query(AS_OF, offices=["BENCH-017"])).all(), repeat),
            "scan batch (10,000 not announced)": _best(lambda: conn.execute(scan_q).all(), max(repeat // 4, 1)),
        }


def _plan(store: Store) -> str:
    with store.engine.connect() as conn:
        compiled = overdue_query(AS_OF).compile(conn, compile_kwargs={"literal_binds": True})
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}").scalars().all()
    return "\n".join(f"    {r}" for r in rows[:6])


def run_overdue(n_cases: int, repeat: int) -> None:
    server = PostgresServer.start(durable=True)
    try:
        admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bench_services")
        admin.dispose()
        url = server.url.rsplit("/", 1)[0] + "/bench_services"
        store = Store(Settings.from_env({}, data_dir="/nonexistent", database_url=url))
        store.upgrade()
        t0 = time.perf_counter()
        cases, steps = _frames(n_cases)
        _copy(store, "services_case", cases)
        _copy(store, "services_step", steps, text=("depends_on", "basis"))
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE services_case")
            conn.exec_driver_sql("VACUUM ANALYZE services_step")
        load_s = time.perf_counter() - t0
        indexed = _queries(store, repeat)
        plan = _plan(store)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_services_step_open_due")
            conn.exec_driver_sql("DROP INDEX ix_services_step_open_office_due")
        with store.engine.connect() as conn:
            no_index = {
                "first page (200, earliest due)": _best(lambda: conn.execute(overdue_query(AS_OF)).all(), 3),
                "count": _best(lambda: overdue_count(conn, AS_OF), 3),
            }
        store.dispose()
    finally:
        server.stop()
    overdue = int((steps["status"].eq("open") & (steps["due_on"] < pd.Timestamp(AS_OF))).sum())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"PostgreSQL throwaway server; {n_cases:,} open cases, {len(steps):,} steps; loaded in {load_s:.1f} s")
    print(f"overdue on {AS_OF}: {overdue:,} open steps (best of {repeat})")
    for name, (seconds, result) in indexed.items():
        size = result if isinstance(result, int) else len(result)
        print(f"  {name:36s} {seconds * 1000:8.2f} ms  ({size:,} rows)")
    print("  plan of the first page:\n" + plan)
    print("without the partial indexes:")
    for name, (seconds, _) in no_index.items():
        print(f"  {name:36s} {seconds * 1000:8.2f} ms")
    worst = max(seconds for name, (seconds, _) in indexed.items() if not name.startswith("scan"))
    print(f"target: the overdue query over 1 million open cases in < 100 ms: {'met' if worst < 0.1 else 'NOT met'}")


__all__ = ["run_overdue"]
