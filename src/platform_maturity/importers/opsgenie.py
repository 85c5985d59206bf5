"""Opsgenie alert/incident CSV export (Opsgenie reaches end of support in April 2027).

Columns used: ``TinyId`` or ``Id``, ``Message``, ``CreatedAt``, ``Status``, ``Priority``
(P1-P5), ``Tags``, and the close/acknowledge times (``ClosedAt``/``UpdatedAt`` with
``Status`` closed/resolved, ``AckTime`` in milliseconds after creation). Times are epoch
milliseconds or date-times; without a zone they are read in ``kpi.timezone``.
"""

from __future__ import annotations

from pathlib import Path

from platform_maturity.domain.events import Incident
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import csv_rows, later, parse_number, parse_time


class OpsgenieImporter:
    kind = "opsgenie"
    title = "Opsgenie alerts/incidents CSV export"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file, tz, mapping = str(path), context.timezone, context.mapping
        header, rows = csv_rows(
            path,
            ("Message", "CreatedAt", "Status"),
            "an Opsgenie CSV export",
            "Export alerts or incidents as CSV from Opsgenie's list view.",
        )
        id_column = "TinyId" if "TinyId" in header else "Id"
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            ident = row.get(id_column) or row.get("Id") or row.get("Alias")
            if not ident:
                batch.skip("row without an id")
                continue
            created = parse_time(
                row.get("CreatedAt"), tz, file=file, line=row.line, field="CreatedAt"
            )
            if created is None:
                batch.skip("row without CreatedAt")
                continue
            status = (row.get("Status") or "").lower()
            closed = parse_time(
                row.get("ClosedAt")
                or (row.get("UpdatedAt") if status in ("closed", "resolved") else None),
                tz,
                file=file,
                line=row.line,
                field="ClosedAt",
            )
            ack_ms = parse_number(row.get("AckTime"), file=file, line=row.line, field="AckTime")
            tags = [t.strip() for t in (row.get("Tags") or "").split(",") if t.strip()]
            batch.incidents.append(
                Incident(
                    source="opsgenie",
                    source_id=ident,
                    title=row.get("Message") or "",
                    created_at=created,
                    severity=mapping.severity_of(row.get("Priority"), tags),
                    service=row.get("Source") or None,
                    status=status or None,
                    acknowledged_at=(
                        later(created, ack_ms / 1000, file=file, line=row.line, field="AckTime")
                        if ack_ms
                        else None
                    ),
                    resolved_at=closed if status in ("closed", "resolved") else None,
                    unit=mapping.unit_of(row.get("Source")),
                )
            )
        return batch
