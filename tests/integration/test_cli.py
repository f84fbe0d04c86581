"""The ``xietong`` command: the interface the acceptance checks use, exit codes, audit verification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.conftest import DATA, Engine
from xietong.cli import app
from xietong.store.session import Store
from xietong.store.tables import audit_log

pytestmark = pytest.mark.integration
UCI = sorted((DATA / "air" / "uci").glob("*.csv"))


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(app, list(args), env=engine.env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_region_list_json(engine: Engine) -> None:
    code, out, _ = xietong(engine, "region", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 15
    assert {"code", "name_zh", "name_en"} <= set(rows[0])
    assert [r["code"] for r in rows if r["name_en"] == "Xiong'an New Area"] == ["133100"]


def test_ingest_json_summary_twice_and_revised(engine: Engine, tmp_path: Path) -> None:
    code, out, _ = xietong(engine, "air", "ingest", *map(str, UCI), "--json")
    assert code == 0
    first = json.loads(out)
    assert first["written"] == first["read"] > 0
    code, out, _ = xietong(engine, "air", "ingest", *map(str, UCI), "--json")
    second = json.loads(out)
    assert (second["written"], second["revised"], second["rejected"]) == (0, 0, 0)
    assert second["unchanged"] == first["read"]
    copy = tmp_path / UCI[0].name
    lines = UCI[0].read_text().splitlines()
    cells = lines[10].split(",")
    cells[6] = str(float(cells[6]) + 1)  # PM10 of one hour
    lines[10] = ",".join(cells)
    copy.write_text("\n".join(lines) + "\n")
    code, out, _ = xietong(engine, "air", "ingest", str(copy), "--format", "uci", "--json")
    assert code == 0
    third = json.loads(out)
    assert (third["written"], third["revised"]) == (1, 1)


def test_bad_input_exits_2_with_file_row_field(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("station,time,pollutant,value,unit\n1001A,2016-12-16T08:00+08:00,NO2,-4,µg/m³\n", encoding="utf-8")
    code, _, err = xietong(engine, "air", "ingest", str(bad))
    assert code == 2
    assert "negative NO2" in err
    assert "bad.csv, row 2, field 'NO2'" in err
    assert "nothing was written" in err
    code, _, err = xietong(engine, "air", "ingest", str(tmp_path / "missing.csv"))
    assert code == 2 and "input file not found" in err
    # a directory is named as one (it was reported as "no such file", which sends users looking for a typo)
    for command in (("air", "ingest"), ("water", "ingest")):
        code, _, err = xietong(engine, *command, str(tmp_path))
        assert code == 2 and "is a directory" in err and "no such file" not in err, err


def test_unknown_format_is_explained(engine: Engine, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n")
    code, _, err = xietong(engine, "air", "ingest", str(odd))
    assert code == 2
    assert "cannot tell the format" in err and "--format" in err


def test_audit_verify_names_the_edited_row(engine: Engine) -> None:
    xietong(engine, "air", "ingest", *map(str, UCI))
    code, out, _ = xietong(engine, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]
    store = Store(engine.settings)
    with store.write() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 2).values(actor="someone-else"))
    store.dispose()
    code, out, err = xietong(engine, "audit", "verify")
    assert code == 1
    assert "BROKEN at entry 2" in err
    code, out, _ = xietong(engine, "audit", "verify", "--json")
    assert json.loads(out)["first_bad_seq"] == 2


def test_audit_verify_detects_a_deleted_row(engine: Engine) -> None:
    xietong(engine, "air", "ingest", *map(str, UCI))
    store = Store(engine.settings)
    with store.write() as conn:
        last = conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar_one()
        conn.execute(audit_log.delete().where(audit_log.c.seq == last - 1))
    store.dispose()
    code, out, _ = xietong(engine, "audit", "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_bad_seq"] == last - 1


def test_tokens_are_shown_once_and_scoped(engine: Engine) -> None:
    assert xietong(engine, "principal", "create", "tj", "--jurisdiction", "天津")[0] == 0
    code, out, _ = xietong(engine, "token", "create", "tj", "--scope", "read", "--scope", "publish:air", "--json")
    assert code == 0
    issued = json.loads(out)
    assert issued["token"].startswith("xt_") and issued["scopes"] == ["publish:air", "read"]
    code, out, _ = xietong(engine, "token", "list", "--json")
    listed = json.loads(out)
    assert issued["token"] not in out
    assert [t["token_id"] for t in listed] == [issued["token_id"]]
    code, _, err = xietong(engine, "token", "create", "tj", "--scope", "write")
    assert code == 2 and "unknown scope" in err
    # acting with the Tianjin token on a Beijing station is refused
    code, _, err = xietong(engine, "air", "ingest", str(UCI[0]), "--token", issued["token"])
    assert code == 2
    assert "may not publish for station" in err


def test_observations_csv_in_china_standard_time(engine: Engine) -> None:
    xietong(engine, "air", "ingest", *map(str, UCI))
    code, out, _ = xietong(
        engine, "air", "observations", "--station", "1002A", "--from", "2016-12-16", "--to", "2016-12-16"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("station,time,")
    assert len(lines) == 1 + 24
    assert lines[1].split(",")[1] == "2016-12-16T01:00:00+08:00"
    assert lines[-1].split(",")[1] == "2016-12-17T00:00:00+08:00"


def test_data_dir_option_and_variable_are_honoured(tmp_path: Path) -> None:
    """The embedded store lives where --data-dir (or XIETONG_DATA_DIR) says."""
    runner = CliRunner()
    by_option = tmp_path / "by-option"
    result = runner.invoke(
        app, ["--data-dir", str(by_option), "air", "ingest", str(UCI[0]), "--json"], env={"XIETONG_DATABASE_URL": ""}
    )
    assert result.exit_code == 0, result.stderr
    assert (by_option / "xietong.db").exists()
    by_env = tmp_path / "by-env"
    result = runner.invoke(app, ["region", "list"], env={"XIETONG_DATA_DIR": str(by_env), "XIETONG_DATABASE_URL": ""})
    assert result.exit_code == 0
    result = runner.invoke(
        app, ["db", "status", "--json"], env={"XIETONG_DATA_DIR": str(by_env), "XIETONG_DATABASE_URL": ""}
    )
    assert str(by_env) in json.loads(result.stdout)["database"]
    shutil.rmtree(tmp_path)
