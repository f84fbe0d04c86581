"""Word lists the rules read: area vocabularies, commitment verbs, narrative cues, drafting formulas, state
bodies and places.

The lists hold general vocabulary of regional cooperation documents, plans and regulations (English and
Chinese): policy terms, verbs, the formulas of Chinese legal drafting, the names of state bodies and a
gazetteer of places. They hold no phrase of one document: phrases that had been lifted from the sample
agreement ("we can find", "for a long time", "it happened", "same map", "one ticket", "APEC", "looking at",
"Second Line", "planning space") were removed in issue 12 or replaced by the general class they stand for
(verbs of finding or showing with a that-clause; sentence-initial time adverbials of background; ordinal
line names). Each area term has a weight: specific multi-word terms weigh more than generic words. English
terms are regular expressions matched case-insensitively on word boundaries; Chinese area terms are regular
expressions matched anywhere (all but 创新 are plain words); the other Chinese lists hold plain substrings
(Chinese patterns, where noted, are regular expressions).
"""

from __future__ import annotations

from xietong.agreements.model import Area, Strength

# --------------------------------------------------------------------------------------------- areas
#: fields whose innovation is not science and technology: financial innovation (金融创新), institutional and
#: system innovation (制度创新, 体制机制创新), policy, management and service innovation (政策创新, 管理创新,
#: 服务创新). The innovation area is science and technology innovation (labelling guide §3, the table), so
#: "innovation"/创新 right after one of these modifiers scores nothing; the modifier scores its own area where
#: it has one (financial → finance, policy innovation → trade and investment, mechanism → mechanism).
NON_TECH_INNOVATION_EN = (
    "financial", "policy", "institutional", "system", "mechanism", "management", "service", "governance",
)  # fmt: skip
NON_TECH_INNOVATION_ZH = ("金融", "制度", "体制", "机制", "管理", "服务", "政策", "模式")
_INNOVATION_EN = "".join(rf"(?<!{w}\s)(?<!{w}-)" for w in NON_TECH_INNOVATION_EN) + "innovation"
_INNOVATION_ZH = "".join(f"(?<!{w})" for w in NON_TECH_INNOVATION_ZH) + "创新"

# fmt: off
AREA_TERMS_EN: dict[Area, tuple[tuple[str, float], ...]] = {
    Area.TRANSPORT: (
        (r"rail(?:way|road)?s?", 1.5), (r"high-speed", 1.5), (r"inter-?city", 1.5), (r"HSR", 1.5),
        (r"expressways?", 1.5), (r"highways?", 1.5), (r"roads?", 0.7), (r"traffic", 1.0),
        (r"transport(?:ation)?", 1.0), (r"metro|subway", 1.2), (r"bus(?:es)?", 1.2), (r"passengers?", 0.8),
        (r"freight", 0.8), (r"airports?", 0.8), (r"flights?", 1.0), (r"routes?", 0.5), (r"waterways?", 1.0),
        (r"shipping", 0.5), (r"track", 0.8), (r"trains?", 1.0), (r"tickets?|ticketing", 1.0),
        (r"(?:traffic|transport|commuting) circles?", 2.0), (r"commut\w*", 1.2), (r"hubs?", 0.6),
        (r"connectivity", 0.6),
        (r"trunk highways?", 1.0),
    ),
    Area.ECOLOGY_AIR: (
        (r"air", 1.5), (r"air quality", 1.5), (r"air pollution", 1.5), (r"atmospher\w*", 1.5), (r"smog|haze", 1.5),
        (r"heavy pollution", 2.0), (r"PM2\.5|PM10", 1.5), (r"emissions?", 1.0), (r"emission-reduction", 1.0),
        (r"denitr\w*|desulfuri\w*|desulphuri\w*", 1.5), (r"volatile organic compounds?|VOCs?", 1.5),
        (r"coal-fired", 0.8), (r"boilers?", 0.8), (r"motor vehicles?", 1.2), (r"vehicle fuel|fuel standards?", 1.2),
        (r"yellow-label", 1.5), (r"new energy vehicles?", 0.8), (r"dust", 1.0), (r"sandstorms?", 1.0),
        (r"pollution sources?", 0.8), (r"pollution", 0.5), (r"early warning|warnings?", 0.8),
        (r"enforcement", 0.3),
    ),
    Area.ECOLOGY_WATER: (
        (r"water", 1.2), (r"rivers?", 1.2), (r"river basin|basins?", 1.5), (r"canals?", 1.2), (r"lakes?", 1.0),
        (r"wetlands?", 1.0), (r"sewage", 1.2), (r"water quality", 1.0), (r"water supply", 1.0),
        (r"water resources", 1.0), (r"South-to-North", 1.5), (r"water transfer", 1.0), (r"reservoirs?", 1.0),
        (r"water-pollution|water pollution", 1.0), (r"cross-border sections?", 1.0), (r"downstream|upstream", 0.6),
        (r"navigation", 0.5),
    ),
    Area.ECOLOGY_GENERAL: (
        (r"ecolog\w*|eco-\w+", 1.0), (r"environment(?:al)? protection", 1.0), (r"environment(?:al)?", 0.5),
        (r"green(?:ing)?", 0.5), (r"afforestation", 1.5), (r"forests?|forestry", 1.0), (r"shelterbelts?", 1.5),
        (r"national park", 1.0), (r"ecological corridors?", 0.5), (r"solid waste", 1.5), (r"wastes?", 1.0),
        (r"recycl\w*", 1.2), (r"renewable resources", 1.2), (r"circular economy", 1.0), (r"emission rights?", 1.5),
        (r"carbon", 1.0), (r"eco-compensation|ecological compensation", 1.0), (r"conservation|biodiversity", 1.0),
        (r"low[\s-]carbon", 1.0),
    ),
    Area.ENERGY: (
        (r"energy", 1.2), (r"clean energy", 1.5), (r"coal", 0.8), (r"natural gas|gas supply", 1.5), (r"gas", 0.5),
        (r"electricity|electric power", 1.5), (r"power (?:grid|transmission|supply)", 1.5), (r"grids?", 0.8),
        (r"solar|photovoltaic|wind energy|wind power", 1.5), (r"renewable energy|renewables", 1.5),
        (r"heating", 1.0), (r"charging (?:stations?|piles?)", 1.5), (r"oil", 0.5), (r"coal burning", 0.8),
    ),
    Area.INDUSTRY: (
        (r"industr(?:y|ies|ial)", 1.0), (r"manufactur\w*", 1.0), (r"industrial transfer", 1.5),
        (r"industrial parks?", 1.5), (r"enterprises?", 0.4), (r"demonstration (?:zone|area)s?", 0.7),
        (r"cooperation zones?", 0.7), (r"industrial chains?", 1.5), (r"biomedic\w*|pharmaceutical\w*", 1.2),
        (r"high-end", 0.5), (r"business(?:es)?", 0.3), (r"aviation industry", 1.5), (r"leasing", 0.6),
        (r"headquarters", 0.8), (r"relocat\w*", 0.8), (r"undertak\w*", 0.5), (r"factor(?:y|ies)", 1.0),
        (r"digital economy", 1.2), (r"agricultur\w*", 0.8), (r"seed industry", 1.2),
    ),
    Area.INNOVATION: (
        (_INNOVATION_EN, 1.2), (r"innovative", 1.0), (r"science and technology", 1.5), (r"scientific", 1.0),
        (r"technolog\w*", 0.8), (r"science parks?", 1.5), (r"laborator(?:y|ies)|labs?", 1.2), (r"incubat\w*", 1.2),
        (r"achievements? transformation|transformation of achievements", 1.5), (r"technology transfer", 1.5),
        (r"research and development|R&D", 1.0), (r"research", 0.5), (r"scientific instruments", 1.0),
        (r"entrepreneurship", 1.0), (r"Zhongguancun", 0.8), (r"technology exchange", 1.0), (r"patents?", 1.0),
    ),
    Area.PORTS_CUSTOMS: (
        (r"ports?", 1.2), (r"dry port|land port", 1.5), (r"customs", 1.5), (r"clearance", 1.0),
        (r"inspection and quarantine|quarantine", 1.5), (r"bonded", 1.5), (r"electronic port", 1.5),
        (r"logistics", 1.0), (r"containers?", 1.0), (r"special supervision areas?", 1.2), (r"transshipment", 1.0),
        (r"port groups?", 1.0), (r"cargo", 0.5), (r"shipping cent(?:er|re)", 0.8),
        (r"terminals?|wharf|wharves", 1.0),
    ),
    Area.TRADE_INVESTMENT: (
        (r"trade", 1.2), (r"free trade", 1.5), (r"investment", 1.0), (r"foreign trade", 1.5), (r"e-commerce", 1.2),
        (r"trade facilitation", 1.5), (r"commodit(?:y|ies)", 0.6), (r"distribution cent(?:er|re)s?", 0.8),
        (r"exports?|imports?", 0.5), (r"business environment", 1.5), (r"policy innovation", 0.5),
        (r"pilot free trade zone", 1.5),
    ),
    Area.FINANCE: (
        (r"financ(?:e|ial)", 1.5), (r"banks?|banking", 1.2), (r"credit", 1.0), (r"funds?", 0.8),
        (r"insurance", 1.0), (r"financial institutions", 1.0), (r"loans?", 1.0), (r"securities", 1.0),
        (r"factor markets?", 0.8), (r"investment and financing", 1.0),
    ),
    Area.TOURISM_EXHIBITIONS: (
        (r"touris(?:m|t|ts)", 2.0), (r"exhibitions?", 2.0), (r"trade fairs?|expos?", 1.5), (r"scenic", 1.0),
        (r"hotels?", 0.8), (r"conventions?", 0.8), (r"leisure", 0.5),
    ),
    Area.TALENT: (
        (r"talents?", 2.0), (r"human resources", 1.5), (r"postdoctoral", 1.5), (r"recruit\w*", 1.0),
        (r"training|train", 0.6), (r"college graduates", 1.0), (r"jobs?", 0.7), (r"employment", 1.0),
        (r"qualifications?", 0.7), (r"professional (?:and technical )?titles?", 1.0),
    ),
    Area.PUBLIC_SERVICES: (
        (r"public services?", 2.0), (r"medical", 1.5), (r"health", 1.2), (r"hospitals?", 1.5), (r"doctors?", 0.6),
        (r"education(?:al)?", 1.2), (r"schools?", 1.0), (r"teachers?", 0.6), (r"social security", 2.0),
        (r"pensions?", 1.0), (r"(?:transport|traffic) cards?", 2.0), (r"traditional Chinese medicine", 1.5),
        (r"blood donation|blood", 1.0),
        (r"telecommunications?|mobile|fixed-line|roaming", 1.0), (r"elderly", 1.0), (r"residents", 0.5),
        (r"culture", 0.3),
    ),
    Area.PLANNING: (
        (r"plans?", 0.6), (r"planning", 0.8), (r"coordinated development plan", 1.5), (r"top-level design", 1.5),
        (r"spatial layout|spatial planning", 1.0), (r"urban and rural planning", 1.0),
        (r"docking", 0.5), (r"special plans?", 0.8), (r"work plan", 0.6),
    ),
    Area.MECHANISM: (
        (r"leading group", 2.0), (r"working group", 1.0), (r"joint meetings?", 1.5),
        (r"consultation mechanism", 1.0), (r"mechanisms?", 0.4), (r"liaison", 1.5),
        (r"report(?:s|ing)? progress|progress", 0.8), (r"working mechanism", 1.0), (r"regular meetings?", 1.0),
        (r"cooperation mechanism", 0.8), (r"coordination mechanism", 1.0),
    ),
}
# fmt: on

# fmt: off
AREA_TERMS_ZH: dict[Area, tuple[tuple[str, float], ...]] = {
    Area.TRANSPORT: (
        ("交通", 1.5), ("铁路", 1.5), ("城际", 1.5), ("高铁", 1.5), ("高速公路", 1.5), ("公路", 1.0), ("公交", 1.2),
        ("道路", 0.8), ("轨道", 1.2), ("机场", 0.8), ("航线", 1.0), ("航班", 1.0), ("地铁", 1.2), ("客运", 1.0),
        ("货运", 0.8), ("列车", 1.2), ("枢纽", 0.6), ("通勤", 1.2), ("线路", 0.6), ("路网", 1.2), ("贯通", 0.8),
    ),
    Area.ECOLOGY_AIR: (
        ("大气", 2.0), ("空气", 2.0), ("重污染天气", 2.0), ("雾霾", 1.5), ("减排", 1.0), ("排放", 0.8),
        ("机动车", 1.2), ("扬尘", 1.5), ("脱硫", 1.5), ("脱硝", 1.5), ("挥发性有机物", 1.5), ("燃煤", 0.6),
        ("预警", 0.8), ("沙尘", 1.0),
    ),
    Area.ECOLOGY_WATER: (
        ("水质", 2.0), ("河流", 1.5), ("流域", 1.5), ("水环境", 2.0), ("水污染", 2.0), ("水资源", 1.5),
        ("供水", 1.5), ("调水", 1.5), ("南水北调", 1.5), ("湿地", 1.2), ("断面", 1.0), ("上下游", 0.8),
        ("运河", 1.2), ("水库", 1.0),
    ),
    Area.ECOLOGY_GENERAL: (
        ("生态", 1.0), ("环境", 0.5), ("环境保护", 1.0), ("环保", 1.0), ("绿化", 1.2), ("造林", 1.5),
        ("防沙治沙", 0.8), ("涵养林", 0.8), ("固体废物", 1.5), ("固废", 1.5), ("垃圾", 1.2), ("循环经济", 1.0),
        ("再生资源", 1.2), ("碳排放", 1.2), ("排污权", 1.5), ("生态补偿", 0.5), ("森林", 1.0), ("低碳", 1.0),
    ),
    Area.ENERGY: (
        ("能源", 1.5), ("清洁能源", 1.0), ("电力", 1.5), ("电网", 1.5), ("绿色电力", 1.0), ("可再生能源", 1.0),
        ("天然气", 1.5), ("煤改气", 1.5), ("光伏", 1.5), ("风电", 1.5), ("太阳能", 1.5), ("供热", 1.0),
        ("充电", 1.2),
    ),
    Area.INDUSTRY: (
        ("产业", 1.2), ("工业", 1.2), ("制造", 1.0), ("产业转移", 1.5), ("承接", 1.0), ("产业园", 1.5),
        ("园区", 0.8), ("企业", 0.5), ("生物医药", 1.0), ("产业链", 1.5), ("转移", 0.5), ("数字经济", 1.2),
        ("农业", 0.8), ("种业", 1.2),
    ),
    Area.INNOVATION: (
        ("科技", 1.5), (_INNOVATION_ZH, 1.2), ("科技成果", 1.0), ("成果转化", 1.5), ("实验室", 1.5), ("科学仪器", 1.2),
        ("研发", 1.0), ("孵化", 1.2), ("中关村", 0.8), ("高新技术", 1.2),
    ),
    Area.PORTS_CUSTOMS: (
        ("港口", 1.5), ("港", 0.5), ("口岸", 2.0), ("通关", 2.0), ("海关", 1.5), ("检验检疫", 2.0), ("保税", 1.5),
        ("集装箱", 1.0), ("码头", 1.0), ("物流", 1.0),
    ),
    Area.TRADE_INVESTMENT: (
        ("贸易", 1.5), ("自由贸易", 1.0), ("自贸", 2.0), ("投资", 1.0), ("商贸", 1.0), ("电子商务", 1.2),
        ("电商", 1.2), ("外贸", 1.5), ("营商环境", 1.5), ("商品", 0.5), ("招商", 1.0),
    ),
    Area.FINANCE: (
        ("金融", 2.0), ("银行", 1.2), ("信用", 1.0), ("信贷", 1.2), ("基金", 1.2), ("保险", 1.0), ("融资", 1.5),
    ),
    Area.TOURISM_EXHIBITIONS: (
        ("旅游", 2.0), ("会展", 2.0), ("博览会", 1.5), ("展会", 1.5), ("推介会", 0.8), ("景区", 1.2),
    ),
    Area.TALENT: (
        ("人才", 2.0), ("职称", 1.5), ("人力资源", 1.5), ("就业", 1.0), ("招聘", 1.0), ("培训", 0.8),
        ("博士后", 1.5),
    ),
    Area.PUBLIC_SERVICES: (
        ("公共服务", 2.0), ("医疗", 1.5), ("卫生", 1.2), ("健康", 1.0), ("医院", 1.5), ("教育", 1.2), ("学校", 1.0), ("大学", 1.5), ("高校", 1.5),
        ("社保", 2.0), ("社会保障", 2.0), ("养老", 1.2), ("一卡通", 1.5), ("通信", 1.0), ("中医药", 1.5),
        ("中医", 1.2), ("献血", 1.5), ("血液", 1.0),
    ),
    Area.PLANNING: (
        ("规划", 0.8), ("顶层设计", 1.5), ("空间布局", 1.0), ("规划衔接", 1.0), ("编制", 0.3),
    ),
    Area.MECHANISM: (
        ("联席会议", 2.0), ("领导小组", 2.0), ("工作组", 1.0), ("联络机制", 1.5), ("会商", 0.5), ("协调机制", 0.8),
        ("机制", 0.4), ("通报", 0.8), ("进展", 0.5), ("工作机制", 1.0), ("协作机制", 1.0), ("合作机制", 0.8),
    ),
}
# fmt: on

# ------------------------------------------------------------------------------------------- verbs
#: English verb lemmas by the strength they give when they govern a task (labelling guide §5)
# fmt: off
VERBS_EN: dict[Strength, frozenset[str]] = {
    Strength.ESTABLISH: frozenset({
        "achieve", "build", "carry", "compile", "complete", "connect", "construct", "create", "delineate", "draft",
        "establish", "finish", "formulate", "found", "hold", "implement", "introduce", "launch", "open", "plan",
        "prepare", "realise", "realize", "replace", "report", "set", "sign", "start", "train",
    }),
    Strength.ADVANCE: frozenset({
        "accelerate", "aim", "attract", "continue", "control", "coordinate", "deepen", "develop", "encourage",
        "enhance", "enjoy", "ensure", "expand", "expedite", "extend", "facilitate", "focus", "give", "guide",
        "help", "improve", "increase", "integrate", "invest", "join", "make", "manage", "optimise", "optimize",
        "organise", "organize", "overlap", "participate", "perfect", "promote", "protect", "provide", "push",
        "reduce", "select", "serve", "share", "speed", "standardize", "strengthen", "support", "take", "unify",
        "upgrade", "use",
    }),
    Strength.EXPLORE: frozenset({
        "consider", "discuss", "examine", "explore", "investigate", "propose", "research", "seek", "strive",
        "study",
    }),
}
# fmt: on
#: nouns that stand for the action when a task starts with one ("the construction of …")
NOMINAL_EN: dict[str, Strength] = {
    **dict.fromkeys(
        [
            "construction",
            "building",
            "establishment",
            "implementation",
            "preparation",
            "formulation",
            "planning",
            "creation",
            "completion",
            "compilation",
        ],
        Strength.ESTABLISH,
    ),
    **dict.fromkeys(["promotion", "improvement", "cooperation", "development", "integration"], Strength.ADVANCE),
    **dict.fromkeys(["study", "research", "exploration", "consideration"], Strength.EXPLORE),
}
#: verbs that pass the task on to the verb after them ("cooperate with X to draft …")
TRANSPARENT_EN = frozenset({"cooperate", "work", "take", "do", "combine"})
MODALS_EN = frozenset({"will", "shall", "should", "must", "can", "may", "would", "need", "needs", "is", "are"})
# fmt: off
ADVERBS_EN = frozenset({
    "actively", "also", "and", "be", "been", "being", "comprehensively", "constantly", "continuously", "deeply",
    "effectively", "eighth", "fifth", "finally", "firmly", "first", "fourth", "fully", "further", "gradually",
    "jointly", "lastly", "mutually", "ninth", "orderly", "second", "seventh", "sixth", "steadily", "still",
    "strictly", "tenth", "then", "third", "to", "together", "uniformly", "vigorously",
})
# fmt: on
#: passive light verbs whose subject noun carries the action ("consideration should be given")
LIGHT_PASSIVE_EN = frozenset({"given", "made", "paid", "attached", "put"})

# fmt: off
VERBS_ZH: dict[Strength, tuple[str, ...]] = {
    Strength.ESTABLISH: (
        "建立", "设立", "建设", "共建", "组建", "构建", "制定", "编制", "实施", "开展", "举办", "完成", "实现",
        "开通", "签署", "建成", "召开", "打造", "新建", "成立",
    ),
    Strength.ADVANCE: (
        "推进", "推动", "促进", "加强", "深化", "完善", "优化", "支持", "鼓励", "引导", "协调", "加快", "扩大",
        "共享", "发展", "提升", "提高", "参与", "配合", "服务", "开放", "强化", "落实", "整合", "对接", "吸引",
        "防治", "加大", "统筹", "统一",
    ),
    Strength.EXPLORE: (
        "研究", "探索", "争取", "力争", "谋划", "论证", "探讨", "积极争取", "考虑",
    ),
}
# fmt: on
TRANSPARENT_ZH = ("负责", "牵头", "共同", "联合", "协同", "积极", "进一步", "加快推进")
#: prepositions that open an adverbial ending at a comma, skipped before the governing verb ("依托…平台，推进…",
#: "在…场景，探索…", "对…数据，应当…")
ADVERBIAL_STARTERS_ZH = (
    "依托",
    "依据",
    "根据",
    "按照",
    "依照",
    "通过",
    "围绕",
    "结合",
    "借助",
    "利用",
    "在",
    "为",
    "对",
)

#: adverbial openings skipped before looking for the subject and verb ("According to …, Beijing will …")
ADVERBIAL_STARTERS_EN = (
    "according to",
    "at the same time",
    "under",
    "through",
    "with",
    "combined with",
    "in accordance with",
    "on the basis of",
    "focusing on",
    "in order to",
    "by",
    "in",
    "among",
    "for",
    "over",
    "as",
    "to",
    "based on",
    "relying on",
    "during",
    "after",
    "before",
    "meanwhile",
    "in addition",
    "moreover",
    "furthermore",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "finally",
    "lastly",
)

# ----------------------------------------------------------------------------------------- actors
#: phrases that stand for the parties of the document
PARTY_WORDS_EN = (
    r"the two (?:sides|parties|cities|places|governments|municipalities|provinces)",
    r"both (?:sides|parties)",
    r"(?:the )?(?:two|both) sides'?",
    r"the parties",
    r"we",
    r"it",
    r"the city",
    r"the municipality",
    r"the province",
    r"relevant departments(?: of the two (?:places|sides|cities))?",
)
PARTY_WORDS_ZH = ("双方", "甲乙双方", "两地", "两市", "两省市", "本市", "我市", "我省", "本省")
THREE_WORDS_EN = (r"the three (?:places|sides|parties|governments|provinces and municipalities|jurisdictions)",)
THREE_WORDS_ZH = ("三地", "三省市", "三方")
#: the region's short names, alone or joined (京津冀, Jing-Jin-Ji, Jin Ji)
SHORT_ZH = {"京": "110000", "津": "120000", "冀": "130000"}
SHORT_EN = {"jing": "110000", "jin": "120000", "ji": "130000"}

#: places inside a jurisdiction that documents name as actors or project sites (districts, new areas,
#: ports, parks); a general gazetteer, not a list taken from one document
# fmt: off
PLACES: dict[str, str] = {
    # Beijing districts and areas
    **dict.fromkeys((
        "Dongcheng", "Xicheng", "Chaoyang", "Haidian", "Fengtai", "Shijingshan", "Mentougou", "Fangshan",
        "Tongzhou", "Shunyi", "Changping", "Daxing", "Huairou", "Pinggu", "Miyun", "Yanqing", "Zhongguancun",
        "Yizhuang", "Capital Airport", "东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州",
        "顺义", "昌平", "大兴", "怀柔", "平谷", "密云", "延庆", "中关村", "亦庄", "首都机场",
    ), "110000"),
    # Tianjin districts and areas
    **dict.fromkeys((
        "Binhai", "Binhai New Area", "Ninghe", "Jinghai", "Wuqing", "Baodi", "Jizhou", "Xiqing", "Jinnan",
        "Beichen", "Dongli", "Dongjiang", "Tianjin Port", "滨海新区", "滨海", "宁河", "静海", "武清", "宝坻",
        "蓟州", "西青", "津南", "北辰", "东丽", "东疆", "天津港",
    ), "120000"),
    # Hebei places below the prefecture level
    **dict.fromkeys((
        "Caofeidian", "曹妃甸",
    ), "130200"),
    **dict.fromkeys((
        "Huanghua", "Bohai New Area", "黄骅", "渤海新区",
    ), "130900"),
    **dict.fromkeys((
        "Zhengding", "正定",
    ), "130100"),
    **dict.fromkeys((
        "Beidaihe", "北戴河",
    ), "130300"),
}
# fmt: on

# ------------------------------------------------------------------------------------------ bodies
#: central state bodies, as (pattern, canonical name); English patterns are regular expressions
BODIES_EN: tuple[tuple[str, str], ...] = (
    (r"National Development and Reform Commission|NDRC", "National Development and Reform Commission"),
    (r"Central Financial(?: and Economic Affairs)? Office", "Central Financial and Economic Affairs Office"),
    (r"State Council", "State Council"),
    (
        r"General Administration of Quality Supervision, Inspection and Quarantine",
        "General Administration of Quality Supervision, Inspection and Quarantine",
    ),
    (r"General Administration of Customs", "General Administration of Customs"),
    (r"State Administration of Taxation|State Taxation Administration", "State Taxation Administration"),
    (r"Civil Aviation Administration(?: of China)?", "Civil Aviation Administration of China"),
    (r"China State Railway Group(?: Co\.,? Ltd\.?)?|China Railway Corporation", "China State Railway Group"),
    (r"People's Bank of China", "People's Bank of China"),
    (r"National Energy Administration", "National Energy Administration"),
    (r"Ministry of (?:[A-Z][a-z]+)(?:(?:,| and| of)? (?:[A-Z][a-z]+))*", ""),
    (r"relevant state departments|relevant departments of the state", "relevant state departments"),
    (r"the central government", "central government"),
    (r"(?<![\w-])the state(?! of)", "the state"),
)
BODIES_ZH: tuple[tuple[str, str], ...] = (
    (r"国家发展(?:和)?改革委(?:员会)?", "国家发展改革委"),
    (r"国务院", "国务院"),
    (
        r"(?:财政|交通运输|生态环境|水利|工业和信息化|科学技术|科技|商务|自然资源|住房和城乡建设|人力资源和社会保障|教育|民政|公安)部",
        "",
    ),
    (r"海关总署", "海关总署"),
    (r"(?:北京|天津|石家庄)海关", ""),  # the customs districts of the region
    (r"国家税务总局", "国家税务总局"),
    (r"国家铁路局", "国家铁路局"),
    (r"中国国家铁路集团有限公司|中国铁路总公司|国铁集团", "中国国家铁路集团有限公司"),
    (r"中国民用航空局|民航局", "中国民用航空局"),
    (r"中国人民银行", "中国人民银行"),
    (r"国家能源局", "国家能源局"),
    (r"国家(?:有关|相关)部(?:门|委)", "国家有关部门"),
    (r"中央政府|中央财政", ""),
)

# ---------------------------------------------------------------------------------------- projects
#: head nouns that end a project or place name
PROJECT_HEADS_EN = (
    r"(?:High-speed |Intercity |Inter-city )?Rail(?:way)?(?: (?:First|Second|Third|Fourth|Fifth) Line| Line \d+)?",
    r"Passenger Dedicated Line",
    r"Line",
    r"Expressway",
    r"Highway",
    r"Road",
    r"Port",
    r"Land Port",
    r"Airport",
    r"Science Park",
    r"Park",
    r"Zone",
    r"New Area",
    r"City",
    r"Cent(?:er|re)",
    r"Corridor",
    r"Base",
    r"Canal",
    r"River",
    r"Platform",
    r"Project",
    r"Hub",
    r"Shelterbelt",
    r"Circle",
    r"Station",
    r"Bridge",
    r"Exchange",
    r"Community",
    r"Farm",
)
PROJECT_HEADS_ZH = (
    "高速公路",
    "城际铁路",
    "铁路",
    "高铁",
    "公路",
    "港",
    "机场",
    "产业园",
    "园区",
    "示范区",
    "新区",
    "走廊",
    "基地",
    "运河",
    "河",
    "码头",
    "过渡带",
    "枢纽",
    "工程",
)
#: lower-case infrastructure words after a place compound ("Beijing-Tianjin high-speed railway")
PROJECT_TAILS_EN = (
    r"(?:(?:first|second|third|fourth) )?(?:high-speed|intercity|inter-city|suburban) (?:railway|rail line|rail|line)"
    r"(?: (?:first|second|third|fourth) line)?",
    r"railway",
    r"expressway",
    r"highway",
    r"intercity",
    r"corridor",
    r"canal",
)

__all__ = [
    "ADVERBIAL_STARTERS_EN",
    "ADVERBIAL_STARTERS_ZH",
    "ADVERBS_EN",
    "AREA_TERMS_EN",
    "AREA_TERMS_ZH",
    "BODIES_EN",
    "BODIES_ZH",
    "LIGHT_PASSIVE_EN",
    "MODALS_EN",
    "NOMINAL_EN",
    "NON_TECH_INNOVATION_EN",
    "NON_TECH_INNOVATION_ZH",
    "PARTY_WORDS_EN",
    "PARTY_WORDS_ZH",
    "PLACES",
    "PROJECT_HEADS_EN",
    "PROJECT_HEADS_ZH",
    "PROJECT_TAILS_EN",
    "SHORT_EN",
    "SHORT_ZH",
    "THREE_WORDS_EN",
    "THREE_WORDS_ZH",
    "TRANSPARENT_EN",
    "TRANSPARENT_ZH",
    "VERBS_EN",
    "VERBS_ZH",
]
