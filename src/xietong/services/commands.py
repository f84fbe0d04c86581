"""``xietong services``: the working-day calendar, the catalogue and offices, cases, deadlines, recognition,
partnerships and statistics (docs/services.md). Errors print a message and exit 2."""

from __future__ import annotations

import datetime as dt
import mimetypes
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong import times
from xietong.cli._common import JsonOpt, TokenOpt, echo_json, print_table, run, state
from xietong.errors import InputError, Location
from xietong.services import calendar as wd
from xietong.services import caseviews, casework, cooperation, deadlines, registry, reports, retention
from xietong.services.enums import Decision, Mode, PartnershipKind, StepKind

app = typer.Typer(
    help="Public services across the region: working days, catalogue, cases, recognition, partnerships.",
    no_args_is_help=True,
)
office_app = typer.Typer(help="Offices that receive and handle cases.", no_args_is_help=True)
case_app = typer.Typer(help="Cases: receive, act on steps, suspend, resume, read (audited).", no_args_is_help=True)
overdue_app = typer.Typer(help="Steps past their due date.", no_args_is_help=True)
app.add_typer(office_app, name="office")
app.add_typer(case_app, name="case")
app.add_typer(overdue_app, name="overdue")

DayOpt = Annotated[str, typer.Option("--on", help="The day, YYYY-MM-DD (China Standard Time).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="The day, YYYY-MM-DD; default: today.")]
OfficeOpt = Annotated[str | None, typer.Option("--office", help="The office you act for (default: inferred).")]
DocOpt = Annotated[
    list[str] | None,
    typer.Option("--document", "-d", help="KEY (seen at the window) or KEY=FILE (a copy kept, encrypted); repeatable."),
]


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    return times.parse_day(text, option=option)


def _required_day(text: str, option: str) -> dt.date:
    day = _day(text, option)
    assert day is not None
    return day


def _documents(specs: list[str] | None) -> list[casework.DocumentIn]:
    out = []
    for spec in specs or []:
        key, sep, path = spec.partition("=")
        if not sep:
            out.append(casework.DocumentIn(key.strip()))
            continue
        file = Path(path).expanduser()
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read document {key}", expected="a readable file", given=f"{file}: {exc.strerror or exc}",
                where=Location(source=str(file)),
            ) from exc  # fmt: skip
        out.append(casework.DocumentIn(key.strip(), content, file.name, mimetypes.guess_type(file.name)[0]))
    return out


def _print_steps(result: dict[str, Any]) -> None:
    typer.echo(f"case {result['case']}: {result['status']}")
    print_table(
        result["steps"],
        ["seq", "kind", "office", "status", "opened_on", "due_on", "done_on", "suspended_wd"],
        min_width=120,
    )


# -- calendar -----------------------------------------------------------------------------------------


@app.command("due")
def due(
    start: Annotated[str, typer.Option("--start", help="The day the step starts (not counted), YYYY-MM-DD.")],
    working_days: Annotated[int, typer.Option("--working-days", help="Time limit in working days (>= 0).")],
) -> None:
    """Print the due date (YYYY-MM-DD) of a step that starts on --start and must end within N working days.

    Working days are those of the official calendar (weekends, public holidays and the adjusted working
    days of the State Council's notices, from chinesecalendar); a year it does not know exits 2.
    """
    day = run(lambda: wd.due_date(_required_day(start, "--start"), working_days))
    typer.echo(day.isoformat())


@app.command("working-days")
def working_days(
    start: Annotated[str, typer.Option("--start", help="YYYY-MM-DD (not counted).")],
    end: Annotated[str, typer.Option("--end", help="YYYY-MM-DD (counted).")],
) -> None:
    """Print the number of working days in (start, end]."""
    count = run(lambda: wd.working_days_between(_required_day(start, "--start"), _required_day(end, "--end")))
    typer.echo(str(int(count)))


# -- catalogue and offices ----------------------------------------------------------------------------


@app.command("items")
def items(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option("--search", help="Only codes or names containing this.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=registry.MAX_LIMIT)] = 200,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """List the current catalogue items."""
    st = state(ctx)
    rows = run(lambda: registry.list_items(st.store, st.principal(token), text=search, limit=limit))
    if as_json:
        echo_json(rows)
        return
    print_table(rows, ["code", "version", "name_zh", "mode", "time_limit_wd", "owner_jurisdiction"], min_width=140)


@app.command("item")
def item(ctx: typer.Context, code: str, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """Every version of one item, with its document schema, step plan and source."""
    st = state(ctx)
    rows = run(lambda: registry.item_history(st.store, st.principal(token), code))
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['code']} v{r['version']} {r['name_zh']} ({r['name_en']})")
        typer.echo(
            f"  mode {r['mode'] or '-'}; time limit {r['time_limit_wd'] or '-'} working days; source {r['source_url']}"
        )
        for d in r["documents"]:
            typer.echo(f"  document {d['key']}{' (required)' if d['required'] else ''}: {d['name_zh']}")
        for s in r["steps"]:
            typer.echo(f"  step {s['kind']} by the {s['role']} office, {s['time_limit_wd'] or '-'} working days")


@office_app.command("add")
def office_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The office's code, e.g. LF-ZWFW-01.")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="Code or name (廊坊, 131000).")],
    name_zh: Annotated[str, typer.Option("--name-zh", help="The office's Chinese name.")],
    name_en: Annotated[str, typer.Option("--name-en")] = "",
    token: TokenOpt = None,
) -> None:
    """Register an office (principals of its jurisdiction with publish:services)."""
    st = state(ctx)
    row = run(
        lambda: registry.add_office(st.store, st.principal(token), code, jurisdiction, name_zh=name_zh, name_en=name_en)
    )
    typer.echo(f"office {row['code']} ({row['jurisdiction_code']}) registered")


@office_app.command("list")
def office_list(
    ctx: typer.Context, jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    as_json: JsonOpt = False, token: TokenOpt = None,
) -> None:  # fmt: skip
    """List the offices."""
    st = state(ctx)
    rows = run(lambda: registry.list_offices(st.store, st.principal(token), jurisdiction=jurisdiction))
    if as_json:
        echo_json(rows)
        return
    print_table(rows, ["code", "jurisdiction_code", "name_zh", "name_en"])


# -- cases --------------------------------------------------------------------------------------------


@case_app.command("receive")
def case_receive(
    ctx: typer.Context,
    item_code: Annotated[str, typer.Option("--item", help="Catalogue item code, e.g. JJJ-PS-001.")],
    at: Annotated[str, typer.Option("--at", help="The receiving office.")],
    to: Annotated[list[str], typer.Option("--to", help="The competent office(s); repeatable.")],
    on: DayOpt,
    identity_number: Annotated[
        str, typer.Option("--identity-number", help="The applicant's identity number (GB 11643); '-' reads stdin.")
    ],
    name: Annotated[str, typer.Option("--name", help="The applicant's name.")],
    mode: Annotated[Mode | None, typer.Option("--mode", help="Default: the item's mode.")] = None,
    document: DocOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Receive a case; prints its id and every step's due date. Personal data are stored encrypted."""
    st = state(ctx)
    number = sys.stdin.readline().strip() if identity_number == "-" else identity_number
    result = run(
        lambda: casework.receive_case(
            st.store, st.principal(token), item=item_code, receiving_office=at, competent_offices=to,
            received_on=_required_day(on, "--on"), identity_number=number, applicant_name=name, mode=mode,
            documents=_documents(document),
        )
    )  # fmt: skip
    echo_json(result) if as_json else _print_steps(result)


@case_app.command("step")
def case_step(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="The case id.")],
    kind: Annotated[StepKind, typer.Argument(help="The step done: completeness_check, forwarded, accepted, decided …")],
    on: DayOpt,
    outcome: Annotated[Decision | None, typer.Option("--outcome", help="For a decision.")] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Complete your office's open step of a case."""
    st = state(ctx)
    result = run(
        lambda: casework.complete_step(
            st.store, st.principal(token), case_id, kind, on=_required_day(on, "--on"), outcome=outcome, office=office
        )
    )
    echo_json(result) if as_json else _print_steps(result)


@case_app.command("suspend")
def case_suspend(
    ctx: typer.Context, case_id: int, on: DayOpt,
    reason: Annotated[str, typer.Option("--reason", help="What the applicant must bring.")],
    office: OfficeOpt = None, as_json: JsonOpt = False, token: TokenOpt = None,
) -> None:  # fmt: skip
    """Stop the clock: the office waits for the applicant."""
    st = state(ctx)
    result = run(
        lambda: casework.suspend(
            st.store, st.principal(token), case_id, on=_required_day(on, "--on"), reason=reason, office=office
        )
    )
    echo_json(result) if as_json else _print_steps(result)


@case_app.command("resume")
def case_resume(
    ctx: typer.Context, case_id: int, on: DayOpt, document: DocOpt = None, office: OfficeOpt = None,
    as_json: JsonOpt = False, token: TokenOpt = None,
) -> None:  # fmt: skip
    """Restart the clock (with the documents brought); open steps' due dates move by the days suspended."""
    st = state(ctx)
    result = run(
        lambda: casework.resume(
            st.store,
            st.principal(token),
            case_id,
            on=_required_day(on, "--on"),
            documents=_documents(document),
            office=office,
        )
    )
    echo_json(result) if as_json else _print_steps(result)


@case_app.command("show")
def case_show(
    ctx: typer.Context, case_id: int, as_of: AsOfOpt = None, as_json: JsonOpt = False, token: TokenOpt = None
) -> None:
    """Show a case (offices party to it only; the read is audited)."""
    st = state(ctx)
    view = run(lambda: caseviews.get_case(st.store, st.principal(token), case_id, as_of=_day(as_of, "--as-of")))
    if as_json:
        echo_json(view)
        return
    a = view["applicant"]
    typer.echo(f"case {view['id']} {view['item']} v{view['item_version']} {view['item_name_zh']} — {view['status']}")
    typer.echo(f"  received {view['received_on']} at {view['receiving']['office']}; competent "
               + ", ".join(c["office"] for c in view["competent"]))  # fmt: skip
    typer.echo(
        f"  applicant {a.get('name') or '(hidden)'} {a.get('identity_number') or a.get('identity_masked') or '(purged)'}"
    )
    print_table(
        view["steps"],
        ["seq", "kind", "office", "status", "opened_on", "due_on", "done_on", "suspended_wd", "on_time"],
        min_width=120,
    )
    for s in view["suspensions"]:
        typer.echo(f"  suspended {s['from']} → {s['to'] or '…'} by {s['office']}: {s['reason']}")
    for d in view["documents"]:
        typer.echo(
            f"  document {d['id']} {d['key']} {d['filename'] or ''} {'(copy kept)' if d['copy_kept'] else '(seen)'}"
        )


@case_app.command("document")
def case_document(
    ctx: typer.Context, case_id: int, document_id: int,
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the document here.")], token: TokenOpt = None,
) -> None:  # fmt: skip
    """Save a kept document (offices party to the case only; audited)."""
    st = state(ctx)
    filename, _media, content = run(lambda: caseviews.get_document(st.store, st.principal(token), case_id, document_id))
    out.write_bytes(content)
    typer.echo(f"wrote {filename} ({len(content)} bytes) to {out}")


@app.command("queue")
def queue(
    ctx: typer.Context, office: OfficeOpt = None,
    party: Annotated[bool, typer.Option("--party", help="Every open step of the cases your offices are party to.")] = False,
    as_of: AsOfOpt = None, limit: Annotated[int, typer.Option(min=1, max=registry.MAX_LIMIT)] = 100,
    as_json: JsonOpt = False, token: TokenOpt = None,
) -> None:  # fmt: skip
    """Your offices' open steps, earliest due first, with working days left (audited)."""
    st = state(ctx)
    rows = run(
        lambda: caseviews.queue(
            st.store, st.principal(token), office=office, party=party, as_of=_day(as_of, "--as-of"), limit=limit
        )
    )
    if as_json:
        echo_json(rows)
        return
    print_table(
        rows,
        ["case", "item", "step", "office", "status", "due_on", "working_days_left", "overdue", "applicant"],
        min_width=140,
    )


# -- deadlines, retention -----------------------------------------------------------------------------


@overdue_app.command("list")
def overdue_list(
    ctx: typer.Context, as_of: AsOfOpt = None, office: OfficeOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=registry.MAX_LIMIT)] = 200, as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:  # fmt: skip
    """Open steps past their due date (of your offices; every office for the region)."""
    st = state(ctx)
    result = run(
        lambda: deadlines.list_overdue(
            st.store, st.principal(token), as_of=_day(as_of, "--as-of"), office=office, limit=limit
        )
    )
    if as_json:
        echo_json(result)
        return
    typer.echo(f"{result['total']} overdue steps on {result['as_of']}")
    print_table(result["steps"], ["case", "seq", "step", "office", "due_on", "working_days_late", "announced"])


@overdue_app.command("scan")
def overdue_scan(ctx: typer.Context, as_of: AsOfOpt = None, token: TokenOpt = None) -> None:
    """Announce overdue steps (webhook services.step.overdue to both offices' jurisdictions)."""
    st = state(ctx)
    result = run(lambda: deadlines.scan(st.store, st.principal(token), as_of=_day(as_of, "--as-of")))
    typer.echo(
        f"{result['announced']} overdue steps announced on {result['as_of']}; {result['webhooks_queued']} webhooks queued"
    )


@app.command("purge")
def purge(ctx: typer.Context, as_of: AsOfOpt = None, token: TokenOpt = None) -> None:
    """Delete the personal data of closed cases whose retention period ended (the audit log stays)."""
    st = state(ctx)
    result = run(lambda: retention.purge(st.store, st.principal(token), as_of=_day(as_of, "--as-of")))
    typer.echo(f"purged {len(result['cases_purged'])} cases, {result['documents_deleted']} documents deleted")


# -- recognition, partnerships, statistics ------------------------------------------------------------


@app.command("recognised")
def recognised(
    ctx: typer.Context,
    catalogue: Annotated[str, typer.Option("--catalogue", help="jjjl_clinical_tests, jjj_transport_cards …")],
    item_key: Annotated[str, typer.Option("--item", help="The item's key in the catalogue (e.g. K).")],
    issuer: Annotated[str, typer.Option("--issuer", help="The issuing institution or operator.")],
    issued_in: Annotated[str, typer.Option("--issued-in", help="Jurisdiction (code or name).")],
    used_in: Annotated[str, typer.Option("--used-in", help="Jurisdiction (code or name).")],
    on: DayOpt,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Is X issued by Y in A recognised in B on D? Prints the answer and the entry (with its source)."""
    st = state(ctx)
    answer = run(
        lambda: cooperation.recognised(
            st.store, st.principal(token), catalogue=catalogue, item=item_key, issuer=issuer, issued_in=issued_in,
            used_in=used_in, on=_required_day(on, "--on"),
        )
    )  # fmt: skip
    if as_json:
        echo_json(answer)
        return
    typer.echo(("yes: " if answer["recognised"] else "no: ") + answer["reason"])
    if answer["entry"]:
        e = answer["entry"]
        typer.echo(f"  entry {e['item_key']} {e['item_name_zh']}; conditions: {e['conditions'] or '-'}")
        typer.echo(f"  source {e['source_url']} ({e['source_date']})")
    if answer["note"]:
        typer.echo(f"  note: {answer['note']}")


@app.command("partnerships")
def partnerships(
    ctx: typer.Context, kind: Annotated[PartnershipKind | None, typer.Option("--kind")] = None,
    travel_time: Annotated[bool, typer.Option("--travel-time/--no-travel-time", help="Read transit.rail_travel_time_min.")] = True,
    as_json: JsonOpt = False, token: TokenOpt = None,
) -> None:  # fmt: skip
    """Partnerships across the jurisdictions, with the rail travel time between the partners' cities."""
    st = state(ctx)
    rows = run(
        lambda: cooperation.partnerships(
            st.store, st.principal(token), kind=kind.value if kind else None, travel_time=travel_time
        )
    )
    if as_json:
        echo_json(rows)
        return
    print_table(
        rows,
        ["id", "kind", "partner_a", "partner_b", "origin", "destination", "travel_time_min", "travel_time_basis"],
        min_width=160,
    )


@app.command("stats")
def stats(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False, token: TokenOpt = None) -> None:
    """The region's case statistics: cases per item, on-time rate, median working days, backlog."""
    st = state(ctx)
    result = run(lambda: reports.region_stats(st.store, st.principal(token), as_of=_day(as_of, "--as-of")))
    if as_json:
        echo_json(result)
        return
    typer.echo(f"{result['cases']} cases, {result['steps']} steps on {result['as_of']}")
    for key in ("cases_per_item", "on_time", "median_working_days", "backlog"):
        if result[key]:
            print_table(result[key], list(result[key][0]), title=key)


__all__ = ["app"]
