"""Prometheus: error rates and latency-target misses per subsystem over a period.

For each subsystem of ``kpi.prometheus.subsystems`` the collector reads the raw counter
samples over the period (range-vector queries, a day at a time) and computes their
increase offline, series by series: the value at the start of the period is the
baseline, a drop in a counter is a restart (the new value is all increase), and a series
that appears during the period counts from zero. That gives exact counts where PromQL's
``increase()`` would extrapolate to the window edges.

- errors: increase of the ``failed`` selector ÷ increase of the ``total`` selector;
- latency: actions slower than the target = increase of ``<histogram>_count`` − increase
  of ``<histogram>_bucket{le="<target>"}``. The target must be one of the histogram's
  bucket bounds (classic histograms cannot say what happened between bounds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import SliWindow
from platform_maturity.domain.kpi_mapping import SubsystemConfig

CHUNK_S = 86_400  # raw samples are read one day at a time
Getter = Callable[[str, dict[str, str]], Any]


def http_getter(base_url: str, timeout: float = 30.0) -> Getter:
    base = base_url.rstrip("/")

    def get(path: str, params: dict[str, str]) -> Any:
        try:
            response = httpx.get(base + path, params=params, timeout=timeout)
        except httpx.HTTPError as exc:
            raise UserError(
                f"cannot reach Prometheus: {exc}",
                field="kpi.prometheus.url",
                value=base_url,
                hint="Check the URL and that Prometheus is running.",
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or body.get("status") != "success":
            error = body.get("error") or response.text[:200]
            raise UserError(
                f"Prometheus refused the query: {error}",
                field="kpi.prometheus",
                value=params.get("query") or params.get("match[]"),
                hint="Check the selectors of kpi.prometheus.subsystems in maturity.yaml.",
            )
        return body["data"]

    return get


def _selector_parts(selector: str) -> tuple[str, str]:
    name, brace, rest = selector.partition("{")
    return name.strip(), (brace + rest) if brace else ""


def _with_label(selector: str, suffix: str, label: str | None = None) -> str:
    name, matchers = _selector_parts(selector)
    inner = matchers[1:-1].strip() if matchers else ""
    if label:
        inner = f"{inner}, {label}" if inner else label
    return f"{name}{suffix}{{{inner}}}" if inner else f"{name}{suffix}"


def _key(metric: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(metric.items()))


def counter_increase(get: Getter, selector: str, start: datetime, end: datetime) -> float:
    """Exact increase of every series of ``selector`` over ``[start, end]``, summed.

    The value each series had at ``start`` is its baseline (a series that did not exist
    yet starts from zero); then the raw samples are read day by day with range-vector
    queries, and each drop in a counter is a restart whose new value is all increase.
    """
    baseline: dict[tuple[tuple[str, str], ...], float] = {}
    data = get("/api/v1/query", {"query": selector, "time": f"{start.timestamp():.3f}"})
    for series in data.get("result", []):
        baseline[_key(series.get("metric", {}))] = float(series["value"][1])
    last = dict(baseline)
    total = 0.0
    cursor = start
    while cursor < end:
        upper = min(cursor + timedelta(seconds=CHUNK_S), end)
        seconds = max(1, math.ceil((upper - cursor).total_seconds()))
        data = get(
            "/api/v1/query",
            {"query": f"{selector}[{seconds}s]", "time": f"{upper.timestamp():.3f}"},
        )
        for series in data.get("result", []):
            key = _key(series.get("metric", {}))
            previous = last.get(key, 0.0)
            for stamp, raw in series.get("values", []):
                if float(stamp) <= cursor.timestamp() and key in last:
                    continue  # already counted in the previous chunk or the baseline
                value = float(raw)
                if math.isnan(value):
                    continue
                total += value - previous if value >= previous else value
                previous = value
            last[key] = previous
        cursor = upper
    return total


def bucket_bound(get: Getter, histogram: str, target: float) -> str:
    """The ``le`` label value equal to ``target`` (``1`` and ``1.0`` are both accepted)."""
    data = get("/api/v1/label/le/values", {"match[]": _with_label(histogram, "_bucket")})
    bounds = [b for b in data if b != "+Inf"]
    for bound in bounds:
        try:
            if math.isclose(float(bound), target, rel_tol=1e-9):
                return str(bound)
        except ValueError:
            continue
    shown = ", ".join(sorted(bounds, key=float)) or "(none: no such histogram)"
    raise UserError(
        "the latency target is not a bucket bound of the histogram",
        field="kpi.prometheus.subsystems.latency_target_s",
        value=target,
        hint=f"Bounds of {histogram}: {shown}. Choose one, or add a bucket at the target.",
    )


def collect(
    get: Getter, subsystems: list[SubsystemConfig], start: datetime, end: datetime
) -> list[SliWindow]:
    windows: list[SliWindow] = []
    for sub in subsystems:
        total = counter_increase(get, sub.total, start, end)
        if sub.failed:
            failed = counter_increase(get, sub.failed, start, end)
            windows.append(
                SliWindow(
                    sub.name,
                    "error",
                    start,
                    end,
                    failed,
                    total,
                    None,
                    f"{sub.failed} / {sub.total}",
                )
            )
        if sub.latency_histogram and sub.latency_target_s:
            le = bucket_bound(get, sub.latency_histogram, sub.latency_target_s)
            count = counter_increase(get, _with_label(sub.latency_histogram, "_count"), start, end)
            fast = counter_increase(
                get, _with_label(sub.latency_histogram, "_bucket", f'le="{le}"'), start, end
            )
            windows.append(
                SliWindow(
                    sub.name,
                    "latency",
                    start,
                    end,
                    max(0.0, count - fast),
                    count,
                    sub.latency_target_s,
                    f"{sub.latency_histogram} le={le}",
                )
            )
    return windows
