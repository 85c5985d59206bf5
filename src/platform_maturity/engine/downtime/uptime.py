"""Uptime: the share of monitored time a component (or the whole system) was not down.

A component is monitored from its first recorded result; time before that is not counted,
so a new component does not start at 100 % or 0 % by default. The system is down whenever
any component is down (the union of their intervals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from platform_maturity.domain.downtime import ComponentConfig
from platform_maturity.domain.incidents import Interval
from platform_maturity.domain.uptime import DayBar, Uptime

if TYPE_CHECKING:
    from platform_maturity.engine.downtime.intervals import Downtime


def _union(intervals: Iterable[Interval], now: datetime) -> list[tuple[datetime, datetime]]:
    spans = sorted((i.started, i.ended or now) for i in intervals)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _down_within(
    spans: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime
) -> float:
    total = 0.0
    for low, high in spans:
        a, b = max(low, start), min(high, end)
        if b > a:
            total += (b - a).total_seconds()
    return total / 60.0


def uptime(
    intervals: Iterable[Interval],
    start: datetime,
    end: datetime,
    now: datetime,
    monitored_from: datetime | None,
    target_percent: float,
    component: str | None = None,
) -> Uptime:
    """Uptime over [start, min(end, now)), counting only time after ``monitored_from``."""
    items = list(intervals)
    spans = _union(items, now)
    low = max(start, monitored_from) if monitored_from is not None else end
    high = min(end, now)
    monitored = max((high - low).total_seconds() / 60.0, 0.0)
    down = _down_within(spans, low, high) if monitored > 0 else 0.0
    percent = None if monitored <= 0 else round(100.0 * (1 - down / monitored), 4)
    counted = sum(1 for i in items if i.started < high and (i.ended or now) > low)
    return Uptime(
        component=component,
        start=start,
        end=end,
        monitored_minutes=round(monitored, 2),
        minutes_down=round(down, 2),
        percent=percent,
        target_percent=target_percent,
        intervals=counted,
    )


def configured_system_uptime(
    components: Sequence[ComponentConfig],
    downtime: Downtime,
    monitored_since: Mapping[str, datetime],
    start: datetime,
    now: datetime,
    target_percent: float,
) -> Uptime:
    """The uptime of the system the workspace defines (its components), from ``start`` to
    ``now``, counted from the first result of any of its components up to ``now``."""
    known = [
        monitored_since[c.id]
        for c in components
        if c.id in monitored_since and monitored_since[c.id] <= now
    ]
    return system_uptime(
        {c.id: downtime.components.get(c.id, []) for c in components},
        start,
        now,
        now,
        min(known) if known else None,
        target_percent,
    )


def system_uptime(
    per_component: dict[str, list[Interval]],
    start: datetime,
    end: datetime,
    now: datetime,
    monitored_from: datetime | None,
    target_percent: float,
) -> Uptime:
    """The system is up while every component is up."""
    everything = [i for intervals in per_component.values() for i in intervals]
    return uptime(everything, start, end, now, monitored_from, target_percent, None)


def day_bars(
    intervals: Iterable[Interval],
    days: int,
    now: datetime,
    monitored_from: datetime | None,
) -> list[DayBar]:
    """One bar per UTC day for the ``days`` days up to and including today, oldest first."""
    spans = _union(intervals, now)
    today = now.astimezone(UTC).date()
    bars: list[DayBar] = []
    for offset in range(days - 1, -1, -1):
        day: date = today - timedelta(days=offset)
        start = datetime.combine(day, time(0), tzinfo=UTC)
        end = min(start + timedelta(days=1), now)
        low = max(start, monitored_from) if monitored_from is not None else end
        if low >= end:
            bars.append(DayBar(day=day, uptime_percent=None, minutes_down=0.0))
            continue
        monitored = (end - low).total_seconds() / 60.0
        down = _down_within(spans, low, end)
        bars.append(
            DayBar(
                day=day,
                uptime_percent=round(100.0 * (1 - down / monitored), 3),
                minutes_down=round(down, 2),
            )
        )
    return bars
