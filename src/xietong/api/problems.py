"""Errors as ``application/problem+json`` (RFC 9457), with the same wording as the CLI.

Every answer that is not a success is a problem document: Xietong's own errors (status by class, below),
request validation (422), HTTP errors of the framework (404, 405), a database that cannot be reached (503
with ``Retry-After``), a full store (507), and an unexpected exception (500 with a ``correlation_id`` that
is also in the server log beside the traceback; the traceback never goes to the client).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pandas as pd
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from xietong.errors import (
    AuditChainError,
    AuthenticationError,
    ConflictError,
    InputError,
    Location,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    StoreError,
    StoreFullError,
    StoreUnavailableError,
    UnknownJurisdictionError,
    UnknownStationError,
    XietongError,
)
from xietong.store.session import database_failure

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://xietong.dev/problems/"

#: HTTP status of each error class (the most specific class listed wins)
STATUS: list[tuple[type[XietongError], int]] = [
    (UnknownStationError, 422),
    (UnknownJurisdictionError, 422),
    (InputError, 400),
    (NotFoundError, 404),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (StoreFullError, 507),
    (StoreError, 503),
    (AuditChainError, 500),
]


def status_of(exc: XietongError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def problem_body(exc: XietongError, status: int, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + exc.problem_type,
        "title": exc.title,
        "status": status,
        "detail": exc.problem.describe(),
    }
    if instance:
        body["instance"] = instance
    p = exc.problem
    for key, value in (
        ("expected", p.expected),
        ("given", p.given),
        ("source", p.where.source),
        ("row", p.where.row),
        ("field", p.where.field),
        ("hint", p.hint),
    ):
        if value is not None:
            body[key] = value
    if exc.problems:
        body["errors"] = [q.as_dict() for q in exc.problems[:200]]
        body["error_count"] = len(exc.problems)
    return body


log = logging.getLogger("xietong.api")


def problem_response(exc: XietongError, instance: str | None = None) -> JSONResponse:
    status = status_of(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="xietong"'
    if status == 503:
        retry = exc.retry_after_s if isinstance(exc, StoreUnavailableError) else StoreUnavailableError.retry_after_s
        headers["Retry-After"] = str(retry)
    return JSONResponse(
        problem_body(exc, status, instance), status_code=status, media_type=PROBLEM_JSON, headers=headers or None
    )


def unexpected_response(request: Request, exc: BaseException) -> JSONResponse:
    """500 for an exception nobody raised on purpose: a correlation id in the body, the traceback in the log."""
    correlation_id = uuid.uuid4().hex
    log.error(
        "unexpected %s on %s %s [correlation_id=%s]",
        type(exc).__name__,
        request.method,
        request.url.path,
        correlation_id,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    body = {
        "type": TYPE_BASE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": (
            "the server failed on this request; nothing was written by it. Report the correlation id "
            f"{correlation_id} to the operators: the server log holds the details under it"
        ),
        "instance": request.url.path,
        "correlation_id": correlation_id,
    }
    return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON, headers={"X-Correlation-Id": correlation_id})


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(XietongError)
    async def _xietong(request: Request, exc: XietongError) -> JSONResponse:
        recorder = getattr(request.app.state, "record_denial", None)
        if recorder is not None and isinstance(exc, PermissionDeniedError | AuthenticationError):
            recorder(request, exc)
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ()))
            errors.append({"field": loc, "message": err.get("msg"), "given": repr(err.get("input"))[:200]})
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        body = {
            "type": TYPE_BASE + "invalid-request",
            "title": "Invalid request",
            "status": 422,
            "detail": f"{first['message']} (field {first['field']!r})" if errors else "invalid request",
            "instance": request.url.path,
            "errors": errors,
        }
        return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {
            "type": "about:blank",
            "title": str(exc.detail) if exc.status_code != 404 else "Not Found",
            "status": exc.status_code,
            "detail": str(exc.detail),
            "instance": request.url.path,
        }
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers)

    @app.exception_handler(sa.exc.DBAPIError)
    async def _database(request: Request, exc: sa.exc.DBAPIError) -> JSONResponse:
        # a database failure that escaped Store.read()/write() (code that used the engine directly)
        failure = database_failure(exc, "the store")
        if failure is None:
            return unexpected_response(request, exc)
        return problem_response(failure, request.url.path)

    @app.exception_handler(pd.errors.ParserError)
    @app.exception_handler(pd.errors.EmptyDataError)
    async def _unreadable_csv(request: Request, exc: Exception) -> JSONResponse:
        # a backstop: a reader that let pandas' own parse error through still answers 400, not 500
        error = InputError(
            "the request body is not a readable CSV",
            expected="a CSV file as the operation documents it",
            given=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
            where=Location("request body"),
        )
        return problem_response(error, request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette calls this from its outermost middleware and re-raises afterwards, so the server's own
        # error log keeps the traceback as well
        return unexpected_response(request, exc)


__all__ = ["PROBLEM_JSON", "install", "problem_body", "problem_response", "status_of", "unexpected_response"]
