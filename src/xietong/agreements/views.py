"""What the agreement-tracking service returns: views of agreements, tasks, bindings, history and
progress (plain frozen dataclasses with ``as_dict`` for the API and the CLI's JSON output)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xietong import region
from xietong.agreements.model import Area
from xietong.agreements.track import Evidence, Milestone, Rollup, Status, TrackingState


class ProgressBy(StrEnum):
    """How :func:`progress` groups tasks."""

    AREA = "area"
    AGREEMENT = "agreement"
    JURISDICTION = "jurisdiction"  # by lead jurisdiction (a task with two leads counts for both)
    SECTION = "section"  # the section tree of one agreement (parents roll up)


class HistoryAction(StrEnum):
    IMPORT = "import"
    UPDATE = "update"
    CSV = "csv"
    FILE = "file"
    BIND = "bind"
    UNBIND = "unbind"


@dataclass(frozen=True, slots=True)
class BindingView:
    """A task's binding to an indicator series, with the latest value computed for that series."""

    id: int
    indicator: str
    name: str
    unit: str
    params: dict[str, str]
    comparator: str
    target: float
    value: float | None
    as_of: dt.datetime | None
    computed_at: dt.datetime | None
    met: bool | None
    bound_by: str
    bound_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "indicator": self.indicator,
            "name": self.name,
            "unit": self.unit,
            "params": dict(self.params),
            "comparator": self.comparator,
            "target": self.target,
            "value": self.value,
            "as_of": self.as_of,
            "computed_at": self.computed_at,
            "met": self.met,
            "bound_by": self.bound_by,
            "bound_at": self.bound_at,
        }


def jurisdiction_names(codes: Iterable[str]) -> list[str]:
    return [region.get(c).name_en for c in codes]


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with what the importer read from it and its tracking state."""

    agreement_id: int
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
    strength: str
    in_text: bool
    corrected: bool
    status: Status
    progress_pct: float
    weight: float
    due: dt.date | None
    milestones: tuple[Milestone, ...]
    evidence: tuple[Evidence, ...]
    note: str | None
    version: int
    updated_at: dt.datetime
    updated_by: str
    overdue: bool
    indicators: tuple[BindingView, ...] = ()

    @property
    def state(self) -> TrackingState:
        return TrackingState(
            self.status, self.progress_pct, self.weight, self.due, self.milestones, self.evidence, self.note
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreement_id": self.agreement_id,
            "id": self.id,
            "number": self.number,
            "text": self.text,
            "span": list(self.span),
            "section": self.section,
            "section_number": self.section_number,
            "section_path": list(self.section_path),
            "measure": self.measure,
            "area": self.area.value,
            "area_label": self.area.label,
            "lead": list(self.lead),
            "lead_names": jurisdiction_names(self.lead),
            "partners": list(self.partners),
            "partner_names": jurisdiction_names(self.partners),
            "bodies": list(self.bodies),
            "projects": list(self.projects),
            "strength": self.strength,
            "in_text": self.in_text,
            "corrected": self.corrected,
            **self.state.as_dict(),
            "version": self.version,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "overdue": self.overdue,
            "indicators": [b.as_dict() for b in self.indicators],
        }


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    id: int
    title: str
    parties: list[dict[str, Any]]
    date: dt.date | None
    language: str
    source: str | None
    sha256: str
    revision: int
    created_by: str
    created_at: dt.datetime
    imported_by: str
    imported_at: dt.datetime
    progress: Rollup

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "parties": self.parties,
            "date": self.date.isoformat() if self.date else None,
            "language": self.language,
            "source": self.source,
            "sha256": self.sha256,
            "revision": self.revision,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "imported_by": self.imported_by,
            "imported_at": self.imported_at,
            "progress": self.progress.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class AgreementView:
    """An agreement with its sections, tasks and imports."""

    summary: AgreementSummary
    sections: list[dict[str, Any]]
    tasks: list[TaskView]
    imports: list[dict[str, Any]]

    @property
    def id(self) -> int:
        return self.summary.id

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary.as_dict(),
            "sections": self.sections,
            "imports": self.imports,
            "tasks": [t.as_dict() for t in self.tasks],
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. ``document`` is the core's JSON document of the text read."""

    agreement: AgreementSummary
    created: bool
    unchanged: bool
    counts: dict[str, int]
    document: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The core's document plus ``agreement_id``, ``revision``, ``created``, ``unchanged``, ``counts``."""
        return {
            **self.document,
            "agreement_id": self.agreement.id,
            "revision": self.agreement.revision,
            "created": self.created,
            "unchanged": self.unchanged,
            "counts": dict(self.counts),
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One version of a task: who changed what, when, and the whole state after the change."""

    version: int
    at: dt.datetime
    actor: str
    actor_jurisdiction: str | None
    action: str
    changed: list[str]
    state: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at,
            "actor": self.actor,
            "actor_jurisdiction": self.actor_jurisdiction,
            "action": self.action,
            "changed": list(self.changed),
            **self.state,
        }


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Progress of the tracked tasks (those still in their agreement's text), grouped by ``by``."""

    by: ProgressBy
    total: Rollup
    groups: list[Rollup]
    tasks: list[TaskView] = field(default_factory=list)
    agreement_id: int | None = None

    def as_dict(self, *, with_tasks: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": self.by.value,
            "agreement_id": self.agreement_id,
            "total": self.total.as_dict(),
            "groups": [g.as_dict() for g in self.groups],
        }
        if with_tasks:
            out["tasks"] = [_task_brief(t) for t in self.tasks]
        return out


def _task_brief(t: TaskView) -> dict[str, Any]:
    return {
        "agreement_id": t.agreement_id,
        "id": t.id,
        "number": t.number,
        "area": t.area.value,
        "lead": list(t.lead),
        "lead_names": jurisdiction_names(t.lead),
        "partners": list(t.partners),
        "status": t.status.value,
        "progress_pct": t.progress_pct,
        "weight": t.weight,
        "due": t.due.isoformat() if t.due else None,
        "overdue": t.overdue,
        "text": t.text,
    }


@dataclass(frozen=True, slots=True)
class SeriesView:
    """One computed value of an indicator series (or the error that stopped its computation)."""

    indicator: str
    params: dict[str, str]
    value: float | None
    as_of: dt.datetime | None
    computed_at: dt.datetime | None
    details: dict[str, Any]
    tasks: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "params": dict(self.params),
            "value": self.value,
            "as_of": self.as_of,
            "computed_at": self.computed_at,
            "details": self.details,
            "tasks": self.tasks,
            "error": self.error,
        }


__all__ = [
    "AgreementSummary",
    "AgreementView",
    "BindingView",
    "HistoryAction",
    "HistoryEntry",
    "ImportResult",
    "ProgressBy",
    "ProgressReport",
    "SeriesView",
    "TaskView",
    "jurisdiction_names",
]
