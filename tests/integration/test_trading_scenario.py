"""The worked cross-jurisdiction scenario of issue 15, from the command line, on SQLite and PostgreSQL.

Hebei issues forestry carbon-sink offsets to a Chengde account; a Beijing operator buys 6,000; the transfer
is accepted by the operator and approved by both sides (Hebei's and Beijing's rules name an approver); the
operator surrenders 5,000 offsets, Beijing's cap of 5 % of its 100,000-unit allocation, and one unit more
is refused with the rule named. The same commands are in README.md ("Emission trading").

Quantities, account names, the enterprise and the verifier are written for the test; the rules are the
shipped rules files (their rows are tagged unconfirmed and used, as by default). The compliance year is the
current one, so the surrender is before Beijing's deadline (15 June of the next year) whenever the test runs.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import Engine
from xietong.cli import app

pytestmark = pytest.mark.integration
YEAR = date.today().year
OFFSET = f"HB-FOREST-CHENGDE-{YEAR}"
BEA = f"BEA-{YEAR}"
ENTERPRISE_CSV = (  # written for the test
    "name,city,industry,grade,so2_t_per_day,nox_t_per_day,pm_t_per_day,vocs_t_per_day\n"
    "Example heat plant,北京,heat supply,B,0.1,0.2,0.01,0.02\n"
)


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**engine.env, "COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(engine: Engine, *args: str) -> str:
    code, out, err = xietong(engine, *args)
    assert code == 0, f"{args}: {err}"
    return out


def tokens(engine: Engine) -> dict[str, str]:
    """Hebei's registry (issues, approves), Chengde's forestry bureau, Beijing's registry, the operator."""
    people = {
        "hebei-registry": ("河北", ["read", "issue:trading", "approve:trading", "operate:trading"]),
        "chengde-forestry": ("承德", ["read", "operate:trading"]),
        "beijing-registry": (
            "北京",
            ["read", "issue:trading", "approve:trading", "publish:trading", "publish:enterprises"],
        ),
        "bj-heat-plant": ("北京", ["read", "operate:trading"]),
    }
    out = {}
    for name, (jurisdiction, scopes) in people.items():
        ok(engine, "principal", "create", name, "--jurisdiction", jurisdiction)
        args = [a for s in scopes for a in ("-s", s)]
        out[name] = json.loads(ok(engine, "token", "create", name, *args, "--json"))["token"]
    return out


def test_chengde_offsets_are_bought_approved_and_surrendered_within_beijings_cap(
    engine: Engine, tmp_path: Path
) -> None:
    t = tokens(engine)
    hb, cd, bj, op = (t[k] for k in ("hebei-registry", "chengde-forestry", "beijing-registry", "bj-heat-plant"))
    (tmp_path / "operator.csv").write_text(ENTERPRISE_CSV, "utf-8")
    ok(engine, "warn", "enterprises", "import", str(tmp_path / "operator.csv"), "--token", bj)
    ok(engine, "trading", "unit-type", "add", OFFSET, "--kind", "offset_credit", "--market", "hebei_forestry",
       "--origin", "hebei-chengde", "--project-type", "forestry", "--vintage", str(YEAR), "-j", "河北", "--token", hb)  # fmt: skip
    ok(engine, "trading", "unit-type", "add", BEA, "--kind", "allowance", "--market", "beijing_pilot",
       "--standard", "BEA", "--origin", "beijing", "--vintage", str(YEAR), "-j", "北京", "--token", bj)  # fmt: skip
    ok(engine, "trading", "account", "open", "CD-FOREST-01", "--kind", "trading", "--name", "承德 forestry carbon sinks",
       "-j", "承德", "--token", cd)  # fmt: skip
    ok(engine, "trading", "account", "open", "BJ-OP-0001", "--kind", "operator_holding", "--name", "Example heat plant",
       "-j", "北京", "--market", "beijing_pilot", "--enterprise", "Example heat plant", "--token", op)  # fmt: skip

    out = ok(engine, "trading", "issue", "-u", OFFSET, "-q", "20000", "--to", "CD-FOREST-01", "--token", hb)
    assert "serials 1-20000" in out
    ok(engine, "trading", "issue", "-u", BEA, "-q", "200000", "--to", "GOV-110000", "--token", bj)
    ok(engine, "trading", "allocate", "-u", BEA, "-q", "100000", "--from", "GOV-110000", "--to", "BJ-OP-0001",
       "--year", str(YEAR), "--token", bj)  # fmt: skip

    # the operator buys 6,000: Chengde initiates, the operator accepts, Hebei and Beijing approve
    sent = json.loads(ok(engine, "trading", "transfer", "-u", OFFSET, "--from", "CD-FOREST-01", "--to", "BJ-OP-0001",
                         "-q", "6000", "--key", "cd-2026-001", "--token", cd, "--json"))  # fmt: skip
    assert sent["state"] == "initiated" and sent["serials"] == [[1, 6000]]
    assert [a["market"] for a in sent["required_approvals"]] == ["hebei_emission_rights", "beijing_pilot"]
    tid = str(sent["id"])
    code, _, err = xietong(engine, "trading", "accept", tid, "--token", cd)
    assert code == 2 and "may not accept" in err  # only the receiver's jurisdiction accepts
    assert "[awaiting_approval]" in ok(engine, "trading", "accept", tid, "--token", op)
    out = ok(engine, "trading", "approve", tid, "--token", hb)
    assert "[awaiting_approval]" in out and "approval given: hebei_emission_rights" in out
    code, _, err = xietong(engine, "trading", "approve", tid, "--token", hb)
    assert code == 2 and "no approval to give" in err
    assert "[completed]" in ok(engine, "trading", "approve", tid, "--token", bj)

    ok(engine, "trading", "emissions", "--account", "BJ-OP-0001", "--year", str(YEAR), "--verified-t", "104000",
       "--verifier", "Example verification body", "--verified-on", date.today().isoformat(), "--token", bj)  # fmt: skip
    out = ok(
        engine,
        "trading",
        "surrender",
        "BJ-OP-0001",
        "-u",
        OFFSET,
        "-q",
        "5000",
        "--year",
        str(YEAR),
        "--token",
        op,
        "--json",
    )
    surrendered = json.loads(out)
    assert surrendered["late"] is False and surrendered["detail"]["caps"][0]["left"] == 0
    code, _, err = xietong(
        engine, "trading", "surrender", "BJ-OP-0001", "-u", OFFSET, "-q", "1", "--year", str(YEAR), "--token", op
    )
    assert code == 2
    assert "surrender refused by the rule 'offsets cap" in err and "at most 0 more units" in err
    ok(engine, "trading", "surrender", "BJ-OP-0001", "-u", BEA, "-q", "99000", "--year", str(YEAR), "--token", op)

    years = json.loads(ok(engine, "trading", "compliance", "--account", "BJ-OP-0001", "--json"))
    assert [(y["year"], y["code"], y["owed_t"], y["provisional"]) for y in years] == [(YEAR, "A", 0.0, True)]
    holdings = {
        h["unit_type"]: h for h in json.loads(ok(engine, "trading", "holdings", "--account", "BJ-OP-0001", "--json"))
    }
    assert (holdings[OFFSET]["held"], holdings[OFFSET]["surrendered"]) == (1000, 5000)
    assert (holdings[BEA]["held"], holdings[BEA]["surrendered"]) == (1000, 99000)
    trace = json.loads(ok(engine, "trading", "trace", OFFSET, "1", "--json"))
    assert [(r["kind"], r["to_account"], r["state"]) for r in trace] == [
        ("issue", "CD-FOREST-01", "held"),
        ("transfer", "BJ-OP-0001", "held"),
        ("surrender", "BJ-OP-0001", "surrendered"),
    ]
    assert "registry sound" in ok(engine, "trading", "check")
    assert ok(engine, "audit", "verify")
