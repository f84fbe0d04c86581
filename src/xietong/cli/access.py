"""``xietong principal`` and ``xietong token``: who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from xietong.cli._common import JsonOpt, TokenOpt, echo_json, print_table, run, state
from xietong.exchange import admin
from xietong.exchange.principals import PrincipalKind, all_scopes, parse_scopes

principal_app = typer.Typer(help="Principals: people and services acting for a jurisdiction.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (shown once, stored only as a hash).", no_args_is_help=True)


@principal_app.command("create")
def create_principal(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique name, e.g. tianjin-eeb-feed.")],
    jurisdiction: Annotated[
        str | None,
        typer.Option("--jurisdiction", "-j", help="Code or name (天津, 120000); omit for a region-level principal."),
    ] = None,
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(PrincipalKind.ALL)}.")] = PrincipalKind.PERSON,
    token: TokenOpt = None,
) -> None:
    """Create a principal belonging to one jurisdiction."""
    st = state(ctx)
    p = run(lambda: admin.create_principal(st.store, st.principal(token), name, jurisdiction, kind))
    typer.echo(f"created principal {p.name} ({p.jurisdiction or 'region'})")


@principal_app.command("list")
def list_principals(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False, token: TokenOpt = None
) -> None:
    """List principals."""
    st = state(ctx)
    rows = run(lambda: admin.list_principals(st.store, st.principal(token)))
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, ["name", "jurisdiction", "kind"])


@token_app.command("create")
def create_token(
    ctx: typer.Context,
    principal: Annotated[str, typer.Argument(help="Name of the principal the token acts for.")],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            "-s",
            help="Repeatable: read, publish:enterprises, admin, and the scopes of the installed domains "
            "(publish:air, publish:water, warn, track …; `xietong token scopes` lists them).",
        ),
    ],
    expires_days: Annotated[
        float, typer.Option("--expires-days", min=0, max=36_500, help="Lifetime in days (0 = never expires).")
    ] = 90,
    label: Annotated[str | None, typer.Option(help="A note to recognise the token by.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    token: TokenOpt = None,
) -> None:
    """Create an API token. The token is printed once: store it, it cannot be shown again."""
    st = state(ctx)
    scopes = run(lambda: parse_scopes(scope))
    expires = timedelta(days=expires_days) if expires_days > 0 else None
    issued = run(
        lambda: admin.issue_token(st.store, st.principal(token), principal, scopes, expires_in=expires, label=label)
    )
    scope_names = sorted(issued.scopes)
    info = {
        "token": issued.token,
        "token_id": issued.token_id,
        "principal": issued.principal,
        "scopes": scope_names,
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }
    if as_json:
        echo_json(info)
    else:
        typer.echo(issued.token)
        typer.echo(
            f"(token id {issued.token_id}, scopes {' '.join(scope_names)}, expires {info['expires_at'] or 'never'};"
            " shown once)",
            err=True,
        )


@token_app.command("list")
def list_tokens(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False, token: TokenOpt = None
) -> None:
    """List tokens (ids and scopes; never the secrets)."""
    st = state(ctx)
    rows = run(lambda: admin.list_tokens(st.store, st.principal(token)))
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, ["token_id", "principal", "jurisdiction", "scopes", "expires_at", "revoked_at", "label"])


@token_app.command("scopes")
def list_scopes(as_json: JsonOpt = False) -> None:
    """List the scopes a token may be given: the platform's and those of the installed domains."""
    rows = [{"scope": name, "allows": text} for name, text in all_scopes().items()]
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, ["scope", "allows"])


@token_app.command("revoke")
def revoke_token(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token id (xt_<id>_…).")],
    token: TokenOpt = None,
) -> None:
    """Revoke a token at once."""
    st = state(ctx)
    run(lambda: admin.revoke_token(st.store, st.principal(token), token_id))
    typer.echo(f"revoked {token_id}")
