"""``xietong agreements``: the interface the acceptance checks use, and the tracking commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, Actors, Engine
from xietong.cli import app

pytestmark = pytest.mark.integration
SAMPLE = DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"
FIRST = "t-7e29a9d15f"  # 1.1, planning, led by Beijing and Tianjin
FREIGHT_HUB = "t-85fb2ec5d6"  # 2.1, transport


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=engine.env | {"COLUMNS": "160"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_json_is_the_document_with_an_agreement_id(engine: Engine) -> None:
    code, out, _ = xietong(engine, "agreements", "import", str(SAMPLE), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["title"] == "Beijing-Tianjin-Hebei integration cooperation agreement"
    assert [p["code"] for p in doc["parties"]] == ["110000", "120000"]
    assert len(doc["tasks"]) == 93
    for task in doc["tasks"]:
        assert {"text", "area", "lead", "section"} <= set(task) and isinstance(task["lead"], list)
    assert (doc["agreement_id"], doc["revision"], doc["created"]) == (1, 1, True)
    code, out, _ = xietong(engine, "agreements", "import", str(SAMPLE), "--json")
    again = json.loads(out)
    assert (again["agreement_id"], again["unchanged"], again["counts"]["added"]) == (1, True, 0)
    code, out, _ = xietong(engine, "agreements", "import", str(SAMPLE))
    assert code == 0 and out.startswith(
        "agreement 1 (unchanged): Beijing-Tianjin-Hebei integration cooperation agreement"
    )


def test_progress_prints_tasks_by_area_with_lead_jurisdictions(engine: Engine) -> None:
    code, out, _ = xietong(engine, "agreements", "progress")
    assert (code, out.strip()) == (0, "no tasks yet: xietong agreements import FILE")
    assert xietong(engine, "agreements", "import", str(SAMPLE))[0] == 0
    code, out, _ = xietong(engine, "agreements", "update", "1", FIRST, "--progress", "50")
    assert code == 0
    code, out, _ = xietong(engine, "agreements", "progress")
    assert code == 0
    assert "transport 交通 — 14 task(s), 0.0 % (14 not started)" in out
    assert "planning 规划 — 4 task(s), 12.5 % (3 not started, 1 in progress)" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("2.2 "))
    assert "Tianjin (with Beijing)" in line and "not started" in line and "Beijing supports Tianjin" in line
    assert "all tasks: 0.5 % over 93 (92 not started, 1 in progress)" in out
    code, out, _ = xietong(engine, "agreements", "progress", "--by", "jurisdiction", "--summary")
    assert code == 0 and "Beijing 北京市" in out and "Hebei 河北省" in out
    code, out, _ = xietong(engine, "agreements", "progress", "--json")
    report = json.loads(out)
    assert report["by"] == "area" and report["total"]["tasks"] == 93
    assert [g["key"] for g in report["groups"]][:3] == ["transport", "ecology/air", "ecology/water"]
    assert report["tasks"][0]["lead_names"] == ["Beijing", "Tianjin"]
    code, out, _ = xietong(engine, "agreements", "progress", "--by", "section", "--agreement", "1")
    assert code == 0 and "Cooperate to build an interconnected modern transportation network system" in out


def test_update_history_list_show(engine: Engine, actors: Actors, tmp_path: Path) -> None:
    xietong(engine, "agreements", "import", str(SAMPLE))
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("joint meeting, 2026-05-01\n", encoding="utf-8")
    code, out, err = xietong(
        engine, "agreements", "update", "1", FREIGHT_HUB, "--status", "in_progress", "--progress", "30", "--due",
        "2026-12-31", "--milestone", "site chosen||done", "--milestone", "construction|2026-10-01",
        "--link", "https://example.org/hub", "--evidence-note", "land approved", "--file", str(minutes),
        "--note", "on track",
    )  # fmt: skip
    assert code == 0, err
    assert "in progress, 30.0 %, weight 1, due 2026-12-31" in out
    assert "milestone: [x] site chosen" in out and "milestone: [ ] construction (due 2026-10-01)" in out
    assert "evidence e1 (link)" in out and "evidence e3 (file): minutes.txt" in out
    code, out, _ = xietong(engine, "agreements", "history", "1", FREIGHT_HUB, "--json")
    versions = json.loads(out)
    assert [(v["version"], v["action"]) for v in versions] == [(1, "import"), (2, "update"), (3, "file")]
    code, out, _ = xietong(engine, "agreements", "list", "--json")
    [listed] = json.loads(out)
    assert listed["progress"]["counts"]["in_progress"] == 1
    code, out, _ = xietong(engine, "agreements", "show", "1")
    assert code == 0 and "progress 0.3 % over 93 tasks (92 not started, 1 in progress)" in out
    # errors: exit 2 with what was expected
    code, _, err = xietong(engine, "agreements", "update", "1", FREIGHT_HUB, "--progress", "150")
    assert code == 2 and "progress out of range; expected a number from 0 to 100 [%], given '150'" in err
    code, _, err = xietong(
        engine, "agreements", "update", "1", FREIGHT_HUB, "--progress", "10", "--token", actors.hebei
    )
    assert code == 2 and "may not update this task" in err
    code, _, err = xietong(engine, "agreements", "update", "1", "t-0000000000", "--progress", "10")
    assert code == 2 and "agreement 1 has no task 't-0000000000'" in err
    code, _, err = xietong(engine, "agreements", "import", str(tmp_path / "missing.txt"))
    assert code == 2 and "agreement file not found" in err


def test_csv_export_and_import(engine: Engine, tmp_path: Path) -> None:
    xietong(engine, "agreements", "import", str(SAMPLE))
    out_file = tmp_path / "tracking.csv"
    code, out, _ = xietong(engine, "agreements", "export", "-o", str(out_file))
    assert code == 0 and out.strip() == f"wrote 93 task(s) to {out_file}"
    code, out, _ = xietong(engine, "agreements", "import-tracking", str(out_file))
    assert (code, out.strip()) == (0, "rows 93, updated 0, unchanged 93")
    out_file.write_text(f"task,status,progress_pct,note\n{FIRST},done,,signed off\n", encoding="utf-8")
    code, out, _ = xietong(engine, "agreements", "import-tracking", str(out_file), "--agreement", "1", "--json")
    assert json.loads(out) == {"rows": 1, "updated": 1, "unchanged": 0}
    code, out, _ = xietong(engine, "agreements", "export")
    assert f"1,{FIRST},1.1,planning,110000 120000,done,100,,1,signed off," in out
    out_file.write_text(f"task,status\n{FIRST},finished\n", encoding="utf-8")
    code, _, err = xietong(engine, "agreements", "import-tracking", str(out_file), "--agreement", "1")
    assert code == 2 and "tracking.csv, row 2, field 'status'" in err


def test_bind_and_refresh_indicators(engine: Engine) -> None:
    xietong(engine, "agreements", "import", str(SAMPLE))
    code, out, err = xietong(
        engine, "agreements", "bind", "1", FIRST, "warnings.issued_through_consultation", "--target", "2",
        "--param", "from=2026-01-01",
    )  # fmt: skip
    assert code == 0, err
    assert (
        "indicator [1] warnings.issued_through_consultation {'from': '2026-01-01'}: — ≥ 2 warnings (no value yet)"
        in out
    )
    code, out, _ = xietong(engine, "agreements", "indicators", "refresh")
    assert (code, out.strip()) == (0, "warnings.issued_through_consultation {'from': '2026-01-01'}: 0")
    code, out, _ = xietong(engine, "agreements", "task", "1", FIRST)
    assert ": 0 ≥ 2 warnings (not met)" in out
    code, out, _ = xietong(engine, "agreements", "indicators", "list")
    assert "air.pm25_days_at_or_below [days] — Days with city PM2.5 at or below a limit; parameters: city*" in out
    code, out, _ = xietong(
        engine, "agreements", "indicators", "values", "warnings.issued_through_consultation", "-p", "from=2026-01-01",
        "--json",
    )  # fmt: skip
    assert [v["value"] for v in json.loads(out)] == [0.0]
    code, _, err = xietong(engine, "agreements", "bind", "1", FIRST, "air.pm25_days_at_or_below", "--target", "200")
    assert code == 2 and "needs the parameter 'city'" in err
    code, out, _ = xietong(engine, "agreements", "unbind", "1", FIRST, "1")
    assert code == 0 and "indicator [" not in out
