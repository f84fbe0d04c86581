"""``xietong serve``: the HTTP API (and dashboard)."""

from __future__ import annotations

from typing import Annotated

import typer

from xietong.cli._common import run, state


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    anonymous_read: Annotated[
        bool | None,
        typer.Option(
            "--anonymous-read/--no-anonymous-read",
            help="Let requests without a token read public data [default: XIETONG_ANONYMOUS_READ or off].",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API on http://HOST:PORT (OpenAPI at /openapi.json, docs at /docs)."""
    # imported here so that other commands start without loading the web stack
    import uvicorn  # noqa: PLC0415

    from xietong.api.app import create_app  # noqa: PLC0415

    st = state(ctx)
    settings = st.settings
    if anonymous_read is not None:
        settings = settings.model_copy(update={"anonymous_read": anonymous_read})
    app = run(lambda: create_app(settings))
    typer.echo(f"Xietong serving {settings.url.split('@')[-1]} on http://{host}:{port} (docs: /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
