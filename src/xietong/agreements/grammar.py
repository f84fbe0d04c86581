"""Shallow grammar of commitment sentences: who acts, what the governing verb is, and how firm it is.

Not a parser: a few robust regularities of agreement prose, in English and Chinese.

- An opening adverbial ending at a comma ("According to the Memorandum …, ", "At the same time, ") is
  skipped.
- The **governing verb** is the verb after the first modal ("will", "should", "is"), or the first word when
  it is a verb (an imperative), or the first finite verb after a short subject ("The two cities set up …").
  Verbs that only pass the task on ("cooperate with X to", "take the lead in", 负责, 牵头) are skipped.
- The **subject** is the text before the governing verb; actors in it are jurisdictions, places of one,
  party words ("the two sides", 双方) or the three ("the three places", 三地).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from xietong import region
from xietong.agreements import lexicon as lx
from xietong.agreements.model import Strength
from xietong.agreements.text import is_zh

_WORD = re.compile(r"[A-Za-z][\w'’&-]*")
_IRREGULAR = {
    "built": "build",
    "held": "hold",
    "made": "make",
    "given": "give",
    "taken": "take",
    "done": "do",
    "sought": "seek",
    "set": "set",
    "began": "begin",
    "led": "lead",
    "undertook": "undertake",
    "took": "take",
}
_ALL_VERBS_EN: frozenset[str] = frozenset().union(*lx.VERBS_EN.values(), lx.TRANSPARENT_EN, {"apply"})
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "in",
        "on",
        "with",
        "its",
        "their",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "our",
        "your",
        "by",
        "from",
    ]
)
_PARTY = "parties"
_THREE = "three"


@dataclass(frozen=True, slots=True)
class Head:
    """What :func:`analyse` found in one clause (offsets relative to the clause)."""

    subject: str
    verb: str | None  # English lemma or the Chinese verb
    verb_at: int  # offset of the governing verb, -1 when none
    strength: Strength
    passive: bool
    rest: str  # the text after the governing verb
    #: offset where the predicate begins (after an opening adverbial, the subject and adverbials after it)
    predicate_at: int = 0


# ------------------------------------------------------------------------------------------- words
def lemma(word: str) -> str | None:
    """The verb lemma of an English word form, when it is a known verb (``supports`` → ``support``)."""
    w = word.lower().replace("’", "'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    candidates = [w]
    if w.endswith(("ies", "ied")):
        candidates.append(w[:-3] + "y")
    if w.endswith("es"):
        candidates.append(w[:-2])
    if w.endswith("s"):
        candidates.append(w[:-1])
    if w.endswith("ed"):
        candidates += [w[:-2], w[:-1], w[:-3]]
    if w.endswith("ing"):
        candidates += [w[:-3], w[:-3] + "e", w[:-4]]
    for c in candidates:
        if c in _ALL_VERBS_EN:
            return c
    return None


def strength_of(verb: str, following: str = "") -> Strength:
    """Strength given by an English lemma or a Chinese verb (labelling guide §5)."""
    if verb == "apply":
        return Strength.EXPLORE if re.match(r"\s*(?:to|for)\b", following) else Strength.ADVANCE
    for strength in (Strength.EXPLORE, Strength.ESTABLISH, Strength.ADVANCE):
        if verb in lx.VERBS_EN[strength] or verb in lx.VERBS_ZH[strength]:
            return strength
    return Strength.ADVANCE


def _starter_re() -> re.Pattern[str]:
    words = sorted(lx.ADVERBIAL_STARTERS_EN, key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


_STARTER = _starter_re()
_ORDINAL = re.compile(
    r"^(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|finally|lastly)(?:ly)?|"
    r"first of all|in addition)\s*[,:]\s*",
    re.IGNORECASE,
)


def skip_opening(text: str) -> int:
    """Offset after ordinal words and opening adverbials that end at a comma (English)."""
    pos = 0
    for _ in range(4):
        rest = text[pos:]
        m = _ORDINAL.match(rest)
        if m:
            pos += m.end()
            continue
        lead = len(rest) - len(rest.lstrip(" *"))
        if lead:
            pos += lead
            continue
        if _STARTER.match(rest):
            comma = rest.find(",")
            if 0 < comma < 200 and rest[comma + 1 :].strip():
                pos += comma + 1
                continue
        break
    return pos


# ------------------------------------------------------------------------------------------ actors
@cache
def _actor_patterns_en() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    names: dict[str, tuple[str, ...]] = {}
    for r in region.places():
        for n in (r.name_en, *r.aliases):
            if re.fullmatch(r"[A-Za-z' -]+", n) and len(n) > 2:
                names[n] = (r.code,)
    for n, code in lx.PLACES.items():
        if re.fullmatch(r"[A-Za-z' -]+", n):
            names[n] = (code,)
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pats: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
        (re.compile(rf"\b(?:{alt})(?:\s*[-–—]\s*(?:{alt}))+\b"), ()),  # compounds: codes filled by caller
        (re.compile(r"\b(?:Jing|Jin|Ji)(?:[- ](?:Jing|Jin|Ji)){1,2}\b"), ()),
    ]
    pats += [
        (re.compile(rf"\b{re.escape(n)}\b"), codes) for n, codes in sorted(names.items(), key=lambda kv: -len(kv[0]))
    ]
    pats += [(re.compile(rf"\b{p}\b", re.IGNORECASE), (_THREE,)) for p in lx.THREE_WORDS_EN]
    pats += [(re.compile(rf"^(?:{p})\b|\b(?:{p})\b(?!-)", re.IGNORECASE), (_PARTY,)) for p in lx.PARTY_WORDS_EN]
    return tuple(pats)


@cache
def _zh_names() -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for r in region.places():
        for n in (r.name_zh, *r.aliases):
            if is_zh(n):
                out[n] = r.code
    for n, code in lx.PLACES.items():
        if is_zh(n):
            out[n] = code
    return tuple(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _compound_codes(match: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in re.split(r"\s*[-–—]\s*|\s+", match):
        key = part.lower()
        if key in lx.SHORT_EN and re.fullmatch(r"(?:Jing|Jin|Ji)(?:[- ](?:Jing|Jin|Ji)){1,2}", match):
            codes.append(lx.SHORT_EN[key])
            continue
        found = region.find(part)
        if found is not None:
            codes.append(found.code)
        elif part in lx.PLACES:
            codes.append(lx.PLACES[part])
    return tuple(codes)


def mentions_en(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Actor mentions in English text: ``(start, end, codes)``; codes may hold ``"parties"``/``"three"``."""
    return list(_mentions_en(text))


@lru_cache(maxsize=4096)
def _mentions_en(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    taken = [False] * (len(text) + 1)
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for pat, codes in _actor_patterns_en():
        for m in pat.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            found = codes or _compound_codes(m.group(0))
            if not found:
                continue
            out.append((m.start(), m.end(), found))
            for i in range(m.start(), m.end()):
                taken[i] = True
    return tuple(sorted(out))


def mentions_zh(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Actor mentions in Chinese text, longest names first (天津市 before 天津; 京津冀 as three codes)."""
    taken = [False] * (len(text) + 1)
    out: list[tuple[int, int, tuple[str, ...]]] = []

    def add(start: int, end: int, codes: tuple[str, ...]) -> None:
        if not any(taken[start:end]):
            out.append((start, end, codes))
            for i in range(start, end):
                taken[i] = True

    for word in sorted((*lx.PARTY_WORDS_ZH, *lx.THREE_WORDS_ZH), key=len, reverse=True):
        for m in re.finditer(re.escape(word), text):
            add(m.start(), m.end(), (_THREE,) if word in lx.THREE_WORDS_ZH else (_PARTY,))
    for name, code in _zh_names():
        for m in re.finditer(re.escape(name), text):
            add(m.start(), m.end(), (code,))
    # 京津冀, 京津, 津冀, 京冀 (two or three of the short names, not followed by a name character)
    for m in re.finditer(r"[京津冀]{2,3}(?![\u4e00-\u9fff]{0,1}(?:路|街))", text):
        chars = m.group(0)
        if len(set(chars)) == len(chars):
            add(m.start(), m.end(), tuple(lx.SHORT_ZH[c] for c in chars))
    for m in re.finditer(r"甲方|乙方|丙方", text):
        add(m.start(), m.end(), ("party:" + "甲乙丙".index(m.group(0)[0]).__str__(),))
    return sorted(out)


def mentions(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    return mentions_zh(text) if is_zh(text) else mentions_en(text)


def resolve(codes: list[str] | tuple[str, ...], parties: tuple[str, ...]) -> tuple[str, ...]:
    """Turn raw mention codes into jurisdiction codes: party words → the parties, the three → BJ, TJ, HE;
    an ancestor is dropped when a place inside it is named (河北省沧州 → Cangzhou). Order kept, no repeats."""
    out: list[str] = []
    for c in codes:
        if c == _PARTY:
            out += parties
        elif c == _THREE:
            out += ["110000", "120000", "130000"]
        elif c.startswith("party:"):
            i = int(c.split(":")[1])
            if i < len(parties):
                out.append(parties[i])
        else:
            out.append(c)
    uniq = list(dict.fromkeys(out))
    return tuple(c for c in uniq if not any(o != c and region.is_within(o, c) for o in uniq))


# ------------------------------------------------------------------------------------------- heads
def analyse_en(clause: str) -> Head:
    """Subject, governing verb and strength of an English clause."""
    start = skip_opening(clause)
    words = [(m.start() + start, m.group(0)) for m in _WORD.finditer(clause[start:])]
    i = 0
    first = True
    while i < len(words):
        at, w = words[i]
        low = w.lower()
        if (low in lx.ADVERBS_EN and low not in ("to",)) or (first and low in ("to", "the")):
            i += 1
            continue
        if low in lx.MODALS_EN and not first:
            head = _after_modal_en(clause, words, i, start)
            if head is not None:
                return head
            i += 1
            first = False
            continue
        lem = lemma(w)
        if first:
            noun = i > 0 and words[i - 1][1].lower() == "the" and i + 1 < len(words) and _third_person(words[i + 1][1])
            if lem is not None and not noun:  # "The plan focuses on …": "plan" is a noun
                return _head(clause, clause[start:at], lem, at, w, passive=False)
            if low in lx.NOMINAL_EN:
                return Head("", low, at, lx.NOMINAL_EN[low], False, clause[at + len(w) :])
        elif lem is not None and i <= 12 and words[i - 1][1].lower() not in _DETERMINERS and not low.endswith("ing"):
            if i + 1 < len(words) and _third_person(words[i + 1][1]) and not _third_person(w):
                i += 1  # "The action plan focuses on …": the noun "plan" ends the subject, "focuses" governs
                continue
            return _head(clause, clause[start:at], lem, at, w, passive=False)
        first = False
        i += 1
    return _nominal_head_en(clause, words, start)


def _after_modal_en(clause: str, words: list[tuple[int, str]], i: int, start: int) -> Head | None:
    """The head governed by the modal ``words[i]`` ("shall promote", "will be strengthened"), or ``None``
    when no verb follows it (the caller then reads on)."""
    at, w = words[i]
    low = w.lower()
    j = i + 1
    passive = low in ("is", "are")
    while j < len(words) and words[j][1].lower() in lx.ADVERBS_EN | {"be", "been", "not"}:
        passive = passive or words[j][1].lower() in ("be", "been")
        j += 1
    if j >= len(words):
        return None
    vat, vw = words[j]
    subject = clause[start:at]
    if vw.lower() in lx.LIGHT_PASSIVE_EN:
        for _, sw in reversed([x for x in words if x[0] < at]):
            if sw.lower() in lx.NOMINAL_EN:
                return Head(subject, sw.lower(), vat, lx.NOMINAL_EN[sw.lower()], True, clause[vat:])
    lem = lemma(vw)
    participle = vw.lower().endswith(("ed", "en")) or vw.lower() in _IRREGULAR
    passive = passive and participle  # "shall be responsible for" is no passive
    if lem is not None or passive:
        verb = lem or vw.lower()
        return _head(clause, subject, verb, vat, vw, passive=passive and not vw.lower().endswith("ing"))
    if low not in ("is", "are"):  # "shall be responsible for …": the modal still ends the subject
        return Head(subject, vw.lower(), vat, Strength.ADVANCE, False, clause[vat + len(vw) :])
    return None


def _nominal_head_en(clause: str, words: list[tuple[int, str]], start: int) -> Head:
    """No verb governs the clause: the first nominal action word ("construction of …"), else no head."""
    for at, w in words:
        if w.lower() in lx.NOMINAL_EN:
            return Head("", w.lower(), at, lx.NOMINAL_EN[w.lower()], False, clause[at + len(w) :])
    return Head(clause[start:], None, -1, Strength.ADVANCE, False, "")


_FINITE_EN = re.compile(r"\b(?:is|are|was|were|has|have|had)\b", re.IGNORECASE)


def _third_person(word: str) -> bool:
    """A verb in the third person singular present ("focuses", "seeks", "supports")."""
    low = word.lower()
    return low.endswith("s") and not low.endswith("ss") and lemma(low) is not None and lemma(low) != low


def is_imperative_en(clause: str) -> bool:
    """``True`` when the clause (after its opening) starts with a verb in its base form, or with its
    -ing form and no finite verb follows: machine translations of Chinese plans render the imperative
    (推进…) as a gerund ("Improving the business environment …"), while "Improving X is …" is a subject."""
    start = skip_opening(clause)
    for m in _WORD.finditer(clause[start:]):
        low = m.group(0).lower()
        if low in lx.ADVERBS_EN:
            continue
        lem = lemma(low)
        if lem is not None and low.endswith("ing") and low != lem:
            return not _FINITE_EN.search(clause, start + m.end())
        return lem is not None and (lem == low or low in _IRREGULAR)
    return False


def _head(clause: str, subject: str, verb: str, at: int, word: str, *, passive: bool) -> Head:
    after = clause[at + len(word) :]
    if verb in lx.TRANSPARENT_EN:
        m = re.search(r"\b(?:to|in)\s+(?:the\s+)?", after)
        if m:
            inner = analyse_en(after[m.end() :])
            if inner.verb is not None:
                offset = at + len(word) + m.end()
                return Head(subject, inner.verb, inner.verb_at + offset, inner.strength, passive, inner.rest)
        return Head(subject, verb, at, Strength.ADVANCE, passive, after)
    return Head(subject, verb, at, strength_of(verb, after), passive, after)


_ZH_VERBS: tuple[tuple[str, Strength | None], ...] = tuple(
    sorted(
        [(v, s) for s, vs in lx.VERBS_ZH.items() for v in vs] + [(v, None) for v in lx.TRANSPARENT_ZH],
        key=lambda vs: -len(vs[0]),
    )
)
_ZH_ORG = re.compile(r"^[\u4e00-\u9fff]{0,8}?(?:部门|政府|人民政府|委员会|集团|港口|机场|海关|地区)")
#: what may follow a subject: a modal, an adverb or preposition, a comma (a verb is checked apart)
_ZH_AFTER_SUBJECT = re.compile(
    r"^(?:[，,\s]|将|要|应|须|必须|可|已|也|均|都|分别|各自|一道|携手|还|在|于|对|为|与|同|会同|"
    + "|".join(lx.ADVERBIAL_STARTERS_ZH)
    + ")"
)
_ZH_SKIP = re.compile(r"^[\s，,、]+")


def _skip_adverbial_zh(text: str, at: int) -> int:
    """Offset after an adverbial that opens at ``at`` with a preposition (依托, 在, 对 …) and ends at a comma
    within 60 characters; ``at`` when there is none."""
    rest = text[at:]
    if not rest.startswith(lx.ADVERBIAL_STARTERS_ZH):
        return at
    comma = re.search(r"[，,]", rest[:60])
    if comma is None or not rest[comma.end() :].strip():
        return at
    return at + comma.end()


def _subject_end_zh(text: str) -> int:
    """End of a subject made of jurisdictions (joined by 和 与 及 、) and a body or place of theirs (…部门,
    人民政府, 港口), when a verb, modal, adverb or comma follows; 0 when there is none."""
    pos = 0
    for s, e, _ in mentions_zh(text):
        if s != pos:
            break
        pos = e
        while pos < len(text) and text[pos] in "和与及、":
            pos += 1
    if not pos:
        return 0
    org = _ZH_ORG.match(text[pos:])
    end = pos + (org.end() if org else 0)
    rest = text[end:]
    if _ZH_AFTER_SUBJECT.match(rest) or any(rest.startswith(v) for v, _ in _ZH_VERBS):
        return end
    return 0  # the jurisdiction only qualifies a noun ("京津冀一卡通应用场所应当…"): no subject


def analyse_zh(clause: str) -> Head:
    """Subject, governing verb and strength of a Chinese clause.

    An opening adverbial (依托…，, 在…方面，) is skipped before and after the subject."""
    text = re.sub(r"^(?:第[一二三四五六七八九十]+|首先|其次|再次|最后)[，,]", "", clause)
    offset = len(clause) - len(text)
    opening = _skip_adverbial_zh(text, 0)
    text, offset = text[opening:], offset + opening
    subject_end = _subject_end_zh(text)
    i = _skip_adverbial_zh(text, subject_end)
    predicate_at, limit = i + offset, i + 30
    while i < len(text) and i < limit:
        skip = _ZH_SKIP.match(text[i:])
        if skip:
            i += skip.end()
            continue
        for verb, strength in _ZH_VERBS:
            if text.startswith(verb, i):
                if strength is None:
                    i += len(verb)
                    break
                rest = text[i + len(verb) :]
                return Head(text[:subject_end], verb, i + offset, strength, False, rest, predicate_at)
        else:
            i += 1
    return Head(text[:subject_end], None, -1, Strength.ADVANCE, False, "", predicate_at)


def skip_opening_zh(text: str) -> int:
    """Offset after an opening adverbial of a Chinese clause (依托…，, 在…方面，); 0 when there is none."""
    return _skip_adverbial_zh(text, 0)


def opens_with_verb_zh(text: str) -> bool:
    """Whether a Chinese clause opens with a known verb (推进…, 共建…, 研究…), also after words such as 共同,
    联合, 进一步 that a verb carries along."""
    for _ in range(3):
        verb = next((v for v, _ in _ZH_VERBS if text.startswith(v)), None)
        if verb is None:
            return False
        if verb not in lx.TRANSPARENT_ZH:
            return True
        text = text[len(verb) :]
    return False


def analyse(clause: str) -> Head:
    return analyse_zh(clause) if is_zh(clause) else analyse_en(clause)


__all__ = [
    "Head",
    "analyse",
    "analyse_en",
    "analyse_zh",
    "is_imperative_en",
    "lemma",
    "mentions",
    "opens_with_verb_zh",
    "resolve",
    "skip_opening",
    "skip_opening_zh",
    "strength_of",
]
