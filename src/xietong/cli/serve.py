"""``xietong serve``: the HTTP API (and dashboard)."""

from __future__ import annotations

import os
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
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes. The server keeps no state between requests (caches are per process and "
            "checked against the store on every read), so N workers on N cores serve up to N times as many reads.",
            min=1,
            max=64,
        ),
    ] = 1,
) -> None:
    """Serve the API on http://HOST:PORT (OpenAPI at /openapi.json, docs at /docs)."""
    # imported here so that other commands start without loading the web stack
    import uvicorn  # noqa: PLC0415

    from xietong.api.app import SETTINGS_ENV, create_app  # noqa: PLC0415

    st = state(ctx)
    settings = st.settings
    if anonymous_read is not None:
        settings = settings.model_copy(update={"anonymous_read": anonymous_read})
    app = run(lambda: create_app(settings, start_dispatcher=workers == 1))
    typer.echo(
        f"Xietong serving {settings.url.split('@')[-1]} on http://{host}:{port} (docs: /docs)"
        + (f", {workers} worker processes" if workers > 1 else ""),
        err=True,
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    # each worker process builds its own app from the same settings (the store was opened once above, so a
    # bad database URL or an unmigrated store is reported here, not by every worker)
    app.state.store.dispose()
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run(
        "xietong.api.app:create_app_from_env", factory=True, host=host, port=port, log_level=log_level, workers=workers
    )
