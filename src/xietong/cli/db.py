"""``xietong db``: schema migrations and the state of the store."""

from __future__ import annotations

from typing import Annotated

import typer

from xietong.cli._common import echo_json, run, state
from xietong.exchange.bootstrap import initialise
from xietong.store.session import Store

app = typer.Typer(help="The store: migrations and status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Migrate the store's schema to this version and load the reference data (idempotent).

    Needed once on a new PostgreSQL database and after every upgrade of Xietong; the embedded SQLite
    store does it by itself.
    """
    settings = state(ctx).settings
    report = run(lambda: initialise(Store(settings)))
    typer.echo(report.describe())


@app.command("status")
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show which database is used and whether its schema is current."""
    settings = state(ctx).settings
    store = Store(settings)
    try:
        current, head, at_head = store.current_revision(), store.head_revision(), store.at_head()
    finally:
        store.dispose()
    info = {"database": store.url_for_display, "revision": current, "head": head, "current": at_head}
    if as_json:
        echo_json(info)
    else:
        for k, v in info.items():
            typer.echo(f"{k}: {v}")
