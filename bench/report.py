"""One entry point for every benchmark: ``make bench`` (= ``.venv/bin/python -m bench.report``).

Runs each benchmark of ``BENCHMARKS`` in its own process, from the repository root, with the command shown
in its section; keeps what it printed in ``bench/results/<name>.md`` (with the command, the start time, the
duration, the load average before and after, and the exit status), then assembles ``bench/RESULTS.md``: a
header describing the machine, then every section in order, each followed by the notes kept for it
(``bench/results/notes/<name>.md``: figures of earlier runs and what was learned building it, written by
hand). A benchmark that fails or whose data are absent gets a section saying so; the others still run.

    .venv/bin/python -m bench.report                 # run every benchmark, rewrite RESULTS.md
    .venv/bin/python -m bench.report api aqi         # run these, keep the others' last sections
    .venv/bin/python -m bench.report --assemble      # only rewrite RESULTS.md from bench/results/

Benchmarks read ``../shared/data`` beside the repository (optional data, as bench scripts may). Peers run in
the same process and run as Xietong does (same rows, same warm-up, same repeats); their ratios are printed
by each benchmark. Benchmarks that are sensitive to the shared machine's load run under ``nice -n -10``
when this runs as root (said in their section).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NOTES = RESULTS / "notes"
PY = ".venv/bin/python"


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    commands: tuple[str, ...]
    peer: str = ""
    #: the section the benchmark writes itself (instead of its standard output)
    writes: str = ""
    timeout_s: int = 3600
    env: dict[str, str] = field(default_factory=dict)
    nice: bool = False


BENCHMARKS = [
    Benchmark("ingest", "Exchange ingest (issue 2)", (f"{PY} -m bench.bench_ingest",)),
    Benchmark(
        "aqi", "Air quality engine", (f"{PY} -m bench.bench_aqi",), peer="aqi-hub 0.3.3, python-aqi 0.6.1", nice=True
    ),
    Benchmark(
        "streets",
        "Street router",
        (f"{PY} bench/bench_streets.py", f"{PY} bench/bench_streets.py --mode walk"),
        peer="networkx",
    ),
    Benchmark(
        "raptor",
        "Transit RAPTOR (issue 6)",
        (f"{PY} bench/bench_raptor.py",),
        peer="pyraptor 1.3.10 (bench/.peer-venv)",
    ),
    Benchmark(
        "national", "National network (issue 17)", (f"{PY} -m bench.bench_national",), env={"NUMBA_NUM_THREADS": "1"}
    ),
    Benchmark("audit", "Audit log", (f"{PY} -m bench.bench_audit", f"{PY} -m bench.bench_audit --engine postgresql")),
    Benchmark(
        "services",
        "Public services (issue 16)",
        (f"{PY} -m bench.bench_services", f"{PY} -m bench.bench_services --overdue --cases 1000000 --repeat 20"),
    ),
    Benchmark("trading", "Trading (issue 15)", (f"{PY} bench/bench_trading.py",)),
    Benchmark(
        "api",
        "API read load under a concurrent writer (issue 11)",
        (f"{PY} -m bench.bench_api",),
        writes="api_load.md",
        nice=True,
    ),
]


def _version(cmd: list[str]) -> str:
    try:
        return (
            subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
        )
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def machine() -> str:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    pg = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem_kb / 2**20:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{_version([str(pg[-1]), '--version']) if pg else 'PostgreSQL not installed'}"
    )


def run(bench: Benchmark) -> str:
    """Run one benchmark's commands; its section as Markdown."""
    lines = [f"## {bench.title}", ""]
    if bench.peer:
        lines += [f"Peer in the same run: {bench.peer}.", ""]
    niced = bench.nice and os.geteuid() == 0
    for command in bench.commands:
        argv = command.split()
        if niced:
            argv = ["nice", "-n", "-10", *argv]
        env = {**os.environ, **bench.env}
        shown = " ".join([*(f"{k}={v}" for k, v in bench.env.items()), *argv])
        load0 = os.getloadavg()
        started = datetime.now(UTC)
        t = time.perf_counter()
        try:
            done = subprocess.run(
                argv, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=bench.timeout_s
            )
            status, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            status, out, err = -1, str(exc.stdout or ""), f"timed out after {bench.timeout_s} s"
        seconds = time.perf_counter() - t
        load1 = os.getloadavg()
        lines += [
            f"Command: `{shown}` (from the repository root), started {started:%Y-%m-%d %H:%M} UTC, took {seconds:.0f} s; "
            f"load average {load0[0]:.1f} before, {load1[0]:.1f} after"
            + (" (run under `nice -n -10`: the machine is shared with other jobs)" if niced else "")
            + ".",
            "",
        ]
        if status != 0:
            tail = "\n".join(err.strip().splitlines()[-15:])
            lines += [f"**Failed** (exit {status}); the last lines it wrote:", "", "```", tail, "```", ""]
            continue
        if bench.writes:
            lines += [(RESULTS / bench.writes).read_text(encoding="utf-8").split("\n", 2)[-1].strip(), ""]
        else:
            lines += [as_markdown(out), ""]
    return "\n".join(lines)


def as_markdown(out: str) -> str:
    """A benchmark's output in its section: Markdown as it is (its headings one level down, a blank line before
    each table), plain text in a code block."""
    text = out.strip()
    if not (text.startswith("#") or "\n|---" in text):
        return "```\n" + text + "\n```"
    lines: list[str] = []
    for raw in text.splitlines():
        line = "#" + raw if raw.startswith("#") else raw
        if line.startswith("|") and lines and lines[-1].strip() and not lines[-1].startswith("|"):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


def assemble() -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`{PY} -m bench.report`), {stamp}. Each section below is the output of the "
        "command it names, run on this machine in that run (its start time and the load average are given: the "
        "machine is shared by several agents, so figures vary between runs, up to 2x under load). Each section is "
        "followed by notes kept by hand from earlier runs, which `make bench` does not rerun.",
        "",
        f"**Machine**: {machine()}.",
        "",
    ]
    for bench in BENCHMARKS:
        section = RESULTS / f"{bench.name}.md"
        parts.append(
            section.read_text(encoding="utf-8").strip() if section.is_file() else f"## {bench.title}\n\nNot run yet."
        )
        parts.append("")
        if bench.name == "api" and (RESULTS / "api_load_before.md").is_file():
            parts += [(RESULTS / "api_load_before.md").read_text(encoding="utf-8").strip(), ""]
        notes = NOTES / f"{bench.name}.md"
        if notes.is_file():
            parts += [notes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {[b.name for b in BENCHMARKS]}")
    parser.add_argument("--assemble", action="store_true", help="only rewrite RESULTS.md from bench/results/")
    args = parser.parse_args()
    unknown = set(args.names) - {b.name for b in BENCHMARKS}
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; known: {[b.name for b in BENCHMARKS]}")
    if not (ROOT.parent / "shared" / "data").is_dir():
        sys.exit(
            f"the benchmarks read ../shared/data beside the repository; not found: {ROOT.parent / 'shared' / 'data'}"
        )
    if not args.assemble:
        for bench in BENCHMARKS:
            if args.names and bench.name not in args.names:
                continue
            print(f"[{time.strftime('%H:%M:%S')}] {bench.name}: {' ; '.join(bench.commands)}", flush=True)
            (RESULTS / f"{bench.name}.md").write_text(run(bench) + "\n", encoding="utf-8")
    (ROOT / "bench" / "RESULTS.md").write_text(assemble() + "\n", encoding="utf-8")
    print(f"wrote {ROOT / 'bench' / 'RESULTS.md'}")
    shutil.rmtree(ROOT / "bench" / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
