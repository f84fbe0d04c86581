"""Data model of an imported agreement: the enums that are the single source of allowed options, and the
frozen records the importer returns.

Spans are character offsets ``[start, end)`` into :attr:`Agreement.text`, the text the importer read (for
a DOCX file: the text extracted from it, one paragraph a line, headings as Markdown ``#`` lines).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xietong import region


class Area(StrEnum):
    """Policy area of a task (see ``docs/agreements-labelling.md`` §3 for what each covers).

    ``ecology/general`` holds ecology that is neither air nor water (protection plans and funds, forests,
    green corridors, solid waste): the issue's list had no place for it and forcing it into air or water
    would make the per-area progress misleading.
    """

    TRANSPORT = "transport"
    ECOLOGY_AIR = "ecology/air"
    ECOLOGY_WATER = "ecology/water"
    ECOLOGY_GENERAL = "ecology/general"
    ENERGY = "energy"
    INDUSTRY = "industry"
    INNOVATION = "innovation"
    PORTS_CUSTOMS = "ports-customs"
    TRADE_INVESTMENT = "trade-investment"
    FINANCE = "finance"
    TOURISM_EXHIBITIONS = "tourism-exhibitions"
    TALENT = "talent"
    PUBLIC_SERVICES = "public-services"
    PLANNING = "planning"
    MECHANISM = "mechanism"

    @property
    def label(self) -> str:
        """English label for tables: ``ports and customs``."""
        return _AREA_LABEL[self][0]

    @property
    def label_zh(self) -> str:
        """Chinese label: ``口岸通关``."""
        return _AREA_LABEL[self][1]


_AREA_LABEL: dict[Area, tuple[str, str]] = {
    Area.TRANSPORT: ("transport", "交通"),
    Area.ECOLOGY_AIR: ("ecology: air", "生态环境·大气"),
    Area.ECOLOGY_WATER: ("ecology: water", "生态环境·水"),
    Area.ECOLOGY_GENERAL: ("ecology: general", "生态环境·综合"),
    Area.ENERGY: ("energy", "能源"),
    Area.INDUSTRY: ("industry", "产业"),
    Area.INNOVATION: ("innovation", "科技创新"),
    Area.PORTS_CUSTOMS: ("ports and customs", "港口口岸"),
    Area.TRADE_INVESTMENT: ("trade and investment", "贸易投资"),
    Area.FINANCE: ("finance", "金融"),
    Area.TOURISM_EXHIBITIONS: ("tourism and exhibitions", "旅游会展"),
    Area.TALENT: ("talent", "人才"),
    Area.PUBLIC_SERVICES: ("public services", "公共服务"),
    Area.PLANNING: ("planning", "规划"),
    Area.MECHANISM: ("mechanism", "合作机制"),
}


class Strength(StrEnum):
    """How firm a commitment is, from its governing verb (labelling guide §5).

    ``establish``: a concrete deliverable (establish, build, set up, implement, formulate …; 建立 建设 实施).
    ``advance``: continuing effort without a deliverable (promote, strengthen, support …; 推进 加强 支持).
    ``explore``: not yet decided (study, explore, strive for, seek …; 研究 探索 争取).
    """

    ESTABLISH = "establish"
    ADVANCE = "advance"
    EXPLORE = "explore"

    @property
    def rank(self) -> int:
        """3 for ``establish``, 2 for ``advance``, 1 for ``explore``: sortable firmness."""
        return {Strength.ESTABLISH: 3, Strength.ADVANCE: 2, Strength.EXPLORE: 1}[self]


class SourceFormat(StrEnum):
    """Input formats of :func:`xietong.agreements.import_agreement`."""

    AUTO = "auto"
    TEXT = "text"
    MARKDOWN = "markdown"
    DOCX = "docx"


class Language(StrEnum):
    EN = "en"
    ZH = "zh"


def _names(codes: tuple[str, ...]) -> list[str]:
    return [region.get(c).name_en for c in codes]


@dataclass(frozen=True, slots=True)
class Party:
    """A party of the agreement: a jurisdiction code when it is one of :mod:`xietong.region`, and a name."""

    name: str
    code: str | None = None
    name_zh: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_zh": self.name_zh}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the document.

    ``number`` is the position in the heading tree (``"2.1"``), independent of how the document numbers
    it; ``label`` is the marker as written (``"（一）"``, ``"1."``, ``""``); ``path`` the headings from the top
    section down to this one.
    """

    number: str
    heading: str
    level: int
    label: str
    path: tuple[str, ...]
    span: tuple[int, int]
    #: ``False`` for background, principles, objectives, final provisions …: no tasks are read there
    has_tasks: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "heading": self.heading,
            "level": self.level,
            "label": self.label,
            "path": list(self.path),
            "span": list(self.span),
            "has_tasks": self.has_tasks,
        }


@dataclass(frozen=True, slots=True)
class Task:
    """One commitment of an agreement, with what the classifier read from it."""

    id: str
    number: str
    text: str
    span: tuple[int, int]
    section: str | None
    section_number: str | None
    section_path: tuple[str, ...]
    measure: str | None
    area: Area
    lead: tuple[str, ...]
    partners: tuple[str, ...]
    bodies: tuple[str, ...]
    projects: tuple[str, ...]
    strength: Strength

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "text": self.text,
            "span": list(self.span),
            "section": self.section,
            "section_number": self.section_number,
            "section_path": list(self.section_path),
            "measure": self.measure,
            "area": self.area.value,
            "lead": list(self.lead),
            "lead_names": _names(self.lead),
            "partners": list(self.partners),
            "partner_names": _names(self.partners),
            "bodies": list(self.bodies),
            "projects": list(self.projects),
            "strength": self.strength.value,
        }


#: version of the JSON document :meth:`Agreement.as_dict` returns
FORMAT = "xietong.agreement/1"


@dataclass(frozen=True, slots=True)
class Agreement:
    """An imported agreement: metadata, headings and tasks, and the text the spans point into."""

    title: str
    parties: tuple[Party, ...]
    date: dt.date | None
    language: Language
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    text: str = field(repr=False)
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object ``xietong agreements import FILE --json`` prints (schema in ``docs/agreements.md``)."""
        return {
            "format": FORMAT,
            "title": self.title,
            "parties": [p.as_dict() for p in self.parties],
            "date": self.date.isoformat() if self.date else None,
            "language": self.language.value,
            "source": self.source,
            "sections": [s.as_dict() for s in self.sections],
            "tasks": [t.as_dict() for t in self.tasks],
        }


__all__ = ["FORMAT", "Agreement", "Area", "Language", "Party", "Section", "SourceFormat", "Strength", "Task"]
