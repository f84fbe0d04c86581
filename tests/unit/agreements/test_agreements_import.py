"""import_agreement: sources (path, text, bytes, DOCX), metadata, the JSON document, errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest

import xietong.agreements as agreements
from xietong.agreements import FORMAT, Area, Strength, import_agreement, parse_date, task_id
from xietong.errors import InputError

BJ, TJ = "110000", "120000"


def test_public_api_is_deliberate() -> None:
    assert sorted(agreements.__all__) == sorted(
        [
            "FORMAT", "Agreement", "Area", "Classification", "DocumentScore", "Language", "Party", "Section",
            "SourceFormat", "Strength", "Task", "area_scores", "bodies", "classify", "classify_area", "evaluate",
            "from_text", "import_agreement", "load_gold", "parse_date", "projects", "read_source", "task_id",
        ]
    )  # fmt: skip


def test_sample_agreement_as_json(sample_path: Path) -> None:
    a = import_agreement(sample_path)
    doc = json.loads(json.dumps(a.as_dict(), ensure_ascii=False))
    assert doc["format"] == FORMAT
    assert doc["title"] == "Beijing-Tianjin-Hebei integration cooperation agreement"
    assert [p["code"] for p in doc["parties"]] == [BJ, TJ]
    assert doc["source"] == sample_path.name
    assert doc["language"] == "en"
    assert len(doc["tasks"]) >= 80
    required = {"id", "number", "text", "span", "section", "area", "lead", "lead_names", "partners", "strength"}
    for task in doc["tasks"]:
        assert required <= set(task)
        assert a.text[task["span"][0] : task["span"][1]] == task["text"]
        assert task["area"] in {x.value for x in Area}
        assert task["strength"] in {x.value for x in Strength}
        assert task["lead"]
        assert all(code.isdigit() and len(code) == 6 for code in task["lead"])
    ids = [t["id"] for t in doc["tasks"]]
    assert len(set(ids)) == len(ids)
    hsr = next(t for t in doc["tasks"] if "second Beijing-Tianjin high-speed rail line" in t["text"])
    assert hsr["area"] == "transport"
    assert hsr["strength"] == "explore"
    assert "second Beijing-Tianjin high-speed rail line" in hsr["projects"]
    assert (
        hsr["measure"] == "Strive to promote the construction of the second line of Beijing-Tianjin high-speed railway."
    )
    hub = next(t for t in doc["tasks"] if t["text"] == "Beijing supports Tianjin to build a regional freight hub.")
    assert (hub["lead"], hub["lead_names"], hub["partners"]) == ([TJ], ["Tianjin"], [BJ])


def test_same_result_from_path_str_text_and_bytes(sample_path: Path) -> None:
    from_path = import_agreement(sample_path).as_dict()
    text = sample_path.read_text(encoding="utf-8")
    assert import_agreement(str(sample_path)).as_dict() == from_path
    from_text = import_agreement(text).as_dict()
    from_bytes = import_agreement(sample_path.read_bytes()).as_dict()
    assert from_text["tasks"] == from_bytes["tasks"] == from_path["tasks"]
    assert from_text["source"] is None


def test_task_ids_are_stable_across_layout_changes() -> None:
    a = import_agreement("Title line here\nEnergy\nPromote clean energy. Build a gas pipeline. Study a grid link.\n")
    b = import_agreement("# Title line here\n\n## Energy\n\n- Build a gas pipeline.\n- Study a grid link.\n")
    assert [t.id for t in a.tasks] == [t.id for t in b.tasks]
    assert task_id("Build  a gas * * * pipeline.") == task_id("build a gas pipeline.")


def test_dates_in_both_languages() -> None:
    assert parse_date("签订日期：2014年8月6日") == dt.date(2014, 8, 6)
    assert parse_date("二〇一四年八月十八日") == dt.date(2014, 8, 18)
    assert parse_date("Date: 15 March 2024") == dt.date(2024, 3, 15)
    assert parse_date("signed on August 6, 2014 in Beijing") == dt.date(2014, 8, 6)
    assert parse_date("the 20 14 APEC meeting, by 2020") is None


def test_chinese_agreement_metadata(data_dir: Path) -> None:
    a = import_agreement(data_dir / "tianjin_hebei_framework_agreement_zh.txt")
    assert a.title == "天津市人民政府 河北省人民政府关于进一步加强津冀协同发展的合作框架协议"
    assert [p.code for p in a.parties] == [TJ, "130000"]
    assert a.date == dt.date(2014, 8, 18)
    assert a.language.value == "zh"
    first = a.tasks[0]
    assert first.section == "交通基础设施互联互通"
    assert first.section_path == ("重点合作领域", "交通基础设施互联互通")
    assert first.measure == "加快津石高速公路建设。"
    assert first.projects[0] == "津石高速公路"


def test_markdown_plan_metadata(data_dir: Path) -> None:
    a = import_agreement(data_dir / "shijiazhuang_action_plan.md")
    assert [p.code for p in a.parties] == ["130100"]
    assert a.date == dt.date(2024, 3, 15)
    assert a.tasks[0].bodies == ("China State Railway Group",)


def test_docx_headings_and_lists(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Beijing–Hebei transport memorandum", level=0)
    document.add_paragraph("Parties: Beijing Municipal People's Government; Hebei Provincial People's Government")
    document.add_heading("Rail", level=1)
    document.add_paragraph("The two sides will jointly build the Beijing–Xiong'an intercity railway.")
    document.add_paragraph("Study a second line to Zhangjiakou.", style="List Bullet")
    document.add_heading("Background", level=1)
    document.add_paragraph("The region will grow.")
    path = tmp_path / "memo.docx"
    document.save(str(path))
    a = import_agreement(path)
    assert a.title == "Beijing–Hebei transport memorandum"
    assert [p.code for p in a.parties] == [BJ, "130000"]
    assert [t.text for t in a.tasks] == [
        "The two sides will jointly build the Beijing–Xiong'an intercity railway.",
        "Study a second line to Zhangjiakou.",
    ]
    assert a.tasks[0].lead == (BJ, "130000")
    assert a.tasks[1].strength is Strength.EXPLORE
    assert import_agreement(path.read_bytes()).as_dict()["tasks"] == a.as_dict()["tasks"]


def test_errors_say_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"agreement file not found; expected a path to a \.txt, \.md or \.docx file"):
        import_agreement(tmp_path / "missing.txt")
    # a folder of agreements given instead of one of them is named as a folder, not as a missing file
    with pytest.raises(InputError, match="the agreement file is a directory"):
        import_agreement(tmp_path)
    empty = tmp_path / "empty.md"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty agreement"):
        import_agreement(empty)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="not a readable DOCX file") as info:
        import_agreement(bad)
    assert info.value.problem.where.source == "bad.docx"
    assert info.value.problem.hint
    with pytest.raises(ValueError, match="DOCX given as text"):
        import_agreement("some\ntext", format="docx")
