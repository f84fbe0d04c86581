"""The evaluation against the committed gold files, and its matching rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xietong.agreements import evaluate, load_gold
from xietong.agreements.evaluate import match
from xietong.errors import InputError

GOLD_FILES = sorted((Path(__file__).resolve().parents[2] / "data" / "agreements").glob("*_gold.json"))
ROOT = Path(__file__).resolve().parents[3]


def test_there_are_gold_files_for_the_sample_and_other_layouts() -> None:
    names = {p.name for p in GOLD_FILES}
    assert "beijing_tianjin_gold.json" in names
    assert len(names) >= 3


@pytest.mark.parametrize("gold", GOLD_FILES, ids=lambda p: p.stem)
def test_targets_on_every_gold_file(gold: Path) -> None:
    score = evaluate(gold)
    assert score.gold > 0
    assert score.f1 >= 0.9, score.errors
    assert score.area_accuracy >= 0.85, score.errors
    assert score.parties_correct


def test_match_is_one_to_one_by_overlap() -> None:
    predicted = [(0, 10), (10, 20), (50, 60)]
    gold = [(0, 12), (11, 20), (40, 45)]
    assert match(predicted, gold) == [(0, 0), (1, 1)]
    assert match([(0, 100)], [(0, 10), (10, 20)]) == []


def test_gold_text_must_be_in_the_document(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Title\nEstablish a mechanism.\n", encoding="utf-8")
    gold = {"document": "doc.txt", "parties": [], "tasks": [
        {"text": "Build a port.", "area": "transport", "lead": [], "partners": [], "strength": "establish"}
    ]}  # fmt: skip
    path = tmp_path / "doc_gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(InputError, match="gold task text not found in the document") as info:
        load_gold(path)
    assert info.value.problem.where.row == 1


def test_script_prints_a_row_per_document() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate_agreements.py"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["document"] for r in rows} >= {"beijing_tianjin_cooperation_agreement.txt"}
    assert all(r["f1"] >= 0.9 for r in rows)


def test_gold_file_without_tasks_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x_gold.json"
    path.write_text(json.dumps({"document": "doc.txt"}), encoding="utf-8")
    with pytest.raises(InputError, match="gold file lacks required keys"):
        load_gold(path)
