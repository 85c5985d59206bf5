"""Downtime intervals from probe results and signals.

Probe results: ``failure_threshold`` consecutive failures of one probe about one target make
downtime, which started at the first of them and was detected at the one that crossed the
threshold; ``success_threshold`` consecutive successes end it, at the first of them.

Signals (runtime "flow failed" events, user reports) have no successes: ``threshold`` of
them within ``window`` make downtime, from the first of the burst; it ends one window after
the last signal of the burst.

The intervals of every source about the same flow (or component) are merged; a merged
interval keeps the detection method that crossed its threshold first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from platform_maturity.domain.downtime import METHOD_ORDER, Method
from platform_maturity.domain.incidents import Interval
from platform_maturity.domain.probes import ProbeResult, Signal


@dataclass(frozen=True)
class Thresholds:
    failures: int = 3
    successes: int = 2
    runtime: int = 5
    user_reports: int = 3
    window: timedelta = timedelta(minutes=5)


def probe_intervals(results: Sequence[ProbeResult], thresholds: Thresholds) -> list[Interval]:
    """Intervals of one stream of results (one probe, one target), in time order."""
    ordered = sorted(results, key=lambda r: r.at)
    intervals: list[Interval] = []
    failing: list[ProbeResult] = []  # the current run of failures
    down: Interval | None = None
    passing: list[ProbeResult] = []
    for result in ordered:
        if down is None:
            if result.ok:
                failing = []
                continue
            failing.append(result)
            if len(failing) >= thresholds.failures:
                down = Interval(
                    component=result.component,
                    flow=result.flow,
                    started=failing[0].at,
                    detected=result.at,
                    method=result.method,
                    methods=(result.method,),
                    reason=f"{result.probe}: {failing[0].error or 'failed'}",
                )
                failing = []
        else:
            if not result.ok:
                passing = []
                continue
            passing.append(result)
            if len(passing) >= thresholds.successes:
                intervals.append(down.model_copy(update={"ended": passing[0].at}))
                down, passing = None, []
    if down is not None:
        intervals.append(down)
    return intervals


def signal_intervals(signals: Sequence[Signal], thresholds: Thresholds) -> list[Interval]:
    """Intervals of one stream of signals (one kind, one target), in time order."""
    ordered = sorted(signals, key=lambda s: s.at)
    intervals: list[Interval] = []
    burst: list[Signal] = []

    def close(burst: list[Signal]) -> None:
        if not burst:
            return
        kind = burst[0].kind
        needed = thresholds.runtime if kind.method is Method.RUNTIME else thresholds.user_reports
        window = thresholds.window
        for index in range(len(burst)):
            # the first moment `needed` signals fall within one window
            j = index + needed - 1
            if j < len(burst) and burst[j].at - burst[index].at <= window:
                first = burst[0]
                intervals.append(
                    Interval(
                        component=first.component,
                        flow=first.flow,
                        started=first.at,
                        detected=burst[j].at,
                        ended=burst[-1].at + window,
                        method=kind.method,
                        methods=(kind.method,),
                        reason=f"{len(burst)} {kind.method.label}(s)"
                        + (f": {first.message}" if first.message else ""),
                    )
                )
                return

    for signal in ordered:
        if burst and signal.at - burst[-1].at > thresholds.window:
            close(burst)
            burst = []
        burst.append(signal)
    close(burst)
    return intervals


def merge(intervals: Iterable[Interval], component: str, flow: str | None) -> list[Interval]:
    """Overlapping intervals become one; it keeps the method that detected it first."""
    ordered = sorted(intervals, key=lambda i: i.started)
    merged: list[Interval] = []
    for item in ordered:
        if merged:
            last = merged[-1]
            if last.ended is None or item.started <= last.ended:
                ended = (
                    None
                    if last.ended is None or item.ended is None
                    else max(last.ended, item.ended)
                )
                first = last if last.detected <= item.detected else item
                methods = tuple(
                    sorted(set(last.methods) | set(item.methods), key=lambda m: METHOD_ORDER[m])
                )
                merged[-1] = Interval(
                    component=component,
                    flow=flow,
                    started=min(last.started, item.started),
                    detected=min(last.detected, item.detected),
                    ended=ended,
                    method=first.method,
                    methods=methods,
                    reason=first.reason,
                )
                continue
        merged.append(item.model_copy(update={"component": component, "flow": flow}))
    return merged


@dataclass(frozen=True)
class Downtime:
    """Every interval, per flow and per component (a component's include its flows')."""

    flows: dict[tuple[str, str], list[Interval]]
    components: dict[str, list[Interval]]

    def open_intervals(self) -> list[Interval]:
        return [i for intervals in self.components.values() for i in intervals if i.ended is None]


def compute_downtime(
    results: Iterable[ProbeResult],
    signals: Iterable[Signal],
    thresholds: Thresholds,
    now: datetime,
) -> Downtime:
    """Downtime of every flow and component from everything recorded up to ``now``."""
    streams: dict[tuple[str, str, str | None], list[ProbeResult]] = defaultdict(list)
    for result in results:
        if result.at <= now:
            streams[(result.probe, result.component, result.flow)].append(result)
    bursts: dict[tuple[str, str, str | None], list[Signal]] = defaultdict(list)
    for signal in signals:
        if signal.at <= now:
            bursts[(signal.kind.value, signal.component, signal.flow)].append(signal)
    raw: dict[tuple[str, str | None], list[Interval]] = defaultdict(list)
    for (_, component, flow), stream in streams.items():
        raw[(component, flow)].extend(probe_intervals(stream, thresholds))
    for (_, component, flow), burst in bursts.items():
        for interval in signal_intervals(burst, thresholds):
            if interval.ended is not None and interval.ended > now:
                interval = interval.model_copy(update={"ended": None})
            raw[(component, flow)].append(interval)
    flows: dict[tuple[str, str], list[Interval]] = {}
    by_component: dict[str, list[Interval]] = defaultdict(list)
    for (component, flow), intervals in raw.items():
        merged = merge(intervals, component, flow)
        if flow is not None:
            flows[(component, flow)] = merged
        by_component[component].extend(merged)
    components = {c: merge(i, c, None) for c, i in by_component.items()}
    # a component's merged interval lists which flows were down in it
    return Downtime(flows=flows, components=components)


def flows_down(downtime: Downtime, interval: Interval, now: datetime) -> tuple[str, ...]:
    """The flows of ``interval``'s component that were down at some point within it."""
    end = interval.ended or now
    names = [
        flow
        for (component, flow), intervals in downtime.flows.items()
        if component == interval.component
        and any(i.started <= end and (i.ended or now) >= interval.started for i in intervals)
    ]
    return tuple(sorted(names))
