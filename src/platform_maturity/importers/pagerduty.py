"""PagerDuty REST: ``GET /incidents`` pages and ``GET /log_entries`` (or per-incident) pages.

Incidents become incidents: opened at ``created_at`` (the detection time), resolved at
``resolved_at`` (or ``last_status_change_at`` of a resolved incident), severity from the
priority (``priority.summary``, e.g. P1) or else the urgency. Log entries add the first
acknowledgement and the resolution of incidents imported before.

Merged incidents are duplicates, left out of the time to respond and of uptime. An incident
resolved by a merge carries ``resolve_reason: {"type": "merge_resolve_reason", "incident":
{"id": ...}}`` naming the incident it was merged into. Log entries report merges two ways:
an entry whose embedded ``incident`` (``include[]=incidents``) carries that resolve reason,
and a ``merge_log_entry`` on the surviving incident listing the merged ones under
``source_incidents`` (the field of the merge request). Merges from log entries are kept
apart and applied when events are read, so log entries may be imported before or after
their incidents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_maturity.domain.events import Incident, IncidentMerge
from platform_maturity.importers.base import (
    ImportBatch,
    ImportContext,
    IncidentTimes,
)
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
            merged_into = _merged_into(j, data, where)
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
                    duplicate=merged_into is not None,
                    merged_into=merged_into,
                )
            )
        return batch


def _log_entries(j: JsonPath, payload: dict[str, Any], batch: ImportBatch) -> None:
    acks: dict[str, Any] = {}
    resolves: dict[str, Any] = {}
    merges: dict[str, IncidentMerge] = {}
    for where, entry in j.records(payload, ("log_entries",)):
        batch.rows_read += 1
        kind = j.text(entry, "type", where, required=True) or ""
        incident = entry.get("incident")
        if not isinstance(incident, dict) or not isinstance(incident.get("id"), str):
            j.fail(f"{where}.incident.id", "missing the incident it belongs to")
            return
        at = j.need_time(entry, "created_at", where)
        incident_id = incident["id"]
        merged = _merged_into(j, incident, f"{where}.incident")
        if merged is not None:
            merges[incident_id] = IncidentMerge(SOURCE, incident_id, merged, at)
        if kind.startswith("merge_log_entry"):
            sources = entry.get("source_incidents")
            if not isinstance(sources, list):
                if merged is None:
                    batch.skip(
                        "merge log entry naming no merged incident"
                        " (export with include[]=incidents)"
                    )
                continue
            for index, ref in enumerate(sources):
                rw = f"{where}.source_incidents[{index}]"
                merged_id = j.text(j.obj(ref, rw), "id", rw, required=True) or ""
                merges[merged_id] = IncidentMerge(SOURCE, merged_id, incident_id, at)
        elif kind.startswith("acknowledge_log_entry"):
            if incident_id not in acks or at < acks[incident_id]:
                acks[incident_id] = at
        elif kind.startswith("resolve_log_entry"):
            if incident_id not in resolves or at > resolves[incident_id]:
                resolves[incident_id] = at
        elif merged is None:
            batch.skip(f"log entry type not used for KPIs ({kind.removesuffix('_reference')})")
    for incident_id in sorted(set(acks) | set(resolves)):
        batch.incident_times.append(
            IncidentTimes(SOURCE, incident_id, acks.get(incident_id), resolves.get(incident_id))
        )
    batch.incident_merges.extend(merges[key] for key in sorted(merges))


def _merged_into(j: JsonPath, incident: dict[str, Any], where: str) -> str | None:
    """The incident this one was merged into, from a merge ``resolve_reason``."""
    reason = incident.get("resolve_reason")
    if reason is None:
        return None
    rw = f"{where}.resolve_reason"
    reason = j.obj(reason, rw)
    if j.text(reason, "type", rw) != "merge_resolve_reason":
        return None
    target = j.obj(reason.get("incident"), f"{rw}.incident")
    return j.text(target, "id", f"{rw}.incident", required=True)
