"""Per-task extraction: area, lead and partners, bodies, projects, strength."""

from __future__ import annotations

import pytest

from xietong.agreements import Area, Strength, area_scores, bodies, classify_area, projects
from xietong.agreements.classify import actions, enumerations, lead_and_partners, strength

BJ, TJ, HE = "110000", "120000", "130000"
PARTIES = (BJ, TJ)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Establish a data sharing mechanism for air quality monitoring and pollution warnings.", Area.ECOLOGY_AIR),
        ("Establish a cross-border river water quality monitoring system.", Area.ECOLOGY_WATER),
        ("Strive to build the second Beijing-Tianjin high-speed rail line.", Area.TRANSPORT),
        ("Create a convenient customs clearance environment and extend the bonded port policy.", Area.PORTS_CUSTOMS),
        ("Build a unified credit information system and guard against financial risks.", Area.FINANCE),
        ("Establish a trading platform for tourism resources.", Area.TOURISM_EXHIBITIONS),
        ("Build a postdoctoral information exchange platform and recruit talents.", Area.TALENT),
        ("Explore cross-regional transfer of social security.", Area.PUBLIC_SERVICES),
        ("Set up a leading group to study major issues.", Area.MECHANISM),
        ("双方共享空气质量监测数据，联合开展重污染天气预警会商。", Area.ECOLOGY_AIR),
        ("推进张家口可再生能源示范区建设，扩大绿色电力输送规模。", Area.ENERGY),
        ("共建科技成果转化交易平台，开放共享重点实验室。", Area.INNOVATION),
        ("建立双方联席会议制度，每年召开一次会议。", Area.MECHANISM),
    ],
)
def test_area_from_vocabulary(text: str, area: Area) -> None:
    assert classify_area(text) is area


@pytest.mark.parametrize(
    ("text", "science_and_technology"),
    [
        ("promote technological innovation", True),
        ("build an innovation centre", True),
        ("enhance financial innovation", False),
        ("support financial-innovation pilots", False),
        ("deepen institutional innovation and service innovation", False),
        ("推动科技创新", True),
        ("推动金融创新", False),
        ("深化体制机制创新和服务创新", False),
    ],
)
def test_innovation_of_a_non_technological_field_is_not_innovation(text: str, science_and_technology: bool) -> None:
    # the innovation area is science and technology (labelling guide §3); "financial innovation" is finance's
    assert (Area.INNOVATION in area_scores(text)) is science_and_technology


def test_financial_innovation_is_finance() -> None:
    # the modifier keeps its own area: financial innovation belongs to finance (guide §3: financial products)
    assert set(area_scores("enhance financial innovation capacity")) == {Area.FINANCE}
    assert set(area_scores("推动金融创新")) == {Area.FINANCE}


def test_section_context_breaks_ties() -> None:
    text = "Promote the co-construction of information platforms."
    assert classify_area(text, sections=["Cooperation to deepen port cooperation"]) is Area.PORTS_CUSTOMS
    assert classify_area(text, sections=["Integrated transport network"]) is Area.TRANSPORT


# Sentences written for these tests (labelling guide §3 rules 1 and 2), not taken from any document.
SPREAD_TASK = (
    "Build the new cooperation zone, upgrade the science and technology laboratories of the district "
    "and open an innovation incubator."
)


def test_a_spread_task_takes_its_first_actions_area_when_the_measure_names_it_too() -> None:
    # rule 1 (the first action: a cooperation zone, industry) and rule 2 (the purpose the measure names) agree
    assert classify_area(SPREAD_TASK) is Area.INNOVATION  # most of the words are innovation's
    measure = "Undertake industrial transfer from the capital."
    assert classify_area(SPREAD_TASK, measure=measure) is Area.INDUSTRY
    zh = "共建产业合作园区，建设科技创新实验室，打造科技成果转化孵化器。"
    assert classify_area(zh) is Area.INNOVATION
    assert classify_area(zh, measure="承接产业转移。") is Area.INDUSTRY


def test_a_spread_task_whose_measure_names_another_area_is_weighed_as_a_whole() -> None:
    assert classify_area(SPREAD_TASK, measure="Improve the water quality of the river.") is Area.INNOVATION
    assert classify_area(SPREAD_TASK, measure="Make a good start.") is Area.INNOVATION


def test_a_task_of_one_area_keeps_it_under_a_measure_of_another() -> None:
    task = "Build science and technology laboratories and open an innovation incubator."
    assert classify_area(task, measure="Undertake industrial transfer from the capital.") is Area.INNOVATION


def test_an_enumeration_of_fields_details_the_object_and_weighs_less() -> None:
    # guide §3 rule 1: the main object leads; the fields listed after it (A、B、C等方面, "such as …") detail it
    # (sentences written for this test)
    zh = "本市推动完善京津冀旅游合作机制，在人才培养、人才交流、职称互认等方面加强合作。"
    assert enumerations(zh) == [(zh.index("在"), zh.index("等方面") + 1)]  # 在人才培养、…、职称互认等
    assert classify_area(zh) is Area.TOURISM_EXHIBITIONS
    en = "Deepen tourism cooperation in fields such as talent training, talent exchange and professional titles."
    assert classify_area(en) is Area.TOURISM_EXHIBITIONS
    assert (
        classify_area("Deepen cooperation in talent training, talent exchange and professional titles.") is Area.TALENT
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Build the zone, improving the parks, and planning to build a street.", 3),
        ("Strengthen scientific and financial cooperation, and promote innovation.", 2),
        ("Combined with the plan of the city, Beijing will build a zone.", 1),  # an opening adverbial
        ("Build ports; open routes.", 2),
        ("共建产业园区，推动科技成果转化；共享数据。", 3),
        ("共建产业园区,推动科技成果转化", 2),  # half-width commas, as some pages print them
        ("依托天津港，推进港口合作，共建物流园区。", 2),  # an opening adverbial (依托…，) is no action
        ("双方共享空气质量监测数据，联合开展预警会商。", 2),  # 联合 carries the verb 开展
    ],
)
def test_actions_are_the_clauses_that_open_with_a_verb(text: str, count: int) -> None:
    assert len(actions(text)) == count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Establish a data sharing mechanism.", Strength.ESTABLISH),
        ("Study and establish a medical resource sharing mechanism.", Strength.EXPLORE),
        ("Strive for the state to increase the protection of clean energy.", Strength.EXPLORE),
        ("Cooperate with relevant state departments to formulate the overall plan.", Strength.ESTABLISH),
        ("Take the lead in uniformly implementing the national five standards.", Strength.ESTABLISH),
        ("Overall consideration should be given to the layout of towns.", Strength.EXPLORE),
        ("Beijing will speed up the construction of the expressway.", Strength.ADVANCE),
        ("A new supervision mode will be implemented.", Strength.ESTABLISH),
        ("Apply to the state for scientific research projects.", Strength.EXPLORE),
        ("Do a good job in the preparation of relevant plans.", Strength.ESTABLISH),
        ("双方共同推进津石高速公路建设。", Strength.ADVANCE),
        ("研究设立津冀协同发展基金。", Strength.EXPLORE),
        ("双方发展改革部门牵头，建立日常联络机制。", Strength.ESTABLISH),
    ],
)
def test_strength_from_governing_verb(text: str, expected: Strength) -> None:
    assert strength(text) is expected


@pytest.mark.parametrize(
    ("text", "lead", "partners"),
    [
        ("Establish a data sharing mechanism in Beijing and Tianjin.", PARTIES, ()),
        ("Beijing will speed up the construction of the Beijing-Taiwan Expressway.", (BJ,), ()),
        ("Beijing supports Tianjin to build a regional freight hub.", (TJ,), (BJ,)),
        ("Tianjin supports Pinggu Land Port to expand its business scope.", (BJ,), (TJ,)),
        ("Support Tianjin Port Group to participate in the logistics base.", (TJ,), (BJ,)),
        ("The two sides and Hebei Province jointly studied the plan.", (BJ, TJ, HE), ()),
        ("Support Beijing to be included, and the two sides will work together with Hebei Province.", (BJ,), (TJ, HE)),
        ("Beijing-Tianjin-Hebei will set up an environmental protection cooperation group.", (BJ, TJ, HE), ()),
        ("Jin Ji proposed to promote regional financial integration.", (TJ, HE), ()),
        ("The service level of Beijing-Tianjin transportation will be improved.", PARTIES, ()),
        ('Connect the transport card with the national "Jing-Jin-Ji" interoperable card.', PARTIES, ()),
        ("Share hourly data with Beijing, Tianjin and the Hebei Department of Ecology.", PARTIES, (HE,)),
    ],
)
def test_lead_and_partners(text: str, lead: tuple[str, ...], partners: tuple[str, ...]) -> None:
    got_lead, got_partners = lead_and_partners(text, PARTIES)
    assert set(got_lead) == set(lead)
    assert set(got_partners) == set(partners)


def test_lead_and_partners_chinese() -> None:
    parties = (TJ, HE)
    assert lead_and_partners("河北省负责协调沿线征地拆迁工作，天津市给予必要支持。", parties) == ((HE,), (TJ,))
    assert lead_and_partners("天津市支持河北省沧州渤海新区建设生物医药产业园。", parties) == (("130900",), (TJ,))
    assert lead_and_partners("双方共享空气质量监测数据。", parties) == (parties, ())
    assert lead_and_partners("京津冀三地共同建立协调机制。", parties) == ((BJ, TJ, HE), ())


def test_bodies_named() -> None:
    text = (
        "Actively seek policy support from the Ministry of Finance, the State Administration of Taxation and the "
        "General Administration of Quality Supervision, Inspection and Quarantine, and cooperate with relevant "
        "state departments and the National Development and Reform Commission."
    )
    assert bodies(text) == (
        "Ministry of Finance",
        "State Taxation Administration",
        "General Administration of Quality Supervision, Inspection and Quarantine",
        "relevant state departments",
        "National Development and Reform Commission",
    )
    assert bodies("积极争取国家发展改革委和中国国家铁路集团有限公司支持，协调天津海关。") == (
        "国家发展改革委",
        "中国国家铁路集团有限公司",
        "天津海关",
    )


def test_projects_and_places_named() -> None:
    found = projects(
        "Promote the construction of Binhai-Zhongguancun Science Park and the Beijing-Tianjin High-speed Railway "
        "Second Line, and plan the second Beijing-Tianjin high-speed rail line and Tianjin Port."
    )
    assert "Binhai-Zhongguancun Science Park" in found
    assert "Beijing-Tianjin High-speed Railway Second Line" in found
    assert "second Beijing-Tianjin high-speed rail line" in found
    assert "Tianjin Port" in found
    zh = projects("双方共同推进津石高速公路建设，推动天津港与黄骅港错位发展。")
    assert zh[:3] == ("津石高速公路", "天津港", "黄骅港")
