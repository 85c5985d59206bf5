"""What downtime visibility gives the scorecard: goal evidence and metric values."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from platform_maturity.domain.probes import load_probes
from platform_maturity.domain.records import Measurement, Observation
from platform_maturity.engine.downtime.evidence import downtime_evidence
from platform_maturity.engine.downtime.uptime import configured_system_uptime
from platform_maturity.services.downtime import LOOKBACK, load_downtime, uptime_target
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import downtime_queries as queries
from platform_maturity.store import postmortem_queries

UPTIME_DAYS = 30


def scorecard_facts(
    session: Session, workspace: Workspace, now: datetime
) -> tuple[list[Observation], list[Measurement]]:
    """Coverage, ownership and escalation of components; uptime of the last 30 days;
    detection, acknowledgement and postmortems of the incidents — as of ``now``."""
    settings = workspace.config.downtime
    if not settings.components:
        return [], []
    probes, _ = load_probes(settings)
    incidents = [i for i in queries.list_incidents(session) if i.started <= now]
    written = frozenset(
        int(pm.subject_id)
        for pm in postmortem_queries.list_postmortems(session, subject_kind="incident")
        if pm.created_at <= now
    )
    start = now - timedelta(days=UPTIME_DAYS)
    downtime = load_downtime(session, workspace, start - LOOKBACK, now)
    first = queries.monitored_since(session)
    system = configured_system_uptime(
        settings.components, downtime, first, start, now, uptime_target(workspace)
    )
    return downtime_evidence(settings, probes, incidents, written, system, now)
