"""``xietong warn``: regional heavy-pollution warnings, forecasts and the enterprise registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong.air import consultation, enterprises, forecasts
from xietong.air.consultation import WarningView
from xietong.air.warning import rule_sets
from xietong.cli._common import echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.enums import Answer, WarningLevel, WarningStatus
from xietong.times import parse_when

app = typer.Typer(help="Regional heavy-pollution warnings: propose, answer, issue, change, lift.", no_args_is_help=True)
forecast_app = typer.Typer(help="AQI forecasts per city (the input of warning recommendations).", no_args_is_help=True)
enterprise_app = typer.Typer(help="The enterprise registry behind graded measures (restricted).", no_args_is_help=True)
app.add_typer(forecast_app, name="forecasts")
app.add_typer(enterprise_app, name="enterprises")

TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="XIETONG_TOKEN", help="Act as this token's principal instead of the local operator."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _show(view: WarningView, as_json: bool) -> None:
    if as_json:
        echo_json(view.as_dict())
        return
    typer.echo(
        f"warning {view.id} [{view.status}] {view.level} under {view.rules}, "
        f"{view.start.isoformat()} .. {view.end.isoformat()}, answers until {view.deadline.isoformat()}"
    )
    typer.echo(f"proposed by {view.proposer}: {view.reason}")
    rows = [
        {"city": f"{c.city} {c.name_zh}", "answer": c.answer, "answer level": c.answer_level, "reason": c.answer_reason,
         "status": c.status, "level": c.level}
        for c in view.cities
    ]  # fmt: skip
    print_table(rows, ["city", "answer", "answer level", "reason", "status", "level"])


@app.command("propose")
def propose(
    ctx: typer.Context,
    city: Annotated[list[str], typer.Option("--city", "-c", help="City code or name; repeatable.")],
    level: Annotated[WarningLevel, typer.Option(help="Proposed level.")],
    start: Annotated[str, typer.Option("--from", help="Start (ISO 8601 with offset, or a CST day).")],
    end: Annotated[str, typer.Option("--to", help="End (ISO 8601 with offset, or a CST day, inclusive).")],
    deadline: Annotated[str, typer.Option(help="Answers accepted until (ISO 8601 with offset).")],
    reason: Annotated[str, typer.Option(help="Why: the forecast and the rule clause.")],
    rules: Annotated[str, typer.Option(help=f"Rule set: {', '.join(rule_sets())}.")] = "key-regions-2024",
    evidence: Annotated[str | None, typer.Option(help="Evidence as a JSON object.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Propose a warning: each named jurisdiction is asked to answer before the deadline."""
    st = state(ctx)
    view = run(
        lambda: consultation.propose(
            st.store,
            st.principal(token),
            rules=rules,
            cities=city,
            level=level,
            start=parse_when(start, option="--from"),
            end=parse_when(end, end=True, option="--to"),
            deadline=parse_when(deadline, option="--deadline"),
            reason=reason,
            evidence=json.loads(evidence) if evidence else {},
        )
    )
    _show(view, as_json)


@app.command("answer")
def answer(
    ctx: typer.Context,
    warning_id: Annotated[int, typer.Argument(help="Warning id.")],
    city: Annotated[str, typer.Option("--city", "-c", help="Your city (code or name).")],
    answer_: Annotated[Answer, typer.Option("--answer", help="accept, counter or decline.")],
    level: Annotated[WarningLevel | None, typer.Option(help="Your level (with counter).")] = None,
    reason: Annotated[str | None, typer.Option(help="Required with decline.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Answer a proposal for one of your jurisdiction's cities."""
    st = state(ctx)
    view = run(
        lambda: consultation.respond(
            st.store,
            st.principal(token),
            warning_id,
            city=city,
            answer=answer_,
            level=level.value if level else None,
            reason=reason,
        )
    )
    _show(view, as_json)


@app.command("issue")
def issue(ctx: typer.Context, warning_id: int, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """Close the consultation after the deadline and issue where the answers allow."""
    st = state(ctx)
    _show(run(lambda: consultation.issue(st.store, st.principal(token), warning_id)), as_json)


@app.command("change")
def change(
    ctx: typer.Context,
    warning_id: int,
    city: Annotated[str, typer.Option("--city", "-c")],
    level: Annotated[WarningLevel, typer.Option()],
    reason: Annotated[str, typer.Option()],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Upgrade or downgrade the warning in one of your cities."""
    st = state(ctx)
    _show(
        run(
            lambda: consultation.change(
                st.store, st.principal(token), warning_id, city=city, level=level, reason=reason
            )
        ),
        as_json,
    )


@app.command("lift")
def lift(
    ctx: typer.Context,
    warning_id: int,
    reason: Annotated[str, typer.Option()],
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="Default: everywhere it is in force.")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Lift the warning in some cities, or everywhere."""
    st = state(ctx)
    _show(
        run(lambda: consultation.lift(st.store, st.principal(token), warning_id, reason=reason, cities=city)), as_json
    )


@app.command("list")
def list_warnings(
    ctx: typer.Context,
    status: Annotated[WarningStatus | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """List warnings, newest first."""
    st = state(ctx)
    views = run(lambda: consultation.list_warnings(st.store, st.principal(token), status=status, city=city))
    if as_json:
        echo_json([v.as_dict() for v in views])
        return
    rows: list[dict[str, Any]] = [
        {"id": v.id, "status": v.status, "level": v.level, "rules": v.rules, "start": v.start.isoformat(),
         "cities": " ".join(f"{c.city}:{c.status}" for c in v.cities)}
        for v in views
    ]  # fmt: skip
    print_table(rows, ["id", "status", "level", "rules", "start", "cities"])


@app.command("show")
def show(ctx: typer.Context, warning_id: int, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """One warning with every city's answer and state."""
    st = state(ctx)
    _show(run(lambda: consultation.get(st.store, st.principal(token), warning_id)), as_json)


@forecast_app.command("ingest")
def forecast_ingest(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or JSON: city, issued_at, start, end (or date), aqi_low, aqi_high, primary.")
    ],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Publish forecasts (one all-or-nothing batch)."""
    st = state(ctx)
    frame = run(lambda: forecasts.read_forecast_file(file))
    counts = run(lambda: forecasts.ingest_forecasts(st.store, st.principal(token), frame, source=str(file)))
    if as_json:
        echo_json(counts.as_dict())
    else:
        typer.echo(", ".join(f"{k} {v}" for k, v in counts.as_dict().items()))


@forecast_app.command("list")
def forecast_list(
    ctx: typer.Context,
    city: Annotated[list[str] | None, typer.Option("--city", "-c")] = None,
    token: TokenOpt = None,
) -> None:
    """The latest forecast windows of each city, as CSV."""
    st = state(ctx)
    frame = run(lambda: forecasts.latest_forecasts(st.store, st.principal(token), cities=city))
    write_stdout(frame_to_csv(frame))


@enterprise_app.command("import")
def enterprise_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: name, city, industry, grade, so2_t_d, nox_t_d, pm_t_d, vocs_t_d.")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Register or revise enterprises of your cities."""
    st = state(ctx)
    frame = run(lambda: enterprises.parse_enterprises(file))
    counts = run(lambda: enterprises.import_enterprises(st.store, st.principal(token), frame, source=str(file)))
    if as_json:
        echo_json(counts)
    else:
        typer.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@enterprise_app.command("list")
def enterprise_list(
    ctx: typer.Context,
    city: Annotated[list[str] | None, typer.Option("--city", "-c")] = None,
    token: TokenOpt = None,
) -> None:
    """The registry as CSV (the read is recorded in the audit log)."""
    st = state(ctx)
    write_stdout(frame_to_csv(run(lambda: enterprises.list_enterprises(st.store, st.principal(token), cities=city))))
