"""A webhook receiver on 127.0.0.1 for tests: records deliveries, can fail the first attempts."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from xietong.exchange.notify import SIGNATURE_HEADER, verify_signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """``fail_first`` requests get HTTP 500; later ones 204. Every request is recorded."""

    secret: str
    fail_first: int = 0
    #: the port to listen on (0: any free one)
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                ok = verify_signature(receiver.secret, body, headers.get(SIGNATURE_HEADER, ""))
                receiver.requests.append(Received(self.path, headers, body, ok))
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def delivered(self) -> list[Received]:
        """Requests answered with success (after the failing ones)."""
        return self.requests[self.fail_first :]
