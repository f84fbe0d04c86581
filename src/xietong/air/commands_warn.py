"""``xietong warn``: regional heavy-pollution warnings, forecasts and the enterprise registry."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong import region, times
from xietong.air import backtest, consultation, forecasts
from xietong.air import warning as warning_rules
from xietong.air.consultation import WarningView
from xietong.cli._common import JsonOpt, TokenOpt, echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.enums import Answer, WarningLevel, WarningStatus
from xietong.exchange import enterprises
from xietong.times import local_iso, local_text, parse_when

app = typer.Typer(help="Regional heavy-pollution warnings: propose, answer, issue, change, lift.", no_args_is_help=True)
forecast_app = typer.Typer(help="AQI forecasts per city (the input of warning recommendations).", no_args_is_help=True)
enterprise_app = typer.Typer(help="The enterprise registry behind graded measures (restricted).", no_args_is_help=True)
app.add_typer(forecast_app, name="forecasts")
app.add_typer(enterprise_app, name="enterprises")


def _day(text: str, option: str) -> date:
    return times.parse_day(text, option=option)


#: ``--now``: drills and replays of past episodes act at a time of their own (the audit log keeps the real time)
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Act as of this time (ISO 8601 with offset), for drills and replays of past episodes: the deadline "
        "is checked against it and the event is dated with it; the audit log records the real time.",
    ),
]


def _now(text: str | None) -> datetime | None:
    return parse_when(text, option="--now") if text else None


def _show(view: WarningView, as_json: bool) -> None:
    if as_json:
        echo_json(view.as_dict())
        return
    typer.echo(
        f"warning {view.id} [{view.status}] {view.level} under {view.rules}, "
        f"{local_text(view.start)} .. {local_text(view.end)}, answers until {local_text(view.deadline)}"
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
    rules: Annotated[str, typer.Option(help=f"Rule set: {', '.join(warning_rules.rule_sets())}.")] = "key-regions-2024",
    evidence: Annotated[str | None, typer.Option(help="Evidence as a JSON object.")] = None,
    now: NowOpt = None,
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
            now=_now(now),
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
    now: NowOpt = None,
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
            now=_now(now),
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
        {"id": v.id, "status": v.status, "level": v.level, "rules": v.rules, "start": local_text(v.start),
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
    for col in ("issued_at", "start", "end", "recorded_at"):  # times in China Standard Time
        if col in frame.columns:
            frame[col] = local_iso(frame[col])
    write_stdout(frame_to_csv(frame))


@enterprise_app.command("import")
def enterprise_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: name, city, industry, grade, so2_t_per_day, nox_t_per_day, pm_t_per_day, vocs_t_per_day."
        ),
    ],
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


class TableFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def backtest_city(name: str) -> str:
    """A city name or code of the exchange or of the national list, as a GB/T 2260 code."""
    found = region.find(name) or region.locate(name)
    return found.code if found is not None else region.get(name).code  # raises with the known names


@app.command("recommend")
def recommend(
    ctx: typer.Context,
    rules: Annotated[str, typer.Option(help="Rule set.")] = "key-regions-2024",
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="Default: every city with forecasts.")] = None,
    observed_to: Annotated[
        str | None,
        typer.Option(
            "--observed-to",
            help="Read-only: use the store's observed daily city AQI of --days days up to this day (YYYY-MM-DD) "
            "as a perfect forecast, for the jurisdictions and the rule set's key-region neighbours.",
        ),
    ] = None,
    days: Annotated[int, typer.Option(help="With --observed-to: how many days to read.")] = 3,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Recommend a level per city from the latest published forecasts (the upper bound of each range decides)."""
    st = state(ctx)
    if observed_to is not None:
        last = run(lambda: _day(observed_to, "--observed-to"))
        frame = run(lambda: backtest.observed_forecasts(st.store, st.principal(token), rules, last, days))
        if city:
            wanted = {backtest_city(c) for c in city}
            frame = frame[frame["city"].isin(wanted)]
    else:
        frame = run(lambda: forecasts.latest_forecasts(st.store, st.principal(token), cities=city))
    if frame.empty:
        typer.echo(
            "no forecasts in the store (publish them with `xietong warn forecasts ingest FILE`), "
            "or no observed daily AQI for --observed-to",
            err=True,
        )
        raise typer.Exit(2)
    rec = run(lambda: warning_rules.recommend(frame, rules))
    out = rec.assign(
        city_name=rec["city"].map(lambda c: region.display_name(str(c))),
        start=local_iso(rec["start"]),
        end=local_iso(rec["end"]),
        issued_at=local_iso(rec["issued_at"]),
        level=rec["level"].astype(str),
    )
    cols = ["city", "city_name", "level", "start", "end", "clause", "reason", "max_aqi_high", "issued_at"]
    if fmt is TableFormat.CSV:
        write_stdout(frame_to_csv(out[cols]))
    elif fmt is TableFormat.JSON:
        echo_json(
            out.drop(columns=["evidence"], errors="ignore").astype(object).where(out.notna(), None).to_dict("records")
        )
    else:
        print_table([{str(k): v for k, v in r.items()} for r in out[cols].to_dict("records")], cols)


@app.command("measures")
def measures(ctx: typer.Context, warning_id: int, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """Graded measures of an issued warning: what each enterprise must cut, and whether each city's list
    reaches the level's required share of emissions (the registry read is audited)."""
    st = state(ctx)
    result = run(lambda: consultation.measures_for(st.store, st.principal(token), warning_id))
    if as_json:
        echo_json(result)
        return
    cols = [
        "city",
        "level",
        "n_enterprises",
        "so2_share",
        "nox_share",
        "pm_share",
        "vocs_share",
        "falls_short",
        "short_pollutants",
    ]
    print_table(result["cities"], cols, title=f"Warning {warning_id}: city totals against the required share")
    print_table(
        result["enterprises"],
        [
            "city",
            "name",
            "grade",
            "ratio",
            "so2_cut_t_per_day",
            "nox_cut_t_per_day",
            "pm_cut_t_per_day",
            "vocs_cut_t_per_day",
        ],
        title="Required reductions [t/day]",
    )
    if result["cities_without_enterprises"]:
        typer.echo(f"no enterprises registered for: {', '.join(result['cities_without_enterprises'])}", err=True)


@app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive).")],
    rules: Annotated[
        list[str] | None, typer.Option("--rules", "-r", help="Rule set; repeatable [default: all].")
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
    plot: Annotated[Path | None, typer.Option(help="Also write a PNG timeline (needs matplotlib).")] = None,
    token: TokenOpt = None,
) -> None:
    """Replay observed daily city AQI as a perfect forecast and print the recommended level per city and day.

    Beijing (and any city with observations in the store) uses the store's daily city AQI of all
    pollutants; the other Jing-Jin-Ji cities use the bundled SpTe2M daily PM2.5 (a PM2.5-only AQI,
    2014-01-01..2016-12-30). The `source` column says which.
    """
    st = state(ctx)
    first = run(lambda: _day(start, "--from"))
    last = run(lambda: _day(end, "--to"))
    names = rules or list(warning_rules.rule_sets())
    timeline = run(
        lambda: backtest.backtest_timeline(st.store, st.principal(token), rules=names, start=first, end=last)
    )
    if plot is not None:
        run(lambda: backtest.plot_timeline(timeline, plot))
        typer.echo(f"wrote {plot}", err=True)
    if fmt is TableFormat.CSV:
        write_stdout(frame_to_csv(timeline))
        return
    if fmt is TableFormat.JSON:
        echo_json(timeline.astype(object).where(timeline.notna(), None).to_dict("records"))
        return
    for name in names:
        part = timeline[timeline["rules"] == name]
        grid = part.pivot(index="city", columns="date", values="level")
        symbols = {"none": "·", "blue": "B", "yellow": "Y", "orange": "O", "red": "R"}
        typer.echo(
            f"\n{name}: recommended level per city and day (· none, B blue, Y yellow, O orange, R red, blank: no data)"
        )
        dates = list(grid.columns)
        marks = [i for i, d in enumerate(dates) if i == 0 or d.endswith("-01")]
        typer.echo(" " * 7 + "".join("|" if i in marks else " " for i in range(len(dates))))
        typer.echo(" " * 7 + "   ".join(f"{dates[i]} →" for i in marks))
        for city_name, row in grid.iterrows():
            typer.echo(
                f"{city_name!s}".ljust(9 - len(str(city_name)))
                + "".join(symbols.get(str(v), " ") for v in row.to_numpy())
            )
    print_table(
        backtest.summarise(timeline), ["rules", "city_name", "first", "last", "days", "highest"], title="Episodes"
    )
