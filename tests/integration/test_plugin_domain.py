"""A domain installed from outside ``src/`` plugs in through the contract alone (issue 10).

``tests/plugin_domain`` holds ``xietong_tiny``, a distribution written for this test whose entry point joins
the ``xietong.domains`` group. With that folder on ``PYTHONPATH`` (all a pip install does for entry points),
``xietong`` migrates its table on an existing store, seeds it, and serves its command, route, indicator,
scope, event and page — with no line of ``src/xietong`` knowing about it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Engine
from xietong import domains

pytestmark = pytest.mark.integration
PLUGIN = Path(__file__).parents[1] / "plugin_domain"

_API_CHECK = """
import json
from fastapi.testclient import TestClient
from xietong.api.app import create_app
from xietong.config import Settings
client = TestClient(create_app(Settings.from_env(), start_dispatcher=False))
out = {
    "notes": client.get("/api/v1/tiny/notes").json(),
    "domains": [d["name"] for d in client.get("/api/v1/domains").json()["domains"]],
    "events": sorted(client.get("/api/v1/domains").json()["events"]),
    "index_has_page": "/static/domains/tiny/tiny.js" in client.get("/").text,
    "script": client.get("/static/domains/tiny/tiny.js").status_code,
    "indicator": client.get("/api/v1/indicators/tiny.notes").json()["value"],
}
print(json.dumps(out))
"""


def _xietong(engine: Engine, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **engine.env, "PYTHONPATH": str(PLUGIN), "XIETONG_ANONYMOUS_READ": "1"}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "xietong", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_tiny_domain_is_not_part_of_the_package() -> None:
    assert "tiny" not in {d.name for d in domains.installed()}
    assert not list(Path(domains.__file__).parent.rglob("*tiny*"))


def test_a_domain_from_tests_plugs_in_without_editing_src(engine: Engine) -> None:
    upgrade = _xietong(engine, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "tiny_0001" in upgrade.stdout and "tiny notes added 1" in upgrade.stdout

    again = _xietong(engine, "db", "upgrade")
    assert "tiny notes added 0" in again.stdout  # seeds are idempotent

    hello = _xietong(engine, "tiny", "hello")
    assert hello.returncode == 0 and hello.stdout.startswith("tiny: seeded by "), hello.stderr

    scopes = _xietong(engine, "token", "scopes", "--json")
    assert "publish:tiny" in {row["scope"] for row in json.loads(scopes.stdout)}

    served = _xietong(engine, code=_API_CHECK)
    assert served.returncode == 0, served.stderr
    out = json.loads(served.stdout.strip().splitlines()[-1])
    assert out["notes"] == [hello.stdout.removeprefix("tiny: ").strip()]
    assert out["domains"][-1] == "tiny" and "tiny.note.added" in out["events"]
    assert out["index_has_page"] and out["script"] == 200
    assert out["indicator"] == 1.0
