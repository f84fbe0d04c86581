"""Tracking updates of one task: status, progress, dates, milestones, evidence and notes; the
region's corrections of area, lead and partners; evidence files stored once per content."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xietong import region
from xietong.agreements.model import Area
from xietong.agreements.queries import one_task
from xietong.agreements.tables import agreement_file
from xietong.agreements.task_rows import check_may_track, json_text, save_state, state_of, task_row, today_cst
from xietong.agreements.track import TrackingUpdate, apply_update
from xietong.agreements.views import HistoryAction, TaskView
from xietong.errors import ConflictError, InputError, Location
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store


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
            values[name] = json_text(codes)
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
        row = task_row(conn, agreement_id, task_id)
        check_may_track(principal, row, "update this task")
        if not correction.empty:
            check_may_track(principal, row, "correct this task", correct=True)
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
            state_of(row), update, actor=principal.name, now=now, evidence_floor=int(row.evidence_seq) + 1
        )
        extra, corrected = _correction_values(row, correction)
        changed += corrected
        if changed:
            save_state(conn, row, new, changed, principal, action, now, **extra)
        work.detail = {"changed": changed, **{k: v for k, v in new.as_dict().items() if k in changed}}
        if changed:
            work.detail["version"] = row.version + 1
        return one_task(conn, agreement_id, task_id, None, today_cst(now))


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
        row = task_row(conn, agreement_id, task_id)
        check_may_track(principal, row, "attach evidence to this task")
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
            state_of(row),
            TrackingUpdate(add_evidence=[item]),
            actor=principal.name,
            now=now,
            evidence_floor=int(row.evidence_seq) + 1,
        )
        save_state(conn, row, new, changed, principal, HistoryAction.FILE, now)
        work.detail = {"sha256": sha, "name": Path(name).name, "size_bytes": len(data)}
        return one_task(conn, agreement_id, task_id, None, today_cst(now))


__all__ = [
    "Correction",
    "attach_file",
    "update_task",
]
