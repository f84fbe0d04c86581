"""The held-out area scorer counts right, refuses bad items clearly, and the committed set is well formed.

None of these tests asserts the accuracy of the current rules on the held-out set (that number is
recorded, with its command, in tests/data/agreements/heldout_areas/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xietong.agreements.heldout import AreaItem, parse_area_items, predict_area, score_areas
from xietong.agreements.model import Area
from xietong.errors import InputError

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = ROOT / "tests" / "data" / "agreements" / "heldout_areas" / "beijing_regulations_jjj_articles.jsonl"


def _records() -> list[dict[str, object]]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def _item(ident: str, gold: Area, *, in_table: bool = True) -> AreaItem:
    # written for the test: the texts are placeholders, the classifier below reads only the id
    return AreaItem(id=ident, title="t", chapter="", text=f"text {ident}", gold=gold, field_in_table=in_table)


def test_the_score_counts_the_items_whose_prediction_equals_the_gold_area() -> None:
    items = [
        _item("a", Area.TRANSPORT),
        _item("b", Area.MECHANISM, in_table=False),
        _item("c", Area.MECHANISM),
    ]
    predicted = {"a": Area.TRANSPORT, "b": Area.PLANNING, "c": Area.MECHANISM}
    result = score_areas(items, lambda item: predicted[item.id])
    assert (result.correct, result.total) == (2, 3)
    assert result.accuracy == pytest.approx(2 / 3)
    assert [r.item.id for r in result.errors] == ["b"]
    assert result.errors[0].predicted is Area.PLANNING
    assert result.in_table == (2, 2)
    assert result.per_area() == {Area.TRANSPORT: (1, 1), Area.MECHANISM: (1, 2)}


def test_an_empty_set_scores_zero_items_not_a_division_error() -> None:
    result = score_areas([], lambda item: Area.TRANSPORT)
    assert (result.correct, result.total, result.accuracy) == (0, 0, 0.0)


def test_records_become_items_and_extra_fields_are_ignored() -> None:
    records = [
        {"id": "x1", "title": "T", "chapter": "第一章 总则", "text": "文本", "gold_area": "planning", "reason": "r"},
        {"id": "x2", "title": "T", "text": "文本", "gold_area": "energy", "field_in_table": False},
    ]
    one, two = parse_area_items(records, source="mem")
    assert (one.chapter, one.gold, one.field_in_table) == ("第一章 总则", Area.PLANNING, True)
    assert (two.chapter, two.gold, two.field_in_table) == ("", Area.ENERGY, False)


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([{"id": "x", "title": "T", "text": "文本", "gold_area": "roads"}], "gold_area"),
        ([{"id": "x", "title": "T", "text": " ", "gold_area": "energy"}], "text"),
        ([{"id": "x", "title": "T", "text": "a", "gold_area": "energy"}] * 2, "id"),
    ],
    ids=["unknown area", "empty text", "id twice"],
)
def test_a_bad_record_is_refused_with_its_row_and_field(records: list[dict[str, object]], field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_area_items(records, source="items.jsonl")
    where = err.value.problem.where
    assert where is not None
    assert (where.source, where.field) == ("items.jsonl", field)
    assert where.row == len(records)


def test_every_committed_item_is_verbatim_from_its_article_and_carries_its_source() -> None:
    records = _records()
    items = parse_area_items(records, source=str(HELDOUT))
    assert len(items) == len(records) > 0
    for record in records:
        assert str(record["text"]) in str(record["article_text"]), record["id"]
        assert len(str(record["source_commit"])) == 40
        assert str(record["source_path"]).startswith("DLC/北京地方法规/地方性法规/北京/")
        assert str(record["reason"]).strip()


def test_the_default_classifier_gives_every_committed_item_an_area() -> None:
    items = parse_area_items(_records(), source=str(HELDOUT))
    result = score_areas(items)
    assert [r.predicted for r in result.results] == [predict_area(i) for i in items]
    assert result.correct == sum(r.predicted is r.item.gold for r in result.results)


def test_the_script_prints_each_item_and_refuses_a_bad_file(tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "evaluate_agreements.py")
    out = subprocess.run(
        [sys.executable, script, "--heldout-areas", str(HELDOUT), "--json"], capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["id"] for line in lines[:-1]] == [r["id"] for r in _records()]
    assert lines[-1]["items"] == len(lines) - 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "T", "text": "a", "gold_area": "roads"}\n', encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, script, "--heldout-areas", str(bad)], check=False, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "gold_area" in refused.stderr
    assert "Traceback" not in refused.stderr
