"""Text segmentation with character offsets: language, sentences, clauses and span trimming.

Every function returns ``(start, end)`` offsets into the string it was given, so spans found at any
level point into the one document text.
"""

from __future__ import annotations

import re

from xietong.agreements.model import Language

Span = tuple[int, int]

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

#: end of an English sentence: . ! ? (and closing quotes or brackets), then space and a new sentence
_EN_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+[A-Z\"“‘(*\d])")
#: end of a Chinese sentence: 。！？ and closing quotes or brackets
_ZH_END = re.compile(r"[。！？!?][”’」』）)]*")
_ABBREVIATIONS = frozenset(
    {"no", "mr", "mrs", "ms", "dr", "e.g", "i.e", "etc", "tel", "st", "co", "ltd", "inc", "vs", "art", "fig"}
)
_CLAUSE_END = re.compile(r"[;；]")
_LEADING_JUNK = re.compile(r"^(?:\s|\*)+")
_TRAILING_JUNK = re.compile(r"(?:\s|\*|[;；])+$")


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among CJK and Latin letters (0 for text without letters)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def detect_language(text: str) -> Language:
    """``zh`` when at least 30 % of the letters are CJK, else ``en``."""
    return Language.ZH if cjk_ratio(text) >= 0.3 else Language.EN


def is_zh(text: str) -> bool:
    return cjk_ratio(text) >= 0.3


def trim(text: str, span: Span) -> Span:
    """Shrink ``span`` past white space, the omission marks ``* * *`` and a closing semicolon at its ends."""
    start, end = span
    while start < end:
        piece = text[start:end]
        lead = len(piece) - len(_LEADING_JUNK.sub("", piece, count=1))
        tail = len(piece) - len(_TRAILING_JUNK.sub("", piece, count=1))
        if lead == 0 and tail == 0:
            break
        start, end = start + lead, max(start + lead, end - tail)
    return start, end


def sentences(text: str, span: Span) -> list[Span]:
    """Sentence spans inside ``span`` (trimmed, empty ones dropped)."""
    start, end = span
    chunk = text[start:end]
    cuts: list[int] = []
    if is_zh(chunk):
        cuts = [m.end() for m in _ZH_END.finditer(chunk)]
    for m in _EN_END.finditer(chunk):
        word = re.search(r"([\w.]+)$", chunk[: m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        cuts.append(m.end())
    out: list[Span] = []
    prev = 0
    for cut in [*sorted(set(cuts)), len(chunk)]:
        s, e = trim(text, (start + prev, start + cut))
        if e > s:
            out.append((s, e))
        prev = cut
    return out


def clauses(text: str, span: Span) -> list[Span]:
    """Split a sentence at semicolons (``;``, ``；``) into trimmed clause spans."""
    start, end = span
    out: list[Span] = []
    prev = start
    for m in _CLAUSE_END.finditer(text, start, end):
        s, e = trim(text, (prev, m.start()))
        if e > s:
            out.append((s, e))
        prev = m.end()
    s, e = trim(text, (prev, end))
    if e > s:
        out.append((s, e))
    return out


def word_count(text: str) -> int:
    """Words for English, CJK characters / 2 for Chinese (a rough common scale for 'short')."""
    cjk = len(_CJK.findall(text))
    if cjk:
        return (cjk + 1) // 2 + len(re.findall(r"[A-Za-z]+", text))
    return len(re.findall(r"[\w'’-]+", text))


__all__ = ["Span", "cjk_ratio", "clauses", "detect_language", "is_zh", "sentences", "trim", "word_count"]
