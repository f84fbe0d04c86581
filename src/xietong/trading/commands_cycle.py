"""``xietong trading`` compliance cycle and market data: verified emissions, compliance codes, what is owed,
deadline reminders, the pilot markets' quotes and their price and volume series."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong import times
from xietong.cli._common import JsonOpt, TokenOpt, echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.errors import InputError, Location
from xietong.inputs import read_csv_text
from xietong.trading import cycle, quotes
from xietong.trading.commands_common import records
from xietong.trading.market import FREQUENCIES

quotes_app = typer.Typer(help="Daily quotes of the pilot carbon markets.", no_args_is_help=True)
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def _read_emissions(path: Path) -> list[dict[str, Any]]:
    frame = read_csv_text(path, dtype=str, keep_default_na=False)
    need = {"account", "year"}
    if not need <= set(frame.columns):
        raise InputError(
            f"{path.name} lacks columns",
            expected="account, year, verified_t, emissions_state, verifier, verified_on",
            given=", ".join(frame.columns),
            where=Location(path.name, 1),
        )
    out: list[dict[str, Any]] = []
    for rec in frame.to_dict("records"):
        year = str(rec["year"]).strip()
        out.append({str(k): v for k, v in rec.items()} | {"year": int(year) if year.isdigit() else year})
    return out


def emissions(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="CSV: account, year, verified_t, emissions_state, verifier, verified_on.", exists=True),
    ] = None,
    account: Annotated[str | None, typer.Option("--account")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    verified_t: Annotated[float | None, typer.Option("--verified-t", help="Verified emissions [t CO2e].")] = None,
    emissions_state: Annotated[
        str | None, typer.Option("--state", help="not_reported or excluded (without --verified-t).")
    ] = None,
    verifier: Annotated[str | None, typer.Option("--verifier")] = None,
    verified_on: Annotated[
        str | None, typer.Option("--verified-on", help="Date of the verification, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Enter verified emissions per account and year (a file, or one row with the options); all-or-nothing."""
    st = state(ctx)

    def _do() -> dict[str, int]:
        if file is not None:
            rows, source = _read_emissions(file), file.name
        else:
            rows = [
                {
                    "account": account,
                    "year": year,
                    "verified_t": verified_t,
                    "emissions_state": emissions_state,
                    "verifier": verifier,
                    "verified_on": verified_on,
                }
            ]
            source = "command line"
        return cycle.record_emissions(st.store, st.principal(token), rows, source=source)

    out = run(_do)
    echo_json(out) if as_json else typer.echo(", ".join(f"{k} {v}" for k, v in out.items()))


COMPLIANCE_COLUMNS = [
    "installation",
    "market",
    "year",
    "verified_t",
    "surrendered_t",
    "balance_t",
    "owed_t",
    "code",
    "due",
    "provisional",
]


def compliance(
    ctx: typer.Context,
    market: Annotated[str | None, typer.Option("--market")] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    account: Annotated[str | None, typer.Option("--account")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    owed: Annotated[bool, typer.Option("--owed", help="Only installation-years that still owe units.")] = False,
    as_json: JsonOpt = False,
    csv: CsvOpt = False,
    token: TokenOpt = None,
) -> None:
    """Compliance code per installation-year from the store (EUTL codes A–E, * = changed after the deadline)."""
    st = state(ctx)
    frame = run(
        lambda: cycle.compliance(
            st.store, st.principal(token), market=market, jurisdiction=jurisdiction, account=account, year=year
        )
    )
    if owed:
        frame = frame.loc[frame["owed_t"] > 0]
    if as_json:
        echo_json(records(frame))
    elif csv:
        write_stdout(frame_to_csv(frame))
    else:
        print_table(records(frame), COMPLIANCE_COLUMNS, min_width=140)


def remind(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Deadlines within this many days.")] = 30,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Queue a trading.deadline.approaching webhook event for each account still owing units as a deadline nears."""
    st = state(ctx)
    sent = run(lambda: cycle.remind(st.store, st.principal(token), days=days))
    echo_json(sent) if as_json else typer.echo(f"{len(sent)} reminder(s) queued")


@quotes_app.command("ingest")
def quotes_ingest(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Pilot quotes CSV (交易日期, 交易机构, 交易品种, … 成交金额).", exists=True)
    ],
    strict: Annotated[bool, typer.Option("--strict", help="Refuse the whole file when any row is refused.")] = False,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Store the quotes (refused rows are listed with line and column)."""
    st = state(ctx)
    out = run(lambda: quotes.ingest_quotes(st.store, st.principal(token), file, strict=strict))
    if as_json:
        echo_json(out)
        return
    typer.echo(", ".join(f"{k} {v}" for k, v in out.items() if k != "problems"))
    for p in out["problems"][:20]:
        typer.echo(f"  refused: {p['detail']}")


def series(
    ctx: typer.Context,
    market: Annotated[str | None, typer.Option("--market", help="beijing, tianjin, … (default: all).")] = None,
    freq: Annotated[str, typer.Option("--freq", help=", ".join(FREQUENCIES))] = "month",
    start: Annotated[str | None, typer.Option("--from", help="First day YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD.")] = None,
    as_json: JsonOpt = False,
    csv: CsvOpt = False,
    token: TokenOpt = None,
) -> None:
    """Volume [t], turnover [CNY] and volume-weighted price [CNY/t] per market and period, from the stored quotes."""
    st = state(ctx)

    def _day(text: str | None, option: str) -> date | None:
        if text is None:
            return None
        return times.parse_day(text, option=option)

    frame = run(
        lambda: quotes.series(
            st.store, st.principal(token), market=market, freq=freq, start=_day(start, "--from"), end=_day(end, "--to")
        )
    )
    if as_json:
        echo_json(records(frame))
    elif csv:
        write_stdout(frame_to_csv(frame))
    else:
        shown = frame.assign(price_cny_t=frame["price_cny_t"].round(2), turnover_cny=frame["turnover_cny"].round(0))
        print_table(records(shown), ["market", "period", "volume_t", "turnover_cny", "price_cny_t", "trading_days"])


def register(app: typer.Typer) -> None:
    """Add these commands to ``xietong trading``."""
    app.command("emissions")(emissions)
    app.command("compliance")(compliance)
    app.command("remind")(remind)
    app.command("series")(series)
    app.add_typer(quotes_app, name="quotes")


__all__ = ["register"]
