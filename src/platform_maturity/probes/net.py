"""TCP and DNS probes."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from urllib.parse import urlsplit

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from platform_maturity.domain.conditions import Observed, evaluate
from platform_maturity.domain.probes import ProbeResult, ProbeSpec


def _result(
    spec: ProbeSpec,
    at: datetime,
    observed: Observed,
    error: str | None,
    status: str,
) -> ProbeResult:
    results = [evaluate(c, observed) for c in spec.conditions]
    failed = [r.shown for r in results if not r.passed]
    problem = "; ".join([*([error] if error else []), *failed]) or None
    return ProbeResult(
        probe=spec.name,
        component=str(spec.component),
        flow=spec.flow,
        method=spec.method,
        at=at,
        ok=problem is None,
        duration_ms=observed.response_time_ms,
        status=status,
        error=problem,
        details=tuple(r.shown for r in results),
    )


async def run_tcp(spec: ProbeSpec, at: datetime, budget_ms: int | None) -> list[ProbeResult]:
    parts = urlsplit(spec.url)
    host, port = parts.hostname or "", parts.port
    if not host or port is None:
        observed = Observed(connected=False)
        return [_result(spec, at, observed, "the URL needs a host and port: tcp://HOST:PORT", "")]
    started = time.perf_counter()
    error: str | None = None
    connected = False
    ip: str | None = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), timeout=spec.timeout_seconds
        )
        connected = True
        peer = writer.get_extra_info("peername")
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else None
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        del reader
    except TimeoutError:
        error = "timed out connecting"
    except ConnectionRefusedError:
        error = "connection refused"
    except OSError as exc:
        error = f"cannot connect: {exc.strerror or exc}"
    elapsed = round((time.perf_counter() - started) * 1000.0, 1)
    observed = Observed(connected=connected, response_time_ms=elapsed, ip=ip)
    if error is None and budget_ms is not None and elapsed > budget_ms:
        error = f"took {elapsed:.0f} ms, over the flow's budget of {budget_ms} ms"
    return [_result(spec, at, observed, error, "connected" if connected else "not connected")]


def _resolver(url: str) -> tuple[str, int]:
    text = url.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest.lstrip(":") or 53)
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, 53


async def run_dns(spec: ProbeSpec, at: datetime, budget_ms: int | None) -> list[ProbeResult]:
    assert spec.dns is not None
    try:
        host, port = _resolver(spec.url)
    except ValueError:
        observed = Observed(connected=False)
        return [_result(spec, at, observed, f"not a resolver address: {spec.url!r}", "")]
    query = dns.message.make_query(
        spec.dns.query_name, dns.rdatatype.from_text(spec.dns.query_type)
    )
    started = time.perf_counter()
    try:
        response = await dns.asyncquery.udp(query, host, port=port, timeout=spec.timeout_seconds)
    except dns.exception.Timeout:
        observed = Observed(connected=False, response_time_ms=spec.timeout_seconds * 1000.0)
        return [_result(spec, at, observed, "the resolver did not answer in time", "")]
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        elapsed = round((time.perf_counter() - started) * 1000.0, 1)
        observed = Observed(connected=False, response_time_ms=elapsed)
        return [_result(spec, at, observed, f"DNS query failed: {exc}", "")]
    elapsed = round((time.perf_counter() - started) * 1000.0, 1)
    rcode = dns.rcode.to_text(response.rcode())
    answers = [item.to_text() for rrset in response.answer for item in rrset]
    ip = next(
        (
            item.to_text()
            for rrset in response.answer
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            for item in rrset
        ),
        None,
    )
    observed = Observed(
        connected=True,
        response_time_ms=elapsed,
        dns_rcode=rcode,
        ip=ip,
        body="\n".join(answers),
    )
    return [_result(spec, at, observed, None, rcode)]
