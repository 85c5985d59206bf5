"""All KPIs for a quarter and the quarters before it, against the framework's targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from platform_maturity.domain.events import CostLine, Deployment, EventSet, Incident, SliWindow
from platform_maturity.domain.framework import Framework, Kpi
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.kpi_results import (
    KpiReport,
    KpiResult,
    PeriodValue,
    PillarMetricValue,
    Trend,
)
from platform_maturity.domain.target import Target
from platform_maturity.domain.units import convert
from platform_maturity.domain.work_table import WorkTable
from platform_maturity.engine.kpi import compute as c
from platform_maturity.engine.kpi.linking import link_incidents
from platform_maturity.engine.kpi.periods import Quarter, last_quarters
from platform_maturity.engine.kpi.scope import UnitScope, organization_events, unit_scope
from platform_maturity.engine.kpi.stats import describe

DISPLAY_UNITS = {
    "change-failure-rate": "percent",
    "change-failure-rate-deployments": "percent",
    "mean-time-to-detect": "h",
    "mean-time-to-respond": "h",
    "error-rate": "percent",
    "latency-target-miss-rate": "percent",
    "recovery-time-objective": "h",
    "development-velocity": "count",
    "development-latency": "day",
    "cost-per-developer": "currency",
    "cost-per-user": "currency",
}

METHODS = {
    "change-failure-rate": "bug tickets opened ÷ feature tickets completed in the quarter,"
    " duplicates and bot reports left out",
    "change-failure-rate-deployments": "production deployments that failed or caused an"
    " incident ÷ production deployments (deployment-based, as DORA defines it)",
    "mean-time-to-detect": "detected − deployed over the quarter's sample of production bugs",
    "mean-time-to-respond": "resolved − opened for production bugs resolved in the quarter"
    " (final resolution of reopened bugs); incidents kept apart",
    "error-rate": "Σ failed ÷ Σ total actions over the quarter, per subsystem",
    "latency-target-miss-rate": "Σ actions slower than the subsystem's target ÷ Σ actions",
    "recovery-time-objective": "restore time of the newest successful recovery drill",
    "development-velocity": "work items completed in the quarter (duplicates, not planned"
    " and bot items left out)",
    "development-latency": "released − first moved to in progress, for features completed"
    " in the quarter",
    "cost-per-developer": "developer-scaling cost per month ÷ average developers",
    "cost-per-user": "user-scaling cost per month ÷ average active users",
}

DEPLOYMENT_CFR = Kpi(
    id="change-failure-rate-deployments",
    name="Change failure rate (deployments)",
    short="CFR-D",
    description="The deployment-based change failure rate, for comparison with DORA tools.",
    formula="failed production deployments / production deployments",
    unit="percent",
    direction="lower",
)


def _target(framework: Framework, kpi: Kpi) -> tuple[str | None, Target | None, str | None]:
    metric_id = kpi.target_metric
    if not metric_id:
        return None, None, None
    metric = framework.metric(str(metric_id))
    target = metric.parsed_target
    return metric.id, target, str(target)


def _trend(history: list[PeriodValue], direction: str) -> tuple[Trend | None, bool | None]:
    values = [p.value for p in history if p.value is not None]
    if len(values) < 2 or history[-1].value is None:
        return None, None
    before, now = values[-2], values[-1]
    scale = max(abs(before), abs(now), 1e-9)
    if abs(now - before) / scale < 0.02:
        return "flat", None
    trend: Trend = "up" if now > before else "down"
    if direction == "target":
        return trend, None
    return trend, (trend == "down") == (direction == "lower")


def _met(target: Target | None, value: float | None, unit: str) -> bool | None:
    if target is None or value is None:
        return None
    try:
        return target.met_by(value, unit)
    except Exception:  # units that do not convert: no verdict
        return None


def kpi_report(
    framework: Framework,
    mapping: KpiMapping,
    events: EventSet,
    quarter: Quarter,
    zone: ZoneInfo,
    now: datetime,
    scope: str,
    currency: str,
    quarters: int = 4,
    unit: str | None = None,
) -> KpiReport:
    """Every KPI for ``quarter`` with ``quarters`` periods of history (the last is current)."""
    scoped = (
        unit_scope(events, unit, mapping)
        if unit is not None
        else UnitScope(organization_events(events))
    )
    events = scoped.events
    periods = last_quarters(quarter, quarters)
    windows = c.Windows([c.Window(q.name, q.start(zone), q.end(zone)) for q in periods])
    table = events.work_table
    if table is None:
        table = WorkTable.from_items(events.work_items)
    work = c.group_work(windows, table)
    resolved_incidents = windows.group(
        [i for i in events.incidents if i.resolved_at is not None], _resolved
    )
    created_incidents = windows.group(events.incidents, _incident_created)
    deployments = windows.group(events.deployments, _deployed)
    sli = windows.group(events.sli, _sli_start)
    costs = windows.group(events.costs, _cost_start)
    samples = {q.name: [s for s in events.mttd if s.quarter == q.name] for q in periods}
    hours = mapping.incident_link_hours
    linked = (
        events.incidents
        if hours == 0
        else link_incidents(
            events.incidents, events.deployments, None if hours is None else timedelta(hours=hours)
        )
    )

    def series(make: Callable[[int, c.Window], PeriodValue]) -> list[PeriodValue]:
        return [make(i, w) for i, w in enumerate(windows.windows)]

    computed: dict[str, list[PeriodValue]] = {
        "change-failure-rate": series(
            lambda i, w: c.change_failure_rate(w, work.created[i], work.completed[i])
        ),
        "change-failure-rate-deployments": series(
            lambda i, w: c.change_failure_rate_deployments(w, deployments[i], linked)
        ),
        "mean-time-to-detect": series(lambda i, w: c.mean_time_to_detect(w, samples[w.name])),
        "mean-time-to-respond": series(
            lambda i, w: c.mean_time_to_respond(
                w,
                work.completed[i],
                work.created[i],
                resolved_incidents[i],
                created_incidents[i],
            )
        ),
        "error-rate": series(lambda i, w: c.sli_rate(w, sli[i], "error")),
        "latency-target-miss-rate": series(lambda i, w: c.sli_rate(w, sli[i], "latency")),
        "recovery-time-objective": series(lambda i, w: c.recovery_time(w, events.drills, now)),
        "development-velocity": series(lambda i, w: c.velocity(w, work.completed[i])),
        "development-latency": series(lambda i, w: c.development_latency(w, work.completed[i])),
        "cost-per-developer": series(
            lambda i, w: c.costs_per_head(
                w,
                costs[i],
                events.headcounts,
                mapping,
                "developer",
                periods[i].months(),
                currency,
                None if "cost-per-developer" in scoped.organization else unit,
            )
        ),
        "cost-per-user": series(
            lambda i, w: c.costs_per_head(
                w,
                costs[i],
                events.headcounts,
                mapping,
                "user",
                periods[i].months(),
                currency,
                None if "cost-per-developer" in scoped.organization else unit,
            )
        ),
    }
    results: list[KpiResult] = []
    kpis = list(framework.kpis)
    cfr_at = next((i for i, k in enumerate(kpis) if k.id == "change-failure-rate"), 0)
    kpis.insert(cfr_at + 1, DEPLOYMENT_CFR)
    for kpi in kpis:
        history = computed.get(kpi.id)
        if history is None:
            continue  # a KPI a workspace added without a computation
        metric_id, target, target_text = _target(framework, kpi)
        display = DISPLAY_UNITS.get(kpi.id, kpi.unit)
        trend, improving = _trend(history, kpi.direction)
        kpi_scope, scope_note = scoped.scope_of(kpi.id)
        results.append(
            KpiResult(
                id=kpi.id,
                name=kpi.name,
                short=kpi.short,
                unit=display,
                direction=kpi.direction,
                method=METHODS.get(kpi.id, kpi.formula),
                caveat=kpi.caveat,
                target=target_text,
                target_metric=metric_id,
                met=_met(target, history[-1].value, display),
                current=history[-1],
                history=tuple(history),
                trend=trend,
                improving=improving,
                scope=kpi_scope,
                scope_note=scope_note,
            )
        )
    current = windows.windows[-1]
    return KpiReport(
        quarter=quarter.name,
        start=current.start,
        end=current.end,
        timezone=str(zone),
        as_of=now,
        scope=unit or scope,
        unit=unit,
        currency=currency,
        kpis=tuple(results),
        pillar_metrics=tuple(
            pillar_metrics(
                framework,
                events,
                current,
                {k: v for k, v in computed.items() if k not in scoped.organization},
                windows,
                now,
            )
        ),
        counts={
            "work items": len(table),
            "pull requests": len(events.pull_requests),
            "pipeline runs": len(events.runs),
            "deployments": len(events.deployments),
            "incidents": len(events.incidents),
            "cost lines": len(events.costs),
            "recovery drills": len(events.drills),
            "SLI windows": len(events.sli),
        },
    )


def _resolved(i: Incident) -> datetime | None:
    return i.resolved_at


def _incident_created(i: Incident) -> datetime | None:
    return i.created_at


def _deployed(d: Deployment) -> datetime | None:
    return d.finished_at or d.created_at


def _sli_start(s: SliWindow) -> datetime | None:
    return s.start


def _cost_start(x: CostLine) -> datetime | None:
    return x.period_start


def pillar_metrics(
    framework: Framework,
    events: EventSet,
    window: c.Window,
    computed: dict[str, list[PeriodValue]],
    windows: c.Windows,
    now: datetime,
) -> list[PillarMetricValue]:
    """Pillar metrics that follow from the same data, for the current quarter."""
    values: list[tuple[str, float, str, int]] = []  # metric id, value, unit, n
    last = len(windows.windows) - 1
    merged = [
        p
        for p in events.pull_requests
        if p.merged_at is not None and windows.index(p.merged_at) == last
    ]
    days, _ = c.pr_merge_days(merged)
    if days:
        values.append(("automation.pr-merge-latency", describe(days).mean or 0.0, "day", len(days)))
    finished = [r for r in events.runs if windows.index(r.finished_at) == last]
    for run_metric, kind, agg in (
        ("automation.ci-pipeline-duration", "ci", "mean"),
        ("automation.cd-pipeline-duration", "cd", "mean"),
        ("automation.e2e-test-duration", "e2e", "mean"),
        ("resiliency.e2e-test-runtime", "e2e", "median"),
    ):
        minutes = c.run_minutes(finished, kind)
        if minutes:
            stats = describe(minutes)
            value = stats.mean if agg == "mean" else stats.median
            values.append((run_metric, value or 0.0, "min", stats.n))
    if any(i.severity == "S1" for i in events.incidents) or events.incidents:
        up = c.uptime_percent(window, events.incidents)
        if up is not None and events.incidents:
            values.append(("resiliency.system-uptime", up[0], "percent", up[1]))
    for kpi_id, metric_ref, unit in (
        ("change-failure-rate", "resiliency.change-failure-rate", "percent"),
        ("error-rate", "resiliency.error-rate", "percent"),
        ("recovery-time-objective", "resiliency.recovery-time-objective", "h"),
        ("mean-time-to-detect", "observability.mean-time-to-detect", "h"),
        ("mean-time-to-respond", "observability.mean-time-to-repair", "h"),
    ):
        if kpi_id not in computed:
            continue  # organization-wide in a unit's report: not the unit's metric
        period = computed[kpi_id][-1]
        if period.value is not None:
            n = period.stats.n if period.stats else int(period.denominator or 1)
            values.append((metric_ref, period.value, unit, n))
    rto = computed.get("recovery-time-objective", [])
    for b in rto[-1].breakdowns if rto else ():
        if b.label.startswith("days since") and b.value is not None:
            values.append(("resiliency.days-since-recovery-exercise", b.value, "day", 1))
    out: list[PillarMetricValue] = []
    known = {m.id: m for m in framework.metrics()}
    for metric_id, value, unit, n in values:
        found = known.get(metric_id)
        if found is None:
            continue
        metric = found
        converted = convert(value, unit, metric.unit)
        out.append(
            PillarMetricValue(
                metric_id=metric_id,
                name=metric.name,
                value=converted,
                unit=metric.unit,
                period=window.name,
                n=n,
                target=str(metric.parsed_target),
                met=metric.parsed_target.met_by(converted, metric.unit),
            )
        )
    return out
