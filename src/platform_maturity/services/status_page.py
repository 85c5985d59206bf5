"""``maturity status build``: the status page's view models from the store, and the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from platform_maturity.domain.incidents import Incident, UpdateKind
from platform_maturity.engine.downtime.evidence import flow_coverage
from platform_maturity.engine.downtime.intervals import flows_down
from platform_maturity.engine.downtime.uptime import configured_system_uptime, day_bars, uptime
from platform_maturity.reports.status_view import (
    BarView,
    ComponentView,
    FlowView,
    IncidentView,
    StatusPageView,
    UpdateView,
)
from platform_maturity.services.downtime import (
    LOOKBACK,
    load_downtime,
    probes_of,
    settings_of,
    uptime_target,
)
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import downtime_queries as queries
from platform_maturity.store.db import Database

VARIANTS = ("internal", "public")
SHOWN_UPDATES = frozenset(UpdateKind) - {UpdateKind.NOTIFIED}
PAST_DAYS = 14  # resolved incidents listed under "past incidents"


def _incident_view(incident: Incident, name: str, internal: bool, now: datetime) -> IncidentView:
    updates = [
        UpdateView(
            at=u.at,
            status=u.status.value if u.status else None,
            message=u.message,
            public=u.public,
            author=u.author if internal else None,
        )
        for u in sorted(incident.updates, key=lambda u: u.at, reverse=True)
        if (u.public or internal) and u.kind in SHOWN_UPDATES
    ]
    return IncidentView(
        key=incident.key if internal else None,
        title=incident.title if internal else f"{name}: {incident.status.value}",
        component=name,
        status=incident.status.value,
        severity=incident.severity.value.upper() if internal else None,
        started=incident.started,
        resolved=incident.resolved,
        minutes=round(incident.minutes(now), 1),
        method=(incident.method.label if incident.method else None) if internal else None,
        acknowledged_by=incident.acknowledged_by if internal else None,
        updates=updates,
    )


def status_views(
    workspace: Workspace, database: Database, now: datetime
) -> dict[str, StatusPageView]:
    """Both variants of the status page, as of ``now``."""
    settings = settings_of(workspace)
    days = settings.status_page.days
    start = now - timedelta(days=days)
    target = uptime_target(workspace)
    with database.transaction() as session:
        downtime = load_downtime(session, workspace, start - LOOKBACK, now)
        first = queries.monitored_since(session)
        incidents = queries.list_incidents(session, since=now - timedelta(days=PAST_DAYS))
    probes, _ = probes_of(workspace)
    coverage = {(c.component, c.flow): c for c in flow_coverage(settings, probes)}
    open_by_component = {i.component for i in incidents if i.open}
    views: dict[str, StatusPageView] = {}
    for variant in VARIANTS:
        internal = variant == "internal"
        components: list[ComponentView] = []
        for component in settings.components:
            intervals = downtime.components.get(component.id, [])
            current = next((i for i in intervals if i.ended is None), None)
            down_flows = flows_down(downtime, current, now) if current else ()
            if current is not None:
                whole = not component.flows or set(down_flows) >= {f.id for f in component.flows}
                state = "major" if whole else "partial"
            elif component.id in open_by_component:
                state = "degraded"
            elif component.id not in first:
                state = "unknown"
            else:
                state = "operational"
            monitored = first.get(component.id)
            up = uptime(intervals, start, now, now, monitored, target, component.id)
            bars = [
                BarView(
                    day=b.day, state=b.state, percent=b.uptime_percent, minutes_down=b.minutes_down
                )
                for b in day_bars(intervals, days, now, monitored)
            ]
            flows = [
                FlowView(
                    name=f.name,
                    budget_ms=f.latency_budget_ms,
                    methods=[m.label for m in coverage[(component.id, f.id)].methods],
                    down=f.id in down_flows,
                )
                for f in component.flows
            ]
            components.append(
                ComponentView(
                    id=component.id,
                    name=component.name if internal else component.shown_name,
                    state=state,
                    uptime_percent=up.percent,
                    bars=bars,
                    owner=component.owner if internal else None,
                    flows=flows if internal else [],
                    down_since=current.started if current else None,
                )
            )
        names = {c.id: (c.name if internal else c.shown_name) for c in settings.components}
        active = [
            _incident_view(i, names.get(i.component, i.component), internal, now)
            for i in sorted(incidents, key=lambda i: i.started, reverse=True)
            if i.open
        ]
        past = [
            _incident_view(i, names.get(i.component, i.component), internal, now)
            for i in sorted(incidents, key=lambda i: i.started, reverse=True)
            if not i.open
        ]
        states = {c.state for c in components}
        overall = next(
            (s for s in ("major", "partial", "degraded") if s in states),
            "operational" if states - {"unknown"} else "unknown",
        )
        system = configured_system_uptime(settings.components, downtime, first, start, now, target)
        title = settings.status_page.title or f"{workspace.config.organization.name} status"
        views[variant] = StatusPageView(
            title=title if not internal else f"{title} (internal)",
            variant=variant,
            generated=now,
            days=days,
            state=overall,
            target_percent=target,
            system_uptime_percent=system.percent,
            components=components,
            active=active,
            past=past,
            public_url=settings.status_page.public_url,
        )
    return views


def build_status_pages(
    workspace: Workspace,
    database: Database,
    now: datetime,
    out: Path,
    variants: tuple[str, ...] = VARIANTS,
) -> dict[str, Path]:
    """Write ``index.html`` (public) and ``internal.html`` under ``out``."""
    from platform_maturity.reports.status_page import render_status_html

    views = status_views(workspace, database, now)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for variant in variants:
        path = out / ("index.html" if variant == "public" else "internal.html")
        path.write_text(render_status_html(views[variant]), encoding="utf-8")
        written[variant] = path
    return written
