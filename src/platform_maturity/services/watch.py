"""``maturity watch``: every probe on its interval, results stored as they come, incidents
opened and resolved from downtime, notifications and escalations sent — until stopped.

Probes run concurrently (bounded); a probe whose definition is broken is reported once and
left out; a probe that hangs or crashes gives a failed result. The store is written from
the event loop's thread in short transactions, so SQLite needs no locking of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from platform_maturity.domain.incidents import Incident, Notification
from platform_maturity.domain.probes import ProbeProblem, ProbeResult, ProbeSpec
from platform_maturity.services.downtime import (
    budgets_of,
    notify_due,
    probes_of,
    record_results,
    settings_of,
    sync_incidents,
)
from platform_maturity.services.workspace import Workspace
from platform_maturity.store.db import Database

TICK_SECONDS = 5.0  # how often escalations are checked between results


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WatchEvents:
    """What the watcher tells whoever shows it (the CLI prints; tests collect)."""

    on_results: Callable[[list[ProbeResult]], None] = lambda results: None
    on_opened: Callable[[Incident], None] = lambda incident: None
    on_resolved: Callable[[Incident], None] = lambda incident: None
    on_notified: Callable[[Notification], None] = lambda notification: None
    on_problem: Callable[[ProbeProblem], None] = lambda problem: None
    on_error: Callable[[str], None] = lambda message: None


@dataclass
class WatchStats:
    results: int = 0
    failures: int = 0
    opened: int = 0
    resolved: int = 0
    notifications: int = 0
    errors: list[str] = field(default_factory=list)


async def watch(
    workspace: Workspace,
    database: Database,
    stop: asyncio.Event,
    env: Mapping[str, str],
    events: WatchEvents | None = None,
    names: tuple[str, ...] = (),
    clock: Callable[[], datetime] = utc_now,
    seed: int | None = None,
    tick_seconds: float = TICK_SECONDS,
) -> WatchStats:
    """Run until ``stop`` is set; returns what happened."""
    from platform_maturity.probes.runner import run_forever

    events = events or WatchEvents()
    stats = WatchStats()
    settings = settings_of(workspace)
    probes, problems = probes_of(workspace, names)
    for problem in problems:
        events.on_problem(problem)
    lock = asyncio.Lock()

    async def after_change() -> None:
        now = clock()
        try:
            outcome = sync_incidents(workspace, database, now)
            for incident in outcome.opened:
                stats.opened += 1
                events.on_opened(incident)
            for incident in outcome.resolved:
                stats.resolved += 1
                events.on_resolved(incident)
            for notification in await notify_due(workspace, database, now, env):
                stats.notifications += 1
                events.on_notified(notification)
        except Exception as exc:  # the store hiccupped: say so, keep watching
            message = f"could not update incidents: {type(exc).__name__}: {exc}"
            stats.errors.append(message)
            events.on_error(message)

    async def on_results(results: list[ProbeResult]) -> None:
        async with lock:
            try:
                record_results(database, results)
            except Exception as exc:
                message = f"could not store results: {type(exc).__name__}: {exc}"
                stats.errors.append(message)
                events.on_error(message)
                return
            stats.results += len(results)
            stats.failures += sum(1 for r in results if not r.ok)
            events.on_results(results)
            await after_change()

    async def ticker() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
            if not stop.is_set():
                async with lock:
                    await after_change()

    runnable: list[ProbeSpec] = [p for p in probes if p.enabled]
    await asyncio.gather(
        run_forever(
            runnable,
            budgets_of(settings, runnable),
            settings.concurrency,
            on_results,
            stop,
            clock,
            seed,
        ),
        ticker(),
    )
    return stats


def run_watch(
    workspace: Workspace,
    database: Database,
    env: Mapping[str, str],
    events: WatchEvents | None = None,
    names: tuple[str, ...] = (),
    duration: float | None = None,
    listen: tuple[str, int] | None = None,
    token: str | None = None,
    on_listening: Callable[[str], None] = lambda url: None,
) -> WatchStats:
    """Watch until Ctrl-C, SIGTERM or ``duration`` seconds; stops cleanly either way.

    With ``listen`` (host, port), signals are also taken over HTTP (POST /signals)."""
    from platform_maturity.services.signal_endpoint import SignalEndpoint

    endpoint = (
        SignalEndpoint(workspace, database, listen[0], listen[1], utc_now, token)
        if listen is not None
        else None
    )
    if endpoint is not None:
        host, port = endpoint.address
        on_listening(f"http://{host}:{port}/signals")

    async def main() -> WatchStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        if duration is not None:
            loop.call_later(duration, stop.set)
        try:
            return await watch(workspace, database, stop, env, events, names)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)

    try:
        return asyncio.run(main())
    finally:
        if endpoint is not None:
            endpoint.close()
