"""PagerDuty REST: ``GET /incidents`` pages and ``GET /log_entries`` (or per-incident) pages.

Incidents become incidents: opened at ``created_at`` (the detection time), resolved at
``resolved_at`` (or ``last_status_change_at`` of a resolved incident), severity from the
priority (``priority.summary``, e.g. P1) or else the urgency. Log entries add the first
acknowledgement and the resolution of incidents imported before. (Merged incidents are not
recognized as duplicates yet: mark them in the generic incidents CSV if they matter.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_maturity.domain.events import Incident
from platform_maturity.importers.base import ImportBatch, ImportContext, IncidentTimes
from platform_maturity.importers.common import JsonPath, load_json

SOURCE = "pagerduty"


class PagerDutyImporter:
    kind = "pagerduty"
    title = "PagerDuty REST incidents and log entries JSON"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        j = JsonPath(str(path), context.timezone)
        payload = load_json(path)
        batch = ImportBatch()
        if isinstance(payload, dict) and "log_entries" in payload:
            _log_entries(j, payload, batch)
            return batch
        mapping = context.mapping
        for where, data in j.records(payload, ("incidents",)):
            batch.rows_read += 1
            incident_id = j.text(data, "id", where, required=True) or ""
            status = j.text(data, "status", where)
            priority = data.get("priority")
            severity_raw = None
            if isinstance(priority, dict):
                severity_raw = j.text(priority, "summary", f"{where}.priority") or j.text(
                    priority, "name", f"{where}.priority"
                )
            urgency = j.text(data, "urgency", where)
            severity = mapping.severity_of(severity_raw) or (
                {"high": "S1", "low": "S3"}.get(urgency or "") if urgency else None
            )
            service = data.get("service")
            service_name = (
                j.text(service, "summary", f"{where}.service")
                if isinstance(service, dict)
                else None
            )
            resolved = j.time(data, "resolved_at", where)
            if resolved is None and status == "resolved":
                resolved = j.time(data, "last_status_change_at", where)
            acknowledged = None
            acks = data.get("acknowledgements")
            if isinstance(acks, list):
                times = [
                    t
                    for i, a in enumerate(acks)
                    if isinstance(a, dict)
                    and (t := j.time(a, "at", f"{where}.acknowledgements[{i}]")) is not None
                ]
                acknowledged = min(times) if times else None
            batch.incidents.append(
                Incident(
                    source=SOURCE,
                    source_id=incident_id,
                    title=j.text(data, "title", where) or j.text(data, "summary", where) or "",
                    created_at=j.need_time(data, "created_at", where),
                    severity=severity,
                    service=service_name,
                    status=status,
                    acknowledged_at=acknowledged,
                    resolved_at=resolved,
                    unit=mapping.unit_of(service_name),
                )
            )
        return batch


def _log_entries(j: JsonPath, payload: dict[str, Any], batch: ImportBatch) -> None:
    acks: dict[str, Any] = {}
    resolves: dict[str, Any] = {}
    for where, entry in j.records(payload, ("log_entries",)):
        batch.rows_read += 1
        kind = j.text(entry, "type", where, required=True) or ""
        incident = entry.get("incident")
        if not isinstance(incident, dict) or not isinstance(incident.get("id"), str):
            j.fail(f"{where}.incident.id", "missing the incident it belongs to")
            return
        at = j.need_time(entry, "created_at", where)
        incident_id = incident["id"]
        if kind.startswith("acknowledge_log_entry"):
            if incident_id not in acks or at < acks[incident_id]:
                acks[incident_id] = at
        elif kind.startswith("resolve_log_entry"):
            if incident_id not in resolves or at > resolves[incident_id]:
                resolves[incident_id] = at
        else:
            batch.skip(f"log entry type not used for KPIs ({kind.removesuffix('_reference')})")
    for incident_id in sorted(set(acks) | set(resolves)):
        batch.incident_times.append(
            IncidentTimes(SOURCE, incident_id, acks.get(incident_id), resolves.get(incident_id))
        )
