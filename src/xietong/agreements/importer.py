"""``import_agreement``: from a file, bytes or text to an :class:`~xietong.agreements.model.Agreement`.

Reading a file is the only I/O; everything after it is a pure function of the text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

from xietong import region
from xietong.agreements import grammar
from xietong.agreements.classify import classify
from xietong.agreements.model import Agreement, Party, SourceFormat, Task
from xietong.agreements.parse import Layout, candidates, layout
from xietong.agreements.text import is_zh
from xietong.errors import InputError, Location, excerpt, require_extra
from xietong.inputs import read_input_bytes

_SUFFIX = {
    ".txt": SourceFormat.TEXT,
    ".text": SourceFormat.TEXT,
    ".md": SourceFormat.MARKDOWN,
    ".markdown": SourceFormat.MARKDOWN,
    ".docx": SourceFormat.DOCX,
}
_DOCX_MAGIC = b"PK\x03\x04"


# ------------------------------------------------------------------------------------------ reading
def read_docx(data: bytes, *, source: str | None = None) -> str:
    """Text of a DOCX document: one paragraph a line, headings as Markdown ``#`` lines, list paragraphs as
    ``- `` lines. Tables are not read."""
    docx = require_extra("docx", extra="docx", feature="reading DOCX agreements", package="python-docx")

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:  # SyntaxError: lxml's XMLSyntaxError
        raise InputError(
            "not a readable DOCX file",
            expected="a Word .docx document (Office Open XML)",
            given=f"{len(data)} bytes that python-docx cannot open ({excerpt(str(exc), 120)})",
            where=Location(source=source),
            hint="save the document as .docx, or export it as plain text (.txt) and import that",
        ) from exc
    lines: list[str] = []
    for p in document.paragraphs:
        text = p.text.strip()
        style = (p.style.name if p.style is not None and p.style.name else "").lower()
        if not text:
            lines.append("")
            continue
        m = re.match(r"heading\s*(\d)", style)
        if style == "title":
            lines.append(f"# {text}")
        elif m:
            lines.append("#" * min(6, int(m.group(1)) + 1) + f" {text}")
        elif "list" in style:
            lines.append(f"- {text}")
        else:
            lines.append(text)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _decode(data: bytes, source: str | None) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode the agreement text",
        expected="UTF-8 (or GB 18030) text, Markdown, or a .docx file",
        given="bytes that are neither",
        where=Location(source=source),
        hint="convert the file to UTF-8 (e.g. `iconv -f GBK -t UTF-8`)",
    )


def read_source(
    source: str | Path | bytes, *, format: SourceFormat | str = SourceFormat.AUTO
) -> tuple[str, str | None]:
    """The text of an agreement and the name of its file (``None`` for text given directly).

    ``source`` is a path (``Path``, or a ``str`` without a line break that names an existing file or ends
    in ``.txt``/``.md``/``.docx``), the bytes of a file, or the text itself.
    """
    fmt = SourceFormat(format)
    name: str | None = None
    data: bytes | None = None
    if (
        isinstance(source, str)
        and "\n" not in source
        and (Path(source).suffix.lower() in _SUFFIX or (len(source) < 4096 and Path(source).is_file()))
    ):
        source = Path(source)
    if isinstance(source, Path):
        name = source.name
        if not source.exists():
            raise InputError(
                "agreement file not found",
                expected="a path to a .txt, .md or .docx file",
                given=str(source),
                hint="check the path, or pass the agreement text itself",
            )
        data = read_input_bytes(source, what="agreement file")  # a directory or unreadable file named as such
        if fmt is SourceFormat.AUTO:
            fmt = _SUFFIX.get(source.suffix.lower(), SourceFormat.AUTO)
    elif isinstance(source, bytes):
        data = source
    if data is not None:
        if fmt is SourceFormat.DOCX or (fmt is SourceFormat.AUTO and data.startswith(_DOCX_MAGIC)):
            return read_docx(data, source=name), name
        text = _decode(data, name)
    else:
        if not isinstance(source, str):
            raise InputError(
                "unsupported agreement source",
                expected="a path, bytes or text",
                given=type(source).__name__,
                hint="pass pathlib.Path('file.txt'), the file's bytes, or its text",
            )
        if fmt is SourceFormat.DOCX:
            raise InputError(
                "DOCX given as text",
                expected="the bytes or the path of a .docx file",
                given="a str",
                hint="pass Path('file.docx') or open(..., 'rb').read()",
            )
        text = source
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise InputError(
            "empty agreement",
            expected="the text of an agreement or plan",
            given="an empty text",
            where=Location(source=name),
            hint="check that the file is not empty",
        )
    longest = max(text.split("\n"), key=len)
    if len(longest) > MAX_LINE_CHARS:
        line = text.split("\n").index(longest) + 1
        raise InputError(
            "a line too long for an agreement text",
            expected=f"paragraphs of at most {MAX_LINE_CHARS:,} characters",
            given=f"{len(longest):,} characters on one line, starting {excerpt(longest, 40)!r}",
            where=Location(source=name, row=line),
            hint="is this the text of the agreement (not a data or binary file)?",
        )
    return text, name


# --------------------------------------------------------------------------------------- metadata
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
_DATE_PATTERNS = (
    re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4})\b"),
    re.compile(r"\b([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})\b"),
    re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"),
)


def _zh_number(text: str) -> int:
    if len(text) == 4:  # a year, digit by digit
        return int("".join(str(_ZH_DIGITS[c]) for c in text))
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)
    return _ZH_DIGITS[text]


def parse_date(text: str) -> dt.date | None:
    """The first full date in ``text`` (2014-08-06, 2014年8月6日, 二〇一四年八月六日, 6 August 2014,
    August 6, 2014), or ``None``."""
    best: tuple[int, dt.date] | None = None
    for i, pat in enumerate(_DATE_PATTERNS):
        for m in pat.finditer(text):
            try:
                if i in (0, 1):
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                elif i == 2:
                    y, mo, d = int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))
                elif i == 3:
                    y, mo, d = int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))
                else:
                    y, mo, d = _zh_number(m.group(1)), _zh_number(m.group(2)), _zh_number(m.group(3))
                found = dt.date(y, mo, d)
            except (KeyError, ValueError):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), found)
            break
    return best[1] if best else None


def _date(lay: Layout) -> dt.date | None:
    for key in ("date", "日期", "签订日期", "签署日期", "签订时间", "signed on", "date of signature"):
        for value in lay.fields.get(key, []):
            found = parse_date(value)
            if found:
                return found
    for span in reversed(lay.tail):
        found = parse_date(lay.text[span[0] : span[1]])
        if found:
            return found
    head = "\n".join(lay.text.split("\n")[:6])
    return parse_date(head)


_PARTY_FIELDS = (
    "甲方",
    "乙方",
    "丙方",
    "party a",
    "party b",
    "party c",
    "parties",
    "issued by",
    "signed by",
    "signatories",
    "发文机关",
    "发布单位",
    "发文单位",
)
_TWO = re.compile(
    r"\b(?:the two (?:sides|parties|cities|places|governments)|both (?:sides|parties))\b|双方|两地|两市", re.IGNORECASE
)
_THREE = re.compile(r"\bthe three (?:places|sides|parties|governments)\b|三地|三方|三省市", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+(.{3,120}?)\s+and\s+(.{3,120}?)(?:[,.;(]|$)", re.IGNORECASE)


def _party(code: str) -> Party:
    r = region.get(code)
    return Party(name=r.name_en, code=r.code, name_zh=r.name_zh)


def _codes_in(text: str) -> list[str]:
    """Jurisdictions named in ``text``, in order (a party named with its seat keeps both)."""
    return list(dict.fromkeys(c for _, _, cs in grammar.mentions(text) for c in cs if c.isdigit()))


#: what may stand between the jurisdictions that open a title: their bodies and joining words
_AUTHOR_GAP_ZH = re.compile(
    r"(?:市|省)?(?:委|人民政府|政府|人民代表大会常务委员会|人大常委会|委员会|办公厅|办公室)?[\s与和及、]*"
)
_AUTHOR_GAP_EN = re.compile(
    r"(?:\s*(?:Municipal|Provincial|City|People's|People’s|Government|Municipality|Province|,|and|&))*\s*",
    re.IGNORECASE,
)


_OF_AUTHOR = re.compile(
    r"^(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:plan|programme|program|opinions|measures|regulations?|provisions|"
    r"scheme|rules|notice)\s+of\s+(?:the\s+)?",
    re.IGNORECASE,
)


def title_authors(title: str) -> list[str]:
    """Jurisdictions that open the title as its subject, i.e. the document's author(s): "北京市推进…规定" →
    110000, "Shijiazhuang Action Plan …" and "Implementation Plan of Shijiazhuang on …" → 130100,
    "天津市人民政府 河北省人民政府 关于…协议" → 120000, 130000.

    None when the title opens with the name of the whole region (京津冀…, "Beijing-Tianjin-Hebei …"): that
    names the subject matter, not an author."""
    head = re.sub(r"^中共", "", title.lstrip(' #*"“《'))
    of_author = _OF_AUTHOR.search(head)
    if of_author and not is_zh(head):
        head = head[of_author.end() :]  # "Implementation Plan of Shijiazhuang Municipality on …"
    codes: list[str] = []
    pos = 0
    gaps = _AUTHOR_GAP_ZH if is_zh(head) else _AUTHOR_GAP_EN
    for start, end, found in grammar.mentions(head):
        if start != pos:
            break
        codes += found
        gap = gaps.match(head, end)
        pos = gap.end() if gap else end
    if not codes or not all(c.isdigit() for c in codes) or {"110000", "120000", "130000"} <= set(codes):
        return []
    return list(dict.fromkeys(codes))


def parties(lay: Layout) -> tuple[Party, ...]:
    """The parties: from party or issuer fields, a "between X and Y" in the title, the author(s) that open
    the title (a city's own plan or regulation, :func:`title_authors`), or — for texts that speak of "the
    two sides"/双方 or "the three places"/三地 — the jurisdictions the text names most; else those in the
    title."""
    named: list[Party] = []
    for key in _PARTY_FIELDS:
        for value in lay.fields.get(key, []):
            codes = _codes_in(value)
            named += [_party(c) for c in codes] if codes else [Party(name=value)]
    if named:
        return tuple(dict.fromkeys(named))
    m = _BETWEEN.search(lay.title)
    if m:
        codes = [c for side in (m.group(1), m.group(2)) for c in _codes_in(side)[:1]]
        if codes:
            return tuple(_party(c) for c in dict.fromkeys(codes))
    authors = title_authors(lay.title)
    if authors:
        return tuple(_party(c) for c in authors)
    two, three = len(_TWO.findall(lay.text)), len(_THREE.findall(lay.text))
    if two or three:
        n = 2 if two >= three else 3
        counts = Counter(
            c
            for _, _, cs in grammar.mentions(lay.text)
            for c in cs
            if c.isdigit() and region.get(c).parent is None and region.get(c).jurisdiction
        )
        top = [c for c, _ in counts.most_common(n)]
        if len(top) == n:
            return tuple(_party(c) for c in sorted(top))
    return tuple(_party(c) for c in _codes_in(lay.title))


# --------------------------------------------------------------------------------------------- tasks
def task_id(text: str) -> str:
    """A stable id from the task's text (white space and omission marks ignored): ``t-`` and 10 hex digits."""
    norm = re.sub(r"[\s*]+", " ", text).strip().casefold()
    return "t-" + hashlib.sha1(norm.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def from_text(text: str, *, source: str | None = None) -> Agreement:
    """Import an agreement from its text (the pure core of :func:`import_agreement`)."""
    lay = layout(text)
    found_parties = parties(lay)
    party_codes = tuple(p.code for p in found_parties if p.code)
    tasks: list[Task] = []
    seen: Counter[str] = Counter()
    per_section: Counter[int | None] = Counter()
    for cand in candidates(lay):
        clause = text[cand.span[0] : cand.span[1]]
        section = lay.sections[cand.section] if cand.section is not None else None
        measure = text[cand.measure[0] : cand.measure[1]].strip(" *") if cand.measure else None
        result = classify(
            clause,
            parties=party_codes,
            measure=measure,
            sections=section.path if section else (),
            title=lay.title or None,
            shared=text[cand.shared[0] : cand.shared[1]] if cand.shared else None,
        )
        base = task_id(clause)
        seen[base] += 1
        per_section[cand.section] += 1
        number = f"{section.number}.{per_section[cand.section]}" if section else str(per_section[cand.section])
        tasks.append(
            Task(
                id=base if seen[base] == 1 else f"{base}-{seen[base]}",
                number=number,
                text=clause,
                span=cand.span,
                section=section.heading if section else None,
                section_number=section.number if section else None,
                section_path=section.path if section else (),
                measure=measure,
                area=result.area,
                lead=result.lead,
                partners=result.partners,
                bodies=result.bodies,
                projects=result.projects,
                strength=result.strength,
            )
        )
    title = lay.title or (Path(source).stem.replace("_", " ") if source else "")
    return Agreement(
        title=title,
        parties=found_parties,
        date=_date(lay),
        language=lay.language,
        sections=tuple(lay.sections),
        tasks=tuple(tasks),
        text=text,
        source=source,
    )


#: the longest line (paragraph) an agreement may have: ten pages of Chinese; longer is not a text
MAX_LINE_CHARS = 20_000


def import_agreement(source: str | Path | bytes, *, format: SourceFormat | str = SourceFormat.AUTO) -> Agreement:
    """Import an agreement or plan from a file path, the bytes of a file, or its text.

    Parameters
    ----------
    source:
        ``Path`` or path string (``.txt``, ``.md``, ``.docx``), bytes (UTF-8/GB 18030 text or DOCX), or
        the text itself (a ``str`` with a line break).
    format:
        ``auto`` (by suffix or content), ``text``, ``markdown`` or ``docx``.

    Returns
    -------
    Agreement
        ``.as_dict()`` is the JSON object of ``xietong agreements import FILE --json``.

    Raises
    ------
    InputError
        Missing or empty file, undecodable bytes, unreadable DOCX.
    """
    text, name = read_source(source, format=format)
    return from_text(text, source=name)


__all__ = [
    "from_text",
    "import_agreement",
    "parse_date",
    "parties",
    "read_docx",
    "read_source",
    "task_id",
    "title_authors",
]
