"""Answers of read routes kept per server process until the data they were computed from change.

A route names what its answer depends on in a **key**: the route, its query string and a *version* of the
data it reads, which the route asks the store for on every request (a few aggregates over the rows it would
read: how many, the sum of their revisions, the newest ``recorded_at``). A publication, a correction (a new
revision) or a deletion in those rows changes the version, so the next request computes the answer afresh
from the store: nothing is served that the store no longer holds. Rows outside the read (later hours, other
stations) leave the answer in place.

The cached answer is the response body as sent, with a strong ``ETag`` (SHA-256 of the body): a client that
sends ``If-None-Match`` with it gets ``304 Not Modified`` without a body (RFC 9110 §13.1.2, §15.4.5). Bodies
of 1 KiB or more are also kept gzip-compressed (compressed once, when computed) and sent so to clients whose
``Accept-Encoding`` lists gzip, with their own ETag and ``Vary: Accept-Encoding``.
Concurrent requests for the same missing key wait for one computation instead of each running it. The
cache is bounded (entries and bytes, least recently used out first) and lives in the process: several
worker processes each keep their own (``xietong serve --workers N``), so the server stays stateless.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response

T = TypeVar("T")

#: headers of a computed response that are kept with its body (others, e.g. security headers, are added per response)
_KEPT_HEADERS = ("link", "x-next-cursor", "content-type")


#: bodies from this size on are also kept gzip-compressed, for clients that accept it (RFC 9110 §8.4.1.3)
GZIP_FROM_BYTES = 1024


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One response as sent: body (and its gzip encoding when large), ETag and the route's own headers."""

    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]
    gzipped: bytes | None = None

    @classmethod
    def of(cls, response: Response) -> CachedAnswer:
        body = bytes(response.body)
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS)
        # compressed once here, not per response: a cached answer of 1.4 MB of JSON is sent as ~0.1 MB
        gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_FROM_BYTES else None
        return cls(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', headers, gzipped)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 256

    @property
    def gzip_etag(self) -> str:
        """A representation with another content coding has its own strong ETag (RFC 9110 §8.8.3)."""
        return self.etag[:-1] + '-gzip"'


class ReadCache:
    """A bounded, thread-safe map from keys to values (answers, resolved selections), least recently used out."""

    def __init__(self, *, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._resources: dict[Hashable, object] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], object], size: Callable[[object], int | None]
    ) -> object:
        """The value kept under ``key``, or ``compute()`` stored under it when ``size(value)`` is not ``None``
        (its size in bytes). One computation per key at a time: concurrent requests wait for it."""
        found = self._get(key)
        if found is not None:
            return found
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        try:
            with gate:
                found = self._get(key)  # computed by the request we waited for
                if found is not None:
                    return found
                value = compute()
                nbytes = size(value)
                if nbytes is not None:
                    self._put(key, value, nbytes)
        finally:
            with self._lock:
                self._computing.pop(key, None)
        return value

    def get(self, key: Hashable) -> object | None:
        """The value kept under ``key``, or ``None``."""
        return self._get(key)

    def put(self, key: Hashable, value: object, nbytes: int) -> None:
        """Keep ``value`` under ``key`` (``nbytes``: its size)."""
        self._put(key, value, nbytes)

    def _get(self, key: Hashable) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def _put(self, key: Hashable, value: object, nbytes: int) -> None:
        if nbytes > self.max_bytes // 4:
            return  # one large answer would push out everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def resource(self, key: Hashable, create: Callable[[], T]) -> T:
        """A helper object that lives as long as the cache (e.g. a small connection pool for the version
        reads), made on first use; :meth:`close` disposes of it (the app does at shutdown)."""
        with self._lock:
            found = self._resources.get(key)
            if found is None:
                found = self._resources[key] = create()
            return found  # type: ignore[return-value]

    def close(self) -> None:
        """Drop every kept value and dispose of the resources (their ``dispose()``)."""
        self.clear()
        with self._lock:
            resources, self._resources = list(self._resources.values()), {}
        for item in resources:
            dispose = getattr(item, "dispose", None)
            if callable(dispose):
                dispose()


def read_cache(request: Request) -> ReadCache:
    """The app's cache (``create_app`` makes one per app)."""
    cache: ReadCache = request.app.state.read_cache
    return cache


def answer(request: Request, key: Hashable, compute: Callable[[], Response]) -> Response:
    """The response of ``compute()`` for ``key``, from the cache when it holds one; ``304`` when the client's
    ``If-None-Match`` names the current ETag. ``key`` must contain everything the answer depends on,
    including the version of the data read; only ``200`` answers are kept."""
    cache = read_cache(request)

    def compute_answer() -> CachedAnswer | Response:
        response = compute()
        return CachedAnswer.of(response) if response.status_code == 200 else response

    value = cache.get_or_compute(
        ("answer", key), compute_answer, lambda v: v.size if isinstance(v, CachedAnswer) else None
    )
    if isinstance(value, Response):
        return value  # not a 200: sent as computed, not kept
    assert isinstance(value, CachedAnswer)
    headers = dict(value.headers)
    body = value.body
    headers["ETag"] = value.etag
    if value.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
        if _accepts_gzip(request.headers.get("accept-encoding")):
            body = value.gzipped
            headers["ETag"] = value.gzip_etag
            headers["Content-Encoding"] = "gzip"
    if "authorization" not in request.headers:
        headers["Cache-Control"] = "no-cache"  # may be kept, but revalidated (credentialed reads stay no-store)
    if _matches(request.headers.get("if-none-match"), (value.etag, value.gzip_etag)):
        headers.pop("content-type", None)
        headers.pop("Content-Encoding", None)
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers)


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """``gzip`` listed in ``Accept-Encoding`` without ``q=0`` (RFC 9110 §12.5.3)."""
    for item in (accept_encoding or "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def _matches(if_none_match: str | None, etags: tuple[str, ...]) -> bool:
    """RFC 9110 §13.1.2: ``*`` or a list of entity tags, compared weakly (either coding of the answer)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or any(etag in tags for etag in etags)


def query_key(request: Request) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """The route's host, path and query parameters in the order given (part of a cache key; the host because
    links in an answer, e.g. ``Link: rel="next"``, are absolute URLs built from it)."""
    return request.url.netloc, request.url.path, tuple(request.query_params.multi_items())


__all__ = ["CachedAnswer", "ReadCache", "answer", "query_key", "read_cache"]
