"""Task rows in the store: who may track a task, its tracking state read from and written to its row,
and each change copied to the task's history as a new version (shared by the agreement-tracking service
modules; the library surface is :mod:`xietong.agreements.service`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.agreements.domain import AgreementScope
from xietong.agreements.tables import agreement, agreement_task, agreement_task_history, indicator_binding
from xietong.agreements.track import Evidence, Milestone, Status, TrackingState
from xietong.agreements.views import HistoryAction
from xietong.config import DISPLAY_TZ
from xietong.enums import Scope
from xietong.errors import ConflictError, NotFoundError, PermissionDeniedError
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow

#: the scope that lets a principal track the tasks of its jurisdictions (``admin`` too); any other
#: write scope a jurisdiction's staff hold (``publish:air``, ``warn`` …) allows it as well, so that the
#: agreements domain names no other domain's scope
TRACK_SCOPE = AgreementScope.TRACK


def may_track(principal: Principal) -> bool:
    """Whether ``principal`` holds ``track``, ``admin`` or any write scope (anything beyond ``read``)."""
    return principal.has(TRACK_SCOPE) or bool(set(principal.scopes) - {Scope.READ.value})


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def title_key(title: str) -> str:
    """The normalised title that identifies an agreement across revisions of its text."""
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()[:300]


def today_cst(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(DISPLAY_TZ).date()


def check_read(principal: Principal) -> None:
    principal.require(Scope.READ, "read agreements")


def check_may_track(principal: Principal, row: Any, what: str, *, correct: bool = False) -> None:
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


def task_row(conn: Connection, agreement_id: int, task_id: str) -> Any:
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


def state_of(row: Any) -> TrackingState:
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


def state_columns(state: TrackingState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "progress_pct": state.progress_pct,
        "weight": state.weight,
        "due": state.due,
        "milestones": json_text([m.as_dict() for m in state.milestones]),
        "evidence": json_text([e.as_dict() for e in state.evidence]),
        "note": state.note,
    }


_SNAPSHOT = ("area", "lead", "partners", "in_text", *(c for c in state_columns(TrackingState())))


def _bindings_json(conn: Connection, agreement_id: int, task_id: str) -> str:
    b = indicator_binding.c
    rows = conn.execute(
        sa.select(b.id, b.indicator, b.params, b.comparator, b.target)
        .where(b.agreement_id == agreement_id, b.task_id == task_id)
        .order_by(b.id)
    )
    return json_text(
        [
            {"id": r.id, "indicator": r.indicator, "params": json.loads(r.params), "comparator": r.comparator,
             "target": r.target}
            for r in rows
        ]
    )  # fmt: skip


def record_version(
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
            changed=json_text(list(changed)),
            indicators=_bindings_json(conn, agreement_id, task_id),
            **{c: getattr(row, c) for c in _SNAPSHOT},
        )
    )
    return int(row.version)


def save_state(
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
            **state_columns(state),
            **extra,
            version=row.version + 1,
            evidence_seq=max([row.evidence_seq, *numbers]),
            updated_at=now,
            updated_by=actor.name,
        )
    )
    if result.rowcount != 1:
        raise ConflictError(f"task {row.task_id} changed meanwhile", hint="reload it and try again")
    return record_version(conn, row.agreement_id, row.task_id, actor, action, changed, now)


__all__ = [
    "TRACK_SCOPE",
    "check_may_track",
    "check_read",
    "json_text",
    "may_track",
    "record_version",
    "save_state",
    "state_columns",
    "state_of",
    "task_row",
    "title_key",
    "today_cst",
]
