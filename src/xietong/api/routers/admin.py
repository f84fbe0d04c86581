"""``/api/v1/principals``, ``/api/v1/tokens`` and ``/api/v1/audit``: administration (scope ``admin``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from xietong.api.deps import PrincipalDep, StoreDep
from xietong.api.schemas import AuditEntryOut, AuditVerifyOut, PrincipalIn, PrincipalOut, TokenIn, TokenOut
from xietong.enums import Scope
from xietong.exchange import admin, audit

router = APIRouter()


@router.post(
    "/principals", operation_id="createPrincipal", status_code=status.HTTP_201_CREATED, tags=["administration"]
)
def create_principal(body: PrincipalIn, store: StoreDep, principal: PrincipalDep) -> PrincipalOut:
    """Create a principal of a jurisdiction (an administrator of that jurisdiction or of the region)."""
    p = admin.create_principal(store, principal, body.name, body.jurisdiction, body.kind)
    return PrincipalOut(name=p.name, jurisdiction=p.jurisdiction, kind=p.kind)


@router.get("/principals", operation_id="listPrincipals", tags=["administration"])
def list_principals(store: StoreDep, principal: PrincipalDep) -> list[PrincipalOut]:
    return [PrincipalOut(**p) for p in admin.list_principals(store, principal)]


@router.post("/tokens", operation_id="createToken", status_code=status.HTTP_201_CREATED, tags=["administration"])
def create_token(body: TokenIn, store: StoreDep, principal: PrincipalDep) -> TokenOut:
    """Issue a token. The response holds the only copy of the secret."""
    issued = admin.issue_token(
        store,
        principal,
        body.principal,
        frozenset(body.scopes),
        expires_in=timedelta(days=body.expires_days) if body.expires_days > 0 else None,
        label=body.label,
    )
    return TokenOut(
        token=issued.token,
        token_id=issued.token_id,
        principal=issued.principal,
        scopes=sorted(issued.scopes),
        expires_at=issued.expires_at,
    )


@router.delete(
    "/tokens/{token_id}", operation_id="revokeToken", status_code=status.HTTP_204_NO_CONTENT, tags=["administration"]
)
def revoke_token(token_id: str, store: StoreDep, principal: PrincipalDep) -> None:
    admin.revoke_token(store, principal, token_id)


@router.get("/audit", operation_id="listAuditEntries", tags=["audit"])
def audit_entries(
    store: StoreDep,
    principal: PrincipalDep,
    after: Annotated[int, Query(ge=0, description="sequence number to continue after")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    action: str | None = None,
    actor: str | None = None,
    outcome: str | None = None,
) -> list[AuditEntryOut]:
    """Audit entries in order (scope ``admin``)."""
    principal.require(Scope.ADMIN, "read the audit log")
    with store.read() as conn:
        rows = audit.entries(conn, after_seq=after, limit=limit, action=action, actor=actor, outcome=outcome)
    return [AuditEntryOut(**e.as_dict()) for e in rows]


@router.get("/audit/verify", operation_id="verifyAuditChain", tags=["audit"])
def audit_verify(store: StoreDep, principal: PrincipalDep) -> AuditVerifyOut:
    """Recompute the hash chain and name the first broken entry, if any."""
    principal.require(Scope.ADMIN, "verify the audit log")
    with store.read() as conn:
        result = audit.verify(conn)
    return AuditVerifyOut(**result.as_dict())
