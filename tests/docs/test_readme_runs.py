"""The README and docs run as written: every shell example, on a fresh data directory.

Each document's examples run in order in one ``bash`` session (variables and the data directory carry from
one example to the next, as in a reader's terminal), from a scratch directory that links the repository's
top-level entries (so ``tests/data/…`` and ``scenarios/…`` resolve and files the examples write land in the
scratch directory), with ``.venv/bin`` first on ``PATH``, ``COLUMNS=200`` and no ``XIETONG_*`` variable of the
caller; ``xietong`` runs in a fork server that imported the CLI once (:mod:`tests.docs.forkserver`). Every command must exit with the code it documents (0 unless its comment says ``exit N``), and
every stable line of the output the document shows must appear, in order, in what the commands printed.
Blocks marked ``<!-- not-runnable: reason -->`` are listed with their reason and not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.forkserver import write_shim
from tests.docs.shell_examples import ROOT, Example, documents, examples, missing_lines

DOCUMENTS = [(p, examples(p)) for p in documents()]
RUNNABLE = [(p, ex) for p, ex in DOCUMENTS if any(e.not_runnable is None for e in ex)]
#: a document's examples together may take this long
TIMEOUT_S = 900


def _scratch(tmp: Path) -> Path:
    work = tmp / "work"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {".git", ".xietong-demo"}:
            (work / entry.name).symlink_to(entry)
    return work


def _script(runnable: list[Example], out: Path) -> str:
    lines = ["cd " + shlex.quote(str(out.parent / "work"))]
    k = 0
    for example in runnable:
        for command in example.commands:
            lines += [
                "{ " + command.text,
                f'}} >"{out}/{k}.out" 2>"{out}/{k}.err" </dev/null; __rc=$?; echo $__rc >"{out}/{k}.rc"',
            ]
            k += 1
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory with a ``xietong`` that runs each command in a fork server (:mod:`tests.docs.forkserver`):
    the CLI is imported once instead of once per command."""
    where = tmp_path_factory.mktemp("shim")
    sock = where / "xietong.sock"
    env = {**os.environ, "COLUMNS": "200"}  # consoles made at import take the width of the examples' terminal
    server = subprocess.Popen([sys.executable, "-m", "tests.docs.forkserver", str(sock)], cwd=ROOT, env=env)
    try:
        for _ in range(600):
            if sock.exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        assert sock.exists(), "the fork server did not start"
        write_shim(where, sock)
        yield where
    finally:
        server.terminate()
        server.wait(timeout=30)


def _env(tmp: Path, shims: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
    env.update(
        PATH=f"{shims}:{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        XIETONG_DATA_DIR=str(tmp / "data"),
        TMPDIR=str(tmp / "tmp"),
        COLUMNS="200",
        HOME=str(tmp),
    )
    (tmp / "tmp").mkdir()
    return env


def test_every_shell_example_is_runnable_or_says_why_not() -> None:
    """No shell example is skipped silently: a skipped block carries its reason."""
    seen = [e for _, ex in DOCUMENTS for e in ex]
    assert len(seen) > 20, "the parser found almost no shell examples"
    for example in seen:
        assert example.commands, f"{example.name}: a shell block without a command"
        assert example.not_runnable is None or len(example.not_runnable) > 10, f"{example.name}: give the reason"


def test_runnable_examples_write_nowhere_but_the_scratch_and_temporary_directories() -> None:
    """The test runs the examples on this machine: an absolute path (other than /dev/null) in a runnable example
    would write outside its scratch directory. Use a relative path or $(mktemp -d) in a runnable example."""
    outside = [
        f"{example.name}: {command.text}"
        for _, found in DOCUMENTS
        for example in found
        if example.not_runnable is None
        for command in example.commands
        if re.search(r"(?:^|[\s=\"'])/(?!dev/null)\w", command.text.split("#")[0])
    ]
    assert outside == []


@pytest.mark.slow
@pytest.mark.parametrize(("path", "found"), RUNNABLE, ids=[str(p.relative_to(ROOT)) for p, _ in RUNNABLE])
def test_the_examples_run_as_written(path: Path, found: list[Example], tmp_path: Path, shim_dir: Path) -> None:
    runnable = [e for e in found if e.not_runnable is None]
    out = tmp_path / "out"
    out.mkdir()
    _scratch(tmp_path)
    started = time.monotonic()
    subprocess.run(
        ["bash", "-c", _script(runnable, out)],
        env=_env(tmp_path, shim_dir),
        timeout=TIMEOUT_S,
        check=True,
        cwd=tmp_path,
    )
    elapsed = time.monotonic() - started
    failures: list[str] = []  # every command runs (as in a terminal), and every failure is reported
    k = 0
    for example in runnable:
        printed_block = []
        for command in example.commands:
            printed = (out / f"{k}.out").read_text(errors="replace") + (out / f"{k}.err").read_text(errors="replace")
            rc = int((out / f"{k}.rc").read_text())
            if rc != command.expected_exit:
                failures.append(
                    f"{path.name} line {command.line}: `{command.text}` exited {rc}, "
                    f"expected {command.expected_exit}; it printed:\n{printed[-1500:]}"
                )
            if missing := missing_lines(command.shown, printed):
                failures.append(f"{path.name} line {command.line}: shown but not printed: {missing}\n{printed[-1500:]}")
            printed_block.append(printed)
            k += 1
        if missing := missing_lines(example.shown, "\n".join(printed_block)):
            failures.append(f"{example.name}: shown output not printed:\n" + "\n".join(missing))
    print(f"{path.name}: {k} commands in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
