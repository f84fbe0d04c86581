"""Trading registry benchmark: concurrent transfers through the service on PostgreSQL (issue 15).

Run from the repository root::

    .venv/bin/python -m bench.bench_trading_transfers [--clients 20] [--accounts 100] [--seconds 20]
        [--batch N] [--durable] [--database-url URL] [--cpu | --profile]

A throwaway PostgreSQL server is started (``tests.pgserver``; ``fsync`` off unless ``--durable``),
migrated and seeded; one unit type is issued and spread evenly over ``--accounts`` trading accounts of one
jurisdiction (written for the benchmark). Then ``--clients`` client *processes* (each its own connection
pool, as separate clients are) run for ``--seconds``: each picks a random sender and receiver and a random
quantity of 1–50 units and calls :func:`xietong.trading.transfers.initiate` with ``accept=True`` (within one
jurisdiction the transfer completes in that one audited transaction). A transfer of more units than the
sender holds is refused and counted apart. With ``--batch N`` each client instead sends batches of ``N``
such random transfers through :func:`xietong.trading.batch.initiate_many` (one transaction per batch, each
transfer checked, answered and audited on its own). The rate is the transfers completed over the time from
the first client's start to the last client's last commit. Afterwards the registry is checked from the store: every unit
type's total unchanged, no holding negative, holdings equal to their blocks, no serial in two blocks
(:func:`xietong.trading.ledger.check_store`).

``--cpu`` runs one client in this process and reports, per transfer, the wall time, this process's CPU time
and the CPU time of the PostgreSQL server's processes (from ``/proc``): what bounds the rate on a given number
of cores. ``--profile`` runs one client under cProfile and prints where the time goes (``BENCH_SORT=tottime``
and ``BENCH_TOP=n`` in the environment change the order and length of the listing).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing as mp
import os
import platform
import pstats
import random
import time
from pathlib import Path

import sqlalchemy as sa
from tests.pgserver import PostgresServer

from xietong.config import Settings
from xietong.errors import InputError
from xietong.exchange.bootstrap import initialise, operator
from xietong.exchange.principals import Principal
from xietong.store.session import Store
from xietong.trading import batch, ledger, registry, service, transfers
from xietong.trading.enums import UnitKind
from xietong.trading.tables import trading_holding, trading_operation, trading_unit_type
from xietong.trading.units import UnitType

UNIT = "BENCH-BEA"
PER_ACCOUNT = 10_000


def accounts(n: int) -> list[str]:
    return [f"BENCH-{i:03d}" for i in range(n)]


def setup(url: str, n_accounts: int) -> None:
    store = Store(Settings.from_env({}, data_dir="/nonexistent", database_url=url))
    initialise(store)
    op = operator(store)
    registry.register_unit_type(
        store, op, UnitType(UNIT, UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA"), jurisdiction="北京"
    )
    service.issue(store, op, UNIT, PER_ACCOUNT * n_accounts, "GOV-110000")
    for code in accounts(n_accounts):
        registry.open_account(store, op, code, kind="trading", name=code, jurisdiction="北京")
        transfers.initiate(store, op, "GOV-110000", code, UNIT, quantity=PER_ACCOUNT, accept=True)
    store.dispose()


def send(store: Store, op: Principal, rng: random.Random, codes: list[str], batch_size: int) -> tuple[int, int]:
    """One transfer through ``transfers.initiate`` (``batch_size`` 0), or a batch of ``batch_size`` through
    ``batch.initiate_many``; returns (completed, refused)."""
    if batch_size == 0:
        a, b = rng.sample(codes, 2)
        try:
            transfers.initiate(store, op, a, b, UNIT, quantity=rng.randint(1, 50), accept=True)
            return 1, 0
        except InputError:
            return 0, 1
    requests = []
    for _ in range(batch_size):
        a, b = rng.sample(codes, 2)
        requests.append({"from_account": a, "to_account": b, "unit_type": UNIT, "quantity": rng.randint(1, 50)})
    out = batch.initiate_many(store, op, requests)
    done = sum(isinstance(r, dict) for r in out)
    return done, len(out) - done


def client(url: str, n_accounts: int, seconds: float, seed: int, queue: mp.Queue, batch_size: int = 0) -> None:  # type: ignore[type-arg]
    store = Store(Settings.from_env({}, data_dir="/nonexistent", database_url=url))
    op = operator(store)
    rng = random.Random(seed)
    codes = accounts(n_accounts)
    ok = refused = 0
    start = time.time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        done, no = send(store, op, rng, codes, batch_size)
        ok, refused = ok + done, refused + no
    finished = time.time()  # after the last transfer or batch sent before the deadline has committed
    store.dispose()
    queue.put((ok, refused, start, finished))


def check(url: str, n_accounts: int) -> dict[str, object]:
    store = Store(Settings.from_env({}, data_dir="/nonexistent", database_url=url))
    with store.read() as conn:
        problems = ledger.check_store(conn)
        issued = conn.execute(
            sa.select(trading_unit_type.c.issued).where(trading_unit_type.c.code == UNIT)
        ).scalar_one()
        h = trading_holding
        total, lowest = conn.execute(
            sa.select(sa.func.sum(h.c.held + h.c.reserved), sa.func.min(h.c.held)).where(h.c.unit_type == UNIT)
        ).one()
        blocks = conn.execute(
            sa.text("SELECT count(*) FROM trading_block WHERE unit_type = :u"), {"u": UNIT}
        ).scalar_one()
        ops = conn.execute(sa.select(sa.func.count()).select_from(trading_operation)).scalar_one()
    store.dispose()
    return {
        "issued": int(issued),
        "held_total": int(total),
        "unchanged": int(total) == int(issued) == PER_ACCOUNT * n_accounts,
        "lowest_holding": int(lowest),
        "blocks": int(blocks),
        "operations": int(ops),
        "problems": [p.describe() for p in problems],
    }


def profile(url: str, n_accounts: int, seconds: float, batch_size: int) -> str:
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    prof = cProfile.Profile()
    prof.enable()
    client(url, n_accounts, seconds, 99, q, batch_size)
    prof.disable()
    ok, refused, *_ = q.get()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
        int(os.environ.get("BENCH_TOP", "30"))
    )
    return f"one client, in process: {ok} transfers, {refused} refused in {seconds} s\n" + out.getvalue()


def server_cpu_s(data_dir: str) -> float:
    """CPU seconds used so far by the PostgreSQL server whose data directory is ``data_dir`` (postmaster and
    its children, from ``/proc``; Linux)."""
    postmaster = int(next(Path(data_dir).rglob("postmaster.pid")).read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def cpu(url: str, data_dir: str, n_accounts: int, seconds: float, batch_size: int) -> str:
    store = Store(Settings.from_env({}, data_dir="/nonexistent", database_url=url))
    op = operator(store)  # the connection (and its server process) lives across the measurement
    rng = random.Random(98)
    codes = accounts(n_accounts)
    n = 0
    s0, c0, w0 = server_cpu_s(data_dir), time.process_time(), time.perf_counter()
    while time.perf_counter() < w0 + seconds:
        n += sum(send(store, op, rng, codes, batch_size))
    s1, c1, w1 = server_cpu_s(data_dir), time.process_time(), time.perf_counter()
    store.dispose()
    return (
        f"one client, in process: {n} transfers in {w1 - w0:.1f} s; per transfer: wall {(w1 - w0) / n * 1e3:.1f} ms, "
        f"client CPU {(c1 - c0) / n * 1e3:.2f} ms, PostgreSQL CPU {(s1 - s0) / n * 1e3:.2f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--accounts", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--durable", action="store_true", help="keep fsync on (PostgreSQL's default durability)")
    ap.add_argument("--database-url", help="an empty database to use instead of a throwaway server")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="CPU per transfer of one client and of the server")
    ap.add_argument(
        "--batch",
        type=int,
        default=0,
        help="each client sends batches of this many transfers (batch.initiate_many) instead of one at a time",
    )
    args = ap.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}")
    server = None
    url = args.database_url
    if url is None:
        server = PostgresServer.start(durable=args.durable)
        url = server.url
    try:
        t0 = time.perf_counter()
        setup(url, args.accounts)
        print(
            f"setup: {args.accounts} accounts x {PER_ACCOUNT} units in {time.perf_counter() - t0:.1f} s (durable={args.durable})"
        )
        if args.profile:
            print(profile(url, args.accounts, args.seconds, args.batch))
            return
        if args.cpu:
            if server is None:
                raise SystemExit("--cpu needs the throwaway server (no --database-url)")
            print(cpu(url, str(server.root), args.accounts, args.seconds, args.batch))
            return
        q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        procs = [
            mp.Process(target=client, args=(url, args.accounts, args.seconds, i, q, args.batch))
            for i in range(args.clients)
        ]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
        wall = time.perf_counter() - t0
        ok = sum(r[0] for r in results)
        refused = sum(r[1] for r in results)
        span = max(r[3] for r in results) - min(r[2] for r in results)  # first client start → last commit
        how = f"batches of {args.batch}" if args.batch else "one transfer per transaction"
        print(f"{args.clients} clients ({how}), {args.seconds:.0f} s each (wall {wall:.1f} s incl. start-up): {ok} transfers completed "
              f"in {span:.1f} s from the first client's start to the last commit: {ok / span:.0f}/s, {refused} refused (more than held)")  # fmt: skip
        print(f"after: {check(url, args.accounts)}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
