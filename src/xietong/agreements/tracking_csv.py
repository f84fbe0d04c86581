"""The tracking CSV: every task's tracking state exported one row a task, and read back as one
all-or-nothing, audited change (every problem reported at once with its row and field)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xietong.agreements.queries import agreement_row, load_tasks
from xietong.agreements.task_rows import check_may_track, check_read, save_state, state_of, task_row
from xietong.agreements.track import (
    Status,
    TrackingState,
    TrackingUpdate,
    apply_update,
    parse_day,
    parse_progress,
    parse_weight,
)
from xietong.agreements.views import HistoryAction
from xietong.errors import InputError, Location, NotFoundError, PermissionDeniedError, Problem
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store

#: columns of the tracking CSV, in order; ``status … note`` are read back, the others are for people
CSV_COLUMNS = ("agreement", "task", "number", "area", "lead", "status", "progress_pct", "due", "weight", "note", "text")


CSV_EDITABLE = ("status", "progress_pct", "due", "weight", "note")


def _number(x: float) -> str:
    """A float as text that reads back exactly: ``40`` for 40.0, else the shortest repr."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def export_tracking_csv(store: Store, principal: Principal, *, agreement_id: int | None = None) -> str:
    """The tracking state of every task in the current texts, one row a task (:data:`CSV_COLUMNS`)."""
    check_read(principal)
    with store.read() as conn:
        if agreement_id is not None:
            agreement_row(conn, agreement_id)
        tasks = load_tasks(conn, agreement_id=agreement_id)
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
                row = task_row(conn, r.agreement_id, r.task_id)
            except NotFoundError as exc:
                problems.append(
                    Problem(exc.problem.message, Location(source, r.row, "task"), exc.problem.expected, r.task_id,
                            exc.problem.hint)
                )  # fmt: skip
                continue
            try:
                check_may_track(principal, row, f"update task {r.task_id} (row {r.row} of {Path(source).name})")
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
                    state_of(row), r.update, actor=principal.name, now=now, where=Location(source, r.row, "status")
                )
            except InputError as exc:
                problems.append(exc.problem)
                continue
            pending.append((row, new, changed))
        if problems:
            raise InputError.refuse(problems, summary=f"{len(problems)} problem(s) in {source}; nothing was written")
        for row, new, changed in pending:
            if changed:
                save_state(conn, row, new, changed, principal, HistoryAction.CSV, now)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        work.detail = {"source": Path(source).name, **counts}
    return counts


__all__ = [
    "CSV_COLUMNS",
    "CSV_EDITABLE",
    "CsvRow",
    "export_tracking_csv",
    "import_tracking_csv",
    "parse_tracking_csv",
]
