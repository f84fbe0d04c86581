"""Cooperation agreements: import an agreement's text into measures and tasks, and classify each task.

>>> from xietong.agreements import import_agreement
>>> a = import_agreement("一、交通\\n（一）双方共同推进津石高速公路建设。\\n")
>>> [(t.area.value, t.strength.value) for t in a.tasks]
[('transport', 'advance')]

The pure core (no database, no HTTP): :func:`import_agreement` reads a file or text and returns an
:class:`Agreement` whose ``as_dict()`` is the JSON of ``xietong agreements import FILE --json``.
See ``docs/agreements.md``.
"""

from __future__ import annotations

from xietong.agreements.classify import Classification, area_scores, bodies, classify, classify_area, projects
from xietong.agreements.evaluate import DocumentScore, evaluate, load_gold
from xietong.agreements.importer import from_text, import_agreement, parse_date, read_source, task_id
from xietong.agreements.model import FORMAT, Agreement, Area, Language, Party, Section, SourceFormat, Strength, Task

__all__ = [
    "FORMAT",
    "Agreement",
    "Area",
    "Classification",
    "DocumentScore",
    "Language",
    "Party",
    "Section",
    "SourceFormat",
    "Strength",
    "Task",
    "area_scores",
    "bodies",
    "classify",
    "classify_area",
    "evaluate",
    "from_text",
    "import_agreement",
    "load_gold",
    "parse_date",
    "projects",
    "read_source",
    "task_id",
]
