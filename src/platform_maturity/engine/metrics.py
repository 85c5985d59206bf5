"""Metric attainment: the latest value of each metric against its target."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from statistics import mean

from platform_maturity.domain.framework import Metric
from platform_maturity.domain.records import Measurement
from platform_maturity.domain.results import MetricResult


def latest_measurement(
    measurements: Sequence[Measurement], metric_id: str, unit: str | None, now: datetime
) -> Measurement | None:
    best: Measurement | None = None
    for m in measurements:
        if m.metric_id != metric_id or m.unit != unit or m.measured_at > now:
            continue
        if best is None or m.measured_at >= best.measured_at:
            best = m
    return best


def metric_result(
    metric: Metric,
    measurements: Sequence[Measurement],
    scope_unit: str | None,
    units: Sequence[str],
    now: datetime,
) -> MetricResult:
    """Attainment for a unit (its own value) or the organization.

    The organization uses its own organization-wide value when one was recorded, and
    otherwise the mean of its units' latest values.
    """
    value: float | None = None
    measured_at: datetime | None = None
    basis = "no data"
    latest = latest_measurement(measurements, metric.id, scope_unit, now)
    if latest is not None:
        value, measured_at = latest.value, latest.measured_at
        basis = f"measured ({latest.source})"
    elif scope_unit is None and units:
        per_unit = [
            m
            for u in units
            if (m := latest_measurement(measurements, metric.id, u, now)) is not None
        ]
        if per_unit:
            value = round(mean(m.value for m in per_unit), 4)
            measured_at = max(m.measured_at for m in per_unit)
            basis = f"mean of {len(per_unit)} unit(s)"
    if value is None:
        status = "no-data"
    else:
        status = "on-target" if metric.parsed_target.met_by(value, metric.unit) else "off-target"
    return MetricResult(
        id=metric.id,
        name=metric.name,
        unit=metric.unit,
        target=str(metric.parsed_target),
        value=value,
        measured_at=measured_at,
        status=status,
        basis=basis,
    )
