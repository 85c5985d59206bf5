"""Real servers on loopback for the downtime tests: an HTTP(S) service that can be told to
answer well, fail with 5xx, hang, close the connection, send garbage, slow down or report
an unhealthy part; a webhook receiver; an SMTP server (aiosmtpd); a DNS server (dnspython).
"""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme


@dataclass
class Behaviour:
    """How the service answers; tests change it while it runs."""

    mode: str = "ok"  # ok, fail, hang, close, garbage, slow
    delay: float = 0.0  # seconds before answering in "slow"
    health: dict[str, str] = field(default_factory=lambda: {"auth_db": "UP", "cache": "UP"})
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self) -> None:
        b = self.server.behaviour
        b.requests.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if b.mode == "hang":
            b.release.wait(timeout=30)
            return
        if b.mode == "close":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
            return
        if b.mode == "garbage":
            self.wfile.write(b"\x00\x01garbage that is not HTTP\r\n\r\n")
            self.wfile.flush()
            self.connection.close()
            return
        if b.mode == "slow":
            time.sleep(b.delay)
        if b.mode == "fail":
            self._send(503, b'{"error": "unavailable"}')
            return
        if self.path.startswith("/health"):
            healthy = all(v.upper() == "UP" for v in b.health.values())
            payload = {
                "status": "UP" if healthy else "DOWN",
                "components": {k: {"status": v} for k, v in b.health.items()},
            }
            self._send(200 if healthy else 503, json.dumps(payload).encode())
            return
        if self.path == "/login" and self.command == "POST":
            data = json.loads(body or b"{}")
            if data.get("user") != "probe":
                self._send(403, b'{"error": "denied"}')
                return
            self._send(
                200,
                json.dumps({"token": "tok-123", "user": {"id": 7}}).encode(),
                {"Set-Cookie": "session=s-42; Path=/"},
            )
            return
        if self.path == "/feed":
            cookie = self.headers.get("Cookie", "")
            auth = self.headers.get("Authorization", "")
            if "session=s-42" not in cookie or auth != "Bearer tok-123":
                self._send(401, b'{"error": "not logged in"}')
                return
            self._send(200, json.dumps({"items": [1, 2, 3]}).encode())
            return
        self._send(200, json.dumps({"status": "ok", "version": "1.2.3", "price": 10.5}).encode())

    do_GET = _answer
    do_POST = _answer
    do_HEAD = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour


@dataclass
class Service:
    url: str
    behaviour: Behaviour
    port: int


@contextmanager
def http_service(tls: ssl.SSLContext | None = None) -> Iterator[Service]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.behaviour = Behaviour()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    scheme = "https" if tls else "http"
    try:
        yield Service(f"{scheme}://127.0.0.1:{port}", server.behaviour, int(port))
    finally:
        server.behaviour.release.set()
        server.shutdown()
        server.server_close()


@dataclass
class Certificates:
    ca_file: Path
    context: ssl.SSLContext


def tls_context(
    tmp: Path, expires_in: timedelta | None = None, trusted: bool = True
) -> Certificates:
    """A server context for 127.0.0.1 signed by a fresh test CA; the CA bundle to trust."""
    ca = trustme.CA()
    if expires_in is None:
        cert = ca.issue_cert("127.0.0.1", "localhost")
    else:
        cert = ca.issue_cert("127.0.0.1", "localhost", not_after=datetime.now(UTC) + expires_in)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    bundle = tmp / f"ca-{uuid.uuid4().hex}.pem"
    if trusted:
        ca.cert_pem.write_to_path(str(bundle))
    else:
        trustme.CA().cert_pem.write_to_path(str(bundle))  # a CA that did not sign it
    return Certificates(bundle, context)


# ---- webhook receiver ------------------------------------------------------------------


class _HookHandler(BaseHTTPRequestHandler):
    server: _HookServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.append((self.path, json.loads(body)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _HookServer(ThreadingHTTPServer):
    daemon_threads = True
    received: list[tuple[str, Any]]


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    server = _HookServer(("127.0.0.1", 0), _HookHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.received
    finally:
        server.shutdown()
        server.server_close()


# ---- SMTP ---------------------------------------------------------------------------------


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    messages: list[Any] = []

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            messages.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, messages
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- DNS ----------------------------------------------------------------------------------


class _DnsHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rrset

        data, sock = self.request
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        name = query.question[0].name.to_text()
        if name == "shop.test.":
            response.answer.append(dns.rrset.from_text(name, 60, "IN", "A", "127.0.0.7"))
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
        sock.sendto(response.to_wire(), self.client_address)


@contextmanager
def dns_server() -> Iterator[int]:
    server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), _DnsHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)
