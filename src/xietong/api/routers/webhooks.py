"""``/api/v1/webhooks``: per-jurisdiction webhook subscriptions and the delivery log (scope ``admin``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from xietong.api.deps import PrincipalDep, SettingsDep, StoreDep
from xietong.enums import Scope
from xietong.exchange import notify

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookIn(BaseModel):
    url: str = Field(examples=["https://eeb.tj.gov.cn/hooks/xietong"])
    jurisdiction: str | None = Field(default=None, description="code or name; null = every event (region admins)")
    events: list[str] = Field(default_factory=lambda: ["*"], description="event names, prefixes like 'warning.', or *")
    secret: str | None = Field(
        default=None,
        min_length=1,
        max_length=notify.MAX_SECRET_CHARS,
        description="HMAC key; generated and returned once when omitted; stored encrypted",
    )


@router.post("", operation_id="createWebhook", status_code=status.HTTP_201_CREATED)
def create(
    body: WebhookIn, store: StoreDep, settings: SettingsDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    """Register a webhook. Deliveries carry ``X-Xietong-Signature: sha256=<HMAC-SHA256(secret, body)>`` and a
    ``X-Xietong-Delivery`` id that stays the same across retries. The response holds the only plain copy of
    the secret (never cached: ``no-store``)."""
    sub = notify.subscribe(
        store, principal, body.url, jurisdiction=body.jurisdiction, events=body.events,
        allow=settings.webhook_allow, secret=body.secret,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return sub.as_dict()


@router.get("", operation_id="listWebhooks")
def list_webhooks(store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    principal.require(Scope.ADMIN, "list webhooks")
    with store.read() as conn:
        subs = notify.list_subscriptions(conn)
    return [s.as_dict() for s in subs if principal.jurisdiction is None or s.jurisdiction == principal.jurisdiction]


@router.delete("/{subscription_id}", operation_id="deleteWebhook", status_code=status.HTTP_204_NO_CONTENT)
def delete(subscription_id: int, store: StoreDep, principal: PrincipalDep) -> None:
    notify.unsubscribe(store, principal, subscription_id)


@router.get("/deliveries", operation_id="listDeliveries", summary="Delivery log")
def deliveries(
    store: StoreDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 200
) -> list[dict[str, Any]]:
    """Deliveries, newest first, each with its attempts (time, HTTP status, error, duration)."""
    principal.require(Scope.ADMIN, "read the delivery log")
    with store.read() as conn:
        return notify.delivery_log(conn, jurisdiction=principal.jurisdiction, limit=limit)
