"""Agreement tracking on the store: import, tasks, tracking updates with history, progress, CSV, indicators.

The service layer of issue 7 §3–5 over the pure core (:mod:`xietong.agreements` reads the text,
:mod:`xietong.agreements.track` validates updates and rolls progress up, :mod:`xietong.indicators`
computes indicators). Every write goes through :func:`xietong.exchange.actions.audited_write`: it is in
the audit log with who and when, and a refused or failed attempt is too (nothing else is written then).

Tables (``xietong.store.tables``): ``agreement`` (one row per agreement, the current revision of its
text), ``agreement_import`` (each import), ``agreement_task`` (the tasks with their current tracking
state), ``agreement_task_history`` (every version of every task: who, when, what changed, the full state),
``agreement_file`` (evidence files by SHA-256), ``indicator_binding`` and ``indicator_value``.

Who may do what:

=====================================  =============================================================
import an agreement                    scope ``admin``; a jurisdiction's administrator only for
                                       agreements its jurisdiction (or one inside it) is a party to
update a task, attach evidence, bind   a write scope (``publish:air``, ``publish:water``, ``warn`` or
an indicator, import tracking CSV      ``admin``), held by a principal of one of the task's lead or
                                       partner jurisdictions (or of a jurisdiction they lie in: Hebei
                                       for Shijiazhuang's tasks), or by a region-level principal
correct a task's area, lead, partners  the same, region-level only (the coordination office)
recompute indicators                   any authenticated principal with ``read`` (values are derived)
read                                   scope ``read``
=====================================  =============================================================

Re-importing: the same file again changes nothing. A revised text (same title, or ``agreement_id``
given) becomes the next revision: tasks whose id (the hash of their text) is unchanged keep their
tracking state and history; new tasks start "not started"; tasks no longer in the text are kept, marked
``in_text = false`` and left out of progress (they come back, with their state, if a later revision has
them again).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.agreements.domain import AgreementScope
from xietong.agreements.importer import from_text, read_source
from xietong.agreements.model import Agreement, Area, SourceFormat
from xietong.agreements.tables import (
    agreement,
    agreement_file,
    agreement_import,
    agreement_task,
    agreement_task_history,
    indicator_binding,
    indicator_value,
)
from xietong.agreements.track import (
    Evidence,
    Milestone,
    Rollup,
    Status,
    TrackingState,
    TrackingUpdate,
    apply_update,
    is_overdue,
    parse_day,
    parse_progress,
    parse_weight,
    rollup,
    summarise,
    tree,
)
from xietong.config import DISPLAY_TZ
from xietong.enums import Scope
from xietong.errors import (
    ConflictError,
    InputError,
    Location,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    XietongError,
)
from xietong.exchange import actions
from xietong.exchange.principals import ANONYMOUS, Principal
from xietong.indicators import Comparator, Context, Registry, default_registry, params_key
from xietong.store.clock import utcnow
from xietong.store.session import Store

#: the scope that lets a principal track the tasks of its jurisdictions (``admin`` too); any other
#: write scope a jurisdiction's staff hold (``publish:air``, ``warn`` …) allows it as well, so that the
#: agreements domain names no other domain's scope
TRACK_SCOPE = AgreementScope.TRACK


def may_track(principal: Principal) -> bool:
    """Whether ``principal`` holds ``track``, ``admin`` or any write scope (anything beyond ``read``)."""
    return principal.has(TRACK_SCOPE) or bool(set(principal.scopes) - {Scope.READ.value})


#: columns of the tracking CSV, in order; ``status … note`` are read back, the others are for people
CSV_COLUMNS = ("agreement", "task", "number", "area", "lead", "status", "progress_pct", "due", "weight", "note", "text")
CSV_EDITABLE = ("status", "progress_pct", "due", "weight", "note")


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


# ------------------------------------------------------------------------------------------- views
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


def _names(codes: Iterable[str]) -> list[str]:
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
            "lead_names": _names(self.lead),
            "partners": list(self.partners),
            "partner_names": _names(self.partners),
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
        "lead_names": _names(t.lead),
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


# ----------------------------------------------------------------------------------------- helpers
def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def title_key(title: str) -> str:
    """The normalised title that identifies an agreement across revisions of its text."""
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()[:300]


def today_cst(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(DISPLAY_TZ).date()


def _check_read(principal: Principal) -> None:
    principal.require(Scope.READ, "read agreements")


def _check_may_track(principal: Principal, row: Any, what: str, *, correct: bool = False) -> None:
    """Refuse unless ``principal`` may change the tracking state of the task ``row``."""
    if not may_track(principal):
        held = " ".join(sorted(principal.scopes)) or "none"
        raise PermissionDeniedError(
            f"{principal.name} may not {what}",
            expected="a token with scope track, admin or a jurisdiction's write scope (publish:air …)",
            given=f"scopes {held}",
            hint="agreement tasks are tracked with a jurisdiction's write token; a read token cannot change them",
        )
    own = principal.jurisdiction
    if own is None:  # region level: the coordination office
        return
    task = f"task {row.task_id} of agreement {row.agreement_id}"
    if correct:
        raise PermissionDeniedError(
            f"{principal.describe()} may not correct the area, lead or partners of {task}",
            expected="a region-level principal (the coordination office)",
            given=principal.describe(),
            hint="ask the coordination office: who leads a task decides who may track it",
        )
    codes = [*json.loads(row.lead), *json.loads(row.partners)]
    if any(region.is_within(c, own) for c in codes):
        return
    named = ", ".join(f"{c} {region.display_name(c, 'en')}" for c in codes) or "none"
    raise PermissionDeniedError(
        f"{principal.describe()} may not {what} ({task})",
        expected=f"a principal of a lead or partner jurisdiction ({named}) or of the region",
        given=principal.describe(),
        hint="each jurisdiction tracks the tasks it leads or takes part in; the coordination office tracks all",
    )


def _task_row(conn: Connection, agreement_id: int, task_id: str) -> Any:
    row = conn.execute(
        sa.select(agreement_task).where(
            agreement_task.c.agreement_id == agreement_id, agreement_task.c.task_id == task_id
        )
    ).first()
    if row is None:
        if conn.execute(sa.select(agreement.c.id).where(agreement.c.id == agreement_id)).first() is None:
            raise NotFoundError(f"no agreement {agreement_id}", hint="list them with `xietong agreements list`")
        raise NotFoundError(
            f"agreement {agreement_id} has no task {task_id!r}",
            expected="a task id such as t-85fb2ec5d6",
            given=repr(task_id),
            hint=f"list its tasks with `xietong agreements show {agreement_id}`",
        )
    return row


def _state_of(row: Any) -> TrackingState:
    return TrackingState(
        status=Status(row.status),
        progress_pct=float(row.progress_pct),
        weight=float(row.weight),
        due=row.due,
        milestones=tuple(
            Milestone(m["title"], dt.date.fromisoformat(m["due"]) if m.get("due") else None, bool(m.get("done")))
            for m in json.loads(row.milestones)
        ),
        evidence=tuple(Evidence.from_dict(e) for e in json.loads(row.evidence)),
        note=row.note,
    )


def _state_columns(state: TrackingState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "progress_pct": state.progress_pct,
        "weight": state.weight,
        "due": state.due,
        "milestones": _json([m.as_dict() for m in state.milestones]),
        "evidence": _json([e.as_dict() for e in state.evidence]),
        "note": state.note,
    }


_SNAPSHOT = ("area", "lead", "partners", "in_text", *(c for c in _state_columns(TrackingState())))


def _bindings_json(conn: Connection, agreement_id: int, task_id: str) -> str:
    b = indicator_binding.c
    rows = conn.execute(
        sa.select(b.id, b.indicator, b.params, b.comparator, b.target)
        .where(b.agreement_id == agreement_id, b.task_id == task_id)
        .order_by(b.id)
    )
    return _json(
        [
            {"id": r.id, "indicator": r.indicator, "params": json.loads(r.params), "comparator": r.comparator,
             "target": r.target}
            for r in rows
        ]
    )  # fmt: skip


def _record_version(
    conn: Connection,
    agreement_id: int,
    task_id: str,
    actor: Principal,
    action: HistoryAction,
    changed: Sequence[str],
    now: dt.datetime,
) -> int:
    """Copy the task's current row into its history as a new version; returns that version."""
    row = conn.execute(
        sa.select(agreement_task).where(
            agreement_task.c.agreement_id == agreement_id, agreement_task.c.task_id == task_id
        )
    ).one()
    conn.execute(
        agreement_task_history.insert().values(
            agreement_id=agreement_id,
            task_id=task_id,
            version=row.version,
            at=now,
            actor=actor.name,
            actor_jurisdiction=actor.jurisdiction,
            action=action.value,
            changed=_json(list(changed)),
            indicators=_bindings_json(conn, agreement_id, task_id),
            **{c: getattr(row, c) for c in _SNAPSHOT},
        )
    )
    return int(row.version)


def _save_state(
    conn: Connection,
    row: Any,
    state: TrackingState,
    changed: Sequence[str],
    actor: Principal,
    action: HistoryAction,
    now: dt.datetime,
    **extra: Any,
) -> int:
    """Write a new tracking state (and ``extra`` columns) as the task's next version; returns it."""
    numbers = [int(e.id[1:]) for e in state.evidence if re.fullmatch(r"e\d+", e.id)]
    result = conn.execute(
        agreement_task.update()
        .where(
            agreement_task.c.agreement_id == row.agreement_id,
            agreement_task.c.task_id == row.task_id,
            agreement_task.c.version == row.version,
        )
        .values(
            **_state_columns(state),
            **extra,
            version=row.version + 1,
            evidence_seq=max([row.evidence_seq, *numbers]),
            updated_at=now,
            updated_by=actor.name,
        )
    )
    if result.rowcount != 1:
        raise ConflictError(f"task {row.task_id} changed meanwhile", hint="reload it and try again")
    return _record_version(conn, row.agreement_id, row.task_id, actor, action, changed, now)


# ------------------------------------------------------------------------------------------ reading
def _latest_values(conn: Connection, series: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    if not series:
        return {}
    v = indicator_value.c
    latest = (
        sa.select(sa.func.max(v.id).label("id"))
        .where(v.indicator.in_(sorted({s[0] for s in series})))
        .group_by(v.indicator, v.params)
        .subquery()
    )
    rows = conn.execute(sa.select(indicator_value).join(latest, latest.c.id == v.id))
    return {(r.indicator, r.params): r for r in rows if (r.indicator, r.params) in series}


def _bindings(
    conn: Connection, agreement_id: int | None, registry: Registry
) -> dict[tuple[int, str], list[BindingView]]:
    b = indicator_binding.c
    q = sa.select(indicator_binding).order_by(b.id)
    if agreement_id is not None:
        q = q.where(b.agreement_id == agreement_id)
    rows = conn.execute(q).all()
    values = _latest_values(conn, {(r.indicator, r.params) for r in rows})
    out: dict[tuple[int, str], list[BindingView]] = {}
    for r in rows:
        known = r.indicator in registry
        ind = registry.get(r.indicator) if known else None
        value = values.get((r.indicator, r.params))
        number = None if value is None or value.value is None else float(value.value)
        comparator = Comparator(r.comparator)
        out.setdefault((int(r.agreement_id), str(r.task_id)), []).append(
            BindingView(
                id=int(r.id),
                indicator=r.indicator,
                name=ind.name if ind else f"{r.indicator} (not registered here)",
                unit=ind.unit if ind else "",
                params=json.loads(r.params),
                comparator=comparator.value,
                target=float(r.target),
                value=number,
                as_of=value.as_of if value is not None else None,
                computed_at=value.computed_at if value is not None else None,
                met=comparator.met(number, float(r.target)),
                bound_by=r.bound_by,
                bound_at=r.bound_at,
            )
        )
    return out


def _task_view(row: Any, bindings: Sequence[BindingView], today: dt.date) -> TaskView:
    state = _state_of(row)
    view = TaskView(
        agreement_id=int(row.agreement_id),
        id=str(row.task_id),
        number=row.number,
        text=row.text,
        span=(int(row.span_start), int(row.span_end)),
        section=row.section,
        section_number=row.section_number,
        section_path=tuple(json.loads(row.section_path)),
        measure=row.measure,
        area=Area(row.area),
        lead=tuple(json.loads(row.lead)),
        partners=tuple(json.loads(row.partners)),
        bodies=tuple(json.loads(row.bodies)),
        projects=tuple(json.loads(row.projects)),
        strength=row.strength,
        in_text=bool(row.in_text),
        corrected=bool(row.corrected),
        status=state.status,
        progress_pct=state.progress_pct,
        weight=state.weight,
        due=state.due,
        milestones=state.milestones,
        evidence=state.evidence,
        note=state.note,
        version=int(row.version),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        overdue=False,
        indicators=tuple(bindings),
    )
    return _with_overdue(view, today)


def _with_overdue(view: TaskView, today: dt.date) -> TaskView:
    return replace(view, overdue=is_overdue(view, today))


def _load_tasks(
    conn: Connection,
    *,
    agreement_id: int | None = None,
    include_retired: bool = False,
    registry: Registry | None = None,
    today: dt.date | None = None,
) -> list[TaskView]:
    t = agreement_task.c
    q = sa.select(agreement_task).order_by(t.agreement_id, t.in_text.desc(), t.position)
    if agreement_id is not None:
        q = q.where(t.agreement_id == agreement_id)
    if not include_retired:
        q = q.where(t.in_text.is_(True))
    bindings = _bindings(conn, agreement_id, registry or default_registry())
    day = today or today_cst()
    return [_task_view(r, bindings.get((int(r.agreement_id), str(r.task_id)), []), day) for r in conn.execute(q)]


def _summary(row: Any, tasks: Sequence[TaskView], today: dt.date) -> AgreementSummary:
    return AgreementSummary(
        id=int(row.id),
        title=row.title,
        parties=json.loads(row.parties),
        date=row.signed_on,
        language=row.language,
        source=row.source,
        sha256=row.sha256,
        revision=int(row.revision),
        created_by=row.created_by,
        created_at=row.created_at,
        imported_by=row.imported_by,
        imported_at=row.imported_at,
        progress=summarise([t for t in tasks if t.in_text], key=str(row.id), label=row.title, today=today),
    )


def _agreement_row(conn: Connection, agreement_id: int) -> Any:
    row = conn.execute(sa.select(agreement).where(agreement.c.id == agreement_id)).first()
    if row is None:
        raise NotFoundError(f"no agreement {agreement_id}", hint="list them with `xietong agreements list`")
    return row


def list_agreements(store: Store, principal: Principal, *, today: dt.date | None = None) -> list[AgreementSummary]:
    """Every agreement with the roll-up of its tasks, newest first."""
    _check_read(principal)
    day = today or today_cst()
    with store.read() as conn:
        tasks = _load_tasks(conn, today=day)
        by_agreement: dict[int, list[TaskView]] = {}
        for t in tasks:
            by_agreement.setdefault(t.agreement_id, []).append(t)
        rows = conn.execute(sa.select(agreement).order_by(agreement.c.id.desc())).all()
        return [_summary(r, by_agreement.get(int(r.id), []), day) for r in rows]


def get_agreement(
    store: Store,
    principal: Principal,
    agreement_id: int,
    *,
    include_retired: bool = False,
    registry: Registry | None = None,
    today: dt.date | None = None,
) -> AgreementView:
    """One agreement with its sections, imports and tasks (``include_retired``: also tasks no longer in
    the text)."""
    _check_read(principal)
    day = today or today_cst()
    with store.read() as conn:
        return _agreement_view(conn, agreement_id, include_retired=include_retired, registry=registry, today=day)


def _agreement_view(
    conn: Connection, agreement_id: int, *, include_retired: bool, registry: Registry | None, today: dt.date
) -> AgreementView:
    row = _agreement_row(conn, agreement_id)
    tasks = _load_tasks(
        conn, agreement_id=agreement_id, include_retired=include_retired, registry=registry, today=today
    )
    imports = [
        {
            "revision": r.revision,
            "sha256": r.sha256,
            "source": r.source,
            "imported_by": r.imported_by,
            "imported_at": r.imported_at,
            **json.loads(r.summary),
        }
        for r in conn.execute(
            sa.select(agreement_import)
            .where(agreement_import.c.agreement_id == agreement_id)
            .order_by(agreement_import.c.revision)
        )
    ]
    return AgreementView(_summary(row, tasks, today), json.loads(row.sections), tasks, imports)


def get_task(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    *,
    registry: Registry | None = None,
    today: dt.date | None = None,
) -> TaskView:
    _check_read(principal)
    with store.read() as conn:
        return _one_task(conn, agreement_id, task_id, registry, today)


def _one_task(
    conn: Connection, agreement_id: int, task_id: str, registry: Registry | None, today: dt.date | None
) -> TaskView:
    row = _task_row(conn, agreement_id, task_id)
    bindings = _bindings(conn, agreement_id, registry or default_registry()).get((agreement_id, task_id), [])
    return _task_view(row, bindings, today or today_cst())


def task_history(store: Store, principal: Principal, agreement_id: int, task_id: str) -> list[HistoryEntry]:
    """Every version of a task, oldest first."""
    _check_read(principal)
    h = agreement_task_history.c
    with store.read() as conn:
        _task_row(conn, agreement_id, task_id)
        rows = conn.execute(
            sa.select(agreement_task_history)
            .where(h.agreement_id == agreement_id, h.task_id == task_id)
            .order_by(h.version)
        ).all()
    out = []
    for r in rows:
        state = _state_of(r).as_dict()
        state |= {
            "area": r.area,
            "lead": json.loads(r.lead),
            "partners": json.loads(r.partners),
            "in_text": bool(r.in_text),
            "indicators": json.loads(r.indicators),
        }
        out.append(
            HistoryEntry(int(r.version), r.at, r.actor, r.actor_jurisdiction, r.action, json.loads(r.changed), state)
        )
    return out


# ------------------------------------------------------------------------------------------- import
@dataclass(frozen=True, slots=True)
class _Source:
    text: str
    name: str | None
    sha256: str


def _read(source: str | Path | bytes, name: str | None, format: SourceFormat | str) -> _Source:
    if isinstance(source, str) and "\n" not in source:
        source = Path(source)
    if isinstance(source, Path):
        if not source.is_file():
            raise InputError(
                "agreement file not found",
                expected="a path to a .txt, .md or .docx file",
                given=str(source),
                hint="check the path",
            )
        data = source.read_bytes()
        text, _ = read_source(source, format=format)
        return _Source(text, name or source.name, hashlib.sha256(data).hexdigest())
    data = source.encode("utf-8") if isinstance(source, str) else source
    if isinstance(source, bytes) and format == SourceFormat.AUTO and name:
        suffix = Path(name).suffix.lower()
        format = {".docx": SourceFormat.DOCX, ".md": SourceFormat.MARKDOWN}.get(suffix, SourceFormat.AUTO)
    try:
        text, _ = read_source(data, format=format)
    except InputError as exc:
        if name and exc.problem.where.source is None:
            p = exc.problem
            raise InputError(
                p.message, expected=p.expected, given=p.given, where=Location(source=name), hint=p.hint
            ) from exc
        raise
    return _Source(text, name, hashlib.sha256(data).hexdigest())


def _task_content(position: int, t: Any) -> dict[str, Any]:
    return {
        "position": position,
        "number": t.number,
        "text": t.text,
        "span_start": t.span[0],
        "span_end": t.span[1],
        "section": t.section,
        "section_number": t.section_number,
        "section_path": _json(list(t.section_path)),
        "measure": t.measure,
        "bodies": _json(list(t.bodies)),
        "projects": _json(list(t.projects)),
        "strength": t.strength.value,
    }


#: content changes that make a new version of a task (position and span move with any earlier edit)
_VERSIONED_CONTENT = (
    "number",
    "section",
    "section_number",
    "section_path",
    "measure",
    "bodies",
    "projects",
    "strength",
)


def import_agreement(
    store: Store,
    principal: Principal,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    format: SourceFormat | str = SourceFormat.AUTO,
    agreement_id: int | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import an agreement's text (a path, the bytes of a file, or the text), or a revision of it.

    ``name`` is the file name to record for bytes or text. ``agreement_id`` makes the text a revision of
    that agreement; otherwise an agreement with the same normalised title is revised, or a new one made.
    """
    src = _read(source, name, format)
    doc: Agreement = from_text(src.text, source=src.name)
    party_codes = [p.code for p in doc.parties if p.code]
    target = f"agreement {agreement_id}" if agreement_id else f"file {src.name or 'text'}"
    with actions.audited_write(store, principal, "agreements.import", target) as work:
        principal.require(Scope.ADMIN, "import agreements")
        if principal.jurisdiction is not None and not any(
            region.is_within(c, principal.jurisdiction) for c in party_codes
        ):
            raise PermissionDeniedError(
                f"{principal.describe()} may not import an agreement it is not a party to",
                expected="an administrator of a party ("
                + (", ".join(p.name for p in doc.parties) or "no party recognised")
                + ") or of the region",
                given=principal.describe(),
            )
        now = now or utcnow()
        conn = work.conn
        existing = _find_existing(conn, agreement_id, src.sha256, doc.title)
        counts = {"tasks": len(doc.tasks), "added": 0, "updated": 0, "unchanged": 0, "retired": 0, "restored": 0}
        if existing is not None and existing.sha256 == src.sha256:
            counts["unchanged"] = len(doc.tasks)
            work.target = f"agreement {existing.id}"
            work.detail = {"sha256": src.sha256, "unchanged": True, "revision": existing.revision}
            day = today_cst(now)
            return ImportResult(
                _summary(existing, _load_tasks(conn, agreement_id=int(existing.id), today=day), day),
                created=False,
                unchanged=True,
                counts=counts,
                document=doc.as_dict(),
            )
        meta = {
            "title": doc.title or (src.name or "untitled"),
            "title_key": title_key(doc.title or (src.name or "untitled")),
            "parties": _json([p.as_dict() for p in doc.parties]),
            "signed_on": doc.date,
            "language": doc.language.value,
            "source": (src.name or "")[-300:] or None,
            "sha256": src.sha256,
            "sections": _json([s.as_dict() for s in doc.sections]),
            "text": doc.text,
            "imported_by": principal.name,
            "imported_at": now,
        }
        created = existing is None
        if existing is None:
            aid = int(
                conn.execute(
                    agreement.insert()
                    .values(**meta, revision=1, created_by=principal.name, created_at=now)
                    .returning(agreement.c.id)
                ).scalar_one()
            )
            revision = 1
        else:
            aid = int(existing.id)
            revision = int(existing.revision) + 1
            conn.execute(agreement.update().where(agreement.c.id == aid).values(**meta, revision=revision))
        _upsert_tasks(conn, aid, doc, principal, now, counts)
        conn.execute(
            agreement_import.insert().values(
                agreement_id=aid,
                revision=revision,
                sha256=src.sha256,
                source=meta["source"],
                imported_by=principal.name,
                imported_at=now,
                summary=_json(counts),
            )
        )
        work.target = f"agreement {aid}"
        work.detail = {"sha256": src.sha256, "revision": revision, "title": meta["title"], "counts": counts}
        day = today_cst(now)
        row = _agreement_row(conn, aid)
        return ImportResult(
            _summary(row, _load_tasks(conn, agreement_id=aid, today=day), day),
            created=created,
            unchanged=False,
            counts=counts,
            document=doc.as_dict(),
        )


def _find_existing(conn: Connection, agreement_id: int | None, sha256: str, title: str) -> Any:
    if agreement_id is not None:
        return _agreement_row(conn, agreement_id)
    same_file = conn.execute(sa.select(agreement).where(agreement.c.sha256 == sha256).order_by(agreement.c.id)).first()
    if same_file is not None:
        return same_file
    same_title = conn.execute(sa.select(agreement).where(agreement.c.title_key == title_key(title))).all()
    if len(same_title) > 1:
        ids = ", ".join(str(r.id) for r in same_title)
        raise ConflictError(
            f"several agreements are titled {title!r} (ids {ids})",
            hint="say which one this text revises (--agreement ID, or agreement_id in the API)",
        )
    return same_title[0] if same_title else None


def _upsert_tasks(
    conn: Connection, aid: int, doc: Agreement, actor: Principal, now: dt.datetime, counts: dict[str, int]
) -> None:
    old_rows = {
        str(r.task_id): r for r in conn.execute(sa.select(agreement_task).where(agreement_task.c.agreement_id == aid))
    }
    seen: set[str] = set()
    for position, t in enumerate(doc.tasks):
        seen.add(t.id)
        content = _task_content(position, t)
        classification = {"area": t.area.value, "lead": _json(list(t.lead)), "partners": _json(list(t.partners))}
        old = old_rows.get(t.id)
        if old is None:
            conn.execute(
                agreement_task.insert().values(
                    agreement_id=aid,
                    task_id=t.id,
                    **content,
                    **classification,
                    **_state_columns(TrackingState()),
                    corrected=False,
                    in_text=True,
                    version=1,
                    evidence_seq=0,
                    updated_at=now,
                    updated_by=actor.name,
                )
            )
            _record_version(conn, aid, t.id, actor, HistoryAction.IMPORT, ["created"], now)
            counts["added"] += 1
            continue
        values = dict(content)
        if not old.corrected:
            values |= classification
        values["in_text"] = True
        changed = [
            k
            for k, v in values.items()
            if k in {*_VERSIONED_CONTENT, *classification, "in_text"} and getattr(old, k) != v
        ]
        moved = any(getattr(old, k) != values[k] for k in ("position", "span_start", "span_end", "text"))
        if not changed:
            if moved:
                conn.execute(
                    agreement_task.update()
                    .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == t.id)
                    .values(**content)
                )
            counts["unchanged"] += 1
            continue
        conn.execute(
            agreement_task.update()
            .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == t.id)
            .values(**values, version=old.version + 1, updated_at=now, updated_by=actor.name)
        )
        _record_version(conn, aid, t.id, actor, HistoryAction.IMPORT, changed, now)
        counts["restored" if not old.in_text else "updated"] += 1
    for task_id, old in old_rows.items():
        if task_id in seen or not old.in_text:
            continue
        conn.execute(
            agreement_task.update()
            .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == task_id)
            .values(in_text=False, version=old.version + 1, updated_at=now, updated_by=actor.name)
        )
        _record_version(conn, aid, task_id, actor, HistoryAction.IMPORT, ["in_text"], now)
        counts["retired"] += 1


# ------------------------------------------------------------------------------------------- update
@dataclass(frozen=True, slots=True)
class Correction:
    """A hand correction of what the importer read (region-level principals only); ``None`` keeps a field."""

    area: Area | str | None = None
    lead: Sequence[str] | None = None
    partners: Sequence[str] | None = None

    @property
    def empty(self) -> bool:
        return self.area is None and self.lead is None and self.partners is None


def _correction_values(row: Any, correction: Correction) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    if correction.area is not None:
        try:
            values["area"] = Area(str(correction.area).strip()).value
        except ValueError:
            raise InputError(
                "unknown area", expected=", ".join(a.value for a in Area), given=repr(correction.area)
            ) from None
    for name in ("lead", "partners"):
        given = getattr(correction, name)
        if given is not None:
            codes = list(dict.fromkeys(region.get(c).code for c in given))
            if name == "lead" and not codes:
                raise InputError("a task needs at least one lead jurisdiction", given="an empty list")
            values[name] = _json(codes)
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    if changed:
        values["corrected"] = True
    return values, changed


def update_task(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    update: TrackingUpdate,
    *,
    correction: Correction | None = None,
    expected_version: int | None = None,
    action: HistoryAction = HistoryAction.UPDATE,
    now: dt.datetime | None = None,
) -> TaskView:
    """Change a task's tracking state (and, for the region, its area, lead or partners).

    ``expected_version``: refuse with :class:`ConflictError` when the task has moved on since it was read.
    A change that changes nothing writes no version.
    """
    correction = correction or Correction()
    target = f"agreement {agreement_id} task {task_id}"
    with actions.audited_write(store, principal, "agreements.task.update", target) as work:
        conn = work.conn
        row = _task_row(conn, agreement_id, task_id)
        _check_may_track(principal, row, "update this task")
        if not correction.empty:
            _check_may_track(principal, row, "correct this task", correct=True)
        if update.empty and correction.empty:
            raise InputError(
                "nothing to change",
                expected="at least one of status, progress_pct, due, weight, milestones, evidence, note",
                given="none",
            )
        if expected_version is not None and expected_version != row.version:
            raise ConflictError(
                f"task {task_id} is at version {row.version}, not {expected_version}",
                hint="someone changed it since you read it: reload it and apply your change again",
            )
        now = now or utcnow()
        new, changed = apply_update(
            _state_of(row), update, actor=principal.name, now=now, evidence_floor=int(row.evidence_seq) + 1
        )
        extra, corrected = _correction_values(row, correction)
        changed += corrected
        if changed:
            _save_state(conn, row, new, changed, principal, action, now, **extra)
        work.detail = {"changed": changed, **{k: v for k, v in new.as_dict().items() if k in changed}}
        if changed:
            work.detail["version"] = row.version + 1
        return _one_task(conn, agreement_id, task_id, None, today_cst(now))


def attach_file(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    data: bytes,
    *,
    name: str,
    media_type: str = "application/octet-stream",
    title: str | None = None,
    now: dt.datetime | None = None,
) -> TaskView:
    """Store a file (once per content) and add it to the task's evidence."""
    if not data:
        raise InputError("an evidence file is empty", given=f"0 bytes in {name!r}", where=Location(source=name))
    sha = hashlib.sha256(data).hexdigest()
    target = f"agreement {agreement_id} task {task_id}"
    with actions.audited_write(store, principal, "agreements.task.file", target) as work:
        conn = work.conn
        row = _task_row(conn, agreement_id, task_id)
        _check_may_track(principal, row, "attach evidence to this task")
        now = now or utcnow()
        if conn.execute(sa.select(agreement_file.c.sha256).where(agreement_file.c.sha256 == sha)).first() is None:
            conn.execute(
                agreement_file.insert().values(
                    sha256=sha,
                    name=Path(name).name[-300:] or "file",
                    media_type=media_type[:120],
                    size_bytes=len(data),
                    content=data,
                    uploaded_by=principal.name,
                    uploaded_at=now,
                )
            )
        item = {
            "kind": "file",
            "sha256": sha,
            "title": title or Path(name).name,
            "size_bytes": len(data),
            "media_type": media_type,
        }
        new, changed = apply_update(
            _state_of(row),
            TrackingUpdate(add_evidence=[item]),
            actor=principal.name,
            now=now,
            evidence_floor=int(row.evidence_seq) + 1,
        )
        _save_state(conn, row, new, changed, principal, HistoryAction.FILE, now)
        work.detail = {"sha256": sha, "name": Path(name).name, "size_bytes": len(data)}
        return _one_task(conn, agreement_id, task_id, None, today_cst(now))


def get_file(store: Store, principal: Principal, sha256: str) -> tuple[str, str, bytes]:
    """An evidence file: (name, media type, content)."""
    _check_read(principal)
    with store.read() as conn:
        row = conn.execute(sa.select(agreement_file).where(agreement_file.c.sha256 == sha256.lower())).first()
    if row is None:
        raise NotFoundError(f"no evidence file {sha256}", hint="evidence items of kind 'file' name their sha256")
    return row.name, row.media_type, bytes(row.content)


# ------------------------------------------------------------------------------------------ progress
def progress(
    store: Store,
    principal: Principal,
    *,
    by: ProgressBy | str = ProgressBy.AREA,
    agreement_id: int | None = None,
    today: dt.date | None = None,
) -> ProgressReport:
    """Weighted progress of the tasks in the agreements' current texts, grouped by area, agreement, lead
    jurisdiction, or (for one agreement) its section tree. Groups without tasks are left out."""
    _check_read(principal)
    try:
        by = ProgressBy(by)
    except ValueError:
        raise InputError("unknown grouping", expected=", ".join(b.value for b in ProgressBy), given=repr(by)) from None
    day = today or today_cst()
    with store.read() as conn:
        titles = {int(r.id): str(r.title) for r in conn.execute(sa.select(agreement.c.id, agreement.c.title))}
        if agreement_id is not None and agreement_id not in titles:
            raise NotFoundError(f"no agreement {agreement_id}", hint="list them with `xietong agreements list`")
        tasks = _load_tasks(conn, agreement_id=agreement_id, today=day)
    total = summarise(tasks, key="all", label="all tasks", today=day)
    if by is ProgressBy.AREA:
        groups = rollup(
            tasks,
            lambda t: [t.area.value],
            labels=lambda k: f"{Area(k).label} {Area(k).label_zh}",
            order=[a.value for a in Area],
            today=day,
        )
    elif by is ProgressBy.AGREEMENT:
        groups = rollup(
            tasks,
            lambda t: [str(t.agreement_id)],
            labels=lambda k: titles.get(int(k), k),
            order=[str(i) for i in sorted(titles)],
            today=day,
        )
    elif by is ProgressBy.JURISDICTION:
        groups = rollup(
            tasks,
            lambda t: t.lead,
            labels=lambda k: f"{region.get(k).name_en} {region.get(k).name_zh}",
            order=[r.code for r in region.jurisdictions()],
            today=day,
        )
    else:
        if agreement_id is None:
            raise InputError(
                "progress by section is for one agreement",
                expected="an agreement id",
                given="none",
                hint="add --agreement ID (API: agreement=ID)",
            )
        root = tree(
            tasks, lambda t: t.section_path or ("(no section)",), key=str(agreement_id),
            label=titles[agreement_id], today=day,
        )  # fmt: skip
        total, groups = root, list(root.children)
    return ProgressReport(by, total, groups, tasks, agreement_id)


# ----------------------------------------------------------------------------------------------- CSV
def _number(x: float) -> str:
    """A float as text that reads back exactly: ``40`` for 40.0, else the shortest repr."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def export_tracking_csv(store: Store, principal: Principal, *, agreement_id: int | None = None) -> str:
    """The tracking state of every task in the current texts, one row a task (:data:`CSV_COLUMNS`)."""
    _check_read(principal)
    with store.read() as conn:
        if agreement_id is not None:
            _agreement_row(conn, agreement_id)
        tasks = _load_tasks(conn, agreement_id=agreement_id)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in tasks:
        writer.writerow(
            [t.agreement_id, t.id, t.number, t.area.value, " ".join(t.lead), t.status.value, _number(t.progress_pct),
             t.due.isoformat() if t.due else "", _number(t.weight), t.note or "", t.text]
        )  # fmt: skip
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row of a tracking CSV: where it is, which task, and the change it asks for."""

    row: int
    agreement_id: int
    task_id: str
    update: TrackingUpdate


def _decode_csv(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode the CSV file",
        expected="UTF-8 (or GB 18030) text",
        given="bytes that are neither",
        where=Location(source=source),
    )


def parse_tracking_csv(data: bytes | str, *, source: str, agreement_id: int | None = None) -> list[CsvRow]:
    """Read a tracking CSV (columns ``task`` and any of ``status, progress_pct, due, weight, note``;
    ``agreement`` unless ``agreement_id`` is given). Empty cells leave a field as it is; other columns are
    ignored. Every problem is reported at once, with its row (the file's line; the header is row 1) and
    field."""
    text = _decode_csv(data, source)
    try:
        return _parse_tracking_text(text, source=source, agreement_id=agreement_id)
    except csv.Error as exc:  # e.g. a field past the csv module's size limit
        raise InputError(
            "the tracking CSV cannot be read", expected="a CSV file", given=str(exc), where=Location(source)
        ) from None


def _parse_tracking_text(text: str, *, source: str, agreement_id: int | None) -> list[CsvRow]:
    # newline="": the csv module itself ends rows at CR, LF or CRLF (quoted cells may hold any of them)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    required = {"task"} | ({"agreement"} if agreement_id is None else set())
    missing = sorted(required - set(header))
    if missing or not set(header) & set(CSV_EDITABLE):
        raise InputError(
            "the tracking CSV lacks columns" if missing else "the tracking CSV has nothing to import",
            expected="agreement, task and at least one of " + ", ".join(CSV_EDITABLE),
            given=", ".join(header) or "an empty file",
            where=Location(source, 1),
            hint="start from `xietong agreements export` (GET /api/v1/agreements/tracking)",
        )
    problems: list[Problem] = []
    rows: list[CsvRow] = []
    seen: dict[tuple[int, str], int] = {}
    for line, rec in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in rec.items() if k is not None}
        before = len(problems)

        def check(field_name: str, parse: Any, cells: dict[str, str] = cells, line: int = line) -> Any:
            value = cells.get(field_name, "")
            if not value:
                return None
            try:
                return parse(value, where=Location(source, line, field_name))
            except InputError as exc:
                problems.append(exc.problem)
                return None

        aid = agreement_id
        if agreement_id is None:
            raw = cells.get("agreement", "")
            if raw.isdigit():
                aid = int(raw)
            else:
                problems.append(
                    Problem("invalid agreement id", Location(source, line, "agreement"), "a number", repr(raw))
                )
        task = cells.get("task", "")
        if not task:
            problems.append(Problem("missing task id", Location(source, line, "task"), "e.g. t-85fb2ec5d6", "''"))
        status = check("status", Status.parse)
        progress_pct = check("progress_pct", parse_progress)
        due = check("due", parse_day)
        weight = check("weight", parse_weight)
        if len(problems) > before or aid is None:
            continue
        key = (aid, task)
        if key in seen:
            problems.append(
                Problem(
                    f"task {task} appears twice",
                    Location(source, line, "task"),
                    "one row per task",
                    f"rows {seen[key]} and {line}",
                )
            )
            continue
        seen[key] = line
        rows.append(
            CsvRow(
                line,
                aid,
                task,
                TrackingUpdate(
                    status=status, progress_pct=progress_pct, due=due, weight=weight, note=cells.get("note") or None
                ),
            )
        )
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problem(s) in {source}; nothing was written")
    return rows


def import_tracking_csv(
    store: Store,
    principal: Principal,
    data: bytes | str,
    *,
    source: str,
    agreement_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Apply a tracking CSV as one all-or-nothing, audited change; returns ``rows``, ``updated``,
    ``unchanged``. Each row is checked like a single update (permission, consistency)."""
    rows = parse_tracking_csv(data, source=source, agreement_id=agreement_id)
    counts = {"rows": len(rows), "updated": 0, "unchanged": 0}
    with actions.audited_write(store, principal, "agreements.tracking.import", f"file {Path(source).name}") as work:
        conn = work.conn
        now = now or utcnow()
        problems: list[Problem] = []
        pending: list[tuple[Any, TrackingState, list[str]]] = []
        for r in rows:
            try:
                row = _task_row(conn, r.agreement_id, r.task_id)
            except NotFoundError as exc:
                problems.append(
                    Problem(exc.problem.message, Location(source, r.row, "task"), exc.problem.expected, r.task_id,
                            exc.problem.hint)
                )  # fmt: skip
                continue
            try:
                _check_may_track(principal, row, f"update task {r.task_id} (row {r.row} of {Path(source).name})")
            except PermissionDeniedError as exc:
                p = exc.problem
                raise PermissionDeniedError(
                    p.message + "; nothing was written",
                    expected=p.expected,
                    given=p.given,
                    where=Location(source, r.row, "task"),
                    hint=p.hint,
                ) from None
            try:
                new, changed = apply_update(
                    _state_of(row), r.update, actor=principal.name, now=now, where=Location(source, r.row, "status")
                )
            except InputError as exc:
                problems.append(exc.problem)
                continue
            pending.append((row, new, changed))
        if problems:
            raise InputError.refuse(problems, summary=f"{len(problems)} problem(s) in {source}; nothing was written")
        for row, new, changed in pending:
            if changed:
                _save_state(conn, row, new, changed, principal, HistoryAction.CSV, now)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        work.detail = {"source": Path(source).name, **counts}
    return counts


# ---------------------------------------------------------------------------------------- indicators
def bind_indicator(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    indicator: str,
    *,
    params: Mapping[str, object] | None = None,
    target: float | None = None,
    comparator: Comparator | str | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> TaskView:
    """Bind a task to an indicator series with a target (binding the same series again changes its target)."""
    reg = registry or default_registry()
    ind = reg.get(indicator)
    normalised = ind.normalise(params)
    cmp = Comparator.parse(comparator) if comparator is not None else ind.comparator
    goal = target if target is not None else ind.target
    if goal is None:
        raise InputError(
            f"indicator {indicator} has no default target",
            expected=f"a target in {ind.unit}",
            given="none",
            hint="give --target (API: target)",
        )
    goal = float(goal)
    key = params_key(normalised)
    with actions.audited_write(
        store, principal, "agreements.indicator.bind", f"agreement {agreement_id} task {task_id}"
    ) as work:
        conn = work.conn
        row = _task_row(conn, agreement_id, task_id)
        _check_may_track(principal, row, "bind this task to an indicator")
        now = now or utcnow()
        b = indicator_binding.c
        old = conn.execute(
            sa.select(indicator_binding).where(
                b.agreement_id == agreement_id, b.task_id == task_id, b.indicator == indicator, b.params == key
            )
        ).first()
        if old is not None and old.comparator == cmp.value and float(old.target) == goal:
            work.detail = {"indicator": indicator, "params": normalised, "unchanged": True}
            return _one_task(conn, agreement_id, task_id, reg, today_cst(now))
        if old is None:
            conn.execute(
                indicator_binding.insert().values(
                    agreement_id=agreement_id,
                    task_id=task_id,
                    indicator=indicator,
                    params=key,
                    comparator=cmp.value,
                    target=goal,
                    bound_by=principal.name,
                    bound_at=now,
                )
            )
        else:
            conn.execute(
                indicator_binding.update()
                .where(b.id == old.id)
                .values(comparator=cmp.value, target=goal, bound_by=principal.name, bound_at=now)
            )
        _save_state(conn, row, _state_of(row), ["indicators"], principal, HistoryAction.BIND, now)
        work.detail = {"indicator": indicator, "params": normalised, "comparator": cmp.value, "target": goal}
        return _one_task(conn, agreement_id, task_id, reg, today_cst(now))


def unbind_indicator(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    binding_id: int,
    *,
    now: dt.datetime | None = None,
) -> TaskView:
    """Remove a binding (its values stay in the indicator's history)."""
    with actions.audited_write(
        store, principal, "agreements.indicator.unbind", f"agreement {agreement_id} task {task_id}"
    ) as work:
        conn = work.conn
        row = _task_row(conn, agreement_id, task_id)
        _check_may_track(principal, row, "unbind an indicator from this task")
        b = indicator_binding.c
        old = conn.execute(
            sa.select(indicator_binding).where(b.id == binding_id, b.agreement_id == agreement_id, b.task_id == task_id)
        ).first()
        if old is None:
            raise NotFoundError(f"task {task_id} has no indicator binding {binding_id}")
        now = now or utcnow()
        conn.execute(indicator_binding.delete().where(b.id == binding_id))
        _save_state(conn, row, _state_of(row), ["indicators"], principal, HistoryAction.UNBIND, now)
        work.detail = {"binding": binding_id, "indicator": old.indicator, "params": json.loads(old.params)}
        return _one_task(conn, agreement_id, task_id, None, today_cst(now))


def refresh_indicators(
    store: Store,
    principal: Principal,
    *,
    indicators: Sequence[str] | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> list[SeriesView]:
    """Recompute every bound indicator series (or those of ``indicators``) and store the values.

    Values are computed outside the write transaction (they only read) and stored together, with the
    time of computation, in one audited write. A series whose computation fails is reported with its
    error and stores nothing; the others are stored.
    """
    _check_read(principal)
    if principal.id == ANONYMOUS.id:
        raise PermissionDeniedError(
            "anonymous requests may not recompute indicators",
            expected="an API token with scope read",
            given="no token",
        )
    reg = registry or default_registry()
    for key in indicators or ():
        reg.get(key)
    with store.read() as conn:
        b = indicator_binding.c
        q = (
            sa.select(b.indicator, b.params, sa.func.count())
            .group_by(b.indicator, b.params)
            .order_by(b.indicator, b.params)
        )
        if indicators:
            q = q.where(b.indicator.in_(list(indicators)))
        series = [(str(r[0]), str(r[1]), int(r[2])) for r in conn.execute(q)]
    now = now or utcnow()
    results: list[SeriesView] = []
    for key, params_json, n_tasks in series:
        params = json.loads(params_json)
        if key not in reg:
            results.append(
                SeriesView(key, params, None, None, None, {}, n_tasks, "not registered in this installation")
            )
            continue
        try:
            reading = reg.get(key).compute(Context(store, params, principal, now))
        except XietongError as exc:
            results.append(SeriesView(key, params, None, None, None, {}, n_tasks, exc.describe()))
            continue
        value = None if reading.value is None else float(reading.value)
        results.append(SeriesView(key, params, value, reading.as_of, now, dict(reading.details), n_tasks))
    stored = [r for r in results if r.error is None]
    with actions.audited_write(store, principal, "agreements.indicators.refresh", "indicators") as work:
        for r in stored:
            work.conn.execute(
                indicator_value.insert().values(
                    indicator=r.indicator,
                    params=params_key(r.params),
                    value=r.value,
                    as_of=r.as_of,
                    details=_json(r.details),
                    computed_at=now,
                    computed_by=principal.name,
                )
            )
        work.detail = {
            "series": len(results),
            "stored": len(stored),
            "values": [{"indicator": r.indicator, "params": r.params, "value": r.value} for r in stored][:50],
            "errors": [{"indicator": r.indicator, "error": r.error} for r in results if r.error][:20],
        }
    return results


def list_indicators(store: Store, principal: Principal, *, registry: Registry | None = None) -> list[dict[str, Any]]:
    """The registered indicators, each with its bound series and their latest values."""
    _check_read(principal)
    reg = registry or default_registry()
    b = indicator_binding.c
    with store.read() as conn:
        bound = [
            (str(r[0]), str(r[1]), int(r[2]))
            for r in conn.execute(sa.select(b.indicator, b.params, sa.func.count()).group_by(b.indicator, b.params))
        ]
        latest = _latest_values(conn, {(k, p) for k, p, _ in bound})
    out = []
    for ind in reg:
        series = []
        for key, params_json, n in sorted(bound):
            if key != ind.key:
                continue
            v = latest.get((key, params_json))
            series.append(
                SeriesView(
                    key,
                    json.loads(params_json),
                    None if v is None or v.value is None else float(v.value),
                    v.as_of if v is not None else None,
                    v.computed_at if v is not None else None,
                    json.loads(v.details) if v is not None else {},
                    n,
                ).as_dict()
            )
        out.append({**ind.as_dict(), "series": series})
    return out


def indicator_values(
    store: Store,
    principal: Principal,
    indicator: str,
    *,
    params: Mapping[str, object] | None = None,
    registry: Registry | None = None,
    limit: int = 100,
) -> list[SeriesView]:
    """The stored values of one series, newest first (its history)."""
    _check_read(principal)
    reg = registry or default_registry()
    key = params_key(reg.get(indicator).normalise(params))
    v = indicator_value.c
    with store.read() as conn:
        rows = conn.execute(
            sa.select(indicator_value)
            .where(v.indicator == indicator, v.params == key)
            .order_by(v.id.desc())
            .limit(limit)
        ).all()
    return [
        SeriesView(indicator, json.loads(r.params), r.value, r.as_of, r.computed_at, json.loads(r.details))
        for r in rows
    ]


__all__ = [
    "CSV_COLUMNS",
    "CSV_EDITABLE",
    "TRACK_SCOPE",
    "AgreementSummary",
    "AgreementView",
    "BindingView",
    "Correction",
    "CsvRow",
    "HistoryAction",
    "HistoryEntry",
    "ImportResult",
    "ProgressBy",
    "ProgressReport",
    "SeriesView",
    "TaskView",
    "attach_file",
    "bind_indicator",
    "export_tracking_csv",
    "get_agreement",
    "get_file",
    "get_task",
    "import_agreement",
    "import_tracking_csv",
    "indicator_values",
    "list_agreements",
    "list_indicators",
    "parse_tracking_csv",
    "progress",
    "refresh_indicators",
    "task_history",
    "title_key",
    "today_cst",
    "unbind_indicator",
    "update_task",
]
