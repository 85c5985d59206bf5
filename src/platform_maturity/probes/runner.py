"""Run probes: once, or each on its interval with jitter, bounded concurrency and a hard
timeout, until asked to stop. A probe that crashes or hangs yields a failed result; the
others go on."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from platform_maturity.domain.probes import ProbeKind, ProbeResult, ProbeSpec
from platform_maturity.probes.http import run_flow, run_health, run_http
from platform_maturity.probes.net import run_dns, run_tcp

ProbeFn = Callable[[ProbeSpec, datetime, int | None], Awaitable[list[ProbeResult]]]
RUNNERS: dict[ProbeKind, ProbeFn] = {
    ProbeKind.HTTP: run_http,
    ProbeKind.FLOW: run_flow,
    ProbeKind.HEALTH: run_health,
    ProbeKind.TCP: run_tcp,
    ProbeKind.DNS: run_dns,
}
GRACE_SECONDS = 2.0  # beyond the probe's own timeout, for a flow's several requests
JITTER = 0.1  # each run starts up to 10 % of the interval late, so probes spread out


def utc_now() -> datetime:
    return datetime.now(UTC)


def _failed(spec: ProbeSpec, at: datetime, error: str) -> list[ProbeResult]:
    return [
        ProbeResult(
            probe=spec.name,
            component=component,
            flow=spec.flow if spec.health is None else None,
            method=spec.method,
            at=at,
            ok=False,
            error=error,
        )
        for component in spec.components()
    ]


async def run_one(
    spec: ProbeSpec, budget_ms: int | None, clock: Callable[[], datetime] = utc_now
) -> list[ProbeResult]:
    """Run a probe once. Never raises for the target's sake; a hard limit of the probe's
    timeout (per step for flows) plus a grace period stops anything that hangs."""
    at = clock()
    limit = spec.timeout_seconds * max(1, len(spec.steps)) + GRACE_SECONDS
    try:
        return await asyncio.wait_for(RUNNERS[spec.kind](spec, at, budget_ms), timeout=limit)
    except TimeoutError:
        return _failed(spec, at, f"gave no result within {limit:.0f} s")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a bug or an unexpected answer: one failed result, go on
        return _failed(spec, at, f"the probe failed: {type(exc).__name__}: {exc}")


async def run_all(
    probes: Sequence[ProbeSpec],
    budgets: dict[str, int | None],
    concurrency: int,
    clock: Callable[[], datetime] = utc_now,
) -> list[ProbeResult]:
    """Every probe once, at most ``concurrency`` at a time, results in probe order."""
    gate = asyncio.Semaphore(concurrency)

    async def guarded(spec: ProbeSpec) -> list[ProbeResult]:
        async with gate:
            return await run_one(spec, budgets.get(spec.name), clock)

    batches = await asyncio.gather(*(guarded(p) for p in probes))
    return [r for batch in batches for r in batch]


async def run_forever(
    probes: Sequence[ProbeSpec],
    budgets: dict[str, int | None],
    concurrency: int,
    on_results: Callable[[list[ProbeResult]], Awaitable[None]],
    stop: asyncio.Event,
    clock: Callable[[], datetime] = utc_now,
    seed: int | None = None,
) -> None:
    """Each probe on its own interval (with jitter) until ``stop`` is set."""
    rng = random.Random(seed)
    gate = asyncio.Semaphore(concurrency)

    async def loop(spec: ProbeSpec) -> None:
        delay = rng.uniform(0, spec.interval_seconds * JITTER)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
                return
            except TimeoutError:
                pass
            started = asyncio.get_running_loop().time()
            async with gate:
                results = await run_one(spec, budgets.get(spec.name), clock)
            await on_results(results)
            spent = asyncio.get_running_loop().time() - started
            jitter = rng.uniform(0, spec.interval_seconds * JITTER)
            delay = max(spec.interval_seconds - spent, 0.0) + jitter

    tasks = [asyncio.create_task(loop(p)) for p in probes if p.enabled]
    await stop.wait()
    for task in tasks:  # a probe still waiting on a hung target is not waited for
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
