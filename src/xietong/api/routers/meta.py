"""``/api/v1/domains`` and ``/api/v1/indicators``: what this installation offers.

The installed domains with their pages, scopes and webhook events (the dashboard builds its navigation
from this), and the indicators every domain publishes, with a way to compute one series on demand.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from xietong import domains
from xietong.api.deps import PrincipalDep, StoreDep
from xietong.enums import Scope
from xietong.exchange.notify import event_types
from xietong.exchange.principals import all_scopes
from xietong.indicators import Context, default_registry, parse_params
from xietong.store.clock import utcnow

router = APIRouter(tags=["meta"])


@router.get("/domains", operation_id="listDomains", summary="The installed domains")
def list_domains() -> dict[str, Any]:
    """Every installed domain (name, titles, dashboard pages, scopes, events), and every scope and event
    a token or webhook subscription may name."""
    return {
        "domains": [d.as_dict() for d in domains.installed()],
        "scopes": all_scopes(),
        "events": event_types(),
    }


@router.get("/indicators", operation_id="listPlatformIndicators", summary="The indicators the domains publish")
def list_indicators() -> list[dict[str, Any]]:
    """Key, name, description, unit, default comparison and parameters of every indicator."""
    return [ind.as_dict() for ind in default_registry()]


@router.get("/indicators/{key}", operation_id="computeIndicator", summary="Compute one indicator series now")
async def compute_indicator(
    key: str,
    store: StoreDep,
    principal: PrincipalDep,
    param: Annotated[list[str] | None, Query(description="name=value, repeatable (e.g. city=北京)")] = None,
) -> dict[str, Any]:
    """The value of the series ``key`` with these parameters, computed from the store as it is now
    (nothing is stored: bind a task to keep values)."""
    principal.require(Scope.READ, "read indicators")
    indicator = default_registry().get(key)
    params = indicator.normalise(parse_params(param or []))
    context = Context(store=store, params=params, principal=principal, now=utcnow())
    reading = await run_in_threadpool(indicator.compute, context)
    return {
        "key": key,
        "params": params,
        "value": reading.value,
        "unit": indicator.unit,
        "as_of": reading.as_of.isoformat() if reading.as_of else None,
        "details": dict(reading.details),
    }
