"""Administration services: principals and tokens, with permission checks and audit entries.

A principal with ``admin`` scope manages principals and tokens of its own jurisdiction (and of the
jurisdictions inside it); a region-level ``admin`` (the coordination office, the operator) manages all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from xietong import region
from xietong.enums import Scope
from xietong.errors import PermissionDeniedError
from xietong.exchange import actions, principals
from xietong.exchange.principals import IssuedToken, Principal
from xietong.store.session import Store
from xietong.store.tables import api_token
from xietong.store.tables import principal as principal_table


def _check_manage(actor: Principal, jurisdiction: str | None, what: str) -> None:
    actor.require(Scope.ADMIN, what)
    if jurisdiction is None:
        if actor.jurisdiction is not None:
            raise PermissionDeniedError(
                f"{actor.describe()} may not {what} at region level",
                expected="a region-level administrator",
                given=f"an administrator of {region.display_name(actor.jurisdiction)}",
            )
        return
    if not actor.may_act_for(jurisdiction):
        raise PermissionDeniedError(
            f"{actor.describe()} may not {what} for {region.display_name(jurisdiction)}",
            expected=f"an administrator of {region.display_name(jurisdiction)} or of the region",
            given=f"an administrator of {region.display_name(actor.jurisdiction) if actor.jurisdiction else 'the region'}",
        )


def create_principal(
    store: Store, actor: Principal, name: str, jurisdiction: str | None, kind: str = "person"
) -> Principal:
    code = region.get(jurisdiction).code if jurisdiction else None
    with actions.audited_write(store, actor, "principal.create", f"principal {name}") as work:
        _check_manage(actor, code, "create principals")
        created = principals.create_principal(work.conn, name, code, kind)
        work.detail = {"name": created.name, "jurisdiction": created.jurisdiction, "kind": created.kind}
    return created


def issue_token(
    store: Store,
    actor: Principal,
    principal_name: str,
    scopes: frozenset[str],
    *,
    expires_in: timedelta | None = timedelta(days=90),
    label: str | None = None,
) -> IssuedToken:
    with actions.audited_write(store, actor, "token.create", f"principal {principal_name}") as work:
        target = principals.get_principal(work.conn, principal_name)
        _check_manage(actor, target.jurisdiction, "issue tokens")
        if Scope.ADMIN in scopes:
            actor.require(Scope.ADMIN, "grant the admin scope")
        scopes = principals.parse_scopes(sorted(scopes))
        issued = principals.issue_token(work.conn, principal_name, scopes, expires_in=expires_in, label=label)
        work.target = f"token {issued.token_id}"
        work.detail = {
            "principal": principal_name,
            "token_id": issued.token_id,
            "scopes": sorted(scopes),
            "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
        }
    return issued


def revoke_token(store: Store, actor: Principal, token_id: str) -> None:
    with actions.audited_write(store, actor, "token.revoke", f"token {token_id}") as work:
        row = work.conn.execute(
            sa.select(principal_table.c.jurisdiction_code)
            .join(api_token, api_token.c.principal_id == principal_table.c.id)
            .where(api_token.c.token_id == token_id)
        ).first()
        if row is not None:
            _check_manage(actor, row.jurisdiction_code, "revoke tokens")
        principals.revoke_token(work.conn, token_id)
        work.detail = {"token_id": token_id}


def list_principals(store: Store, actor: Principal) -> list[dict[str, Any]]:
    actor.require(Scope.ADMIN, "list principals")
    with store.read() as conn:
        rows = principals.list_principals(conn)
    visible = [p for p in rows if actor.jurisdiction is None or (p.jurisdiction and actor.may_act_for(p.jurisdiction))]
    return [{"name": p.name, "jurisdiction": p.jurisdiction, "kind": p.kind} for p in visible]


def list_tokens(store: Store, actor: Principal) -> list[dict[str, Any]]:
    actor.require(Scope.ADMIN, "list tokens")
    with store.read() as conn:
        rows = principals.list_tokens(conn)
    return [
        r
        for r in rows
        if actor.jurisdiction is None or (r["jurisdiction"] and actor.may_act_for(str(r["jurisdiction"])))
    ]


__all__ = ["create_principal", "issue_token", "list_principals", "list_tokens", "revoke_token"]
