"""``xietong tiny hello``."""

from __future__ import annotations

import typer

from xietong.cli._common import state
from xietong_tiny.service import notes

app = typer.Typer(help="The tiny test domain.", no_args_is_help=True)


@app.command("hello")
def hello(ctx: typer.Context) -> None:
    """Print the notes."""
    for text in notes(state(ctx).store):
        typer.echo(f"tiny: {text}")
