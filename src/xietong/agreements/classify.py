"""Per-task extraction: area, lead and partner jurisdictions, state bodies, named projects and places, and
commitment strength. Rules only (see ``docs/agreements.md`` for why no model is used).

- **Area**: weighted vocabulary of each area (:mod:`xietong.agreements.lexicon`), counted in the task, with
  earlier words weighing more and words in an enumeration of examples (A、B、C等, "such as …") less (the main object of the first action leads, guide §3 rule 1), plus a smaller
  share of the measure's and the section's own scores (rule 3: the section breaks ties). When the task's
  coordinated actions belong to different areas, the first action decides if the measure it stands under
  names the same area (rule 1, the first action, and rule 2, the purpose the measure names, agree).
- **Lead and partners**: the acting jurisdictions in the subject of the governing verb; "X supports Y to …"
  makes Y the lead and X a partner; no acting jurisdiction means the parties lead. Partners are
  jurisdictions introduced by "with"/"together with"/与/会同, or the supporter (guide §4).
- **Strength**: from the governing verb (guide §5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from xietong import region
from xietong.agreements import grammar
from xietong.agreements import lexicon as lx
from xietong.agreements.model import Area, Strength
from xietong.agreements.text import is_zh

#: weight of the measure's and the section headings' area scores next to the task's own
MEASURE_WEIGHT = 0.5
SECTION_WEIGHT = 0.3
TITLE_WEIGHT = 0.15
#: weight of words inside an enumeration of examples: the fields a task lists detail its object, they are
#: not its object (guide §3 rule 1)
ENUMERATION_WEIGHT = 0.25


@dataclass(frozen=True, slots=True)
class Classification:
    area: Area
    lead: tuple[str, ...]
    partners: tuple[str, ...]
    bodies: tuple[str, ...]
    projects: tuple[str, ...]
    strength: Strength


# -------------------------------------------------------------------------------------------- area
@cache
def _area_patterns() -> tuple[tuple[Area, re.Pattern[str], float], ...]:
    out = []
    for area, terms in lx.AREA_TERMS_EN.items():
        for term, weight in terms:
            flags = 0 if term.isupper() else re.IGNORECASE
            flexible = term.replace(" ", r"[\s-]+")  # "air pollution" also matches "air-pollution"
            out.append((area, re.compile(rf"(?<!\w)(?:{flexible})(?!\w)", flags), weight))
    return tuple(out)


@cache
def _area_patterns_zh() -> tuple[tuple[Area, re.Pattern[str], float], ...]:
    return tuple((area, re.compile(term), weight) for area, terms in lx.AREA_TERMS_ZH.items() for term, weight in terms)


def area_scores(text: str) -> dict[Area, float]:
    """Score of each area in ``text``: the sum of its matched term weights, earlier matches weighing up
    to 1.5 times more than the last ones."""
    return dict(_area_scores(text))


@lru_cache(maxsize=4096)
def _area_scores(text: str) -> tuple[tuple[Area, float], ...]:
    return tuple(_compute_area_scores(text).items())


# an enumeration of examples: items joined by 、 and closed by 等 ("在科学研究、人才培养、产业促进等方面"), or what
# follows "such as" / "including" up to the end of the clause
_ENUMERATION_ZH = re.compile(r"[^，。；、,;：:]{1,20}(?:、[^，。；、,;：:]{1,20})+等")
_ENUMERATION_EN = re.compile(r"\b(?:such as|including)\s+[^;.()]*?(?=[;.()]|$)", re.IGNORECASE)


def enumerations(text: str) -> list[tuple[int, int]]:
    """Spans of the enumerations of examples in ``text`` (A、B、C等; "such as A, B and C")."""
    pattern = _ENUMERATION_ZH if is_zh(text) else _ENUMERATION_EN
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _compute_area_scores(text: str) -> dict[Area, float]:
    scores: dict[Area, float] = {}
    n = max(len(text), 1)
    spans = enumerations(text)
    for area, pat, weight in _area_patterns_zh() if is_zh(text) else _area_patterns():
        for m in pat.finditer(text):
            listed = any(s <= m.start() < e for s, e in spans)
            position = 1.0 + 0.5 * (1 - m.start() / n)
            scores[area] = scores.get(area, 0.0) + weight * position * (ENUMERATION_WEIGHT if listed else 1.0)
    return scores


# a comma or semicolon that may open the next coordinated action: "…, improving …", "…, and promote …", "…，推进…"
_ACTION_BREAK_EN = re.compile(r"\s*;\s*|,\s+(?:and\s+)?(?=([A-Za-z]+)\s)")
_ACTION_BREAK_ZH = re.compile(r"[；;]|[，,](?=(.))")


def actions(text: str) -> list[str]:
    """The coordinated actions of a task: its first clause and each later clause that opens with a verb
    ("…, improving …", "…, and promote …", "…，推进…") or follows a semicolon."""
    if is_zh(text):
        return _actions_zh(text)
    out: list[str] = []
    start = 0
    for m in _ACTION_BREAK_EN.finditer(text):
        word = m.group(1)
        if word is None or grammar.lemma(word) is not None:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return [p for p in out if p.strip()]


def _actions_zh(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    # an opening adverbial (依托…，) belongs to the first action: look for breaks after it
    for m in _ACTION_BREAK_ZH.finditer(text, grammar.skip_opening_zh(text)):
        if m.group(1) is None or grammar.opens_with_verb_zh(text[m.end() :]):
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return [p for p in out if p.strip()]


def _top_area(text: str) -> Area | None:
    scores = area_scores(text)
    if not scores:
        return None
    order = list(Area)
    return max(scores, key=lambda a: (round(scores[a], 6), -order.index(a)))


def _first_action_and_purpose(text: str, measure: str) -> Area | None:
    """The area on which guide §3 rules 1 and 2 agree for a task whose actions spread over several areas:
    its first action's (rule 1) when the measure it stands under, which names the purpose its actions serve
    (rule 2, guide §1), has the same area; ``None`` otherwise."""
    tops = [_top_area(action) for action in actions(text)]
    if len({t for t in tops if t is not None}) < 2:
        return None
    return tops[0] if tops[0] is not None and tops[0] is _top_area(measure) else None


def classify_area(
    text: str, *, measure: str | None = None, sections: Sequence[str] = (), title: str | None = None
) -> Area:
    """The area of a task from its text, its measure, the headings above it (nearest last) and the
    document's title (the subject of the whole document: it decides when nothing nearer does).

    A task whose actions spread over several areas takes its first action's area when its measure names
    the same one, however much its later actions weigh (guide §3 rules 1 and 2 agree)."""
    agreed = _first_action_and_purpose(text, measure) if measure else None
    if agreed is not None:
        return agreed
    total = dict(area_scores(text))
    context: dict[Area, float] = {}
    for a, s in (area_scores(title) if title else {}).items():
        context[a] = context.get(a, 0.0) + TITLE_WEIGHT * s
    if measure:
        for a, s in area_scores(measure).items():
            context[a] = context.get(a, 0.0) + MEASURE_WEIGHT * s
    for depth, heading in enumerate(reversed(sections)):
        for a, s in area_scores(heading).items():
            context[a] = context.get(a, 0.0) + SECTION_WEIGHT * s / (1 + depth)
    for a, s in context.items():
        total[a] = total.get(a, 0.0) + s
    if not total:
        return Area.MECHANISM
    order = list(Area)
    return max(total, key=lambda a: (round(total[a], 6), context.get(a, 0.0), -order.index(a)))


# ------------------------------------------------------------------------------------------ actors
_WITH_EN = re.compile(
    r"(?<!combined )(?<!line )(?<!accordance )(?<!consistent )(?<!along )\b(?:together |jointly )?with\s+",
    re.IGNORECASE,
)
_WITH_STOP = re.compile(r"\s(?:to|in|for|on|through|by|at|from|so|as|which|that|linked|headed)\s|[;:.()]")
_WITH_ZH = re.compile(r"(?:与|同|会同|联合|协同)(?=[\u4e00-\u9fff])")
_GIVE_SUPPORT_ZH = re.compile(r"(给予|予以)[\u4e00-\u9fff]{0,8}(?:支持|配合|协助|帮助)")
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")


def _codes(found: list[tuple[int, int, tuple[str, ...]]]) -> list[str]:
    return [c for _, _, codes in found for c in codes]


def _with_partners_en(clause: str) -> list[str]:
    out: list[str] = []
    for m in _WITH_EN.finditer(clause):
        rest = clause[m.end() :]
        stop = _WITH_STOP.search(rest)
        phrase = rest[: stop.start()] if stop else rest
        for item in re.split(r",\s*|\s+and\s+", phrase):
            words = re.sub(r"^(?:the|downstream|upstream|neighbouring|neighboring|adjacent)\s+", "", item.strip())
            head = " ".join(words.replace("'s", "").replace("’s", "").split()[:2])
            found = grammar.mentions_en(head)
            if not found or found[0][0] != 0:
                break
            out += _codes(found)
    return out


def _with_partners_zh(clause: str) -> list[str]:
    out: list[str] = []
    for m in _WITH_ZH.finditer(clause):
        found = grammar.mentions_zh(clause[m.end() : m.end() + 8])
        if found and found[0][0] == 0:
            out += _codes(found[:1])
    for m in _GIVE_SUPPORT_ZH.finditer(clause):
        before = clause[max(0, m.start() - 20) : m.start()]
        run: list[tuple[int, int, tuple[str, ...]]] = []
        end = len(before)
        for mention in reversed(grammar.mentions_zh(before)):
            if before[mention[1] : end].strip("和与及、") == "":
                run.insert(0, mention)
                end = mention[0]
            else:
                break
        out += _codes(run)
    return out


def _subject_codes(text: str, head: grammar.Head, parties: tuple[str, ...]) -> tuple[str, ...]:
    """Jurisdictions acting as the grammatical subject of ``head`` (none for a passive clause)."""
    if head.passive:
        return ()
    zh = is_zh(text)
    found = (grammar.mentions_zh if zh else grammar.mentions_en)(head.subject.strip(" *，,"))
    if not zh and found and found[0][0] > 4:
        return ()  # a jurisdiction inside a noun phrase ("the development of Tianjin Port") is no actor
    return grammar.resolve(_codes(found), parties)


def lead_and_partners(
    clause: str, parties: tuple[str, ...], *, shared: str | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and partner jurisdiction codes of a task (labelling guide §4).

    ``shared``: the first clause of the task's sentence when the task is a later clause (after a semicolon);
    a task without a subject of its own takes that clause's subject."""
    text = _QUOTED.sub(lambda m: " " * len(m.group(0)), clause)
    zh = is_zh(text)
    head = grammar.analyse(text)
    mentions = grammar.mentions_zh if zh else grammar.mentions_en
    subject_codes = _subject_codes(text, head, parties)
    if not subject_codes and shared and not head.passive:
        shared_text = _QUOTED.sub(lambda m: " " * len(m.group(0)), shared)
        subject_codes = _subject_codes(shared_text, grammar.analyse(shared_text), parties)
    partners: list[str] = []
    lead: tuple[str, ...] = ()
    if head.verb in ("support", "支持") and head.rest:
        obj = head.rest[:14] if zh else " ".join(re.split(r"\s+to\s+|,", head.rest)[0].split()[:6])
        found = mentions(obj)
        if found:
            lead = grammar.resolve(_codes(found), parties)
            supporter = subject_codes or tuple(p for p in parties if p not in lead)
            partners += supporter
    if not lead:
        lead = subject_codes or tuple(parties)
    partners += _with_partners_zh(text) if zh else _with_partners_en(text)
    resolved = grammar.resolve(partners, parties)
    return lead, tuple(c for c in resolved if c not in lead)


# ------------------------------------------------------------------------------------------ bodies
@cache
def _body_patterns() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    out = [(re.compile(p), name, False) for p, name in lx.BODIES_EN]
    out += [(re.compile(p), name, True) for p, name in lx.BODIES_ZH]
    return tuple(out)


def bodies(text: str) -> tuple[str, ...]:
    """State bodies named in ``text`` (canonical names where known), in order of appearance."""
    zh = is_zh(text)
    found: list[tuple[int, int, str]] = []
    for pat, name, is_zh_pattern in _body_patterns():
        if is_zh_pattern != zh:
            continue
        for m in pat.finditer(text):
            if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), name or m.group(0)))
    return tuple(dict.fromkeys(n for _, _, n in sorted(found)))


# ---------------------------------------------------------------------------------------- projects
_NAME = r"[A-Z][\w'’]*(?:[-–][A-Za-z][\w'’]*)*"
_CONNECT = r"(?:\s(?:of the|of|and|to|for|the)\s|\s)"


@cache
def _project_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    heads = "|".join(lx.PROJECT_HEADS_EN)
    named = re.compile(rf"\b{_NAME}(?:{_CONNECT}{_NAME})*?\s(?:{heads})\b(?:\s(?:Phase|phase)\s[IVX]+)?")
    places = sorted(
        {n for n in lx.PLACES if re.fullmatch(r"[A-Za-z' -]+", n)}
        | {r.name_en for r in region.places()}
        | {"Xiong'an", "Binhai"},
        key=len,
        reverse=True,
    )
    alt = "|".join(re.escape(p) for p in places)
    tails = "|".join(lx.PROJECT_TAILS_EN)
    compound = re.compile(rf"(?:(?:second|third)\s)?(?:{alt})(?:\s*[-–]\s*(?:{alt}))*\s(?:{tails})\b")
    zh_heads = "|".join(lx.PROJECT_HEADS_ZH)
    zh_places = sorted(
        {n for n in lx.PLACES if is_zh(n)} | {r.name_zh.rstrip("市省") for r in region.places()},
        key=len,
        reverse=True,
    )
    zh = re.compile(
        rf"(?:{'|'.join(map(re.escape, zh_places))}|[京津冀石雄唐秦邯邢保张承沧廊衡]{{2,3}})"
        rf"[^\s与和及的在向将对把为从并等，。；、“”（）()]{{0,10}}?(?:{zh_heads})"
    )
    return named, compound, zh


def projects(text: str) -> tuple[str, ...]:
    """Named projects and places ("Binhai-Zhongguancun Science Park", "Beijing-Tianjin high-speed
    railway", 津石高速公路), in order of appearance."""
    named, compound, zh = _project_patterns()
    found: list[tuple[int, str]] = []
    if is_zh(text):
        found += [(m.start(), m.group(0)) for m in zh.finditer(text)]
    else:
        for m in named.finditer(text):
            phrase = m.group(0)
            first = phrase.split()[0]
            if grammar.lemma(first) is not None or first.lower() in ("the", "a", "an"):
                phrase = re.sub(rf"^{re.escape(first)}(?:{_CONNECT})", "", phrase)
            for part in re.split(r"\s+and\s+(?=[A-Z])", phrase):
                if part and part[0].isupper() and len(part.split()) >= 2 and not bodies(part):
                    found.append((m.start() + m.group(0).find(part), part))
        found += [(m.start(), m.group(0)) for m in compound.finditer(text)]
    ordered = sorted(found)
    names = [n for _, n in ordered]
    return tuple(dict.fromkeys(n for n in names if not any(n != o and n in o for o in names)))


# ------------------------------------------------------------------------------------------- task
def strength(clause: str) -> Strength:
    """Commitment strength of a task from its governing verb (labelling guide §5)."""
    return grammar.analyse(clause).strength


def classify(
    clause: str,
    *,
    parties: tuple[str, ...],
    measure: str | None = None,
    sections: Sequence[str] = (),
    title: str | None = None,
    shared: str | None = None,
) -> Classification:
    """Everything the rules read from one task (``shared``: the first clause of its sentence, when the task
    is a later clause; ``title``: the document's title, the outermost context of its area)."""
    lead, partners = lead_and_partners(clause, parties, shared=shared)
    return Classification(
        area=classify_area(clause, measure=measure, sections=sections, title=title),
        lead=lead,
        partners=partners,
        bodies=bodies(clause),
        projects=projects(clause),
        strength=strength(clause),
    )


__all__ = [
    "ENUMERATION_WEIGHT",
    "MEASURE_WEIGHT",
    "SECTION_WEIGHT",
    "TITLE_WEIGHT",
    "Classification",
    "actions",
    "area_scores",
    "bodies",
    "classify",
    "classify_area",
    "enumerations",
    "lead_and_partners",
    "projects",
    "strength",
]
