"""Dependencies shared by the routers: the store, the settings and the authenticated principal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from xietong.config import Settings
from xietong.enums import Scope
from xietong.errors import AuthenticationError, XietongError
from xietong.exchange import actions, audit
from xietong.exchange.principals import ANONYMOUS, Principal, authenticate
from xietong.store.session import Store

_bearer = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer xt_<id>_<secret>`")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller: from the bearer token, or anonymous (read-only) when the server allows it.

    Async, so an anonymous read takes no hop to the thread pool; a token is looked up in the store there."""
    store = get_store(request)
    if credentials is None:
        if get_settings(request).anonymous_read:
            return ANONYMOUS
        raise AuthenticationError(
            "this request needs an API token",
            expected="an Authorization: Bearer xt_… header",
            given="no credentials",
            hint="ask an administrator of your jurisdiction for a token (xietong token create)",
        )
    return await run_in_threadpool(_authenticate, store, credentials.credentials)


def _authenticate(store: Store, token: str) -> Principal:
    with store.read() as conn:
        return authenticate(conn, token)


def record_denial(request: Request, exc: XietongError) -> None:
    """Write a refused request to the audit log (once per exception)."""
    if exc.audited:
        return
    principal = getattr(request.state, "principal", None)
    actor = principal if isinstance(principal, Principal) else ANONYMOUS
    actions.record(
        get_store(request),
        actor,
        f"http.{request.method.lower()}",
        request.url.path,
        audit.Outcome.DENIED,
        {"error": type(exc).__name__, "message": exc.problem.describe()},
    )
    exc.audited = True


async def _store(request: Request) -> Store:
    # async: a plain attribute read, so no hop to the thread pool (sync dependencies each take one)
    return get_store(request)


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def principal_dependency(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    request.state.principal = principal
    return principal


StoreDep = Annotated[Store, Depends(_store)]
SettingsDep = Annotated[Settings, Depends(_settings)]
PrincipalDep = Annotated[Principal, Depends(principal_dependency)]


def requires(scope: Scope, action: str) -> Any:
    """A dependency refusing callers without ``scope``: ``APIRouter(dependencies=[requires(Scope.READ, …)])``
    guards every route of a router, including routes added later."""

    def check(principal: PrincipalDep) -> None:
        principal.require(scope, action)

    return Depends(check)


__all__ = ["PrincipalDep", "SettingsDep", "StoreDep", "get_principal", "get_store", "record_denial", "requires"]
