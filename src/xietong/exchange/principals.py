"""Principals (who acts), API tokens (how they prove it) and scopes (what they may do).

A principal belongs to one jurisdiction, or to none when it acts for the whole region (the coordination
office, the platform operator). A token looks like ``xt_<id>_<secret>``: the id is public and finds the
token row; only the SHA-256 of the secret is stored, and the full token is shown once, at creation.
Secrets are 256-bit random values, so a fast hash is enough (no password stretching is needed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import domains, region
from xietong.enums import Scope
from xietong.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from xietong.store.clock import utcnow
from xietong.store.tables import api_token, principal

TOKEN_PREFIX = "xt"  # noqa: S105 - the public prefix, not a secret
_TOKEN_RE = re.compile(r"^xt_([a-z2-7]{10})_([A-Za-z0-9_-]{43})$")
#: the built-in principal the CLI uses when it works on the store directly
OPERATOR_NAME = "operator"


class PrincipalKind:
    PERSON = "person"
    SERVICE = "service"
    OPERATOR = "operator"
    ALL = ("person", "service", "operator")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor with the scopes of the token it used."""

    id: int
    name: str
    jurisdiction: str | None
    kind: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None

    @property
    def region_level(self) -> bool:
        """``True`` for principals acting for the whole region (no jurisdiction)."""
        return self.jurisdiction is None

    def has(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes

    def require(self, scope: str, action: str) -> None:
        """Raise :class:`PermissionDeniedError` unless the principal holds ``scope`` (or ``admin``)."""
        if not self.has(scope):
            held = " ".join(sorted(self.scopes)) or "none"
            raise PermissionDeniedError(
                f"{self.name} may not {action}",
                expected=f"a token with scope {str(scope)!r}",
                given=f"scopes {held}",
                hint="ask an administrator of your jurisdiction for a token with that scope",
            )

    def may_act_for(self, jurisdiction_code: str) -> bool:
        """Whether this principal may publish for ``jurisdiction_code``.

        Region-level principals with ``admin`` act for every jurisdiction; otherwise a principal acts for
        its own jurisdiction and those inside it (Hebei's bureau for Hebei's cities).
        """
        if self.jurisdiction is None:
            return Scope.ADMIN in self.scopes
        return region.is_within(jurisdiction_code, self.jurisdiction)

    def describe(self) -> str:
        where = region.display_name(self.jurisdiction) if self.jurisdiction else "region"
        return f"{self.name} ({where})"


ANONYMOUS = Principal(id=0, name="anonymous", jurisdiction=None, kind="anonymous", scopes=frozenset({Scope.READ}))


def all_scopes() -> dict[str, str]:
    """Every scope a token may hold: the platform's (:class:`~xietong.enums.Scope`) and the installed domains'."""
    platform = {
        Scope.READ.value: "read every dataset that is not restricted",
        Scope.PUBLISH_ENTERPRISES.value: "publish the enterprise registry of the principal's jurisdiction",
        Scope.ADMIN.value: "manage principals, tokens, webhooks and read the audit log (implies every scope)",
    }
    return {**platform, **domains.scopes()}


def parse_scopes(values: list[str] | tuple[str, ...] | str) -> frozenset[str]:
    """Parse scope names (a list, or one space/comma separated string)."""
    items = values.replace(",", " ").split() if isinstance(values, str) else list(values)
    known = all_scopes()
    out = set()
    for item in items:
        if item.strip() not in known:
            raise InputError(
                "unknown scope",
                expected="one of " + ", ".join(known),
                given=repr(item),
            )
        out.add(item.strip())
    if not out:
        raise InputError("a token needs at least one scope", expected="e.g. read or publish:air", given="none")
    return frozenset(out)


def _row_to_principal(row: Any) -> Principal:
    return Principal(id=int(row.id), name=str(row.name), jurisdiction=row.jurisdiction_code, kind=str(row.kind))


def create_principal(conn: Connection, name: str, jurisdiction: str | None, kind: str = "person") -> Principal:
    """Create a principal; ``jurisdiction`` is a code or name, or ``None`` for region level."""
    name = name.strip()
    if not re.fullmatch(r"[\w.@:-]{1,100}", name):
        raise InputError(
            "invalid principal name",
            expected="1–100 letters, digits or . _ - @ :",
            given=repr(name),
        )
    if kind not in PrincipalKind.ALL:
        raise InputError("invalid principal kind", expected=" or ".join(PrincipalKind.ALL), given=repr(kind))
    code = None
    if jurisdiction is not None:
        r = region.get(jurisdiction)
        if not r.jurisdiction:
            raise InputError(
                "principals belong to a jurisdiction of the exchange",
                expected="one of the 15 jurisdictions (xietong region list)",
                given=f"{r.code} {r.name_zh}",
            )
        code = r.code
    exists = conn.execute(sa.select(principal.c.id).where(principal.c.name == name)).first()
    if exists:
        raise ConflictError(f"a principal named {name!r} already exists", hint="choose another name")
    pid = conn.execute(
        principal.insert()
        .values(name=name, jurisdiction_code=code, kind=kind, created_at=utcnow())
        .returning(principal.c.id)
    ).scalar_one()
    return Principal(id=int(pid), name=name, jurisdiction=code, kind=kind)


def get_principal(conn: Connection, name: str) -> Principal:
    row = conn.execute(sa.select(principal).where(principal.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no principal named {name!r}", hint="list them with `xietong principal list`")
    return _row_to_principal(row)


def ensure_operator(conn: Connection) -> Principal:
    """The built-in region-level operator principal (created on first use) with every scope."""
    row = conn.execute(sa.select(principal).where(principal.c.name == OPERATOR_NAME)).first()
    p = _row_to_principal(row) if row else create_principal(conn, OPERATOR_NAME, None, PrincipalKind.OPERATOR)
    return Principal(p.id, p.name, p.jurisdiction, p.kind, frozenset(all_scopes()))


def list_principals(conn: Connection) -> list[Principal]:
    return [_row_to_principal(r) for r in conn.execute(sa.select(principal).order_by(principal.c.name))]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token. ``token`` is the only copy of the secret: show it once."""

    token: str
    token_id: str
    principal: str
    scopes: frozenset[str]
    expires_at: datetime | None


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue_token(
    conn: Connection,
    principal_name: str,
    scopes: frozenset[str],
    *,
    expires_in: timedelta | None = timedelta(days=90),
    label: str | None = None,
) -> IssuedToken:
    """Create a token for a principal. ``expires_in=None`` makes it non-expiring (discouraged)."""
    p = get_principal(conn, principal_name)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    token_id = "".join(secrets.choice(alphabet) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + expires_in if expires_in is not None else None
    conn.execute(
        api_token.insert().values(
            token_id=token_id,
            principal_id=p.id,
            secret_sha256=_secret_hash(secret),
            scopes=" ".join(sorted(str(s) for s in scopes)),
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedToken(f"{TOKEN_PREFIX}_{token_id}_{secret}", token_id, p.name, scopes, expires_at)


def revoke_token(conn: Connection, token_id: str) -> None:
    row = conn.execute(
        sa.select(api_token.c.id, api_token.c.revoked_at).where(api_token.c.token_id == token_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no token with id {token_id!r}", hint="list them with `xietong token list`")
    if row.revoked_at is None:
        conn.execute(api_token.update().where(api_token.c.id == row.id).values(revoked_at=utcnow()))


def list_tokens(conn: Connection) -> list[dict[str, object]]:
    q = (
        sa.select(
            api_token.c.token_id,
            principal.c.name.label("principal"),
            principal.c.jurisdiction_code.label("jurisdiction"),
            api_token.c.scopes,
            api_token.c.label,
            api_token.c.created_at,
            api_token.c.expires_at,
            api_token.c.revoked_at,
        )
        .join(principal, principal.c.id == api_token.c.principal_id)
        .order_by(api_token.c.created_at)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def authenticate(conn: Connection, token: str) -> Principal:
    """Return the principal behind a bearer token, or raise :class:`AuthenticationError`.

    The error says which of malformed / unknown / revoked / expired applies; the token itself is never
    echoed back.
    """
    m = _TOKEN_RE.fullmatch(token.strip())
    if m is None:
        raise AuthenticationError(
            "malformed API token",
            expected="Authorization: Bearer xt_<10-character id>_<43-character secret>",
            given=f"a {len(token)}-character value",
            hint="copy the token exactly as `xietong token create` printed it",
        )
    token_id, secret = m.groups()
    row = conn.execute(
        sa.select(
            api_token,
            principal.c.name,
            principal.c.jurisdiction_code,
            principal.c.kind,
            principal.c.disabled_at,
        )
        .join(principal, principal.c.id == api_token.c.principal_id)
        .where(api_token.c.token_id == token_id)
    ).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _secret_hash(secret)):
        raise AuthenticationError("unknown API token", given=f"token id {token_id}", hint="ask for a new token")
    now = utcnow()
    if row.revoked_at is not None:
        raise AuthenticationError(
            "this API token was revoked", given=f"token id {token_id}, revoked {row.revoked_at.isoformat()}"
        )
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthenticationError(
            "this API token has expired",
            given=f"token id {token_id}, expired {row.expires_at.isoformat()}",
            hint="ask an administrator for a new token",
        )
    if row.disabled_at is not None:
        raise AuthenticationError("the principal of this token is disabled", given=row.name)
    return Principal(
        id=int(row.principal_id),
        name=str(row.name),
        jurisdiction=row.jurisdiction_code,
        kind=str(row.kind),
        scopes=frozenset(str(row.scopes).split()),  # as granted; a scope of a removed domain is inert
        token_id=token_id,
    )


__all__ = [
    "ANONYMOUS",
    "OPERATOR_NAME",
    "IssuedToken",
    "Principal",
    "PrincipalKind",
    "authenticate",
    "create_principal",
    "ensure_operator",
    "get_principal",
    "issue_token",
    "list_principals",
    "list_tokens",
    "parse_scopes",
    "revoke_token",
]
