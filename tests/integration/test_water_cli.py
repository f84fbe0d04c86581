"""``xietong water``: classify a CNEMC file (the acceptance interface) and the North Canal scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, Engine
from xietong.cli import app

pytestmark = pytest.mark.integration
CNEMC = DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv"
CNEMC_FEB = DATA / "water" / "cnemc_surface_water_haihe_2026-02.csv"


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**engine.env, "COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_classify_json_and_mismatch_report(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "mismatches.md"
    code, out, _ = xietong(engine, "water", "classify", str(CNEMC), "--json", "--report", str(report))
    assert code == 0
    result = json.loads(out)
    assert (result["compared"], result["agreeing"]) == (569, 569) and result["agreement"] == 1.0
    row = result["rows"][0]
    assert {"section", "time", "published_class", "computed_class", "deciding_items"} <= set(row)
    assert {"partial", "missing_items"} <= set(row)
    assert [r["missing_items"] for r in result["rows"] if r["partial"]] == [["ph"]]
    text = report.read_text("utf-8")
    assert "agreement: 100.00 %" in text and "## Partial rows" in text
    monkeypatch.chdir(tmp_path)  # without --report the report is written to the current directory
    code, out, _ = xietong(engine, "water", "classify", str(CNEMC))
    assert code == 0 and "569 of 569 compared rows (100.00 %)" in out
    default = tmp_path / "cnemc_surface_water_haihe_2025-11-mismatches.md"
    assert f"mismatch report written to {default.name}" in out and "## Disagreements" in default.read_text("utf-8")


def test_classify_compares_partial_rows(engine: Engine, tmp_path: Path) -> None:
    code, out, _ = xietong(engine, "water", "classify", str(CNEMC_FEB), "--json", "--no-report")
    assert code == 0
    result = json.loads(out)
    assert (result["compared"], result["agreeing"], result["partial_compared"]) == (124, 124, 29)
    code, out, _ = xietong(engine, "water", "classify", str(CNEMC_FEB), "--report", str(tmp_path / "r.md"))
    assert "124 of 124 compared rows (100.00 %), 29 of them partial (29 agreeing); 3 row(s) not compared" in out


def test_north_canal_scenario_from_the_cli(engine: Engine) -> None:
    for name, j in (("langfang-water", "廊坊"), ("tianjin-water", "天津")):
        assert xietong(engine, "principal", "create", name, "--jurisdiction", j)[0] == 0
    tokens = {}
    for name in ("langfang-water", "tianjin-water"):
        code, out, _ = xietong(engine, "token", "create", name, "-s", "read", "-s", "publish:water", "--json")
        tokens[name] = json.loads(out)["token"]
    code, out, err = xietong(
        engine, "water", "incident", "open", "--token", tokens["langfang-water"], "--section", "HE11",
        "--at", "2025-11-18T08:00+08:00", "--pollutant", "氨氮", "--amount", "2.5", "--unit", "t", "--json",
    )  # fmt: skip
    assert code == 0, err
    opened = json.loads(out)
    assert [(d["section"], d["eta"]) for d in opened["downstream"][:2]] == [
        ("TJ03", "2025-11-19T04:50:00+08:00"),
        ("TJ04", "2025-11-24T02:53:20+08:00"),
    ]
    iid = str(opened["id"])
    code, out, err = xietong(engine, "water", "incident", "ack", iid, "--token", tokens["tianjin-water"])
    assert code == 0 and "tianjin-water" in out, err
    code, _, err = xietong(engine, "water", "incident", "ack", iid, "--token", tokens["langfang-water"])
    assert code == 2 and "may not acknowledge" in err
    args = ["--section", "TJ03", "--items", "nh3n codmn", "--every-h", "2", "--token", tokens["tianjin-water"]]
    assert xietong(engine, "water", "incident", "plan", iid, *args)[0] == 0
    code, out, _ = xietong(
        engine, "water", "incident", "close", iid, "--report", "back to class IV", "--token", tokens["langfang-water"]
    )
    assert code == 0 and "[closed]" in out
    code, out, _ = xietong(engine, "audit", "list", "--json", "--limit", "1000")
    water = [(e["action"], e["outcome"], e["actor"]) for e in json.loads(out) if e["action"].startswith("water.i")]
    assert water == [
        ("water.incident.open", "ok", "langfang-water"),
        ("water.incident.acknowledge", "ok", "tianjin-water"),
        ("water.incident.acknowledge", "denied", "langfang-water"),
        ("water.incident.plan", "ok", "tianjin-water"),
        ("water.incident.close", "ok", "langfang-water"),
    ]
    assert xietong(engine, "audit", "verify")[0] == 0


def test_sections_links_ingest_downstream(engine: Engine) -> None:
    code, out, _ = xietong(engine, "water", "sections", "--river", "北运河", "--json")
    assert code == 0 and {s["code"] for s in json.loads(out)} == {"HE11", "TJ03", "TJ04"}
    code, out, _ = xietong(engine, "water", "links", "--section", "HE11", "--json")
    assert code == 0 and {(lk["from_section"], lk["to_section"]) for lk in json.loads(out)} >= {("HE11", "TJ03")}
    code, out, _ = xietong(engine, "water", "ingest", str(CNEMC), "--json")
    assert code == 0 and json.loads(out)["files"][0]["written"] > 0
    code, out, _ = xietong(engine, "water", "ingest", str(CNEMC), "--json")
    assert code == 0 and json.loads(out)["files"][0]["written"] == 0
    code, out, _ = xietong(engine, "water", "downstream", "HE11", "--json")
    assert code == 0 and [d["section"] for d in json.loads(out)] == ["TJ03", "TJ04", "TJ05", "TJ11"]
