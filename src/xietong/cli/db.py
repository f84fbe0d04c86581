"""``xietong db``: schema migrations, the state of the store, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xietong.cli._common import echo_json, run, state
from xietong.exchange.bootstrap import initialise
from xietong.store import backup
from xietong.store.session import Store

app = typer.Typer(help="The store: migrations, status, backup and restore.", no_args_is_help=True)


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


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the backup (replaced atomically if it exists).")],
) -> None:
    """Back up the store in effect while the server runs: SQLite's online backup API for the embedded store,
    pg_dump (custom format) for PostgreSQL. The copy is the store at one moment; writers are not stopped."""
    store = Store(state(ctx).settings)
    try:
        result = run(lambda: backup.backup(store, file))
    finally:
        store.dispose()
    typer.echo(result.describe("backed up"))


@app.command("restore")
def restore_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `xietong db backup`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a store that already holds data (stop the server first).")
    ] = False,
) -> None:
    """Restore a backup into the store in effect (the data directory, or XIETONG_DATABASE_URL). Refuses a
    store that holds data unless --replace; run `xietong audit verify` afterwards."""
    store = Store(state(ctx).settings)
    try:
        result = run(lambda: backup.restore(store, file, replace=replace))
        run(store.ensure_schema)
    finally:
        store.dispose()
    typer.echo(result.describe("restored"))
