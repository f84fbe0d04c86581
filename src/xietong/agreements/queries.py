"""Reading agreements and tasks: lists, one agreement or task with its indicator bindings, a task's
history, progress roll-ups and evidence files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.agreements.model import Area
from xietong.agreements.tables import (
    agreement,
    agreement_file,
    agreement_import,
    agreement_task,
    agreement_task_history,
    indicator_binding,
    indicator_value,
)
from xietong.agreements.task_rows import check_read, state_of, task_row, today_cst
from xietong.agreements.track import is_overdue, rollup, summarise, tree
from xietong.agreements.views import (
    AgreementSummary,
    AgreementView,
    BindingView,
    HistoryEntry,
    ProgressBy,
    ProgressReport,
    TaskView,
)
from xietong.errors import InputError, NotFoundError
from xietong.exchange.principals import Principal
from xietong.indicators import Comparator, Registry, default_registry
from xietong.store.session import Store


def latest_values(conn: Connection, series: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
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


def task_bindings(
    conn: Connection, agreement_id: int | None, registry: Registry
) -> dict[tuple[int, str], list[BindingView]]:
    b = indicator_binding.c
    q = sa.select(indicator_binding).order_by(b.id)
    if agreement_id is not None:
        q = q.where(b.agreement_id == agreement_id)
    rows = conn.execute(q).all()
    values = latest_values(conn, {(r.indicator, r.params) for r in rows})
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
    state = state_of(row)
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


def load_tasks(
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
    bindings = task_bindings(conn, agreement_id, registry or default_registry())
    day = today or today_cst()
    return [_task_view(r, bindings.get((int(r.agreement_id), str(r.task_id)), []), day) for r in conn.execute(q)]


def agreement_summary(row: Any, tasks: Sequence[TaskView], today: dt.date) -> AgreementSummary:
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


def agreement_row(conn: Connection, agreement_id: int) -> Any:
    row = conn.execute(sa.select(agreement).where(agreement.c.id == agreement_id)).first()
    if row is None:
        raise NotFoundError(f"no agreement {agreement_id}", hint="list them with `xietong agreements list`")
    return row


def list_agreements(store: Store, principal: Principal, *, today: dt.date | None = None) -> list[AgreementSummary]:
    """Every agreement with the roll-up of its tasks, newest first."""
    check_read(principal)
    day = today or today_cst()
    with store.read() as conn:
        tasks = load_tasks(conn, today=day)
        by_agreement: dict[int, list[TaskView]] = {}
        for t in tasks:
            by_agreement.setdefault(t.agreement_id, []).append(t)
        rows = conn.execute(sa.select(agreement).order_by(agreement.c.id.desc())).all()
        return [agreement_summary(r, by_agreement.get(int(r.id), []), day) for r in rows]


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
    check_read(principal)
    day = today or today_cst()
    with store.read() as conn:
        return _agreement_view(conn, agreement_id, include_retired=include_retired, registry=registry, today=day)


def _agreement_view(
    conn: Connection, agreement_id: int, *, include_retired: bool, registry: Registry | None, today: dt.date
) -> AgreementView:
    row = agreement_row(conn, agreement_id)
    tasks = load_tasks(conn, agreement_id=agreement_id, include_retired=include_retired, registry=registry, today=today)
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
    return AgreementView(agreement_summary(row, tasks, today), json.loads(row.sections), tasks, imports)


def get_task(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    *,
    registry: Registry | None = None,
    today: dt.date | None = None,
) -> TaskView:
    check_read(principal)
    with store.read() as conn:
        return one_task(conn, agreement_id, task_id, registry, today)


def one_task(
    conn: Connection, agreement_id: int, task_id: str, registry: Registry | None, today: dt.date | None
) -> TaskView:
    row = task_row(conn, agreement_id, task_id)
    bindings = task_bindings(conn, agreement_id, registry or default_registry()).get((agreement_id, task_id), [])
    return _task_view(row, bindings, today or today_cst())


def task_history(store: Store, principal: Principal, agreement_id: int, task_id: str) -> list[HistoryEntry]:
    """Every version of a task, oldest first."""
    check_read(principal)
    h = agreement_task_history.c
    with store.read() as conn:
        task_row(conn, agreement_id, task_id)
        rows = conn.execute(
            sa.select(agreement_task_history)
            .where(h.agreement_id == agreement_id, h.task_id == task_id)
            .order_by(h.version)
        ).all()
    out = []
    for r in rows:
        state = state_of(r).as_dict()
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
    check_read(principal)
    try:
        by = ProgressBy(by)
    except ValueError:
        raise InputError("unknown grouping", expected=", ".join(b.value for b in ProgressBy), given=repr(by)) from None
    day = today or today_cst()
    with store.read() as conn:
        titles = {int(r.id): str(r.title) for r in conn.execute(sa.select(agreement.c.id, agreement.c.title))}
        if agreement_id is not None and agreement_id not in titles:
            raise NotFoundError(f"no agreement {agreement_id}", hint="list them with `xietong agreements list`")
        tasks = load_tasks(conn, agreement_id=agreement_id, today=day)
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


def get_file(store: Store, principal: Principal, sha256: str) -> tuple[str, str, bytes]:
    """An evidence file: (name, media type, content)."""
    check_read(principal)
    with store.read() as conn:
        row = conn.execute(sa.select(agreement_file).where(agreement_file.c.sha256 == sha256.lower())).first()
    if row is None:
        raise NotFoundError(f"no evidence file {sha256}", hint="evidence items of kind 'file' name their sha256")
    return row.name, row.media_type, bytes(row.content)


__all__ = [
    "agreement_row",
    "agreement_summary",
    "get_agreement",
    "get_file",
    "get_task",
    "latest_values",
    "list_agreements",
    "load_tasks",
    "one_task",
    "progress",
    "task_bindings",
    "task_history",
]
