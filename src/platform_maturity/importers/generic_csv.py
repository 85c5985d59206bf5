"""Documented generic CSVs for tools we do not read directly: incidents and deployments.

Incidents: ``id,title,created_at,resolved_at,severity,service[,acknowledged_at,status,
deployment_id,duplicate]``. Deployments: ``id,service,environment,status,started_at,
finished_at[,sha,failed_change]``. Times are ISO 8601; without a zone they are read in
``kpi.timezone``. ``duplicate`` and ``failed_change`` take true/false (yes/no, 1/0).
"""

from __future__ import annotations

from pathlib import Path

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Deployment, Incident
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import CsvRow, csv_rows, parse_time

TRUE = ("true", "yes", "1", "y")
FALSE = ("false", "no", "0", "n", "")


def _flag(row: CsvRow, column: str, file: str) -> bool:
    raw = (row.get(column) or "").lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise UserError("expected true or false", file=file, line=row.line, field=column, value=raw)


class IncidentsCsvImporter:
    kind = "incidents-csv"
    title = "Generic incidents CSV (id,title,created_at,resolved_at,severity,service)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file, tz, mapping = str(path), context.timezone, context.mapping
        _, rows = csv_rows(
            path,
            ("id", "title", "created_at", "resolved_at", "severity"),
            "an incidents CSV",
            "Columns: id,title,created_at,resolved_at,severity,service (docs/formats.md).",
        )
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            incident_id = row.get("id")
            created = parse_time(
                row.get("created_at"), tz, file=file, line=row.line, field="created_at"
            )
            if not incident_id or created is None:
                raise UserError(
                    "id and created_at are required",
                    file=file,
                    line=row.line,
                    field="id" if not incident_id else "created_at",
                )
            service = row.get("service")
            batch.incidents.append(
                Incident(
                    source="incidents-csv",
                    source_id=incident_id,
                    title=row.get("title") or "",
                    created_at=created,
                    severity=mapping.severity_of(row.get("severity")) or row.get("severity"),
                    service=service,
                    status=row.get("status"),
                    acknowledged_at=parse_time(
                        row.get("acknowledged_at"),
                        tz,
                        file=file,
                        line=row.line,
                        field="acknowledged_at",
                    ),
                    resolved_at=parse_time(
                        row.get("resolved_at"), tz, file=file, line=row.line, field="resolved_at"
                    ),
                    duplicate=_flag(row, "duplicate", file),
                    unit=mapping.unit_of(service),
                    deployment_id=row.get("deployment_id"),
                )
            )
        return batch


class DeploymentsCsvImporter:
    kind = "deployments-csv"
    title = "Generic deployments CSV (id,service,environment,status,started_at,finished_at)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file, tz, mapping = str(path), context.timezone, context.mapping
        _, rows = csv_rows(
            path,
            ("id", "service", "environment", "status", "started_at", "finished_at"),
            "a deployments CSV",
            "Columns: id,service,environment,status,started_at,finished_at (docs/formats.md).",
        )
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            dep_id, service = row.get("id"), row.get("service")
            started = parse_time(
                row.get("started_at"), tz, file=file, line=row.line, field="started_at"
            )
            if not dep_id or not service or started is None:
                raise UserError(
                    "id, service and started_at are required",
                    file=file,
                    line=row.line,
                    field="id" if not dep_id else ("service" if not service else "started_at"),
                )
            environment = row.get("environment") or "production"
            status = (row.get("status") or "success").lower()
            if status not in ("success", "failure", "failed", "error", "in_progress", "cancelled"):
                raise UserError(
                    "unknown deployment status",
                    file=file,
                    line=row.line,
                    field="status",
                    value=status,
                    hint="Use success, failure, error, in_progress or cancelled.",
                )
            batch.deployments.append(
                Deployment(
                    source="deployments-csv",
                    source_id=dep_id,
                    service=service,
                    environment=environment,
                    production=mapping.is_production(environment),
                    status="failure" if status == "failed" else status,
                    created_at=started,
                    finished_at=parse_time(
                        row.get("finished_at"), tz, file=file, line=row.line, field="finished_at"
                    ),
                    sha=row.get("sha"),
                    unit=mapping.unit_of(service),
                    failed_change=_flag(row, "failed_change", file),
                )
            )
        return batch
