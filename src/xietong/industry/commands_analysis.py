"""``xietong industry structure | similarity | shift-share | import-structure | sharing | site | transfer | codes``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from xietong.cli._common import JsonOpt, TokenOpt, echo_json, fail, print_table, run, state
from xietong.errors import InputError
from xietong.industry import economy, gbt4754, placement, sharing, siting, techtransfer, transfer
from xietong.industry._csv import read_text_csv
from xietong.industry.commands import FormatOpt, app, emit, parse_day
from xietong.industry.enums import EmissionCategory, OutputFormat
from xietong.industry.views import records, sharing_frames

transfer_app = typer.Typer(
    help="Technology transfer (I2): contracts, flows by year, the Beijing outflow.", no_args_is_help=True
)
app.add_typer(transfer_app, name="transfer")

PanelOpt = Annotated[
    Path | None,
    typer.Option(
        "--panel",
        help="A structure table: long CSV (city, year, sector, indicator, value, unit) or the wide layout of the "
        "shared city panel. Default: the tables stored with `xietong industry import-structure`.",
        exists=True,
    ),
]
IndicatorOpt = Annotated[str, typer.Option(help="Indicator of the table to use.")]


def _table(ctx: typer.Context, panel: Path | None, years: list[int], token: str | None) -> economy.Table:
    if panel is not None:
        table = run(lambda: economy.from_file(panel, years=years))
        if table.notes:
            rows = sorted({p.where.row for p in table.notes if p.where.row is not None})
            typer.echo(
                f"note: {len(table.notes)} problem(s) in rows of other years of {table.source}, not used "
                f"(rows {', '.join(map(str, rows[:10]))}); the first: {table.notes[0].describe()}",
                err=True,
            )
        return table
    st = state(ctx)
    return run(lambda: economy.from_store(st.store, st.principal(token), years=years, require=True))


@app.command("structure")
def structure_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Year, YYYY.")],
    panel: PanelOpt = None,
    indicator: IndicatorOpt = "value_added",
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Sector shares [%] of each city, location quotients against the sum of the cities in the table, and
    each city's Krugman specialisation index. Long output: city (GB/T 2260), city_name, year, sector, value,
    unit, share, lq, krugman_specialisation."""
    table = _table(ctx, panel, [year], token)
    out = run(lambda: economy.structure_table(table, year, indicator=indicator))
    emit(out, fmt, ["city", "city_name", "sector", "share", "lq", "krugman_specialisation"])


@app.command("similarity")
def similarity_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Year, YYYY.")],
    panel: PanelOpt = None,
    indicator: IndicatorOpt = "value_added",
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Structural similarity coefficient (cosine of the sector-share vectors) and Krugman dissimilarity of
    every pair of cities: city_a, city_b, similarity, krugman_dissimilarity, year."""
    table = _table(ctx, panel, [year], token)
    out = run(lambda: economy.similarity_table(table, year, indicator=indicator))
    emit(out, fmt)


@app.command("shift-share")
def shift_share_cmd(
    ctx: typer.Context,
    base: Annotated[int, typer.Option(help="Base year.")],
    end: Annotated[int, typer.Option(help="End year.")],
    panel: PanelOpt = None,
    indicator: IndicatorOpt = "value_added",
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Shift-share decomposition of each city's change per sector: regional share + industry mix +
    competitive effect = change (in the table's unit, CNY for value added)."""
    table = _table(ctx, panel, [base, end], token)
    out = run(lambda: economy.shift_share_table(table, base, end, indicator=indicator))
    emit(out, fmt, ["city", "sector", "change", "national_share", "industry_mix", "competitive"])


@app.command("import-structure")
def import_structure(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Long CSV or the wide panel layout.", exists=True)],
    year: Annotated[list[int] | None, typer.Option("--year", help="Import only this year; repeatable.")] = None,
    token: TokenOpt = None,
) -> None:
    """Store a structure table (all-or-nothing; any inconsistent row of the years imported refuses it)."""
    st = state(ctx)
    table = run(lambda: economy.from_file(file, years=year or None))
    echo_json(run(lambda: economy.import_table(st.store, st.principal(token), table)))


# -- interest sharing -----------------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    return read_text_csv(path, source=path.name)


@app.command("sharing")
def sharing_cmd(
    enterprises: Annotated[
        Path,
        typer.Option(
            help="CSV: enterprise, origin, destination, start_year, pre_move_local_cny, government_led.", exists=True
        ),
    ],
    taxes: Annotated[
        Path, typer.Option(help="CSV: enterprise, year, tax (vat, cit, business_tax), paid_cny [, date].", exists=True)
    ],
    statement: Annotated[
        bool, typer.Option("--statement", help="Print the statement per jurisdiction and year.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse rule rows not confirmed against a source.")] = False,
    edition: Annotated[str, typer.Option(help="Rule edition; auto = in force at the start year.")] = "auto",
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Interest sharing of relocated enterprises' taxes between origin and destination (财预〔2015〕92号):
    per enterprise, year and tax each side's amount and why; or the statement per jurisdiction."""

    def _run() -> sharing.SharingResult:
        (e_text, e_row), (t_text, t_row) = _read_csv(enterprises), _read_csv(taxes)
        e, t = sharing_frames(
            e_text, t_text, enterprises_source=enterprises.name, taxes_source=taxes.name, first_rows=(e_row, t_row)
        )
        result = sharing.share_taxes(e, t, edition=edition, strict=strict, source=taxes.name)
        if result.problems:
            raise InputError.refuse(result.problems, summary=f"{len(result.problems)} problem(s) in {taxes.name}")
        return result

    result = run(_run)
    if result.unconfirmed:
        typer.echo(f"note: rule rows used unconfirmed: {', '.join(result.unconfirmed)}", err=True)
    if statement:
        emit(result.statement(), fmt)
    else:
        emit(result.detail, fmt, ["enterprise", "year", "tax", "local_cny", "origin_cny", "destination_cny",
                                  "origin_cumulative_cny", "basis"])  # fmt: skip


# -- siting ---------------------------------------------------------------------------------------------


def _land(items: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or ():
        code, sep, value = item.partition("=")
        try:
            out[code.strip()] = float(value)
        except ValueError:
            fail(InputError("invalid --park-land", expected="CODE=HECTARES, e.g. BZSP=30", given=repr(item)))
        if not sep:
            fail(InputError("invalid --park-land", expected="CODE=HECTARES", given=repr(item)))
    return out


@app.command("site")
def site_cmd(
    ctx: typer.Context,
    industry: Annotated[str, typer.Option(help="GB/T 4754-2017 code of the enterprise, e.g. 3670.")],
    origin: Annotated[str, typer.Option(help="Jurisdiction the enterprise leaves (code or name).")],
    year: Annotated[int, typer.Option(help="Year of the annual PM2.5 and the warning days.")],
    park: Annotated[list[str] | None, typer.Option("--park", help="Candidate park; repeatable (default: all).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Day that selects the rules (default: today).")] = None,
    category: Annotated[
        EmissionCategory, typer.Option(help="Pollutant-permit category.")
    ] = EmissionCategory.REGISTRATION,
    land_ha: Annotated[float | None, typer.Option(help="Land the enterprise needs [ha].")] = None,
    park_land: Annotated[
        list[str] | None, typer.Option("--park-land", help="CODE=HECTARES available; repeatable.")
    ] = None,
    no_constraint: Annotated[
        list[str] | None, typer.Option("--no-constraint", help="Switch a hard constraint off.")
    ] = None,
    existing_capacity: Annotated[bool, typer.Option(help="A move of existing capacity, not new capacity.")] = False,
    strict: Annotated[bool, typer.Option(help="Refuse constraints resting on unconfirmed rule rows.")] = False,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Rank parks for a relocating enterprise: hard constraints remove parks (and say which rule), soft
    criteria score the others (industry fit, time to Beijing and to the origin, PM2.5, warning days, water
    class), each read through the platform's indicators; every result says why, criterion by criterion."""
    st = state(ctx)
    off = set(no_constraint or ())
    request = placement.SiteRequest(
        enterprise=siting.Enterprise(industry, origin, category, land_ha, new_capacity=not existing_capacity),
        on=run(lambda: parse_day(on, "--on")),
        year=year,
        parks=tuple(park or ()),
        constraints=[c for c in siting.HARD_CONSTRAINTS if c not in off],
        available_land_ha=_land(park_land),
        strict=strict,
    )
    result = run(lambda: placement.rank(st.store, st.principal(token), request))
    if as_json:
        echo_json(result)
        return
    typer.echo(f"siting of {industry} ({gbt4754.name(industry) if gbt4754.is_valid(industry) else '?'}) from "
               f"{origin}, rules {result['edition']}, air values of {year}")  # fmt: skip
    for r in result["ranking"]:
        typer.echo(f"\n{r['rank']}. {r['park']} {r['name_en']} ({r['city']}): score {r['score']:.3f}")
        for part in str(r["why"]).split("; "):
            typer.echo(f"   {part}")
        for crit, said in r["sources"].items():
            typer.echo(f"   · {crit}: {said}")
    for r in result["removed"]:
        typer.echo(f"\nremoved {r['park']}: {r['constraint']}: {r['reason']}")
    if result["unconfirmed"]:
        typer.echo(f"\nnote: rule rows used unconfirmed: {', '.join(result['unconfirmed'])}")


# -- technology transfer --------------------------------------------------------------------------------


@transfer_app.command("import")
def transfer_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: contract, seller, seller_jurisdiction, buyer, buyer_jurisdiction, type, value_cny, date.",
            exists=True,
        ),
    ],
    token: TokenOpt = None,
) -> None:
    """Store technology contracts (all-or-nothing; by the seller's or the buyer's jurisdiction)."""
    st = state(ctx)
    frame = run(lambda: transfer.read_file(file))
    echo_json(run(lambda: transfer.import_contracts(st.store, st.principal(token), frame, source=file.name)))


@transfer_app.command("flows")
def transfer_flows(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="One year (default: every year).")] = None,
    matrix: Annotated[bool, typer.Option("--matrix", help="Seller × buyer matrix of the year [CNY].")] = False,
    level: Annotated[str, typer.Option(help="province (cities rolled up) or jurisdiction.")] = "province",
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """Flows of contract value between jurisdictions by year: year, from, to, contracts, value_cny."""
    st = state(ctx)
    principal = st.principal(token)
    if matrix:
        if year is None:
            fail(InputError("--matrix needs a year", expected="--year YYYY", given="none"))
        m = run(lambda: transfer.matrix(st.store, principal, int(year), level=level))
        emit(m.reset_index(), fmt)
        return
    emit(run(lambda: transfer.flows(st.store, principal, year=year, level=level)), fmt)


@transfer_app.command("beijing")
def transfer_beijing(
    ctx: typer.Context,
    published: Annotated[
        bool, typer.Option("--published", help="Beijing's published figures (with sources) instead.")
    ] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
    token: TokenOpt = None,
) -> None:
    """The indicator “technology contracts flowing from Beijing to Tianjin and Hebei”, by year [CNY]."""
    if published:
        emit(techtransfer.published_beijing_outflow(), fmt)
        return
    st = state(ctx)
    emit(run(lambda: transfer.beijing_outflow(st.store, st.principal(token))), fmt)


@app.command("codes")
def codes_cmd(
    query: Annotated[str | None, typer.Argument(help="A code (C36, 3612) or words of a name.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """GB/T 4754-2017 divisions: code, section, broad sector and names (filtered by a code or a word)."""
    rows = [
        {"code": d.code, "section": d.section, "broad_sector": d.broad_sector.value, "name_zh": d.name_zh,
         "name_en": d.name_en}
        for d in gbt4754.divisions()
    ]  # fmt: skip
    if query:
        q = query.strip()
        if gbt4754.is_valid(q):
            n = gbt4754.normalise(q)
            rows = [r for r in rows if (r["section"] == n if n.isalpha() else r["code"] == n[:2])]
        else:
            rows = [r for r in rows if q.casefold() in f"{r['name_zh']} {r['name_en']}".casefold()]
    if as_json:
        echo_json(records(rows))
    else:
        print_table(rows, ["code", "section", "broad_sector", "name_zh", "name_en"], min_width=140)


__all__: list[str] = []
