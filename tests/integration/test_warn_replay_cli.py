"""``xietong warn propose|answer --now``: drills and replays of past episodes act at a time of their own.

Without ``--now`` a deadline in the past is refused (the consultation's rule); with it, the deadline is checked
against the replay's clock and the events are dated by it, while the audit log keeps the real time.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import Engine
from xietong.air.domain import AirScope
from xietong.cli import app
from xietong.enums import Scope
from xietong.exchange import admin, audit
from xietong.exchange.bootstrap import operator
from xietong.store.clock import utcnow
from xietong.store.session import Store

pytestmark = pytest.mark.integration

PROPOSE = ["warn", "propose", "--city", "北京", "--level", "red", "--from", "2016-12-16", "--to", "2016-12-21",
           "--deadline", "2016-12-14T18:00+08:00", "--reason", "replay written for this test", "--json"]  # fmt: skip


def test_a_replay_acts_at_its_own_time_and_the_audit_log_at_the_real_one(engine: Engine, store: Store) -> None:
    runner = CliRunner()
    before = utcnow()
    refused = runner.invoke(app, PROPOSE, env=engine.env)
    assert refused.exit_code == 2 and "the answer deadline is in the past" in refused.stderr
    made = runner.invoke(app, [*PROPOSE, "--now", "2016-12-14T10:00+08:00"], env=engine.env)
    assert made.exit_code == 0, made.stderr
    warning = json.loads(made.stdout)
    assert warning["status"] == "proposed" and warning["events"][0]["at"].startswith("2016-12-14 02:00")  # 10:00 CST
    op = operator(store)
    admin.create_principal(store, op, "beijing-eeb", "110000")
    token = admin.issue_token(store, op, "beijing-eeb", frozenset({AirScope.WARN, Scope.READ})).token
    answer = ["warn", "answer", str(warning["id"]), "--city", "北京", "--answer", "accept", "--token", token, "--json"]
    late = runner.invoke(app, [*answer, "--now", "2016-12-14T19:00+08:00"], env=engine.env)
    assert late.exit_code == 2 and "deadline for answers" in late.stderr
    issued = runner.invoke(app, [*answer, "--now", "2016-12-14T12:00+08:00"], env=engine.env)
    assert issued.exit_code == 0, issued.stderr
    view = json.loads(issued.stdout)
    assert view["status"] == "issued" and view["cities"][0]["level"] == "red"
    assert {e["kind"] for e in view["events"]} == {"proposed", "answered", "issued"}
    assert all(e["at"].startswith("2016-12-14") for e in view["events"])
    with store.read() as conn:
        entries = [e for e in audit.entries(conn, limit=10_000) if e.action.startswith("warning.")]
    assert entries and all(e.at >= before for e in entries)  # the audit log is never backdated
