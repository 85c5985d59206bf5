"""Downtime use cases: run probes, record results and signals, compute downtime and uptime,
open and resolve incidents from it, and send the notifications that are due."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from platform_maturity.domain.downtime import DowntimeSettings, escalation_chain
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.incidents import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Notification,
    NotificationEvent,
    UpdateKind,
)
from platform_maturity.domain.probes import (
    ProbeProblem,
    ProbeResult,
    ProbeSpec,
    Signal,
    SignalKind,
    load_probes,
)
from platform_maturity.domain.uptime import Uptime
from platform_maturity.engine.downtime.incidents import (
    notifications_due,
    opening_updates,
    plan_incidents,
)
from platform_maturity.engine.downtime.intervals import (
    Downtime,
    Thresholds,
    compute_downtime,
    flows_down,
)
from platform_maturity.engine.downtime.uptime import configured_system_uptime, uptime
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import downtime_queries as queries
from platform_maturity.store.db import Database

SYSTEM = "maturity"
LOOKBACK = timedelta(days=2)  # results read to decide what is down now
RESOLVED_NOTICE_WINDOW = timedelta(days=1)  # resolved incidents still owed a message


def settings_of(workspace: Workspace) -> DowntimeSettings:
    return workspace.config.downtime


def thresholds_of(settings: DowntimeSettings) -> Thresholds:
    return Thresholds(
        failures=settings.failure_threshold,
        successes=settings.success_threshold,
        runtime=settings.runtime_threshold,
        user_reports=settings.user_report_threshold,
        window=timedelta(minutes=settings.runtime_window_minutes),
    )


def uptime_target(workspace: Workspace) -> float:
    settings = settings_of(workspace)
    if settings.uptime_target_percent is not None:
        return settings.uptime_target_percent
    policy = workspace.framework.measures.get("downtime")
    if isinstance(policy, dict) and isinstance(policy.get("uptime_target_percent"), int | float):
        return float(policy["uptime_target_percent"])
    return 99.9


def probes_of(
    workspace: Workspace, names: Sequence[str] = ()
) -> tuple[list[ProbeSpec], list[ProbeProblem]]:
    """The workspace's probes (only ``names`` when given) and the ones that cannot run."""
    probes, problems = load_probes(settings_of(workspace))
    if names:
        known = {p.name for p in probes} | {p.name for p in problems}
        for name in names:
            if name not in known:
                raise UserError(
                    "no probe with this name",
                    field="NAME",
                    value=name,
                    hint="'maturity probe list' shows them; probes are under downtime.probes in"
                    f" {workspace.config_path}.",
                )
        probes = [p for p in probes if p.name in names]
        problems = [p for p in problems if p.name in names]
    return probes, problems


def coverage_of(
    workspace: Workspace,
) -> tuple[DowntimeSettings, dict[tuple[str, str], tuple[str, ...]]]:
    """Each critical flow's detection methods (declared, or given by a working probe)."""
    from platform_maturity.engine.downtime.evidence import flow_coverage

    settings = settings_of(workspace)
    probes, _ = load_probes(settings)
    return settings, {
        (c.component, c.flow): tuple(m.value for m in c.methods)
        for c in flow_coverage(settings, probes)
    }


def budgets_of(settings: DowntimeSettings, probes: Sequence[ProbeSpec]) -> dict[str, int | None]:
    """Each probe's latency budget: its flow's, when it watches a flow."""
    budgets: dict[str, int | None] = {}
    for probe in probes:
        component = settings.component(str(probe.component)) if probe.component else None
        flow = component.flow(probe.flow) if component and probe.flow else None
        budgets[probe.name] = flow.latency_budget_ms if flow else None
    return budgets


def run_once(
    workspace: Workspace,
    probes: Sequence[ProbeSpec],
    clock: Callable[[], datetime] | None = None,
) -> list[ProbeResult]:
    """Run the probes once, concurrently, and return their results (nothing is stored).
    ``clock`` stamps the results (default: the current time)."""
    from platform_maturity.probes.runner import run_all, utc_now

    settings = settings_of(workspace)
    return asyncio.run(
        run_all(probes, budgets_of(settings, probes), settings.concurrency, clock or utc_now)
    )


def record_results(database: Database, results: Sequence[ProbeResult]) -> None:
    with database.transaction() as session:
        queries.add_results(session, results)


# ---- signals ----------------------------------------------------------------------------


def make_signal(
    workspace: Workspace,
    kind: SignalKind,
    target: str,
    at: datetime,
    source: str,
    message: str,
    field: str = "TARGET",
) -> Signal:
    """``component`` or ``component/flow`` of this workspace → a signal."""
    settings = settings_of(workspace)
    component_id, _, flow_id = target.partition("/")
    component = settings.component(component_id)
    if component is None:
        known = ", ".join(c.id for c in settings.components) or "none defined"
        raise UserError(
            "no such component",
            field=field,
            value=target,
            hint=f"Components: {known} (downtime.components in {workspace.config_path}).",
        )
    if flow_id and component.flow(flow_id) is None:
        known = ", ".join(f.id for f in component.flows) or "none"
        raise UserError(
            f"component {component_id!r} has no such flow",
            field=field,
            value=target,
            hint=f"Its flows: {known}.",
        )
    return Signal(
        kind=kind,
        component=component_id,
        flow=flow_id or None,
        at=at,
        source=source,
        message=message,
    )


def record_signals(database: Database, signals: Sequence[Signal]) -> None:
    with database.transaction() as session:
        queries.add_signals(session, signals)


def parse_signal(workspace: Workspace, item: object, now: datetime) -> Signal:
    """One signal event (a JSON object) → a Signal; UserError naming the field otherwise."""
    if not isinstance(item, dict):
        raise UserError("an event is a JSON object")
    kind_text = str(item.get("kind", "runtime"))
    try:
        kind = SignalKind(kind_text)
    except ValueError:
        raise UserError(
            "unknown kind", field="kind", value=kind_text, hint="Use runtime or user-report."
        ) from None
    at = now
    if item.get("at") is not None:
        try:
            at = datetime.fromisoformat(str(item["at"]))
        except ValueError:
            raise UserError(
                "not a time",
                field="at",
                value=item["at"],
                hint="Use ISO 8601 with a zone, e.g. 2026-11-20T10:15:00Z.",
            ) from None
        if at.tzinfo is None:
            raise UserError(
                "the time has no zone", field="at", value=item["at"], hint="Add Z or +01:00."
            )
    if at > now:
        raise UserError("the time is in the future", field="at", value=item.get("at"))
    return make_signal(
        workspace,
        kind,
        str(item.get("target", "")),
        at,
        str(item.get("source", ""))[:200],
        str(item.get("message", ""))[:2000],
        field="target",
    )


def read_signal_file(workspace: Workspace, path: Path, now: datetime) -> list[Signal]:
    """JSON Lines (one event per line) or a JSON array of events:
    ``{"kind": "runtime", "target": "auth/password-login", "at": "...", "source": "...",
    "message": "..."}``. Every event is checked before any is stored."""
    import sys

    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    entries: list[tuple[int, object]] = []
    by_line = not text.lstrip().startswith("[")
    if not by_line:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UserError(f"not valid JSON: {exc}", file=str(path)) from None
        if not isinstance(data, list):
            raise UserError("expected a JSON array of events", file=str(path))
        entries = [(index + 1, item) for index, item in enumerate(data)]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    entries.append((number, json.loads(line)))
                except ValueError as exc:
                    raise UserError(
                        f"not valid JSON: {exc.args[0] if exc.args else exc}",
                        file=str(path),
                        line=number,
                        hint="Write one JSON object per line (JSON Lines).",
                    ) from None
    signals: list[Signal] = []
    for number, item in entries:
        try:
            signals.append(parse_signal(workspace, item, now))
        except UserError as exc:
            exc.file = str(path)
            if by_line:
                exc.line = number
            else:
                exc.message = f"entry {number}: {exc.message}"
            raise
    return signals


# ---- downtime and incidents ------------------------------------------------------------


def load_downtime(
    session: Session, workspace: Workspace, since: datetime, now: datetime
) -> Downtime:
    return compute_downtime(
        queries.list_results(session, since=since, until=now),
        queries.list_signals(session, since=since),
        thresholds_of(settings_of(workspace)),
        now,
    )


@dataclass(frozen=True)
class SyncOutcome:
    opened: list[Incident]
    resolved: list[Incident]


def sync_incidents(workspace: Workspace, database: Database, now: datetime) -> SyncOutcome:
    """Open an incident for every component that is down without one; resolve automatic
    incidents of components that are up again. One transaction."""
    settings = settings_of(workspace)
    components = {c.id: c for c in settings.components}
    opened: list[Incident] = []
    resolved: list[Incident] = []
    with database.transaction() as session:
        open_incidents = queries.list_incidents(session, open_only=True)
        since = min([now - LOOKBACK, *(i.started - timedelta(hours=1) for i in open_incidents)])
        recent = queries.list_incidents(session, since=since)
        downtime = load_downtime(session, workspace, since, now)
        open_intervals = downtime.open_intervals()
        closed = [
            i
            for intervals in downtime.components.values()
            for i in intervals
            if i.ended is not None and i.ended >= since
        ]
        flows_of = {
            (i.component, i.started): flows_down(downtime, i, now)
            for i in [*open_intervals, *closed]
        }
        plan = plan_incidents(open_intervals, closed, recent, components, flows_of, now)
        for opening in plan.open:
            interval = opening.interval
            component = components.get(interval.component)
            name = component.shown_name if component else interval.component
            updates = opening_updates(interval, name)
            if interval.ended is not None:
                minutes = (interval.ended - interval.started).total_seconds() / 60
                updates += [
                    IncidentUpdate(
                        at=interval.ended,
                        kind=UpdateKind.RESOLVED,
                        message=f"Over before anyone was told; down for {minutes:.0f} min.",
                        status=IncidentStatus.RESOLVED,
                    ),
                    IncidentUpdate(
                        at=interval.ended,
                        kind=UpdateKind.UPDATE,
                        message=f"{name} is working normally again.",
                        public=True,
                        status=IncidentStatus.RESOLVED,
                    ),
                ]
            incident = Incident(
                title=opening.title,
                component=interval.component,
                flows=opening.flows,
                severity=opening.severity,
                status=IncidentStatus.RESOLVED if interval.ended else IncidentStatus.INVESTIGATING,
                started=interval.started,
                detected=interval.detected,
                mitigated=interval.ended,
                resolved=interval.ended,
                method=interval.method,
                updates=tuple(updates),
            )
            new_id = queries.add_incident(session, incident, SYSTEM, now)
            stored = incident.model_copy(update={"id": new_id})
            opened.append(stored)  # also downtime that is over already
        by_id = {i.id: i for i in open_incidents}
        for resolution in plan.resolve:
            before = by_id[resolution.incident_id]
            after = before.model_copy(
                update={
                    "resolved": resolution.at,
                    "mitigated": before.mitigated or resolution.at,
                    "status": IncidentStatus.RESOLVED,
                }
            )
            queries.save_incident(session, before, after, SYSTEM, now)
            component = components.get(before.component)
            name = component.shown_name if component else before.component
            minutes = after.minutes(now)
            queries.add_update(
                session,
                resolution.incident_id,
                IncidentUpdate(
                    at=resolution.at,
                    kind=UpdateKind.RESOLVED,
                    message=f"Every probe passes again; down for {minutes:.0f} min.",
                    status=IncidentStatus.RESOLVED,
                ),
            )
            queries.add_update(
                session,
                resolution.incident_id,
                IncidentUpdate(
                    at=resolution.at,
                    kind=UpdateKind.UPDATE,
                    message=f"{name} is working normally again.",
                    public=True,
                    status=IncidentStatus.RESOLVED,
                ),
            )
            resolved.append(after)
    return SyncOutcome(opened=opened, resolved=resolved)


async def notify_due(
    workspace: Workspace, database: Database, now: datetime, env: Mapping[str, str]
) -> list[Notification]:
    """Send what is due (start, escalation, resolution) and record each outcome."""
    from platform_maturity.probes.notify import send

    settings = settings_of(workspace)
    with database.transaction() as session:
        incidents = queries.list_incidents(session, since=now - RESOLVED_NOTICE_WINDOW)
        sent = queries.list_notifications(session, [i.id for i in incidents if i.id is not None])
    work = []
    for incident in incidents:
        component = settings.component(incident.component)
        chain = escalation_chain(component) if component else []
        for due in notifications_due(
            incident, chain, sent, now, settings.notifications.notify_on_resolve
        ):
            work.append((incident, due))
    if not work:
        return []
    batches = await asyncio.gather(
        *(
            send(settings, incident, due.event, due.level, due.targets, now, env)
            for incident, due in work
        )
    )
    outcomes = [n for batch in batches for n in batch]
    record_notifications(database, outcomes, now)
    return outcomes


def send_due_notifications(
    workspace: Workspace, database: Database, now: datetime, env: Mapping[str, str]
) -> list[Notification]:
    return asyncio.run(notify_due(workspace, database, now, env))


def record_notifications(
    database: Database, outcomes: Sequence[Notification], now: datetime
) -> None:
    with database.transaction() as session:
        queries.add_notifications(session, outcomes)
        for n in outcomes:
            kind = (
                UpdateKind.ESCALATED
                if n.event is NotificationEvent.ESCALATED
                else UpdateKind.NOTIFIED
            )
            what = {"started": "told", "escalated": "escalated to", "resolved": "told it is over"}
            queries.add_update(
                session,
                n.incident_id,
                IncidentUpdate(
                    at=n.at,
                    kind=kind,
                    message=f"{what[n.event.value].capitalize()} {n.target}"
                    + ("" if n.ok else f" — failed: {n.error}"),
                ),
            )


# ---- uptime -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UptimeReport:
    start: datetime
    end: datetime
    components: list[Uptime]
    system: Uptime


def uptime_report(
    workspace: Workspace, database: Database, now: datetime, days: int = 30
) -> UptimeReport:
    settings = settings_of(workspace)
    start = now - timedelta(days=days)
    target = uptime_target(workspace)
    with database.transaction() as session:
        downtime = load_downtime(session, workspace, start - LOOKBACK, now)
        first = queries.monitored_since(session)
    rows = [
        uptime(
            downtime.components.get(c.id, []),
            start,
            now,
            now,
            first.get(c.id),
            target,
            c.id,
        )
        for c in settings.components
    ]
    system = configured_system_uptime(settings.components, downtime, first, start, now, target)
    return UptimeReport(start=start, end=now, components=rows, system=system)
