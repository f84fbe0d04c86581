"""``xietong serve --workers N``: several worker processes serve the same store, and their cached answers agree."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Engine
from tests.faults.servers import free_port

pytestmark = pytest.mark.integration


def _get(port: int, path: str) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection: any worker may answer
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("ETag") or ""
    finally:
        conn.close()


def test_two_workers_serve_the_same_answers(engine: Engine, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    args = [sys.executable, "-m", "xietong", "serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "2", "--anonymous-read", "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env={**os.environ, **engine.env}, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if _get(port, "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        for path in ("/api/v1/region/jurisdictions", "/api/v1/air/stations"):
            answers = {_get(port, path) for _ in range(12)}
            assert len(answers) == 1, path  # every worker answers the same body and ETag
            status, body, etag = answers.pop()
            assert status == 200 and body and etag
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert "Traceback" not in log.read_text(errors="replace")
