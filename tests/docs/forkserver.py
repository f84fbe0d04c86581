"""Run ``xietong`` commands fast in the README test: one process imports :mod:`xietong.cli` once and forks a
child per command.

Importing the CLI takes seconds (pandas, SQLAlchemy, Numba …), and the README and docs hold well over a
hundred commands. The test puts a ``xietong`` shim first on ``PATH`` (:func:`write_shim`); the shim sends its
arguments, working directory, environment and its standard streams (as file descriptors) to this server over
a Unix socket; the server forks, the child becomes the command (same streams, directory and environment,
``xietong.cli.main`` with those arguments) and reports its exit code. The command runs the same code as the
installed entry point (``xietong = "xietong.cli:main"``); only the interpreter start-up is shared.

Run as ``python -m tests.docs.forkserver SOCKET``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

SHIM = """#!{python} -S
# written by tests/docs/forkserver.py for the README test: runs `xietong` in the test's fork server
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect({socket!r})
request = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}).encode()
socket.send_fds(s, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
answer = b""
while chunk := s.recv(64):
    answer += chunk
sys.exit(int(answer or b"1"))
"""


def write_shim(directory: Path, socket_path: Path) -> Path:
    """An executable ``xietong`` in ``directory`` that runs its command in the server at ``socket_path``."""
    shim = directory / "xietong"
    shim.write_text(SHIM.format(python=sys.executable, socket=str(socket_path)), encoding="utf-8")
    shim.chmod(0o755)
    return shim


def _receive(conn: socket.socket) -> tuple[dict[str, object], list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    size = int.from_bytes(data[:8], "big")
    body = data[8:]
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            break
        body += more
    return json.loads(body), fds


def _child(conn: socket.socket, request: dict[str, object], fds: list[int]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the command may wait for its own subprocesses
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own streams, for its lifetime
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
    sys.argv = ["xietong", *[str(a) for a in request["argv"]]]  # type: ignore[attr-defined]
    sys.modules["__main__"].__spec__ = None  # click names the program after argv[0], not `python -m …`
    from xietong.cli import main

    code = 1
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        conn.sendall(str(code).encode())
        os._exit(code)


def serve(socket_path: Path) -> None:
    import xietong.cli  # noqa: F401 - the import the children share

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))
    server.listen(8)
    while True:
        conn, _ = server.accept()
        request, fds = _receive(conn)
        if os.fork() == 0:
            server.close()
            _child(conn, request, fds)
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
