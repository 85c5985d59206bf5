"""Each KPI of the framework's KPI page for one window, from source-independent events.

Windows are half-open ``[start, end)`` in UTC. Records are grouped into windows once
(:class:`Windows`) so eight quarters over a million work items stay a single pass.
Every result says what it excluded and why: duplicates, bots, items not planned, still
open at the end of the window, missing or impossible timestamps.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from platform_maturity.domain.events import (
    CostLine,
    Deployment,
    Headcount,
    Incident,
    MttdSample,
    PipelineRun,
    PullRequest,
    RecoveryDrill,
    SliWindow,
    WorkItem,
)
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.kpi_results import Breakdown, Distribution, Exclusion, PeriodValue
from platform_maturity.domain.work_table import MISSING, Flags, Micros, WorkTable, micros
from platform_maturity.engine.kpi.stats import describe, sample_warning, wilson

T = TypeVar("T")
HOUR = 3600.0
DAY = 86400.0
SEVERITY_ORDER = ("S1", "S2", "S3", "S4")


@dataclass(frozen=True)
class Window:
    name: str
    start: datetime
    end: datetime


class Windows:
    """Consecutive windows and a fast lookup of the window a time falls in."""

    def __init__(self, windows: Sequence[Window]) -> None:
        self.windows = list(windows)
        self._starts = [w.start for w in self.windows]
        self._end = self.windows[-1].end if self.windows else None

    def index(self, moment: datetime | None) -> int | None:
        if moment is None or self._end is None or moment >= self._end:
            return None
        i = bisect_right(self._starts, moment) - 1
        return i if i >= 0 else None

    def group(self, items: Iterable[T], when: Callable[[T], datetime | None]) -> list[list[T]]:
        groups: list[list[T]] = [[] for _ in self.windows]
        for item in items:
            i = self.index(when(item))
            if i is not None:
                groups[i].append(item)
        return groups


def _excluded(counter: Counter[str]) -> tuple[Exclusion, ...]:
    return tuple(Exclusion(reason=r, count=c) for r, c in sorted(counter.items()) if c)


def _warnings(*items: str | None) -> tuple[str, ...]:
    return tuple(w for w in items if w)


# ----------------------------------------------------------------------------- work items

Work = WorkTable | Sequence[WorkItem]


def as_table(items: Work) -> WorkTable:
    """Work items as a :class:`WorkTable` (records are converted; a table is kept)."""
    return items if isinstance(items, WorkTable) else WorkTable.from_items(items)


def _count(mask: Flags) -> int:
    return int(np.count_nonzero(mask))


Floats = npt.NDArray[np.float64]


def _seconds(end: Micros, start: Micros) -> Floats:
    """Durations in seconds, as ``(end - start).total_seconds()`` gives them."""
    return (end - start) / 1_000_000


@dataclass
class WorkGroups:
    """Work items grouped by the window they were created in and completed in."""

    created: list[WorkTable] = field(default_factory=list)
    completed: list[WorkTable] = field(default_factory=list)


def _window_index(windows: Windows, times: Micros) -> npt.NDArray[np.intp]:
    """The window each time falls in: 0..n-1; -1 before the first (or unknown), n after."""
    edges = np.array(
        [micros(w.start) for w in windows.windows] + [micros(windows.windows[-1].end)],
        dtype=np.int64,
    )
    return np.searchsorted(edges, times, side="right") - 1


def group_work(windows: Windows, items: Work) -> WorkGroups:
    table = as_table(items)
    if not windows.windows:
        return WorkGroups([], [])
    created = _window_index(windows, table.created)
    completed = _window_index(windows, table.completed)
    count = len(windows.windows)
    return WorkGroups(table.split(created, count), table.split(completed, count))


def change_failure_rate(w: Window, created_items: Work, completed_items: Work) -> PeriodValue:
    """Bug tickets opened ÷ feature tickets completed, in percent, split by where found."""
    created, completed = as_table(created_items), as_table(completed_items)
    excluded: Counter[str] = Counter()
    bug = created.kind.equals("bug")
    reopened = _count(bug & created.reopened)
    duplicate = bug & created.resolution.equals("duplicate")
    bot = bug & ~duplicate & created.is_bot
    not_planned = bug & ~duplicate & ~bot & created.resolution.equals("not_planned")
    counted = bug & ~duplicate & ~bot & ~not_planned
    excluded["duplicate bug report"] += _count(duplicate)
    excluded["opened by a bot"] += _count(bot)
    excluded["bug closed as not planned / invalid"] += _count(not_planned)
    bugs = created.found_in.counts(counted)
    feature = completed.kind.equals("feature")
    closed = feature & (
        completed.resolution.equals("duplicate") | completed.resolution.equals("not_planned")
    )
    feature_bot = feature & ~closed & completed.is_bot
    features = _count(feature & ~closed & ~feature_bot)
    excluded["feature closed without being done"] += _count(closed)
    excluded["opened by a bot"] += _count(feature_bot)
    total_bugs = sum(bugs.values())
    if features == 0:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            numerator=total_bugs,
            denominator=0,
            excluded=_excluded(excluded),
            note="undefined: no feature ticket was completed in the period",
        )
    breakdowns = tuple(
        Breakdown(
            label={"qa": "caught by QA", "production": "found in production"}.get(
                k, "not labelled"
            ),
            value=100.0 * bugs[k] / features,
            numerator=bugs[k],
            denominator=features,
        )
        for k in ("qa", "production", "unknown")
        if bugs[k] or k != "unknown"
    )
    ratio = total_bugs / features
    interval = wilson(total_bugs, features) if ratio <= 1 else None
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=100.0 * ratio,
        numerator=total_bugs,
        denominator=features,
        interval=(100 * interval[0], 100 * interval[1]) if interval else None,
        breakdowns=breakdowns,
        excluded=_excluded(excluded),
        warnings=_warnings(
            sample_warning(features, "features completed"),
            f"{reopened} reopened bug(s) counted once" if reopened else None,
        ),
    )


def change_failure_rate_deployments(
    w: Window, deployments: Sequence[Deployment], incidents: Sequence[Incident]
) -> PeriodValue:
    """Production deployments that failed or caused an incident ÷ production deployments."""
    caused = {i.deployment_id for i in incidents if i.deployment_id}
    excluded: Counter[str] = Counter()
    total = failed = 0
    for d in deployments:
        if not d.production:
            excluded["not a production deployment"] += 1
            continue
        if d.status not in ("success", "failure", "error", "failed"):
            excluded[f"deployment without a final state ({d.status})"] += 1
            continue
        total += 1
        if d.status != "success" or d.failed_change or d.source_id in caused:
            failed += 1
    if total == 0:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            numerator=0,
            denominator=0,
            excluded=_excluded(excluded),
            note="no production deployment finished in the period",
        )
    interval = wilson(failed, total)
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=100.0 * failed / total,
        numerator=failed,
        denominator=total,
        interval=(100 * interval[0], 100 * interval[1]) if interval else None,
        excluded=_excluded(excluded),
        warnings=_warnings(sample_warning(total, "production deployments")),
    )


def _duration_stats(
    values: list[float],
    excluded: Counter[str],
    durations: Iterable[tuple[datetime | None, datetime | None]],
    unit: float,
) -> None:
    for start, end in durations:
        if start is None or end is None:
            excluded["missing timestamp"] += 1
            continue
        seconds = (end - start).total_seconds()
        if seconds < 0:
            excluded["ends before it starts (clock skew or back-filled)"] += 1
            continue
        values.append(seconds / unit)


def mean_time_to_respond(
    w: Window,
    completed_items: Work,
    created_items: Work,
    incidents: Sequence[Incident],
    all_incidents_created: Sequence[Incident],
) -> PeriodValue:
    """Production bugs and incidents resolved in the window: resolved − detected, in hours."""
    completed, created = as_table(completed_items), as_table(created_items)
    excluded: Counter[str] = Counter()
    bug = completed.kind.equals("bug")
    duplicate = bug & completed.resolution.equals("duplicate")
    not_planned = bug & ~duplicate & completed.resolution.equals("not_planned")
    bot = bug & ~duplicate & ~not_planned & completed.is_bot
    qa = bug & ~duplicate & ~not_planned & ~bot & completed.found_in.equals("qa")
    measured = bug & ~duplicate & ~not_planned & ~bot & ~qa
    excluded["duplicate bug report"] += _count(duplicate)
    excluded["bug closed as not planned / invalid"] += _count(not_planned)
    excluded["opened by a bot"] += _count(bot)
    excluded["caught by QA before production"] += _count(qa)
    bug_seconds = _seconds(completed.completed[measured], completed.created[measured])
    backwards = bug_seconds < 0
    excluded["ends before it starts (clock skew or back-filled)"] += _count(backwards)
    kept = ~backwards
    hours_array = bug_seconds[kept] / HOUR
    reopened = _count(completed.reopened[measured][kept])
    values = hours_array
    severities = completed.severity.where(measured).where(kept)
    by_severity: dict[str, Floats] = {}
    for severity in severities.counts():
        key, part = severity or "unrated", hours_array[severities.equals(severity)]
        by_severity[key] = np.concatenate([by_severity[key], part]) if key in by_severity else part
    still_open = _count(
        created.kind.equals("bug")
        & created.resolution.equals(None)
        & ~created.found_in.equals("qa")
        & ((created.completed == MISSING) | (created.completed >= micros(w.end)))
    )
    if still_open:
        excluded["still open at the end of the period"] += still_open
    incident_values: dict[str, list[float]] = defaultdict(list)
    for inc in incidents:
        if inc.duplicate:
            excluded[
                f"duplicate (merged into {inc.merged_into})"
                if inc.merged_into
                else "duplicate (merged) incident"
            ] += 1
            continue
        assert inc.resolved_at is not None
        seconds = (inc.resolved_at - inc.created_at).total_seconds()
        if seconds < 0:
            excluded["ends before it starts (clock skew or back-filled)"] += 1
            continue
        incident_values[inc.severity or "unrated"].append(seconds / HOUR)
    open_incidents = sum(
        1 for i in all_incidents_created if i.resolved_at is None or i.resolved_at >= w.end
    )
    if open_incidents:
        excluded["incident still open at the end of the period"] += open_incidents
    breakdowns: list[Breakdown] = []
    groups: dict[str, Floats] | dict[str, list[float]]
    for label, groups in (("bugs", by_severity), ("incidents", incident_values)):
        for severity in sorted(
            groups, key=lambda s: (SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else 9, s)
        ):
            stats = describe(groups[severity])
            breakdowns.append(
                Breakdown(
                    label=f"{label} · {severity}",
                    value=stats.mean,
                    stats=stats,
                    note=sample_warning(stats.n, label, 5),
                )
            )
    headline: Floats | list[float] = (
        values if len(values) else [v for group in incident_values.values() for v in group]
    )
    stats = describe(headline)
    population = "production bugs" if len(values) else "incidents"
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=stats.mean,
        stats=stats,
        breakdowns=tuple(breakdowns),
        excluded=_excluded(excluded),
        warnings=_warnings(
            sample_warning(stats.n, population),
            f"{reopened} reopened bug(s): measured to their final resolution" if reopened else None,
        ),
        note=None if stats.n else "no production bug or incident was resolved in the period",
    )


def mean_time_to_detect(w: Window, samples: Sequence[MttdSample]) -> PeriodValue:
    excluded: Counter[str] = Counter()
    values: list[float] = []
    for s in samples:
        if s.deployed_at is None or s.detected_at is None:
            excluded["sampled bug not filled in yet"] += 1
            continue
        seconds = (s.detected_at - s.deployed_at).total_seconds()
        if seconds < 0:
            excluded["detected before deployed (check the times)"] += 1
            continue
        values.append(seconds / HOUR)
    stats = describe(values)
    warning = None
    if stats.n and stats.n < 20:
        warning = f"sample of {stats.n}: the framework suggests 20-25 bugs a quarter"
    note = None
    if not samples:
        note = "no sample yet: 'maturity kpi sample-mttd' draws 20-25 production bugs"
    elif not stats.n:
        note = "the sample has no bug with both times filled in yet"
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=stats.mean,
        stats=stats,
        excluded=_excluded(excluded),
        warnings=_warnings(warning),
        note=note,
    )


def velocity(w: Window, completed_items: Work) -> PeriodValue:
    completed = as_table(completed_items)
    excluded: Counter[str] = Counter()
    closed = completed.resolution.equals("duplicate") | completed.resolution.equals("not_planned")
    bot = ~closed & completed.is_bot
    done = ~closed & ~bot
    excluded["closed without being done"] += _count(closed)
    excluded["opened by a bot"] += _count(bot)
    per_unit: Counter[str] = Counter()
    for unit, count in completed.unit.counts(done).items():
        per_unit[unit or "unassigned"] += count
    per_kind = completed.kind.counts(done)
    total = sum(per_unit.values())
    breakdowns = [
        Breakdown(label=f"kind · {k}", value=float(per_kind[k]))
        for k in sorted(str(k) for k in per_kind)
    ]
    breakdowns += [
        Breakdown(label=f"unit · {u}", value=float(per_unit[u])) for u in sorted(per_unit)
    ]
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=float(total),
        numerator=total,
        breakdowns=tuple(breakdowns),
        excluded=_excluded(excluded),
        note=None if total else "no work item was completed in the period",
    )


def development_latency(w: Window, completed_items: Work) -> PeriodValue:
    """Feature tickets completed in the window: released − started (in progress), in days."""
    completed = as_table(completed_items)
    excluded: Counter[str] = Counter()
    feature = completed.kind.equals("feature")
    closed = feature & (
        completed.resolution.equals("duplicate") | completed.resolution.equals("not_planned")
    )
    bot = feature & ~closed & completed.is_bot
    unstarted = feature & ~closed & ~bot & (completed.started == MISSING)
    measured = feature & ~closed & ~bot & ~unstarted
    excluded["closed without being done"] += _count(closed)
    excluded["opened by a bot"] += _count(bot)
    excluded["no in-progress time (import the status history)"] += _count(unstarted)
    seconds = _seconds(completed.completed[measured], completed.started[measured])
    backwards = seconds < 0
    excluded["ends before it starts (clock skew or back-filled)"] += _count(backwards)
    values = seconds[~backwards] / DAY
    stats = describe(values)
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=stats.mean,
        stats=stats,
        excluded=_excluded(excluded),
        warnings=_warnings(sample_warning(stats.n, "features")),
        note=None if stats.n else "no completed feature with a known start in the period",
    )


def sli_rate(w: Window, windows: Sequence[SliWindow], kind: str) -> PeriodValue:
    """Σ bad ÷ Σ total per subsystem (sums, never averages of percentages), in percent."""
    bad: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    thresholds: dict[str, float | None] = {}
    for s in windows:
        if s.kind != kind:
            continue
        name = s.subsystem
        bad[name] += s.bad
        total[name] += s.total
        thresholds[name] = s.threshold_s
    all_total = sum(total.values())
    breakdowns = tuple(
        Breakdown(
            label=name
            + (
                f" (target {thresholds[name]:g} s)"
                if kind == "latency" and thresholds.get(name)
                else ""
            ),
            value=100.0 * bad[name] / total[name] if total[name] else None,
            numerator=bad[name],
            denominator=total[name],
        )
        for name in sorted(total)
    )
    if not all_total:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            note="no measurements: configure kpi.prometheus and run 'maturity kpi collect'",
        )
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=100.0 * sum(bad.values()) / all_total,
        numerator=sum(bad.values()),
        denominator=all_total,
        breakdowns=breakdowns,
    )


def recovery_time(w: Window, drills: Sequence[RecoveryDrill], now: datetime) -> PeriodValue:
    """The newest successful recovery drill by the end of the window, in hours."""
    moment = min(w.end, now)
    done = sorted(
        (d for d in drills if d.started_at < moment),
        key=lambda d: d.started_at,
    )
    excluded: Counter[str] = Counter()
    ok = []
    for d in done:
        if not d.success or d.restored_at is None:
            excluded["failed or unfinished drill"] += 1
        else:
            ok.append(d)
    year_ago = moment - timedelta(days=365)
    in_year = sum(1 for d in done if d.started_at >= year_ago)
    if not ok:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            excluded=_excluded(excluded),
            note="no successful recovery drill recorded ('maturity kpi drill')",
        )
    last = ok[-1]
    assert last.restored_at is not None
    hours = (last.restored_at - last.started_at).total_seconds() / HOUR
    since = (moment - last.started_at).total_seconds() / DAY
    warnings = []
    if since > 90:
        warnings.append(f"last successful drill {since:.0f} days ago: the target is every 90 days")
    if in_year < 1 or in_year > 4:
        warnings.append(f"{in_year} drills in the last 12 months; the framework suggests 1 to 4")
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=hours,
        breakdowns=(
            Breakdown(label="days since the last successful drill", value=since),
            Breakdown(label="drills in the last 12 months", value=float(in_year)),
        ),
        excluded=_excluded(excluded),
        warnings=tuple(warnings),
        note=last.scenario or None,
    )


def costs_per_head(
    w: Window,
    costs: Sequence[CostLine],
    headcounts: Sequence[Headcount],
    mapping: KpiMapping,
    bucket: str,
    months: Sequence[tuple[int, int]],
    currency: str,
    unit: str | None = None,
) -> PeriodValue:
    """Monthly cost of one bucket ÷ the period's average monthly head count (the unit's
    when ``unit`` is given)."""
    measure = mapping.costs.measure
    excluded: Counter[str] = Counter()
    totals: dict[str, float] = defaultdict(float)
    months_seen: set[tuple[int, int]] = set()
    for line in costs:
        if line.charge_category in mapping.costs.exclude_categories:
            excluded[f"{line.charge_category} lines"] += 1
            continue
        if line.currency != currency:
            excluded[f"billed in {line.currency}, not {currency}"] += 1
            continue
        amount = line.effective_cost if measure == "effective" else line.billed_cost
        totals[mapping.cost_bucket(line.service_category, line.service_name, line.tags)] += amount
        months_seen.add((line.period_start.year, line.period_start.month))
    attribute = "developers" if bucket == "developer" else "users"
    heads = [
        getattr(h, attribute)
        for h in headcounts
        if (h.month.year, h.month.month) in set(months) and getattr(h, attribute)
    ]
    if not months_seen:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            excluded=_excluded(excluded),
            note="no cost lines in the period ('maturity import focus FILE')",
        )
    per_month = totals[bucket] / len(months_seen)
    # like the value, the buckets are monthly averages over the months with costs
    breakdowns = tuple(
        Breakdown(
            label=f"{b}-scaling cost per month ({measure})", value=totals[b] / len(months_seen)
        )
        for b in ("developer", "user", "shared")
    )
    if not heads:
        return PeriodValue(
            period=w.name,
            start=w.start,
            end=w.end,
            value=None,
            numerator=per_month,
            breakdowns=breakdowns,
            excluded=_excluded(excluded),
            note=f"no {attribute} count for the period"
            + (
                f" of unit {unit} ('maturity kpi headcount MONTH --unit {unit}')"
                if unit
                else f" ('maturity kpi headcount MONTH --{attribute} N')"
            ),
        )
    average = sum(heads) / len(heads)
    warnings = []
    if len(months_seen) < 3:
        warnings.append(f"costs cover {len(months_seen)} of the period's 3 months")
    return PeriodValue(
        period=w.name,
        start=w.start,
        end=w.end,
        value=per_month / average,
        numerator=per_month,
        denominator=average,
        breakdowns=breakdowns,
        excluded=_excluded(excluded),
        warnings=tuple(warnings),
        note=f"per month, {currency}",
    )


# ----------------------------------------------------------------------------- pillar data


def pr_merge_days(prs: Sequence[PullRequest]) -> tuple[list[float], Counter[str]]:
    excluded: Counter[str] = Counter()
    values: list[float] = []
    for pr in prs:
        if pr.is_bot:
            excluded["opened by a bot"] += 1
            continue
        assert pr.merged_at is not None
        start = pr.ready_at or pr.created_at
        seconds = (pr.merged_at - start).total_seconds()
        if seconds < 0:
            excluded["ends before it starts"] += 1
            continue
        values.append(seconds / DAY)
    return values, excluded


def run_minutes(runs: Sequence[PipelineRun], kind: str) -> list[float]:
    values = []
    for run in runs:
        if run.kind != kind or run.conclusion != "success":
            continue
        duration = run.duration_s
        if duration is not None and duration >= 0:
            values.append(duration / 60.0)
    return values


def uptime_percent(
    w: Window, incidents: Sequence[Incident], severities: tuple[str, ...] = ("S1",)
) -> tuple[float, int] | None:
    """100 − the share of the window covered by the union of resolved outage incidents.

    An incident still open is left out rather than assumed down until the end of the
    window (incidents left open by mistake would otherwise erase a quarter's uptime).
    """
    spans = sorted(
        (max(i.created_at, w.start), min(i.resolved_at, w.end))
        for i in incidents
        if i.severity in severities
        and not i.duplicate
        and i.resolved_at is not None
        and i.created_at < w.end
        and i.resolved_at > w.start
    )
    down = 0.0
    current: list[datetime] | None = None
    for start, end in spans:
        if current is None or start > current[1]:
            if current is not None:
                down += (current[1] - current[0]).total_seconds()
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    if current is not None:
        down += (current[1] - current[0]).total_seconds()
    length = (w.end - w.start).total_seconds()
    return 100.0 * (1 - down / length), len(spans)


def empty_distribution() -> Distribution:
    return Distribution(n=0)
