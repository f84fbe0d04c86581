"""The evaluation against the committed gold files, and its matching rule."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from xietong import region
from xietong.agreements import Area, Strength, evaluate, load_gold
from xietong.agreements.evaluate import match
from xietong.errors import InputError

GOLD_DIR = Path(__file__).resolve().parents[2] / "data" / "agreements"
GOLD_FILES = sorted(GOLD_DIR.glob("*_gold.json"))
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


def test_script_prints_a_row_per_document_and_says_why_an_external_text_is_skipped(tmp_path: Path) -> None:
    # tmp_path stands for a checkout without ../shared: the committed texts are scored, the others skipped
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate_agreements.py"), "--json", "--shared", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    scored = [r for r in rows if "f1" in r]
    assert {r["document"] for r in scored} >= {"beijing_tianjin_cooperation_agreement.txt"}
    assert all(r["f1"] >= 0.9 for r in scored)
    skipped = [r for r in rows if "skipped" in r]
    assert len(skipped) == len(list((GOLD_DIR / "external").glob("*_gold.json")))
    assert all(str(tmp_path) in r["skipped"] for r in skipped)


def test_gold_file_without_tasks_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x_gold.json"
    path.write_text(json.dumps({"document": "doc.txt"}), encoding="utf-8")
    with pytest.raises(InputError, match="gold file lacks required keys"):
        load_gold(path)


def _offset_gold(tmp_path: Path, text: str, span: list[int], sha1: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.txt").write_text(text, encoding="utf-8")
    gold = {"document": "report.txt", "parties": [], "tasks": [
        {"span": span, "sha1": sha1, "area": "transport", "lead": [], "partners": [], "strength": "establish"}
    ]}  # fmt: skip
    path = tmp_path / "report_gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    return path


def test_gold_by_offsets_reads_the_document_from_a_documents_folder(tmp_path: Path) -> None:
    text = "Title\nBuild a port.\n"
    sha1 = hashlib.sha1(b"Build a port.", usedforsecurity=False).hexdigest()[:12]
    path = _offset_gold(tmp_path, text, [6, 19], sha1)
    gold, _ = load_gold(path, documents=[tmp_path / "docs"])
    assert [t.text for t in gold.tasks] == ["Build a port."]


def test_gold_by_offsets_must_fit_the_text_that_was_labelled(tmp_path: Path) -> None:
    path = _offset_gold(tmp_path, "Title\nBuild a dock.\n", [6, 19], "0123456789ab")
    with pytest.raises(InputError, match="gold task span does not fit the document"):
        load_gold(path, documents=[tmp_path / "docs"])


def test_gold_whose_document_is_absent_says_where_it_looked(tmp_path: Path) -> None:
    path = _offset_gold(tmp_path, "Title\n", [0, 5], "0123456789ab")
    with pytest.raises(InputError, match="document of a gold file is not here") as info:
        load_gold(path)
    assert "shared" in (info.value.problem.hint or "")


@pytest.mark.parametrize("gold", sorted((GOLD_DIR / "external").glob("*_gold.json")), ids=lambda p: p.stem)
def test_external_gold_files_hold_allowed_labels(gold: Path) -> None:
    """The labels of texts kept outside the repository are checked here; their scores are measured by
    scripts/evaluate_agreements.py, which reads the texts from ../shared."""
    raw = json.loads(gold.read_text(encoding="utf-8"))
    assert raw["document"] and len(raw["document_sha256"]) == 64 and raw["tasks"]
    for task in raw["tasks"]:
        assert ("text" in task) != ("span" in task)
        assert Area(task["area"]) and Strength(task["strength"])
        assert all(region.get(code) for code in [*task["lead"], *task["partners"]])
