"""Incidents by hand: open, acknowledge, post updates, mitigate, resolve; and postmortems.

Incident postmortems are the generic postmortem record (subject kind ``incident``) with the
incident fields filled in: impact, detection, the timeline and the money figure (lost
revenue from the component's revenue per minute, plus responder hours × rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from platform_maturity.domain.downtime import Method
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.incidents import (
    Incident,
    IncidentRecord,
    IncidentStatus,
    IncidentUpdate,
    Notification,
    Severity,
    UpdateKind,
)
from platform_maturity.domain.postmortems import (
    ActionItem,
    IncidentImpact,
    Money,
    Postmortem,
    TimelineEntry,
    resolve_gaps,
)
from platform_maturity.engine.downtime.incidents import IncidentCost, incident_cost, kpi_records
from platform_maturity.services.downtime import settings_of
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import downtime_queries as queries
from platform_maturity.store import postmortem_queries
from platform_maturity.store.db import Database

SUBJECT_KIND = "incident"


def parse_incident_id(text: str, field: str = "INCIDENT") -> int:
    number = text.strip().upper().removeprefix("INC-")
    if not number.isdigit():
        raise UserError("not an incident id", field=field, value=text, hint="Use INC-3 or 3.")
    return int(number)


def get_incident(database: Database, ref: str) -> Incident:
    with database.transaction() as session:
        incident = queries.get_incident(session, parse_incident_id(ref))
    if incident is None:
        raise UserError(
            "no incident with this id",
            field="INCIDENT",
            value=ref,
            hint="'maturity incident list --all' lists them.",
        )
    return incident


def list_incidents(database: Database, everything: bool) -> list[Incident]:
    with database.transaction() as session:
        return queries.list_incidents(session, open_only=not everything)


def incident_records(database: Database) -> list[IncidentRecord]:
    """Every incident as a plain record for the KPI engine."""
    with database.transaction() as session:
        return kpi_records(queries.list_incidents(session))


def notifications_of(database: Database, incident_id: int) -> list[Notification]:
    with database.transaction() as session:
        return queries.list_notifications(session, [incident_id])


def open_incident(
    workspace: Workspace,
    database: Database,
    component_id: str,
    title: str,
    *,
    severity: str,
    flows: list[str],
    started: datetime | None,
    method: str | None,
    message: str | None,
    actor: str,
    now: datetime,
) -> Incident:
    """Declare an incident by hand (e.g. from a user report)."""
    settings = settings_of(workspace)
    component = settings.component(component_id)
    if component is None:
        known = ", ".join(c.id for c in settings.components) or "none defined"
        raise UserError(
            "no such component",
            field="--component",
            value=component_id,
            hint=f"Components: {known}.",
        )
    for flow in flows:
        if component.flow(flow) is None:
            raise UserError(
                f"component {component_id!r} has no such flow", field="--flow", value=flow
            )
    try:
        sev = Severity(severity.lower())
    except ValueError:
        raise UserError(
            "unknown severity", field="--severity", value=severity, hint="Use sev1, sev2 or sev3."
        ) from None
    detection: Method | None = None
    if method:
        try:
            detection = Method(method)
        except ValueError:
            raise UserError(
                "unknown detection method",
                field="--detected-by",
                value=method,
                hint="Use " + ", ".join(m.value for m in Method) + ".",
            ) from None
    start = started or now
    if start > now:
        raise UserError("the start is in the future", field="--started", value=start.isoformat())
    updates = [
        IncidentUpdate(
            at=now,
            kind=UpdateKind.DETECTED,
            message=f"Declared by {actor}" + (f": {message}" if message else ""),
            status=IncidentStatus.INVESTIGATING,
            author=actor,
        )
    ]
    incident = Incident(
        title=title,
        component=component.id,
        flows=tuple(flows),
        severity=sev,
        automatic=False,
        started=start,
        detected=now,
        method=detection,
        updates=tuple(updates),
    )
    with database.transaction() as session:
        new_id = queries.add_incident(session, incident, actor, now)
    return incident.model_copy(update={"id": new_id})


def _change(
    database: Database,
    ref: str,
    actor: str,
    now: datetime,
    change: str,
    message: str | None,
    public: bool,
) -> Incident:
    before = get_incident(database, ref)
    updates: dict[str, object] = {}
    if change == "ack":
        if before.acknowledged is not None:
            raise UserError(
                f"already acknowledged by {before.acknowledged_by}"
                f" at {before.acknowledged:%Y-%m-%d %H:%M} UTC",
                field="INCIDENT",
                value=ref,
            )
        updates = {"acknowledged": now, "acknowledged_by": actor}
        kind, status, text = UpdateKind.ACKNOWLEDGED, None, f"Acknowledged by {actor}"
    elif change == "mitigate":
        if before.mitigated is not None:
            raise UserError("already mitigated", field="INCIDENT", value=ref)
        updates = {"mitigated": now, "status": IncidentStatus.MONITORING}
        if before.acknowledged is None:
            updates |= {"acknowledged": now, "acknowledged_by": actor}
        kind, status, text = UpdateKind.MITIGATED, IncidentStatus.MONITORING, "Mitigated"
    elif change == "resolve":
        if before.resolved is not None:
            raise UserError("already resolved", field="INCIDENT", value=ref)
        updates = {
            "resolved": now,
            "mitigated": before.mitigated or now,
            "status": IncidentStatus.RESOLVED,
        }
        if before.acknowledged is None:
            updates |= {"acknowledged": now, "acknowledged_by": actor}
        kind, status, text = UpdateKind.RESOLVED, IncidentStatus.RESOLVED, "Resolved"
    else:
        kind, status, text = UpdateKind.UPDATE, None, ""
    if change != "update" and before.resolved is not None and change != "resolve":
        raise UserError("the incident is resolved already", field="INCIDENT", value=ref)
    after = before.model_copy(update=updates)
    with database.transaction() as session:
        queries.save_incident(session, before, after, actor, now)
        full = text + (f": {message}" if message and text else message or "")
        queries.add_update(
            session,
            int(before.id or 0),
            IncidentUpdate(
                at=now,
                kind=kind,
                message=full or text,
                public=public,
                status=status or after.status,
                author=actor,
            ),
        )
        refreshed = queries.get_incident(session, int(before.id or 0))
    assert refreshed is not None
    return refreshed


def acknowledge(
    database: Database, ref: str, actor: str, now: datetime, message: str | None
) -> Incident:
    """Stop the escalation: somebody has it."""
    return _change(database, ref, actor, now, "ack", message, public=False)


def post_update(
    database: Database,
    ref: str,
    message: str,
    *,
    public: bool,
    status: str | None,
    actor: str,
    now: datetime,
) -> Incident:
    """A manual update, internal or shown on the public status page; may move the status."""
    if not message.strip():
        raise UserError("an update needs a message", field="MESSAGE")
    before = get_incident(database, ref)
    new_status = before.status
    if status:
        try:
            new_status = IncidentStatus(status.lower())
        except ValueError:
            raise UserError(
                "unknown status",
                field="--status",
                value=status,
                hint="Use investigating, identified or monitoring ('incident resolve' resolves).",
            ) from None
        if new_status is IncidentStatus.RESOLVED:
            raise UserError(
                "resolve with 'maturity incident resolve'", field="--status", value=status
            )
    after = before.model_copy(update={"status": new_status})
    with database.transaction() as session:
        queries.save_incident(session, before, after, actor, now)
        queries.add_update(
            session,
            int(before.id or 0),
            IncidentUpdate(
                at=now,
                kind=UpdateKind.UPDATE,
                message=message.strip(),
                public=public,
                status=new_status,
                author=actor,
            ),
        )
        refreshed = queries.get_incident(session, int(before.id or 0))
    assert refreshed is not None
    return refreshed


def mitigate(
    database: Database, ref: str, actor: str, now: datetime, message: str | None, public: bool
) -> Incident:
    return _change(database, ref, actor, now, "mitigate", message, public)


def resolve(
    database: Database, ref: str, actor: str, now: datetime, message: str | None, public: bool
) -> Incident:
    return _change(database, ref, actor, now, "resolve", message, public)


# ---- postmortems -----------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentPostmortem:
    incident: Incident
    postmortem: Postmortem
    cost: IncidentCost
    currency: str
    component_name: str
    flow_names: tuple[str, ...]
    owner: str | None


def cost_of(
    workspace: Workspace,
    incident: Incident,
    now: datetime,
    responders: int,
    responder_hours: float | None,
) -> IncidentCost:
    settings = settings_of(workspace)
    return incident_cost(
        incident,
        settings.component(incident.component),
        settings.responder_rate_per_hour,
        now,
        responders=responders,
        responder_hours=responder_hours,
    )


def write_postmortem(
    workspace: Workspace,
    database: Database,
    ref: str,
    *,
    summary: str,
    cause: str,
    gaps: list[str],
    actions: list[ActionItem],
    users_affected: int | None,
    detection_notes: str | None,
    responders: int,
    responder_hours: float | None,
    author: str,
    now: datetime,
) -> IncidentPostmortem:
    """Create (or replace) the postmortem of an incident; returns it with its money figure."""
    incident = get_incident(database, ref)
    if incident.resolved is None:
        raise UserError(
            "the incident is still open",
            field="INCIDENT",
            value=ref,
            hint="Resolve it first ('maturity incident resolve'), then write the postmortem.",
        )
    if responders < 1:
        raise UserError("at least one responder", field="--responders", value=responders)
    codes = resolve_gaps(workspace.framework, gaps)
    cost = cost_of(workspace, incident, now, responders, responder_hours)
    currency = workspace.config.organization.currency
    method = incident.method.label if incident.method else "not recorded"
    ttd = (incident.detected - incident.started).total_seconds() / 60.0
    detection = f"First detected by {method} {ttd:.0f} min after it started."
    if detection_notes:
        detection += " " + detection_notes.strip()
    impact = IncidentImpact(
        users_affected=users_affected,
        minutes=cost.minutes,
        detection=detection,
        lost_revenue=cost.lost_revenue,
        responder_hours=cost.responder_hours,
        response_cost=cost.response_cost,
        timeline=tuple(
            TimelineEntry(at=u.at, text=f"{u.kind.value}: {u.message}")
            for u in incident.updates
            if u.kind is not UpdateKind.NOTIFIED
        ),
    )
    assert incident.id is not None
    with database.transaction() as session:
        existing = postmortem_queries.list_postmortems(
            session, subject_kind=SUBJECT_KIND, subject_id=str(incident.id)
        )
    try:
        pm = Postmortem(
            id=existing[0].id if existing else None,
            subject_kind=SUBJECT_KIND,
            subject_id=str(incident.id),
            summary=summary,
            proximate_cause=cause,
            platform_gaps=codes,
            cost=Money(amount=cost.total, currency=currency),
            action_items=tuple(actions),
            author=author,
            created_at=existing[0].created_at if existing else now,
            updated_at=now,
            impact=impact,
        )
    except ValueError as exc:
        raise UserError(f"the postmortem is incomplete: {exc}") from None
    with database.transaction() as session:
        if existing:
            postmortem_queries.replace_postmortem(session, existing[0], pm, author, now)
        else:
            pm = pm.model_copy(
                update={"id": postmortem_queries.add_postmortem(session, pm, author, now)}
            )
    settings = settings_of(workspace)
    component = settings.component(incident.component)
    return IncidentPostmortem(
        incident=incident,
        postmortem=pm,
        cost=cost,
        currency=currency,
        component_name=component.name if component else incident.component,
        flow_names=tuple(component.flow_name(f) for f in incident.flows)
        if component
        else incident.flows,
        owner=component.owner if component else None,
    )


def postmortem_of(
    workspace: Workspace, database: Database, ref: str, now: datetime
) -> IncidentPostmortem | None:
    incident = get_incident(database, ref)
    with database.transaction() as session:
        found = postmortem_queries.list_postmortems(
            session, subject_kind=SUBJECT_KIND, subject_id=str(incident.id)
        )
    if not found:
        return None
    pm = found[0]
    impact = pm.impact
    settings = settings_of(workspace)
    component = settings.component(incident.component)
    minutes = impact.minutes if impact else incident.minutes(now)
    per_minute = (component.revenue_per_minute or 0.0) if component else 0.0
    lost = impact.lost_revenue if impact else 0.0
    cost = IncidentCost(
        minutes=minutes,
        revenue_per_minute=per_minute,
        affected_share=round(lost / (per_minute * minutes), 4) if per_minute and minutes else 1.0,
        lost_revenue=impact.lost_revenue if impact else 0.0,
        responder_hours=impact.responder_hours if impact else 0.0,
        responder_rate=settings.responder_rate_per_hour,
        response_cost=impact.response_cost if impact else 0.0,
    )
    return IncidentPostmortem(
        incident=incident,
        postmortem=pm,
        cost=cost,
        currency=pm.cost.currency if pm.cost else workspace.config.organization.currency,
        component_name=component.name if component else incident.component,
        flow_names=tuple(component.flow_name(f) for f in incident.flows)
        if component
        else incident.flows,
        owner=component.owner if component else None,
    )


def write_postmortem_markdown(
    workspace: Workspace, document: IncidentPostmortem, path: Path
) -> Path:
    from platform_maturity.reports.incident_pages import render_postmortem_markdown

    statements = {}
    for code in document.postmortem.platform_gaps:
        try:
            statements[code] = " ".join(workspace.framework.goal(code).statement.split())
        except KeyError:
            statements[code] = ""
    path.parent.mkdir(parents=True, exist_ok=True)
    view = document_view(document, statements)
    path.write_text(render_postmortem_markdown(view), encoding="utf-8")
    return path


def document_view(
    document: IncidentPostmortem, statements: dict[str, str] | None = None
) -> dict[str, object]:
    """What the postmortem template shows (plain data); ``statements`` of the gap goals."""
    statements = statements or {}
    pm, incident, cost = document.postmortem, document.incident, document.cost
    impact = pm.impact
    return {
        "key": incident.key,
        "postmortem_key": f"PM-{pm.id}",
        "title": incident.title,
        "component": document.component_name,
        "flows": list(document.flow_names),
        "owner": document.owner,
        "severity": incident.severity.value.upper(),
        "started": incident.started,
        "detected": incident.detected,
        "acknowledged": incident.acknowledged,
        "mitigated": incident.mitigated,
        "resolved": incident.resolved,
        "method": incident.method.label if incident.method else None,
        "author": pm.author,
        "written": pm.updated_at,
        "summary": pm.summary,
        "cause": pm.proximate_cause,
        "gaps": [
            {"code": code, "statement": statements.get(code, "")} for code in pm.platform_gaps
        ],
        "actions": [a.model_dump() for a in pm.action_items],
        "users_affected": impact.users_affected if impact else None,
        "minutes": cost.minutes,
        "detection": impact.detection if impact else "",
        "timeline": [e.model_dump() for e in impact.timeline] if impact else [],
        "currency": document.currency,
        "revenue_per_minute": cost.revenue_per_minute,
        "affected_percent": f"{round(cost.affected_share * 100, 1):g}",
        "minutes_shown": f"{round(cost.minutes, 1):g}",
        "lost_revenue": cost.lost_revenue,
        "responder_hours": cost.responder_hours,
        "responder_rate": cost.responder_rate,
        "response_cost": cost.response_cost,
        "total": cost.total,
    }
