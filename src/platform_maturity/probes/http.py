"""HTTP(S) probes, multi-step flow probes and health-check probes, on httpx.

Every failure of the target — refused, reset, hung, garbage, a bad certificate — becomes a
failed result with the reason; nothing here raises for the target's sake.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography import x509

from platform_maturity.domain.conditions import (
    ConditionResult,
    Observed,
    Operand,
    evaluate,
    resolve_operand,
)
from platform_maturity.domain.probes import HEALTHY_WORDS, ProbeResult, ProbeSpec, Request

MAX_BODY = 1_000_000  # bytes of a response body we read
_CONTEXT = re.compile(r"\[CONTEXT\]\.([A-Za-z0-9_.-]+)", re.IGNORECASE)
USER_AGENT = "platform-maturity-probe/1"


_CONTEXTS: dict[tuple[str | None, int, bool], ssl.SSLContext] = {}


def ssl_context(spec: ProbeSpec) -> ssl.SSLContext:
    """The TLS settings of a probe, built once per CA file (and its version on disk) and
    insecure flag: loading CA certificates takes tens of milliseconds."""
    stamp = 0
    if spec.ca_file:
        try:
            stamp = os.stat(spec.ca_file).st_mtime_ns
        except OSError:
            stamp = -1  # missing: ssl reports it when the context is built
    key = (spec.ca_file, stamp, spec.insecure)
    context = _CONTEXTS.get(key)
    if context is None:
        context = (
            ssl.create_default_context(cafile=spec.ca_file)
            if spec.ca_file
            else ssl.create_default_context()
        )
        if spec.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        _CONTEXTS[key] = context
    return context


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def describe_error(exc: BaseException) -> str:
    """A short, readable reason for a transport failure."""
    chain = _chain(exc)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, ConnectionResetError) for e in chain):
        return "the connection was reset"
    text = " ".join(str(e) for e in chain if str(e)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return "timed out waiting for the response"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc, ssl.SSLCertVerificationError):
        reason = re.search(r"certificate verify failed: ([^(\]]+)", text)
        return "bad TLS certificate" + (f": {reason.group(1).strip()}" if reason else "")
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text.lower():
            return "connection refused"
        return f"cannot connect: {str(exc) or text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the protocol: {str(exc) or text}"
    if isinstance(exc, httpx.ReadError):
        return f"the connection was lost: {str(exc) or text}"
    return f"{type(exc).__name__}: {str(exc) or text}"


def _certificate_ms(response: httpx.Response) -> float | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    return (expires - datetime.now(UTC)).total_seconds() * 1000.0


def _fill(text: str, context: dict[str, str]) -> str:
    return _CONTEXT.sub(lambda m: context.get(m.group(1), m.group(0)), text)


@dataclass
class Exchange:
    """One request and what came back (or why nothing did)."""

    observed: Observed
    error: str | None = None
    results: list[ConditionResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.passed for r in self.results)

    def failure(self) -> str | None:
        if self.error:
            return self.error
        failed = [r.shown for r in self.results if not r.passed]
        return "; ".join(failed) if failed else None


async def exchange(
    client: httpx.AsyncClient, request: Request, context: dict[str, str]
) -> Exchange:
    """Send one request, read at most MAX_BODY bytes, evaluate its conditions."""
    started = time.perf_counter()
    try:
        async with client.stream(
            request.method,
            _fill(request.url, context),
            headers={k: _fill(v, context) for k, v in request.headers.items()},
            content=_fill(request.body, context).encode() if request.body is not None else None,
        ) as response:
            certificate = _certificate_ms(response)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY:
                    break
            elapsed = (time.perf_counter() - started) * 1000.0
            body = b"".join(chunks)[:MAX_BODY].decode(response.encoding or "utf-8", "replace")
            ip = None
            stream = response.extensions.get("network_stream")
            if stream is not None:
                peer = stream.get_extra_info("server_addr")
                ip = str(peer[0]) if isinstance(peer, tuple) and peer else None
            observed = Observed(
                status=response.status_code,
                response_time_ms=round(elapsed, 1),
                ip=ip,
                connected=True,
                certificate_expiration_ms=certificate,
                body=body,
                context=dict(context),
            )
    except (httpx.HTTPError, ssl.SSLError, OSError, UnicodeError, ValueError) as exc:
        elapsed = (time.perf_counter() - started) * 1000.0
        return Exchange(
            Observed(response_time_ms=round(elapsed, 1), connected=False, context=dict(context)),
            error=describe_error(exc),
        )
    results = [evaluate(c, observed) for c in request.conditions]
    return Exchange(observed, results=results)


def _client(spec: ProbeSpec) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        verify=ssl_context(spec),
        timeout=httpx.Timeout(spec.timeout_seconds),
        follow_redirects=spec.follow_redirects,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


def _result(
    spec: ProbeSpec,
    at: datetime,
    ok: bool,
    *,
    component: str | None = None,
    duration: float | None = None,
    status: str = "",
    error: str | None = None,
    details: tuple[str, ...] = (),
) -> ProbeResult:
    return ProbeResult(
        probe=spec.name,
        component=component or str(spec.component),
        flow=spec.flow if component is None else None,
        method=spec.method,
        at=at,
        ok=ok,
        duration_ms=duration,
        status=status,
        error=error,
        details=details,
    )


async def run_http(spec: ProbeSpec, at: datetime, budget_ms: int | None) -> list[ProbeResult]:
    assert spec.request is not None
    async with _client(spec) as client:
        done = await exchange(client, spec.request, {})
    duration = done.observed.response_time_ms
    error = done.failure()
    if error is None and budget_ms is not None and duration is not None and duration > budget_ms:
        error = f"took {duration:.0f} ms, over the flow's budget of {budget_ms} ms"
    status = f"HTTP {done.observed.status}" if done.observed.status else "no response"
    return [
        _result(
            spec,
            at,
            error is None,
            duration=duration,
            status=status,
            error=error,
            details=tuple(r.shown for r in done.results),
        )
    ]


def _store(step: Request, observed: Observed, context: dict[str, str]) -> str | None:
    for key, path in step.store.items():
        parts = re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path[len("[BODY]") :])
        operand = Operand(
            path, placeholder="BODY", path=tuple(int(i) if i else k for k, i in parts)
        )
        _, value = resolve_operand(operand, observed)
        if value is None:
            return f"could not store {key} from {path}: not in the response"
        context[key] = value if isinstance(value, str) else json.dumps(value)
    return None


async def run_flow(spec: ProbeSpec, at: datetime, budget_ms: int | None) -> list[ProbeResult]:
    """Steps in order on one client (cookies carry over); values stored from one response
    fill ``[CONTEXT].key`` in later steps; the total time is held against the budget."""
    context: dict[str, str] = {}
    details: list[str] = []
    total = 0.0
    error: str | None = None
    status = ""
    started = time.perf_counter()
    async with _client(spec) as client:
        for index, step in enumerate(spec.steps):
            done = await exchange(client, step, context)
            total = (time.perf_counter() - started) * 1000.0
            label = step.name or f"step {index + 1}"
            details.extend(f"{label}: {r.shown}" for r in done.results)
            status = f"{label}: HTTP {done.observed.status}" if done.observed.status else label
            failure = done.failure()
            if failure is None:
                failure = _store(step, done.observed, context)
            if failure is not None:
                error = f"{label}: {failure}"
                break
    total = round(total, 1)
    if error is None and budget_ms is not None and total > budget_ms:
        error = f"the flow took {total:.0f} ms, over its budget of {budget_ms} ms"
    return [
        _result(
            spec,
            at,
            error is None,
            duration=total,
            status=status,
            error=error,
            details=tuple(details),
        )
    ]


def _status_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "up" if value else "down"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("status", "state", "healthy", "ok"):
            if key in value:
                return _status_text(value[key])
    if isinstance(value, list) and value:
        texts = [_status_text(v) for v in value]
        bad = [t for t in texts if t is None or t.strip().lower() not in HEALTHY_WORDS]
        return bad[0] if bad else texts[0]
    return None


def health_parts(payload: Any, path: str | None) -> dict[str, str] | None:
    """The status text of each part of a health payload; None when there are no parts.

    Parts are found under ``path`` (dots between keys) or, by default, under ``checks``,
    ``components``, ``details`` or ``dependencies``, or at the top level.
    """
    node = payload
    if path:
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
    elif isinstance(payload, dict):
        for key in ("checks", "components", "details", "dependencies"):
            if isinstance(payload.get(key), dict):
                node = payload[key]
                break
    if not isinstance(node, dict):
        return None
    parts: dict[str, str] = {}
    for name, value in node.items():
        text = _status_text(value)
        if text is not None:
            parts[str(name).split(":", 1)[0]] = text
    return parts


async def run_health(spec: ProbeSpec, at: datetime, budget_ms: int | None) -> list[ProbeResult]:
    """One result per component: down when a part it depends on is not healthy, or when
    the health endpoint cannot be read at all."""
    assert spec.health is not None and spec.request is not None
    async with _client(spec) as client:
        done = await exchange(client, spec.request, {})
    duration = done.observed.response_time_ms
    status = f"HTTP {done.observed.status}" if done.observed.status else "no response"
    problem = done.error
    parts: dict[str, str] | None = None
    if problem is None:
        try:
            parts = health_parts(json.loads(done.observed.body or ""), spec.health.path)
        except (ValueError, RecursionError):
            problem = "the health payload is not JSON"
        if problem is None and parts is None:
            problem = "no parts found in the health payload" + (
                f" under {spec.health.path}" if spec.health.path else ""
            )
    results: list[ProbeResult] = []
    for component in spec.components():
        wanted = [p for p, cs in spec.health.parts.items() if component in cs]
        if problem is not None:
            results.append(
                _result(
                    spec,
                    at,
                    False,
                    component=component,
                    duration=duration,
                    status=status,
                    error=problem,
                )
            )
            continue
        assert parts is not None
        failing = []
        shown = []
        for part in wanted:
            text = parts.get(part)
            shown.append(f"{part}: {text or 'missing'}")
            if text is None or text.strip().lower() not in HEALTHY_WORDS:
                failing.append(f"{part} is {text or 'missing'}")
        results.append(
            _result(
                spec,
                at,
                not failing,
                component=component,
                duration=duration,
                status=status,
                error="; ".join(failing) or None,
                details=tuple(shown),
            )
        )
    return results


Runner = Callable[[ProbeSpec, datetime, int | None], Any]
