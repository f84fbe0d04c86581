"""``xietong agreements``: import cooperation agreements, track their tasks, bind them to indicators.

Works on the store directly (no server needed), as the local operator or as ``--token``'s principal.
"""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong import region
from xietong.agreements import service
from xietong.agreements.model import Area, SourceFormat
from xietong.agreements.service import Correction, ProgressBy, ProgressReport, TaskView
from xietong.agreements.track import Rollup, Status, TrackingUpdate
from xietong.cli._common import JsonOpt, TokenOpt, echo_json, print_table, run, state, write_stdout
from xietong.errors import InputError
from xietong.indicators import Comparator, parse_params
from xietong.inputs import read_input_bytes
from xietong.times import local_text

app = typer.Typer(
    help="Cooperation agreements: import their text, track their tasks, progress by area and jurisdiction.",
    no_args_is_help=True,
)
indicator_app = typer.Typer(help="Indicators tasks can bind to: list, recompute, history.", no_args_is_help=True)
app.add_typer(indicator_app, name="indicators")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _names(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(region.get(c).name_en for c in codes)


def _indicators(t: TaskView) -> str:
    out = []
    for b in t.indicators:
        mark = {True: "met", False: "not met", None: "no value"}[b.met]
        value = "—" if b.value is None else f"{b.value:g}"
        out.append(f"{b.indicator}: {value} {Comparator(b.comparator).symbol} {b.target:g} {b.unit} ({mark})")
    return "; ".join(out)


def _counts(r: Rollup) -> str:
    parts = [f"{n} {Status(s).label}" for s, n in r.counts.items() if n]
    return ", ".join(parts)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The agreement: .txt, .md or .docx (Chinese or English).")],
    fmt: Annotated[SourceFormat, typer.Option("--format", "-f", help="auto: from the suffix.")] = SourceFormat.AUTO,
    agreement: Annotated[
        int | None, typer.Option("--agreement", "-a", help="Import as a revision of this agreement.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the imported document (title, parties, tasks …) and agreement_id.")
    ] = False,
    token: TokenOpt = None,
) -> None:
    """Import an agreement into the store (scope admin). The same file again changes nothing; a revised text
    keeps the tracking state of the tasks it still has."""
    st = state(ctx)
    result = run(
        lambda: service.import_agreement(st.store, st.principal(token), file, format=fmt, agreement_id=agreement)
    )
    if as_json:
        echo_json(result.as_dict())
        return
    a, c = result.agreement, result.counts
    verb = "unchanged" if result.unchanged else ("created" if result.created else f"revision {a.revision}")
    typer.echo(f"agreement {a.id} ({verb}): {a.title}")
    typer.echo(f"parties: {', '.join(p['name'] for p in a.parties) or '—'}; date: {a.date or '—'}")
    typer.echo(", ".join(f"{k} {v}" for k, v in c.items()))
    typer.echo("next: xietong agreements progress")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """Agreements with the progress of their tasks."""
    st = state(ctx)
    items = run(lambda: service.list_agreements(st.store, st.principal(token)))
    if as_json:
        echo_json([a.as_dict() for a in items])
        return
    rows = [
        {"id": a.id, "title": _short(a.title, 60), "parties": ", ".join(p["name"] for p in a.parties),
         "rev": a.revision, "tasks": a.progress.tasks, "progress": _pct(a.progress.progress_pct),
         "done": a.progress.done, "overdue": a.progress.overdue}
        for a in items
    ]  # fmt: skip
    print_table(rows, ["id", "title", "parties", "rev", "tasks", "progress", "done", "overdue"])


def _task_rows(tasks: list[TaskView]) -> list[dict[str, Any]]:
    return [
        {"no.": t.number, "task": t.id, "area": t.area.value, "lead": _names(t.lead), "partners": _names(t.partners),
         "status": t.status.label, "progress": _pct(t.progress_pct), "due": t.due or "",
         "indicators": _indicators(t), "text": _short(t.text)}
        for t in tasks
    ]  # fmt: skip


@app.command("show")
def show(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    all_tasks: Annotated[bool, typer.Option("--all", help="Also tasks no longer in the current text.")] = False,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """One agreement and its tasks."""
    st = state(ctx)
    view = run(lambda: service.get_agreement(st.store, st.principal(token), agreement, include_retired=all_tasks))
    if as_json:
        echo_json(view.as_dict())
        return
    s = view.summary
    typer.echo(f"agreement {s.id}, revision {s.revision}: {s.title}")
    typer.echo(f"parties: {', '.join(p['name'] for p in s.parties) or '—'}; date: {s.date or '—'}; source: {s.source}")
    typer.echo(f"progress {_pct(s.progress.progress_pct)} over {s.progress.tasks} tasks ({_counts(s.progress)})")
    columns = ["no.", "task", "area", "lead", "status", "progress", "due", "text"]
    if any(t.indicators for t in view.tasks):
        columns.insert(-1, "indicators")
    print_table(_task_rows(view.tasks), columns)


@app.command("task")
def task(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    task_id: Annotated[str, typer.Argument(help="Task id (t-…).")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """One task with its milestones, evidence and indicators."""
    st = state(ctx)
    _print_task(run(lambda: service.get_task(st.store, st.principal(token), agreement, task_id)), as_json)


def _print_task(t: TaskView, as_json: bool) -> None:
    if as_json:
        echo_json(t.as_dict())
        return
    typer.echo(f"{t.id} ({t.number}, {t.area.label}, version {t.version}): {t.text}")
    typer.echo(f"lead: {_names(t.lead) or '—'}; partners: {_names(t.partners) or '—'}")
    due = f", due {t.due}{' (overdue)' if t.overdue else ''}" if t.due else ""
    typer.echo(f"{t.status.label}, {_pct(t.progress_pct)}, weight {t.weight:g}{due}")
    if t.note:
        typer.echo(f"note: {t.note}")
    for m in t.milestones:
        typer.echo(f"  milestone: [{'x' if m.done else ' '}] {m.title}{f' (due {m.due})' if m.due else ''}")
    for e in t.evidence:
        ref = e.url or e.text or f"sha256 {e.sha256}"
        typer.echo(f"  evidence {e.id} ({e.kind.value}): {e.title} — {ref}")
    for b in t.indicators:
        value = "—" if b.value is None else f"{b.value:g}"
        met = {True: "met", False: "not met", None: "no value yet"}[b.met]
        symbol = Comparator(b.comparator).symbol
        typer.echo(
            f"  indicator [{b.id}] {b.indicator} {b.params or ''}: {value} {symbol} {b.target:g} {b.unit} ({met})"
        )


def _milestone(text: str) -> dict[str, Any]:
    """``title``, ``title|2026-09-30`` or ``title|2026-09-30|done`` (``title||done`` without a date)."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 3 or (len(parts) == 3 and parts[2] not in {"done", ""}):
        raise InputError(
            "invalid --milestone",
            expected="TITLE[|YYYY-MM-DD[|done]]",
            given=repr(text),
            hint="e.g. 'approval|2026-09-30'",
        )
    return {"title": parts[0], "due": parts[1] if len(parts) > 1 and parts[1] else None,
            "done": len(parts) == 3 and parts[2] == "done"}  # fmt: skip


@app.command("update")
def update(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    task_id: Annotated[str, typer.Argument(help="Task id (t-…).")],
    status: Annotated[Status | None, typer.Option(help="New status.")] = None,
    progress: Annotated[str | None, typer.Option(help="Progress [%], 0–100 (moves the status).")] = None,
    due: Annotated[str | None, typer.Option(help="Due day YYYY-MM-DD (China Standard Time).")] = None,
    clear_due: Annotated[bool, typer.Option("--clear-due", help="Remove the due day.")] = False,
    weight: Annotated[str | None, typer.Option(help="Weight in roll-ups (>= 0, default 1).")] = None,
    note: Annotated[str | None, typer.Option(help="A note on the state of the task.")] = None,
    milestone: Annotated[
        list[str] | None,
        typer.Option("--milestone", help="TITLE[|YYYY-MM-DD[|done]]; repeatable; replaces the milestones."),
    ] = None,
    link: Annotated[list[str] | None, typer.Option("--link", help="Evidence: a URL; repeatable.")] = None,
    evidence_note: Annotated[
        list[str] | None, typer.Option("--evidence-note", help="Evidence: a note; repeatable.")
    ] = None,
    file: Annotated[list[Path] | None, typer.Option("--file", help="Evidence: a file to store; repeatable.")] = None,
    remove_evidence: Annotated[
        list[str] | None, typer.Option("--remove-evidence", help="Evidence id to remove (e1 …); repeatable.")
    ] = None,
    area: Annotated[Area | None, typer.Option(help="Correct the area (region-level principals).")] = None,
    lead: Annotated[list[str] | None, typer.Option("--lead", help="Correct the lead jurisdictions (region).")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", help="Correct the partners (region).")] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse if the task is no longer at this version.")
    ] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Update a task's tracking state (each change is a new version in its history and the audit log)."""
    st = state(ctx)
    change = TrackingUpdate(
        status=status,
        progress_pct=progress,
        due=due,
        weight=weight,
        note=note,
        milestones=[_milestone(m) for m in milestone] if milestone else None,
        add_evidence=[{"kind": "link", "url": u} for u in link or []]
        + [{"kind": "note", "text": n} for n in evidence_note or []],
        remove_evidence=remove_evidence or [],
        clear=frozenset({"due"} if clear_due else set()),
    )
    correction = Correction(area=area, lead=lead, partners=partner)

    def work() -> TaskView:
        principal = st.principal(token)
        for path in file or []:
            if not path.is_file():
                raise InputError("evidence file not found", expected="a readable file", given=str(path))
        view: TaskView | None = None
        if not (change.empty and correction.empty) or not file:
            # with nothing to change at all, this refuses with "nothing to change"
            view = service.update_task(
                st.store,
                principal,
                agreement,
                task_id,
                change,
                correction=correction,
                expected_version=expected_version,
            )
        for path in file or []:
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            view = service.attach_file(st.store, principal, agreement, task_id, read_input_bytes(path), name=path.name,
                                       media_type=media)  # fmt: skip
        if view is None:  # pragma: no cover - one of the two branches above always runs
            raise InputError("nothing to change", given="no option")
        return view

    _print_task(run(work), as_json)


@app.command("history")
def history(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    task_id: Annotated[str, typer.Argument(help="Task id (t-…).")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Every version of a task: who, when, what changed."""
    st = state(ctx)
    entries = run(lambda: service.task_history(st.store, st.principal(token), agreement, task_id))
    if as_json:
        echo_json([h.as_dict() for h in entries])
        return
    rows = [
        {"version": h.version, "at": local_text(h.at.replace(microsecond=0)), "actor": h.actor, "action": h.action,
         "changed": ", ".join(h.changed), "status": h.state["status"], "progress": _pct(h.state["progress_pct"]),
         "note": h.state["note"]}
        for h in entries
    ]  # fmt: skip
    print_table(rows, ["version", "at", "actor", "action", "changed", "status", "progress", "note"])


def _print_progress(report: ProgressReport, *, summary_only: bool) -> None:
    by = report.by
    if by is ProgressBy.SECTION:
        rows: list[dict[str, Any]] = []

        def walk(node: Rollup, depth: int) -> None:
            for child in node.children:
                rows.append({"section": "  " * depth + child.label, "tasks": child.tasks,
                             "progress": _pct(child.progress_pct), "status": _counts(child), "overdue": child.overdue})  # fmt: skip
                walk(child, depth + 1)

        walk(report.total, 0)
        print_table(rows, ["section", "tasks", "progress", "status", "overdue"], title=report.total.label)
        typer.echo(f"all tasks: {_pct(report.total.progress_pct)} over {report.total.tasks}")
        return
    if not summary_only:
        several = len({t.agreement_id for t in report.tasks}) > 1
        with_due = any(t.due for t in report.tasks)
        width = max(100, shutil.get_terminal_size((120, 24)).columns)
        for group in report.groups:
            members = [t for t in report.tasks if _in_group(t, by, group.key)]
            overdue = f", {group.overdue} overdue" if group.overdue else ""
            typer.echo(
                f"\n{group.label} — {group.tasks} task(s), {_pct(group.progress_pct)} ({_counts(group)}){overdue}"
            )
            for t in members:
                typer.echo(_task_line(t, several=several, with_due=with_due, width=width))
        typer.echo("")
    label = {ProgressBy.AREA: "area", ProgressBy.AGREEMENT: "agreement", ProgressBy.JURISDICTION: "lead"}[by]
    summary = [
        {label: g.label, "tasks": g.tasks, "progress": _pct(g.progress_pct), "done": g.done,
         "in progress": g.counts["in_progress"], "blocked": g.counts["blocked"], "overdue": g.overdue}
        for g in report.groups
    ]  # fmt: skip
    print_table(summary, [label, "tasks", "progress", "done", "in progress", "blocked", "overdue"], title="summary")
    typer.echo(f"all tasks: {_pct(report.total.progress_pct)} over {report.total.tasks} ({_counts(report.total)})")


def _task_line(t: TaskView, *, several: bool, with_due: bool, width: int) -> str:
    """One task as a fixed-width line: number, lead (partners), status, progress, [due,] text."""
    number = f"{t.agreement_id}:{t.number}" if several else t.number
    who = _names(t.lead) + (f" (with {_names(t.partners)})" if t.partners else "")
    due = ""
    if with_due:
        due = f"{t.due.isoformat() if t.due else '':<10}{'!' if t.overdue else ' '} "
    head = f"  {number:<7} {_short(who, 34):<34} {t.status.label:<11} {t.progress_pct:>5.1f} % {due}"
    return head + _short(t.text, max(30, width - len(head)))


def _in_group(t: TaskView, by: ProgressBy, key: str) -> bool:
    if by is ProgressBy.AREA:
        return t.area.value == key
    if by is ProgressBy.AGREEMENT:
        return str(t.agreement_id) == key
    return key in t.lead


@app.command("progress")
def progress(
    ctx: typer.Context,
    by: Annotated[
        ProgressBy, typer.Option("--by", help="area, agreement, jurisdiction (lead) or section (one agreement).")
    ] = ProgressBy.AREA,
    agreement: Annotated[int | None, typer.Option("--agreement", "-a", help="Only this agreement.")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Only the summary table.")] = False,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Tasks by area (or agreement, lead jurisdiction, section) with their lead jurisdictions and progress."""
    st = state(ctx)
    report = run(lambda: service.progress(st.store, st.principal(token), by=by, agreement_id=agreement))
    if as_json:
        echo_json(report.as_dict(with_tasks=True))
        return
    if not report.tasks:
        typer.echo("no tasks yet: xietong agreements import FILE")
        return
    _print_progress(report, summary_only=summary)


@app.command("export")
def export(
    ctx: typer.Context,
    agreement: Annotated[int | None, typer.Option("--agreement", "-a", help="Only this agreement.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")] = None,
    token: TokenOpt = None,
) -> None:
    """The tracking state as CSV (agreement, task, …, status, progress_pct, due, weight, note, text)."""
    st = state(ctx)
    text = run(lambda: service.export_tracking_csv(st.store, st.principal(token), agreement_id=agreement))
    if output is None:
        write_stdout(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {text.count(chr(10)) - 1} task(s) to {output}")


@app.command("import-tracking")
def import_tracking(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: agreement, task and any of status, progress_pct, due, weight, note.")
    ],
    agreement: Annotated[
        int | None, typer.Option("--agreement", "-a", help="When the CSV has no agreement column.")
    ] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Apply a tracking CSV (all or nothing; empty cells change nothing)."""
    st = state(ctx)

    def work() -> dict[str, int]:
        return service.import_tracking_csv(
            st.store, st.principal(token), read_input_bytes(file), source=str(file), agreement_id=agreement
        )

    counts = run(work)
    if as_json:
        echo_json(counts)
    else:
        typer.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command("bind")
def bind(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    task_id: Annotated[str, typer.Argument(help="Task id (t-…).")],
    indicator: Annotated[str, typer.Argument(help="Indicator key (xietong agreements indicators list).")],
    target: Annotated[float | None, typer.Option(help="Target in the indicator's unit (default: its own).")] = None,
    comparator: Annotated[str | None, typer.Option(help="ge, le, gt, lt or eq (default: the indicator's).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value; repeatable.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Bind a task to an indicator; it then shows the latest value and whether the target is met."""
    st = state(ctx)
    view = run(
        lambda: service.bind_indicator(
            st.store, st.principal(token), agreement, task_id, indicator, params=parse_params(param or []), target=target,
            comparator=comparator,
        )
    )  # fmt: skip
    _print_task(view, as_json)


@app.command("unbind")
def unbind(
    ctx: typer.Context,
    agreement: Annotated[int, typer.Argument(help="Agreement id.")],
    task_id: Annotated[str, typer.Argument(help="Task id (t-…).")],
    binding: Annotated[int, typer.Argument(help="Binding id (shown in brackets by `agreements task`).")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Remove an indicator binding from a task."""
    st = state(ctx)
    _print_task(
        run(lambda: service.unbind_indicator(st.store, st.principal(token), agreement, task_id, binding)), as_json
    )


@indicator_app.command("list")
def indicators_list(ctx: typer.Context, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """Registered indicators and their bound series with the latest values."""
    st = state(ctx)
    items = run(lambda: service.list_indicators(st.store, st.principal(token)))
    if as_json:
        echo_json(items)
        return
    for ind in items:
        params = ", ".join(f"{p['name']}{'*' if p['required'] else ''}" for p in ind["params"]) or "—"
        target = "" if ind["target"] is None else f" {Comparator(ind['comparator']).symbol} {ind['target']:g}"
        typer.echo(f"{ind['key']} [{ind['unit']}{target}] — {ind['name']}; parameters: {params}")
        for s in ind["series"]:
            value = "—" if s["value"] is None else f"{s['value']:g}"
            typer.echo(
                f"    {s['params'] or '{}'}: {value} (computed {s['computed_at'] or 'never'}; {s['tasks']} task(s))"
            )


@indicator_app.command("refresh")
def indicators_refresh(
    ctx: typer.Context,
    indicator: Annotated[list[str] | None, typer.Argument(help="Indicator keys (default: every bound series).")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Recompute bound indicator series and store the values."""
    st = state(ctx)
    results = run(lambda: service.refresh_indicators(st.store, st.principal(token), indicators=indicator or None))
    if as_json:
        echo_json([r.as_dict() for r in results])
        return
    for r in results:
        value = "error: " + r.error if r.error else ("—" if r.value is None else f"{r.value:g}")
        typer.echo(f"{r.indicator} {r.params or '{}'}: {value}")
    if not results:
        typer.echo("no bound indicators: xietong agreements bind AGREEMENT TASK INDICATOR")


@indicator_app.command("values")
def indicators_values(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="Indicator key.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value; repeatable.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """The stored values of one series, newest first."""
    st = state(ctx)
    values = run(
        lambda: service.indicator_values(st.store, st.principal(token), indicator, params=parse_params(param or []))
    )
    if as_json:
        echo_json([v.as_dict() for v in values])
        return
    rows = [{"computed": v.computed_at.isoformat(timespec="seconds") if v.computed_at else "", "value": v.value,
             "as of": v.as_of.isoformat(timespec="seconds") if v.as_of else ""} for v in values]  # fmt: skip
    print_table(rows, ["computed", "value", "as of"])
