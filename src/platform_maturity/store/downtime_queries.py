"""Queries over probe results, signals, incidents and notifications.

Every function takes the session of the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from platform_maturity.domain.downtime import Method
from platform_maturity.domain.incidents import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Notification,
    NotificationEvent,
    Severity,
    UpdateKind,
)
from platform_maturity.domain.probes import ProbeResult, Signal, SignalKind
from platform_maturity.store.downtime import (
    IncidentRow,
    IncidentUpdateRow,
    NotificationRow,
    ProbeResultRow,
    SignalRow,
)
from platform_maturity.store.repo import audit

ENTITY = "incident"


# ---- probe results and signals ---------------------------------------------------------


def add_results(session: Session, results: Sequence[ProbeResult]) -> None:
    if not results:
        return
    session.execute(
        insert(ProbeResultRow),
        [
            {
                "probe": r.probe,
                "component": r.component,
                "flow": r.flow,
                "method": r.method.value,
                "at": r.at,
                "ok": r.ok,
                "duration_ms": r.duration_ms,
                "status": r.status[:200],
                "error": r.error,
                "details": "\n".join(r.details),
            }
            for r in results
        ],
    )


def _result(row: ProbeResultRow) -> ProbeResult:
    return ProbeResult(
        probe=row.probe,
        component=row.component,
        flow=row.flow,
        method=Method(row.method),
        at=row.at,
        ok=row.ok,
        duration_ms=row.duration_ms,
        status=row.status,
        error=row.error,
        details=tuple(line for line in row.details.split("\n") if line),
    )


def list_results(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    component: str | None = None,
) -> list[ProbeResult]:
    query = select(ProbeResultRow).order_by(ProbeResultRow.at, ProbeResultRow.id)
    if since is not None:
        query = query.where(ProbeResultRow.at >= since)
    if until is not None:
        query = query.where(ProbeResultRow.at <= until)
    if component is not None:
        query = query.where(ProbeResultRow.component == component)
    return [_result(row) for row in session.scalars(query)]


def latest_results(session: Session) -> dict[tuple[str, str], ProbeResult]:
    """The newest result of each (probe, component)."""
    newest = (
        select(func.max(ProbeResultRow.id))
        .group_by(ProbeResultRow.probe, ProbeResultRow.component)
        .scalar_subquery()
    )
    rows = session.scalars(select(ProbeResultRow).where(ProbeResultRow.id.in_(newest)))
    return {(r.probe, r.component): _result(r) for r in rows}


def monitored_since(session: Session) -> dict[str, datetime]:
    """The first result or signal of each component."""
    first: dict[str, datetime] = {}
    for table in (ProbeResultRow, SignalRow):
        for component, at in session.execute(
            select(table.component, func.min(table.at)).group_by(table.component)
        ):
            if at is not None and (component not in first or at < first[component]):
                first[component] = at
    return first


def add_signals(session: Session, signals: Sequence[Signal]) -> None:
    if not signals:
        return
    session.execute(
        insert(SignalRow),
        [
            {
                "kind": s.kind.value,
                "component": s.component,
                "flow": s.flow,
                "at": s.at,
                "source": s.source[:200],
                "message": s.message,
            }
            for s in signals
        ],
    )


def list_signals(session: Session, since: datetime | None = None) -> list[Signal]:
    query = select(SignalRow).order_by(SignalRow.at, SignalRow.id)
    if since is not None:
        query = query.where(SignalRow.at >= since)
    return [
        Signal(
            kind=SignalKind(r.kind),
            component=r.component,
            flow=r.flow,
            at=r.at,
            source=r.source,
            message=r.message,
        )
        for r in session.scalars(query)
    ]


# ---- incidents --------------------------------------------------------------------------


def _updates(session: Session, ids: Sequence[int]) -> dict[int, list[IncidentUpdate]]:
    result: dict[int, list[IncidentUpdate]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        for row in session.scalars(
            select(IncidentUpdateRow)
            .where(IncidentUpdateRow.incident_id.in_(ids[chunk : chunk + 500]))
            .order_by(IncidentUpdateRow.at, IncidentUpdateRow.id)
        ):
            result[row.incident_id].append(
                IncidentUpdate(
                    at=row.at,
                    kind=UpdateKind(row.kind),
                    message=row.message,
                    public=row.public,
                    status=IncidentStatus(row.status) if row.status else None,
                    author=row.author,
                )
            )
    return result


def _incidents(session: Session, rows: Sequence[IncidentRow]) -> list[Incident]:
    updates = _updates(session, [r.id for r in rows])
    return [
        Incident(
            id=r.id,
            title=r.title,
            component=r.component,
            flows=tuple(f for f in r.flows.split(",") if f),
            severity=Severity(r.severity),
            status=IncidentStatus(r.status),
            automatic=r.automatic,
            started=r.started,
            detected=r.detected,
            acknowledged=r.acknowledged,
            acknowledged_by=r.acknowledged_by,
            mitigated=r.mitigated,
            resolved=r.resolved,
            method=Method(r.method) if r.method else None,
            updates=tuple(updates[r.id]),
        )
        for r in rows
    ]


def list_incidents(
    session: Session, *, open_only: bool = False, since: datetime | None = None
) -> list[Incident]:
    query = select(IncidentRow).order_by(IncidentRow.started, IncidentRow.id)
    if open_only:
        query = query.where(IncidentRow.resolved.is_(None))
    if since is not None:
        query = query.where((IncidentRow.resolved.is_(None)) | (IncidentRow.resolved >= since))
    return _incidents(session, list(session.scalars(query)))


def get_incident(session: Session, incident_id: int) -> Incident | None:
    row = session.get(IncidentRow, incident_id)
    return _incidents(session, [row])[0] if row is not None else None


def add_incident(session: Session, incident: Incident, actor: str, now: datetime) -> int:
    row = IncidentRow(
        title=incident.title,
        component=incident.component,
        flows=",".join(incident.flows),
        severity=incident.severity.value,
        status=incident.status.value,
        automatic=incident.automatic,
        started=incident.started,
        detected=incident.detected,
        acknowledged=incident.acknowledged,
        acknowledged_by=incident.acknowledged_by,
        mitigated=incident.mitigated,
        resolved=incident.resolved,
        method=incident.method.value if incident.method else None,
    )
    session.add(row)
    session.flush()
    for update in incident.updates:
        add_update(session, row.id, update)
    audit(
        session,
        at=now,
        actor=actor,
        action="create",
        entity=ENTITY,
        key=f"INC-{row.id}",
        restricted=False,
        new=f"{incident.title} ({incident.severity.value}, {incident.component})",
    )
    return row.id


def add_update(session: Session, incident_id: int, update: IncidentUpdate) -> None:
    session.add(
        IncidentUpdateRow(
            incident_id=incident_id,
            at=update.at,
            kind=update.kind.value,
            status=update.status.value if update.status else None,
            message=update.message,
            public=update.public,
            author=update.author,
        )
    )


def save_incident(
    session: Session, before: Incident, after: Incident, actor: str, now: datetime
) -> None:
    """Store the changed fields of ``after`` (same id) and audit each one."""
    assert before.id is not None and before.id == after.id
    row = session.get(IncidentRow, before.id)
    assert row is not None
    fields = (
        "title",
        "severity",
        "status",
        "acknowledged",
        "acknowledged_by",
        "mitigated",
        "resolved",
        "flows",
    )
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        stored: object = ",".join(new) if name == "flows" else new
        if name in ("severity", "status"):
            stored = new.value
        setattr(row, name, stored)
        audit(
            session,
            at=now,
            actor=actor,
            action="update",
            entity=ENTITY,
            key=f"INC-{before.id}",
            restricted=False,
            field=name,
            old=old.value if hasattr(old, "value") else old,
            new=new.value if hasattr(new, "value") else new,
        )


# ---- notifications ----------------------------------------------------------------------


def add_notifications(session: Session, notifications: Iterable[Notification]) -> None:
    for n in notifications:
        session.add(
            NotificationRow(
                incident_id=n.incident_id,
                event=n.event.value,
                level=n.level,
                target=n.target,
                at=n.at,
                ok=n.ok,
                error=n.error,
            )
        )


def list_notifications(
    session: Session, incident_ids: Sequence[int] | None = None
) -> list[Notification]:
    query = select(NotificationRow).order_by(NotificationRow.at, NotificationRow.id)
    if incident_ids is not None:
        query = query.where(NotificationRow.incident_id.in_(list(incident_ids)))
    return [
        Notification(
            incident_id=r.incident_id,
            event=NotificationEvent(r.event),
            level=r.level,
            target=r.target,
            at=r.at,
            ok=r.ok,
            error=r.error,
        )
        for r in session.scalars(query)
    ]
