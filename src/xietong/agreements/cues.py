"""Cues that tell a commitment from everything else in a document: reports and descriptions, the drafting
formulas of clauses that commit no one, modals of commitment, and the headings of parts without tasks.

General patterns of agreement, plan and regulation prose (English and Chinese), as stated for people in
``docs/agreements-labelling.md`` §2; no phrase of one document. English patterns are regular expressions
matched case-insensitively; Chinese ones are regular expressions matched as written.
"""

from __future__ import annotations

#: a clause that matches one of these reports, quotes or states a finding ("… find that", "… shows that")
#: instead of committing (in any paragraph)
STRONG_NARRATIVE_EN = (
    r"\b(?:said|says|stated|noted|pointed out|told)\b",
    r"\b(?:find|finds|found|see|sees|saw|show|shows|showed|reveal|reveals|revealed|indicate|indicates|"
    r"indicated|believe|believes|think|thinks) that\b",
    r"^[\"“]",
)
#: description rather than commitment: perfect and past tenses, "already", a copula with a noun ("… is the
#: key of …"), and the sentence-initial time adverbials of background (the English of 近年来, 长期以来, 目前,
#: 过去); in a measure's paragraph or a list item a commitment cue outweighs them
WEAK_NARRATIVE_EN = (
    r"\b(?:has|have|had)\s+(?:also\s+|already\s+)?(?:been|become|made|\w+ed)\b",
    r"\balready\b",
    r"\b(?:was|were)\b",
    r"\b(?:is|are) (?:also )?(?:the|a|an)\b",
    r"^(?:in recent years|at present|currently|in the past|so far|to date|since (?:the )?\d{4})\b",
)
STRONG_NARRATIVE_ZH = (r"(?:表示|指出|认为|介绍说|称)[，,:：]", r"^[“\"]")
#: 已经 (already), openings of background (近年来, 长期以来, 目前, 过去, "…以来，" since …), and the perfective
#: 了 after a verb (为了 "in order to", 了解 "understand" and 除了 "except" are no perfective)
WEAK_NARRATIVE_ZH = (
    r"已经",
    r"^(?:近年来|长期以来|目前|过去)",
    r"^[^，,。；]{0,24}以来[，,]",
    r"(?<![为除])了(?![解结])",
)
#: drafting formulas of clauses that commit no one, wherever they stand (labelling guide §2): a regulation's
#: purpose, definitions and composition ("X包括…"), scope, principles, references to other rules, the content
#: a list must have, legal status, rights of persons ("may" without a duty), penalties, entry into force,
#: statements of principle (坚持…), descriptions of the document itself (本规划…是…), and a sentence that
#: only announces the areas of the paragraphs after it ("双方将在…等方面作出努力", "cooperate in areas such as …")
_DOC_ZH = r"(?:规定|条例|办法|方案|规划|计划|协议|细则|纲要|意见|决定)"
FORMULAS_ZH = (
    rf"^为了?.{{0,160}}?(?:制定|修订)本{_DOC_ZH}",
    rf"^本{_DOC_ZH}所称",
    rf"^本次?{_DOC_ZH}(?:坚持|是|适用于|所|包括|共)",
    r"遵循.{0,40}原则",
    r"^坚持",
    r"(?:按照|依照)(?:国家)?(?:有关|相关)规定执行",
    r"应当包括.{0,80}内容",
    r"依法具有",
    r"^[^，,。；]{0,24}(?<!应当)包括",
    r"^(?!.*(?:应当|应该|必须)).*?可以",
    r"责令改正|追究.{0,10}责任|给予.{0,6}处分|处以.{0,20}罚款",
    r"自.{0,16}起(?:施行|生效|实施)",
    r"等(?:方面|领域)(?:作出|做出)(?:积极)?努力",
    r"^[^，,]{0,12}在.{0,80}等(?:方面|领域)(?:开展|加强|深化|进行)(?:合作|交流)[。.]?$",
)
_DOC_EN = r"(?:regulations?|provisions|measures|rules|plan|programme|program|agreement|memorandum)"
FORMULAS_EN = (
    rf"^(?:these|this) {_DOC_EN} (?:are|is) (?:formulated|enacted|made|adopted)\b",
    rf"\b(?:for the purposes? of|as used in) (?:these|this) {_DOC_EN}\b",
    r"^(?:adhere to|uphold|persist in)\b",
    r"\bin accordance with (?:the )?relevant (?:state |national )?(?:regulations|provisions|rules)\W*$",
    r"^(?!.*\b(?:shall|will|must|should)\b).*\b(?:may|(?:is|are) entitled to)\b",
    r"\b(?:shall be ordered to (?:correct|rectify)|legal liability|shall be (?:fined|punished)|disciplinary action)\b",
    r"\b(?:comes?|came) into (?:force|effect)\b|\btakes? effect\b",
    r"\b(?:efforts?|cooperat\w*) in (?:areas|fields|aspects) such as\b",
)
#: modal or reported-commitment phrases that make a sentence a commitment
COMMIT_MODAL_EN = (
    r"\b(?:will|shall|should|must)\b",
    r"\b(?:agree|agrees|agreed|undertake|undertakes|propose|proposes|proposed|plan|plans|aim|aims) (?:to|at)\b",
    r"^according to the (?:\w+ )*?(?:agreement|memorandum|plan)\b",
)
#: 将 (will), 要 (must; not inside 重要, 主要, 需要, 要素, 要求 …), 应/应当/应该 (shall; not inside 应用, 应急,
#: 相应, 供应 …), 力争, 同意, 承诺, 约定
COMMIT_MODAL_ZH = (
    r"将",
    r"(?<![重主需首必纲摘只])要(?![素求点是])",
    r"(?<![相适对响供反效呼])应(?![用急对])",
    r"力争",
    r"同意",
    r"承诺",
    r"约定",
)

#: headings of parts that hold no tasks (labelling guide §2)
NON_TASK_HEADINGS_EN = (
    r"background",
    r"context",
    r"introduction",
    r"preamble",
    r"purpose",
    r"objectives?",
    r"goals?",
    r"targets?",
    r"principles?",
    r"guiding (?:ideology|ideas?|principles)",
    r"general (?:requirements|provisions)",
    r"overall requirements",
    r"final provisions",
    r"supplementary provisions",
    r"contacts?",
    r"signatures?",
    r"annex(?:es)?",
    r"definitions",
)
NON_TASK_HEADINGS_ZH = (
    "总体要求",
    "指导思想",
    "基本原则",
    "合作原则",
    "原则",
    "发展目标",
    "总体目标",
    "主要目标",
    "目标",
    "背景",
    "附则",
    "联系方式",
    "前言",
    "总则",
    "其他",
)
#: names of a document's opening part: a section heading, never the title (lower case)
FRONT_MATTER = frozenset({"序言", "前言", "引言", "导言", "preface", "foreword", "introduction", "preamble"})

__all__ = [
    "COMMIT_MODAL_EN",
    "COMMIT_MODAL_ZH",
    "FORMULAS_EN",
    "FORMULAS_ZH",
    "FRONT_MATTER",
    "NON_TASK_HEADINGS_EN",
    "NON_TASK_HEADINGS_ZH",
    "STRONG_NARRATIVE_EN",
    "STRONG_NARRATIVE_ZH",
    "WEAK_NARRATIVE_EN",
    "WEAK_NARRATIVE_ZH",
]
