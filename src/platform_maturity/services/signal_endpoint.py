"""An HTTP entry point for signals, served by ``maturity watch --listen``.

Application code sends "flow failed" events (and support tools user reports) as JSON:

    POST /signals   {"kind": "runtime", "target": "auth/password-login", "message": "..."}
                    or a JSON array of such events (all stored, or none)
    GET  /health    200 while the watcher runs

With a token configured, requests must carry ``Authorization: Bearer <token>``. Events are
checked like ``maturity signal ingest`` and stored at once; the watcher turns them into
downtime at its next look (within seconds).
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from platform_maturity.domain.errors import UserError
from platform_maturity.services.downtime import parse_signal, record_signals
from platform_maturity.services.workspace import Workspace
from platform_maturity.store.db import Database

MAX_BODY = 1_000_000
MAX_EVENTS = 10_000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    workspace: Workspace
    database: Database
    clock: Callable[[], datetime]
    token: str | None
    on_signals: Callable[[int], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, payload: dict[str, object]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(200, {"status": "ok"})
        else:
            self._reply(404, {"error": "not found; POST events to /signals"})

    def do_POST(self) -> None:
        if self.path != "/signals":
            self._reply(404, {"error": "not found; POST events to /signals"})
            return
        token = self.server.token
        if token is not None:
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                self._reply(401, {"error": "missing or wrong bearer token"})
                return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_BODY:
            self._reply(
                413 if length > MAX_BODY else 411,
                {"error": f"send a JSON body of at most {MAX_BODY} bytes"},
            )
            return
        try:
            data = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError) as exc:
            self._reply(400, {"error": f"not valid JSON: {exc}"})
            return
        items = data if isinstance(data, list) else [data]
        if len(items) > MAX_EVENTS:
            self._reply(413, {"error": f"at most {MAX_EVENTS} events per request"})
            return
        now = self.server.clock()
        signals = []
        for index, item in enumerate(items):
            try:
                signals.append(parse_signal(self.server.workspace, item, now))
            except UserError as exc:
                where = f"event {index + 1}: " if isinstance(data, list) else ""
                self._reply(400, {"error": where + str(exc)})
                return
        try:
            record_signals(self.server.database, signals)
        except Exception as exc:  # the store is down: say so, the sender may retry
            self._reply(503, {"error": f"could not store the events: {type(exc).__name__}"})
            return
        self.server.on_signals(len(signals))
        self._reply(202, {"recorded": len(signals)})


class SignalEndpoint:
    """The endpoint on its own threads; ``close()`` stops it."""

    def __init__(
        self,
        workspace: Workspace,
        database: Database,
        host: str,
        port: int,
        clock: Callable[[], datetime],
        token: str | None = None,
        on_signals: Callable[[int], None] = lambda count: None,
    ) -> None:
        try:
            self._server = _Server((host, port), _Handler)
        except OSError as exc:
            raise UserError(
                f"cannot listen: {exc.strerror or exc}",
                field="--listen",
                value=f"{host}:{port}",
                hint="Choose a free port, e.g. --listen 127.0.0.1:8787.",
            ) from None
        self._server.workspace = workspace
        self._server.database = database
        self._server.clock = clock
        self._server.token = token
        self._server.on_signals = on_signals
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def parse_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:8787`` or ``:8787`` (loopback) → (host, port)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(
            "expected HOST:PORT", field="--listen", value=text, hint="e.g. 127.0.0.1:8787."
        )
    return (host.strip("[]") or "127.0.0.1"), int(port)
