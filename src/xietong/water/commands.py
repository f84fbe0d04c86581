"""``xietong water``: GB 3838 classification, sections and the river graph, samples, pollution incidents."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from xietong.cli._common import JsonOpt, TokenOpt, echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.inputs import read_input_text
from xietong.times import check_period, local_iso, parse_when
from xietong.water import incidents, service
from xietong.water.agreement import AgreementReport, AgreementRow, agreement_report
from xietong.water.enums import WaterFormat
from xietong.water.formats import CST, load_cnemc_realtime
from xietong.water.incidents import IncidentView

app = typer.Typer(
    help="Surface water: GB 3838 classes, sections and the river graph, samples, pollution incidents.",
    no_args_is_help=True,
)
incident_app = typer.Typer(
    help="Pollution incidents: open, acknowledge, plan joint monitoring, close.", no_args_is_help=True
)
app.add_typer(incident_app, name="incident")

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Show the store as it was at this time (ISO 8601 with offset).")
]


def _when(text: str | None, option: str, *, end: bool = False) -> datetime | None:
    return parse_when(text, end=end, option=option) if text else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    for col in out.columns:
        if len(out) and isinstance(out[col].iloc[0], pd.Timestamp | datetime):
            out[col] = [v.astimezone(CST).isoformat() if v is not None else None for v in out[col]]
    return [{str(k): v for k, v in r.items()} for r in out.to_dict("records")]


# -- classification of a file ----------------------------------------------------------------------


def _report_markdown(report: AgreementReport, source: str) -> str:
    rate = report["agreement"]
    lines = [
        f"# Water classes computed from `{Path(source).name}` against the published classes",
        "",
        f"- compared rows (a published class and a value for at least one evaluated item): {report['compared']}",
        f"- agreeing: {report['agreeing']}",
        f"- agreement: {rate * 100:.2f} %" if rate is not None else "- agreement: n/a",
        f"- partial rows among them (classed on the items measured): {report['partial_compared']}, "
        f"{report['partial_agreeing']} agreeing",
    ]
    complete = [r for r in report["rows"] if not r["partial"]]
    partial = [r for r in report["rows"] if r["partial"]]
    head = "| section | name | time | published | computed | deciding items | reason |\n|---|---|---|---|---|---|---|"
    lines += ["", "## Disagreements", "", *_md_rows(head, [r for r in complete if not r["agrees"]], "")]
    lines += ["", "## Partial rows (some required items not measured)", ""]
    lines += _md_rows(head.replace("reason |", "missing items | agrees | reason |") + "---|---|", partial, "partial")
    lines += ["", "## Rows not compared", ""]
    if not report["not_compared"]:
        lines.append("_none_")
    else:
        lines += ["| section | time | reason |", "|---|---|---|"]
        lines += [f"| {r['section']} | {r['time']} | {r['reason']} |" for r in report["not_compared"]]
    return "\n".join(lines) + "\n"


def _md_rows(head: str, rows: list[AgreementRow], kind: str) -> list[str]:
    if not rows:
        return ["_none_"]
    out = [head]
    for r in rows:
        extra = f"{' '.join(r['missing_items'])} | {'yes' if r['agrees'] else 'no'} | " if kind == "partial" else ""
        out.append(
            f"| {r['section']} | {r.get('section_name') or ''} | {r['time']} | {r['published_class']} | "
            f"{r['computed_class']} | {' '.join(r['deciding_items'])} | {extra}{r.get('reason') or ''} |"
        )
    return out


@app.command("classify")
def classify_file(
    file: Annotated[Path, typer.Argument(help="A CNEMC real-time surface-water file (CSV).", exists=True)],
    as_json: JsonOpt = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the mismatch report here (.md, .json or .csv) [default: <file stem>-mismatches.md in the "
            "current directory].",
            show_default=False,
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the mismatch report.")] = False,
) -> None:
    """Classify every row by GB 3838-2002 from the measured values and compare with the published class.

    Prints the agreement rate; ``--json`` prints one object with ``compared``, ``agreeing``,
    ``agreement`` (a fraction) and ``rows`` (section, time, published and computed class, deciding
    items, ``partial`` and ``missing_items``). A row lacking some of pH, DO, CODMn, NH3-N and TP is
    classed on the items measured and compared as partial, as CNEMC publishes it. Works on the file
    alone: no store is opened.
    """

    def _run() -> AgreementReport:
        return agreement_report(load_cnemc_realtime(file, strict=False))

    result = run(_run)
    if report is None and not no_report:
        report = Path(f"{file.stem}-mismatches.md")
    if report is not None:
        suffix = report.suffix.lower()
        if suffix == ".json":
            report.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), "utf-8")
        elif suffix == ".csv":
            mismatches = pd.DataFrame([r for r in result["rows"] if not r["agrees"]])
            report.write_text(frame_to_csv(mismatches), "utf-8")
        else:
            report.write_text(_report_markdown(result, str(file)), "utf-8")
    if as_json:
        echo_json(result)
        if report is not None:
            typer.echo(f"mismatch report written to {report}", err=True)
        return
    rate = result["agreement"]
    typer.echo(
        f"{file.name}: computed class agrees with the published class on {result['agreeing']} of "
        f"{result['compared']} compared rows ({'n/a' if rate is None else f'{rate * 100:.2f} %'}), "
        f"{result['partial_compared']} of them partial ({result['partial_agreeing']} agreeing); "
        f"{len(result['not_compared'])} row(s) not compared"
    )
    bad = [r for r in result["rows"] if not r["agrees"]]
    if bad:
        print_table(
            [
                {
                    **dict(r),
                    "deciding_items": " ".join(r["deciding_items"]),
                    "missing_items": " ".join(r["missing_items"]),
                }
                for r in bad
            ],
            ["section", "time", "published_class", "computed_class", "deciding_items", "missing_items"],
            title="disagreements",
        )
    if report is not None:
        typer.echo(f"mismatch report written to {report}")


# -- registry --------------------------------------------------------------------------------------

SECTION_COLUMNS = ["code", "name", "river", "jurisdiction", "waterbody", "target_class", "cross_border", "revision"]


@app.command("sections")
def sections(
    ctx: typer.Context,
    publish: Annotated[
        Path | None, typer.Option("--publish", help="Publish sections from this CSV/JSON file.", exists=True)
    ] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    river: Annotated[str | None, typer.Option(help="Only this river, e.g. 北运河.")] = None,
    history: Annotated[str | None, typer.Option("--history", help="Every revision of this section.")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    token: TokenOpt = None,
) -> None:
    """List the sections (or publish them with ``--publish FILE``; only their owners may)."""
    st = state(ctx)
    if publish is not None:
        echo_json(run(lambda: service.publish_sections(st.store, st.principal(token), publish)))
        return
    if history:
        frame = run(lambda: service.section_history(st.store, st.principal(token), history))
    else:
        frame = run(
            lambda: service.list_sections(
                st.store, st.principal(token), as_of=_when(as_of, "--as-of"), jurisdiction=jurisdiction, river=river
            )
        )
    if as_json:
        echo_json(_records(frame))
    elif csv:
        write_stdout(frame_to_csv(frame))
    else:
        cols = [c for c in frame.columns if c in {*SECTION_COLUMNS, "superseded_at", "recorded_at"}]
        print_table(_records(frame), cols)


@app.command("links")
def links(
    ctx: typer.Context,
    publish: Annotated[
        Path | None, typer.Option("--publish", help="Publish links from this CSV/JSON file.", exists=True)
    ] = None,
    section: Annotated[str | None, typer.Option(help="Only links from or to this section.")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """List the river-graph links (or publish them with ``--publish FILE``)."""
    st = state(ctx)
    if publish is not None:
        echo_json(run(lambda: service.publish_links(st.store, st.principal(token), publish)))
        return
    frame = run(
        lambda: service.list_links(st.store, st.principal(token), as_of=_when(as_of, "--as-of"), section=section)
    )
    if as_json:
        echo_json(_records(frame))
        return
    frame = frame.assign(travel_time_h=frame["travel_time_h"].round(1))
    print_table(
        _records(frame),
        ["from_section", "to_section", "river", "distance_km", "velocity_m_s", "travel_time_h", "approximate"],
    )


@app.command("downstream")
def downstream_cmd(
    ctx: typer.Context,
    section: Annotated[str, typer.Argument(help="Section code, e.g. HE11 (北运河 杨洼闸).")],
    start: Annotated[
        str | None, typer.Option("--start", help="When the pollution passed the section (gives arrival times).")
    ] = None,
    max_hours: Annotated[float | None, typer.Option("--max-hours", help="Only sections reached within [h].")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Every section downstream in the stored graph, with distance, travel time and (with --start) ETA."""
    st = state(ctx)
    frame = run(
        lambda: service.downstream_of(
            st.store, st.principal(token), section, start=_when(start, "--start"), max_hours=max_hours
        )
    )
    frame = frame.assign(path=[" > ".join(p) for p in frame["path"]], travel_time_h=frame["travel_time_h"].round(1))
    if as_json:
        echo_json(_records(frame))
        return
    cols = ["section", "name", "river", "jurisdiction", "distance_km", "travel_time_h"]
    print_table(_records(frame), [*cols, *(["arrival"] if "arrival" in frame else []), "approximate"])


# -- samples ---------------------------------------------------------------------------------------


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="CNEMC real-time CSV or canonical long CSV/JSON files.")],
    fmt: Annotated[WaterFormat, typer.Option("--format", help="Input format.")] = WaterFormat.AUTO,
    detect: Annotated[
        bool, typer.Option("--detect", help="Then open incidents for sections exceeding their target class.")
    ] = False,
    consecutive: Annotated[
        int, typer.Option(min=1, help="Samples in a row that must exceed the target (with --detect).")
    ] = incidents.DEFAULT_CONSECUTIVE,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Ingest sample files, each one all-or-nothing batch (same file twice: nothing written)."""
    st = state(ctx)
    principal = st.principal(token)

    def _one(path: Path) -> dict[str, Any]:
        return service.ingest_samples(st.store, principal, path, fmt=fmt).as_dict()

    results = [run(partial(_one, f)) for f in files]
    opened: list[IncidentView] = []
    if detect:
        opened = run(lambda: incidents.detect_exceedances(st.store, principal, consecutive=consecutive))
    if as_json:
        echo_json({"files": results, "incidents_opened": [v.as_dict() for v in opened]})
        return
    for r in results:
        typer.echo(
            f"{Path(r['source']).name} [{r['format']}] batch {r['batch_id']}: {r['rows']} rows, {r['sections']} "
            f"sections; values read {r['read']}, written {r['written']} (revised {r['revised']}), "
            f"unchanged {r['unchanged']}"
        )
    for v in opened:
        typer.echo(f"opened water incident {v.id} at {v.section} {v.section_name}: {v.description}")


@app.command("samples")
def samples(
    ctx: typer.Context,
    section: Annotated[list[str] | None, typer.Option("--section", "-s", help="Section code; repeatable.")] = None,
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    as_of: AsOfOpt = None,
    classes: Annotated[bool, typer.Option("--classify", help="One row per sample with its GB 3838 class.")] = False,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Stored samples (long CSV), or with --classify their classes against each section's target."""
    st = state(ctx)
    kwargs: dict[str, Any] = {
        "sections": section or None,
        "start": _when(start, "--from"),
        "end": _when(end, "--to", end=True),
        "as_of": _when(as_of, "--as-of"),
    }
    run(lambda: check_period(kwargs["start"], kwargs["end"]))
    fn = service.classify_stored if classes else service.read_samples_stored
    frame = run(lambda: fn(st.store, st.principal(token), **kwargs))
    if frame.empty:  # say why nothing was printed
        which = f"section(s) {' '.join(section)}" if section else "any section"
        period = "".join(f" {o} {v}" for o, v in (("from", start), ("to", end)) if v)
        typer.echo(
            f"no revision recorded before {as_of} for {which}{period}"
            if as_of
            else f"no sample stored for {which}{period}",
            err=True,
        )
    if as_json:
        echo_json(_records(frame))
    else:
        out = frame.copy()
        out["time"] = local_iso(out["time"])
        write_stdout(frame_to_csv(out))


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    by: Annotated[service.EvaluateBy, typer.Option(help="Grade each river or the basin.")] = service.EvaluateBy.RIVER,
    river: Annotated[list[str] | None, typer.Option(help="Only these rivers; repeatable.")] = None,
    token: TokenOpt = None,
) -> None:
    """Grade rivers (or the basin) over a period from the stored samples (2011 method)."""
    st = state(ctx)
    run(lambda: check_period(_when(start, "--from"), _when(end, "--to", end=True)))
    echo_json(
        run(
            lambda: service.evaluate_stored(
                st.store,
                st.principal(token),
                start=_when(start, "--from"),
                end=_when(end, "--to", end=True),
                by=by,
                rivers=river,
            )
        )
    )


# -- incidents -------------------------------------------------------------------------------------


def _show(view: IncidentView, as_json: bool, parts: tuple[str, ...] = ("downstream", "parties", "plan")) -> None:
    if as_json:
        echo_json(view.as_dict())
        return
    what = f"{view.pollutant}" + (
        f" {view.amount:g} {view.amount_unit or ''}".rstrip() if view.amount is not None else ""
    )
    if view.trigger == incidents.Trigger.EXCEEDANCE:
        what = f"{view.item} above the target class"
    typer.echo(
        f"water incident {view.id} [{view.status}] v{view.version}: {view.trigger} at {view.section} "
        f"{view.section_name} ({view.river}, {service.jurisdiction_label(view.jurisdiction)}), {what}, "
        f"passed the section {view.started_at}"
    )
    if view.description:
        typer.echo(f"  {view.description}")
    if view.downstream and "downstream" in parts:
        print_table(
            [
                {
                    "section": d.section,
                    "name": d.name,
                    "river": d.river,
                    "jurisdiction": service.jurisdiction_label(d.jurisdiction),
                    "km": f"{d.distance_km:g}",
                    "travel h": f"{d.travel_time_h:.1f}",
                    "ETA": d.eta,
                    "approx": "yes" if d.approximate else "no",
                }
                for d in view.downstream
            ],
            ["section", "name", "river", "jurisdiction", "km", "travel h", "ETA", "approx"],
            title="downstream sections",
        )
    if view.parties and "parties" in parts:
        print_table(
            [
                {
                    "jurisdiction": f"{p.jurisdiction} {p.name}",
                    "first section": p.first_section,
                    "ETA": p.eta,
                    "acknowledged": f"{p.acknowledged_by} {p.acknowledged_at}" if p.acknowledged else "pending",
                    "note": p.note,
                }
                for p in view.parties
            ],
            ["jurisdiction", "first section", "ETA", "acknowledged", "note"],
            title="notified jurisdictions",
        )
    if view.plan and "plan" in parts:
        print_table(
            [
                {
                    "section": s.section,
                    "by": s.jurisdiction,
                    "items": " ".join(s.items),
                    "every h": f"{s.every_h:g}",
                    "from": s.start,
                    "to": s.end,
                }
                for s in view.plan
            ],
            ["section", "by", "items", "every h", "from", "to"],
            title="joint monitoring plan",
        )
    if view.report:
        typer.echo(f"closed {view.closed_at}: {view.report}")


@incident_app.command("open")
def incident_open(
    ctx: typer.Context,
    section: Annotated[str, typer.Option("--section", "-s", help="Section code where the pollution is.")],
    at: Annotated[str, typer.Option("--at", help="When it passed the section (ISO 8601 with offset).")],
    pollutant: Annotated[str | None, typer.Option(help="What was released (a reported accident).")] = None,
    amount: Annotated[float | None, typer.Option(help="How much was released.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of --amount, e.g. t or m3.")] = None,
    item: Annotated[str | None, typer.Option(help="Exceeding GB 3838 item (instead of an accident).")] = None,
    description: Annotated[str, typer.Option(help="What happened.")] = "",
    max_hours: Annotated[float | None, typer.Option("--max-hours", help="Only sections reached within [h].")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Open an incident and notify every jurisdiction downstream with ETAs (accident, or --item exceedance)."""
    st = state(ctx)
    trigger = incidents.Trigger.EXCEEDANCE if item and not pollutant else incidents.Trigger.ACCIDENT
    view = run(
        lambda: incidents.open_incident(
            st.store, st.principal(token), section=section, started_at=parse_when(at, option="--at"), trigger=trigger,
            pollutant=pollutant, amount=amount, amount_unit=unit, item=item, description=description,
            max_hours=max_hours,
        )
    )  # fmt: skip
    _show(view, as_json)


@incident_app.command("detect")
def incident_detect(
    ctx: typer.Context,
    consecutive: Annotated[int, typer.Option(min=1, help="Samples in a row above the target class.")] = (
        incidents.DEFAULT_CONSECUTIVE
    ),
    section: Annotated[list[str] | None, typer.Option("--section", "-s")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Open incidents for sections whose last N stored samples exceed their target class on one item."""
    st = state(ctx)
    views = run(
        lambda: incidents.detect_exceedances(st.store, st.principal(token), consecutive=consecutive, sections=section)
    )
    if as_json:
        echo_json([v.as_dict() for v in views])
        return
    typer.echo(f"{len(views)} incident(s) opened")
    for v in views:
        _show(v, False)


@incident_app.command("ack")
def incident_ack(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j", help="Default: yours.")] = None,
    note: Annotated[str | None, typer.Option(help="What you do about it.")] = None,
    if_version: Annotated[int | None, typer.Option("--if-version", help="Refuse if the incident changed.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Acknowledge an incident for your (notified) jurisdiction."""
    st = state(ctx)
    _show(
        run(
            lambda: incidents.acknowledge(
                st.store, st.principal(token), incident_id, jurisdiction=jurisdiction, note=note,
                expected_version=if_version,
            )
        ),
        as_json,
        ("parties",),
    )  # fmt: skip


@incident_app.command("plan")
def incident_plan(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    section: Annotated[str, typer.Option("--section", "-s", help="Where to sample (on the incident's path).")],
    items: Annotated[str, typer.Option(help="Items, space or comma separated, e.g. 'nh3n codmn do'.")],
    every_h: Annotated[float, typer.Option("--every-h", help="Sampling interval [h].")],
    start: Annotated[str | None, typer.Option("--from", help="Default: now.")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Add sampling to the joint monitoring plan (the incident moves to MONITORING)."""
    st = state(ctx)
    _show(
        run(
            lambda: incidents.add_sampling(
                st.store, st.principal(token), incident_id, section=section, items=items.replace(",", " ").split(),
                every_h=every_h, start=_when(start, "--from"), end=_when(end, "--to"), note=note,
            )
        ),
        as_json,
        ("plan",),
    )  # fmt: skip


@incident_app.command("close")
def incident_close(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    report: Annotated[str, typer.Option(help="The closing report (text, or @FILE to read it from a file).")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Close an incident under monitoring with its report."""
    st = state(ctx)

    def close() -> IncidentView:
        text = read_input_text(report[1:], what="report file") if report.startswith("@") else report
        return incidents.close(st.store, st.principal(token), incident_id, report=text)

    _show(run(close), as_json, ("parties",))


@incident_app.command("list")
def incident_list(
    ctx: typer.Context,
    status: Annotated[incidents.IncidentStatus | None, typer.Option()] = None,
    section: Annotated[str | None, typer.Option("--section", "-s")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Incidents, newest first."""
    st = state(ctx)
    views = run(lambda: incidents.list_incidents(st.store, st.principal(token), status=status, section=section))
    if as_json:
        echo_json([v.as_dict() for v in views])
        return
    print_table(
        [
            {
                "id": v.id,
                "status": v.status,
                "trigger": v.trigger,
                "section": f"{v.section} {v.section_name}",
                "river": v.river,
                "started": v.started_at,
                "acknowledged": f"{sum(p.acknowledged for p in v.parties)}/{len(v.parties)}",
            }
            for v in views
        ],
        ["id", "status", "trigger", "section", "river", "started", "acknowledged"],
    )


@incident_app.command("show")
def incident_show(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """One incident: downstream sections with ETAs, notified jurisdictions, plan, report, events."""
    st = state(ctx)
    view = run(lambda: incidents.get(st.store, st.principal(token), incident_id))
    _show(view, as_json)
    if not as_json:
        print_table(
            [{"at": e.at, "actor": e.actor, "kind": e.kind, "jurisdiction": e.jurisdiction} for e in view.events],
            ["at", "actor", "kind", "jurisdiction"],
            title="events",
        )


__all__ = ["app"]
