"""Jira's CSV export ("Export Excel CSV", all or current fields).

Quirks handled: repeated column headers for multi-value fields (``Labels,Labels,Labels``),
a byte-order mark, quoted multi-line descriptions, and dates in the exporting user's time
zone without an offset (read in ``kpi.timezone``, else the organization's time zone). The
CSV has no status history: the start of work comes from the changelog import
(``jira-changelog``), which keeps it when the CSV is imported again.
"""

from __future__ import annotations

from pathlib import Path

from platform_maturity.domain.events import WorkItem
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import csv_rows, parse_time

SOURCE = "jira"
REQUIRED = ("Issue key", "Issue Type", "Status", "Created")
HINT = (
    "Export from Jira's issue search with Export > Export Excel CSV (all fields); the"
    " columns Issue key, Issue Type, Status and Created are needed."
)


class JiraCsvImporter:
    kind = "jira-csv"
    title = "Jira CSV export (issues, repeated headers, local times without zone)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        mapping = context.mapping
        file = str(path)
        header, rows = csv_rows(path, REQUIRED, "a Jira CSV export", HINT)
        severity_column = mapping.severity.field if mapping.severity.field in header else None
        found_column = mapping.found_in.field if mapping.found_in.field in header else None
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            key = row.get("Issue key")
            if key is None:
                batch.skip("row without an issue key")
                continue
            created = parse_time(
                row.get("Created"), context.timezone, file=file, line=row.line, field="Created"
            )
            if created is None:
                batch.skip("missing Created time")
                continue
            resolved = parse_time(
                row.get("Resolved"), context.timezone, file=file, line=row.line, field="Resolved"
            )
            labels = row.all("Labels") or [
                x for x in (row.get("Labels") or "").replace(",", " ").split() if x
            ]
            components = row.all("Component/s") or ([row.get("Component/s") or ""])
            status = row.get("Status")
            category = mapping.status_category(status, row.get("Status Category"))
            resolution = mapping.resolution_of(row.get("Resolution"))
            done = category == "done" or (resolved is not None and resolution is not None)
            project = row.get("Project key") or key.split("-")[0]
            batch.work_items.append(
                WorkItem(
                    source=SOURCE,
                    source_id=key,
                    key=key,
                    kind=mapping.kind(row.get("Issue Type"), labels),  # type: ignore[arg-type]
                    created_at=created,
                    title=row.get("Summary") or "",
                    project=project,
                    unit=mapping.unit_of(project, *components),
                    status=status,
                    status_category="done" if done else category,  # type: ignore[arg-type]
                    resolution=resolution if done else None,  # type: ignore[arg-type]
                    severity=mapping.severity_of(
                        row.get(severity_column) if severity_column else None, labels
                    ),
                    found_in=mapping.found_in_of(  # type: ignore[arg-type]
                        labels, row.get(found_column) if found_column else None
                    ),
                    completed_at=(resolved or None) if done else None,
                    first_completed_at=resolved,
                    is_bot=mapping.is_bot(row.get("Reporter")),
                    labels=tuple(labels),
                )
            )
        return batch
