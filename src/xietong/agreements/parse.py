"""From agreement text to its structure and its tasks.

The importer reads general structure, not one document's shape:

1. **Lines to blocks.** Markdown headings (``#``), enumerations (``一、``, ``（一）``, ``1.``, ``（1）``, ``2.1``,
   ``第三条``, ``Article 3``, ``II.``, ``(a)``), bullets (``-``, ``•``), ordinal paragraphs ("First, …", 首先，…)
   and field lines (``甲方：``, ``Date:``). Lines of one paragraph wrapped over several lines are joined
   when the text separates paragraphs with blank lines.
2. **Headings.** Markdown headings, and enumerated blocks that are a short phrase (or that have deeper
   blocks under them). Enumeration kinds get their level in order of first appearance, as outline readers
   do. A text without any heading markup (the sample agreement) has its headings inferred: short lines of
   one phrase.
3. **Measures and tasks.** In each paragraph or item a short, subject-less first sentence is the measure
   (its title); the other sentences, split at semicolons, are tasks when they commit someone: in a
   measure's paragraph or a list item every clause that is not a quotation or report; in a free paragraph
   only clauses with a commitment cue (imperative verb, "will"/"shall", 将/要, an acting jurisdiction with a
   commitment verb). Sections on background, principles, objectives or final provisions and the preamble
   hold no tasks.

The labelling guide ``docs/agreements-labelling.md`` states the same rules for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from xietong.agreements import cues, grammar
from xietong.agreements.model import Language, Section
from xietong.agreements.text import Span, clauses, detect_language, is_zh, sentences, trim, word_count


class BlockKind(StrEnum):
    HEADING = "heading"
    ITEM = "item"  # an enumerated or bulleted block with content
    PARAGRAPH = "paragraph"
    FIELD = "field"  # 甲方：…, Date: …


_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zh-chapter", re.compile(r"^第([一二三四五六七八九十百零〇\d]+)([章节部分])\s*")),
    ("zh-article", re.compile(r"^第([一二三四五六七八九十百零〇\d]+)条\s*")),
    ("zh-1", re.compile(r"^([一二三四五六七八九十百]+)[、．.]\s*")),
    ("zh-2", re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*")),
    ("en-article", re.compile(r"^(?:Article|Chapter|Section|Part)\s+([\dIVXLC]+)[.:]?\s+")),
    ("dotted", re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+")),
    ("num", re.compile(r"^(\d{1,2})[.．、](?!\d)\s*")),
    ("num-paren", re.compile(r"^[（(](\d{1,2})[）)]\s*|^(\d{1,2})[)）]\s*")),
    ("roman", re.compile(r"^([IVX]{1,4})\.\s+")),
    ("letter", re.compile(r"^[（(]?([a-z])[）)]\s+")),
    ("letter-upper", re.compile(r"^([A-H])[.)]\s+")),
    ("bullet", re.compile(r"^(?:[-+•·●▪■◆]|\*(?!\s*\*))\s+")),
)
_ORDINAL = re.compile(
    r"^(?:(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Finally|Lastly)(?:ly)?,|"
    r"(?:第[一二三四五六七八九十]+|首先|其次|再次|最后)[，,])"
)
_FIELD = re.compile(
    r"^(甲方|乙方|丙方|Party [A-C]|Parties|Issued by|Signed by|Signatories|发文机关|发布单位|发文单位|签订日期|"
    r"签署日期|签订时间|日期|Date|Signed on|Date of signature)\s*[:：]\s*(?=\S)",
    re.IGNORECASE,
)
_TERMINAL = tuple(".。!?！？;；:：")
_COMMENT = re.compile(r"\s*<!--.*-->\s*$")
_TITLE_JOIN_ZH = re.compile(r"^(?:关于|《)|(?:政府|委员会|办公室|办公厅)$")
_TITLE_JOIN_EN = re.compile(r"^(?:on|for|between|of|and|to)\b|\b(?:on|for|between|of|and|to)$", re.IGNORECASE)


@dataclass(slots=True)
class Block:
    kind: BlockKind
    span: Span  # content, marker excluded
    marker: str = ""  # marker kind ("zh-2", "bullet", "md" …), "" for none
    label: str = ""  # the marker as written
    md_level: int = 0
    ordinal: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph or list item, with its measure (lead sentence) and its candidate clauses."""

    span: Span
    section: int | None  # index into Layout.sections
    item: bool
    measure: Span | None
    clauses: tuple[Span, ...]
    #: for each clause, the first clause of its sentence when it is a later one (after a semicolon)
    shared: tuple[Span | None, ...] = ()
    ordinal: bool = False  # opens with "First," / 首先，…


@dataclass(slots=True)
class Layout:
    """The structure of a document: title, fields, headings and paragraphs."""

    text: str
    language: Language
    title: str
    title_span: Span | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    tail: list[Span] = field(default_factory=list)  # last lines (signatures, dates)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A clause the rules take for a task."""

    span: Span
    section: int | None
    measure: Span | None
    shared: Span | None = None  # the first clause of the sentence, for a later clause


# -------------------------------------------------------------------------------------------- lines
def _lines(text: str) -> list[Span]:
    out: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _classify_line(text: str, span: Span) -> Block | None:
    s, e = trim(text, span) if not text[span[0] : span[1]].lstrip().startswith("*") else _strip_ws(text, span)
    if s >= e:
        return None
    line = text[s:e]
    m = _MD_HEADING.match(line)
    if m:
        cs, ce = trim(text, (s + m.end(), e))
        cs, ce = _strip_emphasis(text, (cs, ce))
        return Block(BlockKind.HEADING, (cs, ce), marker="md", label=m.group(1), md_level=len(m.group(1)))
    m = _FIELD.match(line)
    if m:
        return Block(BlockKind.FIELD, (s, e), label=m.group(1))
    for kind, pat in _MARKERS:
        m = pat.match(line)
        if m and line[m.end() :].strip():
            cs, ce = trim(text, (s + m.end(), e))
            return Block(BlockKind.ITEM, (cs, ce), marker=kind, label=m.group(0).strip())
    s2, e2 = trim(text, (s, e))
    if s2 >= e2:
        return None
    return Block(BlockKind.PARAGRAPH, (s2, e2), ordinal=bool(_ORDINAL.match(text[s2:e2])))


def _strip_ws(text: str, span: Span) -> Span:
    s, e = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _strip_emphasis(text: str, span: Span) -> Span:
    s, e = span
    while e - s >= 4 and text[s : s + 2] in ("**", "__") and text[e - 2 : e] == text[s : s + 2]:
        s, e = s + 2, e - 2
    return s, e


def _blocks(text: str) -> list[Block]:
    lines = _lines(text)
    has_blank_separators = any(not text[a:b].strip() for a, b in lines[1:-1])
    blocks: list[Block] = []
    prev_blank = True
    for span in lines:
        if not text[span[0] : span[1]].strip():
            prev_blank = True
            continue
        if _COMMENT.match(text, span[0], span[1]):
            continue  # an HTML/Markdown comment is a note about the file, not its text
        block = _classify_line(text, span)
        if block is None:
            continue
        last = blocks[-1] if blocks else None
        if (
            has_blank_separators
            and not prev_blank
            and last is not None
            and block.kind is BlockKind.PARAGRAPH
            and not block.ordinal
            and last.kind in (BlockKind.PARAGRAPH, BlockKind.ITEM)
            and not text[last.span[0] : last.span[1]].endswith(_TERMINAL)
            and (_joins_title(text, last.span, block.span) if len(blocks) == 1 else _continues(text, last, block))
        ):
            last.span = (last.span[0], block.span[1])
        else:
            blocks.append(block)
        prev_blank = False
    return blocks


def _continues(text: str, last: Block, block: Block) -> bool:
    """A wrapped line: it starts in lower case, or the line before is long and not finished."""
    first_line = text[last.span[0] : last.span[1]].rsplit("\n", 1)[-1]
    if text[block.span[0]].islower():
        return True
    return len(first_line) >= (20 if is_zh(first_line) else 60)


def _joins_title(text: str, first: Span, second: Span) -> bool:
    a, b = text[first[0] : first[1]], text[second[0] : second[1]]
    if is_zh(a + b):
        return bool(_TITLE_JOIN_ZH.search(b) or _TITLE_JOIN_ZH.search(a))
    return bool(_TITLE_JOIN_EN.search(b) or _TITLE_JOIN_EN.search(a))


# -------------------------------------------------------------------------------------- headings
def _heading_like(text: str, span: Span, *, limit: int = 12) -> bool:
    piece = text[span[0] : span[1]]
    if len(sentences(text, span)) != 1 or len(clauses(text, span)) != 1:
        return False
    if piece.endswith((",", "，", ";", "；", ":", "：", "、")):
        return False
    if piece[:1].islower() or _FIELD.match(piece):
        return False
    if piece.endswith(("。", "！", "？")) and is_zh(piece):
        return False
    return word_count(piece) <= limit


def _is_phrase(text: str, span: Span) -> bool:
    """A heading phrase: heading-like and without a closing full stop."""
    piece = text[span[0] : span[1]]
    return _heading_like(text, span) and not piece.endswith(_TERMINAL)


def _non_task_heading(heading: str) -> bool:
    h = heading.strip().rstrip("。.:：")
    if is_zh(h):
        return any(h == w or (h.endswith(w) and len(h) <= len(w) + 2) for w in cues.NON_TASK_HEADINGS_ZH)
    return any(re.fullmatch(rf"(?:the )?{w}", h, re.IGNORECASE) for w in cues.NON_TASK_HEADINGS_EN)


def _read_fields(text: str, blocks: list[Block], out: Layout) -> None:
    for b in blocks:
        if b.kind is BlockKind.FIELD:
            line = text[b.span[0] : b.span[1]]
            key, _, value = line.partition(":" if ":" in line else "：")
            out.fields.setdefault(key.strip().lower(), []).append(value.strip())


def _is_front_matter(text: str, block: Block) -> bool:
    """A part name such as 序言 or "Preface": a section heading, never the document's title."""
    piece = text[block.span[0] : block.span[1]].strip(" #*").rstrip("。.:：")
    return piece.lower() in cues.FRONT_MATTER


def _take_title(text: str, content: list[Block], out: Layout) -> list[Block]:
    """Set the title from the first block when it is a heading or a short line; the blocks after it."""
    first = content[0]
    if _is_front_matter(text, first):
        return content
    if (first.kind is BlockKind.HEADING) or (
        first.kind is BlockKind.PARAGRAPH and _heading_like(text, first.span, limit=40) and len(content) > 1
    ):
        out.title_span = first.span
        sep = "" if is_zh(text[first.span[0] : first.span[1]]) else " "
        out.title = re.sub(r"\s*\n\s*", sep, text[first.span[0] : first.span[1]]).strip()
        return content[1:]
    return content


def _introduces(text: str, block: Block, nxt: Block | None) -> bool:
    """A short phrase (no closing stop) with a longer paragraph or item after it: an unnumbered heading."""
    return (
        _is_phrase(text, block.span)
        and nxt is not None
        and nxt.kind in (BlockKind.PARAGRAPH, BlockKind.ITEM)
        and not _heading_like(text, nxt.span)
    )


def _mark_headings(text: str, content: list[Block]) -> None:
    """Turn blocks into headings: enumerated phrases (or items with deeper items under them), and
    unnumbered phrase lines — inferred when the text has no heading markup, or standing before a longer
    paragraph in an enumerated text (序言, topic lines, a machine translation's garbled part title)."""
    explicit = any(b.kind is BlockKind.HEADING for b in content) or any(
        b.kind is BlockKind.ITEM and b.marker != "bullet" and _is_phrase(text, b.span) for b in content
    )
    markdown = any(b.marker == "md" for b in content)
    rank: dict[str, int] = {}
    for b in content:
        if b.kind is BlockKind.ITEM and b.marker not in rank and b.marker != "bullet":
            rank[b.marker] = len(rank) + 1
    for i, b in enumerate(content):
        nxt = content[i + 1] if i + 1 < len(content) else None
        if b.kind is BlockKind.ITEM and b.marker != "bullet":
            deeper = (
                nxt is not None
                and nxt.kind is BlockKind.ITEM
                and rank.get(nxt.marker, 0) > rank[b.marker]
                and len(sentences(text, b.span)) == 1
                and word_count(text[b.span[0] : b.span[1]]) <= 20
            )
            if _is_phrase(text, b.span) or deeper:
                b.kind, b.md_level = BlockKind.HEADING, 10 + rank[b.marker]
        elif b.kind is not BlockKind.PARAGRAPH or b.ordinal:
            continue
        elif not explicit:
            piece = text[b.span[0] : b.span[1]]
            if _heading_like(text, b.span) and (
                not piece.endswith(_TERMINAL) or (nxt is not None and not _heading_like(text, nxt.span))
            ):
                b.kind, b.md_level = BlockKind.HEADING, 1
        elif not markdown and (_introduces(text, b, nxt) or _is_front_matter(text, b)):
            b.kind, b.md_level = BlockKind.HEADING, 11


def _section(text: str, b: Block, out: Layout, stack: list[tuple[int, int]], counters: list[int]) -> Section:
    while stack and stack[-1][0] >= b.md_level:
        stack.pop()
    depth = len(stack)
    del counters[depth + 1 :]
    if len(counters) <= depth:
        counters.append(0)
    counters[depth] += 1
    heading = re.sub(r"\s+", " ", text[b.span[0] : b.span[1]]).strip()
    heading = re.sub(r"^\*\*|\*\*$", "", heading)
    heading = re.sub(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[一二三四五六七八九十]+、)\s*", "", heading)
    heading = heading.rstrip("。.")
    parent_path = out.sections[stack[-1][1]].path if stack else ()
    parent_tasks = out.sections[stack[-1][1]].has_tasks if stack else True
    return Section(
        number=".".join(str(c) for c in counters[: depth + 1]),
        heading=heading,
        level=depth + 1,
        label=b.label,
        path=(*parent_path, heading),
        span=b.span,
        has_tasks=parent_tasks and not _non_task_heading(heading),
    )


def layout(text: str) -> Layout:
    """Read the structure of ``text`` (title, fields, headings, paragraphs with measures and clauses).

    The further paragraphs of an article (第N条, Article N) belong to it, as its sub-paragraphs (款) do in
    legal drafting: they are read like the article's own text."""
    blocks = _blocks(text)
    out = Layout(text=text, language=detect_language(text), title="", title_span=None)
    _read_fields(text, blocks, out)
    content = [b for b in blocks if b.kind is not BlockKind.FIELD]
    if not content:
        return out
    content = _take_title(text, content, out)
    _mark_headings(text, content)
    stack: list[tuple[int, int]] = []  # (level, section index)
    counters: list[int] = []
    in_article = False
    for b in content:
        if b.kind is BlockKind.HEADING:
            out.sections.append(_section(text, b, out, stack, counters))
            stack.append((b.md_level, len(out.sections) - 1))
            in_article = False
            continue
        if b.kind is BlockKind.ITEM:
            in_article = b.marker in ("zh-article", "en-article")
        current = stack[-1][1] if stack else None
        paragraph = _paragraph(text, b, current, item=b.kind is BlockKind.ITEM or b.ordinal or in_article)
        out.paragraphs.append(_parallel_title(text, paragraph, out.paragraphs))
    out.tail = [b.span for b in content[-3:]]
    return out


def _parallel_title(text: str, paragraph: Paragraph, before: list[Paragraph]) -> Paragraph:
    """An ordinal paragraph of one lead sentence ("Third, pushing forward …", its text cut after it) is a
    part title like those of its earlier siblings that have one: a measure with no tasks."""
    if not paragraph.ordinal or paragraph.measure is not None or len(paragraph.clauses) != 1:
        return paragraph
    siblings = [p for p in before if p.ordinal and p.section == paragraph.section]
    sentence = paragraph.clauses[0]
    if siblings and all(p.measure is not None for p in siblings) and is_lead(text[sentence[0] : sentence[1]]):
        return Paragraph(paragraph.span, paragraph.section, paragraph.item, sentence, (), (), ordinal=True)
    return paragraph


def _paragraph(text: str, block: Block, section: int | None, *, item: bool) -> Paragraph:
    sents = sentences(text, block.span)
    measure: Span | None = None
    if len(sents) >= 2 and is_lead(text[sents[0][0] : sents[0][1]]):
        measure = sents[0]
        sents = sents[1:]
    pieces = [clauses(text, s) for s in sents]
    spans = tuple(c for cs in pieces for c in cs)
    # a later clause shares its sentence's first clause, unless text was omitted between them (* * *)
    shared = tuple(
        cs[0] if k and "*" not in text[cs[0][1] : cs[k][0]] else None for cs in pieces for k in range(len(cs))
    )
    return Paragraph(block.span, section, item, measure, spans, shared, ordinal=block.ordinal)


# ------------------------------------------------------------------------------------- commitments
_EN_AUX = re.compile(r"\b(?:will|shall|should|must|can|is|are|was|were|has|have|had)\b", re.IGNORECASE)
_EN_NOT_LEAD = re.compile(
    r"^(?:the|it|we|this|these|those|in|at|for|over|as|by|during|after|since|according|among|there|our|its)\b",
    re.IGNORECASE,
)
_ZH_AUX = re.compile(r"将|要|应|已|了")


def is_lead(sentence: str) -> bool:
    """A measure title: a short sentence without subject or auxiliary ("Promote the improvement of …")."""
    s = _ORDINAL.sub("", sentence).strip(" *")
    if not s or s[0].isdigit() or s[0] in "\"“'‘（(":
        return False
    if is_zh(s):
        if word_count(s) > 12 or _ZH_AUX.search(s):
            return False
        head = grammar.analyse_zh(s)
        return not head.subject
    if word_count(s) > 14 or _EN_AUX.search(s) or _EN_NOT_LEAD.match(s):
        return False
    found = grammar.mentions_en(s)
    return not (found and found[0][0] == 0)


def _matches(patterns: tuple[str, ...], text: str, flags: int = re.IGNORECASE) -> bool:
    return any(re.search(p, text, flags) for p in patterns)


def is_narrative(clause: str, *, strong_only: bool = False) -> bool:
    """Reports, quotes, history or description rather than a commitment; ``strong_only``: only reports,
    quotes and the drafting formulas of clauses that commit no one (definitions, rights, penalties …)."""
    body = _ORDINAL.sub("", clause).strip(" *")
    if is_zh(clause):
        if _matches(cues.STRONG_NARRATIVE_ZH, clause, 0) or _matches(cues.FORMULAS_ZH, body, 0):
            return True
        return not strong_only and _matches(cues.WEAK_NARRATIVE_ZH, clause, 0)
    if _matches(cues.STRONG_NARRATIVE_EN, clause) or _matches(cues.FORMULAS_EN, body[grammar.skip_opening(body) :]):
        return True
    return not strong_only and _matches(cues.WEAK_NARRATIVE_EN, clause)


def has_commitment_cue(clause: str) -> bool:
    """An imperative verb, a modal of commitment, or an acting jurisdiction followed by a commitment verb."""
    if is_zh(clause):
        if _matches(cues.COMMIT_MODAL_ZH, clause, 0):
            return True
        head = grammar.analyse_zh(clause)
        return head.verb is not None and head.verb_at <= head.predicate_at + 4
    body = clause[grammar.skip_opening(clause) :]
    if _matches(cues.COMMIT_MODAL_EN, body) or _matches(cues.COMMIT_MODAL_EN, clause):
        return True
    if grammar.is_imperative_en(clause):
        return True
    head = grammar.analyse_en(clause)
    if head.verb is None:
        return False
    subject = head.subject.strip(" *")
    found = grammar.mentions_en(subject)
    return bool(found) and found[0][0] <= 4


def _long_enough(clause: str) -> bool:
    return word_count(clause) >= 3


def candidates(lay: Layout) -> list[Candidate]:
    """The clauses of ``lay`` that are tasks (labelling guide §2)."""
    out: list[Candidate] = []
    has_sections = bool(lay.sections)
    for p in lay.paragraphs:
        if p.section is None:
            if has_sections:
                continue  # the preamble
        elif not lay.sections[p.section].has_tasks:
            continue
        structured = p.item or p.measure is not None
        for span, shared in zip(p.clauses, p.shared, strict=True):
            clause = lay.text[span[0] : span[1]]
            if not _long_enough(clause):
                continue
            if structured:
                # a measure's sentences and list items are tasks unless they quote or report, or describe
                # (weak narrative cue) without committing anyone
                ok = not is_narrative(clause, strong_only=True) and (
                    not is_narrative(clause) or has_commitment_cue(clause)
                )
            else:
                ok = has_commitment_cue(clause) and not is_narrative(clause)
            if ok:
                out.append(Candidate(span, p.section, p.measure, shared))
    return out


__all__ = [
    "Block",
    "BlockKind",
    "Candidate",
    "Layout",
    "Paragraph",
    "candidates",
    "has_commitment_cue",
    "is_lead",
    "is_narrative",
    "layout",
]
