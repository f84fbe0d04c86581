"""`warn forecasts ingest` and `warn enterprises import` refuse a missing, empty, binary or GBK file with exit
code 2 and a message naming the file and what was expected — never a traceback (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xietong.cli import app

ROOT = Path(__file__).parents[3]
SAMPLES = {
    "forecasts": ROOT / "demo/data/forecasts_beijing_2016-12_illustrative.csv",
    "enterprises": ROOT / "demo/data/enterprises_illustrative.csv",
}
COMMANDS = {"forecasts": ["warn", "forecasts", "ingest"], "enterprises": ["warn", "enterprises", "import"]}


def _bad_file(tmp_path: Path, kind: str, case: str) -> Path:
    path = tmp_path / f"{kind}_{case}.csv"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif case == "gbk":
        path.write_bytes(SAMPLES[kind].read_text(encoding="utf-8").encode("gbk", errors="replace"))
    return path  # "missing": never written


@pytest.mark.parametrize("kind", ["forecasts", "enterprises"])
@pytest.mark.parametrize(("case", "says"), [("missing", "not found"), ("empty", "empty"), ("binary", "not text"),
                                            ("gbk", "GB18030")])  # fmt: skip
def test_a_bad_file_exits_2_with_a_clear_message(tmp_path: Path, kind: str, case: str, says: str) -> None:
    path = _bad_file(tmp_path, kind, case)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), *COMMANDS[kind], str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert path.name in result.output and says in result.output and "Traceback" not in result.output
