"""``xietong industry``: parks, relocation projects, and (in :mod:`xietong.industry.commands_analysis`) economic
structure, interest sharing, siting and technology transfer.

Commands only parse, call the services and format; errors in the input print what was expected, what was
given and where, and exit with code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from xietong import times
from xietong.cli._common import JsonOpt, TokenOpt, echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.config import DISPLAY_TZ
from xietong.industry import links, pipeline, service
from xietong.industry.enums import OutputFormat, Stage
from xietong.industry.views import records

app = typer.Typer(
    help=(
        "Industrial cooperation (I1, I2): parks and undertaking platforms, relocation projects, interest "
        "sharing, siting, the economic structure of the region and technology transfer."
    ),
    no_args_is_help=True,
)
parks_app = typer.Typer(
    help="Parks and undertaking platforms: list, show, import, history, linked tasks.", no_args_is_help=True
)
projects_app = typer.Typer(
    help="Relocation and investment projects: register, stages, confirmation.", no_args_is_help=True
)
app.add_typer(parks_app, name="parks")
app.add_typer(projects_app, name="projects")

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")]


def emit(frame: pd.DataFrame, fmt: OutputFormat, columns: list[str] | None = None) -> None:
    """Print a frame as a table (``columns`` of it), CSV or JSON."""
    if fmt is OutputFormat.CSV:
        write_stdout(frame_to_csv(frame))
    elif fmt is OutputFormat.JSON:
        echo_json(records(frame))
    else:
        rows = records(frame)
        for r in rows:
            for k, v in r.items():
                if isinstance(v, float):
                    r[k] = f"{v:.4g}" if abs(v) < 1e3 else f"{v:,.0f}"
        print_table(rows, columns or list(frame.columns), min_width=160)


def parse_day(text: str | None, option: str) -> dt.date:
    if text is None:
        return dt.datetime.now(DISPLAY_TZ).date()
    return times.parse_day(text, option=option)


# -- parks --------------------------------------------------------------------------------------------

PARK_COLUMNS = [
    "code",
    "name_zh",
    "name_en",
    "jurisdiction",
    "level",
    "kind",
    "partner",
    "leading_industries",
    "revision",
]


@parks_app.command("list")
def parks_list(
    ctx: typer.Context,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="Only parks of it (code or name).")
    ] = None,
    as_json: JsonOpt = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    token: TokenOpt = None,
) -> None:
    """The registered parks: code, names, jurisdiction, level, kind, partner, leading industries, sources."""
    st = state(ctx)
    rows = run(lambda: service.list_parks(st.store, st.principal(token), jurisdiction=jurisdiction))
    if as_json:
        echo_json(records(rows))
        return
    frame = pd.DataFrame(records(rows))
    if csv:
        flat = frame.assign(leading_industries=[";".join(v) for v in frame["leading_industries"]])
        write_stdout(frame_to_csv(flat.drop(columns=["sources", "aliases", "industries_source"])))
        return
    print_table(
        [{**r, "leading_industries": " ".join(r["leading_industries"])} for r in records(rows)],
        PARK_COLUMNS,
        min_width=160,
    )


@parks_app.command("show")
def parks_show(ctx: typer.Context, code: str, token: TokenOpt = None) -> None:
    """One park with its sources (the text spans it was seeded from) and the tasks that name it."""
    st = state(ctx)
    principal = st.principal(token)
    park = run(lambda: service.get_park(st.store, principal, code))
    tasks = run(lambda: links.task_links(st.store, principal, park=park["code"]))
    echo_json({**records([park])[0], "tasks": records(tasks)})


@parks_app.command("history")
def parks_history(ctx: typer.Context, code: str, token: TokenOpt = None) -> None:
    """Every revision of a park (JSON), oldest first."""
    st = state(ctx)
    echo_json(records(run(lambda: service.park_history(st.store, st.principal(token), code))))


@parks_app.command("import")
def parks_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or GeoJSON (FeatureCollection of points) of parks.", exists=True)],
    token: TokenOpt = None,
) -> None:
    """Register or revise parks (owners only, all-or-nothing): columns code, name_zh, name_en, jurisdiction,
    level, kind and optionally partner, lon, lat, area_km2, leading_industries (GB/T 4754, ';'-separated),
    aliases, source, notes."""
    st = state(ctx)
    frame = run(lambda: service.read_parks_file(file, settings=st.settings))
    echo_json(run(lambda: service.import_parks(st.store, st.principal(token), frame, source=file.name)))


@parks_app.command("tasks")
def parks_tasks(
    ctx: typer.Context,
    park: Annotated[str | None, typer.Option("--park", help="Only the tasks that name this park.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Agreement tasks linked to the parks their text names (read through the platform's datasets)."""
    st = state(ctx)
    rows = run(lambda: links.task_links(st.store, st.principal(token), park=park))
    if as_json:
        echo_json(records(rows))
        return
    shown = [
        {**r, "text": str(r["text"])[:70], "projects": " ".join(f"{k}:{v}" for k, v in r["projects"].items())}
        for r in rows
    ]
    print_table(shown, ["agreement_id", "number", "task_id", "park", "named_in", "projects", "text"], min_width=180)


# -- projects -----------------------------------------------------------------------------------------


def _evidence(urls: list[str] | None, notes: list[str] | None) -> list[dict[str, str]]:
    return [{"kind": "link", "url": u} for u in urls or ()] + [{"kind": "note", "text": n} for n in notes or ()]


EvidenceUrl = Annotated[list[str] | None, typer.Option("--evidence-url", help="A link proving the stage; repeatable.")]
EvidenceNote = Annotated[list[str] | None, typer.Option("--evidence-note", help="A note on the evidence; repeatable.")]


@projects_app.command("add")
def projects_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Project name.")],
    enterprise: Annotated[str, typer.Option(help="Enterprise name.")],
    origin: Annotated[str, typer.Option(help="Jurisdiction the enterprise leaves (code or name).")],
    destination: Annotated[str, typer.Option(help="Receiving jurisdiction (code or name).")],
    industry: Annotated[str, typer.Option(help="GB/T 4754-2017 code, e.g. 3670 or C36.")],
    date: Annotated[str, typer.Option("--date", help="Day of the first stage, YYYY-MM-DD.")],
    park: Annotated[str | None, typer.Option(help="Destination park code.")] = None,
    enterprise_city: Annotated[
        str | None, typer.Option(help="City of the enterprise in the platform's enterprise registry.")
    ] = None,
    investment_cny: Annotated[float | None, typer.Option(help="Investment [CNY].")] = None,
    jobs: Annotated[int | None, typer.Option(help="Jobs [persons].")] = None,
    stage: Annotated[Stage, typer.Option(help="First stage.")] = Stage.SIGNED,
    evidence_url: EvidenceUrl = None,
    evidence_note: EvidenceNote = None,
    token: TokenOpt = None,
) -> None:
    """Register a project (by its destination)."""
    st = state(ctx)
    p = pipeline.ProjectIn(
        name=name, enterprise=enterprise, origin=origin, destination=destination, industry_code=industry,
        date=run(lambda: parse_day(date, "--date")), park=park, enterprise_city=enterprise_city,
        investment_cny=investment_cny, jobs=jobs, stage=stage.value, evidence=_evidence(evidence_url, evidence_note),
    )  # fmt: skip
    echo_json(records([run(lambda: pipeline.create_project(st.store, st.principal(token), p))])[0])


@projects_app.command("stage")
def projects_stage(
    ctx: typer.Context,
    project: Annotated[int, typer.Argument(help="Project id.")],
    stage: Annotated[Stage, typer.Argument(help="The new stage.")],
    date: Annotated[str, typer.Option("--date", help="Day the stage was reached, YYYY-MM-DD.")],
    investment_cny: Annotated[float | None, typer.Option(help="Updated investment [CNY].")] = None,
    jobs: Annotated[int | None, typer.Option(help="Updated jobs [persons].")] = None,
    expected_version: Annotated[int | None, typer.Option(help="Refuse if the project changed since.")] = None,
    evidence_url: EvidenceUrl = None,
    evidence_note: EvidenceNote = None,
    token: TokenOpt = None,
) -> None:
    """Move a project to its next stage (by the destination), with evidence."""
    st = state(ctx)
    day = run(lambda: parse_day(date, "--date"))
    view = run(
        lambda: pipeline.advance(
            st.store, st.principal(token), project, stage.value, day,
            evidence=_evidence(evidence_url, evidence_note), investment_cny=investment_cny, jobs=jobs,
            expected_version=expected_version,
        )
    )  # fmt: skip
    echo_json(records([view])[0])


@projects_app.command("confirm")
def projects_confirm(
    ctx: typer.Context,
    project: Annotated[int, typer.Argument(help="Project id.")],
    note: Annotated[str | None, typer.Option(help="What the origin confirms.")] = None,
    token: TokenOpt = None,
) -> None:
    """Confirm the move (by the origin)."""
    st = state(ctx)
    echo_json(records([run(lambda: pipeline.confirm(st.store, st.principal(token), project, note=note))])[0])


@projects_app.command("show")
def projects_show(ctx: typer.Context, project: int, token: TokenOpt = None) -> None:
    """One project with its dated stages and evidence (JSON)."""
    st = state(ctx)
    echo_json(records([run(lambda: pipeline.get_project(st.store, st.principal(token), project))])[0])


@projects_app.command("list")
def projects_list(
    ctx: typer.Context,
    park: Annotated[str | None, typer.Option(help="Only projects in this park.")] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j", help="Origin or destination.")] = None,
    stage: Annotated[Stage | None, typer.Option(help="Only projects at this stage.")] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Projects, with the pipeline (projects, investment and jobs by stage) on stderr."""
    st = state(ctx)
    principal = st.principal(token)
    rows = run(
        lambda: pipeline.list_projects(
            st.store, principal, park=park, jurisdiction=jurisdiction, stage=stage.value if stage else None
        )
    )
    frame = pd.DataFrame(records(rows))
    if frame.empty:
        typer.echo("no projects", err=True)
        if fmt is OutputFormat.JSON:
            echo_json([])
        return
    emit(frame, fmt, ["id", "name", "enterprise", "origin", "destination", "park", "industry_code", "stage",
                      "stage_date", "investment_cny", "jobs", "origin_confirmed"])  # fmt: skip
    summary = "; ".join(f"{s['stage']} {s['projects']}" for s in pipeline.pipeline(st.store, principal))
    typer.echo(f"pipeline: {summary}", err=True)


from xietong.industry import commands_analysis  # noqa: E402,F401  (registers its commands on app)

__all__ = ["app", "emit", "parse_day"]
