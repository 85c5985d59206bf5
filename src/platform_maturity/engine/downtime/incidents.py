"""Incidents from downtime, escalation along a component's chain, and what an incident cost.

Everything here is pure: the watcher asks what to do given the intervals, the incidents
and the notifications already sent, and does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from platform_maturity.domain.downtime import ComponentConfig, EscalationLevel
from platform_maturity.domain.incidents import (
    Incident,
    IncidentRecord,
    IncidentStatus,
    IncidentUpdate,
    Interval,
    Notification,
    NotificationEvent,
    Severity,
    UpdateKind,
)


def severity_of(component: ComponentConfig | None, flows: Sequence[str]) -> Severity:
    """SEV1 when every critical flow is down (or the component as a whole), else SEV2."""
    if component is None or not component.flows or not flows:
        return Severity.SEV1
    return Severity.SEV1 if set(flows) >= {f.id for f in component.flows} else Severity.SEV2


def title_of(component: ComponentConfig | None, component_id: str, flows: Sequence[str]) -> str:
    name = component.name if component else component_id
    if component is None or not flows or set(flows) >= {f.id for f in component.flows}:
        return f"{name} is down"
    names = [component.flow_name(f) for f in flows]
    return f"{name}: {'; '.join(names)} failing"


@dataclass(frozen=True)
class Opening:
    """An incident to open for an interval that has none."""

    interval: Interval
    flows: tuple[str, ...]
    severity: Severity
    title: str


@dataclass(frozen=True)
class Resolution:
    incident_id: int
    at: datetime


@dataclass(frozen=True)
class IncidentPlan:
    open: list[Opening]
    resolve: list[Resolution]


def plan_incidents(
    open_intervals: Iterable[Interval],
    closed_since: Iterable[Interval],
    incidents: Iterable[Incident],
    components: dict[str, ComponentConfig],
    flows_of: dict[tuple[str, datetime], tuple[str, ...]],
    now: datetime | None = None,
) -> IncidentPlan:
    """What to open and what to resolve.

    - A component down (an open interval) without an open incident gets one.
    - Downtime that began and ended between two looks (``closed_since``) and that no
      incident of its component covers gets one too, resolved at once.
    - Automatic incidents of components that are up again are resolved at the end of
      their last interval; incidents declared by hand are left to people.

    ``flows_of`` maps (component, interval start) to the flows down in that interval.
    """
    recent = list(incidents)
    open_by_component: dict[str, Incident] = {}
    for incident in recent:
        if incident.open:
            current = open_by_component.get(incident.component)
            if current is None or (incident.automatic and not current.automatic):
                open_by_component[incident.component] = incident
    down = {i.component: i for i in open_intervals}
    openings: list[Opening] = []

    def opening(interval: Interval) -> Opening:
        flows = flows_of.get((interval.component, interval.started), ())
        component = components.get(interval.component)
        return Opening(
            interval=interval,
            flows=flows,
            severity=severity_of(component, flows),
            title=title_of(component, interval.component, flows),
        )

    for component_id, interval in sorted(down.items()):
        if component_id not in open_by_component:
            openings.append(opening(interval))
    ended: dict[str, datetime] = {}
    for interval in sorted(closed_since, key=lambda i: i.started):
        if interval.ended is None:
            continue
        previous = ended.get(interval.component)
        ended[interval.component] = max(previous, interval.ended) if previous else interval.ended
        covered = any(
            i.component == interval.component
            and i.started <= interval.ended
            and (i.resolved is None or i.resolved >= interval.started)
            for i in recent
        )
        if not covered and interval.component not in down:
            openings.append(opening(interval))
    resolutions = [
        Resolution(
            incident_id=incident.id,
            at=max(ended.get(component_id, now or incident.started), incident.started),
        )
        for component_id, incident in sorted(open_by_component.items())
        if incident.automatic and component_id not in down and incident.id is not None
    ]
    return IncidentPlan(open=openings, resolve=resolutions)


@dataclass(frozen=True)
class Due:
    """Notifications to send now: one per target of one escalation level."""

    incident_id: int
    event: NotificationEvent
    level: int
    targets: tuple[str, ...]


def notifications_due(
    incident: Incident,
    chain: Sequence[EscalationLevel],
    sent: Iterable[Notification],
    now: datetime,
    notify_on_resolve: bool = True,
) -> list[Due]:
    """What to send about ``incident`` at ``now``.

    Level 0 is told when the incident starts; each later level when nobody acknowledged
    within its ``after_minutes`` of detection. On resolution, every target told before
    hears that it is over (once). Nothing is sent twice: a failed send is not retried here
    (the failure is recorded and shown).
    """
    if incident.id is None:
        return []
    done = {(n.event, n.level, n.target) for n in sent if n.incident_id == incident.id}
    due: list[Due] = []
    if incident.open:
        for level, step in enumerate(chain):
            if level > 0 and incident.acknowledged is not None:
                break
            if incident.detected + timedelta(minutes=step.after_minutes) > now:
                break
            event = NotificationEvent.STARTED if level == 0 else NotificationEvent.ESCALATED
            targets = tuple(t for t in step.notify if (event, level, t) not in done)
            if targets:
                due.append(Due(incident.id, event, level, targets))
        return due
    if not notify_on_resolve:
        return []
    told = {
        (n.level, n.target)
        for n in sent
        if n.incident_id == incident.id and n.event is not NotificationEvent.RESOLVED
    }
    resolved_told = {
        n.target
        for n in sent
        if n.incident_id == incident.id and n.event is NotificationEvent.RESOLVED
    }
    if not told and chain:  # over before anybody was told: the first level hears of it
        told = {(0, t) for t in chain[0].notify}
    targets = tuple(dict.fromkeys(t for _, t in sorted(told) if t not in resolved_told))
    return [Due(incident.id, NotificationEvent.RESOLVED, 0, targets)] if targets else []


@dataclass(frozen=True)
class IncidentCost:
    """The money figure of an incident: lost revenue plus responders' time."""

    minutes: float
    revenue_per_minute: float
    affected_share: float  # of the component's revenue the affected flows carry
    lost_revenue: float
    responder_hours: float
    responder_rate: float
    response_cost: float

    @property
    def total(self) -> float:
        return round(self.lost_revenue + self.response_cost, 2)


def incident_cost(
    incident: Incident,
    component: ComponentConfig | None,
    responder_rate: float,
    now: datetime,
    responders: int = 1,
    responder_hours: float | None = None,
    affected_share: float | None = None,
) -> IncidentCost:
    """Lost revenue = revenue per minute × minutes down × share of the revenue affected
    (the affected flows' share, 1 when the whole component was down); responder time =
    ``responder_hours`` or ``responders`` × hours from detection to resolution."""
    minutes = round(incident.minutes(now), 2)
    per_minute = (component.revenue_per_minute or 0.0) if component else 0.0
    if affected_share is None:
        affected_share = 1.0
        if component is not None and incident.flows and component.flows:
            shares = [f.revenue_share for f in component.flows if f.id in incident.flows]
            affected_share = min(1.0, sum(shares)) if shares else 1.0
    lost = round(per_minute * minutes * affected_share, 2)
    if responder_hours is None:
        end = incident.resolved or now
        responder_hours = round(
            responders * max((end - incident.detected).total_seconds(), 0) / 3600.0, 2
        )
    return IncidentCost(
        minutes=minutes,
        revenue_per_minute=per_minute,
        affected_share=round(affected_share, 4),
        lost_revenue=lost,
        responder_hours=responder_hours,
        responder_rate=responder_rate,
        response_cost=round(responder_hours * responder_rate, 2),
    )


def kpi_records(incidents: Iterable[Incident]) -> list[IncidentRecord]:
    """Incidents as plain records for the KPI engine (mean time to detect and respond)."""
    return [
        IncidentRecord(
            id=incident.key,
            component=incident.component,
            severity=incident.severity.value,
            started=incident.started,
            detected=incident.detected,
            acknowledged=incident.acknowledged,
            mitigated=incident.mitigated,
            resolved=incident.resolved,
            detection_method=incident.method.value if incident.method else None,
        )
        for incident in sorted(incidents, key=lambda i: (i.started, i.id or 0))
        if incident.id is not None
    ]


def opening_updates(interval: Interval, name: str) -> list[IncidentUpdate]:
    """The first timeline entries of an incident opened from downtime: what detected it
    (internal) and the public notice naming the component as users know it."""
    return [
        IncidentUpdate(
            at=interval.detected,
            kind=UpdateKind.DETECTED,
            message=f"Detected by {interval.method.label}: {interval.reason}",
            status=IncidentStatus.INVESTIGATING,
        ),
        IncidentUpdate(
            at=interval.detected,
            kind=UpdateKind.UPDATE,
            message=f"We are investigating problems with {name}.",
            public=True,
            status=IncidentStatus.INVESTIGATING,
        ),
    ]
