"""``xietong webhook``: subscriptions, delivery and the delivery log."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from xietong.cli._common import TokenOpt, echo_json, print_table, run, state
from xietong.exchange import notify

app = typer.Typer(help="Per-jurisdiction webhooks (signed, retried, logged).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Receiver URL (must match XIETONG_WEBHOOK_ALLOW).")],
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="Whose events; omit for every event.")
    ] = None,
    event: Annotated[
        list[str] | None, typer.Option("--event", "-e", help="Event or prefix (warning.); repeatable.")
    ] = None,
    secret: Annotated[str | None, typer.Option(help="HMAC key; generated when omitted.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    token: TokenOpt = None,
) -> None:
    """Register a webhook; the secret is printed once."""
    st = state(ctx)
    sub = run(
        lambda: notify.subscribe(
            st.store,
            st.principal(token),
            url,
            jurisdiction=jurisdiction,
            events=event or ["*"],
            allow=st.settings.webhook_allow,
            secret=secret,
        )
    )
    if as_json:
        echo_json(sub.as_dict())
    else:
        typer.echo(f"webhook {sub.id} -> {sub.url} ({sub.jurisdiction or 'region'}; {sub.events}); secret {sub.secret}")


@app.command("list")
def list_webhooks(ctx: typer.Context) -> None:
    """List active webhooks (never their secrets)."""
    st = state(ctx)
    with st.store.read() as conn:
        subs = notify.list_subscriptions(conn)
    print_table([s.as_dict() for s in subs], ["id", "jurisdiction", "url", "events"])


@app.command("remove")
def remove(ctx: typer.Context, subscription_id: int, token: TokenOpt = None) -> None:
    """Disable a webhook."""
    st = state(ctx)
    run(lambda: notify.unsubscribe(st.store, st.principal(token), subscription_id))
    typer.echo(f"webhook {subscription_id} removed")


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until interrupted.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds with --loop.")] = 1.0,
) -> None:
    """Send due deliveries (the server does this by itself unless XIETONG_WEBHOOK_POLL_S=0)."""
    st = state(ctx)
    policy = notify.RetryPolicy(
        base_delay_s=st.settings.webhook_retry_s,
        max_attempts=st.settings.webhook_max_attempts,
        timeout_s=st.settings.webhook_timeout_s,
    )
    while True:
        report = notify.deliver_due(st.store, policy=policy)
        if report.attempted or not loop:
            typer.echo(
                f"attempted {report.attempted}, delivered {report.delivered}, retrying {report.retrying}, failed {report.failed}"
            )
        if not loop:
            return
        time.sleep(interval)


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option()] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Deliveries with their attempts, newest first."""
    st = state(ctx)
    with st.store.read() as conn:
        rows = notify.delivery_log(conn, limit=limit)
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        r["attempts_log"] = " ".join(str(a["status_code"] or a["error"]) for a in r["log"])
    print_table(rows, ["id", "event", "url", "status", "attempts", "attempts_log", "last_error"])
