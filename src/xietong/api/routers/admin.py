"""``/api/v1/principals``, ``/api/v1/tokens`` and ``/api/v1/audit``: administration (scope ``admin``), and the
audit log's signed head and proofs (scope ``read``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from xietong.api.deps import PrincipalDep, SettingsDep, StoreDep
from xietong.api.schemas import AuditEntryOut, AuditVerifyOut, PrincipalIn, PrincipalOut, TokenIn, TokenOut
from xietong.config import Settings
from xietong.enums import Scope
from xietong.exchange import admin, audit, audit_tree
from xietong.exchange.crypto import SigningKey

router = APIRouter()
#: the largest sequence number or tree size a query may name (a signed 64-bit column)
MAX_TREE_SIZE = 2**62


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
def create_token(body: TokenIn, store: StoreDep, principal: PrincipalDep, response: Response) -> TokenOut:
    """Issue a token. The response holds the only copy of the secret (never cached: ``no-store``)."""
    response.headers["Cache-Control"] = "no-store"
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


class AuditVerifyReport(AuditVerifyOut):
    root_hash: str | None = Field(default=None, description="base64 Merkle root of the entries as they are")
    signed_size: int | None = Field(default=None, description="largest tree size whose signed head verified")
    key_id: str | None = Field(default=None, description="key the signatures were checked with; null = not checked")
    checkpoint_size: int | None = None


class SignedHeadOut(BaseModel):
    """The latest signed tree head: keep ``checkpoint`` (a C2SP signed note) and verify it with ``verifier_key``."""

    origin: str = Field(description="the log's identity (first line of the checkpoint, the key's name)")
    tree_size: int
    root_hash: str = Field(description="base64 RFC 9162 Merkle tree hash of the first tree_size entries")
    timestamp: datetime
    key_id: str = Field(description="signed-note key id (hex)")
    public_key: str = Field(description="base64 Ed25519 public key")
    verifier_key: str = Field(description="<name>+<key id>+<base64(0x01 || public key)>")
    checkpoint: str = Field(description="the signed note: origin, size, root, timestamp, blank line, signature")
    log_size: int = Field(description="entries in the log now")


class InclusionProofOut(BaseModel):
    entry: int
    leaf_index: int
    tree_size: int
    leaf_hash: str = Field(description="base64 SHA-256(0x00 || canonical entry)")
    proof: list[str] = Field(description="base64 hashes, RFC 9162 §2.1.3 PATH order")
    root_hash: str


class ConsistencyProofOut(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="base64 hashes, RFC 9162 §2.1.4 PROOF order")


def _public_key(settings: Settings) -> bytes | None:
    path = settings.audit_key_path
    return SigningKey.from_file(path, create=False).public_key if path.exists() else None


TreeSize = Annotated[int, Query(ge=1, le=MAX_TREE_SIZE, description="a tree size (number of entries)")]


@router.get("/audit", operation_id="listAuditEntries", tags=["audit"])
def audit_entries(
    store: StoreDep,
    principal: PrincipalDep,
    after: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE, description="sequence number to continue after")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    action: str | None = None,
    actor: str | None = None,
    outcome: str | None = None,
) -> list[AuditEntryOut]:
    """Audit entries in order (scope ``admin``): a jurisdiction's administrator reads the entries of its
    jurisdiction and of those inside it; the region's administrators read all."""
    principal.require(Scope.ADMIN, "read the audit log")
    visible = audit.visible_jurisdictions(principal.jurisdiction)
    with store.read() as conn:
        rows = audit.entries(
            conn, after_seq=after, limit=limit, action=action, actor=actor, outcome=outcome, jurisdictions=visible
        )
    return [AuditEntryOut(**e.as_dict()) for e in rows]


@router.get("/audit/verify", operation_id="verifyAuditChain", tags=["audit"])
def audit_verify(store: StoreDep, settings: SettingsDep, principal: PrincipalDep) -> AuditVerifyReport:
    """Check the hash chain, the Merkle leaves and the signed tree heads; name the first bad entry, if any."""
    principal.require(Scope.ADMIN, "verify the audit log")
    key = _public_key(settings)
    with store.read() as conn:
        result = audit.verify(conn, public_key=key)
    return AuditVerifyReport(**result.as_dict())


@router.get("/audit/head", operation_id="auditSignedHead", tags=["audit"])
def audit_head(store: StoreDep, settings: SettingsDep, principal: PrincipalDep) -> SignedHeadOut:
    """The latest signed tree head with the public key (scope ``read``). Keep it: `xietong audit verify
    --checkpoint FILE` later proves the log still holds, unchanged, every entry it covers."""
    principal.require(Scope.READ, "read the audit log's signed head")
    with store.read() as conn:
        return SignedHeadOut(**audit_tree.head_document(conn, _public_key(settings)))


@router.get("/audit/proof", operation_id="auditInclusionProof", tags=["audit"])
def audit_proof(
    store: StoreDep,
    principal: PrincipalDep,
    entry: Annotated[int, Query(ge=1, le=MAX_TREE_SIZE, description="the entry's sequence number")],
    size: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE, description="tree size; default: the log")] = None,
) -> InclusionProofOut:
    """Inclusion proof of an entry in the tree of ``size`` entries (RFC 9162 §2.1.3; scope ``read``)."""
    principal.require(Scope.READ, "read audit proofs")
    with store.read() as conn:
        return InclusionProofOut(**audit_tree.inclusion(conn, entry, size))


@router.get("/audit/consistency", operation_id="auditConsistencyProof", tags=["audit"])
def audit_consistency(
    store: StoreDep,
    principal: PrincipalDep,
    first: TreeSize,
    second: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE, description="default: the log")] = None,
) -> ConsistencyProofOut:
    """Consistency proof from the tree of ``first`` entries to that of ``second`` (RFC 9162 §2.1.4; scope ``read``)."""
    principal.require(Scope.READ, "read audit proofs")
    with store.read() as conn:
        return ConsistencyProofOut(**audit_tree.consistency(conn, first, second))
