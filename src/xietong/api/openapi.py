"""The OpenAPI document says what every operation answers, for every router the app mounts.

FastAPI documents the success response of each route. :func:`install` completes the document once, when it
is first built, for the platform's routers and every domain's alike (a new domain gets it without a line of
its own):

- each operation lists the problem (``application/problem+json``, RFC 9457) answers it can give: 400 and 422
  (bad input), 404, 500 (unexpected, with a correlation id) and 503 (store unreachable, with
  ``Retry-After``) everywhere; 401 and 403 where a token is read; 409 and 507 (store full) on writes; 413
  where a body is sent. FastAPI's own 422 (``HTTPValidationError`` as ``application/json``) is replaced by the
  problem document the API really answers with;
- integer query and path parameters get the range of the store's integer columns (32-bit), and every ``limit`` parameter
  without bounds of its own the platform's page bounds (:data:`LIMIT_MIN` … :data:`LIMIT_MAX`).
  :mod:`xietong.api.guards` enforces these (bounds a route declares, the route or FastAPI enforces);
- every write documents the ``Idempotency-Key`` header (:mod:`xietong.api.idempotency`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from xietong.api.problems import PROBLEM_JSON

#: the range of a signed 64-bit integer: the widest integer SQLite and PostgreSQL (bigint) columns hold
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: the range of integer parameters (ids, sequence numbers, years, pages): PostgreSQL's ``integer`` (32-bit),
#: the type of every id and counter column
PARAM_MIN = -(2**31)
PARAM_MAX = 2**31 - 1
#: bounds of every ``limit`` parameter (rows per page) that does not declare tighter ones
LIMIT_MIN = 1
LIMIT_MAX = 100_000

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details, with where the input was wrong and how to fix it.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "URI of the problem type"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "the whole message: what, expected, given, where, hint"},
        "instance": {"type": "string", "description": "the request path"},
        "expected": {"type": "string"},
        "given": {"type": "string"},
        "source": {"type": "string", "description": "file or request part"},
        "row": {"type": "integer", "description": "1-based data row"},
        "field": {"type": "string", "description": "the field, parameter or JSON path at fault"},
        "hint": {"type": "string", "description": "how to fix it"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "every rejected item"},
        "error_count": {"type": "integer"},
        "correlation_id": {"type": "string", "description": "500 only: the id of the failure in the server log"},
    },
    "additionalProperties": True,
}

_REF = {"$ref": "#/components/schemas/Problem"}

#: status → description of the problem answers
DESCRIPTIONS = {
    "400": "Bad input: the problem names the parameter, field, row or JSON path, what was expected and given",
    "401": "No valid token (missing, malformed, expired or revoked)",
    "403": "The token's principal may not do this (scope or jurisdiction)",
    "404": "Not found",
    "409": "Conflict with the current state (e.g. an idempotency key reused for another request)",
    "413": "Request body too large",
    "422": "A parameter or body field fails validation",
    "500": "Unexpected failure; quote the correlation id to the operators",
    "503": "The store cannot be reached now; retry after Retry-After seconds",
    "507": "The store is full; nothing was written",
}

_WRITES = {"post", "put", "patch", "delete"}
#: marks bounds this module added, which :mod:`xietong.api.guards` enforces (a route enforces its own)
ENFORCED = "x-xietong-enforced"

#: the header every write accepts (:mod:`xietong.api.idempotency`)
IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Send the same key again when you did not hear back: a request that committed is not applied twice "
        "(its response is replayed, `Idempotent-Replayed: true`), one that did not is applied now"
    ),
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
}


def _problem(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": DESCRIPTIONS[status], "content": {PROBLEM_JSON: {"schema": _REF}}}
    if status == "503":
        response["headers"] = {
            "Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}
        }
    return response


def problem_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    """The problem statuses an operation declares (see the module docstring)."""
    statuses = ["400", "404", "422", "500", "503"]
    if operation.get("security"):
        statuses += ["401", "403"]
    if method in _WRITES:
        statuses += ["409", "507"]
    if "requestBody" in operation or method in _WRITES:
        statuses.append("413")
    return sorted(statuses)


def _bound_integer(param: dict[str, Any]) -> None:
    schema = param.get("schema", {})
    alternatives = schema.get("anyOf", [schema])
    for sub in alternatives:
        items = sub.get("items") if sub.get("type") == "array" else None
        target = items if isinstance(items, dict) else sub
        if target.get("type") != "integer":
            continue
        if param.get("name") == "limit" and "minimum" not in target and "maximum" not in target:
            # the platform's page bounds, enforced by the guards (a route that declares its own bounds applies
            # them itself, e.g. OGC API – Features lowers a larger limit to its maximum)
            target.update({"minimum": LIMIT_MIN, "maximum": LIMIT_MAX, ENFORCED: True})
        target["minimum"] = max(target.get("minimum", PARAM_MIN), PARAM_MIN)
        target["maximum"] = min(target.get("maximum", PARAM_MAX), PARAM_MAX)


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses and the integer bounds to an OpenAPI document (in place; returned)."""
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in problem_statuses(method, operation):
                declared = responses.get(status)
                if declared is None or status == "422":
                    responses[status] = _problem(status)
                else:
                    declared.setdefault("content", {})[PROBLEM_JSON] = {"schema": _REF}
            for param in operation.get("parameters", []):
                if param.get("in") in {"query", "path"}:
                    _bound_integer(param)
            if method in _WRITES:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
    schemas = doc["components"]["schemas"]
    if not _refers(doc["paths"], "HTTPValidationError"):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return doc


def _refers(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return any(_refers(v, name) for v in value.values())
    if isinstance(value, list):
        return any(_refers(v, name) for v in value)
    return isinstance(value, str) and value.endswith("/" + name)


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed document (built once, then cached by FastAPI)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = [
    "ENFORCED",
    "INT64_MAX",
    "INT64_MIN",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "PARAM_MAX",
    "PARAM_MIN",
    "PROBLEM_SCHEMA",
    "complete",
    "install",
]
