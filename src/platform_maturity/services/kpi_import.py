"""Import exports: each file is read by its format's importer and stored in one transaction."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import ImportResult
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.registry import importer, kinds
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import event_repo, issue_events
from platform_maturity.store.db import Database
from platform_maturity.store.events import ImportedIncidentRow


def import_context(workspace: Workspace) -> ImportContext:
    mapping = workspace.config.kpi
    name = mapping.timezone or workspace.config.organization.timezone
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            "unknown time zone",
            file=str(workspace.config_path),
            field="kpi.timezone" if mapping.timezone else "organization.timezone",
            value=name,
            hint="Use an IANA name such as Europe/Berlin or America/New_York.",
        ) from None
    return ImportContext(
        mapping=mapping,
        timezone=zone,
        currency=workspace.config.organization.currency,
        units=frozenset(u.slug for u in workspace.config.units),
    )


def _sha256(path: Path) -> str:
    """The content hash of a file, or of every file of an export folder."""
    digest = hashlib.sha256()
    for part in sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]:
        with part.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def store_batch(
    database: Database,
    batch: ImportBatch,
    result: ImportResult,
    sha256: str,
    now: datetime,
    actor: str,
    mapping: KpiMapping,
) -> None:
    """Write one file's records in one transaction: all of them or, on an error, none."""
    with database.transaction() as session:
        counts = event_repo.WriteCounts()
        for records in (
            batch.work_items,
            batch.pull_requests,
            batch.runs,
            batch.deployments,
            batch.incidents,
            batch.costs,
        ):
            counts.add(event_repo.write_records(session, records))
        if batch.work_frame is not None:
            from platform_maturity.store.work_frame import write_work_frame

            counts.add(write_work_frame(session, batch.work_frame))
        if batch.incident_merges:
            counts.add(event_repo.write_incident_merges(session, batch.incident_merges))
        if batch.headcounts:
            counts.add(event_repo.write_headcounts(session, batch.headcounts, now))
        for times in batch.incident_times:
            row = session.execute(
                select(ImportedIncidentRow).where(
                    ImportedIncidentRow.source == times.source,
                    ImportedIncidentRow.source_id == times.source_id,
                )
            ).scalar_one_or_none()
            if row is None:
                result.skipped["log entry of an incident not imported yet"] += 1
                continue
            before = (row.acknowledged_at, row.resolved_at)
            if times.acknowledged_at is not None:
                row.acknowledged_at = times.acknowledged_at
            if times.resolved_at is not None:
                row.resolved_at = times.resolved_at
            if (row.acknowledged_at, row.resolved_at) != before:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if batch.issue_refs or batch.issue_events:
            counts.add(_issue_history(session, batch, result, mapping))
        result.new, result.updated, result.unchanged = counts.new, counts.updated, counts.unchanged
        result.skipped.update(batch.skipped)
        event_repo.record_import(
            session,
            result.kind,
            result.file,
            sha256,
            now,
            actor,
            result.rows_read,
            counts,
            result.skipped_total,
        )


def _issue_history(
    session: Session, batch: ImportBatch, result: ImportResult, mapping: KpiMapping
) -> event_repo.WriteCounts:
    """Store issue events and other ids, then rebuild the history of every issue they touch
    from all of its stored events (events may come before or after their issue)."""
    from platform_maturity.importers.gitlab_events import with_history

    issue_events.write_refs(session, batch.issue_refs)
    counts = issue_events.write_events(session, batch.issue_events)
    refs: dict[str, set[str]] = {}
    for ref in batch.issue_refs:
        refs.setdefault(ref.source, set()).add(ref.ref)
    for event in batch.issue_events:
        refs.setdefault(event.source, set()).add(event.issue_ref)
    for source, wanted in sorted(refs.items()):
        applied = issue_events.apply_events(
            session, source, wanted, lambda item, events: with_history(item, events, mapping)
        )
        if applied.changed:
            result.notes["issues given their history from events"] += applied.changed
        if applied.waiting:
            result.notes[
                "issues with events, not imported yet (their history is built when they are)"
            ] += applied.waiting
    return counts


def configured_exports(workspace: Workspace, kind: str) -> list[Path]:
    """The files ``evidence.exports.<kind>`` of maturity.yaml lists, relative to it."""
    configured = workspace.config.evidence.exports
    unknown = [k for k in configured if k not in kinds()]
    if unknown:
        close = difflib.get_close_matches(unknown[0], kinds(), n=1, cutoff=0.4)
        raise UserError(
            "not an import kind",
            file=str(workspace.config_path),
            field=f"evidence.exports.{unknown[0]}",
            value=unknown[0],
            hint=(f"Did you mean {close[0]}? " if close else "")
            + "The kinds are: "
            + ", ".join(kinds()),
        )
    names = configured.get(kind)
    if not names:
        raise UserError(
            f"no files given and none configured for {kind}",
            file=str(workspace.config_path),
            field=f"evidence.exports.{kind}",
            hint=f"Pass the files: maturity import {kind} FILE..., or list them there.",
        )
    return [(workspace.root / name).resolve() for name in names]


def import_files(
    workspace: Workspace,
    database: Database,
    kind: str,
    paths: Sequence[Path],
    now: datetime,
    actor: str,
    progress: Callable[[str], None] | None = None,
    bulk: bool = True,
) -> list[ImportResult]:
    """Import every file; a bad file stops the run with its error, files before it are kept.

    With ``bulk`` (on SQLite and PostgreSQL), importers with a bulk path (jira-pipeline) may
    hand their work items over as one frame; the rows stored are the same either way.
    """
    reader = importer(kind)
    context = import_context(workspace)
    if bulk and database.engine.dialect.name in ("sqlite", "postgresql"):
        context = replace(context, frames=True)
    results: list[ImportResult] = []
    for path in paths:
        if progress:
            progress(f"Reading {path.name}")
        batch = reader.read(path, context)
        result = ImportResult(file=str(path), kind=kind, rows_read=batch.rows_read)
        if progress:
            progress(f"Storing {path.name}")
        store_batch(database, batch, result, _sha256(path), now, actor, context.mapping)
        results.append(result)
    return results
