"""Layouts and authors the first rules had not seen (issue 12): regulations, single-author plans,
"First, …" paragraphs, unnumbered and garbled headings, Chinese legal drafting.

Every text in this module is written for the test (short made-up snippets in the style of real documents);
the real texts are scored against their gold files by scripts/evaluate_agreements.py.
"""

from __future__ import annotations

from xietong.agreements import classify_area, from_text
from xietong.agreements.importer import title_authors
from xietong.agreements.model import Area, Strength
from xietong.agreements.parse import candidates, has_commitment_cue, is_narrative, layout

BJ, TJ, HE, SJZ = "110000", "120000", "130000", "130100"


def _tasks(text: str) -> list[str]:
    return [text[c.span[0] : c.span[1]] for c in candidates(layout(text))]


REGULATION = (
    "北京市推进京津冀示范卡规定\n\n"
    "第一条 为了推进示范卡服务管理，根据国家有关规定，结合本市实际，制定本规定。\n\n"
    "第二条 本规定所称示范卡，是指在三地通用的社会保障卡。\n\n"
    "示范卡包括实体卡和电子卡。\n\n"
    "第三条 本市与天津市、河北省共同编制示范卡应用清单。\n\n"
    "清单应当包括应用事项、应用场所等内容。\n\n"
    "第四条 市人民政府应当加强对示范卡工作的统筹，建立工作机制。\n\n"
    "第五条 持卡人可以凭示范卡在三地乘坐公共交通工具。\n\n"
    "第六条 有关部门积极推动增加示范卡的应用功能。\n\n"
    "人力资源和社会保障部门应当公开申领条件。\n\n"
    "第七条 本市与天津市、河北省依托政务服务平台，推进数据对接；共同制定示范卡技术标准。\n\n"
    "第八条 违反本规定的，由有关部门责令改正；情节严重的，依法追究法律责任。\n\n"
    "第九条 本规定自公布之日起施行。\n"
)


def test_regulation_duties_are_tasks_and_definitions_rights_penalties_are_not() -> None:
    assert _tasks(REGULATION) == [
        "本市与天津市、河北省共同编制示范卡应用清单。",
        "市人民政府应当加强对示范卡工作的统筹，建立工作机制。",
        "有关部门积极推动增加示范卡的应用功能。",  # a later paragraph of an article belongs to it
        "人力资源和社会保障部门应当公开申领条件。",
        "本市与天津市、河北省依托政务服务平台，推进数据对接",
        "共同制定示范卡技术标准。",
    ]


def test_a_city_regulation_is_led_by_its_author_unless_another_jurisdiction_acts() -> None:
    a = from_text(REGULATION)
    assert [p.code for p in a.parties] == [BJ]
    leads = {t.text: t.lead for t in a.tasks}
    assert leads["市人民政府应当加强对示范卡工作的统筹，建立工作机制。"] == (BJ,)
    assert leads["人力资源和社会保障部门应当公开申领条件。"] == (BJ,)
    assert set(leads["本市与天津市、河北省共同编制示范卡应用清单。"]) == {BJ, TJ, HE}
    # a clause after a semicolon without its own subject shares its sentence's subject
    assert set(leads["共同制定示范卡技术标准。"]) == {BJ, TJ, HE}


def test_the_opening_adverbial_is_skipped_before_the_governing_verb() -> None:
    a = from_text(REGULATION)
    strength = {t.text: t.strength for t in a.tasks}
    assert strength["本市与天津市、河北省依托政务服务平台，推进数据对接"] is Strength.ADVANCE
    assert strength["共同制定示范卡技术标准。"] is Strength.ESTABLISH


def test_title_authors_are_the_jurisdictions_that_open_the_title() -> None:
    assert title_authors("北京市推进京津冀社会保障卡一卡通规定") == [BJ]
    assert title_authors("天津市人民政府 河北省人民政府关于加强合作的框架协议") == [TJ, HE]
    assert title_authors("Shijiazhuang Action Plan for Integrating into Jing-Jin-Ji") == [SJZ]
    assert title_authors("Implementation Plan of Shijiazhuang Municipality on Integration") == [SJZ]
    # the region's own name is the subject matter, not an author
    assert title_authors("京津冀三地生态环境联防联治工作方案") == []
    assert title_authors("Beijing-Tianjin-Hebei integration cooperation agreement") == []


MT_PLAN = (
    "Shijiazhuang Plan for Integrating into the Coordinated Development of Beijing-Tianjin-Hebei\n\n"
    "I. Ecology\n\n"
    "First, restoring rivers. Promoting the ecological restoration of the Hutuo River. Building wetland parks "
    "along the river banks. In recent years, the river has been dry for months.\n\n"
    "Second, greening the city. The city will plant 5,000 mu of forest around the ring road.\n\n"
    "Verb (abbreviation of verb)\n\n"
    "First, medical care. Carrying out telemedicine with hospitals in Beijing. "
    "Improving the hospitals is the key of the plan.\n\n"
    "VI. Mechanism\n\n"
    "Establish a leading group for the integration work.\n"
)


def test_first_second_paragraphs_make_each_sentence_with_an_action_a_task() -> None:
    assert _tasks(MT_PLAN) == [
        "Promoting the ecological restoration of the Hutuo River.",  # a gerund for the imperative
        "Building wetland parks along the river banks.",
        "The city will plant 5,000 mu of forest around the ring road.",
        "Carrying out telemedicine with hospitals in Beijing.",
        "Establish a leading group for the integration work.",
    ]


def test_a_garbled_part_title_between_numbered_parts_is_a_heading_of_its_own() -> None:
    lay = layout(MT_PLAN)
    assert [s.heading for s in lay.sections] == ["Ecology", "Verb (abbreviation of verb)", "Mechanism"]
    a = from_text(MT_PLAN)
    telemedicine = next(t for t in a.tasks if "telemedicine" in t.text)
    assert telemedicine.section == "Verb (abbreviation of verb)"
    assert telemedicine.area is Area.PUBLIC_SERVICES
    assert {t.lead for t in a.tasks} == {(SJZ,)}  # the city's own plan: no task led by the three


def test_a_preface_before_numbered_chapters_is_read_and_its_principles_are_not_tasks() -> None:
    text = (
        "序言\n"
        "党的十八大以来，三地协同发展取得显著成效。\n"
        "三地联合编制了本规划。\n"
        "本规划坚持以人为本，是区域规划的深化。坚持系统观念，凝聚三地合力。强化规划实施机制，维护规划权威。\n"
        "第一章 总则\n"
        "本规划适用于三地。\n"
    )
    lay = layout(text)
    assert lay.title == ""  # 序言 names a part, not the document
    assert [(s.heading, s.has_tasks) for s in lay.sections] == [("序言", True), ("总则", False)]
    assert _tasks(text) == ["强化规划实施机制，维护规划权威。"]


def test_chinese_modals_are_not_read_inside_other_words() -> None:
    assert not has_commitment_cue("区域合作的重要意义和主要内容")  # 要 in 重要, 主要
    assert not has_commitment_cue("社会保障卡的应用场景和应急处置")  # 应 in 应用, 应急
    assert has_commitment_cue("两地应当共享监测数据")
    assert has_commitment_cue("双方要加快推进项目建设")


def test_drafting_formulas_are_never_tasks() -> None:
    for clause in (
        "为了规范管理，制定本办法。",
        "本条例所称协同，是指三地共同行动。",
        "持卡人可以在三地就医。",
        "本方案自印发之日起施行。",
        "坚持生态优先，绿色发展。",
        "These Regulations are formulated to promote cooperation.",
        "Cardholders may use the card in the three places.",
        "These Provisions shall come into force on 1 January 2025.",
    ):
        assert is_narrative(clause, strong_only=True), clause
    assert not is_narrative("两地应当共享监测数据", strong_only=True)
    assert not is_narrative("The two cities shall share monitoring data.", strong_only=True)


def test_a_jurisdiction_that_only_qualifies_a_noun_is_not_the_actor() -> None:
    a = from_text("北京市推进示范卡规定\n\n第一条 京津冀示范卡应用场所应当提供无障碍设施。\n")
    assert a.tasks[0].lead == (BJ,)


def test_the_title_decides_the_area_when_the_task_names_none() -> None:
    assert classify_area("用卡场景主管部门应当做好运营维护工作。", title="北京市社会保障卡规定") is Area.PUBLIC_SERVICES
    assert classify_area("用卡场景主管部门应当做好运营维护工作。") is Area.MECHANISM


def test_a_clause_after_omitted_text_does_not_share_the_subject_before_it() -> None:
    text = (
        "Beijing-Tianjin cooperation agreement\n"
        "Port cooperation\n"
        "Deepen port cooperation. Beijing supports Tianjin to build a port; * * * Strive for more flights.\n"
    )
    a = from_text(text)
    flights = next(t for t in a.tasks if "flights" in t.text)
    assert set(flights.lead) == {BJ, TJ}


def test_a_sentence_announcing_the_areas_of_the_next_paragraphs_is_no_task() -> None:
    text = (
        "津冀签署示范合作备忘录\n\n"
        "双方将在协同编制交通规划、深化港口合作等方面作出努力。\n\n"
        "在港口合作方面，津冀港口利用各自航线优势，开展货物中转联运。\n"
    )
    assert _tasks(text) == ["在港口合作方面，津冀港口利用各自航线优势，开展货物中转联运。"]
    assert set(from_text(text).tasks[0].lead) == {TJ, HE}  # the ports of both act


def test_a_part_title_cut_from_its_text_is_no_task_when_its_siblings_have_titles() -> None:
    text = (
        "Tianjin takes action on coordinated development\n\n"
        "First, pushing forward the port. The plan focuses on building a container hub.\n\n"
        "Second, pushing forward the parks. The plan seeks to strengthen the science parks.\n\n"
        "Third, pushing forward the deepening of the infrastructure integration.\n"
    )
    a = from_text(text)
    assert [t.text for t in a.tasks] == [
        "The plan focuses on building a container hub.",
        "The plan seeks to strengthen the science parks.",
    ]
    # "The plan focuses on …": "plan" is the noun of the subject, "focuses" the governing verb
    assert [t.strength for t in a.tasks] == [Strength.ADVANCE, Strength.EXPLORE]
    assert {t.lead for t in a.tasks} == {(TJ,)}


def test_a_comment_line_is_a_note_about_the_file_not_its_text() -> None:
    text = "<!-- Written for this test. -->\n北京市示范规定\n\n第一条 市人民政府应当建立工作机制。\n"
    a = from_text(text)
    assert a.title == "北京市示范规定"
    assert [t.text for t in a.tasks] == ["市人民政府应当建立工作机制。"]
