"""Per-jurisdiction webhooks through a persistent, transactional outbox.

A service that changes state (a warning proposed, a water incident opened …) calls :func:`enqueue`
**inside its own transaction**: the outbox rows commit or roll back with the change, so an event is
never announced for a change that did not happen, and never lost once it did (the outbox survives a
server restart). :func:`deliver_due` sends what is due:

* body: the JSON document stored in the outbox, byte for byte;
* headers: ``X-Xietong-Event``, ``X-Xietong-Delivery`` (a UUID, the same on every retry: receivers use it
  to ignore duplicates), ``X-Xietong-Timestamp`` and ``X-Xietong-Signature: sha256=<hex>``, the
  HMAC-SHA256 of the body with the subscriber's secret (:func:`verify_signature` checks it);
* a 2xx answer marks the delivery done; anything else (or no answer) is retried with exponential
  backoff (``base_delay_s * 2**(attempt-1)``, capped) until ``max_attempts``, then marked failed.
  Every attempt is logged in ``delivery_attempt``.

Delivery is at-least-once: a row is claimed for a lease before it is sent, so a dispatcher that dies
mid-send leaves it to be retried after the lease.

Webhook URLs must match the server's allow-list (``XIETONG_WEBHOOK_ALLOW``, host patterns).

Secrets are stored encrypted (AES-256-GCM, :class:`~xietong.exchange.crypto.SecretBox`) with the secrets
key file outside the store, so a copy of the database does not reveal them; the plain secret exists only in
memory while a delivery is signed, and in the answer to the request that created it. Secrets stored in plain
text before migration 0005 are encrypted by :func:`encrypt_stored_secrets` on the first use of the key
(``bootstrap.initialise``: ``xietong db upgrade`` or the first open of an embedded store).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import domains, region
from xietong.enums import Scope
from xietong.errors import InputError, Location, NotFoundError, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.crypto import SecretBox, is_encrypted_text, secret_box
from xietong.exchange.principals import Principal
from xietong.store import bulk
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import delivery_attempt, outbox, webhook_subscription

_log = logging.getLogger("xietong.webhooks")


class Event(StrEnum):
    """Events of the platform itself; domains declare theirs through the domain contract
    (:class:`xietong.domains.EventType`, e.g. ``warning.issued``, ``water.incident.opened``)."""

    PING = "ping"


def event_types() -> dict[str, str]:
    """Every event a subscription may name: the platform's and the installed domains'."""
    return {Event.PING.value: "a test delivery (xietong webhook ping)", **domains.events()}


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


SIGNATURE_HEADER = "X-Xietong-Signature"
#: associated data binding an encrypted secret to its use
SECRET_CONTEXT = b"xietong/webhook_subscription.secret"
#: the longest secret accepted (its ciphertext must fit the 128-character column)
MAX_SECRET_CHARS = 64


def _box(store: Store) -> SecretBox:
    return secret_box(store.settings.secrets_key_path)


def _check_secret(secret: str) -> str:
    if not 1 <= len(secret) <= MAX_SECRET_CHARS or not secret.isprintable():
        raise InputError(
            "invalid webhook secret",
            expected=f"1 to {MAX_SECRET_CHARS} printable characters (omit it to get a random 256-bit one)",
            given=f"{len(secret)} characters",
            where=Location(field="secret"),
        )
    return secret


def stored_secret(box: SecretBox, value: str) -> str:
    """The plain secret of a stored value: decrypted, or as it is if it predates encryption (0005)."""
    if is_encrypted_text(value):
        try:
            return box.decrypt_text(value, context=SECRET_CONTEXT)
        except InputError:
            pass  # a legacy plain secret that happens to look like a ciphertext
    return value


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=<hex HMAC-SHA256(secret, body)>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the HMAC over the raw body and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header.strip())


def check_url(url: str, allow: Iterable[str]) -> str:
    """Refuse webhook URLs whose host is not on the allow-list (host patterns like ``*.gov.cn``)."""
    parts = urlsplit(url)
    patterns = [a.strip().lower() for a in allow if a.strip()]
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError("invalid webhook URL", expected="an http:// or https:// URL", given=repr(url))
    host = parts.hostname.lower()
    if not any(fnmatch.fnmatchcase(host, p) for p in patterns):
        raise InputError(
            "webhook URL outside the allow-list",
            expected="a host matching one of: " + (", ".join(patterns) or "(the allow-list is empty)"),
            given=host,
            hint="ask the operator to add the host to XIETONG_WEBHOOK_ALLOW",
        )
    return url


def _matches(events_spec: str, event: str) -> bool:
    for item in events_spec.split():
        if item in {"*", event} or (item.endswith(".") and event.startswith(item)):
            return True
        if item.endswith("*") and event.startswith(item[:-1]):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    jurisdiction: str | None
    url: str
    events: str
    secret: str | None = None  # only when just created

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "jurisdiction": self.jurisdiction, "url": self.url, "events": self.events}
        if self.secret is not None:
            out["secret"] = self.secret
        return out


def subscribe(
    store: Store,
    actor: Principal,
    url: str,
    *,
    jurisdiction: str | None,
    events: Iterable[str] = ("*",),
    allow: Iterable[str],
    secret: str | None = None,
) -> Subscription:
    """Register a webhook for a jurisdiction's events (``jurisdiction=None``: every event, region admins only).

    Returns the subscription with its secret (generated when not given): shown once.
    """
    check_url(url, allow)
    code = region.get(jurisdiction).code if jurisdiction else None
    names = list(events) or ["*"]
    for name in names:
        if name != "*" and not name.endswith((".", "*")) and name not in event_types():
            raise InputError("unknown event", expected="one of " + ", ".join(event_types()) + ", or *", given=name)
    with actions.audited_write(store, actor, "webhook.subscribe", url[:200]) as work:
        actor.require(Scope.ADMIN, "register webhooks")
        if code is None and actor.jurisdiction is not None:
            raise PermissionDeniedError(
                "only region-level administrators subscribe to every event", given=actor.describe()
            )
        if code is not None and not actor.may_act_for(code):
            raise PermissionDeniedError(
                f"{actor.describe()} may not register webhooks for {region.display_name(code)}",
                expected=f"an administrator of {region.display_name(code)}",
            )
        key = _check_secret(secret) if secret is not None else secrets.token_urlsafe(32)
        sid = work.conn.execute(
            webhook_subscription.insert()
            .values(
                jurisdiction_code=code,
                url=url,
                secret=_box(store).encrypt_text(key, context=SECRET_CONTEXT),
                events=" ".join(names),
                created_by=actor.name,
                created_at=utcnow(),
            )
            .returning(webhook_subscription.c.id)
        ).scalar_one()
        work.target = f"webhook {sid}"
        work.detail = {"id": int(sid), "url": url, "jurisdiction": code, "events": names}
    return Subscription(int(sid), code, url, " ".join(names), key)


def unsubscribe(store: Store, actor: Principal, subscription_id: int) -> None:
    with actions.audited_write(store, actor, "webhook.unsubscribe", f"webhook {subscription_id}") as work:
        row = work.conn.execute(
            sa.select(webhook_subscription).where(webhook_subscription.c.id == subscription_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no webhook {subscription_id}")
        actor.require(Scope.ADMIN, "remove webhooks")
        if row.jurisdiction_code is None and actor.jurisdiction is not None:
            raise PermissionDeniedError("only region-level administrators manage region webhooks")
        if row.jurisdiction_code is not None and not actor.may_act_for(row.jurisdiction_code):
            raise PermissionDeniedError(f"{actor.describe()} may not remove this webhook")
        work.conn.execute(
            webhook_subscription.update()
            .where(webhook_subscription.c.id == subscription_id)
            .values(disabled_at=utcnow())
        )


def list_subscriptions(conn: Connection) -> list[Subscription]:
    rows = conn.execute(
        sa.select(webhook_subscription)
        .where(webhook_subscription.c.disabled_at.is_(None))
        .order_by(webhook_subscription.c.id)
    )
    return [Subscription(r.id, r.jurisdiction_code, r.url, r.events) for r in rows]


def enqueue(conn: Connection, event: str, data: Mapping[str, Any], jurisdictions: Iterable[str]) -> int:
    """Queue ``event`` for every subscriber concerned, inside the caller's transaction.

    A subscription receives the event when it is region-level, or when one of ``jurisdictions`` is its
    jurisdiction or lies inside it. Returns the number of deliveries queued.
    """
    return enqueue_many(conn, [(event, data, jurisdictions)])


def enqueue_many(conn: Connection, events: Iterable[tuple[str, Mapping[str, Any], Iterable[str]]]) -> int:
    """Queue several events ``(event, data, jurisdictions)`` like :func:`enqueue`, reading the subscriptions
    once and writing the deliveries in one statement (a batch of writes committed together)."""
    subs = conn.execute(sa.select(webhook_subscription).where(webhook_subscription.c.disabled_at.is_(None))).all()
    if not subs:
        return 0
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event, data, jurisdictions in events:
        involved = set(jurisdictions)
        for sub in subs:
            if not _matches(sub.events, str(event)):
                continue
            if sub.jurisdiction_code is not None and not any(
                region.is_within(j, sub.jurisdiction_code) for j in involved
            ):
                continue
            delivery_id = str(uuid.uuid4())
            body = json.dumps(
                {"delivery_id": delivery_id, "event": str(event), "created_at": now.isoformat(), "data": dict(data)},
                ensure_ascii=False,
                sort_keys=True,
                default=str,
            )
            rows.append(
                {
                    "delivery_id": delivery_id,
                    "subscription_id": sub.id,
                    "event": str(event),
                    "body": body,
                    "created_at": now,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
            )
    bulk.insert_rows(conn, outbox, rows)
    return len(rows)


# -- delivery ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Response:
    status: int | None
    error: str | None = None


#: how an HTTP POST is made: (url, body, headers, timeout_s) -> Response
Poster = Callable[[str, bytes, Mapping[str, str], float], Response]


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout_s: float) -> Response:
    """POST with the standard library; never raises for HTTP or network errors."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 - allow-listed
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:  # noqa: S310
            return Response(int(resp.status))
    except urllib.error.HTTPError as exc:
        return Response(int(exc.code), f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return Response(None, str(getattr(exc, "reason", exc))[:400])


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: attempt ``n`` failing waits ``base_delay_s * 2**(n-1)`` (at most ``max_delay_s``)."""

    base_delay_s: float = 2.0
    max_delay_s: float = 3600.0
    max_attempts: int = 8
    timeout_s: float = 10.0

    @property
    def lease_s(self) -> float:
        """How long a claimed delivery is left to its dispatcher before another may retry it [s]."""
        return self.timeout_s + 5.0

    def delay_after(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


@dataclass(slots=True)
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


def _claim(store: Store, policy: RetryPolicy, limit: int, now: datetime) -> list[Any]:
    with store.write() as conn:
        q = (
            sa.select(outbox.c.id, outbox.c.delivery_id, outbox.c.event, outbox.c.body, outbox.c.attempts,
                      webhook_subscription.c.url, webhook_subscription.c.secret)
            .join(webhook_subscription, webhook_subscription.c.id == outbox.c.subscription_id)
            .where(outbox.c.status == DeliveryStatus.PENDING.value, outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )  # fmt: skip
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=outbox)
        rows = list(conn.execute(q).all())
        if rows:
            lease_until = now + timedelta(seconds=policy.lease_s)
            conn.execute(
                outbox.update()
                .where(outbox.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=lease_until, attempts=outbox.c.attempts + 1)
            )
        return rows


def deliver_due(
    store: Store,
    *,
    policy: RetryPolicy | None = None,
    post: Poster = http_post,
    limit: int = 100,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send every due delivery once (claim, POST, record). Safe to run from several processes."""
    policy = policy or RetryPolicy()
    report = DeliveryReport()
    started = now or utcnow()
    for row in _claim(store, policy, limit, started):
        attempt = int(row.attempts) + 1
        body = row.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "xietong-webhook/1",
            "X-Xietong-Event": row.event,
            "X-Xietong-Delivery": row.delivery_id,
            "X-Xietong-Timestamp": started.isoformat(),
            SIGNATURE_HEADER: sign(stored_secret(_box(store), row.secret), body),
        }
        t0 = time.perf_counter()
        response = post(row.url, body, headers, policy.timeout_s)
        took_ms = int((time.perf_counter() - t0) * 1000)
        ok = response.status is not None and 200 <= response.status < 300
        at = utcnow()
        error = None if ok else (response.error or f"HTTP {response.status}")
        values: dict[str, Any]
        if ok:
            values = {"status": DeliveryStatus.DELIVERED.value, "delivered_at": at, "last_error": None}
            report.delivered += 1
        elif attempt >= policy.max_attempts:
            values = {"status": DeliveryStatus.FAILED.value, "last_error": error}
            report.failed += 1
        else:
            values = {"next_attempt_at": at + policy.delay_after(attempt), "last_error": error}
            report.retrying += 1
        with store.write() as conn:
            conn.execute(outbox.update().where(outbox.c.id == row.id).values(**values))
            conn.execute(
                delivery_attempt.insert().values(
                    outbox_id=row.id,
                    attempt=attempt,
                    at=at,
                    status_code=response.status,
                    error=error,
                    duration_ms=took_ms,
                )
            )
        report.attempted += 1
        report.details.append(
            {"delivery_id": row.delivery_id, "attempt": attempt, "status": response.status, "error": error}
        )
    return report


def encrypt_stored_secrets(store: Store) -> int:
    """Encrypt every secret still stored in plain text (from before migration 0005); returns how many.

    On SQLite the overwritten pages are zeroed (``secure_delete``) and the write-ahead log is truncated, so
    the old plain text does not stay behind in the file.
    """
    box = _box(store)
    with store.write() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        rows = conn.execute(sa.select(webhook_subscription.c.id, webhook_subscription.c.secret)).all()
        plain = [r for r in rows if stored_secret(box, r.secret) == r.secret]
        for r in plain:
            conn.execute(
                webhook_subscription.update()
                .where(webhook_subscription.c.id == r.id)
                .values(secret=box.encrypt_text(r.secret, context=SECRET_CONTEXT))
            )
    if plain and store.dialect == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(plain)


def delivery_log(conn: Connection, *, jurisdiction: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Deliveries with their attempts, newest first (for the API and the CLI)."""
    q = (
        sa.select(
            outbox.c.id, outbox.c.delivery_id, outbox.c.event, outbox.c.status, outbox.c.attempts,
            outbox.c.created_at, outbox.c.delivered_at, outbox.c.next_attempt_at, outbox.c.last_error,
            webhook_subscription.c.url, webhook_subscription.c.jurisdiction_code,
        )
        .join(webhook_subscription, webhook_subscription.c.id == outbox.c.subscription_id)
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )  # fmt: skip
    if jurisdiction is not None:
        q = q.where(webhook_subscription.c.jurisdiction_code == jurisdiction)
    rows = [dict(r._mapping) for r in conn.execute(q)]
    if rows:
        attempts = conn.execute(
            sa.select(delivery_attempt)
            .where(delivery_attempt.c.outbox_id.in_([r["id"] for r in rows]))
            .order_by(delivery_attempt.c.outbox_id, delivery_attempt.c.attempt)
        ).all()
        by_outbox: dict[int, list[dict[str, Any]]] = {}
        for a in attempts:
            by_outbox.setdefault(a.outbox_id, []).append(
                {
                    "attempt": a.attempt,
                    "at": a.at,
                    "status_code": a.status_code,
                    "error": a.error,
                    "duration_ms": a.duration_ms,
                }
            )
        for r in rows:
            r["log"] = by_outbox.get(r["id"], [])
    return rows


class Dispatcher:
    """A background thread that delivers due webhooks every ``interval_s`` until stopped."""

    def __init__(self, store: Store, *, interval_s: float = 1.0, policy: RetryPolicy | None = None) -> None:
        self.store = store
        self.interval_s = interval_s
        self.policy = policy or RetryPolicy()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xietong-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(self.store, policy=self.policy)
            except Exception:  # keep the dispatcher alive; the next round retries
                _log.exception("webhook delivery round failed")
            self._stop.wait(self.interval_s)


__all__ = [
    "SIGNATURE_HEADER",
    "DeliveryReport",
    "DeliveryStatus",
    "Dispatcher",
    "Event",
    "Response",
    "RetryPolicy",
    "Subscription",
    "check_url",
    "deliver_due",
    "delivery_log",
    "encrypt_stored_secrets",
    "enqueue",
    "enqueue_many",
    "event_types",
    "http_post",
    "list_subscriptions",
    "sign",
    "stored_secret",
    "subscribe",
    "unsubscribe",
    "verify_signature",
]
