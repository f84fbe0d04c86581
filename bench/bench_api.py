"""API read load under a concurrent writer (issue 11, item 1).

Run from the repository root (reads ``../shared/data``, as bench scripts may)::

    .venv/bin/python -m bench.bench_api [--engines sqlite postgresql] [--workers 2] [--clients 20] [--seconds 10]

For each engine: a fresh store in a temporary folder (SQLite file, or a throwaway PostgreSQL 15 server with
default durability, ``tests/pgserver.py``), migrated, the 12 UCI Beijing files ingested as ``xietong air
ingest`` does; then ``xietong serve --host 127.0.0.1 --port <free port> --anonymous-read`` in its own
process(es). While the reads run, a **writer** process publishes one hour for every one of the 12 stations
each second through ``POST /api/v1/air/observations`` with a Beijing publisher's token: hours after the
dataset's end (from 2017-03-01 00:00 CST on), the values of each station's real UCI row one year earlier.
**These published rows are written for the benchmark** (real values under new hour labels), not observations.

The load client is a small asyncio HTTP/1.1 keep-alive client in this process (one process, one thread,
``--clients`` connections each sending its next request when the previous answer is in). Each GET runs
``--warmup`` seconds unrecorded, then ``--seconds`` recorded (at most ``--max-requests``). Requests carry ``Accept-Encoding: gzip``
as browsers and HTTP libraries send it (bodies are read whole, not decompressed). Errors are any answer but
200 and any connection failure. The server's and the client's CPU seconds are read from
``/proc`` and ``getrusage`` so the share each side took of the 2 cores is reported, with the load average.

Writes its section to ``bench/results/api_load.md`` (``--out``) and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
UCI_DIR = ROOT.parent / "shared" / "data" / "air" / "beijing_multisite_uci"
XIETONG = Path(sys.executable).parent / "xietong"

READS = [
    "/api/v1/region/jurisdictions",
    "/api/v1/air/stations",
    "/api/v1/air/observations?station=1003A&from=2016-12-10&to=2016-12-16",
    "/api/v1/air/aqi?level=city&report=daily&city=110000&from=2016-12-10&to=2016-12-16",
    "/api/v1/air/aqi?level=station&report=hourly&from=2016-12-16&to=2016-12-16",
]
TARGETS = {"postgresql": 500, "sqlite": 300}
P99_TARGET_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the store -------------------------------------------------------------------------------------------


def prepare_store(data_dir: Path, url: str | None) -> str:
    """Migrate, ingest the 12 UCI files and issue a Beijing publisher token; returns the token."""
    from xietong.air import service  # noqa: PLC0415 - the bench's parent imports no store before it needs one
    from xietong.air.domain import AirScope  # noqa: PLC0415
    from xietong.config import Settings  # noqa: PLC0415
    from xietong.enums import Scope  # noqa: PLC0415
    from xietong.exchange import admin  # noqa: PLC0415
    from xietong.exchange.bootstrap import initialise, operator  # noqa: PLC0415
    from xietong.store.session import Store  # noqa: PLC0415

    files = sorted(UCI_DIR.glob("PRSA_Data_*.csv"))
    if len(files) != 12:
        sys.exit(f"expected the 12 UCI files in {UCI_DIR}; found {len(files)}")
    store = Store(Settings.from_env(data_dir=data_dir, database_url=url))
    try:
        initialise(store)
        op = operator(store)
        service.ingest_files(store, op, files)
        admin.create_principal(store, op, "bench-beijing-feed", "110000")
        token = admin.issue_token(store, op, "bench-beijing-feed", frozenset({Scope.READ, AirScope.PUBLISH})).token
    finally:
        store.dispose()
    return token


# -- the server ------------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and its children (the workers), from /proc."""
        return sum(_proc_cpu(pid) for pid in _tree(self.process.pid))


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return out


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(data_dir: Path, url: str | None, workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "XIETONG_DATA_DIR": str(data_dir), "XIETONG_WEBHOOK_POLL_S": "0"}
    env.pop("XIETONG_DATABASE_URL", None)
    if url:
        env["XIETONG_DATABASE_URL"] = url
    cmd = [str(XIETONG), "serve", "--host", "127.0.0.1", "--port", str(port), "--anonymous-read"]
    cmd += ["--log-level", "warning"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    process = subprocess.Popen(cmd, env=env, cwd=ROOT)
    server = Server(process, port)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode}: {' '.join(cmd)}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                time.sleep(2 if workers > 1 else 0.5)  # every worker up
                return server
        time.sleep(0.3)
    server.stop()
    sys.exit("the server did not answer /api/v1/health within 120 s")


# -- the writer ------------------------------------------------------------------------------------------


def _writer_rows() -> dict[str, list[list[str]]]:
    """Each station's real UCI rows of 2016-03-01 onwards (values only), by station name."""
    out: dict[str, list[list[str]]] = {}
    for path in sorted(UCI_DIR.glob("PRSA_Data_*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].replace('"', "").split(",")
        rows = [line.replace('"', "").split(",") for line in lines[1:]]
        first = next(i for i, r in enumerate(rows) if r[1:4] == ["2016", "3", "1"])
        station = rows[first][header.index("station")]
        out[station] = rows[first : first + 24 * 60]
    return out


def writer_loop(port: int, token: str, stop: Any, results: Any) -> None:
    """Publish one hour of every station each second until ``stop`` is set; report latencies."""
    header = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"'
    rows = _writer_rows()
    base = np.datetime64("2017-03-01T00:00")
    latencies: list[float] = []
    errors: list[str] = []
    k = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    next_at = time.monotonic()
    while not stop.is_set():
        hour = (base + np.timedelta64(k, "h")).astype(datetime)
        lines = [header]
        for station, station_rows in rows.items():
            r = list(station_rows[k % len(station_rows)])
            r[1:5] = [str(hour.year), str(hour.month), str(hour.day), str(hour.hour)]
            r[-1] = station
            lines.append(",".join(r))
        body = ("\n".join(lines) + "\n").encode()
        t = time.perf_counter()
        try:
            conn.request(
                "POST",
                f"/api/v1/air/observations?filename=bench-writer-{k}.csv",
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            )
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                errors.append(f"{response.status}: {payload[:200]!r}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - t)
        k += 1
        next_at += 1.0
        time.sleep(max(0.0, next_at - time.monotonic()))
    results.put({"published_hours": k, "latencies_s": latencies, "errors": errors})


# -- the load client -------------------------------------------------------------------------------------


@dataclass
class Load:
    path: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed by the server")
    status = int(status_line.split()[1])
    length = -1
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = bytearray()
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
        return status, bytes(body)
    return status, await reader.readexactly(length) if length >= 0 else b""


async def _client(port: int, request: bytes, until: list[float], warm_until: float, out: Load, cap: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= until[0] or len(out.latencies_ms) >= cap:
                return
            try:
                status, body = await _get(reader, writer, request)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                if t0 >= warm_until:
                    out.errors += 1
                    out.first_error = out.first_error or repr(exc)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            t1 = time.perf_counter()
            if t0 < warm_until:
                continue
            out.statuses[status] = out.statuses.get(status, 0) + 1
            if status != 200:
                out.errors += 1
                out.first_error = out.first_error or f"{status}: {body[:200]!r}"
            else:
                out.latencies_ms.append((t1 - t0) * 1000)
    finally:
        writer.close()


async def run_load(port: int, path: str, clients: int, warmup_s: float, seconds: float, cap: int) -> Load:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nAccept-Encoding: gzip\r\n\r\n"
    ).encode()
    out = Load(path)
    start = time.perf_counter()
    warm_until = start + warmup_s
    until = [warm_until + seconds]
    await asyncio.gather(*[_client(port, request, until, warm_until, out, cap) for _ in range(clients)])
    out.seconds = min(time.perf_counter(), until[0]) - warm_until
    return out


def alone_ms(port: int, path: str, n: int = 20) -> float:
    """Median latency of ``n`` sequential requests on one connection (nothing else from this client)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        conn.getresponse().read()
        times.append((time.perf_counter() - t) * 1000)
    conn.close()
    return float(np.median(times))


# -- one engine ------------------------------------------------------------------------------------------


def bench_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    pg = None
    data_dir = Path(tempfile.mkdtemp(prefix=f"xt-bench-api-{engine}-"))
    url: str | None = None
    try:
        if engine == "postgresql":
            from tests.pgserver import PostgresServer  # noqa: PLC0415 - test code, only for this engine

            pg = PostgresServer.start(durable=True)
            url = pg.url
        t = time.perf_counter()
        token = prepare_store(data_dir, url)
        load_s = time.perf_counter() - t
        server = start_server(data_dir, url, args.workers)
        try:
            return _measure(engine, server, token, load_s, args)
        finally:
            server.stop()
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _measure(engine: str, server: Server, token: str, load_s: float, args: argparse.Namespace) -> dict[str, Any]:
    alone = {path: alone_ms(server.port, path) for path in READS}  # also warms every worker's first request
    ctx = mp.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    writer = None
    if args.writer:
        writer = ctx.Process(target=writer_loop, args=(server.port, token, stop, results), daemon=True)
        writer.start()
        time.sleep(2)
    loads = []
    load_before = os.getloadavg()
    cpu_server0, cpu_client0, wall0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
    try:
        for path in READS:
            loads.append(
                asyncio.run(run_load(server.port, path, args.clients, args.warmup, args.seconds, args.max_requests))
            )
    finally:
        wall = time.perf_counter() - wall0
        cpu_server, cpu_client = server.cpu_seconds() - cpu_server0, time.process_time() - cpu_client0
        stop.set()
    written: dict[str, Any] = {"published_hours": 0, "latencies_s": [], "errors": []}
    if writer is not None:
        written = results.get(timeout=60)
        writer.join(timeout=30)
    return {
        "engine": engine,
        "load_s": load_s,
        "alone_ms": alone,
        "loads": loads,
        "writer": written,
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(),
        "cpu_server_s": cpu_server,
        "cpu_client_s": cpu_client,
        "wall_s": wall,
    }


# -- report ----------------------------------------------------------------------------------------------


def section(results: list[dict[str, Any]], args: argparse.Namespace, command: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## API read load under a concurrent writer (issue 11)",
        "",
        f"Command: `{command}`, {stamp}. Machine: {platform.machine()}, {os.cpu_count()} cores shared with other "
        f"agents, Python {platform.python_version()}. Server: `xietong serve` with "
        f"{args.workers} worker process(es){' (--workers)' if args.workers > 1 else ''}, anonymous reads. Client: "
        f"this script, one process and one thread, {args.clients} keep-alive connections, {args.warmup:g} s warm-up "
        f"then {args.seconds:g} s (at most {args.max_requests} requests) per GET. Writer: a separate process "
        "publishing one hour of all 12 stations each second (`POST /api/v1/air/observations`, rows written for "
        "the benchmark: real UCI values one year later under new hour labels)"
        + ("" if args.writer else " — **off in this run**")
        + ".",
        "",
    ]
    for r in results:
        target = TARGETS[r["engine"]]
        w = r["writer"]
        wl = np.array(w["latencies_s"]) * 1000 if w["latencies_s"] else np.array([float("nan")])
        lines += [
            f"**{r['engine']}** (store loaded with the 12 UCI files in {r['load_s']:.1f} s; load average "
            f"{r['load_avg_before'][0]:.1f} before, {r['load_avg_after'][0]:.1f} after; CPU during the reads: server "
            f"{r['cpu_server_s']:.1f} s, client {r['cpu_client_s']:.1f} s over {r['wall_s']:.1f} s wall, "
            f"i.e. {r['cpu_server_s'] / r['wall_s']:.2f} + {r['cpu_client_s'] / r['wall_s']:.2f} of the "
            f"{os.cpu_count()} cores). Target >= {target} req/s, p99 < {P99_TARGET_MS:g} ms, no error.",
            "",
            "| GET | req/s | p50 ms | p99 ms | errors | one request alone, ms | target met |",
            "|---|---|---|---|---|---|---|",
        ]
        for load in r["loads"]:
            met = load.rate >= target and load.pct(99) < P99_TARGET_MS and load.errors == 0
            lines.append(
                f"| `{load.path}` | {load.rate:.0f} | {load.pct(50):.1f} | {load.pct(99):.1f} | {load.errors}"
                f"{' (' + load.first_error[:60] + ')' if load.first_error else ''} | {r['alone_ms'][load.path]:.1f} "
                f"| {'yes' if met else '**no**'} |"
            )
        lines += [
            "",
            f"Writer: {w['published_hours']} hours published, {len(w['errors'])} errors, publish latency median "
            f"{np.median(wl):.0f} ms, max {np.max(wl):.0f} ms"
            + (f" (first error: {w['errors'][0][:120]})" if w["errors"] else "")
            + ".",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--no-writer", dest="writer", action="store_false")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "api_load.md")
    args = parser.parse_args()
    command = ".venv/bin/python -m bench.bench_api " + " ".join(sys.argv[1:])
    results = [bench_engine(engine, args) for engine in args.engines]
    text = section(results, args, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(json.dumps({r["engine"]: [round(x.rate) for x in r["loads"]] for r in results}))


if __name__ == "__main__":
    main()
