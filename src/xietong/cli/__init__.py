"""The ``xietong`` command line.

Every command honours ``--data-dir`` / ``XIETONG_DATA_DIR`` (the embedded SQLite store) and
``--database-url`` / ``XIETONG_DATABASE_URL`` (PostgreSQL). Errors in the input or request print one
message saying what was expected, what was given and where, and exit with code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xietong import __version__, domains
from xietong.cli import access, audit, db, region_cmd, serve, webhook
from xietong.cli._common import AppState
from xietong.exchange import idempotency

app = typer.Typer(
    name="xietong",
    help=(
        "Xietong (协同): the coordination platform for Beijing–Tianjin–Hebei.\n\n"
        "Share monitoring data between jurisdictions, compute air and water quality to the national "
        "standards, and serve the API and dashboard. Exit codes: 0 success, 2 bad input or request, "
        "1 unexpected failure."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xietong {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="XIETONG_DATA_DIR",
            help="Directory of the embedded SQLite store [default: ~/.local/share/xietong].",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="XIETONG_DATABASE_URL",
            help="PostgreSQL URL (postgresql+psycopg://user@host:port/db); default: the embedded SQLite store.",
            show_default=False,
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            envvar="XIETONG_IDEMPOTENCY_KEY",
            help=(
                "Apply this command's (first) write at most once: run it again with the same key after a "
                "crash and it completes, or says it was already applied."
            ),
            show_default=False,
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 - handled eagerly by its callback
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    state = AppState(data_dir=data_dir, database_url=database_url)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if idempotency_key is not None:
        # the same command line (less the key) is the same request
        argv = [a for a in sys.argv[1:] if a != idempotency_key and not a.startswith("--idempotency-key")]
        digest = idempotency.request_digest(*argv)
        ctx.with_resource(idempotency.using(idempotency_key, digest))


app.add_typer(region_cmd.app, name="region")
app.add_typer(db.app, name="db")
app.add_typer(access.principal_app, name="principal")
app.add_typer(access.token_app, name="token")
app.add_typer(webhook.app, name="webhook")
app.add_typer(audit.app, name="audit")
app.command(name="serve")(serve.serve)
# the installed domains' command groups (domain contract: Domain.cli), in domain order
for _domain, _name, _group in domains.cli_groups():
    app.add_typer(_group, name=_name)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
