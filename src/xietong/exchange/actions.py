"""Audited transactions: the one way services write.

:func:`audited_write` opens a write transaction, takes the audit lock, lets the caller work, appends an
``ok`` audit entry and commits. If anything fails, the transaction rolls back (nothing is written) and
a ``denied`` (permission, authentication) or ``failed`` entry is appended in a transaction of its own, so
refused and failed attempts are on record too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from xietong.errors import AuthenticationError, PermissionDeniedError, XietongError
from xietong.exchange import audit, idempotency
from xietong.exchange.crypto import SigningKey, signing_key
from xietong.exchange.principals import Principal
from xietong.store.session import Store


@dataclass(slots=True)
class Work:
    """The open transaction of an audited write; fill ``detail`` for the audit entry."""

    conn: Connection
    detail: dict[str, Any] = field(default_factory=dict)
    target: str = ""


def audit_key(store: Store) -> SigningKey:
    """The key that signs the audit log's tree heads: the key file of the settings, created on first use."""
    return signing_key(store.settings.audit_key_path)


def record(
    store: Store,
    principal: Principal,
    action: str,
    target: str,
    outcome: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit entry in its own transaction."""
    with store.write() as conn:
        audit.append(
            conn,
            key=audit_key(store),
            actor=principal.name,
            jurisdiction=principal.jurisdiction,
            action=action,
            outcome=outcome,
            target=target,
            detail=detail,
        )


def refusal(exc: BaseException) -> tuple[str, dict[str, Any]]:
    """The outcome (``denied`` or ``failed``) and detail an audit entry records for a refused attempt."""
    outcome = (
        audit.Outcome.DENIED if isinstance(exc, PermissionDeniedError | AuthenticationError) else audit.Outcome.FAILED
    )
    detail: dict[str, Any] = {"error": type(exc).__name__}
    if isinstance(exc, XietongError):
        detail["message"] = exc.problem.describe()
        if exc.problems:
            detail["problems"] = len(exc.problems)
    else:
        detail["message"] = str(exc)[:500]
    return outcome, detail


def record_refusal(store: Store, principal: Principal, action: str, target: str, exc: BaseException) -> None:
    """Record a refused or failed attempt (called after the attempt's transaction rolled back)."""
    outcome, detail = refusal(exc)
    record(store, principal, action, target, outcome, detail)
    if isinstance(exc, XietongError):
        exc.audited = True


@contextmanager
def audited_write(
    store: Store, principal: Principal, action: str, target: str, *, serialise: bool = True
) -> Iterator[Work]:
    """A write transaction whose success and failure are both in the audit log.

    By default the audit chain's head is locked first, so on PostgreSQL the writes run one at a time in
    the order of their entries. ``serialise=False`` is for writers that order conflicting writes with row
    locks of their own (``SELECT … FOR UPDATE``): the head is then locked only when the entry is appended,
    at the end of the work, so unrelated writes proceed concurrently until then; the chain stays linear and
    in commit order (the head lock is held to the commit). SQLite serialises writers either way.
    """
    key = audit_key(store)  # a missing or unreadable key file stops the write before it starts
    try:
        with store.write() as conn:
            if serialise:
                audit.lock(conn)
            idempotency.claim(conn, principal, action)  # a retried write with its key is applied once
            work = Work(conn, target=target)
            yield work
            audit.append(
                conn,
                key=key,
                actor=principal.name,
                jurisdiction=principal.jurisdiction,
                action=action,
                outcome=audit.Outcome.OK,
                target=work.target or target,
                detail=work.detail,
            )
    except BaseException as exc:
        if isinstance(exc, Exception) and not isinstance(exc, idempotency.AlreadyAppliedError):
            record_refusal(store, principal, action, target, exc)
        raise


@dataclass(slots=True)
class BatchWork:
    """The open transaction of an audited batch: one audit entry per item, in order."""

    conn: Connection
    entries: list[audit.NewEntry] = field(default_factory=list)

    def done(self, action: str, target: str, detail: Mapping[str, Any]) -> None:
        """An item was applied (an ``ok`` entry)."""
        self.entries.append(audit.NewEntry(action, audit.Outcome.OK, target, detail))

    def refused(self, action: str, target: str, exc: XietongError) -> None:
        """An item was refused and nothing of it written (a ``denied`` or ``failed`` entry)."""
        outcome, detail = refusal(exc)
        self.entries.append(audit.NewEntry(action, outcome, target, detail))
        exc.audited = True


@contextmanager
def audited_batch(store: Store, principal: Principal, action: str, target: str) -> Iterator[BatchWork]:
    """One write transaction applying many independent items (group commit), each with its own audit entry.

    The caller decides every item and records it with :meth:`BatchWork.done` or :meth:`BatchWork.refused`;
    the entries are appended in that order at the end (:func:`xietong.exchange.audit.append_many`, the
    chain's head locked only then, as ``audited_write(..., serialise=False)``) and commit with the items. If
    the transaction itself fails, nothing is written and one ``failed`` entry for ``action`` says so.
    """
    key = audit_key(store)
    try:
        with store.write() as conn:
            idempotency.claim(conn, principal, action)
            work = BatchWork(conn)
            yield work
            audit.append_many(
                conn, key=key, actor=principal.name, jurisdiction=principal.jurisdiction, entries=work.entries
            )
    except BaseException as exc:
        if isinstance(exc, Exception) and not isinstance(exc, idempotency.AlreadyAppliedError):
            record_refusal(store, principal, action, target, exc)
        raise


__all__ = [
    "BatchWork",
    "Work",
    "audit_key",
    "audited_batch",
    "audited_write",
    "record",
    "record_refusal",
    "refusal",
]
