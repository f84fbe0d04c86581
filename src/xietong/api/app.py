"""The FastAPI application factory.

``create_app(settings)`` opens the store (initialising an embedded SQLite store on first use), mounts
the routers under ``/api/v1`` and installs the problem+json error handlers, the body-size limit, the
input guards (:mod:`xietong.api.guards`), idempotency keys, the security headers and (only when origins
are configured) CORS, and completes the OpenAPI document (:mod:`xietong.api.openapi`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xietong import __version__, domains
from xietong.api import guards, idempotency, openapi, problems, web
from xietong.api.deps import record_denial
from xietong.api.read_cache import ReadCache
from xietong.api.routers import admin, features, meta, region, webhooks
from xietong.config import Settings
from xietong.errors import PayloadTooLargeError
from xietong.exchange.bootstrap import open_store
from xietong.exchange.notify import Dispatcher, RetryPolicy
from xietong.store.session import Store

API_PREFIX = "/api/v1"
#: the settings of ``xietong serve --workers N``, as JSON, for :func:`create_app_from_env` in each worker
SETTINGS_ENV = "XIETONG_SERVE_SETTINGS"


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413, before they are read into memory.

    Checks ``Content-Length`` up front and counts the bytes of chunked bodies as they arrive.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send, int(declared))
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLargeError:
            await self._refuse(scope, send, received)

    async def _refuse(self, scope: Scope, send: Send, size: int) -> None:
        exc = PayloadTooLargeError(
            "request body too large",
            expected=f"at most {self.max_bytes} bytes ({self.max_bytes / 1048576:.0f} MB)",
            given=f"{size} bytes or more",
            hint="split the batch, or raise XIETONG_MAX_BODY_MB on the server",
        )
        response = problems.problem_response(exc, scope.get("path"))
        await response(scope, _empty_receive, send)


#: the dashboard's policy: scripts and connections to this origin only; inline style attributes (the dashboard
#: and Leaflet set them) and data: images (the favicon, Leaflet) allowed; never framed (OWASP ASVS 4.0.3 V14.4.3, V14.4.7)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def inline_script_csp(html: bytes) -> str:
    """:data:`CSP` that also allows the inline scripts of ``html`` by their SHA-256 (Swagger UI's start-up)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode("ascii") + "'"
        for m in re.finditer(rb"<script>(.*?)</script>", html, re.DOTALL)
    ]
    return CSP.replace("script-src 'self'", " ".join(["script-src 'self'", *hashes]))


class SecurityHeaders:
    """Security headers on every response (OWASP ASVS 4.0.3 V14.4.3–V14.4.7, V8.2.1).

    ``nosniff``, ``DENY`` framing (and CSP ``frame-ancestors 'none'``), a CSP (per path where a page needs
    more), ``Referrer-Policy: no-referrer``, HSTS over HTTPS, and ``Cache-Control: no-store`` on every
    response to a request that carried credentials, unless the route set its own ``Cache-Control``.
    """

    def __init__(self, app: ASGIApp, csp_by_path: dict[str, str] | None = None) -> None:
        self.app = app
        self.csp_by_path = csp_by_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentials = any(name == b"authorization" for name, _ in scope.get("headers") or [])
        csp = self.csp_by_path.get(scope.get("path", ""), CSP)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if credentials:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLargeError(Exception):
    """Raised inside the app when a chunked body passes the limit."""


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _install_errors_and_inputs(app: FastAPI, settings: Settings, store: Store) -> None:
    """Problem+json for every error, the completed OpenAPI document, and the request-body middleware (listed
    innermost first: idempotency keys see only bodies the guards let through, the guards only bodies within
    the size limit)."""
    problems.install(app)
    openapi.install(app)
    idempotency.install(app, store)
    app.add_middleware(guards.JsonBodyGuard)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, start_dispatcher: bool = True
) -> FastAPI:
    """Build the application. Pass ``store`` to share an already open store (tests); the webhook
    dispatcher runs while the app is up unless ``start_dispatcher=False`` or ``webhook_poll_s == 0``."""
    settings = settings or Settings.from_env()
    store = store or open_store(settings)
    dispatcher: Dispatcher | None = None
    if settings.webhook_poll_s > 0 and start_dispatcher:
        dispatcher = Dispatcher(
            store,
            interval_s=settings.webhook_poll_s,
            policy=RetryPolicy(
                base_delay_s=settings.webhook_retry_s,
                max_attempts=settings.webhook_max_attempts,
                timeout_s=settings.webhook_timeout_s,
            ),
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # deliveries pending in the outbox (from before a restart, too) go out from here
        if dispatcher is not None:
            dispatcher.start()
        # domains warm up in the background while the server starts taking requests (e.g. the transit
        # domain compiles its router's kernels: seconds on a cold cache)
        for _name, warm_up in domains.warm_ups():
            threading.Thread(target=warm_up, name=f"xietong-warm-up-{_name}", daemon=True).start()
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            app.state.read_cache.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Xietong API",
        version=__version__,
        description=(
            "The coordination platform for Beijing–Tianjin–Hebei: shared monitoring data between "
            "jurisdictions (each publishes its own, all read, every write audited).\n\n"
            "Authenticate with `Authorization: Bearer <token>`. Errors are `application/problem+json` "
            "(RFC 9457). Times are ISO 8601; hour labels are the end of the averaging hour, shown in "
            "China Standard Time."
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # served below from bundled assets, so it works offline
        redoc_url=None,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        # parameters in their documented ranges, required bodies present (every router, domains' too)
        dependencies=[Depends(guards.check_request)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.record_denial = record_denial
    app.state.read_cache = ReadCache()
    _install_errors_and_inputs(app, settings, store)
    if settings.cors_origins:  # off unless configured (XIETONG_CORS_ORIGINS); bearer tokens, no cookies
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
            expose_headers=["ETag", "Retry-After"],
            max_age=600,
        )
    docs_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Xietong API",
        swagger_js_url="/swagger/swagger-ui-bundle.js",
        swagger_css_url="/swagger/swagger-ui.css",
        swagger_favicon_url="/swagger/favicon-32x32.png",
    )
    app.add_middleware(SecurityHeaders, csp_by_path={"/docs": inline_script_csp(bytes(docs_page.body))})

    app.include_router(region.router, prefix=API_PREFIX)
    app.include_router(meta.router, prefix=API_PREFIX)
    app.include_router(webhooks.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix=API_PREFIX)
    app.include_router(features.router, prefix=API_PREFIX)  # OGC API – Features of every domain's datasets
    # the installed domains' routers (domain contract: Domain.api)
    for _name, router in domains.routers():
        app.include_router(router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["meta"], operation_id="health")
    def health() -> dict[str, Any]:
        """Liveness and the store in use."""
        return {"status": "ok", "version": __version__, "store": store.dialect}

    web.mount(app)
    swagger_assets = Path(str(resources.files("fastapi_swagger").joinpath("resources")))
    app.mount("/swagger", StaticFiles(directory=swagger_assets), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page

    return app


def create_app_from_env() -> FastAPI:
    """The app of one worker of ``xietong serve --workers N``: the settings the command resolved
    (:data:`SETTINGS_ENV`), else the environment's. Every worker runs a webhook dispatcher; claiming a
    delivery is safe from several processes (``xietong.exchange.notify``)."""
    raw = os.environ.get(SETTINGS_ENV)
    return create_app(Settings.model_validate_json(raw) if raw else None)


__all__ = ["API_PREFIX", "CSP", "SETTINGS_ENV", "SecurityHeaders", "create_app", "create_app_from_env"]
