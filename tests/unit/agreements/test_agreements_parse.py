"""Structure reading: layouts, enumerations, measures, task detection (English and Chinese)."""

from __future__ import annotations

from xietong.agreements.parse import candidates, has_commitment_cue, is_lead, is_narrative, layout
from xietong.agreements.text import clauses, detect_language, sentences, trim


def _tasks(text: str) -> list[str]:
    lay = layout(text)
    return [text[c.span[0] : c.span[1]] for c in candidates(lay)]


def test_sentences_and_clauses_keep_offsets_and_drop_omission_marks() -> None:
    text = "Promote the water environment. * * * Implement the system; Study the fund. Tel. 0311 is no break."
    spans = sentences(text, (0, len(text)))
    assert [text[a:b] for a, b in spans] == [
        "Promote the water environment.",
        "Implement the system; Study the fund.",
        "Tel. 0311 is no break.",
    ]
    parts = clauses(text, spans[1])
    assert [text[a:b] for a, b in parts] == ["Implement the system", "Study the fund."]
    assert trim("  * * * x * * * ; ", (0, 18)) == (8, 9)


def test_chinese_sentences_split_at_full_stops_not_commas() -> None:
    text = "加快津石高速公路建设。双方共同推进，力争2019年贯通。河北省负责；天津市给予支持。"
    got = [text[a:b] for a, b in sentences(text, (0, len(text)))]
    assert got == ["加快津石高速公路建设。", "双方共同推进，力争2019年贯通。", "河北省负责；天津市给予支持。"]
    assert detect_language(text).value == "zh"


def test_unmarked_text_infers_headings_from_short_lines() -> None:
    text = (
        "Beijing-Tianjin cooperation agreement\n"
        "Transport cooperation\n"
        "Improve the railway network. Build the intercity line between the two cities. "
        "Beijing supports Tianjin to build a freight hub.\n"
        "Cooperation to deepen port cooperation.\n"
        "Deepen port logistics cooperation. Tianjin will optimize the port service level.\n"
    )
    lay = layout(text)
    assert lay.title == "Beijing-Tianjin cooperation agreement"
    assert [s.heading for s in lay.sections] == ["Transport cooperation", "Cooperation to deepen port cooperation"]
    assert _tasks(text) == [
        "Build the intercity line between the two cities.",
        "Beijing supports Tianjin to build a freight hub.",
        "Tianjin will optimize the port service level.",
    ]
    measures = {lay.text[p.measure[0] : p.measure[1]] for p in lay.paragraphs if p.measure}
    assert measures == {"Improve the railway network.", "Deepen port logistics cooperation."}


def test_chinese_outline_levels_principles_and_final_provisions() -> None:
    text = (
        "北京市人民政府 天津市人民政府\n关于加强合作的框架协议\n\n"
        "甲方：北京市人民政府\n乙方：天津市人民政府\n\n"
        "为推动协同发展，双方达成如下协议。\n"
        "一、基本原则\n坚持优势互补、互利共赢。\n"
        "二、合作内容\n（一）交通\n1. 加快城际铁路建设。双方共同推进城际铁路建设；探索建立运营协调机制。\n"
        "2. 推动公交线路延伸。\n（二）生态\n1. 建立大气污染联防联控机制。\n"
        "三、附则\n本协议自签字之日起生效。\n"
    )
    lay = layout(text)
    assert lay.title == "北京市人民政府 天津市人民政府关于加强合作的框架协议"
    assert lay.fields["甲方"] == ["北京市人民政府"]
    assert [(s.number, s.heading, s.has_tasks) for s in lay.sections] == [
        ("1", "基本原则", False),
        ("2", "合作内容", True),
        ("2.1", "交通", True),
        ("2.2", "生态", True),
        ("3", "附则", False),
    ]
    assert _tasks(text) == [
        "双方共同推进城际铁路建设",
        "探索建立运营协调机制。",
        "推动公交线路延伸。",
        "建立大气污染联防联控机制。",
    ]


def test_markdown_headings_bullets_numbers_and_ordinals() -> None:
    text = (
        "# City plan\n\nIssued by: Shijiazhuang Municipal People's Government\n\n"
        "## Background\n\nThe city has grown fast. It will grow further.\n\n"
        "## Tasks\n\n"
        "First, complete the intercity railway. The city will finish land acquisition\n"
        "along the line by June.\n\n"
        "- Share air-quality data with Beijing.\n"
        "* Explore emission-rights trading.\n\n"
        "1. Set up a technology-transfer centre.\n"
        "2. Promote the biomedicine industry.\n\n"
        "Focus on two things: first, develop solar power; second, build charging stations.\n"
    )
    lay = layout(text)
    assert lay.title == "City plan"
    assert [s.heading for s in lay.sections if not s.has_tasks] == ["Background"]
    assert _tasks(text) == [
        "The city will finish land acquisition\nalong the line by June.",
        "Share air-quality data with Beijing.",
        "Explore emission-rights trading.",
        "Set up a technology-transfer centre.",
        "Promote the biomedicine industry.",
        "Focus on two things: first, develop solar power",
        "second, build charging stations.",
    ]


def test_english_articles_and_lettered_items() -> None:
    text = (
        "Memorandum of understanding between Beijing and Hebei\n\n"
        "Article 1 Transport\n\n(a) The parties will open three bus routes.\n\n"
        "(b) Hebei will study a new intercity line.\n\n"
        "Article 2 Final provisions\n\nThis memorandum enters into force on signature.\n"
    )
    assert _tasks(text) == ["The parties will open three bus routes.", "Hebei will study a new intercity line."]


def test_free_paragraphs_need_a_commitment_and_no_narrative() -> None:
    text = (
        "Overview\n"
        "Bilateral agreements\n"
        'For a long time, the industrial structure has been isomorphic. "Integration is key," Hu said. '
        "According to the memorandum, Beijing and Tianjin will jointly build the second line. "
        "Liu said that the ports compete.\n"
    )
    assert _tasks(text) == ["According to the memorandum, Beijing and Tianjin will jointly build the second line."]


def test_cue_lead_and_narrative_predicates() -> None:
    assert is_lead("Promote the improvement of water environment.")
    assert is_lead("First, complete the intercity railway.")
    assert not is_lead("The three places will also establish a long-term mechanism.")
    assert is_lead("加强跨界河流水环境治理。")
    assert not is_lead("双方共享空气质量监测数据。")
    assert has_commitment_cue("The two cities set up a working group.")
    assert has_commitment_cue("Establish a data sharing mechanism.")
    assert not has_commitment_cue("The industrial cooperation between Tianjin and Hebei focuses on upgrading.")
    assert is_narrative("Bao Jingling, chief engineer, said that the problems are serious.")
    assert is_narrative("专家表示，协同发展很重要。")
    assert not is_narrative("Establish a data sharing mechanism.")


def test_hard_wrapped_paragraphs_are_joined_but_short_lines_are_not() -> None:
    text = (
        "Cooperation plan\n\n1. Transport\n\n"
        "The two sides will build the intercity railway between the two cities and\n"
        "open new bus routes across the border before the end of the year.\n\n"
        "Study a second expressway.\n"
        "Explore a shared ticket.\n"
    )
    assert _tasks(text) == [
        "The two sides will build the intercity railway between the two cities and\n"
        "open new bus routes across the border before the end of the year.",
        "Study a second expressway.",
        "Explore a shared ticket.",
    ]


def test_items_with_deeper_items_become_headings() -> None:
    text = (
        "关于推进协同发展的实施方案\n一、重点任务\n1. 加快交通一体化。\n（1）建设石雄城际铁路。\n"
        "（2）研究开通石家庄至天津的直达列车。\n2. 推进生态共建\n（1）建立大气污染联防联控机制。\n"
    )
    lay = layout(text)
    assert [(s.number, s.heading) for s in lay.sections] == [
        ("1", "重点任务"),
        ("1.1", "加快交通一体化"),
        ("1.2", "推进生态共建"),
    ]
    assert _tasks(text) == ["建设石雄城际铁路。", "研究开通石家庄至天津的直达列车。", "建立大气污染联防联控机制。"]


def test_roman_and_capital_letter_outline() -> None:
    text = "Joint work plan\n\nI. Transport\n\nA. Rail\n\n1. Build the intercity line.\n\nII. Environment\n\n"
    text += "1. Share air-quality data.\n"
    lay = layout(text)
    assert [(s.number, s.heading) for s in lay.sections] == [("1", "Transport"), ("1.1", "Rail"), ("2", "Environment")]
    assert _tasks(text) == ["Build the intercity line.", "Share air-quality data."]
