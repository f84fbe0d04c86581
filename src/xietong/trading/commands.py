"""``xietong trading``: replay of published registries, the registry (unit types, accounts, holdings,
statements, the serial trace), operations and transfers (:mod:`xietong.trading.commands_ops`), the
compliance cycle and market data (:mod:`xietong.trading.commands_cycle`).

Every command only parses, calls the service and formats; errors print what was expected, what was
given and where, and exit with code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, assert_never

import pandas as pd
import typer

from xietong.cli._common import JsonOpt, TokenOpt, echo_json, frame_to_csv, print_table, run, state
from xietong.errors import InputError
from xietong.trading import commands_cycle, commands_ops, cycle, ledger, oplog, registry, rules
from xietong.trading.commands_common import records
from xietong.trading.enums import AccountKind, EmissionRightPollutant, TradingFormat, UnitKind
from xietong.trading.formats import read_eutl, read_uk_ets
from xietong.trading.imports import import_registry
from xietong.trading.replay import ReplayReport, mismatch_markdown, replay_eutl, replay_uk_ets
from xietong.trading.units import UnitType

app = typer.Typer(
    help="Emission trading: registry of serial-numbered units, transfers, compliance, replay, market data.",
    no_args_is_help=True,
)
unit_app = typer.Typer(
    help="Unit types (allowances, offsets, emission rights of one issuer and vintage).", no_args_is_help=True
)
account_app = typer.Typer(help="Registry accounts.", no_args_is_help=True)
app.add_typer(unit_app, name="unit-type")
app.add_typer(account_app, name="account")


def _refuse(message: str, expected: str, given: str) -> None:
    raise InputError(message, expected=expected, given=given)


# -- replay (the acceptance interface) ------------------------------------------------------------------------


def _replay(
    path: Path, fmt: TradingFormat, year: int | None, first: int, last: int, strict: bool
) -> tuple[ReplayReport, Any]:
    if fmt is TradingFormat.EUTL:
        if not path.is_dir():
            raise InputError(
                "--format eutl reads a directory", expected="a directory with the five EUTL CSV tables", given=str(path)
            )
        tables = read_eutl(path)
        return replay_eutl(tables, first_year=first, last_year=last, include_unconfirmed=not strict), tables
    if fmt is TradingFormat.UK_ETS:
        if year is None:
            raise InputError("--format uk-ets replays one year", expected="--year, e.g. 2024", given="no --year")
        tables = read_uk_ets(path)
        return replay_uk_ets(tables, year=year, include_unconfirmed=not strict), tables
    assert_never(fmt)


def _write_report(report: ReplayReport, path: Path, source: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str), "utf-8")
    elif suffix == ".csv":
        path.write_text(frame_to_csv(report.mismatches), "utf-8")
    else:
        path.write_text(
            mismatch_markdown(report, title=f"Compliance replay of `{source.name}` ({report.format})"), "utf-8"
        )


@app.command("replay")
def replay(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="EUTL: the directory of the five CSV tables; UK ETS: the compliance report (xlsx or CSV).", exists=True
        ),
    ],
    fmt: Annotated[TradingFormat, typer.Option("--format", help="eutl or uk-ets.")] = TradingFormat.EUTL,
    year: Annotated[int | None, typer.Option("--year", help="UK ETS: the report year to replay.")] = None,
    first_year: Annotated[int, typer.Option("--first-year", help="EUTL: first year compared.")] = 2005,
    last_year: Annotated[int, typer.Option("--last-year", help="EUTL: last year compared.")] = 2019,
    strict: Annotated[
        bool, typer.Option("--strict", help="Switch off the rule rows tagged confirmed = false.")
    ] = False,
    as_json: JsonOpt = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the mismatch report here (.md, .json or .csv) [default: <name>-mismatches.md in the current directory].",
            show_default=False,
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the mismatch report.")] = False,
    to_store: Annotated[
        bool, typer.Option("--store", help="Also import the accounts and installation-years into the store.")
    ] = False,
    token: TokenOpt = None,
) -> None:
    """Run the compliance engine on a published registry and compare with its A/B codes.

    ``--json`` prints one object with ``compared``, ``agreeing``, ``agreement`` (a fraction), ``by_year``
    (year → agreement), the published → computed crosstab, the mismatch classes and rows. Works on the files
    alone; ``--store`` also imports them (a region-level administrator; the local operator is one).
    """
    result, tables = run(lambda: _replay(path, fmt, year, first_year, last_year, strict))
    if report is None and not no_report:
        report = Path(f"{path.stem}-mismatches.md")
    if report is not None:
        _write_report(result, report, path)
    out = result.as_dict()
    if to_store:
        st = state(ctx)
        out["store"] = run(
            lambda: import_registry(st.store, st.principal(token), tables, fmt, source=str(path), year=year)
        )
    if as_json:
        echo_json(out)
        if report is not None:
            typer.echo(f"mismatch report written to {report}", err=True)
        return
    pct = "n/a" if result.agreement is None else f"{result.agreement * 100:.2f} %"
    typer.echo(
        f"{path.name}: computed status agrees with the published A/B code on {result.agreeing} of {result.compared} "
        f"compared installation-years ({pct}); rules {result.market} ({'unconfirmed rows off' if strict else 'unconfirmed rows on'})"
    )
    print_table(
        [{"year": y, "agreement": "" if a is None else f"{a * 100:.2f} %"} for y, a in sorted(result.by_year.items())],
        ["year", "agreement"],
    )
    if "store" in out:
        typer.echo(f"imported into the store: {out['store']}")
    if report is not None:
        typer.echo(f"mismatch report written to {report}")


# -- rules -----------------------------------------------------------------------------------------------------


@app.command("markets")
def markets(as_json: JsonOpt = False) -> None:
    """The market rules files: editions, effective dates, rows not confirmed against a source."""
    rows = []
    for m in rules.markets():
        for ed in rules.editions(m):
            loaded = rules.load(m, ed.edition)
            rows.append(
                {
                    "market": m,
                    "edition": ed.edition,
                    "effective": ed.effective.isoformat(),
                    "title": ed.title,
                    "jurisdiction": rules.market_jurisdiction(m),
                    "periods": " ".join(p.id for p in loaded.periods),
                    "unconfirmed": list(loaded.unconfirmed),
                    "approver": loaded.transfer_approvers(),
                }
            )
    if as_json:
        echo_json(rows)
        return
    print_table(
        [r | {"unconfirmed": len(r["unconfirmed"])} for r in rows],
        ["market", "edition", "effective", "periods", "unconfirmed"],
        min_width=120,
    )


# -- unit types and accounts -------------------------------------------------------------------------------------


@unit_app.command("add")
def unit_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="e.g. HB-FOREST-CHENGDE-2026")],
    kind: Annotated[UnitKind, typer.Option("--kind")],
    market: Annotated[
        str, typer.Option("--market", help="Issuing market or programme, e.g. beijing_pilot, hebei_forestry.")
    ],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="The issuing jurisdiction.")],
    standard: Annotated[str | None, typer.Option("--standard", help="e.g. BEA, CCER.")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="e.g. hebei-chengde.")] = None,
    project_type: Annotated[str | None, typer.Option("--project-type", help="Offsets: e.g. forestry.")] = None,
    vintage: Annotated[int | None, typer.Option("--vintage")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Trading period, e.g. phase3.")] = None,
    pollutant: Annotated[EmissionRightPollutant | None, typer.Option("--pollutant")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Register a unit type (the issuing jurisdiction's registry authority, scope issue:trading)."""
    st = state(ctx)

    def _do() -> dict[str, Any]:
        unit = UnitType(code, kind, market, standard, origin, project_type, vintage, period, pollutant)
        return registry.register_unit_type(st.store, st.principal(token), unit, jurisdiction=jurisdiction)

    out = run(_do)
    echo_json(out) if as_json else typer.echo(
        f"unit type {out['code']} {'registered' if out['created'] else 'unchanged'}"
    )


@app.command("unit-types")
def unit_types(ctx: typer.Context, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """The registered unit types and how many units of each were issued."""
    st = state(ctx)
    frame = run(lambda: registry.list_unit_types(st.store, st.principal(token)))
    if as_json:
        echo_json(records(frame))
        return
    print_table(
        records(frame),
        ["code", "kind", "market", "standard", "origin", "vintage", "period", "jurisdiction", "issued"],
        min_width=120,
    )


@account_app.command("open")
def account_open(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Account code, e.g. BJ-OP-0001.")],
    kind: Annotated[AccountKind, typer.Option("--kind")],
    name: Annotated[str, typer.Option("--name")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="The owning jurisdiction.")],
    market: Annotated[
        str | None, typer.Option("--market", help="Operator accounts: the market whose obligations it meets.")
    ] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="Operator accounts: the enterprise's registered name.")
    ] = None,
    enterprise_city: Annotated[
        str | None, typer.Option("--enterprise-city", help="The enterprise's city [default: the jurisdiction].")
    ] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Open an account owned by a jurisdiction (government accounts: issue:trading; others: operate:trading)."""
    st = state(ctx)
    ent = (enterprise_city or jurisdiction, enterprise) if enterprise else None
    acc = run(
        lambda: registry.open_account(
            st.store,
            st.principal(token),
            code,
            kind=kind,
            name=name,
            jurisdiction=jurisdiction,
            market=market,
            enterprise=ent,
        )
    )
    echo_json(acc.as_dict()) if as_json else typer.echo(
        f"account {acc.code} ({acc.kind.value}, {acc.jurisdiction}) open"
    )


@app.command("accounts")
def accounts(
    ctx: typer.Context,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="Accounts of this jurisdiction and those inside it.")
    ] = None,
    kind: Annotated[AccountKind | None, typer.Option("--kind")] = None,
    market: Annotated[str | None, typer.Option("--market")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 1000,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """List accounts."""
    st = state(ctx)
    accs = run(
        lambda: registry.list_accounts(
            st.store, st.principal(token), jurisdiction=jurisdiction, kind=kind, market=market, limit=limit
        )
    )
    rows = [a.as_dict() for a in accs]
    echo_json(rows) if as_json else print_table(
        rows, ["code", "kind", "name", "jurisdiction", "market", "enterprise_name"], min_width=120
    )


@app.command("holdings")
def holdings(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option("--account", help="One account.")] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Units per account and unit type: held, reserved by pending transfers, surrendered, retired, cancelled."""
    st = state(ctx)

    def _do() -> pd.DataFrame:
        principal = st.principal(token)
        codes = [account] if account else None
        if jurisdiction:
            codes = [
                a.code for a in registry.list_accounts(st.store, principal, jurisdiction=jurisdiction, limit=1_000_000)
            ]
        principal.require("read", "read the trading registry")
        with st.store.read() as conn:
            return cycle.holdings_frame(conn, codes)

    frame = run(_do)
    echo_json(records(frame)) if as_json else print_table(records(frame), list(frame.columns))


@app.command("statement")
def statement(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Argument(help="An account code.")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="A jurisdiction's statement instead.")
    ] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """An account's statement (holdings, compliance years, operations) or a jurisdiction's."""
    st = state(ctx)
    if (account is None) == (jurisdiction is None):
        run(lambda: _refuse("give an account or --jurisdiction", "one of them", "both" if account else "neither"))
    if jurisdiction:
        out = run(lambda: cycle.jurisdiction_statement(st.store, st.principal(token), jurisdiction))
    else:
        out = run(lambda: cycle.account_statement(st.store, st.principal(token), str(account)))
    if as_json:
        echo_json(out)
        return
    typer.echo(
        json.dumps(
            {k: v for k, v in out.items() if k not in {"holdings", "compliance", "operations", "owed"}},
            ensure_ascii=False,
            default=str,
        )
    )
    if out["holdings"]:
        print_table(out["holdings"], list(out["holdings"][0]), title="holdings [units]")
    if out["compliance"]:
        print_table(
            out["compliance"],
            [
                c
                for c in (
                    "installation",
                    "market",
                    "year",
                    "verified_t",
                    "surrendered_t",
                    "owed_t",
                    "code",
                    "n_A",
                    "n_B",
                    "n_C",
                    "share_on_time",
                    "provisional",
                )
                if c in out["compliance"][0]
            ],
            title="compliance",
        )


@app.command("trace")
def trace(
    ctx: typer.Context,
    unit_type: Annotated[str, typer.Argument(help="Unit type code.")],
    serial: Annotated[int, typer.Argument(help="A serial number.", min=1)],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """The whole history of one serial: every operation that moved it, oldest first."""
    st = state(ctx)

    def _do() -> pd.DataFrame:
        st.principal(token).require("read", "read the trading registry")
        with st.store.read() as conn:
            registry.get_unit_type(conn, unit_type)
            return oplog.trace(conn, unit_type, serial)

    frame = run(_do)
    echo_json(records(frame)) if as_json else print_table(
        records(frame),
        ["operation_id", "kind", "first_serial", "last_serial", "from_account", "to_account", "state", "at"],
        min_width=120,
    )


@app.command("check")
def check(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check the stored registry: disjoint serials, every unit type adding up to what was issued, holdings
    equal to their blocks. Exit 1 when a problem is found."""
    st = state(ctx)
    with st.store.read() as conn:
        problems = ledger.check_store(conn)
    if as_json:
        echo_json({"ok": not problems, "problems": [p.as_dict() for p in problems]})
    else:
        typer.echo(
            "registry sound: serials disjoint, units conserved, holdings equal to their blocks"
            if not problems
            else "\n".join(p.describe() for p in problems)
        )
    if problems:
        raise typer.Exit(1)


commands_ops.register(app)
commands_cycle.register(app)

__all__ = ["app"]
