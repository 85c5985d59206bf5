"""Incidents this tool opened itself (from downtime) as the KPI engine's incident records.

The watcher's incidents (``domain.incidents``) and the ones imported from PagerDuty,
Opsgenie or a CSV meet here: both become ``domain.events.Incident``, so mean time to
respond and the deployment-based change failure rate see every incident once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from platform_maturity.domain.events import Incident
from platform_maturity.domain.incidents import IncidentRecord

SOURCE = "maturity"
SEVERITY = {"sev1": "S1", "sev2": "S2", "sev3": "S3"}


def native_incidents(
    records: Iterable[IncidentRecord], units: Mapping[str, str | None]
) -> list[Incident]:
    """``records`` (see ``engine.downtime.incidents.kpi_records``) for the KPI engine;
    ``units`` maps a component to the unit that owns it. Detection opens the clock."""
    return [
        Incident(
            source=SOURCE,
            source_id=r.id,
            title=f"{r.component} down",
            created_at=r.detected,
            severity=SEVERITY.get(r.severity, r.severity),
            service=r.component,
            status="resolved" if r.resolved else "open",
            acknowledged_at=r.acknowledged,
            resolved_at=r.resolved,
            unit=units.get(r.component),
        )
        for r in records
    ]
