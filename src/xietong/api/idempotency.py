"""``Idempotency-Key`` on every write of the API (see :mod:`xietong.exchange.idempotency`).

:class:`IdempotencyKeys` (ASGI middleware) reads the header of a ``POST``/``PUT``/``PATCH``/``DELETE``, hashes
the request (method, path, query, body), lets the route's first audited write claim the key in its own
transaction, and keeps a successful response beside the key. A retry of a committed request is answered
from what was kept (same status and body, header ``Idempotent-Replayed: true``); a retry of a request that
never committed runs it now. No route needs a line for this.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xietong.api import problems
from xietong.errors import ConflictError, InputError
from xietong.exchange import idempotency
from xietong.store.session import Store

HEADER = b"idempotency-key"
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class IdempotencyKeys:
    """ASGI middleware binding the request's ``Idempotency-Key`` to its first write (see the module docstring)."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        raw_key = headers.get(HEADER)
        if raw_key is None or scope.get("method") not in _WRITES:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        digest = idempotency.request_digest(
            scope["method"], scope.get("path", ""), scope.get("query_string", b""), body
        )
        try:
            key = idempotency.check_key(raw_key.decode("latin-1"))
        except InputError as exc:
            await problems.problem_response(exc, scope.get("path"))(scope, receive, send)
            return
        status = 0
        content_type: str | None = None
        sent: list[bytes] = []

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                content_type = next(
                    (v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"content-type"), None
                )
            elif message["type"] == "http.response.body":
                sent.append(message.get("body", b""))
            await send(message)

        with idempotency.using(key, digest) as claim:
            await self.app(scope, replay, capture)
        if claim is not None and 200 <= status < 300:
            idempotency.keep_response(self.store, claim, status, content_type, b"".join(sent))


def replay_response(request: Request, exc: idempotency.AlreadyAppliedError) -> Response:
    """The response kept for the key; a 409 problem when the first attempt's response was lost."""
    kept = exc.kept
    if kept.status is None or kept.body is None:
        lost = ConflictError(
            exc.message + "; its response was not kept (the server stopped right after the commit)",
            given=kept.action,
            hint="read the result back (e.g. GET the data, or the audit log)",
        )
        return problems.problem_response(lost, request.url.path)
    return Response(
        content=kept.body.encode("utf-8"),
        status_code=kept.status,
        media_type=kept.content_type,
        headers={"Idempotent-Replayed": "true"},
    )


def install(app: FastAPI, store: Store) -> None:
    """Add the middleware and the replay of already applied requests."""

    @app.exception_handler(idempotency.AlreadyAppliedError)
    async def _replay(request: Request, exc: idempotency.AlreadyAppliedError) -> Response:
        return replay_response(request, exc)

    app.add_middleware(IdempotencyKeys, store=store)


__all__ = ["IdempotencyKeys", "install", "replay_response"]
