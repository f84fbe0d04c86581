"""Checks every request passes before a route runs, whatever router (platform or domain) it belongs to.

- :class:`JsonBodyGuard` (ASGI middleware): a text body holds no NUL character; a JSON body must be UTF-8, nested at most :data:`MAX_JSON_DEPTH`
  deep, and hold only finite numbers (no ``NaN``/``Infinity``, no ``1e309``) and integers a 64-bit column
  holds. The problem names the JSON path of the first bad value, e.g. ``$[3].value``. Python's ``json``
  accepts all of these, and a stored ``Infinity`` used to turn every later read of it into a 500.
- :func:`check_request` (a dependency of the whole app): integer query and path parameters within the
  bounds the OpenAPI document declares (:mod:`xietong.api.openapi` adds the 32-bit range and the ``limit``
  bounds to every operation), dates within :data:`xietong.times.EARLIEST_YEAR` … ``LATEST_YEAR``, and a
  body present where the operation requires one.

The rules come from the completed OpenAPI document, so what is checked is what is documented.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xietong.api import problems
from xietong.api.openapi import ENFORCED, INT64_MAX, INT64_MIN, PARAM_MAX, PARAM_MIN
from xietong.errors import InputError, Location
from xietong.times import EARLIEST_YEAR, LATEST_YEAR

#: deepest nesting of arrays and objects accepted in a JSON body (Xietong's bodies nest 3–4 deep)
MAX_JSON_DEPTH = 64
BODY = "request body"

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


@dataclass(frozen=True, slots=True)
class _Bad:
    """A value json.loads accepted but Xietong refuses (marked during parsing, located afterwards)."""

    text: str
    expected: str


def _depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside strings, without recursion (vectorised over the brackets)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _find_bad(doc: Any) -> tuple[str, _Bad] | None:
    """JSON path and value of the first refused value, depth-first in document order."""
    stack: list[tuple[str, Any]] = [("$", doc)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Bad):
            return path, value
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))
    return None


def check_json(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse a JSON body that is not UTF-8, nests deeper than ``max_depth``, or holds a non-finite number or
    an integer outside the 64-bit range. Malformed JSON is left to the route (which says where it broke)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "the request body is not UTF-8",
            expected="JSON encoded as UTF-8 (RFC 8259 §8.1)",
            given=f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
            where=Location(BODY, field="body"),
            hint="re-encode the body as UTF-8",
        ) from None
    depth = _depth(text)
    if depth > max_depth:
        raise InputError(
            "the JSON body is nested too deeply",
            expected=f"at most {max_depth} levels of arrays and objects",
            given=f"{depth} levels",
            where=Location(BODY, field="body"),
        )
    found = False

    def non_finite(token: str) -> _Bad:
        nonlocal found
        found = True
        return _Bad(token, "a finite number (JSON has no NaN or Infinity)")

    def number(token: str) -> float | _Bad:
        value = float(token)
        return value if math.isfinite(value) else non_finite(token)

    def integer(token: str) -> int | _Bad:
        nonlocal found
        try:
            value = int(token)
        except ValueError:  # more digits than Python converts
            value = INT64_MAX + 1
        if INT64_MIN <= value <= INT64_MAX:
            return value
        found = True
        return _Bad(token[:40], f"an integer from {INT64_MIN} to {INT64_MAX}")

    try:
        doc = json.loads(text, parse_constant=non_finite, parse_float=number, parse_int=integer)
    except (json.JSONDecodeError, RecursionError):
        return  # the route reports malformed JSON with its line and column
    if not found:
        return
    hit = _find_bad(doc)
    if hit is not None:
        path, bad = hit
        raise InputError(
            "a number in the JSON body is out of range",
            expected=bad.expected,
            given=bad.text,
            where=Location(BODY, field=path),
            hint="send a missing value as null",
        )


def check_text(raw: bytes) -> None:
    """Refuse a NUL character in a text body: no text column holds one (PostgreSQL refuses it outright)."""
    at = raw.find(b"\x00")
    if at < 0:
        at = raw.find(b"\\u0000")
    if at >= 0:
        raise InputError(
            "the request body holds a NUL character",
            expected="text without U+0000",
            given=f"NUL at byte offset {at}",
            where=Location(BODY, field="body"),
        )


def _is_text(content_type: bytes) -> bool:
    kind = content_type.split(b";")[0].strip().lower()
    return kind.startswith(b"text/") or b"json" in kind or b"csv" in kind


class JsonBodyGuard:
    """ASGI middleware: every text body (``text/*``, ``…json``, ``…csv``) without NUL characters
    (:func:`check_text`), and every JSON body through :func:`check_json`."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in {"POST", "PUT", "PATCH", "DELETE"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"")
        if not _is_text(content_type):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        raw = b"".join(chunks)
        try:
            check_text(raw)
            if b"json" in content_type.lower():
                check_json(raw, max_depth=self.max_depth)
        except InputError as exc:
            await problems.problem_response(exc, scope.get("path"))(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass(slots=True)
class _Rules:
    """What the OpenAPI document says about one operation's inputs."""

    method: str
    pattern: re.Pattern[str]
    #: literal characters of the path template (the most literal template wins when several match)
    literal: int
    integers: list[tuple[str, str, int, int]] = field(default_factory=list)  # (in, name, minimum, maximum)
    dates: list[tuple[str, str]] = field(default_factory=list)  # (in, name)
    body_required: bool = False


def _integer_bounds(schema: dict[str, Any]) -> tuple[int, int] | None:
    """The bounds the guard enforces: the 32-bit range of the id columns, or the platform's own where it added them (bounds a
    route declared itself are the route's or FastAPI's to enforce, with their own semantics)."""
    for sub in schema.get("anyOf", [schema]):
        target = sub.get("items", {}) if sub.get("type") == "array" else sub
        if target.get("type") == "integer":
            if target.get(ENFORCED):
                return int(target["minimum"]), int(target["maximum"])
            return PARAM_MIN, PARAM_MAX
    return None


def _is_date(schema: dict[str, Any]) -> bool:
    for sub in schema.get("anyOf", [schema]):
        target = sub.get("items", {}) if sub.get("type") == "array" else sub
        if target.get("format") in {"date", "date-time"}:
            return True
    return False


_PARAM = re.compile(r"\{([^}/]+)\}")


def _template_pattern(path: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _PARAM.finditer(path):
        parts += [re.escape(path[last : m.start()]), f"(?P<{m.group(1)}>[^/]+)"]
        last = m.end()
    parts.append(re.escape(path[last:]))
    return re.compile("^" + "".join(parts) + "$")


def rules_of(doc: dict[str, Any]) -> list[_Rules]:
    """The rules of every operation in an OpenAPI document, most literal path templates first."""
    out: list[_Rules] = []
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            rules = _Rules(
                method=method.upper(),
                pattern=_template_pattern(path),
                literal=len(_PARAM.sub("", path)),
                body_required=bool(operation.get("requestBody", {}).get("required")),
            )
            for param in operation.get("parameters", []):
                where, name, schema = param.get("in"), param.get("name"), param.get("schema", {})
                if where not in {"query", "path"}:
                    continue
                bounds = _integer_bounds(schema)
                if bounds is not None:
                    rules.integers.append((where, name, *bounds))
                elif _is_date(schema):
                    rules.dates.append((where, name))
            out.append(rules)
    return sorted(out, key=lambda r: -r.literal)


def _raw_values(request: Request, match: re.Match[str], where: str, name: str) -> list[str]:
    if where == "path":
        value = match.groupdict().get(name)
        return [] if value is None else [value]
    return request.query_params.getlist(name)


def _range_errors(request: Request, rules: _Rules, match: re.Match[str]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = [
        {"type": "nul", "loc": ("query", name), "msg": "Input should not hold a NUL character", "input": value[:40]}
        for name, value in [*request.query_params.multi_items(), *match.groupdict().items()]
        if "\x00" in value
    ]
    for where, name, low, high in rules.integers:
        for raw in _raw_values(request, match, where, name):
            try:
                value = int(raw.strip())
            except ValueError:
                continue  # not an integer: the route's own validation says so
            if not low <= value <= high:
                errors.append(
                    {
                        "type": "range",
                        "loc": (where, name),
                        "msg": f"Input should be an integer from {low} to {high}",
                        "input": raw[:40],
                    }
                )
    for where, name in rules.dates:
        for raw in _raw_values(request, match, where, name):
            try:
                year = date.fromisoformat(raw.strip()[:10]).year
            except ValueError:
                continue
            if not EARLIEST_YEAR <= year <= LATEST_YEAR:
                errors.append(
                    {
                        "type": "range",
                        "loc": (where, name),
                        "msg": f"Input should be a date from {EARLIEST_YEAR} to {LATEST_YEAR}",
                        "input": raw[:40],
                    }
                )
    return errors


async def check_request(request: Request) -> None:
    """The app-wide dependency: parameters in their documented ranges and required bodies present."""
    table: list[_Rules] | None = getattr(request.app.state, "input_rules", None)
    if table is None:
        table = rules_of(request.app.openapi())
        request.app.state.input_rules = table
    path = request.url.path
    found = next(
        ((r, m) for r in table if r.method == request.method and (m := r.pattern.match(path)) is not None), None
    )
    if found is None:
        return
    rules, match = found
    errors = _range_errors(request, rules, match)
    if errors:
        raise RequestValidationError(errors)
    if rules.body_required and not (await request.body()).strip():
        raise InputError(
            "the request body is empty",
            expected="the body this operation documents (see /openapi.json)",
            given="no content",
            # the name the client gave the body (the routes' `filename` parameter), else "request body"
            where=Location(request.query_params.get("filename") or BODY, field="body"),
        )


__all__ = ["MAX_JSON_DEPTH", "JsonBodyGuard", "check_json", "check_request", "check_text", "rules_of"]
