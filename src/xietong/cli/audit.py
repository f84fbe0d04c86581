"""``xietong audit``: read and verify the hash-chained audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from xietong.cli._common import EXIT_USAGE, echo_json, print_table, run, state
from xietong.exchange import audit as audit_log

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry if it does not verify.

    Keep the printed head (sequence number and hash) somewhere else: comparing it later also detects
    entries removed from the end.
    """
    st = state(ctx)

    def _verify() -> audit_log.VerifyResult:
        with st.store.read() as conn:
            return audit_log.verify(conn)

    result = run(_verify)
    if as_json:
        echo_json(result.as_dict())
    elif result.ok:
        typer.echo(f"audit chain OK: {result.checked} entries; head {result.head_seq} {result.head_hash}")
    else:
        typer.echo(f"audit chain BROKEN at entry {result.first_bad_seq}: {result.reason}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@app.command("list")
def list_entries(
    ctx: typer.Context,
    after: Annotated[int, typer.Option(help="Show entries after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. air.ingest.")] = None,
    outcome: Annotated[str | None, typer.Option(help="ok, denied or failed.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List audit entries in order."""
    st = state(ctx)

    def _read() -> list[audit_log.AuditEntry]:
        with st.store.read() as conn:
            return audit_log.entries(conn, after_seq=after, limit=limit, action=action, outcome=outcome)

    rows = [e.as_dict() for e in run(_read)]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        r["detail"] = str(r["detail"])[:80]
    print_table(rows, ["seq", "at", "actor", "jurisdiction", "action", "outcome", "target", "detail"])


__all__ = ["EXIT_USAGE", "app"]
