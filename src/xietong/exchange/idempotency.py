"""Idempotency keys: a retried write is applied exactly once.

A client that did not hear back (the connection dropped, the server was killed, the database restarted)
sends the same request again with the same key (``Idempotency-Key`` header; ``xietong --idempotency-key``).
The key is claimed by :func:`claim` inside the transaction of the write it names, right after the audit
lock: the row exists exactly when that write committed. So a retry either finds nothing (the first attempt
rolled back: the write happens now) or finds the row (it committed: nothing is written again, and the API
replays the response kept beside it). A key reused for a different request is a conflict.

The key is set for one request or command with :func:`using`; the first audited write in it claims the key
(a request that writes several times is covered up to its first write). Services need no change: every
write goes through :func:`xietong.exchange.actions.audited_write`, which calls :func:`claim`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.errors import ConflictError, InputError, XietongError
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import idempotency_key

#: what a key may look like: printable ASCII without spaces, 1–200 characters (a UUID is typical)
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(slots=True)
class Claim:
    """The key of the current request or command, and what became of it."""

    key: str
    request_sha256: str
    #: set by :func:`claim` once a write took the key (then the response may be kept)
    principal_id: int | None = None


@dataclass(frozen=True, slots=True)
class Kept:
    """A write already applied under the key, with the response kept for it (``None`` if it was lost)."""

    action: str
    created_at: datetime
    status: int | None
    content_type: str | None
    body: str | None


class AlreadyAppliedError(XietongError):
    """The write this key names committed before: nothing was written again (the API replays the response)."""

    problem_type = "already-applied"
    title = "Already applied"

    def __init__(self, key: str, kept: Kept) -> None:
        super().__init__(
            f"the request with idempotency key {key!r} was applied at {kept.created_at.isoformat()}; "
            "nothing was written again",
            given=kept.action,
            hint="read the result back, or send a new key for a new request",
        )
        self.key = key
        self.kept = kept


_current: ContextVar[Claim | None] = ContextVar("xietong_idempotency", default=None)


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise InputError(
            "malformed idempotency key",
            expected="1 to 200 printable ASCII characters without spaces (e.g. a UUID)",
            given=repr(key[:60]),
        )
    return key


def request_digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts of a request (method, path, query, body), each length-prefixed."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@contextmanager
def using(key: str | None, request_sha256: str) -> Iterator[Claim | None]:
    """Let the writes inside claim ``key`` (``None``: no key, nothing changes)."""
    if key is None:
        yield None
        return
    current = Claim(check_key(key), request_sha256)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def _kept(row: Any) -> Kept:
    return Kept(row.action, row.created_at, row.response_status, row.response_type, row.response_body)


def claim(conn: Connection, principal: Principal, action: str) -> None:
    """In a write transaction (after the audit lock): take the current key for this write, or raise
    :class:`AlreadyAppliedError` if a committed write holds it, :class:`ConflictError` if another request does."""
    current = _current.get()
    if current is None or current.principal_id is not None or not principal.id:
        return
    row = conn.execute(
        sa.select(idempotency_key).where(
            idempotency_key.c.principal_id == principal.id, idempotency_key.c.key == current.key
        )
    ).first()
    if row is not None:
        if row.request_sha256 != current.request_sha256:
            raise ConflictError(
                f"idempotency key {current.key!r} was used for another request",
                expected="the same method, path, query and body as the request first sent with this key",
                given="a different request",
                hint="use a new key for a new request",
            )
        raise AlreadyAppliedError(current.key, _kept(row))
    conn.execute(
        idempotency_key.insert().values(
            principal_id=principal.id,
            key=current.key,
            request_sha256=current.request_sha256,
            action=action[:80],
            created_at=utcnow(),
        )
    )
    current.principal_id = principal.id


def keep_response(store: Store, current: Claim, status: int, content_type: str | None, body: bytes) -> None:
    """Keep the response of the write that claimed the key, for retries to replay (after its commit)."""
    if current.principal_id is None:
        return
    with store.write() as conn:
        conn.execute(
            idempotency_key.update()
            .where(idempotency_key.c.principal_id == current.principal_id, idempotency_key.c.key == current.key)
            .values(
                response_status=status,
                response_type=(content_type or "")[:120] or None,
                response_body=body.decode("utf-8", "replace"),
            )
        )


__all__ = [
    "AlreadyAppliedError",
    "Claim",
    "Kept",
    "check_key",
    "claim",
    "keep_response",
    "request_digest",
    "using",
]
